//! Unit tests over an in-memory oracle: caching and hints, verification of every preimage
//! kind the providers read, boot info, the L1 chain walk and the L2 store's start.

use alloc::{string::String, vec::Vec};
use alloy_consensus::{Eip658Value, Header, Receipt, ReceiptEnvelope, ReceiptWithBloom};
use alloy_eips::{eip2718::Encodable2718, eip4844::kzg_to_versioned_hash};
use alloy_primitives::{B256, Bytes, keccak256, map::HashMap};
use core::cell::{Cell, RefCell};
use koa_derive::{
    BlobProvider, BlockInfo, ChainProvider, L2ChainProvider, traits::IndexedBlobHash,
};
use koa_mpt::{NoopTrieProvider, TrieNode, ordered_list_key};
use koa_preimage::{HintWriterClient, PreimageKey, PreimageOracleClient, PreimageOracleError};
use koa_protocol::OutputRoot;

use crate::{
    DataKind, PreimageError, ProofOracle,
    blob::{OracleBlobProvider, TrustedBlobs, blob_evaluation_points},
    boot::BootInfo,
    l1::OracleL1Chain,
    l2::L2Store,
};

/// An oracle serving a map, counting requests.
#[derive(Debug, Default)]
pub(crate) struct MemOracle {
    pub(crate) map: HashMap<PreimageKey, Vec<u8>>,
    pub(crate) requests: Cell<u64>,
}

impl MemOracle {
    pub(crate) fn insert_keccak(&mut self, bytes: &[u8]) -> B256 {
        let hash = keccak256(bytes);
        self.map
            .insert(PreimageKey::keccak256(hash), bytes.to_vec());
        hash
    }
}

impl PreimageOracleClient for MemOracle {
    fn get(&self, key: PreimageKey) -> Result<Vec<u8>, PreimageOracleError> {
        self.requests.set(self.requests.get() + 1);
        // The in-process host answers a missing key with a closed stream.
        self.map
            .get(&key)
            .cloned()
            .ok_or(PreimageOracleError::UnexpectedEof {
                expected: 8,
                received: 0,
            })
    }
}

/// A hint channel that records what it is sent.
#[derive(Debug, Default)]
pub(crate) struct Hints(pub(crate) RefCell<Vec<String>>);

impl HintWriterClient for Hints {
    fn hint(&self, hint: &str) -> Result<(), PreimageOracleError> {
        self.0.borrow_mut().push(hint.into());
        Ok(())
    }
}

#[test]
fn a_preimage_is_fetched_once_after_one_hint() {
    let mut mem = MemOracle::default();
    let hash = mem.insert_keccak(b"node");
    let oracle = ProofOracle::new(mem, Hints::default());
    let hint = crate::Hint::L2StateNode {
        hash,
        chain_id: None,
    };
    for _ in 0..3 {
        assert_eq!(
            oracle
                .keccak(DataKind::TrieNode, hash, Some(&hint))
                .unwrap()
                .as_ref(),
            b"node"
        );
    }
    let stats = oracle.stats();
    assert_eq!(
        (stats.preimages, stats.bytes, stats.hints, stats.cache_hits),
        (1, 4, 1, 2)
    );
}

#[test]
fn a_tampered_keccak_preimage_is_named_and_not_cached() {
    let mut mem = MemOracle::default();
    let hash = keccak256(b"header");
    mem.map
        .insert(PreimageKey::keccak256(hash), b"HEADER".to_vec());
    let oracle = ProofOracle::new(mem, Hints::default());
    let error = oracle.keccak(DataKind::L1Header, hash, None).unwrap_err();
    assert_eq!(
        error,
        PreimageError::Corrupt {
            kind: DataKind::L1Header,
            key: PreimageKey::keccak256(hash),
            actual: keccak256(b"HEADER")
        }
    );
    // Not cached: asking again asks the host again.
    let _ = oracle.keccak(DataKind::L1Header, hash, None);
    assert_eq!(oracle.stats().preimages, 2);
    assert_eq!(oracle.take_error(), Some(error));
}

#[test]
fn a_missing_preimage_names_its_key() {
    let oracle = ProofOracle::new(MemOracle::default(), Hints::default());
    let hash = B256::repeat_byte(7);
    match oracle.keccak(DataKind::Code, hash, None).unwrap_err() {
        PreimageError::Missing { kind, key, .. } => {
            assert_eq!((kind, key), (DataKind::Code, PreimageKey::keccak256(hash)));
        }
        other => panic!("unexpected {other:?}"),
    }
}

