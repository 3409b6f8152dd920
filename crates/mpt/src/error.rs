//! Errors returned by trie operations.

use alloc::boxed::Box;
use alloy_primitives::B256;

/// A type-erased error from a [`TrieProvider`](crate::TrieProvider) or
/// [`TrieHinter`](crate::TrieHinter), kept as the `source` of a [`TrieError`].
pub type BoxedError = Box<dyn core::error::Error + Send + Sync + 'static>;

/// An error raised while opening, reading, mutating or hashing a trie.
#[derive(Debug, thiserror::Error)]
pub enum TrieError {
    /// The provider could not supply the preimage of a node the operation needs.
    #[error("missing preimage for trie node {hash}")]
    MissingPreimage {
        /// The keccak256 hash whose preimage was requested.
        hash: B256,
        /// The provider's reason.
        #[source]
        source: BoxedError,
    },
    /// The provider returned bytes that do not hash to the requested key.
    #[error("corrupt preimage for trie node {expected}: bytes hash to {actual}")]
    CorruptPreimage {
        /// The requested hash.
        expected: B256,
        /// The keccak256 hash of the bytes actually returned.
        actual: B256,
    },
    /// A node's RLP encoding is not a valid trie node.
    #[error("malformed trie node")]
    MalformedNode(#[from] NodeDecodeError),
    /// A path does not fit the trie: it would exceed the 64-nibble maximum.
    #[error("invalid trie path: {len} nibbles exceeds the 64-nibble maximum")]
    InvalidPath {
        /// The length, in nibbles, the path would have had.
        len: usize,
    },
    /// An empty value was inserted. The trie cannot store empty values; delete the key instead.
    #[error("cannot insert an empty value; delete the key instead")]
    EmptyValue,
    /// The trie's leaves do not form an ordered list (keys `rlp(0)..rlp(n-1)`).
    #[error("invalid ordered-list trie: {0}")]
    InvalidOrderedList(&'static str),
    /// A hint could not be delivered to the host.
    #[error("trie hint failed")]
    Hint {
        /// The hinter's reason.
        #[source]
        source: BoxedError,
    },
}

/// Why a node's RLP encoding was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NodeDecodeError {
    /// The bytes are not valid RLP.
    #[error("invalid rlp")]
    Rlp(#[from] alloy_rlp::Error),
    /// The node is not an RLP list.
    #[error("node is not an rlp list")]
    NotAList,
    /// The list has a number of items other than 2 (leaf/extension) or 17 (branch).
    #[error("node list has {0} items, expected 2 or 17")]
    ItemCount(usize),
    /// Bytes follow the node's RLP list.
    #[error("trailing bytes after node")]
    TrailingBytes,
    /// A compact (hex-prefix) path has an unknown flag nibble or a non-zero padding nibble.
    #[error("invalid compact path flag byte {0:#04x}")]
    PathFlag(u8),
    /// A leaf or extension's path item is an RLP list instead of a byte string.
    #[error("node path is not an rlp byte string")]
    PathNotString,
    /// A compact path is empty (it lacks even the flag byte).
    #[error("empty compact path")]
    EmptyPath,
    /// A path exceeds 64 nibbles.
    #[error("node path longer than 64 nibbles")]
    PathTooLong,
    /// An extension node with an empty path.
    #[error("extension node with an empty path")]
    EmptyExtension,
    /// A child reference is neither empty, a 32-byte hash nor an inline node shorter than 32 bytes.
    #[error("invalid child reference")]
    ChildReference,
    /// A value item (leaf value or branch value) is an RLP list instead of a byte string.
    #[error("node value is not an rlp byte string")]
    ValueNotString,
}
