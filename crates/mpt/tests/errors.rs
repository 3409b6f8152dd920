//! Typed errors: missing and corrupt preimages (also on the delete-collapse sibling fetch),
//! malformed nodes and over-long paths.

use std::cell::RefCell;

use alloy_primitives::{Address, B256, Bytes, U256, keccak256, map::HashMap};
use koa_mpt::{
    LeafWalker, Nibbles, NodeDecodeError, NoopTrieHinter, NoopTrieProvider, PreimageNotFound,
    TrieError, TrieHinter, TrieNode, TrieProvider,
};

type Preimages = HashMap<B256, Bytes>;

fn preimages_of(trie: &TrieNode) -> Preimages {
    let mut preimages = Preimages::default();
    trie.for_each_preimage(&mut |hash, node| {
        preimages.insert(hash, node);
    });
    preimages
}

/// A value long enough that its leaf is referenced by hash, not inlined.
fn long_value(tag: u8) -> Bytes {
    Bytes::from(vec![tag; 40])
}

/// Two leaves below a root branch, at nibbles 1 and 2, each referenced by hash, and the
/// preimages that reopen the trie from its root.
struct TwoLeaves {
    root: B256,
    preimages: Preimages,
    /// The key of the leaf at nibble 1, holding `long_value(1)`.
    a: Nibbles,
    /// The key of the leaf at nibble 2, holding `long_value(2)`.
    b: Nibbles,
    /// The hash of the leaf at nibble 1.
    a_hash: B256,
    /// The hash of the leaf at nibble 2.
    b_hash: B256,
}

impl TwoLeaves {
    fn new() -> Self {
        let a = Nibbles::unpack(B256::repeat_byte(0x11));
        let b = Nibbles::unpack(B256::repeat_byte(0x22));
        let mut trie = TrieNode::default();
        trie.insert(&a, long_value(1), &NoopTrieProvider).unwrap();
        trie.insert(&b, long_value(2), &NoopTrieProvider).unwrap();
        let root = trie.root();
        let TrieNode::Branch(branch) = &trie else {
            panic!("root is a branch")
        };
        let leaf_hash = |nibble: usize| {
            branch.children()[nibble]
                .clone()
                .reference()
                .as_hash()
                .expect("hashed leaf")
        };
        Self {
            root,
            preimages: preimages_of(&trie),
            a,
            b,
            a_hash: leaf_hash(1),
            b_hash: leaf_hash(2),
        }
    }

    /// The trie reopened from its root, nothing unblinded.
    fn reopened(&self) -> TrieNode {
        TrieNode::new_blinded(self.root)
    }
}

/// Records every hint it receives.
#[derive(Default)]
struct RecordingHinter {
    nodes: RefCell<Vec<B256>>,
}

impl TrieHinter for RecordingHinter {
    type Error = std::convert::Infallible;

    fn hint_trie_node(&self, hash: B256) -> Result<(), Self::Error> {
        self.nodes.borrow_mut().push(hash);
        Ok(())
    }

    fn hint_account_proof(&self, _: Address, _: u64) -> Result<(), Self::Error> {
        Ok(())
    }

    fn hint_storage_proof(&self, _: Address, _: U256, _: u64) -> Result<(), Self::Error> {
        Ok(())
    }
}

/// Serves fixed bytes for every hash.
struct LyingProvider(Bytes);

impl TrieProvider for LyingProvider {
    type Error = PreimageNotFound;

    fn trie_node_by_hash(&self, _hash: B256) -> Result<Bytes, Self::Error> {
        Ok(self.0.clone())
    }
}

#[test]
fn missing_root_preimage_names_the_root() {
    let trie = TwoLeaves::new();
    let error = trie
        .reopened()
        .get(&trie.a, &Preimages::default())
        .unwrap_err();
    match error {
        TrieError::MissingPreimage { hash, source } => {
            assert_eq!(hash, trie.root);
            assert_eq!(
                source.downcast_ref::<PreimageNotFound>(),
                Some(&PreimageNotFound(trie.root))
            );
        }
        other => panic!("expected MissingPreimage, got {other:?}"),
    }
}

