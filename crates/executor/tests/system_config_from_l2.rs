//! [`SystemConfig::from_l2_block`](koa_protocol::SystemConfig::from_l2_block): the system config recovered from real OP Mainnet and OP
//! Sepolia blocks (built by the executor from `testdata/execution`, checked against their
//! real block hashes), and from synthetic blocks for every rule of op-node's
//! `PayloadToSystemConfig`.

use std::path::Path;

use alloy_consensus::{Block, BlockBody, Header, Sealable, Signed, TxLegacy};
use alloy_eips::{eip1898::BlockNumHash, eip2718::Decodable2718};
use alloy_primitives::{Address, B64, B256, Bytes, Signature, U256, address, b256};
use koa_executor::StatelessExecutor;
use koa_fixture::Fixture;
use koa_mpt::NoopTrieHinter;
use koa_protocol::{
    ChainGenesis, Hardfork, L1BlockInfoTx, L1BlockValues, L2BlockInfoError, L2SystemConfigError,
    RollupConfig, SystemConfig,
    config::{EcotoneScalars, encode_operator_fee_params},
    eip1559::{Eip1559Params, ExtraDataError, ExtraDataFormat, ExtraDataParams},
    l1_info::{L1InfoDecodeError, L1InfoFormat},
    upgrades::{self, UpgradeError},
};
use op_alloy_consensus::OpTxEnvelope;

/// OP Mainnet's batcher (superchain registry, `mainnet/op`).
const OP_MAINNET_BATCHER: Address = address!("6887246668a3b87f54deb3b94ba47a6f63f32985");
/// OP Sepolia's batcher (superchain registry, `sepolia/op`).
const OP_SEPOLIA_BATCHER: Address = address!("8f23bb38f531600e5d8fddaaec41f13fab46e98c");

fn fixtures_dir() -> &'static Path {
    Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../testdata/execution"
    ))
}

/// Every execution fixture: build the block, check its hash, recover its system config and
/// compare it with what the block's L1 attributes, header and payload attributes say, and with
/// the chain's registry values.
#[test]
fn real_blocks_recover_their_system_config() {
    let dirs = Fixture::discover(fixtures_dir()).expect("fixtures present");
    assert_eq!(dirs.len(), 14);
    for dir in dirs {
        let name = dir.display().to_string();
        let fixture = Fixture::load(&dir).expect("fixture loads");
        let file = &fixture.file;
        let config = &file.rollup_config;
        let executor = StatelessExecutor::new(config, &fixture.preimages, NoopTrieHinter);
        let outcome = executor
            .execute(
                &file.parent_header,
                fixture.parent().hash(),
                &file.payload_attributes,
            )
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let header = outcome.header.inner();
        let hash = outcome.header.hash();
        assert_eq!(hash, file.expected_block_hash, "{name}: block hash");

        let first_tx =
            OpTxEnvelope::decode_2718(&mut file.payload_attributes.transactions.first().unwrap())
                .expect("first transaction decodes");
        let recovered = SystemConfig::from_l2_block(config, header, hash, Some(&first_tx))
            .unwrap_or_else(|e| panic!("{name}: {e}"));

        // The registry's rollup config for the chain recovers the same config.
        let chain = koa_registry::chain(file.l2_chain_id).expect("chain in the registry");
        let registry_config = chain.rollup_config();
        assert_eq!(
            SystemConfig::from_l2_block(&registry_config, header, hash, Some(&first_tx)),
            Ok(recovered),
            "{name}: registry config"
        );

        // Batcher: the chain's batcher, which has not changed since genesis on either chain.
        let expected_batcher = match file.l2_chain_id {
            10 => OP_MAINNET_BATCHER,
            11_155_420 => OP_SEPOLIA_BATCHER,
            id => panic!("{name}: unexpected chain {id}"),
        };
        assert_eq!(recovered.batcher_address, expected_batcher, "{name}");
        assert_eq!(chain.genesis.batcher_address, expected_batcher, "{name}");

        // Gas limit: no upgrade gas in these blocks, so the header's and the attributes'.
        assert_eq!(recovered.gas_limit, header.gas_limit, "{name}");
        assert_eq!(Some(recovered.gas_limit), file.payload_attributes.gas_limit);

        // Fee scalars: every fixture is past Ecotone's activation block.
        let info = l1_info(config, header, &first_tx);
        assert_ne!(info.format(), L1InfoFormat::Bedrock, "{name}");
        assert_eq!(recovered.overhead, B256::ZERO, "{name}");
        assert_eq!(recovered.scalar.0[0], 1, "{name}: version 1 scalar");
        assert_eq!(
            recovered.ecotone_scalars().ok(),
            info.ecotone_scalars(),
            "{name}"
        );

        // EIP-1559 parameters: the attributes' (non-zero on these Holocene blocks), zero before.
        let timestamp = header.timestamp;
        if config.is_holocene_active(timestamp) {
            let params = file
                .payload_attributes
                .eip1559_params
                .expect("Holocene params");
            assert_ne!(params, B64::ZERO, "{name}");
            assert_eq!(recovered.eip1559_params, params, "{name}");
            assert_eq!(
                (
                    recovered.eip1559_denominator(),
                    recovered.eip1559_elasticity()
                ),
                (250, 6),
                "{name}: OP Sepolia's Holocene parameters"
            );
        } else {
            assert!(header.extra_data.is_empty(), "{name}");
            assert_eq!(recovered.eip1559_params, B64::ZERO, "{name}");
        }
        // No fixture reaches Isthmus or Jovian.
        assert!(!config.is_isthmus_active(timestamp), "{name}");
        assert_eq!(recovered.operator_fee_params, B256::ZERO);
        assert_eq!(recovered.min_base_fee, 0);
        assert_eq!(recovered.da_footprint_gas_scalar, 0);

        // The recovered config rebuilds the block's L1 attributes byte for byte.
        let OpTxEnvelope::Deposit(deposit) = &first_tx else {
            panic!("{name}: not a deposit");
        };
        let rebuilt = L1BlockInfoTx::try_new(
            config,
            &recovered,
            info.sequence_number(),
            &l1_values(&info),
            timestamp,
        )
        .expect("attributes rebuild");
        assert_eq!(rebuilt.encode_calldata(), deposit.inner().input, "{name}");
    }
}

