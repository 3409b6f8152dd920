//! OP Stack protocol types for koa.
//!
//! Rollup and system configuration, hardfork activation, and (as the crate grows) the
//! L1 info deposit, user deposits, block info and the output root. Everything here is
//! `no_std` + `alloc` and free of I/O: it is shared by the executor, the derivation
//! pipeline, the fault proof client and the host.
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub mod config;

pub use config::{
    ChainGenesis, ConfigError, Hardfork, OpChainConfig, RollupConfig, SystemConfig,
};
