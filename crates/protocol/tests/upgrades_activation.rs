//! Which L2 blocks carry upgrade deposits, and the Karst activation block's gas limit.
//!
//! Activation is by L2 timestamp: a fork's activation block is the first block at or after its
//! activation time, never the genesis block (specs/protocol/<fork>/derivation.md, "Activation
//! Block Rules" / "Network upgrade automation transactions").

use alloy_primitives::Bytes;
use koa_protocol::{
    ChainGenesis, Hardfork, RollupConfig,
    upgrades::{self, UpgradeError},
};

const BLOCK_TIME: u64 = 2;
const SYSTEM_GAS_LIMIT: u64 = 30_000_000;

/// Every fork on its own block: Ecotone 100, Fjord 200, Isthmus 300, Jovian 400, Karst 500,
/// Interop 600 (with the deposit-less forks in between).
fn schedule() -> RollupConfig {
    RollupConfig {
        block_time: BLOCK_TIME,
        seq_window_size: 3600,
        channel_timeout: 300,
        l1_chain_id: 1,
        l2_chain_id: 10,
        ecotone_time: Some(100),
        fjord_time: Some(200),
        granite_time: Some(250),
        holocene_time: Some(260),
        isthmus_time: Some(300),
        jovian_time: Some(400),
        karst_time: Some(500),
        interop_time: Some(600),
        ..RollupConfig::with_forks_at_genesis(Hardfork::Delta)
    }
}

fn encoded(fork: Hardfork) -> Vec<Bytes> {
    upgrades::fork_deposits(fork)
        .unwrap()
        .iter()
        .map(upgrades::encode_deposit)
        .collect()
}

#[test]
fn deposits_only_on_each_activation_block() {
    let rollup_config = schedule();
    assert_eq!(rollup_config.validate(), Ok(()));
    let forks = [
        (Hardfork::Ecotone, 100, 6),
        (Hardfork::Fjord, 200, 3),
        (Hardfork::Isthmus, 300, 8),
        (Hardfork::Jovian, 400, 5),
        (Hardfork::Karst, 500, 31),
        (Hardfork::Interop, 600, 4),
    ];
    for (fork, time, count) in forks {
        let txs = upgrades::upgrade_transactions(&rollup_config, time).unwrap();
        assert_eq!(txs.len(), count, "{fork}");
        assert_eq!(txs, encoded(fork), "{fork}");
        assert!(
            txs.iter().all(|tx| tx.first() == Some(&0x7e)),
            "{fork}: deposit type"
        );
        for other in [time - BLOCK_TIME, time + BLOCK_TIME] {
            assert_eq!(
                upgrades::upgrade_transactions(&rollup_config, other),
                Ok(vec![]),
                "{fork} @ {other}"
            );
        }
    }
    // Forks without upgrade deposits activate without any.
    for time in [250, 260] {
        assert!(rollup_config.is_activation_block(rollup_config.active_fork(time), time));
        assert_eq!(
            upgrades::upgrade_transactions(&rollup_config, time),
            Ok(vec![])
        );
    }
    // No other block of the chain carries any.
    let with_deposits = (0..=700)
        .step_by(2)
        .filter(|&time| {
            !upgrades::upgrade_transactions(&rollup_config, time)
                .unwrap()
                .is_empty()
        })
        .collect::<Vec<_>>();
    assert_eq!(with_deposits, [100, 200, 300, 400, 500, 600]);
}

#[test]
fn activation_time_between_blocks_activates_the_next_block() {
    let rollup_config = RollupConfig {
        ecotone_time: Some(101),
        ..schedule()
    };
    assert_eq!(
        upgrades::upgrade_transactions(&rollup_config, 100),
        Ok(vec![])
    );
    assert_eq!(
        upgrades::upgrade_transactions(&rollup_config, 102).unwrap(),
        encoded(Hardfork::Ecotone)
    );
    assert_eq!(
        upgrades::upgrade_transactions(&rollup_config, 104),
        Ok(vec![])
    );
}

#[test]
fn nothing_at_genesis_when_active_from_genesis() {
    // Everything active at a zero-timestamp genesis.
    let at_zero = RollupConfig {
        ecotone_time: Some(0),
        fjord_time: Some(0),
        granite_time: Some(0),
        holocene_time: Some(0),
        isthmus_time: Some(0),
        jovian_time: Some(0),
        karst_time: Some(0),
        interop_time: Some(0),
        ..schedule()
    };
    for time in [0, 2, 4] {
        assert_eq!(
            upgrades::upgrade_transactions(&at_zero, time),
            Ok(vec![]),
            "@ {time}"
        );
        assert_eq!(upgrades::upgrade_gas(&at_zero, time), Ok(0), "@ {time}");
    }
    // A genesis at a later timestamp, with every fork activated exactly there: the genesis
    // block is not derived, so it is no activation block, and neither is the block after it.
    let genesis_time = 1_000;
    let late = RollupConfig {
        genesis: ChainGenesis {
            l2_time: genesis_time,
            ..Default::default()
        },
        ecotone_time: Some(genesis_time),
        fjord_time: Some(genesis_time),
        granite_time: Some(genesis_time),
        holocene_time: Some(genesis_time),
        isthmus_time: Some(genesis_time),
        jovian_time: Some(genesis_time),
        karst_time: Some(genesis_time),
        interop_time: Some(genesis_time),
        ..schedule()
    };
    for time in [genesis_time, genesis_time + BLOCK_TIME] {
        assert_eq!(
            upgrades::upgrade_transactions(&late, time),
            Ok(vec![]),
            "@ {time}"
        );
        assert_eq!(upgrades::upgrade_gas(&late, time), Ok(0), "@ {time}");
    }
}

