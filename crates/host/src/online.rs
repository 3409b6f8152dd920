//! Online mode: answering hints by fetching from an L1 execution node, an L1 beacon node and an
//! L2 execution node, and storing every preimage fetched.
//!
//! The methods used are the ones kona-host uses, so any node that serves kona-host serves koa:
//! `debug_getRawHeader`, `eth_getBlockByHash` (full transactions), `debug_getRawReceipts`,
//! `eth_getProof`, `debug_dbGet`, `debug_executePayload` / `debug_executionWitness`, and the
//! beacon `blob_sidecars` / `blobs` endpoints. Everything fetched passes through a
//! [`VerifiedStore`](crate::store::VerifiedStore) or is checked here against the root that
//! commits to it, so a node answering with wrong data ends the run with an error naming the
//! node and the data, never a wrong preimage.

use crate::{
    blob::{BeaconClient, BlobError},
    rpc::{NodeClient, RpcError},
    store::{PreimageStore, StoreError},
};
use alloy_consensus::{Header, TxEnvelope};
use alloy_eips::eip2718::Encodable2718;
use alloy_primitives::{Address, B256, Bytes, address};
use alloy_rlp::Decodable;
use koa_mpt::{NoopTrieProvider, TrieNode, ordered_list_key};
use koa_preimage::PreimageKey;
use koa_proof::hint::Hint;
use koa_protocol::OutputRoot;
use op_alloy_consensus::OpTxEnvelope;
use serde::{Deserialize, de::DeserializeOwned};
use std::sync::atomic::{AtomicU64, Ordering};

/// The L2ToL1MessagePasser predeploy, whose storage root is part of an output root.
pub const L2_TO_L1_MESSAGE_PASSER: Address = address!("4200000000000000000000000000000000000016");

/// geth's database prefix for contract code (`'c'`), used by `debug_dbGet`.
const CODE_PREFIX: u8 = b'c';

/// Why a hint could not be answered.
#[derive(Debug, thiserror::Error)]
pub enum OnlineError {
    /// A node failed.
    #[error(transparent)]
    Rpc(#[from] RpcError),
    /// A blob could not be fetched or checked.
    #[error(transparent)]
    Blob(#[from] BlobError),
    /// Storing failed, or a node's answer does not match its key.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A node answered with data that does not match what commits to it.
    #[error("{node}: {method} answered with wrong data: {reason}")]
    WrongData {
        /// The node.
        node: String,
        /// The method.
        method: &'static str,
        /// What does not match.
        reason: String,
    },
    /// The hint cannot be answered by this host.
    #[error("cannot answer hint {hint}: {reason}")]
    Unsupported {
        /// The hint.
        hint: String,
        /// Why.
        reason: String,
    },
}

/// The three nodes of an online run.
#[derive(Debug)]
pub struct Nodes {
    /// The L1 execution node.
    pub l1: NodeClient,
    /// The L1 beacon node.
    pub beacon: BeaconClient,
    /// The L2 execution node.
    pub l2: NodeClient,
}

/// What the `starting-l2-output` hint needs from the host's inputs.
#[derive(Debug, Clone, Copy)]
pub struct AgreedL2 {
    /// The agreed L2 block hash.
    pub head_hash: B256,
    /// The agreed L2 output root.
    pub output_root: B256,
}

/// The most bytes one online run stores unless told otherwise (`--max-fetched-bytes`): far
/// above any proof's data (a proof of a full OP Mainnet block reads tens of MiB), far below
/// what fills a disk.
pub const DEFAULT_MAX_STORED_BYTES: u64 = 4 << 30;

/// Fetches the data named by hints from the nodes into a store.
#[derive(Debug)]
pub struct OnlineFetcher<S> {
    nodes: Nodes,
    store: S,
    agreed: AgreedL2,
    /// Preimages stored (counting duplicates of what was already there).
    stored: AtomicU64,
    /// Bytes stored (counting duplicates).
    stored_bytes: AtomicU64,
    /// The most bytes one run may store ([`DEFAULT_MAX_STORED_BYTES`] unless set).
    max_stored_bytes: u64,
    /// Preimages delivered by whole-block witnesses.
    witness_preimages: AtomicU64,
    /// Whether `l2-payload-witness` hints are answered with whole-block witnesses.
    witness_endpoint: bool,
}

/// A block as `eth_getBlockByHash(hash, true)` returns it (only the fields used here).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RpcBlock<T> {
    transactions: Vec<T>,
    transactions_root: B256,
}

/// `eth_getProof`'s answer (only the proofs).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ProofResponse {
    account_proof: Vec<Bytes>,
    storage_hash: B256,
    #[serde(default)]
    storage_proof: Vec<StorageProof>,
}

