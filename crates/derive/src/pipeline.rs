//! The derivation pipeline: stages wired together, a step API, reset, and a driver loop.

use alloy_primitives::B256;
use koa_protocol::{
    L1ChainConfig, RollupConfig, SystemConfig, batch::SingularBatch, config::CONFIG_UPDATE_TOPIC,
};

use crate::{
    attributes::{AttributesBuilder, AttributesWithParent},
    error::{PipelineError, PipelineErrorKind, PipelineResult},
    stages::{BatchQueue, L1Source, L1Stages},
    traits::{BlobProvider, ChainProvider, L2ChainProvider},
    types::{BlockInfo, L2BlockInfo},
};

/// Temporary errors in a row [`DerivationPipeline::run_to`] retries by default.
pub const DEFAULT_TEMPORARY_RETRY_LIMIT: u32 = 8;

/// The outcome of one [`DerivationPipeline::step`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StepResult {
    /// Attributes for the block after the cursor.
    PreparedAttributes(alloc::boxed::Box<AttributesWithParent>),
    /// The stages made progress without output yet: step again.
    Progressed,
    /// The stages drained the current L1 block; the origin moved to the next one.
    AdvancedOrigin(BlockInfo),
    /// The L1 source is exhausted (the configured L1 head is reached).
    EndOfSource,
    /// A stage failed; [`PipelineError::kind`] says how to react.
    Failed(PipelineError),
}

/// The derivation pipeline over an L1 chain, an L2 chain and a blob source.
#[derive(Debug)]
pub struct DerivationPipeline<C, L2, B> {
    rollup_config: RollupConfig,
    l1_head: Option<u64>,
    /// Temporary errors in a row that [`Self::run_to`] retries.
    temporary_retry_limit: u32,
    l1: L1Stages,
    batches: BatchQueue,
    /// The batch whose attributes are being built, kept until they are (op-node's attributes
    /// queue keeps it too): a temporary provider error retries it instead of losing it.
    pending_batch: Option<SingularBatch>,
    builder: AttributesBuilder,
    /// The L1 chain provider.
    pub chain: C,
    /// The L2 chain provider.
    pub l2: L2,
    /// The blob provider.
    pub blobs: B,
}

impl<C: ChainProvider, L2: L2ChainProvider, B: BlobProvider> DerivationPipeline<C, L2, B> {
    /// A pipeline for `rollup_config` reading L1 up to and including block `l1_head` (unbounded if
    /// `None`). Call [`Self::reset`] before stepping.
    pub fn new(
        rollup_config: RollupConfig,
        l1_chain_config: L1ChainConfig,
        l1_head: Option<u64>,
        chain: C,
        l2: L2,
        blobs: B,
    ) -> Self {
        Self {
            rollup_config,
            l1_head,
            temporary_retry_limit: DEFAULT_TEMPORARY_RETRY_LIMIT,
            l1: L1Stages::default(),
            batches: BatchQueue::default(),
            pending_batch: None,
            builder: AttributesBuilder::new(l1_chain_config),
            chain,
            l2,
            blobs,
        }
    }

    /// The rollup config.
    pub fn rollup_config(&self) -> &RollupConfig {
        &self.rollup_config
    }

    /// The L1 block the pipeline is reading.
    pub fn origin(&self) -> Option<BlockInfo> {
        self.l1.origin()
    }

    /// Resets the pipeline to derive the blocks after `safe_head` (derivation spec,
    /// "Resetting the Pipeline").
    ///
    /// The L1 base the stages restart from is the L1 origin of the first L2 block, walking back
    /// from the safe head, whose origin is more than a channel timeout older than the safe
    /// head's (so channels still open at the safe head are read again); that block's system
    /// config seeds L1 traversal (spec step 5 and "Resetting derivation stages").
    /// [`Self::reset_start`] finds both while reading as little of the L2 chain as it can.
    ///
    /// The channel timeout is the one in force at the safe head's L1 origin for the whole
    /// window; op-node re-evaluates it at each walked block's origin, which differs only when
    /// Granite (which shortens the timeout) activates inside the window.
    pub fn reset(&mut self, safe_head: L2BlockInfo) -> PipelineResult<()> {
        let safe_origin = self
            .chain
            .block_info_by_number(safe_head.l1_origin.number)
            .map_err(PipelineError::provider)?;
        if safe_origin.hash != safe_head.l1_origin.hash {
            return Err(PipelineError::EpochMismatch {
                safe_origin: safe_head.l1_origin.number,
                epoch: safe_origin.number,
            });
        }
        let timeout = self.rollup_config.channel_timeout(safe_origin.timestamp);
        let (base, system_config) = self.reset_start(&safe_head, timeout)?;
        tracing::info!(target: "derive::pipeline", base = base.number, safe_head = safe_head.block_info.number, "pipeline reset");
        self.l1.reset(base, system_config);
        self.batches.reset(base);
        self.pending_batch = None;
        Ok(())
    }

