//! Trie benchmarks over keccak-hashed keys: insert, delete, root, and a block-sized update of a
//! trie reopened blinded from its preimages.
//!
//! Every routine returns its trie so that criterion drops it outside the timed section.
#![allow(missing_docs)] // `criterion_group!` generates undocumented items.

use std::hint::black_box;

use alloy_primitives::{B256, Bytes, keccak256, map::HashMap};
use criterion::{BatchSize, BenchmarkId, Criterion, criterion_group, criterion_main};
use koa_mpt::{Nibbles, NoopTrieHinter, NoopTrieProvider, TrieNode};

const SIZES: [usize; 3] = [1_000, 10_000, 100_000];

fn key(i: usize) -> Nibbles {
    Nibbles::unpack(keccak256((i as u64).to_be_bytes()))
}

/// An account-sized value (about 70 bytes, like an RLP-encoded state account).
fn value(i: usize) -> Bytes {
    let mut bytes = keccak256((i as u64).to_le_bytes()).repeat(2);
    bytes.extend_from_slice(&[0x42; 6]);
    Bytes::from(bytes)
}

fn build(keys: &[Nibbles]) -> TrieNode {
    let mut trie = TrieNode::default();
    for (i, key) in keys.iter().enumerate() {
        trie.insert(key, value(i), &NoopTrieProvider)
            .expect("insert");
    }
    trie
}

fn bench_trie(c: &mut Criterion) {
    for n in SIZES {
        let keys: Vec<Nibbles> = (0..n).map(key).collect();
        let values: Vec<Bytes> = (0..n).map(value).collect();
        let new_values: Vec<Bytes> = (n..2 * n).map(value).collect();
        let mut group = c.benchmark_group("mpt");
        group.sample_size(10);

        group.bench_function(BenchmarkId::new("insert", n), |b| {
            b.iter(|| {
                let mut trie = TrieNode::default();
                for (key, value) in keys.iter().zip(&values) {
                    trie.insert(key, value.clone(), &NoopTrieProvider)
                        .expect("insert");
                }
                black_box(trie)
            })
        });

        let built = build(&keys);
        group.bench_function(BenchmarkId::new("delete_all", n), |b| {
            b.iter_batched(
                || built.clone(),
                |mut trie| {
                    for key in &keys {
                        trie.delete(key, &NoopTrieProvider, &NoopTrieHinter)
                            .expect("delete");
                    }
                    trie
                },
                BatchSize::LargeInput,
            )
        });

        group.bench_function(BenchmarkId::new("root_full", n), |b| {
            b.iter_batched(
                || built.clone(),
                |mut trie| {
                    black_box(trie.root());
                    trie
                },
                BatchSize::LargeInput,
            )
        });

        // A block's worth of changes to a hashed trie: 1% of the keys rewritten, then the root.
        let mut hashed = built.clone();
        hashed.root();
        let changed = (n / 100).max(1);
        group.bench_function(BenchmarkId::new("update_1pct_then_root", n), |b| {
            b.iter_batched(
                || hashed.clone(),
                |mut trie| {
                    for i in 0..changed {
                        let index = i * 97 % n;
                        trie.insert(&keys[index], new_values[index].clone(), &NoopTrieProvider)
                            .expect("insert");
                    }
                    black_box(trie.root());
                    trie
                },
                BatchSize::LargeInput,
            )
        });

        // The stateless executor's pattern: reopen from the root hash over a preimage map, then
        // update 1,000 keys (1% deleted), then take the root.
        let mut preimages: HashMap<B256, Bytes> = HashMap::default();
        built.for_each_preimage(&mut |hash, node| {
            preimages.insert(hash, node);
        });
        let root = hashed.root();
        group.bench_function(BenchmarkId::new("blinded_block_1000_updates", n), |b| {
            b.iter_batched(
                || TrieNode::new_blinded(root),
                |mut trie| {
                    for i in 0..1_000usize.min(n) {
                        let index = i * 97 % n;
                        if i % 100 == 0 {
                            trie.delete(&keys[index], &preimages, &NoopTrieHinter)
                                .expect("delete");
                        } else {
                            trie.insert(&keys[index], new_values[index].clone(), &preimages)
                                .expect("insert");
                        }
                    }
                    black_box(trie.root());
                    trie
                },
                BatchSize::LargeInput,
            )
        });
        group.finish();
    }
}

criterion_group!(benches, bench_trie);
criterion_main!(benches);
