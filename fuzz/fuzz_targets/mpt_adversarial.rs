//! Fuzzes the MPT over adversarial node sets. A trie is built honestly, its preimages handed
//! out through a provider the fuzzer corrupts (nodes dropped, replaced by garbage or by other
//! nodes, extra nodes added), and reopened from its root. Every read and write must either
//! fail with an error or agree with a model of the key-value map; when all succeed, the new
//! root must be the root of the model: a corrupt node set may cause an error, never a wrong
//! value or a wrong root. A second mode opens a root over entirely arbitrary nodes (each
//! stored under its own hash: malformed and inconsistent tries) and only requires errors
//! instead of panics, and that a read-only trie keeps its root.
#![no_main]

use std::collections::BTreeMap;

use alloy_primitives::{B256, Bytes, keccak256, map::HashMap};
use koa_mpt::{LeafWalker, Nibbles, NoopTrieHinter, NoopTrieProvider, TrieNode, read_ordered_list};
use libfuzzer_sys::{arbitrary::Unstructured, fuzz_target};

type Model = BTreeMap<[u8; 32], Vec<u8>>;

/// A 32-byte key: a few fuzzer bytes then a fixed tail, so keys share long prefixes (deep
/// extensions and branches) more often than random keys would.
fn key(u: &mut Unstructured<'_>, model: &Model) -> [u8; 32] {
    if !model.is_empty() && u.ratio(1, 2).unwrap_or(false) {
        let index = u.choose_index(model.len()).unwrap_or(0);
        return *model.keys().nth(index).unwrap();
    }
    let mut key = [0u8; 32];
    let head = u.int_in_range(0..=3).unwrap_or(0);
    for byte in key.iter_mut().take(head) {
        *byte = u.arbitrary().unwrap_or(0);
    }
    key[31] = u.arbitrary().unwrap_or(0) & 0x11;
    key
}

/// A non-empty value, short (inline nodes) or long (hashed nodes).
fn value(u: &mut Unstructured<'_>) -> Vec<u8> {
    let len = u.int_in_range(1..=40).unwrap_or(1);
    let mut value = vec![0u8; len];
    for byte in &mut value {
        *byte = u.arbitrary().unwrap_or(1);
    }
    value
}

fn root_of(model: &Model) -> B256 {
    let mut trie = TrieNode::default();
    for (k, v) in model {
        trie.insert(
            &Nibbles::unpack(k),
            Bytes::from(v.clone()),
            &NoopTrieProvider,
        )
        .expect("building from scratch needs no preimage");
    }
    trie.root()
}

fn preimages_of(trie: &TrieNode) -> HashMap<B256, Bytes> {
    let mut preimages = HashMap::default();
    trie.for_each_preimage(&mut |hash, node| {
        preimages.insert(hash, node);
    });
    preimages
}

fn corrupted(
    u: &mut Unstructured<'_>,
    mut preimages: HashMap<B256, Bytes>,
) -> HashMap<B256, Bytes> {
    let edits = u.int_in_range(0..=3).unwrap_or(0);
    for _ in 0..edits {
        let mut hashes: Vec<B256> = preimages.keys().copied().collect();
        hashes.sort();
        let op: u8 = u.arbitrary().unwrap_or(0);
        if hashes.is_empty() {
            break;
        }
        let target = hashes[u.choose_index(hashes.len()).unwrap_or(0)];
        match op % 4 {
            0 => {
                preimages.remove(&target);
            }
            1 => {
                let len = u.int_in_range(0..=80).unwrap_or(0);
                let garbage: Vec<u8> = (0..len).map(|_| u.arbitrary().unwrap_or(0)).collect();
                preimages.insert(target, Bytes::from(garbage));
            }
            2 => {
                let other = hashes[u.choose_index(hashes.len()).unwrap_or(0)];
                let node = preimages[&other].clone();
                preimages.insert(target, node);
            }
            _ => {
                let len = u.int_in_range(0..=80).unwrap_or(0);
                let extra: Vec<u8> = (0..len).map(|_| u.arbitrary().unwrap_or(0)).collect();
                preimages.insert(keccak256(&extra), Bytes::from(extra));
            }
        }
    }
    preimages
}

