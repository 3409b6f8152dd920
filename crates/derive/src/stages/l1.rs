//! The L1 side of the pipeline: traversal, retrieval, frame queue, channel bank / assembler
//! and channel reader. Together they turn L1 blocks into decoded batches.

use alloc::collections::VecDeque;
use alloy_primitives::Bytes;
use koa_protocol::{
    RollupConfig, SystemConfig,
    batch::Batch,
    channel::{BatchReader, ChannelDecoding},
};

use super::{
    batch_queue::{BatchSource, DerivedBatch},
    channel_bank::{BankRead, ChannelAssembler, ChannelBank},
    frame_queue::FrameQueue,
};
use crate::{
    error::{PipelineError, PipelineResult, checked_sum},
    sources::batcher_data,
    traits::{BlobProvider, ChainProvider},
    types::BlockInfo,
};

/// The state of the L1-facing stages.
#[derive(Debug, Default)]
pub struct L1Stages {
    /// L1 traversal: the current L1 block.
    origin: Option<BlockInfo>,
    /// Whether retrieval has taken the current block's data.
    retrieved: bool,
    /// The system config as of `origin` (batcher authentication).
    system_config: SystemConfig,
    /// L1 retrieval: batcher data of `origin` not yet framed.
    data: VecDeque<Bytes>,
    frames: FrameQueue,
    bank: ChannelBank,
    assembler: ChannelAssembler,
    reader: Option<BatchReader>,
}

impl L1Stages {
    /// Resets every stage to start at `origin` with `system_config`.
    pub fn reset(&mut self, origin: BlockInfo, system_config: SystemConfig) {
        *self = Self {
            origin: Some(origin),
            system_config,
            ..Self::default()
        };
    }

    /// The current L1 block.
    pub fn origin(&self) -> Option<BlockInfo> {
        self.origin
    }

    /// The system config as of the current L1 block.
    pub fn system_config(&self) -> &SystemConfig {
        &self.system_config
    }

    /// L1 traversal: moves to the next L1 block, applying its `ConfigUpdate` logs (malformed
    /// ones are skipped).
    ///
    /// A next block whose parent is not the current block is an L1 reorg.
    pub fn advance<C: ChainProvider>(
        &mut self,
        rollup_config: &RollupConfig,
        chain: &mut C,
    ) -> PipelineResult<BlockInfo> {
        let current = self.origin.ok_or(PipelineError::MissingOrigin)?;
        let next = chain
            .block_info_by_number(checked_sum(current.number, 1, "L1 block number")?)
            .map_err(PipelineError::provider)?;
        if next.parent_hash != current.hash {
            return Err(PipelineError::L1Reorg {
                number: next.number,
                parent: next.parent_hash,
                expected: current.hash,
            });
        }
        let receipts = chain
            .receipts_by_hash(next.hash)
            .map_err(PipelineError::provider)?;
        // A malformed ConfigUpdate log is skipped and every other one applied: op-node treats
        // the failure as informational (l1_traversal.go), since nothing could recover from it.
        if let Err(error) =
            self.system_config
                .apply_receipts(&receipts, rollup_config, next.timestamp)
        {
            tracing::warn!(target: "derive::l1_traversal", block = next.number, error = %koa_protocol::ErrorChain(&error), "skipping malformed system config update");
        }
        self.origin = Some(next);
        self.retrieved = false;
        Ok(next)
    }

    /// Drops the rest of the channel being read and the channel being assembled (Holocene
    /// flush; op-node's `ChannelInReader.FlushChannel` resets its channel assembler too).
    pub fn flush_channel(&mut self) {
        self.reader = None;
        self.assembler.clear();
    }
}

/// The L1 stages with the providers they read from, as a [`BatchSource`].
pub struct L1Source<'a, C, B> {
    /// The rollup config.
    pub rollup_config: &'a RollupConfig,
    /// The stages' state.
    pub stages: &'a mut L1Stages,
    /// The L1 chain.
    pub chain: &'a mut C,
    /// The blob source.
    pub blobs: &'a mut B,
}

