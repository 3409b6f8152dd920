//! End to end: a synthetic L1 chain with a batcher transaction, a deposit and a config
//! update, derived from a reset at L2 genesis.

use alloy_consensus::{Eip658Value, Header, Receipt, SignableTransaction, TxEip1559, TxEnvelope};
use alloy_eips::{eip1898::BlockNumHash, eip2718::Decodable2718};
use alloy_primitives::{
    Address, B64, B256, Bytes, Log, LogData, Signature, TxKind, U256, address, keccak256,
};
use k256::ecdsa::SigningKey;
use koa_protocol::{
    BlockInfo, ChainGenesis, L1BlockInfoTx, L1ChainConfig, L2BlockInfo, RollupConfig, SystemConfig,
    TxList,
    batch::{Batch, SingularBatch},
    config::CONFIG_UPDATE_TOPIC,
    deposits::{DEPOSIT_EVENT_TOPIC, user_deposits},
    frame::{ChannelId, Frame, encode_frames},
    upgrades::encode_deposit,
};
use koa_protocol::{Hardfork, predeploys::SEQUENCER_FEE_VAULT};
use op_alloy_consensus::OpTxEnvelope;

use koa_derive::{
    AttributesWithParent,
    pipeline::{DerivationPipeline, StepResult},
    test_utils::{TestBlobProvider, TestChainProvider, TestL1Block, TestL2Provider},
};

const INBOX: Address = address!("ff00000000000000000000000000000000000010");
const PORTAL: Address = address!("beb5fc579115071764c7423a4f12edde41f106ed");
const SYSTEM_CONFIG: Address = address!("229047fed2591dbec1ef1118d64f7af3db9eb290");
const L1_GENESIS_TIME: u64 = 1_700_000_000;
const NEW_GAS_LIMIT: u64 = 45_000_000;

fn batcher_key() -> SigningKey {
    SigningKey::from_slice(&[0x42; 32]).unwrap()
}

fn address_of(key: &SigningKey) -> Address {
    Address::from_public_key(key.verifying_key())
}

fn rollup_config(batcher: Address) -> RollupConfig {
    RollupConfig {
        genesis: ChainGenesis {
            l1: BlockNumHash::default(),
            l2: BlockNumHash {
                number: 0,
                hash: l2_hash(0),
            },
            l2_time: L1_GENESIS_TIME,
            system_config: SystemConfig {
                batcher_address: batcher,
                gas_limit: 30_000_000,
                eip1559_params: B64::new([0, 0, 0, 250, 0, 0, 0, 6]),
                ..Default::default()
            },
        },
        block_time: 2,
        max_sequencer_drift: 600,
        seq_window_size: 4,
        channel_timeout: 10,
        l1_chain_id: 1,
        l2_chain_id: 10,
        batch_inbox_address: INBOX,
        deposit_contract_address: PORTAL,
        l1_system_config_address: SYSTEM_CONFIG,
        ..RollupConfig::with_forks_at_genesis(Hardfork::Holocene)
    }
}

fn l2_hash(number: u64) -> B256 {
    keccak256(number.to_be_bytes())
}

fn header(number: u64, parent_hash: B256) -> Header {
    Header {
        number,
        parent_hash,
        timestamp: L1_GENESIS_TIME + 12 * number,
        mix_hash: keccak256([b"randao".as_slice(), &number.to_be_bytes()].concat()),
        base_fee_per_gas: Some(7),
        excess_blob_gas: Some(0),
        blob_gas_used: Some(0),
        parent_beacon_block_root: Some(B256::repeat_byte(number as u8 + 1)),
        ..Default::default()
    }
}

fn receipt(logs: Vec<Log>) -> Receipt {
    Receipt {
        status: Eip658Value::Eip658(true),
        cumulative_gas_used: 21_000,
        logs,
    }
}

/// `TransactionDeposited(from, to, 0, opaque)` with a 1 ETH mint to `to`.
fn deposit_log() -> Log {
    let from = address!("1111111111111111111111111111111111111111");
    let to = address!("2222222222222222222222222222222222222222");
    let mut opaque = Vec::new();
    opaque.extend_from_slice(&U256::from(10u64.pow(18)).to_be_bytes::<32>());
    opaque.extend_from_slice(&U256::from(10u64.pow(18)).to_be_bytes::<32>());
    opaque.extend_from_slice(&100_000u64.to_be_bytes());
    opaque.push(0);
    let mut data = vec![0u8; 64];
    data[31] = 32;
    data[56..64].copy_from_slice(&(opaque.len() as u64).to_be_bytes());
    data.extend_from_slice(&opaque);
    data.resize(64 + opaque.len().div_ceil(32) * 32, 0);
    Log {
        address: PORTAL,
        data: LogData::new_unchecked(
            vec![
                DEPOSIT_EVENT_TOPIC,
                from.into_word(),
                to.into_word(),
                B256::ZERO,
            ],
            data.into(),
        ),
    }
}

/// `ConfigUpdate(0, GAS_LIMIT, abi.encode(NEW_GAS_LIMIT))`.
fn gas_limit_update_log() -> Log {
    let mut data = vec![0u8; 96];
    data[31] = 32;
    data[63] = 32;
    data[88..96].copy_from_slice(&NEW_GAS_LIMIT.to_be_bytes());
    Log {
        address: SYSTEM_CONFIG,
        data: LogData::new_unchecked(
            vec![CONFIG_UPDATE_TOPIC, B256::ZERO, B256::with_last_byte(2)],
            data.into(),
        ),
    }
}

fn batcher_tx(key: &SigningKey, nonce: u64, input: Vec<u8>) -> TxEnvelope {
    let tx = TxEip1559 {
        chain_id: 1,
        nonce,
        gas_limit: 1_000_000,
        max_fee_per_gas: 10,
        max_priority_fee_per_gas: 1,
        to: TxKind::Call(INBOX),
        input: input.into(),
        ..Default::default()
    };
    let (sig, recid) = key
        .sign_prehash_recoverable(tx.signature_hash().as_slice())
        .unwrap();
    let signature = Signature::from_signature_and_parity(sig, recid.is_y_odd());
    TxEnvelope::Eip1559(tx.into_signed(signature))
}

fn channel_data(batches: &[SingularBatch]) -> Vec<u8> {
    let mut rlp = Vec::new();
    for batch in batches {
        Batch::Singular(batch.clone()).encode_for_channel(&mut rlp);
    }
    let compressed = miniz_oxide::deflate::compress_to_vec_zlib(&rlp, 6);
    encode_frames(&[Frame::new(
        ChannelId::new([7; 16]),
        0,
        compressed.into(),
        true,
    )])
}

