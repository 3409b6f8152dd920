//! The channel stages' worst case for memory, full size, under `qemu-riscv64` within the
//! client's heap (`koa_fpvm::DEFAULT_HEAP_SIZE`): a Fjord channel bank filled to
//! `MAX_CHANNEL_BANK_SIZE` with the smallest channels, then one channel of the bank's size that
//! pushes them out, read, decompressed to `MAX_RLP_BYTES_PER_CHANNEL` and decoded (see the
//! library, `koa_channel_stress`). Prints the program's figures, heap included, and the run's
//! wall time.
//!
//! Needs the ELF built by `scripts/build-client.sh riscv64 --package koa-channel-stress --bin
//! channel-stress` (as `scripts/ci-fpvm.sh` does) and is `#[ignore]`d by default. Run with
//! `--ignored` but without `KOA_FPVM_ELF_DIR`, it fails with an explanation.

mod common;

use alloy_primitives::{B256, keccak256};
use common::{elf, fields};
use koa_channel_stress::{Params, first_batcher_tx, max_batch_stream};
use koa_fpvm::DEFAULT_HEAP_SIZE;
use koa_host::{ClientRunner, RunOutcome, Vm};
use koa_preimage::{NoopHintRouter, PreimageKey};
use koa_protocol::channel::{
    CHANNEL_FRAME_SIZE_OVERHEAD, MAX_CHANNEL_BANK_SIZE_FJORD, MAX_RLP_BYTES_PER_CHANNEL_FJORD,
};
use miniz_oxide::deflate::compress_to_vec_zlib;
use std::{
    collections::BTreeMap,
    time::{Duration, Instant},
};

#[test]
#[ignore = "needs the riscv64 channel-stress ELF (scripts/ci-fpvm.sh)"]
fn riscv64_full_bank_then_bank_sized_channel_within_the_client_heap() {
    let (tx_len, stream) = max_batch_stream(MAX_RLP_BYTES_PER_CHANNEL_FJORD).unwrap();
    let compressed: Vec<u8> = compress_to_vec_zlib(&stream, 9);
    drop(stream);
    let first_len: usize = compressed.len();
    let first_tx: Vec<u8> = first_batcher_tx(compressed);
    let hash: B256 = keccak256(&first_tx);
    let params: Params = Params::worst_case(tx_len);
    let store: BTreeMap<PreimageKey, Vec<u8>> = BTreeMap::from([
        (PreimageKey::local(1), params.encode()),
        (PreimageKey::local(2), hash.to_vec()),
        (PreimageKey::keccak256(hash), first_tx),
    ]);

    let start: Instant = Instant::now();
    let outcome: RunOutcome = ClientRunner::new(Vm::Riscv64, elf())
        .timeout(Duration::from_secs(900))
        .run(&store, &NoopHintRouter)
        .expect("the program runs");
    let elapsed: Duration = start.elapsed();
    let stdout: String = String::from_utf8_lossy(&outcome.stdout).into_owned();
    assert!(outcome.succeeded(), "{}\n{stdout}", outcome.summary());
    print!("{stdout}");
    println!("qemu-riscv64 wall time: {:.1} s", elapsed.as_secs_f64());

    let tiny: BTreeMap<String, usize> = fields(&stdout, "tiny");
    let large: BTreeMap<String, usize> = fields(&stdout, "large");
    let read: BTreeMap<String, usize> = fields(&stdout, "read");
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
