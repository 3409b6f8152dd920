//! Writing a devnet directory.

use std::{
    fs,
    path::{Path, PathBuf},
};

use alloy_primitives::B256;
use koa_protocol::L1ChainConfig;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::{
    DevnetError,
    claims::{ClaimsFile, claims},
    generate::GeneratedDevnet,
    users::TxCounts,
};

/// The rollup config (op-node `rollup.json`).
pub const ROLLUP_FILE: &str = "rollup.json";
/// The L1 chain config (geth `ChainConfig`).
pub const L1_CONFIG_FILE: &str = "l1-chain-config.json";
/// The claims manifest.
pub const CLAIMS_FILE: &str = "claims.json";
/// The chain index.
pub const CHAIN_FILE: &str = "chain.json";
/// The zstd-compressed preimage archive.
pub const ARCHIVE_FILE: &str = "preimages.kpa.zst";
/// op-program's preimage directory.
pub const PREIMAGE_DIR: &str = "preimages";

/// zstd level of the archive (deterministic for a given zstd version).
pub(crate) const ARCHIVE_ZSTD_LEVEL: i32 = 19;

/// An L2 block in the chain index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct L2BlockEntry {
    /// Block number.
    pub number: u64,
    /// Block hash.
    pub hash: B256,
    /// Output root.
    pub output_root: B256,
    /// L1 origin number.
    pub l1_origin: u64,
    /// The L1 block whose data completes the block's batch.
    pub safe_l1_block: u64,
    /// Number of transactions.
    pub transactions: usize,
    /// Gas used.
    pub gas_used: u64,
}

impl L2BlockEntry {
    /// The entry of `block`, whose batch L1 block `safe_l1_block` completes.
    pub fn of(block: &crate::L2Block, safe_l1_block: u64) -> Self {
        Self {
            number: block.header.number,
            hash: block.header.hash(),
            output_root: block.output().hash(),
            l1_origin: block.info.l1_origin.number,
            safe_l1_block,
            transactions: block.transactions.len(),
            gas_used: block.header.gas_used,
        }
    }
}

/// A scheduled fork.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForkEntry {
    /// Fork name (lower case).
    pub name: String,
    /// Activation timestamp.
    pub time: u64,
    /// The activation block.
    pub l2_block: u64,
}

/// `chain.json`: the devnet's index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainIndex {
    /// The generator's seed.
    pub seed: u64,
    /// L1 chain id.
    pub l1_chain_id: u64,
    /// L2 chain id.
    pub l2_chain_id: u64,
    /// L1 block hashes by number (genesis first; the last is the head).
    pub l1_blocks: Vec<B256>,
    /// L2 blocks by number (genesis first; the last is the head).
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
    /// Number of preimages in the archive.
    pub preimages: usize,
}

impl ChainIndex {
    /// The index of a generated devnet.
    pub fn of(devnet: &GeneratedDevnet) -> Self {
        let config = &devnet.rollup_config;
        Self {
            seed: devnet.params.seed,
            l1_chain_id: config.l1_chain_id,
            l2_chain_id: config.l2_chain_id,
            l1_blocks: devnet.l1.blocks.iter().map(|b| b.hash).collect(),
            l2_blocks: devnet
                .l2
                .iter()
                .zip(&devnet.safe_at)
                .map(|(block, safe)| L2BlockEntry::of(block, *safe))
                .collect(),
            forks: devnet
                .params
                .forks
                .iter()
                .map(|(fork, block)| ForkEntry {
                    name: fork.to_string(),
                    time: config.genesis.l2_time + crate::L2_BLOCK_TIME * block,
                    l2_block: *block,
                })
                .collect(),
            batcher_change_l1_block: devnet.batcher_change_l1_block,
            max_blob_channels: devnet.params.max_blob_channels,
            blobs: devnet.blobs,
            transactions: devnet.tx_counts,
            preimages: devnet.store.len(),
        }
    }
}