/// Every real parent header's `extraData` is valid for its fork and carries the parameters its
/// own block was built with.
#[test]
fn real_parent_extra_data_decodes() {
    for dir in Fixture::discover(fixtures_dir()).expect("fixtures present") {
        let fixture = Fixture::load(&dir).expect("fixture loads");
        let parent = &fixture.file.parent_header;
        let config = &fixture.file.rollup_config;
        let format = ExtraDataFormat::for_timestamp(config, parent.timestamp);
        let decoded = format
            .decode(&parent.extra_data)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        assert_eq!(format.encode(&decoded), parent.extra_data);
        match format {
            ExtraDataFormat::Empty => assert_eq!(decoded, ExtraDataParams::default()),
            ExtraDataFormat::Holocene => assert_eq!(
                decoded.eip1559,
                Eip1559Params {
                    denominator: 250,
                    elasticity: 6
                }
            ),
            ExtraDataFormat::Jovian => panic!("no Jovian fixture expected"),
        }
    }
}

/// The L1 attributes of a block's deposit `tx`.
fn l1_info(rollup_config: &RollupConfig, header: &Header, tx: &OpTxEnvelope) -> L1BlockInfoTx {
    let OpTxEnvelope::Deposit(deposit) = tx else {
        panic!("first transaction is not a deposit");
    };
    L1BlockInfoTx::decode_for_timestamp(rollup_config, header.timestamp, &deposit.inner().input)
        .expect("L1 attributes decode")
}

fn l1_values(info: &L1BlockInfoTx) -> L1BlockValues {
    L1BlockValues {
        number: info.block_number(),
        hash: info.block_hash(),
        timestamp: info.timestamp(),
        base_fee: info.base_fee(),
        blob_base_fee: info.blob_base_fee().unwrap_or_default(),
    }
}

// ---------------------------------------------------------------------------------------------
// Synthetic blocks, one rule at a time.
// ---------------------------------------------------------------------------------------------

const BLOCK_TIME: u64 = 2;
const GENESIS_TIME: u64 = 1_000;
const GENESIS_HASH: B256 = B256::repeat_byte(0x22);

/// A chain whose forks up to Delta are active at genesis, and later forks at the given times.
#[derive(Default)]
struct Forks {
    ecotone: Option<u64>,
    holocene: Option<u64>,
    isthmus: Option<u64>,
    jovian: Option<u64>,
    karst: Option<u64>,
    keep_karst_upgrade_gas: bool,
}

