//! Executes every fixture block in `testdata/execution/`.
#![allow(missing_docs)] // `criterion_group!` generates undocumented items.

use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use koa_executor::StatelessExecutor;
use koa_fixture::Fixture;
use koa_mpt::NoopTrieHinter;

fn execute_fixtures(c: &mut Criterion) {
    let root = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../testdata/execution"
    ));
    let dirs = Fixture::discover(root).expect("fixtures present");
    let mut group = c.benchmark_group("execute");
    group.sample_size(20);
    for dir in dirs {
        let fixture = Fixture::load(&dir).expect("fixture loads");
        let name = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let parent = fixture.parent();
        let config = &fixture.file.rollup_config;
        let executor = StatelessExecutor::new(config, &fixture.preimages, NoopTrieHinter);
        group.bench_function(name, |b| {
            b.iter(|| {
                let outcome = executor
                    .execute(
                        parent.inner(),
                        parent.hash(),
                        &fixture.file.payload_attributes,
                    )
                    .expect("block executes");
                assert_eq!(outcome.header.hash(), fixture.file.expected_block_hash);
            })
        });
    }
    group.finish();
}

criterion_group!(benches, execute_fixtures);
criterion_main!(benches);
