//! `for_each_preimage` reports exactly the preimages that reopen a trie from its root, including
//! a root whose encoding is shorter than 32 bytes (committed to by hash, though never inlined).

use alloy_primitives::{B256, Bytes, keccak256, map::HashMap};
use koa_mpt::{EMPTY_ROOT_HASH, Nibbles, NoopTrieProvider, TrieNode};

fn preimages_of(trie: &TrieNode) -> HashMap<B256, Bytes> {
    let mut preimages: HashMap<B256, Bytes> = HashMap::default();
    trie.for_each_preimage(&mut |hash, node| {
        assert_eq!(keccak256(&node), hash, "sink gets the node's own hash");
        assert!(preimages.insert(hash, node).is_none(), "reported once");
    });
    preimages
}

#[test]
fn short_root_is_reported_by_hash_and_reopens() {
    let key = Nibbles::unpack([0x01u8]);
    let value = Bytes::from_static(&[0x02]);
    let mut trie = TrieNode::default();
    trie.insert(&key, value.clone(), &NoopTrieProvider).unwrap();
    let root = trie.root();

    // The leaf `[0x20 0x01, 0x02]` encodes to 5 bytes.
    let encoding = Bytes::from_static(&[0xc4, 0x82, 0x20, 0x01, 0x02]);
    let preimages = preimages_of(&trie);
    assert_eq!(preimages.len(), 1);
    assert_eq!(preimages.get(&root), Some(&encoding));
    assert_eq!(root, keccak256(&encoding));

    let mut reopened = TrieNode::new_blinded(root);
    assert_eq!(reopened.get(&key, &preimages).unwrap(), Some(&value));
    assert_eq!(reopened.root(), root);
}

#[test]
fn inline_children_are_not_reported_but_their_hashed_parent_is() {
    // Two one-byte keys under a branch: both leaves (13 bytes) are inline, the branch (42
    // bytes) is hashed.
    let value = |n: u8| Bytes::from(vec![n; 10]);
    let mut trie = TrieNode::default();
    for n in [0x10u8, 0x20] {
        trie.insert(&Nibbles::unpack([n]), value(n), &NoopTrieProvider)
            .unwrap();
    }
    let root = trie.root();
    let preimages = preimages_of(&trie);
    assert_eq!(preimages.keys().copied().collect::<Vec<_>>(), vec![root]);
    assert_eq!(preimages[&root].len(), 42);

    let mut reopened = TrieNode::new_blinded(root);
    for n in [0x10u8, 0x20] {
        assert_eq!(
            reopened.get(&Nibbles::unpack([n]), &preimages).unwrap(),
            Some(&value(n))
        );
    }
}

#[test]
fn empty_and_blinded_tries() {
    // The empty trie's "preimage" is the empty string, which hashes to the empty root.
    let preimages = preimages_of(&TrieNode::Empty);
    assert_eq!(
        preimages.get(&EMPTY_ROOT_HASH),
        Some(&Bytes::from_static(&[0x80]))
    );
    // A trie known only by its root hash has nothing to report.
    assert!(preimages_of(&TrieNode::new_blinded(B256::repeat_byte(7))).is_empty());
}
