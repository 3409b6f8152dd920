//! Batch validity rules (derivation spec "Batch Queue", span batch spec, Holocene changes).

use koa_protocol::{
    Hardfork, RollupConfig, TxList,
    batch::{DEPOSIT_TX_TYPE, SingularBatch, SpanBatch},
};

use crate::{
    error::{PipelineError, PipelineResult, checked_sum, is_successor},
    traits::L2ChainProvider,
    types::{BlockInfo, L2BlockInfo},
};

/// EIP-7702 set-code transaction type: forbidden in batches before Isthmus.
const SET_CODE_TX_TYPE: u8 = 0x04;

/// The verdict on a batch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BatchValidity {
    /// Invalid: drop it.
    Drop,
    /// Valid: process it.
    Accept,
    /// More L1 data is needed to decide.
    Undecided,
    /// Valid later, not yet (before Holocene only).
    Future,
    /// Its timestamp is before the next one (Holocene): drop it without further penalty.
    Past,
}

/// How much of a span batch [`check_span_batch`] checks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SpanCheck {
    /// Every rule: the prefix, each new block's rules, and the overlap with the safe chain
    /// (before Holocene).
    Full,
    /// The prefix and the overlap with the safe chain (Holocene: the new blocks are then
    /// checked one by one as singular batches). The overlap check was added to Holocene
    /// retroactively in August 2026 (specs#928, optimism#22215): a span whose overlapped
    /// blocks differ from the safe chain is invalid.
    Holocene,
}

/// Whether the L2 block at `timestamp` is an activation block that must not carry user
/// transactions: such a batch is dropped. Jovian and Interop say so in their derivation specs;
/// Karst's activation block (31 upgrade deposits) is held to the same rule by op-node and
/// kona, whose sequencers also build it without transactions.
fn is_tx_free_activation_block(rollup_config: &RollupConfig, timestamp: u64) -> bool {
    [Hardfork::Jovian, Hardfork::Karst, Hardfork::Interop]
        .into_iter()
        .any(|fork| rollup_config.is_activation_block(fork, timestamp))
}

/// Checks the transaction rules: no empty transaction, no deposit, no set-code transaction
/// before Isthmus.
fn transactions_valid(rollup_config: &RollupConfig, timestamp: u64, txs: &TxList) -> bool {
    let isthmus = rollup_config.is_isthmus_active(timestamp);
    txs.iter().all(|tx| match tx.first() {
        None => {
            tracing::warn!(target: "derive::batch", "dropping batch with an empty transaction");
            false
        }
        Some(&DEPOSIT_TX_TYPE) => {
            tracing::warn!(target: "derive::batch", "dropping batch with a deposit transaction");
            false
        }
        Some(&SET_CODE_TX_TYPE) if !isthmus => {
            tracing::warn!(target: "derive::batch", "dropping batch with a set-code tx before Isthmus");
            false
        }
        Some(_) => true,
    })
}

/// Applies the sequencer drift rule to a block at `timestamp` with L1 origin `origin`.
///
/// `next_origin` is the L1 block after `origin`, if known; `advances_origin` says whether the
/// block changes the L1 origin (such blocks are exempt from the empty-batch check).
fn check_drift(
    rollup_config: &RollupConfig,
    timestamp: u64,
    origin: &BlockInfo,
    next_origin: Option<&BlockInfo>,
    advances_origin: bool,
    tx_count: usize,
) -> BatchValidity {
    let max = origin
        .timestamp
        .saturating_add(rollup_config.max_sequencer_drift(origin.timestamp));
    if timestamp <= max {
        return BatchValidity::Accept;
    }
    if tx_count > 0 {
        tracing::warn!(target: "derive::batch", "batch exceeded sequencer drift with transactions");
        return BatchValidity::Drop;
    }
    if advances_origin {
        return BatchValidity::Accept;
    }
    match next_origin {
        None => BatchValidity::Undecided,
        Some(next) if timestamp >= next.timestamp => {
            tracing::warn!(target: "derive::batch", "empty batch past drift could have adopted the next origin");
            BatchValidity::Drop
        }
        Some(_) => BatchValidity::Accept,
    }
}

