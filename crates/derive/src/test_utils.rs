//! In-memory providers and builders for tests and benches.

use alloc::{collections::BTreeMap, string::String, vec::Vec};
use alloy_consensus::{Header, Receipt, TxEnvelope};
use alloy_primitives::{B256, Bytes};
use koa_protocol::{Hardfork, RollupConfig, SystemConfig};

use crate::{
    error::PipelineErrorKind,
    traits::{ChainProvider, L2ChainProvider, ProviderError},
    types::{BlockInfo, L2BlockInfo},
};

/// A test provider error: a missing item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TestProviderError(pub String);

impl core::fmt::Display for TestProviderError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "not found: {}", self.0)
    }
}

impl ProviderError for TestProviderError {
    fn kind(&self) -> PipelineErrorKind {
        PipelineErrorKind::Temporary
    }
}

fn missing(what: impl core::fmt::Debug) -> TestProviderError {
    TestProviderError(alloc::format!("{what:?}"))
}

/// An L1 block held by [`TestChainProvider`].
#[derive(Clone, Debug, Default)]
pub struct TestL1Block {
    /// The header.
    pub header: Header,
    /// The transactions.
    pub transactions: Vec<TxEnvelope>,
    /// The receipts.
    pub receipts: Vec<Receipt>,
}

/// An in-memory L1 chain.
#[derive(Clone, Debug, Default)]
pub struct TestChainProvider {
    /// Blocks by hash.
    pub blocks: BTreeMap<B256, TestL1Block>,
    /// Canonical hashes by number.
    pub canonical: BTreeMap<u64, B256>,
    /// How many of the next `block_info_by_number` calls fail with a (temporary) error, as
    /// an unreliable RPC would.
    pub transient_failures: u32,
    /// How many of the next `header_by_hash` calls fail with a (temporary) error.
    pub transient_header_failures: u32,
}

impl TestChainProvider {
    /// Adds a canonical block; returns its info.
    pub fn push(&mut self, block: TestL1Block) -> BlockInfo {
        let hash = block.header.hash_slow();
        let info = BlockInfo::from_header(&block.header, hash);
        self.canonical.insert(info.number, hash);
        self.blocks.insert(hash, block);
        info
    }
}

impl ChainProvider for TestChainProvider {
    type Error = TestProviderError;

    fn header_by_hash(&mut self, hash: B256) -> Result<Header, Self::Error> {
        if self.transient_header_failures > 0 {
            self.transient_header_failures -= 1;
            return Err(TestProviderError(alloc::format!(
                "transient failure at {hash}"
            )));
        }
        self.blocks
            .get(&hash)
            .map(|b| b.header.clone())
            .ok_or_else(|| missing(hash))
    }

    fn block_info_by_number(&mut self, number: u64) -> Result<BlockInfo, Self::Error> {
        if self.transient_failures > 0 {
            self.transient_failures -= 1;
            return Err(TestProviderError(alloc::format!(
                "transient failure at {number}"
            )));
        }
        let hash = *self.canonical.get(&number).ok_or_else(|| missing(number))?;
        let block = self.blocks.get(&hash).ok_or_else(|| missing(hash))?;
        Ok(BlockInfo::from_header(&block.header, hash))
    }

    fn receipts_by_hash(&mut self, hash: B256) -> Result<Vec<Receipt>, Self::Error> {
        self.blocks
            .get(&hash)
            .map(|b| b.receipts.clone())
            .ok_or_else(|| missing(hash))
    }

    fn transactions_by_hash(&mut self, hash: B256) -> Result<Vec<TxEnvelope>, Self::Error> {
        self.blocks
            .get(&hash)
            .map(|b| b.transactions.clone())
            .ok_or_else(|| missing(hash))
    }
}

/// An in-memory L2 chain.
#[derive(Clone, Debug, Default)]
pub struct TestL2Provider {
    /// Blocks by number.
    pub blocks: BTreeMap<u64, L2BlockInfo>,
    /// System configs by number (the nearest lower entry applies).
    pub system_configs: BTreeMap<u64, SystemConfig>,
    /// Transactions by number.
    pub transactions: BTreeMap<u64, Vec<Bytes>>,
    /// Number of lookups served (to check lookup counts).
    pub lookups: usize,
}

impl L2ChainProvider for TestL2Provider {
    type Error = TestProviderError;

    fn l2_block_info_by_number(&mut self, number: u64) -> Result<L2BlockInfo, Self::Error> {
        self.lookups += 1;
        self.blocks
            .get(&number)
            .copied()
            .ok_or_else(|| missing(number))
    }

