//! Fuzzes channel decompression (zlib and brotli) and the batch reader: no input may panic,
//! and output never exceeds the `MAX_RLP_BYTES_PER_CHANNEL` bound.
#![no_main]

use koa_protocol::{
    batch::Batch,
    channel::{BatchReader, ChannelDecoding, decompress_channel},
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for decoding in [ChannelDecoding::BEDROCK, ChannelDecoding::FJORD] {
        let Ok(decompressed) = decompress_channel(data, decoding) else {
            continue;
        };
        assert!(decompressed.data.len() <= decoding.max_rlp_bytes);
        for batch in BatchReader::new(decompressed.data) {
            if let Ok(Batch::Span(span)) = batch {
                let _ = span.derive(2, 0, 10);
            }
        }
    }
    // The raw input read directly as a decompressed stream.
    for batch in BatchReader::new(data.to_vec()) {
        if let Ok(Batch::Span(span)) = batch {
            let _ = span.derive(2, 0, 10);
        }
    }
});
