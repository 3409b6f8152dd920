//! Span batch transactions carry integers of any size, as op-node does.
//!
//! op-node decodes the `value` and fee fields of legacy, EIP-2930 and EIP-1559 `tx_data`s into
//! go-ethereum `*big.Int`s (any length, canonical RLP) and those of EIP-7702 into
//! `*uint256.Int`s (at most 32 bytes), then rebuilds each transaction as a go-ethereum
//! `LegacyTx` / `AccessListTx` / `DynamicFeeTx` / `SetCodeTx` and serializes it with
//! `MarshalBinary`. The expected encodings here are built by a minimal RLP writer local to this
//! file, from the field order of those go-ethereum types; the writer itself is checked against
//! alloy's encoding of ordinary transactions.

use alloy_consensus::{Signed, TxEip1559, TxEip2930, TxEip7702, TxEnvelope, TxLegacy};
use alloy_eips::{
    eip2718::Encodable2718,
    eip2930::{AccessList, AccessListItem},
    eip7702::{Authorization, SignedAuthorization},
};
use alloy_primitives::{Address, B256, Bytes, Signature, TxKind, U256, address};
use koa_protocol::batch::{
    RawSpanBatch, SpanBatchError,
    span::{SpanBatchBits, SpanBatchTransactions},
};
use proptest::prelude::*;

const CHAIN_ID: u64 = 10;
const GENESIS_TIME: u64 = 1_686_068_903;
const BLOCK_TIME: u64 = 2;
const RECIPIENT: Address = address!("0x4200000000000000000000000000000000000016");

// ---- A minimal RLP writer (the yellow paper's definition, nothing more) ----

fn strip_leading_zeros(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    &bytes[start..]
}

fn length_prefix(offset: u8, len: usize) -> Vec<u8> {
    if len < 56 {
        vec![offset + len as u8]
    } else {
        let len_bytes = len.to_be_bytes();
        let len_bytes = strip_leading_zeros(&len_bytes);
        let mut out = vec![offset + 55 + len_bytes.len() as u8];
        out.extend_from_slice(len_bytes);
        out
    }
}

fn rlp_string(bytes: &[u8]) -> Vec<u8> {
    if bytes.len() == 1 && bytes[0] < 0x80 {
        return bytes.to_vec();
    }
    let mut out = length_prefix(0x80, bytes.len());
    out.extend_from_slice(bytes);
    out
}

/// An unsigned integer given as big-endian bytes (leading zeros allowed).
fn rlp_uint(be: &[u8]) -> Vec<u8> {
    rlp_string(strip_leading_zeros(be))
}

fn rlp_u64(value: u64) -> Vec<u8> {
    rlp_uint(&value.to_be_bytes())
}

fn rlp_list(items: &[Vec<u8>]) -> Vec<u8> {
    let payload: Vec<u8> = items.concat();
    let mut out = length_prefix(0xc0, payload.len());
    out.extend_from_slice(&payload);
    out
}

fn typed(tx_type: u8, list: Vec<u8>) -> Vec<u8> {
    let mut out = vec![tx_type];
    out.extend_from_slice(&list);
    out
}

/// Big-endian bytes of `2^bits`.
fn pow2(bits: usize) -> Vec<u8> {
    let mut be = vec![0u8; bits / 8 + 1];
    be[0] = 1 << (bits % 8);
    be
}

fn rlp_access_list(items: &[(Address, Vec<B256>)]) -> Vec<u8> {
    let items: Vec<Vec<u8>> = items
        .iter()
        .map(|(address, keys)| {
            let keys: Vec<Vec<u8>> = keys.iter().map(|key| rlp_string(key.as_slice())).collect();
            rlp_list(&[rlp_string(address.as_slice()), rlp_list(&keys)])
        })
        .collect();
    rlp_list(&items)
}

// ---- Building span batches column by column ----

/// One span batch transaction as its columns hold it.
struct ColumnTx {
    tx_data: Vec<u8>,
    to: Option<Address>,
    r: B256,
    s: B256,
    y_parity: bool,
    nonce: u64,
    gas: u64,
    /// For legacy `tx_data`s: the protected bit.
    protected: Option<bool>,
}

