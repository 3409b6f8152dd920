//! The L1 attributes deposits of real OP Mainnet and OP Sepolia blocks
//! (`testdata/execution/*/fixture.json`): parsed, checked against values derived
//! independently of the parser, and rebuilt byte for byte.

use std::{fs, path::PathBuf};

use alloy_consensus::Header;
use alloy_eips::eip2718::Decodable2718;
use alloy_primitives::{Address, B256, Bytes, TxKind, U256, address};
use koa_protocol::{
    L1BlockInfoTx, L1BlockValues, L1ChainConfig, L1InfoFormat, L2BlockInfo, RollupConfig,
    config::EcotoneScalars,
    predeploys::{L1_ATTRIBUTES_DEPOSITOR, L1_BLOCK},
};
use op_alloy_consensus::{L1InfoDepositSource, OpTxEnvelope, TxDeposit};
use serde_json::Value;

/// One execution fixture's L1 attributes deposit and what the test needs around it.
struct Fixture {
    name: String,
    l2_block_number: u64,
    l2_timestamp: u64,
    rollup: RollupConfig,
    raw_tx: Bytes,
}

fn hex_u64(value: &Value) -> u64 {
    let text = value.as_str().expect("hex string");
    u64::from_str_radix(text.trim_start_matches("0x"), 16).expect("hex u64")
}

fn fixtures() -> Vec<Fixture> {
    let dir = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../testdata/execution"
    ));
    let mut out: Vec<Fixture> = fs::read_dir(&dir)
        .expect("testdata/execution")
        .map(|entry| entry.expect("dir entry").path())
        .filter(|path| path.join("fixture.json").is_file())
        .map(|path| {
            let text = fs::read_to_string(path.join("fixture.json")).expect("fixture.json");
            let json: Value = serde_json::from_str(&text).expect("fixture JSON");
            let rollup_json = serde_json::to_string(&json["rollup_config"]).expect("re-serialize");
            let attributes = &json["payload_attributes"];
            let first_tx = attributes["transactions"][0]
                .as_str()
                .expect("first transaction");
            Fixture {
                name: path
                    .file_name()
                    .expect("name")
                    .to_string_lossy()
                    .into_owned(),
                l2_block_number: json["l2_block_number"].as_u64().expect("l2_block_number"),
                l2_timestamp: hex_u64(&attributes["timestamp"]),
                rollup: RollupConfig::from_json(&rollup_json).expect("valid rollup config"),
                raw_tx: first_tx.parse().expect("hex transaction"),
            }
        })
        .collect();
    out.sort_by(|a, b| {
        (&a.rollup.l2_chain_id, a.l2_block_number).cmp(&(&b.rollup.l2_chain_id, b.l2_block_number))
    });
    out
}

fn deposit(fixture: &Fixture) -> TxDeposit {
    TxDeposit::decode_2718(&mut fixture.raw_tx.as_ref()).expect("first transaction is a deposit")
}

#[test]
fn all_fixture_rollup_configs_validate() {
    let fixtures = fixtures();
    assert_eq!(fixtures.len(), 14);
    for fixture in &fixtures {
        assert_eq!(fixture.rollup.validate(), Ok(()), "{}", fixture.name);
        let expected_chain = if fixture.name.starts_with("op-mainnet") {
            10
        } else {
            11_155_420
        };
        assert_eq!(
            fixture.rollup.l2_chain_id, expected_chain,
            "{}",
            fixture.name
        );
        // Every L2 block's timestamp is fixed by its number: genesis time + n * block time.
        let genesis = &fixture.rollup.genesis;
        assert_eq!(
            fixture.l2_timestamp,
            genesis.l2_time
                + (fixture.l2_block_number - genesis.l2.number) * fixture.rollup.block_time,
            "{}",
            fixture.name
        );
    }
}

