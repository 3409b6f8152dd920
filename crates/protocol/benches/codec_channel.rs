//! Decoding a real OP Mainnet channel: zlib decompression, reading its batches, and
//! deriving the span batch into singular batches.
#![allow(missing_docs)]

use alloy_eips::BlockNumHash;
use alloy_primitives::B256;
use criterion::{Criterion, criterion_group, criterion_main};
use koa_protocol::{
    batch::Batch,
    channel::{BatchReader, ChannelDecoding, decompress_channel},
};
use std::hint::black_box;

const OP_MAINNET_GENESIS_TIME: u64 = 1_686_068_903;

fn channel() -> Vec<u8> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../testdata/derivation/channel-zlib.hex.zst"
    );
    let text =
        zstd::decode_all(std::fs::read(path).expect("channel fixture").as_slice()).expect("zstd");
    hex::decode(String::from_utf8(text).expect("utf-8").trim()).expect("hex")
}

/// Decompresses, reads every batch and converts span batches into singular batches.
fn decode_channel(channel: &[u8]) -> usize {
    let decompressed = decompress_channel(channel, ChannelDecoding::FJORD).expect("decompress");
    let mut blocks = 0;
    for batch in BatchReader::new(decompressed.data) {
        match batch.expect("batch") {
            Batch::Singular(_) => blocks += 1,
            Batch::Span(raw) => {
                let span = raw.derive(2, OP_MAINNET_GENESIS_TIME, 10).expect("derive");
                let origins: Vec<BlockNumHash> = (span.start_epoch_num()..=span.final_epoch_num())
                    .map(|number| BlockNumHash {
                        number,
                        hash: B256::ZERO,
                    })
                    .collect();
                blocks += span
                    .to_singular_batches(&origins, 0)
                    .expect("singular")
                    .len();
            }
        }
    }
    blocks
}

fn bench_channel(c: &mut Criterion) {
    let channel = channel();
    let mut group = c.benchmark_group("codec_channel");
    group.sample_size(20);
    group.bench_function("decompress_zlib", |b| {
        b.iter(|| decompress_channel(black_box(&channel), ChannelDecoding::FJORD).expect("ok"))
    });
    group.bench_function("decompress_read_derive", |b| {
        b.iter(|| decode_channel(black_box(&channel)))
    });
    group.finish();
}

criterion_group!(benches, bench_channel);
criterion_main!(benches);
