//! The fault-proof VM platform layer: system calls, file descriptors, heap, panic handler and
//! entry point for programs running on Asterisc (RISC-V 64) and Cannon (MIPS64).
//!
//! The same binaries run under `qemu-riscv64` / `qemu-mips64`: the system calls used (read,
//! write, mmap, exit_group) have the Linux numbers and argument layout, and both error
//! conventions are understood. On other architectures the crate builds, but every system call
//! fails with `ENOSYS`, except on x86_64 Linux where the native numbers are used.
#![cfg_attr(not(any(feature = "std", test)), no_std)]
#![cfg_attr(target_arch = "mips64", feature(asm_experimental_arch))]

pub mod entry;
pub mod heap;
pub mod io;
pub mod syscall;

pub use entry::{FAILURE_EXIT_CODE, PANIC_EXIT_CODE, Termination, exit_with};
pub use heap::{DEFAULT_HEAP_SIZE, FpvmHeap, HeapStats};
pub use io::{FileDescriptor, FpvmChannel, hint_writer, oracle_reader};
pub use syscall::{Errno, exit};
