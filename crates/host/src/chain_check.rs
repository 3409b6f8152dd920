//! Before proving online: the nodes serve the chains the configs describe. A rollup config
//! for another chain judges a valid claim invalid without a single failing call, so the L2
//! node's `eth_chainId` and genesis block hash are checked against the rollup config, and the
//! L1 node's `eth_chainId` against the L1 chain id, before the client starts.

use alloy_primitives::{B256, U64};
use koa_protocol::RollupConfig;

use crate::{
    online::Nodes,
    rpc::{NodeClient, RpcError},
};

/// The nodes are not the configured chains.
#[derive(Debug, thiserror::Error)]
pub enum WrongChain {
    /// A node could not be asked.
    #[error(transparent)]
    Rpc(#[from] RpcError),
    /// A node serves another chain id.
    #[error(
        "{node} serves chain {actual}, but the {config} is for chain {expected}: wrong node or wrong config"
    )]
    ChainId {
        /// The node.
        node: String,
        /// Its `eth_chainId`.
        actual: u64,
        /// The config's.
        expected: u64,
        /// Which config.
        config: &'static str,
    },
    /// The L2 node's block at the genesis number is another block.
    #[error(
        "{node}: block {number} is {actual}, but the rollup config's L2 genesis is {expected}: wrong node or wrong config"
    )]
    Genesis {
        /// The node.
        node: String,
        /// The genesis block number.
        number: u64,
        /// The node's block hash there (`None`: the node has no such block).
        actual: String,
        /// The rollup config's genesis hash.
        expected: B256,
    },
}

#[derive(serde::Deserialize)]
struct BlockHash {
    hash: B256,
}

async fn chain_id(node: &NodeClient) -> Result<u64, RpcError> {
    let id: U64 = node.call("eth_chainId", ()).await?;
    Ok(id.to())
}

/// Checks the L2 node against `rollup` (chain id, genesis hash) and the L1 node against
/// `l1_chain_id`.
pub async fn check_chains(
    nodes: &Nodes,
    rollup: &RollupConfig,
    l1_chain_id: u64,
) -> Result<(), WrongChain> {
    let l2 = chain_id(&nodes.l2).await?;
    if l2 != rollup.l2_chain_id {
        return Err(WrongChain::ChainId {
            node: nodes.l2.name().to_string(),
            actual: l2,
            expected: rollup.l2_chain_id,
            config: "rollup config",
        });
    }
    let genesis = rollup.genesis.l2;
    let block: Option<BlockHash> = nodes
        .l2
        .call("eth_getBlockByNumber", (U64::from(genesis.number), false))
        .await?;
    if block.as_ref().map(|b| b.hash) != Some(genesis.hash) {
        return Err(WrongChain::Genesis {
            node: nodes.l2.name().to_string(),
            number: genesis.number,
            actual: block.map_or_else(|| "unknown to it".to_string(), |b| b.hash.to_string()),
            expected: genesis.hash,
        });
    }
    let l1 = chain_id(&nodes.l1).await?;
    if l1 != l1_chain_id {
        return Err(WrongChain::ChainId {
            node: nodes.l1.name().to_string(),
            actual: l1,
            expected: l1_chain_id,
            config: "L1 chain config",
        });
    }
    Ok(())
}
