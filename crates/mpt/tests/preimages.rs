//! `for_each_preimage` reports exactly the preimages that reopen a trie from its root, including
//! a root whose encoding is shorter than 32 bytes (committed to by hash, though never inlined);
//! and a node fetched by hash keeps that hash as its reference.

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

/// Encodes a branch whose children are the given raw references (`0x80` for empty slots).
fn branch_encoding(children: &[(usize, &[u8])]) -> Vec<u8> {
    let mut payload = Vec::new();
    for slot in 0..16 {
        match children.iter().find(|(index, _)| *index == slot) {
            Some((_, reference)) => payload.extend_from_slice(reference),
            None => payload.push(0x80),
        }
    }
    payload.push(0x80);
    let mut encoded = Vec::new();
    alloy_rlp::Header {
        list: true,
        payload_length: payload.len(),
    }
    .encode(&mut encoded);
    encoded.extend_from_slice(&payload);
    encoded
}

/// A non-canonical trie whose branch references a short leaf by hash instead of inlining it:
/// once fetched, the leaf keeps that hash reference, so changing its sibling re-hashes the
/// branch with the reference it committed to (as geth does), not with the leaf inlined.
#[test]
fn a_short_node_fetched_by_hash_keeps_its_hash_reference() {
    let mut preimages: HashMap<B256, Bytes> = HashMap::default();
    // Leaf at nibble 1, referenced by hash though only 3 bytes long: key [0x1], value 0x05.
    let short_leaf: &[u8] = &[0xc2, 0x31, 0x05];
    let short_hash = keccak256(short_leaf);
    preimages.insert(short_hash, Bytes::from_static(short_leaf));
    let mut short_ref = vec![0xa0];
    short_ref.extend_from_slice(short_hash.as_slice());
    // Leaf at nibble 2, inline: key [0x3], value 0x06.
    let sibling: &[u8] = &[0xc2, 0x33, 0x06];
    let root_node = branch_encoding(&[(1, &short_ref), (2, sibling)]);
    let root = keccak256(&root_node);
    preimages.insert(root, Bytes::from(root_node));

    let mut trie = TrieNode::new_blinded(root);
    // Unblind the short leaf by reading it.
    assert_eq!(
        trie.get(&Nibbles::from_nibbles([1, 1]), &preimages)
            .unwrap(),
        Some(&Bytes::from_static(&[0x05]))
    );
    // Change the sibling: the branch is re-encoded.
    trie.insert(
        &Nibbles::from_nibbles([2, 3]),
        Bytes::from_static(&[0x07]),
        &preimages,
    )
    .unwrap();
    let expected = branch_encoding(&[(1, &short_ref), (2, &[0xc2, 0x33, 0x07])]);
    assert_eq!(trie.root(), keccak256(&expected));
}
