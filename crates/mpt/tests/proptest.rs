//! Property tests: after any sequence of inserts and deletes — on a fresh trie or on one reopened
//! blinded from its root hash — the root equals the root `alloy_trie::HashBuilder` computes over
//! the final key/value set, every key reads back, and the walker lists exactly that set.

use std::collections::BTreeMap;

use alloy_primitives::{B256, Bytes, keccak256, map::HashMap};
use alloy_trie::HashBuilder;
use koa_mpt::{LeafWalker, Nibbles, NoopTrieHinter, NoopTrieProvider, TrieNode};
use proptest::prelude::*;

type Model = BTreeMap<Vec<u8>, Vec<u8>>;

/// The reference root: a `HashBuilder` fed the model's leaves in key order.
fn reference_root(model: &Model) -> B256 {
    let mut builder = HashBuilder::default();
    for (key, value) in model {
        builder.add_leaf(Nibbles::unpack(key), value);
    }
    builder.root()
}

/// Keys of 3 bytes drawn from a tiny alphabet, so that keys share long prefixes and deletes
/// collapse branches and merge extensions at every depth.
fn clustered_key() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(
        prop::sample::select(vec![0x00u8, 0x01, 0x10, 0x11, 0xf0, 0xff]),
        3,
    )
}

/// Keys hashed like state and storage keys: 32 bytes, from a small pool so deletes hit.
fn hashed_key() -> impl Strategy<Value = Vec<u8>> {
    (0u16..96).prop_map(|n| keccak256(n.to_be_bytes()).to_vec())
}

/// Values from 1 to 48 bytes: leaves both shorter (inline) and longer (hashed) than 32 bytes.
fn value() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(any::<u8>(), 1..48)
}

/// An insert (`Some(value)`) or a delete (`None`) of `key`.
type Op = (Vec<u8>, Option<Vec<u8>>);

fn ops(key: impl Strategy<Value = Vec<u8>>, max: usize) -> impl Strategy<Value = Vec<Op>> {
    prop::collection::vec((key, prop::option::weighted(0.6, value())), 0..max)
}

/// Applies `ops` to both the trie and the model, computing the root every `root_every` ops.
fn apply<P: koa_mpt::TrieProvider>(
    trie: &mut TrieNode,
    model: &mut Model,
    ops: &[Op],
    provider: &P,
    root_every: usize,
) -> Result<(), TestCaseError> {
    for (i, (key, value)) in ops.iter().enumerate() {
        let path = Nibbles::unpack(key);
        match value {
            Some(value) => {
                let previous = model.insert(key.clone(), value.clone());
                let changed = trie
                    .insert(&path, Bytes::from(value.clone()), provider)
                    .unwrap();
                prop_assert_eq!(changed, previous.as_ref() != Some(value));
            }
            None => {
                let removed = trie.delete(&path, provider, &NoopTrieHinter).unwrap();
                prop_assert_eq!(removed, model.remove(key).is_some());
            }
        }
        if root_every != 0 && i % root_every == 0 {
            prop_assert_eq!(trie.root(), reference_root(model));
        }
    }
    Ok(())
}

/// Checks root, reads and the walker against the model.
fn check<P: koa_mpt::TrieProvider>(
    trie: &mut TrieNode,
    model: &Model,
    provider: &P,
) -> Result<(), TestCaseError> {
    let root = trie.root();
    prop_assert_eq!(root, reference_root(model));
    for (key, value) in model {
        let got = trie.get(&Nibbles::unpack(key), provider).unwrap();
        prop_assert_eq!(got.map(|v| v.to_vec()), Some(value.clone()));
    }
    // Reads do not change the root (unblinding keeps the caches valid).
    prop_assert_eq!(trie.root(), root);

    let mut preimages: HashMap<B256, Bytes> = HashMap::default();
    trie.for_each_preimage(&mut |hash, node| {
        preimages.insert(hash, node);
    });
    let walked: Vec<(Vec<u8>, Vec<u8>)> = LeafWalker::new(root, &preimages)
        .map(|leaf| leaf.map(|(key, value)| (key.pack().to_vec(), value.to_vec())))
        .collect::<Result<_, _>>()
        .unwrap();
    let expected: Vec<(Vec<u8>, Vec<u8>)> = model.clone().into_iter().collect();
    prop_assert_eq!(walked, expected);
    Ok(())
}

