//! The channel stages' worst case for memory, full size, under `qemu-riscv64` within the
//! client's heap (`koa_fpvm::DEFAULT_HEAP_SIZE`): a Fjord channel bank filled to
//! `MAX_CHANNEL_BANK_SIZE` with the smallest channels, then one channel of the bank's size that
//! pushes them out, read, decompressed to `MAX_RLP_BYTES_PER_CHANNEL` and decoded (see
//! `koa_stress::bank`). Prints the program's figures, heap included, and the run's wall time.
//!
//! Needs the ELF built by `scripts/build-client.sh riscv64 --program stress` (as
//! `scripts/ci-fpvm.sh` does) and is `#[ignore]`d by default. Run with `--ignored` but without
//! `KOA_FPVM_ELF_DIR`, it fails with an explanation.

mod common;

use common::{fields, run_stress};
use koa_fpvm::DEFAULT_HEAP_SIZE;
use koa_host::Vm;
use koa_protocol::channel::{
    CHANNEL_FRAME_SIZE_OVERHEAD, MAX_CHANNEL_BANK_SIZE_FJORD, MAX_RLP_BYTES_PER_CHANNEL_FJORD,
};
use koa_stress::{
    Scenario,
    bank::{Params, first_batcher_tx, max_batch_stream},
};
use miniz_oxide::deflate::compress_to_vec_zlib;
use std::{collections::BTreeMap, time::Duration};

#[test]
#[ignore = "needs the riscv64 stress ELF (scripts/ci-fpvm.sh)"]
fn riscv64_full_bank_then_bank_sized_channel_within_the_client_heap() {
    let (tx_len, stream) = max_batch_stream(MAX_RLP_BYTES_PER_CHANNEL_FJORD).unwrap();
    let compressed: Vec<u8> = compress_to_vec_zlib(&stream, 9);
    drop(stream);
    let first_len: usize = compressed.len();
    let params: Params = Params::worst_case(tx_len);
    let stdout: String = run_stress(
        Vm::Riscv64,
        Scenario::Bank,
        params.encode(),
        Some(first_batcher_tx(compressed)),
        Duration::from_secs(900),
    );

    let tiny: BTreeMap<String, usize> = fields(&stdout, Scenario::Bank, "tiny");
    let large: BTreeMap<String, usize> = fields(&stdout, Scenario::Bank, "large");
    let read: BTreeMap<String, usize> = fields(&stdout, Scenario::Bank, "read");
    // The bank full of two-frame channels of one-byte frames: about 2.5 million.
    let tiny_channel: usize = 2 * (1 + CHANNEL_FRAME_SIZE_OVERHEAD);
    assert_eq!(tiny["channels"], MAX_CHANNEL_BANK_SIZE_FJORD / tiny_channel);
    assert_eq!(tiny["bank_size"], tiny["channels"] * tiny_channel);
    // The large channel up to the bank's size.
    let filler: usize = params.filler_frame_len + CHANNEL_FRAME_SIZE_OVERHEAD;
    let fillers: usize =
        (MAX_CHANNEL_BANK_SIZE_FJORD - first_len - CHANNEL_FRAME_SIZE_OVERHEAD) / filler;
    let large_size: usize = first_len + CHANNEL_FRAME_SIZE_OVERHEAD + fillers * filler;
    assert_eq!(large["frames"], fillers + 1);
    assert_eq!(large["channel_size"], large_size);
    assert_eq!(
        large["tiny_left"],
        (MAX_CHANNEL_BANK_SIZE_FJORD - large_size) / tiny_channel
    );
    // Read, decompressed to the limit, one batch with the announced transaction.
    let data_len: usize = first_len + fillers * params.filler_frame_len;
    assert_eq!(read["compressed"], data_len);
    assert_eq!(read["decompressed"], MAX_RLP_BYTES_PER_CHANNEL_FJORD);
    assert_eq!((read["batches"], read["tx_len"]), (1, tx_len));

    // The heap: the channel's frames and its copy were live together; the large frames took
    // the memory the small channels left; only the copy needed new memory after that.
    assert_eq!(read["size"], DEFAULT_HEAP_SIZE);
    assert!(read["peak_in_use"] >= 2 * data_len, "{stdout}");
    // The small channels take a little less heap than the large one needs, so the heap grows
    // to the large channel's size, by under 10% beyond what either holds (0.6% measured;
    // without reuse it would double).
    assert!(
        large["carved"] <= tiny["carved"].max(large["in_use"]) / 10 * 11,
        "{stdout}"
    );
    assert!(
        read["carved"] <= large["carved"] + data_len + data_len / 100,
        "{stdout}"
    );
    // And a quarter of the heap stays free for what the client holds besides the channel
    // stages.
    assert!(read["carved"] <= DEFAULT_HEAP_SIZE / 4 * 3, "{stdout}");
}
