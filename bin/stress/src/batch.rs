//! The largest transaction list a batch can carry, from the channel to the deposits-only
//! block.
//!
//! A singular batch's transactions are an RLP list of strings, and a string of one byte below
//! `0x80` is that byte alone: a channel that decompresses to Fjord's limit
//! (`MAX_RLP_BYTES_PER_CHANNEL`, 100,000,000 bytes) carries one batch of almost 100 million
//! one-byte transactions. The batch queue accepts them (none is empty, a deposit or, before
//! Isthmus, a set-code transaction); the attributes builder puts them after the block's
//! deposits; execution fails at the first, which does not decode; the block is then dropped
//! (before Holocene) or replaced by its deposits alone (from Holocene). Held as one `Bytes`
//! each, the list would take more than 3.2 GB before the attributes copied it; koa's
//! [`TxList`] holds it in five bytes a transaction, and the attributes take it over after
//! their deposits without a copy.
//!
//! [`run`] takes such a channel through those steps, sampling the heap after each: it
//! decompresses the channel and decodes its batch ([`BatchReader`]), checks the batch as the
//! batch queue does ([`SingularBatch::has_forbidden_transaction`]), builds the attributes
//! ([`AttributesBuilder`], over in-memory providers for the one L1 epoch and L2 parent of
//! [`Chain`]), executes them on the parent's empty state ([`StatelessExecutor`]), which must
//! fail at the first batch transaction, and builds the deposits-only block in its place. The
//! channel reader is kept to the end, as the pipeline may keep it.
//!
//! Not bounded here, nor by op-node: before Holocene the batch queue keeps every batch whose
//! timestamp is in the future until its slot comes, however many there are, and an L1 block
//! of zlib channels can decompress to gigabytes of them. A batcher can exhaust any
//! pre-Holocene node's memory this way; Holocene drops future batches instead, which is what
//! live chains run.

use crate::{StressError, decode_words, encode_words, word_to_usize};
use alloc::vec::Vec;
use alloy_consensus::Header;
use alloy_eips::BlockNumHash;
use alloy_primitives::B256;
use core::fmt;
use koa_derive::{
    attributes::AttributesBuilder,
    test_utils::{TestChainProvider, TestL1Block, TestL2Provider},
    types::{BlockInfo, L2BlockInfo},
};
use koa_executor::{ExecutionOutcome, ExecutorError, OpPayloadAttributes, StatelessExecutor};
use koa_fpvm::HeapStats;
use koa_mpt::{EMPTY_ROOT_HASH, NoopTrieHinter, NoopTrieProvider};
use koa_protocol::{
    Hardfork, L1ChainConfig, RollupConfig, SystemConfig, TxList,
    batch::{Batch, DEPOSIT_TX_TYPE, SingularBatch},
    channel::{BatchReader, ChannelDecoding, decompress_channel},
    eip1559::{Eip1559Params, ExtraDataFormat, ExtraDataParams},
};

/// The one-byte transaction the batch repeats: type 1 (EIP-2930) with no body. The batch queue
/// accepts it; it does not decode.
pub const FILLER_TX: u8 = 0x01;

/// The EIP-1559 parameters of the scenario's chain (OP Mainnet's since Canyon).
const EIP1559: Eip1559Params = Eip1559Params {
    denominator: 250,
    elasticity: 6,
};

/// The L1 epoch and the L2 parent the batch builds on: a chain with every fork through Karst
/// active from genesis (Fjord's channel limit, Holocene's deposits-only replacement).
#[derive(Debug, Clone)]
pub struct Chain {
    /// The rollup config.
    pub rollup_config: RollupConfig,
    /// The L1 chain: the epoch block alone.
    pub l1: TestChainProvider,
    /// The L2 chain: the parent's system config.
    pub l2: TestL2Provider,
    /// The L1 epoch of the parent and of the batch's block.
    pub epoch: BlockInfo,
    /// The parent's header: empty state.
    pub parent_header: Header,
    /// The parent as the pipeline sees it.
    pub parent: L2BlockInfo,
}

