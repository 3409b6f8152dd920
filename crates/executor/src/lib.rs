//! koa's stateless OP Stack block executor.
//!
//! [`StatelessExecutor`] builds an L2 block from its payload attributes on top of the parent
//! header, reading every account, storage slot, bytecode and ancestor header as a keccak256
//! preimage through a [`koa_mpt::TrieProvider`] ([`TrieDB`]). It runs `op-revm` for every fork
//! from Bedrock to Karst, selected by timestamp from the [`koa_protocol::RollupConfig`], and
//! assembles the header each fork expects.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub mod base_fee;
pub mod canyon;
mod db;
mod error;
mod executor;
mod handler;
pub mod precompile;
mod spec;
pub mod tx;

pub use db::TrieDB;
pub use error::{AttributesError, EvmFailure, ExecutorError, PreimageKind, StateError};
pub use executor::{ExecutionOutcome, StatelessExecutor};
pub use handler::KoaOpHandler;
pub use koa_protocol::OpPayloadAttributes;
pub use precompile::{KoaPrecompiles, NoAccelerator, PrecompileAccelerator, PrecompileAnswer};
pub use spec::spec_id;
