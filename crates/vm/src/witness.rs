//! The witness of one step: what an on-chain VM needs to replay it.

use alloc::vec::Vec;
use alloy_primitives::B256;

/// The pre-state witness of one step with the proofs the on-chain VM checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepWitness {
    /// The encoded pre-state.
    pub state: Vec<u8>,
    /// The pre-state hash (with the status byte).
    pub state_hash: B256,
    /// The proof data: for Cannon the active thread's witness and the memory proofs, for
    /// Asterisc the memory proofs.
    pub proof: Vec<u8>,
    /// The preimage read by the step: its key, the value with its 8-byte big-endian length
    /// prefix, and the offset read at.
    pub preimage: Option<PreimageWitness>,
}

/// A preimage read by a step, which the challenger must have loaded in the preimage oracle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreimageWitness {
    /// The preimage key.
    pub key: B256,
    /// The preimage, prefixed with its length as 8 bytes big-endian.
    pub value: Vec<u8>,
    /// The offset read at, in the prefixed value.
    pub offset: u64,
}
