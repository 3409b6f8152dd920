//! Code read from the state is interpreted as geth interprets it, and the parent header is
//! checked against the hash the caller expects.
//!
//! geth treats code as an EIP-7702 delegation only when it is exactly `0xef0100 ‖ address`
//! (`types.ParseDelegation`: 23 bytes, that 3-byte prefix); any other code, even when it starts
//! with `0xef01`, runs as legacy code, whose first byte `0xef` is `INVALID`. revm's
//! `Bytecode::new_raw` panicked on such code, and a panic loses the game.

use alloy_consensus::Header;
use alloy_eips::eip2718::Encodable2718;
use alloy_primitives::{Address, B64, B256, Bytes, TxKind, U256, address, keccak256, map::HashMap};
use alloy_trie::{EMPTY_ROOT_HASH, HashBuilder, Nibbles, TrieAccount, proof::ProofRetainer};
use koa_executor::{ExecutorError, OpPayloadAttributes, StatelessExecutor};
use koa_mpt::NoopTrieHinter;
use koa_protocol::{RollupConfig, TxList};
use op_alloy_consensus::{OpReceiptEnvelope, TxDeposit};
use revm::Database;

/// The account the deposit calls, holding the code under test.
const CALLEE: Address = address!("0x00000000000000000000000000000000000c0de1");
/// A plain contract a delegation can point at: `sstore(0, 42)`.
const TARGET: Address = address!("0x00000000000000000000000000000000000c0de2");
const TARGET_CODE: [u8; 6] = [0x60, 0x2a, 0x60, 0x00, 0x55, 0x00];
const DEPOSIT_GAS: u64 = 100_000;
const PARENT_TIME: u64 = 1_000;
const BLOCK_TIME: u64 = 2;

/// A parent state holding `code` at [`CALLEE`] and [`TARGET_CODE`] at [`TARGET`]: its root and
/// every preimage (trie nodes and code) a provider must serve.
fn state(code: &[u8]) -> (B256, HashMap<B256, Bytes>) {
    let mut preimages = HashMap::default();
    let mut leaves: Vec<(Nibbles, Vec<u8>)> = [(CALLEE, code), (TARGET, &TARGET_CODE[..])]
        .into_iter()
        .map(|(address, code)| {
            let code_hash = keccak256(code);
            preimages.insert(code_hash, Bytes::copy_from_slice(code));
            let account = TrieAccount {
                nonce: 1,
                balance: U256::ZERO,
                storage_root: EMPTY_ROOT_HASH,
                code_hash,
            };
            (
                Nibbles::unpack(keccak256(address)),
                alloy_rlp::encode(account),
            )
        })
        .collect();
    leaves.sort_by_key(|leaf| leaf.0);
    let retainer = ProofRetainer::from_iter(leaves.iter().map(|(path, _)| *path));
    let mut builder = HashBuilder::default().with_proof_retainer(retainer);
    for (path, value) in &leaves {
        builder.add_leaf(*path, value);
    }
    let root = builder.root();
    for (_, node) in builder.take_proof_nodes().into_inner() {
        preimages.insert(keccak256(&node), node);
    }
    (root, preimages)
}

/// Bedrock to Granite from genesis; Holocene and Isthmus (EIP-7702) from `isthmus_time`.
fn config(isthmus_time: u64) -> RollupConfig {
    let mut config = RollupConfig {
        block_time: BLOCK_TIME,
        regolith_time: Some(0),
        canyon_time: Some(0),
        delta_time: Some(0),
        ecotone_time: Some(0),
        fjord_time: Some(0),
        granite_time: Some(0),
        holocene_time: Some(isthmus_time),
        isthmus_time: Some(isthmus_time),
        ..Default::default()
    };
    config.chain_op_config.eip1559_elasticity = 6;
    config.chain_op_config.eip1559_denominator = 50;
    config.chain_op_config.eip1559_denominator_canyon = 250;
    config
}

fn parent(state_root: B256) -> Header {
    Header {
        number: 7,
        timestamp: PARENT_TIME,
        state_root,
        gas_limit: 30_000_000,
        base_fee_per_gas: Some(1_000_000),
        ..Default::default()
    }
}

/// One block whose only transaction is a deposit calling [`CALLEE`].
fn attributes() -> OpPayloadAttributes {
    let deposit = TxDeposit {
        source_hash: B256::repeat_byte(0x11),
        from: address!("0x00000000000000000000000000000000000000aa"),
        to: TxKind::Call(CALLEE),
        mint: 0,
        value: U256::ZERO,
        gas_limit: DEPOSIT_GAS,
        is_system_transaction: false,
        input: Bytes::new(),
    };
    OpPayloadAttributes {
        timestamp: PARENT_TIME + BLOCK_TIME,
        gas_limit: Some(30_000_000),
        parent_beacon_block_root: Some(B256::ZERO),
        eip1559_params: Some(B64::from(0x0000_00fa_0000_0006_u64)),
        transactions: TxList::try_from_iter([deposit.encoded_2718()]).unwrap(),
        ..Default::default()
    }
}