    /// The reset's L1 base and a system config that makes L1 traversal from it read what it
    /// would read seeded with the spec's (the base L2 block's), found from L1 and as few L2
    /// blocks as possible instead of walking the L2 chain back over the whole channel timeout.
    ///
    /// - **Base.** An L2 block's L1 origin is its parent's or the next L1 block (derivation
    ///   spec, batch validity: a batch's epoch is the parent's or the one after; a deposits-only
    ///   block keeps or advances the epoch by one too), and the agreed chain is canonical. So
    ///   walking back from the safe head, origins step down by zero or one, and the first block
    ///   whose origin is more than `timeout` older than the safe head's has origin exactly
    ///   `safe_origin - timeout - 1`; the walk stops earlier only at the L2 genesis or at a
    ///   block whose origin is the L1 genesis, whose origin is `genesis.l1`. Hence
    ///   `base = max(safe_origin - timeout - 1, genesis.l1)`, read from L1.
    /// - **System config.** L1 traversal reads only the batcher address of its system config
    ///   (to pick batcher transactions) and applies each L1 block's `ConfigUpdate` logs as it
    ///   advances to it. The batcher in force at an L1 block `o ≥ base` is the base block's
    ///   changed by the batcher updates of blocks `base + 1 ..= o`. Let `u` be the first block of
    ///   `base + 1 ..= safe_origin` with a batcher update. Every L2 block whose origin is in
    ///   `base ..= u - 1` has the base block's batcher; without such an update the safe head
    ///   does. Seeded with that block's config, traversal picks the same transactions at `base`
    ///   and at every later block (each later update applies identically), and the other fields
    ///   of the seed are never read. So the config comes from the safe head, or, when `u`
    ///   exists, from the newest L2 block with origin `u - 1` (walking back only over origins
    ///   `u ..= safe_origin`).
    ///
    /// kona's client takes the base from L1 in the same way but always seeds traversal with the
    /// safe head's config. With a batcher change inside the window that reads batcher
    /// transactions of the new key (and drops those of the old one) in L1 blocks before the
    /// change; koa follows the spec there.
    ///
    /// The L1 receipts read here are the ones traversal reads next when it advances from the
    /// base to the safe head's origin.
    fn reset_start(
        &mut self,
        safe_head: &L2BlockInfo,
        timeout: u64,
    ) -> PipelineResult<(BlockInfo, SystemConfig)> {
        let genesis = &self.rollup_config.genesis;
        let safe_origin = safe_head.l1_origin.number;
        let base_number = safe_origin
            .saturating_sub(timeout.saturating_add(1))
            .max(genesis.l1.number);
        let mut first_batcher_update = None;
        for number in base_number.saturating_add(1)..=safe_origin {
            let block = self
                .chain
                .block_info_by_number(number)
                .map_err(PipelineError::provider)?;
            let receipts = self
                .chain
                .receipts_by_hash(block.hash)
                .map_err(PipelineError::provider)?;
            if may_update_batcher(&receipts, &self.rollup_config) {
                first_batcher_update = Some(number);
                break;
            }
        }
        let mut config_block = *safe_head;
        if let Some(update) = first_batcher_update {
            tracing::debug!(target: "derive::pipeline", l1_block = update, "batcher update since the reset base: reading the system config from before it");
            while config_block.l1_origin.number >= update
                && config_block.block_info.number > self.rollup_config.genesis.l2.number
            {
                config_block = self
                    .l2
                    .l2_block_info_by_number(config_block.block_info.number - 1)
                    .map_err(PipelineError::provider)?;
            }
        }
        let base = self
            .chain
            .block_info_by_number(base_number)
            .map_err(PipelineError::provider)?;
        let system_config = self
            .l2
            .system_config_by_number(config_block.block_info.number, &self.rollup_config)
            .map_err(PipelineError::provider)?;
        Ok((base, system_config))
    }

    /// Flushes the channel the last attributes came from (Holocene): the rest of the span
    /// batch being applied, the channel being read and the channel being assembled are
    /// dropped.
    ///
    /// A driver calls this when a payload derived from a batch fails to execute and is
    /// replaced by its deposits-only version: the rest of that batch's channel is invalid
    /// from there on (Holocene derivation spec, "Engine Queue"; op-node's `FlushChannel`
    /// signal).
    pub fn flush_channel(&mut self) {
        self.batches.flush_channel();
        self.l1.flush_channel();
    }

