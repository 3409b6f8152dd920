//! The super-root claims manifest (`super-claims.json`): claims over every kind of step of the
//! super-root state transition (`specs/interop/fault-proof.md`), each with the verdict a
//! correct program must reach. Every commitment is computed from the generator's ground truth
//! (its blocks, output roots and the L1 block that completes each block's batch), never by
//! running the program.

use alloy_primitives::{B256, hex, keccak256};
use serde::{Deserialize, Serialize};

use crate::{
    generate::{GeneratedChain, GeneratedSuperDevnet},
    super_root::{CONSOLIDATION_STEP, LocalSafeBlock, SuperOutput, TraceState, TransitionState},
};

/// One super-root claim, as a super dispute game would pose it (kona-host's `super` inputs).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SuperClaim {
    /// A short unique name.
    pub name: String,
    /// What the claim exercises.
    pub description: String,
    /// The L1 head the proof may read up to.
    pub l1_head: B256,
    /// The agreed pre-state's preimage, hex with `0x` (a super root, a transition state or
    /// `invalid`).
    pub agreed_l2_pre_state: String,
    /// The agreed pre-state's commitment (`keccak256` of the preimage).
    pub agreed_l2_pre_state_commitment: B256,
    /// The claimed post-state commitment.
    pub claimed_l2_post_state: B256,
    /// The claimed timestamp (the game's proposal timestamp).
    pub claimed_l2_timestamp: u64,
    /// Whether the claim is right (program exit code 0), or wrong (exit code 1).
    pub expected_valid: bool,
}

/// The `super-claims.json` file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SuperClaimsFile {
    /// The claims.
    pub claims: Vec<SuperClaim>,
}

/// The ground truth of a generated super devnet, as timestamps and trace states.
#[derive(Debug)]
pub struct SuperTruth<'a> {
    devnet: &'a GeneratedSuperDevnet,
}

impl<'a> SuperTruth<'a> {
    /// The truth of `devnet`.
    pub const fn new(devnet: &'a GeneratedSuperDevnet) -> Self {
        Self { devnet }
    }

    /// The genesis time of every chain.
    pub fn genesis_time(&self) -> u64 {
        self.devnet.chains[0].rollup_config.genesis.l2_time
    }

    /// The last timestamp at which every chain has a block (the end of the shortest chain).
    pub fn last_timestamp(&self) -> u64 {
        self.devnet
            .chains
            .iter()
            .map(|c| c.rollup_config.genesis.l2_time + c.params.l2_blocks * c.params.block_time)
            .min()
            .unwrap_or(0)
    }

    /// The number of the last block of `chain` at or before `timestamp` (the block a super
    /// root at `timestamp` commits to: `T - block_time < block time <= T`).
    pub fn block_at(chain: &GeneratedChain, timestamp: u64) -> u64 {
        let t0 = chain.rollup_config.genesis.l2_time;
        (timestamp.saturating_sub(t0) / chain.params.block_time).min(chain.params.l2_blocks)
    }

    /// The super output at `timestamp`.
    pub fn super_output(&self, timestamp: u64) -> SuperOutput {
        SuperOutput {
            timestamp,
            outputs: self
                .devnet
                .chains
                .iter()
                .map(|chain| {
                    let block = &chain.l2[Self::block_at(chain, timestamp) as usize];
                    (chain.rollup_config.l2_chain_id, block.output().hash())
                })
                .collect(),
        }
    }

    /// The local safe block chain `index` contributes to the transition from the super root
    /// at `timestamp`, with L1 up to block `l1_head`: the block at `timestamp + 1` if the chain
    /// has one there (`None` if its batch is not in L1 up to `l1_head`: the invalid state), else
    /// the block at `timestamp` again (the no-op of chains with block times over a second).
    pub fn local_safe_block(
        &self,
        index: usize,
        timestamp: u64,
        l1_head: u64,
    ) -> Option<LocalSafeBlock> {
        let chain = &self.devnet.chains[index];
        let current = Self::block_at(chain, timestamp);
        let next = Self::block_at(chain, timestamp + 1);
        if next != current && chain.safe_at[next as usize] > l1_head {
            return None;
        }
        let block = &chain.l2[next as usize];
        Some(LocalSafeBlock {
            block_hash: block.header.hash(),
            output_root: block.output().hash(),
        })
    }

    /// The state after `steps` steps (0 to 128) from the super root at `timestamp`, with L1 up
    /// to block `l1_head`.
    pub fn state_after(&self, timestamp: u64, steps: u64, l1_head: u64) -> TraceState {
        let super_output = self.super_output(timestamp);
        if steps == 0 {
            return TraceState::Super(super_output);
        }
        let chains = self.devnet.chains.len() as u64;
        let mut pending_progress = Vec::new();
        for index in 0..steps.min(chains) {
            match self.local_safe_block(index as usize, timestamp, l1_head) {
                Some(block) => pending_progress.push(block),
                None => return TraceState::Invalid,
            }
        }
        if steps > CONSOLIDATION_STEP {
            // Consolidation: no executing messages on this devnet, so no block is replaced.
            return TraceState::Super(SuperOutput {
                timestamp: timestamp + 1,
                outputs: super_output
                    .outputs
                    .iter()
                    .zip(&pending_progress)
                    .map(|((chain_id, _), block)| (*chain_id, block.output_root))
                    .collect(),
            });
        }
        TraceState::Transition(TransitionState {
            super_output,
            pending_progress,
            step: steps,
        })
    }

