//! The koa host: serves the preimage oracle to the fault proof program.
//!
//! - [`store`]: preimage stores — op-program's data directory and memory — that check every
//!   preimage against its key.
//! - [`rpc`]: the async JSON-RPC / REST client for L1, beacon and L2 nodes.
//! - [`blob`]: blobs as preimages, fetched from a beacon node and checked with KZG.
//! - [`online`]: answering hints from the nodes.
//! - [`online_super`]: answering a super-root program's hints from one L2 node per chain.
//! - [`backend`]: local inputs + store + online fetching behind the oracle and hint traits.
//! - [`runner`]: runs a program under `qemu-riscv64` / `qemu-mips64` (or natively) with its
//!   preimage file descriptors wired to the host's oracle and hint servers.
//! - [`rv64`]: checks that a RISC-V ELF only uses RV64IMA instructions (Asterisc's ISA).
//! - [`elf`]: the minimal ELF64 reading both need.
//! - [`precompile`]: answers `l1-precompile` hints by running the precompile natively.

pub mod backend;
pub mod blob;
pub mod chain_check;
pub mod elf;
pub mod online;
pub mod online_super;
pub mod precompile;
pub mod rpc;
pub mod runner;
pub mod rv64;
pub mod store;
pub mod vm;

pub use backend::{
    BootInputs, HintFetcher, HostBackend, HostStats, LocalInputs, Online, SuperBootInputs,
};
pub use runner::{
    ClientRunner, DEFAULT_RUN_TIMEOUT, MAX_CAPTURED_OUTPUT, RunError, RunOutcome, Vm,
};
