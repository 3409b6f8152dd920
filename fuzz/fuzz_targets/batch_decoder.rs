//! Fuzzes singular and span batch decoding and span batch derivation: no input may panic;
//! decoded batches re-encode to bytes that decode to the same batch.
#![no_main]

use koa_protocol::batch::{Batch, RawSpanBatch, SingularBatch};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(batch) = Batch::decode(data) {
        assert_eq!(Batch::decode(&batch.encode()).as_ref(), Ok(&batch));
    }
    if let Ok(singular) = SingularBatch::decode_exact(data) {
        assert_eq!(singular.encode_content(), data);
    }
    if let Ok(span) = RawSpanBatch::decode(data) {
        assert_eq!(RawSpanBatch::decode(&span.encoded()).as_ref(), Ok(&span));
        if let Ok(derived) = span.derive(2, 1_000, 10) {
            assert_eq!(derived.elements.len(), span.block_count());
            // Re-encoding the derived blocks must give back the transactions' columns.
            if let Ok(rebuilt) = derived.to_raw(1_000, 10) {
                assert_eq!(rebuilt.block_tx_counts, span.block_tx_counts);
            }
        }
    }
});