impl Forks {
    fn all_at_genesis() -> Self {
        Self {
            ecotone: Some(0),
            holocene: Some(0),
            isthmus: Some(0),
            jovian: Some(0),
            karst: None,
            keep_karst_upgrade_gas: false,
        }
    }

    fn config(self) -> RollupConfig {
        // Forks between two scheduled ones share the earlier one's time.
        let mut rollup_config = RollupConfig {
            genesis: ChainGenesis {
                l1: BlockNumHash {
                    number: 100,
                    hash: B256::repeat_byte(0x11),
                },
                l2: BlockNumHash {
                    number: 0,
                    hash: GENESIS_HASH,
                },
                l2_time: GENESIS_TIME,
                system_config: SystemConfig {
                    batcher_address: OP_SEPOLIA_BATCHER,
                    overhead: B256::with_last_byte(188),
                    scalar: b256!(
                        "00000000000000000000000000000000000000000000000000000000000a6fe0"
                    ),
                    gas_limit: 30_000_000,
                    ..Default::default()
                },
            },
            block_time: BLOCK_TIME,
            ecotone_time: self.ecotone,
            fjord_time: self.ecotone,
            granite_time: self.ecotone,
            holocene_time: self.holocene,
            isthmus_time: self.isthmus,
            jovian_time: self.jovian,
            karst_time: self.karst,
            keep_karst_upgrade_gas: self.keep_karst_upgrade_gas,
            ..RollupConfig::with_forks_at_genesis(Hardfork::Delta)
        };
        rollup_config.chain_op_config.eip1559_elasticity = 6;
        rollup_config.chain_op_config.eip1559_denominator = 50;
        rollup_config.chain_op_config.eip1559_denominator_canyon = 250;
        rollup_config
    }
}

/// A system config in the form `from_l2_block` returns from Ecotone on.
fn post_ecotone_config() -> SystemConfig {
    SystemConfig {
        batcher_address: OP_MAINNET_BATCHER,
        overhead: B256::ZERO,
        scalar: EcotoneScalars {
            base_fee_scalar: 5227,
            blob_base_fee_scalar: 1_014_213,
        }
        .to_scalar_word(),
        gas_limit: 60_000_000,
        eip1559_params: Eip1559Params {
            denominator: 250,
            elasticity: 6,
        }
        .to_b64(),
        operator_fee_params: encode_operator_fee_params(1_500, 42_000),
        min_base_fee: 1_000_000,
        da_footprint_gas_scalar: 7,
    }
}

/// An L2 block at `timestamp` built under `system_config` the way derivation builds it: the
/// L1 attributes deposit first, the gas limit raised by any upgrade gas, the EIP-1559
/// parameters and minimum base fee in `extraData`.
fn build_block(
    rollup_config: &RollupConfig,
    system_config: &SystemConfig,
    timestamp: u64,
) -> (Header, OpTxEnvelope) {
    let l1 = L1BlockValues {
        number: 120,
        hash: B256::repeat_byte(0x33),
        timestamp: timestamp - 20,
        base_fee: U256::from(7_000_000_000u64),
        blob_base_fee: U256::from(1),
    };
    let info = L1BlockInfoTx::try_new(rollup_config, system_config, 1, &l1, timestamp)
        .expect("L1 attributes build");
    let tx = OpTxEnvelope::Deposit(info.to_deposit_tx(rollup_config, timestamp).seal_slow());
    let extra = ExtraDataParams {
        eip1559: Eip1559Params::from_b64(system_config.eip1559_params),
        min_base_fee: system_config.min_base_fee,
    };
    let header = Header {
        number: (timestamp - GENESIS_TIME) / BLOCK_TIME,
        timestamp,
        gas_limit: system_config.gas_limit
            + upgrades::upgrade_gas(rollup_config, timestamp).expect("upgrade gas"),
        extra_data: ExtraDataFormat::for_timestamp(rollup_config, timestamp).encode(&extra),
        ..Default::default()
    };
    (header, tx)
}

fn recover(
    rollup_config: &RollupConfig,
    header: &Header,
    tx: &OpTxEnvelope,
) -> Result<SystemConfig, L2SystemConfigError> {
    SystemConfig::from_l2_block(rollup_config, header, B256::repeat_byte(0x44), Some(tx))
}

