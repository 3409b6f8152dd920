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

#[test]
fn ethereum_trie_tests() {
    let json = std::fs::read_to_string(TRIETEST).expect("read trietest.json");
    let cases: serde_json::Map<String, Value> = serde_json::from_str(&json).expect("parse json");
    assert!(cases.len() >= 4, "expected the suite's cases");

    for (name, case) in &cases {
        let mut trie = TrieNode::default();
        let pairs = case["in"].as_array().expect("`in` is an array");
        for pair in pairs {
            let key = Nibbles::unpack(parse_bytes(pair[0].as_str().expect("key is a string")));
            match pair[1].as_str() {
                Some(value) => {
                    trie.insert(&key, Bytes::from(parse_bytes(value)), &NoopTrieProvider)
                        .unwrap_or_else(|e| panic!("{name}: insert failed: {e}"));
                }
                None => {
                    trie.delete(&key, &NoopTrieProvider, &NoopTrieHinter)
                        .unwrap_or_else(|e| panic!("{name}: delete failed: {e}"));
                }
            }
        }
        let expected: B256 = case["root"]
            .as_str()
            .expect("root")
            .parse()
            .expect("root hash");
        assert_eq!(trie.root(), expected, "case {name}");
    }
}

/// The same cases, but every insert/delete is followed by a root computation, so each later
/// root depends on the cache invalidation of the earlier mutations.
#[test]
fn ethereum_trie_tests_with_intermediate_roots() {
    let json = std::fs::read_to_string(TRIETEST).expect("read trietest.json");
    let cases: serde_json::Map<String, Value> = serde_json::from_str(&json).expect("parse json");
    for (name, case) in &cases {
        let mut trie = TrieNode::default();
        for pair in case["in"].as_array().expect("`in` is an array") {
            let key = Nibbles::unpack(parse_bytes(pair[0].as_str().expect("key is a string")));
            match pair[1].as_str() {
                Some(value) => {
                    trie.insert(&key, Bytes::from(parse_bytes(value)), &NoopTrieProvider)
                        .expect("insert");
                }
                None => {
                    trie.delete(&key, &NoopTrieProvider, &NoopTrieHinter)
                        .expect("delete");
                }
            }
            let _ = trie.root();
        }
        let expected: B256 = case["root"]
            .as_str()
            .expect("root")
            .parse()
            .expect("root hash");
        assert_eq!(trie.root(), expected, "case {name}");
    }
}