#[derive(Deserialize)]
struct StorageProof {
    proof: Vec<Bytes>,
}

/// `debug_executionWitness` / `debug_executePayload`'s answer.
#[derive(Deserialize, Default)]
struct ExecutionWitness {
    #[serde(default)]
    state: Vec<Bytes>,
    #[serde(default)]
    codes: Vec<Bytes>,
    #[serde(default)]
    keys: Vec<Bytes>,
    #[serde(default)]
    headers: Vec<Bytes>,
}

impl<S: PreimageStore> OnlineFetcher<S> {
    /// A fetcher storing into `store` (which should verify what it stores).
    pub fn new(nodes: Nodes, store: S, agreed: AgreedL2) -> Self {
        Self {
            nodes,
            store,
            agreed,
            stored: AtomicU64::new(0),
            stored_bytes: AtomicU64::new(0),
            max_stored_bytes: DEFAULT_MAX_STORED_BYTES,
            witness_preimages: AtomicU64::new(0),
            witness_endpoint: false,
        }
    }

    /// Answers `l2-payload-witness` hints with one whole-block witness call to the L2 node
    /// (kona-host's `--enable-experimental-witness-endpoint`); without it they are ignored and
    /// the state is fetched node by node as the executor hints at it.
    pub const fn with_witness_endpoint(mut self, enabled: bool) -> Self {
        self.witness_endpoint = enabled;
        self
    }

    /// Bounds the bytes one run stores: past `limit` a fetch fails with
    /// [`StoreError::OverBudget`] instead of filling the disk (or memory) with what a node sends.
    pub const fn with_max_stored_bytes(mut self, limit: u64) -> Self {
        self.max_stored_bytes = limit;
        self
    }

    /// The nodes.
    pub const fn nodes(&self) -> &Nodes {
        &self.nodes
    }

    /// Preimages stored so far.
    pub fn stored(&self) -> u64 {
        self.stored.load(Ordering::Relaxed)
    }

    /// Preimages delivered by whole-block witnesses so far.
    pub fn witness_preimages(&self) -> u64 {
        self.witness_preimages.load(Ordering::Relaxed)
    }

    /// Bytes stored so far.
    pub fn stored_bytes(&self) -> u64 {
        self.stored_bytes.load(Ordering::Relaxed)
    }

