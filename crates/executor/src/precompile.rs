//! Precompile acceleration: the hook that lets a fault-proof program send expensive precompile
//! calls to its host instead of running them on the VM.
//!
//! On an FPVM a pairing check costs billions of instructions. The fault-proof specification
//! ("Precompile Accelerators") lets the program ask the host instead: it hints
//! `l1-precompile <address ‖ required gas ‖ input>` and reads the result under a type-6
//! (precompile) preimage key. The L1 `PreimageOracle` contract serves that key by calling the
//! real precompile with the given gas, so an honest answer can always be proven on L1.
//!
//! [`KoaPrecompiles`] is op-revm's [`OpPrecompiles`] with one change: for the addresses in
//! [`ACCELERATED_PRECOMPILES`] (ecrecover, the bn254 operations, KZG point evaluation and the
//! BLS12-381 operations) that are active in the current fork, it does everything revm does that
//! is cheap — the gas charge, the input-length checks, the OP Stack input-size limits of
//! Granite, Isthmus and Jovian, ecrecover's `v` check and the KZG versioned-hash check — and
//! hands only the cryptography to a [`PrecompileAccelerator`]. Every other address, and every
//! accelerated address under [`NoAccelerator`], runs in revm as before.
//!
//! # Trust model
//!
//! An accelerator's answer cannot be checked cheaply in the VM (that would be the very
//! computation it replaces). [`KoaPrecompiles`] rejects every answer whose *shape* is impossible
//! (a wrong output length, a pairing result other than 0 or 1, a KZG success value other than
//! the constant revm returns, a failure of ecrecover, which never fails) as a fatal error, so a
//! malformed answer ends the program instead of producing a verdict. A well-formed but wrong
//! answer is what the FPVM oracle's own trust model covers: on L1 the precompile preimage is
//! loaded by running the precompile. Where no such check exists (zkVMs, TEEs, witness mode),
//! run the precompiles in-process with [`NoAccelerator`].

use alloc::{borrow::Cow, format, string::String, vec::Vec};
use alloy_primitives::{Address, Bytes};
use op_revm::{
    OpSpecId,
    precompiles::{OpPrecompiles, bls12_381 as op_bls, bn254_pair as op_bn254_pair},
};
use revm::{
    context::Cfg,
    context_interface::{ContextTr, JournalTr, LocalContextTr},
    handler::{PrecompileProvider, precompile_output_to_interpreter_result},
    interpreter::{CallInputs, InterpreterResult},
    precompile::{
        PrecompileHalt, PrecompileOutput,
        bls12_381_const::{
            DISCOUNT_TABLE_G1_MSM, DISCOUNT_TABLE_G2_MSM, G1_ADD_ADDRESS, G1_ADD_BASE_GAS_FEE,
            G1_ADD_INPUT_LENGTH, G1_MSM_ADDRESS, G1_MSM_BASE_GAS_FEE, G1_MSM_INPUT_LENGTH,
            G2_ADD_ADDRESS, G2_ADD_BASE_GAS_FEE, G2_ADD_INPUT_LENGTH, G2_MSM_ADDRESS,
            G2_MSM_BASE_GAS_FEE, G2_MSM_INPUT_LENGTH, MAP_FP_TO_G1_ADDRESS,
            MAP_FP_TO_G1_BASE_GAS_FEE, MAP_FP2_TO_G2_ADDRESS, MAP_FP2_TO_G2_BASE_GAS_FEE,
            PADDED_FP_LENGTH, PADDED_FP2_LENGTH, PADDED_G1_LENGTH, PADDED_G2_LENGTH,
            PAIRING_ADDRESS, PAIRING_INPUT_LENGTH, PAIRING_MULTIPLIER_BASE, PAIRING_OFFSET_BASE,
        },
        bls12_381_utils::msm_required_gas,
        bn254, kzg_point_evaluation, u64_to_address,
    },
};

