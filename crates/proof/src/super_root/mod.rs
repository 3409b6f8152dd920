//! The super-root program: one step of the super-root state transition of a super dispute game
//! (SUPER_CANNON_KONA), `specs/interop/fault-proof.md`.
//!
//! The agreed pre-state (local key 2) is a commitment to a [`SuperState`]: a super root, a
//! transition state or the invalid state. Its preimage is fetched with the `agreed-pre-state`
//! hint and checked against the commitment ([`SuperBootInfo::load`]). The program computes the
//! state one step later ([`prove_super_with`]) and compares its commitment with the claimed
//! post-state (local key 3):
//!
//! | pre-state                                        | post-state                                  |
//! |--------------------------------------------------|---------------------------------------------|
//! | invalid                                          | invalid                                     |
//! | super root at or after the claimed timestamp     | the same super root (trace extension)       |
//! | transition state at or after the claimed timestamp | none: every claim is invalid (as kona)    |
//! | super root, or transition state with step < chain count | the next block of chain `step` appended, step + 1; invalid if L1 runs out |
//! | transition state, chain count ≤ step < 127       | step + 1 (padding)                          |
//! | transition state, step 127                       | the super root at timestamp + 1 (consolidation) |
//!
//! A chain whose next block is after the next timestamp (block time over one second) keeps its
//! block: its pending entry is its current block and output root, nothing is derived. Each
//! derivation step is the single-chain [`ChainDriver`](crate::ChainDriver), unchanged, over a
//! per-chain [`ChainContext`](crate::ChainContext) whose L2 hints carry the chain id.
//!
//! The verdict rules and exit codes are the single-chain program's: 0 valid, 1 invalid, 2 a
//! program failure ([`ProofError`]) — never a verdict from data that does not check out.

mod boot;
mod program;

pub use boot::{SuperBootError, SuperBootInfo};
pub use koa_protocol::super_root::SuperState;
pub use program::{StepKind, SuperVerdict, prove_super_with};

use koa_preimage::{HintWriterClient, PreimageOracleClient};

use crate::{ProofError, ProofOracle, blob, precompile::Precompiles};

/// Runs the super-root program in the FPVM setting: blob field elements trusted and the
/// expensive precompiles answered by the host, both proven on L1 by the oracle contract (as
/// [`crate::run`]).
pub fn run_super<O: PreimageOracleClient, H: HintWriterClient>(
    oracle: O,
    hinter: H,
) -> Result<SuperVerdict, ProofError> {
    let oracle = ProofOracle::new(oracle, hinter);
    let boot = SuperBootInfo::load(&oracle)?;
    prove_super_with(&oracle, &boot, blob::TrustedBlobs, Precompiles::Oracle)
}

/// Runs the super-root program checking blobs with `verifier` and every precompile in-process
/// (zkVMs, TEEs, witness replays; as [`crate::run_with`]).
pub fn run_super_with<O, H, V>(
    oracle: O,
    hinter: H,
    verifier: V,
) -> Result<SuperVerdict, ProofError>
where
    O: PreimageOracleClient,
    H: HintWriterClient,
    V: blob::BlobVerifier,
{
    let oracle = ProofOracle::new(oracle, hinter);
    let boot = SuperBootInfo::load(&oracle)?;
    prove_super_with(&oracle, &boot, verifier, Precompiles::InProcess)
}
