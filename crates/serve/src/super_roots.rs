//! `superroot_atTimestamp` (`specs/interop/superroot.md`): the super root of a multi-chain
//! devnet at a timestamp, with each chain's output at that timestamp and the L1 block needed
//! to derive it.
//!
//! The spec gives `output` as the `OutputV0` preimage (`stateRoot`, `messagePasserStorageRoot`,
//! `blockHash`) beside `output_root`; op-node's Go type nests its `optimism_outputAtBlock`
//! response there instead. This follows the spec. Chain ids are decimal strings and a super
//! output's chains `{"ChainID", "Output"}` objects, as op-node's `SuperV1` marshals them.

use alloy_primitives::{B256, U256, keccak256};
use koa_devnet::SuperDevnet;
use koa_preimage::PreimageKey;
use serde_json::{Value, json};

use crate::chain::QueryError;

/// One L2 block's output at a super-root timestamp.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChainOutput {
    /// The block's timestamp.
    pub timestamp: u64,
    /// The output root.
    pub output_root: B256,
    /// The state root.
    pub state_root: B256,
    /// The message passer's storage root.
    pub message_passer_storage_root: B256,
    /// The block hash.
    pub block_hash: B256,
    /// The L1 block (number, hash) whose data completes the block's batch.
    pub required_l1: (u64, B256),
}

/// One chain's outputs.
#[derive(Debug, Clone)]
pub struct ChainOutputs {
    /// The chain id.
    pub chain_id: u64,
    /// Every block's output, by number (genesis first).
    pub blocks: Vec<ChainOutput>,
}

impl ChainOutputs {
    /// The last block at or before `timestamp` (none before genesis or past the head).
    fn at(&self, timestamp: u64) -> Option<&ChainOutput> {
        let head = self.blocks.last()?;
        if timestamp > head.timestamp + block_time(&self.blocks) - 1 {
            return None;
        }
        self.blocks.iter().rev().find(|b| b.timestamp <= timestamp)
    }
}

fn block_time(blocks: &[ChainOutput]) -> u64 {
    match blocks {
        [first, second, ..] => second.timestamp - first.timestamp,
        _ => 1,
    }
}

/// The super roots of a set of chains.
#[derive(Debug, Clone)]
pub struct SuperRoots {
    /// The chains, ascending by chain id.
    pub chains: Vec<ChainOutputs>,
    /// The L1 head (number, hash).
    pub l1_head: (u64, B256),
}

impl SuperRoots {
    /// The super roots of a loaded super devnet; every output root's preimage is read from
    /// its archive and checked against the root.
    pub fn from_devnet(devnet: &SuperDevnet) -> Result<Self, QueryError> {
        let l1 = &devnet.index.l1_blocks;
        let l1_hash = |number: u64| {
            l1.get(number as usize).copied().ok_or_else(|| {
                QueryError::Missing(format!("L1 block {number} of the devnet index"))
            })
        };
        let mut chains = Vec::with_capacity(devnet.chains.len());
        for chain in &devnet.chains {
            let genesis = chain.rollup_config.genesis.l2_time;
            let block_time = chain.rollup_config.block_time;
            let mut blocks = Vec::with_capacity(chain.index.l2_blocks.len());
            for entry in &chain.index.l2_blocks {
                let preimage = devnet
                    .preimages
                    .get(&PreimageKey::keccak256(entry.output_root))
                    .ok_or_else(|| {
                        QueryError::Missing(format!("output root {}", entry.output_root))
                    })?;
                if preimage.len() != 128 || keccak256(preimage) != entry.output_root {
                    return Err(QueryError::Missing(format!(
                        "a 128-byte preimage of output root {}",
                        entry.output_root
                    )));
                }
                let word = |i: usize| B256::from_slice(&preimage[32 * i..32 * (i + 1)]);
                if word(3) != entry.hash {
                    return Err(QueryError::Invalid(format!(
                        "output root {} is not block {}'s",
                        entry.output_root, entry.number
                    )));
                }
                blocks.push(ChainOutput {
                    timestamp: genesis + block_time * entry.number,
                    output_root: entry.output_root,
                    state_root: word(1),
                    message_passer_storage_root: word(2),
                    block_hash: word(3),
                    required_l1: (entry.safe_l1_block, l1_hash(entry.safe_l1_block)?),
                });
            }
            chains.push(ChainOutputs {
                chain_id: chain.rollup_config.l2_chain_id,
                blocks,
            });
        }
        let head = l1.len() as u64 - 1;
        Ok(Self {
            chains,
            l1_head: (head, l1_hash(head)?),
        })
    }

    /// The super output at `timestamp` (its encoding) and its root, if every chain has a
    /// block there.
    pub fn super_output(&self, timestamp: u64) -> Option<(Vec<u8>, B256)> {
        let mut out = vec![1u8];
        out.extend_from_slice(&timestamp.to_be_bytes());
        for chain in &self.chains {
            let output = chain.at(timestamp)?;
            out.extend_from_slice(&U256::from(chain.chain_id).to_be_bytes::<32>());
            out.extend_from_slice(output.output_root.as_slice());
        }
        let root = keccak256(&out);
        Some((out, root))
    }

    /// The `superroot_atTimestamp` response at `timestamp`.
    pub fn at_timestamp_json(&self, timestamp: u64) -> Value {
        let block_id = |(number, hash): (u64, B256)| json!({ "hash": hash, "number": number });
        let head_timestamp = self
            .chains
            .iter()
            .filter_map(|c| c.blocks.last().map(|b| b.timestamp))
            .min()
            .unwrap_or(0);
        let mut optimistic = serde_json::Map::new();
        let mut required = (0u64, B256::ZERO);
        let mut super_chains = Vec::new();
        for chain in &self.chains {
            let Some(output) = chain.at(timestamp) else {
                continue;
            };
            if output.required_l1.0 >= required.0 {
                required = output.required_l1;
            }
            optimistic.insert(
                chain.chain_id.to_string(),
                json!({
                    "output": {
                        "stateRoot": output.state_root,
                        "messagePasserStorageRoot": output.message_passer_storage_root,
                        "blockHash": output.block_hash,
                    },
                    "output_root": output.output_root,
                    "required_l1": block_id(output.required_l1),
                }),
            );
            super_chains.push(json!({
                "ChainID": chain.chain_id.to_string(),
                "Output": output.output_root,
            }));
        }
        let data = match self.super_output(timestamp) {
            Some((_, root)) => json!({
                "verified_required_l1": block_id(required),
                "super": { "timestamp": format!("{timestamp:#x}"), "chains": super_chains },
                "super_root": root,
            }),
            None => Value::Null,
        };
        json!({
            "current_l1": block_id(self.l1_head),
            "safe_timestamp": head_timestamp,
            "local_safe_timestamp": head_timestamp,
            "finalized_timestamp": head_timestamp,
            "chain_ids": self.chains.iter().map(|c| c.chain_id.to_string()).collect::<Vec<_>>(),
            "optimistic_at_timestamp": optimistic,
            "data": data,
        })
    }
}
