//! Writing and reading a multi-chain (super-root) devnet directory.
//!
//! The layout any tool can read: `rollup-<chain id>.json` per chain (op-node's shape),
//! `l1-chain-config.json`, `dependency-set.json`, `super-claims.json` (the claims manifest),
//! `super-devnet.json` (the index: L1 blocks, each chain's blocks, the parameters),
//! `preimages.kpa.zst` (every preimage, compressed) and op-program's data directory
//! `preimages/` (unless left out).

use std::{
    collections::{BTreeMap, HashMap},
    fs,
    path::{Path, PathBuf},
};

use alloy_primitives::{B256, Bytes};
use koa_preimage::{PreimageArchive, PreimageKey};
use koa_protocol::{ErrorChain, L1ChainConfig, RollupConfig};
use serde::{Deserialize, Serialize};

use crate::{
    DevnetError, SCHEDULED_FORKS,
    generate::{GeneratedSuperDevnet, SuperChainParams, SuperDevnetParams},
    load::{MAX_ARCHIVE_BYTES, inflate, malformed, read, text},
    output::{
        ARCHIVE_FILE, ForkEntry, L1_CONFIG_FILE, L2BlockEntry, WriteOptions, l1_chain_config_json,
        pretty, write, write_preimages,
    },
    super_claims::{SuperClaim, SuperClaimsFile, super_claims},
    users::TxCounts,
};

/// The dependency set file.
pub const DEPENDENCY_SET_FILE: &str = "dependency-set.json";
/// The super-root claims manifest.
pub const SUPER_CLAIMS_FILE: &str = "super-claims.json";
/// The super devnet's index.
pub const SUPER_INDEX_FILE: &str = "super-devnet.json";

/// The rollup config file of `chain_id`.
pub fn rollup_file(chain_id: u64) -> String {
    format!("rollup-{chain_id}.json")
}

/// One chain of `super-devnet.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SuperChainIndex {
    /// The chain id.
    pub l2_chain_id: u64,
    /// L2 seconds per block.
    pub block_time: u64,
    /// L2 blocks by number (genesis first).
    pub l2_blocks: Vec<L2BlockEntry>,
    /// Forks activated after genesis.
    pub forks: Vec<ForkEntry>,
    /// The L1 block of the batcher change.
    pub batcher_change_l1_block: u64,
    /// The generator's blob channel limit.
    pub max_blob_channels: usize,
    /// Blobs on L1.
    pub blobs: usize,
    /// The users' transactions by kind.
    pub transactions: TxCounts,
}

/// `super-devnet.json`: the super devnet's index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SuperDevnetIndex {
    /// The generator's seed.
    pub seed: u64,
    /// L1 chain id.
    pub l1_chain_id: u64,
    /// L1 block hashes by number (genesis first; the last is the head).
    pub l1_blocks: Vec<B256>,
    /// The chains, ascending by chain id.
    pub chains: Vec<SuperChainIndex>,
    /// Number of preimages in the archive.
    pub preimages: usize,
}

impl SuperDevnetIndex {
    /// The index of a generated super devnet.
    pub fn of(devnet: &GeneratedSuperDevnet) -> Self {
        Self {
            seed: devnet.params.seed,
            l1_chain_id: devnet.l1.config().chain_id,
            l1_blocks: devnet.l1.blocks.iter().map(|b| b.hash).collect(),
            chains: devnet
                .chains
                .iter()
                .map(|chain| {
                    let config = &chain.rollup_config;
                    SuperChainIndex {
                        l2_chain_id: config.l2_chain_id,
                        block_time: config.block_time,
                        l2_blocks: chain
                            .l2
                            .iter()
                            .zip(&chain.safe_at)
                            .map(|(block, safe)| L2BlockEntry::of(block, *safe))
                            .collect(),
                        forks: chain
                            .params
                            .forks
                            .iter()
                            .map(|(fork, block)| ForkEntry {
                                name: fork.to_string(),
                                time: config.genesis.l2_time + config.block_time * block,
                                l2_block: *block,
                            })
                            .collect(),
                        batcher_change_l1_block: chain.batcher_change_l1_block,
                        max_blob_channels: chain.params.max_blob_channels,
                        blobs: chain.blobs,
                        transactions: chain.tx_counts,
                    }
                })
                .collect(),
            preimages: devnet.store.len(),
        }
    }

    /// The parameters that generate this devnet again.
    pub fn params(&self) -> Result<SuperDevnetParams, DevnetError> {
        let chains = self
            .chains
            .iter()
            .map(|chain| {
                let forks = chain
                    .forks
                    .iter()
                    .map(|f| {
                        SCHEDULED_FORKS
                            .iter()
                            .find(|fork| fork.name() == f.name)
                            .map(|fork| (*fork, f.l2_block))
                            .ok_or_else(|| DevnetError::Params(format!("unknown fork {}", f.name)))
                    })
                    .collect::<Result<_, _>>()?;
                Ok(SuperChainParams {
                    l2_blocks: chain.l2_blocks.len() as u64 - 1,
                    block_time: chain.block_time,
                    forks,
                    max_blob_channels: chain.max_blob_channels,
                })
            })
            .collect::<Result<_, DevnetError>>()?;
        Ok(SuperDevnetParams {
            seed: self.seed,
            chains,
        })
    }
}

