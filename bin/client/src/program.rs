//! Which program a binary runs: the single-chain output-root program (`koa-client`) or the
//! super-root program (`koa-client-super`). Both bins share every other module; each names its
//! program once, as `crate::PROGRAM`.

use koa_preimage::{HintWriterClient, PreimageOracleClient};

use crate::outcome::Outcome;

/// The fault proof program a binary runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
// Each bin constructs one of the two.
#[allow(dead_code)]
pub(crate) enum Program {
    /// Output-root claims: `koa_proof::run` (game types 0, 1, 2, …: output-root games).
    SingleChain,
    /// Super-root claims: `koa_proof::super_root::run_super` (SUPER_CANNON_KONA, game type 9).
    SuperRoot,
}

impl Program {
    /// Runs the program in the FPVM setting (blobs trusted, precompiles by the host).
    pub(crate) fn run<O: PreimageOracleClient, H: HintWriterClient>(
        self,
        oracle: O,
        hinter: H,
    ) -> Outcome {
        match self {
            Self::SingleChain => Outcome::from_result(koa_proof::run(oracle, hinter)),
            Self::SuperRoot => {
                Outcome::from_super_result(koa_proof::super_root::run_super(oracle, hinter))
            }
        }
    }

    /// Runs the program checking blobs with `verifier`, every precompile in-process.
    #[cfg(not(feature = "fpvm"))]
    pub(crate) fn run_with<O, H, V>(self, oracle: O, hinter: H, verifier: V) -> Outcome
    where
        O: PreimageOracleClient,
        H: HintWriterClient,
        V: koa_proof::blob::BlobVerifier,
    {
        match self {
            Self::SingleChain => {
                Outcome::from_result(koa_proof::run_with(oracle, hinter, verifier))
            }
            Self::SuperRoot => Outcome::from_super_result(koa_proof::super_root::run_super_with(
                oracle, hinter, verifier,
            )),
        }
    }
}