/// The ecrecover precompile.
pub const ECRECOVER: Address = u64_to_address(1);
/// The bn254 (alt_bn128) point addition precompile.
pub const BN254_ADD: Address = bn254::add::ADDRESS;
/// The bn254 scalar multiplication precompile.
pub const BN254_MUL: Address = bn254::mul::ADDRESS;
/// The bn254 pairing check precompile.
pub const BN254_PAIRING: Address = bn254::pair::ADDRESS;
/// The EIP-4844 KZG point evaluation precompile.
pub const KZG_POINT_EVALUATION: Address = kzg_point_evaluation::ADDRESS;

/// Every precompile [`KoaPrecompiles`] sends to an accelerator (kona and op-program accelerate
/// the same operations, plus bn254 addition and multiplication here).
pub const ACCELERATED_PRECOMPILES: [Address; 12] = [
    ECRECOVER,
    BN254_ADD,
    BN254_MUL,
    BN254_PAIRING,
    KZG_POINT_EVALUATION,
    G1_ADD_ADDRESS,
    G1_MSM_ADDRESS,
    G2_ADD_ADDRESS,
    G2_MSM_ADDRESS,
    PAIRING_ADDRESS,
    MAP_FP_TO_G1_ADDRESS,
    MAP_FP2_TO_G2_ADDRESS,
];

/// Whether `address` is one of [`ACCELERATED_PRECOMPILES`].
pub fn is_accelerated(address: &Address) -> bool {
    ACCELERATED_PRECOMPILES.contains(address)
}

/// The input ecrecover reads: revm right-pads shorter inputs with zeros and ignores bytes past
/// 128, so the accelerated call (and its preimage key) always carries exactly 128 bytes.
pub const ECRECOVER_INPUT_LEN: usize = 128;

/// What a precompile returned, as the host reports it (`status ‖ output`, status 1 or 0).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrecompileAnswer {
    /// The precompile succeeded with this output.
    Success(Bytes),
    /// The precompile failed (status byte 0): the call halts and consumes all its gas.
    Failure,
}

impl PrecompileAnswer {
    /// Decodes the fault-proof `status ‖ output` encoding; `None` if it is malformed (empty, or
    /// a failure with output, or a status other than 0 or 1).
    pub fn decode(value: &[u8]) -> Option<Self> {
        match value.split_first()? {
            (1, output) => Some(Self::Success(Bytes::copy_from_slice(output))),
            (0, []) => Some(Self::Failure),
            _ => None,
        }
    }

    /// The `status ‖ output` encoding.
    pub fn encode(&self) -> Vec<u8> {
        match self {
            Self::Success(output) => [&[1u8][..], output].concat(),
            Self::Failure => alloc::vec![0],
        }
    }
}

/// Runs precompile cryptography outside the EVM (on an FPVM: in the host, through the
/// preimage oracle).
///
/// [`KoaPrecompiles`] calls it only for [`ACCELERATED_PRECOMPILES`] active in the current fork,
/// after charging gas and checking what revm checks cheaply, with the exact input the preimage
/// key commits to (for ecrecover and bn254 addition and multiplication, the bytes they read:
/// 128, 128 and 96).
pub trait PrecompileAccelerator {
    /// Why an answer could not be obtained (an oracle failure): fatal for the block.
    type Error: core::fmt::Display;

    /// Whether calls to `address` go to [`Self::call`]. `false` runs them in revm.
    fn accelerates(&self, address: &Address) -> bool {
        is_accelerated(address)
    }

    /// The result of the precompile at `address` on `input`, given its `required_gas`.
    fn call(
        &self,
        address: Address,
        required_gas: u64,
        input: &[u8],
    ) -> Result<PrecompileAnswer, Self::Error>;
}

impl<T: PrecompileAccelerator + ?Sized> PrecompileAccelerator for &T {
    type Error = T::Error;

    fn accelerates(&self, address: &Address) -> bool {
        (**self).accelerates(address)
    }

