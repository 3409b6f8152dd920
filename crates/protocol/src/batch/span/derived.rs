//! A span batch with its blocks derived: per-block timestamps, epochs and full transactions.

use super::{RawSpanBatch, SpanBatchBits, SpanBatchError, SpanBatchTransactions};
use crate::{TxList, batch::SingularBatch};
use alloc::vec::Vec;
use alloy_eips::BlockNumHash;
use alloy_primitives::{B256, ChainId, FixedBytes};

/// One L2 block of a span batch.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SpanBatchElement {
    /// L1 origin number of the block.
    pub epoch_num: u64,
    /// Timestamp of the block.
    pub timestamp: u64,
    /// The block's sequenced transactions, EIP-2718 encoded.
    pub transactions: TxList,
}

/// A span batch of consecutive L2 blocks, derived from a [`RawSpanBatch`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SpanBatch {
    /// First 20 bytes of the first block's parent hash.
    pub parent_check: FixedBytes<20>,
    /// First 20 bytes of the last block's L1 origin hash.
    pub l1_origin_check: FixedBytes<20>,
    /// `origin_bits[0]`: whether the first block changed L1 origin relative to its parent.
    pub first_origin_changed: bool,
    /// The blocks, in order.
    pub elements: Vec<SpanBatchElement>,
}

impl SpanBatch {
    /// Timestamp of the first block (0 if empty).
    pub fn start_timestamp(&self) -> u64 {
        self.elements.first().map_or(0, |element| element.timestamp)
    }

    /// Timestamp of the last block (0 if empty).
    pub fn final_timestamp(&self) -> u64 {
        self.elements.last().map_or(0, |element| element.timestamp)
    }

    /// L1 origin number of the first block (0 if empty).
    pub fn start_epoch_num(&self) -> u64 {
        self.elements.first().map_or(0, |element| element.epoch_num)
    }

    /// L1 origin number of the last block (0 if empty).
    pub fn final_epoch_num(&self) -> u64 {
        self.elements.last().map_or(0, |element| element.epoch_num)
    }

    /// Whether `parent_check` matches the first 20 bytes of `hash`.
    pub fn check_parent_hash(&self, hash: B256) -> bool {
        hash.as_slice().starts_with(self.parent_check.as_slice())
    }

    /// Whether `l1_origin_check` matches the first 20 bytes of `hash`.
    pub fn check_l1_origin_hash(&self, hash: B256) -> bool {
        hash.as_slice().starts_with(self.l1_origin_check.as_slice())
    }

    /// The blocks after `l2_safe_head_timestamp` as singular batches, with each epoch hash
    /// looked up in `l1_origins` (searched forward in order, as op-node does).
    ///
    /// `parent_hash` is left zero: only the first block's parent is committed to (through
    /// `parent_check`), and the pipeline takes parents from its own safe chain.
    pub fn to_singular_batches(
        &self,
        l1_origins: &[BlockNumHash],
        l2_safe_head_timestamp: u64,
    ) -> Result<Vec<SingularBatch>, SpanBatchError> {
        self.clone()
            .into_singular_batches(l1_origins, l2_safe_head_timestamp)
    }

    /// [`Self::to_singular_batches`], moving each block's transactions instead of copying them.
    pub fn into_singular_batches(
        self,
        l1_origins: &[BlockNumHash],
        l2_safe_head_timestamp: u64,
    ) -> Result<Vec<SingularBatch>, SpanBatchError> {
        let mut batches = Vec::new();
        let mut origin_index = 0usize;
        for element in self.elements {
            if element.timestamp <= l2_safe_head_timestamp {
                continue;
            }
            let found = l1_origins
                .iter()
                .enumerate()
                .skip(origin_index)
                .find(|(_, origin)| origin.number == element.epoch_num);
            let Some((index, origin)) = found else {
                return Err(SpanBatchError::MissingL1Origin(element.epoch_num));
            };
            origin_index = index;
            batches.push(SingularBatch {
                parent_hash: B256::ZERO,
                epoch_num: element.epoch_num,
                epoch_hash: origin.hash,
                timestamp: element.timestamp,
                transactions: element.transactions,
            });
        }
        Ok(batches)
    }

    /// Builds a span batch from consecutive singular batches.
    ///
    /// `first_origin_changed` says whether the first block starts a new epoch (its sequence
    /// number is 0); the other origin bits follow from the epoch numbers. Fails for an empty
    /// list or epochs that decrease or jump by more than one.
    pub fn from_singular_batches(
        batches: &[SingularBatch],
        first_origin_changed: bool,
    ) -> Result<Self, SpanBatchError> {
        let (first, last) = match (batches.first(), batches.last()) {
            (Some(first), Some(last)) => (first, last),
            _ => return Err(SpanBatchError::EmptySpanBatch),
        };
        for pair in batches.windows(2) {
            if let [previous, next] = pair {
                let step = next.epoch_num.checked_sub(previous.epoch_num);
                if !matches!(step, Some(0 | 1)) || next.timestamp <= previous.timestamp {
                    return Err(SpanBatchError::NonConsecutiveBatches);
                }
            }
        }
        Ok(Self {
            parent_check: FixedBytes::from_slice(&first.parent_hash[..20]),
            l1_origin_check: FixedBytes::from_slice(&last.epoch_hash[..20]),
            first_origin_changed,
            elements: batches
                .iter()
                .map(|batch| SpanBatchElement {
                    epoch_num: batch.epoch_num,
                    timestamp: batch.timestamp,
                    transactions: batch.transactions.clone(),
                })
                .collect(),
        })
    }

    /// Encodes the span into its wire form.
    ///
    /// Timestamps must be `genesis_timestamp + rel_timestamp + i * block_time` for the result
    /// to derive back to the same blocks; transactions must belong to `chain_id`.
    pub fn to_raw(
        &self,
        genesis_timestamp: u64,
        chain_id: ChainId,
    ) -> Result<RawSpanBatch, SpanBatchError> {
        let first = self
            .elements
            .first()
            .ok_or(SpanBatchError::EmptySpanBatch)?;
        let rel_timestamp = first.timestamp.checked_sub(genesis_timestamp).ok_or(
            SpanBatchError::TimestampBeforeGenesis {
                timestamp: first.timestamp,
                genesis: genesis_timestamp,
            },
        )?;
        let mut origin_bits = Vec::with_capacity(self.elements.len());
        origin_bits.push(self.first_origin_changed);
        for pair in self.elements.windows(2) {
            if let [previous, next] = pair {
                origin_bits.push(next.epoch_num != previous.epoch_num);
            }
        }
        let txs = SpanBatchTransactions::from_encoded(
            self.elements
                .iter()
                .flat_map(|element| element.transactions.iter()),
            chain_id,
        )?;
        Ok(RawSpanBatch {
            rel_timestamp,
            l1_origin_num: self.final_epoch_num(),
            parent_check: self.parent_check,
            l1_origin_check: self.l1_origin_check,
            origin_bits: SpanBatchBits::from_bools(&origin_bits),
            block_tx_counts: self
                .elements
                .iter()
                .map(|element| element.transactions.len() as u64)
                .collect(),
            txs,
        })
    }
}