#[test]
fn missing_leaf_preimage_names_the_leaf() {
    let trie = TwoLeaves::new();
    let mut preimages = trie.preimages.clone();
    preimages.remove(&trie.a_hash);

    match trie.reopened().get(&trie.a, &preimages).unwrap_err() {
        TrieError::MissingPreimage { hash, .. } => assert_eq!(hash, trie.a_hash),
        other => panic!("expected MissingPreimage, got {other:?}"),
    }
}

#[test]
fn corrupt_preimage_is_rejected() {
    let trie = TwoLeaves::new();
    // A valid node, but not the one committed to.
    let wrong = trie.preimages[&trie.b_hash].clone();
    assert_ne!(keccak256(&wrong), trie.root);

    match trie
        .reopened()
        .insert(&trie.b, long_value(3), &LyingProvider(wrong.clone()))
        .unwrap_err()
    {
        TrieError::CorruptPreimage { expected, actual } => {
            assert_eq!(expected, trie.root);
            assert_eq!(actual, keccak256(&wrong));
        }
        other => panic!("expected CorruptPreimage, got {other:?}"),
    }
    // The honest store still works.
    assert_eq!(
        trie.reopened().get(&trie.a, &trie.preimages).unwrap(),
        Some(&long_value(1))
    );
}

#[test]
fn delete_collapse_hints_and_fetches_the_sibling() {
    let trie = TwoLeaves::new();
    let hinter = RecordingHinter::default();
    let mut reopened = trie.reopened();
    assert!(reopened.delete(&trie.a, &trie.preimages, &hinter).unwrap());
    assert_eq!(hinter.nodes.borrow().as_slice(), &[trie.b_hash]);

    // The root is now the sibling leaf alone, with the full key.
    let mut expected = TrieNode::default();
    expected
        .insert(&trie.b, long_value(2), &NoopTrieProvider)
        .unwrap();
    assert_eq!(reopened.root(), expected.root());
    assert!(matches!(&reopened, TrieNode::Leaf(leaf) if *leaf.key() == trie.b));
}

#[test]
fn delete_collapse_with_missing_sibling_names_the_sibling() {
    let trie = TwoLeaves::new();
    let mut preimages = trie.preimages.clone();
    preimages.remove(&trie.b_hash);

    // Reading the deleted key works: the sibling is not on its path.
    let mut reopened = trie.reopened();
    assert_eq!(
        reopened.get(&trie.a, &preimages).unwrap(),
        Some(&long_value(1))
    );
    // Deleting it needs the sibling to collapse the branch.
    match reopened
        .delete(&trie.a, &preimages, &NoopTrieHinter)
        .unwrap_err()
    {
        TrieError::MissingPreimage { hash, .. } => assert_eq!(hash, trie.b_hash),
        other => panic!("expected MissingPreimage, got {other:?}"),
    }
}

#[test]
fn delete_collapse_with_corrupt_sibling_is_rejected() {
    let trie = TwoLeaves::new();
    let mut preimages = trie.preimages.clone();
    let bogus = Bytes::from_static(b"\xc2\x20\x01 definitely not the sibling");
    preimages.insert(trie.b_hash, bogus.clone());

    match trie
        .reopened()
        .delete(&trie.a, &preimages, &NoopTrieHinter)
        .unwrap_err()
    {
        TrieError::CorruptPreimage { expected, actual } => {
            assert_eq!(expected, trie.b_hash);
            assert_eq!(actual, keccak256(&bogus));
        }
        other => panic!("expected CorruptPreimage, got {other:?}"),
    }
}

/// Opens a one-node trie whose root preimage is `bytes` and reads from it.
fn open_single(bytes: &[u8]) -> TrieError {
    let mut preimages = Preimages::default();
    let hash = keccak256(bytes);
    preimages.insert(hash, Bytes::copy_from_slice(bytes));
    TrieNode::new_blinded(hash)
        .get(&Nibbles::unpack([0u8; 32]), &preimages)
        .unwrap_err()
}