/// Executes the deposit against `code` at [`CALLEE`]; returns the receipt and [`CALLEE`]'s
/// slot 0 afterwards.
fn run(code: &[u8], isthmus_time: u64) -> (OpReceiptEnvelope, U256) {
    let (root, preimages) = state(code);
    let config = config(isthmus_time);
    let parent = parent(root);
    let executor = StatelessExecutor::new(&config, &preimages, NoopTrieHinter);
    let mut outcome = executor
        .execute(&parent, parent.hash_slow(), &attributes())
        .expect("the block builds");
    let slot = outcome
        .state
        .storage(CALLEE, U256::ZERO)
        .expect("state read");
    let receipt = outcome.receipts.pop().expect("one receipt");
    (receipt, slot)
}

fn delegation_to(target: Address) -> Vec<u8> {
    [&[0xef, 0x01, 0x00][..], target.as_slice()].concat()
}

/// Code that starts with `0xef01` but is not a delegation designator runs as legacy code:
/// `INVALID` at the first byte, so the deposit fails and uses all its gas, before and after
/// EIP-7702 activates.
#[test]
fn no_block_follows_a_parent_numbered_u64_max() {
    let (root, preimages) = state(&[]);
    // Before Holocene, so the parent needs no extraData.
    let config = config(u64::MAX);
    let parent = Header {
        number: u64::MAX,
        ..parent(root)
    };
    let executor = StatelessExecutor::new(&config, &preimages, NoopTrieHinter);
    let Err(error) = executor.execute(&parent, parent.hash_slow(), &attributes()) else {
        panic!("no block after u64::MAX");
    };
    assert!(
        matches!(
            error,
            ExecutorError::Attributes(koa_executor::AttributesError::ParentIsLastBlock)
        ),
        "{error:?}"
    );
}

#[test]
fn ef01_code_that_is_not_a_delegation_runs_as_legacy() {
    let designator = delegation_to(TARGET);
    let mut wrong_version = designator.clone();
    wrong_version[2] = 0x01;
    let mut too_long = designator.clone();
    too_long.push(0x00);
    let cases: [(&str, Vec<u8>); 5] = [
        ("bare prefix", vec![0xef, 0x01]),
        ("prefix and version only", vec![0xef, 0x01, 0x00]),
        ("22 bytes", designator[..22].to_vec()),
        ("24 bytes", too_long),
        ("version 1", wrong_version),
    ];
    for (name, code) in cases {
        for isthmus_time in [PARENT_TIME + BLOCK_TIME, u64::MAX] {
            let (receipt, slot) = run(&code, isthmus_time);
            assert!(!receipt.status(), "{name}: the call must hit INVALID");
            assert_eq!(receipt.cumulative_gas_used(), DEPOSIT_GAS, "{name}");
            assert_eq!(slot, U256::ZERO, "{name}");
        }
    }
}

/// The exact designator still delegates under Isthmus: the target's code runs in the
/// callee's context.
#[test]
fn delegation_designator_runs_the_target_code() {
    let (receipt, slot) = run(&delegation_to(TARGET), PARENT_TIME + BLOCK_TIME);
    assert!(receipt.status());
    assert_eq!(slot, U256::from(42));
    assert!(receipt.cumulative_gas_used() < DEPOSIT_GAS);
}

/// Before Isthmus (OP's Prague) a designator is plain legacy code, as geth's `resolveCode` has
/// it (delegations are followed only under Prague rules): the call hits `INVALID` at `0xef`.
#[test]
fn delegation_designator_before_isthmus_runs_as_legacy() {
    let (receipt, slot) = run(&delegation_to(TARGET), u64::MAX);
    assert!(!receipt.status(), "the call must hit INVALID");
    assert_eq!(receipt.cumulative_gas_used(), DEPOSIT_GAS);
    assert_eq!(slot, U256::ZERO);
}

/// The parent header is re-hashed: a hash it does not have is refused, whatever the header.
#[test]
fn parent_header_must_match_the_expected_hash() {
    let (root, preimages) = state(&TARGET_CODE);
    let config = config(u64::MAX);
    let parent = parent(root);
    let executor = StatelessExecutor::new(&config, &preimages, NoopTrieHinter);
    let hash = parent.hash_slow();

    let outcome = executor
        .execute(&parent, hash, &attributes())
        .expect("the block builds on the right parent");
    assert_eq!(outcome.header.parent_hash, hash);

    let wrong = B256::repeat_byte(0x42);
    match executor.execute(&parent, wrong, &attributes()) {
        Err(ExecutorError::ParentHashMismatch { expected, actual }) => {
            assert_eq!(expected, wrong);
            assert_eq!(actual, hash);
        }
        other => panic!("expected a parent hash mismatch, got {other:?}"),
    }

    // A header altered after hashing (as a lying `Sealed` would carry) is refused too.
    let mut forged = parent.clone();
    forged.number += 1;
    assert!(matches!(
        executor.execute(&forged, hash, &attributes()),
        Err(ExecutorError::ParentHashMismatch { .. })
    ));
}