struct World {
    rollup_config: RollupConfig,
    l1: Vec<BlockInfo>,
    chain: TestChainProvider,
}

/// L1 blocks 0..=10. Block 1 holds a deposit and a gas limit update; block 2 the batcher
/// transaction with batches for L2 blocks 1..=7 (blocks 1-5 in epoch 0, 6-7 in epoch 1).
fn world(holocene: bool) -> World {
    let key = batcher_key();
    let mut rollup_config = rollup_config(address_of(&key));
    if !holocene {
        rollup_config.holocene_time = None;
    }
    let mut chain = TestChainProvider::default();
    let mut l1 = Vec::new();
    let mut parent = B256::ZERO;
    for number in 0..=10u64 {
        let mut block = TestL1Block {
            header: header(number, parent),
            ..Default::default()
        };
        if number == 1 {
            block.receipts = vec![
                receipt(vec![deposit_log()]),
                receipt(vec![gas_limit_update_log()]),
            ];
        }
        if number == 2 {
            let batches: Vec<SingularBatch> = (1..=7u64)
                .map(|n| {
                    let epoch = &l1[if n < 6 { 0 } else { 1 }];
                    let epoch: &BlockInfo = epoch;
                    SingularBatch {
                        parent_hash: l2_hash(n - 1),
                        epoch_num: epoch.number,
                        epoch_hash: epoch.hash,
                        timestamp: L1_GENESIS_TIME + 2 * n,
                        transactions: TxList::try_from_iter([[0x02, n as u8, 0xaa]]).unwrap(),
                    }
                })
                .collect();
            // A transaction from someone else to the inbox must be ignored.
            let stranger = SigningKey::from_slice(&[0x13; 32]).unwrap();
            block.transactions = vec![
                batcher_tx(&stranger, 0, vec![0, 1, 2, 3]),
                batcher_tx(&key, 0, channel_data(&batches)),
            ];
            block.receipts = vec![receipt(vec![]), receipt(vec![])];
        }
        let info = chain.push(block);
        parent = info.hash;
        l1.push(info);
    }
    World {
        rollup_config,
        l1,
        chain,
    }
}

/// Stands in for the engine: the new safe head from the attributes.
fn execute(attrs: &AttributesWithParent, rollup_config: &RollupConfig) -> L2BlockInfo {
    let number = attrs.parent.block_info.number + 1;
    let txs = &attrs.attributes.transactions;
    let OpTxEnvelope::Deposit(deposit) =
        OpTxEnvelope::decode_2718(&mut txs.first().unwrap()).unwrap()
    else {
        panic!("first transaction is not the L1 info deposit");
    };
    let info = L1BlockInfoTx::decode_for_timestamp(
        rollup_config,
        attrs.attributes.timestamp,
        &deposit.inner().input,
    )
    .unwrap();
    L2BlockInfo {
        block_info: BlockInfo {
            hash: l2_hash(number),
            number,
            parent_hash: attrs.parent.block_info.hash,
            timestamp: attrs.attributes.timestamp,
        },
        l1_origin: info.l1_origin(),
        seq_num: info.sequence_number(),
    }
}

/// The L2 genesis block of every world here: L1 origin L1 block 0.
fn l2_genesis(l1: &[BlockInfo]) -> L2BlockInfo {
    L2BlockInfo {
        block_info: BlockInfo {
            hash: l2_hash(0),
            number: 0,
            parent_hash: B256::ZERO,
            timestamp: L1_GENESIS_TIME,
        },
        l1_origin: l1[0].id(),
        seq_num: 0,
    }
}

/// The pipeline type of the e2e tests.
type TestPipeline = DerivationPipeline<TestChainProvider, TestL2Provider, TestBlobProvider>;

/// A pipeline reset at L2 genesis, reading L1 up to block 10.
fn pipeline_from_genesis(
    rollup_config: &RollupConfig,
    l1: &[BlockInfo],
    chain: TestChainProvider,
) -> TestPipeline {
    let mut l2 = TestL2Provider::default();
    l2.blocks.insert(0, l2_genesis(l1));
    l2.system_configs
        .insert(0, rollup_config.genesis.system_config);
    let mut pipeline = DerivationPipeline::new(
        rollup_config.clone(),
        L1ChainConfig::MAINNET,
        Some(10),
        chain,
        l2,
        TestBlobProvider::default(),
    );
    pipeline.reset(l2_genesis(l1)).unwrap();
    pipeline
}

#[test]
fn e2e_derives_batches_deposits_and_deposit_only_blocks_holocene() {
    e2e_derives_batches_deposits_and_deposit_only_blocks(true);
}

#[test]
fn e2e_derives_batches_deposits_and_deposit_only_blocks_pre_holocene() {
    e2e_derives_batches_deposits_and_deposit_only_blocks(false);
}

