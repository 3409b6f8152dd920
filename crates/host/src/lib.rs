//! The koa host: serves the preimage oracle to an FPVM program.
//!
//! - [`runner`]: runs a program under `qemu-riscv64` / `qemu-mips64` (or natively) with its
//!   preimage file descriptors wired to the host's oracle and hint servers.
//! - [`rv64`]: checks that a RISC-V ELF only uses RV64IMA instructions (Asterisc's ISA).
//! - [`elf`]: the minimal ELF64 reading both need.
//! - [`precompile`]: answers `l1-precompile` hints by running the precompile natively.

pub mod elf;
pub mod precompile;
pub mod runner;
pub mod rv64;

pub use runner::{ClientRunner, RunError, RunOutcome, Vm};
