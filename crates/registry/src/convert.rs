//! Registry chain → [`RollupConfig`], the way op-node loads a registry chain.

use alloy_eips::eip1898::BlockNumHash;
use alloy_primitives::Address;
use koa_protocol::{ChainGenesis, RollupConfig, SystemConfig};

use crate::{ChainInfo, superchain};

/// The pre-Granite channel timeout (L1 blocks) op-node uses for every registry chain:
/// the registry does not list it.
pub const REGISTRY_CHANNEL_TIMEOUT: u64 = 300;

/// The Regolith activation time of every registry chain: Regolith is active from genesis
/// (only long-gone Goerli-era test networks upgraded to it later).
pub const REGISTRY_REGOLITH_TIME: u64 = 0;

impl ChainInfo {
    /// The chain's rollup config, as op-node builds it from the registry.
    ///
    /// Everything comes from the chain's TOML file, except the L1 chain id and the
    /// `SuperchainConfig` / `ProtocolVersions` addresses (from the network's
    /// `superchain.toml`), the channel timeout ([`REGISTRY_CHANNEL_TIMEOUT`]) and Regolith
    /// ([`REGISTRY_REGOLITH_TIME`]). Alt-DA parameters are not part of [`RollupConfig`]; see
    /// [`ChainInfo::alt_da`].
    pub fn rollup_config(&self) -> RollupConfig {
        let superchain = superchain(self.network);
        let genesis = &self.genesis;
        let forks = &self.hardforks;
        RollupConfig {
            genesis: ChainGenesis {
                l1: BlockNumHash {
                    number: genesis.l1_number,
                    hash: genesis.l1_hash,
                },
                l2: BlockNumHash {
                    number: genesis.l2_number,
                    hash: genesis.l2_hash,
                },
                l2_time: genesis.l2_time,
                system_config: SystemConfig {
                    batcher_address: genesis.batcher_address,
                    overhead: genesis.overhead,
                    scalar: genesis.scalar,
                    gas_limit: genesis.gas_limit,
                    ..SystemConfig::default()
                },
            },
            block_time: self.block_time,
            max_sequencer_drift: self.max_sequencer_drift,
            seq_window_size: self.seq_window_size,
            channel_timeout: REGISTRY_CHANNEL_TIMEOUT,
            l1_chain_id: superchain.l1_chain_id,
            l2_chain_id: self.chain_id,
            regolith_time: Some(REGISTRY_REGOLITH_TIME),
            canyon_time: forks.canyon_time,
            delta_time: forks.delta_time,
            ecotone_time: forks.ecotone_time,
            fjord_time: forks.fjord_time,
            granite_time: forks.granite_time,
            holocene_time: forks.holocene_time,
            pectra_blob_schedule_time: forks.pectra_blob_schedule_time,
            isthmus_time: forks.isthmus_time,
            jovian_time: forks.jovian_time,
            karst_time: forks.karst_time,
            keep_karst_upgrade_gas: forks.keep_karst_upgrade_gas,
            interop_time: forks.interop_time,
            batch_inbox_address: self.batch_inbox_address,
            deposit_contract_address: self.addresses.optimism_portal_proxy,
            l1_system_config_address: self.addresses.system_config_proxy,
            protocol_versions_address: superchain
                .protocol_versions_address
                .unwrap_or(Address::ZERO),
            superchain_config_address: Some(superchain.superchain_config_address),
            chain_op_config: self.eip1559,
        }
    }
}