impl ColumnTx {
    fn new(tx_data: Vec<u8>, nonce: u64, to: Option<Address>) -> Self {
        Self {
            tx_data,
            to,
            r: B256::repeat_byte(0x11),
            s: B256::left_padding_from(&[0x22; 31]),
            y_parity: true,
            nonce,
            gas: 21_000 + nonce,
            protected: None,
        }
    }

    fn legacy(tx_data: Vec<u8>, nonce: u64, to: Option<Address>, protected: bool) -> Self {
        Self {
            protected: Some(protected),
            y_parity: false,
            ..Self::new(tx_data, nonce, to)
        }
    }
}

/// A one-block span batch of `txs`, passed through its wire encoding.
fn span_batch(txs: &[ColumnTx]) -> RawSpanBatch {
    let columns = SpanBatchTransactions {
        contract_creation_bits: SpanBatchBits::from_bools(
            &txs.iter().map(|tx| tx.to.is_none()).collect::<Vec<_>>(),
        ),
        y_parity_bits: SpanBatchBits::from_bools(
            &txs.iter().map(|tx| tx.y_parity).collect::<Vec<_>>(),
        ),
        signatures: txs
            .iter()
            .map(|tx| (U256::from_be_bytes(tx.r.0), U256::from_be_bytes(tx.s.0)))
            .collect(),
        tos: txs.iter().filter_map(|tx| tx.to).collect(),
        tx_datas: txs
            .iter()
            .map(|tx| Bytes::from(tx.tx_data.clone()))
            .collect(),
        nonces: txs.iter().map(|tx| tx.nonce).collect(),
        gases: txs.iter().map(|tx| tx.gas).collect(),
        protected_bits: SpanBatchBits::from_bools(
            &txs.iter().filter_map(|tx| tx.protected).collect::<Vec<_>>(),
        ),
    };
    let raw = RawSpanBatch {
        rel_timestamp: 100,
        l1_origin_num: 5,
        origin_bits: SpanBatchBits::from_bools(&[true]),
        block_tx_counts: vec![txs.len() as u64],
        txs: columns,
        ..Default::default()
    };
    // Decoding checks only that each tx_data is a (typed) RLP list: integer errors wait for
    // derivation, as in op-node.
    let decoded = RawSpanBatch::decode(&raw.encoded()).expect("span batch decodes");
    assert_eq!(decoded, raw);
    decoded
}

fn derive_txs(raw: &RawSpanBatch) -> Result<Vec<Bytes>, SpanBatchError> {
    let span = raw.derive(BLOCK_TIME, GENESIS_TIME, CHAIN_ID)?;
    assert_eq!(span.elements.len(), 1);
    Ok(span.elements[0].transactions.to_vec())
}

// ---- Expected go-ethereum encodings, field by field ----

fn signature_fields(tx: &ColumnTx, v: Vec<u8>) -> [Vec<u8>; 3] {
    [v, rlp_uint(tx.r.as_slice()), rlp_uint(tx.s.as_slice())]
}

fn rlp_to(to: Option<Address>) -> Vec<u8> {
    to.map_or_else(|| vec![0x80], |to| rlp_string(to.as_slice()))
}

/// `LegacyTx{Nonce, GasPrice, Gas, To, Value, Data, V, R, S}`.
fn expected_legacy(tx: &ColumnTx, gas_price: &[u8], value: &[u8], data: &[u8]) -> Vec<u8> {
    let parity = u64::from(tx.y_parity);
    let v = if tx.protected == Some(true) {
        CHAIN_ID * 2 + 35 + parity
    } else {
        27 + parity
    };
    let mut fields = vec![
        rlp_u64(tx.nonce),
        rlp_uint(gas_price),
        rlp_u64(tx.gas),
        rlp_to(tx.to),
        rlp_uint(value),
        rlp_string(data),
    ];
    fields.extend(signature_fields(tx, rlp_u64(v)));
    rlp_list(&fields)
}

