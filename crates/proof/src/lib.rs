//! The core of koa's fault proof program: `no_std` + `alloc`, synchronous, and reaching data
//! only through the preimage oracle.
//!
//! Given the dispute's inputs (an L1 head and an agreed L2 output root) and a claim (an output
//! root at an L2 block number), [`run`] derives the L2 chain from L1 and executes it block by
//! block, then judges the claim: a [`Verdict`] when the program could decide, a [`ProofError`]
//! when it could not (a missing or tampered preimage, a broken chain). The client maps them to
//! op-challenger's exit codes: 0 valid, 1 invalid, 2 failure ([`Verdict::exit_code`],
//! [`ProofError::EXIT_CODE`]).
//!
//! # Modules
//!
//! - [`hint`]: the one [`Hint`] type the client sends and the host parses (kona's names and
//!   payload layouts, so kona-host and koa's host both serve koa's client).
//! - [`boot`]: [`BootInfo`], the inputs from the local keys ([`local_key`]: both layouts).
//! - [`chain`]: [`ChainContext`], one chain as a driver sees it.
//! - [`super_root`]: the super-root program.
//! - [`oracle`]: [`ProofOracle`], the caching, hinting, verifying front of the oracle.
//! - [`l1`], [`blob`], [`l2`], [`trie`]: oracle-backed providers for derivation (L1 chain,
//!   blobs, the L2 store) and execution (trie nodes, bytecode, headers, and their hints).
//! - [`driver`]: [`ChainDriver`], derivation and execution one block at a time, with the
//!   Holocene deposits-only replacement.
//! - [`precompile`]: the expensive precompiles answered by the host on an FPVM
//!   (`l1-precompile` hints, type-6 keys), in-process everywhere else.
//! - [`report`]: [`report::ClientReport`], the client's one-line report of what it computed,
//!   which a host that runs it as a child reads back for its summary.
//! - [`witness`]: witness mode for zkVMs and TEEs — record every preimage a run reads into one
//!   file, replay the proof from that file alone, every entry checked (with the example of a
//!   zkVM backend).
//!
//! # Trust
//!
//! Nothing the host serves is trusted except the local keys (the dispute game commits to
//! them). Every keccak256 and sha256 preimage is checked against its key by the code that
//! reads it; L1 headers are linked by parent hash from the L1 head, L2 headers back from the
//! agreed output root's block; transactions and receipts are read through the tries their
//! headers commit to. Blob field elements cannot be hashed against their key: on an FPVM the
//! on-chain oracle proves them ([`blob::TrustedBlobs`]); elsewhere a [`blob::BlobVerifier`]
//! checks each blob against its commitment (with the `kzg` feature, [`blob::KzgBlobVerifier`]).
//! A tampered preimage is a [`PreimageError`] naming its kind and key — never a verdict.
//!
//! # Backends
//!
//! A new backend (an FPVM, a zkVM guest, a TEE, or `koa host --native` in process) implements
//! two traits of `koa-preimage`,
//! [`PreimageOracleClient`](koa_preimage::PreimageOracleClient) (`get`, `get_exact`) and
//! [`HintWriterClient`](koa_preimage::HintWriterClient) (`hint`), over whatever transport it
//! has (file descriptors, a witness of preimages read into memory, ...), picks a [`blob::BlobVerifier`], and calls [`run`]
//! (or [`run_with`]). Everything else — boot, providers, caching, derivation, execution — is
//! this crate, unchanged.
//!
//! # Super roots
//!
//! [`super_root`] is the program's second mode, for super dispute games: one step of the
//! super-root state transition ([`super_root::run_super`], its own local-key layout in
//! [`local_key`]). The per-chain pieces do not assume a single chain: a [`ChainContext`]
//! (chain id, rollup config, L1 config, L1 head) is what a [`ChainDriver`], its [`L2Store`]
//! and its hinter get, the providers are built per chain over a shared [`ProofOracle`],
//! [`ChainDriver::next_block`] advances one chain by one block, and in the super-root mode
//! every L2 hint carries the chain id (kona's multi-chain layout; the single-chain program's
//! hints carry none, exactly as before).
#![cfg_attr(not(any(feature = "std", test)), no_std)]

extern crate alloc;

pub mod blob;
pub mod boot;
pub mod cache;
pub mod chain;
pub mod driver;
mod error;
pub mod hint;
#[cfg(feature = "kzg")]
pub mod kzg;
pub mod l1;
pub mod l2;
pub mod local_key;
pub mod oracle;
pub mod precompile;
pub mod report;
mod single_chain;
pub mod super_root;
pub mod trie;
pub mod witness;

#[cfg(test)]
mod tests;

pub use boot::{BootError, BootInfo};
pub use chain::ChainContext;
pub use driver::{Advance, ChainDriver, DriverStats};
pub use error::{DataKind, PreimageError};
pub use hint::{Hint, HintParseError, HintType};
/// Prints an error with its causes, once each: how koa's errors are meant to be shown.
pub use koa_protocol::ErrorChain;
pub use l2::L2Store;
pub use oracle::{OracleStats, ProofOracle};
pub use single_chain::{Verdict, prove, prove_with, run, run_with};

use koa_derive::PipelineError;
use koa_executor::ExecutorError;

/// The program could not decide the claim.
#[derive(Debug, thiserror::Error)]
pub enum ProofError {
    /// The boot information cannot be read.
    #[error("cannot read the boot info")]
    Boot(#[from] BootError),
    /// A preimage is missing, tampered or malformed.
    #[error(transparent)]
    Preimage(#[from] PreimageError),
    /// Derivation failed.
    #[error("derivation failed")]
    Derivation(#[source] PipelineError),
    /// A block failed to execute for a reason other than an invalid payload.
    #[error("executing block {number} failed")]
    Execution {
        /// The block number.
        number: u64,
        /// The executor's error.
        #[source]
        source: ExecutorError,
    },
    /// An executed block does not read back as a block (its L1 attributes deposit).
    #[error("executed block {number} is malformed: {reason}")]
    Executed {
        /// The block number.
        number: u64,
        /// What is wrong.
        reason: alloc::string::String,
    },
    /// The super-root boot information cannot be read.
    #[error("cannot read the super-root boot info")]
    SuperBoot(#[from] super_root::SuperBootError),
    /// A super-root step that the transition's own rules exclude (a bug, never a verdict).
    #[error("super-root transition: {0}")]
    SuperTransition(&'static str),
    /// A chain has interop active at the consolidated timestamp: its executing messages would
    /// have to be checked, which koa does not do yet. A failure, never a verdict.
    #[error(
        "chain {chain_id} has interop active at {timestamp}: executing messages are not checked yet"
    )]
    InteropMessagesUnchecked {
        /// The chain.
        chain_id: u64,
        /// The consolidated super root's timestamp.
        timestamp: u64,
    },
    /// The deposits-only replacement of a failed payload failed too.
    #[error("deposits-only block {number} failed to execute")]
    DepositsOnlyFailed {
        /// The block number.
        number: u64,
        /// The executor's error.
        #[source]
        source: ExecutorError,
    },
}

impl ProofError {
    /// op-challenger's exit code for a program failure.
    pub const EXIT_CODE: i32 = 2;
}
