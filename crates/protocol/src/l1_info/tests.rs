use super::*;
use alloy_eips::eip2718::{Decodable2718, Encodable2718};
use alloy_primitives::{address, b256, hex, keccak256};

use crate::{Hardfork, config::SystemConfig};

fn schedule() -> RollupConfig {
    RollupConfig {
        block_time: 2,
        ecotone_time: Some(10),
        fjord_time: Some(10),
        granite_time: Some(10),
        holocene_time: Some(10),
        isthmus_time: Some(20),
        jovian_time: Some(30),
        ..RollupConfig::with_forks_at_genesis(Hardfork::Delta)
    }
}

fn system_config() -> SystemConfig {
    SystemConfig {
        batcher_address: address!("6887246668a3b87f54deb3b94ba47a6f63f32985"),
        overhead: B256::with_last_byte(0xbc),
        scalar: EcotoneScalars {
            base_fee_scalar: 5227,
            blob_base_fee_scalar: 1_014_213,
        }
        .to_scalar_word(),
        gas_limit: 30_000_000,
        operator_fee_params: b256!(
            "0000000000000000000000000000000000000000000000010000000200000000"
        ),
        ..Default::default()
    }
}

fn l1() -> L1BlockValues {
    L1BlockValues {
        number: 20_000_000,
        hash: B256::repeat_byte(0x42),
        timestamp: 1_717_000_000,
        base_fee: U256::from(7_000_000_000u64),
        blob_base_fee: U256::from(1u64),
    }
}

#[test]
fn selectors_are_the_function_signature_hashes() {
    let sigs = [
        (
            L1InfoFormat::Bedrock,
            "setL1BlockValues(uint64,uint64,uint256,bytes32,uint64,bytes32,uint256,uint256)",
        ),
        (L1InfoFormat::Ecotone, "setL1BlockValuesEcotone()"),
        (L1InfoFormat::Isthmus, "setL1BlockValuesIsthmus()"),
        (L1InfoFormat::Jovian, "setL1BlockValuesJovian()"),
    ];
    for (format, signature) in sigs {
        assert_eq!(keccak256(signature)[..4], format.selector(), "{signature}");
    }
}

#[test]
fn format_switches_one_block_after_each_activation() {
    let rollup_config = schedule();
    let format = |ts| L1InfoFormat::for_l2_timestamp(&rollup_config, ts);
    assert_eq!(format(8), L1InfoFormat::Bedrock);
    assert_eq!(format(10), L1InfoFormat::Bedrock, "first Ecotone block");
    assert_eq!(format(12), L1InfoFormat::Ecotone);
    assert_eq!(format(20), L1InfoFormat::Ecotone, "first Isthmus block");
    assert_eq!(format(22), L1InfoFormat::Isthmus);
    assert_eq!(format(30), L1InfoFormat::Isthmus, "first Jovian block");
    assert_eq!(format(32), L1InfoFormat::Jovian);

    // Forks active at genesis have no activation block: the new format applies at once.
    let genesis = RollupConfig {
        ecotone_time: Some(0),
        isthmus_time: Some(0),
        ..schedule()
    };
    assert_eq!(
        L1InfoFormat::for_l2_timestamp(&genesis, 0),
        L1InfoFormat::Isthmus
    );

    // Isthmus and Jovian activating together: that block keeps the Ecotone format.
    let together = RollupConfig {
        isthmus_time: Some(30),
        ..schedule()
    };
    assert_eq!(
        L1InfoFormat::for_l2_timestamp(&together, 30),
        L1InfoFormat::Ecotone
    );
}

