//! The errors shared by the machines.

use alloc::string::String;
use alloy_primitives::B256;

use crate::OracleError;

/// Why a step could not produce a post-state, or why a state or program cannot be used.
///
/// The first group are the exceptions of the VM specifications: a step that raises one has no
/// valid post-state.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VmError {
    /// An instruction outside the machine's instruction set.
    #[error("invalid instruction {insn:#010x} at pc {pc:#x}")]
    InvalidInstruction {
        /// Address of the instruction.
        pc: u64,
        /// The instruction word.
        insn: u32,
    },
    /// A syscall number the machine does not answer.
    #[error("unsupported syscall {number} at pc {pc:#x}")]
    UnsupportedSyscall {
        /// Address of the syscall instruction.
        pc: u64,
        /// The syscall number.
        number: u64,
    },
    /// A branch or jump in a branch delay slot.
    #[error("branch or jump in a delay slot at pc {pc:#x}")]
    BranchInDelaySlot {
        /// Address of the offending instruction.
        pc: u64,
    },
    /// A preimage read at an offset past the end of the (length-prefixed) preimage.
    #[error("preimage read at offset {offset} past its length {len} (key {key})")]
    PreimageOffsetOutOfBounds {
        /// The preimage key.
        key: B256,
        /// The offset read at.
        offset: u64,
        /// The length of the length-prefixed preimage.
        len: u64,
    },
    /// The active thread stack is empty.
    #[error("the active thread stack is empty")]
    EmptyThreadStack,
    /// A step (with proof) asked of a machine that has exited.
    #[error("the program exited at step {step}: there is no further step to prove")]
    Exited {
        /// The final step.
        step: u64,
    },
    /// A machine-specific exception.
    #[error("{0}")]
    Exception(String),
    /// The host failed to answer.
    #[error(transparent)]
    Oracle(#[from] OracleError),
    /// An encoded state that does not decode.
    #[error("invalid state: {0}")]
    InvalidState(String),
    /// A program that cannot be loaded.
    #[error("invalid program: {0}")]
    InvalidProgram(String),
}