#[test]
fn first_transaction_is_the_l1_info_deposit() {
    for fixture in fixtures() {
        let tx = deposit(&fixture);
        let info =
            L1BlockInfoTx::decode_for_timestamp(&fixture.rollup, fixture.l2_timestamp, &tx.input)
                .unwrap_or_else(|e| panic!("{}: {e}", fixture.name));
        let name = &fixture.name;

        // The data's era (README): Ecotone active, Isthmus not yet, so the Ecotone format.
        assert_eq!(info.format(), L1InfoFormat::Ecotone, "{name}");
        assert!(
            fixture.rollup.is_ecotone_active(fixture.l2_timestamp),
            "{name}"
        );
        assert!(
            !fixture.rollup.is_isthmus_active(fixture.l2_timestamp),
            "{name}"
        );

        // Deposit envelope fields, the source hash by an independent implementation.
        assert_eq!(tx.from, L1_ATTRIBUTES_DEPOSITOR, "{name}");
        assert_eq!(tx.to, TxKind::Call(L1_BLOCK), "{name}");
        assert_eq!(
            (tx.mint, tx.value, tx.gas_limit),
            (0, U256::ZERO, 1_000_000),
            "{name}"
        );
        assert!(!tx.is_system_transaction, "{name}");
        assert_eq!(
            tx.source_hash,
            L1InfoDepositSource::new(info.block_hash(), info.sequence_number()).source_hash(),
            "{name}"
        );

        // Values read straight from the spec's byte offsets.
        let data = tx.input.as_ref();
        let be_u64 = |range: core::ops::Range<usize>| {
            data[range]
                .iter()
                .fold(0u64, |acc, b| (acc << 8) | u64::from(*b))
        };
        assert_eq!(info.sequence_number(), be_u64(12..20), "{name}");
        assert_eq!(info.timestamp(), be_u64(20..28), "{name}");
        assert_eq!(info.block_number(), be_u64(28..36), "{name}");
        assert_eq!(
            info.base_fee(),
            U256::from_be_slice(&data[36..68]),
            "{name}"
        );
        assert_eq!(
            info.blob_base_fee(),
            Some(U256::from_be_slice(&data[68..100])),
            "{name}"
        );
        assert_eq!(
            info.block_hash(),
            B256::from_slice(&data[100..132]),
            "{name}"
        );

        // The batcher never changed on these chains: the hash is the genesis batcher.
        assert_eq!(
            info.batcher_address(),
            fixture.rollup.genesis.system_config.batcher_address,
            "{name}"
        );
        assert_eq!(
            info.batcher_hash()[..12],
            [0u8; 12],
            "{name}: version 0 batcher hash"
        );

        // The L1 origin precedes the block by no more than the sequencer drift, and the
        // epoch's first block (sequence_number blocks earlier) is not older than its origin.
        let drift = fixture.l2_timestamp - info.timestamp();
        assert!(
            drift <= fixture.rollup.max_sequencer_drift(fixture.l2_timestamp),
            "{name}"
        );
        let epoch_start = fixture.l2_timestamp - info.sequence_number() * fixture.rollup.block_time;
        assert!(epoch_start >= info.timestamp(), "{name}");
    }
}

#[test]
fn known_fee_scalars() {
    // The chains' Ecotone fee scalars in these eras, as their SystemConfig contracts set them.
    for fixture in fixtures() {
        let info = L1BlockInfoTx::decode_calldata(&deposit(&fixture).input).expect("decodes");
        let expected = match fixture.rollup.l2_chain_id {
            10 => EcotoneScalars {
                base_fee_scalar: 1368,
                blob_base_fee_scalar: 810_949,
            },
            _ => EcotoneScalars {
                base_fee_scalar: 7600,
                blob_base_fee_scalar: 862_000,
            },
        };
        assert_eq!(info.ecotone_scalars(), Some(expected), "{}", fixture.name);
    }
}

#[test]
fn rebuilding_from_parsed_values_gives_the_same_bytes() {
    for fixture in fixtures() {
        let info = L1BlockInfoTx::decode_calldata(&deposit(&fixture).input).expect("decodes");
        let scalars = info.ecotone_scalars().expect("Ecotone format");
        let system_config = koa_protocol::SystemConfig {
            batcher_address: info.batcher_address(),
            scalar: scalars.to_scalar_word(),
            ..fixture.rollup.genesis.system_config
        };
        let l1 = L1BlockValues {
            number: info.block_number(),
            hash: info.block_hash(),
            timestamp: info.timestamp(),
            base_fee: info.base_fee(),
            blob_base_fee: info.blob_base_fee().expect("Ecotone format"),
        };
        let rebuilt = L1BlockInfoTx::try_new(
            &fixture.rollup,
            &system_config,
            info.sequence_number(),
            &l1,
            fixture.l2_timestamp,
        )
        .expect("builds");
        assert_eq!(rebuilt, info, "{}", fixture.name);
        let tx = rebuilt.to_deposit_tx(&fixture.rollup, fixture.l2_timestamp);
        let mut encoded = Vec::new();
        alloy_eips::eip2718::Encodable2718::encode_2718(&tx, &mut encoded);
        assert_eq!(Bytes::from(encoded), fixture.raw_tx, "{}", fixture.name);
    }
}

