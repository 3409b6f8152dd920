//! L1 data sources: the batcher data an L1 block carries.
//!
//! Before Ecotone only calldata counts. From Ecotone (by the L1 block's timestamp) blobs of
//! type-3 batcher transactions count as well, and calldata of non-blob batcher transactions
//! still does. A batcher transaction is sent to the batch inbox and signed by the batcher
//! address of the system config in effect for that L1 block.

mod blob_encoding;
mod memory;

pub use blob_encoding::{
    BLOB_ENCODING_VERSION, BlobDecodeError, MAX_BLOB_DATA_SIZE, decode_blob, encode_blob,
};
pub use memory::{BlobNotHeld, MemoryBlobs};

use alloc::vec::Vec;
use alloy_consensus::{Transaction, TxEnvelope, transaction::SignerRecoverable};
use alloy_eips::eip4844::VERSIONED_HASH_VERSION_KZG;
use alloy_primitives::{Address, B256, Bytes, FixedBytes};
use koa_protocol::RollupConfig;
use sha2::{Digest, Sha256};

use crate::{
    error::{PipelineError, PipelineResult},
    traits::{BlobProvider, ChainProvider, IndexedBlobHash},
    types::BlockInfo,
};

/// Which L1 transactions are batcher transactions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BatcherTxFilter {
    /// The batch inbox address (`batch_inbox_address`).
    pub inbox: Address,
    /// The batcher address of the system config in effect.
    pub batcher: Address,
    /// The L1 chain id: signatures are recovered as for that chain.
    pub l1_chain_id: u64,
}

impl BatcherTxFilter {
    /// The filter of `rollup_config`'s chain for the batcher `batcher`.
    pub const fn new(rollup_config: &RollupConfig, batcher: Address) -> Self {
        Self {
            inbox: rollup_config.batch_inbox_address,
            batcher,
            l1_chain_id: rollup_config.l1_chain_id,
        }
    }

    /// Whether `tx` is a batcher transaction, as op-node's `isValidBatchTx` decides:
    /// - its type is legacy, EIP-2930, EIP-1559 or EIP-4844 (EIP-7702 transactions never
    ///   are, whatever the fork: an EOA with delegated code must not post batches);
    /// - it is sent to the inbox;
    /// - it is signed by the batcher, for the L1 chain (a replay-protected signature for
    ///   another chain does not recover, as with geth's `LatestSignerForChainID`).
    pub fn accepts(&self, tx: &TxEnvelope) -> bool {
        if matches!(tx, TxEnvelope::Eip7702(_)) || tx.to() != Some(self.inbox) {
            return false;
        }
        if tx
            .chain_id()
            .is_some_and(|chain_id| chain_id != self.l1_chain_id)
        {
            return false;
        }
        match tx.recover_signer() {
            Ok(sender) => sender == self.batcher,
            Err(_) => false,
        }
    }
}

/// The EIP-4844 versioned hash of a KZG commitment: `0x01 ++ sha256(commitment)[1..]`.
pub fn kzg_to_versioned_hash(commitment: &FixedBytes<48>) -> B256 {
    let mut hash: [u8; 32] = Sha256::digest(commitment.as_slice()).into();
    hash[0] = VERSIONED_HASH_VERSION_KZG;
    B256::from(hash)
}

/// The calldata of every batcher transaction in `txs`, in block order (pre-Ecotone source).
pub fn calldata_batcher_data(txs: &[TxEnvelope], filter: &BatcherTxFilter) -> Vec<Bytes> {
    txs.iter()
        .filter(|tx| filter.accepts(tx))
        .map(|tx| tx.input().clone())
        .collect()
}

/// One item of the post-Ecotone source before blobs are fetched.
enum Pending {
    Calldata(Bytes),
    Blob(IndexedBlobHash),
}

/// The batcher data of an Ecotone-or-later L1 block, in block order: calldata of non-blob
/// batcher transactions and the decoded blobs of blob batcher transactions.
///
/// Blobs are fetched from `blobs` and checked against the versioned hashes; a blob that does
/// not decode is skipped, as op-node does. Calldata on blob transactions is ignored.
pub fn blob_batcher_data<B: BlobProvider>(
    block: &BlockInfo,
    txs: &[TxEnvelope],
    filter: &BatcherTxFilter,
    blobs: &mut B,
) -> PipelineResult<Vec<Bytes>> {
    let mut pending = Vec::new();
    let mut hashes = Vec::new();
    let mut blob_index = 0u64;
    for tx in txs {
        let versioned_hashes = tx.blob_versioned_hashes().unwrap_or_default();
        if !filter.accepts(tx) {
            blob_index += versioned_hashes.len() as u64;
            continue;
        }
        if !tx.is_eip4844() {
            pending.push(Pending::Calldata(tx.input().clone()));
            continue;
        }
        if !tx.input().is_empty() {
            tracing::warn!(target: "derive::sources", "ignoring calldata of a blob batcher transaction");
        }
        for hash in versioned_hashes {
            let indexed = IndexedBlobHash {
                index: blob_index,
                hash: *hash,
            };
            hashes.push(indexed);
            pending.push(Pending::Blob(indexed));
            blob_index += 1;
        }
    }
    if hashes.is_empty() {
        return Ok(pending
            .into_iter()
            .filter_map(|item| match item {
                Pending::Calldata(data) => Some(data),
                Pending::Blob(_) => None,
            })
            .collect());
    }
    let fetched = blobs
        .blobs(block, &hashes)
        .map_err(PipelineError::provider)?;
    if fetched.len() != hashes.len() {
        return Err(PipelineError::BlobCountMismatch {
            requested: hashes.len(),
            returned: fetched.len(),
        });
    }
    for (blob, indexed) in fetched.iter().zip(&hashes) {
        if kzg_to_versioned_hash(&blob.commitment) != indexed.hash {
            return Err(PipelineError::BlobHashMismatch {
                index: indexed.index,
                expected: indexed.hash,
            });
        }
    }
    let mut fetched = fetched.into_iter();
    let mut out = Vec::with_capacity(pending.len());
    for item in pending {
        match item {
            Pending::Calldata(data) => out.push(data),
            Pending::Blob(indexed) => {
                let Some(blob) = fetched.next() else { break };
                match decode_blob(&blob.blob) {
                    Ok(data) => out.push(Bytes::from(data)),
                    Err(error) => tracing::warn!(
                        target: "derive::sources",
                        index = indexed.index,
                        error = %koa_protocol::ErrorChain(&error),
                        "skipping undecodable blob"
                    ),
                }
            }
        }
    }
    Ok(out)
}

/// The batcher data of `block` from the right source for its timestamp.
pub fn batcher_data<C: ChainProvider, B: BlobProvider>(
    rollup_config: &RollupConfig,
    block: &BlockInfo,
    batcher: Address,
    chain: &mut C,
    blobs: &mut B,
) -> PipelineResult<Vec<Bytes>> {
    let txs = chain
        .transactions_by_hash(block.hash)
        .map_err(PipelineError::provider)?;
    let filter = BatcherTxFilter::new(rollup_config, batcher);
    if rollup_config.is_ecotone_active(block.timestamp) {
        blob_batcher_data(block, &txs, &filter, blobs)
    } else {
        Ok(calldata_batcher_data(&txs, &filter))
    }
}
