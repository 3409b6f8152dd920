//! The worst case the channel stages meet before Holocene, under `qemu-riscv64` within the
//! FPVM heap: a Fjord channel bank filled to `MAX_CHANNEL_BANK_SIZE` (1,000,000,000 bytes) with
//! frames sized to waste the most of the power-of-two heap, then a channel whose batch
//! decompresses to exactly `MAX_RLP_BYTES_PER_CHANNEL` (100,000,000 bytes), derived by
//! `bin/channel-stress` through the frame queue, the bank and the channel reader.
//!
//! Needs the ELF built by `scripts/build-client.sh riscv64 --package koa-channel-stress --bin
//! channel-stress` (as `scripts/ci-fpvm.sh` does) and is `#[ignore]`d by default.

use alloy_primitives::{B256, Bytes, keccak256};
use koa_host::{ClientRunner, RunOutcome, Vm};
use koa_preimage::{NoopHintRouter, PreimageKey};
use koa_protocol::{
    batch::{Batch, SingularBatch},
    channel::{MAX_CHANNEL_BANK_SIZE_FJORD, MAX_RLP_BYTES_PER_CHANNEL_FJORD},
    frame::{ChannelId, Frame, encode_frames},
};
use std::{collections::BTreeMap, path::PathBuf, time::Duration};

/// One byte over a power of two: every filler frame takes a block twice its size.
const FILLER_FRAME_LEN: u64 = (1 << 19) + 1;

/// The channel's only batch, with one transaction of `tx_len` bytes (`0x02` then zeros), as
/// the channel carries it.
fn batch_stream(tx_len: usize) -> Vec<u8> {
    let mut tx: Vec<u8> = vec![0; tx_len];
    tx[0] = 0x02;
    let batch: Batch = Batch::Singular(SingularBatch {
        parent_hash: B256::repeat_byte(0x11),
        epoch_num: 1,
        epoch_hash: B256::repeat_byte(0x22),
        timestamp: 1_000,
        transactions: vec![Bytes::from(tx)],
    });
    let mut out: Vec<u8> = Vec::new();
    batch.encode_for_channel(&mut out);
    out
}

/// The largest transaction whose batch fills the channel limit exactly, and that stream.
fn max_size_stream() -> (usize, Vec<u8>) {
    let guess: usize = MAX_RLP_BYTES_PER_CHANNEL_FJORD - 200;
    let overhead: usize = batch_stream(guess).len() - guess;
    let tx_len: usize = MAX_RLP_BYTES_PER_CHANNEL_FJORD - overhead;
    let stream: Vec<u8> = batch_stream(tx_len);
    assert_eq!(stream.len(), MAX_RLP_BYTES_PER_CHANNEL_FJORD);
    (tx_len, stream)
}

fn elf() -> PathBuf {
    let Some(dir) = std::env::var_os("KOA_FPVM_ELF_DIR") else {
        panic!(
            "KOA_FPVM_ELF_DIR is not set: build the FPVM ELFs first with `bash scripts/ci-fpvm.sh`"
        );
    };
    let path: PathBuf = PathBuf::from(dir).join("riscv64").join("channel-stress");
    assert!(
        path.is_file(),
        "{} does not exist: run scripts/build-client.sh riscv64 --package koa-channel-stress --bin channel-stress",
        path.display()
    );
    path
}

/// The `key=value` fields of the program's heap report line.
fn heap_report(stdout: &str) -> BTreeMap<String, u64> {
    let line: &str = stdout
        .lines()
        .find_map(|line| line.strip_prefix("channel-stress heap: "))
        .unwrap_or_else(|| panic!("no heap report in {stdout:?}"));
    line.split_whitespace()
        .filter_map(|field| field.split_once('='))
        .map(|(key, value)| (key.to_owned(), value.parse().expect("a number")))
        .collect()
}

#[test]
#[ignore = "needs the riscv64 channel-stress ELF (scripts/ci-fpvm.sh)"]
fn riscv64_derives_a_max_size_channel_through_a_full_bank_within_the_heap() {
    let (tx_len, stream) = max_size_stream();
    let compressed: Vec<u8> = miniz_oxide::deflate::compress_to_vec_zlib(&stream, 9);
    drop(stream);
    let frame: Frame = Frame::new(ChannelId::new([0xcc; 16]), 0, compressed.into(), true);
    let data: Vec<u8> = encode_frames([&frame]);
    let data_hash: B256 = keccak256(&data);

    let params: Vec<u8> = [
        MAX_CHANNEL_BANK_SIZE_FJORD as u64,
        FILLER_FRAME_LEN,
        tx_len as u64,
    ]
    .iter()
    .flat_map(|word| word.to_be_bytes())
    .collect();
    let store: BTreeMap<PreimageKey, Vec<u8>> = BTreeMap::from([
        (PreimageKey::local(1), params),
        (PreimageKey::local(2), data_hash.to_vec()),
        (PreimageKey::keccak256(data_hash), data),
    ]);

    let outcome: RunOutcome = ClientRunner::new(Vm::Riscv64, elf())
        .timeout(Duration::from_secs(600))
        .run(&store, &NoopHintRouter)
        .expect("the program runs");
    let stdout: String = String::from_utf8_lossy(&outcome.stdout).into_owned();
    assert!(outcome.succeeded(), "{}\n{stdout}", outcome.summary());
    print!("{stdout}");
    assert!(
        stdout.contains(&format!(
            "{MAX_RLP_BYTES_PER_CHANNEL_FJORD} decompressed; 1 batch, largest tx {tx_len} bytes"
        )),
        "{stdout}"
    );
    let heap: BTreeMap<String, u64> = heap_report(&stdout);
    // The filler frames alone take twice the bank's size in blocks; the program must have
    // needed at least that, and stayed within the heap.
    assert!(
        heap["carved"] >= MAX_CHANNEL_BANK_SIZE_FJORD as u64 * 19 / 10,
        "{heap:?}"
    );
    assert!(heap["carved"] <= heap["size"], "{heap:?}");
    assert!(heap["peak_in_use"] <= heap["carved"], "{heap:?}");
}
