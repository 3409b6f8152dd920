//! Reading a devnet directory back.

use std::{
    collections::HashMap,
    fs,
    io::Read,
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

/// The most bytes [`Devnet::load`] inflates the preimage archive to. A devnet of 1,000 L2 blocks
/// holds tens of MiB; an archive inflating past this is refused (a zstd bomb of 200 KB can
/// claim gigabytes), before it is allocated.
pub const MAX_ARCHIVE_BYTES: u64 = 1 << 30;

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

pub(crate) fn read(path: PathBuf) -> Result<(PathBuf, Vec<u8>), DevnetError> {
    match fs::read(&path) {
        Ok(bytes) => Ok((path, bytes)),
        Err(source) => Err(DevnetError::Io { path, source }),
    }
}

pub(crate) fn malformed(path: &Path, reason: impl ToString) -> DevnetError {
    DevnetError::Malformed {
        path: path.to_path_buf(),
        reason: reason.to_string(),
    }
}

pub(crate) fn text(path: PathBuf) -> Result<(PathBuf, String), DevnetError> {
    let (path, bytes) = read(path)?;
    let text = String::from_utf8(bytes).map_err(|e| malformed(&path, e))?;
    Ok((path, text))
}

/// Inflates the zstd stream `compressed` to `limit` bytes at most, growing the buffer with
/// fallible reservations: a bomb, or an allocation the address space refuses, is an error and
/// never an abort.
pub(crate) fn inflate(compressed: &[u8], limit: u64) -> Result<Vec<u8>, String> {
    let mut decoder =
        zstd::stream::read::Decoder::new(compressed).map_err(|e| format!("not zstd: {e}"))?;
    let mut out: Vec<u8> = Vec::new();
    let mut chunk: Vec<u8> = vec![0; 1 << 16];
    loop {
        let n: usize = match decoder.read(&mut chunk) {
            Ok(0) => return Ok(out),
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(format!("bad zstd stream: {e}")),
        };
        if out.len() as u64 + n as u64 > limit {
            return Err(format!(
                "it inflates past {limit} bytes, the most koa reads from a preimage archive \
                 (a decompression bomb?)"
            ));
        }
        out.try_reserve(n).map_err(|_| {
            format!(
                "cannot allocate {} bytes to inflate it",
                out.len().saturating_add(n)
            )
        })?;
        out.extend_from_slice(&chunk[..n]);
    }
}

impl Devnet {
    /// Loads the devnet directory `dir` (as `koa devnet generate --out` writes it).
    pub fn load(dir: impl AsRef<Path>) -> Result<Self, DevnetError> {
        Self::load_with_limit(dir, MAX_ARCHIVE_BYTES)
    }

    /// As [`load`](Self::load), inflating the preimage archive to `max_archive_bytes` at most.
    pub fn load_with_limit(
        dir: impl AsRef<Path>,
        max_archive_bytes: u64,
    ) -> Result<Self, DevnetError> {
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
        let archive =
            inflate(&compressed, max_archive_bytes).map_err(|reason| malformed(&path, reason))?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inflate_returns_what_was_compressed_within_the_limit() {
        let data: Vec<u8> = (0..200_000u32).flat_map(u32::to_le_bytes).collect();
        let compressed = zstd::encode_all(data.as_slice(), 3).unwrap();
        assert_eq!(inflate(&compressed, data.len() as u64).unwrap(), data);
        assert!(inflate(&compressed, data.len() as u64 - 1).is_err());
    }

    #[test]
    fn a_zstd_bomb_is_refused_at_the_limit() {
        // 64 MiB of zeros compress to a few KiB.
        let mut encoder = zstd::stream::write::Encoder::new(Vec::new(), 1).unwrap();
        let zeros = vec![0u8; 1 << 20];
        for _ in 0..64 {
            std::io::Write::write_all(&mut encoder, &zeros).unwrap();
        }
        let bomb = encoder.finish().unwrap();
        assert!(bomb.len() < 64 << 10, "{} bytes", bomb.len());
        let err = inflate(&bomb, 1 << 20).unwrap_err();
        assert!(err.contains("inflates past 1048576 bytes"), "{err}");
    }

    #[test]
    fn garbage_is_not_zstd() {
        assert!(inflate(b"not a zstd frame at all", 1 << 20).is_err());
    }
}
