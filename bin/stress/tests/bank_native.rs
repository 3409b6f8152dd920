//! The bank scenario run natively at the Bedrock limits (a bank of 100,000,000 bytes,
//! channels decompressing to at most 10,000,000), on koa's FPVM heap as this test binary's
//! global allocator: the scenario's logic and the allocator's behaviour under it, checked by
//! every `cargo test`. The full-size run under `qemu-riscv64` is `tests/qemu_bank.rs`.

use koa_fpvm::FpvmHeap;
use koa_protocol::{
    RollupConfig,
    channel::{
        CHANNEL_FRAME_SIZE_OVERHEAD, MAX_CHANNEL_BANK_SIZE_BEDROCK,
        MAX_RLP_BYTES_PER_CHANNEL_BEDROCK,
    },
};
use koa_stress::bank::{Params, Report, first_batcher_tx, max_batch_stream, run};
use miniz_oxide::deflate::compress_to_vec_zlib;

#[global_allocator]
static HEAP: FpvmHeap = FpvmHeap::new(1 << 32);

#[test]
fn bedrock_bank_of_small_channels_then_a_bank_sized_channel() {
    let (tx_len, stream) = max_batch_stream(MAX_RLP_BYTES_PER_CHANNEL_BEDROCK).unwrap();
    assert_eq!(stream.len(), MAX_RLP_BYTES_PER_CHANNEL_BEDROCK);
    let compressed: Vec<u8> = compress_to_vec_zlib(&stream, 9);
    drop(stream);
    let first_len: usize = compressed.len();
    let first_tx: Vec<u8> = first_batcher_tx(compressed);
    let params: Params = Params::worst_case(tx_len);
    assert_eq!(Params::decode(&params.encode()).unwrap(), params);

    // Canyon (the bank reads its first ready channel) without Fjord.
    let rollup_config: RollupConfig = RollupConfig {
        regolith_time: Some(0),
        canyon_time: Some(0),
        ..Default::default()
    };
    let report: Report =
        run(&rollup_config, &params, &first_tx, &|| HEAP.stats()).expect("the scenario runs");
    println!("{report}");

    // As many two-frame channels of one-byte frames as fit in the bank.
    let tiny_channel: usize = 2 * (1 + CHANNEL_FRAME_SIZE_OVERHEAD);
    assert_eq!(
        report.tiny.channels,
        MAX_CHANNEL_BANK_SIZE_BEDROCK / tiny_channel
    );
    assert_eq!(report.tiny.frames, 2 * report.tiny.channels);
    assert_eq!(report.tiny.bank_size, report.tiny.channels * tiny_channel);
    // Then one channel of filler frames up to the bank's size, which pushed out all but the
    // newest that fit beside it.
    let filler: usize = params.filler_frame_len + CHANNEL_FRAME_SIZE_OVERHEAD;
    let fillers: usize =
        (MAX_CHANNEL_BANK_SIZE_BEDROCK - first_len - CHANNEL_FRAME_SIZE_OVERHEAD) / filler;
    let large: usize = first_len + CHANNEL_FRAME_SIZE_OVERHEAD + fillers * filler;
    assert_eq!(report.large.frames, fillers + 1);
    assert_eq!(report.large.channel_size, large);
    assert!(large > MAX_CHANNEL_BANK_SIZE_BEDROCK - filler);
    assert_eq!(
        report.large.tiny_left,
        (MAX_CHANNEL_BANK_SIZE_BEDROCK - large) / tiny_channel
    );
    // Read, decompressed to the limit, one batch with the announced transaction.
    let data_len: usize = first_len + fillers * params.filler_frame_len;
    assert_eq!(report.read.compressed, data_len);
    assert_eq!(report.read.decompressed, MAX_RLP_BYTES_PER_CHANNEL_BEDROCK);
    assert_eq!((report.read.batches, report.read.tx_len), (1, tx_len));

    // The channel's frames and its copy were live together.
    let (tiny, large, read) = (report.tiny.heap, report.large.heap, report.read.heap);
    assert!(read.peak_in_use >= 2 * data_len, "{report}");
    // The large frames took the memory the small channels left: the heap grew by under 10%
    // beyond the larger of the two (6% measured: the small channels take a little less than
    // the large one, and the few left beside it split the memory they leave; a power-of-two
    // heap without coalescing reuses none of it and needs twice the frames' size on top).
    assert!(
        large.carved <= tiny.carved.max(large.in_use) / 10 * 11,
        "{report}"
    );
    // Then only the copy of the channel needed new memory: decompression and the decoded
    // batch reused the frames' once they were dropped.
    assert!(
        read.carved <= large.carved + data_len + data_len / 100,
        "{report}"
    );
}
