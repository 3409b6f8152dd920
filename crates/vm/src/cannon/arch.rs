//! Cannon's MIPS64 constants: memory layout, registers, scheduling.

/// Aligns an address to its 8-byte word.
pub const ADDRESS_MASK: u64 = 0xFFFF_FFFF_FFFF_FFF8;
/// The in-word part of an address.
pub const EXT_MASK: u64 = 0x7;
/// Bytes per word.
pub const WORD_SIZE_BYTES: u64 = 8;

/// Where anonymous mmaps start (the heap of the initial state).
pub const HEAP_START: u64 = 0x0000_1000_0000_0000;
/// The end of the heap: an mmap that would pass it fails with `EINVAL`.
pub const HEAP_END: u64 = 0x0000_6000_0000_0000;
/// The fixed program break `brk` returns.
pub const PROGRAM_BREAK: u64 = 0x0000_4000_0000_0000;
/// The initial stack pointer (`cannon load-elf`'s stack patch).
pub const HIGH_MEMORY_START: u64 = 0x0000_7FFF_FFFF_F000;

/// Steps a thread runs before it is preempted.
pub const SCHED_QUANTUM: u64 = 100_000;
/// The clock rate of the deterministic clock (steps per second).
pub const HZ: u64 = 10_000_000;

/// The return address register.
pub const REG_RA: usize = 31;
/// The stack pointer.
pub const REG_SP: usize = 29;
/// Syscall number and first return value.
pub const REG_V0: usize = 2;
/// First syscall argument.
pub const REG_A0: usize = 4;
/// Second syscall argument.
pub const REG_A1: usize = 5;
/// Third syscall argument.
pub const REG_A2: usize = 6;
/// Syscall error flag.
pub const REG_A3: usize = 7;
