//! Data-source traits: everything the pipeline reads comes through these.
//!
//! Providers are synchronous and take `&mut self` so an implementation can cache or walk an
//! oracle. Errors classify themselves ([`ProviderError::kind`]) so the driver knows whether to
//! retry, reset or stop.

use alloc::{boxed::Box, vec::Vec};
use alloy_consensus::{Header, Receipt, TxEnvelope};
use alloy_eips::eip4844::Blob;
use alloy_primitives::{B256, Bytes, FixedBytes};
use koa_protocol::{RollupConfig, SystemConfig};

use crate::{
    error::PipelineErrorKind,
    types::{BlockInfo, L2BlockInfo},
};

/// An error a data provider returns.
pub trait ProviderError: core::fmt::Display + core::fmt::Debug {
    /// Whether the failure is transient, calls for a reset, or is fatal.
    fn kind(&self) -> PipelineErrorKind;
}

/// Read access to the L1 chain.
pub trait ChainProvider {
    /// The provider's error.
    type Error: ProviderError;

    /// The header of the L1 block with this hash.
    fn header_by_hash(&mut self, hash: B256) -> Result<Header, Self::Error>;

    /// The canonical L1 block at `number`.
    fn block_info_by_number(&mut self, number: u64) -> Result<BlockInfo, Self::Error>;

    /// The receipts of the L1 block with this hash, in transaction order.
    fn receipts_by_hash(&mut self, hash: B256) -> Result<Vec<Receipt>, Self::Error>;

    /// The transactions of the L1 block with this hash, in block order.
    fn transactions_by_hash(&mut self, hash: B256) -> Result<Vec<TxEnvelope>, Self::Error>;
}

/// Read access to the (safe) L2 chain.
pub trait L2ChainProvider {
    /// The provider's error.
    type Error: ProviderError;

    /// The L2 block at `number`, with its L1 origin and sequence number.
    fn l2_block_info_by_number(&mut self, number: u64) -> Result<L2BlockInfo, Self::Error>;

    /// The system config in effect after the L2 block at `number` (read from its L1 info
    /// deposit and header).
    ///
    /// Implementations recover it with
    /// [`SystemConfig::from_l2_block`](koa_protocol::SystemConfig::from_l2_block), which
    /// follows op-node's `PayloadToSystemConfig`, including stripping the Karst upgrade gas
    /// from the activation block's gas limit.
    fn system_config_by_number(
        &mut self,
        number: u64,
        rollup_config: &RollupConfig,
    ) -> Result<SystemConfig, Self::Error>;

    /// The EIP-2718 encoded transactions of the L2 block at `number`, deposits included (the
    /// span batch overlap check compares them with a batch).
    fn transactions_by_number(&mut self, number: u64) -> Result<Vec<Bytes>, Self::Error>;
}

/// A blob's position in its L1 block and the versioned hash the carrying transaction names.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct IndexedBlobHash {
    /// Index of the blob among all blobs of the L1 block.
    pub index: u64,
    /// The EIP-4844 versioned hash.
    pub hash: B256,
}

/// A blob and its KZG commitment, as a blob provider returns it.
///
/// The pipeline checks that the commitment matches the transaction's versioned hash; that the
/// blob matches the commitment is the provider's business (a KZG proof, or an oracle that
/// only serves verified data).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlobWithCommitment {
    /// The 131072-byte blob.
    pub blob: Box<Blob>,
    /// Its 48-byte KZG commitment.
    pub commitment: FixedBytes<48>,
}

/// Read access to EIP-4844 blobs.
pub trait BlobProvider {
    /// The provider's error.
    type Error: ProviderError;

    /// The blobs `hashes` name in the L1 block `block`, in the same order.
    fn blobs(
        &mut self,
        block: &BlockInfo,
        hashes: &[IndexedBlobHash],
    ) -> Result<Vec<BlobWithCommitment>, Self::Error>;
}
