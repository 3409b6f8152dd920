//! Fuzzes the post-Ecotone data source: a block of batcher, foreign and blob transactions
//! whose blobs the provider serves honestly, wrongly (another commitment), not at all, or with
//! undecodable content. The source must return exactly the calldata and decoded blobs of the
//! batcher's transactions in block order, skipping undecodable blobs, or an error when a blob
//! is missing or does not match its versioned hash; never a panic.
#![no_main]

use std::collections::BTreeMap;

use alloy_consensus::{SignableTransaction, TxEip1559, TxEip4844, TxEip4844Variant, TxEnvelope};
use alloy_primitives::{Address, B256, Bytes, FixedBytes, Signature, TxKind};
use k256::ecdsa::SigningKey;
use koa_derive::{
    BlockInfo,
    sources::{
        BatcherTxFilter, blob_batcher_data, decode_blob, encode_blob, kzg_to_versioned_hash,
    },
    test_utils::TestBlobProvider,
    traits::BlobWithCommitment,
};
use libfuzzer_sys::{arbitrary::Unstructured, fuzz_target};

const INBOX: Address = Address::repeat_byte(0x10);
const BLOB_LEN: usize = 131_072;

fn sign<T: SignableTransaction<Signature>>(key: &SigningKey, tx: &T) -> Signature {
    let (sig, recid) = key
        .sign_prehash_recoverable(tx.signature_hash().as_slice())
        .expect("signing a prehash");
    Signature::from_signature_and_parity(sig, recid.is_y_odd())
}

fn bytes(u: &mut Unstructured<'_>, max: usize) -> Vec<u8> {
    let len = u.int_in_range(0..=max).unwrap_or(0);
    (0..len).map(|_| u.arbitrary().unwrap_or(0)).collect()
}

/// A blob: usually a valid encoding of fuzzer data, sometimes raw fuzzer bytes.
fn blob(u: &mut Unstructured<'_>) -> Box<FixedBytes<BLOB_LEN>> {
    let data = bytes(u, 300);
    if u.ratio(3, 4).unwrap_or(true) {
        Box::new(encode_blob(&data).expect("short data fits a blob"))
    } else {
        let mut blob = Box::new(FixedBytes::<BLOB_LEN>::ZERO);
        blob[..data.len()].copy_from_slice(&data);
        blob
    }
}

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let batcher = SigningKey::from_slice(&[0x42; 32]).unwrap();
    let stranger = SigningKey::from_slice(&[0x43; 32]).unwrap();
    let filter = BatcherTxFilter {
        inbox: INBOX,
        batcher: Address::from_public_key(batcher.verifying_key()),
        l1_chain_id: 1,
    };
    let mut provider = TestBlobProvider {
        blobs: BTreeMap::new(),
    };
    let mut txs = Vec::new();
    // What the source must return: Some(data) per item in order, or None if it must fail.
    let mut expected: Option<Vec<Bytes>> = Some(Vec::new());
    let mut seed = 0u8;

    for nonce in 0..u.int_in_range(0..=6).unwrap_or(0) {
        let kind: u8 = u.arbitrary().unwrap_or(0);
        let key = if kind & 0x10 == 0 {
            &batcher
        } else {
            &stranger
        };
        let to = if kind & 0x20 == 0 {
            INBOX
        } else {
            Address::repeat_byte(0x99)
        };
        let accepted = key == &batcher && to == INBOX;
        let input = Bytes::from(bytes(&mut u, 64));
        if kind & 1 == 0 {
            let tx = TxEip1559 {
                chain_id: 1,
                nonce,
                gas_limit: 100_000,
                to: TxKind::Call(to),
                input: input.clone(),
                ..Default::default()
            };
            let signature = sign(key, &tx);
            txs.push(TxEnvelope::Eip1559(tx.into_signed(signature)));
            if accepted {
                if let Some(out) = &mut expected {
                    out.push(input);
                }
            }
            continue;
        }
        let mut hashes = Vec::new();
        for _ in 0..u.int_in_range(0..=3).unwrap_or(0) {
            seed = seed.wrapping_add(1);
            let commitment = FixedBytes::<48>::repeat_byte(seed);
            let hash = kzg_to_versioned_hash(&commitment);
            hashes.push(hash);
            let blob = blob(&mut u);
            let serve: u8 = u.arbitrary().unwrap_or(0);
            match serve % 4 {
                // Not served.
                0 if serve & 4 == 0 => {
                    if accepted {
                        expected = None;
                    }
                }
                // Served with another commitment.
                1 if serve & 4 == 0 => {
                    let wrong = FixedBytes::<48>::repeat_byte(seed ^ 0x80);
                    provider.blobs.insert(
                        hash,
                        BlobWithCommitment {
                            blob,
                            commitment: wrong,
                        },
                    );
                    if accepted {
                        expected = None;
                    }
                }
                _ => {
                    let decoded = decode_blob(&blob).ok();
                    provider
                        .blobs
                        .insert(hash, BlobWithCommitment { blob, commitment });
                    if let (true, Some(out), Some(data)) = (accepted, &mut expected, decoded) {
                        out.push(Bytes::from(data));
                    }
                }
            }
        }
        let tx = TxEip4844 {
            chain_id: 1,
            nonce,
            gas_limit: 100_000,
            to,
            blob_versioned_hashes: hashes,
            max_fee_per_blob_gas: 1,
            input,
            ..Default::default()
        };
        let signature = sign(key, &tx);
        txs.push(TxEnvelope::Eip4844(
            TxEip4844Variant::TxEip4844(tx).into_signed(signature),
        ));
    }

    let block = BlockInfo {
        hash: B256::repeat_byte(1),
        number: 1,
        parent_hash: B256::ZERO,
        timestamp: 12,
    };
    let got = blob_batcher_data(&block, &txs, &filter, &mut provider);
    match expected {
        Some(expected) => assert_eq!(got.expect("every blob is served and matches"), expected),
        None => assert!(
            got.is_err(),
            "a missing or mismatched blob was not reported"
        ),
    }
});