    fn call(
        &self,
        address: Address,
        required_gas: u64,
        input: &[u8],
    ) -> Result<PrecompileAnswer, Self::Error> {
        (**self).call(address, required_gas, input)
    }
}

/// Runs every precompile in revm, in-process (native runs, zkVMs, TEEs, witness mode).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NoAccelerator;

impl PrecompileAccelerator for NoAccelerator {
    type Error = core::convert::Infallible;

    fn accelerates(&self, _address: &Address) -> bool {
        false
    }

    fn call(
        &self,
        _address: Address,
        _required_gas: u64,
        _input: &[u8],
    ) -> Result<PrecompileAnswer, Self::Error> {
        Ok(PrecompileAnswer::Failure)
    }
}

/// The result of the cheap part of an accelerated precompile.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Precheck {
    /// Settled without cryptography (a halt, or ecrecover's empty output for a bad `v`).
    Done(Result<(u64, Bytes), PrecompileHalt>),
    /// Ask the accelerator, charging this much gas on success.
    Accelerate(u64),
}

/// Charges `cost` against `gas_limit`.
fn charge(cost: u64, gas_limit: u64) -> Result<u64, PrecompileHalt> {
    if cost > gas_limit {
        Err(PrecompileHalt::OutOfGas)
    } else {
        Ok(cost)
    }
}

