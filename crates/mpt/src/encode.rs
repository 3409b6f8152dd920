//! RLP encoding and hashing of nodes, with a per-node cache of the node's reference.

use alloc::vec::Vec;
use alloy_primitives::{B256, Bytes, keccak256};
use alloy_rlp::{EMPTY_STRING_CODE, Encodable, Header};
use alloy_trie::{
    EMPTY_ROOT_HASH, Nibbles,
    nodes::{RlpNode, encode_path_leaf},
};

use crate::node::{EMPTY_NODE_REF, LeafNode, TrieNode};

impl TrieNode {
    /// The trie's root hash: `keccak256(rlp(root node))`, or `EMPTY_ROOT_HASH` for the empty trie.
    ///
    /// Only nodes changed since the last call are re-encoded and re-hashed; every other node
    /// answers from its cache.
    pub fn root(&mut self) -> B256 {
        match self {
            Self::Empty => EMPTY_ROOT_HASH,
            _ => {
                let reference = self.reference();
                reference
                    .as_hash()
                    .unwrap_or_else(|| keccak256(reference.as_slice()))
            }
        }
    }

    /// The node's reference as its parent stores it: `rlp(keccak256(rlp(node)))`, or `rlp(node)`
    /// itself when shorter than 32 bytes. Computed through the cache like [`TrieNode::root`].
    pub fn reference(&mut self) -> RlpNode {
        let mut buf: Vec<u8> = Vec::with_capacity(560);
        self.reference_with(&mut buf)
    }

    /// [`TrieNode::reference`] using `buf` as scratch space.
    pub(crate) fn reference_with(&mut self, buf: &mut Vec<u8>) -> RlpNode {
        match self {
            Self::Empty => EMPTY_NODE_REF,
            Self::Blinded(reference) => reference.clone(),
            Self::Leaf(leaf) => {
                if let Some(cached) = &leaf.cache {
                    return cached.clone();
                }
                buf.clear();
                leaf.encode_into(buf);
                let reference = RlpNode::from_rlp(buf);
                leaf.cache = Some(reference.clone());
                reference
            }
            Self::Extension(ext) => {
                if let Some(cached) = &ext.cache {
                    return cached.clone();
                }
                let child = ext.child.reference_with(buf);
                buf.clear();
                encode_extension(&ext.key, &child, buf);
                let reference = RlpNode::from_rlp(buf);
                ext.cache = Some(reference.clone());
                reference
            }
            Self::Branch(branch) => {
                if let Some(cached) = &branch.cache {
                    return cached.clone();
                }
                let children: [RlpNode; 16] =
                    core::array::from_fn(|i| branch.children[i].reference_with(buf));
                buf.clear();
                encode_branch(&children, branch.value.as_ref(), buf);
                let reference = RlpNode::from_rlp(buf);
                branch.cache = Some(reference.clone());
                reference
            }
        }
    }

    /// Drops every node below the root of a trie, keeping only its commitment: the trie becomes
    /// [`TrieNode::Blinded`] by its root hash (or stays [`TrieNode::Empty`]), and reopens lazily
    /// through a provider that holds its preimages. Call it on a trie's root only.
    pub fn blind(&mut self) {
        if !self.is_empty() {
            let reference = self.reference();
            // A short root is still committed to by its hash, so that it reopens like any other.
            let reference = if reference.is_hash() {
                reference
            } else {
                RlpNode::word_rlp(&keccak256(reference.as_slice()))
            };
            *self = Self::Blinded(reference);
        }
    }

    /// Calls `sink(hash, encoding)` for every unblinded node whose parent references it by hash,
    /// and for the root: exactly the preimages a [`TrieProvider`](crate::TrieProvider) must hold
    /// to reopen this trie from [`TrieNode::root`]. Blinded subtries are skipped.
    pub fn for_each_preimage(&self, sink: &mut impl FnMut(B256, Bytes)) {
        if let Self::Blinded(reference) = self
            && reference.is_hash()
        {
            return;
        }
        let mut buf = Vec::new();
        let reference = self.collect_reference(sink, &mut buf);
        // The root is committed to by hash even when its encoding is shorter than 32 bytes.
        if !reference.is_hash() {
            sink(
                keccak256(reference.as_slice()),
                Bytes::copy_from_slice(&reference),
            );
        }
    }

    /// The node's reference, computed without touching the caches, reporting every hashed
    /// node at or below this one (except blinded ones) to `sink`.
    fn collect_reference(&self, sink: &mut impl FnMut(B256, Bytes), buf: &mut Vec<u8>) -> RlpNode {
        match self {
            Self::Empty => return EMPTY_NODE_REF,
            Self::Blinded(reference) => return reference.clone(),
            Self::Leaf(leaf) => {
                buf.clear();
                leaf.encode_into(buf);
            }
            Self::Extension(ext) => {
                let child = ext.child.collect_reference(sink, buf);
                buf.clear();
                encode_extension(&ext.key, &child, buf);
            }
            Self::Branch(branch) => {
                let children: [RlpNode; 16] =
                    core::array::from_fn(|i| branch.children[i].collect_reference(sink, buf));
                buf.clear();
                encode_branch(&children, branch.value.as_ref(), buf);
            }
        }
        if buf.len() < 32 {
            return RlpNode::from_rlp(buf);
        }
        let hash = keccak256(&buf[..]);
        sink(hash, Bytes::copy_from_slice(buf));
        RlpNode::word_rlp(&hash)
    }
}

impl LeafNode {
    fn encode_into(&self, out: &mut Vec<u8>) {
        let path = encode_path_leaf(&self.key, true);
        let payload_length = path[..].length() + self.value[..].length();
        Header {
            list: true,
            payload_length,
        }
        .encode(out);
        path[..].encode(out);
        self.value[..].encode(out);
    }
}

fn encode_extension(key: &Nibbles, child: &RlpNode, out: &mut Vec<u8>) {
    let path = encode_path_leaf(key, false);
    let payload_length = path[..].length() + child.len();
    Header {
        list: true,
        payload_length,
    }
    .encode(out);
    path[..].encode(out);
    out.extend_from_slice(child);
}

fn encode_branch(children: &[RlpNode; 16], value: Option<&Bytes>, out: &mut Vec<u8>) {
    let value_length = value.map_or(1, |value| value[..].length());
    let payload_length = children.iter().map(|child| child.len()).sum::<usize>() + value_length;
    Header {
        list: true,
        payload_length,
    }
    .encode(out);
    for child in children {
        out.extend_from_slice(child);
    }
    match value {
        Some(value) => value[..].encode(out),
        None => out.push(EMPTY_STRING_CODE),
    }
}