/// Checks a singular batch against the safe head `parent` (derivation spec, "Batch Queue").
///
/// `l1_blocks` starts with the safe head's epoch; `inclusion` is the L1 block the batch was
/// fully read in.
pub fn check_singular_batch(
    rollup_config: &RollupConfig,
    l1_blocks: &[BlockInfo],
    parent: &L2BlockInfo,
    batch: &SingularBatch,
    inclusion: &BlockInfo,
) -> BatchValidity {
    let Some(epoch) = l1_blocks.first() else {
        return BatchValidity::Undecided;
    };
    let holocene = rollup_config.is_holocene_active(inclusion.timestamp);
    let Some(next_timestamp) = parent
        .block_info
        .timestamp
        .checked_add(rollup_config.block_time)
    else {
        // The next slot lies past `u64::MAX`, after every batch: each one is a past batch.
        return if holocene {
            BatchValidity::Past
        } else {
            BatchValidity::Drop
        };
    };
    if batch.timestamp > next_timestamp {
        return if holocene {
            BatchValidity::Drop
        } else {
            BatchValidity::Future
        };
    }
    if batch.timestamp < next_timestamp {
        return if holocene {
            BatchValidity::Past
        } else {
            BatchValidity::Drop
        };
    }
    if batch.parent_hash != parent.block_info.hash {
        tracing::warn!(target: "derive::batch", "dropping batch with mismatching parent hash");
        return BatchValidity::Drop;
    }
    if batch
        .epoch_num
        .saturating_add(rollup_config.seq_window_size)
        < inclusion.number
    {
        tracing::warn!(target: "derive::batch", "dropping batch included after its sequence window");
        return BatchValidity::Drop;
    }
    let batch_origin = if batch.epoch_num < epoch.number {
        tracing::warn!(target: "derive::batch", "dropping batch with an epoch older than the safe head's");
        return BatchValidity::Drop;
    } else if batch.epoch_num == epoch.number {
        epoch
    } else if is_successor(epoch.number, batch.epoch_num) {
        let Some(next) = l1_blocks.get(1) else {
            return BatchValidity::Undecided;
        };
        next
    } else {
        tracing::warn!(target: "derive::batch", "dropping batch whose epoch skips an L1 block");
        return BatchValidity::Drop;
    };
    if batch.epoch_hash != batch_origin.hash {
        tracing::warn!(target: "derive::batch", "dropping batch for a different L1 chain");
        return BatchValidity::Drop;
    }
    if batch.timestamp < batch_origin.timestamp {
        tracing::warn!(target: "derive::batch", "dropping batch older than its L1 origin");
        return BatchValidity::Drop;
    }
    let advances = batch_origin.number != epoch.number;
    let drift = check_drift(
        rollup_config,
        batch.timestamp,
        batch_origin,
        l1_blocks.get(1),
        advances,
        batch.transactions.len(),
    );
    if drift != BatchValidity::Accept {
        return drift;
    }
    if !transactions_valid(rollup_config, batch.timestamp, &batch.transactions) {
        return BatchValidity::Drop;
    }
    if !batch.transactions.is_empty() && is_tx_free_activation_block(rollup_config, batch.timestamp)
    {
        tracing::warn!(target: "derive::batch", "dropping batch with transactions in an activation block");
        return BatchValidity::Drop;
    }
    BatchValidity::Accept
}