/// `DynamicFeeTx{ChainID, Nonce, GasTipCap, GasFeeCap, Gas, To, Value, Data, AccessList, V, R,
/// S}`.
fn expected_eip1559(
    tx: &ColumnTx,
    tip: &[u8],
    fee_cap: &[u8],
    value: &[u8],
    data: &[u8],
    access_list: &[(Address, Vec<B256>)],
) -> Vec<u8> {
    let mut fields = vec![
        rlp_u64(CHAIN_ID),
        rlp_u64(tx.nonce),
        rlp_uint(tip),
        rlp_uint(fee_cap),
        rlp_u64(tx.gas),
        rlp_to(tx.to),
        rlp_uint(value),
        rlp_string(data),
        rlp_access_list(access_list),
    ];
    fields.extend(signature_fields(tx, rlp_u64(u64::from(tx.y_parity))));
    typed(2, rlp_list(&fields))
}

/// `AccessListTx{ChainID, Nonce, GasPrice, Gas, To, Value, Data, AccessList, V, R, S}`.
fn expected_eip2930(
    tx: &ColumnTx,
    gas_price: &[u8],
    value: &[u8],
    data: &[u8],
    access_list: &[(Address, Vec<B256>)],
) -> Vec<u8> {
    let mut fields = vec![
        rlp_u64(CHAIN_ID),
        rlp_u64(tx.nonce),
        rlp_uint(gas_price),
        rlp_u64(tx.gas),
        rlp_to(tx.to),
        rlp_uint(value),
        rlp_string(data),
        rlp_access_list(access_list),
    ];
    fields.extend(signature_fields(tx, rlp_u64(u64::from(tx.y_parity))));
    typed(1, rlp_list(&fields))
}

fn legacy_tx_data(value: &[u8], gas_price: &[u8], data: &[u8]) -> Vec<u8> {
    rlp_list(&[rlp_uint(value), rlp_uint(gas_price), rlp_string(data)])
}

fn eip1559_tx_data(
    value: &[u8],
    tip: &[u8],
    fee_cap: &[u8],
    data: &[u8],
    access_list: &[(Address, Vec<B256>)],
) -> Vec<u8> {
    typed(
        2,
        rlp_list(&[
            rlp_uint(value),
            rlp_uint(tip),
            rlp_uint(fee_cap),
            rlp_string(data),
            rlp_access_list(access_list),
        ]),
    )
}

/// A SetCode `tx_data` whose `value` field is the given raw RLP item.
fn eip7702_tx_data_with_raw_value(raw_value: Vec<u8>) -> Vec<u8> {
    let authorization = rlp_list(&[
        rlp_u64(CHAIN_ID),
        rlp_string(RECIPIENT.as_slice()),
        rlp_u64(3),
        rlp_u64(1),
        rlp_uint(&[0x33; 32]),
        rlp_uint(&[0x44; 32]),
    ]);
    typed(
        4,
        rlp_list(&[
            raw_value,
            rlp_u64(1_000),
            rlp_u64(2_000),
            rlp_string(&[]),
            rlp_access_list(&[]),
            rlp_list(&[authorization]),
        ]),
    )
}

fn sample_access_list() -> Vec<(Address, Vec<B256>)> {
    vec![(
        RECIPIENT,
        vec![B256::repeat_byte(0x01), B256::with_last_byte(2)],
    )]
}

