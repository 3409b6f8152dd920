//! Fuzzes batcher transaction frame parsing: no input may panic, and whatever parses
//! re-encodes to the same bytes.
#![no_main]

use koa_protocol::frame::{encode_frames, parse_frames};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(frames) = parse_frames(data) {
        assert_eq!(encode_frames(&frames), data);
    }
});