/// Checks a span batch against the safe head `parent` in one pass (span batch spec, "Span
/// batch validation", and Holocene's prefix rules).
///
/// L2 lookups, only when the span overlaps the safe chain: the span's parent block, then each
/// overlapped block's transactions and L1 origin (one lookup each). The L1 origins of the
/// span's new blocks are resolved by a single forward scan of `l1_blocks`.
pub fn check_span_batch<L2: L2ChainProvider>(
    rollup_config: &RollupConfig,
    l1_blocks: &[BlockInfo],
    parent: &L2BlockInfo,
    batch: &SpanBatch,
    inclusion: &BlockInfo,
    l2: &mut L2,
    mode: SpanCheck,
) -> PipelineResult<BatchValidity> {
    let (Some(epoch), Some(first), Some(last)) = (
        l1_blocks.first(),
        batch.elements.first(),
        batch.elements.last(),
    ) else {
        return Ok(BatchValidity::Undecided);
    };
    let holocene = rollup_config.is_holocene_active(inclusion.timestamp);
    let start_epoch = first.epoch_num;
    let batch_origin = if is_successor(epoch.number, start_epoch) {
        match l1_blocks.get(1) {
            Some(next) => next,
            None => return Ok(BatchValidity::Undecided),
        }
    } else {
        epoch
    };
    if !rollup_config.is_delta_active(batch_origin.timestamp) {
        tracing::warn!(target: "derive::batch", "dropping span batch with an origin before Delta");
        return Ok(BatchValidity::Drop);
    }
    let safe = &parent.block_info;
    let next_timestamp = checked_sum(safe.timestamp, rollup_config.block_time, "L2 timestamp")?;
    if first.timestamp > next_timestamp {
        return Ok(if holocene {
            BatchValidity::Drop
        } else {
            BatchValidity::Future
        });
    }
    if last.timestamp < next_timestamp {
        tracing::warn!(target: "derive::batch", "span batch has no block after the safe head");
        return Ok(if holocene {
            BatchValidity::Past
        } else {
            BatchValidity::Drop
        });
    }
    // The span's parent: the safe head, or an earlier safe block when the span overlaps.
    let mut span_parent = *parent;
    if first.timestamp < next_timestamp {
        if first.timestamp > safe.timestamp {
            tracing::warn!(target: "derive::batch", "span batch timestamp is misaligned");
            return Ok(BatchValidity::Drop);
        }
        let behind = safe.timestamp - first.timestamp;
        if !behind.is_multiple_of(rollup_config.block_time) {
            tracing::warn!(target: "derive::batch", "span batch does not overlap exactly");
            return Ok(BatchValidity::Drop);
        }
        let Some(parent_number) = safe
            .number
            .checked_sub(behind / rollup_config.block_time + 1)
        else {
            return Ok(BatchValidity::Drop);
        };
        span_parent = l2
            .l2_block_info_by_number(parent_number)
            .map_err(PipelineError::provider)?;
    }
    if !batch.check_parent_hash(span_parent.block_info.hash) {
        tracing::warn!(target: "derive::batch", "dropping span batch with mismatching parent hash");
        return Ok(BatchValidity::Drop);
    }
    if start_epoch.saturating_add(rollup_config.seq_window_size) < inclusion.number {
        tracing::warn!(target: "derive::batch", "dropping span batch included after its sequence window");
        return Ok(BatchValidity::Drop);
    }
    if span_parent
        .l1_origin
        .number
        .checked_add(1)
        .is_some_and(|next| start_epoch > next)
    {
        tracing::warn!(target: "derive::batch", "dropping span batch whose epoch skips an L1 block");
        return Ok(BatchValidity::Drop);
    }
    let end_epoch = last.epoch_num;
    match l1_blocks.iter().find(|block| block.number == end_epoch) {
        Some(block) if !batch.check_l1_origin_hash(block.hash) => {
            tracing::warn!(target: "derive::batch", "dropping span batch for a different L1 chain");
            return Ok(BatchValidity::Drop);
        }
        Some(_) => {}
        None => return Ok(BatchValidity::Undecided),
    }
    if start_epoch < span_parent.l1_origin.number {
        tracing::warn!(target: "derive::batch", "dropping span batch with an epoch older than its parent's");
        return Ok(BatchValidity::Drop);
    }
    if mode == SpanCheck::Full {
        let validity = check_span_blocks(rollup_config, l1_blocks, parent, &span_parent, batch);
        if validity != BatchValidity::Accept {
            return Ok(validity);
        }
    }
    check_span_overlap(l2, safe, &span_parent, batch)
}

/// The per-block rules of the full (pre-Holocene) span check for the blocks after the safe
/// head, in one forward pass over the blocks and the L1 origins.
fn check_span_blocks(
    rollup_config: &RollupConfig,
    l1_blocks: &[BlockInfo],
    safe_head: &L2BlockInfo,
    span_parent: &L2BlockInfo,
    batch: &SpanBatch,
) -> BatchValidity {
    let safe = &safe_head.block_info;
    let start_epoch = batch.start_epoch_num();
    let mut origin_index = 0usize;
    let mut previous_epoch: Option<u64> = None;
    for element in &batch.elements {
        let advances = match previous_epoch {
            None => is_successor(span_parent.l1_origin.number, start_epoch),
            Some(previous) => element.epoch_num > previous,
        };
        previous_epoch = Some(element.epoch_num);
        if element.timestamp <= safe.timestamp {
            continue;
        }
        if element.epoch_num < safe_head.l1_origin.number {
            tracing::warn!(target: "derive::batch", "span block's epoch is older than the safe head's");
            return BatchValidity::Drop;
        }
        let Some(offset) = l1_blocks
            .get(origin_index..)
            .unwrap_or_default()
            .iter()
            .position(|block| block.number == element.epoch_num)
        else {
            tracing::warn!(target: "derive::batch", "span block's L1 origin is not buffered");
            return BatchValidity::Drop;
        };
        origin_index += offset;
        let Some(origin) = l1_blocks.get(origin_index) else {
            return BatchValidity::Drop;
        };
        if element.timestamp < origin.timestamp {
            tracing::warn!(target: "derive::batch", "span block older than its L1 origin");
            return BatchValidity::Drop;
        }
        let drift = check_drift(
            rollup_config,
            element.timestamp,
            origin,
            l1_blocks.get(origin_index + 1),
            advances,
            element.transactions.len(),
        );
        if drift != BatchValidity::Accept {
            return drift;
        }
        if !transactions_valid(rollup_config, element.timestamp, &element.transactions) {
            return BatchValidity::Drop;
        }
        if !element.transactions.is_empty()
            && is_tx_free_activation_block(rollup_config, element.timestamp)
        {
            return BatchValidity::Drop;
        }
    }
    BatchValidity::Accept
}

