//! Precompiles on an FPVM: the expensive ones are answered by the host through the oracle.
//!
//! [`OracleAccelerator`] is the oracle side of `koa-executor`'s
//! [`PrecompileAccelerator`](koa_executor::PrecompileAccelerator) hook: for ecrecover, the
//! bn254 operations, KZG point evaluation and the BLS12-381 operations it hints
//! `l1-precompile <address ‖ required gas ‖ input>` and reads `status ‖ output` under the
//! type-6 key `keccak256(address ‖ required gas ‖ input)`, as kona and op-program do.
//!
//! Trust: the answer cannot be recomputed cheaply in the VM. The executor rejects every answer
//! of an impossible shape; a well-formed wrong answer is excluded by the FPVM's on-chain oracle,
//! which loads precompile preimages by running the precompile. Where nothing plays that role
//! (zkVMs, TEEs, witness replays) [`Precompiles::InProcess`] runs them in revm instead.

use crate::{
    error::{DataKind, PreimageError},
    hint::Hint,
    oracle::ProofOracle,
};
use alloy_primitives::{Address, Bytes};
use koa_executor::{PrecompileAccelerator, PrecompileAnswer, precompile::is_accelerated};
use koa_preimage::{HintWriterClient, PreimageKey, PreimageOracleClient};

/// Where the expensive precompiles run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Precompiles {
    /// In revm, in the program (zkVMs, TEEs, witness replays, native checks).
    #[default]
    InProcess,
    /// In the host, through `l1-precompile` hints and precompile keys (FPVMs).
    Oracle,
}

/// Sends accelerated precompile calls to the host through `oracle` (when `mode` is
/// [`Precompiles::Oracle`]).
#[derive(Debug)]
pub struct OracleAccelerator<'a, O, H> {
    oracle: &'a ProofOracle<O, H>,
    mode: Precompiles,
}

impl<O, H> Clone for OracleAccelerator<'_, O, H> {
    fn clone(&self) -> Self {
        Self {
            oracle: self.oracle,
            mode: self.mode,
        }
    }
}

impl<'a, O, H> OracleAccelerator<'a, O, H> {
    /// An accelerator over `oracle` in `mode`.
    pub const fn new(oracle: &'a ProofOracle<O, H>, mode: Precompiles) -> Self {
        Self { oracle, mode }
    }
}

impl<O: PreimageOracleClient, H: HintWriterClient> PrecompileAccelerator
    for OracleAccelerator<'_, O, H>
{
    type Error = PreimageError;

    fn accelerates(&self, address: &Address) -> bool {
        self.mode == Precompiles::Oracle && is_accelerated(address)
    }

    fn call(
        &self,
        address: Address,
        required_gas: u64,
        input: &[u8],
    ) -> Result<PrecompileAnswer, PreimageError> {
        let key = PreimageKey::precompile_call(address, required_gas, input);
        let hint = Hint::L1Precompile {
            address,
            gas: required_gas,
            input: Bytes::copy_from_slice(input),
        };
        let value = self
            .oracle
            .get(DataKind::PrecompileResult, key, Some(&hint))?;
        PrecompileAnswer::decode(&value).ok_or_else(|| {
            self.oracle.record(PreimageError::Invalid {
                kind: DataKind::PrecompileResult,
                key,
                reason: alloc::string::String::from("not status (0 or 1) ‖ output"),
            })
        })
    }
}
