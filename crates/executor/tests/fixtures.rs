//! Every block in `testdata/execution/` must build exactly its expected block hash, and a
//! missing or corrupt preimage must surface as a typed error naming the hash.

use std::{
    cell::RefCell,
    collections::BTreeSet,
    convert::Infallible,
    path::{Path, PathBuf},
};

use alloy_primitives::{Address, B256, Bytes, U256, keccak256};
use koa_executor::{ExecutorError, StateError, StatelessExecutor};
use koa_fixture::{Fixture, RecordingProvider};
use koa_mpt::{NoopTrieHinter, TrieError, TrieHinter};
use koa_protocol::predeploys::L1_BLOCK;

fn fixtures_dir() -> PathBuf {
    Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../testdata/execution"
    ))
    .to_path_buf()
}

fn load(name: &str) -> Fixture {
    Fixture::load(&fixtures_dir().join(name)).expect("fixture loads")
}

#[test]
fn every_fixture_builds_its_expected_block() {
    let dirs = Fixture::discover(&fixtures_dir()).expect("fixtures present");
    assert_eq!(dirs.len(), 14);
    for dir in dirs {
        let fixture = Fixture::load(&dir).expect("fixture loads");
        let provider = RecordingProvider::new(&fixture.preimages);
        let config = &fixture.file.rollup_config;
        let executor = StatelessExecutor::new(config, &provider, NoopTrieHinter);
        let outcome = executor
            .execute(
                &fixture.file.parent_header,
                fixture.parent().hash(),
                &fixture.file.payload_attributes,
            )
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        assert_eq!(
            outcome.header.number,
            fixture.file.l2_block_number,
            "{}",
            dir.display()
        );
        assert_eq!(
            outcome.header.hash(),
            fixture.file.expected_block_hash,
            "{}: header {:#?}",
            dir.display(),
            outcome.header.inner()
        );
        assert_eq!(
            outcome.receipts.len(),
            fixture.file.payload_attributes.transactions.len()
        );
        assert!(provider.used() > 0);
    }
}

/// Runs `fixture` until it fails; the run must fail.
fn execute_err(fixture: &Fixture) -> ExecutorError {
    let config = &fixture.file.rollup_config;
    let executor = StatelessExecutor::new(config, &fixture.preimages, NoopTrieHinter);
    executor
        .execute(
            &fixture.file.parent_header,
            fixture.parent().hash(),
            &fixture.file.payload_attributes,
        )
        .expect_err("execution must fail")
}

#[test]
fn missing_state_root_preimage_is_a_typed_error() {
    let mut fixture = load("op-mainnet-120794432");
    let root = fixture.file.parent_header.state_root;
    assert!(fixture.preimages.remove(&root).is_some());
    match execute_err(&fixture) {
        ExecutorError::State(StateError::Trie(TrieError::MissingPreimage { hash, .. })) => {
            assert_eq!(hash, root)
        }
        other => panic!("unexpected error: {other}"),
    }
}

#[test]
fn corrupt_preimage_is_a_typed_error() {
    let mut fixture = load("op-sepolia-22880574");
    let root = fixture.file.parent_header.state_root;
    let node = fixture.preimages.get_mut(&root).expect("root node present");
    let mut bytes = node.to_vec();
    if let Some(last) = bytes.last_mut() {
        *last ^= 1;
    }
    let actual = keccak256(&bytes);
    *node = Bytes::from(bytes);
    match execute_err(&fixture) {
        ExecutorError::State(StateError::Trie(TrieError::CorruptPreimage {
            expected,
            actual: got,
        })) => {
            assert_eq!(expected, root);
            assert_eq!(got, actual);
        }
        other => panic!("unexpected error: {other}"),
    }
}

#[test]
fn missing_bytecode_is_a_typed_error() {
    // Remove every preimage that is contract code (a value that is not a trie node: trie nodes
    // are RLP lists, code seldom decodes as one). Find them by what execution reports.
    let mut fixture = load("op-mainnet-120794432");
    let code_hashes: Vec<B256> = fixture
        .preimages
        .iter()
        .filter(|(_, bytes)| bytes.first().is_some_and(|b| *b < 0xc0))
        .map(|(hash, _)| *hash)
        .collect();
    assert!(!code_hashes.is_empty(), "fixture holds bytecode");
    for hash in &code_hashes {
        fixture.preimages.remove(hash);
    }
    match execute_err(&fixture) {
        ExecutorError::State(StateError::MissingPreimage { hash, .. }) => {
            assert!(code_hashes.contains(&hash))
        }
        other => panic!("unexpected error: {other}"),
    }
}