/// The span's blocks up to `safe` (those after `span_parent`) must match the safe chain: the
/// same sequenced transactions, byte for byte, and the same L1 origin number.
fn check_span_overlap<L2: L2ChainProvider>(
    l2: &mut L2,
    safe: &BlockInfo,
    span_parent: &L2BlockInfo,
    batch: &SpanBatch,
) -> PipelineResult<BatchValidity> {
    let overlapped = safe.number.saturating_sub(span_parent.block_info.number);
    // The overlapped blocks are `span_parent + 1 ..= safe`.
    let Some(first) = span_parent.block_info.number.checked_add(1) else {
        return Ok(BatchValidity::Accept);
    };
    let last = span_parent.block_info.number.saturating_add(overlapped);
    for (number, element) in (first..=last).zip(&batch.elements) {
        let safe_txs = l2
            .transactions_by_number(number)
            .map_err(PipelineError::provider)?;
        // The safe block's sequenced transactions are those after its deposits.
        let sequenced = safe_txs
            .iter()
            .filter(|tx| tx.first() != Some(&DEPOSIT_TX_TYPE));
        if !sequenced.eq(&element.transactions) {
            tracing::warn!(target: "derive::batch", number, "overlapped block's transactions differ");
            return Ok(BatchValidity::Drop);
        }
        let info = l2
            .l2_block_info_by_number(number)
            .map_err(PipelineError::provider)?;
        if info.l1_origin.number != element.epoch_num {
            tracing::warn!(target: "derive::batch", number, "overlapped block's L1 origin differs");
            return Ok(BatchValidity::Drop);
        }
    }
    Ok(BatchValidity::Accept)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_utils::TestL2Provider;
    use alloc::{vec, vec::Vec};
    use alloy_primitives::{B256, Bytes, FixedBytes};
    use koa_protocol::batch::SpanBatchElement;

    const T0: u64 = 1_000;

    fn cfg() -> RollupConfig {
        RollupConfig {
            block_time: 2,
            seq_window_size: 10,
            max_sequencer_drift: 600,
            channel_timeout: 10,
            ..RollupConfig::with_forks_at_genesis(Hardfork::Delta)
        }
    }

    fn l1(number: u64) -> BlockInfo {
        BlockInfo {
            hash: B256::with_last_byte(number as u8 + 1),
            number,
            parent_hash: B256::with_last_byte(number as u8),
            timestamp: T0 + 12 * number,
        }
    }

    /// Safe head: L2 block 10 at T0 + 20 in epoch 1 (l1(1) at T0 + 12).
    fn safe_head() -> L2BlockInfo {
        L2BlockInfo {
            block_info: BlockInfo {
                hash: B256::repeat_byte(0x10),
                number: 10,
                parent_hash: B256::repeat_byte(0x09),
                timestamp: T0 + 20,
            },
            l1_origin: l1(1).id(),
            seq_num: 1,
        }
    }

    fn batch(epoch: u64, timestamp: u64) -> SingularBatch {
        SingularBatch {
            parent_hash: safe_head().block_info.hash,
            epoch_num: epoch,
            epoch_hash: l1(epoch).hash,
            timestamp,
            transactions: TxList::try_from_iter([[0x02, 0x01]]).unwrap(),
        }
    }

    fn check(
        rollup_config: &RollupConfig,
        blocks: &[BlockInfo],
        b: &SingularBatch,
        inclusion: u64,
    ) -> BatchValidity {
        check_singular_batch(rollup_config, blocks, &safe_head(), b, &l1(inclusion))
    }

    #[test]
    fn rule_future_timestamp_is_future_before_holocene_and_dropped_after() {
        let blocks = [l1(1), l1(2)];
        assert_eq!(
            check(&cfg(), &blocks, &batch(1, T0 + 24), 3),
            BatchValidity::Future
        );
        let holocene = RollupConfig {
            ecotone_time: Some(0),
            fjord_time: Some(0),
            granite_time: Some(0),
            holocene_time: Some(0),
            ..cfg()
        };
        assert_eq!(
            check(&holocene, &blocks, &batch(1, T0 + 24), 3),
            BatchValidity::Drop
        );
    }

    #[test]
    fn rule_old_timestamp_is_dropped_before_holocene_and_past_after() {
        let blocks = [l1(1), l1(2)];
        assert_eq!(
            check(&cfg(), &blocks, &batch(1, T0 + 20), 3),
            BatchValidity::Drop
        );
        let holocene = RollupConfig {
            ecotone_time: Some(0),
            fjord_time: Some(0),
            granite_time: Some(0),
            holocene_time: Some(0),
            ..cfg()
        };
        assert_eq!(
            check(&holocene, &blocks, &batch(1, T0 + 20), 3),
            BatchValidity::Past
        );
    }

    #[test]
    fn rule_parent_hash_must_match_safe_head() {
        let mut b = batch(1, T0 + 22);
        b.parent_hash = B256::repeat_byte(0xee);
        assert_eq!(check(&cfg(), &[l1(1), l1(2)], &b, 3), BatchValidity::Drop);
        assert_eq!(
            check(&cfg(), &[l1(1), l1(2)], &batch(1, T0 + 22), 3),
            BatchValidity::Accept
        );
    }

    #[test]
    fn rule_batch_must_be_included_within_the_sequence_window() {
        let blocks = [l1(1), l1(2)];
        assert_eq!(
            check(&cfg(), &blocks, &batch(1, T0 + 22), 11),
            BatchValidity::Accept
        );
        assert_eq!(
            check(&cfg(), &blocks, &batch(1, T0 + 22), 12),
            BatchValidity::Drop
        );
    }

    #[test]
    fn rule_epoch_must_be_current_or_next() {
        let blocks = [l1(1), l1(2)];
        assert_eq!(
            check(&cfg(), &blocks, &batch(0, T0 + 22), 3),
            BatchValidity::Drop,
            "older epoch"
        );
        assert_eq!(
            check(&cfg(), &blocks, &batch(3, T0 + 22), 3),
            BatchValidity::Drop,
            "skips an epoch"
        );
        assert_eq!(
            check(&cfg(), &[l1(1)], &batch(2, T0 + 22), 3),
            BatchValidity::Undecided,
            "next epoch unknown"
        );
        // Adopting epoch 2 at T0 + 22 breaks L2 time >= L1 time (epoch 2 is at T0 + 24).
        assert_eq!(
            check(&cfg(), &blocks, &batch(2, T0 + 22), 3),
            BatchValidity::Drop
        );
    }

    #[test]
    fn rule_epoch_hash_must_match_the_canonical_origin() {
        let mut b = batch(1, T0 + 22);
        b.epoch_hash = B256::repeat_byte(0xee);
        assert_eq!(check(&cfg(), &[l1(1), l1(2)], &b, 3), BatchValidity::Drop);
    }

    #[test]
    fn rule_sequencer_drift_empty_batches_keep_time_invariant() {
        // Safe head far ahead of its origin: next timestamp T0 + 12 + 602 exceeds the drift.
        let rollup_config = cfg();
        let mut head = safe_head();
        head.block_info.timestamp = T0 + 12 + 600;
        let ts = head.block_info.timestamp + 2;
        let mk = |txs: Vec<Bytes>| SingularBatch {
            parent_hash: head.block_info.hash,
            epoch_num: 1,
            epoch_hash: l1(1).hash,
            timestamp: ts,
            transactions: TxList::try_from(txs).unwrap(),
        };
        let late_next = BlockInfo {
            timestamp: ts + 10,
            ..l1(2)
        };
        let early_next = BlockInfo {
            timestamp: ts,
            ..l1(2)
        };
        let with_txs = mk(vec![Bytes::from_static(&[0x02])]);
        let empty = mk(vec![]);
        let run = |blocks: &[BlockInfo], b: &SingularBatch| {
            check_singular_batch(&rollup_config, blocks, &head, b, &l1(3))
        };
        assert_eq!(
            run(&[l1(1), late_next], &with_txs),
            BatchValidity::Drop,
            "txs past drift"
        );
        assert_eq!(
            run(&[l1(1), late_next], &empty),
            BatchValidity::Accept,
            "next origin too late to adopt"
        );
        assert_eq!(
            run(&[l1(1), early_next], &empty),
            BatchValidity::Drop,
            "could have adopted next origin"
        );
        assert_eq!(
            run(&[l1(1)], &empty),
            BatchValidity::Undecided,
            "next origin unknown"
        );
    }

    #[test]
    fn rule_fjord_fixes_the_max_sequencer_drift() {
        let rollup_config = RollupConfig {
            max_sequencer_drift: 10,
            ecotone_time: Some(0),
            fjord_time: Some(0),
            ..cfg()
        };
        let mut head = safe_head();
        head.block_info.timestamp = T0 + 12 + 1000;
        let b = SingularBatch {
            parent_hash: head.block_info.hash,
            epoch_num: 1,
            epoch_hash: l1(1).hash,
            timestamp: head.block_info.timestamp + 2,
            transactions: TxList::try_from_iter([[0x02]]).unwrap(),
        };
        assert_eq!(
            check_singular_batch(&rollup_config, &[l1(1), l1(2)], &head, &b, &l1(3)),
            BatchValidity::Accept
        );
    }

    #[test]
    fn rule_forbidden_transactions_drop_the_batch() {
        let blocks = [l1(1), l1(2)];
        for tx in [&[][..], &[0x7e, 0x01][..], &[0x04, 0x01][..]] {
            let mut b = batch(1, T0 + 22);
            b.transactions.push(tx).unwrap();
            assert_eq!(
                check(&cfg(), &blocks, &b, 3),
                BatchValidity::Drop,
                "tx {tx:?}"
            );
        }
        let isthmus = RollupConfig {
            ecotone_time: Some(0),
            fjord_time: Some(0),
            granite_time: Some(0),
            holocene_time: Some(0),
            isthmus_time: Some(0),
            ..cfg()
        };
        let mut b = batch(1, T0 + 22);
        b.transactions.push(&[0x04, 0x01]).unwrap();
        assert_eq!(
            check(&isthmus, &blocks, &b, 3),
            BatchValidity::Accept,
            "set-code allowed from Isthmus"
        );
    }

    #[test]
    fn rule_jovian_activation_block_must_not_carry_transactions() {
        let jovian = RollupConfig {
            ecotone_time: Some(0),
            fjord_time: Some(0),
            granite_time: Some(0),
            holocene_time: Some(0),
            isthmus_time: Some(0),
            jovian_time: Some(T0 + 22),
            ..cfg()
        };
        let blocks = [l1(1), l1(2)];
        assert_eq!(
            check(&jovian, &blocks, &batch(1, T0 + 22), 3),
            BatchValidity::Drop
        );
        let mut empty = batch(1, T0 + 22);
        empty.transactions.clear();
        assert_eq!(check(&jovian, &blocks, &empty, 3), BatchValidity::Accept);
    }

    #[test]
    fn rule_karst_activation_block_must_not_carry_transactions() {
        let karst = RollupConfig {
            ecotone_time: Some(0),
            fjord_time: Some(0),
            granite_time: Some(0),
            holocene_time: Some(0),
            isthmus_time: Some(0),
            jovian_time: Some(0),
            karst_time: Some(T0 + 22),
            ..cfg()
        };
        let blocks = [l1(1), l1(2)];
        assert_eq!(
            check(&karst, &blocks, &batch(1, T0 + 22), 3),
            BatchValidity::Drop
        );
        let mut empty = batch(1, T0 + 22);
        empty.transactions.clear();
        assert_eq!(check(&karst, &blocks, &empty, 3), BatchValidity::Accept);
        // The block after the activation block takes transactions again.
        let after = SingularBatch {
            timestamp: T0 + 24,
            ..batch(1, T0 + 24)
        };
        let parent = L2BlockInfo {
            block_info: BlockInfo {
                timestamp: T0 + 22,
                ..safe_head().block_info
            },
            ..safe_head()
        };
        assert_eq!(
            check_singular_batch(&karst, &blocks, &parent, &after, &l1(3)),
            BatchValidity::Accept
        );
    }

    /// A safe head whose next slot, or whose epoch's successor, lies past `u64::MAX`: the
    /// checks used to compute `timestamp + block_time` and `number + 1` unchecked (a panic in
    /// debug builds, a silent wrap in the release client).
    fn extreme_safe_head(timestamp: u64, origin: BlockInfo) -> L2BlockInfo {
        L2BlockInfo {
            block_info: BlockInfo {
                timestamp,
                ..safe_head().block_info
            },
            l1_origin: origin.id(),
            seq_num: 0,
        }
    }

    #[test]
    fn extreme_values_do_not_wrap_in_singular_checks() {
        let holocene = RollupConfig {
            ecotone_time: Some(0),
            fjord_time: Some(0),
            granite_time: Some(0),
            holocene_time: Some(0),
            ..cfg()
        };
        // Next slot past u64::MAX: every batch is behind it. Wrapped, the slot would be 0 and
        // the batch a future one.
        let parent = extreme_safe_head(u64::MAX - 1, l1(1));
        let late = batch(1, u64::MAX);
        let blocks = [l1(1), l1(2)];
        assert_eq!(
            check_singular_batch(&cfg(), &blocks, &parent, &late, &l1(3)),
            BatchValidity::Drop
        );
        assert_eq!(
            check_singular_batch(&holocene, &blocks, &parent, &late, &l1(3)),
            BatchValidity::Past
        );
    }

    #[test]
    fn extreme_values_do_not_wrap_in_span_checks() {
        let mut l2 = TestL2Provider::default();
        let parent = extreme_safe_head(u64::MAX - 1, l1(1));
        let s = span(vec![(1, u64::MAX, 0)], parent.block_info.hash, l1(1).hash);
        assert_eq!(
            check_span_batch(
                &cfg(),
                &[l1(1), l1(2)],
                &parent,
                &s,
                &l1(3),
                &mut l2,
                SpanCheck::Full
            ),
            Err(PipelineError::Overflow {
                what: "L2 timestamp"
            })
        );
        // An epoch `u64::MAX` safe head: a span at epoch 0 (`u64::MAX + 1` wrapped) does not
        // follow it, it is older.
        let last = BlockInfo {
            number: u64::MAX,
            ..l1(1)
        };
        let parent = extreme_safe_head(T0 + 20, last);
        let s = span(vec![(0, T0 + 22, 0)], parent.block_info.hash, l1(0).hash);
        let validity = check_span_batch(
            &cfg(),
            &[last, l1(0)],
            &parent,
            &s,
            &l1(3),
            &mut l2,
            SpanCheck::Full,
        )
        .unwrap();
        assert_eq!(validity, BatchValidity::Drop);
    }

    fn span(elements: Vec<(u64, u64, usize)>, parent: B256, last_epoch_hash: B256) -> SpanBatch {
        SpanBatch {
            parent_check: FixedBytes::from_slice(&parent[..20]),
            l1_origin_check: FixedBytes::from_slice(&last_epoch_hash[..20]),
            first_origin_changed: false,
            elements: elements
                .into_iter()
                .map(|(epoch_num, timestamp, txs)| SpanBatchElement {
                    epoch_num,
                    timestamp,
                    transactions: TxList::try_from_iter(vec![[0x02, 0x05]; txs]).unwrap(),
                })
                .collect(),
        }
    }

    #[test]
    fn span_rule_accepts_a_valid_span_without_l2_lookups() {
        let mut l2 = TestL2Provider::default();
        let blocks = [l1(1), l1(2)];
        let s = span(
            vec![(1, T0 + 22, 1), (2, T0 + 24, 1), (2, T0 + 26, 0)],
            safe_head().block_info.hash,
            l1(2).hash,
        );
        let validity = check_span_batch(
            &cfg(),
            &blocks,
            &safe_head(),
            &s,
            &l1(3),
            &mut l2,
            SpanCheck::Full,
        )
        .unwrap();
        assert_eq!(validity, BatchValidity::Accept);
        assert_eq!(l2.lookups, 0, "a non-overlapping span needs no L2 lookup");
    }

    #[test]
    fn span_rule_checks_parent_origin_hash_and_delta() {
        let mut l2 = TestL2Provider::default();
        let blocks = [l1(1), l1(2)];
        let run = |rollup_config: &RollupConfig, s: &SpanBatch, l2: &mut TestL2Provider| {
            check_span_batch(
                rollup_config,
                &blocks,
                &safe_head(),
                s,
                &l1(3),
                l2,
                SpanCheck::Full,
            )
            .unwrap()
        };
        let bad_parent = span(vec![(1, T0 + 22, 1)], B256::repeat_byte(0xee), l1(1).hash);
        assert_eq!(run(&cfg(), &bad_parent, &mut l2), BatchValidity::Drop);
        let bad_origin = span(
            vec![(1, T0 + 22, 1)],
            safe_head().block_info.hash,
            B256::repeat_byte(0xee),
        );
        assert_eq!(run(&cfg(), &bad_origin, &mut l2), BatchValidity::Drop);
        let unknown_end = span(
            vec![(1, T0 + 22, 1), (2, T0 + 24, 0), (3, T0 + 36, 0)],
            safe_head().block_info.hash,
            l1(3).hash,
        );
        assert_eq!(run(&cfg(), &unknown_end, &mut l2), BatchValidity::Undecided);
        let pre_delta = RollupConfig {
            delta_time: Some(u64::MAX),
            ..cfg()
        };
        let ok = span(
            vec![(1, T0 + 22, 1)],
            safe_head().block_info.hash,
            l1(1).hash,
        );
        assert_eq!(run(&pre_delta, &ok, &mut l2), BatchValidity::Drop);
        let future = span(
            vec![(1, T0 + 24, 1)],
            safe_head().block_info.hash,
            l1(1).hash,
        );
        assert_eq!(run(&cfg(), &future, &mut l2), BatchValidity::Future);
    }

    /// A safe chain of blocks 8 (the span's parent), 9 and 10 (the safe head), blocks 9 and 10
    /// in epoch 1 with one deposit and one sequenced transaction each.
    fn overlapped_safe_chain() -> (TestL2Provider, L2BlockInfo) {
        let mut l2 = TestL2Provider::default();
        let parent = L2BlockInfo {
            block_info: BlockInfo {
                hash: B256::repeat_byte(0x08),
                number: 8,
                parent_hash: B256::ZERO,
                timestamp: T0 + 16,
            },
            l1_origin: l1(1).id(),
            seq_num: 0,
        };
        l2.blocks.insert(8, parent);
        for (n, ts) in [(9u64, T0 + 18), (10, T0 + 20)] {
            l2.blocks.insert(
                n,
                L2BlockInfo {
                    block_info: BlockInfo {
                        number: n,
                        timestamp: ts,
                        ..Default::default()
                    },
                    l1_origin: l1(1).id(),
                    seq_num: n - 8,
                },
            );
            l2.transactions.insert(
                n,
                vec![
                    Bytes::from_static(&[0x7e, 0x00]),
                    Bytes::from_static(&[0x02, 0x05]),
                ],
            );
        }
        (l2, parent)
    }

    #[test]
    fn span_rule_overlap_must_match_the_safe_chain_with_one_lookup_per_block() {
        let (mut l2, parent) = overlapped_safe_chain();
        let blocks = [l1(1), l1(2)];
        let s = span(
            vec![(1, T0 + 18, 1), (1, T0 + 20, 1), (1, T0 + 22, 1)],
            parent.block_info.hash,
            l1(1).hash,
        );
        let validity = check_span_batch(
            &cfg(),
            &blocks,
            &safe_head(),
            &s,
            &l1(3),
            &mut l2,
            SpanCheck::Full,
        )
        .unwrap();
        assert_eq!(validity, BatchValidity::Accept);
        assert_eq!(
            l2.lookups,
            1 + 2 * 2,
            "parent + (txs, info) per overlapped block"
        );

        l2.transactions
            .insert(10, vec![Bytes::from_static(&[0x02, 0x06])]);
        let validity = check_span_batch(
            &cfg(),
            &blocks,
            &safe_head(),
            &s,
            &l1(3),
            &mut l2,
            SpanCheck::Full,
        )
        .unwrap();
        assert_eq!(
            validity,
            BatchValidity::Drop,
            "overlapped block differs from the safe chain"
        );
    }

    #[test]
    fn holocene_span_overlap_must_match_the_safe_chain_too() {
        // specs#928 / optimism#22215: Holocene keeps Delta's overlap checks.
        let holocene = RollupConfig {
            ecotone_time: Some(0),
            fjord_time: Some(0),
            granite_time: Some(0),
            holocene_time: Some(0),
            ..cfg()
        };
        let (mut l2, parent) = overlapped_safe_chain();
        let blocks = [l1(1), l1(2)];
        let s = span(
            vec![(1, T0 + 18, 1), (1, T0 + 20, 1), (1, T0 + 22, 1)],
            parent.block_info.hash,
            l1(1).hash,
        );
        let check = |l2: &mut TestL2Provider, s: &SpanBatch| {
            check_span_batch(
                &holocene,
                &blocks,
                &safe_head(),
                s,
                &l1(3),
                l2,
                SpanCheck::Holocene,
            )
            .unwrap()
        };
        assert_eq!(check(&mut l2, &s), BatchValidity::Accept);
        assert_eq!(
            l2.lookups,
            1 + 2 * 2,
            "parent + (txs, info) per overlapped block"
        );

        l2.transactions.insert(
            10,
            vec![
                Bytes::from_static(&[0x7e]),
                Bytes::from_static(&[0x02, 0x06]),
            ],
        );
        assert_eq!(
            check(&mut l2, &s),
            BatchValidity::Drop,
            "different transactions"
        );

        let (mut l2, _) = overlapped_safe_chain();
        let mut other_origin = l2.blocks[&9];
        other_origin.l1_origin = l1(0).id();
        l2.blocks.insert(9, other_origin);
        assert_eq!(
            check(&mut l2, &s),
            BatchValidity::Drop,
            "different L1 origin"
        );
    }

    #[test]
    fn span_rule_new_blocks_with_an_old_or_unknown_epoch_are_dropped() {
        let blocks = [l1(1), l1(2)];
        let mut l2 = TestL2Provider::default();
        let mut run = |s: &SpanBatch| {
            check_span_batch(
                &cfg(),
                &blocks,
                &safe_head(),
                s,
                &l1(3),
                &mut l2,
                SpanCheck::Full,
            )
            .unwrap()
        };
        // The span's last block is in epoch 2, but a new block before it is in epoch 3, which
        // is not buffered (epochs out of order cannot come from origin bits; the check must
        // still drop, not fail).
        let mut unknown = span(
            vec![(1, T0 + 22, 0), (3, T0 + 24, 0), (2, T0 + 26, 0)],
            safe_head().block_info.hash,
            l1(2).hash,
        );
        assert_eq!(run(&unknown), BatchValidity::Drop);
        // A new block whose epoch is older than the safe head's (epoch 1).
        unknown.elements[1].epoch_num = 0;
        assert_eq!(run(&unknown), BatchValidity::Drop);
    }

    #[test]
    fn holocene_span_prefix_reports_fully_past_spans() {
        let holocene = RollupConfig {
            ecotone_time: Some(0),
            fjord_time: Some(0),
            granite_time: Some(0),
            holocene_time: Some(0),
            ..cfg()
        };
        let mut l2 = TestL2Provider::default();
        let s = span(
            vec![(1, T0 + 18, 1), (1, T0 + 20, 1)],
            B256::ZERO,
            l1(1).hash,
        );
        let validity = check_span_batch(
            &holocene,
            &[l1(1), l1(2)],
            &safe_head(),
            &s,
            &l1(3),
            &mut l2,
            SpanCheck::Holocene,
        )
        .unwrap();
        assert_eq!(validity, BatchValidity::Past);
    }
}
