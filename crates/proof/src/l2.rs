//! The L2 store: the one view of the L2 chain that derivation reads and execution extends.
//!
//! It starts at the agreed block, found from the agreed output root (its preimage names the
//! block hash, whose preimage is the header). Older blocks are read on demand by walking parent
//! hashes back, each header checked against its hash and its number against its child's, and
//! each block's transactions read through its transaction trie. Newer blocks are the ones the
//! driver executes: it inserts each with its transactions, its L1 origin and its output root,
//! so derivation's view of the safe chain is exactly what was executed — a typed edge from
//! execution back into derivation.

use alloc::{collections::BTreeMap, vec::Vec};
use alloy_consensus::{Header, Sealed};
use alloy_eips::eip2718::Decodable2718;
use alloy_primitives::{B256, Bytes};
use koa_derive::{L2BlockInfo, L2ChainProvider};
use koa_mpt::read_ordered_list;
use koa_preimage::{HintWriterClient, PreimageKey, PreimageOracleClient};
use koa_protocol::{OutputRoot, RollupConfig, SystemConfig};
use op_alloy_consensus::OpTxEnvelope;

use crate::{
    error::{DataKind, PreimageError},
    hint::Hint,
    l1::decode_header,
    oracle::ProofOracle,
    trie::{OracleTrie, trie_error},
};

/// One block of the store.
#[derive(Debug, Clone)]
struct StoredBlock {
    header: Sealed<Header>,
    /// EIP-2718 transactions, read lazily for blocks from the oracle.
    transactions: Option<Vec<Bytes>>,
    /// The block's L1 origin and sequence number, computed on first use.
    info: Option<L2BlockInfo>,
    /// The output root, known for the agreed block and every executed block.
    output_root: Option<B256>,
}

/// A block the driver executed, as the store keeps it.
#[derive(Debug, Clone)]
pub struct ExecutedBlock {
    /// The sealed header.
    pub header: Sealed<Header>,
    /// The block's transactions (EIP-2718).
    pub transactions: Vec<Bytes>,
    /// The block with its L1 origin.
    pub info: L2BlockInfo,
    /// The block's output root.
    pub output_root: B256,
}

/// The L2 chain: the agreed block and its ancestors from the oracle, executed blocks on top.
#[derive(Debug)]
pub struct L2Store<'a, O, H> {
    oracle: &'a ProofOracle<O, H>,
    config: &'a RollupConfig,
    /// The chain id the store's L2 hints carry (`None` for a single-chain program).
    hint_chain_id: Option<u64>,
    blocks: BTreeMap<u64, StoredBlock>,
}

impl<'a, O: PreimageOracleClient, H: HintWriterClient> L2Store<'a, O, H> {
    /// Opens the chain at the block the agreed output root commits to (single-chain program:
    /// the `starting-l2-output` hint, L2 hints without a chain id).
    pub fn new(
        oracle: &'a ProofOracle<O, H>,
        config: &'a RollupConfig,
        agreed_output_root: B256,
    ) -> Result<Self, PreimageError> {
        let hint = Hint::StartingL2Output(agreed_output_root);
        Self::open(oracle, config, agreed_output_root, &hint, None)
    }

    /// Opens chain `chain_id` of a super root at the block its output root commits to
    /// (super-root program: the `l2-output-root` hint, every L2 hint with the chain id).
    pub fn for_chain(
        oracle: &'a ProofOracle<O, H>,
        config: &'a RollupConfig,
        chain_id: u64,
        output_root: B256,
    ) -> Result<Self, PreimageError> {
        let hint = Hint::L2OutputRoot {
            output_root,
            chain_id,
        };
        Self::open(oracle, config, output_root, &hint, Some(chain_id))
    }

