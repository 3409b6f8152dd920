//! Asterisc: the RISC-V (RV64IMA) fault proof VM of `ethereum-optimism/asterisc`, step for
//! step.
//!
//! - [`State`]: the machine state, its 362-byte witness and state hash.
//! - [`Machine`]: a state with the caches of a run; [`crate::FaultProofVm`], a fast
//!   [`Machine::step_fast`] / [`Machine::run`], and [`Machine::step_proof`] for step proofs in
//!   the format `RISCV.sol`'s `step(stateData, proof, localContext)` takes.
//! - [`load_elf`]: the prestate of a RISC-V ELF, as `asterisc load-elf` builds it.
//! - [`serialize_state`] / [`deserialize_state`]: Asterisc's binary state file.
//!
//! Memory is the shared [`crate::memory::Memory`]: Asterisc's tree is the same binary merkle
//! tree of 32-byte leaves, with the same 60-word proofs. Instructions and data are
//! little-endian.
//!
//! Reference: `rvgo/fast/vm.go` (the Go VM), `rvsol/src/RISCV.sol` (the on-chain step) at
//! ethereum-optimism/asterisc `52519dc` (May 2025). The OP specs have no Asterisc chapter, so
//! these two are the specification; where they differ from each other or from the RISC-V
//! spec, the module that implements the behaviour says so.

mod access;
mod decode;
mod elf;
mod errors;
mod execute;
mod machine;
mod serialize;
mod state;
pub mod syscall;

pub use elf::{EM_RISCV, ElfError, INITIAL_SP, MAX_SEGMENT_BYTES, load_elf};
pub use errors::StepError;
pub use machine::{MAX_OUTPUT, Machine, Output};
pub use serialize::{StateFileError, deserialize_state, serialize_state};
pub use state::{EXIT_CODE_OFFSET, INITIAL_HEAP, STATE_WITNESS_SIZE, State, state_hash};

impl Machine {
    /// The machine for `elf`'s prestate.
    pub fn from_elf(elf: &[u8]) -> Result<Self, ElfError> {
        Ok(Self::new(load_elf(elf)?))
    }
}
