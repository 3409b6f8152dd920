//! Errors of the super-root codecs.

/// A super root (V1 super output) that cannot be built or decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SuperRootError {
    /// No bytes at all.
    #[error("super root is empty")]
    Empty,
    /// The version byte is not [`SUPER_ROOT_VERSION`](super::SUPER_ROOT_VERSION).
    #[error("super root version {0:#04x} is not 0x01")]
    Version(u8),
    /// The encoding is not `1 + 8 + 64·n` bytes.
    #[error("super root has {0} bytes, expected 9 + 64 per chain")]
    Length(usize),
    /// A super root commits to at least one chain.
    #[error("super root has no output root")]
    NoOutputRoots,
    /// More chains than the 127 steps of a transition can derive.
    #[error("super root has {0} chains, at most 127 fit the transition's steps")]
    TooManyChains(usize),
    /// Chain ids must be strictly ascending.
    #[error("super root chain ids are not strictly ascending: {previous} then {next}")]
    Unsorted {
        /// The earlier chain id.
        previous: u64,
        /// The chain id after it.
        next: u64,
    },
    /// The same chain appears twice.
    #[error("super root names chain {0} twice")]
    DuplicateChainId(u64),
    /// A chain id that does not fit 64 bits: no OP Stack chain config can name it.
    #[error("super root chain id at index {0} does not fit 64 bits")]
    ChainIdTooLarge(usize),
}

/// A transition state that cannot be built or decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionStateError {
    /// No bytes at all.
    #[error("transition state is empty")]
    Empty,
    /// The version byte is not [`TRANSITION_STATE_VERSION`](super::TRANSITION_STATE_VERSION).
    #[error("transition state version {0:#04x} is not 0xff")]
    Version(u8),
    /// The RLP body does not decode as `[bytes, [[bytes32, bytes32]…], uint64]`.
    #[error("transition state RLP: {0}")]
    Rlp(alloy_rlp::Error),
    /// Bytes follow the RLP list.
    #[error("transition state has {0} bytes after its RLP list")]
    TrailingBytes(usize),
    /// The embedded super output is not a valid super root.
    #[error("transition state's super output: {0}")]
    SuperRoot(#[from] SuperRootError),
    /// The step is past the consolidation step.
    #[error("transition state step {0} is past the consolidation step 127")]
    StepOutOfRange(u64),
    /// The pending progress does not hold one block per chain derived so far
    /// (`min(step, chains)`).
    #[error("transition state at step {step} has {pending} pending blocks, expected {expected}")]
    PendingProgress {
        /// The step.
        step: u64,
        /// The blocks pending.
        pending: usize,
        /// `min(step, chains)`.
        expected: usize,
    },
}

impl From<alloy_rlp::Error> for TransitionStateError {
    fn from(e: alloy_rlp::Error) -> Self {
        Self::Rlp(e)
    }
}
