//! Decoding a payload transaction into `op-revm`'s transaction environment.

use alloy_consensus::{Transaction as _, transaction::SignerRecoverable};
use alloy_eips::{Typed2718, eip2718::Decodable2718};
use alloy_primitives::{Address, Bytes};
use op_alloy_consensus::OpTxEnvelope;
use op_revm::{OpTransaction, transaction::deposit::DepositTransactionParts};
use revm::context::{TxEnv, either::Either};

use crate::ExecutorError;

/// A payload transaction, decoded and with its sender recovered.
#[derive(Debug)]
pub struct DecodedTx {
    /// The transaction.
    pub envelope: OpTxEnvelope,
    /// The signer, or the deposit's `from`.
    pub sender: Address,
}

impl DecodedTx {
    /// Decodes the EIP-2718 bytes of the transaction at `index` and recovers its sender.
    pub fn decode(index: usize, raw: &[u8]) -> Result<Self, ExecutorError> {
        let envelope = OpTxEnvelope::decode_2718_exact(raw)
            .map_err(|source| ExecutorError::TxDecode { index, source })?;
        let sender = match &envelope {
            OpTxEnvelope::Deposit(deposit) => deposit.from,
            OpTxEnvelope::PostExec(_) => {
                return Err(ExecutorError::UnsupportedTxType {
                    index,
                    ty: envelope.ty(),
                });
            }
            _ => envelope
                .recover_signer()
                .map_err(|_| ExecutorError::InvalidSignature { index })?,
        };
        Ok(Self { envelope, sender })
    }

    /// Whether this is a deposit transaction.
    pub fn is_deposit(&self) -> bool {
        matches!(self.envelope, OpTxEnvelope::Deposit(_))
    }

    /// Whether this is a (pre-Regolith) system deposit.
    pub fn is_system_deposit(&self) -> bool {
        matches!(&self.envelope, OpTxEnvelope::Deposit(d) if d.is_system_transaction)
    }

    /// The transaction environment `op-revm` executes; `raw` is the EIP-2718 encoding (for the
    /// L1 data fee).
    pub fn to_tx_env(&self, raw: Bytes) -> OpTransaction<TxEnv> {
        let tx = &self.envelope;
        let mut base = TxEnv {
            tx_type: tx.ty(),
            caller: self.sender,
            gas_limit: tx.gas_limit(),
            kind: tx.kind(),
            value: tx.value(),
            data: tx.input().clone(),
            nonce: tx.nonce(),
            chain_id: tx.chain_id(),
            ..TxEnv::default()
        };
        let mut deposit = DepositTransactionParts::default();
        match tx {
            OpTxEnvelope::Deposit(d) => {
                base.gas_price = 0;
                base.nonce = 0;
                base.chain_id = None;
                deposit = DepositTransactionParts {
                    source_hash: d.source_hash,
                    mint: Some(d.mint),
                    is_system_transaction: d.is_system_transaction,
                };
            }
            OpTxEnvelope::Legacy(_) | OpTxEnvelope::Eip2930(_) => {
                base.gas_price = tx.max_fee_per_gas();
            }
            OpTxEnvelope::Eip1559(_) | OpTxEnvelope::Eip7702(_) | OpTxEnvelope::PostExec(_) => {
                base.gas_price = tx.max_fee_per_gas();
                base.gas_priority_fee = tx.max_priority_fee_per_gas();
            }
        }
        if let Some(access_list) = tx.access_list() {
            base.access_list = access_list.clone();
        }
        if let Some(authorizations) = tx.authorization_list() {
            base.authorization_list = authorizations.iter().cloned().map(Either::Left).collect();
        }
        OpTransaction {
            base,
            enveloped_tx: Some(raw),
            deposit,
        }
    }
}
