//! Benchmarks the batch stage on a real channel: every batch of `channel-zlib` validated and
//! applied through the batch queue with an in-memory L2 provider.

#![allow(missing_docs)]

use criterion::{Criterion, criterion_group, criterion_main};
use koa_derive::test_utils::ChannelWorld;

fn real_channel() -> Vec<u8> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../testdata/derivation/channel-zlib.hex.zst"
    );
    let hex_text = zstd::decode_all(std::fs::File::open(path).expect("test data")).expect("zstd");
    hex::decode(std::str::from_utf8(&hex_text).expect("utf8").trim()).expect("hex")
}

fn bench(c: &mut Criterion) {
    let channel = real_channel();
    let world = ChannelWorld::from_channel(&channel);
    let mut group = c.benchmark_group("derive");
    group.sample_size(10);
    group.bench_function("channel_reader_decode", |b| {
        b.iter(|| ChannelWorld::from_channel(&channel))
    });
    group.bench_function("batch_queue_real_channel", |b| {
        b.iter(|| world.run_batch_queue())
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