/// A [`TrieHinter`] that records every storage proof hint.
#[derive(Debug, Default)]
struct StorageHints(RefCell<Vec<(Address, U256, u64)>>);

impl TrieHinter for StorageHints {
    type Error = Infallible;

    fn hint_trie_node(&self, _hash: B256) -> Result<(), Self::Error> {
        Ok(())
    }

    fn hint_account_proof(&self, _address: Address, _block_number: u64) -> Result<(), Self::Error> {
        Ok(())
    }

    fn hint_storage_proof(
        &self,
        address: Address,
        slot: U256,
        block_number: u64,
    ) -> Result<(), Self::Error> {
        self.0.borrow_mut().push((address, slot, block_number));
        Ok(())
    }
}

/// A host serves a storage proof per hinted slot, so every slot the block reads from the parent
/// state must be hinted, each once and at the parent's number. The L1 attributes deposit (every
/// fixture is Ecotone or later) writes L1Block slots 0-4 and 7; writing a slot reads it first.
#[test]
fn every_storage_slot_read_is_hinted() {
    for dir in Fixture::discover(&fixtures_dir()).expect("fixtures present") {
        let fixture = Fixture::load(&dir).expect("fixture loads");
        let hints = StorageHints::default();
        let config = &fixture.file.rollup_config;
        let executor = StatelessExecutor::new(config, &fixture.preimages, &hints);
        let parent = fixture.parent();
        executor
            .execute(
                parent.inner(),
                parent.hash(),
                &fixture.file.payload_attributes,
            )
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()));

        let hints = hints.0.into_inner();
        let distinct: BTreeSet<(Address, U256)> = hints
            .iter()
            .map(|(address, slot, number)| {
                assert_eq!(*number, parent.number, "{}", dir.display());
                (*address, *slot)
            })
            .collect();
        assert_eq!(
            distinct.len(),
            hints.len(),
            "{}: a slot hinted twice",
            dir.display()
        );
        for slot in [0u64, 1, 2, 3, 4, 7] {
            assert!(
                distinct.contains(&(L1_BLOCK, U256::from(slot))),
                "{}: L1Block slot {slot} not hinted",
                dir.display()
            );
        }
    }
}

/// A [`TrieHinter`] that records which hint each preimage was announced with.
#[derive(Debug, Default)]
struct KindHints {
    nodes: RefCell<Vec<B256>>,
    code: RefCell<Vec<B256>>,
    headers: RefCell<Vec<B256>>,
}

impl TrieHinter for KindHints {
    type Error = Infallible;

    fn hint_trie_node(&self, hash: B256) -> Result<(), Self::Error> {
        self.nodes.borrow_mut().push(hash);
        Ok(())
    }

    fn hint_account_proof(&self, _address: Address, _block_number: u64) -> Result<(), Self::Error> {
        Ok(())
    }

    fn hint_storage_proof(&self, _: Address, _: U256, _: u64) -> Result<(), Self::Error> {
        Ok(())
    }

    fn hint_code(&self, hash: B256) -> Result<(), Self::Error> {
        self.code.borrow_mut().push(hash);
        Ok(())
    }

    fn hint_header(&self, hash: B256) -> Result<(), Self::Error> {
        self.headers.borrow_mut().push(hash);
        Ok(())
    }
}

/// Bytecode is announced as code (kona's `l2-code`), never as a trie node, so a host can fetch
/// it by code hash; every hinted code hash is one the block really loads.
#[test]
fn bytecode_is_hinted_as_code() {
    let fixture = load("op-mainnet-120794432");
    let hints = KindHints::default();
    let executor = StatelessExecutor::new(&fixture.file.rollup_config, &fixture.preimages, &hints);
    let parent = fixture.parent();
    executor
        .execute(
            parent.inner(),
            parent.hash(),
            &fixture.file.payload_attributes,
        )
        .expect("fixture executes");
    let code = hints.code.into_inner();
    assert!(!code.is_empty(), "the block runs contract code");
    for hash in &code {
        let bytes = fixture
            .preimages
            .get(hash)
            .expect("hinted code is in the fixture");
        assert!(
            bytes.first().is_none_or(|b| *b < 0xc0),
            "{hash} is code, not an RLP node"
        );
    }
    for hash in hints.nodes.into_inner() {
        assert!(
            !code.contains(&hash),
            "{hash} hinted as code and as a trie node"
        );
    }
    assert!(hints.headers.into_inner().iter().all(|h| !code.contains(h)));
}