impl Default for Chain {
    fn default() -> Self {
        Self::new()
    }
}

impl Chain {
    /// The scenario's chain.
    pub fn new() -> Self {
        let mut rollup_config: RollupConfig = RollupConfig {
            block_time: 2,
            l2_chain_id: 10,
            ..RollupConfig::with_forks_at_genesis(Hardfork::Karst)
        };
        rollup_config.chain_op_config.eip1559_elasticity = u64::from(EIP1559.elasticity);
        rollup_config.chain_op_config.eip1559_denominator = 50;
        rollup_config.chain_op_config.eip1559_denominator_canyon = u64::from(EIP1559.denominator);

        let mut l1: TestChainProvider = TestChainProvider::default();
        let epoch: BlockInfo = l1.push(TestL1Block {
            header: Header {
                number: 1,
                timestamp: 1_000,
                base_fee_per_gas: Some(1_000_000_000),
                blob_gas_used: Some(0),
                excess_blob_gas: Some(0),
                parent_beacon_block_root: Some(B256::repeat_byte(0xbe)),
                ..Default::default()
            },
            ..Default::default()
        });

        let system_config: SystemConfig = SystemConfig {
            gas_limit: 30_000_000,
            eip1559_params: EIP1559.to_b64(),
            ..Default::default()
        };
        let mut l2: TestL2Provider = TestL2Provider::default();
        l2.system_configs.insert(0, system_config);

        let parent_header: Header = Header {
            number: 1,
            timestamp: 1_002,
            state_root: EMPTY_ROOT_HASH,
            gas_limit: system_config.gas_limit,
            base_fee_per_gas: Some(1_000_000),
            extra_data: ExtraDataFormat::Jovian.encode(&ExtraDataParams {
                eip1559: EIP1559,
                min_base_fee: 0,
            }),
            blob_gas_used: Some(0),
            excess_blob_gas: Some(0),
            withdrawals_root: Some(EMPTY_ROOT_HASH),
            parent_beacon_block_root: Some(B256::repeat_byte(0xbe)),
            ..Default::default()
        };
        let parent: L2BlockInfo = L2BlockInfo {
            block_info: BlockInfo::from_header(&parent_header, parent_header.hash_slow()),
            l1_origin: BlockNumHash {
                number: epoch.number,
                hash: epoch.hash,
            },
            seq_num: 0,
        };
        Self {
            rollup_config,
            l1,
            l2,
            epoch,
            parent_header,
            parent,
        }
    }

    /// The channel stream (each batch wrapped in its RLP string) of one singular batch for the
    /// block after the parent, with `tx_count` transactions [`FILLER_TX`].
    pub fn batch_stream(&self, tx_count: usize) -> Vec<u8> {
        let mut transactions: TxList = TxList::with_capacity(tx_count, tx_count);
        for _ in 0..tx_count {
            transactions
                .push(&[FILLER_TX])
                .expect("under 4 GiB of transactions");
        }
        let batch: Batch = Batch::Singular(SingularBatch {
            parent_hash: self.parent.block_info.hash,
            epoch_num: self.epoch.number,
            epoch_hash: self.epoch.hash,
            timestamp: self.batch_timestamp(),
            transactions,
        });
        let mut out: Vec<u8> = Vec::new();
        batch.encode_for_channel(&mut out);
        out
    }

    /// The most transactions a [`Self::batch_stream`] of at most `len` bytes holds (0 if even
    /// an empty batch is longer).
    pub fn max_tx_count(&self, len: usize) -> usize {
        // The stream's overhead over its transactions only grows with their number (by a byte
        // at a few RLP length boundaries), so `len - overhead(len)` fits and the answer is at
        // most a few above it.
        let overhead = |count: usize| self.batch_stream_len(count) - count;
        let mut count: usize = len.saturating_sub(overhead(len));
        while self.batch_stream_len(count + 1) <= len {
            count += 1;
        }
        count
    }

