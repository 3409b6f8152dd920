//! The caching, verifying front of the preimage oracle that every provider reads through.
//!
//! [`ProofOracle`] owns the program's two channels to the host (a
//! [`PreimageOracleClient`] and a [`HintWriterClient`]) and adds three things:
//!
//! - **Hints ahead of fetches.** A fetch names the [`Hint`] that makes the host able to serve
//!   it; the hint is sent just before the first fetch that is not cached, and never twice.
//! - **A cache** ([`PreimageCache`]): preimages are kept by key, so what is read again soon is
//!   not fetched again (the executor reopens the parent state of every block; derivation
//!   re-reads L2 blocks it executed). It is bounded; what falls out is fetched and checked
//!   again.
//! - **Verification** of keccak256 and sha256 preimages against their key, with a
//!   [`PreimageError`] naming what the data was for. Trie nodes are checked by `koa-mpt` and
//!   bytecode and ancestor headers by the executor as they are decoded, so their unchecked
//!   fetch ([`ProofOracle::keccak_unchecked`]) does not hash them twice.
//!
//! Interior mutability ([`RefCell`], [`Cell`]) keeps the API `&self`: the program is
//! single-threaded and every provider holds a shared reference to one oracle.

use alloc::string::ToString;
use alloy_primitives::{B256, Bytes, keccak256};
use core::cell::{Cell, RefCell};
use koa_preimage::{
    HintWriterClient, PreimageKey, PreimageKeyType, PreimageOracleClient, PreimageOracleError,
};
use sha2::{Digest, Sha256};

use crate::{
    cache::PreimageCache,
    error::{DataKind, PreimageError},
    hint::Hint,
};

/// What the program read from the host (the per-claim figures of a proof run).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OracleStats {
    /// Preimages requested from the host (cache misses).
    pub preimages: u64,
    /// Bytes of those preimages.
    pub bytes: u64,
    /// Hints sent.
    pub hints: u64,
    /// Fetches answered from the cache.
    pub cache_hits: u64,
}

/// The oracle every provider reads through: hints, caches and verifies.
#[derive(Debug)]
pub struct ProofOracle<O, H> {
    oracle: O,
    hinter: H,
    /// Preimages, and the hints sent (see [`PreimageCache::first_hint`]).
    cache: RefCell<PreimageCache>,
    stats: Cell<OracleStats>,
    /// The first preimage error any provider hit, kept typed: derivation passes provider
    /// errors on as text, and the driver wants to report the error itself.
    first_error: RefCell<Option<PreimageError>>,
}

impl<O: PreimageOracleClient, H: HintWriterClient> ProofOracle<O, H> {
    /// Wraps the host's oracle and hint channels, with the default cache.
    pub fn new(oracle: O, hinter: H) -> Self {
        Self::with_cache(oracle, hinter, PreimageCache::default())
    }

    /// Wraps the host's oracle and hint channels, caching in `cache`.
    pub fn with_cache(oracle: O, hinter: H, cache: PreimageCache) -> Self {
        Self {
            oracle,
            hinter,
            cache: RefCell::new(cache),
            stats: Cell::new(OracleStats::default()),
            first_error: RefCell::new(None),
        }
    }

    /// The hint channel.
    pub const fn hinter(&self) -> &H {
        &self.hinter
    }

    /// The oracle channel.
    pub const fn oracle(&self) -> &O {
        &self.oracle
    }

    /// What was read so far.
    pub fn stats(&self) -> OracleStats {
        self.stats.get()
    }

    /// Takes the first preimage error recorded by [`Self::record`].
    pub fn take_error(&self) -> Option<PreimageError> {
        self.first_error.borrow_mut().take()
    }

    /// Remembers `error` if it is the first one, and hands it back.
    pub fn record(&self, error: PreimageError) -> PreimageError {
        let mut first = self.first_error.borrow_mut();
        if first.is_none() {
            *first = Some(error.clone());
        }
        error
    }

    /// Sends `hint` unless it was sent before.
    pub fn hint(&self, hint: &Hint) -> Result<(), PreimageError> {
        let wire = hint.encode();
        if !self.cache.borrow_mut().first_hint(&wire) {
            return Ok(());
        }
        self.send(&wire)
    }

