//! Execution fixtures (`testdata/execution/<chain>-<block>/`): loading and running them.
//!
//! A fixture directory holds `fixture.json` (rollup config, parent header, payload
//! attributes, expected block hash) and `preimages.json` or `preimages.json.zst` (a JSON map
//! keccak256 hash → preimage). Shared by the integration tests, the benches and `koa exec`.

use std::{
    cell::RefCell,
    collections::HashSet,
    fs,
    path::{Path, PathBuf},
};

use alloy_consensus::{Header, Sealed};
use alloy_primitives::{B256, Bytes, map::HashMap};
use koa_mpt::{PreimageNotFound, TrieProvider};
use koa_protocol::RollupConfig;
use serde::Deserialize;

use crate::OpPayloadAttributes;

/// A fixture could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum FixtureError {
    /// A file could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A file is not the JSON it should be.
    #[error("malformed {path}: {source}")]
    Json {
        /// The file.
        path: PathBuf,
        /// The parse error.
        #[source]
        source: serde_json::Error,
    },
    /// The directory has neither `preimages.json` nor `preimages.json.zst`.
    #[error("{0} has no preimages.json or preimages.json.zst")]
    MissingPreimages(PathBuf),
    /// The directory has no `fixture.json` (and no fixture subdirectories).
    #[error("{0} holds no fixture.json and no fixture directories")]
    NoFixture(PathBuf),
}

/// `fixture.json`.
#[derive(Debug, Clone, Deserialize)]
pub struct FixtureFile {
    /// The L2 chain id.
    pub l2_chain_id: u64,
    /// The number of the block the fixture builds.
    pub l2_block_number: u64,
    /// The chain's rollup config.
    pub rollup_config: RollupConfig,
    /// The parent block's header.
    pub parent_header: Header,
    /// The attributes the block is built from.
    pub payload_attributes: OpPayloadAttributes,
    /// The hash of the block the chain produced.
    pub expected_block_hash: B256,
}

/// A loaded fixture: its description and its preimages.
#[derive(Debug, Clone)]
pub struct Fixture {
    /// The fixture's directory.
    pub dir: PathBuf,
    /// `fixture.json`.
    pub file: FixtureFile,
    /// The preimage map.
    pub preimages: HashMap<B256, Bytes>,
}

impl Fixture {
    /// Loads the fixture in `dir`.
    pub fn load(dir: &Path) -> Result<Self, FixtureError> {
        let path = dir.join("fixture.json");
        let text = read(&path)?;
        let file: FixtureFile =
            serde_json::from_slice(&text).map_err(|source| FixtureError::Json {
                path: path.clone(),
                source,
            })?;

        let plain = dir.join("preimages.json");
        let compressed = dir.join("preimages.json.zst");
        let (path, bytes) = if plain.is_file() {
            let bytes = read(&plain)?;
            (plain, bytes)
        } else if compressed.is_file() {
            let raw = read(&compressed)?;
            let bytes = zstd::decode_all(raw.as_slice()).map_err(|source| FixtureError::Io {
                path: compressed.clone(),
                source,
            })?;
            (compressed, bytes)
        } else {
            return Err(FixtureError::MissingPreimages(dir.to_path_buf()));
        };
        let preimages: HashMap<B256, Bytes> =
            serde_json::from_slice(&bytes).map_err(|source| FixtureError::Json { path, source })?;
        Ok(Self {
            dir: dir.to_path_buf(),
            file,
            preimages,
        })
    }

    /// The fixture directories under `path`: `path` itself if it holds `fixture.json`,
    /// otherwise its subdirectories that do, sorted by name.
    pub fn discover(path: &Path) -> Result<Vec<PathBuf>, FixtureError> {
        if path.join("fixture.json").is_file() {
            return Ok(vec![path.to_path_buf()]);
        }
        let entries = fs::read_dir(path).map_err(|source| FixtureError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let mut dirs: Vec<PathBuf> = entries
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|p| p.join("fixture.json").is_file())
            .collect();
        if dirs.is_empty() {
            return Err(FixtureError::NoFixture(path.to_path_buf()));
        }
        dirs.sort();
        Ok(dirs)
    }

    /// The parent header, sealed with its hash.
    pub fn parent(&self) -> Sealed<Header> {
        alloy_consensus::Sealable::seal_slow(self.file.parent_header.clone())
    }
}

/// Reads a whole file.
fn read(path: &Path) -> Result<Vec<u8>, FixtureError> {
    fs::read(path).map_err(|source| FixtureError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// A [`TrieProvider`] over a preimage map that records which preimages were requested.
#[derive(Debug)]
pub struct RecordingProvider<'a> {
    preimages: &'a HashMap<B256, Bytes>,
    used: RefCell<HashSet<B256>>,
}

impl<'a> RecordingProvider<'a> {
    /// Serves `preimages`.
    pub fn new(preimages: &'a HashMap<B256, Bytes>) -> Self {
        Self {
            preimages,
            used: RefCell::new(HashSet::new()),
        }
    }

    /// How many distinct preimages were requested (and found).
    pub fn used(&self) -> usize {
        self.used.borrow().len()
    }
}

impl TrieProvider for RecordingProvider<'_> {
    type Error = PreimageNotFound;

    fn trie_node_by_hash(&self, hash: B256) -> Result<Bytes, Self::Error> {
        let bytes = self
            .preimages
            .get(&hash)
            .cloned()
            .ok_or(PreimageNotFound(hash))?;
        self.used.borrow_mut().insert(hash);
        Ok(bytes)
    }
}