    fn system_config_by_number(
        &mut self,
        number: u64,
        _: &RollupConfig,
    ) -> Result<SystemConfig, Self::Error> {
        self.system_configs
            .range(..=number)
            .next_back()
            .map(|(_, c)| *c)
            .ok_or_else(|| missing(number))
    }

    fn transactions_by_number(&mut self, number: u64) -> Result<Vec<Bytes>, Self::Error> {
        self.lookups += 1;
        self.transactions
            .get(&number)
            .cloned()
            .ok_or_else(|| missing(number))
    }
}

/// An in-memory blob store.
pub type TestBlobProvider = crate::sources::MemoryBlobs;

/// A [`BatchSource`](crate::stages::BatchSource) over decoded batches that all become
/// available at the first origin; the origin then walks `l1` on each exhausted read.
#[derive(Clone, Debug)]
pub struct VecBatchSource {
    /// The L1 blocks to walk, in order.
    pub l1: Vec<BlockInfo>,
    /// Index of the current origin in `l1`.
    pub position: usize,
    /// Batches not yet read.
    pub batches: alloc::collections::VecDeque<crate::stages::DerivedBatch>,
    /// Number of channel flushes requested.
    pub flushes: usize,
}

impl VecBatchSource {
    /// Moves the origin to the next L1 block; false at the end.
    pub fn advance(&mut self) -> bool {
        if self.position + 1 < self.l1.len() {
            self.position += 1;
            true
        } else {
            false
        }
    }
}

impl crate::stages::BatchSource for VecBatchSource {
    fn origin(&self) -> Option<BlockInfo> {
        self.l1.get(self.position).copied()
    }

    fn next_batch(&mut self) -> crate::error::PipelineResult<crate::stages::DerivedBatch> {
        self.batches
            .pop_front()
            .ok_or(crate::error::PipelineError::Eof)
    }

    fn flush_channel(&mut self) {
        self.flushes += 1;
    }
}

/// A world in which a channel's batches are all valid: L1 epochs whose timestamps equal the
/// first L2 timestamp of each epoch, and a safe head just before the first batch.
#[derive(Clone, Debug)]
pub struct ChannelWorld {
    /// The rollup config.
    pub rollup_config: RollupConfig,
    /// The L1 blocks (epochs and one inclusion block after them).
    pub l1: Vec<BlockInfo>,
    /// The safe head before the first batch.
    pub safe_head: L2BlockInfo,
    /// The decoded batches.
    pub batches: Vec<crate::stages::DerivedBatch>,
}

impl ChannelWorld {
    /// Builds the world around `channel` (compressed channel data) for OP Mainnet's
    /// parameters with every fork through Granite active.
    pub fn from_channel(channel: &[u8]) -> Self {
        use crate::stages::DerivedBatch;
        use koa_protocol::{
            batch::Batch,
            channel::{BatchReader, ChannelDecoding},
        };
        let mut rollup_config = RollupConfig {
            block_time: 2,
            max_sequencer_drift: 600,
            seq_window_size: 3600,
            channel_timeout: 300,
            l1_chain_id: 1,
            l2_chain_id: 10,
            ..RollupConfig::with_forks_at_genesis(Hardfork::Granite)
        };
        let mut reader = BatchReader::from_channel(channel, ChannelDecoding::FJORD)
            .expect("channel decompresses");
        let mut raw = Vec::new();
        while let Some(batch) = reader.next_batch() {
            raw.push(batch.expect("batch decodes"));
        }
        // Genesis time: align span batch timestamps (relative to genesis) with singular ones.
        let first_singular_ts = raw.iter().find_map(|b| match b {
            Batch::Singular(s) => Some(s.timestamp),
            Batch::Span(_) => None,
        });
        rollup_config.genesis.l2_time = first_singular_ts.map_or(0, |ts| ts % 2);
        let batches: Vec<DerivedBatch> = raw
            .into_iter()
            .map(|b| match b {
                Batch::Singular(s) => DerivedBatch::Singular(s),
                Batch::Span(s) => DerivedBatch::Span(
                    s.derive(
                        rollup_config.block_time,
                        rollup_config.genesis.l2_time,
                        rollup_config.l2_chain_id,
                    )
                    .expect("span derives"),
                ),
            })
            .collect();
        // (epoch number, hash, first timestamp) of every block, in order.
        let mut blocks: Vec<(u64, B256, u64, B256)> = Vec::new();
        for batch in &batches {
            match batch {
                DerivedBatch::Singular(s) => {
                    blocks.push((s.epoch_num, s.epoch_hash, s.timestamp, s.parent_hash))
                }
                DerivedBatch::Span(s) => {
                    let last_epoch = s.final_epoch_num();
                    let mut check = [0u8; 32];
                    check[..20].copy_from_slice(s.l1_origin_check.as_slice());
                    let mut parent = [0u8; 32];
                    parent[..20].copy_from_slice(s.parent_check.as_slice());
                    for (i, e) in s.elements.iter().enumerate() {
                        let hash = if e.epoch_num == last_epoch {
                            B256::from(check)
                        } else {
                            keccak_epoch(e.epoch_num)
                        };
                        let parent = if i == 0 {
                            B256::from(parent)
                        } else {
                            B256::ZERO
                        };
                        blocks.push((e.epoch_num, hash, e.timestamp, parent));
                    }
                }
            }
        }
        let mut l1: Vec<BlockInfo> = Vec::new();
        for (epoch, hash, ts, _) in &blocks {
            if l1.last().is_none_or(|b| b.number < *epoch) {
                l1.push(BlockInfo {
                    hash: *hash,
                    number: *epoch,
                    parent_hash: B256::ZERO,
                    timestamp: *ts,
                });
            }
        }
        if let Some(last) = l1.last().copied() {
            l1.push(BlockInfo {
                hash: keccak_epoch(last.number + 1),
                number: last.number + 1,
                parent_hash: last.hash,
                timestamp: last.timestamp + 12,
            });
        }
        let (first_epoch, _, first_ts, first_parent) = blocks[0];
        let origin = l1[0];
        let safe_head = L2BlockInfo {
            block_info: BlockInfo {
                hash: first_parent,
                number: 1_000_000,
                parent_hash: B256::ZERO,
                timestamp: first_ts - rollup_config.block_time,
            },
            // The first block starts its epoch when the previous block was in the epoch before.
            l1_origin: if first_epoch == origin.number {
                BlockNumHash {
                    number: first_epoch - 1,
                    hash: B256::ZERO,
                }
            } else {
                origin.id()
            },
            seq_num: 0,
        };
        Self {
            rollup_config,
            l1,
            safe_head,
            batches,
        }
    }
}

