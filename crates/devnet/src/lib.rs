//! koa's devnet: a deterministic OP Stack L1 and L2 chain to prove end to end.
//!
//! [`generate`] builds, from a seed, an L1 chain and an L2 chain that follow the protocol's
//! rules: the L2 starts from a real op-deployer genesis (Granite at time 0) and activates
//! Holocene, Isthmus, Jovian and Karst later, so their upgrade transactions run on the real
//! predeploys; the L1 carries the batcher's channels (calldata and blobs, zlib and brotli,
//! singular and span batches, multi-frame channels), deposits, system config updates (batcher
//! change included) and noise. Every L2 block's attributes come from koa's derivation code
//! reading that L1 data, and koa's executor builds every block.
//!
//! [`write_devnet`] writes the devnet directory (rollup config, L1 chain config, claims, chain
//! index, preimage archive, and optionally op-program's preimage directory);
//! [`Devnet::load`] reads it back for tests and for `koa devnet serve`.
#![allow(unreachable_pub)]

mod batcher;
mod blobs;
mod claims;
mod generate;
mod genesis;
mod l1;
mod l2;
mod load;
mod output;
mod plan;
mod providers;
mod rng;
mod store;
mod super_claims;
mod super_output;
pub mod super_root;
mod tries;
mod users;

pub use batcher::{Carrier, ChannelKind, Compression};
pub use blobs::{BlobData, roots_of_unity};
pub use claims::{Claim, ClaimsFile, claims};
pub use generate::{
    DevnetParams, GENESIS_JSON_ZST, GeneratedChain, GeneratedDevnet, GeneratedSuperDevnet,
    L2_BLOCK_TIME, SCHEDULED_FORKS, SEQ_WINDOW_SIZE, SuperChainParams, SuperDevnetParams, generate,
    generate_super,
};
pub use genesis::L2Genesis;
pub use l1::{DEVNET_L1_CHAIN_ID, L1_BLOCK_TIME, L1Block, L1Chain, devnet_l1_config};
pub use l2::{L2Block, execute_block};
pub use load::{Devnet, KeccakPreimages, MAX_ARCHIVE_BYTES, bundled_devnet_dir};
pub use output::{
    ARCHIVE_FILE, CHAIN_FILE, CLAIMS_FILE, ChainIndex, ForkEntry, L1_CONFIG_FILE, L2BlockEntry,
    PREIMAGE_DIR, ROLLUP_FILE, WriteOptions, l1_chain_config_json, write_devnet,
};
pub use plan::{BATCH_INBOX, ChainAddresses, PORTAL, SYSTEM_CONFIG};
pub use providers::{L1View, L2Chain, L2View, NotInDevnet, blobs_of};
pub use rng::TestKey;
pub use store::PreimageStore;
pub use super_claims::{SuperClaim, SuperClaimsFile, SuperTruth, super_claims};
pub use super_output::{
    DEPENDENCY_SET_FILE, SUPER_CLAIMS_FILE, SUPER_INDEX_FILE, SuperChainIndex, SuperDevnet,
    SuperDevnetChain, SuperDevnetIndex, bundled_super_devnet_dir, dependency_set_json, rollup_file,
    write_super_devnet,
};
pub use users::TxCounts;

/// A devnet failure.
#[derive(Debug, thiserror::Error)]
pub enum DevnetError {
    /// The parameters are unusable.
    #[error("invalid devnet parameters: {0}")]
    Params(String),
    /// The genesis file is unusable.
    #[error("genesis: {0}")]
    Genesis(String),
    /// A blob could not be built.
    #[error("blob: {0}")]
    Blob(String),
    /// koa's executor failed to build an L2 block.
    #[error("executing L2 block {number} failed")]
    Execution {
        /// The block number.
        number: u64,
        /// The executor's error.
        source: koa_executor::ExecutorError,
    },
    /// A deposit (user deposit or network upgrade transaction) failed.
    #[error("deposit {index} of L2 block {number} failed: {detail}")]
    DepositFailed {
        /// The block number.
        number: u64,
        /// The transaction's index.
        index: usize,
        /// The transaction.
        detail: String,
    },
    /// The generator broke one of its own invariants (a bug).
    #[error("devnet invariant: {0}")]
    Invariant(String),
    /// Reading or writing a devnet directory failed.
    #[error("file {path}")]
    Io {
        /// The file.
        path: std::path::PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// A devnet file is malformed.
    #[error("{path}: {reason}")]
    Malformed {
        /// The file.
        path: std::path::PathBuf,
        /// What is wrong.
        reason: String,
    },
}
