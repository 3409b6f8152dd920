//! Real OP Stack state: open each fixture's parent state root blinded over its witness, read
//! predeploy accounts, and check that mutations undone restore the real state root.

use std::io::Read;

use alloy_primitives::{Address, B256, Bytes, U256, address, hex, keccak256, map::HashMap};
use alloy_rlp::{RlpDecodable, RlpEncodable};
use koa_mpt::{Nibbles, NoopTrieHinter, TrieNode};

fn fixtures() -> Vec<std::path::PathBuf> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/execution");
    let mut dirs: Vec<_> = std::fs::read_dir(dir)
        .expect("execution fixtures")
        .map(|entry| entry.expect("dir entry").path())
        .collect();
    dirs.sort();
    dirs
}

fn load(dir: &std::path::Path) -> (B256, HashMap<B256, Bytes>) {
    let fixture: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("fixture.json")).expect("read fixture"),
    )
    .expect("parse fixture");
    let state_root: B256 = fixture["parent_header"]["stateRoot"]
        .as_str()
        .expect("stateRoot")
        .parse()
        .expect("hash");
    let mut json = String::new();
    zstd::Decoder::new(std::fs::File::open(dir.join("preimages.json.zst")).expect("open"))
        .expect("zstd")
        .read_to_string(&mut json)
        .expect("decompress");
    let raw: std::collections::HashMap<String, String> =
        serde_json::from_str(&json).expect("parse preimages");
    let preimages = raw
        .into_iter()
        .map(|(hash, bytes)| {
            (
                hash.parse().expect("hash"),
                Bytes::from(hex::decode(bytes).expect("hex")),
            )
        })
        .collect();
    (state_root, preimages)
}

/// A state trie leaf: an account.
#[derive(Debug, Clone, Default, RlpEncodable, RlpDecodable)]
struct TrieAccount {
    nonce: u64,
    balance: U256,
    storage_root: B256,
    code_hash: B256,
}

/// The L1 attributes predeploy: every OP block's first transaction writes to it.
const L1_BLOCK: Address = address!("0x4200000000000000000000000000000000000015");

#[test]
fn reads_and_reverted_writes_keep_the_real_state_root() {
    let mut checked = 0;
    for dir in fixtures() {
        let (state_root, preimages) = load(&dir);
        let mut trie = TrieNode::new_blinded(state_root);

        let path = Nibbles::unpack(keccak256(L1_BLOCK));
        let account = trie
            .get(&path, &preimages)
            .expect("witness")
            .expect("L1Block exists")
            .clone();
        let decoded: TrieAccount =
            alloy_rlp::Decodable::decode(&mut account.as_ref()).expect("account rlp");
        assert_ne!(
            decoded.storage_root,
            koa_mpt::EMPTY_ROOT_HASH,
            "{}",
            dir.display()
        );
        assert_eq!(
            trie.root(),
            state_root,
            "reads keep the root: {}",
            dir.display()
        );

        // Change the account, then restore it.
        let mut changed = decoded;
        changed.nonce += 1;
        trie.insert(&path, Bytes::from(alloy_rlp::encode(changed)), &preimages)
            .unwrap();
        assert_ne!(trie.root(), state_root);
        trie.insert(&path, account, &preimages).unwrap();
        assert_eq!(trie.root(), state_root, "{}", dir.display());

        // Insert a fresh account next to L1Block (same path but the last nibble), splitting its
        // leaf, then delete it: the collapse needs only nodes already unblinded, and the root
        // comes back.
        let mut fresh_key = keccak256(L1_BLOCK);
        fresh_key[31] ^= 0x01;
        let fresh = Nibbles::unpack(fresh_key);
        assert_eq!(trie.get(&fresh, &preimages).unwrap(), None);
        trie.insert(
            &fresh,
            Bytes::from(alloy_rlp::encode(TrieAccount::default())),
            &preimages,
        )
        .unwrap();
        assert_ne!(trie.root(), state_root);
        assert!(trie.delete(&fresh, &preimages, &NoopTrieHinter).unwrap());
        assert_eq!(trie.root(), state_root, "{}", dir.display());
        checked += 1;
    }
    assert!(checked >= 10);
}
