//! The preimage oracle as a VM sees it: the host behind the hint and preimage file descriptors.

use alloc::{string::String, vec::Vec};
use alloy_primitives::B256;

/// A failure of the host answering the VM.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OracleError {
    /// The host has no preimage for the key.
    #[error("no preimage for key {0}")]
    NotFound(B256),
    /// The host answered with data that does not hash to the (keccak256) key.
    #[error("preimage for key {0} does not match its key")]
    Mismatch(B256),
    /// The host failed or went away.
    #[error("preimage host: {0}")]
    Host(String),
}

/// The host side of the preimage oracle, called by a machine when its program writes a
/// complete hint or reads a preimage.
pub trait PreimageOracle {
    /// A complete hint written by the program (the bytes after its 4-byte length prefix).
    fn hint(&mut self, hint: &[u8]) -> Result<(), OracleError>;

    /// The preimage of `key` (without the 8-byte length prefix the machine serves before it).
    fn get_preimage(&mut self, key: B256) -> Result<Vec<u8>, OracleError>;
}

impl<T: PreimageOracle + ?Sized> PreimageOracle for &mut T {
    fn hint(&mut self, hint: &[u8]) -> Result<(), OracleError> {
        (**self).hint(hint)
    }

    fn get_preimage(&mut self, key: B256) -> Result<Vec<u8>, OracleError> {
        (**self).get_preimage(key)
    }
}
