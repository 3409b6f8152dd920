//! The largest transaction list a batch can carry, full size, under `qemu-riscv64` (Asterisc)
//! and `qemu-mips64` (Cannon) within the client's heap (`koa_fpvm::DEFAULT_HEAP_SIZE`): a channel that decompresses to Fjord's
//! `MAX_RLP_BYTES_PER_CHANNEL` of one-byte transactions, decoded, built into attributes,
//! failed at execution and replaced by its deposits (see the library, `koa_batch_stress`).
//! Prints the program's figures, heap included, and the run's wall time.
//!
//! Needs the ELFs built by `scripts/build-client.sh <riscv64|mips64> --program batch-stress`
//! (as `scripts/ci-fpvm.sh` does); the tests are `#[ignore]`d by default. Run with `--ignored` but without
//! `KOA_FPVM_ELF_DIR`, it fails with an explanation.

use alloy_primitives::{B256, keccak256};
use koa_batch_stress::{Chain, encode_tx_count};
use koa_fpvm::DEFAULT_HEAP_SIZE;
use koa_host::{ClientRunner, RunOutcome, Vm};
use koa_preimage::{NoopHintRouter, PreimageKey};
use koa_protocol::channel::MAX_RLP_BYTES_PER_CHANNEL_FJORD;
use miniz_oxide::deflate::compress_to_vec_zlib;
use std::{
    collections::BTreeMap,
    path::PathBuf,
    time::{Duration, Instant},
};

fn elf(arch: &str) -> PathBuf {
    let Some(dir) = std::env::var_os("KOA_FPVM_ELF_DIR") else {
        panic!(
            "KOA_FPVM_ELF_DIR is not set: run scripts/ci-fpvm.sh (or build-client.sh and set it)"
        );
    };
    let path: PathBuf = PathBuf::from(dir).join(arch).join("batch-stress");
    assert!(
        path.is_file(),
        "{} does not exist: run scripts/build-client.sh {arch} --program batch-stress",
        path.display()
    );
    path
}

/// The `key=value` fields of the program's `batch-stress <step>:` line.
fn fields(stdout: &str, step: &str) -> BTreeMap<String, usize> {
    let prefix: String = format!("batch-stress {step}: ");
    let line: &str = stdout
        .lines()
        .find_map(|line| line.strip_prefix(prefix.as_str()))
        .unwrap_or_else(|| panic!("no {step} line in {stdout:?}"));
    line.split_whitespace()
        .filter_map(|field| field.split_once('='))
        .map(|(key, value)| (key.to_owned(), value.parse().expect("a number")))
        .collect()
}

#[test]
#[ignore = "needs the riscv64 batch-stress ELF (scripts/ci-fpvm.sh)"]
fn riscv64_a_channel_of_one_byte_transactions_within_the_client_heap() {
    a_channel_of_one_byte_transactions_within_the_client_heap(Vm::Riscv64, "riscv64");
}

#[test]
#[ignore = "needs the mips64 batch-stress ELF (scripts/ci-fpvm.sh)"]
fn mips64_a_channel_of_one_byte_transactions_within_the_client_heap() {
    a_channel_of_one_byte_transactions_within_the_client_heap(Vm::Mips64, "mips64");
}

/// Runs the scenario on `vm` with the ELF built for `arch`.
fn a_channel_of_one_byte_transactions_within_the_client_heap(vm: Vm, arch: &str) {
    let chain: Chain = Chain::new();
    let tx_count: usize = chain.max_tx_count(MAX_RLP_BYTES_PER_CHANNEL_FJORD);
    let stream: Vec<u8> = chain.batch_stream(tx_count);
    assert_eq!(stream.len(), MAX_RLP_BYTES_PER_CHANNEL_FJORD);
    let compressed: Vec<u8> = compress_to_vec_zlib(&stream, 9);
    drop(stream);
    let hash: B256 = keccak256(&compressed);
    let store: BTreeMap<PreimageKey, Vec<u8>> = BTreeMap::from([
        (PreimageKey::local(1), encode_tx_count(tx_count).to_vec()),
        (PreimageKey::local(2), hash.to_vec()),
        (PreimageKey::keccak256(hash), compressed),
    ]);

    let start: Instant = Instant::now();
    let outcome: RunOutcome = ClientRunner::new(vm, elf(arch))
        .timeout(Duration::from_secs(900))
        .run(&store, &NoopHintRouter)
        .expect("the program runs");
    let elapsed: Duration = start.elapsed();
    let stdout: String = String::from_utf8_lossy(&outcome.stdout).into_owned();
    assert!(outcome.succeeded(), "{}\n{stdout}", outcome.summary());
    print!("{stdout}");
    println!("qemu-{arch} wall time: {:.1} s", elapsed.as_secs_f64());

    let decoded: BTreeMap<String, usize> = fields(&stdout, "decoded");
    let attributes: BTreeMap<String, usize> = fields(&stdout, "attributes");
    let executed: BTreeMap<String, usize> = fields(&stdout, "executed");
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

    // About seven bytes a transaction at the peak (see tests/native.rs): the attributes took
    // the batch's list over without growing the heap; far within the heap.
    assert_eq!(executed["size"], DEFAULT_HEAP_SIZE);
    assert!(executed["peak_in_use"] <= 8 * tx_count, "{stdout}");
    assert!(
        attributes["in_use"] <= decoded["in_use"] + (1 << 20),
        "{stdout}"
    );
    assert!(executed["carved"] <= DEFAULT_HEAP_SIZE / 4, "{stdout}");
}
