//! Checking preimages against their keys.

use super::{PreimageStore, StoreError};
use alloy_primitives::keccak256;
use koa_preimage::{PreimageKey, PreimageKeyType};
use sha2::{Digest, Sha256};

/// A preimage that does not match its key, or a key no store may hold.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("preimage {key} is invalid: {reason}")]
pub struct InvalidPreimage {
    /// The key.
    pub key: PreimageKey,
    /// What is wrong.
    pub reason: String,
}

/// Checks `value` against `key`:
///
/// - keccak256 and sha256 keys: the hash of `value` must equal the key (its first byte aside);
/// - local keys are never stored: they are served from the host's inputs;
/// - global generic keys are not used by the OP Stack programs and are refused;
/// - blob and precompile preimages cannot be checked from the key alone: the code that
///   produces them checks them (a blob against its KZG commitment, a precompile result by
///   running the precompile), so they pass here.
pub fn check_preimage(key: PreimageKey, value: &[u8]) -> Result<(), InvalidPreimage> {
    let invalid = |reason: String| InvalidPreimage { key, reason };
    match key.key_type() {
        PreimageKeyType::Keccak256 => {
            let hash = keccak256(value);
            if key.matches_hash(&hash) {
                Ok(())
            } else {
                Err(invalid(format!(
                    "keccak256 of the {} stored bytes is {hash}",
                    value.len()
                )))
            }
        }
        PreimageKeyType::Sha256 => {
            let hash: [u8; 32] = Sha256::digest(value).into();
            if key.matches_hash(&hash.into()) {
                Ok(())
            } else {
                Err(invalid(format!(
                    "sha256 of the {} stored bytes is 0x{}",
                    value.len(),
                    hex::encode(hash)
                )))
            }
        }
        PreimageKeyType::Local => Err(invalid(
            "local keys come from the host's inputs and are never stored".into(),
        )),
        PreimageKeyType::GlobalGeneric => Err(invalid(
            "global generic keys are not used by the OP Stack fault proof".into(),
        )),
        PreimageKeyType::Blob | PreimageKeyType::Precompile => Ok(()),
    }
}

/// A store that checks every preimage against its key before storing it and after reading it.
#[derive(Debug)]
pub struct VerifiedStore<S> {
    inner: S,
}

impl<S: PreimageStore> VerifiedStore<S> {
    /// Wraps `inner`.
    pub const fn new(inner: S) -> Self {
        Self { inner }
    }

    /// The wrapped store.
    pub const fn inner(&self) -> &S {
        &self.inner
    }
}

impl<S: PreimageStore> PreimageStore for VerifiedStore<S> {
    fn get(&self, key: PreimageKey) -> Result<Option<Vec<u8>>, StoreError> {
        let value: Option<Vec<u8>> = self.inner.get(key)?;
        if let Some(value) = &value {
            check_preimage(key, value)?;
        }
        Ok(value)
    }

    fn put(&self, key: PreimageKey, value: &[u8]) -> Result<(), StoreError> {
        check_preimage(key, value)?;
        self.inner.put(key, value)
    }
}
