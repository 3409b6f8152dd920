//! `koa-client`: koa's fault proof program.
//!
//! One program for every platform. On Asterisc (riscv64) and Cannon (mips64) it is a `no_std`
//! ELF (`fpvm` feature, built by `scripts/build-client.sh`); natively it is an ordinary
//! executable. Either way it reads its inputs through the preimage oracle on file descriptors
//! 3–6 (hint read, hint write, preimage read, preimage write), judges the claim with
//! [`koa_proof::run`] and exits with op-challenger's code:
//!
//! | exit code | meaning                                                            |
//! |-----------|--------------------------------------------------------------------|
//! | 0         | the claim is valid                                                 |
//! | 1         | the claim is invalid                                               |
//! | 2         | the program failed (missing or tampered preimage, bad input, panic) |
//!
//! A failure never exits 1: `1` is a verdict.
#![cfg_attr(feature = "fpvm", no_std)]
#![cfg_attr(feature = "fpvm", no_main)]

extern crate alloc;

mod outcome;
mod program;

/// The program this binary runs: output-root claims.
const PROGRAM: program::Program = program::Program::SingleChain;

#[cfg(not(feature = "fpvm"))]
mod native;

#[cfg(feature = "fpvm")]
koa_fpvm::entry!(fpvm_main);

/// The FPVM program: the oracle on the VM's file descriptors, every precompile in-process
/// unless the proof core accelerates it.
#[cfg(feature = "fpvm")]
fn fpvm_main() -> outcome::Outcome {
    PROGRAM.run(koa_fpvm::oracle_reader(), koa_fpvm::hint_writer())
}

#[cfg(not(feature = "fpvm"))]
fn main() -> std::process::ExitCode {
    native::main()
}
