//! The per-chain context: what one chain's driver, L2 store, trie provider and hinter need,
//! instead of a whole program's boot information.

use alloy_primitives::B256;
use koa_protocol::{L1ChainConfig, RollupConfig};

/// One L2 chain as a driver sees it.
#[derive(Debug, Clone, Copy)]
pub struct ChainContext<'a> {
    /// The L2 chain id.
    pub chain_id: u64,
    /// The chain's rollup config.
    pub rollup_config: &'a RollupConfig,
    /// The config of the L1 chain it settles on.
    pub l1_chain_config: L1ChainConfig,
    /// The L1 head: derivation reads no L1 block after it.
    pub l1_head: B256,
    /// Whether L2 hints carry the chain id: `false` for the single-chain program (its hints stay
    /// exactly as kona's single-chain client sends them), `true` for the super-root program.
    pub multi_chain: bool,
}

impl ChainContext<'_> {
    /// The chain id L2 hints carry, if any.
    pub const fn hint_chain_id(&self) -> Option<u64> {
        if self.multi_chain {
            Some(self.chain_id)
        } else {
            None
        }
    }
}