#[test]
fn builds_each_format_from_the_system_config() {
    let rollup_config = schedule();
    let sys = system_config();
    let build = |ts| L1BlockInfoTx::try_new(&rollup_config, &sys, 3, &l1(), ts).unwrap();

    let L1BlockInfoTx::Bedrock(bedrock) = build(10) else {
        panic!("expected Bedrock")
    };
    assert_eq!(bedrock.l1_fee_overhead, U256::from(0xbc));
    assert_eq!(bedrock.l1_fee_scalar, U256::from_be_bytes(sys.scalar.0));
    assert_eq!(bedrock.batcher_address(), sys.batcher_address);

    let ecotone = build(12);
    assert_eq!(
        ecotone.ecotone_scalars(),
        Some(EcotoneScalars {
            base_fee_scalar: 5227,
            blob_base_fee_scalar: 1_014_213
        })
    );
    assert_eq!(ecotone.operator_fee(), None);

    let isthmus = build(22);
    assert_eq!(isthmus.operator_fee(), Some((1, 0x2_0000_0000)));
    assert_eq!(isthmus.da_footprint_gas_scalar(), None);

    let jovian = build(32);
    assert_eq!(
        jovian.da_footprint_gas_scalar(),
        Some(400),
        "zero config means the default"
    );

    for info in [L1BlockInfoTx::Bedrock(bedrock), ecotone, isthmus, jovian] {
        assert_eq!(
            info.l1_origin(),
            BlockNumHash {
                number: 20_000_000,
                hash: l1().hash
            }
        );
        assert_eq!(info.sequence_number(), 3);
        assert_eq!(info.timestamp(), l1().timestamp);
        assert_eq!(info.base_fee(), l1().base_fee);
        assert_eq!(info.batcher_hash(), sys.batcher_address.into_word());
        let calldata = info.encode_calldata();
        assert_eq!(calldata.len(), info.format().calldata_len());
        assert_eq!(calldata[..4], info.format().selector());
        assert_eq!(L1BlockInfoTx::decode_calldata(&calldata), Ok(info));
    }
}

#[test]
fn packed_layout_matches_spec_offsets() {
    let rollup_config = schedule();
    let info = L1BlockInfoTx::try_new(&rollup_config, &system_config(), 3, &l1(), 32).unwrap();
    let data = info.encode_calldata();
    assert_eq!(data[4..8], 5227u32.to_be_bytes());
    assert_eq!(data[8..12], 1_014_213u32.to_be_bytes());
    assert_eq!(data[12..20], 3u64.to_be_bytes());
    assert_eq!(data[20..28], l1().timestamp.to_be_bytes());
    assert_eq!(data[28..36], l1().number.to_be_bytes());
    assert_eq!(data[36..68], l1().base_fee.to_be_bytes::<32>());
    assert_eq!(data[68..100], U256::from(1).to_be_bytes::<32>());
    assert_eq!(data[100..132], l1().hash.0);
    assert_eq!(data[144..164], system_config().batcher_address.0);
    assert_eq!(data[164..168], 1u32.to_be_bytes());
    assert_eq!(data[168..176], 0x2_0000_0000u64.to_be_bytes());
    assert_eq!(data[176..178], 400u16.to_be_bytes());
}

#[test]
fn deposit_tx_fields() {
    let rollup_config = schedule();
    let info = L1BlockInfoTx::try_new(&rollup_config, &system_config(), 3, &l1(), 12).unwrap();
    let tx = info.to_deposit_tx(&rollup_config, 12);
    assert_eq!(tx.source_hash, source_hash::l1_info_deposit(l1().hash, 3));
    assert_eq!(tx.from, L1_ATTRIBUTES_DEPOSITOR);
    assert_eq!(tx.to, TxKind::Call(L1_BLOCK));
    assert_eq!((tx.mint, tx.value), (0, U256::ZERO));
    assert_eq!(tx.gas_limit, 1_000_000);
    assert!(!tx.is_system_transaction);
    assert_eq!(tx.input, info.encode_calldata());

    let pre_regolith = RollupConfig {
        regolith_time: Some(100),
        ..Default::default()
    };
    let tx = info.to_deposit_tx(&pre_regolith, 12);
    assert_eq!(tx.gas_limit, 150_000_000);
    assert!(tx.is_system_transaction);

    let encoded = tx.encoded_2718();
    assert_eq!(TxDeposit::decode_2718(&mut encoded.as_slice()).unwrap(), tx);
}

#[test]
fn bedrock_known_calldata_round_trips() {
    // Hand-assembled per the spec's ABI layout: OP Mainnet's genesis L1 origin (number
    // 17422590, its hash) and genesis system config, with an example timestamp and base fee.
    let data = hex!(
        "015d8eb9"
        "000000000000000000000000000000000000000000000000000000000109d8fe"
        "00000000000000000000000000000000000000000000000000000000647dc8d3"
        "0000000000000000000000000000000000000000000000000000000f4ee0e4ea"
        "438335a20d98863a4c0c97999eb2481921ccd28553eac6f913af7c12aec04108"
        "0000000000000000000000000000000000000000000000000000000000000000"
        "0000000000000000000000006887246668a3b87f54deb3b94ba47a6f63f32985"
        "00000000000000000000000000000000000000000000000000000000000000bc"
        "00000000000000000000000000000000000000000000000000000000000a6fe0"
    );
    let info = L1BlockInfoTx::decode_calldata(&data).unwrap();
    assert_eq!(info.format(), L1InfoFormat::Bedrock);
    assert_eq!(info.block_number(), 17_422_590);
    assert_eq!(info.timestamp(), 0x647dc8d3);
    assert_eq!(info.base_fee(), U256::from(0xf4ee0e4eau64));
    assert_eq!(
        info.batcher_address(),
        address!("6887246668a3b87f54deb3b94ba47a6f63f32985")
    );
    assert_eq!(info.encode_calldata().as_ref(), &data[..]);
}

