//! The Ethereum test suite's trie tests (`testdata/trie/trietest.json`): raw (unhashed) keys,
//! applied in order, `null` deleting.

use alloy_primitives::{B256, Bytes, hex};
use koa_mpt::{Nibbles, NoopTrieHinter, NoopTrieProvider, TrieNode};
use serde_json::Value;

const TRIETEST: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../testdata/trie/trietest.json"
);

/// A key or value: hex after `0x`, else the ASCII bytes.
fn parse_bytes(text: &str) -> Vec<u8> {
    match text.strip_prefix("0x") {
        Some(digits) => hex::decode(digits).expect("hex in trietest.json"),
        None => text.as_bytes().to_vec(),
    }
}

/// One case of the suite: its operations (`None` deletes the key) and the expected root.
struct Case {
    name: String,
    operations: Vec<(Nibbles, Option<Bytes>)>,
    root: B256,
}

fn cases() -> Vec<Case> {
    let json = std::fs::read_to_string(TRIETEST).expect("read trietest.json");
    let cases: serde_json::Map<String, Value> = serde_json::from_str(&json).expect("parse json");
    assert!(cases.len() >= 4, "expected the suite's cases");
    cases
        .into_iter()
        .map(|(name, case)| {
            let operations = case["in"]
                .as_array()
                .expect("`in` is an array")
                .iter()
                .map(|pair| {
                    let key = parse_bytes(pair[0].as_str().expect("key is a string"));
                    let value = pair[1]
                        .as_str()
                        .map(|value| Bytes::from(parse_bytes(value)));
                    (Nibbles::unpack(key), value)
                })
                .collect();
            let root = case["root"]
                .as_str()
                .expect("root")
                .parse()
                .expect("root hash");
            Case {
                name,
                operations,
                root,
            }
        })
        .collect()
}

/// Applies `case` to an empty trie and returns the final root; with `intermediate_roots`, the
/// root is also computed after every operation, so that each later root depends on the cache
/// invalidation of the earlier mutations.
fn final_root(case: &Case, intermediate_roots: bool) -> B256 {
    let mut trie = TrieNode::default();
    for (key, value) in &case.operations {
        match value {
            Some(value) => trie.insert(key, value.clone(), &NoopTrieProvider).map(drop),
            None => trie
                .delete(key, &NoopTrieProvider, &NoopTrieHinter)
                .map(drop),
        }
        .unwrap_or_else(|e| panic!("{}: {key:?}: {e}", case.name));
        if intermediate_roots {
            trie.root();
        }
    }
    trie.root()
}

#[test]
fn ethereum_trie_tests() {
    for case in cases() {
        assert_eq!(final_root(&case, false), case.root, "case {}", case.name);
    }
}

/// The same cases, but with a root computation after every insert or delete.
#[test]
fn ethereum_trie_tests_with_intermediate_roots() {
    for case in cases() {
        assert_eq!(final_root(&case, true), case.root, "case {}", case.name);
    }
}
