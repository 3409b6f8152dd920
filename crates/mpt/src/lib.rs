//! koa's Merkle Patricia trie: a hexary Ethereum trie whose nodes unblind lazily from a
//! preimage provider, for stateless block execution.
//!
//! # Design
//!
//! **Node representation.** A trie is a tree of [`TrieNode`]s: `Empty`, `Leaf`, `Extension`,
//! `Branch`, and `Blinded` — a node known only by its reference (`rlp(keccak256(rlp(node)))`, or
//! an inline node's own encoding when shorter than 32 bytes). A trie opened from a state root is
//! a single `Blinded` node; operations replace each blinded node they walk into with its decoded
//! form, fetched through a [`TrieProvider`] and checked against its hash. Decoded nodes keep
//! their children blinded, so a block touches only the nodes on the paths it reads or writes.
//! Leaf, extension and branch payloads are boxed, keeping a `TrieNode` at 40 bytes and a branch's
//! sixteen inline children at 640 bytes. Paths are [`Nibbles`] (a `U256` plus a length, `Copy`),
//! whose prefix compares and slices are a few word operations; a path holds at most 64 nibbles,
//! the depth of a trie over 32-byte keys.
//!
//! **Hashing cache.** Every leaf, extension and branch caches its reference ([`RlpNode`]): the
//! hash of its encoding, or the short encoding itself. A node decoded from a preimage starts with
//! the reference it was fetched by, so an untouched subtrie is never re-encoded or re-hashed.
//! [`TrieNode::insert`] and [`TrieNode::delete`] clear the cache of exactly the nodes on the
//! modified path, and only when the trie really changed (rewriting a value with itself, or
//! deleting an absent key, invalidates nothing). [`TrieNode::root`] then re-encodes only
//! nodes with an empty cache. Unblinding never invalidates: it does not change content.
//!
//! **Providers and hinters are passed per call**, not stored in the tree, so one provider can
//! serve a state trie and any number of storage tries owned by the same `revm` database.
//! A branch left with one child by a delete collapses into its parent's path; when that
//! remaining sibling is blinded its preimage is hinted ([`TrieHinter::hint_trie_node`]) and
//! fetched, since its kind decides the collapsed shape. Nodes on the path of a read or write are
//! not hinted by the trie: a host can foresee those from the key (account and storage proofs,
//! [`TrieHinter::hint_account_proof`] / [`TrieHinter::hint_storage_proof`], sent by the
//! executor), and an oracle-backed provider may hint each node itself before fetching it.
//!
//! **Errors** are [`TrieError`]s: a missing preimage names the hash, a corrupt preimage names both
//! hashes, a malformed node says why ([`NodeDecodeError`]). After an error the trie may be partly
//! modified and should be discarded.
//!
//! Ordered-list tries (transactions, receipts) are built with [`ordered_trie_root`] (on top of
//! `alloy_trie`'s `HashBuilder`) and read back with [`read_ordered_list`]; [`LeafWalker`] lists
//! the leaves of any trie whose preimages are available.
//!
//! # Example
//!
//! ```
//! use alloy_primitives::{B256, Bytes, keccak256, map::HashMap};
//! use koa_mpt::{Nibbles, NoopTrieHinter, NoopTrieProvider, TrieNode};
//!
//! # fn main() -> Result<(), koa_mpt::TrieError> {
//! let key = |n: u8| Nibbles::unpack(keccak256([n]));
//!
//! // Build a trie from scratch: nothing to unblind, so no preimages are needed.
//! let mut trie = TrieNode::default();
//! for n in 0..4u8 {
//!     trie.insert(&key(n), Bytes::from(vec![n + 1]), &NoopTrieProvider)?;
//! }
//! let root: B256 = trie.root();
//!
//! // Store its nodes as a preimage oracle would, then reopen it knowing only the root hash.
//! let mut preimages: HashMap<B256, Bytes> = HashMap::default();
//! trie.for_each_preimage(&mut |hash, node| {
//!     preimages.insert(hash, node);
//! });
//! let mut reopened = TrieNode::new_blinded(root);
//! assert_eq!(reopened.get(&key(2), &preimages)?, Some(&Bytes::from(vec![3u8])));
//!
//! // Mutate; `root` re-hashes only the modified paths.
//! reopened.delete(&key(2), &preimages, &NoopTrieHinter)?;
//! reopened.insert(&key(9), Bytes::from_static(b"nine"), &preimages)?;
//! assert_eq!(reopened.get(&key(2), &preimages)?, None);
//! assert_ne!(reopened.root(), root);
//! # Ok(())
//! # }
//! ```
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

mod decode;
mod encode;
mod error;
mod node;
mod ops;
mod ordered;
mod path;
mod provider;
mod walker;

pub use alloy_trie::{EMPTY_ROOT_HASH, Nibbles, nodes::RlpNode};
pub use error::{BoxedError, NodeDecodeError, TrieError};
pub use node::{BranchNode, ExtensionNode, LeafNode, TrieNode};
pub use ordered::{
    ordered_list_key, ordered_trie_root, ordered_trie_root_with_encoder, read_ordered_list,
};
pub use provider::{NoopTrieHinter, NoopTrieProvider, PreimageNotFound, TrieHinter, TrieProvider};
pub use walker::LeafWalker;
