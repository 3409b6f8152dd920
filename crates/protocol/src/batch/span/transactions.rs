//! The column-oriented transaction section of a span batch:
//!
//! ```text
//! txs = contract_creation_bits ++ y_parity_bits ++ tx_sigs ++ tx_tos ++ tx_datas
//!       ++ tx_nonces ++ tx_gases ++ protected_bits
//! ```

use super::{
    MAX_SPAN_BATCH_ELEMENT_COUNT, SpanBatchBits, SpanBatchError, SpanBatchTxData,
    SpanBatchTxFields,
    cursor::Cursor,
    varint::{read_uvarint, write_uvarint},
};
use alloc::vec::Vec;
use alloy_consensus::TxEnvelope;
use alloy_eips::eip2718::Decodable2718;
use alloy_primitives::{Address, Bytes, ChainId, Signature, U256};
use alloy_rlp::Header;

/// Size of one signature in `tx_sigs`: `r` and `s`, 32 bytes each.
const SIGNATURE_SIZE: usize = 64;

/// A span batch's transactions, column by column, as on the wire.
///
/// `tx_datas` are kept raw (type byte included for typed transactions) and are decoded only
/// when the batch is [derived](super::RawSpanBatch::derive), as op-node does: decoding checks
/// only that each is a (typed) RLP list.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SpanBatchTransactions {
    /// One bit per transaction: set for contract creations.
    pub contract_creation_bits: SpanBatchBits,
    /// One bit per transaction: the signature's y parity.
    pub y_parity_bits: SpanBatchBits,
    /// Signature `r` and `s` per transaction.
    pub signatures: Vec<(U256, U256)>,
    /// Recipient of every transaction that is not a contract creation, in order.
    pub tos: Vec<Address>,
    /// Raw `tx_data` per transaction.
    pub tx_datas: Vec<Bytes>,
    /// Nonce per transaction.
    pub nonces: Vec<u64>,
    /// Gas limit per transaction.
    pub gases: Vec<u64>,
    /// One bit per legacy transaction: set when EIP-155 protected.
    pub protected_bits: SpanBatchBits,
}

/// The transaction type op-node assigns a raw `tx_data`: its first byte when that is a type
/// byte (`<= 0x7f`), else 0 (legacy). A `tx_data` starting with `0x00` thus counts as legacy
/// for the protected bits, and fails later as an unsupported type.
fn raw_tx_type(tx_data: &[u8]) -> u8 {
    match tx_data.first() {
        Some(&first) if first <= 0x7f => first,
        _ => 0,
    }
}

/// Reads one raw `tx_data`: an optional type byte followed by one RLP list.
fn read_tx_data(cursor: &mut Cursor<'_>) -> Result<Bytes, SpanBatchError> {
    let start = cursor.remaining();
    let typed = cursor
        .remaining()
        .first()
        .is_some_and(|&first| first <= 0x7f);
    if typed {
        cursor.skip(1, "tx_datas")?;
    }
    let mut header_input = cursor.remaining();
    let header = Header::decode(&mut header_input).map_err(SpanBatchError::TxDataRlp)?;
    if !header.list {
        return Err(SpanBatchError::TxDataNotList);
    }
    let header_len = cursor.len() - header_input.len();
    // op-node reads the list through an RLP stream limited to MAX_SPAN_BATCH_ELEMENT_COUNT bytes.
    if (header_len as u64).saturating_add(header.payload_length as u64)
        > MAX_SPAN_BATCH_ELEMENT_COUNT
    {
        return Err(SpanBatchError::TooManyElements("tx_datas"));
    }
    cursor.skip(header_len + header.payload_length, "tx_datas")?;
    let total = start.len() - cursor.len();
    Ok(Bytes::copy_from_slice(
        start.get(..total).unwrap_or_default(),
    ))
}

impl SpanBatchTransactions {
    /// Number of transactions.
    pub fn len(&self) -> usize {
        self.tx_datas.len()
    }

    /// Whether there are no transactions.
    pub fn is_empty(&self) -> bool {
        self.tx_datas.is_empty()
    }