#[test]
fn malformed_calldata_is_a_typed_error() {
    let rollup_config = schedule();
    let info = L1BlockInfoTx::try_new(&rollup_config, &system_config(), 0, &l1(), 12).unwrap();
    let data = info.encode_calldata();

    assert_eq!(
        L1BlockInfoTx::decode_calldata(&data[..3]),
        Err(L1InfoDecodeError::MissingSelector(3))
    );
    assert_eq!(
        L1BlockInfoTx::decode_calldata(&data[..163]),
        Err(L1InfoDecodeError::Length {
            format: L1InfoFormat::Ecotone,
            expected: 164,
            actual: 163
        })
    );
    let mut long = data.to_vec();
    long.push(0);
    assert!(matches!(
        L1BlockInfoTx::decode_calldata(&long),
        Err(L1InfoDecodeError::Length { actual: 165, .. })
    ));
    let mut wrong_selector = data.to_vec();
    wrong_selector[0] ^= 0xff;
    assert_eq!(
        L1BlockInfoTx::decode_calldata(&wrong_selector),
        Err(L1InfoDecodeError::UnknownSelector([0xbb, 0x0a, 0x5e, 0x20]))
    );

    let bedrock = L1BlockInfoTx::try_new(&rollup_config, &system_config(), 0, &l1(), 0).unwrap();
    let mut dirty = bedrock.encode_calldata().to_vec();
    dirty[4] = 1; // high byte of the `number` word
    assert_eq!(
        L1BlockInfoTx::decode_calldata(&dirty),
        Err(L1InfoDecodeError::NonZeroPadding("number"))
    );

    assert_eq!(
        L1BlockInfoTx::decode_for_timestamp(&rollup_config, 22, &data),
        Err(L1InfoDecodeError::UnexpectedFormat {
            expected: L1InfoFormat::Isthmus,
            actual: L1InfoFormat::Ecotone
        })
    );
    assert_eq!(
        L1BlockInfoTx::decode_for_timestamp(&rollup_config, 12, &data),
        Ok(info)
    );
}

#[test]
fn invalid_scalar_fails_the_build_after_ecotone() {
    let rollup_config = schedule();
    let mut sys = system_config();
    sys.scalar.0[0] = 9;
    assert_eq!(
        L1BlockInfoTx::try_new(&rollup_config, &sys, 0, &l1(), 12),
        Err(L1InfoBuildError::Scalar(ScalarError::UnknownVersion(9)))
    );
    // Bedrock carries the raw scalar.
    assert!(L1BlockInfoTx::try_new(&rollup_config, &sys, 0, &l1(), 10).is_ok());
}

#[test]
fn builds_from_an_l1_header() {
    let rollup_config = schedule();
    let header = Header {
        number: 7,
        timestamp: 1_741_200_000,
        base_fee_per_gas: Some(9),
        excess_blob_gas: Some(0),
        ..Default::default()
    };
    let info = L1BlockInfoTx::try_from_l1_header(
        &rollup_config,
        &L1ChainConfig::SEPOLIA,
        &system_config(),
        1,
        &header,
        B256::repeat_byte(7),
        12,
    )
    .unwrap();
    assert_eq!(info.block_number(), 7);
    assert_eq!(info.base_fee(), U256::from(9));
    assert_eq!(info.blob_base_fee(), Some(U256::from(1)));
    let no_base_fee = Header {
        base_fee_per_gas: None,
        ..header
    };
    assert_eq!(
        L1BlockInfoTx::try_from_l1_header(
            &rollup_config,
            &L1ChainConfig::SEPOLIA,
            &system_config(),
            1,
            &no_base_fee,
            B256::ZERO,
            12
        ),
        Err(L1InfoBuildError::MissingBaseFee)
    );
}
