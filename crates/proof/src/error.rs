//! Errors of the proof program. Every one of them is a program failure (exit code 2): none is
//! ever turned into a verdict.

use alloc::string::String;
use alloy_primitives::B256;
use koa_preimage::PreimageKey;

/// What a preimage was read for; names the data in errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DataKind {
    /// A boot input (local key).
    BootInfo,
    /// An L1 block header.
    L1Header,
    /// A node of an L1 block's transaction trie.
    L1Transaction,
    /// A node of an L1 block's receipt trie.
    L1Receipt,
    /// A blob's KZG commitment.
    BlobCommitment,
    /// A blob field element (or the blob's KZG proof, at index 4096).
    BlobElement,
    /// An L2 block header.
    L2Header,
    /// A node of an L2 block's transaction trie.
    L2Transaction,
    /// An L2 state or storage trie node.
    TrieNode,
    /// Contract bytecode.
    Code,
    /// The preimage of an L2 output root.
    OutputRoot,
    /// An accelerated precompile's result (`status ‖ output`).
    PrecompileResult,
    /// The agreed pre-state of a super-root claim (a super root or transition state).
    PreState,
}

impl core::fmt::Display for DataKind {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Self::BootInfo => "boot info",
            Self::L1Header => "L1 header",
            Self::L1Transaction => "L1 transaction trie node",
            Self::L1Receipt => "L1 receipt trie node",
            Self::BlobCommitment => "blob commitment",
            Self::BlobElement => "blob field element",
            Self::L2Header => "L2 header",
            Self::L2Transaction => "L2 transaction trie node",
            Self::TrieNode => "state trie node",
            Self::Code => "bytecode",
            Self::OutputRoot => "output root",
            Self::PrecompileResult => "precompile result",
            Self::PreState => "agreed pre-state",
        })
    }
}

/// A preimage that cannot be had or does not check out.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PreimageError {
    /// The host did not serve the preimage.
    #[error("missing {kind} preimage {key}: {reason}")]
    Missing {
        /// What it was for.
        kind: DataKind,
        /// Its key.
        key: PreimageKey,
        /// The oracle's reason.
        reason: String,
    },
    /// The preimage does not hash to its key.
    #[error("corrupt {kind} preimage {key}: its hash is {actual}")]
    Corrupt {
        /// What it was for.
        kind: DataKind,
        /// Its key.
        key: PreimageKey,
        /// The hash of the bytes served.
        actual: B256,
    },
    /// The preimage hashes to its key but is not what its position in the chain requires
    /// (an L1 header whose number or parent link is wrong, a blob that fails its KZG check,
    /// a trie whose leaves are not the list it commits to...).
    #[error("invalid {kind} preimage {key}: {reason}")]
    Invalid {
        /// What it was for.
        kind: DataKind,
        /// Its key.
        key: PreimageKey,
        /// What is wrong.
        reason: String,
    },
    /// A hint could not be delivered.
    #[error("hint {hint:?} failed: {reason}")]
    Hint {
        /// The hint.
        hint: String,
        /// The hint channel's reason.
        reason: String,
    },
}

impl PreimageError {
    /// What the preimage was for (`None` for a failed hint).
    pub const fn kind(&self) -> Option<DataKind> {
        match self {
            Self::Missing { kind, .. }
            | Self::Corrupt { kind, .. }
            | Self::Invalid { kind, .. } => Some(*kind),
            Self::Hint { .. } => None,
        }
    }
}

impl koa_derive::ProviderError for PreimageError {
    /// Every preimage failure is critical: the proof's inputs are fixed, so neither retrying
    /// nor resetting can make a missing or tampered preimage good.
    fn kind(&self) -> koa_derive::PipelineErrorKind {
        koa_derive::PipelineErrorKind::Critical
    }
}
