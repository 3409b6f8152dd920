//! Pipeline errors and their classification.

use alloc::string::String;
use alloy_primitives::B256;

/// How the driver must react to a pipeline error.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PipelineErrorKind {
    /// Transient: retry the same step later (e.g. a provider timed out).
    Temporary,
    /// The pipeline's view of L1 or L2 is inconsistent (an L1 reorg, a bad safe head): reset it
    /// to a safe L2 head and derive again.
    Reset,
    /// Derivation cannot continue: the inputs or the configuration are invalid.
    Critical,
}

/// An error from a stage or a data provider.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PipelineError {
    /// The stage has no more data for the current L1 origin: the pipeline must advance it.
    #[error("end of data for the current L1 origin")]
    Eof,
    /// The stage made progress but has nothing to return yet: step again.
    #[error("not enough data yet")]
    NotEnoughData,
    /// The next L1 block does not build on the current one.
    #[error("L1 reorg: block {number} has parent {parent}, expected {expected}")]
    L1Reorg {
        /// The number of the new L1 block.
        number: u64,
        /// Its parent hash.
        parent: B256,
        /// The hash of the current L1 origin.
        expected: B256,
    },
    /// The safe head's L1 origin is not one the batch stage knows.
    #[error("safe head origin {safe_origin} does not match the batch stage's epoch {epoch}")]
    EpochMismatch {
        /// The safe head's L1 origin number.
        safe_origin: u64,
        /// The batch stage's current epoch number.
        epoch: u64,
    },
    /// The batch for the next block does not build on the safe head.
    #[error("batch parent {batch_parent} is not the safe head {safe_head}")]
    BatchParentMismatch {
        /// The batch's parent hash.
        batch_parent: B256,
        /// The safe head's hash.
        safe_head: B256,
    },
    /// The batch for the next block is not for the next slot.
    #[error("batch timestamp {timestamp} is not the next slot's {expected}")]
    BatchTimestampMismatch {
        /// The batch's timestamp.
        timestamp: u64,
        /// The safe head's timestamp plus the block time.
        expected: u64,
    },
    /// The next L2 block would be older than its L1 origin: the origin was chosen wrongly.
    #[error("L2 time {l2_time} is before its L1 origin's time {l1_time}")]
    L2TimeBeforeL1Origin {
        /// The L2 block's timestamp.
        l2_time: u64,
        /// The L1 origin's timestamp.
        l1_time: u64,
    },
    /// The batch stage has no L1 origin to derive against.
    #[error("no L1 origin available to the batch stage")]
    MissingOrigin,
    /// The Holocene batch stage has fewer than the two L1 blocks (the safe head's origin and
    /// the next) it needs: derivation did not start at a safe head.
    #[error("batch stage buffers {buffered} L1 blocks, needs at least 2")]
    TooFewL1Blocks {
        /// L1 blocks buffered.
        buffered: usize,
    },
    /// A span batch that passed every check failed to expand into blocks.
    #[error("accepted span batch does not expand: {0}")]
    SpanExpansion(koa_protocol::batch::SpanBatchError),
    /// A provider returned a blob that does not match the versioned hash the L1 tx carries.
    #[error("blob {index} does not match its versioned hash {expected}")]
    BlobHashMismatch {
        /// The blob's index in its L1 block.
        index: u64,
        /// The versioned hash from the transaction.
        expected: B256,
    },
    /// A provider returned a different number of blobs than requested.
    #[error("requested {requested} blobs, provider returned {returned}")]
    BlobCountMismatch {
        /// Blobs requested.
        requested: usize,
        /// Blobs returned.
        returned: usize,
    },
    /// An epoch's deposit logs are malformed. Deposits carry funds and cannot be skipped, so
    /// this stops derivation, as in op-node (the deposit contract never emits such a log).
    #[error(transparent)]
    Deposits(#[from] koa_protocol::deposits::DepositsError),
    /// The L1 attributes deposit cannot be built.
    #[error("L1 info deposit")]
    L1Info(#[from] koa_protocol::l1_info::L1InfoBuildError),
    /// The network upgrade deposits or their gas cannot be computed.
    #[error("upgrade deposits")]
    Upgrade(#[from] koa_protocol::upgrades::UpgradeError),
    /// The block's transactions do not fit in one [`koa_protocol::TxList`] (4 GiB).
    #[error("payload transactions")]
    TxList(#[from] koa_protocol::TxListTooLarge),
    /// A block number, timestamp or sequence number computed from the chain and the rollup
    /// config does not fit in a `u64`: the inputs cannot be a real chain, so derivation stops
    /// instead of wrapping around.
    #[error("{what} overflows u64")]
    Overflow {
        /// The quantity that overflowed.
        what: &'static str,
    },
    /// A data provider failed.
    #[error("{kind:?} provider error: {message}")]
    Provider {
        /// How to react.
        kind: PipelineErrorKind,
        /// The provider's message.
        message: String,
    },
}

impl PipelineError {
    /// How the driver must react to this error.
    pub fn kind(&self) -> PipelineErrorKind {
        match self {
            Self::Eof | Self::NotEnoughData => PipelineErrorKind::Temporary,
            Self::L1Reorg { .. }
            | Self::EpochMismatch { .. }
            | Self::L2TimeBeforeL1Origin { .. }
            | Self::BatchParentMismatch { .. }
            | Self::BatchTimestampMismatch { .. } => PipelineErrorKind::Reset,
            Self::MissingOrigin
            | Self::TooFewL1Blocks { .. }
            | Self::SpanExpansion(_)
            | Self::BlobHashMismatch { .. }
            | Self::BlobCountMismatch { .. }
            | Self::Deposits(_)
            | Self::L1Info(_)
            | Self::Upgrade(_)
            | Self::TxList(_)
            | Self::Overflow { .. } => PipelineErrorKind::Critical,
            Self::Provider { kind, .. } => *kind,
        }
    }

    /// Wraps a provider error, keeping its classification.
    pub fn provider<E: crate::traits::ProviderError>(error: E) -> Self {
        Self::Provider {
            kind: error.kind(),
            message: alloc::format!("{error}"),
        }
    }
}

/// Shorthand for stage results.
pub type PipelineResult<T> = Result<T, PipelineError>;

/// `a + b` for chain quantities, or [`PipelineError::Overflow`] naming `what`.
///
/// `release` builds of the client do not check overflow, so an unchecked `+` would wrap
/// silently and derive from a wrong number.
pub(crate) fn checked_sum(a: u64, b: u64, what: &'static str) -> PipelineResult<u64> {
    a.checked_add(b).ok_or(PipelineError::Overflow { what })
}

/// Whether `next` is the number right after `number`, without overflowing at `u64::MAX`.
pub(crate) fn is_successor(number: u64, next: u64) -> bool {
    number.checked_add(1) == Some(next)
}