fn e2e_derives_batches_deposits_and_deposit_only_blocks(holocene: bool) {
    let World {
        rollup_config,
        l1,
        chain,
    } = world(holocene);
    let genesis = l2_genesis(&l1);
    let mut pipeline = pipeline_from_genesis(&rollup_config, &l1, chain.clone());

    let mut safe = genesis;
    let mut produced: Vec<AttributesWithParent> = Vec::new();
    for _ in 0..500 {
        match pipeline.step(safe) {
            StepResult::PreparedAttributes(attrs) => {
                assert_eq!(attrs.parent, safe);
                safe = execute(&attrs, &rollup_config);
                pipeline.l2.blocks.insert(safe.block_info.number, safe);
                if safe.seq_num == 0 && safe.l1_origin.number == 1 {
                    // The first block of epoch 1 applied the gas limit update.
                    let updated = SystemConfig {
                        gas_limit: NEW_GAS_LIMIT,
                        ..rollup_config.genesis.system_config
                    };
                    pipeline
                        .l2
                        .system_configs
                        .insert(safe.block_info.number, updated);
                }
                produced.push(*attrs);
            }
            StepResult::Progressed | StepResult::AdvancedOrigin(_) => {}
            StepResult::EndOfSource => break,
            StepResult::Failed(error) => panic!("pipeline failed: {error}"),
        }
    }

    // L1 block 10 is the head: epochs 0..=5 are past their windows (epoch + 4 < 10)...
    // Epoch e's window ends at L1 block e + 4: once the origin (at most L1 head 10) reaches
    // it with no batch left, empty batches are forced. Epochs up to 6 are forced, each filled
    // up to the slot before the next epoch's L1 time: the last is L2 block 41 (time 82 < 84).
    assert_eq!(produced.len(), 41, "blocks derived up to the L1 head");
    let timestamps: Vec<u64> = produced.iter().map(|a| a.attributes.timestamp).collect();
    let expected: Vec<u64> = (1..=produced.len() as u64)
        .map(|n| L1_GENESIS_TIME + 2 * n)
        .collect();
    assert_eq!(timestamps, expected, "one block per slot, no gaps");

    let epoch1_receipts = chain.blocks[&l1[1].hash].receipts.clone();
    let deposits = user_deposits(&epoch1_receipts, PORTAL, l1[1].hash).unwrap();
    assert_eq!(deposits.len(), 1);

    for (i, attrs) in produced.iter().enumerate() {
        let n = i as u64 + 1;
        let a = &attrs.attributes;
        let txs = &a.transactions;
        let (epoch, seq) = match n {
            1..=5 => (0u64, n),
            6..=7 => (1, n - 6),
            _ => {
                // Deposit-only blocks: epoch 1 until L2 time reaches epoch 2's L1 time.
                let epoch = (n * 2) / 12;
                (epoch, n - epoch * 6)
            }
        };
        let origin = &l1[epoch as usize];
        let origin_header = &chain.blocks[&origin.hash].header;
        let config = if n >= 6 {
            SystemConfig {
                gas_limit: NEW_GAS_LIMIT,
                ..rollup_config.genesis.system_config
            }
        } else {
            rollup_config.genesis.system_config
        };
        let l1_info = L1BlockInfoTx::try_from_l1_header(
            &rollup_config,
            &L1ChainConfig::MAINNET,
            &config,
            seq,
            origin_header,
            origin.hash,
            a.timestamp,
        )
        .unwrap();
        let mut expected_txs = vec![encode_deposit(
            &l1_info.to_deposit_tx(&rollup_config, a.timestamp),
        )];
        if n == 6 {
            expected_txs.push(encode_deposit(&deposits[0]));
        }
        if n <= 7 {
            expected_txs.push(Bytes::from(vec![0x02, n as u8, 0xaa]));
        }
        assert_eq!(txs.to_vec(), expected_txs, "transactions of L2 block {n}");
        assert_eq!(
            attrs.is_deposit_only,
            n > 7,
            "deposit-only flag of block {n}"
        );
        assert_eq!(
            a.prev_randao, origin_header.mix_hash,
            "prevRandao of block {n}"
        );
        assert_eq!(
            a.parent_beacon_block_root,
            origin_header.parent_beacon_block_root
        );
        assert_eq!(a.suggested_fee_recipient, SEQUENCER_FEE_VAULT);
        assert_eq!(a.withdrawals, Some(Vec::new()));
        assert_eq!(a.no_tx_pool, Some(true));
        assert_eq!(
            a.gas_limit,
            Some(config.gas_limit),
            "gas limit of block {n}"
        );
        let eip1559 = holocene.then_some(rollup_config.genesis.system_config.eip1559_params);
        assert_eq!(
            a.eip1559_params, eip1559,
            "eip1559Params only from Holocene"
        );
        assert_eq!(a.min_base_fee, None, "Jovian is not active");
    }
}

#[test]
fn e2e_attributes_serialize_like_the_engine_api() {
    let attrs = koa_derive::OpPayloadAttributes {
        timestamp: 0x10,
        gas_limit: Some(30_000_000),
        no_tx_pool: Some(true),
        eip1559_params: Some(B64::new([0, 0, 0, 250, 0, 0, 0, 6])),
        withdrawals: Some(Vec::new()),
        ..Default::default()
    };
    let json = serde_json::to_value(&attrs).unwrap();
    assert_eq!(json["timestamp"], "0x10");
    assert_eq!(json["gasLimit"], "0x1c9c380");
    assert_eq!(json["noTxPool"], true);
    assert_eq!(json["eip1559Params"], "0x000000fa00000006");
    assert_eq!(
        json["suggestedFeeRecipient"],
        "0x0000000000000000000000000000000000000000"
    );
    assert!(json.get("minBaseFee").is_none());
    let back: koa_derive::OpPayloadAttributes = serde_json::from_value(json).unwrap();
    assert_eq!(back, attrs);
}

fn real_channel() -> Vec<u8> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../testdata/derivation/channel-zlib.hex.zst"
    );
    let hex_text = zstd::decode_all(std::fs::File::open(path).unwrap()).unwrap();
    hex::decode(core::str::from_utf8(&hex_text).unwrap().trim()).unwrap()
}

#[test]
fn real_channel_batches_are_all_accepted_in_order() {
    let world = koa_derive::test_utils::ChannelWorld::from_channel(&real_channel());
    let batches = world.run_batch_queue();
    let expected_blocks: usize = world
        .batches
        .iter()
        .map(|b| match b {
            koa_derive::stages::DerivedBatch::Singular(_) => 1,
            koa_derive::stages::DerivedBatch::Span(s) => s.elements.len(),
        })
        .sum();
    assert!(expected_blocks > 10);
    assert_eq!(
        batches.len(),
        expected_blocks,
        "every block of the channel is accepted"
    );
    for pair in batches.windows(2) {
        assert_eq!(
            pair[1].timestamp,
            pair[0].timestamp + world.rollup_config.block_time,
            "consecutive slots"
        );
    }
    assert!(
        batches.iter().any(|b| !b.transactions.is_empty()),
        "real transactions flow through"
    );
}

mod sources_and_traversal {
    use super::*;
    use alloy_consensus::{TxEip4844, TxEip4844Variant};
    use alloy_primitives::FixedBytes;
    use koa_derive::{
        error::PipelineError,
        sources::{
            BatcherTxFilter, blob_batcher_data, calldata_batcher_data, encode_blob,
            kzg_to_versioned_hash,
        },
        stages::L1Stages,
        traits::BlobWithCommitment,
    };

    fn blob_tx(key: &SigningKey, hashes: Vec<B256>, calldata: Vec<u8>) -> TxEnvelope {
        let tx = TxEip4844 {
            chain_id: 1,
            gas_limit: 100_000,
            max_fee_per_gas: 10,
            to: INBOX,
            blob_versioned_hashes: hashes,
            max_fee_per_blob_gas: 1,
            input: calldata.into(),
            ..Default::default()
        };
        let (sig, recid) = key
            .sign_prehash_recoverable(tx.signature_hash().as_slice())
            .unwrap();
        let signature = Signature::from_signature_and_parity(sig, recid.is_y_odd());
        TxEnvelope::Eip4844(TxEip4844Variant::TxEip4844(tx).into_signed(signature))
    }

