//! `koa-client-super`: koa's fault proof program for super-root claims (super dispute games,
//! SUPER_CANNON_KONA, game type 9).
//!
//! The same program as `koa-client` in every other respect — platforms, file descriptors 3–6,
//! witness flags and exit codes (0 valid, 1 invalid, 2 failure) — but it reads the super-root
//! local keys and runs one step of the super-root state transition
//! ([`koa_proof::super_root::run_super`]). koa ships one ELF per mode, as kona ships
//! `kona-client` and `kona-client-int`: the two local-key layouts share indices 2–4, so the
//! program cannot tell the modes apart before it knows which hint to send for key 2.
#![cfg_attr(feature = "fpvm", no_std)]
#![cfg_attr(feature = "fpvm", no_main)]

extern crate alloc;

mod outcome;
mod program;

#[cfg(not(feature = "fpvm"))]
mod native;

/// The program this binary runs: super-root claims.
const PROGRAM: program::Program = program::Program::SuperRoot;

#[cfg(feature = "fpvm")]
koa_fpvm::entry!(fpvm_main);

/// The FPVM program: the oracle on the VM's file descriptors.
#[cfg(feature = "fpvm")]
fn fpvm_main() -> outcome::Outcome {
    PROGRAM.run(koa_fpvm::oracle_reader(), koa_fpvm::hint_writer())
}

#[cfg(not(feature = "fpvm"))]
fn main() -> std::process::ExitCode {
    native::main()
}
