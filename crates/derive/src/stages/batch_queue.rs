//! The batch stage: orders and validates batches, expands span batches, and generates empty
//! batches when the sequencing window expires.
//!
//! Before Holocene (by the L1 origin's timestamp) this is the spec's buffering batch queue;
//! from Holocene it is the strict batch stage: no buffering, future batches dropped, an invalid
//! batch flushes the rest of its channel, and span batches are checked by their prefix and then
//! block by block as singular batches.

use alloc::{collections::VecDeque, vec::Vec};
use koa_protocol::{
    RollupConfig, TxList,
    batch::{SingularBatch, SpanBatch, SpanBatchError},
};

use super::batch_validity::{BatchValidity, SpanCheck, check_singular_batch, check_span_batch};
use crate::{
    error::{PipelineError, PipelineResult, checked_sum, is_successor},
    traits::L2ChainProvider,
    types::{BlockInfo, L2BlockInfo},
};

/// A decoded batch ready for validation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DerivedBatch {
    /// A singular batch.
    Singular(SingularBatch),
    /// A span batch, already expanded from its wire form.
    Span(SpanBatch),
}

/// A batch and the L1 block it was fully read in.
#[derive(Clone, Debug, PartialEq, Eq)]
struct IncludedBatch {
    batch: DerivedBatch,
    inclusion: BlockInfo,
}

/// Where the batch stage pulls batches from (the channel reader and everything before it).
pub trait BatchSource {
    /// The L1 block the source is reading.
    fn origin(&self) -> Option<BlockInfo>;

    /// The next batch; [`PipelineError::Eof`] when the current L1 block is exhausted.
    fn next_batch(&mut self) -> PipelineResult<DerivedBatch>;

    /// Drops the rest of the current channel (Holocene, after an invalid batch).
    fn flush_channel(&mut self);
}

/// The batch stage.
#[derive(Debug, Default)]
pub struct BatchQueue {
    /// The L1 block this stage has caught up with.
    origin: Option<BlockInfo>,
    /// L1 blocks from the safe head's epoch on.
    l1_blocks: Vec<BlockInfo>,
    /// Buffered batches (before Holocene).
    batches: Vec<IncludedBatch>,
    /// Singular batches of the span batch being applied.
    next_span: VecDeque<SingularBatch>,
    /// Whether the last batch returned was generated (deposit-only, window expired).
    generated: bool,
}

impl BatchQueue {
    /// Resets the stage to start from `origin` (the pipeline's L1 base).
    pub fn reset(&mut self, origin: BlockInfo) {
        self.origin = Some(origin);
        self.l1_blocks.clear();
        self.l1_blocks.push(origin);
        self.batches.clear();
        self.next_span.clear();
        self.generated = false;
    }

    /// Drops the rest of the span batch being applied (Holocene flush, op-node's
    /// `BatchStage.FlushChannel`): its blocks came from the channel being flushed.
    pub fn flush_channel(&mut self) {
        self.next_span.clear();
    }

    /// Whether the last batch returned was generated for an expired sequencing window (it
    /// yields a deposit-only block).
    pub fn last_batch_was_generated(&self) -> bool {
        self.generated
    }

    /// The L1 block this stage has caught up with.
    pub fn origin(&self) -> Option<BlockInfo> {
        self.origin
    }

    /// The next batch for the block after `parent` (the safe head).
    pub fn next_batch<S: BatchSource, L2: L2ChainProvider>(
        &mut self,
        rollup_config: &RollupConfig,
        parent: &L2BlockInfo,
        source: &mut S,
        l2: &mut L2,
    ) -> PipelineResult<SingularBatch> {
        self.generated = false;
        // The pipeline's current L1 block decides, as op-node switches its batch stage as soon
        // as the pipeline's origin moves to a Holocene block, before reading from it.
        let holocene = source
            .origin()
            .or(self.origin)
            .is_some_and(|origin| rollup_config.is_holocene_active(origin.timestamp));
        if holocene {
            self.next_batch_holocene(rollup_config, parent, source, l2)
        } else {
            self.next_batch_legacy(rollup_config, parent, source, l2)
        }
    }