#[test]
fn test_rlp_writer_matches_alloy_for_ordinary_transactions() {
    // An EIP-1559 and a protected legacy transaction whose values fit alloy's types: the local
    // writer and alloy must agree, which validates the writer used for the expectations below.
    let access_list = sample_access_list();
    let tx = ColumnTx::new(
        eip1559_tx_data(
            &[0x0d, 0xe0],
            &[0x3b, 0x9a, 0xca, 0x00],
            &[0x77; 9],
            &[0xab],
            &access_list,
        ),
        7,
        Some(RECIPIENT),
    );
    let expected = expected_eip1559(
        &tx,
        &[0x3b, 0x9a, 0xca, 0x00],
        &[0x77; 9],
        &[0x0d, 0xe0],
        &[0xab],
        &access_list,
    );
    let alloy_tx = TxEnvelope::Eip1559(Signed::new_unhashed(
        TxEip1559 {
            chain_id: CHAIN_ID,
            nonce: 7,
            gas_limit: tx.gas,
            max_fee_per_gas: 0x77_7777_7777_7777_7777,
            max_priority_fee_per_gas: 1_000_000_000,
            to: TxKind::Call(RECIPIENT),
            value: U256::from(0x0de0),
            access_list: AccessList(vec![AccessListItem {
                address: RECIPIENT,
                storage_keys: access_list[0].1.clone(),
            }]),
            input: Bytes::from_static(&[0xab]),
        },
        Signature::new(
            U256::from_be_bytes(tx.r.0),
            U256::from_be_bytes(tx.s.0),
            true,
        ),
    ));
    assert_eq!(expected, alloy_tx.encoded_2718());

    let legacy = ColumnTx::legacy(legacy_tx_data(&[5], &[0x80], &[]), 1, None, true);
    let expected_legacy_tx = expected_legacy(&legacy, &[0x80], &[5], &[]);
    let alloy_legacy = TxEnvelope::Legacy(Signed::new_unhashed(
        TxLegacy {
            chain_id: Some(CHAIN_ID),
            nonce: 1,
            gas_price: 0x80,
            gas_limit: legacy.gas,
            to: TxKind::Create,
            value: U256::from(5),
            input: Bytes::new(),
        },
        Signature::new(
            U256::from_be_bytes(legacy.r.0),
            U256::from_be_bytes(legacy.s.0),
            false,
        ),
    ));
    assert_eq!(expected_legacy_tx, alloy_legacy.encoded_2718());

    let raw = span_batch(&[tx, legacy]);
    assert_eq!(
        derive_txs(&raw).unwrap(),
        vec![Bytes::from(expected), Bytes::from(expected_legacy_tx)]
    );
}

#[test]
fn test_integers_beyond_alloy_types_derive_like_op_node() {
    let access_list = sample_access_list();
    // EIP-1559 with max_fee_per_gas = 2^200 (26 bytes).
    let fee_cap = pow2(200);
    let dynamic = ColumnTx::new(
        eip1559_tx_data(&[1], &[0x01, 0x00], &fee_cap, &[0xca, 0xfe], &access_list),
        9,
        Some(RECIPIENT),
    );
    let expected_dynamic = expected_eip1559(
        &dynamic,
        &[0x01, 0x00],
        &fee_cap,
        &[1],
        &[0xca, 0xfe],
        &access_list,
    );

    // Protected legacy with value = 2^300 (38 bytes).
    let value = pow2(300);
    let legacy = ColumnTx::legacy(
        legacy_tx_data(&value, &[0x3b, 0x9a, 0xca, 0x00], &[]),
        10,
        Some(RECIPIENT),
        true,
    );
    let expected_legacy_tx = expected_legacy(&legacy, &[0x3b, 0x9a, 0xca, 0x00], &value, &[]);

    // Unprotected legacy contract creation with gas_price = 2^500 (63 bytes: a long-form
    // string header) and init code.
    let gas_price = pow2(500);
    let creation = ColumnTx::legacy(
        legacy_tx_data(&[], &gas_price, &[0x60, 0x00, 0x60, 0x00]),
        11,
        None,
        false,
    );
    let expected_creation = expected_legacy(&creation, &gas_price, &[], &[0x60, 0x00, 0x60, 0x00]);
    // 142 payload bytes: nonce 1, gas price 2 + 63, gas 3, to 1, value 1, data 5, v 1, r 33,
    // s 32 (its leading zero byte dropped).
    assert_eq!(&expected_creation[..3], &[0xf8, 0x8e, 0x0b][..]);

    // EIP-2930 with gas_price = 2^256 (one bit past U256) and value = 2^256 - 1.
    let gas_price_2930 = pow2(256);
    let tx_2930 = ColumnTx::new(
        typed(
            1,
            rlp_list(&[
                rlp_uint(&[0xff; 32]),
                rlp_uint(&gas_price_2930),
                rlp_string(&[]),
                rlp_access_list(&access_list),
            ]),
        ),
        12,
        Some(RECIPIENT),
    );
    let expected_2930 = expected_eip2930(&tx_2930, &gas_price_2930, &[0xff; 32], &[], &access_list);

    let raw = span_batch(&[dynamic, legacy, creation, tx_2930]);
    let derived = derive_txs(&raw).unwrap();
    assert_eq!(derived[0], expected_dynamic);
    assert_eq!(derived[1], expected_legacy_tx);
    assert_eq!(derived[2], expected_creation);
    assert_eq!(derived[3], expected_2930);
    // The big integers appear verbatim in the rebuilt transactions.
    assert!(
        derived[0]
            .windows(27)
            .any(|w| w[0] == 0x80 + 26 && w[1..] == fee_cap[..])
    );
    assert!(
        derived[1]
            .windows(39)
            .any(|w| w[0] == 0x80 + 38 && w[1..] == value[..])
    );
}

