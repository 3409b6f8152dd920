//! The trie's node types.

use alloc::boxed::Box;
use alloy_primitives::{B256, Bytes};
use alloy_trie::{EMPTY_ROOT_HASH, Nibbles, nodes::RlpNode};

use crate::TrieError;
use crate::path::join;

/// The reference to the empty node: the RLP empty string `0x80`.
pub(crate) const EMPTY_NODE_REF: RlpNode = match RlpNode::from_raw(&[alloy_rlp::EMPTY_STRING_CODE])
{
    Some(node) => node,
    None => panic!("one byte fits an RlpNode"),
};

/// A node of a Merkle Patricia trie, and through its children the whole (sub)trie below it.
///
/// A trie is opened from its root hash with [`TrieNode::new_blinded`] and unblinds lazily, one
/// node at a time, as operations walk into it. See the [crate docs](crate) for the design.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum TrieNode {
    /// The empty trie (or an empty branch slot).
    #[default]
    Empty,
    /// A node known only by its reference: `rlp(keccak256(rlp(node)))` when the node's encoding is
    /// 32 bytes or longer, or the node's own encoding (an inline node) when it is shorter.
    Blinded(RlpNode),
    /// A leaf: the rest of a key and its value.
    Leaf(Box<LeafNode>),
    /// An extension: a shared run of key nibbles in front of one child.
    Extension(Box<ExtensionNode>),
    /// A branch: sixteen children, one per next nibble, and the value of a key ending here.
    Branch(Box<BranchNode>),
}

// Boxed payloads keep every node, and so each of a branch's sixteen slots, small.
const _: () = assert!(core::mem::size_of::<TrieNode>() <= 40);

/// A leaf node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeafNode {
    pub(crate) key: Nibbles,
    pub(crate) value: Bytes,
    pub(crate) cache: Option<RlpNode>,
}

/// An extension node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtensionNode {
    pub(crate) key: Nibbles,
    pub(crate) child: TrieNode,
    pub(crate) cache: Option<RlpNode>,
}

/// A branch node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BranchNode {
    pub(crate) children: [TrieNode; 16],
    pub(crate) value: Option<Bytes>,
    pub(crate) cache: Option<RlpNode>,
}

impl LeafNode {
    /// Creates a leaf holding `value` under the remaining key `key`.
    pub fn new(key: Nibbles, value: Bytes) -> Self {
        Self {
            key,
            value,
            cache: None,
        }
    }

    /// The remaining key nibbles, relative to the leaf's position.
    pub const fn key(&self) -> &Nibbles {
        &self.key
    }

    /// The leaf's value.
    pub const fn value(&self) -> &Bytes {
        &self.value
    }
}

impl ExtensionNode {
    /// Creates an extension from the shared nibbles `key` to `child`.
    pub fn new(key: Nibbles, child: TrieNode) -> Self {
        Self {
            key,
            child,
            cache: None,
        }
    }

    /// The shared key nibbles.
    pub const fn key(&self) -> &Nibbles {
        &self.key
    }

    /// The child the extension points to.
    pub const fn child(&self) -> &TrieNode {
        &self.child
    }
}

impl BranchNode {
    /// Creates a branch with every slot empty and no value.
    pub fn empty() -> Self {
        Self {
            children: Default::default(),
            value: None,
            cache: None,
        }
    }

    /// The sixteen children, indexed by the next key nibble.
    pub const fn children(&self) -> &[TrieNode; 16] {
        &self.children
    }

    /// The value of the key that ends at this branch (never set in tries with fixed-length keys).
    pub const fn value(&self) -> Option<&Bytes> {
        self.value.as_ref()
    }

    /// Puts `value` at `path` below a new (empty) branch: into the branch's own value slot when
    /// `path` is empty, else as a leaf in the slot of the path's first nibble.
    pub(crate) fn place(&mut self, path: Nibbles, value: Bytes) {
        match path.first() {
            None => self.value = Some(value),
            Some(nibble) => {
                self.children[usize::from(nibble)] = TrieNode::leaf(path.slice(1..), value);
            }
        }
    }
}

impl TrieNode {
    /// Opens the trie committed to by `root`, without fetching anything yet.
    ///
    /// `EMPTY_ROOT_HASH` opens the empty trie; any other root is fetched from the provider the
    /// first time an operation needs it.
    pub fn new_blinded(root: B256) -> Self {
        if root == EMPTY_ROOT_HASH {
            Self::Empty
        } else {
            Self::Blinded(RlpNode::word_rlp(&root))
        }
    }

    /// A leaf node.
    pub fn leaf(key: Nibbles, value: Bytes) -> Self {
        Self::Leaf(Box::new(LeafNode::new(key, value)))
    }

    /// An extension node.
    pub fn extension(key: Nibbles, child: Self) -> Self {
        Self::Extension(Box::new(ExtensionNode::new(key, child)))
    }

    /// Returns `true` for [`TrieNode::Empty`].
    pub const fn is_empty(&self) -> bool {
        matches!(self, Self::Empty)
    }

    /// Returns `true` for [`TrieNode::Blinded`].
    pub const fn is_blinded(&self) -> bool {
        matches!(self, Self::Blinded(_))
    }

    /// Puts `self` behind a `prefix`: an extension for a non-empty prefix in front of a branch,
    /// a longer key for a leaf or extension, `self` unchanged for an empty prefix.
    pub(crate) fn prefixed(self, prefix: &Nibbles) -> Result<Self, TrieError> {
        if prefix.is_empty() {
            return Ok(self);
        }
        Ok(match self {
            Self::Leaf(mut leaf) => {
                leaf.key = join(prefix, &leaf.key)?;
                leaf.cache = None;
                Self::Leaf(leaf)
            }
            Self::Extension(mut ext) => {
                ext.key = join(prefix, &ext.key)?;
                ext.cache = None;
                Self::Extension(ext)
            }
            Self::Empty => Self::Empty,
            node @ (Self::Branch(_) | Self::Blinded(_)) => Self::extension(*prefix, node),
        })
    }
}