    /// Pops the next block of the span batch being applied, rebased on `parent`.
    ///
    /// If that block is not the one after `parent` (the safe chain moved on without the
    /// previous block of the span), the rest of the span is dropped and `None` returned.
    fn next_from_span(
        &mut self,
        rollup_config: &RollupConfig,
        parent: &L2BlockInfo,
    ) -> Option<SingularBatch> {
        let next = self.next_span.front()?;
        if parent
            .block_info
            .timestamp
            .checked_add(rollup_config.block_time)
            != Some(next.timestamp)
        {
            tracing::warn!(target: "derive::batch_queue", "safe head diverged from the span batch; dropping it");
            self.next_span.clear();
            return None;
        }
        let mut batch = self.next_span.pop_front()?;
        batch.parent_hash = parent.block_info.hash;
        Some(batch)
    }

    /// Drops L1 blocks before the safe head's epoch.
    fn advance_epoch(&mut self, parent: &L2BlockInfo) {
        let behind_safe_epoch = self
            .l1_blocks
            .first()
            .is_some_and(|first| parent.l1_origin.number > first.number);
        let index = self
            .l1_blocks
            .iter()
            .position(|block| block.number == parent.l1_origin.number);
        if let (true, Some(index)) = (behind_safe_epoch, index) {
            self.l1_blocks.drain(..index);
        }
    }

    /// Follows the source's origin; returns whether it is behind the safe head's epoch.
    fn update_origin<S: BatchSource>(
        &mut self,
        parent: &L2BlockInfo,
        source: &S,
    ) -> PipelineResult<bool> {
        let source_origin = source.origin().ok_or(PipelineError::MissingOrigin)?;
        let behind = source_origin.number < parent.l1_origin.number;
        if self.origin != Some(source_origin) {
            self.origin = Some(source_origin);
            if behind {
                self.l1_blocks.clear();
            } else {
                self.l1_blocks.push(source_origin);
            }
        }
        Ok(behind)
    }

    /// The pre-Holocene batch queue.
    fn next_batch_legacy<S: BatchSource, L2: L2ChainProvider>(
        &mut self,
        rollup_config: &RollupConfig,
        parent: &L2BlockInfo,
        source: &mut S,
        l2: &mut L2,
    ) -> PipelineResult<SingularBatch> {
        if let Some(batch) = self.next_from_span(rollup_config, parent) {
            return Ok(batch);
        }
        let behind = self.update_origin(parent, source)?;
        self.advance_epoch(parent);
        let out_of_data = match source.next_batch() {
            Ok(batch) => {
                if !behind {
                    let inclusion = self.origin.ok_or(PipelineError::MissingOrigin)?;
                    self.add_batch(
                        rollup_config,
                        parent,
                        IncludedBatch { batch, inclusion },
                        l2,
                    )?;
                }
                false
            }
            Err(PipelineError::Eof) => true,
            Err(error) => return Err(error),
        };
        if behind {
            return Err(if out_of_data {
                PipelineError::Eof
            } else {
                PipelineError::NotEnoughData
            });
        }
        match self.derive_next_batch(rollup_config, parent, out_of_data, l2) {
            Ok(batch) => Ok(batch),
            Err(PipelineError::Eof) if !out_of_data => Err(PipelineError::NotEnoughData),
            Err(error) => Err(error),
        }
    }

    /// Buffers a batch unless it is already invalid.
    fn add_batch<L2: L2ChainProvider>(
        &mut self,
        rollup_config: &RollupConfig,
        parent: &L2BlockInfo,
        batch: IncludedBatch,
        l2: &mut L2,
    ) -> PipelineResult<()> {
        if self.validity(rollup_config, parent, &batch, l2, SpanCheck::Full)? != BatchValidity::Drop
        {
            self.batches.push(batch);
        }
        Ok(())
    }

