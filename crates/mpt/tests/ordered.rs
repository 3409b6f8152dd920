//! Ordered-list tries: the builder against a trie built key by key and against real blocks'
//! transaction roots, and reading a list back from its preimages.

use alloy_primitives::{B256, Bytes, hex, keccak256, map::HashMap};
use koa_mpt::{
    EMPTY_ROOT_HASH, LeafWalker, NoopTrieProvider, TrieError, TrieNode, ordered_list_key,
    ordered_trie_root, ordered_trie_root_with_encoder, read_ordered_list,
};

fn items(count: usize) -> Vec<Bytes> {
    (0..count)
        .map(|i| {
            // Lengths vary so that some leaves are inlined and others hashed.
            let len = 1 + (i * 7) % 50;
            Bytes::from(keccak256(i.to_be_bytes()).repeat(2)[..len].to_vec())
        })
        .collect()
}

/// The list's trie built by inserting `rlp(i) -> item` one at a time.
fn trie_of(items: &[Bytes]) -> TrieNode {
    let mut trie = TrieNode::default();
    for (index, item) in items.iter().enumerate() {
        trie.insert(&ordered_list_key(index), item.clone(), &NoopTrieProvider)
            .unwrap();
    }
    trie
}

const SIZES: &[usize] = &[0, 1, 2, 3, 16, 126, 127, 128, 129, 255, 256, 257, 1000];

#[test]
fn builder_matches_trie_built_key_by_key() {
    for &count in SIZES {
        let items = items(count);
        let expected = trie_of(&items).root();
        assert_eq!(ordered_trie_root(&items), expected, "{count} items");
        let with_encoder =
            ordered_trie_root_with_encoder(&items, |item, out| out.extend_from_slice(item));
        assert_eq!(with_encoder, expected, "{count} items");
    }
    assert_eq!(ordered_trie_root::<Bytes>(&[]), EMPTY_ROOT_HASH);
}

#[test]
fn list_reads_back_from_preimages() {
    for &count in SIZES {
        let items = items(count);
        let mut trie = trie_of(&items);
        let root = trie.root();
        let mut preimages: HashMap<B256, Bytes> = HashMap::default();
        trie.for_each_preimage(&mut |hash, node| {
            preimages.insert(hash, node);
        });
        assert_eq!(
            read_ordered_list(root, &preimages).unwrap(),
            items,
            "{count} items"
        );
        assert_eq!(LeafWalker::new(root, &preimages).count(), count);
    }
}

#[test]
fn non_list_tries_are_rejected() {
    // Indices 0 and 2: a gap.
    let mut trie = TrieNode::default();
    trie.insert(
        &ordered_list_key(0),
        Bytes::from_static(b"a"),
        &NoopTrieProvider,
    )
    .unwrap();
    trie.insert(
        &ordered_list_key(2),
        Bytes::from_static(b"c"),
        &NoopTrieProvider,
    )
    .unwrap();
    let root = trie.root();
    let mut preimages: HashMap<B256, Bytes> = HashMap::default();
    trie.for_each_preimage(&mut |hash, node| {
        preimages.insert(hash, node);
    });
    assert!(matches!(
        read_ordered_list(root, &preimages),
        Err(TrieError::InvalidOrderedList(_))
    ));

    // A key that is not canonical RLP of an integer (`0x00`).
    let mut trie = TrieNode::default();
    let key = koa_mpt::Nibbles::unpack([0x00u8]);
    trie.insert(&key, Bytes::from_static(b"a"), &NoopTrieProvider)
        .unwrap();
    let root = trie.root();
    let mut preimages: HashMap<B256, Bytes> = HashMap::default();
    trie.for_each_preimage(&mut |hash, node| {
        preimages.insert(hash, node);
    });
    assert!(matches!(
        read_ordered_list(root, &preimages),
        Err(TrieError::InvalidOrderedList(_))
    ));
}

/// Real OP Mainnet blocks: the root over the block's EIP-2718 transactions is the header's
/// `transactionsRoot`.
#[test]
fn real_block_transaction_roots() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/execution");
    let mut checked = 0;
    for entry in std::fs::read_dir(dir).expect("execution fixtures") {
        let path = entry.expect("dir entry").path().join("fixture.json");
        let fixture: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).expect("read fixture"))
                .expect("parse fixture");
        let Some(header) = fixture.get("expected_header") else {
            continue;
        };
        let transactions: Vec<Bytes> = fixture["payload_attributes"]["transactions"]
            .as_array()
            .expect("transactions")
            .iter()
            .map(|tx| Bytes::from(hex::decode(tx.as_str().expect("hex tx")).expect("hex")))
            .collect();
        let expected: B256 = header["transactionsRoot"]
            .as_str()
            .expect("root")
            .parse()
            .expect("hash");
        assert_eq!(
            ordered_trie_root(&transactions),
            expected,
            "{}",
            path.display()
        );
        checked += 1;
    }
    assert!(
        checked >= 4,
        "expected the OP Mainnet fixtures with headers"
    );
}
