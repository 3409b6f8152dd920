//! The pre-Holocene channel bank holding frames its size no longer counts, full size, under
//! `qemu-riscv64` within the client's heap (`koa_fpvm::DEFAULT_HEAP_SIZE`): a Granite channel
//! timeout's worth of L1 blocks (51) of the most frames today's L1 carries, in channels that
//! keep 65,534 frames each while counted as one (see `koa_stress::uncounted` and the
//! crate documentation for the bound). Prints the program's figures, heap included, and the
//! run's wall time.
//!
//! Needs the ELF built by `scripts/build-client.sh riscv64 --program stress` (as
//! `scripts/ci-fpvm.sh` does) and is `#[ignore]`d by default. The pre-Granite window (301
//! blocks) is too slow for CI: `KOA_UNCOUNTED_PRE_GRANITE=1` runs it instead, and
//! `KOA_UNCOUNTED_BLOCK_CAP=1` fills each L1 block to EIP-7934's 8 MiB cap instead of 60M
//! gas (then only fitting in the heap is checked, not a quarter to spare).

mod common;

use common::{fields, run_stress};
use koa_fpvm::DEFAULT_HEAP_SIZE;
use koa_host::Vm;
use koa_stress::{
    Scenario,
    uncounted::{
        BLOBS_BPO2, CALLDATA_BYTES_60M, CALLDATA_BYTES_BLOCK_CAP, Held, UncountedParams,
        frames_per_block,
    },
};
use std::{collections::BTreeMap, time::Duration};

/// Runs the scenario for a channel timeout's worth of the most frames of `frame_len` bytes
/// that an L1 block of 60M gas and 21 blobs carries, in channels keeping `channel_frames`; checks
/// the bank's figures against the arithmetic and that a quarter of the heap stays free.
fn run(frame_len: usize, channel_frames: u16) {
    let pre_granite: bool = std::env::var_os("KOA_UNCOUNTED_PRE_GRANITE").is_some();
    let timeout: u64 = if pre_granite { 300 } else { 50 };
    let block_cap: bool = std::env::var_os("KOA_UNCOUNTED_BLOCK_CAP").is_some();
    let calldata: u64 = if block_cap {
        CALLDATA_BYTES_BLOCK_CAP
    } else {
        CALLDATA_BYTES_60M
    };
    let params: UncountedParams = UncountedParams {
        granite: !pre_granite,
        channel_timeout: 300,
        frames_per_block: frames_per_block(calldata, BLOBS_BPO2, frame_len),
        frame_len,
        channel_frames,
        // The window filled, then two more blocks that time channels out.
        blocks: timeout + 3,
    };
    let expected: Held = params.expected().expect("no channel outlives its timeout");
    let stdout: String = run_stress(
        Vm::Riscv64,
        Scenario::Uncounted,
        params.encode(),
        None,
        Duration::from_secs(3_600),
    );

    let report: BTreeMap<String, usize> = fields(&stdout, Scenario::Uncounted, "bank");
    assert_eq!(report["channel_timeout"], timeout as usize);
    assert_eq!(
        report["posted"],
        (params.blocks * params.frames_per_block) as usize
    );
    // The bank holds a full window of channels (timeout + 1 blocks of frames, less each
    // channel's pruned frame and the channel cut by the window's start), counted as one
    // closing frame each.
    assert_eq!(report["channels"], expected.channels);
    assert_eq!(report["frames"], expected.frames);
    assert_eq!(report["data_bytes"], expected.data_bytes);
    assert_eq!(report["bank_size"], expected.bank_size);
    assert_eq!(report["max_frames"], expected.max_frames);
    let window: usize = ((timeout + 1) * params.frames_per_block) as usize;
    assert!(expected.frames > window / 100 * 97, "{expected:?}");
    assert!(expected.bank_size < expected.frames, "{expected:?}");

    // The heap: a quarter stays free for what the client holds besides the channel stages.
    assert_eq!(report["size"], DEFAULT_HEAP_SIZE);
    if block_cap {
        assert!(report["carved"] <= DEFAULT_HEAP_SIZE, "{stdout}");
    } else {
        assert!(report["carved"] <= DEFAULT_HEAP_SIZE / 4 * 3, "{stdout}");
    }
    println!(
        "heap per frame held: {:.2} bytes in use, {:.2} at the peak",
        report["in_use"] as f64 / report["frames"] as f64,
        report["peak_in_use"] as f64 / report["max_frames"] as f64
    );
}

#[test]
#[ignore = "needs the riscv64 stress ELF (scripts/ci-fpvm.sh)"]
fn riscv64_a_timeout_of_300_byte_frames_the_most_heap_per_l1_byte() {
    // Frames of 300 bytes cost the most heap per byte on L1 (1.09, measured natively); a
    // channel of 4,096 of them is an eighth of a block.
    run(300, 4_096);
}

#[test]
#[ignore = "needs the riscv64 stress ELF (scripts/ci-fpvm.sh)"]
fn riscv64_a_timeout_of_empty_frames_the_most_frames() {
    // Empty frames are the most frames an L1 block carries (23 bytes each), in the largest
    // channels.
    run(0, 65_534);
}