#[test]
fn genesis_block_has_the_genesis_system_config() {
    let config = Forks::all_at_genesis().config();
    let header = Header {
        number: 0,
        timestamp: GENESIS_TIME,
        ..Default::default()
    };
    assert_eq!(
        SystemConfig::from_l2_block(&config, &header, GENESIS_HASH, None),
        Ok(config.genesis.system_config)
    );
    assert_eq!(
        SystemConfig::from_l2_block(&config, &header, B256::ZERO, None),
        Err(L2SystemConfigError::Block(
            L2BlockInfoError::GenesisHashMismatch {
                expected: GENESIS_HASH,
                actual: B256::ZERO,
            }
        ))
    );
}

#[test]
fn first_transaction_must_be_the_l1_attributes_deposit() {
    let config = Forks::all_at_genesis().config();
    let (header, deposit) = build_block(&config, &post_ecotone_config(), GENESIS_TIME + 10);
    let hash = B256::repeat_byte(0x44);
    assert_eq!(
        SystemConfig::from_l2_block(&config, &header, hash, None),
        Err(L2SystemConfigError::Block(
            L2BlockInfoError::MissingL1InfoDeposit
        ))
    );
    let legacy = OpTxEnvelope::Legacy(Signed::new_unchecked(
        TxLegacy::default(),
        Signature::test_signature(),
        B256::ZERO,
    ));
    assert_eq!(
        recover(&config, &header, &legacy),
        Err(L2SystemConfigError::Block(
            L2BlockInfoError::FirstTxNotDeposit
        ))
    );
    // Attributes in another format than the block's timestamp requires.
    let bedrock = Forks::default().config();
    let (_, bedrock_deposit) = build_block(&bedrock, &post_ecotone_config(), GENESIS_TIME + 10);
    assert_eq!(
        recover(&config, &header, &bedrock_deposit),
        Err(L2SystemConfigError::Block(L2BlockInfoError::L1Info(
            L1InfoDecodeError::UnexpectedFormat {
                expected: L1InfoFormat::Jovian,
                actual: L1InfoFormat::Bedrock,
            }
        )))
    );
    assert_eq!(
        recover(&config, &header, &deposit),
        Ok(post_ecotone_config())
    );
    let block = Block {
        header,
        body: BlockBody {
            transactions: vec![deposit, legacy],
            ..Default::default()
        },
    };
    assert_eq!(
        SystemConfig::from_full_l2_block(&config, &block, hash),
        Ok(post_ecotone_config())
    );
}

#[test]
fn ecotone_activation_block_keeps_the_bedrock_scalar() {
    let activation = GENESIS_TIME + 20;
    let config = Forks {
        ecotone: Some(activation),
        ..Default::default()
    }
    .config();
    let bedrock_config = config.genesis.system_config;
    // Before Ecotone and on its activation block: Bedrock attributes, values as they are.
    for timestamp in [activation - BLOCK_TIME, activation] {
        let (header, tx) = build_block(&config, &bedrock_config, timestamp);
        let recovered = recover(&config, &header, &tx).expect("recovers");
        assert_eq!(recovered, bedrock_config, "timestamp {timestamp}");
        assert_eq!(recovered.overhead, B256::with_last_byte(188));
    }
}

#[test]
fn ecotone_blocks_carry_a_version_1_scalar() {
    let activation = GENESIS_TIME + 20;
    let config = Forks {
        ecotone: Some(activation),
        ..Default::default()
    }
    .config();
    let timestamp = activation + BLOCK_TIME;
    // A version 0 scalar on L1: the attributes carry it as the base fee scalar, and op-node
    // recovers a version 1 word with a zero blob base fee scalar (the same fee).
    let (header, tx) = build_block(&config, &config.genesis.system_config, timestamp);
    let recovered = recover(&config, &header, &tx).expect("recovers");
    assert_eq!(
        recovered.scalar,
        b256!("01000000000000000000000000000000000000000000000000000000000a6fe0")
    );
    assert_eq!(recovered.overhead, B256::ZERO);
    assert_eq!(recovered.batcher_address, OP_SEPOLIA_BATCHER);
    // A version 1 scalar comes back unchanged.
    let v1 = SystemConfig {
        overhead: B256::ZERO,
        scalar: post_ecotone_config().scalar,
        ..config.genesis.system_config
    };
    let (header, tx) = build_block(&config, &v1, timestamp);
    assert_eq!(recover(&config, &header, &tx), Ok(v1));
}

