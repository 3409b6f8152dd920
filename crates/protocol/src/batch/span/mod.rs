//! Span batches (`batch_version` 1, from Delta): a run of consecutive L2 blocks in one batch.
//!
//! [`RawSpanBatch`] is the wire form (decode/encode); [`RawSpanBatch::derive`] expands it into
//! a [`SpanBatch`] of blocks with timestamps, L1 origin numbers and full EIP-2718
//! transactions, which [`SpanBatch::to_singular_batches`] turns into singular batches once the
//! pipeline knows the L1 origins.

mod bits;
mod cursor;
mod derived;
mod error;
mod full_tx;
mod raw;
mod transactions;
mod tx_data;
mod unbounded_uint;
mod varint;

pub use bits::SpanBatchBits;
pub use derived::{SpanBatch, SpanBatchElement};
pub use error::SpanBatchError;
pub use raw::RawSpanBatch;
pub use transactions::SpanBatchTransactions;
pub use tx_data::{
    SpanBatchEip1559TxData, SpanBatchEip2930TxData, SpanBatchEip7702TxData, SpanBatchLegacyTxData,
    SpanBatchTxData, SpanBatchTxFields,
};
pub use unbounded_uint::UnboundedUint;

/// `MAX_SPAN_BATCH_ELEMENT_COUNT`: the maximum number of blocks, of transactions in total, and
/// of bytes in any one bitlist or `tx_data` of a span batch.
pub const MAX_SPAN_BATCH_ELEMENT_COUNT: u64 = 10_000_000;