    /// The timestamp of the block after the parent.
    fn batch_timestamp(&self) -> u64 {
        self.parent.block_info.timestamp + self.rollup_config.block_time
    }

    /// The length of [`Self::batch_stream`] for `tx_count` transactions, without building it.
    fn batch_stream_len(&self, tx_count: usize) -> usize {
        let rlp_len = |payload: usize| alloy_rlp::length_of_length(payload) + payload;
        // parent hash, epoch number, epoch hash, timestamp, then the list of one-byte strings.
        let fields: usize = 33
            + alloy_rlp::Encodable::length(&self.epoch.number)
            + 33
            + alloy_rlp::Encodable::length(&self.batch_timestamp())
            + rlp_len(tx_count);
        // The batch type byte, then the batch's list, all wrapped in a string.
        rlp_len(1 + rlp_len(fields))
    }
}

/// The batch decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecodedPhase {
    /// The channel's decompressed length.
    pub decompressed: usize,
    /// The batch's transactions.
    pub txs: usize,
    /// The heap at that point.
    pub heap: HeapStats,
}

/// The attributes built.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttributesPhase {
    /// The attributes' transactions, deposits included.
    pub txs: usize,
    /// The deposits before the batch's transactions.
    pub deposits: usize,
    /// The heap at that point.
    pub heap: HeapStats,
}

/// The attributes executed, and the deposits-only block built in their place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExecutedPhase {
    /// Index of the transaction execution failed at.
    pub failed_at: usize,
    /// Transactions of the deposits-only block.
    pub deposits_only_txs: usize,
    /// Gas the deposits-only block used.
    pub gas_used: u64,
    /// The heap at the end, its peak included.
    pub heap: HeapStats,
}

/// What [`run`] did, step by step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Report {
    /// The batch decoded.
    pub decoded: DecodedPhase,
    /// The attributes built.
    pub attributes: AttributesPhase,
    /// The attributes executed.
    pub executed: ExecutedPhase,
}

/// One line per step, `stress-batch <step>:` followed by `key=value` fields.
impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let DecodedPhase {
            decompressed,
            txs,
            heap,
        } = &self.decoded;
        writeln!(
            f,
            "stress-batch decoded: decompressed={decompressed} txs={txs} {heap}"
        )?;
        let AttributesPhase {
            txs,
            deposits,
            heap,
        } = &self.attributes;
        writeln!(
            f,
            "stress-batch attributes: txs={txs} deposits={deposits} {heap}"
        )?;
        let ExecutedPhase {
            failed_at,
            deposits_only_txs,
            gas_used,
            heap,
        } = &self.executed;
        write!(
            f,
            "stress-batch executed: failed_at={failed_at} \
             deposits_only_txs={deposits_only_txs} gas_used={gas_used} {heap}"
        )
    }
}

