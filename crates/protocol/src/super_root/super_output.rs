//! The V1 super output and its hash, the super root.

use alloc::vec::Vec;
use alloy_primitives::{B256, U256, keccak256};

use super::{error::SuperRootError, transition::MAX_SUPER_ROOT_CHAINS};

/// The version byte of a V1 super output.
pub const SUPER_ROOT_VERSION: u8 = 0x01;

/// Bytes before the first output root: version and timestamp.
const HEADER_LEN: usize = 1 + 8;
/// Bytes of one `(chain id, output root)` entry.
const ENTRY_LEN: usize = 32 + 32;

/// One chain's output root in a super output (`OutputRootWithChainId`).
///
/// The spec's chain id is a `uint256`; koa holds it as `u64`, as rollup configs and the L2
/// hints' chain-id suffix do, and rejects a larger one when decoding
/// ([`SuperRootError::ChainIdTooLarge`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct OutputRootWithChainId {
    /// The L2 chain id.
    pub chain_id: u64,
    /// The chain's output root at the super root's timestamp.
    pub output_root: B256,
}

/// A V1 super output: the output root of every chain of the cluster at one timestamp, sorted
/// by chain id, at least one.
///
/// Encoded as `0x01 ‖ timestamp (u64 BE) ‖ (chain id (u256 BE) ‖ output root)*`; the super
/// root is the `keccak256` of that encoding ([`SuperRoot::hash`]). A value of this type always
/// holds strictly ascending chain ids and between 1 and [`MAX_SUPER_ROOT_CHAINS`] of them.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SuperRoot {
    timestamp: u64,
    output_roots: Vec<OutputRootWithChainId>,
}

impl SuperRoot {
    /// A super output at `timestamp` with `output_roots`, which must be strictly ascending by
    /// chain id, non-empty and at most [`MAX_SUPER_ROOT_CHAINS`] long.
    ///
    /// Unlike kona's `SuperRoot::new`, this does not sort: an unsorted list is an error, so a
    /// caller's mistake cannot silently become another super root.
    pub fn new(
        timestamp: u64,
        output_roots: Vec<OutputRootWithChainId>,
    ) -> Result<Self, SuperRootError> {
        if output_roots.is_empty() {
            return Err(SuperRootError::NoOutputRoots);
        }
        if output_roots.len() > MAX_SUPER_ROOT_CHAINS {
            return Err(SuperRootError::TooManyChains(output_roots.len()));
        }
        for pair in output_roots.windows(2) {
            let (previous, next) = (pair[0].chain_id, pair[1].chain_id);
            if previous == next {
                return Err(SuperRootError::DuplicateChainId(next));
            }
            if previous > next {
                return Err(SuperRootError::Unsorted { previous, next });
            }
        }
        Ok(Self {
            timestamp,
            output_roots,
        })
    }

    /// The timestamp the output roots are at.
    pub const fn timestamp(&self) -> u64 {
        self.timestamp
    }

    /// The output roots, ascending by chain id.
    pub fn output_roots(&self) -> &[OutputRootWithChainId] {
        &self.output_roots
    }

    /// The chain ids, ascending.
    pub fn chain_ids(&self) -> impl ExactSizeIterator<Item = u64> + '_ {
        self.output_roots.iter().map(|r| r.chain_id)
    }

    /// The output root of `chain_id`, if the super root holds that chain.
    pub fn output_root(&self, chain_id: u64) -> Option<B256> {
        self.output_roots
            .binary_search_by_key(&chain_id, |r| r.chain_id)
            .ok()
            .map(|i| self.output_roots[i].output_root)
    }

    /// Length of the encoding.
    pub fn encoded_len(&self) -> usize {
        HEADER_LEN + ENTRY_LEN * self.output_roots.len()
    }

    /// The encoding `0x01 ‖ timestamp ‖ (chain id ‖ output root)*`.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.encoded_len());
        out.push(SUPER_ROOT_VERSION);
        out.extend_from_slice(&self.timestamp.to_be_bytes());
        for root in &self.output_roots {
            out.extend_from_slice(&U256::from(root.chain_id).to_be_bytes::<32>());
            out.extend_from_slice(root.output_root.as_slice());
        }
        out
    }

    /// Decodes exactly one encoding (no trailing bytes), checking what [`SuperRoot::new`]
    /// checks.
    pub fn decode(bytes: &[u8]) -> Result<Self, SuperRootError> {
        let (&version, rest) = bytes.split_first().ok_or(SuperRootError::Empty)?;
        if version != SUPER_ROOT_VERSION {
            return Err(SuperRootError::Version(version));
        }
        if bytes.len() < HEADER_LEN || !(bytes.len() - HEADER_LEN).is_multiple_of(ENTRY_LEN) {
            return Err(SuperRootError::Length(bytes.len()));
        }
        let (timestamp, entries) = rest.split_at(8);
        let mut ts = [0u8; 8];
        ts.copy_from_slice(timestamp);
        let output_roots = entries
            .chunks_exact(ENTRY_LEN)
            .enumerate()
            .map(|(i, entry)| {
                let id = U256::from_be_slice(&entry[..32]);
                let chain_id = u64::try_from(id).map_err(|_| SuperRootError::ChainIdTooLarge(i))?;
                Ok(OutputRootWithChainId {
                    chain_id,
                    output_root: B256::from_slice(&entry[32..]),
                })
            })
            .collect::<Result<Vec<_>, SuperRootError>>()?;
        Self::new(u64::from_be_bytes(ts), output_roots)
    }

    /// The super root: `keccak256` of the encoding.
    pub fn hash(&self) -> B256 {
        keccak256(self.encode())
    }
}