    /// The L1 head (the last L1 block).
    pub fn l1_head(&self) -> u64 {
        self.devnet.l1.blocks.len() as u64 - 1
    }

    fn l1_hash(&self, number: u64) -> B256 {
        self.devnet.l1.blocks[number as usize].hash
    }
}

/// The claims of a generated super devnet: from a super root to the first step, a middle
/// step (with two chains or more), padding steps, consolidation (step 127 to the next super
/// root, checked against the super root the chains have there), trace extension, a no-op
/// step of a chain whose block time is over a second, the invalid pre-state, L1 exhausted
/// (the invalid state), and a wrong claim for each kind.
pub fn super_claims(devnet: &GeneratedSuperDevnet) -> Vec<SuperClaim> {
    let truth = SuperTruth::new(devnet);
    let head = truth.l1_head();
    let t0 = truth.genesis_time();
    let last = truth.last_timestamp();
    let chains = devnet.chains.len() as u64;
    // A timestamp in the middle at which the first chain has a block to derive next.
    let mut middle = t0 + (last - t0) / 2;
    while SuperTruth::block_at(&devnet.chains[0], middle + 1)
        == SuperTruth::block_at(&devnet.chains[0], middle)
    {
        middle += 1;
    }
    let mut out = Vec::new();
    let mut claim = |name: &str,
                     description: String,
                     l1_head: u64,
                     pre: &TraceState,
                     post: B256,
                     claimed_l2_timestamp: u64,
                     expected_valid: bool| {
        out.push(SuperClaim {
            name: name.to_string(),
            description,
            l1_head: truth.l1_hash(l1_head),
            agreed_l2_pre_state: format!("0x{}", hex::encode(pre.encode())),
            agreed_l2_pre_state_commitment: pre.hash(),
            claimed_l2_post_state: post,
            claimed_l2_timestamp,
            expected_valid,
        });
    };
    let state = |steps: u64| truth.state_after(middle, steps, head);
    let wrong = keccak256(b"koa super devnet wrong claim");

    // Super root -> first step.
    claim(
        "first-step",
        format!("the super root at {middle} to step 1: the first chain's next block derived"),
        head,
        &state(0),
        state(1).hash(),
        middle + 1,
        true,
    );
    claim(
        "first-step-wrong",
        "step 1 with a made-up commitment".into(),
        head,
        &state(0),
        wrong,
        middle + 1,
        false,
    );
    let next_block_state = {
        // Step 1 carrying the first chain's block after the right one.
        let chain = &devnet.chains[0];
        let after = SuperTruth::block_at(chain, middle + 1) + 1;
        let block = &chain.l2[after.min(chain.params.l2_blocks) as usize];
        TraceState::Transition(TransitionState {
            super_output: truth.super_output(middle),
            pending_progress: vec![LocalSafeBlock {
                block_hash: block.header.hash(),
                output_root: block.output().hash(),
            }],
            step: 1,
        })
    };
    claim(
        "first-step-wrong-block",
        "step 1 carrying the block after the next one".into(),
        head,
        &state(0),
        next_block_state.hash(),
        middle + 1,
        false,
    );
    // A middle step: the second chain derived.
    if chains >= 2 {
        claim(
            "middle-step",
            "step 1 to step 2: the second chain's block at the next second (or its no-op)".into(),
            head,
            &state(1),
            state(2).hash(),
            middle + 1,
            true,
        );
        claim(
            "middle-step-wrong",
            "step 2 claimed as step 1 again".into(),
            head,
            &state(1),
            state(1).hash(),
            middle + 1,
            false,
        );
    }
    // Padding steps.
    for (from, name) in [
        (chains, "padding-first"),
        (64, "padding-middle"),
        (126, "padding-last"),
    ] {
        claim(
            name,
            format!(
                "padding step {from} to {}: no chain left to derive",
                from + 1
            ),
            head,
            &state(from),
            state(from + 1).hash(),
            middle + 1,
            true,
        );
    }
    claim(
        "padding-wrong",
        "padding step 64 claimed as step 66".into(),
        head,
        &state(64),
        state(66).hash(),
        middle + 1,
        false,
    );
    // Consolidation: step 127 to the next super root.
    let consolidated = state(CONSOLIDATION_STEP + 1);
    debug_assert_eq!(
        consolidated,
        TraceState::Super(truth.super_output(middle + 1))
    );
    claim(
        "consolidation",
        format!("step 127 to the super root at {}", middle + 1),
        head,
        &state(CONSOLIDATION_STEP),
        consolidated.hash(),
        middle + 1,
        true,
    );
    claim(
        "consolidation-later-proposal",
        "step 127 to the next super root, the proposal further on".into(),
        head,
        &state(CONSOLIDATION_STEP),
        consolidated.hash(),
        middle + 50,
        true,
    );
    claim(
        "consolidation-wrong-timestamp",
        "step 127 to the super root two seconds on".into(),
        head,
        &state(CONSOLIDATION_STEP),
        truth.super_output(middle + 2).hash(),
        middle + 1,
        false,
    );
    claim(
        "consolidation-wrong",
        "step 127 to the super root it started from".into(),
        head,
        &state(CONSOLIDATION_STEP),
        state(0).hash(),
        middle + 1,
        false,
    );
    // Trace extension: the proposal at or before the agreed super root.
    claim(
        "trace-extension",
        "the proposal at the agreed super root's timestamp: the post-state is the pre-state".into(),
        head,
        &state(0),
        state(0).hash(),
        middle,
        true,
    );
    claim(
        "trace-extension-earlier",
        "a proposal before the agreed super root: the post-state is the pre-state".into(),
        head,
        &state(0),
        state(0).hash(),
        middle - 7,
        true,
    );
    claim(
        "trace-extension-wrong",
        "the proposal at the agreed super root's timestamp, claiming step 1".into(),
        head,
        &state(0),
        state(1).hash(),
        middle,
        false,
    );
    // A transition state at or past the proposal is never in the honest trace (kona: invalid).
    claim(
        "transition-past-proposal",
        "a transition state whose super root is at the proposal timestamp".into(),
        head,
        &state(3),
        state(4).hash(),
        middle,
        false,
    );
    // The no-op step of a chain whose block time is over a second.
    if let Some(index) = devnet.chains.iter().position(|c| c.params.block_time > 1) {
        let chain = &devnet.chains[index];
        let mut at = middle;
        while SuperTruth::block_at(chain, at + 1) != SuperTruth::block_at(chain, at) {
            at += 1;
        }
        let step = index as u64;
        let pre = truth.state_after(at, step, head);
        let post = truth.state_after(at, step + 1, head);
        claim(
            "no-op-step",
            format!(
                "step {step} at {at}: chain {} ({} s blocks) has no block at the next second",
                chain.rollup_config.l2_chain_id, chain.params.block_time
            ),
            head,
            &pre,
            post.hash(),
            at + 1,
            true,
        );
        let next = &chain.l2[SuperTruth::block_at(chain, at) as usize + 1];
        let mut derived = match &post {
            TraceState::Transition(state) => state.clone(),
            _ => unreachable!("a no-op step is a transition state"),
        };
        derived.pending_progress[index] = LocalSafeBlock {
            block_hash: next.header.hash(),
            output_root: next.output().hash(),
        };
        claim(
            "no-op-step-wrong",
            "the no-op step claiming the chain's next block".into(),
            head,
            &pre,
            TraceState::Transition(derived).hash(),
            at + 1,
            false,
        );
    }
    // The invalid pre-state.
    claim(
        "invalid-to-invalid",
        "the invalid pre-state: the post-state is the invalid state".into(),
        head,
        &TraceState::Invalid,
        TraceState::Invalid.hash(),
        middle + 1,
        true,
    );
    claim(
        "invalid-to-super-root",
        "the invalid pre-state claiming a super root".into(),
        head,
        &TraceState::Invalid,
        state(0).hash(),
        middle + 1,
        false,
    );
    // L1 exhausted: an L1 head before the first chain's next batch.
    if let Some((at, l1_head)) = exhausted_at(devnet, middle) {
        let pre = truth.state_after(at, 0, l1_head);
        claim(
            "l1-exhausted",
            format!(
                "L1 head {l1_head}, before the batch of the first chain's block at {}: the \
                 invalid state",
                at + 1
            ),
            l1_head,
            &pre,
            TraceState::Invalid.hash(),
            at + 1,
            true,
        );
        claim(
            "l1-exhausted-wrong",
            "the same L1 head, claiming the block the full L1 derives".into(),
            l1_head,
            &pre,
            truth.state_after(at, 1, head).hash(),
            at + 1,
            false,
        );
    }
    out
}

/// A timestamp at or after `from` whose first-chain step needs L1 data past an L1 head that
/// still holds the agreed block's batch, and that L1 head: one block before the one that
/// completes the next block's batch, within the sequencing window of its origin (so no
/// deposit-only block can be forced instead).
fn exhausted_at(devnet: &GeneratedSuperDevnet, from: u64) -> Option<(u64, u64)> {
    let chain = &devnet.chains[0];
    let last = SuperTruth::new(devnet).last_timestamp();
    (from..last).find_map(|at| {
        let current = SuperTruth::block_at(chain, at);
        let next = SuperTruth::block_at(chain, at + 1);
        if next == current {
            return None;
        }
        let needed = chain.safe_at[next as usize];
        let l1_head = needed.checked_sub(1)?;
        let origin = chain.l2[next as usize].info.l1_origin.number;
        (chain.safe_at[current as usize] <= l1_head
            && l1_head >= origin
            && l1_head < origin + chain.rollup_config.seq_window_size)
            .then_some((at, l1_head))
    })
}
