//! The rollup configuration in op-node's `rollup.json` shape.

use alloy_eips::eip1898::BlockNumHash;
use alloy_primitives::Address;
use serde::{Deserialize, Serialize};

use super::{Hardfork, SystemConfig};

/// Channel timeout (in L1 blocks) from Granite on; before Granite it is
/// [`RollupConfig::channel_timeout`].
pub const GRANITE_CHANNEL_TIMEOUT: u64 = 50;

/// Maximum sequencer drift (seconds) from Fjord on; before Fjord it is
/// [`RollupConfig::max_sequencer_drift`].
pub const FJORD_MAX_SEQUENCER_DRIFT: u64 = 1800;

/// The L1 and L2 anchors of a rollup and its initial system config.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainGenesis {
    /// The L1 block the rollup starts deriving from.
    pub l1: BlockNumHash,
    /// The L2 genesis block.
    pub l2: BlockNumHash,
    /// The L2 genesis block's timestamp.
    pub l2_time: u64,
    /// The system config at genesis.
    pub system_config: SystemConfig,
}

/// The chain's fixed EIP-1559 parameters (`chain_op_config` in `rollup.json`): the base fee
/// rule before Holocene, and the values zero `eip1559Params` select from Holocene on.
///
/// The per-block parameters the system config governs from Holocene (and block headers record
/// in `extraData`) are [`Eip1559Params`](crate::eip1559::Eip1559Params).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OpChainConfig {
    /// Elasticity multiplier.
    #[serde(rename = "eip1559Elasticity")]
    pub eip1559_elasticity: u64,
    /// Base fee change denominator before Canyon.
    #[serde(rename = "eip1559Denominator")]
    pub eip1559_denominator: u64,
    /// Base fee change denominator from Canyon on.
    #[serde(rename = "eip1559DenominatorCanyon")]
    pub eip1559_denominator_canyon: u64,
}

impl Default for OpChainConfig {
    /// OP Mainnet's parameters, which most chains share.
    fn default() -> Self {
        Self {
            eip1559_elasticity: 6,
            eip1559_denominator: 50,
            eip1559_denominator_canyon: 250,
        }
    }
}

/// A rollup's configuration: everything derivation and execution need to know about a chain.
///
/// The JSON form is op-node's `rollup.json`; unknown keys are ignored.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RollupConfig {
    /// Genesis anchors and the initial system config.
    pub genesis: ChainGenesis,
    /// Seconds between L2 blocks.
    pub block_time: u64,
    /// How far (seconds) an L2 block's timestamp may run ahead of its L1 origin before Fjord.
    pub max_sequencer_drift: u64,
    /// The sequencing window, in L1 blocks.
    pub seq_window_size: u64,
    /// The channel timeout before Granite, in L1 blocks.
    pub channel_timeout: u64,
    /// The L1 chain id.
    pub l1_chain_id: u64,
    /// The L2 chain id.
    pub l2_chain_id: u64,
    /// Regolith activation timestamp.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regolith_time: Option<u64>,
    /// Canyon activation timestamp.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub canyon_time: Option<u64>,
    /// Delta activation timestamp.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delta_time: Option<u64>,
    /// Ecotone activation timestamp.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ecotone_time: Option<u64>,
    /// Fjord activation timestamp.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fjord_time: Option<u64>,
    /// Granite activation timestamp.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub granite_time: Option<u64>,
    /// Holocene activation timestamp.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub holocene_time: Option<u64>,
    /// L1 timestamp from which the L1 blob base fee uses Prague's blob schedule even though
    /// the L1 info deposit says otherwise (a Sepolia-only fix; see the Pectra blob schedule spec).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pectra_blob_schedule_time: Option<u64>,
    /// Isthmus activation timestamp.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub isthmus_time: Option<u64>,
    /// Jovian activation timestamp.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jovian_time: Option<u64>,
    /// Karst activation timestamp.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub karst_time: Option<u64>,
    /// Keep Karst's one-time upgrade gas in the gas limit after the activation block
    /// (chains that activated Karst with that behaviour baked into their history).
    #[serde(default, skip_serializing_if = "core::ops::Not::not")]
    pub keep_karst_upgrade_gas: bool,
    /// Interop activation timestamp.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interop_time: Option<u64>,
    /// The batch inbox: batcher transactions are sent here.
    pub batch_inbox_address: Address,
    /// The L1 `OptimismPortal`, which emits `TransactionDeposited`.
    pub deposit_contract_address: Address,
    /// The L1 `SystemConfig` contract, which emits `ConfigUpdate`.
    pub l1_system_config_address: Address,
    /// The L1 `ProtocolVersions` contract.
    #[serde(default)]
    pub protocol_versions_address: Address,
    /// The L1 `SuperchainConfig` contract, where known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub superchain_config_address: Option<Address>,
    /// The chain's EIP-1559 parameters.
    #[serde(default)]
    pub chain_op_config: OpChainConfig,
}

