//! FPVM stress program: the largest memory load the channel stages can meet, under the
//! client's heap (see the library, `koa_channel_stress`, for the scenario).
//!
//! Inputs (local keys, trusted like the client's boot inputs):
//!
//! | key | value                                                                           |
//! |-----|---------------------------------------------------------------------------------|
//! | 1   | the parameters ([`Params::encode`]); empty selects the uncounted-frames scenario |
//! | 2   | keccak256 of the first batcher transaction (fetched as a keccak256 pre-image)   |
//! | 3   | the uncounted-frames scenario's parameters ([`UncountedParams::encode`]), read  |
//! |     | only when key 1 is empty (key 2 is then not read)                               |
//!
//! The bank scenario prints one line per phase with the heap's figures after it (`in_use`,
//! `peak_in_use`, `carved`, `size`), and exits 0 only if the large channel's batch is the one
//! announced. The uncounted-frames scenario (`koa_channel_stress::uncounted`) prints one line,
//! the bank after its last L1 block and the heap, and exits 0 if no channel was read.
#![cfg_attr(not(test), no_std)]
#![cfg_attr(not(test), no_main)]

extern crate alloc;

use alloc::vec::Vec;
use alloy_primitives::{B256, keccak256};
use koa_channel_stress::{
    Params, Report, StressError, fjord_config, run,
    uncounted::{UncountedParams, UncountedReport, run_uncounted},
};
use koa_preimage::{PreimageKey, PreimageOracleClient, PreimageOracleError};

koa_fpvm::entry!(main);

/// Why the program failed.
#[derive(Debug, thiserror::Error)]
enum ProgramError {
    /// The oracle failed.
    #[error("oracle: {0}")]
    Oracle(#[from] PreimageOracleError),
    /// The batcher transaction is not the pre-image of its hash.
    #[error("the batcher transaction does not match its hash")]
    BadPreimage,
    /// The scenario failed.
    #[error(transparent)]
    Stress(#[from] StressError),
}

fn main() -> Result<(), ProgramError> {
    let oracle = koa_fpvm::oracle_reader();
    let params: Vec<u8> = oracle.get(PreimageKey::local(1))?;
    if params.is_empty() {
        let params: UncountedParams = UncountedParams::decode(&oracle.get(PreimageKey::local(3))?)?;
        let report: UncountedReport = run_uncounted(&params, &|| __KOA_FPVM_HEAP.stats())?;
        koa_fpvm::println!("{report}");
        return Ok(());
    }
    let params: Params = Params::decode(&params)?;
    let hash: B256 = B256::try_from(oracle.get(PreimageKey::local(2))?.as_slice())
        .map_err(|_| ProgramError::BadPreimage)?;
    let first_tx: Vec<u8> = oracle.get(PreimageKey::keccak256(hash))?;
    if keccak256(&first_tx) != hash {
        return Err(ProgramError::BadPreimage);
    }
    let report: Report = run(&fjord_config(), &params, &first_tx, &|| {
        __KOA_FPVM_HEAP.stats()
    })?;
    koa_fpvm::println!("{report}");
    Ok(())
}