/// Everything revm (and op-revm's OP Stack limits) does for `address` before the cryptography,
/// in the same order, so halts and gas are identical.
fn precheck(spec: OpSpecId, address: Address, input: &[u8], gas_limit: u64) -> Precheck {
    let jovian = spec.is_enabled_in(OpSpecId::JOVIAN);
    let limit = |max: usize, reason: &'static str| -> Result<(), PrecompileHalt> {
        if input.len() > max {
            Err(PrecompileHalt::Other(reason.into()))
        } else {
            Ok(())
        }
    };
    let checked = || -> Result<u64, PrecompileHalt> {
        match address {
            ECRECOVER => charge(3_000, gas_limit),
            BN254_ADD => charge(bn254::add::ISTANBUL_ADD_GAS_COST, gas_limit),
            BN254_MUL => charge(bn254::mul::ISTANBUL_MUL_GAS_COST, gas_limit),
            BN254_PAIRING => {
                let max = if jovian {
                    op_bn254_pair::JOVIAN_MAX_INPUT_SIZE
                } else {
                    op_bn254_pair::GRANITE_MAX_INPUT_SIZE
                };
                if spec.is_enabled_in(OpSpecId::GRANITE) && input.len() > max {
                    return Err(PrecompileHalt::Bn254PairLength);
                }
                let pairs = (input.len() / bn254::PAIR_ELEMENT_LEN) as u64;
                let cost = pairs
                    .saturating_mul(bn254::pair::ISTANBUL_PAIR_PER_POINT)
                    .saturating_add(bn254::pair::ISTANBUL_PAIR_BASE);
                let cost = charge(cost, gas_limit)?;
                if !input.len().is_multiple_of(bn254::PAIR_ELEMENT_LEN) {
                    return Err(PrecompileHalt::Bn254PairLength);
                }
                Ok(cost)
            }
            KZG_POINT_EVALUATION => {
                let cost = charge(kzg_point_evaluation::GAS_COST, gas_limit)?;
                if input.len() != 192 {
                    return Err(PrecompileHalt::BlobInvalidInputLength);
                }
                if kzg_point_evaluation::kzg_to_versioned_hash(&input[96..144]) != input[..32] {
                    return Err(PrecompileHalt::BlobMismatchedVersion);
                }
                Ok(cost)
            }
            G1_ADD_ADDRESS => {
                let cost = charge(G1_ADD_BASE_GAS_FEE, gas_limit)?;
                if input.len() != G1_ADD_INPUT_LENGTH {
                    return Err(PrecompileHalt::Bls12381G1AddInputLength);
                }
                Ok(cost)
            }
            G2_ADD_ADDRESS => {
                let cost = charge(G2_ADD_BASE_GAS_FEE, gas_limit)?;
                if input.len() != G2_ADD_INPUT_LENGTH {
                    return Err(PrecompileHalt::Bls12381G2AddInputLength);
                }
                Ok(cost)
            }
            MAP_FP_TO_G1_ADDRESS => {
                let cost = charge(MAP_FP_TO_G1_BASE_GAS_FEE, gas_limit)?;
                if input.len() != PADDED_FP_LENGTH {
                    return Err(PrecompileHalt::Bls12381MapFpToG1InputLength);
                }
                Ok(cost)
            }
            MAP_FP2_TO_G2_ADDRESS => {
                let cost = charge(MAP_FP2_TO_G2_BASE_GAS_FEE, gas_limit)?;
                if input.len() != PADDED_FP2_LENGTH {
                    return Err(PrecompileHalt::Bls12381MapFp2ToG2InputLength);
                }
                Ok(cost)
            }
            G1_MSM_ADDRESS => {
                if jovian {
                    limit(
                        op_bls::JOVIAN_G1_MSM_MAX_INPUT_SIZE,
                        "G1MSM input length too long for OP Stack input size limitation after the Jovian Hardfork",
                    )?;
                } else {
                    limit(
                        op_bls::ISTHMUS_G1_MSM_MAX_INPUT_SIZE,
                        "G1MSM input length too long for OP Stack input size limitation after the Isthmus Hardfork",
                    )?;
                }
                if input.is_empty() || !input.len().is_multiple_of(G1_MSM_INPUT_LENGTH) {
                    return Err(PrecompileHalt::Bls12381G1MsmInputLength);
                }
                let k = input.len() / G1_MSM_INPUT_LENGTH;
                charge(
                    msm_required_gas(k, &DISCOUNT_TABLE_G1_MSM, G1_MSM_BASE_GAS_FEE),
                    gas_limit,
                )
            }
            G2_MSM_ADDRESS => {
                if jovian {
                    limit(
                        op_bls::JOVIAN_G2_MSM_MAX_INPUT_SIZE,
                        "G2MSM input length too long for OP Stack input size limitation after the Jovian Hardfork",
                    )?;
                } else {
                    limit(
                        op_bls::ISTHMUS_G2_MSM_MAX_INPUT_SIZE,
                        "G2MSM input length too long for OP Stack input size limitation",
                    )?;
                }
                if input.is_empty() || !input.len().is_multiple_of(G2_MSM_INPUT_LENGTH) {
                    return Err(PrecompileHalt::Bls12381G2MsmInputLength);
                }
                let k = input.len() / G2_MSM_INPUT_LENGTH;
                charge(
                    msm_required_gas(k, &DISCOUNT_TABLE_G2_MSM, G2_MSM_BASE_GAS_FEE),
                    gas_limit,
                )
            }
            PAIRING_ADDRESS => {
                if jovian {
                    limit(
                        op_bls::JOVIAN_PAIRING_MAX_INPUT_SIZE,
                        "Pairing input length too long for OP Stack input size limitation after the Jovian Hardfork",
                    )?;
                } else {
                    limit(
                        op_bls::ISTHMUS_PAIRING_MAX_INPUT_SIZE,
                        "Pairing input length too long for OP Stack input size limitation",
                    )?;
                }
                if input.is_empty() || !input.len().is_multiple_of(PAIRING_INPUT_LENGTH) {
                    return Err(PrecompileHalt::Bls12381PairingInputLength);
                }
                let k = (input.len() / PAIRING_INPUT_LENGTH) as u64;
                charge(
                    PAIRING_MULTIPLIER_BASE
                        .saturating_mul(k)
                        .saturating_add(PAIRING_OFFSET_BASE),
                    gas_limit,
                )
            }
            _ => Err(PrecompileHalt::other("not an accelerated precompile")),
        }
    };
    let cost = match checked() {
        Ok(cost) => cost,
        Err(halt) => return Precheck::Done(Err(halt)),
    };
    if address == ECRECOVER {
        // revm returns an empty output without recovery unless `v` is 27 or 28.
        let padded = right_pad(input, ECRECOVER_INPUT_LEN);
        if !(padded[32..63].iter().all(|&b| b == 0) && matches!(padded[63], 27 | 28)) {
            return Precheck::Done(Ok((cost, Bytes::new())));
        }
    }
    Precheck::Accelerate(cost)
}

