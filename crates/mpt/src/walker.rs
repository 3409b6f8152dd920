//! Listing a trie's leaves in key order.

use alloc::vec::Vec;
use alloy_primitives::{B256, Bytes};
use alloy_trie::Nibbles;

use crate::{
    TrieError, TrieProvider,
    decode::resolve,
    node::TrieNode,
    path::{join, push},
};

/// An iterator over the leaves of a trie — `(full key path, value)` — in ascending key order,
/// unblinding nodes through a provider as it reaches them.
///
/// It reads without building a mutable trie: each node is decoded, its children queued, and
/// dropped. After the first error the iterator is exhausted.
#[derive(Debug)]
pub struct LeafWalker<'p, P: ?Sized> {
    /// Nodes still to visit with the path leading to them; the top is next in key order.
    stack: Vec<(Nibbles, TrieNode)>,
    provider: &'p P,
}

impl<'p, P: TrieProvider + ?Sized> LeafWalker<'p, P> {
    /// Walks the trie committed to by `root`.
    pub fn new(root: B256, provider: &'p P) -> Self {
        Self::from_node(TrieNode::new_blinded(root), provider)
    }

    /// Walks the trie below `node`, whose position is the empty path.
    pub fn from_node(node: TrieNode, provider: &'p P) -> Self {
        let mut stack = Vec::with_capacity(64);
        stack.push((Nibbles::new(), node));
        Self { stack, provider }
    }

    fn fail(&mut self, error: TrieError) -> Option<Result<(Nibbles, Bytes), TrieError>> {
        self.stack.clear();
        Some(Err(error))
    }
}

impl<P: TrieProvider + ?Sized> Iterator for LeafWalker<'_, P> {
    type Item = Result<(Nibbles, Bytes), TrieError>;

    fn next(&mut self) -> Option<Self::Item> {
        while let Some((prefix, node)) = self.stack.pop() {
            match node {
                TrieNode::Empty => {}
                TrieNode::Blinded(reference) => match resolve(&reference, self.provider) {
                    Ok(node) => self.stack.push((prefix, node)),
                    Err(error) => return self.fail(error),
                },
                TrieNode::Leaf(leaf) => {
                    return match join(&prefix, &leaf.key) {
                        Ok(key) => Some(Ok((key, leaf.value))),
                        Err(error) => self.fail(error),
                    };
                }
                TrieNode::Extension(ext) => match join(&prefix, &ext.key) {
                    Ok(key) => self.stack.push((key, ext.child)),
                    Err(error) => return self.fail(error),
                },
                TrieNode::Branch(branch) => {
                    let branch = *branch;
                    // Push in reverse so nibble 0 is visited first.
                    for (index, child) in branch.children.into_iter().enumerate().rev() {
                        if child.is_empty() {
                            continue;
                        }
                        // `index < 16`, so it is a nibble.
                        match push(&prefix, index as u8) {
                            Ok(key) => self.stack.push((key, child)),
                            Err(error) => return self.fail(error),
                        }
                    }
                    // A key ending at the branch sorts before every key passing through it.
                    if let Some(value) = branch.value {
                        return Some(Ok((prefix, value)));
                    }
                }
            }
        }
        None
    }
}