/// A rollup config that cannot be used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// `block_time` is zero.
    #[error("block_time must be greater than zero")]
    ZeroBlockTime,
    /// `seq_window_size` is zero.
    #[error("seq_window_size must be greater than zero")]
    ZeroSequencingWindow,
    /// `channel_timeout` is zero.
    #[error("channel_timeout must be greater than zero")]
    ZeroChannelTimeout,
    /// A chain id is zero.
    #[error("{0} chain id must be greater than zero")]
    ZeroChainId(&'static str),
    /// An EIP-1559 denominator or the elasticity is zero.
    #[error("chain_op_config.{0} must be greater than zero")]
    ZeroEip1559Param(&'static str),
    /// A fork is scheduled while an earlier one is not, or before it.
    #[error("hardfork {later} ({later_time}) is scheduled without or before {earlier}")]
    ForkOrder {
        /// The earlier fork.
        earlier: Hardfork,
        /// The later fork.
        later: Hardfork,
        /// The later fork's activation time.
        later_time: u64,
    },
}

/// A `rollup.json` that cannot be loaded.
#[derive(Debug, thiserror::Error)]
pub enum RollupConfigLoadError {
    /// The JSON is malformed or does not have the rollup config's shape.
    #[error("invalid rollup config JSON")]
    Json(#[from] serde_json::Error),
    /// The config parses but cannot be used.
    #[error("invalid rollup config")]
    Invalid(#[from] ConfigError),
}

impl RollupConfig {
    /// Parses op-node's `rollup.json` and [validates](Self::validate) it.
    pub fn from_json(json: &str) -> Result<Self, RollupConfigLoadError> {
        let config: Self = serde_json::from_str(json)?;
        config.validate()?;
        Ok(config)
    }
}

impl RollupConfig {
    /// The activation time of `fork`, if it is scheduled. Bedrock is active from genesis.
    pub const fn hardfork_time(&self, fork: Hardfork) -> Option<u64> {
        match fork {
            Hardfork::Bedrock => Some(0),
            Hardfork::Regolith => self.regolith_time,
            Hardfork::Canyon => self.canyon_time,
            Hardfork::Delta => self.delta_time,
            Hardfork::Ecotone => self.ecotone_time,
            Hardfork::Fjord => self.fjord_time,
            Hardfork::Granite => self.granite_time,
            Hardfork::Holocene => self.holocene_time,
            Hardfork::Isthmus => self.isthmus_time,
            Hardfork::Jovian => self.jovian_time,
            Hardfork::Karst => self.karst_time,
            Hardfork::Interop => self.interop_time,
        }
    }

    /// Schedules `fork` at `time` (`None`: not scheduled). Bedrock cannot be rescheduled: it is
    /// always active from genesis, and setting it does nothing.
    pub const fn set_hardfork_time(&mut self, fork: Hardfork, time: Option<u64>) {
        let slot = match fork {
            Hardfork::Bedrock => return,
            Hardfork::Regolith => &mut self.regolith_time,
            Hardfork::Canyon => &mut self.canyon_time,
            Hardfork::Delta => &mut self.delta_time,
            Hardfork::Ecotone => &mut self.ecotone_time,
            Hardfork::Fjord => &mut self.fjord_time,
            Hardfork::Granite => &mut self.granite_time,
            Hardfork::Holocene => &mut self.holocene_time,
            Hardfork::Isthmus => &mut self.isthmus_time,
            Hardfork::Jovian => &mut self.jovian_time,
            Hardfork::Karst => &mut self.karst_time,
            Hardfork::Interop => &mut self.interop_time,
        };
        *slot = time;
    }

    /// A test config: the defaults, with every fork from Regolith through `last` active at
    /// genesis and no later fork scheduled. Other fields are set with struct update syntax:
    /// `RollupConfig { block_time: 2, ..RollupConfig::with_forks_at_genesis(Hardfork::Delta) }`.
    #[cfg(any(test, feature = "test-utils"))]
    pub fn with_forks_at_genesis(last: Hardfork) -> Self {
        let mut config = Self::default();
        for fork in Hardfork::ALL.into_iter().filter(|fork| *fork <= last) {
            config.set_hardfork_time(fork, Some(0));
        }
        config
    }

    /// Whether `fork` is active at L2 `timestamp`.
    ///
    /// Forks are cumulative: a fork counts as active when any later fork is, so a config that
    /// schedules only a later fork still applies every earlier rule ([`Self::validate`] rejects
    /// such configs; this keeps the predicates safe regardless).
    pub fn is_active(&self, fork: Hardfork, timestamp: u64) -> bool {
        Hardfork::ALL
            .iter()
            .filter(|later| **later >= fork)
            .any(|later| self.hardfork_time(*later).is_some_and(|t| timestamp >= t))
    }

    /// Whether the L2 block at `timestamp` is the first one with `fork` active.
    ///
    /// The genesis block (and any time not after it) is never an activation block: a fork
    /// scheduled at or before genesis has no upgrade block. For blocks after genesis this is
    /// op-node's `IsActivationBlock`.
    pub fn is_activation_block(&self, fork: Hardfork, timestamp: u64) -> bool {
        timestamp > self.genesis.l2_time
            && self.is_active(fork, timestamp)
            && timestamp >= self.block_time
            && !self.is_active(fork, timestamp - self.block_time)
    }

    /// The newest fork active at `timestamp`.
    pub fn active_fork(&self, timestamp: u64) -> Hardfork {
        Hardfork::ALL
            .iter()
            .rev()
            .copied()
            .find(|fork| self.is_active(*fork, timestamp))
            .unwrap_or(Hardfork::Bedrock)
    }

    /// Whether the Pectra blob schedule fix applies at L1 `timestamp`.
    pub fn is_pectra_blob_schedule_active(&self, timestamp: u64) -> bool {
        self.pectra_blob_schedule_time
            .is_some_and(|t| timestamp >= t)
    }

    /// The channel timeout (L1 blocks) for an L1 block at `timestamp`.
    pub fn channel_timeout(&self, timestamp: u64) -> u64 {
        if self.is_granite_active(timestamp) {
            GRANITE_CHANNEL_TIMEOUT
        } else {
            self.channel_timeout
        }
    }

    /// The maximum sequencer drift (seconds) for an L2 block at `timestamp`.
    pub fn max_sequencer_drift(&self, timestamp: u64) -> u64 {
        if self.is_fjord_active(timestamp) {
            FJORD_MAX_SEQUENCER_DRIFT
        } else {
            self.max_sequencer_drift
        }
    }

    /// The EIP-1559 base fee change denominator for a block at `timestamp`.
    pub fn eip1559_denominator(&self, timestamp: u64) -> u64 {
        if self.is_canyon_active(timestamp) {
            self.chain_op_config.eip1559_denominator_canyon
        } else {
            self.chain_op_config.eip1559_denominator
        }
    }

    /// Checks the config is usable: non-zero constants and a fork schedule in order.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.block_time == 0 {
            return Err(ConfigError::ZeroBlockTime);
        }
        if self.seq_window_size == 0 {
            return Err(ConfigError::ZeroSequencingWindow);
        }
        if self.channel_timeout == 0 {
            return Err(ConfigError::ZeroChannelTimeout);
        }
        if self.l1_chain_id == 0 {
            return Err(ConfigError::ZeroChainId("l1"));
        }
        if self.l2_chain_id == 0 {
            return Err(ConfigError::ZeroChainId("l2"));
        }
        let op = &self.chain_op_config;
        if op.eip1559_elasticity == 0 {
            return Err(ConfigError::ZeroEip1559Param("eip1559Elasticity"));
        }
        if op.eip1559_denominator == 0 {
            return Err(ConfigError::ZeroEip1559Param("eip1559Denominator"));
        }
        if op.eip1559_denominator_canyon == 0 {
            return Err(ConfigError::ZeroEip1559Param("eip1559DenominatorCanyon"));
        }
        // Each scheduled fork needs every earlier fork scheduled no later than itself.
        let mut earlier = (Hardfork::Bedrock, Some(0));
        for fork in Hardfork::ALL.into_iter().skip(1) {
            let time = self.hardfork_time(fork);
            if let Some(later_time) = time {
                let in_order = earlier.1.is_some_and(|t| t <= later_time);
                if !in_order {
                    return Err(ConfigError::ForkOrder {
                        earlier: earlier.0,
                        later: fork,
                        later_time,
                    });
                }
            }
            earlier = (fork, time);
        }
        Ok(())
    }
}

macro_rules! fork_predicates {
    ($($fork:ident => $active:ident, $first:ident;)*) => {
        impl RollupConfig {
            $(
                #[doc = concat!("Whether ", stringify!($fork), " is active at L2 `timestamp`.")]
                pub fn $active(&self, timestamp: u64) -> bool {
                    self.is_active(Hardfork::$fork, timestamp)
                }

                #[doc = concat!("Whether the L2 block at `timestamp` is the first ", stringify!($fork), " block.")]
                pub fn $first(&self, timestamp: u64) -> bool {
                    self.is_activation_block(Hardfork::$fork, timestamp)
                }
            )*
        }
    };
}

fork_predicates! {
    Regolith => is_regolith_active, is_first_regolith_block;
    Canyon => is_canyon_active, is_first_canyon_block;
    Delta => is_delta_active, is_first_delta_block;
    Ecotone => is_ecotone_active, is_first_ecotone_block;
    Fjord => is_fjord_active, is_first_fjord_block;
    Granite => is_granite_active, is_first_granite_block;
    Holocene => is_holocene_active, is_first_holocene_block;
    Isthmus => is_isthmus_active, is_first_isthmus_block;
    Jovian => is_jovian_active, is_first_jovian_block;
    Karst => is_karst_active, is_first_karst_block;
    Interop => is_interop_active, is_first_interop_block;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forks_at_genesis_through_the_last_named() {
        let rollup_config = RollupConfig::with_forks_at_genesis(Hardfork::Holocene);
        for fork in Hardfork::ALL {
            let expected = (fork <= Hardfork::Holocene).then_some(0);
            assert_eq!(rollup_config.hardfork_time(fork), expected, "{fork:?}");
        }
        assert_eq!(rollup_config.active_fork(0), Hardfork::Holocene);
        // The config is otherwise the default.
        let mut unscheduled = rollup_config;
        for fork in Hardfork::ALL {
            unscheduled.set_hardfork_time(fork, None);
        }
        assert_eq!(unscheduled, RollupConfig::default());
    }

    fn schedule() -> RollupConfig {
        RollupConfig {
            block_time: 2,
            seq_window_size: 3600,
            channel_timeout: 300,
            l1_chain_id: 1,
            l2_chain_id: 10,
            regolith_time: Some(0),
            canyon_time: Some(10),
            delta_time: Some(20),
            ecotone_time: Some(30),
            fjord_time: Some(40),
            granite_time: Some(50),
            holocene_time: Some(60),
            isthmus_time: Some(70),
            jovian_time: Some(80),
            karst_time: Some(90),
            ..Default::default()
        }
    }

    #[test]
    fn predicates_follow_timestamps() {
        let rollup_config = schedule();
        assert!(rollup_config.is_regolith_active(0));
        assert!(!rollup_config.is_canyon_active(9));
        assert!(rollup_config.is_canyon_active(10));
        assert!(rollup_config.is_first_canyon_block(10));
        assert!(!rollup_config.is_first_canyon_block(12));
        assert!(!rollup_config.is_first_canyon_block(8));
        assert!(rollup_config.is_first_karst_block(90));
        assert!(!rollup_config.is_interop_active(u64::MAX));
        assert_eq!(rollup_config.active_fork(59), Hardfork::Granite);
        assert_eq!(rollup_config.active_fork(60), Hardfork::Holocene);
        assert_eq!(rollup_config.active_fork(1_000), Hardfork::Karst);
    }

    #[test]
    fn genesis_is_never_an_activation_block() {
        let rollup_config = schedule();
        assert!(rollup_config.is_regolith_active(0));
        assert!(!rollup_config.is_first_regolith_block(0));
        // A fork scheduled exactly at a later genesis: the genesis block does not activate it
        // (op-node's formula alone would say it does), and neither does the block after.
        let mut late = schedule();
        late.genesis.l2_time = 10;
        assert!(late.is_canyon_active(10) && !late.is_canyon_active(8));
        assert!(!late.is_first_canyon_block(10));
        assert!(!late.is_first_canyon_block(12));
        assert!(
            late.is_first_karst_block(90),
            "blocks after genesis are unchanged"
        );
    }

    #[test]
    fn later_fork_implies_earlier() {
        // Only Ecotone is scheduled: every earlier fork follows it.
        let rollup_config = RollupConfig {
            ecotone_time: Some(100),
            ..Default::default()
        };
        assert!(rollup_config.is_delta_active(100));
        assert!(!rollup_config.is_delta_active(99));
    }

    #[test]
    fn fork_dependent_constants() {
        let rollup_config = RollupConfig {
            max_sequencer_drift: 600,
            ..schedule()
        };
        assert_eq!(rollup_config.channel_timeout(49), 300);
        assert_eq!(rollup_config.channel_timeout(50), GRANITE_CHANNEL_TIMEOUT);
        assert_eq!(rollup_config.max_sequencer_drift(39), 600);
        assert_eq!(
            rollup_config.max_sequencer_drift(40),
            FJORD_MAX_SEQUENCER_DRIFT
        );
        assert_eq!(rollup_config.eip1559_denominator(9), 50);
        assert_eq!(rollup_config.eip1559_denominator(10), 250);
    }

    const OP_MAINNET_JSON: &str = r#"{
        "genesis": {
            "l1": {"hash": "0x438335a20d98863a4c0c97999eb2481921ccd28553eac6f913af7c12aec04108", "number": 17422590},
            "l2": {"hash": "0xdbf6a80fef073de06add9b0d14026d6e5a86c85f6d102c36d3d8e9cf89c2afd3", "number": 105235063},
            "l2_time": 1686068903,
            "system_config": {
                "batcherAddr": "0x6887246668a3b87f54deb3b94ba47a6f63f32985",
                "overhead": "0x00000000000000000000000000000000000000000000000000000000000000bc",
                "scalar": "0x00000000000000000000000000000000000000000000000000000000000a6fe0",
                "gasLimit": 30000000
            }
        },
        "block_time": 2, "max_sequencer_drift": 600, "seq_window_size": 3600, "channel_timeout": 300,
        "l1_chain_id": 1, "l2_chain_id": 10, "regolith_time": 0, "canyon_time": 1704992401,
        "delta_time": 1708560000, "ecotone_time": 1710374401,
        "batch_inbox_address": "0xff00000000000000000000000000000000000010",
        "deposit_contract_address": "0xbeb5fc579115071764c7423a4f12edde41f106ed",
        "l1_system_config_address": "0x229047fed2591dbec1ef1118d64f7af3db9eb290",
        "some_future_key": true
    }"#;

    #[test]
    fn from_json_parses_and_validates() {
        let rollup_config = RollupConfig::from_json(OP_MAINNET_JSON).unwrap();
        assert_eq!(rollup_config.l2_chain_id, 10);
        assert_eq!(rollup_config.genesis.l2.number, 105_235_063);
        assert_eq!(rollup_config.genesis.system_config.gas_limit, 30_000_000);
        assert_eq!(rollup_config.ecotone_time, Some(1_710_374_401));
        assert!(rollup_config.fjord_time.is_none());
    }

    #[test]
    fn from_json_reports_bad_input() {
        let missing = OP_MAINNET_JSON.replace(r#""block_time": 2,"#, "");
        let err = RollupConfig::from_json(&missing).unwrap_err();
        assert!(
            matches!(&err, RollupConfigLoadError::Json(e) if e.is_data()),
            "{err}"
        );

        let wrong_type = OP_MAINNET_JSON.replace(r#""l2_chain_id": 10"#, r#""l2_chain_id": "ten""#);
        assert!(matches!(
            RollupConfig::from_json(&wrong_type),
            Err(RollupConfigLoadError::Json(e)) if e.is_data()
        ));

        assert!(matches!(
            RollupConfig::from_json("{"),
            Err(RollupConfigLoadError::Json(e)) if e.is_eof()
        ));

        let zero_window =
            OP_MAINNET_JSON.replace(r#""seq_window_size": 3600"#, r#""seq_window_size": 0"#);
        assert!(matches!(
            RollupConfig::from_json(&zero_window),
            Err(RollupConfigLoadError::Invalid(
                ConfigError::ZeroSequencingWindow
            ))
        ));
    }

    #[test]
    fn validate_rejects_out_of_order_forks() {
        assert_eq!(schedule().validate(), Ok(()));
        let missing = RollupConfig {
            delta_time: None,
            ..schedule()
        };
        assert!(matches!(
            missing.validate(),
            Err(ConfigError::ForkOrder {
                earlier: Hardfork::Delta,
                later: Hardfork::Ecotone,
                ..
            })
        ));
        let reversed = RollupConfig {
            fjord_time: Some(29),
            ..schedule()
        };
        assert!(matches!(
            reversed.validate(),
            Err(ConfigError::ForkOrder {
                earlier: Hardfork::Ecotone,
                later: Hardfork::Fjord,
                ..
            })
        ));
        let zero = RollupConfig {
            block_time: 0,
            ..schedule()
        };
        assert_eq!(zero.validate(), Err(ConfigError::ZeroBlockTime));
    }
}