    fn validity<L2: L2ChainProvider>(
        &self,
        rollup_config: &RollupConfig,
        parent: &L2BlockInfo,
        batch: &IncludedBatch,
        l2: &mut L2,
        mode: SpanCheck,
    ) -> PipelineResult<BatchValidity> {
        match &batch.batch {
            DerivedBatch::Singular(singular) => Ok(check_singular_batch(
                rollup_config,
                &self.l1_blocks,
                parent,
                singular,
                &batch.inclusion,
            )),
            DerivedBatch::Span(span) => check_span_batch(
                rollup_config,
                &self.l1_blocks,
                parent,
                span,
                &batch.inclusion,
                l2,
                mode,
            ),
        }
    }

    /// Picks the first acceptable buffered batch, or an empty batch once the window expired.
    fn derive_next_batch<L2: L2ChainProvider>(
        &mut self,
        rollup_config: &RollupConfig,
        parent: &L2BlockInfo,
        out_of_data: bool,
        l2: &mut L2,
    ) -> PipelineResult<SingularBatch> {
        let epoch = *self.l1_blocks.first().ok_or(PipelineError::MissingOrigin)?;
        if parent.l1_origin != epoch.id() && !is_successor(parent.l1_origin.number, epoch.number) {
            return Err(PipelineError::EpochMismatch {
                safe_origin: parent.l1_origin.number,
                epoch: epoch.number,
            });
        }
        let mut accepted = None;
        let mut index = 0;
        while index < self.batches.len() {
            let validity = self.validity(
                rollup_config,
                parent,
                &self.batches[index],
                l2,
                SpanCheck::Full,
            )?;
            match validity {
                BatchValidity::Future => index += 1,
                BatchValidity::Drop | BatchValidity::Past => {
                    self.batches.remove(index);
                }
                BatchValidity::Accept => {
                    accepted = Some(self.batches.remove(index));
                    break;
                }
                BatchValidity::Undecided => return Err(PipelineError::Eof),
            }
        }
        if let Some(batch) = accepted {
            return match batch.batch {
                DerivedBatch::Singular(singular) => Ok(singular),
                // The full span checks passed, so every block's origin is known: failing here
                // is an internal inconsistency (op-node: a critical error).
                DerivedBatch::Span(span) => self
                    .expand_span(rollup_config, parent, span)
                    .map_err(PipelineError::SpanExpansion),
            };
        }
        self.derive_empty_batch(rollup_config, parent, out_of_data)
    }

    /// Expands an accepted span batch into its blocks after `parent` and returns the first.
    fn expand_span(
        &mut self,
        rollup_config: &RollupConfig,
        parent: &L2BlockInfo,
        span: SpanBatch,
    ) -> Result<SingularBatch, SpanBatchError> {
        let origins: Vec<_> = self.l1_blocks.iter().map(BlockInfo::id).collect();
        let batches = span.into_singular_batches(&origins, parent.block_info.timestamp)?;
        self.next_span = batches.into();
        // An accepted span has a block after `parent`, so this yields one.
        self.next_from_span(rollup_config, parent)
            .ok_or(SpanBatchError::EmptySpanBatch)
    }

