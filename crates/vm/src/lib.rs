//! koa's fault proof VMs: Cannon's multithreaded MIPS64 and Asterisc's RISC-V, exact to the step.
//!
//! Both machines implement [`FaultProofVm`]: one instruction per [`FaultProofVm::step`], the
//! state witness and its hash (with the VM status in the high byte), and a step proof (the
//! pre-state witness with the memory proofs a contract needs to replay the step). They talk to
//! the host through [`PreimageOracle`] (hints out, preimages in) and share the paged
//! [`memory::Memory`] with its merkle tree.
//!
//! The core is `no_std` + `alloc`; the `std` feature adds state files and process support.
#![cfg_attr(not(any(feature = "std", test)), no_std)]

extern crate alloc;

pub mod asterisc;
pub mod cannon;
mod error;
pub mod memory;
mod oracle;
mod status;
mod witness;

pub use error::VmError;
pub use oracle::{OracleError, PreimageOracle};
pub use status::VmStatus;
pub use witness::{PreimageWitness, StepWitness};

use alloc::vec::Vec;
use alloy_primitives::B256;

/// A fault proof VM: a state transition function over an encoded state, one instruction a step.
pub trait FaultProofVm {
    /// Executes one step (one instruction, or one scheduling action), asking `oracle` for hints
    /// and preimages. A step on an exited machine changes nothing.
    fn step(&mut self, oracle: &mut dyn PreimageOracle) -> Result<(), VmError>;

    /// Executes one step like [`FaultProofVm::step`] and returns the witness of its pre-state:
    /// the encoded state, the proofs of the memory the step reads or writes, and the preimage
    /// it reads, if any.
    fn step_with_proof(&mut self, oracle: &mut dyn PreimageOracle) -> Result<StepWitness, VmError>;

    /// Whether the program has exited.
    fn exited(&self) -> bool;

    /// The program's exit code (meaningful once [`FaultProofVm::exited`]).
    fn exit_code(&self) -> u8;

    /// The VM status derived from the exit flag and code.
    fn status(&self) -> VmStatus {
        VmStatus::new(self.exited(), self.exit_code())
    }

    /// Steps executed so far (the state's `step` field).
    fn step_count(&self) -> u64;

    /// The program counter of the running thread.
    fn pc(&self) -> u64;

    /// The encoded state witness.
    fn encode_state(&mut self) -> Vec<u8>;

    /// The state hash: `keccak256` of the state witness with the high byte set to the status.
    fn state_hash(&mut self) -> B256 {
        let status = self.status();
        status.stamp(alloy_primitives::keccak256(self.encode_state()))
    }
}
