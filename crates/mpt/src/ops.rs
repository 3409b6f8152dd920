//! Reading and mutating a trie: get, insert (upsert) and delete.
//!
//! Every mutation invalidates the cached reference of exactly the nodes on the modified path
//! (and only when something actually changed), so the next [`TrieNode::root`] re-hashes just those.

use alloc::boxed::Box;
use alloy_primitives::Bytes;
use alloy_trie::Nibbles;
use core::mem;

use crate::{
    TrieError, TrieHinter, TrieProvider,
    node::{BranchNode, TrieNode},
    path::push,
};

impl TrieNode {
    /// Returns the value stored under `path`, or `None` when the key is absent.
    ///
    /// Unblinds the nodes along `path` through `provider`. Unblinding keeps every cached
    /// reference valid: the trie's content does not change.
    pub fn get<P: TrieProvider + ?Sized>(
        &mut self,
        path: &Nibbles,
        provider: &P,
    ) -> Result<Option<&Bytes>, TrieError> {
        self.get_inner(*path, provider)
    }

    fn get_inner<P: TrieProvider + ?Sized>(
        &mut self,
        path: Nibbles,
        provider: &P,
    ) -> Result<Option<&Bytes>, TrieError> {
        self.unblind(provider)?;
        match self {
            Self::Empty | Self::Blinded(_) => Ok(None),
            Self::Leaf(leaf) => Ok((leaf.key == path).then_some(&leaf.value)),
            Self::Extension(ext) => {
                if path.starts_with(&ext.key) {
                    ext.child.get_inner(path.slice(ext.key.len()..), provider)
                } else {
                    Ok(None)
                }
            }
            Self::Branch(branch) => match path.first() {
                None => Ok(branch.value.as_ref()),
                Some(nibble) => {
                    branch.children[usize::from(nibble)].get_inner(path.slice(1..), provider)
                }
            },
        }
    }

    /// Inserts `value` under `path`, replacing any previous value. Returns `true` if the trie
    /// changed (`false` when the key already held exactly `value`).
    ///
    /// `value` must not be empty ([`TrieError::EmptyValue`]): an Ethereum trie never stores
    /// empty values, delete the key instead.
    pub fn insert<P: TrieProvider + ?Sized>(
        &mut self,
        path: &Nibbles,
        value: Bytes,
        provider: &P,
    ) -> Result<bool, TrieError> {
        if value.is_empty() {
            return Err(TrieError::EmptyValue);
        }
        self.insert_inner(*path, value, provider)
    }

    fn insert_inner<P: TrieProvider + ?Sized>(
        &mut self,
        path: Nibbles,
        value: Bytes,
        provider: &P,
    ) -> Result<bool, TrieError> {
        self.unblind(provider)?;
        match self {
            Self::Empty | Self::Blinded(_) => {
                *self = Self::leaf(path, value);
                Ok(true)
            }
            Self::Leaf(leaf) => {
                if leaf.key == path {
                    if leaf.value == value {
                        return Ok(false);
                    }
                    leaf.value = value;
                    leaf.cache = None;
                    return Ok(true);
                }
                // Split: a branch at the first differing nibble holds both keys.
                let common = leaf.key.common_prefix_length(&path);
                let mut branch = Box::new(BranchNode::empty());
                branch.place(leaf.key.slice(common..), mem::take(&mut leaf.value));
                branch.place(path.slice(common..), value);
                *self = Self::Branch(branch).prefixed(&path.slice(..common))?;
                Ok(true)
            }
            Self::Extension(ext) => {
                let common = ext.key.common_prefix_length(&path);
                if common == ext.key.len() {
                    let changed = ext
                        .child
                        .insert_inner(path.slice(common..), value, provider)?;
                    if changed {
                        ext.cache = None;
                    }
                    return Ok(changed);
                }
                // Split: the extension diverges from `path` at nibble `common`.
                let child = mem::take(&mut ext.child);
                let mut branch = Box::new(BranchNode::empty());
                let ext_nibble = usize::from(ext.key.get_unchecked(common));
                let ext_rest = ext.key.slice(common + 1..);
                branch.children[ext_nibble] = child.prefixed(&ext_rest)?;
                branch.place(path.slice(common..), value);
                *self = Self::Branch(branch).prefixed(&path.slice(..common))?;
                Ok(true)
            }
            Self::Branch(branch) => {
                let changed = match path.first() {
                    None => {
                        if branch.value.as_ref() == Some(&value) {
                            false
                        } else {
                            branch.value = Some(value);
                            true
                        }
                    }
                    Some(nibble) => branch.children[usize::from(nibble)].insert_inner(
                        path.slice(1..),
                        value,
                        provider,
                    )?,
                };
                if changed {
                    branch.cache = None;
                }
                Ok(changed)
            }
        }
    }

