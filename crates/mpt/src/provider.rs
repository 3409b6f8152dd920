//! Where the trie gets node preimages from, and how it tells a host what it is about to need.

use alloy_primitives::{Address, B256, Bytes, U256, map::HashMap};
use core::{convert::Infallible, hash::BuildHasher};

/// Supplies trie node preimages: the RLP encoding of the node whose keccak256 hash is `hash`.
///
/// The trie checks every returned preimage against the requested hash and fails with
/// [`TrieError::CorruptPreimage`](crate::TrieError::CorruptPreimage) on a mismatch, so an
/// implementation need not verify what it returns. Any error is reported as
/// [`TrieError::MissingPreimage`](crate::TrieError::MissingPreimage) naming the hash.
pub trait TrieProvider {
    /// The provider's error type.
    type Error: core::error::Error + Send + Sync + 'static;

    /// Returns the preimage of `hash`.
    fn trie_node_by_hash(&self, hash: B256) -> Result<Bytes, Self::Error>;
}

impl<T: TrieProvider + ?Sized> TrieProvider for &T {
    type Error = T::Error;

    fn trie_node_by_hash(&self, hash: B256) -> Result<Bytes, Self::Error> {
        (**self).trie_node_by_hash(hash)
    }
}

/// Tells a host which preimages the program is about to request, so it can fetch them first.
///
/// Natively there is no host to tell: use [`NoopTrieHinter`].
pub trait TrieHinter {
    /// The hinter's error type.
    type Error: core::error::Error + Send + Sync + 'static;

    /// The preimage of trie node `hash` is about to be requested.
    fn hint_trie_node(&self, hash: B256) -> Result<(), Self::Error>;

    /// The account proof of `address` in the state of block `block_number` is about to be needed.
    fn hint_account_proof(&self, address: Address, block_number: u64) -> Result<(), Self::Error>;

    /// The storage proof of `slot` of `address` in the state of block `block_number` is about to
    /// be needed.
    fn hint_storage_proof(
        &self,
        address: Address,
        slot: U256,
        block_number: u64,
    ) -> Result<(), Self::Error>;

    /// The bytecode whose keccak256 hash is `hash` is about to be requested (kona's `l2-code`).
    ///
    /// Defaults to [`Self::hint_trie_node`], for hinters that do not tell preimages apart.
    fn hint_code(&self, hash: B256) -> Result<(), Self::Error> {
        self.hint_trie_node(hash)
    }

    /// The block header whose hash is `hash` is about to be requested (an ancestor for
    /// `BLOCKHASH`; kona's `l2-block-header`).
    ///
    /// Defaults to [`Self::hint_trie_node`], for hinters that do not tell preimages apart.
    fn hint_header(&self, hash: B256) -> Result<(), Self::Error> {
        self.hint_trie_node(hash)
    }
}

impl<T: TrieHinter + ?Sized> TrieHinter for &T {
    type Error = T::Error;

    fn hint_trie_node(&self, hash: B256) -> Result<(), Self::Error> {
        (**self).hint_trie_node(hash)
    }

    fn hint_account_proof(&self, address: Address, block_number: u64) -> Result<(), Self::Error> {
        (**self).hint_account_proof(address, block_number)
    }

    fn hint_storage_proof(
        &self,
        address: Address,
        slot: U256,
        block_number: u64,
    ) -> Result<(), Self::Error> {
        (**self).hint_storage_proof(address, slot, block_number)
    }

    fn hint_code(&self, hash: B256) -> Result<(), Self::Error> {
        (**self).hint_code(hash)
    }

    fn hint_header(&self, hash: B256) -> Result<(), Self::Error> {
        (**self).hint_header(hash)
    }
}

/// A [`TrieHinter`] that does nothing, for native execution where every preimage is at hand.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NoopTrieHinter;

impl TrieHinter for NoopTrieHinter {
    type Error = Infallible;

    fn hint_trie_node(&self, _hash: B256) -> Result<(), Self::Error> {
        Ok(())
    }

    fn hint_account_proof(&self, _address: Address, _block_number: u64) -> Result<(), Self::Error> {
        Ok(())
    }

    fn hint_storage_proof(
        &self,
        _address: Address,
        _slot: U256,
        _block_number: u64,
    ) -> Result<(), Self::Error> {
        Ok(())
    }
}

/// A [`TrieProvider`] that has no preimages: every request fails with [`PreimageNotFound`].
///
/// Use it for tries built from scratch, which never need to unblind a node.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NoopTrieProvider;

impl TrieProvider for NoopTrieProvider {
    type Error = PreimageNotFound;

    fn trie_node_by_hash(&self, hash: B256) -> Result<Bytes, Self::Error> {
        Err(PreimageNotFound(hash))
    }
}

/// The preimage of a hash is not in the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("no preimage stored for {0}")]
pub struct PreimageNotFound(pub B256);

/// An in-memory preimage store: keccak256 hash → preimage.
impl<S: BuildHasher> TrieProvider for HashMap<B256, Bytes, S> {
    type Error = PreimageNotFound;

    fn trie_node_by_hash(&self, hash: B256) -> Result<Bytes, Self::Error> {
        self.get(&hash).cloned().ok_or(PreimageNotFound(hash))
    }
}
