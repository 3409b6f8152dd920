//! Super roots and the super-root state transition's states (interop fault proofs).
//!
//! - [`SuperRoot`]: the V1 super output, a commitment to one output root per chain at a
//!   timestamp (`specs/fault-proof/stage-one/optimism-portal.md`, "Super Output", "Super Root").
//! - [`TransitionState`]: the state between two super roots, one step at a time
//!   (`specs/interop/fault-proof.md`, "Transition State").
//! - [`SuperState`]: what a claim or the agreed pre-state of a super dispute game commits to: a
//!   super root, a transition state, or the [invalid state](INVALID_STATE_PREIMAGE).
//! - [`DependencySet`]: the chains of an interop cluster, as op-node and kona read its JSON
//!   (`specs/interop/dependency-set.md`).
//!
//! The transition from the super root at timestamp `t` to the one at `t + 1` takes
//! [`STEPS_PER_TIMESTAMP`] (128) steps: steps `0..=126` each derive the next local safe block
//! of the chain at index `step` (chain-id order; no block once `step` is past the chain count:
//! padding), and step [`CONSOLIDATION_STEP`] (127) consolidates into the next super root.

mod dependency_set;
mod error;
mod state;
mod super_output;
mod transition;

pub use dependency_set::{
    ChainDependency, DEFAULT_MESSAGE_EXPIRY_WINDOW, DependencySet, DependencySetError,
};
pub use error::{SuperRootError, TransitionStateError};
pub use state::{INVALID_STATE_HASH, INVALID_STATE_PREIMAGE, SuperState, SuperStateError};
pub use super_output::{OutputRootWithChainId, SUPER_ROOT_VERSION, SuperRoot};
pub use transition::{
    CONSOLIDATION_STEP, LocalSafeBlock, MAX_SUPER_ROOT_CHAINS, STEPS_PER_TIMESTAMP,
    TRANSITION_STATE_VERSION, TransitionState,
};
