//! The host's answer to an `l1-precompile` hint: runs the precompile natively and produces the
//! preimages the client will read.
//!
//! Hint payload (kona's layout, the fault-proof specification's `l1-precompile` with the
//! required gas of newer versions): `address (20 B) ‖ required gas (u64 BE) ‖ input`.
//! The client then reads the type-6 key `6 ‖ keccak256(payload)[1..]`, whose value is
//! `status ‖ output`: status `1` and the precompile's output on success, a single `0` byte if
//! the precompile fails (halts) for that input and gas. The host also keeps the payload itself
//! as a keccak256 preimage, as the specification asks, so the key can be traced back to its
//! call (and loaded on L1 with `loadPrecompilePreimagePart`).
//!
//! The precompile runs with the required gas as its limit, as the L1 `PreimageOracle` contract
//! calls it, using revm's L1 precompiles of the latest fork. Only the precompiles koa
//! accelerates ([`koa_executor::precompile::ACCELERATED_PRECOMPILES`]) are served: a hint
//! naming any other address is refused.

use alloy_primitives::{Address, B256, Bytes, keccak256};
use koa_executor::precompile::{PrecompileAnswer, is_accelerated};
use koa_preimage::PreimageKey;
use revm::precompile::{PrecompileSpecId, Precompiles};

/// The length of the fixed part of the hint payload: address and required gas.
pub const PRECOMPILE_HINT_HEADER_LEN: usize = 20 + 8;

/// Why an `l1-precompile` hint could not be answered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PrecompileHintError {
    /// The payload is shorter than address and gas.
    #[error("l1-precompile payload of {0} bytes is shorter than address and gas (28 bytes)")]
    TooShort(usize),
    /// The address is not a precompile koa accelerates.
    #[error("{0} is not an accelerated precompile")]
    NotAccelerated(Address),
    /// revm reported a fatal error (not a precompile failure).
    #[error("precompile {address} failed fatally: {reason}")]
    Fatal {
        /// The precompile.
        address: Address,
        /// revm's message.
        reason: String,
    },
}

/// A decoded `l1-precompile` hint payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrecompileCall {
    /// The precompile address.
    pub address: Address,
    /// The gas the client charged (the precompile's required gas): the call's gas limit.
    pub required_gas: u64,
    /// The input.
    pub input: Bytes,
}

impl PrecompileCall {
    /// Decodes `address ‖ required gas (u64 BE) ‖ input`.
    pub fn decode(payload: &[u8]) -> Result<Self, PrecompileHintError> {
        if payload.len() < PRECOMPILE_HINT_HEADER_LEN {
            return Err(PrecompileHintError::TooShort(payload.len()));
        }
        let address = Address::from_slice(&payload[..20]);
        let mut gas = [0u8; 8];
        gas.copy_from_slice(&payload[20..28]);
        Ok(Self {
            address,
            required_gas: u64::from_be_bytes(gas),
            input: Bytes::copy_from_slice(&payload[28..]),
        })
    }

    /// The hint payload `address ‖ required gas ‖ input`.
    pub fn encode(&self) -> Vec<u8> {
        [
            self.address.as_slice(),
            &self.required_gas.to_be_bytes(),
            &self.input,
        ]
        .concat()
    }

    /// The precompile preimage key the client reads: type 6 over `keccak256(payload)`.
    pub fn key(&self) -> PreimageKey {
        PreimageKey::precompile_call(self.address, self.required_gas, &self.input)
    }

    /// Runs the precompile natively with the required gas as its limit.
    pub fn run(&self) -> Result<PrecompileAnswer, PrecompileHintError> {
        if !is_accelerated(&self.address) {
            return Err(PrecompileHintError::NotAccelerated(self.address));
        }
        let precompiles: &Precompiles = Precompiles::new(PrecompileSpecId::OSAKA);
        let precompile = precompiles
            .get(&self.address)
            .ok_or(PrecompileHintError::NotAccelerated(self.address))?;
        let output = precompile
            .execute(&self.input, self.required_gas, 0)
            .map_err(|e| PrecompileHintError::Fatal {
                address: self.address,
                reason: e.to_string(),
            })?;
        Ok(if output.is_success() {
            PrecompileAnswer::Success(output.bytes)
        } else {
            PrecompileAnswer::Failure
        })
    }
}

/// The preimages that answer one `l1-precompile` hint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrecompilePreimages {
    /// The precompile key and its `status ‖ output` value.
    pub result: (PreimageKey, Vec<u8>),
    /// The payload as a keccak256 preimage (its key hash and the payload).
    pub payload: (B256, Vec<u8>),
}

/// Answers an `l1-precompile` hint payload: runs the precompile and returns the preimages to
/// store (see the module docs for the formats).
pub fn answer_precompile_hint(payload: &[u8]) -> Result<PrecompilePreimages, PrecompileHintError> {
    let call = PrecompileCall::decode(payload)?;
    let answer = call.run()?;
    Ok(PrecompilePreimages {
        result: (call.key(), answer.encode()),
        payload: (keccak256(payload), payload.to_vec()),
    })
}