#[test]
fn test_set_code_value_is_capped_at_32_bytes() {
    // 2^255 (32 bytes) is the largest value a SetCode tx_data may carry.
    let max = ColumnTx::new(
        eip7702_tx_data_with_raw_value(rlp_uint(&pow2(255))),
        1,
        Some(RECIPIENT),
    );
    let derived = derive_txs(&span_batch(&[max])).unwrap();
    let alloy_tx = TxEnvelope::Eip7702(Signed::new_unhashed(
        TxEip7702 {
            chain_id: CHAIN_ID,
            nonce: 1,
            gas_limit: 21_001,
            max_fee_per_gas: 2_000,
            max_priority_fee_per_gas: 1_000,
            to: RECIPIENT,
            value: U256::from(1) << 255,
            access_list: AccessList::default(),
            authorization_list: vec![SignedAuthorization::new_unchecked(
                Authorization {
                    chain_id: U256::from(CHAIN_ID),
                    address: RECIPIENT,
                    nonce: 3,
                },
                1,
                U256::from_be_bytes([0x33; 32]),
                U256::from_be_bytes([0x44; 32]),
            )],
            input: Bytes::new(),
        },
        Signature::new(
            U256::from_be_bytes(B256::repeat_byte(0x11).0),
            U256::from_be_bytes(B256::left_padding_from(&[0x22; 31]).0),
            true,
        ),
    ));
    assert_eq!(derived, vec![Bytes::from(alloy_tx.encoded_2718())]);

    // 2^256 (33 bytes) does not fit a *uint256.Int: the span batch fails to derive.
    let too_big = ColumnTx::new(
        eip7702_tx_data_with_raw_value(rlp_uint(&pow2(256))),
        1,
        Some(RECIPIENT),
    );
    assert_eq!(
        derive_txs(&span_batch(&[too_big])),
        Err(SpanBatchError::TxDataRlp(alloy_rlp::Error::Overflow))
    );

    // A SetCode transaction cannot be a contract creation.
    let creation = ColumnTx::new(eip7702_tx_data_with_raw_value(rlp_u64(1)), 1, None);
    assert_eq!(
        derive_txs(&span_batch(&[creation])),
        Err(SpanBatchError::SetCodeContractCreation)
    );
}