    /// Deletes the key `path`. Returns `true` if it was present.
    ///
    /// A branch left with a single child collapses into its parent's path. When that remaining
    /// child is still blinded, its preimage is hinted through `hinter` and fetched through
    /// `provider` to learn its kind.
    pub fn delete<P: TrieProvider + ?Sized, H: TrieHinter + ?Sized>(
        &mut self,
        path: &Nibbles,
        provider: &P,
        hinter: &H,
    ) -> Result<bool, TrieError> {
        self.delete_inner(*path, provider, hinter)
    }

    fn delete_inner<P: TrieProvider + ?Sized, H: TrieHinter + ?Sized>(
        &mut self,
        path: Nibbles,
        provider: &P,
        hinter: &H,
    ) -> Result<bool, TrieError> {
        self.unblind(provider)?;
        match self {
            Self::Empty | Self::Blinded(_) => Ok(false),
            Self::Leaf(leaf) => {
                if leaf.key != path {
                    return Ok(false);
                }
                *self = Self::Empty;
                Ok(true)
            }
            Self::Extension(ext) => {
                if !path.starts_with(&ext.key) {
                    return Ok(false);
                }
                let rest = path.slice(ext.key.len()..);
                if !ext.child.delete_inner(rest, provider, hinter)? {
                    return Ok(false);
                }
                ext.cache = None;
                // The child may have collapsed into a leaf or extension: merge it into this one.
                if !matches!(ext.child, Self::Branch(_)) {
                    let key = ext.key;
                    let child = mem::take(&mut ext.child);
                    *self = child.prefixed(&key)?;
                }
                Ok(true)
            }
            Self::Branch(branch) => {
                let removed = match path.first() {
                    None => branch.value.take().is_some(),
                    Some(nibble) => branch.children[usize::from(nibble)].delete_inner(
                        path.slice(1..),
                        provider,
                        hinter,
                    )?,
                };
                if !removed {
                    return Ok(false);
                }
                branch.cache = None;
                if let Some(collapsed) = collapse(branch, provider, hinter)? {
                    *self = collapsed;
                }
                Ok(true)
            }
        }
    }
}

/// Collapses a branch that no longer needs to be one: a branch with a single child and no value
/// becomes that child behind the child's nibble, a branch with only a value becomes a leaf.
/// Returns `None` when the branch still has two or more entries.
fn collapse<P: TrieProvider + ?Sized, H: TrieHinter + ?Sized>(
    branch: &mut BranchNode,
    provider: &P,
    hinter: &H,
) -> Result<Option<TrieNode>, TrieError> {
    let mut occupied = branch
        .children
        .iter()
        .enumerate()
        .filter(|(_, child)| !child.is_empty());
    let first = occupied.next().map(|(index, _)| index);
    let more_children = occupied.next().is_some();
    match (first, more_children, branch.value.is_some()) {
        (_, true, _) | (Some(_), false, true) => Ok(None),
        (None, false, true) => {
            let value = branch.value.take().unwrap_or_default();
            Ok(Some(TrieNode::leaf(Nibbles::new(), value)))
        }
        (None, false, false) => Ok(Some(TrieNode::Empty)),
        (Some(index), false, false) => {
            let slot = &mut branch.children[index];
            if let TrieNode::Blinded(reference) = slot {
                // The sibling's kind decides the collapsed shape: it must be unblinded.
                if let Some(hash) = reference.as_hash() {
                    hinter
                        .hint_trie_node(hash)
                        .map_err(|source| TrieError::Hint {
                            source: Box::new(source),
                        })?;
                }
                slot.unblind(provider)?;
            }
            let child = mem::take(slot);
            // `index < 16`, so it is a nibble.
            let prefix = push(&Nibbles::new(), index as u8)?;
            Ok(Some(child.prefixed(&prefix)?))
        }
    }
}
