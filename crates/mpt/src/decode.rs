//! Decoding nodes from their RLP encoding, and unblinding through a provider.

use alloc::boxed::Box;
use alloy_primitives::{B256, Bytes, keccak256};
use alloy_rlp::{EMPTY_LIST_CODE, EMPTY_STRING_CODE, Header};
use alloy_trie::{Nibbles, nodes::RlpNode};

use crate::{
    NodeDecodeError, TrieError, TrieProvider,
    node::{BranchNode, ExtensionNode, LeafNode, TrieNode},
};

/// Compact-path flag nibbles (the high nibble of the first path byte).
const EXTENSION_EVEN: u8 = 0;
const EXTENSION_ODD: u8 = 1;
const LEAF_EVEN: u8 = 2;
const LEAF_ODD: u8 = 3;

impl TrieNode {
    /// Decodes a node from its full RLP encoding. Children come out blinded.
    ///
    /// `bytes` must hold exactly one node. The decoded node caches `reference` (the node's
    /// reference as its parent stores it), so decoding never re-hashes.
    pub fn decode(bytes: &[u8]) -> Result<Self, TrieError> {
        let reference = RlpNode::from_rlp(bytes);
        decode_node(bytes, reference)
    }

    /// Resolves a blinded node in place: fetches a hashed node's preimage through `provider`
    /// (checking it hashes to the reference) or decodes an inline node. Any other node is left
    /// as is.
    pub fn unblind<P: TrieProvider + ?Sized>(&mut self, provider: &P) -> Result<(), TrieError> {
        if let Self::Blinded(reference) = self {
            *self = resolve(reference, provider)?;
        }
        Ok(())
    }
}

/// Resolves a node reference to the decoded node.
pub(crate) fn resolve<P: TrieProvider + ?Sized>(
    reference: &RlpNode,
    provider: &P,
) -> Result<TrieNode, TrieError> {
    match reference.as_hash() {
        // A node keeps the reference it was fetched by, even when its encoding is shorter than
        // 32 bytes: that happens for a short root, whose hash is its commitment, and (in a
        // non-canonical trie) for a short child its parent references by hash anyway, which
        // must keep that reference until it changes, as geth's hasher does.
        Some(hash) => decode_node(&fetch(hash, provider)?, reference.clone()),
        None => decode_node(reference.as_slice(), reference.clone()),
    }
}

/// Fetches the preimage of `hash` and checks it.
pub(crate) fn fetch<P: TrieProvider + ?Sized>(
    hash: B256,
    provider: &P,
) -> Result<Bytes, TrieError> {
    let bytes = provider
        .trie_node_by_hash(hash)
        .map_err(|source| TrieError::MissingPreimage {
            hash,
            source: Box::new(source),
        })?;
    let actual = keccak256(&bytes);
    if actual != hash {
        return Err(TrieError::CorruptPreimage {
            expected: hash,
            actual,
        });
    }
    Ok(bytes)
}

/// Decodes one node from `bytes`, caching `cache` as its reference.
fn decode_node(bytes: &[u8], cache: RlpNode) -> Result<TrieNode, TrieError> {
    let mut buf = bytes;
    let header = Header::decode(&mut buf).map_err(NodeDecodeError::from)?;
    if !header.list {
        return Err(NodeDecodeError::NotAList.into());
    }
    // `Header::decode` checked that `payload_length` bytes follow.
    let (mut payload, rest) = buf.split_at(header.payload_length);
    if !rest.is_empty() {
        return Err(NodeDecodeError::TrailingBytes.into());
    }

    let mut items: [&[u8]; 17] = [&[]; 17];
    let mut count = 0usize;
    while !payload.is_empty() {
        let item_start = payload;
        let item_header = Header::decode(&mut payload).map_err(NodeDecodeError::from)?;
        payload = &payload[item_header.payload_length..];
        let item = &item_start[..item_start.len() - payload.len()];
        match items.get_mut(count) {
            Some(slot) => *slot = item,
            None => return Err(NodeDecodeError::ItemCount(count + 1).into()),
        }
        count += 1;
    }

    match count {
        2 => decode_short(items[0], items[1], cache),
        17 => decode_branch(&items, cache),
        other => Err(NodeDecodeError::ItemCount(other).into()),
    }
}

