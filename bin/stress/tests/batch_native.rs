//! The batch scenario run natively with a channel of 10,000,000 bytes (Bedrock's limit,
//! a tenth of Fjord's), on koa's FPVM heap as this test binary's global allocator: the
//! scenario's logic and its memory per transaction, checked by every `cargo test`. The
//! full-size run under `qemu-riscv64` is `tests/qemu_batch.rs`.

use koa_fpvm::FpvmHeap;
use koa_protocol::channel::MAX_RLP_BYTES_PER_CHANNEL_BEDROCK;
use koa_stress::{
    StressError,
    batch::{Chain, Report, run},
};
use miniz_oxide::deflate::compress_to_vec_zlib;

#[global_allocator]
static HEAP: FpvmHeap = FpvmHeap::new(1 << 32);

#[test]
fn a_batch_of_ten_million_one_byte_transactions_becomes_a_deposits_only_block() {
    let chain: Chain = Chain::new();
    let tx_count: usize = chain.max_tx_count(MAX_RLP_BYTES_PER_CHANNEL_BEDROCK);
    let stream: Vec<u8> = chain.batch_stream(tx_count);
    assert_eq!(stream.len(), MAX_RLP_BYTES_PER_CHANNEL_BEDROCK);
    let compressed: Vec<u8> = compress_to_vec_zlib(&stream, 9);
    drop(stream);
    let before: usize = HEAP.stats().in_use;

    let report: Report = run(&compressed, tx_count, &|| HEAP.stats()).expect("the scenario runs");
    println!("{report}");
    assert_eq!(
        report.decoded.decompressed,
        MAX_RLP_BYTES_PER_CHANNEL_BEDROCK
    );
    assert_eq!(report.decoded.txs, tx_count);
    // The L1 attributes deposit alone: same epoch as the parent, no fork activating.
    assert_eq!(report.attributes.deposits, 1);
    assert_eq!(report.attributes.txs, tx_count + 1);
    assert_eq!(report.executed.failed_at, 1);
    assert_eq!(report.executed.deposits_only_txs, 1);
    assert!(report.executed.gas_used > 0);

    // Memory per transaction: the decompressed channel (a byte, and up to two while its buffer
    // grows) and the batch's list (a byte and a 4-byte offset), which the attributes take over
    // without a copy. So the peak is six to eight bytes a transaction, not the 64 or more of a
    // `Bytes` each, nor twice the list.
    let peak: usize = report.executed.heap.peak_in_use - before;
    assert!(peak >= 6 * tx_count, "{report}");
    assert!(peak <= 9 * tx_count, "{report}");
    // The attributes hold the batch's list itself: the heap did not grow to build them.
    assert!(
        report.attributes.heap.in_use <= report.decoded.heap.in_use + (1 << 20),
        "{report}"
    );
}

#[test]
fn a_channel_that_is_not_the_announced_batch_is_refused() {
    let chain: Chain = Chain::new();
    let compressed: Vec<u8> = compress_to_vec_zlib(&chain.batch_stream(1_000), 9);
    assert!(matches!(
        run(&compressed, 999, &|| HEAP.stats()),
        Err(StressError::Check(_))
    ));
    assert!(matches!(
        run(&compressed[..compressed.len() / 2], 1_000, &|| HEAP.stats()),
        Err(StressError::Check(_))
    ));
    assert!(matches!(
        run(&[0x02, 0x00], 1_000, &|| HEAP.stats()),
        Err(StressError::Decompress(_))
    ));
}
