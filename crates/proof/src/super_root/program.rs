//! One step of the super-root state transition (`specs/interop/fault-proof.md`, "Super Root
//! State Transition") and its verdict.

use alloc::vec::Vec;
use alloy_primitives::B256;
use koa_preimage::{HintWriterClient, PreimageOracleClient};
use koa_protocol::{
    L1ChainConfig,
    super_root::{LocalSafeBlock, SuperRoot, SuperState, TransitionState},
};

use super::{SuperBootError, SuperBootInfo};
use crate::{
    Advance, ChainContext, ChainDriver, DriverStats, L2Store, OracleStats, ProofError, ProofOracle,
    blob::BlobVerifier, precompile::Precompiles,
};

/// What the step did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StepKind {
    /// The pre-state is the invalid state: so is the post-state.
    InvalidPreState,
    /// The pre-state is a super root at or after the claimed timestamp: the trace is extended,
    /// the post-state is the pre-state.
    TraceExtension,
    /// The pre-state is a transition state at or after the claimed timestamp: no valid trace
    /// reaches it, the claim is invalid whatever it is (as kona).
    PastClaimedTimestamp,
    /// The next block of a chain was derived and executed.
    Derived {
        /// The chain.
        chain_id: u64,
        /// The block's number.
        number: u64,
    },
    /// The chain's next block is after the next timestamp (block time over one second): its
    /// safe head is carried over unchanged.
    NoBlockDue {
        /// The chain.
        chain_id: u64,
    },
    /// L1 ran out before the chain's next block: the post-state is the invalid state.
    L1Exhausted {
        /// The chain.
        chain_id: u64,
    },
    /// A padding step past the chain count.
    Padding,
    /// The consolidation step: the next super root.
    Consolidation,
}

/// The outcome of a super-root step that could decide the claim.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SuperVerdict {
    /// Whether the claimed post-state is the computed one.
    pub valid: bool,
    /// The claimed post-state commitment.
    pub claimed_post_state: B256,
    /// The post-state the program computed (`None` when no valid trace reaches the pre-state:
    /// [`StepKind::PastClaimedTimestamp`]).
    pub post_state: Option<SuperState>,
    /// What the step did.
    pub step: StepKind,
    /// Derivation and execution counters.
    pub driver: DriverStats,
    /// What was read from the host.
    pub oracle: OracleStats,
}

impl SuperVerdict {
    /// op-challenger's exit code: 0 for a valid claim, 1 for an invalid one.
    pub const fn exit_code(&self) -> i32 {
        if self.valid { 0 } else { 1 }
    }

    /// The computed post-state commitment, if any.
    pub fn computed_post_state(&self) -> Option<B256> {
        self.post_state.as_ref().map(SuperState::hash)
    }
}

/// Judges the claim of `boot`: computes the post-state of one step from the agreed pre-state
/// and compares its commitment with the claimed one.
pub fn prove_super_with<O, H, V>(
    oracle: &ProofOracle<O, H>,
    boot: &SuperBootInfo,
    verifier: V,
    precompiles: Precompiles,
) -> Result<SuperVerdict, ProofError>
where
    O: PreimageOracleClient,
    H: HintWriterClient,
    V: BlobVerifier,
{
    tracing::info!(
        target: "proof::super_root",
        l1_head = %boot.l1_head,
        agreed = %boot.agreed_pre_state_commitment,
        claimed = %boot.claimed_post_state,
        claimed_timestamp = boot.claimed_timestamp,
        "judging super-root claim"
    );
    let mut driver_stats = DriverStats::default();
    let (post_state, step) = match &boot.agreed_pre_state {
        SuperState::Invalid => (Some(SuperState::Invalid), StepKind::InvalidPreState),
        SuperState::SuperRoot(root) if root.timestamp() >= boot.claimed_timestamp => (
            Some(boot.agreed_pre_state.clone()),
            StepKind::TraceExtension,
        ),
        SuperState::Transition(state)
            if state.super_root().timestamp() >= boot.claimed_timestamp =>
        {
            (None, StepKind::PastClaimedTimestamp)
        }
        SuperState::SuperRoot(root) => {
            let (post, kind) = transition_step(
                oracle,
                boot,
                TransitionState::start(root.clone()),
                verifier,
                precompiles,
                &mut driver_stats,
            )?;
            (Some(post), kind)
        }
        SuperState::Transition(state) => {
            let (post, kind) = transition_step(
                oracle,
                boot,
                state.clone(),
                verifier,
                precompiles,
                &mut driver_stats,
            )?;
            (Some(post), kind)
        }
    };
    let computed = post_state.as_ref().map(SuperState::hash);
    let verdict = SuperVerdict {
        valid: computed == Some(boot.claimed_post_state),
        claimed_post_state: boot.claimed_post_state,
        post_state,
        step,
        driver: driver_stats,
        oracle: oracle.stats(),
    };
    tracing::info!(
        target: "proof::super_root",
        valid = verdict.valid,
        step = ?verdict.step,
        computed = ?computed,
        blocks = verdict.driver.blocks_executed,
        preimages = verdict.oracle.preimages,
        "verdict"
    );
    Ok(verdict)
}

