//! Reading a devnet directory back.

use std::{
    collections::HashMap,
    fs,
    path::{Path, PathBuf},
};

use alloy_primitives::{B256, Bytes};
use koa_mpt::{PreimageNotFound, TrieProvider};
use koa_preimage::{PreimageArchive, PreimageKey};
use koa_protocol::{ErrorChain, L1ChainConfig, RollupConfig};

use crate::{
    DevnetError,
    claims::{Claim, ClaimsFile},
    output::{ARCHIVE_FILE, CHAIN_FILE, CLAIMS_FILE, ChainIndex, L1_CONFIG_FILE, ROLLUP_FILE},
};

/// The devnet bundled in the repository (`testdata/devnet`), for tests.
pub fn bundled_devnet_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/devnet")
}

/// A devnet directory, loaded.
#[derive(Debug, Clone)]
pub struct Devnet {
    /// The directory it was loaded from.
    pub dir: PathBuf,
    /// The rollup config.
    pub rollup_config: RollupConfig,
    /// The rollup config as written (`rollup.json`, local key 6).
    pub rollup_config_json: String,
    /// The L1 chain config.
    pub l1_chain_config: L1ChainConfig,
    /// The L1 chain config as written (`l1-chain-config.json`, local key 7).
    pub l1_chain_config_json: String,
    /// The claims.
    pub claims: Vec<Claim>,
    /// The chain index.
    pub chain: ChainIndex,
    /// Every preimage of the archive, each keccak256 and SHA-256 one checked against its key.
    pub preimages: HashMap<PreimageKey, Bytes>,
}

fn read(path: PathBuf) -> Result<(PathBuf, Vec<u8>), DevnetError> {
    match fs::read(&path) {
        Ok(bytes) => Ok((path, bytes)),
        Err(source) => Err(DevnetError::Io { path, source }),
    }
}

fn malformed(path: &Path, reason: impl ToString) -> DevnetError {
    DevnetError::Malformed {
        path: path.to_path_buf(),
        reason: reason.to_string(),
    }
}

fn text(path: PathBuf) -> Result<(PathBuf, String), DevnetError> {
    let (path, bytes) = read(path)?;
    let text = String::from_utf8(bytes).map_err(|e| malformed(&path, e))?;
    Ok((path, text))
}

impl Devnet {
    /// Loads the devnet directory `dir` (as `koa devnet generate --out` writes it).
    pub fn load(dir: impl AsRef<Path>) -> Result<Self, DevnetError> {
        let dir = dir.as_ref();
        let (path, rollup_config_json) = text(dir.join(ROLLUP_FILE))?;
        let rollup_config = RollupConfig::from_json(&rollup_config_json)
            .map_err(|e| malformed(&path, ErrorChain(&e)))?;
        let (path, l1_chain_config_json) = text(dir.join(L1_CONFIG_FILE))?;
        let l1_chain_config = L1ChainConfig::from_json(&l1_chain_config_json)
            .map_err(|e| malformed(&path, ErrorChain(&e)))?;
        let (path, claims) = text(dir.join(CLAIMS_FILE))?;
        let claims: ClaimsFile = serde_json::from_str(&claims).map_err(|e| malformed(&path, e))?;
        let (path, chain) = text(dir.join(CHAIN_FILE))?;
        let chain: ChainIndex = serde_json::from_str(&chain).map_err(|e| malformed(&path, e))?;
        let (path, compressed) = read(dir.join(ARCHIVE_FILE))?;
        let archive = zstd::decode_all(compressed.as_slice()).map_err(|e| malformed(&path, e))?;
        let decoded =
            PreimageArchive::decode_verified(&archive).map_err(|e| malformed(&path, e))?;
        let preimages = decoded
            .iter()
            .map(|(key, value)| (key, Bytes::copy_from_slice(value)))
            .collect();
        Ok(Self {
            dir: dir.to_path_buf(),
            rollup_config,
            rollup_config_json,
            l1_chain_config,
            l1_chain_config_json,
            claims: claims.claims,
            chain,
            preimages,
        })
    }

    /// The bundled devnet ([`bundled_devnet_dir`]).
    pub fn bundled() -> Result<Self, DevnetError> {
        Self::load(bundled_devnet_dir())
    }

    /// The claim named `name`.
    pub fn claim(&self, name: &str) -> Option<&Claim> {
        self.claims.iter().find(|c| c.name == name)
    }

    /// The preimage under `key`.
    pub fn preimage(&self, key: &PreimageKey) -> Option<&Bytes> {
        self.preimages.get(key)
    }
}

/// A devnet's keccak256 preimages as a trie provider (state, storage, transaction and
/// receipt trie nodes, code, headers).
#[derive(Debug, Clone, Copy)]
pub struct KeccakPreimages<'a>(pub &'a HashMap<PreimageKey, Bytes>);

impl TrieProvider for KeccakPreimages<'_> {
    type Error = PreimageNotFound;

    fn trie_node_by_hash(&self, hash: B256) -> Result<Bytes, Self::Error> {
        self.0
            .get(&PreimageKey::keccak256(hash))
            .cloned()
            .ok_or(PreimageNotFound(hash))
    }
}

impl Devnet {
    /// The keccak256 preimages as a trie provider.
    pub fn keccak(&self) -> KeccakPreimages<'_> {
        KeccakPreimages(&self.preimages)
    }
}
