//! Fuzzes blob decoding: no blob may panic the decoder, whatever decodes re-encodes to a blob
//! that decodes to the same data, and any data up to the maximum survives a round trip.
#![no_main]

use alloy_primitives::FixedBytes;
use koa_derive::sources::{MAX_BLOB_DATA_SIZE, decode_blob, encode_blob};
use libfuzzer_sys::fuzz_target;

/// Bytes of a blob.
const BLOB_LEN: usize = 131_072;

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    if mode & 1 == 0 {
        // An arbitrary blob: the input, repeated or cut to the blob size. Repetition keeps the
        // fuzzer's structure (version byte, length) at the start of each field element.
        let mut blob = Box::new(FixedBytes::<BLOB_LEN>::ZERO);
        if !rest.is_empty() {
            for (i, byte) in blob.iter_mut().enumerate() {
                *byte = rest[i % rest.len()];
            }
        }
        if mode & 2 == 0 {
            // Zero padding after the input, like a real blob's tail.
            blob.fill(0);
            let n = rest.len().min(BLOB_LEN);
            blob[..n].copy_from_slice(&rest[..n]);
        }
        if let Ok(decoded) = decode_blob(&blob) {
            assert!(decoded.len() <= MAX_BLOB_DATA_SIZE);
            let reencoded = encode_blob(&decoded).expect("decoded data fits a blob");
            assert_eq!(
                decode_blob(&reencoded).expect("re-encoded blob decodes"),
                decoded
            );
        }
    } else {
        // Arbitrary data: encodes (when it fits) and decodes back exactly.
        match encode_blob(rest) {
            Ok(blob) => assert_eq!(decode_blob(&blob).expect("encoded blob decodes"), rest),
            Err(_) => assert!(rest.len() > MAX_BLOB_DATA_SIZE),
        }
    }
});