    fn filter(key: &SigningKey) -> BatcherTxFilter {
        BatcherTxFilter {
            inbox: INBOX,
            batcher: address_of(key),
            l1_chain_id: 1,
        }
    }

    fn stored_blob(store: &mut TestBlobProvider, data: &[u8], seed: u8) -> B256 {
        let commitment = FixedBytes::<48>::repeat_byte(seed);
        let hash = kzg_to_versioned_hash(&commitment);
        let blob = std::boxed::Box::new(encode_blob(data).unwrap());
        store
            .blobs
            .insert(hash, BlobWithCommitment { blob, commitment });
        hash
    }

    #[test]
    fn spec_calldata_source_takes_only_batcher_txs_to_the_inbox() {
        let key = batcher_key();
        let stranger = SigningKey::from_slice(&[0x13; 32]).unwrap();
        let txs = vec![
            batcher_tx(&stranger, 0, vec![0, 1]),
            batcher_tx(&key, 0, vec![0, 2]),
            batcher_tx(&key, 1, vec![0, 3]),
        ];
        let data = calldata_batcher_data(&txs, &filter(&key));
        assert_eq!(data, vec![Bytes::from(vec![0, 2]), Bytes::from(vec![0, 3])]);
        let elsewhere = BatcherTxFilter {
            inbox: Address::ZERO,
            ..filter(&key)
        };
        assert!(
            calldata_batcher_data(&txs, &elsewhere).is_empty(),
            "wrong inbox"
        );
    }

    #[test]
    fn op_node_set_code_and_foreign_chain_txs_are_never_batcher_txs() {
        use alloy_consensus::TxEip7702;
        let key = batcher_key();
        let set_code = TxEip7702 {
            chain_id: 1,
            gas_limit: 100_000,
            max_fee_per_gas: 10,
            to: INBOX,
            input: vec![0, 7].into(),
            ..Default::default()
        };
        let (sig, recid) = key
            .sign_prehash_recoverable(set_code.signature_hash().as_slice())
            .unwrap();
        let signature = Signature::from_signature_and_parity(sig, recid.is_y_odd());
        let set_code = TxEnvelope::Eip7702(set_code.into_signed(signature));
        let foreign = {
            let tx = TxEip1559 {
                chain_id: 5,
                gas_limit: 1_000_000,
                max_fee_per_gas: 10,
                to: TxKind::Call(INBOX),
                input: vec![0, 5].into(),
                ..Default::default()
            };
            let (sig, recid) = key
                .sign_prehash_recoverable(tx.signature_hash().as_slice())
                .unwrap();
            let signature = Signature::from_signature_and_parity(sig, recid.is_y_odd());
            TxEnvelope::Eip1559(tx.into_signed(signature))
        };
        let txs = vec![set_code, foreign, batcher_tx(&key, 0, vec![0, 1])];
        assert_eq!(
            calldata_batcher_data(&txs, &filter(&key)),
            vec![Bytes::from(vec![0, 1])],
            "only the chain-1, non-7702 transaction counts"
        );
    }

    #[test]
    fn spec_blob_source_keeps_block_order_and_indexes_all_blobs() {
        let key = batcher_key();
        let stranger = SigningKey::from_slice(&[0x13; 32]).unwrap();
        let mut store = TestBlobProvider::default();
        let h_other = stored_blob(&mut store, b"not ours", 1);
        let h_a = stored_blob(&mut store, b"blob a", 2);
        let h_b = stored_blob(&mut store, b"blob b", 3);
        let txs = vec![
            blob_tx(&stranger, vec![h_other], vec![]),
            batcher_tx(&key, 0, vec![0, 9]),
            blob_tx(&key, vec![h_a, h_b], vec![0xde, 0xad]), // calldata ignored on blob txs
        ];
        let block = BlockInfo::default();
        let data = blob_batcher_data(&block, &txs, &filter(&key), &mut store).unwrap();
        assert_eq!(
            data,
            vec![
                Bytes::from(vec![0, 9]),
                Bytes::from_static(b"blob a"),
                Bytes::from_static(b"blob b")
            ]
        );
    }

    #[test]
    fn spec_blob_commitment_must_match_the_versioned_hash() {
        let key = batcher_key();
        let mut store = TestBlobProvider::default();
        let hash = stored_blob(&mut store, b"data", 2);
        // The provider serves a blob whose commitment hashes elsewhere.
        store.blobs.get_mut(&hash).unwrap().commitment = FixedBytes::repeat_byte(9);
        let txs = vec![blob_tx(&key, vec![hash], vec![])];
        let error =
            blob_batcher_data(&BlockInfo::default(), &txs, &filter(&key), &mut store).unwrap_err();
        assert!(matches!(
            error,
            PipelineError::BlobHashMismatch { index: 0, .. }
        ));
        assert_eq!(error.kind(), koa_derive::PipelineErrorKind::Critical);
    }

    #[test]
    fn spec_undecodable_blobs_are_skipped() {
        let key = batcher_key();
        let mut store = TestBlobProvider::default();
        let hash = stored_blob(&mut store, b"data", 2);
        store.blobs.get_mut(&hash).unwrap().blob[1] = 7; // unknown encoding version
        let txs = vec![blob_tx(&key, vec![hash], vec![])];
        let data =
            blob_batcher_data(&BlockInfo::default(), &txs, &filter(&key), &mut store).unwrap();
        assert!(data.is_empty());
    }

    #[test]
    fn spec_traversal_detects_reorgs_and_applies_config_updates() {
        let World {
            rollup_config,
            l1,
            mut chain,
        } = world(true);
        let mut stages = L1Stages::default();
        stages.reset(l1[0], rollup_config.genesis.system_config);
        assert_eq!(stages.advance(&rollup_config, &mut chain).unwrap(), l1[1]);
        assert_eq!(
            stages.system_config().gas_limit,
            NEW_GAS_LIMIT,
            "ConfigUpdate in block 1 applied"
        );
        // Replace block 2 with a block that does not build on block 1.
        let orphan = TestL1Block {
            header: header(2, B256::repeat_byte(0x99)),
            ..Default::default()
        };
        chain.push(orphan);
        let error = stages.advance(&rollup_config, &mut chain).unwrap_err();
        assert!(matches!(error, PipelineError::L1Reorg { number: 2, .. }));
        assert_eq!(error.kind(), koa_derive::PipelineErrorKind::Reset);
    }

