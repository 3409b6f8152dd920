//! The `op-revm` specification active at a timestamp.

use koa_protocol::{Hardfork, RollupConfig};
use op_revm::OpSpecId;

/// The `op-revm` spec of an L2 block at `timestamp`: its newest active fork (Delta, which
/// changed only derivation, executes as Canyon).
///
/// Interop executes as Karst: forks are cumulative, but op-revm 20 maps `INTEROP` to Prague's
/// EVM rules (`KARST` to Osaka's), which would undo Karst's Osaka changes; `INTEROP` has no
/// other rule of its own there (its precompiles are Karst's).
pub fn spec_id(rollup_config: &RollupConfig, timestamp: u64) -> OpSpecId {
    match rollup_config.active_fork(timestamp) {
        Hardfork::Bedrock => OpSpecId::BEDROCK,
        Hardfork::Regolith => OpSpecId::REGOLITH,
        Hardfork::Canyon | Hardfork::Delta => OpSpecId::CANYON,
        Hardfork::Ecotone => OpSpecId::ECOTONE,
        Hardfork::Fjord => OpSpecId::FJORD,
        Hardfork::Granite => OpSpecId::GRANITE,
        Hardfork::Holocene => OpSpecId::HOLOCENE,
        Hardfork::Isthmus => OpSpecId::ISTHMUS,
        Hardfork::Jovian => OpSpecId::JOVIAN,
        Hardfork::Karst | Hardfork::Interop => OpSpecId::KARST,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use revm::primitives::hardfork::SpecId;

    #[test]
    fn follows_timestamps() {
        let rollup_config = RollupConfig {
            regolith_time: Some(0),
            canyon_time: Some(10),
            delta_time: Some(20),
            ecotone_time: Some(30),
            isthmus_time: Some(40),
            fjord_time: Some(30),
            granite_time: Some(30),
            holocene_time: Some(30),
            ..Default::default()
        };
        assert_eq!(spec_id(&rollup_config, 9), OpSpecId::REGOLITH);
        assert_eq!(spec_id(&rollup_config, 25), OpSpecId::CANYON);
        assert_eq!(spec_id(&rollup_config, 30), OpSpecId::HOLOCENE);
        assert_eq!(spec_id(&rollup_config, 40), OpSpecId::ISTHMUS);
    }

    #[test]
    fn interop_keeps_karst_evm_rules() {
        let rollup_config = RollupConfig {
            karst_time: Some(10),
            interop_time: Some(20),
            ..RollupConfig::with_forks_at_genesis(Hardfork::Jovian)
        };
        assert_eq!(spec_id(&rollup_config, 10), OpSpecId::KARST);
        assert_eq!(spec_id(&rollup_config, 20).into_eth_spec(), SpecId::OSAKA);
    }
}