impl<C: ChainProvider, B: BlobProvider> L1Source<'_, C, B> {
    fn origin_or_err(&self) -> PipelineResult<BlockInfo> {
        self.stages.origin.ok_or(PipelineError::MissingOrigin)
    }

    /// L1 retrieval: the next batcher transaction's data of the current block.
    fn next_data(&mut self) -> PipelineResult<Bytes> {
        if !self.stages.retrieved {
            let origin = self.origin_or_err()?;
            let batcher = self.stages.system_config.batcher_address;
            let data = batcher_data(self.rollup_config, &origin, batcher, self.chain, self.blobs)?;
            self.stages.data = data.into();
            self.stages.retrieved = true;
        }
        self.stages.data.pop_front().ok_or(PipelineError::Eof)
    }

    /// Frame queue: the next frame, loading batcher data as needed.
    fn next_frame(&mut self) -> PipelineResult<koa_protocol::frame::Frame> {
        loop {
            if let Some(frame) = self.stages.frames.pop() {
                return Ok(frame);
            }
            let data = self.next_data()?;
            let holocene = self
                .rollup_config
                .is_holocene_active(self.origin_or_err()?.timestamp);
            self.stages.frames.load(&data, holocene);
        }
    }

    /// Channel bank / assembler: the next complete channel's data.
    fn next_channel(&mut self) -> PipelineResult<alloc::vec::Vec<u8>> {
        let origin = self.origin_or_err()?;
        if self.rollup_config.is_holocene_active(origin.timestamp) {
            self.stages
                .assembler
                .check_timeout(self.rollup_config, &origin);
            loop {
                let frame = self.next_frame()?;
                if let Some(data) = self
                    .stages
                    .assembler
                    .ingest(self.rollup_config, &origin, frame)
                {
                    return Ok(data);
                }
            }
        }
        loop {
            match self.stages.bank.read(self.rollup_config, &origin) {
                BankRead::Channel(data) => return Ok(data),
                BankRead::Pruned => continue,
                BankRead::NotReady => {}
            }
            let frame = self.next_frame()?;
            self.stages.bank.ingest(self.rollup_config, &origin, frame);
        }
    }
}

impl<C: ChainProvider, B: BlobProvider> BatchSource for L1Source<'_, C, B> {
    fn origin(&self) -> Option<BlockInfo> {
        self.stages.origin
    }

    /// Channel reader: decompresses channels and decodes their batches.
    ///
    /// A channel that fails to decompress, or a batch that fails to decode, ends the channel.
    /// Span batches read from an L1 block before Delta, and span batches whose transactions
    /// fail to rebuild ([`RawSpanBatch::derive`](koa_protocol::batch::RawSpanBatch::derive)),
    /// are dropped on their own: the channel's next batch is read next, as in op-node.
    fn next_batch(&mut self) -> PipelineResult<DerivedBatch> {
        let origin = self.origin_or_err()?;
        loop {
            if self.stages.reader.is_none() {
                let data = self.next_channel()?;
                let decoding =
                    ChannelDecoding::for_l1_timestamp(self.rollup_config, origin.timestamp);
                match BatchReader::from_channel(&data, decoding) {
                    Ok(reader) => self.stages.reader = Some(reader),
                    Err(error) => {
                        tracing::warn!(target: "derive::channel_reader", error = %koa_protocol::ErrorChain(&error), "dropping channel");
                        continue;
                    }
                }
            }
            let Some(reader) = self.stages.reader.as_mut() else {
                continue;
            };
            let batch = match reader.next_batch() {
                None => {
                    self.stages.reader = None;
                    continue;
                }
                Some(Err(error)) => {
                    tracing::warn!(target: "derive::channel_reader", error = %koa_protocol::ErrorChain(&error), "dropping rest of channel");
                    self.stages.reader = None;
                    continue;
                }
                Some(Ok(batch)) => batch,
            };
            match batch {
                Batch::Singular(singular) => return Ok(DerivedBatch::Singular(singular)),
                Batch::Span(raw) => {
                    if !self.rollup_config.is_delta_active(origin.timestamp) {
                        tracing::warn!(target: "derive::channel_reader", "dropping span batch before Delta");
                        continue;
                    }
                    match raw.derive(
                        self.rollup_config.block_time,
                        self.rollup_config.genesis.l2_time,
                        self.rollup_config.l2_chain_id,
                    ) {
                        Ok(span) => return Ok(DerivedBatch::Span(span)),
                        Err(error) => {
                            // op-node surfaces this as a (non-typed) step error, which its
                            // drivers retry; the retry reads the channel's next batch. So only
                            // this batch is lost.
                            tracing::warn!(target: "derive::channel_reader", error = %koa_protocol::ErrorChain(&error), "dropping span batch that fails to derive");
                        }
                    }
                }
            }
        }
    }

    fn flush_channel(&mut self) {
        self.stages.flush_channel();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_utils::TestChainProvider;
    use alloy_primitives::B256;

    #[test]
    fn traversal_past_the_last_l1_number_is_an_overflow_error() {
        let mut stages = L1Stages::default();
        let last = BlockInfo {
            hash: B256::repeat_byte(1),
            number: u64::MAX,
            parent_hash: B256::ZERO,
            timestamp: 1,
        };
        stages.reset(last, SystemConfig::default());
        // Unchecked, `u64::MAX + 1` wrapped to block 0 (or panicked in a debug build).
        assert_eq!(
            stages.advance(&RollupConfig::default(), &mut TestChainProvider::default()),
            Err(PipelineError::Overflow {
                what: "L1 block number"
            })
        );
    }
}