/// The dependency set as JSON: every chain of the devnet, by chain id
/// (`{"dependencies": {"<chain id>": {}}}`, the shape kona and op-supervisor read).
pub fn dependency_set_json(chain_ids: &[u64]) -> serde_json::Value {
    let dependencies: BTreeMap<String, serde_json::Value> = chain_ids
        .iter()
        .map(|id| (id.to_string(), serde_json::json!({})))
        .collect();
    serde_json::json!({ "dependencies": dependencies })
}

/// Writes the super devnet directory `dir` (created if needed).
pub fn write_super_devnet(
    devnet: &GeneratedSuperDevnet,
    dir: &Path,
    options: WriteOptions,
) -> Result<(), DevnetError> {
    fs::create_dir_all(dir).map_err(|source| DevnetError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    for chain in &devnet.chains {
        write(
            dir.join(rollup_file(chain.rollup_config.l2_chain_id)),
            &pretty(&chain.rollup_config),
        )?;
    }
    write(
        dir.join(L1_CONFIG_FILE),
        &pretty(&l1_chain_config_json(devnet.l1.config())),
    )?;
    let chain_ids: Vec<u64> = devnet
        .chains
        .iter()
        .map(|c| c.rollup_config.l2_chain_id)
        .collect();
    write(
        dir.join(DEPENDENCY_SET_FILE),
        &pretty(&dependency_set_json(&chain_ids)),
    )?;
    write(
        dir.join(SUPER_CLAIMS_FILE),
        &pretty(&SuperClaimsFile {
            claims: super_claims(devnet),
        }),
    )?;
    write(
        dir.join(SUPER_INDEX_FILE),
        &pretty(&SuperDevnetIndex::of(devnet)),
    )?;
    write_preimages(&devnet.store, dir, options)
}

/// One chain of a loaded super devnet.
#[derive(Debug, Clone)]
pub struct SuperDevnetChain {
    /// The rollup config.
    pub rollup_config: RollupConfig,
    /// The rollup config as written (`rollup-<chain id>.json`).
    pub rollup_config_json: String,
    /// The chain's index entry.
    pub index: SuperChainIndex,
}

/// A super devnet directory, loaded.
#[derive(Debug, Clone)]
pub struct SuperDevnet {
    /// The directory it was loaded from.
    pub dir: PathBuf,
    /// The chains, ascending by chain id.
    pub chains: Vec<SuperDevnetChain>,
    /// The L1 chain config.
    pub l1_chain_config: L1ChainConfig,
    /// The L1 chain config as written (`l1-chain-config.json`).
    pub l1_chain_config_json: String,
    /// The dependency set as written (`dependency-set.json`).
    pub dependency_set_json: String,
    /// The claims.
    pub claims: Vec<SuperClaim>,
    /// The index.
    pub index: SuperDevnetIndex,
    /// Every preimage of the archive, each keccak256 and SHA-256 one checked against its key.
    pub preimages: HashMap<PreimageKey, Bytes>,
}

impl SuperDevnet {
    /// Loads the super devnet directory `dir` (as `koa devnet generate --chains N` writes it).
    pub fn load(dir: impl AsRef<Path>) -> Result<Self, DevnetError> {
        let dir = dir.as_ref();
        let (path, index) = text(dir.join(SUPER_INDEX_FILE))?;
        let index: SuperDevnetIndex =
            serde_json::from_str(&index).map_err(|e| malformed(&path, e))?;
        let mut chains = Vec::with_capacity(index.chains.len());
        for entry in &index.chains {
            let (path, json) = text(dir.join(rollup_file(entry.l2_chain_id)))?;
            let rollup_config =
                RollupConfig::from_json(&json).map_err(|e| malformed(&path, ErrorChain(&e)))?;
            if rollup_config.l2_chain_id != entry.l2_chain_id {
                return Err(malformed(&path, "the chain id differs from the file name"));
            }
            chains.push(SuperDevnetChain {
                rollup_config,
                rollup_config_json: json,
                index: entry.clone(),
            });
        }
        let (path, l1_chain_config_json) = text(dir.join(L1_CONFIG_FILE))?;
        let l1_chain_config = L1ChainConfig::from_json(&l1_chain_config_json)
            .map_err(|e| malformed(&path, ErrorChain(&e)))?;
        let (_, dependency_set_json) = text(dir.join(DEPENDENCY_SET_FILE))?;
        let (path, claims) = text(dir.join(SUPER_CLAIMS_FILE))?;
        let claims: SuperClaimsFile =
            serde_json::from_str(&claims).map_err(|e| malformed(&path, e))?;
        let (path, compressed) = read(dir.join(ARCHIVE_FILE))?;
        // Bounded as the single-chain loader's archive is: a zstd bomb is an error, not an abort.
        let archive =
            inflate(&compressed, MAX_ARCHIVE_BYTES).map_err(|reason| malformed(&path, reason))?;
        let decoded =
            PreimageArchive::decode_verified(&archive).map_err(|e| malformed(&path, e))?;
        let preimages = decoded
            .iter()
            .map(|(key, value)| (key, Bytes::copy_from_slice(value)))
            .collect();
        Ok(Self {
            dir: dir.to_path_buf(),
            chains,
            l1_chain_config,
            l1_chain_config_json,
            dependency_set_json,
            claims: claims.claims,
            index,
            preimages,
        })
    }

    /// The claim named `name`.
    pub fn claim(&self, name: &str) -> Option<&SuperClaim> {
        self.claims.iter().find(|c| c.name == name)
    }
}

/// The bundled super devnet with `chains` chains (`testdata/superdevnet-<chains>`), for tests.
pub fn bundled_super_devnet_dir(chains: usize) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../../testdata/superdevnet-{chains}"))
}
