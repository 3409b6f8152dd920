//! An in-memory preimage store.

use super::{PreimageStore, StoreError};
use koa_preimage::PreimageKey;
use std::{collections::HashMap, sync::RwLock};

/// Preimages held in a hash map, for runs that need no data directory.
#[derive(Debug, Default)]
pub struct MemoryStore {
    entries: RwLock<HashMap<PreimageKey, Vec<u8>>>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// A store holding `entries`.
    pub fn from_entries(entries: impl IntoIterator<Item = (PreimageKey, Vec<u8>)>) -> Self {
        Self {
            entries: RwLock::new(entries.into_iter().collect()),
        }
    }

    /// The number of stored preimages.
    pub fn len(&self) -> usize {
        self.read().len()
    }

    /// Whether the store is empty.
    pub fn is_empty(&self) -> bool {
        self.read().is_empty()
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, HashMap<PreimageKey, Vec<u8>>> {
        // A poisoned lock only means another thread panicked mid-insert of a complete entry.
        self.entries
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl PreimageStore for MemoryStore {
    fn get(&self, key: PreimageKey) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.read().get(&key).cloned())
    }

    fn put(&self, key: PreimageKey, value: &[u8]) -> Result<(), StoreError> {
        self.entries
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(key, value.to_vec());
        Ok(())
    }
}