/// The L1 chain config as a full geth `ChainConfig` (every pre-merge fork at block 0, the
/// merge at genesis, Shanghai at 0, then the blob forks and schedule).
pub fn l1_chain_config_json(config: &L1ChainConfig) -> Value {
    let mut value = serde_json::to_value(config).expect("the L1 config serializes");
    let object = value.as_object_mut().expect("an object");
    for key in [
        "homesteadBlock",
        "eip150Block",
        "eip155Block",
        "eip158Block",
        "byzantiumBlock",
        "constantinopleBlock",
        "petersburgBlock",
        "istanbulBlock",
        "muirGlacierBlock",
        "berlinBlock",
        "londonBlock",
        "arrowGlacierBlock",
        "grayGlacierBlock",
        "mergeNetsplitBlock",
    ] {
        object.insert(key.into(), json!(0));
    }
    object.insert("shanghaiTime".into(), json!(0));
    object.insert("terminalTotalDifficulty".into(), json!(0));
    object.insert("terminalTotalDifficultyPassed".into(), json!(true));
    object.insert(
        "depositContractAddress".into(),
        json!("0x0000000000000000000000000000000000000000"),
    );
    value
}

/// What to write besides the JSON files and the archive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WriteOptions {
    /// Also write op-program's preimage directory (`preimages/`).
    pub data_dir: bool,
}

pub(crate) fn write(path: PathBuf, bytes: &[u8]) -> Result<(), DevnetError> {
    fs::write(&path, bytes).map_err(|source| DevnetError::Io { path, source })
}

pub(crate) fn pretty(value: &impl Serialize) -> Vec<u8> {
    let mut out = serde_json::to_vec_pretty(value).expect("devnet types serialize");
    out.push(b'\n');
    out
}

/// Writes the devnet directory `dir` (created if needed).
pub fn write_devnet(
    devnet: &GeneratedDevnet,
    dir: &Path,
    options: WriteOptions,
) -> Result<(), DevnetError> {
    fs::create_dir_all(dir).map_err(|source| DevnetError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    write(dir.join(ROLLUP_FILE), &pretty(&devnet.rollup_config))?;
    write(
        dir.join(L1_CONFIG_FILE),
        &pretty(&l1_chain_config_json(devnet.l1.config())),
    )?;
    write(
        dir.join(CLAIMS_FILE),
        &pretty(&ClaimsFile {
            claims: claims(devnet),
        }),
    )?;
    write(dir.join(CHAIN_FILE), &pretty(&ChainIndex::of(devnet)))?;
    write_preimages(&devnet.store, dir, options)
}

/// The preimages of a devnet: the zstd archive, and op-program's data directory unless
/// `options` says otherwise (shared by the single-chain and the super devnet).
pub(crate) fn write_preimages(
    store: &crate::PreimageStore,
    dir: &Path,
    options: WriteOptions,
) -> Result<(), DevnetError> {
    let archive = store.to_archive();
    let compressed =
        zstd::encode_all(archive.as_slice(), ARCHIVE_ZSTD_LEVEL).map_err(|source| {
            DevnetError::Io {
                path: dir.join(ARCHIVE_FILE),
                source,
            }
        })?;
    write(dir.join(ARCHIVE_FILE), &compressed)?;
    if options.data_dir {
        write_preimage_dir(store, &dir.join(PREIMAGE_DIR))?;
    }
    Ok(())
}

/// op-program's `DiskKV` layout: `kvformat` holding `directory`, and each preimage at
/// `<hex key[0..4]>/<hex key[4..64]>.txt` as lowercase hex.
pub(crate) fn write_preimage_dir(
    store: &crate::PreimageStore,
    dir: &Path,
) -> Result<(), DevnetError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| DevnetError::Io { path, source }
    };
    fs::create_dir_all(dir).map_err(io(dir))?;
    write(dir.join("kvformat"), b"directory")?;
    for (key, value) in store.typed() {
        let name = hex::encode(key.as_bytes());
        let sub = dir.join(&name[..4]);
        if !sub.exists() {
            fs::create_dir_all(&sub).map_err(io(&sub))?;
        }
        write(
            sub.join(format!("{}.txt", &name[4..])),
            hex::encode(value).as_bytes(),
        )?;
    }
    Ok(())
}

impl ChainIndex {
    /// The parameters that generate this devnet again.
    pub fn params(&self) -> Result<crate::DevnetParams, DevnetError> {
        let forks = self
            .forks
            .iter()
            .map(|f| {
                crate::SCHEDULED_FORKS
                    .iter()
                    .find(|fork| fork.name() == f.name)
                    .map(|fork| (*fork, f.l2_block))
                    .ok_or_else(|| DevnetError::Params(format!("unknown fork {}", f.name)))
            })
            .collect::<Result<_, _>>()?;
        Ok(crate::DevnetParams {
            seed: self.seed,
            l2_blocks: self.l2_blocks.len() as u64 - 1,
            forks,
            max_blob_channels: self.max_blob_channels,
        })
    }
}
