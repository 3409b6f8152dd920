//! Online mode for super-root claims: one L2 node per chain (found by `eth_chainId`), hints
//! routed by the chain id they carry, and the super-root program's own hints.
//!
//! - `agreed-pre-state`: the host's `--agreed-l2-pre-state`, served when the hint names its
//!   commitment (any other hash is an error, never a made-up preimage).
//! - `l2-output-root`: the output of the chain's block at the pre-state's timestamp (kona-host
//!   finds the block the same way: `block_number_from_timestamp`), checked to hash to the
//!   hinted root.
//! - `l2-receipts`: the block's receipts, checked against its receipts root.
//! - `l2-block-data`: nothing to fetch when the block is the parent (the chain did not move)
//!   or the canonical child of the parent; a non-canonical block (a replaced one) needs the
//!   node to execute it again, which this host does not do: a typed error.
//! - every other L2 hint goes to its chain's node; L1 hints to the L1 and beacon nodes.

use std::collections::BTreeMap;

use alloy_primitives::{B256, keccak256};
use koa_preimage::PreimageKey;
use koa_proof::hint::Hint;

use crate::{
    online::{OnlineError, OnlineFetcher},
    store::PreimageStore,
};

/// One chain of a super-root run online.
#[derive(Debug)]
pub struct SuperChain<S> {
    /// The fetcher over the L1 nodes and this chain's L2 node.
    pub fetcher: OnlineFetcher<S>,
    /// The chain's L2 block at the agreed pre-state's timestamp (its `l2-output-root`).
    pub agreed_block: u64,
}

/// Fetches what a super-root program hints at, across several chains.
#[derive(Debug)]
pub struct SuperOnlineFetcher<S> {
    chains: BTreeMap<u64, SuperChain<S>>,
    store: S,
    agreed_pre_state: Vec<u8>,
}

impl<S: PreimageStore> SuperOnlineFetcher<S> {
    /// A fetcher over `chains` (by chain id; at least one), storing into `store`, serving
    /// `agreed_pre_state`.
    pub fn new(
        chains: BTreeMap<u64, SuperChain<S>>,
        store: S,
        agreed_pre_state: Vec<u8>,
    ) -> Result<Self, OnlineError> {
        if chains.is_empty() {
            return Err(OnlineError::Unsupported {
                hint: "any".into(),
                reason: "no L2 node".into(),
            });
        }
        Ok(Self {
            chains,
            store,
            agreed_pre_state,
        })
    }

    /// Preimages stored by every chain's fetcher so far.
    pub fn stored(&self) -> u64 {
        self.chains.values().map(|c| c.fetcher.stored()).sum()
    }

    fn chain(&self, hint: &Hint, chain_id: Option<u64>) -> Result<&SuperChain<S>, OnlineError> {
        match chain_id {
            Some(id) => self
                .chains
                .get(&id)
                .ok_or_else(|| OnlineError::Unsupported {
                    hint: hint.encode(),
                    reason: format!(
                        "no L2 node of chain {id} (the nodes serve chains {:?})",
                        self.chains.keys().collect::<Vec<_>>()
                    ),
                }),
            None if self.chains.len() == 1 => Ok(self.chains.values().next().expect("one chain")),
            None => Err(OnlineError::Unsupported {
                hint: hint.encode(),
                reason: "an L2 hint without a chain id, with several L2 nodes".into(),
            }),
        }
    }

    /// Fetches and stores everything `hint` names.
    pub async fn fetch(&self, hint: &Hint) -> Result<(), OnlineError> {
        match hint {
            Hint::AgreedPreState(hash) => {
                if keccak256(&self.agreed_pre_state) != *hash {
                    return Err(OnlineError::Unsupported {
                        hint: hint.encode(),
                        reason: format!(
                            "the agreed pre-state's commitment is {}",
                            keccak256(&self.agreed_pre_state)
                        ),
                    });
                }
                self.store
                    .put(PreimageKey::keccak256(*hash), &self.agreed_pre_state)?;
                Ok(())
            }
            Hint::L2OutputRoot {
                output_root,
                chain_id,
            } => {
                let chain = self.chain(hint, Some(*chain_id))?;
                chain
                    .fetcher
                    .l2_output_at(chain.agreed_block, *output_root)
                    .await
            }
            Hint::L2Receipts { hash, chain_id } => {
                self.chain(hint, Some(*chain_id))?
                    .fetcher
                    .l2_receipts(*hash)
                    .await
            }
            Hint::L2BlockData {
                parent_hash,
                block_hash,
                chain_id,
            } => {
                if parent_hash == block_hash {
                    return Ok(());
                }
                let chain = self.chain(hint, Some(*chain_id))?;
                let node = &chain.fetcher.nodes().l2;
                #[derive(serde::Deserialize)]
                struct Block {
                    #[serde(rename = "parentHash")]
                    parent_hash: B256,
                }
                let block: Option<Block> =
                    node.call("eth_getBlockByHash", (block_hash, false)).await?;
                match block {
                    // The canonical child: its data comes through the ordinary hints.
                    Some(block) if block.parent_hash == *parent_hash => Ok(()),
                    _ => Err(OnlineError::Unsupported {
                        hint: hint.encode(),
                        reason: format!(
                            "block {block_hash} is not the node's child of {parent_hash}: \
                             re-executing a replaced block is not supported by this host"
                        ),
                    }),
                }
            }
            Hint::L2BlockHeader { chain_id, .. }
            | Hint::L2Transactions { chain_id, .. }
            | Hint::L2Code { chain_id, .. }
            | Hint::L2StateNode { chain_id, .. }
            | Hint::L2AccountProof { chain_id, .. }
            | Hint::L2AccountStorageProof { chain_id, .. } => {
                self.chain(hint, *chain_id)?.fetcher.fetch(hint).await
            }
            // A payload witness names no chain: with several chains it is ignored, and the
            // block's state is fetched node by node as the executor hints at it.
            Hint::L2PayloadWitness { .. } if self.chains.len() > 1 => Ok(()),
            // L1 hints (and the rest): the first chain's fetcher; every chain's fetcher has
            // the same L1 and beacon nodes.
            _ => {
                let first = self.chains.values().next().expect("at least one chain");
                first.fetcher.fetch(hint).await
            }
        }
    }
}

impl<S: PreimageStore> crate::backend::HintFetcher for SuperOnlineFetcher<S> {
    fn fetch<'a>(
        &'a self,
        hint: &'a Hint,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), OnlineError>> + Send + 'a>>
    {
        Box::pin(Self::fetch(self, hint))
    }
}
