//! The derivation pipeline's data sources over a generated devnet held in memory.

use alloy_consensus::{Header, Receipt, TxEnvelope};
use alloy_eips::eip2718::Decodable2718;
use alloy_primitives::{B256, Bytes};
use koa_derive::{
    PipelineErrorKind,
    sources::MemoryBlobs,
    traits::{ChainProvider, L2ChainProvider, ProviderError},
    types::{BlockInfo, L2BlockInfo},
};
use koa_protocol::{RollupConfig, SystemConfig};
use op_alloy_consensus::OpTxEnvelope;

use crate::{l1::L1Block, l2::L2Block};

/// Something the in-memory devnet does not have.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("devnet has no {0}")]
pub struct NotInDevnet(pub String);

impl ProviderError for NotInDevnet {
    fn kind(&self) -> PipelineErrorKind {
        // Beyond the generated head: more data may come (the generator is still building).
        PipelineErrorKind::Temporary
    }
}

/// The L1 chain of a devnet.
#[derive(Debug, Clone, Copy)]
pub struct L1View<'a> {
    blocks: &'a [L1Block],
}

impl<'a> L1View<'a> {
    /// A view of `blocks` (indexed by number).
    pub const fn new(blocks: &'a [L1Block]) -> Self {
        Self { blocks }
    }

    fn by_hash(&self, hash: B256) -> Result<&'a L1Block, NotInDevnet> {
        // Hash lookups walk back from the head: derivation asks for recent blocks.
        self.blocks
            .iter()
            .rev()
            .find(|b| b.hash == hash)
            .ok_or_else(|| NotInDevnet(format!("L1 block {hash}")))
    }
}

impl ChainProvider for L1View<'_> {
    type Error = NotInDevnet;

    fn header_by_hash(&mut self, hash: B256) -> Result<Header, Self::Error> {
        Ok(self.by_hash(hash)?.header.clone())
    }

    fn block_info_by_number(&mut self, number: u64) -> Result<BlockInfo, Self::Error> {
        usize::try_from(number)
            .ok()
            .and_then(|n| self.blocks.get(n))
            .map(L1Block::info)
            .ok_or_else(|| NotInDevnet(format!("L1 block {number}")))
    }

    fn receipts_by_hash(&mut self, hash: B256) -> Result<Vec<Receipt>, Self::Error> {
        Ok(self
            .by_hash(hash)?
            .receipts
            .iter()
            .map(|r| {
                r.as_receipt()
                    .expect("L1 receipts are typed receipts")
                    .clone()
            })
            .collect())
    }

    fn transactions_by_hash(&mut self, hash: B256) -> Result<Vec<TxEnvelope>, Self::Error> {
        Ok(self.by_hash(hash)?.transactions.clone())
    }
}

/// The blobs of a devnet's L1 chain, by versioned hash.
pub fn blobs_of(blocks: &[L1Block]) -> MemoryBlobs {
    blocks
        .iter()
        .flat_map(|b| &b.blobs)
        .map(|blob| (blob.versioned_hash, blob.with_commitment()))
        .collect()
}

/// The L2 chain of a devnet (safe blocks only).
#[derive(Debug, Clone, Copy)]
pub struct L2View<'a> {
    blocks: &'a [L2Block],
}

impl<'a> L2View<'a> {
    /// A view of `blocks` (indexed by number, genesis first).
    pub const fn new(blocks: &'a [L2Block]) -> Self {
        Self { blocks }
    }

    fn block(&self, number: u64) -> Result<&'a L2Block, NotInDevnet> {
        usize::try_from(number)
            .ok()
            .and_then(|n| self.blocks.get(n))
            .ok_or_else(|| NotInDevnet(format!("L2 block {number}")))
    }
}

impl L2ChainProvider for L2View<'_> {
    type Error = NotInDevnet;

    fn l2_block_info_by_number(&mut self, number: u64) -> Result<L2BlockInfo, Self::Error> {
        Ok(self.block(number)?.info)
    }

    fn system_config_by_number(
        &mut self,
        number: u64,
        config: &RollupConfig,
    ) -> Result<SystemConfig, Self::Error> {
        let block = self.block(number)?;
        let first = block
            .transactions
            .first()
            .map(|tx| OpTxEnvelope::decode_2718(&mut tx.as_ref()))
            .transpose()
            .map_err(|e| NotInDevnet(format!("decodable first tx of L2 block {number}: {e}")))?;
        SystemConfig::from_l2_block(config, &block.header, block.header.hash(), first.as_ref())
            .map_err(|e| NotInDevnet(format!("system config of L2 block {number}: {e}")))
    }

    fn transactions_by_number(&mut self, number: u64) -> Result<Vec<Bytes>, Self::Error> {
        Ok(self.block(number)?.transactions.clone())
    }
}

/// An L2 chain the caller grows (a verifier appending the blocks it derives), as a provider.
#[derive(Debug, Clone, Default)]
pub struct L2Chain {
    /// The blocks, genesis first.
    pub blocks: Vec<L2Block>,
}

impl L2ChainProvider for L2Chain {
    type Error = NotInDevnet;

    fn l2_block_info_by_number(&mut self, number: u64) -> Result<L2BlockInfo, Self::Error> {
        L2View::new(&self.blocks).l2_block_info_by_number(number)
    }

    fn system_config_by_number(
        &mut self,
        number: u64,
        config: &RollupConfig,
    ) -> Result<SystemConfig, Self::Error> {
        L2View::new(&self.blocks).system_config_by_number(number, config)
    }

    fn transactions_by_number(&mut self, number: u64) -> Result<Vec<Bytes>, Self::Error> {
        L2View::new(&self.blocks).transactions_by_number(number)
    }
}