fn keccak_epoch(number: u64) -> B256 {
    alloy_primitives::keccak256(number.to_be_bytes())
}

use alloy_eips::eip1898::BlockNumHash;

impl ChannelWorld {
    /// Runs the batch queue over the world's batches, executing each accepted batch as the
    /// next safe head; returns the batches in order.
    pub fn run_batch_queue(&self) -> Vec<koa_protocol::batch::SingularBatch> {
        use crate::{error::PipelineError, stages::BatchQueue};
        // Hashes the chain must have: each singular batch (and each span's first block) names
        // its parent's hash (spans by prefix, padded with zeros here).
        let mut parents: Vec<B256> = Vec::new();
        for batch in &self.batches {
            match batch {
                crate::stages::DerivedBatch::Singular(s) => parents.push(s.parent_hash),
                crate::stages::DerivedBatch::Span(s) => {
                    let mut parent = [0u8; 32];
                    parent[..20].copy_from_slice(s.parent_check.as_slice());
                    parents.push(B256::from(parent));
                    parents.extend(core::iter::repeat_n(B256::ZERO, s.elements.len() - 1));
                }
            }
        }
        let mut source = VecBatchSource {
            l1: self.l1.clone(),
            position: 0,
            batches: self.batches.iter().cloned().collect(),
            flushes: 0,
        };
        let mut queue = BatchQueue::default();
        queue.reset(self.l1[0]);
        let mut l2 = TestL2Provider::default();
        let mut safe = self.safe_head;
        let mut out = Vec::with_capacity(parents.len());
        while out.len() < parents.len() {
            match queue.next_batch(&self.rollup_config, &safe, &mut source, &mut l2) {
                Ok(batch) => {
                    let index = out.len() + 1;
                    let hash = parents
                        .get(index)
                        .copied()
                        .filter(|h| !h.is_zero())
                        .unwrap_or_else(|| keccak_epoch(index as u64 + (1 << 40)));
                    safe = L2BlockInfo {
                        block_info: BlockInfo {
                            hash,
                            number: safe.block_info.number + 1,
                            parent_hash: safe.block_info.hash,
                            timestamp: batch.timestamp,
                        },
                        l1_origin: batch.epoch(),
                        seq_num: 0,
                    };
                    out.push(batch);
                }
                Err(PipelineError::NotEnoughData) => {}
                Err(PipelineError::Eof) => {
                    if !source.advance() {
                        break;
                    }
                }
                Err(error) => panic!("batch queue failed: {error}"),
            }
        }
        out
    }
}
