//! Batches: the units a channel carries, `batch_type ++ content`.
//!
//! | type | content |
//! |------|---------|
//! | 0    | [`SingularBatch`]: `rlp([parent_hash, epoch_number, epoch_hash, timestamp, txs])` |
//! | 1    | [`RawSpanBatch`] (Delta): `prefix ++ payload` |
//!
//! In a channel, each batch is wrapped in an RLP string (see
//! [`BatchReader`](crate::channel::BatchReader)).

mod singular;
pub mod span;

pub use singular::SingularBatch;
pub use span::{
    MAX_SPAN_BATCH_ELEMENT_COUNT, RawSpanBatch, SpanBatch, SpanBatchElement, SpanBatchError,
};

use alloc::{boxed::Box, vec::Vec};
use alloy_rlp::{BufMut, Encodable};

/// Transaction type of deposit transactions, which batches may not carry.
pub const DEPOSIT_TX_TYPE: u8 = 0x7e;

/// The batch type byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum BatchType {
    /// Singular batch (type 0).
    Singular = 0,
    /// Span batch (type 1, from Delta).
    Span = 1,
}

impl TryFrom<u8> for BatchType {
    type Error = BatchDecodeError;

    fn try_from(value: u8) -> Result<Self, Self::Error> {
        match value {
            0 => Ok(Self::Singular),
            1 => Ok(Self::Span),
            other => Err(BatchDecodeError::UnknownBatchType(other)),
        }
    }
}

/// Errors from decoding a batch.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BatchDecodeError {
    /// The batch has no bytes (no type byte).
    #[error("empty batch")]
    Empty,
    /// The type byte is neither 0 nor 1.
    #[error("unknown batch type {0}")]
    UnknownBatchType(u8),
    /// The singular batch's RLP is malformed.
    #[error("invalid singular batch: {0}")]
    Singular(alloy_rlp::Error),
    /// The span batch is malformed.
    #[error("invalid span batch")]
    Span(#[from] SpanBatchError),
}

/// A decoded batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Batch {
    /// A singular batch.
    Singular(SingularBatch),
    /// A span batch in wire form; [`RawSpanBatch::derive`] expands it.
    Span(Box<RawSpanBatch>),
}

impl Batch {
    /// Decodes `batch_type ++ content`.
    pub fn decode(data: &[u8]) -> Result<Self, BatchDecodeError> {
        let (&type_byte, content) = data.split_first().ok_or(BatchDecodeError::Empty)?;
        match BatchType::try_from(type_byte)? {
            BatchType::Singular => SingularBatch::decode_content(content)
                .map(Self::Singular)
                .map_err(BatchDecodeError::Singular),
            BatchType::Span => Ok(Self::Span(Box::new(RawSpanBatch::decode(content)?))),
        }
    }

    /// The batch's type.
    pub const fn batch_type(&self) -> BatchType {
        match self {
            Self::Singular(_) => BatchType::Singular,
            Self::Span(_) => BatchType::Span,
        }
    }

    /// Encodes `batch_type ++ content`.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        out.push(self.batch_type() as u8);
        match self {
            Self::Singular(batch) => batch.encode(&mut out),
            Self::Span(batch) => batch.encode(&mut out),
        }
        out
    }

    /// Appends the batch as a channel carries it: an RLP string of `batch_type ++ content`.
    pub fn encode_for_channel(&self, out: &mut dyn BufMut) {
        self.encode().as_slice().encode(out);
    }
}