/// Local keys 1-5 for OP Mainnet (chain 10, embedded in the registry).
fn boot_keys(mem: &mut MemOracle, chain_id: u64) {
    mem.map.insert(PreimageKey::local(1), [1u8; 32].to_vec());
    mem.map.insert(PreimageKey::local(2), [2u8; 32].to_vec());
    mem.map.insert(PreimageKey::local(3), [3u8; 32].to_vec());
    mem.map
        .insert(PreimageKey::local(4), 1234u64.to_be_bytes().to_vec());
    mem.map
        .insert(PreimageKey::local(5), chain_id.to_be_bytes().to_vec());
}

#[test]
fn boot_info_of_a_registry_chain_reads_no_config_keys() {
    let mut mem = MemOracle::default();
    boot_keys(&mut mem, 10);
    let oracle = ProofOracle::new(mem, Hints::default());
    let boot = BootInfo::load(&oracle).unwrap();
    assert_eq!(boot.l1_head, B256::repeat_byte(1));
    assert_eq!(boot.agreed_l2_output_root, B256::repeat_byte(2));
    assert_eq!(boot.claimed_l2_output_root, B256::repeat_byte(3));
    assert_eq!(boot.claimed_l2_block_number, 1234);
    assert_eq!(boot.rollup_config, koa_registry::rollup_config(10).unwrap());
    assert_eq!(boot.l1_chain_config.chain_id, 1);
    assert_eq!(oracle.stats().preimages, 5, "keys 6 and 7 are not read");
}