#[test]
fn karst_activation_block_strips_the_upgrade_gas() {
    let activation = GENESIS_TIME + 20;
    let forks = || Forks {
        karst: Some(activation),
        ..Forks::all_at_genesis()
    };
    let rollup_config = forks().config();
    let bundle_gas = upgrades::karst::upgrade_gas().expect("Karst bundle");
    assert!(bundle_gas > 0);
    let system_config = post_ecotone_config();

    let (header, tx) = build_block(&rollup_config, &system_config, activation);
    assert_eq!(header.gas_limit, system_config.gas_limit + bundle_gas);
    assert_eq!(recover(&rollup_config, &header, &tx), Ok(system_config));

    // The next block carries no upgrade gas: nothing to strip.
    let (next, next_tx) = build_block(&rollup_config, &system_config, activation + BLOCK_TIME);
    assert_eq!(next.gas_limit, system_config.gas_limit);
    assert_eq!(recover(&rollup_config, &next, &next_tx), Ok(system_config));

    // `keep_karst_upgrade_gas`: the raised limit becomes the system config's.
    let keep = Forks {
        keep_karst_upgrade_gas: true,
        ..forks()
    }
    .config();
    let recovered = recover(&keep, &header, &tx).expect("recovers");
    assert_eq!(recovered.gas_limit, system_config.gas_limit + bundle_gas);

    // A header gas limit below the upgrade gas cannot be an activation block's.
    let short = Header {
        gas_limit: bundle_gas - 1,
        ..header
    };
    assert_eq!(
        recover(&rollup_config, &short, &tx),
        Err(L2SystemConfigError::UpgradeGas(
            UpgradeError::GasLimitBelowUpgradeGas {
                fork: koa_protocol::Hardfork::Karst,
                gas_limit: bundle_gas - 1,
                upgrade_gas: bundle_gas,
            }
        ))
    );
}

/// `extra` in the block of `config` at `timestamp`, whose attributes are valid.
fn recover_with_extra(
    rollup_config: &RollupConfig,
    timestamp: u64,
    extra: &[u8],
) -> Result<SystemConfig, L2SystemConfigError> {
    let (header, tx) = build_block(rollup_config, &post_ecotone_config(), timestamp);
    let header = Header {
        extra_data: Bytes::copy_from_slice(extra),
        ..header
    };
    recover(rollup_config, &header, &tx)
}

#[test]
fn extra_data_is_validated_for_the_block_fork() {
    let holocene = GENESIS_TIME + 20;
    let jovian = GENESIS_TIME + 40;
    let config = Forks {
        ecotone: Some(0),
        holocene: Some(holocene),
        isthmus: Some(holocene),
        jovian: Some(jovian),
        ..Default::default()
    }
    .config();
    let pre_holocene = holocene - BLOCK_TIME;
    let v0 = [0u8, 0, 0, 0, 250, 0, 0, 0, 6];
    let v1 = [1u8, 0, 0, 0, 250, 0, 0, 0, 6, 0, 0, 0, 0, 0, 0, 0, 9];

    // Before Holocene: empty only.
    assert!(recover_with_extra(&config, pre_holocene, &[]).is_ok());
    assert_eq!(
        recover_with_extra(&config, pre_holocene, &v0),
        Err(L2SystemConfigError::ExtraData(ExtraDataError::NotEmpty(9)))
    );

    // Holocene (its activation block included): 9 bytes, version 0.
    for timestamp in [holocene, jovian - BLOCK_TIME] {
        let recovered = recover_with_extra(&config, timestamp, &v0).expect("valid");
        assert_eq!(
            (
                recovered.eip1559_denominator(),
                recovered.eip1559_elasticity()
            ),
            (250, 6)
        );
        assert_eq!(recovered.min_base_fee, 0);
        assert_eq!(
            recover_with_extra(&config, timestamp, &[]),
            Err(L2SystemConfigError::ExtraData(ExtraDataError::Length {
                format: ExtraDataFormat::Holocene,
                expected: 9,
                actual: 0,
            }))
        );
        assert_eq!(
            recover_with_extra(&config, timestamp, &v1),
            Err(L2SystemConfigError::ExtraData(ExtraDataError::Length {
                format: ExtraDataFormat::Holocene,
                expected: 9,
                actual: 17,
            }))
        );
        let mut wrong_version = v0;
        wrong_version[0] = 1;
        assert_eq!(
            recover_with_extra(&config, timestamp, &wrong_version),
            Err(L2SystemConfigError::ExtraData(ExtraDataError::Version {
                format: ExtraDataFormat::Holocene,
                expected: 0,
                actual: 1,
            }))
        );
    }

    // Jovian (its activation block included): 17 bytes, version 1.
    for timestamp in [jovian, jovian + BLOCK_TIME] {
        let recovered = recover_with_extra(&config, timestamp, &v1).expect("valid");
        assert_eq!(recovered.min_base_fee, 9);
        assert_eq!(
            recover_with_extra(&config, timestamp, &v0),
            Err(L2SystemConfigError::ExtraData(ExtraDataError::Length {
                format: ExtraDataFormat::Jovian,
                expected: 17,
                actual: 9,
            }))
        );
        let mut wrong_version = v1;
        wrong_version[0] = 0;
        assert_eq!(
            recover_with_extra(&config, timestamp, &wrong_version),
            Err(L2SystemConfigError::ExtraData(ExtraDataError::Version {
                format: ExtraDataFormat::Jovian,
                expected: 1,
                actual: 0,
            }))
        );
    }

    // Both versions: a zero denominator needs a zero elasticity.
    let mut zero_denominator_v0 = v0;
    zero_denominator_v0[4] = 0;
    let mut zero_denominator_v1 = v1;
    zero_denominator_v1[4] = 0;
    for (timestamp, extra) in [
        (holocene, &zero_denominator_v0[..]),
        (jovian, &zero_denominator_v1[..]),
    ] {
        assert_eq!(
            recover_with_extra(&config, timestamp, extra),
            Err(L2SystemConfigError::ExtraData(
                ExtraDataError::ZeroDenominator { elasticity: 6 }
            ))
        );
    }
    let recovered = recover_with_extra(&config, holocene, &[0u8; 9]).expect("valid");
    assert_eq!(recovered.eip1559_params, B64::ZERO);
}

