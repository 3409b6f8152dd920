//! OP Stack protocol types for koa.
//!
//! Rollup and system configuration with its L1 updates ([`config`]), hardfork activation,
//! the L1 attributes deposit ([`l1_info`]), user deposits and deposit source hashes
//! ([`deposits`]), the header `extraData` fee parameters ([`eip1559`]), block references
//! ([`BlockInfo`], [`L2BlockInfo`]), the output root ([`OutputRoot`]), blocks' transaction
//! lists ([`TxList`]), the L1 blob schedule ([`L1ChainConfig`]) and interop's super roots and
//! transition states ([`super_root`]). Everything here is `no_std` + `alloc` and free of I/O: it
//! is shared by the executor, the derivation pipeline, the fault proof client and the host.
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub mod attributes;
pub mod batch;
mod block_info;
pub mod channel;
pub mod config;
pub mod deposits;
pub mod eip1559;
mod error_chain;
pub mod frame;
mod l1_chain;
pub mod l1_info;
mod output_root;
pub mod predeploys;
pub mod super_root;
mod tx_list;
pub mod upgrades;

pub use attributes::OpPayloadAttributes;
pub use block_info::{BlockInfo, L2BlockInfo, L2BlockInfoError};
pub use config::{
    ChainGenesis, ConfigError, Hardfork, L2SystemConfigError, OpChainConfig, RollupConfig,
    SystemConfig,
};
pub use error_chain::ErrorChain;
pub use l1_chain::{L1ChainConfig, L1ChainConfigError, MIN_BLOB_BASE_FEE, l1_blob_base_fee};
pub use l1_info::{L1BlockInfoTx, L1BlockValues, L1InfoFormat};
pub use output_root::OutputRoot;
pub use tx_list::{TxList, TxListIter, TxListTooLarge};