#[test]
fn boot_info_of_an_unknown_chain_needs_key_6() {
    let mut mem = MemOracle::default();
    boot_keys(&mut mem, 0x7a69_7a69);
    let oracle = ProofOracle::new(mem, Hints::default());
    match BootInfo::load(&oracle).unwrap_err() {
        crate::BootError::Preimage(PreimageError::Missing { key, .. }) => {
            assert_eq!(key, PreimageKey::local(6))
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn boot_info_rejects_a_short_key() {
    let mut mem = MemOracle::default();
    boot_keys(&mut mem, 10);
    mem.map.insert(PreimageKey::local(4), alloc::vec![0; 4]);
    let oracle = ProofOracle::new(mem, Hints::default());
    assert_eq!(
        BootInfo::load(&oracle).unwrap_err(),
        crate::BootError::Length {
            index: 4,
            expected: 8,
            actual: 4
        }
    );
}

/// Stores the ordered-list trie of `items` and returns its root.
fn store_list(mem: &mut MemOracle, items: &[Vec<u8>]) -> B256 {
    let mut trie = TrieNode::default();
    for (i, item) in items.iter().enumerate() {
        trie.insert(
            &ordered_list_key(i),
            Bytes::from(item.clone()),
            &NoopTrieProvider,
        )
        .unwrap();
    }
    let root = trie.root();
    trie.for_each_preimage(&mut |hash, node| {
        mem.map.insert(PreimageKey::keccak256(hash), node.to_vec());
    });
    root
}

/// Three linked L1 headers (0, 1, 2); block 1 has two receipts. Returns the hashes.
fn l1_chain(mem: &mut MemOracle) -> [B256; 3] {
    let receipts: Vec<Vec<u8>> = (0..2u64)
        .map(|i| {
            let receipt = Receipt {
                status: Eip658Value::Eip658(true),
                cumulative_gas_used: 21_000 * (i + 1),
                logs: alloc::vec![],
            };
            ReceiptEnvelope::Eip1559(ReceiptWithBloom::from(receipt)).encoded_2718()
        })
        .collect();
    let receipts_root = store_list(mem, &receipts);
    let mut parent = B256::ZERO;
    let mut hashes = [B256::ZERO; 3];
    for number in 0..3u64 {
        let header = Header {
            number,
            parent_hash: parent,
            timestamp: 1_000 + 12 * number,
            receipts_root: if number == 1 {
                receipts_root
            } else {
                koa_mpt::EMPTY_ROOT_HASH
            },
            ..Default::default()
        };
        parent = mem.insert_keccak(&alloy_rlp::encode(&header));
        hashes[number as usize] = parent;
    }
    hashes
}

#[test]
fn l1_blocks_by_number_walk_back_from_the_head() {
    let mut mem = MemOracle::default();
    let hashes = l1_chain(&mut mem);
    let oracle = ProofOracle::new(mem, Hints::default());
    let mut chain = OracleL1Chain::new(&oracle, hashes[2]).unwrap();
    let genesis: BlockInfo = chain.block_info_by_number(0).unwrap();
    assert_eq!((genesis.number, genesis.hash), (0, hashes[0]));
    assert_eq!(chain.block_info_by_number(1).unwrap().hash, hashes[1]);
    assert!(chain.block_info_by_number(3).is_err(), "after the L1 head");
    let receipts = chain.receipts_by_hash(hashes[1]).unwrap();
    assert_eq!(
        receipts
            .iter()
            .map(|r| r.cumulative_gas_used)
            .collect::<Vec<_>>(),
        [21_000, 42_000]
    );
    let hints = oracle_hints(&oracle);
    assert!(hints.iter().any(|h| h.starts_with("l1-block-header ")));
    assert!(hints.iter().any(|h| h.starts_with("l1-receipts ")));
}

fn oracle_hints(oracle: &ProofOracle<MemOracle, Hints>) -> Vec<String> {
    oracle.hinter().0.borrow().clone()
}

#[test]
fn a_tampered_l1_receipt_node_is_named() {
    let mut mem = MemOracle::default();
    let hashes = l1_chain(&mut mem);
    // Flip a byte in every receipt trie node.
    let header: Header =
        alloy_rlp::Decodable::decode(&mut mem.map[&PreimageKey::keccak256(hashes[1])].as_slice())
            .unwrap();
    let root_key = PreimageKey::keccak256(header.receipts_root);
    let node = mem.map.get_mut(&root_key).unwrap();
    let last = node.len() - 1;
    node[last] ^= 1;
    let oracle = ProofOracle::new(mem, Hints::default());
    let mut chain = OracleL1Chain::new(&oracle, hashes[2]).unwrap();
    match chain.receipts_by_hash(hashes[1]).unwrap_err() {
        PreimageError::Corrupt { kind, key, .. } => {
            assert_eq!((kind, key), (DataKind::L1Receipt, root_key))
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn an_l1_header_with_the_wrong_number_breaks_the_walk() {
    let mut mem = MemOracle::default();
    // Block "1" claims number 5: its hash is right, its place in the chain is not.
    let genesis = mem.insert_keccak(&alloy_rlp::encode(Header::default()));
    let bad = mem.insert_keccak(&alloy_rlp::encode(Header {
        number: 5,
        parent_hash: genesis,
        ..Default::default()
    }));
    let head = mem.insert_keccak(&alloy_rlp::encode(Header {
        number: 2,
        parent_hash: bad,
        ..Default::default()
    }));
    let oracle = ProofOracle::new(mem, Hints::default());
    let mut chain = OracleL1Chain::new(&oracle, head).unwrap();
    match chain.block_info_by_number(0).unwrap_err() {
        PreimageError::Invalid { kind, key, .. } => assert_eq!(
            (kind, key),
            (DataKind::L1Header, PreimageKey::keccak256(bad))
        ),
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn the_l2_store_starts_at_the_agreed_output_roots_block() {
    let mut mem = MemOracle::default();
    let genesis = Header {
        number: 0,
        state_root: B256::repeat_byte(9),
        ..Default::default()
    };
    let genesis_hash = mem.insert_keccak(&alloy_rlp::encode(&genesis));
    let header = Header {
        number: 1,
        parent_hash: genesis_hash,
        state_root: B256::repeat_byte(0xaa),
        ..Default::default()
    };
    let hash = mem.insert_keccak(&alloy_rlp::encode(&header));
    let output = OutputRoot {
        state_root: header.state_root,
        message_passer_storage_root: B256::repeat_byte(0xbb),
        block_hash: hash,
    };
    let root = mem.insert_keccak(&output.encode());
    let config = koa_protocol::RollupConfig::default();
    let oracle = ProofOracle::new(mem, Hints::default());
    let mut store = L2Store::new(&oracle, &config, root).unwrap();
    assert_eq!(store.tip().hash(), hash);
    assert_eq!(store.tip_output_root(), root);
    assert_eq!(store.header(0).unwrap().hash(), genesis_hash);
    // Block 2 is not executed yet.
    assert!(store.transactions_by_number(2).is_err());
}

#[test]
fn a_tampered_output_root_is_named() {
    let mut mem = MemOracle::default();
    let root = keccak256([0u8; 128]);
    mem.map
        .insert(PreimageKey::keccak256(root), alloc::vec![1u8; 128]);
    let config = koa_protocol::RollupConfig::default();
    let oracle = ProofOracle::new(mem, Hints::default());
    match L2Store::new(&oracle, &config, root).unwrap_err() {
        PreimageError::Corrupt { kind, key, .. } => assert_eq!(
            (kind, key),
            (DataKind::OutputRoot, PreimageKey::keccak256(root))
        ),
        other => panic!("unexpected {other:?}"),
    }
}

/// Stores a blob (element i = i as a field element) under an arbitrary 48-byte commitment and
/// returns its versioned hash.
fn store_blob(mem: &mut MemOracle, commitment: [u8; 48]) -> B256 {
    let versioned = kzg_to_versioned_hash(&commitment);
    mem.map
        .insert(PreimageKey::sha256(versioned), commitment.to_vec());
    for (i, z) in blob_evaluation_points().iter().enumerate() {
        let mut input = [0u8; 80];
        input[..48].copy_from_slice(&commitment);
        input[48..].copy_from_slice(z.as_slice());
        let mut element = [0u8; 32];
        element[24..].copy_from_slice(&(i as u64).to_be_bytes());
        mem.map.insert(
            PreimageKey::new(keccak256(input).0, koa_preimage::PreimageKeyType::Blob),
            element.to_vec(),
        );
    }
    versioned
}

#[test]
fn a_blob_is_read_element_by_element_after_one_hint() {
    let mut mem = MemOracle::default();
    let versioned = store_blob(&mut mem, [0x11; 48]);
    let oracle = ProofOracle::new(mem, Hints::default());
    let mut blobs = OracleBlobProvider::new(&oracle, TrustedBlobs);
    let block = BlockInfo {
        timestamp: 77,
        ..Default::default()
    };
    let got = blobs
        .blobs(
            &block,
            &[IndexedBlobHash {
                index: 3,
                hash: versioned,
            }],
        )
        .unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].commitment.0, [0x11; 48]);
    assert_eq!(&got[0].blob[4095 * 32 + 30..4096 * 32], &[0x0f, 0xff]);
    assert_eq!(oracle.stats().hints, 1);
    assert_eq!(oracle.stats().preimages, 4097);
}

#[test]
fn a_tampered_blob_commitment_and_element_are_named() {
    let mut mem = MemOracle::default();
    let versioned = store_blob(&mut mem, [0x11; 48]);
    mem.map
        .insert(PreimageKey::sha256(versioned), alloc::vec![0x12; 48]);
    let oracle = ProofOracle::new(mem, Hints::default());
    let mut blobs = OracleBlobProvider::new(&oracle, TrustedBlobs);
    let err = blobs
        .blobs(
            &BlockInfo::default(),
            &[IndexedBlobHash {
                index: 0,
                hash: versioned,
            }],
        )
        .unwrap_err();
    assert_eq!(err.kind(), Some(DataKind::BlobCommitment));

    // An element outside the field.
    let mut mem = MemOracle::default();
    let versioned = store_blob(&mut mem, [0x11; 48]);
    let key = mem
        .map
        .keys()
        .copied()
        .find(|k| k.key_type() == koa_preimage::PreimageKeyType::Blob)
        .unwrap();
    mem.map.insert(key, alloc::vec![0xff; 32]);
    let oracle = ProofOracle::new(mem, Hints::default());
    let mut blobs = OracleBlobProvider::new(&oracle, TrustedBlobs);
    match blobs
        .blobs(
            &BlockInfo::default(),
            &[IndexedBlobHash {
                index: 0,
                hash: versioned,
            }],
        )
        .unwrap_err()
    {
        PreimageError::Invalid { kind, key: k, .. } => {
            assert_eq!((kind, k), (DataKind::BlobElement, key))
        }
        other => panic!("unexpected {other:?}"),
    }
}