#[test]
fn malformed_nodes_are_rejected() {
    let cases: &[(&[u8], NodeDecodeError)] = &[
        // A byte string, not a list.
        (b"\x83abc", NodeDecodeError::NotAList),
        // A list of three items.
        (b"\xc3\x01\x02\x03", NodeDecodeError::ItemCount(3)),
        // A leaf followed by a stray byte.
        (b"\xc2\x20\x01\x00", NodeDecodeError::TrailingBytes),
        // A path that is a list.
        (b"\xc3\xc1\x20\x01", NodeDecodeError::PathNotString),
        // Flag nibble 4 is not a compact-path flag.
        (b"\xc2\x40\x01", NodeDecodeError::PathFlag(0x40)),
        // Even-length leaf path with a non-zero padding nibble.
        (b"\xc2\x25\x01", NodeDecodeError::PathFlag(0x25)),
        // Extension with an empty path.
        (b"\xc3\x00\xc1\x01", NodeDecodeError::EmptyExtension),
        // Extension whose child is a 3-byte string: neither a hash nor an inline node.
        (b"\xc5\x11\x83abc", NodeDecodeError::ChildReference),
        // Leaf whose value is a list.
        (b"\xc3\x20\xc1\x01", NodeDecodeError::ValueNotString),
    ];
    for (bytes, expected) in cases {
        match open_single(bytes) {
            TrieError::MalformedNode(reason) => assert_eq!(&reason, expected, "{bytes:02x?}"),
            other => panic!("{bytes:02x?}: expected MalformedNode, got {other:?}"),
        }
    }
    // Truncated RLP.
    assert!(matches!(
        open_single(b"\xc5\x20\x01"),
        TrieError::MalformedNode(NodeDecodeError::Rlp(_))
    ));
    // An extension whose child is a 32-byte list: too long to be inlined, not a hash.
    let mut long_inline = vec![0xe1, 0x11, 0xdf];
    long_inline.extend_from_slice(&[0x01; 31]);
    assert!(matches!(
        open_single(&long_inline),
        TrieError::MalformedNode(NodeDecodeError::ChildReference)
    ));
    // A leaf path of 66 nibbles.
    let mut long_leaf = vec![0xe4, 0xa2, 0x20];
    long_leaf.extend_from_slice(&[0x11; 33]);
    long_leaf.push(0x01);
    assert!(matches!(
        open_single(&long_leaf),
        TrieError::MalformedNode(NodeDecodeError::PathTooLong)
    ));
}

/// A branch whose child leaf carries a full 64-nibble key, so that the leaf's full path would
/// be 65 nibbles: walking it, or collapsing the branch onto it, must fail without panicking.
#[test]
fn over_long_paths_are_invalid() {
    let mut preimages = Preimages::default();
    // Stores a hashed leaf's preimage and returns its reference.
    let mut store_leaf = |key: Nibbles, value: Bytes| {
        let mut leaf = TrieNode::leaf(key, value);
        preimages.extend(preimages_of(&leaf));
        leaf.reference()
    };
    let leaf_ref = store_leaf(Nibbles::unpack(B256::repeat_byte(0x33)), long_value(3));
    let other_ref = store_leaf(Nibbles::from_nibbles([0]), long_value(2));
    // Encode the branch: 16 children (1 = long leaf, 2 = other leaf) and an empty value.
    let mut payload = Vec::new();
    for i in 0..16 {
        match i {
            1 => payload.extend_from_slice(&leaf_ref),
            2 => payload.extend_from_slice(&other_ref),
            _ => payload.push(0x80),
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
    let root = keccak256(&encoded);
    preimages.insert(root, Bytes::from(encoded));

    let walked: Result<Vec<_>, _> = LeafWalker::new(root, &preimages).collect();
    assert!(
        matches!(walked, Err(TrieError::InvalidPath { len: 65 })),
        "{walked:?}"
    );

    let mut trie = TrieNode::new_blinded(root);
    let error = trie.delete(&Nibbles::from_nibbles([2, 0]), &preimages, &NoopTrieHinter);
    assert!(
        matches!(error, Err(TrieError::InvalidPath { len: 65 })),
        "{error:?}"
    );
}

#[test]
fn empty_values_are_refused() {
    let mut trie = TrieNode::default();
    let error = trie.insert(&Nibbles::unpack([1u8; 32]), Bytes::new(), &NoopTrieProvider);
    assert!(matches!(error, Err(TrieError::EmptyValue)));
    assert!(trie.is_empty());
}
