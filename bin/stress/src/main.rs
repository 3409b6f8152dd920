//! FPVM stress program: one of the proof path's largest memory loads, under the client's heap
//! (see the library, `koa_stress`, for the scenarios).
//!
//! Inputs (local keys, trusted like the client's boot inputs):
//!
//! | key | value                                                                            |
//! |-----|----------------------------------------------------------------------------------|
//! | 1   | the scenario's name ([`Scenario::name`]: `bank`, `uncounted` or `batch`)          |
//! | 2   | its parameters (`bank::Params`, `uncounted::UncountedParams`, `batch`'s count)    |
//! | 3   | keccak256 of its input, fetched as a keccak256 preimage: `bank`'s first batcher   |
//! |     | transaction, `batch`'s compressed channel (`uncounted` has none)                  |
//!
//! It prints the scenario's report (a `stress-<scenario> <step>: key=value …` line per step,
//! the heap's figures last) and exits 0 only if every step did what the scenario expects.
#![cfg_attr(not(test), no_std)]
#![cfg_attr(not(test), no_main)]

extern crate alloc;

use alloc::vec::Vec;
use alloy_primitives::{B256, keccak256};
use koa_fpvm::HeapStats;
use koa_preimage::{PreimageKey, PreimageOracleClient, PreimageOracleError};
use koa_stress::{Scenario, StressError, bank, batch, uncounted};

koa_fpvm::entry!(main);

/// Why the program failed.
#[derive(Debug, thiserror::Error)]
enum ProgramError {
    /// The oracle failed.
    #[error("oracle")]
    Oracle(#[from] PreimageOracleError),
    /// The scenario's input is not the preimage of its hash.
    #[error("the input does not match its hash")]
    BadPreimage,
    /// The scenario failed.
    #[error(transparent)]
    Stress(#[from] StressError),
}

fn main() -> Result<(), ProgramError> {
    let oracle = koa_fpvm::oracle_reader();
    let scenario: Scenario = Scenario::from_name(&oracle.get(PreimageKey::local(1))?)?;
    let params: Vec<u8> = oracle.get(PreimageKey::local(2))?;
    let heap = || -> HeapStats { __KOA_FPVM_HEAP.stats() };
    match scenario {
        Scenario::Bank => {
            let first_tx: Vec<u8> = checked_input(&oracle)?;
            let params: bank::Params = bank::Params::decode(&params)?;
            let report = bank::run(&bank::fjord_config(), &params, &first_tx, &heap)?;
            koa_fpvm::println!("{report}");
        }
        Scenario::Uncounted => {
            let params = uncounted::UncountedParams::decode(&params)?;
            let report = uncounted::run_uncounted(&params, &heap)?;
            koa_fpvm::println!("{report}");
        }
        Scenario::Batch => {
            let compressed: Vec<u8> = checked_input(&oracle)?;
            let report = batch::run(&compressed, batch::decode_tx_count(&params)?, &heap)?;
            koa_fpvm::println!("{report}");
        }
    }
    Ok(())
}

/// The scenario's input: the keccak256 preimage of local key 3, checked against it.
fn checked_input(oracle: &impl PreimageOracleClient) -> Result<Vec<u8>, ProgramError> {
    let hash: B256 = B256::try_from(oracle.get(PreimageKey::local(3))?.as_slice())
        .map_err(|_| ProgramError::BadPreimage)?;
    let input: Vec<u8> = oracle.get(PreimageKey::keccak256(hash))?;
    if keccak256(&input) != hash {
        return Err(ProgramError::BadPreimage);
    }
    Ok(input)
}
