//! Batch validity rules (derivation spec "Batch Queue", span batch spec, Holocene changes).

use alloy_primitives::Bytes;
use koa_protocol::{
    Hardfork, RollupConfig,
    batch::{DEPOSIT_TX_TYPE, SingularBatch, SpanBatch},
};

use crate::{
    errors::{PipelineError, PipelineResult},
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
    /// Every rule, including per-block and overlap checks (before Holocene).
    Full,
    /// Only the span-level prefix (Holocene: the blocks are then checked one by one as
    /// singular batches).
    Prefix,
}

/// Whether the L2 block at `timestamp` is an activation block that must not carry user
/// transactions (Jovian and Interop derivation specs: such a batch is dropped).
fn is_tx_free_activation_block(cfg: &RollupConfig, timestamp: u64) -> bool {
    [Hardfork::Jovian, Hardfork::Interop]
        .into_iter()
        .any(|fork| timestamp > cfg.genesis.l2_time && cfg.is_activation_block(fork, timestamp))
}

/// Checks the transaction rules: no empty transaction, no deposit, no set-code transaction
/// before Isthmus.
fn transactions_valid(cfg: &RollupConfig, timestamp: u64, txs: &[Bytes]) -> bool {
    let isthmus = cfg.is_isthmus_active(timestamp);
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
    cfg: &RollupConfig,
    timestamp: u64,
    origin: &BlockInfo,
    next_origin: Option<&BlockInfo>,
    advances_origin: bool,
    tx_count: usize,
) -> BatchValidity {
    let max = origin
        .timestamp
        .saturating_add(cfg.max_sequencer_drift(origin.timestamp));
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
    cfg: &RollupConfig,
    l1_blocks: &[BlockInfo],
    parent: &L2BlockInfo,
    batch: &SingularBatch,
    inclusion: &BlockInfo,
) -> BatchValidity {
    let Some(epoch) = l1_blocks.first() else {
        return BatchValidity::Undecided;
    };
    let next_timestamp = parent.block_info.timestamp + cfg.block_time;
    let holocene = cfg.is_holocene_active(inclusion.timestamp);
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
    if batch.epoch_num.saturating_add(cfg.seq_window_size) < inclusion.number {
        tracing::warn!(target: "derive::batch", "dropping batch included after its sequence window");
        return BatchValidity::Drop;
    }
    let batch_origin = if batch.epoch_num < epoch.number {
        tracing::warn!(target: "derive::batch", "dropping batch with an epoch older than the safe head's");
        return BatchValidity::Drop;
    } else if batch.epoch_num == epoch.number {
        epoch
    } else if batch.epoch_num == epoch.number + 1 {
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
        cfg,
        batch.timestamp,
        batch_origin,
        l1_blocks.get(1),
        advances,
        batch.transactions.len(),
    );
    if drift != BatchValidity::Accept {
        return drift;
    }
    if !transactions_valid(cfg, batch.timestamp, &batch.transactions) {
        return BatchValidity::Drop;
    }
    if !batch.transactions.is_empty() && is_tx_free_activation_block(cfg, batch.timestamp) {
        tracing::warn!(target: "derive::batch", "dropping batch with transactions in an activation block");
        return BatchValidity::Drop;
    }
    BatchValidity::Accept
}

/// Checks a span batch against the safe head `parent` in one pass (span batch spec, "Span
/// batch validation", and Holocene's prefix rules).
///
/// L2 lookups: the parent block when the span overlaps the safe chain (one lookup), and for
/// [`SpanCheck::Full`] each overlapped block's transactions and L1 origin (one lookup each).
/// The L1 origins of the span's blocks are resolved by a single forward scan of `l1_blocks`.
pub fn check_span_batch<L2: L2ChainProvider>(
    cfg: &RollupConfig,
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
    let holocene = cfg.is_holocene_active(inclusion.timestamp);
    let start_epoch = first.epoch_num;
    let batch_origin = if start_epoch == epoch.number + 1 {
        match l1_blocks.get(1) {
            Some(next) => next,
            None => return Ok(BatchValidity::Undecided),
        }
    } else {
        epoch
    };
    if !cfg.is_delta_active(batch_origin.timestamp) {
        tracing::warn!(target: "derive::batch", "dropping span batch with an origin before Delta");
        return Ok(BatchValidity::Drop);
    }
    let safe = &parent.block_info;
    let next_timestamp = safe.timestamp + cfg.block_time;
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
        if !behind.is_multiple_of(cfg.block_time) {
            tracing::warn!(target: "derive::batch", "span batch does not overlap exactly");
            return Ok(BatchValidity::Drop);
        }
        let Some(parent_number) = safe.number.checked_sub(behind / cfg.block_time + 1) else {
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
    if start_epoch.saturating_add(cfg.seq_window_size) < inclusion.number {
        tracing::warn!(target: "derive::batch", "dropping span batch included after its sequence window");
        return Ok(BatchValidity::Drop);
    }
    if start_epoch > span_parent.l1_origin.number + 1 {
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
    if mode == SpanCheck::Prefix {
        return Ok(BatchValidity::Accept);
    }

    // Per-block rules, one forward pass over the blocks and the L1 origins.
    let mut origin_index = 0usize;
    let mut previous_epoch: Option<u64> = None;
    for element in &batch.elements {
        let advances = match previous_epoch {
            None => start_epoch == span_parent.l1_origin.number + 1,
            Some(previous) => element.epoch_num > previous,
        };
        previous_epoch = Some(element.epoch_num);
        if element.timestamp <= safe.timestamp {
            continue;
        }
        let Some(offset) = l1_blocks[origin_index..]
            .iter()
            .position(|block| block.number == element.epoch_num)
        else {
            return Err(PipelineError::UnknownEpoch(element.epoch_num));
        };
        origin_index += offset;
        let origin = &l1_blocks[origin_index];
        if element.timestamp < origin.timestamp {
            tracing::warn!(target: "derive::batch", "span block older than its L1 origin");
            return Ok(BatchValidity::Drop);
        }
        let drift = check_drift(
            cfg,
            element.timestamp,
            origin,
            l1_blocks.get(origin_index + 1),
            advances,
            element.transactions.len(),
        );
        if drift != BatchValidity::Accept {
            return Ok(drift);
        }
        if !transactions_valid(cfg, element.timestamp, &element.transactions) {
            return Ok(BatchValidity::Drop);
        }
        if !element.transactions.is_empty() && is_tx_free_activation_block(cfg, element.timestamp) {
            return Ok(BatchValidity::Drop);
        }
    }

    // Overlapped blocks must match the safe chain.
    if first.timestamp < next_timestamp {
        let overlap = safe.number.saturating_sub(span_parent.block_info.number);
        for (i, element) in batch.elements.iter().take(overlap as usize).enumerate() {
            let number = span_parent.block_info.number + 1 + i as u64;
            let safe_txs = l2
                .transactions_by_number(number)
                .map_err(PipelineError::provider)?;
            let user_txs: alloc::vec::Vec<&Bytes> = safe_txs
                .iter()
                .filter(|tx| tx.first() != Some(&DEPOSIT_TX_TYPE))
                .collect();
            if user_txs.len() != element.transactions.len()
                || user_txs
                    .iter()
                    .zip(&element.transactions)
                    .any(|(a, b)| *a != b)
            {
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
    }
    Ok(BatchValidity::Accept)
}