    #[test]
    fn op_node_malformed_config_updates_are_skipped_not_fatal() {
        let World {
            rollup_config,
            l1,
            mut chain,
        } = world(true);
        // L1 block 1 gets a malformed ConfigUpdate (one topic) before the valid gas limit one,
        // in the same receipt and in a receipt of its own.
        let malformed = Log {
            address: SYSTEM_CONFIG,
            data: LogData::new_unchecked(vec![CONFIG_UPDATE_TOPIC], Bytes::new()),
        };
        let block = chain.blocks.get_mut(&l1[1].hash).unwrap();
        block.receipts = vec![
            receipt(vec![malformed.clone()]),
            receipt(vec![malformed, gas_limit_update_log()]),
        ];
        let mut stages = L1Stages::default();
        stages.reset(l1[0], rollup_config.genesis.system_config);
        assert_eq!(stages.advance(&rollup_config, &mut chain).unwrap(), l1[1]);
        assert_eq!(
            stages.system_config().gas_limit,
            NEW_GAS_LIMIT,
            "the valid update after the malformed one is applied"
        );

        // The attributes builder does the same for the first block of epoch 1.
        let mut l2 = TestL2Provider::default();
        l2.system_configs
            .insert(0, rollup_config.genesis.system_config);
        let parent = L2BlockInfo {
            block_info: BlockInfo {
                hash: l2_hash(5),
                number: 5,
                parent_hash: B256::ZERO,
                timestamp: L1_GENESIS_TIME + 10,
            },
            l1_origin: l1[0].id(),
            seq_num: 5,
        };
        let batch = SingularBatch {
            parent_hash: parent.block_info.hash,
            epoch_num: 1,
            epoch_hash: l1[1].hash,
            timestamp: L1_GENESIS_TIME + 12,
            transactions: TxList::new(),
        };
        let attributes = koa_derive::attributes::AttributesBuilder::new(L1ChainConfig::MAINNET)
            .build(&rollup_config, &parent, &batch, &mut chain, &mut l2)
            .unwrap();
        assert_eq!(attributes.gas_limit, Some(NEW_GAS_LIMIT));
    }

    #[test]
    fn op_node_malformed_deposit_log_stops_derivation() {
        let World {
            rollup_config,
            l1,
            mut chain,
        } = world(true);
        // Deposits carry funds and may not be skipped: a truncated deposit log in the epoch's
        // receipts is a critical error, not a silently smaller deposit list.
        let mut truncated = deposit_log();
        let data = truncated.data.data.slice(..40);
        truncated.data = LogData::new_unchecked(truncated.data.topics().to_vec(), data);
        chain.blocks.get_mut(&l1[1].hash).unwrap().receipts = vec![receipt(vec![truncated])];
        let mut l2 = TestL2Provider::default();
        l2.system_configs
            .insert(0, rollup_config.genesis.system_config);
        let parent = L2BlockInfo {
            block_info: BlockInfo {
                hash: l2_hash(5),
                number: 5,
                parent_hash: B256::ZERO,
                timestamp: L1_GENESIS_TIME + 10,
            },
            l1_origin: l1[0].id(),
            seq_num: 5,
        };
        let batch = SingularBatch {
            parent_hash: parent.block_info.hash,
            epoch_num: 1,
            epoch_hash: l1[1].hash,
            timestamp: L1_GENESIS_TIME + 12,
            transactions: TxList::new(),
        };
        let error = koa_derive::attributes::AttributesBuilder::new(L1ChainConfig::MAINNET)
            .build(&rollup_config, &parent, &batch, &mut chain, &mut l2)
            .unwrap_err();
        assert!(matches!(error, PipelineError::Deposits(_)), "{error}");
        assert_eq!(error.kind(), koa_derive::PipelineErrorKind::Critical);
    }

    #[test]
    fn reset_walks_back_one_channel_timeout_of_l1_origins() {
        let World {
            rollup_config,
            l1,
            chain,
        } = world(true);
        let mut l2 = TestL2Provider::default();
        // L2 block n has L1 origin n / 6 (six 2s blocks per 12s epoch).
        for n in 0..=60u64 {
            let block_info = BlockInfo {
                hash: l2_hash(n),
                number: n,
                parent_hash: B256::ZERO,
                timestamp: L1_GENESIS_TIME + 2 * n,
            };
            l2.blocks.insert(
                n,
                L2BlockInfo {
                    block_info,
                    l1_origin: l1[(n / 6) as usize].id(),
                    seq_num: n % 6,
                },
            );
        }
        l2.system_configs
            .insert(0, rollup_config.genesis.system_config);
        let safe = l2.blocks[&60];
        let rollup_config = RollupConfig {
            channel_timeout: 3,
            granite_time: None,
            holocene_time: None,
            ..rollup_config
        };
        let mut pipeline = DerivationPipeline::new(
            rollup_config,
            L1ChainConfig::MAINNET,
            None,
            chain,
            l2,
            TestBlobProvider::default(),
        );
        pipeline.reset(safe).unwrap();
        // Safe head origin 10; the first block walking back with origin + 3 < 10 has origin 6.
        assert_eq!(pipeline.origin(), Some(l1[6]));
    }
}

mod attributes_per_fork {
    use super::*;
    use koa_derive::attributes::AttributesBuilder;
    use koa_protocol::upgrades::{upgrade_gas, upgrade_transactions};

    fn build(rollup_config: &RollupConfig, slot: u64) -> koa_derive::OpPayloadAttributes {
        let World { l1, mut chain, .. } = world(true);
        let mut l2 = TestL2Provider::default();
        let config = SystemConfig {
            min_base_fee: 1_000,
            ..rollup_config.genesis.system_config
        };
        l2.system_configs.insert(0, config);
        let parent = L2BlockInfo {
            block_info: BlockInfo {
                hash: l2_hash(slot - 1),
                number: slot - 1,
                parent_hash: B256::ZERO,
                timestamp: L1_GENESIS_TIME + 2 * (slot - 1),
            },
            l1_origin: l1[0].id(),
            seq_num: slot - 1,
        };
        let batch = SingularBatch {
            parent_hash: parent.block_info.hash,
            epoch_num: 0,
            epoch_hash: l1[0].hash,
            timestamp: L1_GENESIS_TIME + 2 * slot,
            transactions: TxList::new(),
        };
        AttributesBuilder::new(L1ChainConfig::MAINNET)
            .build(rollup_config, &parent, &batch, &mut chain, &mut l2)
            .unwrap()
    }

    fn base_cfg() -> RollupConfig {
        rollup_config(address_of(&batcher_key()))
    }