#[test]
fn sequence_numbers_follow_block_numbers() {
    let fixtures = fixtures();
    let infos: Vec<(u64, u64, L2BlockInfo)> = fixtures
        .iter()
        .map(|fixture| {
            let header = Header {
                number: fixture.l2_block_number,
                timestamp: fixture.l2_timestamp,
                ..Default::default()
            };
            let tx = OpTxEnvelope::decode_2718(&mut fixture.raw_tx.as_ref()).expect("envelope");
            let info = L2BlockInfo::from_header_and_first_tx(
                &fixture.rollup,
                &header,
                B256::ZERO,
                Some(&tx),
            )
            .expect("L2 block info");
            (fixture.rollup.l2_chain_id, fixture.l2_block_number, info)
        })
        .collect();
    let mut adjacent_pairs = 0;
    for pair in infos.windows(2) {
        let [(chain_a, number_a, a), (chain_b, number_b, b)] = pair else {
            continue;
        };
        if chain_a != chain_b || number_a + 1 != *number_b {
            continue;
        }
        adjacent_pairs += 1;
        if b.seq_num == 0 {
            assert_eq!(
                b.l1_origin.number,
                a.l1_origin.number + 1,
                "new epoch at {number_b}"
            );
        } else {
            assert_eq!(b.l1_origin, a.l1_origin, "same epoch at {number_b}");
            assert_eq!(b.seq_num, a.seq_num + 1, "{number_b}");
        }
    }
    // 22884230-22884231 and 26207960-26207963.
    assert_eq!(adjacent_pairs, 4);
}

#[test]
fn blob_base_fees_match_the_l1_blob_schedule() {
    // Before Sepolia's Prague, the blob base fee is fake_exponential(1, excess, 3338477) for an
    // excess blob gas that is a whole number of blobs (131072 gas each).
    let sepolia = L1ChainConfig::SEPOLIA;
    let cancun = sepolia
        .blob_params_at(1_737_000_000)
        .expect("Cancun on Sepolia");
    assert_eq!(cancun.update_fraction, 3_338_477);
    let mut checked = 0;
    for fixture in fixtures() {
        let info = L1BlockInfoTx::decode_calldata(&deposit(&fixture).input).expect("decodes");
        let on_sepolia = fixture.rollup.l1_chain_id == sepolia.chain_id;
        if !on_sepolia || info.timestamp() >= sepolia.prague_time.expect("Prague") {
            continue;
        }
        let fee = info.blob_base_fee().expect("Ecotone format");
        let matches =
            (0..10_000u64).any(|blobs| U256::from(cancun.calc_blob_fee(blobs * 131_072)) == fee);
        assert!(
            matches,
            "{}: blob base fee {fee} not on the Cancun schedule",
            fixture.name
        );

        // The same through the header-based builder, with the excess that produced it.
        let blobs = (0..10_000u64)
            .find(|blobs| U256::from(cancun.calc_blob_fee(blobs * 131_072)) == fee)
            .expect("found above");
        let header = Header {
            number: info.block_number(),
            timestamp: info.timestamp(),
            base_fee_per_gas: Some(info.base_fee().to::<u64>()),
            excess_blob_gas: Some(blobs * 131_072),
            ..Default::default()
        };
        let rebuilt = L1BlockInfoTx::try_from_l1_header(
            &fixture.rollup,
            &sepolia,
            &koa_protocol::SystemConfig {
                batcher_address: info.batcher_address(),
                scalar: info.ecotone_scalars().expect("Ecotone").to_scalar_word(),
                ..Default::default()
            },
            info.sequence_number(),
            &header,
            info.block_hash(),
            fixture.l2_timestamp,
        )
        .expect("builds");
        assert_eq!(rebuilt, info, "{}", fixture.name);
        checked += 1;
    }
    assert_eq!(checked, 5, "the January 2025 OP Sepolia blocks");
}

#[test]
fn mainnet_batcher_is_known() {
    let fixture = fixtures()
        .into_iter()
        .find(|f| f.rollup.l2_chain_id == 10)
        .expect("OP Mainnet");
    let info = L1BlockInfoTx::decode_calldata(&deposit(&fixture).input).expect("decodes");
    let batcher: Address = address!("6887246668a3b87f54deb3b94ba47a6f63f32985");
    assert_eq!(info.batcher_address(), batcher);
}
