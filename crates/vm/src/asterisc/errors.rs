//! Why an Asterisc step cannot be executed.
//!
//! Each variant except [`StepError::HintTooLarge`] is a case where `RISCV.sol` reverts, with
//! the revert code it uses ([`StepError::revert_code`]): no post-state exists, so a run stops
//! there.
//! The machine leaves its state as it was before the failed step.

use crate::OracleError;

/// A step that Asterisc refuses (its contract reverts) or that the oracle could not serve.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StepError {
    /// An opcode Asterisc does not implement (`0xf001c0de`).
    #[error("unknown opcode {opcode:#04x} in instruction {instr:#010x} at pc {pc:#x}")]
    UnknownOpcode {
        /// The PC of the instruction.
        pc: u64,
        /// The instruction word.
        instr: u32,
        /// Its opcode field.
        opcode: u8,
    },
    /// A reserved or unimplemented encoding of an implemented opcode (`0xbadc0de`).
    #[error("illegal instruction {instr:#010x} at pc {pc:#x}")]
    IllegalInstruction {
        /// The PC of the instruction.
        pc: u64,
        /// The instruction word.
        instr: u32,
    },
    /// An atomic operation (`funct5`) that does not exist (`0xf001a70`).
    #[error("unknown atomic operation {op:#x} at pc {pc:#x}")]
    UnknownAtomicOperation {
        /// The PC of the instruction.
        pc: u64,
        /// The `funct5` field.
        op: u8,
    },
    /// An atomic of a size other than 4 or 8 bytes (`0xbada70`).
    #[error("atomic operation of {size} bytes at pc {pc:#x}")]
    BadAtomicSize {
        /// The PC of the instruction.
        pc: u64,
        /// `1 << funct3`.
        size: u64,
    },
    /// A jump or branch target not aligned to 4 bytes, or an atomic address not aligned to its
    /// size (`0xbad10ad0`).
    #[error("address {addr:#x} not aligned at pc {pc:#x}")]
    NotAligned {
        /// The PC of the instruction.
        pc: u64,
        /// The misaligned target or address.
        addr: u64,
    },
    /// A store wider than 8 bytes (`sq`-like encodings; `0xbad512e8`).
    #[error("store of {size} bytes at pc {pc:#x}")]
    StoreTooWide {
        /// The PC of the instruction.
        pc: u64,
        /// `1 << funct3`.
        size: u64,
    },
    /// The instruction word itself straddles two 32-byte memory leaves (a PC not aligned to
    /// 4 bytes; `0xbad22220`).
    #[error("instruction at pc {pc:#x} straddles two memory leaves")]
    UnalignedFetch {
        /// The PC.
        pc: u64,
    },
    /// `getrlimit` of a resource other than `RLIMIT_NOFILE` (`0xf0012`).
    #[error("getrlimit of unsupported resource {resource} at pc {pc:#x}")]
    UnsupportedResource {
        /// The PC of the `ecall`.
        pc: u64,
        /// The resource number.
        resource: u64,
    },
    /// A system call Asterisc rejects: `prlimit64`, `futex`, `nanosleep` (`0xf001ca11`).
    #[error("unsupported system call {number} at pc {pc:#x}")]
    UnsupportedSyscall {
        /// The PC of the `ecall`.
        pc: u64,
        /// The system call number (`a7`).
        number: u64,
    },
    /// A preimage read at or past the end of the preimage (the oracle contract has no such
    /// part; `0xbadf00d0`).
    #[error("preimage read at offset {offset} past the end ({len} bytes with prefix)")]
    PreimageOffsetOutOfBounds {
        /// The read offset (counting the 8-byte length prefix).
        offset: u64,
        /// The preimage's length plus 8.
        len: u64,
    },
    /// A single write of more than [`super::syscall::MAX_HINT_WRITE`] bytes to the hint fd
    /// (koa's limit, not Asterisc's: hints are outside the state).
    #[error("hint write of {count} bytes at pc {pc:#x} exceeds koa's limit")]
    HintTooLarge {
        /// The PC of the `ecall`.
        pc: u64,
        /// The byte count written.
        count: u64,
    },
    /// The oracle failed to provide a preimage or to accept a hint (`0xbadf00d0` on chain for
    /// a missing preimage).
    #[error(transparent)]
    Oracle(#[from] OracleError),
}

impl StepError {
    /// The code `RISCV.sol` reverts with for this case (`None` for koa's own hint limit, where
    /// the contract would execute the step).
    pub const fn revert_code(&self) -> Option<u64> {
        Some(match self {
            Self::UnknownOpcode { .. } => 0xf001_c0de,
            Self::IllegalInstruction { .. } => 0x0bad_c0de,
            Self::UnknownAtomicOperation { .. } => 0x0f00_1a70,
            Self::BadAtomicSize { .. } => 0x00ba_da70,
            Self::NotAligned { .. } => 0xbad1_0ad0,
            Self::StoreTooWide { .. } => 0xbad5_12e8,
            Self::UnalignedFetch { .. } => 0xbad2_2220,
            Self::UnsupportedResource { .. } => 0x000f_0012,
            Self::UnsupportedSyscall { .. } => 0xf001_ca11,
            Self::PreimageOffsetOutOfBounds { .. } | Self::Oracle(_) => 0xbadf_00d0,
            Self::HintTooLarge { .. } => return None,
        })
    }
}
