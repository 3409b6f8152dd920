//! The devnet's preimage store: every preimage a proof over the devnet may request, by typed
//! key.

use std::collections::BTreeMap;

use alloy_primitives::{B256, Bytes, keccak256, map::HashMap};
use koa_mpt::{PreimageNotFound, TrieNode, TrieProvider};
use koa_preimage::{PreimageKey, encode_archive};

/// Typed preimages, plus a keccak256 index for the executor's trie provider.
#[derive(Debug, Default, Clone)]
pub struct PreimageStore {
    typed: BTreeMap<PreimageKey, Bytes>,
    keccak: HashMap<B256, Bytes>,
}

impl PreimageStore {
    /// Adds `data` under its keccak256 key; returns the hash.
    pub fn add_keccak(&mut self, data: Bytes) -> B256 {
        let hash = keccak256(&data);
        self.insert_keccak(hash, data);
        hash
    }

    /// Adds a keccak256 preimage whose hash the caller computed.
    pub fn insert_keccak(&mut self, hash: B256, data: Bytes) {
        debug_assert_eq!(keccak256(&data), hash);
        self.typed
            .entry(PreimageKey::keccak256(hash))
            .or_insert_with(|| data.clone());
        self.keccak.entry(hash).or_insert(data);
    }

    /// Adds a preimage of another type (SHA-256, blob).
    pub fn insert(&mut self, key: PreimageKey, data: Bytes) {
        self.typed.insert(key, data);
    }

    /// Adds every node of `trie` (its decoded part) under its hash.
    pub fn add_trie(&mut self, trie: &TrieNode) {
        trie.for_each_preimage(&mut |hash, node| self.insert_keccak(hash, node));
    }

    /// The keccak256 preimage of `hash`.
    pub fn keccak(&self, hash: &B256) -> Option<&Bytes> {
        self.keccak.get(hash)
    }

    /// Number of typed preimages.
    pub fn len(&self) -> usize {
        self.typed.len()
    }

    /// Whether the store is empty.
    pub fn is_empty(&self) -> bool {
        self.typed.is_empty()
    }

    /// The typed preimages, in key order.
    pub fn typed(&self) -> &BTreeMap<PreimageKey, Bytes> {
        &self.typed
    }

    /// The preimage archive of every typed preimage.
    pub fn to_archive(&self) -> Vec<u8> {
        encode_archive(self.typed.iter().map(|(k, v)| (*k, v.as_ref())))
            .expect("a BTreeMap iterates sorted, unique keys")
    }
}

impl TrieProvider for PreimageStore {
    type Error = PreimageNotFound;

    fn trie_node_by_hash(&self, hash: B256) -> Result<Bytes, Self::Error> {
        self.keccak
            .get(&hash)
            .cloned()
            .ok_or(PreimageNotFound(hash))
    }
}