    /// Sends `hint` without remembering it: for a hint that is unique by construction and may
    /// be large (a payload witness carries a block's transactions), which [`hint`](Self::hint)
    /// would keep in memory for the rest of the run.
    pub fn announce(&self, hint: &Hint) -> Result<(), PreimageError> {
        self.send(&hint.encode())
    }

    /// Writes a hint's wire form to the host.
    fn send(&self, wire: &str) -> Result<(), PreimageError> {
        self.hinter.hint(wire).map_err(|source| {
            self.record(PreimageError::Hint {
                hint: wire.into(),
                reason: source.to_string(),
            })
        })?;
        let mut stats = self.stats.get();
        stats.hints += 1;
        self.stats.set(stats);
        Ok(())
    }

    /// The preimage of `key`, from the cache or (after `hint`) from the host. Unverified.
    pub fn get(
        &self,
        kind: DataKind,
        key: PreimageKey,
        hint: Option<&Hint>,
    ) -> Result<Bytes, PreimageError> {
        let cached = self.cache.borrow_mut().get(&key);
        if let Some(bytes) = cached {
            let mut stats = self.stats.get();
            stats.cache_hits += 1;
            self.stats.set(stats);
            return Ok(bytes);
        }
        if let Some(hint) = hint {
            self.hint(hint)?;
        }
        let bytes: Bytes =
            self.oracle
                .get(key)
                .map(Bytes::from)
                .map_err(|source: PreimageOracleError| {
                    self.record(PreimageError::Missing {
                        kind,
                        key,
                        reason: source.to_string(),
                    })
                })?;
        let mut stats = self.stats.get();
        stats.preimages += 1;
        stats.bytes += bytes.len() as u64;
        self.stats.set(stats);
        self.cache.borrow_mut().insert(key, bytes.clone());
        Ok(bytes)
    }

    /// The keccak256 preimage of `hash`, checked against it.
    pub fn keccak(
        &self,
        kind: DataKind,
        hash: B256,
        hint: Option<&Hint>,
    ) -> Result<Bytes, PreimageError> {
        let key = PreimageKey::keccak256(hash);
        let bytes = self.get(kind, key, hint)?;
        let actual = keccak256(&bytes);
        if actual != hash {
            self.cache.borrow_mut().remove(&key);
            return Err(self.record(PreimageError::Corrupt { kind, key, actual }));
        }
        Ok(bytes)
    }

    /// The keccak256 preimage of `hash` for a reader that checks it itself (trie nodes,
    /// bytecode and headers read by `koa-mpt` and the executor).
    pub fn keccak_unchecked(
        &self,
        kind: DataKind,
        hash: B256,
        hint: Option<&Hint>,
    ) -> Result<Bytes, PreimageError> {
        self.get(kind, PreimageKey::keccak256(hash), hint)
    }

    /// The sha256 preimage under `key` (a sha256-typed key, whose first byte replaced the
    /// hash's), checked against the 31 bytes of the hash the key keeps.
    pub fn sha256(
        &self,
        kind: DataKind,
        key: PreimageKey,
        hint: Option<&Hint>,
    ) -> Result<Bytes, PreimageError> {
        debug_assert_eq!(key.key_type(), PreimageKeyType::Sha256);
        let bytes = self.get(kind, key, hint)?;
        let digest: [u8; 32] = Sha256::digest(&bytes).into();
        if digest[1..] != key.as_bytes()[1..] {
            self.cache.borrow_mut().remove(&key);
            return Err(self.record(PreimageError::Corrupt {
                kind,
                key,
                actual: B256::from(digest),
            }));
        }
        Ok(bytes)
    }

    /// Caches a preimage the program produced itself (an executed block's header), so that
    /// later reads by key need no host. The caller vouches that `bytes` matches `key`.
    pub fn insert_verified(&self, key: PreimageKey, bytes: Bytes) {
        self.cache.borrow_mut().pin(key, bytes);
    }

    /// The local preimage `index` (boot information; trusted: the dispute game commits to it).
    pub fn local(&self, kind: DataKind, index: u64) -> Result<Bytes, PreimageError> {
        self.get(kind, PreimageKey::local(index), None)
    }
}
