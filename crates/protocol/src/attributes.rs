//! The payload attributes an L2 block is built from, in the engine API's JSON shape.
//!
//! The derivation pipeline produces them; the executor builds blocks from them.

use crate::{TxList, TxListTooLarge};
use alloc::vec::Vec;
use alloy_eips::eip4895::Withdrawal;
use alloy_primitives::{Address, B64, B256};
use serde::{Deserialize, Serialize};

/// OP Stack payload attributes (`PayloadAttributesV3` with the OP extensions): everything the
/// executor needs, besides the parent block, to build the next L2 block.
///
/// The JSON form is the engine API's camelCase with quantities as hex strings.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OpPayloadAttributes {
    /// The block's timestamp.
    #[serde(with = "alloy_serde_quantity")]
    pub timestamp: u64,
    /// The block's `prevRandao` (the header's `mixHash`).
    pub prev_randao: B256,
    /// The block's fee recipient (the header's `beneficiary`).
    pub suggested_fee_recipient: Address,
    /// Withdrawals: always empty on OP Stack chains from Canyon on; unused by the executor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub withdrawals: Option<Vec<Withdrawal>>,
    /// The parent beacon block root, from Ecotone on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_beacon_block_root: Option<B256>,
    /// The block's transactions, EIP-2718 encoded, deposits first.
    #[serde(default)]
    pub transactions: TxList,
    /// Whether the builder may add transactions from its pool (never, for derived payloads).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub no_tx_pool: Option<bool>,
    /// The block's gas limit.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "alloy_serde_opt_quantity"
    )]
    pub gas_limit: Option<u64>,
    /// Holocene EIP-1559 parameters: big-endian `u32` denominator then `u32` elasticity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eip1559_params: Option<B64>,
    /// The minimum base fee in wei, from Jovian on.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "alloy_serde_opt_quantity"
    )]
    pub min_base_fee: Option<u64>,
}

impl OpPayloadAttributes {
    /// Puts `transactions` after these attributes' own (the deposits), taking the list rather
    /// than copying it (see [`TxList::prepend`]).
    pub fn append_transactions(&mut self, mut transactions: TxList) -> Result<(), TxListTooLarge> {
        transactions.prepend(&self.transactions)?;
        self.transactions = transactions;
        Ok(())
    }

    /// These attributes with `transactions` in place of their own, which are not copied (a
    /// batcher's list can be 100 MB).
    pub fn with_transactions(&self, transactions: TxList) -> Self {
        Self {
            timestamp: self.timestamp,
            prev_randao: self.prev_randao,
            suggested_fee_recipient: self.suggested_fee_recipient,
            withdrawals: self.withdrawals.clone(),
            parent_beacon_block_root: self.parent_beacon_block_root,
            transactions,
            no_tx_pool: self.no_tx_pool,
            gas_limit: self.gas_limit,
            eip1559_params: self.eip1559_params,
            min_base_fee: self.min_base_fee,
        }
    }
}

/// Hex quantity (`"0x1a"`) serde for `u64`.
mod alloy_serde_quantity {
    use alloy_primitives::U64;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub(super) fn serialize<S: Serializer>(value: &u64, s: S) -> Result<S::Ok, S::Error> {
        U64::from(*value).serialize(s)
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
        U64::deserialize(d).map(|v| v.to::<u64>())
    }
}

/// Hex quantity serde for `Option<u64>`.
mod alloy_serde_opt_quantity {
    use alloy_primitives::U64;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub(super) fn serialize<S: Serializer>(value: &Option<u64>, s: S) -> Result<S::Ok, S::Error> {
        value.map(U64::from).serialize(s)
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
        Option::<U64>::deserialize(d).map(|v| v.map(|v| v.to::<u64>()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engine_api_json_round_trips() {
        let json = r#"{"timestamp":"0x67f6a95c","prevRandao":"0xfca9613bdc740286ff7d7732e3bbaeb79228193b38f2f9fab022c9ff8c4f56a3","suggestedFeeRecipient":"0x4200000000000000000000000000000000000011","parentBeaconBlockRoot":"0x789b1c07d9bad081101ab49fb48daa5abf9dce9ff2906166a0280433833e001e","transactions":["0x7e"],"gasLimit":"0x3938700","eip1559Params":"0x000000fa00000006"}"#;
        let attrs: OpPayloadAttributes = serde_json::from_str(json).unwrap();
        assert_eq!(attrs.timestamp, 0x67f6a95c);
        assert_eq!(attrs.gas_limit, Some(60_000_000));
        assert_eq!(
            attrs.eip1559_params,
            Some(B64::from(0x0000_00fa_0000_0006u64))
        );
        assert_eq!(attrs.min_base_fee, None);
        let back: OpPayloadAttributes =
            serde_json::from_str(&serde_json::to_string(&attrs).unwrap()).unwrap();
        assert_eq!(back, attrs);
    }
}