    /// Runs the stages once for the block after `cursor` (the safe head).
    pub fn step(&mut self, cursor: L2BlockInfo) -> StepResult {
        let mut source = L1Source {
            rollup_config: &self.rollup_config,
            stages: &mut self.l1,
            chain: &mut self.chain,
            blobs: &mut self.blobs,
        };
        let next = match self.pending_batch.take() {
            Some(batch) => Ok(batch),
            None => {
                self.batches
                    .next_batch(&self.rollup_config, &cursor, &mut source, &mut self.l2)
            }
        };
        match next {
            Ok(batch) => match self.builder.build_deposits_only(
                &self.rollup_config,
                &cursor,
                &batch,
                &mut self.chain,
                &mut self.l2,
            ) {
                Ok(mut attributes) => {
                    // The batch's transactions move into the attributes, after the deposits.
                    if let Err(error) = attributes.append_transactions(batch.transactions) {
                        return StepResult::Failed(error.into());
                    }
                    StepResult::PreparedAttributes(alloc::boxed::Box::new(AttributesWithParent {
                        attributes,
                        parent: cursor,
                        is_deposit_only: self.batches.last_batch_was_generated(),
                    }))
                }
                Err(error) => {
                    self.pending_batch = Some(batch);
                    StepResult::Failed(error)
                }
            },
            Err(PipelineError::NotEnoughData) => StepResult::Progressed,
            Err(PipelineError::Eof) => {
                let Some(origin) = self.l1.origin() else {
                    return StepResult::Failed(PipelineError::MissingOrigin);
                };
                if self.l1_head.is_some_and(|head| origin.number >= head) {
                    return StepResult::EndOfSource;
                }
                match self.l1.advance(&self.rollup_config, &mut self.chain) {
                    Ok(next) => StepResult::AdvancedOrigin(next),
                    Err(error) => StepResult::Failed(error),
                }
            }
            Err(error) => StepResult::Failed(error),
        }
    }

    /// Steps until the stages yield the attributes of the block after `safe_head`, or `None`
    /// when the L1 source is exhausted.
    ///
    /// Temporary errors (a provider that may succeed later) are retried, up to
    /// [`Self::temporary_retry_limit`] times in a row, then returned. Reset and critical errors
    /// are returned: the inputs of a proof are fixed, so an L1 reorg or an inconsistent safe
    /// head cannot be recovered from by re-deriving (op-program fails the same way). A node
    /// that follows a live chain calls [`Self::step`] and [`Self::reset`] itself.
    pub fn next_attributes(
        &mut self,
        safe_head: L2BlockInfo,
    ) -> PipelineResult<Option<AttributesWithParent>> {
        let mut temporary_failures = 0u32;
        loop {
            match self.step(safe_head) {
                StepResult::PreparedAttributes(attributes) => return Ok(Some(*attributes)),
                StepResult::Progressed | StepResult::AdvancedOrigin(_) => temporary_failures = 0,
                StepResult::EndOfSource => return Ok(None),
                StepResult::Failed(error) => match error.kind() {
                    PipelineErrorKind::Temporary
                        if temporary_failures < self.temporary_retry_limit =>
                    {
                        temporary_failures += 1;
                        tracing::warn!(target: "derive::pipeline", %error, attempt = temporary_failures, "temporary error, retrying the step");
                    }
                    PipelineErrorKind::Temporary
                    | PipelineErrorKind::Reset
                    | PipelineErrorKind::Critical => return Err(error),
                },
            }
        }
    }

    /// Derives blocks until the safe head reaches `target` or the L1 source is exhausted, the
    /// way the fault proof program drives derivation (op-program's `ProgramDeriver`).
    ///
    /// `execute` turns attributes into the new safe head (building and executing the block; a
    /// driver that drops invalid attributes returns the unchanged safe head). Errors are those
    /// of [`Self::next_attributes`] and of `execute`.
    pub fn run_to<F>(
        &mut self,
        mut safe_head: L2BlockInfo,
        target: u64,
        mut execute: F,
    ) -> PipelineResult<L2BlockInfo>
    where
        F: FnMut(&AttributesWithParent) -> PipelineResult<L2BlockInfo>,
    {
        while safe_head.block_info.number < target {
            match self.next_attributes(safe_head)? {
                Some(attributes) => safe_head = execute(&attributes)?,
                None => break,
            }
        }
        Ok(safe_head)
    }

    /// How many temporary errors in a row [`Self::run_to`] retries before it gives up.
    pub const fn temporary_retry_limit(&self) -> u32 {
        self.temporary_retry_limit
    }

    /// Sets [`Self::temporary_retry_limit`] (0: never retry).
    pub const fn set_temporary_retry_limit(&mut self, limit: u32) {
        self.temporary_retry_limit = limit;
    }
}

/// Whether an L1 block's receipts may carry a batcher update of the rollup's `SystemConfig`
/// contract: a `ConfigUpdate` log from it in a successful transaction whose `updateType` topic
/// is batcher (0) or missing (system config spec, "System config updates"). Conservative: a
/// malformed log that the config would skip still counts.
fn may_update_batcher(receipts: &[alloy_consensus::Receipt], rollup_config: &RollupConfig) -> bool {
    use alloy_consensus::TxReceipt;
    receipts
        .iter()
        .filter(|receipt| receipt.status())
        .flat_map(|receipt| receipt.logs())
        .filter(|log| {
            log.address == rollup_config.l1_system_config_address
                && log.topics().first() == Some(&CONFIG_UPDATE_TOPIC)
        })
        .any(|log| {
            log.topics()
                .get(2)
                .is_none_or(|update_type| *update_type == B256::ZERO)
        })
}
