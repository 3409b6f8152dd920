//! The uncounted-frames scenario (`koa_stress::uncounted`) at a small scale, on koa's
//! FPVM heap as this test binary's global allocator: the bank holds exactly a channel
//! timeout's worth of channels that keep frames while counted as one, and koa's heap per byte
//! the batcher posts on L1 stays near one, the frames' bookkeeping included. The full-size
//! run under `qemu-riscv64` is `tests/qemu_uncounted.rs`.

use koa_fpvm::FpvmHeap;
use koa_stress::uncounted::{
    FRAME_L1_OVERHEAD, Held, UncountedParams, UncountedReport, run_uncounted,
};
use std::sync::Mutex;

#[global_allocator]
static HEAP: FpvmHeap = FpvmHeap::new(1 << 32);

/// One scenario at a time, so that each sees only its own allocations.
static SERIAL: Mutex<()> = Mutex::new(());

/// Runs `params` and checks the bank against the arithmetic; returns the report and the heap
/// in use per byte posted on L1 for the frames held.
fn run_and_check(params: &UncountedParams) -> (UncountedReport, f64) {
    let _serial = SERIAL
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let before: usize = HEAP.stats().in_use;
    let report: UncountedReport =
        run_uncounted(params, &|| HEAP.stats()).expect("the scenario runs");
    println!("{report}");
    let expected: Held = params.expected().expect("no channel outlives its timeout");
    assert_eq!(report.channels, expected.channels);
    assert_eq!(report.frames, expected.frames);
    assert_eq!(report.data_bytes, expected.data_bytes);
    assert_eq!(report.bank_size, expected.bank_size);
    assert_eq!(report.max_frames, expected.max_frames);
    let l1_bytes: usize = report.frames * (FRAME_L1_OVERHEAD + params.frame_len);
    let heap: usize = report.heap.in_use - before;
    (report, heap as f64 / l1_bytes as f64)
}

#[test]
fn a_timeout_window_of_channels_keeping_frames_counted_as_one() {
    // Pre-Granite with a timeout of 4: blocks 1 to 7 of 200,000 empty frames, channels
    // keeping 65,534. At block 7 the channels opened in blocks 3 to 7 are held.
    let params: UncountedParams = UncountedParams {
        granite: false,
        channel_timeout: 4,
        frames_per_block: 200_000,
        frame_len: 0,
        channel_frames: 65_534,
        blocks: 7,
    };
    let (report, per_l1_byte) = run_and_check(&params);
    assert_eq!(report.channel_timeout, 4);
    // Five blocks of frames, less the channel the window's start cut and each channel's
    // pruned frame.
    assert!(report.frames > 4 * 200_000 && report.frames < 5 * 200_000);
    // Each closed channel counts as its closing frame (200 bytes), the open one in full.
    assert!(report.bank_size < 65_535 * 200 + report.channels * 200);
    // About 13.5 bytes of heap per frame held, 23 bytes on L1.
    assert!(
        per_l1_byte < 0.65,
        "{per_l1_byte:.3} heap bytes per L1 byte"
    );
}

#[test]
fn heap_per_l1_byte_stays_near_one_for_any_frame_size() {
    // Empty frames (the most frames), one byte (the smallest with data), the largest copied
    // into the channel's shared buffer and the smallest kept in its own, and 300 bytes (the
    // most heap per L1 byte measured).
    for frame_len in [0, 1, 256, 257, 300] {
        let params: UncountedParams = UncountedParams {
            granite: false,
            channel_timeout: 3,
            frames_per_block: 6_000_000 / (FRAME_L1_OVERHEAD + frame_len) as u64,
            frame_len,
            channel_frames: 4_096,
            blocks: 5,
        };
        let (report, per_l1_byte) = run_and_check(&params);
        assert_eq!(report.data_bytes, report.frames * frame_len);
        assert!(
            per_l1_byte < 1.12,
            "{frame_len}-byte frames: {per_l1_byte:.3} heap bytes per L1 byte"
        );
    }
}
