//! Payload attributes: the derivation pipeline's output, one per L2 block.
//!
//! [`OpPayloadAttributes`] mirrors the engine API's `PayloadAttributesV3` extended with the OP
//! Stack fields (`transactions`, `noTxPool`, `gasLimit`, `eip1559Params`, `minBaseFee`), with
//! the same camelCase JSON. The executor crate has its own attributes type for now; the two
//! are to be unified.

mod builder;
mod serde_quantity;

pub use builder::{AttributesBuilder, SEQUENCER_FEE_VAULT};

use alloc::vec::Vec;
use alloy_eips::eip4895::Withdrawal;
use alloy_primitives::{Address, B64, B256, Bytes};
use serde::{Deserialize, Serialize};

use crate::types::L2BlockInfo;

/// The attributes of an L2 block to build.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OpPayloadAttributes {
    /// Block timestamp.
    #[serde(with = "serde_quantity")]
    pub timestamp: u64,
    /// `prevRandao`: the L1 origin's mix hash.
    pub prev_randao: B256,
    /// Fee recipient: the sequencer fee vault.
    pub suggested_fee_recipient: Address,
    /// Withdrawals: empty from Canyon, absent before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub withdrawals: Option<Vec<Withdrawal>>,
    /// The L1 origin's parent beacon block root, from Ecotone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_beacon_block_root: Option<B256>,
    /// The block's transactions, EIP-2718 encoded: deposits first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transactions: Option<Vec<Bytes>>,
    /// Always `true` for derived blocks: the block holds exactly `transactions`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub no_tx_pool: Option<bool>,
    /// The block gas limit.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "serde_quantity::opt"
    )]
    pub gas_limit: Option<u64>,
    /// Holocene EIP-1559 parameters (denominator ++ elasticity).
    #[serde(
        default,
        rename = "eip1559Params",
        skip_serializing_if = "Option::is_none"
    )]
    pub eip_1559_params: Option<B64>,
    /// Jovian minimum base fee.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "serde_quantity::opt"
    )]
    pub min_base_fee: Option<u64>,
}

/// Payload attributes with the safe head they build on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttributesWithParent {
    /// The attributes.
    pub attributes: OpPayloadAttributes,
    /// The L2 block they build on.
    pub parent: L2BlockInfo,
    /// Whether the block was generated without a batch (deposit-only, window expired).
    pub is_deposit_only: bool,
}