/// Builds a trie from `initial`, stores its preimages, and reopens it from the root hash alone.
fn reopen_blinded(initial: &[Op], model: &mut Model) -> (TrieNode, HashMap<B256, Bytes>) {
    let mut built = TrieNode::default();
    apply(&mut built, model, initial, &NoopTrieProvider, 0).unwrap();
    let root = built.root();
    let mut preimages: HashMap<B256, Bytes> = HashMap::default();
    built.for_each_preimage(&mut |hash, node| {
        preimages.insert(hash, node);
    });
    (TrieNode::new_blinded(root), preimages)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn fresh_trie_matches_hash_builder_clustered(ops in ops(clustered_key(), 120)) {
        let mut trie = TrieNode::default();
        let mut model = Model::new();
        apply(&mut trie, &mut model, &ops, &NoopTrieProvider, 7)?;
        check(&mut trie, &model, &NoopTrieProvider)?;
    }

    #[test]
    fn fresh_trie_matches_hash_builder_hashed(ops in ops(hashed_key(), 200)) {
        let mut trie = TrieNode::default();
        let mut model = Model::new();
        apply(&mut trie, &mut model, &ops, &NoopTrieProvider, 11)?;
        check(&mut trie, &model, &NoopTrieProvider)?;
    }

    #[test]
    fn blinded_trie_matches_hash_builder_clustered(
        initial in ops(clustered_key(), 80),
        mutations in ops(clustered_key(), 80),
    ) {
        let mut model = Model::new();
        let (mut trie, preimages) = reopen_blinded(&initial, &mut model);
        prop_assert_eq!(trie.root(), reference_root(&model));
        apply(&mut trie, &mut model, &mutations, &preimages, 5)?;
        check(&mut trie, &model, &preimages)?;
    }

    #[test]
    fn blinded_trie_matches_hash_builder_hashed(
        initial in ops(hashed_key(), 160),
        mutations in ops(hashed_key(), 160),
    ) {
        let mut model = Model::new();
        let (mut trie, preimages) = reopen_blinded(&initial, &mut model);
        apply(&mut trie, &mut model, &mutations, &preimages, 13)?;
        check(&mut trie, &model, &preimages)?;
    }

    /// Deleting every key of a reopened trie, in random order, ends at the empty root; each
    /// intermediate root matches, so every collapse along the way is exercised blinded.
    #[test]
    fn blinded_trie_deleted_to_empty(
        initial in ops(clustered_key(), 60),
        seed in any::<u64>(),
    ) {
        let mut model = Model::new();
        let (mut trie, preimages) = reopen_blinded(&initial, &mut model);
        let mut keys: Vec<Vec<u8>> = model.keys().cloned().collect();
        // A cheap deterministic shuffle driven by the seed.
        let len = keys.len();
        for i in 0..len {
            let j = (seed.wrapping_mul(6364136223846793005).wrapping_add(i as u64) as usize) % len;
            keys.swap(i, j);
        }
        for key in keys {
            prop_assert!(trie.delete(&Nibbles::unpack(&key), &preimages, &NoopTrieHinter).unwrap());
            model.remove(&key);
            prop_assert_eq!(trie.root(), reference_root(&model));
        }
        prop_assert_eq!(trie.root(), koa_mpt::EMPTY_ROOT_HASH);
        prop_assert!(trie.is_empty());
    }

    /// `blind` followed by reads through the preimages keeps root and contents.
    #[test]
    fn blind_and_reopen_round_trips(initial in ops(hashed_key(), 60)) {
        let mut model = Model::new();
        let mut trie = TrieNode::default();
        apply(&mut trie, &mut model, &initial, &NoopTrieProvider, 0)?;
        let mut preimages: HashMap<B256, Bytes> = HashMap::default();
        trie.for_each_preimage(&mut |hash, node| {
            preimages.insert(hash, node);
        });
        let root = trie.root();
        trie.blind();
        prop_assert_eq!(trie.root(), root);
        check(&mut trie, &model, &preimages)?;
    }
}

/// Keys of 0 to 3 bytes, so that some keys are prefixes of others and branches carry values.
fn prefix_key() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(prop::sample::select(vec![0x00u8, 0x01, 0x10, 0xff]), 0..4)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// With keys that prefix one another (which `HashBuilder` cannot take), the root depends only
    /// on the final key/value set: a trie mutated through any history, blinded or not, equals the
    /// trie that inserts just the final set, and the walker lists that set in key order.
    #[test]
    fn prefix_keys_root_is_history_independent(
        initial in ops(prefix_key(), 40),
        mutations in ops(prefix_key(), 60),
    ) {
        let mut model = Model::new();
        let (mut trie, preimages) = reopen_blinded(&initial, &mut model);
        apply(&mut trie, &mut model, &mutations, &preimages, 0)?;

        let mut fresh = TrieNode::default();
        for (key, value) in model.iter().rev() {
            fresh.insert(&Nibbles::unpack(key), Bytes::from(value.clone()), &NoopTrieProvider).unwrap();
        }
        let root = trie.root();
        prop_assert_eq!(root, fresh.root());

        // Subtries the mutations never reached are still blinded: their preimages are the
        // initial ones.
        let mut stored: HashMap<B256, Bytes> = preimages.clone();
        trie.for_each_preimage(&mut |hash, node| {
            stored.insert(hash, node);
        });
        let walked: Vec<(Vec<u8>, Vec<u8>)> = LeafWalker::new(root, &stored)
            .map(|leaf| leaf.map(|(key, value)| (key.pack().to_vec(), value.to_vec())))
            .collect::<Result<_, _>>()
            .unwrap();
        let expected: Vec<(Vec<u8>, Vec<u8>)> = model.into_iter().collect();
        prop_assert_eq!(walked, expected);
    }
}