    fn open(
        oracle: &'a ProofOracle<O, H>,
        config: &'a RollupConfig,
        agreed_output_root: B256,
        hint: &Hint,
        hint_chain_id: Option<u64>,
    ) -> Result<Self, PreimageError> {
        let key = PreimageKey::keccak256(agreed_output_root);
        let preimage = oracle.keccak(DataKind::OutputRoot, agreed_output_root, Some(hint))?;
        let output = <&[u8; OutputRoot::ENCODED_LEN]>::try_from(preimage.as_ref())
            .ok()
            .and_then(OutputRoot::decode)
            .ok_or_else(|| {
                oracle.record(PreimageError::Invalid {
                    kind: DataKind::OutputRoot,
                    key,
                    reason: alloc::format!("{} bytes, not a version 0 output root", preimage.len()),
                })
            })?;
        let header = header_by_hash(oracle, output.block_hash, hint_chain_id)?;
        if header.state_root != output.state_root {
            return Err(oracle.record(PreimageError::Invalid {
                kind: DataKind::OutputRoot,
                key,
                reason: alloc::format!(
                    "state root {} is not the agreed block's {}",
                    output.state_root,
                    header.state_root
                ),
            }));
        }
        let number = header.number;
        let mut blocks = BTreeMap::new();
        blocks.insert(
            number,
            StoredBlock {
                header: Sealed::new_unchecked(header, output.block_hash),
                transactions: None,
                info: None,
                output_root: Some(agreed_output_root),
            },
        );
        Ok(Self {
            oracle,
            config,
            hint_chain_id,
            blocks,
        })
    }

    /// The newest block: the agreed block, or the last one executed.
    pub fn tip(&self) -> &Sealed<Header> {
        // `new` stores the agreed block and nothing is ever removed.
        &self
            .blocks
            .last_key_value()
            .expect("the store holds the agreed block")
            .1
            .header
    }

    /// The newest block's output root.
    pub fn tip_output_root(&self) -> B256 {
        self.blocks
            .last_key_value()
            .and_then(|(_, b)| b.output_root)
            .expect("the agreed and every executed block have an output root")
    }

    /// The newest block with its L1 origin (the safe head).
    pub fn safe_head(&mut self) -> Result<L2BlockInfo, PreimageError> {
        let number = self.tip().number;
        self.block_info(number)
    }

    /// The output root of block `number`, if the store knows it (agreed or executed).
    pub fn output_root(&self, number: u64) -> Option<B256> {
        self.blocks.get(&number).and_then(|b| b.output_root)
    }

    /// The sealed header of block `number`.
    pub fn header(&mut self, number: u64) -> Result<&Sealed<Header>, PreimageError> {
        Ok(&self.block(number)?.header)
    }

    /// Adds an executed block on top of the tip.
    pub fn insert(&mut self, block: ExecutedBlock) {
        debug_assert_eq!(block.header.parent_hash, self.tip().hash());
        let number = block.header.number;
        self.blocks.insert(
            number,
            StoredBlock {
                header: block.header,
                transactions: Some(block.transactions),
                info: Some(block.info),
                output_root: Some(block.output_root),
            },
        );
    }

    /// Block `number`, walking back from the oldest known block if needed.
    fn block(&mut self, number: u64) -> Result<&mut StoredBlock, PreimageError> {
        let (&oldest, _) = self
            .blocks
            .first_key_value()
            .expect("the store holds the agreed block");
        if number > self.tip().number {
            let tip = self.tip().hash();
            return Err(PreimageError::Invalid {
                kind: DataKind::L2Header,
                key: PreimageKey::keccak256(tip),
                reason: alloc::format!(
                    "block {number} is after the safe head {}",
                    self.tip().number
                ),
            });
        }
        let mut current = oldest;
        while current > number {
            let parent_hash = self.blocks[&current].header.parent_hash;
            let header = header_by_hash(self.oracle, parent_hash, self.hint_chain_id)?;
            if Some(header.number) != current.checked_sub(1) {
                return Err(self.oracle.record(PreimageError::Invalid {
                    kind: DataKind::L2Header,
                    key: PreimageKey::keccak256(parent_hash),
                    reason: alloc::format!(
                        "parent of block {current} has number {}",
                        header.number
                    ),
                }));
            }
            current = header.number;
            self.blocks.insert(
                current,
                StoredBlock {
                    header: Sealed::new_unchecked(header, parent_hash),
                    transactions: None,
                    info: None,
                    output_root: None,
                },
            );
        }
        Ok(self.blocks.get_mut(&number).expect("inserted above"))
    }