fn honest_root_mode(u: &mut Unstructured<'_>) {
    let mut model = Model::new();
    for _ in 0..u.int_in_range(0..=24).unwrap_or(0) {
        let k = key(u, &model);
        let v = value(u);
        model.insert(k, v);
    }
    let mut built = TrieNode::default();
    for (k, v) in &model {
        built
            .insert(
                &Nibbles::unpack(k),
                Bytes::from(v.clone()),
                &NoopTrieProvider,
            )
            .unwrap();
    }
    let root = built.root();
    assert_eq!(root, root_of(&model));
    let provider = corrupted(u, preimages_of(&built));

    let mut trie = TrieNode::new_blinded(root);
    for _ in 0..u.int_in_range(0..=16).unwrap_or(0) {
        let k = key(u, &model);
        let path = Nibbles::unpack(k);
        let op: u8 = u.arbitrary().unwrap_or(0);
        let ok = match op % 3 {
            0 => match trie.get(&path, &provider) {
                Ok(found) => {
                    assert_eq!(
                        found.map(|v| v.to_vec()),
                        model.get(&k).cloned(),
                        "wrong value"
                    );
                    true
                }
                Err(_) => false,
            },
            1 => {
                let v = value(u);
                match trie.insert(&path, Bytes::from(v.clone()), &provider) {
                    Ok(changed) => {
                        assert_eq!(changed, model.get(&k) != Some(&v));
                        model.insert(k, v);
                        true
                    }
                    Err(_) => false,
                }
            }
            _ => match trie.delete(&path, &provider, &NoopTrieHinter) {
                Ok(present) => {
                    assert_eq!(present, model.remove(&k).is_some());
                    true
                }
                Err(_) => false,
            },
        };
        if !ok {
            // After an error the trie may be partly modified: it is discarded.
            return;
        }
    }
    assert_eq!(trie.root(), root_of(&model), "wrong root");
}

fn arbitrary_nodes_mode(u: &mut Unstructured<'_>) {
    let mut provider: HashMap<B256, Bytes> = HashMap::default();
    let mut first = None;
    for _ in 0..u.int_in_range(1..=8).unwrap_or(1) {
        let len = u.int_in_range(0..=120).unwrap_or(0);
        let node: Vec<u8> = (0..len).map(|_| u.arbitrary().unwrap_or(0)).collect();
        let hash = keccak256(&node);
        first.get_or_insert(hash);
        provider.insert(hash, Bytes::from(node));
    }
    let root = first.unwrap();
    // Walking and reading as a list end in an error or a result, never a panic.
    let _ = LeafWalker::new(root, &provider).take(64).count();
    let _ = read_ordered_list(root, &provider);

    let mut trie = TrieNode::new_blinded(root);
    let model = Model::new();
    let mut written = false;
    for _ in 0..u.int_in_range(0..=8).unwrap_or(0) {
        let k = key(u, &model);
        let path = Nibbles::unpack(k);
        let result = match u.arbitrary::<u8>().unwrap_or(0) % 3 {
            0 => trie.get(&path, &provider).map(|_| ()),
            1 => {
                let v = Bytes::from(value(u));
                written = true;
                trie.insert(&path, v.clone(), &provider)
                    .map(|_| ())
                    .and_then(|()| {
                        let got = trie.get(&path, &provider)?;
                        assert_eq!(got, Some(&v), "a value just inserted reads back");
                        Ok(())
                    })
            }
            _ => {
                written = true;
                trie.delete(&path, &provider, &NoopTrieHinter).map(|_| ())
            }
        };
        if result.is_err() {
            return;
        }
    }
    if !written {
        assert_eq!(trie.root(), root, "reading changed the root");
    }
}

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    if u.arbitrary::<bool>().unwrap_or(true) {
        honest_root_mode(&mut u);
    } else {
        arbitrary_nodes_mode(&mut u);
    }
});
