//! FPVM stress program: the largest transaction list a batch can carry, from the channel to
//! the deposits-only block, under the client's heap (see the library, `koa_batch_stress`, for
//! the scenario).
//!
//! Inputs (local keys, trusted like the client's boot inputs):
//!
//! | key | value                                                                    |
//! |-----|--------------------------------------------------------------------------|
//! | 1   | the batch's transaction count ([`encode_tx_count`])                      |
//! | 2   | keccak256 of the compressed channel (fetched as a keccak256 preimage)    |
//!
//! It prints one line per step with the heap's figures after it (`in_use`, `peak_in_use`,
//! `carved`, `size`), and exits 0 only if every step did what the scenario expects.
#![cfg_attr(not(test), no_std)]
#![cfg_attr(not(test), no_main)]

extern crate alloc;

use alloc::vec::Vec;
use alloy_primitives::{B256, keccak256};
use koa_batch_stress::{Report, StressError, decode_tx_count, run};
use koa_preimage::{PreimageKey, PreimageOracleClient, PreimageOracleError};

koa_fpvm::entry!(main);

/// Why the program failed.
#[derive(Debug, thiserror::Error)]
enum ProgramError {
    /// The oracle failed.
    #[error("oracle")]
    Oracle(#[from] PreimageOracleError),
    /// The channel is not the preimage of its hash.
    #[error("the channel does not match its hash")]
    BadPreimage,
    /// The scenario failed.
    #[error(transparent)]
    Stress(#[from] StressError),
}

fn main() -> Result<(), ProgramError> {
    let oracle = koa_fpvm::oracle_reader();
    let tx_count: usize = decode_tx_count(&oracle.get(PreimageKey::local(1))?)?;
    let hash: B256 = B256::try_from(oracle.get(PreimageKey::local(2))?.as_slice())
        .map_err(|_| ProgramError::BadPreimage)?;
    let compressed: Vec<u8> = oracle.get(PreimageKey::keccak256(hash))?;
    if keccak256(&compressed) != hash {
        return Err(ProgramError::BadPreimage);
    }
    let report: Report = run(&compressed, tx_count, &|| __KOA_FPVM_HEAP.stats())?;
    koa_fpvm::println!("{report}");
    Ok(())
}
