//! The registry's view of a chain: what its TOML file says, in typed form.

use core::fmt;

use alloy_primitives::{Address, B256};
use koa_protocol::{Hardfork, OpChainConfig};
use serde::Serialize;

/// An L1 network that hosts a superchain.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Network {
    /// Ethereum mainnet (L1 chain id 1).
    Mainnet,
    /// Sepolia (L1 chain id 11155111).
    Sepolia,
}

impl Network {
    /// Every network, in registry order.
    pub const ALL: [Self; 2] = [Self::Mainnet, Self::Sepolia];

    /// The registry's directory name for the network: `mainnet` or `sepolia`.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Mainnet => "mainnet",
            Self::Sepolia => "sepolia",
        }
    }

    /// The L1 chain id.
    pub const fn l1_chain_id(self) -> u64 {
        match self {
            Self::Mainnet => 1,
            Self::Sepolia => 11_155_111,
        }
    }
}

impl fmt::Display for Network {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Where a chain posts its batch data.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum DataAvailability {
    /// Ethereum calldata and blobs (`eth-da`).
    #[serde(rename = "eth-da")]
    EthDa,
    /// An alternative DA layer; the batcher posts commitments (`alt-da`).
    #[serde(rename = "alt-da")]
    AltDa,
}

impl DataAvailability {
    /// The registry's spelling: `eth-da` or `alt-da`.
    pub const fn name(self) -> &'static str {
        match self {
            Self::EthDa => "eth-da",
            Self::AltDa => "alt-da",
        }
    }
}

/// An alt-DA chain's challenge parameters (op-node's `alt_da` in `rollup.json`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct AltDaConfig {
    /// The L1 `DataAvailabilityChallenge` contract.
    pub da_challenge_contract_address: Address,
    /// The challenge window, in L1 blocks.
    pub da_challenge_window: u64,
    /// The resolve window, in L1 blocks.
    pub da_resolve_window: u64,
    /// The commitment type, e.g. `KeccakCommitment`.
    pub da_commitment_type: &'static str,
}

/// Hardfork activation timestamps as a registry `[hardforks]` table lists them.
///
/// Regolith is not listed: every registry chain has it active from genesis.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct HardforkTimes {
    /// Canyon.
    pub canyon_time: Option<u64>,
    /// Delta.
    pub delta_time: Option<u64>,
    /// Ecotone.
    pub ecotone_time: Option<u64>,
    /// Fjord.
    pub fjord_time: Option<u64>,
    /// Granite.
    pub granite_time: Option<u64>,
    /// Holocene.
    pub holocene_time: Option<u64>,
    /// The L1 timestamp from which the Pectra blob schedule fix applies (Sepolia chains only).
    pub pectra_blob_schedule_time: Option<u64>,
    /// Isthmus.
    pub isthmus_time: Option<u64>,
    /// Jovian.
    pub jovian_time: Option<u64>,
    /// Karst.
    pub karst_time: Option<u64>,
    /// Interop.
    pub interop_time: Option<u64>,
    /// Keep Karst's one-time upgrade gas after the activation block.
    pub keep_karst_upgrade_gas: bool,
}

/// A chain's genesis anchors and initial system config (the registry's `[genesis]` table).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct GenesisInfo {
    /// The L1 block derivation starts from.
    pub l1_number: u64,
    /// Its hash.
    pub l1_hash: B256,
    /// The L2 genesis block (non-zero for chains migrated to Bedrock).
    pub l2_number: u64,
    /// Its hash.
    pub l2_hash: B256,
    /// The L2 genesis block's timestamp.
    pub l2_time: u64,
    /// The initial batch sender.
    pub batcher_address: Address,
    /// The initial (pre-Ecotone) L1 fee overhead.
    pub overhead: B256,
    /// The initial L1 fee scalar.
    pub scalar: B256,
    /// The initial L2 block gas limit.
    pub gas_limit: u64,
}

/// The chain's L1 contracts that koa needs (from the registry's `[addresses]` table).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ChainAddresses {
    /// `OptimismPortalProxy`: the deposit contract.
    pub optimism_portal_proxy: Address,
    /// `SystemConfigProxy`: emits `ConfigUpdate`.
    pub system_config_proxy: Address,
    /// `L1StandardBridgeProxy`.
    pub l1_standard_bridge_proxy: Option<Address>,
    /// `DisputeGameFactoryProxy`, for chains with fault proofs.
    pub dispute_game_factory_proxy: Option<Address>,
}

/// One OP Stack chain from the superchain registry.
///
/// [`ChainInfo::rollup_config`] turns it into the [`koa_protocol::RollupConfig`] that op-node
/// would load for the same chain.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ChainInfo {
    /// The L2 chain id.
    pub chain_id: u64,
    /// Human-readable name, e.g. `OP Mainnet`.
    pub name: &'static str,
    /// The registry identifier `<network>/<file stem>`, e.g. `mainnet/op`.
    pub identifier: &'static str,
    /// The L1 network (superchain) the chain settles on.
    pub network: Network,
    /// Public RPC endpoint.
    pub public_rpc: &'static str,
    /// Sequencer RPC endpoint.
    pub sequencer_rpc: &'static str,
    /// Block explorer.
    pub explorer: &'static str,
    /// Whether Optimism governance governs the chain.
    pub governed_by_optimism: bool,
    /// When the chain opted into superchain-wide hardfork times, if it did.
    pub superchain_time: Option<u64>,
    /// Where batches are posted.
    pub data_availability: DataAvailability,
    /// Alt-DA challenge parameters, for alt-DA chains that publish them.
    pub alt_da: Option<AltDaConfig>,
    /// The custom gas token, for chains that have one.
    pub gas_paying_token: Option<Address>,
    /// The batch inbox address.
    pub batch_inbox_address: Address,
    /// Seconds between L2 blocks.
    pub block_time: u64,
    /// The sequencing window, in L1 blocks.
    pub seq_window_size: u64,
    /// The maximum sequencer drift before Fjord, in seconds.
    pub max_sequencer_drift: u64,
    /// Hardfork activation times.
    pub hardforks: HardforkTimes,
    /// The chain's EIP-1559 parameters (the registry's `[optimism]` table).
    pub eip1559: OpChainConfig,
    /// Genesis anchors and the initial system config.
    pub genesis: GenesisInfo,
    /// L1 contract addresses.
    pub addresses: ChainAddresses,
}

impl ChainInfo {
    /// The newest hardfork the chain has scheduled (active or not yet).
    pub fn latest_fork(&self) -> Hardfork {
        let config = self.rollup_config();
        Hardfork::ALL
            .iter()
            .rev()
            .copied()
            .find(|fork| config.hardfork_time(*fork).is_some())
            .unwrap_or(Hardfork::Bedrock)
    }
}

/// A superchain: the registry's per-network `superchain.toml`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Superchain {
    /// The L1 network.
    pub network: Network,
    /// Human-readable name, e.g. `Mainnet`.
    pub name: &'static str,
    /// The L1 chain id.
    pub l1_chain_id: u64,
    /// A public L1 RPC endpoint.
    pub l1_public_rpc: &'static str,
    /// An L1 block explorer.
    pub l1_explorer: &'static str,
    /// The L1 `SuperchainConfig` contract.
    pub superchain_config_address: Address,
    /// The L1 `ProtocolVersions` contract, where the registry still lists one.
    pub protocol_versions_address: Option<Address>,
    /// Superchain-wide default hardfork times. Chains that opted in (`superchain_time`)
    /// already carry them in their own file; they are kept here for reference.
    pub hardforks: HardforkTimes,
}