/// The input an accelerated call carries, and its preimage key (and hint) commits to: what the
/// precompile reads. ecrecover, bn254 addition and bn254 multiplication right-pad their input
/// with zeros to 128, 128 and 96 bytes and ignore the rest, so they carry exactly that: a
/// caller can pass megabytes of calldata to them, which as a hint would exceed what a host
/// accepts and stop the proof. The other accelerated precompiles read their whole input, whose
/// length [`precheck`] bounds.
fn accelerated_input(address: Address, input: &[u8]) -> Cow<'_, [u8]> {
    let read = match address {
        ECRECOVER => ECRECOVER_INPUT_LEN,
        BN254_ADD => bn254::ADD_INPUT_LEN,
        BN254_MUL => bn254::MUL_INPUT_LEN,
        _ => return Cow::Borrowed(input),
    };
    Cow::Owned(right_pad(input, read))
}

/// `input` right-padded with zeros (or truncated) to `len` bytes.
fn right_pad(input: &[u8], len: usize) -> Vec<u8> {
    let mut out = alloc::vec![0u8; len];
    let n = input.len().min(len);
    out[..n].copy_from_slice(&input[..n]);
    out
}

/// Checks the shape of an accelerator's answer: every answer revm could not have produced is
/// rejected (see the module docs for what can and cannot be checked).
fn check_answer(address: Address, answer: &PrecompileAnswer) -> Result<(), String> {
    let output = match answer {
        PrecompileAnswer::Failure if address == ECRECOVER => {
            return Err("the accelerator reported a failing ecrecover, which cannot fail".into());
        }
        PrecompileAnswer::Failure => return Ok(()),
        PrecompileAnswer::Success(output) => output,
    };
    let bool_word = |output: &[u8]| {
        output.len() == 32 && output[..31].iter().all(|&b| b == 0) && output[31] <= 1
    };
    let well_formed = match address {
        ECRECOVER => output.is_empty() || (output.len() == 32 && output[..12] == [0; 12]),
        BN254_ADD | BN254_MUL => output.len() == 64,
        BN254_PAIRING | PAIRING_ADDRESS => bool_word(output),
        KZG_POINT_EVALUATION => output[..] == kzg_point_evaluation::RETURN_VALUE[..],
        G1_ADD_ADDRESS | G1_MSM_ADDRESS | MAP_FP_TO_G1_ADDRESS => output.len() == PADDED_G1_LENGTH,
        G2_ADD_ADDRESS | G2_MSM_ADDRESS | MAP_FP2_TO_G2_ADDRESS => output.len() == PADDED_G2_LENGTH,
        _ => false,
    };
    if well_formed {
        Ok(())
    } else {
        Err(format!(
            "malformed accelerated result for precompile {address}: {} bytes",
            output.len()
        ))
    }
}

/// op-revm's precompiles, with [`ACCELERATED_PRECOMPILES`] sent to `A` (see the module docs).
#[derive(Debug, Clone)]
pub struct KoaPrecompiles<A> {
    inner: OpPrecompiles,
    spec: OpSpecId,
    accelerator: A,
}

impl<A: PrecompileAccelerator> KoaPrecompiles<A> {
    /// The precompiles of `spec`, accelerated by `accelerator`.
    pub fn new(spec: OpSpecId, accelerator: A) -> Self {
        Self {
            inner: OpPrecompiles::new_with_spec(spec),
            spec,
            accelerator,
        }
    }