    /// The transactions of block `number`.
    fn transactions(&mut self, number: u64) -> Result<&[Bytes], PreimageError> {
        let oracle = self.oracle;
        let chain_id = self.hint_chain_id;
        let block = self.block(number)?;
        if block.transactions.is_none() {
            let hash = block.header.hash();
            let root = block.header.transactions_root;
            let trie = OracleTrie::new(
                oracle,
                DataKind::L2Transaction,
                Some(Hint::L2Transactions { hash, chain_id }),
            );
            let list = read_ordered_list(root, &trie)
                .map_err(|e| trie_error(oracle, DataKind::L2Transaction, root, e))?;
            block.transactions = Some(list);
        }
        Ok(block.transactions.as_deref().unwrap_or_default())
    }

    /// The first transaction of block `number`, decoded (the L1 attributes deposit).
    fn first_transaction(&mut self, number: u64) -> Result<Option<OpTxEnvelope>, PreimageError> {
        let oracle = self.oracle;
        let Some(raw) = self.transactions(number)?.first().cloned() else {
            return Ok(None);
        };
        let root = self.block(number)?.header.transactions_root;
        OpTxEnvelope::decode_2718(&mut raw.as_ref())
            .map(Some)
            .map_err(|e| {
                oracle.record(PreimageError::Invalid {
                    kind: DataKind::L2Transaction,
                    key: PreimageKey::keccak256(root),
                    reason: alloc::format!("first transaction of block {number}: {e}"),
                })
            })
    }

    /// Block `number` with its L1 origin.
    fn block_info(&mut self, number: u64) -> Result<L2BlockInfo, PreimageError> {
        if let Some(info) = self.block(number)?.info {
            return Ok(info);
        }
        let first = self.first_transaction(number)?;
        let config = self.config;
        let oracle = self.oracle;
        let block = self.block(number)?;
        let info = L2BlockInfo::from_header_and_first_tx(
            config,
            &block.header,
            block.header.hash(),
            first.as_ref(),
        )
        .map_err(|e| {
            oracle.record(PreimageError::Invalid {
                kind: DataKind::L2Header,
                key: PreimageKey::keccak256(block.header.hash()),
                reason: alloc::format!("{e}"),
            })
        })?;
        block.info = Some(info);
        Ok(info)
    }
}

/// The L2 header with hash `hash` (hinted, checked, decoded).
fn header_by_hash<O: PreimageOracleClient, H: HintWriterClient>(
    oracle: &ProofOracle<O, H>,
    hash: B256,
    chain_id: Option<u64>,
) -> Result<Header, PreimageError> {
    let bytes = oracle.keccak(
        DataKind::L2Header,
        hash,
        Some(&Hint::L2BlockHeader { hash, chain_id }),
    )?;
    decode_header(oracle, DataKind::L2Header, hash, &bytes)
}

impl<O: PreimageOracleClient, H: HintWriterClient> L2ChainProvider for L2Store<'_, O, H> {
    type Error = PreimageError;

    fn l2_block_info_by_number(&mut self, number: u64) -> Result<L2BlockInfo, Self::Error> {
        self.block_info(number)
    }

    fn system_config_by_number(
        &mut self,
        number: u64,
        config: &RollupConfig,
    ) -> Result<SystemConfig, Self::Error> {
        let first = self.first_transaction(number)?;
        let oracle = self.oracle;
        let block = self.block(number)?;
        SystemConfig::from_l2_block(config, &block.header, block.header.hash(), first.as_ref())
            .map_err(|e| {
                oracle.record(PreimageError::Invalid {
                    kind: DataKind::L2Header,
                    key: PreimageKey::keccak256(block.header.hash()),
                    reason: alloc::format!("system config: {e}"),
                })
            })
    }

    fn transactions_by_number(&mut self, number: u64) -> Result<Vec<Bytes>, Self::Error> {
        Ok(self.transactions(number)?.to_vec())
    }
}
