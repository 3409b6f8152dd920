//! The OP Stack chains of the superchain registry, and the L1 chains they settle on.
//!
//! Every chain under `superchain/configs/{mainnet,sepolia}/` is parsed and checked by the
//! build script and embedded as `const` data, so looking a chain up costs no parsing and
//! works in the `no_std` fault proof client.
//!
//! ```
//! let config = koa_registry::rollup_config(10).expect("OP Mainnet is embedded");
//! assert_eq!(config.l1_chain_id, 1);
//! assert!(koa_registry::chains().iter().any(|chain| chain.name == "OP Sepolia Testnet"));
//! ```
#![cfg_attr(not(feature = "std"), no_std)]

mod chain;
mod convert;

pub use chain::{
    AltDaConfig, ChainAddresses, ChainInfo, DataAvailability, GenesisInfo, HardforkTimes, Network,
    Superchain,
};
pub use convert::{REGISTRY_CHANNEL_TIMEOUT, REGISTRY_REGOLITH_TIME};

use koa_protocol::{L1ChainConfig, RollupConfig};

mod generated {
    //! The registry data `build.rs` generates.
    use alloy_primitives::{address, b256};

    use crate::chain::{
        AltDaConfig, ChainAddresses, ChainInfo, DataAvailability, GenesisInfo, HardforkTimes,
        Network, Superchain,
    };

    use koa_protocol::OpChainConfig;

    include!(concat!(env!("OUT_DIR"), "/registry.rs"));
}

/// Every embedded chain, sorted by chain id.
pub fn chains() -> &'static [ChainInfo] {
    generated::CHAINS
}

/// The embedded chain with `chain_id`, if there is one.
pub fn chain(chain_id: u64) -> Option<&'static ChainInfo> {
    let chains = generated::CHAINS;
    chains
        .binary_search_by_key(&chain_id, |chain| chain.chain_id)
        .ok()
        .and_then(|i| chains.get(i))
}

/// The rollup config of the embedded chain with `chain_id`, as op-node loads it from the
/// registry.
pub fn rollup_config(chain_id: u64) -> Option<RollupConfig> {
    chain(chain_id).map(ChainInfo::rollup_config)
}

/// Every embedded superchain (one per L1 network).
pub fn superchains() -> &'static [Superchain] {
    generated::SUPERCHAINS
}

/// The superchain on `network`.
pub fn superchain(network: Network) -> &'static Superchain {
    // The build script emits exactly one superchain per `Network` variant, in order.
    &generated::SUPERCHAINS[network as usize]
}

/// The config of the L1 chain with `chain_id` (fork times and blob schedule), for the L1s
/// the embedded superchains settle on.
pub fn l1_chain_config(chain_id: u64) -> Option<L1ChainConfig> {
    Network::ALL
        .into_iter()
        .any(|network| network.l1_chain_id() == chain_id)
        .then(|| L1ChainConfig::from_chain_id(chain_id))
        .flatten()
}

impl ChainInfo {
    /// The config of the L1 chain this chain settles on.
    pub fn l1_chain_config(&self) -> L1ChainConfig {
        match self.network {
            Network::Mainnet => L1ChainConfig::MAINNET,
            Network::Sepolia => L1ChainConfig::SEPOLIA,
        }
    }
}

#[cfg(test)]
mod tests {
    use alloy_eips::eip7840::BlobParams;

    use super::*;

    /// The L1 schedules koa-protocol carries, against the fork times go-ethereum ships
    /// (`params/config.go`) and the EIP-7840 / EIP-7892 blob parameters.
    #[test]
    fn l1_schedules() {
        // (chain id, [cancun, prague, osaka, bpo1, bpo2])
        let expected = [
            (
                1,
                [
                    1_710_338_135,
                    1_746_612_311,
                    1_764_798_551,
                    1_765_290_071,
                    1_767_747_671,
                ],
            ),
            (
                11_155_111,
                [
                    1_706_655_072,
                    1_741_159_776,
                    1_760_427_360,
                    1_761_017_184,
                    1_761_607_008,
                ],
            ),
        ];
        let fractions = [3_338_477, 5_007_716, 5_007_716, 8_346_193, 11_684_671];
        let blobs = [(3, 6), (6, 9), (6, 9), (10, 15), (14, 21)];
        for (chain_id, times) in expected {
            let config = l1_chain_config(chain_id).expect("embedded L1");
            assert_eq!(config.chain_id, chain_id);
            let scheduled = [
                config.cancun_time,
                config.prague_time,
                config.osaka_time,
                config.bpo1_time,
                config.bpo2_time,
            ];
            assert_eq!(scheduled, times.map(Some), "chain {chain_id}");
            assert_eq!(
                config.blob_params_at(times[0] - 1),
                None,
                "no blobs before Cancun"
            );
            for ((time, fraction), (target, max)) in times.iter().zip(fractions).zip(blobs) {
                let params: &BlobParams = config.blob_params_at(*time).unwrap();
                assert_eq!(
                    params.update_fraction, fraction,
                    "chain {chain_id} at {time}"
                );
                assert_eq!(
                    (params.target_blob_count, params.max_blob_count),
                    (target, max)
                );
            }
        }
        assert_eq!(l1_chain_config(10), None, "an L2 is not an L1");
        assert_eq!(
            l1_chain_config(17_000),
            None,
            "no embedded superchain settles on Holesky"
        );
        for chain in chains() {
            assert_eq!(
                chain.l1_chain_config().chain_id,
                chain.network.l1_chain_id()
            );
        }
    }
}
