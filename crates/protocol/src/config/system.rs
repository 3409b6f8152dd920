//! The L2 system configuration that L1 governs through the `SystemConfig` contract.

use alloy_primitives::{Address, B64, B256};
use serde::{Deserialize, Serialize};

/// The system configuration derivation tracks from L1.
///
/// Its initial value is the rollup config's genesis system config; `ConfigUpdate` logs
/// emitted by the L1 `SystemConfig` contract change it. The layout and JSON names mirror
/// op-node's `eth.SystemConfig` (`genesis.system_config` in `rollup.json`): values that
/// later forks added are plain fields that stay zero until an update sets them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SystemConfig {
    /// The batch sender: only its transactions to the batch inbox count.
    #[serde(rename = "batcherAddr")]
    pub batcher_address: Address,
    /// The pre-Ecotone L1 fee overhead. Unused from Ecotone on.
    pub overhead: B256,
    /// The L1 fee scalar. Before Ecotone a plain number; from Ecotone a versioned word
    /// that packs the base fee scalar and the blob base fee scalar.
    pub scalar: B256,
    /// The L2 block gas limit.
    pub gas_limit: u64,
    /// Holocene EIP-1559 parameters: denominator (high 4 bytes) and elasticity (low 4
    /// bytes). Zero means the chain's configured defaults apply.
    #[serde(default, rename = "eip1559Params")]
    pub eip1559_params: B64,
    /// Isthmus operator fee parameters: the scalar (`u32`) and constant (`u64`) packed in
    /// the low 12 bytes, as the `OPERATOR_FEE_PARAMS` config update sets them.
    #[serde(default)]
    pub operator_fee_params: B256,
    /// Jovian minimum base fee (wei).
    #[serde(default)]
    pub min_base_fee: u64,
    /// Jovian DA footprint gas scalar.
    #[serde(default)]
    pub da_footprint_gas_scalar: u16,
}
