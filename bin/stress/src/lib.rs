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

use alloc::vec::Vec;
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

/// Parameters as the program receives them: big-endian `u64` words.
pub fn encode_words(words: &[u64]) -> Vec<u8> {
    words.iter().flat_map(|word| word.to_be_bytes()).collect()
}

/// Decodes exactly `N` words of [`encode_words`]'s output.
pub fn decode_words<const N: usize>(bytes: &[u8]) -> Result<[u64; N], StressError> {
    if bytes.len() != N * 8 {
        return Err(StressError::Params(
            "wrong number of 8-byte parameter words",
        ));
    }
    let mut words: [u64; N] = [0; N];
    for (word, chunk) in words.iter_mut().zip(bytes.chunks_exact(8)) {
        let mut be: [u8; 8] = [0; 8];
        be.copy_from_slice(chunk);
        *word = u64::from_be_bytes(be);
    }
    Ok(words)
}

/// A parameter word as a `usize`.
pub(crate) fn word_to_usize(word: u64) -> Result<usize, StressError> {
    usize::try_from(word).map_err(|_| StressError::Params("a word does not fit in usize"))
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

    #[test]
    fn words_round_trip_and_a_wrong_length_is_refused() {
        let words: [u64; 3] = [0, 1, u64::MAX];
        assert_eq!(decode_words::<3>(&encode_words(&words)).unwrap(), words);
        assert!(matches!(
            decode_words::<3>(&encode_words(&words)[1..]),
            Err(StressError::Params(_))
        ));
        assert!(matches!(
            decode_words::<2>(&encode_words(&words)),
            Err(StressError::Params(_))
        ));
    }
}