/// Decodes a leaf or extension node from its two items.
fn decode_short(path_item: &[u8], second: &[u8], cache: RlpNode) -> Result<TrieNode, TrieError> {
    let compact = string_payload(path_item).ok_or(NodeDecodeError::PathNotString)?;
    let (is_leaf, key) = decode_compact_path(compact)?;
    if is_leaf {
        let value = string_payload(second).ok_or(NodeDecodeError::ValueNotString)?;
        Ok(TrieNode::Leaf(Box::new(LeafNode {
            key,
            value: Bytes::copy_from_slice(value),
            cache: Some(cache),
        })))
    } else {
        if key.is_empty() {
            return Err(NodeDecodeError::EmptyExtension.into());
        }
        let child = decode_child(second)?;
        if child.is_empty() {
            return Err(NodeDecodeError::ChildReference.into());
        }
        Ok(TrieNode::Extension(Box::new(ExtensionNode {
            key,
            child,
            cache: Some(cache),
        })))
    }
}

/// Decodes a branch node from its seventeen items.
fn decode_branch(items: &[&[u8]; 17], cache: RlpNode) -> Result<TrieNode, TrieError> {
    let mut branch = BranchNode::empty();
    for (slot, item) in branch.children.iter_mut().zip(items.iter()) {
        *slot = decode_child(item)?;
    }
    let value = string_payload(items[16]).ok_or(NodeDecodeError::ValueNotString)?;
    branch.value = (!value.is_empty()).then(|| Bytes::copy_from_slice(value));
    branch.cache = Some(cache);
    Ok(TrieNode::Branch(Box::new(branch)))
}

/// Decodes a child reference: empty, a 32-byte hash, or an inline node (a list under 32 bytes).
fn decode_child(item: &[u8]) -> Result<TrieNode, TrieError> {
    let reference = match item.first() {
        Some(&EMPTY_STRING_CODE) if item.len() == 1 => return Ok(TrieNode::Empty),
        Some(&0xa0) if item.len() == 33 => RlpNode::from_raw(item),
        Some(&first) if first >= EMPTY_LIST_CODE && item.len() < 32 => RlpNode::from_raw(item),
        _ => None,
    };
    reference
        .map(TrieNode::Blinded)
        .ok_or_else(|| NodeDecodeError::ChildReference.into())
}

/// The payload of an RLP item that is a byte string, `None` for a list.
fn string_payload(item: &[u8]) -> Option<&[u8]> {
    let mut buf = item;
    let header = Header::decode(&mut buf).ok()?;
    (!header.list).then_some(buf)
}

/// Decodes a hex-prefix (compact) path into `(is_leaf, nibbles)`.
fn decode_compact_path(compact: &[u8]) -> Result<(bool, Nibbles), NodeDecodeError> {
    let (&first, rest) = compact.split_first().ok_or(NodeDecodeError::EmptyPath)?;
    let flag = first >> 4;
    let (is_leaf, odd) = match flag {
        EXTENSION_EVEN => (false, false),
        EXTENSION_ODD => (false, true),
        LEAF_EVEN => (true, false),
        LEAF_ODD => (true, true),
        _ => return Err(NodeDecodeError::PathFlag(first)),
    };
    if !odd && first & 0x0f != 0 {
        return Err(NodeDecodeError::PathFlag(first));
    }
    let len = rest.len() * 2 + usize::from(odd);
    if len > crate::path::MAX_NIBBLES {
        return Err(NodeDecodeError::PathTooLong);
    }
    let mut nibbles = Nibbles::new();
    if odd {
        nibbles.push_unchecked(first & 0x0f);
    }
    nibbles.extend(&Nibbles::unpack(rest));
    Ok((is_leaf, nibbles))
}
