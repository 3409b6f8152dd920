//! The largest transaction list a batch can carry, full size, under `qemu-riscv64` (Asterisc)
//! and `qemu-mips64` (Cannon) within the client's heap (`koa_fpvm::DEFAULT_HEAP_SIZE`): a
//! channel that decompresses to Fjord's `MAX_RLP_BYTES_PER_CHANNEL` of one-byte transactions,
//! decoded, built into attributes, failed at execution and replaced by its deposits (see
//! `koa_stress::batch`). Prints the program's figures, heap included, and the run's wall time.
//!
//! Needs the ELFs built by `scripts/build-client.sh <riscv64|mips64> --program stress` (as
//! `scripts/ci-fpvm.sh` does); the tests are `#[ignore]`d by default. Run with `--ignored` but
//! without `KOA_FPVM_ELF_DIR`, they fail with an explanation.

mod common;

use common::{fields, run_stress};
use koa_fpvm::DEFAULT_HEAP_SIZE;
use koa_host::Vm;
use koa_protocol::channel::MAX_RLP_BYTES_PER_CHANNEL_FJORD;
use koa_stress::{
    Scenario,
    batch::{Chain, encode_tx_count},
};
use miniz_oxide::deflate::compress_to_vec_zlib;
use std::{collections::BTreeMap, time::Duration};

#[test]
#[ignore = "needs the riscv64 stress ELF (scripts/ci-fpvm.sh)"]
fn riscv64_a_channel_of_one_byte_transactions_within_the_client_heap() {
    a_channel_of_one_byte_transactions_within_the_client_heap(Vm::Riscv64);
}

#[test]
#[ignore = "needs the mips64 stress ELF (scripts/ci-fpvm.sh)"]
fn mips64_a_channel_of_one_byte_transactions_within_the_client_heap() {
    a_channel_of_one_byte_transactions_within_the_client_heap(Vm::Mips64);
}

/// Runs the scenario on `vm`.
fn a_channel_of_one_byte_transactions_within_the_client_heap(vm: Vm) {
    let chain: Chain = Chain::new();
    let tx_count: usize = chain.max_tx_count(MAX_RLP_BYTES_PER_CHANNEL_FJORD);
    let stream: Vec<u8> = chain.batch_stream(tx_count);
    assert_eq!(stream.len(), MAX_RLP_BYTES_PER_CHANNEL_FJORD);
    let compressed: Vec<u8> = compress_to_vec_zlib(&stream, 9);
    drop(stream);
    let stdout: String = run_stress(
        vm,
        Scenario::Batch,
        encode_tx_count(tx_count),
        Some(compressed),
        Duration::from_secs(900),
    );

    let decoded: BTreeMap<String, usize> = fields(&stdout, Scenario::Batch, "decoded");
    let attributes: BTreeMap<String, usize> = fields(&stdout, Scenario::Batch, "attributes");
    let executed: BTreeMap<String, usize> = fields(&stdout, Scenario::Batch, "executed");
    assert_eq!(decoded["decompressed"], MAX_RLP_BYTES_PER_CHANNEL_FJORD);
    assert_eq!(decoded["txs"], tx_count);
    assert!(tx_count > 99_999_000, "{tx_count}");
    // The L1 attributes deposit, then the batch's transactions; execution fails at the first
    // of those, and the deposits-only block holds the deposit alone.
    assert_eq!(
        (attributes["deposits"], attributes["txs"]),
        (1, tx_count + 1)
    );
    assert_eq!(executed["failed_at"], 1);
    assert_eq!(executed["deposits_only_txs"], 1);

    // About seven bytes a transaction at the peak (see tests/batch_native.rs): the attributes took
    // the batch's list over without growing the heap; far within the heap.
    assert_eq!(executed["size"], DEFAULT_HEAP_SIZE);
    assert!(executed["peak_in_use"] <= 8 * tx_count, "{stdout}");
    assert!(
        attributes["in_use"] <= decoded["in_use"] + (1 << 20),
        "{stdout}"
    );
    assert!(executed["carved"] <= DEFAULT_HEAP_SIZE / 4, "{stdout}");
}