/// One step from a transition state.
fn transition_step<O, H, V>(
    oracle: &ProofOracle<O, H>,
    boot: &SuperBootInfo,
    state: TransitionState,
    verifier: V,
    precompiles: Precompiles,
    stats: &mut DriverStats,
) -> Result<(SuperState, StepKind), ProofError>
where
    O: PreimageOracleClient,
    H: HintWriterClient,
    V: BlobVerifier,
{
    if state.is_consolidation() {
        return consolidate(boot, &state);
    }
    let Some(index) = state.deriving_chain_index() else {
        let padded = state.padded().ok_or(ProofError::SuperTransition(
            "a padding step that cannot pad",
        ))?;
        return Ok((SuperState::Transition(padded), StepKind::Padding));
    };
    let chain = state.super_root().output_roots()[index];
    let chain_id = chain.chain_id;
    let config = boot
        .rollup_configs
        .get(&chain_id)
        .ok_or(SuperBootError::MissingRollupConfig(chain_id))?;
    let l1_chain_config: L1ChainConfig = boot
        .l1_chain_config
        .ok_or(SuperBootError::MissingL1ChainConfig(chain_id))?;
    let store = L2Store::for_chain(oracle, config, chain_id, chain.output_root)?;
    let safe = store.tip().clone();
    // The super output holds, per chain, the last block at or before its timestamp
    // (`optimism-portal.md`, "Super Output": `Time_S - BlockTime < Time_B <= Time_S`). The next
    // block is due at the next timestamp only if it is not after it; otherwise the chain's
    // block stays (kona's no-op rule for block times over one second, which follows from the
    // spec's rule; the spec's step text itself says only "derive the next local safe block").
    let next_timestamp = state.super_root().timestamp().saturating_add(1);
    if safe.timestamp.saturating_add(config.block_time) > next_timestamp {
        let block = LocalSafeBlock {
            block_hash: safe.hash(),
            output_root: chain.output_root,
        };
        let post = state
            .with_derived_block(block)
            .ok_or(ProofError::SuperTransition(
                "a derivation step that cannot derive",
            ))?;
        return Ok((
            SuperState::Transition(post),
            StepKind::NoBlockDue { chain_id },
        ));
    }
    let context = ChainContext {
        chain_id,
        rollup_config: config,
        l1_chain_config,
        l1_head: boot.l1_head,
        multi_chain: true,
    };
    let mut driver =
        ChainDriver::new(oracle, context, store, verifier)?.with_precompiles(precompiles);
    let advance = driver.next_block()?;
    *stats = driver.stats();
    match advance {
        Advance::Exhausted => Ok((SuperState::Invalid, StepKind::L1Exhausted { chain_id })),
        Advance::Block {
            head, output_root, ..
        } => {
            let block = LocalSafeBlock {
                block_hash: head.block_info.hash,
                output_root,
            };
            let post = state
                .with_derived_block(block)
                .ok_or(ProofError::SuperTransition(
                    "a derivation step that cannot derive",
                ))?;
            Ok((
                SuperState::Transition(post),
                StepKind::Derived {
                    chain_id,
                    number: head.block_info.number,
                },
            ))
        }
    }
}

/// The consolidation step: every pending block checked, the next super root built from their
/// output roots.
///
/// Executing messages are not checked yet (Lagoon's cross-chain messages come later). So that
/// no claim is judged on unchecked messages, a chain with interop active at the new timestamp
/// is a program failure ([`ProofError::InteropMessagesUnchecked`]), not a verdict. Before
/// interop no block can carry an executing message, so every pending block is valid and no
/// deposits-only replacement (`specs/interop/derivation.md`, "Replacing Invalid Blocks") is
/// due: this is where the message checks and the replacement of the blocks they reject go.
fn consolidate(
    boot: &SuperBootInfo,
    state: &TransitionState,
) -> Result<(SuperState, StepKind), ProofError> {
    let next_timestamp = state.super_root().timestamp().saturating_add(1);
    for chain_id in state.super_root().chain_ids() {
        let config = boot
            .rollup_configs
            .get(&chain_id)
            .ok_or(SuperBootError::MissingRollupConfig(chain_id))?;
        if config.is_interop_active(next_timestamp) {
            return Err(ProofError::InteropMessagesUnchecked {
                chain_id,
                timestamp: next_timestamp,
            });
        }
    }
    let roots: Vec<B256> = state
        .pending_progress()
        .iter()
        .map(|block| block.output_root)
        .collect();
    let next: SuperRoot = state
        .consolidated(&roots)
        .ok_or(ProofError::SuperTransition(
            "consolidation of a state that is not at step 127",
        ))?
        .map_err(|_| ProofError::SuperTransition("the consolidated super root is malformed"))?;
    Ok((SuperState::SuperRoot(next), StepKind::Consolidation))
}
