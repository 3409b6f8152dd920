//! Canyon's create2deployer deployment fires only in the block whose timestamp equals
//! `canyon_time` (op-geth's `EnsureCreate2Deployer`), never in a later block and never in the
//! first Canyon block when `canyon_time` falls between two blocks.

use alloy_consensus::{Header, Sealable, Sealed};
use alloy_primitives::{B256, U256, keccak256};
use alloy_trie::{EMPTY_ROOT_HASH, HashBuilder, Nibbles, TrieAccount};
use koa_executor::{
    OpPayloadAttributes, StatelessExecutor,
    canyon::{CREATE2_DEPLOYER_ADDRESS, CREATE2_DEPLOYER_CODE_HASH},
};
use koa_mpt::{NoopTrieHinter, NoopTrieProvider};
use koa_protocol::RollupConfig;

const BLOCK_TIME: u64 = 2;

/// An empty-state parent at `timestamp`.
fn parent(timestamp: u64) -> Sealed<Header> {
    Header {
        number: 9,
        timestamp,
        state_root: EMPTY_ROOT_HASH,
        gas_limit: 30_000_000,
        base_fee_per_gas: Some(1_000_000_000),
        ..Default::default()
    }
    .seal_slow()
}

/// A chain that is Regolith from genesis and activates Canyon at `canyon_time`.
fn config(canyon_time: u64) -> RollupConfig {
    RollupConfig {
        block_time: BLOCK_TIME,
        regolith_time: Some(0),
        canyon_time: Some(canyon_time),
        ..Default::default()
    }
}

/// Builds the empty block after `parent` on a chain with the given Canyon time; returns its
/// state root and the create2deployer's code hash in its post-state.
fn build(canyon_time: u64, parent: &Sealed<Header>) -> (B256, Option<B256>) {
    let config = config(canyon_time);
    let attributes = OpPayloadAttributes {
        timestamp: parent.timestamp + BLOCK_TIME,
        gas_limit: Some(30_000_000),
        ..Default::default()
    };
    let executor = StatelessExecutor::new(&config, NoopTrieProvider, NoopTrieHinter);
    let mut outcome = executor
        .execute(parent.inner(), parent.hash(), &attributes)
        .expect("block builds");
    let code_hash = outcome
        .state
        .code_hash(CREATE2_DEPLOYER_ADDRESS)
        .expect("state readable");
    (outcome.header.state_root, code_hash)
}

/// The state root of a state holding only the create2deployer (no nonce, balance or storage).
fn deployer_only_state_root() -> B256 {
    let account = TrieAccount {
        nonce: 0,
        balance: U256::ZERO,
        storage_root: EMPTY_ROOT_HASH,
        code_hash: CREATE2_DEPLOYER_CODE_HASH,
    };
    let mut builder = HashBuilder::default();
    builder.add_leaf(
        Nibbles::unpack(keccak256(CREATE2_DEPLOYER_ADDRESS)),
        &alloy_rlp::encode(account),
    );
    builder.root()
}

#[test]
fn deployed_exactly_at_canyon_time() {
    let (root, code_hash) = build(102, &parent(100));
    assert_eq!(code_hash, Some(CREATE2_DEPLOYER_CODE_HASH));
    assert_eq!(root, deployer_only_state_root());
    assert_ne!(root, EMPTY_ROOT_HASH);
}

#[test]
fn not_deployed_before_or_after_canyon_time() {
    // The block before activation, and the one after it (the parent lacks the deployer, yet
    // the rule does not fire again).
    for (canyon_time, parent_time) in [(102, 98), (102, 102)] {
        let (root, code_hash) = build(canyon_time, &parent(parent_time));
        assert_eq!(
            code_hash, None,
            "canyon {canyon_time}, parent {parent_time}"
        );
        assert_eq!(root, EMPTY_ROOT_HASH);
    }
}

#[test]
fn not_deployed_when_canyon_time_falls_between_blocks() {
    // Block 102 is the first Canyon block, but its timestamp is not `canyon_time`.
    assert!(config(101).is_first_canyon_block(102));
    let (root, code_hash) = build(101, &parent(100));
    assert_eq!(code_hash, None);
    assert_eq!(root, EMPTY_ROOT_HASH);
}