    /// The accelerator.
    pub const fn accelerator(&self) -> &A {
        &self.accelerator
    }

    /// Runs the precompile at `address` with `gas_limit` as the EVM would: `None` if `address`
    /// is not a precompile of this fork, `Err` if the accelerator failed or answered with a
    /// result revm could not have produced (fatal for the block).
    pub fn execute(
        &self,
        address: &Address,
        input: &[u8],
        gas_limit: u64,
        reservoir: u64,
    ) -> Option<Result<PrecompileOutput, String>> {
        let precompile = self.inner.precompiles().get(address)?;
        if !self.accelerator.accelerates(address) || !is_accelerated(address) {
            return Some(
                precompile
                    .execute(input, gas_limit, reservoir)
                    .map_err(|e| format!("{e}")),
            );
        }
        Some(self.accelerate(*address, input, gas_limit, reservoir))
    }

    fn accelerate(
        &self,
        address: Address,
        input: &[u8],
        gas_limit: u64,
        reservoir: u64,
    ) -> Result<PrecompileOutput, String> {
        let cost = match precheck(self.spec, address, input, gas_limit) {
            Precheck::Done(Ok((cost, output))) => {
                return Ok(PrecompileOutput::new(cost, output, reservoir));
            }
            Precheck::Done(Err(halt)) => return Ok(PrecompileOutput::halt(halt, reservoir)),
            Precheck::Accelerate(cost) => cost,
        };
        let answer = self
            .accelerator
            .call(address, cost, &accelerated_input(address, input))
            .map_err(|e| format!("accelerated precompile {address}: {e}"))?;
        check_answer(address, &answer)?;
        Ok(match answer {
            PrecompileAnswer::Success(output) => PrecompileOutput::new(cost, output, reservoir),
            PrecompileAnswer::Failure => PrecompileOutput::halt(
                PrecompileHalt::other("accelerated precompile failed"),
                reservoir,
            ),
        })
    }
}

impl<CTX, A> PrecompileProvider<CTX> for KoaPrecompiles<A>
where
    CTX: ContextTr<Cfg: Cfg<Spec = OpSpecId>>,
    A: PrecompileAccelerator,
{
    type Output = InterpreterResult;

    fn set_spec(&mut self, spec: OpSpecId) -> bool {
        self.spec = spec;
        <OpPrecompiles as PrecompileProvider<CTX>>::set_spec(&mut self.inner, spec)
    }

    fn run(
        &mut self,
        context: &mut CTX,
        inputs: &CallInputs,
    ) -> Result<Option<Self::Output>, String> {
        let address = inputs.bytecode_address;
        if !self.accelerator.accelerates(&address) || !is_accelerated(&address) {
            return self.inner.run(context, inputs);
        }
        let output = {
            let input = inputs.input.as_bytes(context);
            self.execute(&address, &input, inputs.gas_limit, inputs.reservoir)
        };
        let Some(output) = output else {
            return Ok(None);
        };
        let output = output?;
        // As revm's provider: a top-level halt keeps its reason for the transaction's output.
        if let Some(halt) = output.halt_reason()
            && !halt.is_oog()
            && context.journal().depth() == 1
        {
            context
                .local_mut()
                .set_precompile_error_context(alloc::string::ToString::to_string(halt));
        }
        Ok(Some(precompile_output_to_interpreter_result(
            output,
            inputs.gas_limit,
        )))
    }

    fn warm_addresses(&self) -> alloc::boxed::Box<impl Iterator<Item = Address>> {
        <OpPrecompiles as PrecompileProvider<CTX>>::warm_addresses(&self.inner)
    }

    fn contains(&self, address: &Address) -> bool {
        <OpPrecompiles as PrecompileProvider<CTX>>::contains(&self.inner, address)
    }
}
