//! Cannon's multithreaded MIPS64 machine (MTCannon), exact to `MIPS64.sol`.
//!
//! Specification: `specs/fault-proof/cannon-fault-proof-vm.md` (ethereum-optimism/specs).
//! Behaviour where the specification is silent or differs: the on-chain `MIPS64.sol` that
//! accepts state versions 7 and 8, with its libraries (`MIPS64Instructions.sol`,
//! `MIPS64Syscalls.sol`, `MIPS64Memory.sol`, `MIPS64State.sol`). koa implements state version
//! **8** (`multithreaded64-5`), the version kona's and op-program's current prestates are built
//! with (kona's `cannon load-elf --type multithreaded64-5`); version 7 (`multithreaded64-4`)
//! is also accepted and differs only in `getrandom`, which is a no-op there.
//!
//! Differences between the specification and the contract, followed here as the contract
//! does (each is also noted where it is implemented):
//! - Syscall errors: the specification says `$v0 = -1` and `$a3 = errno`; the contract (and
//!   Linux/MIPS) sets `$v0 = errno` and `$a3 = -1` (`0xFFFF_FFFF_FFFF_FFFF`).
//! - `clock_gettime(CLOCK_REALTIME)` writes 0 seconds and 0 nanoseconds; only
//!   `CLOCK_MONOTONIC` derives the time from the step counter.
//! - Writes to stdout, stderr and the hint fd, and reads from the hint fd, return the full
//!   requested count: the "at most 8 bytes per I/O operation" rule applies to the preimage fds.
//! - A REGIMM instruction with an `rt` other than `bltz`/`bgez`/`bltzal`/`bgezal` is not an
//!   invalid instruction: it executes as a branch that is not taken.
//! - `sync` writes `rs` to `rd` (both 0 in every real encoding).

mod arch;
pub mod elf;
pub mod file;
mod instructions;
pub mod isa;
mod machine;
mod state;
pub mod syscalls;
mod thread;

pub use arch::*;
pub use instructions::{
    execute, hilo, select_subword, sign_extend, sign_extend_immediate, update_subword,
};
pub use machine::{Cannon, DiscardOutput, MAX_HINT_WRITE, OutputSink, STEP_PROOF_LEN};
pub use state::{
    CannonState, LL_STATUS_ACTIVE_32_BIT, LL_STATUS_ACTIVE_64_BIT, LL_STATUS_NONE,
    STATE_WITNESS_LEN, witness_hash,
};
pub use thread::{
    EMPTY_THREAD_ROOT, THREAD_WITNESS_LEN, ThreadState, push_thread_root, thread_stack_root,
};

/// The Cannon state versions koa's machine implements.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum StateVersion {
    /// `multithreaded64-4`: `getrandom` is a no-op.
    MultiThreaded64V4 = 7,
    /// `multithreaded64-5`: `getrandom` writes splitmix64 bytes.
    MultiThreaded64V5 = 8,
}

impl StateVersion {
    /// The version koa produces by default (8).
    pub const DEFAULT: Self = Self::MultiThreaded64V5;

    /// The version with this number, if implemented.
    pub const fn from_u8(v: u8) -> Option<Self> {
        match v {
            7 => Some(Self::MultiThreaded64V4),
            8 => Some(Self::MultiThreaded64V5),
            _ => None,
        }
    }

    /// The version with this Cannon name (`multithreaded64-4`, `multithreaded64-5`).
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "multithreaded64-4" => Some(Self::MultiThreaded64V4),
            "multithreaded64-5" => Some(Self::MultiThreaded64V5),
            _ => None,
        }
    }

    /// Cannon's name of the version.
    pub const fn name(self) -> &'static str {
        match self {
            Self::MultiThreaded64V4 => "multithreaded64-4",
            Self::MultiThreaded64V5 => "multithreaded64-5",
        }
    }

    /// Whether `getrandom` writes random bytes (version 8) rather than doing nothing.
    pub const fn working_getrandom(self) -> bool {
        matches!(self, Self::MultiThreaded64V5)
    }
}