    #[test]
    fn an_l2_block_older_than_its_l1_origin_is_a_reset_error() {
        let World {
            rollup_config,
            l1,
            mut chain,
        } = world(true);
        let mut l2 = TestL2Provider::default();
        l2.system_configs
            .insert(0, rollup_config.genesis.system_config);
        let parent = L2BlockInfo {
            block_info: BlockInfo {
                hash: l2_hash(0),
                number: 0,
                parent_hash: B256::ZERO,
                timestamp: L1_GENESIS_TIME,
            },
            l1_origin: l1[0].id(),
            seq_num: 0,
        };
        // Block 1 (time +2) claims L1 block 1 (time +12) as its origin.
        let batch = SingularBatch {
            parent_hash: parent.block_info.hash,
            epoch_num: 1,
            epoch_hash: l1[1].hash,
            timestamp: L1_GENESIS_TIME + 2,
            transactions: TxList::new(),
        };
        let error = AttributesBuilder::new(L1ChainConfig::MAINNET)
            .build(&rollup_config, &parent, &batch, &mut chain, &mut l2)
            .unwrap_err();
        assert_eq!(
            error,
            koa_derive::PipelineError::L2TimeBeforeL1Origin {
                l2_time: L1_GENESIS_TIME + 2,
                l1_time: L1_GENESIS_TIME + 12
            }
        );
        assert_eq!(error.kind(), koa_derive::PipelineErrorKind::Reset);
    }

    #[test]
    fn a_batch_not_for_the_next_block_is_a_reset_error() {
        let World {
            rollup_config,
            l1,
            mut chain,
        } = world(true);
        let mut l2 = TestL2Provider::default();
        l2.system_configs
            .insert(0, rollup_config.genesis.system_config);
        let parent = l2_genesis(&l1);
        let batch = SingularBatch {
            parent_hash: parent.block_info.hash,
            epoch_num: 0,
            epoch_hash: l1[0].hash,
            timestamp: L1_GENESIS_TIME + 2,
            transactions: TxList::new(),
        };
        let builder = AttributesBuilder::new(L1ChainConfig::MAINNET);
        assert!(
            builder
                .build(&rollup_config, &parent, &batch, &mut chain, &mut l2)
                .is_ok()
        );

        let other_parent = SingularBatch {
            parent_hash: B256::repeat_byte(7),
            ..batch.clone()
        };
        let error = builder
            .build(&rollup_config, &parent, &other_parent, &mut chain, &mut l2)
            .unwrap_err();
        assert!(matches!(
            error,
            koa_derive::PipelineError::BatchParentMismatch { .. }
        ));
        assert_eq!(error.kind(), koa_derive::PipelineErrorKind::Reset);

        let skipped_slot = SingularBatch {
            timestamp: L1_GENESIS_TIME + 4,
            ..batch
        };
        let error = builder
            .build(&rollup_config, &parent, &skipped_slot, &mut chain, &mut l2)
            .unwrap_err();
        assert_eq!(
            error,
            koa_derive::PipelineError::BatchTimestampMismatch {
                timestamp: L1_GENESIS_TIME + 4,
                expected: L1_GENESIS_TIME + 2
            }
        );
    }

    #[test]
    fn bedrock_has_no_withdrawals_beacon_root_or_1559_params() {
        let rollup_config = RollupConfig {
            canyon_time: None,
            delta_time: None,
            ecotone_time: None,
            fjord_time: None,
            granite_time: None,
            holocene_time: None,
            ..base_cfg()
        };
        let a = build(&rollup_config, 1);
        assert_eq!(a.withdrawals, None);
        assert_eq!(a.parent_beacon_block_root, None);
        assert_eq!(a.eip1559_params, None);
        assert_eq!(a.transactions.len(), 1);
    }

    #[test]
    fn ecotone_activation_block_carries_its_upgrade_deposits_after_the_l1_info() {
        let activation = L1_GENESIS_TIME + 4;
        let rollup_config = RollupConfig {
            ecotone_time: Some(activation),
            fjord_time: None,
            granite_time: None,
            holocene_time: None,
            ..base_cfg()
        };
        let before = build(&rollup_config, 1);
        assert_eq!(before.transactions.len(), 1);
        assert_eq!(before.parent_beacon_block_root, None, "not Ecotone yet");
        let at = build(&rollup_config, 2);
        let txs = at.transactions;
        let upgrades = upgrade_transactions(&rollup_config, activation).unwrap();
        assert_eq!(upgrades.len(), 6);
        assert_eq!(&txs.to_vec()[1..], upgrades.as_slice());
        assert!(at.parent_beacon_block_root.is_some());
        assert!(
            build(&rollup_config, 3).transactions.len() == 1,
            "only the activation block"
        );
    }

    #[test]
    fn jovian_sets_min_base_fee_and_karst_raises_the_gas_limit_once() {
        let rollup_config = RollupConfig {
            isthmus_time: Some(0),
            jovian_time: Some(L1_GENESIS_TIME + 4),
            karst_time: Some(L1_GENESIS_TIME + 8),
            ..base_cfg()
        };
        assert_eq!(build(&rollup_config, 1).min_base_fee, None);
        let jovian = build(&rollup_config, 2);
        assert_eq!(jovian.min_base_fee, Some(1_000));
        assert_eq!(
            jovian.transactions.len(),
            1 + 5,
            "L1 info + Jovian upgrade deposits"
        );
        let karst_ts = L1_GENESIS_TIME + 8;
        let karst = build(&rollup_config, 4);
        let extra = upgrade_gas(&rollup_config, karst_ts).unwrap();
        assert!(extra > 0);
        assert_eq!(
            karst.gas_limit,
            Some(rollup_config.genesis.system_config.gas_limit + extra)
        );
        assert_eq!(
            karst.transactions.len(),
            1 + upgrade_transactions(&rollup_config, karst_ts)
                .unwrap()
                .len()
        );
        assert_eq!(
            build(&rollup_config, 5).gas_limit,
            Some(rollup_config.genesis.system_config.gas_limit)
        );
    }
}

mod driver {
    use super::*;
    use koa_derive::{PipelineError, PipelineErrorKind, pipeline::DEFAULT_TEMPORARY_RETRY_LIMIT};

    fn run(
        pipeline: &mut TestPipeline,
        rollup_config: &RollupConfig,
        genesis: L2BlockInfo,
        target: u64,
    ) -> Result<(L2BlockInfo, Vec<AttributesWithParent>), PipelineError> {
        let mut produced = Vec::new();
        let head = pipeline.run_to(genesis, target, |attrs| {
            produced.push(attrs.clone());
            Ok(execute(attrs, rollup_config))
        })?;
        Ok((head, produced))
    }

