//! Where the host keeps preimages: a data directory in op-program's `directory` format
//! ([`DirectoryStore`]) or memory ([`MemoryStore`]).
//!
//! Every store is wrapped in a [`VerifiedStore`], which checks each keccak256 and sha256
//! preimage against its key before it is stored and again before it is served, so a corrupt
//! file on disk or a node answering with wrong data is caught and named by its key.

mod directory;
mod memory;
mod verify;

pub use directory::{DirectoryStore, KV_FORMAT_DIRECTORY, KV_FORMAT_FILE};
pub use memory::MemoryStore;
pub use verify::{InvalidPreimage, VerifiedStore, check_preimage};

use koa_preimage::PreimageKey;
use std::{io, path::PathBuf};

/// A failure of a preimage store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Reading or writing a preimage file failed.
    #[error("preimage {key}: {op} {path} failed")]
    Io {
        /// The key whose file was accessed.
        key: PreimageKey,
        /// What was attempted (`reading`, `writing`, ...).
        op: &'static str,
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: io::Error,
    },
    /// Opening the data directory failed.
    #[error("data directory {path}: {reason}")]
    Directory {
        /// The data directory.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// A stored or offered preimage does not match its key.
    #[error(transparent)]
    Corrupt(#[from] InvalidPreimage),
    /// Storing a preimage would take a run's fetched data past its byte budget: a node
    /// answering far more than any proof reads.
    #[error(
        "preimage {key} ({len} bytes) would take the data fetched in this run past its budget \
         of {limit} bytes ({stored} stored so far)"
    )]
    OverBudget {
        /// The preimage that did not fit.
        key: PreimageKey,
        /// Its length.
        len: usize,
        /// The bytes stored before it.
        stored: u64,
        /// The budget.
        limit: u64,
    },
}

/// A key-value store of preimages.
///
/// Implementations store and return bytes as given; [`VerifiedStore`] adds the checks.
pub trait PreimageStore: Send + Sync {
    /// Returns the preimage stored under `key`, if any.
    fn get(&self, key: PreimageKey) -> Result<Option<Vec<u8>>, StoreError>;

    /// Stores `value` under `key`, replacing any previous value.
    fn put(&self, key: PreimageKey, value: &[u8]) -> Result<(), StoreError>;
}

impl<S: PreimageStore + ?Sized> PreimageStore for std::sync::Arc<S> {
    fn get(&self, key: PreimageKey) -> Result<Option<Vec<u8>>, StoreError> {
        (**self).get(key)
    }

    fn put(&self, key: PreimageKey, value: &[u8]) -> Result<(), StoreError> {
        (**self).put(key, value)
    }
}

impl<S: PreimageStore + ?Sized> PreimageStore for Box<S> {
    fn get(&self, key: PreimageKey) -> Result<Option<Vec<u8>>, StoreError> {
        (**self).get(key)
    }

    fn put(&self, key: PreimageKey, value: &[u8]) -> Result<(), StoreError> {
        (**self).put(key, value)
    }
}