    fn put(&self, key: PreimageKey, value: &[u8]) -> Result<(), StoreError> {
        let len = value.len() as u64;
        let stored = self.stored_bytes.fetch_add(len, Ordering::Relaxed);
        if stored.saturating_add(len) > self.max_stored_bytes {
            self.stored_bytes.fetch_sub(len, Ordering::Relaxed);
            return Err(StoreError::OverBudget {
                key,
                len: value.len(),
                stored,
                limit: self.max_stored_bytes,
            });
        }
        self.store.put(key, value)?;
        self.stored.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    fn put_keccak(&self, value: &[u8]) -> Result<(), StoreError> {
        self.put(PreimageKey::keccak256_of(value), value)
    }

    /// Fetches and stores everything `hint` names.
    pub async fn fetch(&self, hint: &Hint) -> Result<(), OnlineError> {
        match hint {
            Hint::L1BlockHeader(hash) => self.header(&self.nodes.l1, *hash).await.map(drop),
            Hint::L2BlockHeader { hash, .. } => self.header(&self.nodes.l2, *hash).await.map(drop),
            Hint::L1Transactions(hash) => {
                self.transactions::<TxEnvelope>(&self.nodes.l1, *hash).await
            }
            Hint::L2Transactions { hash, .. } => {
                self.transactions::<OpTxEnvelope>(&self.nodes.l2, *hash)
                    .await
            }
            Hint::L1Receipts(hash) => self.receipts(*hash).await,
            Hint::L1Blob {
                versioned_hash,
                timestamp,
                ..
            } => {
                let blob = self.nodes.beacon.blob(*versioned_hash, *timestamp).await?;
                for (key, value) in blob.preimages() {
                    self.put(key, &value)?;
                }
                Ok(())
            }
            Hint::L1Precompile { .. } => {
                let preimages = crate::precompile::answer_precompile_hint(&hint.payload())
                    .map_err(|err| OnlineError::Unsupported {
                        hint: hint.encode(),
                        reason: err.to_string(),
                    })?;
                let (payload_hash, payload) = preimages.payload;
                self.put(PreimageKey::keccak256(payload_hash), &payload)?;
                let (key, value) = preimages.result;
                self.put(key, &value)?;
                Ok(())
            }
            Hint::L2Code { hash, .. } => self.code(*hash).await,
            Hint::L2StateNode { hash, .. } => {
                let node: Bytes = self.nodes.l2.call("debug_dbGet", [hash]).await?;
                self.put(PreimageKey::keccak256(*hash), &node)?;
                Ok(())
            }
            Hint::StartingL2Output(root) => self.starting_output(*root).await,
            Hint::L2AccountProof {
                block_number,
                address,
                ..
            } => self.account_proof(*block_number, *address, &[]).await,
            Hint::L2AccountStorageProof {
                block_number,
                address,
                slot,
                ..
            } => self.account_proof(*block_number, *address, &[*slot]).await,
            Hint::L2PayloadWitness { .. } if !self.witness_endpoint => Ok(()),
            Hint::L2PayloadWitness {
                parent_hash,
                attributes,
            } => self.payload_witness(*parent_hash, attributes).await,
            // The super-root program's hints: the single-chain host has no pre-state or
            // multi-chain nodes to answer them from.
            Hint::AgreedPreState(_)
            | Hint::L2OutputRoot { .. }
            | Hint::L2Receipts { .. }
            | Hint::L2BlockData { .. } => Err(OnlineError::Unsupported {
                hint: hint.encode(),
                reason: "a super-root hint; the single-chain host does not serve it".to_string(),
            }),
        }
    }

    /// Fetches, checks and stores a header; returns it decoded.
    async fn header(&self, node: &NodeClient, hash: B256) -> Result<Header, OnlineError> {
        let key: PreimageKey = PreimageKey::keccak256(hash);
        let raw: Vec<u8> = match self.store.get(key)? {
            Some(raw) => raw,
            None => {
                let raw: Bytes = node.call("debug_getRawHeader", [hash]).await?;
                self.put(key, &raw)?;
                raw.to_vec()
            }
        };
        Header::decode(&mut raw.as_slice()).map_err(|err| OnlineError::WrongData {
            node: node.name().to_string(),
            method: "debug_getRawHeader",
            reason: format!("header {hash} does not decode: {err}"),
        })
    }

    /// Stores the nodes of the ordered trie of `items` after checking its root.
    fn store_ordered_trie(
        &self,
        node: &NodeClient,
        method: &'static str,
        items: &[Vec<u8>],
        expected_root: B256,
    ) -> Result<(), OnlineError> {
        let mut trie: TrieNode = TrieNode::Empty;
        for (index, item) in items.iter().enumerate() {
            trie.insert(
                &ordered_list_key(index),
                Bytes::copy_from_slice(item),
                &NoopTrieProvider,
            )
            .map_err(|err| OnlineError::WrongData {
                node: node.name().to_string(),
                method,
                reason: format!("item {index} cannot be put in a trie: {err}"),
            })?;
        }
        let root: B256 = trie.root();
        if root != expected_root {
            return Err(OnlineError::WrongData {
                node: node.name().to_string(),
                method,
                reason: format!("the items' trie root is {root}, the header says {expected_root}"),
            });
        }
        let mut result: Result<(), StoreError> = Ok(());
        trie.for_each_preimage(&mut |hash: B256, encoding: Bytes| {
            if result.is_ok() {
                result = self.put(PreimageKey::keccak256(hash), &encoding);
            }
        });
        Ok(result?)
    }

    async fn transactions<T>(&self, node: &NodeClient, hash: B256) -> Result<(), OnlineError>
    where
        T: DeserializeOwned + Encodable2718,
    {
        let header: Header = self.header(node, hash).await?;
        let block: Option<RpcBlock<T>> = node.call("eth_getBlockByHash", (hash, true)).await?;
        let block: RpcBlock<T> = block.ok_or_else(|| OnlineError::WrongData {
            node: node.name().to_string(),
            method: "eth_getBlockByHash",
            reason: format!("block {hash} is unknown"),
        })?;
        if block.transactions_root != header.transactions_root {
            tracing::debug!(%hash, "eth_getBlockByHash's transactionsRoot differs from the header's");
        }
        let encoded: Vec<Vec<u8>> = block
            .transactions
            .iter()
            .map(Encodable2718::encoded_2718)
            .collect();
        self.store_ordered_trie(
            node,
            "eth_getBlockByHash",
            &encoded,
            header.transactions_root,
        )
    }

    async fn receipts(&self, hash: B256) -> Result<(), OnlineError> {
        let node: &NodeClient = &self.nodes.l1;
        let header: Header = self.header(node, hash).await?;
        let receipts: Vec<Bytes> = node.call("debug_getRawReceipts", [hash]).await?;
        let encoded: Vec<Vec<u8>> = receipts.into_iter().map(|r| r.to_vec()).collect();
        self.store_ordered_trie(node, "debug_getRawReceipts", &encoded, header.receipts_root)
    }

    async fn code(&self, hash: B256) -> Result<(), OnlineError> {
        let node: &NodeClient = &self.nodes.l2;
        let mut prefixed: Vec<u8> = Vec::with_capacity(33);
        prefixed.push(CODE_PREFIX);
        prefixed.extend_from_slice(hash.as_slice());
        let code: Bytes = match node.call("debug_dbGet", [Bytes::from(prefixed)]).await {
            Ok(code) => code,
            // Older geth keeps code under its bare hash.
            Err(RpcError::Remote { .. } | RpcError::Malformed { .. }) => {
                node.call("debug_dbGet", [hash]).await?
            }
            Err(err) => return Err(err.into()),
        };
        self.put(PreimageKey::keccak256(hash), &code)?;
        Ok(())
    }

    /// Fetches and stores `eth_getProof` of `address` (and `slots`) at L2 block `block_number`.
    async fn account_proof(
        &self,
        block_number: u64,
        address: Address,
        slots: &[B256],
    ) -> Result<(), OnlineError> {
        let proof: ProofResponse = self
            .nodes
            .l2
            .call(
                "eth_getProof",
                (address, slots, format!("{block_number:#x}")),
            )
            .await?;
        self.store_proof(&proof)
    }

    fn store_proof(&self, proof: &ProofResponse) -> Result<(), OnlineError> {
        for node in proof
            .account_proof
            .iter()
            .chain(proof.storage_proof.iter().flat_map(|p| p.proof.iter()))
        {
            self.put_keccak(node)?;
        }
        Ok(())
    }

    async fn starting_output(&self, root: B256) -> Result<(), OnlineError> {
        let node: &NodeClient = &self.nodes.l2;
        if root != self.agreed.output_root {
            return Err(OnlineError::Unsupported {
                hint: format!("starting-l2-output {root}"),
                reason: format!("the agreed output root is {}", self.agreed.output_root),
            });
        }
        let head: B256 = self.agreed.head_hash;
        let header: Header = self.header(node, head).await?;
        let proof: ProofResponse = node
            .call(
                "eth_getProof",
                (L2_TO_L1_MESSAGE_PASSER, Vec::<B256>::new(), head),
            )
            .await?;
        let output = OutputRoot {
            state_root: header.state_root,
            message_passer_storage_root: proof.storage_hash,
            block_hash: head,
        };
        if output.hash() != root {
            return Err(OnlineError::WrongData {
                node: node.name().to_string(),
                method: "eth_getProof",
                reason: format!(
                    "the output root of agreed block {head} is {}, not the agreed {root}",
                    output.hash()
                ),
            });
        }
        self.put(PreimageKey::keccak256(root), &output.encode())?;
        self.store_proof(&proof)
    }

    /// Super roots: the receipts of L2 block `hash` (`l2-receipts`), checked against the
    /// block's receipts root.
    pub(crate) async fn l2_receipts(&self, hash: B256) -> Result<(), OnlineError> {
        let node: &NodeClient = &self.nodes.l2;
        let header: Header = self.header(node, hash).await?;
        let receipts: Vec<Bytes> = node.call("debug_getRawReceipts", [hash]).await?;
        let encoded: Vec<Vec<u8>> = receipts.into_iter().map(|r| r.to_vec()).collect();
        self.store_ordered_trie(node, "debug_getRawReceipts", &encoded, header.receipts_root)
    }

    /// Super roots: the preimage of output root `root`, the output of L2 block `number`
    /// (`l2-output-root`): the block's header and the message passer's storage root, checked
    /// to hash to `root`.
    pub(crate) async fn l2_output_at(&self, number: u64, root: B256) -> Result<(), OnlineError> {
        let node: &NodeClient = &self.nodes.l2;
        let raw: Bytes = node
            .call("debug_getRawHeader", [format!("{number:#x}")])
            .await?;
        let header = Header::decode(&mut raw.as_ref()).map_err(|err| OnlineError::WrongData {
            node: node.name().to_string(),
            method: "debug_getRawHeader",
            reason: format!("header of block {number} does not decode: {err}"),
        })?;
        let hash = header.hash_slow();
        let proof: ProofResponse = node
            .call(
                "eth_getProof",
                (L2_TO_L1_MESSAGE_PASSER, Vec::<B256>::new(), hash),
            )
            .await?;
        let output = OutputRoot {
            state_root: header.state_root,
            message_passer_storage_root: proof.storage_hash,
            block_hash: hash,
        };
        if output.hash() != root {
            return Err(OnlineError::WrongData {
                node: node.name().to_string(),
                method: "eth_getProof",
                reason: format!(
                    "the output root of block {number} ({hash}) is {}, not {root}",
                    output.hash()
                ),
            });
        }
        self.put_keccak(&raw)?;
        self.put(PreimageKey::keccak256(root), &output.encode())?;
        self.store_proof(&proof)
    }

    /// Fetches the whole state a block's execution reads in one call: `debug_executePayload`
    /// on the parent with the attributes (the node builds the block), or, where the node lacks
    /// it, `debug_executionWitness` for the canonical child of the parent. Best effort: when
    /// neither is served the client's per-node hints fetch the same data.
    async fn payload_witness(
        &self,
        parent_hash: B256,
        attributes: &Bytes,
    ) -> Result<(), OnlineError> {
        let node: &NodeClient = &self.nodes.l2;
        let attributes: serde_json::Value =
            serde_json::from_slice(attributes).map_err(|err| OnlineError::Unsupported {
                hint: format!("l2-payload-witness {parent_hash}"),
                reason: format!("attributes are not JSON: {err}"),
            })?;
        let witness: ExecutionWitness = match node
            .call("debug_executePayload", (parent_hash, attributes))
            .await
        {
            Ok(witness) => witness,
            Err(first) => {
                let parent: Header = self.header(node, parent_hash).await?;
                let number: String = format!("{:#x}", parent.number.saturating_add(1));
                match node.call("debug_executionWitness", [number]).await {
                    Ok(witness) => witness,
                    Err(second) => {
                        tracing::debug!(%first, %second, "no whole-block witness; falling back to per-node fetches");
                        return Ok(());
                    }
                }
            }
        };
        let mut count: u64 = 0;
        for preimage in witness
            .state
            .iter()
            .chain(&witness.codes)
            .chain(&witness.keys)
            .chain(&witness.headers)
        {
            self.put_keccak(preimage)?;
            count += 1;
        }
        self.witness_preimages.fetch_add(count, Ordering::Relaxed);
        Ok(())
    }
}