/// Runs the scenario on `compressed`, a channel of one [`Chain::batch_stream`] of `tx_count`
/// transactions, sampling the heap with `heap` after each step.
pub fn run(
    compressed: &[u8],
    tx_count: usize,
    heap: &dyn Fn() -> HeapStats,
) -> Result<Report, StressError> {
    let mut chain: Chain = Chain::new();
    let decoding: ChannelDecoding =
        ChannelDecoding::for_l1_timestamp(&chain.rollup_config, chain.epoch.timestamp);
    let data: Vec<u8> = decompress_channel(compressed, decoding)?.data;
    let decompressed: usize = data.len();
    let mut reader: BatchReader = BatchReader::new(data);
    let Some(Ok(Batch::Singular(batch))) = reader.next_batch() else {
        return Err(StressError::Check(
            "the channel's first batch is not singular",
        ));
    };
    if reader.next_batch().is_some() {
        return Err(StressError::Check("the channel holds more than one batch"));
    }
    if batch.transactions.len() != tx_count || batch.transactions.iter().any(|tx| tx != [FILLER_TX])
    {
        return Err(StressError::Check(
            "the batch does not hold the announced one-byte transactions",
        ));
    }
    if batch.has_forbidden_transaction() {
        return Err(StressError::Check("the batch queue would drop the batch"));
    }
    let decoded: DecodedPhase = DecodedPhase {
        decompressed,
        txs: batch.transactions.len(),
        heap: heap(),
    };

    // As the pipeline does: the deposits-only attributes, then the batch's list moved after
    // them.
    let mut attributes: OpPayloadAttributes = AttributesBuilder::new(L1ChainConfig::MAINNET)
        .build_deposits_only(
            &chain.rollup_config,
            &chain.parent,
            &batch,
            &mut chain.l1,
            &mut chain.l2,
        )?;
    attributes
        .append_transactions(batch.transactions)
        .map_err(|_| StressError::Check("the transactions outgrow a list"))?;
    let txs: usize = attributes.transactions.len();
    let deposits: usize = txs
        .checked_sub(tx_count)
        .ok_or(StressError::Check("the attributes lost transactions"))?;
    let built: AttributesPhase = AttributesPhase {
        txs,
        deposits,
        heap: heap(),
    };

    let executor = StatelessExecutor::new(&chain.rollup_config, NoopTrieProvider, NoopTrieHinter);
    let parent_hash: B256 = chain.parent.block_info.hash;
    let failed_at: usize = match executor.execute(&chain.parent_header, parent_hash, &attributes) {
        Err(ExecutorError::TxDecode { index, .. }) => index,
        Err(_) => {
            return Err(StressError::Check(
                "execution failed otherwise than by decoding",
            ));
        }
        Ok(_) => return Err(StressError::Check("the attributes executed")),
    };
    if failed_at != deposits {
        return Err(StressError::Check(
            "execution did not fail at the first batch transaction",
        ));
    }
    let deposits_only: OpPayloadAttributes = attributes.with_transactions(
        attributes
            .transactions
            .retained(|tx| tx.first() == Some(&DEPOSIT_TX_TYPE)),
    );
    let outcome: ExecutionOutcome<_, _> = executor
        .execute(&chain.parent_header, parent_hash, &deposits_only)
        .map_err(StressError::DepositsOnly)?;
    if outcome.receipts.len() != deposits {
        return Err(StressError::Check(
            "the deposits-only block does not hold exactly the deposits",
        ));
    }
    let executed: ExecutedPhase = ExecutedPhase {
        failed_at,
        deposits_only_txs: outcome.receipts.len(),
        gas_used: outcome.header.gas_used,
        heap: heap(),
    };
    drop(reader);
    Ok(Report {
        decoded,
        attributes: built,
        executed,
    })
}

/// The parameters, as the FPVM program receives them: `tx_count` as a big-endian `u64`.
pub fn encode_tx_count(tx_count: usize) -> Vec<u8> {
    encode_words(&[tx_count as u64])
}

/// Decodes [`encode_tx_count`]'s output.
pub fn decode_tx_count(bytes: &[u8]) -> Result<usize, StressError> {
    let [tx_count] = decode_words::<1>(bytes)?;
    word_to_usize(tx_count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stream_lengths_are_computed_exactly() {
        let chain: Chain = Chain::new();
        for count in [0, 1, 55, 56, 57, 255, 256, 65_535, 65_536, 100_000] {
            assert_eq!(
                chain.batch_stream_len(count),
                chain.batch_stream(count).len(),
                "{count}"
            );
        }
        for len in [100, 1_000, 65_600, 70_000] {
            let count: usize = chain.max_tx_count(len);
            assert!(chain.batch_stream_len(count) <= len);
            assert!(chain.batch_stream_len(count + 1) > len, "{len}");
        }
    }

    #[test]
    fn tx_counts_round_trip_and_bad_ones_are_refused() {
        assert_eq!(decode_tx_count(&encode_tx_count(12_345)).unwrap(), 12_345);
        assert!(matches!(
            decode_tx_count(&[0; 7]),
            Err(StressError::Params(_))
        ));
    }
}
