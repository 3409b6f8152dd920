//! The boot information: the dispute's inputs, read from the local preimage keys (the layout:
//! [`crate::local_key`]).
//!
//! As kona-host and kona-client do (kona's `single` local key server and boot loader):
//!
//! - key 5 names a chain of the superchain registry (`koa-registry`), whose embedded configs are
//!   used and keys 6 and 7 never read; or it is 0, [`CUSTOM_CHAIN_ID`], which kona-host serves
//!   when given a rollup config file instead of a chain id, and the chain is then the one key
//!   6's rollup config names. A non-zero id outside the registry also reads key 6, which must
//!   then name the same chain.
//! - key 7 is read only when the rollup config's L1 is not an L1 koa embeds (mainnet,
//!   sepolia): a custom L2 on sepolia needs no L1 config from the host.
//!
//! op-program (October 2024) uses these keys differently (5 the chain id, `math.MaxUint64` for
//! a custom chain; 6 the L2 genesis chain config; 7 the rollup config); the fault-proof
//! specification leaves local keys 5 and up to the program. koa follows kona, so that the
//! two programs and their hosts are interchangeable under op-challenger's CANNON_KONA games.

use alloc::string::String;
use alloy_primitives::B256;
use koa_preimage::{HintWriterClient, PreimageOracleClient};
use koa_protocol::{ErrorChain, L1ChainConfig, RollupConfig};

use crate::{
    error::{DataKind, PreimageError},
    oracle::ProofOracle,
};

pub use crate::local_key::{
    AGREED_L2_OUTPUT_ROOT_KEY, CLAIMED_L2_BLOCK_NUMBER_KEY, CLAIMED_L2_OUTPUT_ROOT_KEY,
    L1_CHAIN_CONFIG_KEY, L1_HEAD_KEY, L2_CHAIN_ID_KEY, ROLLUP_CONFIG_KEY,
};
/// The local key 5 value that names no chain: the chain is the one of the rollup config
/// of key 6 (kona-host's `l2_chain_id.unwrap_or_default()` for `--rollup-config-path`).
pub const CUSTOM_CHAIN_ID: u64 = 0;

/// The boot information cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BootError {
    /// A local preimage is missing.
    #[error(transparent)]
    Preimage(#[from] PreimageError),
    /// A fixed-size local preimage has the wrong size.
    #[error("local key {index} has {actual} bytes, expected {expected}")]
    Length {
        /// The local key.
        index: u64,
        /// The size it must have.
        expected: usize,
        /// The size it has.
        actual: usize,
    },
    /// The rollup config JSON does not parse or validate.
    #[error("rollup config (local key 6): {0}")]
    RollupConfig(String),
    /// The L1 chain config JSON does not parse.
    #[error("L1 chain config (local key 7): {0}")]
    L1ChainConfig(String),
    /// The rollup config is for another chain than the boot chain id.
    #[error("rollup config is for L2 chain {config}, boot info names chain {boot}")]
    ChainIdMismatch {
        /// The boot chain id.
        boot: u64,
        /// The config's `l2_chain_id`.
        config: u64,
    },
}

/// The dispute's inputs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BootInfo {
    /// The L1 head: derivation reads no L1 block after it.
    pub l1_head: B256,
    /// The output root both parties agree on (the starting point).
    pub agreed_l2_output_root: B256,
    /// The output root the claim asserts at `claimed_l2_block_number`.
    pub claimed_l2_output_root: B256,
    /// The L2 block the claim is about.
    pub claimed_l2_block_number: u64,
    /// The L2 chain id: the rollup config's (local key 5 may be [`CUSTOM_CHAIN_ID`]).
    pub l2_chain_id: u64,
    /// The chain's rollup config.
    pub rollup_config: RollupConfig,
    /// The config of the L1 chain the rollup settles on.
    pub l1_chain_config: L1ChainConfig,
}

impl BootInfo {
    /// The claim's chain as a driver sees it (L2 hints without a chain id).
    pub const fn chain_context(&self) -> crate::ChainContext<'_> {
        crate::ChainContext {
            chain_id: self.l2_chain_id,
            rollup_config: &self.rollup_config,
            l1_chain_config: self.l1_chain_config,
            l1_head: self.l1_head,
            multi_chain: false,
        }
    }

    /// Reads the boot information from the local keys.
    pub fn load<O: PreimageOracleClient, H: HintWriterClient>(
        oracle: &ProofOracle<O, H>,
    ) -> Result<Self, BootError> {
        let l1_head = B256::from(fixed::<32, _, _>(oracle, L1_HEAD_KEY)?);
        let agreed_l2_output_root =
            B256::from(fixed::<32, _, _>(oracle, AGREED_L2_OUTPUT_ROOT_KEY)?);
        let claimed_l2_output_root =
            B256::from(fixed::<32, _, _>(oracle, CLAIMED_L2_OUTPUT_ROOT_KEY)?);
        let claimed_l2_block_number =
            u64::from_be_bytes(fixed(oracle, CLAIMED_L2_BLOCK_NUMBER_KEY)?);
        let boot_chain_id = u64::from_be_bytes(fixed(oracle, L2_CHAIN_ID_KEY)?);

        let (rollup_config, l1_chain_config) = match koa_registry::chain(boot_chain_id) {
            Some(chain) => (chain.rollup_config(), chain.l1_chain_config()),
            None => {
                let json = oracle.local(DataKind::BootInfo, ROLLUP_CONFIG_KEY)?;
                let text = core::str::from_utf8(&json)
                    .map_err(|e| BootError::RollupConfig(alloc::format!("{e}")))?;
                let rollup = RollupConfig::from_json(text)
                    .map_err(|e| BootError::RollupConfig(alloc::format!("{}", ErrorChain(&e))))?;
                if boot_chain_id != CUSTOM_CHAIN_ID && rollup.l2_chain_id != boot_chain_id {
                    return Err(BootError::ChainIdMismatch {
                        boot: boot_chain_id,
                        config: rollup.l2_chain_id,
                    });
                }
                let l1 = match koa_registry::l1_chain_config(rollup.l1_chain_id) {
                    Some(l1) => l1,
                    None => {
                        let json = oracle.local(DataKind::BootInfo, L1_CHAIN_CONFIG_KEY)?;
                        let text = core::str::from_utf8(&json)
                            .map_err(|e| BootError::L1ChainConfig(alloc::format!("{e}")))?;
                        L1ChainConfig::from_json(text).map_err(|e| {
                            BootError::L1ChainConfig(alloc::format!("{}", ErrorChain(&e)))
                        })?
                    }
                };
                (rollup, l1)
            }
        };
        let l2_chain_id: u64 = rollup_config.l2_chain_id;
        Ok(Self {
            l1_head,
            agreed_l2_output_root,
            claimed_l2_output_root,
            claimed_l2_block_number,
            l2_chain_id,
            rollup_config,
            l1_chain_config,
        })
    }
}

/// A local preimage of exactly `N` bytes.
fn fixed<const N: usize, O: PreimageOracleClient, H: HintWriterClient>(
    oracle: &ProofOracle<O, H>,
    index: u64,
) -> Result<[u8; N], BootError> {
    let bytes = oracle.local(DataKind::BootInfo, index)?;
    <[u8; N]>::try_from(bytes.as_ref()).map_err(|_| BootError::Length {
        index,
        expected: N,
        actual: bytes.len(),
    })
}
