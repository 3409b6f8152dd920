//! The program's outcome and its exit code.

use koa_proof::{ProofError, Verdict, super_root::SuperVerdict};

/// How a run ended.
#[derive(Debug)]
pub(crate) enum Outcome {
    /// The program decided the claim.
    Verdict(alloc::boxed::Box<Verdict>),
    /// The super-root program decided the claim.
    SuperVerdict(alloc::boxed::Box<SuperVerdict>),
    /// The program could not decide the claim.
    Failure(alloc::string::String),
}

impl Outcome {
    /// The outcome of [`koa_proof::run`].
    pub(crate) fn from_result(result: Result<Verdict, ProofError>) -> Self {
        match result {
            Ok(verdict) => Self::Verdict(alloc::boxed::Box::new(verdict)),
            Err(error) => Self::Failure(alloc::format!("{}", koa_proof::ErrorChain(&error))),
        }
    }

    /// The outcome of [`koa_proof::super_root::run_super`].
    pub(crate) fn from_super_result(result: Result<SuperVerdict, ProofError>) -> Self {
        match result {
            Ok(verdict) => Self::SuperVerdict(alloc::boxed::Box::new(verdict)),
            Err(error) => Self::Failure(alloc::format!("{}", koa_proof::ErrorChain(&error))),
        }
    }

    /// op-challenger's exit code: 0 valid, 1 invalid, 2 failure.
    pub(crate) fn exit_code(&self) -> u8 {
        match self {
            Self::Verdict(verdict) if verdict.valid => 0,
            Self::Verdict(_) => 1,
            Self::SuperVerdict(verdict) if verdict.valid => 0,
            Self::SuperVerdict(_) => 1,
            Self::Failure(_) => koa_fpvm::FAILURE_EXIT_CODE,
        }
    }

    /// The one-line report printed to stdout (verdict) or stderr (failure); a single-chain
    /// verdict is a [`koa_proof::report::ClientReport`], which a host reads back.
    pub(crate) fn report(&self) -> alloc::string::String {
        match self {
            Self::Verdict(v) => alloc::format!("{}", koa_proof::report::ClientReport::from(&**v)),
            Self::SuperVerdict(v) => alloc::format!(
                "{} claim: post-state {} (computed {}, step {:?}, {} blocks executed, {} preimages, {} bytes read)",
                if v.valid { "valid" } else { "invalid" },
                v.claimed_post_state,
                v.computed_post_state().map_or_else(
                    || alloc::string::String::from("none"),
                    |h| alloc::format!("{h}")
                ),
                v.step,
                v.driver.blocks_executed,
                v.oracle.preimages,
                v.oracle.bytes,
            ),
            Self::Failure(error) => alloc::format!("error: {error}"),
        }
    }
}

impl koa_fpvm::Termination for Outcome {
    fn report(self) -> u8 {
        match &self {
            Self::Verdict(_) | Self::SuperVerdict(_) => {
                koa_fpvm::println!("{}", Self::report(&self))
            }
            Self::Failure(_) => koa_fpvm::eprintln!("{}", Self::report(&self)),
        }
        self.exit_code()
    }
}