#[test]
fn test_non_canonical_integers_fail_derivation() {
    let leading_zero = vec![0x82, 0x00, 0x05];
    let wrapped_small_byte = vec![0x81, 0x05];
    let zero_byte = vec![0x00];
    let cases: Vec<(ColumnTx, alloy_rlp::Error)> = vec![
        // Legacy value with a leading zero byte.
        (
            ColumnTx::legacy(
                rlp_list(&[leading_zero.clone(), rlp_u64(1), rlp_string(&[])]),
                0,
                Some(RECIPIENT),
                true,
            ),
            alloy_rlp::Error::LeadingZero,
        ),
        // Legacy gas price 5 written as 0x81 0x05.
        (
            ColumnTx::legacy(
                rlp_list(&[rlp_u64(1), wrapped_small_byte.clone(), rlp_string(&[])]),
                0,
                Some(RECIPIENT),
                false,
            ),
            alloy_rlp::Error::NonCanonicalSingleByte,
        ),
        // EIP-2930 gas price zero written as 0x00.
        (
            ColumnTx::new(
                typed(
                    1,
                    rlp_list(&[rlp_u64(1), zero_byte, rlp_string(&[]), rlp_list(&[])]),
                ),
                0,
                Some(RECIPIENT),
            ),
            alloy_rlp::Error::LeadingZero,
        ),
        // EIP-1559 max fee 5 written as 0x81 0x05.
        (
            ColumnTx::new(
                typed(
                    2,
                    rlp_list(&[
                        rlp_u64(1),
                        rlp_u64(1),
                        wrapped_small_byte.clone(),
                        rlp_string(&[]),
                        rlp_list(&[]),
                    ]),
                ),
                0,
                Some(RECIPIENT),
            ),
            alloy_rlp::Error::NonCanonicalSingleByte,
        ),
        // EIP-7702 value with a leading zero byte, and 5 written as 0x81 0x05.
        (
            ColumnTx::new(
                eip7702_tx_data_with_raw_value(leading_zero),
                0,
                Some(RECIPIENT),
            ),
            alloy_rlp::Error::LeadingZero,
        ),
        (
            ColumnTx::new(
                eip7702_tx_data_with_raw_value(wrapped_small_byte),
                0,
                Some(RECIPIENT),
            ),
            alloy_rlp::Error::NonCanonicalSingleByte,
        ),
    ];
    for (tx, error) in cases {
        let raw = span_batch(&[tx]);
        assert_eq!(derive_txs(&raw), Err(SpanBatchError::TxDataRlp(error)));
    }
}

#[test]
fn test_unsupported_types_fail_derivation() {
    // A blob transaction type and a typed tx_data with type byte 0.
    for tx_type in [3u8, 0] {
        let mut tx = ColumnTx::new(typed(tx_type, rlp_list(&[])), 0, Some(RECIPIENT));
        // op-node counts a tx_data whose first byte is 0 as legacy: it owns a protected bit.
        tx.protected = (tx_type == 0).then_some(true);
        let raw = span_batch(&[tx]);
        assert_eq!(
            derive_txs(&raw),
            Err(SpanBatchError::UnsupportedTxType(tx_type))
        );
    }
}

// ---- Property: for values alloy can hold, the rebuilt encoding is alloy's ----

fn u256() -> impl Strategy<Value = U256> {
    prop_oneof![
        any::<u64>().prop_map(U256::from),
        any::<[u8; 32]>().prop_map(U256::from_be_bytes),
    ]
}

fn small_u128() -> impl Strategy<Value = u128> {
    prop_oneof![0u128..300, any::<u64>().prop_map(u128::from), any::<u128>()]
}

fn signature() -> impl Strategy<Value = Signature> {
    (u256(), u256(), any::<bool>()).prop_map(|(r, s, parity)| Signature::new(r, s, parity))
}

fn input() -> impl Strategy<Value = Bytes> {
    prop::collection::vec(any::<u8>(), 0..80).prop_map(Bytes::from)
}

fn access_list() -> impl Strategy<Value = AccessList> {
    prop::collection::vec(
        (
            any::<[u8; 20]>(),
            prop::collection::vec(any::<[u8; 32]>(), 0..3),
        ),
        0..3,
    )
    .prop_map(|items| {
        AccessList(
            items
                .into_iter()
                .map(|(address, keys)| AccessListItem {
                    address: Address::from(address),
                    storage_keys: keys.into_iter().map(B256::from).collect(),
                })
                .collect(),
        )
    })
}

fn authorization_list() -> impl Strategy<Value = Vec<SignedAuthorization>> {
    prop::collection::vec(
        (
            u256(),
            any::<[u8; 20]>(),
            any::<u64>(),
            any::<u8>(),
            u256(),
            u256(),
        ),
        0..3,
    )
    .prop_map(|items| {
        items
            .into_iter()
            .map(|(chain_id, address, nonce, y_parity, r, s)| {
                SignedAuthorization::new_unchecked(
                    Authorization {
                        chain_id,
                        address: Address::from(address),
                        nonce,
                    },
                    y_parity,
                    r,
                    s,
                )
            })
            .collect()
    })
}

fn tx_kind() -> impl Strategy<Value = TxKind> {
    prop::option::of(any::<[u8; 20]>())
        .prop_map(|to| to.map_or(TxKind::Create, |to| TxKind::Call(Address::from(to))))
}

