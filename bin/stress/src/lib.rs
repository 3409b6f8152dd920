//! The proof path's largest memory loads, as scenarios shared by the `stress` FPVM program and
//! its tests. Each runs the real stages on the input the protocol allows at its limit and
//! reports the heap it needed (`koa_fpvm::HeapStats`) after each step:
//!
//! - [`bank`]: a pre-Holocene channel bank filled with the smallest channels, then one channel
//!   of the bank's size read, decompressed and decoded;
//! - [`uncounted`]: the frames a pruning close leaves the bank no longer counting, over a
//!   channel timeout's worth of L1 blocks at the most frames L1 carries;
//! - [`batch`]: a channel of 100 million one-byte transactions through the batch checks, the
//!   attributes builder and the executor, to the deposits-only block.
//!
//! The program reads which scenario to run and its parameters from local keys (see
//! `src/main.rs`) and prints one `stress-<scenario> <step>: key=value …` line per step.
#![no_std]

extern crate alloc;

pub mod bank;
pub mod batch;
pub mod uncounted;

use koa_derive::PipelineError;
use koa_executor::ExecutorError;
use koa_protocol::channel::DecompressError;

/// Why a scenario failed.
#[derive(Debug, thiserror::Error)]
pub enum StressError {
    /// The parameters are malformed or describe an impossible scenario.
    #[error("bad parameters: {0}")]
    Params(&'static str),
    /// The first batcher transaction does not carry frame 0 of the large channel.
    #[error("the batcher transaction is not frame 0 of the large channel")]
    FirstFrame,
    /// A channel does not decompress.
    #[error("decompress")]
    Decompress(#[from] DecompressError),
    /// The attributes builder failed.
    #[error("attributes")]
    Attributes(#[from] PipelineError),
    /// The deposits-only block did not build.
    #[error("deposits-only block")]
    DepositsOnly(#[source] ExecutorError),
    /// What a step produced is not what the scenario expects.
    #[error("check failed: {0}")]
    Check(&'static str),
}

/// The scenario the program runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scenario {
    /// [`bank`].
    Bank,
    /// [`uncounted`].
    Uncounted,
    /// [`batch`].
    Batch,
}

impl Scenario {
    /// Every scenario.
    pub const ALL: [Self; 3] = [Self::Bank, Self::Uncounted, Self::Batch];

    /// The scenario's name, as the program receives it and prints it.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Bank => "bank",
            Self::Uncounted => "uncounted",
            Self::Batch => "batch",
        }
    }

    /// The scenario named `name`.
    pub fn from_name(name: &[u8]) -> Result<Self, StressError> {
        Self::ALL
            .into_iter()
            .find(|scenario| scenario.name().as_bytes() == name)
            .ok_or(StressError::Params("unknown scenario"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scenarios_round_trip_by_name() {
        for scenario in Scenario::ALL {
            assert_eq!(
                Scenario::from_name(scenario.name().as_bytes()).unwrap(),
                scenario
            );
        }
        assert!(matches!(
            Scenario::from_name(b"banks"),
            Err(StressError::Params(_))
        ));
    }
}
