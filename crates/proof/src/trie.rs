//! Tries over the oracle: the [`TrieProvider`] and [`TrieHinter`] `koa-mpt` and the executor
//! read through.

use alloy_primitives::{Address, B256, Bytes, U256};
use koa_mpt::{TrieError, TrieHinter, TrieProvider};
use koa_preimage::{HintWriterClient, PreimageKey, PreimageOracleClient};

use crate::{
    error::{DataKind, PreimageError},
    hint::Hint,
    oracle::ProofOracle,
};

/// Trie nodes (and, for the executor, bytecode and headers) as keccak256 preimages. The
/// reader checks each against its hash (`koa-mpt` for nodes, the executor for code and
/// headers), so this fetch does not.
#[derive(Debug)]
pub struct OracleTrie<'a, O, H> {
    oracle: &'a ProofOracle<O, H>,
    kind: DataKind,
    hint: Option<Hint>,
}

impl<O, H> Clone for OracleTrie<'_, O, H> {
    fn clone(&self) -> Self {
        Self {
            oracle: self.oracle,
            kind: self.kind,
            hint: self.hint.clone(),
        }
    }
}

impl<'a, O, H> OracleTrie<'a, O, H> {
    /// Nodes of kind `kind`, fetched after `hint` (once).
    pub const fn new(oracle: &'a ProofOracle<O, H>, kind: DataKind, hint: Option<Hint>) -> Self {
        Self { oracle, kind, hint }
    }
}

impl<O: PreimageOracleClient, H: HintWriterClient> TrieProvider for OracleTrie<'_, O, H> {
    type Error = PreimageError;

    fn trie_node_by_hash(&self, hash: B256) -> Result<Bytes, Self::Error> {
        self.oracle
            .keccak_unchecked(self.kind, hash, self.hint.as_ref())
    }
}

/// Turns a trie error into the preimage error it stands for: a missing node keeps the
/// oracle's error, a node that does not hash to its reference is corrupt, anything else makes
/// the trie under `root` invalid. Records it with the oracle.
pub(crate) fn trie_error<O, H>(
    oracle: &ProofOracle<O, H>,
    kind: DataKind,
    root: B256,
    error: TrieError,
) -> PreimageError
where
    O: PreimageOracleClient,
    H: HintWriterClient,
{
    let error = match error {
        TrieError::MissingPreimage { hash, source } => match source.downcast::<PreimageError>() {
            Ok(inner) => *inner,
            Err(source) => PreimageError::Missing {
                kind,
                key: PreimageKey::keccak256(hash),
                reason: alloc::format!("{source}"),
            },
        },
        TrieError::CorruptPreimage { expected, actual } => PreimageError::Corrupt {
            kind,
            key: PreimageKey::keccak256(expected),
            actual,
        },
        other => PreimageError::Invalid {
            kind,
            key: PreimageKey::keccak256(root),
            reason: alloc::format!("{other}"),
        },
    };
    oracle.record(error)
}

/// The executor's hinter: state nodes, account and storage proofs, bytecode and ancestor
/// headers, each under its own kona hint name.
#[derive(Debug)]
pub struct OracleHinter<'a, O, H> {
    oracle: &'a ProofOracle<O, H>,
    chain_id: Option<u64>,
}

impl<O, H> Clone for OracleHinter<'_, O, H> {
    fn clone(&self) -> Self {
        Self {
            oracle: self.oracle,
            chain_id: self.chain_id,
        }
    }
}

impl<'a, O, H> OracleHinter<'a, O, H> {
    /// A hinter sending through `oracle`, its L2 hints without a chain id (single chain).
    pub const fn new(oracle: &'a ProofOracle<O, H>) -> Self {
        Self {
            oracle,
            chain_id: None,
        }
    }

    /// The hinter with `chain_id` appended to every L2 hint (`None`: none, as a single-chain
    /// client sends them).
    pub const fn with_chain_id(mut self, chain_id: Option<u64>) -> Self {
        self.chain_id = chain_id;
        self
    }
}

impl<O: PreimageOracleClient, H: HintWriterClient> TrieHinter for OracleHinter<'_, O, H> {
    type Error = PreimageError;

    fn hint_trie_node(&self, hash: B256) -> Result<(), Self::Error> {
        self.oracle.hint(&Hint::L2StateNode {
            hash,
            chain_id: self.chain_id,
        })
    }

    fn hint_account_proof(&self, address: Address, block_number: u64) -> Result<(), Self::Error> {
        self.oracle.hint(&Hint::L2AccountProof {
            block_number,
            address,
            chain_id: self.chain_id,
        })
    }

    fn hint_storage_proof(
        &self,
        address: Address,
        slot: U256,
        block_number: u64,
    ) -> Result<(), Self::Error> {
        self.oracle.hint(&Hint::L2AccountStorageProof {
            block_number,
            address,
            slot: B256::from(slot),
            chain_id: self.chain_id,
        })
    }

    fn hint_code(&self, hash: B256) -> Result<(), Self::Error> {
        self.oracle.hint(&Hint::L2Code {
            hash,
            chain_id: self.chain_id,
        })
    }

    fn hint_header(&self, hash: B256) -> Result<(), Self::Error> {
        self.oracle.hint(&Hint::L2BlockHeader {
            hash,
            chain_id: self.chain_id,
        })
    }
}
