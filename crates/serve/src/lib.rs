//! Serves a recorded chain — e.g. koa's bundled devnet — as the three nodes a fault-proof host
//! talks to, over HTTP on a loopback address:
//!
//! - `/l1`: an L1 execution node (JSON-RPC): `eth_chainId`, `eth_blockNumber`,
//!   `eth_getBlockByHash` / `eth_getBlockByNumber`, `debug_getRawHeader`,
//!   `debug_getRawReceipts`, `eth_getTransactionReceipt`;
//! - `/beacon`: an L1 beacon node (REST): `genesis`, `config/spec`, `blob_sidecars/{slot}` and
//!   `blobs/{slot}`;
//! - `/l2`: an L2 execution node (JSON-RPC): the block methods, `eth_getProof`, `debug_dbGet`,
//!   `debug_executionWitness`, `debug_executePayload` and `optimism_outputAtBlock`.
//!
//! A multi-chain devnet is served as one such server per L2 chain (one URL per chain, as
//! kona-host's `--l2-node-addresses` takes them), every one also answering
//! `superroot_atTimestamp` ([`SuperRoots`]).
//!
//! Every answer is computed from the chain's preimages ([`ChainData`]).

pub mod chain;
pub mod server;
pub mod super_roots;

pub use chain::{BeaconTiming, ChainData, ChainIndex, Layer, QueryError};
pub use server::{ServeHandle, ServeStats, serve, serve_with_super_roots};
pub use super_roots::{ChainOutput, ChainOutputs, SuperRoots};