#[test]
fn isthmus_operator_fee_comes_from_the_l1_attributes() {
    let activation = GENESIS_TIME + 20;
    let config = Forks {
        ecotone: Some(0),
        holocene: Some(0),
        isthmus: Some(activation),
        ..Default::default()
    }
    .config();
    let system_config = SystemConfig {
        min_base_fee: 0,
        da_footprint_gas_scalar: 0,
        ..post_ecotone_config()
    };

    // The activation block's attributes are still in the Ecotone format: no operator fee.
    let (header, tx) = build_block(&config, &system_config, activation);
    let recovered = recover(&config, &header, &tx).expect("recovers");
    assert_eq!(recovered.operator_fee_params, B256::ZERO);
    assert_eq!(
        recovered,
        SystemConfig {
            operator_fee_params: B256::ZERO,
            ..system_config
        }
    );

    let (header, tx) = build_block(&config, &system_config, activation + BLOCK_TIME);
    let recovered = recover(&config, &header, &tx).expect("recovers");
    assert_eq!(recovered.operator_fee_scalar(), 1_500);
    assert_eq!(recovered.operator_fee_constant(), 42_000);
    assert_eq!(recovered, system_config);
}

#[test]
fn jovian_min_base_fee_and_da_footprint_scalar() {
    let activation = GENESIS_TIME + 20;
    let config = Forks {
        jovian: Some(activation),
        ..Forks::all_at_genesis()
    }
    .config();
    let system_config = post_ecotone_config();

    // Activation block: Isthmus-format attributes (no DA footprint scalar), Jovian extraData.
    let (header, tx) = build_block(&config, &system_config, activation);
    assert_eq!(header.extra_data.len(), 17);
    let recovered = recover(&config, &header, &tx).expect("recovers");
    assert_eq!(recovered.min_base_fee, 1_000_000);
    assert_eq!(recovered.da_footprint_gas_scalar, 0);
    assert_eq!(
        recovered,
        SystemConfig {
            da_footprint_gas_scalar: 0,
            ..system_config
        }
    );

    // After it: every field round-trips.
    let (header, tx) = build_block(&config, &system_config, activation + BLOCK_TIME);
    assert_eq!(recover(&config, &header, &tx), Ok(system_config));

    // An unset (zero) DA footprint scalar is carried as the default 400, and recovered as such.
    let unset = SystemConfig {
        da_footprint_gas_scalar: 0,
        ..system_config
    };
    let (header, tx) = build_block(&config, &unset, activation + BLOCK_TIME);
    let recovered = recover(&config, &header, &tx).expect("recovers");
    assert_eq!(
        recovered.da_footprint_gas_scalar,
        koa_protocol::config::DEFAULT_DA_FOOTPRINT_GAS_SCALAR
    );
}
