//! The per-transaction `tx_data` of a span batch: the fields a transaction's EIP-2718 encoding
//! carries besides nonce, gas, `to`, chain id and signature.
//!
//! - legacy: `rlp([value, gas_price, data])`
//! - EIP-2930: `0x01 ++ rlp([value, gas_price, data, access_list])`
//! - EIP-1559: `0x02 ++ rlp([value, max_priority_fee_per_gas, max_fee_per_gas, data, access_list])`
//! - EIP-7702 (Isthmus): `0x04 ++ rlp([value, max_priority_fee_per_gas, max_fee_per_gas, data,
//!   access_list, authorization_list])`
//!
//! The integer fields follow op-node's Go types: legacy, EIP-2930 and EIP-1559 use `*big.Int`
//! (any size, see [`UnboundedUint`]); EIP-7702 uses `*uint256.Int` (at most 32 bytes, which
//! [`U256`]'s RLP decoding enforces with the same canonical rules). A value that does not fit
//! alloy's transaction types is still a valid `tx_data`: see
//! [`SpanBatchTxData::encode_2718`](super::SpanBatchTxData::encode_2718).

use super::{SpanBatchError, UnboundedUint};
use alloc::vec::Vec;
use alloy_consensus::{TxEnvelope, TxType};
use alloy_eips::{eip2930::AccessList, eip7702::SignedAuthorization};
use alloy_primitives::{Address, Bytes, ChainId, Signature, U256};
use alloy_rlp::{Decodable, Encodable, RlpDecodable, RlpEncodable};

/// Legacy transaction fields.
#[derive(Debug, Clone, PartialEq, Eq, RlpEncodable, RlpDecodable)]
pub struct SpanBatchLegacyTxData {
    /// Value transferred.
    pub value: UnboundedUint,
    /// Gas price.
    pub gas_price: UnboundedUint,
    /// Call data / init code.
    pub data: Bytes,
}

/// EIP-2930 transaction fields.
#[derive(Debug, Clone, PartialEq, Eq, RlpEncodable, RlpDecodable)]
pub struct SpanBatchEip2930TxData {
    /// Value transferred.
    pub value: UnboundedUint,
    /// Gas price.
    pub gas_price: UnboundedUint,
    /// Call data / init code.
    pub data: Bytes,
    /// Access list.
    pub access_list: AccessList,
}

/// EIP-1559 transaction fields.
#[derive(Debug, Clone, PartialEq, Eq, RlpEncodable, RlpDecodable)]
pub struct SpanBatchEip1559TxData {
    /// Value transferred.
    pub value: UnboundedUint,
    /// Maximum priority fee per gas.
    pub max_priority_fee_per_gas: UnboundedUint,
    /// Maximum fee per gas.
    pub max_fee_per_gas: UnboundedUint,
    /// Call data / init code.
    pub data: Bytes,
    /// Access list.
    pub access_list: AccessList,
}

/// EIP-7702 transaction fields.
#[derive(Debug, Clone, PartialEq, Eq, RlpEncodable, RlpDecodable)]
pub struct SpanBatchEip7702TxData {
    /// Value transferred.
    pub value: U256,
    /// Maximum priority fee per gas.
    pub max_priority_fee_per_gas: U256,
    /// Maximum fee per gas.
    pub max_fee_per_gas: U256,
    /// Call data.
    pub data: Bytes,
    /// Access list.
    pub access_list: AccessList,
    /// Signed authorizations.
    pub authorization_list: Vec<SignedAuthorization>,
}

/// A decoded span batch `tx_data`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SpanBatchTxData {
    /// Legacy transaction.
    Legacy(SpanBatchLegacyTxData),
    /// EIP-2930 transaction.
    Eip2930(SpanBatchEip2930TxData),
    /// EIP-1559 transaction.
    Eip1559(SpanBatchEip1559TxData),
    /// EIP-7702 transaction (accepted by the batch queue only from Isthmus).
    Eip7702(SpanBatchEip7702TxData),
}

/// The common fields a span batch stores outside `tx_data`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpanBatchTxFields {
    /// Nonce.
    pub nonce: u64,
    /// Gas limit.
    pub gas_limit: u64,
    /// Recipient; `None` for a contract creation.
    pub to: Option<Address>,
    /// Signature (`r`, `s`, y parity).
    pub signature: Signature,
    /// For legacy transactions: whether the signature is EIP-155 protected.
    pub protected: bool,
}

fn decode_exact<T: Decodable>(mut payload: &[u8]) -> Result<T, SpanBatchError> {
    let value = T::decode(&mut payload).map_err(SpanBatchError::TxDataRlp)?;
    if !payload.is_empty() {
        return Err(SpanBatchError::TxDataRlp(alloy_rlp::Error::Custom(
            "trailing bytes",
        )));
    }
    Ok(value)
}

