//! A blob provider over blobs already in memory: a devnet's, a test's, or a witness's.

use alloc::{collections::BTreeMap, vec::Vec};
use alloy_primitives::B256;

use crate::{
    error::PipelineErrorKind,
    traits::{BlobProvider, BlobWithCommitment, IndexedBlobHash, ProviderError},
    types::BlockInfo,
};

/// Blobs by versioned hash.
///
/// It checks nothing: whoever fills it vouches for each blob's commitment (the data source
/// still checks every commitment against the versioned hash it was asked for).
#[derive(Clone, Debug, Default)]
pub struct MemoryBlobs {
    /// Blobs by versioned hash.
    pub blobs: BTreeMap<B256, BlobWithCommitment>,
}

/// A blob a [`MemoryBlobs`] does not hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("blob {0} is not held")]
pub struct BlobNotHeld(pub B256);

impl ProviderError for BlobNotHeld {
    fn kind(&self) -> PipelineErrorKind {
        // As a beacon node that does not have the blob yet: it may come.
        PipelineErrorKind::Temporary
    }
}

impl FromIterator<(B256, BlobWithCommitment)> for MemoryBlobs {
    fn from_iter<I: IntoIterator<Item = (B256, BlobWithCommitment)>>(blobs: I) -> Self {
        Self {
            blobs: blobs.into_iter().collect(),
        }
    }
}

impl BlobProvider for MemoryBlobs {
    type Error = BlobNotHeld;

    fn blobs(
        &mut self,
        _block: &BlockInfo,
        hashes: &[IndexedBlobHash],
    ) -> Result<Vec<BlobWithCommitment>, Self::Error> {
        hashes
            .iter()
            .map(|indexed| {
                self.blobs
                    .get(&indexed.hash)
                    .cloned()
                    .ok_or(BlobNotHeld(indexed.hash))
            })
            .collect()
    }
}
