//! Rebuilding a span batch transaction's full EIP-2718 encoding from its `tx_data` and columns.
//!
//! op-node builds a go-ethereum transaction (`LegacyTx`, `AccessListTx`, `DynamicFeeTx` or
//! `SetCodeTx`) and serializes it with `MarshalBinary`. The integers there are `*big.Int` (or
//! `*uint256.Int` for EIP-7702), so a `tx_data` may carry values that alloy's `u128` fee fields
//! cannot hold. This module therefore writes the RLP itself, field by field, instead of going
//! through alloy's transaction types:
//!
//! ```text
//! legacy   rlp([nonce, gas_price, gas, to, value, data, v, r, s])
//! EIP-2930 0x01 ++ rlp([chain_id, nonce, gas_price, gas, to, value, data, access_list,
//!                       y_parity, r, s])
//! EIP-1559 0x02 ++ rlp([chain_id, nonce, max_priority_fee_per_gas, max_fee_per_gas, gas, to,
//!                       value, data, access_list, y_parity, r, s])
//! EIP-7702 0x04 ++ rlp([chain_id, nonce, max_priority_fee_per_gas, max_fee_per_gas, gas, to,
//!                       value, data, access_list, authorization_list, y_parity, r, s])
//! ```
//!
//! Integers are minimal big-endian strings (zero is `0x80`); `to` is the 20-byte address or
//! the empty string for a contract creation; a legacy `v` is `27 + y_parity`, or
//! `chain_id * 2 + 35 + y_parity` when EIP-155 protected.

use super::{SpanBatchError, SpanBatchTxData, SpanBatchTxFields};
use alloc::vec::Vec;
use alloy_consensus::TxType;
use alloy_primitives::{ChainId, TxKind};
use alloy_rlp::{Encodable, Header};

/// Appends `rlp(fields)`: a list header followed by each field's encoding.
fn encode_list(fields: &[&dyn Encodable], out: &mut Vec<u8>) {
    let payload_length: usize = fields.iter().map(|field| field.length()).sum();
    let header = Header {
        list: true,
        payload_length,
    };
    out.reserve(header.length_with_payload());
    header.encode(out);
    for field in fields {
        field.encode(out);
    }
}

/// A legacy signature's `v`: `27 + y_parity`, or EIP-155's `chain_id * 2 + 35 + y_parity`.
///
/// Computed in `u128`, so it cannot overflow for any `u64` chain id (op-node computes it as a
/// `*big.Int`).
fn legacy_v(y_parity: bool, protected: bool, chain_id: ChainId) -> u128 {
    let parity = u128::from(y_parity);
    if protected {
        u128::from(chain_id) * 2 + 35 + parity
    } else {
        27 + parity
    }
}

impl SpanBatchTxData {
    /// Appends the full signed transaction's EIP-2718 encoding, as op-node's
    /// `convertToFullTx` followed by `MarshalBinary`.
    ///
    /// Fails only for an EIP-7702 transaction without a recipient (a contract creation).
    pub fn encode_2718(
        &self,
        fields: &SpanBatchTxFields,
        chain_id: ChainId,
        out: &mut Vec<u8>,
    ) -> Result<(), SpanBatchError> {
        let to = fields.to.map_or(TxKind::Create, TxKind::Call);
        let signature = &fields.signature;
        let (r, s) = (signature.r(), signature.s());
        let y_parity = u8::from(signature.v());
        match self {
            Self::Legacy(data) => {
                let v = legacy_v(signature.v(), fields.protected, chain_id);
                encode_list(
                    &[
                        &fields.nonce,
                        &data.gas_price,
                        &fields.gas_limit,
                        &to,
                        &data.value,
                        &data.data,
                        &v,
                        &r,
                        &s,
                    ],
                    out,
                );
            }
            Self::Eip2930(data) => {
                out.push(TxType::Eip2930 as u8);
                encode_list(
                    &[
                        &chain_id,
                        &fields.nonce,
                        &data.gas_price,
                        &fields.gas_limit,
                        &to,
                        &data.value,
                        &data.data,
                        &data.access_list,
                        &y_parity,
                        &r,
                        &s,
                    ],
                    out,
                );
            }
            Self::Eip1559(data) => {
                out.push(TxType::Eip1559 as u8);
                encode_list(
                    &[
                        &chain_id,
                        &fields.nonce,
                        &data.max_priority_fee_per_gas,
                        &data.max_fee_per_gas,
                        &fields.gas_limit,
                        &to,
                        &data.value,
                        &data.data,
                        &data.access_list,
                        &y_parity,
                        &r,
                        &s,
                    ],
                    out,
                );
            }
            Self::Eip7702(data) => {
                // op-node: "to address is required for SetCodeTx".
                let to = fields.to.ok_or(SpanBatchError::SetCodeContractCreation)?;
                out.push(TxType::Eip7702 as u8);
                encode_list(
                    &[
                        &chain_id,
                        &fields.nonce,
                        &data.max_priority_fee_per_gas,
                        &data.max_fee_per_gas,
                        &fields.gas_limit,
                        &to,
                        &data.value,
                        &data.data,
                        &data.access_list,
                        &data.authorization_list,
                        &y_parity,
                        &r,
                        &s,
                    ],
                    out,
                );
            }
        }
        Ok(())
    }

    /// The full signed transaction's EIP-2718 encoding (see [`Self::encode_2718`]).
    pub fn encoded_2718(
        &self,
        fields: &SpanBatchTxFields,
        chain_id: ChainId,
    ) -> Result<Vec<u8>, SpanBatchError> {
        let mut out = Vec::new();
        self.encode_2718(fields, chain_id, &mut out)?;
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legacy_v_follows_eip155() {
        assert_eq!(legacy_v(false, false, 10), 27);
        assert_eq!(legacy_v(true, false, 10), 28);
        assert_eq!(legacy_v(false, true, 10), 55);
        assert_eq!(legacy_v(true, true, 10), 56);
        assert_eq!(
            legacy_v(true, true, u64::MAX),
            u128::from(u64::MAX) * 2 + 36
        );
    }
}