impl SpanBatchTxData {
    /// Decodes a raw `tx_data` (type byte included for typed transactions).
    pub fn decode(raw: &[u8]) -> Result<Self, SpanBatchError> {
        let &first = raw.first().ok_or(SpanBatchError::EmptyTxData)?;
        if first >= alloy_rlp::EMPTY_LIST_CODE {
            return decode_exact(raw).map(Self::Legacy);
        }
        let payload = raw.get(1..).unwrap_or_default();
        match first {
            1 => decode_exact(payload).map(Self::Eip2930),
            2 => decode_exact(payload).map(Self::Eip1559),
            4 => decode_exact(payload).map(Self::Eip7702),
            other => Err(SpanBatchError::UnsupportedTxType(other)),
        }
    }

    /// Appends the raw `tx_data` encoding.
    pub fn encode(&self, out: &mut Vec<u8>) {
        match self {
            Self::Legacy(fields) => fields.encode(out),
            Self::Eip2930(fields) => {
                out.push(TxType::Eip2930 as u8);
                fields.encode(out);
            }
            Self::Eip1559(fields) => {
                out.push(TxType::Eip1559 as u8);
                fields.encode(out);
            }
            Self::Eip7702(fields) => {
                out.push(TxType::Eip7702 as u8);
                fields.encode(out);
            }
        }
    }

    /// The EIP-2718 transaction type.
    pub const fn tx_type(&self) -> TxType {
        match self {
            Self::Legacy(_) => TxType::Legacy,
            Self::Eip2930(_) => TxType::Eip2930,
            Self::Eip1559(_) => TxType::Eip1559,
            Self::Eip7702(_) => TxType::Eip7702,
        }
    }

    /// Splits a signed transaction into its span batch `tx_data` and the other fields.
    ///
    /// Fails for transaction types a span batch cannot carry (EIP-4844) and for protected
    /// transactions of another chain.
    pub fn from_envelope(
        tx: &TxEnvelope,
        chain_id: ChainId,
    ) -> Result<(Self, SpanBatchTxFields), SpanBatchError> {
        let check_chain = |tx_chain: ChainId| {
            if tx_chain == chain_id {
                Ok(())
            } else {
                Err(SpanBatchError::ChainIdMismatch {
                    expected: chain_id,
                    found: tx_chain,
                })
            }
        };
        let (data, nonce, gas_limit, to, signature, protected) = match tx {
            TxEnvelope::Legacy(signed) => {
                let tx = signed.tx();
                if let Some(tx_chain) = tx.chain_id {
                    check_chain(tx_chain)?;
                }
                let data = Self::Legacy(SpanBatchLegacyTxData {
                    value: tx.value.into(),
                    gas_price: tx.gas_price.into(),
                    data: tx.input.clone(),
                });
                (
                    data,
                    tx.nonce,
                    tx.gas_limit,
                    tx.to.to().copied(),
                    *signed.signature(),
                    tx.chain_id.is_some(),
                )
            }
            TxEnvelope::Eip2930(signed) => {
                let tx = signed.tx();
                check_chain(tx.chain_id)?;
                let data = Self::Eip2930(SpanBatchEip2930TxData {
                    value: tx.value.into(),
                    gas_price: tx.gas_price.into(),
                    data: tx.input.clone(),
                    access_list: tx.access_list.clone(),
                });
                (
                    data,
                    tx.nonce,
                    tx.gas_limit,
                    tx.to.to().copied(),
                    *signed.signature(),
                    true,
                )
            }
            TxEnvelope::Eip1559(signed) => {
                let tx = signed.tx();
                check_chain(tx.chain_id)?;
                let data = Self::Eip1559(SpanBatchEip1559TxData {
                    value: tx.value.into(),
                    max_priority_fee_per_gas: tx.max_priority_fee_per_gas.into(),
                    max_fee_per_gas: tx.max_fee_per_gas.into(),
                    data: tx.input.clone(),
                    access_list: tx.access_list.clone(),
                });
                (
                    data,
                    tx.nonce,
                    tx.gas_limit,
                    tx.to.to().copied(),
                    *signed.signature(),
                    true,
                )
            }
            TxEnvelope::Eip7702(signed) => {
                let tx = signed.tx();
                check_chain(tx.chain_id)?;
                let data = Self::Eip7702(SpanBatchEip7702TxData {
                    value: tx.value,
                    max_priority_fee_per_gas: U256::from(tx.max_priority_fee_per_gas),
                    max_fee_per_gas: U256::from(tx.max_fee_per_gas),
                    data: tx.input.clone(),
                    access_list: tx.access_list.clone(),
                    authorization_list: tx.authorization_list.clone(),
                });
                (
                    data,
                    tx.nonce,
                    tx.gas_limit,
                    Some(tx.to),
                    *signed.signature(),
                    true,
                )
            }
            TxEnvelope::Eip4844(_) => {
                return Err(SpanBatchError::UnsupportedTxType(TxType::Eip4844 as u8));
            }
        };
        Ok((
            data,
            SpanBatchTxFields {
                nonce,
                gas_limit,
                to,
                signature,
                protected,
            },
        ))
    }
}
