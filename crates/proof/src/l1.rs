//! The L1 chain from the oracle, anchored at the trusted L1 head.
//!
//! Every header is the keccak256 preimage of its hash (checked). The canonical chain by number
//! is the chain of parent hashes back from the L1 head, each header's number checked against
//! its child's. Transactions and receipts are the leaves of the header's transaction and
//! receipt tries, whose nodes `koa-mpt` checks against their hashes as it walks them.

use alloc::{collections::BTreeMap, vec::Vec};
use alloy_consensus::{Header, Receipt, ReceiptEnvelope, TxEnvelope};
use alloy_eips::eip2718::Decodable2718;
use alloy_primitives::{B256, Bytes};
use alloy_rlp::Decodable;
use koa_derive::{BlockInfo, ChainProvider};
use koa_mpt::read_ordered_list;
use koa_preimage::{HintWriterClient, PreimageKey, PreimageOracleClient};

use crate::{
    error::{DataKind, PreimageError},
    hint::Hint,
    oracle::ProofOracle,
    trie::{OracleTrie, trie_error},
};

/// The [`ChainProvider`] over the oracle.
#[derive(Debug)]
pub struct OracleL1Chain<'a, O, H> {
    oracle: &'a ProofOracle<O, H>,
    head: BlockInfo,
    /// Canonical blocks known so far, from the head back to `oldest`.
    by_number: BTreeMap<u64, BlockInfo>,
}

impl<'a, O: PreimageOracleClient, H: HintWriterClient> OracleL1Chain<'a, O, H> {
    /// Opens the L1 chain whose head block has hash `l1_head`.
    pub fn new(oracle: &'a ProofOracle<O, H>, l1_head: B256) -> Result<Self, PreimageError> {
        let header = header_by_hash(oracle, l1_head)?;
        let head = BlockInfo::from_header(&header, l1_head);
        let mut by_number = BTreeMap::new();
        by_number.insert(head.number, head);
        Ok(Self {
            oracle,
            head,
            by_number,
        })
    }

    /// The L1 head block.
    pub const fn head(&self) -> BlockInfo {
        self.head
    }

    /// The canonical block at `number`, walking parent hashes back from the head as needed.
    fn canonical(&mut self, number: u64) -> Result<BlockInfo, PreimageError> {
        if let Some(info) = self.by_number.get(&number) {
            return Ok(*info);
        }
        if number > self.head.number {
            return Err(PreimageError::Invalid {
                kind: DataKind::L1Header,
                key: PreimageKey::keccak256(self.head.hash),
                reason: alloc::format!("block {number} is after the L1 head {}", self.head.number),
            });
        }
        let (_, mut oldest) = self
            .by_number
            .first_key_value()
            .map(|(n, b)| (*n, *b))
            .unwrap_or((self.head.number, self.head));
        while oldest.number > number {
            let header = header_by_hash(self.oracle, oldest.parent_hash)?;
            let expected = oldest.number - 1;
            if header.number != expected {
                return Err(self.oracle.record(PreimageError::Invalid {
                    kind: DataKind::L1Header,
                    key: PreimageKey::keccak256(oldest.parent_hash),
                    reason: alloc::format!(
                        "parent of block {} has number {}",
                        oldest.number,
                        header.number
                    ),
                }));
            }
            let info = BlockInfo::from_header(&header, oldest.parent_hash);
            self.by_number.insert(info.number, info);
            oldest = info;
        }
        Ok(oldest)
    }
}

/// The L1 header with hash `hash` (hinted, checked, decoded).
fn header_by_hash<O: PreimageOracleClient, H: HintWriterClient>(
    oracle: &ProofOracle<O, H>,
    hash: B256,
) -> Result<Header, PreimageError> {
    let bytes = oracle.keccak(DataKind::L1Header, hash, Some(&Hint::L1BlockHeader(hash)))?;
    decode_header(oracle, DataKind::L1Header, hash, &bytes)
}

/// Decodes a header preimage that hashed right (a malformed one is still a named error).
pub(crate) fn decode_header<O: PreimageOracleClient, H: HintWriterClient>(
    oracle: &ProofOracle<O, H>,
    kind: DataKind,
    hash: B256,
    bytes: &Bytes,
) -> Result<Header, PreimageError> {
    let mut buf: &[u8] = bytes;
    let header = Header::decode(&mut buf);
    match header {
        Ok(header) if buf.is_empty() => Ok(header),
        other => Err(oracle.record(PreimageError::Invalid {
            kind,
            key: PreimageKey::keccak256(hash),
            reason: match other {
                Err(e) => alloc::format!("not an RLP header: {e}"),
                Ok(_) => "trailing bytes after the header".into(),
            },
        })),
    }
}

impl<O: PreimageOracleClient, H: HintWriterClient> ChainProvider for OracleL1Chain<'_, O, H> {
    type Error = PreimageError;

    fn header_by_hash(&mut self, hash: B256) -> Result<Header, Self::Error> {
        header_by_hash(self.oracle, hash)
    }

    fn block_info_by_number(&mut self, number: u64) -> Result<BlockInfo, Self::Error> {
        self.canonical(number)
    }

    fn receipts_by_hash(&mut self, hash: B256) -> Result<Vec<Receipt>, Self::Error> {
        let header = header_by_hash(self.oracle, hash)?;
        let trie = OracleTrie::new(
            self.oracle,
            DataKind::L1Receipt,
            Some(Hint::L1Receipts(hash)),
        );
        let leaves = read_ordered_list(header.receipts_root, &trie)
            .map_err(|e| trie_error(self.oracle, DataKind::L1Receipt, header.receipts_root, e))?;
        leaves
            .iter()
            .enumerate()
            .map(|(i, raw)| {
                let envelope = ReceiptEnvelope::decode_2718(&mut raw.as_ref()).map_err(|e| {
                    self.oracle.record(PreimageError::Invalid {
                        kind: DataKind::L1Receipt,
                        key: PreimageKey::keccak256(header.receipts_root),
                        reason: alloc::format!("receipt {i} of block {hash}: {e}"),
                    })
                })?;
                envelope.as_receipt().cloned().ok_or_else(|| {
                    self.oracle.record(PreimageError::Invalid {
                        kind: DataKind::L1Receipt,
                        key: PreimageKey::keccak256(header.receipts_root),
                        reason: alloc::format!("receipt {i} of block {hash} has no receipt body"),
                    })
                })
            })
            .collect()
    }

    fn transactions_by_hash(&mut self, hash: B256) -> Result<Vec<TxEnvelope>, Self::Error> {
        let header = header_by_hash(self.oracle, hash)?;
        let trie = OracleTrie::new(
            self.oracle,
            DataKind::L1Transaction,
            Some(Hint::L1Transactions(hash)),
        );
        let leaves = read_ordered_list(header.transactions_root, &trie).map_err(|e| {
            trie_error(
                self.oracle,
                DataKind::L1Transaction,
                header.transactions_root,
                e,
            )
        })?;
        leaves
            .iter()
            .enumerate()
            .map(|(i, raw)| {
                TxEnvelope::decode_2718(&mut raw.as_ref()).map_err(|e| {
                    self.oracle.record(PreimageError::Invalid {
                        kind: DataKind::L1Transaction,
                        key: PreimageKey::keccak256(header.transactions_root),
                        reason: alloc::format!("transaction {i} of block {hash}: {e}"),
                    })
                })
            })
            .collect()
    }
}