    /// Number of transactions op-node counts as legacy (see [`SpanBatchTransactions`]).
    pub fn legacy_count(&self) -> usize {
        self.tx_datas
            .iter()
            .filter(|data| raw_tx_type(data) == 0)
            .count()
    }

    /// Whether any transaction is an EIP-7702 (`SetCode`) transaction, which the batch queue
    /// accepts only from Isthmus.
    pub fn has_set_code_tx(&self) -> bool {
        self.tx_datas.iter().any(|data| raw_tx_type(data) == 4)
    }

    /// Decodes the section for `tx_count` transactions.
    pub(crate) fn decode(cursor: &mut Cursor<'_>, tx_count: u64) -> Result<Self, SpanBatchError> {
        if tx_count > MAX_SPAN_BATCH_ELEMENT_COUNT {
            return Err(SpanBatchError::TooManyElements("transactions"));
        }
        let contract_creation_bits =
            SpanBatchBits::decode(cursor, tx_count, "contract_creation_bits")?;
        let y_parity_bits = SpanBatchBits::decode(cursor, tx_count, "y_parity_bits")?;
        let count = tx_count as usize;

        let sig_bytes = cursor.read_slice(
            count
                .checked_mul(SIGNATURE_SIZE)
                .ok_or(SpanBatchError::UnexpectedEnd("tx_sigs"))?,
            "tx_sigs",
        )?;
        let signatures = sig_bytes
            .chunks_exact(SIGNATURE_SIZE)
            .map(|sig| {
                let (r, s) = sig.split_at(32);
                (U256::from_be_slice(r), U256::from_be_slice(s))
            })
            .collect();

        let to_count = count - contract_creation_bits.count_ones();
        let to_bytes = cursor.read_slice(to_count * Address::len_bytes(), "tx_tos")?;
        let tos = to_bytes
            .chunks_exact(Address::len_bytes())
            .map(Address::from_slice)
            .collect();

        // Every element takes at least one byte, so the remaining input bounds the allocation.
        let mut tx_datas = Vec::with_capacity(count.min(cursor.len()));
        for _ in 0..count {
            tx_datas.push(read_tx_data(cursor)?);
        }
        let mut nonces = Vec::with_capacity(count.min(cursor.len()));
        for _ in 0..count {
            nonces.push(read_uvarint(cursor, "tx_nonces")?);
        }
        let mut gases = Vec::with_capacity(count.min(cursor.len()));
        for _ in 0..count {
            gases.push(read_uvarint(cursor, "tx_gases")?);
        }
        let legacy_count = tx_datas
            .iter()
            .filter(|data| raw_tx_type(data) == 0)
            .count();
        let protected_bits = SpanBatchBits::decode(cursor, legacy_count as u64, "protected_bits")?;

        Ok(Self {
            contract_creation_bits,
            y_parity_bits,
            signatures,
            tos,
            tx_datas,
            nonces,
            gases,
            protected_bits,
        })
    }

    /// Appends the section's encoding.
    pub(crate) fn encode(&self, out: &mut Vec<u8>) {
        self.contract_creation_bits.encode(out);
        self.y_parity_bits.encode(out);
        for (r, s) in &self.signatures {
            out.extend_from_slice(&r.to_be_bytes::<32>());
            out.extend_from_slice(&s.to_be_bytes::<32>());
        }
        for to in &self.tos {
            out.extend_from_slice(to.as_slice());
        }
        for data in &self.tx_datas {
            out.extend_from_slice(data);
        }
        for nonce in &self.nonces {
            write_uvarint(out, *nonce);
        }
        for gas in &self.gases {
            write_uvarint(out, *gas);
        }
        self.protected_bits.encode(out);
    }

    /// Checks that the columns agree with each other (always true after decoding).
    fn check_consistency(&self) -> Result<(), SpanBatchError> {
        let count = self.tx_datas.len();
        let consistent = self.contract_creation_bits.len() == count
            && self.y_parity_bits.len() == count
            && self.signatures.len() == count
            && self.nonces.len() == count
            && self.gases.len() == count
            && self.tos.len() == count - self.contract_creation_bits.count_ones().min(count)
            && self.protected_bits.len() == self.legacy_count();
        if consistent {
            Ok(())
        } else {
            Err(SpanBatchError::InconsistentColumns)
        }
    }