    /// The empty batch of a sequencing window that expired without a batch for the next slot
    /// (derivation spec, end of "Batch Queue").
    fn derive_empty_batch(
        &mut self,
        rollup_config: &RollupConfig,
        parent: &L2BlockInfo,
        out_of_data: bool,
    ) -> PipelineResult<SingularBatch> {
        let epoch = *self.l1_blocks.first().ok_or(PipelineError::MissingOrigin)?;
        let origin = self.origin.ok_or(PipelineError::MissingOrigin)?;
        // Past `u64::MAX` the window never expires.
        let force_empty = epoch
            .number
            .checked_add(rollup_config.seq_window_size)
            .is_some_and(|expiry| {
                (expiry == origin.number && out_of_data) || expiry < origin.number
            });
        if !force_empty {
            return Err(PipelineError::Eof);
        }
        let Some(next_epoch) = self.l1_blocks.get(1).copied() else {
            return Err(PipelineError::Eof);
        };
        let next_timestamp = checked_sum(
            parent.block_info.timestamp,
            rollup_config.block_time,
            "L2 timestamp",
        )?;
        let first_of_epoch = is_successor(parent.l1_origin.number, epoch.number);
        if next_timestamp < next_epoch.timestamp || first_of_epoch {
            self.generated = true;
            return Ok(SingularBatch {
                parent_hash: parent.block_info.hash,
                epoch_num: epoch.number,
                epoch_hash: epoch.hash,
                timestamp: next_timestamp,
                transactions: TxList::new(),
            });
        }
        // Every empty block of this epoch is out: move on to the next epoch.
        self.l1_blocks.remove(0);
        Err(PipelineError::Eof)
    }

    /// The Holocene batch stage.
    fn next_batch_holocene<S: BatchSource, L2: L2ChainProvider>(
        &mut self,
        rollup_config: &RollupConfig,
        parent: &L2BlockInfo,
        source: &mut S,
        l2: &mut L2,
    ) -> PipelineResult<SingularBatch> {
        let behind = self.update_origin(parent, source)?;
        self.advance_epoch(parent);
        let origin = self.origin.ok_or(PipelineError::MissingOrigin)?;
        if behind || parent.l1_origin.number == origin.number {
            // Batches read in the safe head's own epoch (or before) can only be past batches.
            source.next_batch()?;
            return Err(PipelineError::NotEnoughData);
        }
        // Derivation starts at a safe head, so the safe head's origin and the block after it
        // are buffered by now (op-node: a critical error otherwise).
        if self.l1_blocks.len() < 2 {
            return Err(PipelineError::TooFewL1Blocks {
                buffered: self.l1_blocks.len(),
            });
        }
        let epoch = *self.l1_blocks.first().ok_or(PipelineError::MissingOrigin)?;
        if parent.l1_origin != epoch.id() && !is_successor(parent.l1_origin.number, epoch.number) {
            return Err(PipelineError::EpochMismatch {
                safe_origin: parent.l1_origin.number,
                epoch: epoch.number,
            });
        }
        let batch = match self.next_candidate_holocene(rollup_config, parent, source, l2) {
            Ok(batch) => batch,
            Err(PipelineError::Eof) => return self.derive_empty_batch(rollup_config, parent, true),
            Err(error) => return Err(error),
        };
        match check_singular_batch(rollup_config, &self.l1_blocks, parent, &batch, &origin) {
            BatchValidity::Accept => Ok(batch),
            BatchValidity::Past => Err(PipelineError::NotEnoughData),
            BatchValidity::Drop | BatchValidity::Future => {
                tracing::warn!(target: "derive::batch_queue", "dropping invalid batch, flushing its channel");
                self.next_span.clear();
                source.flush_channel();
                Err(PipelineError::NotEnoughData)
            }
            BatchValidity::Undecided => {
                // Unreachable with two L1 blocks buffered; op-node drops the batch and goes on.
                tracing::warn!(target: "derive::batch_queue", "dropping undecided batch");
                Err(PipelineError::NotEnoughData)
            }
        }
    }

