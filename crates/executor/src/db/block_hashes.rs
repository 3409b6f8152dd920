//! `BLOCKHASH` through the parent header chain: each ancestor's header is the keccak256
//! preimage of its hash, fetched once and cached.

use alloc::vec::Vec;
use alloy_consensus::{Header, Sealed};
use alloy_primitives::B256;
use alloy_rlp::Decodable;
use koa_mpt::{TrieHinter, TrieProvider};

use super::fetch_preimage;
use crate::{PreimageKind, StateError};

/// How far back `BLOCKHASH` reaches.
const BLOCK_HASH_WINDOW: u64 = 256;

/// The hashes of the executing block's ancestors, newest first, extended on demand.
#[derive(Debug)]
pub(crate) struct BlockHashes {
    /// The parent's number: `hashes[i]` is the hash of block `parent_number - i`.
    parent_number: u64,
    /// Known ancestor hashes, newest first (starts with the parent's).
    hashes: Vec<B256>,
    /// The parent hash of the oldest header fetched so far.
    next: B256,
}

impl BlockHashes {
    /// Starts the chain at `parent`, whose hash is known.
    pub(crate) fn new(parent: &Sealed<Header>) -> Self {
        Self {
            parent_number: parent.number,
            hashes: alloc::vec![parent.hash()],
            next: parent.parent_hash,
        }
    }

    /// The hash of ancestor `number`, walking back through header preimages as needed.
    pub(crate) fn get<P: TrieProvider, H: TrieHinter>(
        &mut self,
        number: u64,
        provider: &P,
        hinter: &H,
    ) -> Result<B256, StateError> {
        let executing = self.parent_number.saturating_add(1);
        let depth = self
            .parent_number
            .checked_sub(number)
            .filter(|d| *d < BLOCK_HASH_WINDOW);
        let Some(depth) = depth else {
            return Err(StateError::BlockHashOutOfRange {
                requested: number,
                executing,
            });
        };
        let depth = depth as usize;
        while self.hashes.len() <= depth {
            let hash = self.next;
            let bytes = fetch_preimage(provider, hinter, hash, PreimageKind::Header)?;
            let header = Header::decode(&mut bytes.as_ref())
                .map_err(|source| StateError::InvalidHeader { hash, source })?;
            let expected = self.parent_number - self.hashes.len() as u64;
            if header.number != expected {
                return Err(StateError::HeaderNumber {
                    hash,
                    expected,
                    actual: header.number,
                });
            }
            self.hashes.push(hash);
            self.next = header.parent_hash;
        }
        self.hashes
            .get(depth)
            .copied()
            .ok_or(StateError::BlockHashOutOfRange {
                requested: number,
                executing,
            })
    }
}