    /// The world, and the 20 blocks a pipeline whose providers never fail derives from it.
    fn reliable_run() -> (World, L2BlockInfo, Vec<AttributesWithParent>) {
        let world: World = world(true);
        let mut reliable =
            pipeline_from_genesis(&world.rollup_config, &world.l1, world.chain.clone());
        let (head, produced) = run(
            &mut reliable,
            &world.rollup_config,
            l2_genesis(&world.l1),
            20,
        )
        .unwrap();
        assert_eq!(head.block_info.number, 20);
        assert_eq!(produced.len(), 20);
        (world, head, produced)
    }

    #[test]
    fn run_to_retries_temporary_provider_errors() {
        let (
            World {
                rollup_config,
                l1,
                chain,
            },
            head,
            produced,
        ) = reliable_run();
        let mut flaky = pipeline_from_genesis(&rollup_config, &l1, chain);
        flaky.chain.transient_failures = DEFAULT_TEMPORARY_RETRY_LIMIT;
        let (flaky_head, flaky_produced) =
            run(&mut flaky, &rollup_config, l2_genesis(&l1), 20).unwrap();
        assert_eq!(
            flaky.chain.transient_failures, 0,
            "every failure was hit and retried"
        );
        assert_eq!(flaky_head, head);
        assert_eq!(
            flaky_produced, produced,
            "retries do not change what is derived"
        );
    }

    /// A temporary error while building a batch's attributes (the epoch header not fetched)
    /// retries that batch, as op-node's attributes queue does, instead of losing it.
    #[test]
    fn a_temporary_error_while_building_attributes_retries_the_batch() {
        let (
            World {
                rollup_config,
                l1,
                chain,
            },
            head,
            produced,
        ) = reliable_run();
        for failures in [1, 2, DEFAULT_TEMPORARY_RETRY_LIMIT] {
            let mut flaky = pipeline_from_genesis(&rollup_config, &l1, chain.clone());
            let mut safe_head = l2_genesis(&l1);
            let mut flaky_produced = Vec::new();
            for _ in 0..20 {
                flaky.chain.transient_header_failures = failures;
                let attributes = flaky
                    .next_attributes(safe_head)
                    .unwrap()
                    .expect("attributes");
                assert_eq!(
                    flaky.chain.transient_header_failures, 0,
                    "the failures were hit"
                );
                safe_head = execute(&attributes, &rollup_config);
                flaky_produced.push(attributes);
            }
            assert_eq!(safe_head, head);
            assert!(
                flaky_produced == produced,
                "{failures} failures lost a batch"
            );
        }
    }

    #[test]
    fn run_to_gives_up_after_the_retry_limit() {
        let World {
            rollup_config,
            l1,
            chain,
        } = world(true);
        let mut pipeline = pipeline_from_genesis(&rollup_config, &l1, chain);
        pipeline.set_temporary_retry_limit(2);
        pipeline.chain.transient_failures = 3;
        let error = run(&mut pipeline, &rollup_config, l2_genesis(&l1), 20).unwrap_err();
        assert_eq!(error.kind(), PipelineErrorKind::Temporary);
        assert!(matches!(error, PipelineError::Provider { .. }));
    }

    #[test]
    fn run_to_fails_on_reset_errors_like_op_program() {
        let World {
            rollup_config,
            l1,
            mut chain,
        } = world(true);
        // L1 block 3 no longer builds on block 2: traversal sees a reorg.
        chain.push(TestL1Block {
            header: header(3, B256::repeat_byte(0x99)),
            ..Default::default()
        });
        let mut pipeline = pipeline_from_genesis(&rollup_config, &l1, chain);
        let error = run(&mut pipeline, &rollup_config, l2_genesis(&l1), 20).unwrap_err();
        assert!(
            matches!(error, PipelineError::L1Reorg { number: 3, .. }),
            "{error}"
        );
        assert_eq!(error.kind(), PipelineErrorKind::Reset);
    }
}

/// Behaviours where koa follows op-node's code (the chain's de facto definition) in corners
/// the spec leaves open.
mod op_node_parity {
    use super::*;
    use alloy_eips::eip2718::Encodable2718;
    use koa_protocol::batch::{
        RawSpanBatch, SpanBatch,
        span::{SpanBatchBits, SpanBatchTransactions},
    };
    use std::collections::BTreeMap;

    /// The L1 blocks 0..=10 of every world here (headers do not commit to transactions).
    fn l1_blocks() -> Vec<BlockInfo> {
        let mut chain = TestChainProvider::default();
        let mut parent = B256::ZERO;
        (0..=10u64)
            .map(|number| {
                let info = chain.push(TestL1Block {
                    header: header(number, parent),
                    ..Default::default()
                });
                parent = info.hash;
                info
            })
            .collect()
    }

    /// L1 blocks 0..=10 whose block `n` carries one batcher transaction per entry of
    /// `payloads[n]` (its calldata).
    fn chain_with(payloads: &BTreeMap<u64, Vec<Vec<u8>>>) -> TestChainProvider {
        let key = batcher_key();
        let mut chain = TestChainProvider::default();
        let mut parent = B256::ZERO;
        for number in 0..=10u64 {
            let mut block = TestL1Block {
                header: header(number, parent),
                ..Default::default()
            };
            for (nonce, data) in payloads.get(&number).into_iter().flatten().enumerate() {
                block
                    .transactions
                    .push(batcher_tx(&key, nonce as u64, data.clone()));
                block.receipts.push(receipt(vec![]));
            }
            parent = chain.push(block).hash;
        }
        chain
    }

    /// A zlib channel holding `batches`.
    fn channel(batches: &[Batch]) -> Vec<u8> {
        let mut rlp = Vec::new();
        for batch in batches {
            batch.encode_for_channel(&mut rlp);
        }
        miniz_oxide::deflate::compress_to_vec_zlib(&rlp, 6)
    }

    /// Batcher calldata carrying one frame.
    fn frame_data(number: u16, data: &[u8], is_last: bool) -> Vec<u8> {
        encode_frames(&[Frame::new(
            ChannelId::new([9; 16]),
            number,
            Bytes::copy_from_slice(data),
            is_last,
        )])
    }

    /// A signed L2 transaction (chain 10), EIP-2718 encoded.
    fn l2_tx(nonce: u64) -> Bytes {
        let tx = TxEip1559 {
            chain_id: 10,
            nonce,
            gas_limit: 21_000,
            max_fee_per_gas: 10,
            max_priority_fee_per_gas: 1,
            to: TxKind::Call(Address::repeat_byte(0x42)),
            ..Default::default()
        };
        let (sig, recid) = batcher_key()
            .sign_prehash_recoverable(tx.signature_hash().as_slice())
            .unwrap();
        let signature = Signature::from_signature_and_parity(sig, recid.is_y_odd());
        TxEnvelope::Eip1559(tx.into_signed(signature))
            .encoded_2718()
            .into()
    }

