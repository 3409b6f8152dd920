//! The wire form of a span batch (`batch_version` 1).

use super::{
    MAX_SPAN_BATCH_ELEMENT_COUNT, SpanBatch, SpanBatchBits, SpanBatchElement, SpanBatchError,
    SpanBatchTransactions,
    cursor::Cursor,
    varint::{read_uvarint, write_uvarint},
};
use crate::{TxList, config::RollupConfig};
use alloc::vec::Vec;
use alloy_primitives::{ChainId, FixedBytes};

/// A span batch as encoded: `prefix ++ payload`.
///
/// ```text
/// prefix  = rel_timestamp ++ l1_origin_num ++ parent_check ++ l1_origin_check
/// payload = block_count ++ origin_bits ++ block_tx_counts ++ txs
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RawSpanBatch {
    /// First block's timestamp minus the L2 genesis timestamp.
    pub rel_timestamp: u64,
    /// L1 origin number of the last block.
    pub l1_origin_num: u64,
    /// First 20 bytes of the first block's parent hash.
    pub parent_check: FixedBytes<20>,
    /// First 20 bytes of the last block's L1 origin hash.
    pub l1_origin_check: FixedBytes<20>,
    /// One bit per block: whether the block changed L1 origin.
    pub origin_bits: SpanBatchBits,
    /// Number of transactions per block (its length is `block_count`).
    pub block_tx_counts: Vec<u64>,
    /// The transactions of all blocks.
    pub txs: SpanBatchTransactions,
}

impl RawSpanBatch {
    /// Number of blocks.
    pub fn block_count(&self) -> usize {
        self.block_tx_counts.len()
    }

    /// Decodes a span batch from the bytes after the batch type byte.
    ///
    /// Like op-node, bytes after the transaction section are not read (they are ignored).
    pub fn decode(input: &[u8]) -> Result<Self, SpanBatchError> {
        let mut cursor = Cursor::new(input);
        let rel_timestamp = read_uvarint(&mut cursor, "rel_timestamp")?;
        let l1_origin_num = read_uvarint(&mut cursor, "l1_origin_num")?;
        let parent_check = FixedBytes(*cursor.read_array::<20>("parent_check")?);
        let l1_origin_check = FixedBytes(*cursor.read_array::<20>("l1_origin_check")?);

        let block_count = read_uvarint(&mut cursor, "block_count")?;
        if block_count > MAX_SPAN_BATCH_ELEMENT_COUNT {
            return Err(SpanBatchError::TooManyElements("block_count"));
        }
        if block_count == 0 {
            return Err(SpanBatchError::EmptySpanBatch);
        }
        let origin_bits = SpanBatchBits::decode(&mut cursor, block_count, "origin_bits")?;
        // Each count takes at least one byte: the remaining input bounds the allocation.
        let mut block_tx_counts = Vec::with_capacity((block_count as usize).min(cursor.len()));
        let mut total_tx_count: u64 = 0;
        for _ in 0..block_count {
            let count = read_uvarint(&mut cursor, "block_tx_counts")?;
            if count > MAX_SPAN_BATCH_ELEMENT_COUNT {
                return Err(SpanBatchError::TooManyElements("block_tx_counts"));
            }
            block_tx_counts.push(count);
        }
        for count in &block_tx_counts {
            total_tx_count = total_tx_count
                .checked_add(*count)
                .ok_or(SpanBatchError::TooManyElements("transactions"))?;
        }
        let txs = SpanBatchTransactions::decode(&mut cursor, total_tx_count)?;
        Ok(Self {
            rel_timestamp,
            l1_origin_num,
            parent_check,
            l1_origin_check,
            origin_bits,
            block_tx_counts,
            txs,
        })
    }

    /// Appends the encoding (without the batch type byte).
    pub fn encode(&self, out: &mut Vec<u8>) {
        write_uvarint(out, self.rel_timestamp);
        write_uvarint(out, self.l1_origin_num);
        out.extend_from_slice(self.parent_check.as_slice());
        out.extend_from_slice(self.l1_origin_check.as_slice());
        write_uvarint(out, self.block_count() as u64);
        self.origin_bits.encode(out);
        for count in &self.block_tx_counts {
            write_uvarint(out, *count);
        }
        self.txs.encode(out);
    }

    /// The encoding (without the batch type byte).
    pub fn encoded(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.encode(&mut out);
        out
    }

    /// L1 origin number of every block, derived backwards from `l1_origin_num` and the origin
    /// bits (bit 0 does not change the first block's origin relative to the result). Uses
    /// wrapping arithmetic like op-node; a wrapped number fails the batch queue's checks.
    pub fn block_origin_numbers(&self) -> Vec<u64> {
        let count = self.block_count();
        let mut numbers = alloc::vec![0u64; count];
        let mut number = self.l1_origin_num;
        for index in (0..count).rev() {
            if let Some(slot) = numbers.get_mut(index) {
                *slot = number;
            }
            if index > 0 && self.origin_bits.get(index) {
                number = number.wrapping_sub(1);
            }
        }
        numbers
    }

    /// [`Self::derive`] with the chain's block time, L2 genesis time and chain id.
    pub fn derive_with_config(
        &self,
        rollup_config: &RollupConfig,
    ) -> Result<SpanBatch, SpanBatchError> {
        self.derive(
            rollup_config.block_time,
            rollup_config.genesis.l2_time,
            rollup_config.l2_chain_id,
        )
    }

    /// Derives the span's blocks: timestamps (`genesis_timestamp + rel_timestamp + i *
    /// block_time`, wrapping like op-node), L1 origin numbers, and full EIP-2718 transactions
    /// (recovering each signature's `v` with `chain_id`).
    pub fn derive(
        &self,
        block_time: u64,
        genesis_timestamp: u64,
        chain_id: ChainId,
    ) -> Result<SpanBatch, SpanBatchError> {
        if self.block_count() == 0 {
            return Err(SpanBatchError::EmptySpanBatch);
        }
        let total: u64 = self.block_tx_counts.iter().try_fold(0u64, |sum, count| {
            sum.checked_add(*count)
                .ok_or(SpanBatchError::TxCountMismatch)
        })?;
        if total != self.txs.len() as u64 {
            return Err(SpanBatchError::TxCountMismatch);
        }
        let mut txs = self.txs.to_encoded(chain_id)?.into_iter();
        let origins = self.block_origin_numbers();
        let start = genesis_timestamp.wrapping_add(self.rel_timestamp);
        let mut elements = Vec::with_capacity(self.block_count());
        for (index, (count, epoch_num)) in self.block_tx_counts.iter().zip(origins).enumerate() {
            let transactions: TxList = TxList::try_from_iter(txs.by_ref().take(*count as usize))?;
            elements.push(SpanBatchElement {
                epoch_num,
                timestamp: start.wrapping_add(block_time.wrapping_mul(index as u64)),
                transactions,
            });
        }
        Ok(SpanBatch {
            parent_check: self.parent_check,
            l1_origin_check: self.l1_origin_check,
            first_origin_changed: self.origin_bits.get(0),
            elements,
        })
    }
}
