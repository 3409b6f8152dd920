//! Fuzzes the executor's payload transaction decoding: no bytes panic it; a transaction it
//! accepts is canonical (re-encodes to the same bytes), has its sender recovered, and maps to
//! an `op-revm` transaction environment that says what the transaction says.
#![no_main]

use alloy_consensus::Transaction;
use alloy_eips::eip2718::Encodable2718;
use alloy_primitives::Bytes;
use koa_executor::{ExecutorError, tx::DecodedTx};
use libfuzzer_sys::fuzz_target;
use op_alloy_consensus::OpTxEnvelope;

fuzz_target!(|data: &[u8]| {
    let decoded = match DecodedTx::decode(3, data) {
        Ok(decoded) => decoded,
        Err(
            ExecutorError::TxDecode { index, .. }
            | ExecutorError::UnsupportedTxType { index, .. }
            | ExecutorError::InvalidSignature { index },
        ) => {
            assert_eq!(index, 3);
            return;
        }
        Err(other) => panic!("unexpected decoding error: {other:?}"),
    };
    assert_eq!(
        decoded.envelope.encoded_2718(),
        data,
        "accepted a non-canonical encoding"
    );
    let env = decoded.to_tx_env(Bytes::copy_from_slice(data));
    assert_eq!(env.base.caller, decoded.sender);
    assert_eq!(env.base.gas_limit, decoded.envelope.gas_limit());
    assert_eq!(env.base.data, *decoded.envelope.input());
    assert_eq!(
        env.enveloped_tx.as_deref().map(|raw| raw.as_ref()),
        Some(data)
    );
    match &decoded.envelope {
        OpTxEnvelope::Deposit(deposit) => {
            assert!(decoded.is_deposit());
            assert_eq!(decoded.sender, deposit.from);
            assert_eq!(env.base.gas_price, 0);
            assert_eq!(env.deposit.mint, Some(deposit.mint));
            assert_eq!(decoded.is_system_deposit(), deposit.is_system_transaction);
        }
        _ => assert!(!decoded.is_deposit()),
    }
});
