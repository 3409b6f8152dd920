//! Ordered-list tries (transactions, receipts) with their node preimages.

use alloy_primitives::{B256, Bytes};
use koa_mpt::{NoopTrieProvider, TrieNode, ordered_list_key, ordered_trie_root};

use crate::store::PreimageStore;

/// Builds the trie of `items` keyed by RLP-encoded index, adds its nodes to `store` and
/// returns its root (checked against [`ordered_trie_root`]).
pub(crate) fn ordered_trie(items: &[Bytes], store: &mut PreimageStore) -> B256 {
    let mut trie = TrieNode::default();
    for (index, item) in items.iter().enumerate() {
        trie.insert(&ordered_list_key(index), item.clone(), &NoopTrieProvider)
            .expect("a trie built from scratch needs no preimages");
    }
    let root = trie.root();
    assert_eq!(root, ordered_trie_root(items), "ordered trie roots agree");
    if !items.is_empty() {
        store.add_trie(&trie);
    }
    root
}
