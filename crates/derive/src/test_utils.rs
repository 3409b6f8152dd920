//! In-memory providers and builders for tests and benches.

use alloc::{collections::BTreeMap, string::String, vec::Vec};
use alloy_consensus::{Header, Receipt, TxEnvelope};
use alloy_primitives::{B256, Bytes};
use koa_protocol::{RollupConfig, SystemConfig};

use crate::{
    errors::PipelineErrorKind,
    traits::{
        BlobProvider, BlobWithCommitment, ChainProvider, IndexedBlobHash, L2ChainProvider,
        ProviderError,
    },
    types::{BlockInfo, L2BlockInfo},
};

/// A test provider error: a missing item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TestProviderError(pub String);

impl core::fmt::Display for TestProviderError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "not found: {}", self.0)
    }
}

impl ProviderError for TestProviderError {
    fn kind(&self) -> PipelineErrorKind {
        PipelineErrorKind::Temporary
    }
}

fn missing(what: impl core::fmt::Debug) -> TestProviderError {
    TestProviderError(alloc::format!("{what:?}"))
}

/// An L1 block held by [`TestChainProvider`].
#[derive(Clone, Debug, Default)]
pub struct TestL1Block {
    /// The header.
    pub header: Header,
    /// The transactions.
    pub transactions: Vec<TxEnvelope>,
    /// The receipts.
    pub receipts: Vec<Receipt>,
}

/// An in-memory L1 chain.
#[derive(Clone, Debug, Default)]
pub struct TestChainProvider {
    /// Blocks by hash.
    pub blocks: BTreeMap<B256, TestL1Block>,
    /// Canonical hashes by number.
    pub canonical: BTreeMap<u64, B256>,
}

impl TestChainProvider {
    /// Adds a canonical block; returns its info.
    pub fn push(&mut self, block: TestL1Block) -> BlockInfo {
        let hash = block.header.hash_slow();
        let info = BlockInfo::from_header(&block.header, hash);
        self.canonical.insert(info.number, hash);
        self.blocks.insert(hash, block);
        info
    }
}

impl ChainProvider for TestChainProvider {
    type Error = TestProviderError;

    fn header_by_hash(&mut self, hash: B256) -> Result<Header, Self::Error> {
        self.blocks
            .get(&hash)
            .map(|b| b.header.clone())
            .ok_or_else(|| missing(hash))
    }

    fn block_info_by_number(&mut self, number: u64) -> Result<BlockInfo, Self::Error> {
        let hash = *self.canonical.get(&number).ok_or_else(|| missing(number))?;
        let block = self.blocks.get(&hash).ok_or_else(|| missing(hash))?;
        Ok(BlockInfo::from_header(&block.header, hash))
    }

    fn receipts_by_hash(&mut self, hash: B256) -> Result<Vec<Receipt>, Self::Error> {
        self.blocks
            .get(&hash)
            .map(|b| b.receipts.clone())
            .ok_or_else(|| missing(hash))
    }

    fn transactions_by_hash(&mut self, hash: B256) -> Result<Vec<TxEnvelope>, Self::Error> {
        self.blocks
            .get(&hash)
            .map(|b| b.transactions.clone())
            .ok_or_else(|| missing(hash))
    }
}

/// An in-memory L2 chain.
#[derive(Clone, Debug, Default)]
pub struct TestL2Provider {
    /// Blocks by number.
    pub blocks: BTreeMap<u64, L2BlockInfo>,
    /// System configs by number (the nearest lower entry applies).
    pub system_configs: BTreeMap<u64, SystemConfig>,
    /// Transactions by number.
    pub transactions: BTreeMap<u64, Vec<Bytes>>,
    /// Number of lookups served (to check lookup counts).
    pub lookups: usize,
}

impl L2ChainProvider for TestL2Provider {
    type Error = TestProviderError;

    fn l2_block_info_by_number(&mut self, number: u64) -> Result<L2BlockInfo, Self::Error> {
        self.lookups += 1;
        self.blocks
            .get(&number)
            .copied()
            .ok_or_else(|| missing(number))
    }

    fn system_config_by_number(
        &mut self,
        number: u64,
        _: &RollupConfig,
    ) -> Result<SystemConfig, Self::Error> {
        self.system_configs
            .range(..=number)
            .next_back()
            .map(|(_, c)| *c)
            .ok_or_else(|| missing(number))
    }

    fn transactions_by_number(&mut self, number: u64) -> Result<Vec<Bytes>, Self::Error> {
        self.lookups += 1;
        self.transactions
            .get(&number)
            .cloned()
            .ok_or_else(|| missing(number))
    }
}

/// An in-memory blob store.
#[derive(Clone, Debug, Default)]
pub struct TestBlobProvider {
    /// Blobs by versioned hash.
    pub blobs: BTreeMap<B256, BlobWithCommitment>,
}

impl BlobProvider for TestBlobProvider {
    type Error = TestProviderError;

    fn blobs(
        &mut self,
        _: &BlockInfo,
        hashes: &[IndexedBlobHash],
    ) -> Result<Vec<BlobWithCommitment>, Self::Error> {
        hashes
            .iter()
            .map(|h| {
                self.blobs
                    .get(&h.hash)
                    .cloned()
                    .ok_or_else(|| missing(h.hash))
            })
            .collect()
    }
}