    /// The next singular batch candidate: from the current span batch, or the source.
    fn next_candidate_holocene<S: BatchSource, L2: L2ChainProvider>(
        &mut self,
        rollup_config: &RollupConfig,
        parent: &L2BlockInfo,
        source: &mut S,
        l2: &mut L2,
    ) -> PipelineResult<SingularBatch> {
        if let Some(batch) = self.next_from_span(rollup_config, parent) {
            return Ok(batch);
        }
        let inclusion = self.origin.ok_or(PipelineError::MissingOrigin)?;
        let span = match source.next_batch()? {
            DerivedBatch::Singular(singular) => return Ok(singular),
            DerivedBatch::Span(span) => span,
        };
        let validity = check_span_batch(
            rollup_config,
            &self.l1_blocks,
            parent,
            &span,
            &inclusion,
            l2,
            SpanCheck::Holocene,
        )?;
        match validity {
            BatchValidity::Accept => match self.expand_span(rollup_config, parent, span) {
                Ok(first) => Ok(first),
                Err(error) => {
                    // The prefix checks do not cover every block's origin: this is an invalid
                    // span batch like any other.
                    tracing::warn!(target: "derive::batch_queue", error = %koa_protocol::ErrorChain(&error), "dropping span batch that does not expand, flushing its channel");
                    source.flush_channel();
                    Err(PipelineError::NotEnoughData)
                }
            },
            BatchValidity::Past => Err(PipelineError::NotEnoughData),
            BatchValidity::Drop | BatchValidity::Future => {
                tracing::warn!(target: "derive::batch_queue", "dropping invalid span batch, flushing its channel");
                source.flush_channel();
                Err(PipelineError::NotEnoughData)
            }
            BatchValidity::Undecided => {
                // Unreachable with two L1 blocks buffered; op-node drops the span and goes on.
                tracing::warn!(target: "derive::batch_queue", "dropping undecided span batch");
                Err(PipelineError::NotEnoughData)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_utils::{TestL2Provider, VecBatchSource};
    use alloc::vec;
    use alloy_primitives::B256;
    use koa_protocol::Hardfork;

    const T0: u64 = 1_000;

    fn l1(number: u64) -> BlockInfo {
        BlockInfo {
            hash: B256::with_last_byte(number as u8 + 1),
            number,
            parent_hash: B256::ZERO,
            timestamp: T0 + 12 * number,
        }
    }

    fn cfg(holocene: bool) -> RollupConfig {
        RollupConfig {
            block_time: 2,
            seq_window_size: 10,
            max_sequencer_drift: 600,
            holocene_time: holocene.then_some(0),
            ..RollupConfig::with_forks_at_genesis(Hardfork::Granite)
        }
    }

    fn head(number: u64) -> L2BlockInfo {
        L2BlockInfo {
            block_info: BlockInfo {
                hash: B256::repeat_byte(number as u8),
                number,
                parent_hash: B256::ZERO,
                timestamp: T0 + 2 * number,
            },
            l1_origin: l1(0).id(),
            seq_num: number,
        }
    }

    fn batch(slot: u64, parent: B256) -> DerivedBatch {
        DerivedBatch::Singular(SingularBatch {
            parent_hash: parent,
            epoch_num: 0,
            epoch_hash: l1(0).hash,
            timestamp: T0 + 2 * slot,
            transactions: TxList::try_from_iter([[0x02, 0x01]]).unwrap(),
        })
    }

    /// Pulls from the queue until a batch, walking the source's origin on `Eof`.
    fn next(
        queue: &mut BatchQueue,
        rollup_config: &RollupConfig,
        parent: &L2BlockInfo,
        source: &mut VecBatchSource,
    ) -> Option<SingularBatch> {
        let mut l2 = TestL2Provider::default();
        for _ in 0..100 {
            match queue.next_batch(rollup_config, parent, source, &mut l2) {
                Ok(batch) => return Some(batch),
                Err(PipelineError::NotEnoughData) => {}
                Err(PipelineError::Eof) if source.advance() => {}
                Err(PipelineError::Eof) => return None,
                Err(error) => panic!("{error}"),
            }
        }
        None
    }

    fn source(batches: Vec<DerivedBatch>) -> VecBatchSource {
        VecBatchSource {
            l1: vec![l1(0), l1(1), l1(2)],
            position: 1,
            batches: batches.into(),
            flushes: 0,
        }
    }

    #[test]
    fn pre_holocene_future_batches_are_buffered() {
        let rollup_config = cfg(false);
        let mut queue = BatchQueue::default();
        queue.reset(l1(0));
        let mut src = source(vec![
            batch(2, head(1).block_info.hash),
            batch(1, head(0).block_info.hash),
        ]);
        let first = next(&mut queue, &rollup_config, &head(0), &mut src).unwrap();
        assert_eq!(first.timestamp, T0 + 2);
        let second = next(&mut queue, &rollup_config, &head(1), &mut src).unwrap();
        assert_eq!(
            second.timestamp,
            T0 + 4,
            "the buffered future batch is used"
        );
    }

    #[test]
    fn holocene_future_batches_are_dropped_and_flush_the_channel() {
        let rollup_config = cfg(true);
        let mut queue = BatchQueue::default();
        queue.reset(l1(0));
        let mut src = source(vec![
            batch(2, head(1).block_info.hash),
            batch(1, head(0).block_info.hash),
        ]);
        let first = next(&mut queue, &rollup_config, &head(0), &mut src).unwrap();
        assert_eq!(first.timestamp, T0 + 2);
        assert_eq!(src.flushes, 1, "the out-of-order batch flushed its channel");
        assert!(
            next(&mut queue, &rollup_config, &head(1), &mut src).is_none(),
            "the future batch is gone"
        );
    }

    #[test]
    fn holocene_past_batches_are_skipped_without_flushing() {
        let rollup_config = cfg(true);
        let mut queue = BatchQueue::default();
        queue.reset(l1(0));
        let mut src = source(vec![
            batch(1, head(0).block_info.hash),
            batch(2, head(1).block_info.hash),
        ]);
        let got = next(&mut queue, &rollup_config, &head(1), &mut src).unwrap();
        assert_eq!(got.timestamp, T0 + 4);
        assert_eq!(src.flushes, 0);
    }

    fn singular(slot: u64, parent: B256) -> SingularBatch {
        match batch(slot, parent) {
            DerivedBatch::Singular(singular) => singular,
            DerivedBatch::Span(_) => unreachable!("batch() builds singular batches"),
        }
    }

    #[test]
    fn holocene_span_remainder_is_dropped_when_the_safe_head_diverges() {
        let rollup_config = cfg(true);
        let mut queue = BatchQueue::default();
        queue.reset(l1(0));
        // Blocks 2 and 3 of an accepted span are pending, but the safe head is already at 2.
        queue.next_span = [singular(2, B256::ZERO), singular(3, B256::ZERO)].into();
        let mut src = source(vec![]);
        assert_eq!(
            next(&mut queue, &rollup_config, &head(2), &mut src),
            None,
            "op-node drops the whole remainder, block 3 included"
        );
        assert!(queue.next_span.is_empty());
    }

    #[test]
    fn flush_channel_drops_the_rest_of_the_span() {
        let cfg = cfg(true);
        for flush in [false, true] {
            let mut queue = BatchQueue::default();
            queue.reset(l1(0));
            queue.next_span = [singular(1, B256::ZERO), singular(2, B256::ZERO)].into();
            let mut src = source(vec![]);
            let first = next(&mut queue, &cfg, &head(0), &mut src).unwrap();
            assert_eq!(first.timestamp, T0 + 2);
            if flush {
                // Block 1 failed to execute and was replaced by its deposits-only version.
                queue.flush_channel();
            }
            let second = next(&mut queue, &cfg, &head(1), &mut src);
            assert_eq!(
                second.map(|b| b.timestamp),
                (!flush).then_some(T0 + 4),
                "block 2 of the span is applied only without a flush"
            );
        }
    }

    #[test]
    fn holocene_rules_start_with_the_first_holocene_l1_block() {
        // Holocene activates with L1 block 1; the stage last saw block 0 (pre-Holocene).
        let legacy = cfg(false);
        let switching = RollupConfig {
            holocene_time: Some(l1(1).timestamp),
            ..cfg(false)
        };
        let mut queue = BatchQueue::default();
        queue.reset(l1(0));
        // The safe head already has L1 block 1 as its origin: under Holocene, batches read in
        // the safe head's own epoch can only be past ones and are drained unused.
        let parent = L2BlockInfo {
            l1_origin: l1(1).id(),
            ..head(6)
        };
        let batch = DerivedBatch::Singular(SingularBatch {
            parent_hash: parent.block_info.hash,
            epoch_num: 1,
            epoch_hash: l1(1).hash,
            timestamp: parent.block_info.timestamp + 2,
            transactions: TxList::new(),
        });
        let mut src = VecBatchSource {
            l1: vec![l1(0), l1(1)],
            position: 1,
            batches: vec![batch].into(),
            flushes: 0,
        };
        assert_eq!(
            queue.next_batch(
                &switching,
                &parent,
                &mut src,
                &mut TestL2Provider::default()
            ),
            Err(PipelineError::NotEnoughData),
            "the Holocene stage drains it"
        );
        assert!(src.batches.is_empty());
        let mut queue = BatchQueue::default();
        queue.reset(l1(0));
        let mut src = VecBatchSource {
            batches: vec![DerivedBatch::Singular(SingularBatch {
                parent_hash: parent.block_info.hash,
                epoch_num: 1,
                epoch_hash: l1(1).hash,
                timestamp: parent.block_info.timestamp + 2,
                transactions: TxList::new(),
            })]
            .into(),
            ..src
        };
        assert!(
            queue
                .next_batch(&legacy, &parent, &mut src, &mut TestL2Provider::default())
                .is_ok(),
            "control: the pre-Holocene queue accepts the same batch"
        );
    }

    #[test]
    fn holocene_needs_the_safe_origin_and_the_next_l1_block() {
        let rollup_config = cfg(true);
        let mut queue = BatchQueue::default();
        // Reset to an L1 base after the safe head's origin: only one L1 block is buffered.
        queue.reset(l1(2));
        let mut src = VecBatchSource {
            l1: vec![l1(0), l1(1), l1(2)],
            position: 2,
            batches: Default::default(),
            flushes: 0,
        };
        let error = queue
            .next_batch(
                &rollup_config,
                &head(0),
                &mut src,
                &mut TestL2Provider::default(),
            )
            .unwrap_err();
        assert_eq!(error, PipelineError::TooFewL1Blocks { buffered: 1 });
        assert_eq!(error.kind(), crate::error::PipelineErrorKind::Critical);
    }

    #[test]
    fn spec_empty_batches_fill_an_expired_window() {
        for holocene in [false, true] {
            let rollup_config = RollupConfig {
                seq_window_size: 2,
                ..cfg(holocene)
            };
            let mut queue = BatchQueue::default();
            queue.reset(l1(0));
            let mut src = VecBatchSource {
                l1: (0..=3).map(l1).collect(),
                position: 0,
                batches: Default::default(),
                flushes: 0,
            };
            // Window of epoch 0 is [0, 2]; at origin 2 with no data, empty batches start.
            let empty = next(&mut queue, &rollup_config, &head(0), &mut src).unwrap();
            assert_eq!(src.position, 2, "empty batches wait for the window to end");
            assert!(queue.last_batch_was_generated());
            assert_eq!(
                empty,
                SingularBatch {
                    parent_hash: head(0).block_info.hash,
                    epoch_num: 0,
                    epoch_hash: l1(0).hash,
                    timestamp: T0 + 2,
                    transactions: TxList::new()
                }
            );
            // Slot 6 (time T0 + 12) reaches epoch 1's time: the empty batch adopts epoch 1.
            let at_epoch_1 = next(&mut queue, &rollup_config, &head(5), &mut src).unwrap();
            assert_eq!(
                (at_epoch_1.epoch_num, at_epoch_1.epoch_hash),
                (1, l1(1).hash),
                "holocene={holocene}"
            );
        }
    }
}