/// A signed legacy (protected or not), EIP-2930, EIP-1559 or EIP-7702 transaction of `chain_id`.
fn envelope(chain_id: u64) -> impl Strategy<Value = TxEnvelope> {
    let legacy = (
        any::<bool>(),
        any::<u64>(),
        small_u128(),
        any::<u64>(),
        tx_kind(),
        u256(),
        input(),
        signature(),
    )
        .prop_map(
            move |(protected, nonce, gas_price, gas_limit, to, value, input, sig)| {
                TxEnvelope::Legacy(Signed::new_unhashed(
                    TxLegacy {
                        chain_id: protected.then_some(chain_id),
                        nonce,
                        gas_price,
                        gas_limit,
                        to,
                        value,
                        input,
                    },
                    sig,
                ))
            },
        );
    let eip2930 = (
        any::<u64>(),
        small_u128(),
        any::<u64>(),
        tx_kind(),
        u256(),
        input(),
        access_list(),
        signature(),
    )
        .prop_map(
            move |(nonce, gas_price, gas_limit, to, value, input, access_list, sig)| {
                TxEnvelope::Eip2930(Signed::new_unhashed(
                    TxEip2930 {
                        chain_id,
                        nonce,
                        gas_price,
                        gas_limit,
                        to,
                        value,
                        access_list,
                        input,
                    },
                    sig,
                ))
            },
        );
    let eip1559 = (
        (any::<u64>(), small_u128(), small_u128(), any::<u64>()),
        tx_kind(),
        u256(),
        input(),
        access_list(),
        signature(),
    )
        .prop_map(
            move |((nonce, tip, fee_cap, gas_limit), to, value, input, access_list, sig)| {
                TxEnvelope::Eip1559(Signed::new_unhashed(
                    TxEip1559 {
                        chain_id,
                        nonce,
                        gas_limit,
                        max_fee_per_gas: fee_cap,
                        max_priority_fee_per_gas: tip,
                        to,
                        value,
                        access_list,
                        input,
                    },
                    sig,
                ))
            },
        );
    let eip7702 = (
        (any::<u64>(), small_u128(), small_u128(), any::<u64>()),
        any::<[u8; 20]>(),
        u256(),
        input(),
        access_list(),
        authorization_list(),
        signature(),
    )
        .prop_map(
            move |((nonce, tip, fee_cap, gas_limit), to, value, input, access_list, auths, sig)| {
                TxEnvelope::Eip7702(Signed::new_unhashed(
                    TxEip7702 {
                        chain_id,
                        nonce,
                        gas_limit,
                        max_fee_per_gas: fee_cap,
                        max_priority_fee_per_gas: tip,
                        to: Address::from(to),
                        value,
                        access_list,
                        authorization_list: auths,
                        input,
                    },
                    sig,
                ))
            },
        );
    prop_oneof![legacy, eip2930, eip1559, eip7702]
}

fn chain_and_envelopes() -> impl Strategy<Value = (u64, Vec<TxEnvelope>)> {
    prop_oneof![Just(10u64), Just(11_155_420u64), any::<u64>()].prop_flat_map(|chain_id| {
        (
            Just(chain_id),
            prop::collection::vec(envelope(chain_id), 1..6),
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn test_rebuilt_transactions_equal_alloy_encoding((chain_id, txs) in chain_and_envelopes()) {
        let columns = SpanBatchTransactions::from_envelopes(&txs, chain_id).unwrap();
        let raw = RawSpanBatch {
            origin_bits: SpanBatchBits::from_bools(&[true]),
            block_tx_counts: vec![txs.len() as u64],
            txs: columns,
            ..Default::default()
        };
        let decoded = RawSpanBatch::decode(&raw.encoded()).unwrap();
        prop_assert_eq!(&decoded, &raw);
        let span = decoded.derive(BLOCK_TIME, GENESIS_TIME, chain_id).unwrap();
        let expected: Vec<Bytes> = txs.iter().map(|tx| Bytes::from(tx.encoded_2718())).collect();
        prop_assert_eq!(&span.elements[0].transactions.to_vec(), &expected);
    }
}