#[test]
fn forks_sharing_a_block_append_in_fork_order() {
    let rollup_config = RollupConfig {
        isthmus_time: Some(400),
        ..schedule()
    };
    let mut expected = encoded(Hardfork::Isthmus);
    expected.extend(encoded(Hardfork::Jovian));
    assert_eq!(
        upgrades::upgrade_transactions(&rollup_config, 400).unwrap(),
        expected
    );
    assert_eq!(
        upgrades::activated_forks(&rollup_config, 400).collect::<Vec<_>>(),
        [Hardfork::Isthmus, Hardfork::Jovian]
    );
}

/// Builds the gas limits of the blocks around Karst's activation as the attributes builder
/// does: each block's gas limit is its parent's system config gas limit (recovered from the
/// parent's header) plus the block's own upgrade gas.
fn gas_limits_around_karst(rollup_config: &RollupConfig) -> Vec<u64> {
    let mut parent = (498 - BLOCK_TIME, SYSTEM_GAS_LIMIT);
    let mut limits = Vec::new();
    for time in (498..=504).step_by(2) {
        let system_gas =
            upgrades::system_config_gas_limit(rollup_config, parent.0, parent.1).unwrap();
        let gas_limit = system_gas + upgrades::upgrade_gas(rollup_config, time).unwrap();
        limits.push(gas_limit);
        parent = (time, gas_limit);
    }
    limits
}

// specs/protocol/l2-upgrades-1-execution.md, "Custom Upgrade Block Gas Limit": the extra gas
// applies to the activation block only (iUBGL-004) ...
#[test]
fn karst_upgrade_gas_applies_to_the_activation_block_only() {
    let rollup_config = schedule();
    let karst_gas = upgrades::fork_upgrade_gas(Hardfork::Karst).unwrap();
    assert!(karst_gas > 0);
    assert_eq!(upgrades::upgrade_gas(&rollup_config, 500), Ok(karst_gas));
    for time in [100, 200, 300, 400, 498, 502, 600] {
        assert_eq!(
            upgrades::upgrade_gas(&rollup_config, time),
            Ok(0),
            "@ {time}"
        );
    }
    assert_eq!(
        upgrades::upgrade_gas_to_strip(&rollup_config, 500),
        Ok(karst_gas)
    );
    assert_eq!(
        gas_limits_around_karst(&rollup_config),
        [
            SYSTEM_GAS_LIMIT,
            SYSTEM_GAS_LIMIT + karst_gas,
            SYSTEM_GAS_LIMIT,
            SYSTEM_GAS_LIMIT
        ]
    );
}

// ... unless the chain activated Karst keeping the raised gas limit (`keep_karst_upgrade_gas`):
// then nothing is subtracted when the system config is read back from the activation block,
// and the later blocks keep its gas limit.
#[test]
fn keep_karst_upgrade_gas_keeps_the_raised_limit() {
    let rollup_config = RollupConfig {
        keep_karst_upgrade_gas: true,
        ..schedule()
    };
    let karst_gas = upgrades::fork_upgrade_gas(Hardfork::Karst).unwrap();
    assert_eq!(upgrades::upgrade_gas(&rollup_config, 500), Ok(karst_gas));
    assert_eq!(upgrades::upgrade_gas_to_strip(&rollup_config, 500), Ok(0));
    let raised = SYSTEM_GAS_LIMIT + karst_gas;
    assert_eq!(
        gas_limits_around_karst(&rollup_config),
        [SYSTEM_GAS_LIMIT, raised, raised, raised]
    );
}

#[test]
fn header_gas_limit_below_upgrade_gas_is_an_error() {
    let rollup_config = schedule();
    let karst_gas = upgrades::fork_upgrade_gas(Hardfork::Karst).unwrap();
    assert_eq!(
        upgrades::system_config_gas_limit(&rollup_config, 500, karst_gas - 1),
        Err(UpgradeError::GasLimitBelowUpgradeGas {
            fork: Hardfork::Karst,
            gas_limit: karst_gas - 1,
            upgrade_gas: karst_gas,
        })
    );
    // Other blocks' header gas limit is their system config's.
    assert_eq!(
        upgrades::system_config_gas_limit(&rollup_config, 502, 1),
        Ok(1)
    );
}