    /// The singular batch of L2 block `n` (L1 origin `n / 6`, capped at `max_epoch`).
    fn singular(l1: &[BlockInfo], n: u64, max_epoch: u64) -> SingularBatch {
        let epoch = &l1[(n / 6).min(max_epoch) as usize];
        SingularBatch {
            parent_hash: l2_hash(n - 1),
            epoch_num: epoch.number,
            epoch_hash: epoch.hash,
            timestamp: L1_GENESIS_TIME + 2 * n,
            transactions: TxList::try_from_iter([l2_tx(n)]).unwrap(),
        }
    }

    /// Derives from L2 genesis up to the L1 head (block 10).
    fn derive_all(
        rollup_config: &RollupConfig,
        chain: TestChainProvider,
    ) -> Vec<AttributesWithParent> {
        let l1 = l1_blocks();
        let genesis = l2_genesis(&l1);
        let mut pipeline = pipeline_from_genesis(rollup_config, &l1, chain);
        let mut safe = genesis;
        let mut produced = Vec::new();
        for _ in 0..2_000 {
            match pipeline.step(safe) {
                StepResult::PreparedAttributes(attrs) => {
                    safe = execute(&attrs, rollup_config);
                    pipeline.l2.blocks.insert(safe.block_info.number, safe);
                    produced.push(*attrs);
                }
                StepResult::Progressed | StepResult::AdvancedOrigin(_) => {}
                StepResult::EndOfSource => break,
                StepResult::Failed(error) => panic!("pipeline failed: {error}"),
            }
        }
        produced
    }

    /// Whether L2 block `n` was derived from its batch (carries the batch's transaction).
    fn from_batch(produced: &[AttributesWithParent], n: u64) -> bool {
        let attrs = &produced[n as usize - 1];
        assert_eq!(attrs.attributes.timestamp, L1_GENESIS_TIME + 2 * n);
        attrs
            .attributes
            .transactions
            .iter()
            .any(|tx| *tx == l2_tx(n)[..])
    }

    /// A span batch whose transaction section decodes but does not rebuild: its one
    /// `tx_data` has the type byte 0x03 (blob transactions cannot be batched).
    fn underivable_span() -> RawSpanBatch {
        RawSpanBatch {
            rel_timestamp: 2,
            l1_origin_num: 0,
            origin_bits: SpanBatchBits::from_bools(&[false]),
            block_tx_counts: vec![1],
            txs: SpanBatchTransactions {
                contract_creation_bits: SpanBatchBits::from_bools(&[false]),
                y_parity_bits: SpanBatchBits::from_bools(&[false]),
                signatures: vec![(U256::from(1), U256::from(1))],
                tos: vec![Address::ZERO],
                tx_datas: vec![Bytes::from_static(&[0x03, 0xc0])],
                nonces: vec![0],
                gases: vec![21_000],
                protected_bits: SpanBatchBits::from_bools(&[]),
            },
            ..Default::default()
        }
    }

    #[test]
    fn a_span_batch_that_fails_to_derive_drops_only_itself() {
        let span = underivable_span();
        assert!(span.derive_with_config(&base_cfg()).is_err());
        let l1 = l1_blocks();
        let mut batches = vec![Batch::Span(std::boxed::Box::new(span))];
        batches.extend((1..=3).map(|n| Batch::Singular(singular(&l1, n, 0))));
        let payloads = BTreeMap::from([(1, vec![frame_data(0, &channel(&batches), true)])]);
        for holocene in [false, true] {
            let rollup_config = RollupConfig {
                holocene_time: holocene.then_some(0),
                ..base_cfg()
            };
            let produced = derive_all(&rollup_config, chain_with(&payloads));
            assert!(
                (1..=3).all(|n| from_batch(&produced, n)),
                "holocene={holocene}: the batches after the bad span are read"
            );
        }
    }

    #[test]
    fn holocene_drops_an_undecided_span_batch() {
        let l1 = l1_blocks();
        // L2 blocks 1..=18; block 18 (time +36) is the first that may take L1 block 3 as its
        // origin, and does. Posted in L1 block 2, the span's last origin is not known yet.
        let blocks: Vec<SingularBatch> = (1..=18).map(|n| singular(&l1, n, 3)).collect();
        let span = SpanBatch::from_singular_batches(&blocks, false)
            .unwrap()
            .to_raw(L1_GENESIS_TIME, 10)
            .unwrap();
        let payloads = BTreeMap::from([(
            2,
            vec![frame_data(
                0,
                &channel(&[Batch::Span(std::boxed::Box::new(span))]),
                true,
            )],
        )]);

        let holocene = derive_all(&base_cfg(), chain_with(&payloads));
        assert!(
            !from_batch(&holocene, 1) && holocene[0].is_deposit_only,
            "Holocene: the undecided span is dropped, the window expires with empty blocks"
        );

        let legacy_cfg = RollupConfig {
            holocene_time: None,
            ..base_cfg()
        };
        let legacy = derive_all(&legacy_cfg, chain_with(&payloads));
        assert!(
            (1..=18).all(|n| from_batch(&legacy, n)),
            "before Holocene the batch queue keeps the span until L1 block 3 decides it"
        );
    }

    #[test]
    fn holocene_activation_drops_channels_left_in_the_channel_bank() {
        let l1 = l1_blocks();
        let batches: Vec<Batch> = (1..=3)
            .map(|n| Batch::Singular(singular(&l1, n, 0)))
            .collect();
        let data = channel(&batches);
        let (first, second) = data.split_at(data.len() / 2);
        // Holocene activates with L1 block 2 (and L2 time +24).
        let rollup_config = RollupConfig {
            holocene_time: Some(L1_GENESIS_TIME + 24),
            ..base_cfg()
        };

        let split = BTreeMap::from([
            (1, vec![frame_data(0, first, false)]),
            (2, vec![frame_data(1, second, true)]),
        ]);
        let produced = derive_all(&rollup_config, chain_with(&split));
        assert!(
            !from_batch(&produced, 1) && produced[0].is_deposit_only,
            "frame 0 stayed in the pre-Holocene bank, which the switch discards"
        );

        let together = BTreeMap::from([(
            1,
            vec![frame_data(0, first, false), frame_data(1, second, true)],
        )]);
        let produced = derive_all(&rollup_config, chain_with(&together));
        assert!(
            (1..=3).all(|n| from_batch(&produced, n)),
            "control: same channel, one L1 block"
        );
    }

    fn base_cfg() -> RollupConfig {
        rollup_config(address_of(&batcher_key()))
    }
}
