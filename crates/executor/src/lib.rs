//! koa's stateless OP Stack block executor.
//!
//! [`StatelessExecutor`] builds an L2 block from its payload attributes on top of the parent
//! header, reading every account, storage slot, bytecode and ancestor header as a keccak256
//! preimage through a [`koa_mpt::TrieProvider`] ([`TrieDB`]). It runs `op-revm` for every fork
//! from Bedrock to Karst, selected by timestamp from the [`koa_protocol::RollupConfig`], and
//! assembles the header each fork expects.
//!
//! With the `std` feature, [`fixture`] loads the execution fixtures under `testdata/execution`
//! for tests, benches and `koa exec`.
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub mod base_fee;
pub mod canyon;
mod db;
mod error;
mod executor;
mod handler;
mod spec;
mod tx;

#[cfg(feature = "std")]
pub mod fixture;

pub use db::TrieDB;
pub use error::{AttributesError, ExecutorError, PreimageKind, StateError};
pub use executor::{ExecutionOutcome, L2_TO_L1_MESSAGE_PASSER, StatelessExecutor};
pub use handler::KoaOpHandler;
pub use koa_protocol::OpPayloadAttributes;
pub use spec::spec_id;