    /// Rebuilds every transaction in its EIP-2718 encoding, recovering `v` from the y parity,
    /// the protected bit and `chain_id` (see [`SpanBatchTxData::encode_2718`]).
    ///
    /// This is where a `tx_data` is decoded, so its errors (malformed or non-canonical RLP, an
    /// unsupported type) surface here, as in op-node's span batch derivation.
    pub fn to_encoded(&self, chain_id: ChainId) -> Result<Vec<Bytes>, SpanBatchError> {
        self.check_consistency()?;
        let mut tos = self.tos.iter();
        let mut legacy_index = 0usize;
        let mut txs = Vec::with_capacity(self.len());
        for (index, raw) in self.tx_datas.iter().enumerate() {
            // The protected bit belongs to every tx_data op-node counts as legacy, even one
            // that then fails to decode.
            let protected = if raw_tx_type(raw) == 0 {
                let bit = self.protected_bits.get(legacy_index);
                legacy_index += 1;
                bit
            } else {
                false
            };
            let data = SpanBatchTxData::decode(raw)?;
            let to = if self.contract_creation_bits.get(index) {
                None
            } else {
                Some(*tos.next().ok_or(SpanBatchError::InconsistentColumns)?)
            };
            let (r, s) = *self
                .signatures
                .get(index)
                .ok_or(SpanBatchError::InconsistentColumns)?;
            let fields = SpanBatchTxFields {
                nonce: *self
                    .nonces
                    .get(index)
                    .ok_or(SpanBatchError::InconsistentColumns)?,
                gas_limit: *self
                    .gases
                    .get(index)
                    .ok_or(SpanBatchError::InconsistentColumns)?,
                to,
                signature: Signature::new(r, s, self.y_parity_bits.get(index)),
                protected,
            };
            txs.push(Bytes::from(data.encoded_2718(&fields, chain_id)?));
        }
        Ok(txs)
    }

    /// Builds the section from signed transactions.
    pub fn from_envelopes<'a>(
        txs: impl IntoIterator<Item = &'a TxEnvelope>,
        chain_id: ChainId,
    ) -> Result<Self, SpanBatchError> {
        let mut creation = Vec::new();
        let mut parity = Vec::new();
        let mut protected = Vec::new();
        let mut out = Self::default();
        for tx in txs {
            let (data, fields) = SpanBatchTxData::from_envelope(tx, chain_id)?;
            creation.push(fields.to.is_none());
            parity.push(fields.signature.v());
            out.signatures
                .push((fields.signature.r(), fields.signature.s()));
            if let Some(to) = fields.to {
                out.tos.push(to);
            }
            let mut raw = Vec::new();
            data.encode(&mut raw);
            if matches!(data, SpanBatchTxData::Legacy(_)) {
                protected.push(fields.protected);
            }
            out.tx_datas.push(raw.into());
            out.nonces.push(fields.nonce);
            out.gases.push(fields.gas_limit);
        }
        out.contract_creation_bits = SpanBatchBits::from_bools(&creation);
        out.y_parity_bits = SpanBatchBits::from_bools(&parity);
        out.protected_bits = SpanBatchBits::from_bools(&protected);
        Ok(out)
    }

    /// Builds the section from EIP-2718 encoded transactions.
    pub fn from_encoded<T: AsRef<[u8]>>(
        txs: impl IntoIterator<Item = T>,
        chain_id: ChainId,
    ) -> Result<Self, SpanBatchError> {
        let envelopes = txs
            .into_iter()
            .map(|tx| {
                TxEnvelope::decode_2718_exact(tx.as_ref())
                    .map_err(|_| SpanBatchError::InvalidTransaction)
            })
            .collect::<Result<Vec<_>, _>>()?;
        Self::from_envelopes(&envelopes, chain_id)
    }
}
