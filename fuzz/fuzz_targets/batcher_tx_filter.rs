//! Fuzzes `BatcherTxFilter` on arbitrary L1 transactions: no transaction panics it, and it
//! accepts exactly the non-EIP-7702 transactions to the inbox, for the L1 chain (or without a
//! chain id), whose signature recovers to the batcher.
#![no_main]

use alloy_consensus::Transaction;
use alloy_consensus::{TxEnvelope, transaction::SignerRecoverable};
use alloy_eips::eip2718::Decodable2718;
use alloy_primitives::Address;
use koa_derive::sources::{BatcherTxFilter, calldata_batcher_data};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, raw)) = data.split_first() else {
        return;
    };
    let Ok(tx) = TxEnvelope::decode_2718_exact(&mut &raw[..]) else {
        return;
    };
    let signer = tx.recover_signer().ok();
    // The filter matches the transaction's own recipient and signer (when the selector says
    // so), so the fuzzer reaches acceptance without forging a signature.
    let inbox = match (selector & 1, tx.to()) {
        (0, Some(to)) => to,
        _ => Address::repeat_byte(0xff),
    };
    let batcher = match (selector & 2, signer) {
        (0, Some(signer)) => signer,
        _ => Address::repeat_byte(0xbb),
    };
    let l1_chain_id = match (selector & 4, tx.chain_id()) {
        (0, Some(chain_id)) => chain_id,
        _ => 1,
    };
    let filter = BatcherTxFilter {
        inbox,
        batcher,
        l1_chain_id,
    };
    let expected = !matches!(tx, TxEnvelope::Eip7702(_))
        && tx.to() == Some(inbox)
        && tx.chain_id().is_none_or(|id| id == l1_chain_id)
        && signer == Some(batcher);
    assert_eq!(filter.accepts(&tx), expected);
    let data = calldata_batcher_data(std::slice::from_ref(&tx), &filter);
    assert_eq!(data.len(), usize::from(expected));
});
