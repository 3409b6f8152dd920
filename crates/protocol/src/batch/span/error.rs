//! Span batch errors.

use alloy_primitives::ChainId;

/// Errors from decoding, deriving or building a span batch.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SpanBatchError {
    /// The input ended inside the named field.
    #[error("span batch truncated in {0}")]
    UnexpectedEnd(&'static str),
    /// A uvarint in the named field overflows `u64`.
    #[error("uvarint overflow in {0}")]
    VarintOverflow(&'static str),
    /// The named count exceeds `MAX_SPAN_BATCH_ELEMENT_COUNT`.
    #[error("too many elements in {0}")]
    TooManyElements(&'static str),
    /// A block's transactions, re-encoded, do not fit in one transaction list.
    #[error("block transactions")]
    TxList(#[from] crate::TxListTooLarge),
    /// `block_count` is zero.
    #[error("empty span batch")]
    EmptySpanBatch,
    /// A bitlist has a bit set beyond its length.
    #[error("bitlist {0} has bits set beyond its length")]
    BitlistOverflow(&'static str),
    /// A `tx_data` is empty.
    #[error("empty tx_data")]
    EmptyTxData,
    /// A `tx_data` is not a (typed) RLP list.
    #[error("tx_data is not an RLP list")]
    TxDataNotList,
    /// A `tx_data`'s RLP is malformed.
    #[error("invalid tx_data RLP: {0}")]
    TxDataRlp(alloy_rlp::Error),
    /// A transaction type a span batch cannot carry.
    #[error("unsupported transaction type {0}")]
    UnsupportedTxType(u8),
    /// An EIP-7702 transaction marked as a contract creation.
    #[error("EIP-7702 transaction cannot create a contract")]
    SetCodeContractCreation,
    /// The transaction columns disagree in length.
    #[error("span batch transaction columns are inconsistent")]
    InconsistentColumns,
    /// `block_tx_counts` does not add up to the number of transactions.
    #[error("block transaction counts do not match the transactions")]
    TxCountMismatch,
    /// A protected transaction was signed for another chain.
    #[error("transaction chain id {found} does not match {expected}")]
    ChainIdMismatch {
        /// The chain id expected.
        expected: ChainId,
        /// The transaction's chain id.
        found: ChainId,
    },
    /// A transaction's EIP-2718 encoding does not decode.
    #[error("invalid EIP-2718 transaction")]
    InvalidTransaction,
    /// Singular batches given to build a span batch are not consecutive or not ordered.
    #[error("singular batches are not consecutive")]
    NonConsecutiveBatches,
    /// The span starts before L2 genesis.
    #[error("span batch timestamp {timestamp} precedes genesis {genesis}")]
    TimestampBeforeGenesis {
        /// The first block's timestamp.
        timestamp: u64,
        /// The L2 genesis timestamp.
        genesis: u64,
    },
    /// No L1 origin was given for a block's epoch.
    #[error("no L1 origin for epoch {0}")]
    MissingL1Origin(u64),
}
