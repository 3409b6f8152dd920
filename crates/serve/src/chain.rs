//! A recorded chain, answered from its preimages: headers, transactions, receipts, state
//! proofs, code, execution witnesses, outputs and blobs.
//!
//! Everything is read from the keccak256 / sha256 / blob preimages of the chain (what a proof
//! over it needs) plus an index of block numbers to hashes; nothing is precomputed beyond a
//! transaction-hash index built at load.

use alloy_consensus::{
    Header, ReceiptEnvelope, TxEnvelope, TxReceipt,
    transaction::{SignerRecoverable, Transaction},
};
use alloy_eips::{Typed2718, eip2718::Decodable2718};
use alloy_primitives::{Address, B256, Bytes, U256, keccak256};
use alloy_rlp::Decodable;
use alloy_trie::TrieAccount;
use koa_mpt::{Nibbles, PreimageNotFound, TrieNode, TrieProvider, read_ordered_list};
use koa_preimage::{PreimageKey, PreimageKeyType};
use koa_protocol::{L1BlockInfoTx, OpPayloadAttributes, OutputRoot, RollupConfig, TxList};
use op_alloy_consensus::{OpReceiptEnvelope, OpTxEnvelope};
use serde_json::{Value, json};
use std::{
    cell::RefCell,
    collections::{BTreeMap, HashMap},
};

/// The L2ToL1MessagePasser predeploy.
const MESSAGE_PASSER: Address =
    alloy_primitives::address!("4200000000000000000000000000000000000016");

/// Which chain a block belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Layer {
    /// The L1 chain.
    L1,
    /// The L2 chain.
    L2,
}

/// The blocks of one chain: number → hash.
#[derive(Debug, Clone, Default)]
pub struct ChainIndex {
    /// The chain id.
    pub chain_id: u64,
    /// Every block, by number.
    pub blocks: BTreeMap<u64, B256>,
}

/// Beacon-chain timing derived from the L1 blocks: slot `s` starts at
/// `genesis_time + s * seconds_per_slot`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BeaconTiming {
    /// The timestamp of slot 0.
    pub genesis_time: u64,
    /// Seconds per slot.
    pub seconds_per_slot: u64,
}

/// Why a query cannot be answered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    /// The block, transaction or blob is not in the chain.
    #[error("{0} not found")]
    NotFound(String),
    /// The chain's preimages lack data the query needs.
    #[error("missing data: {0}")]
    Missing(String),
    /// The query is malformed.
    #[error("{0}")]
    Invalid(String),
}

/// What `eth_getTransactionReceipt` shows of a receipt, from an L1 or an L2 one alike.
struct ReceiptFields {
    status: bool,
    cumulative_gas_used: u64,
    logs: Vec<alloy_primitives::Log>,
    tx_type: u8,
    bloom: alloy_primitives::Bloom,
}

impl ReceiptFields {
    fn of<R: TxReceipt<Log = alloy_primitives::Log> + Typed2718>(receipt: &R) -> Self {
        Self {
            status: receipt.status(),
            cumulative_gas_used: receipt.cumulative_gas_used(),
            logs: receipt.logs().to_vec(),
            tx_type: receipt.ty(),
            bloom: receipt.bloom(),
        }
    }
}

/// One blob as a beacon node serves it.
#[derive(Debug, Clone)]
pub struct BlobSidecar {
    /// Its index among the blobs of its block.
    pub index: u64,
    /// The versioned hash.
    pub versioned_hash: B256,
    /// The blob (131072 bytes).
    pub blob: Vec<u8>,
    /// The KZG commitment.
    pub commitment: Bytes,
    /// The KZG proof.
    pub proof: Bytes,
}

/// A recorded chain and its preimages.
#[derive(Debug)]
pub struct ChainData {
    preimages: HashMap<PreimageKey, Bytes>,
    l1: ChainIndex,
    l2: ChainIndex,
    rollup_config: RollupConfig,
    timing: BeaconTiming,
    /// Transaction hash → (layer, block hash, index).
    transactions: HashMap<B256, (Layer, B256, usize)>,
    /// L1 timestamp → block hash.
    l1_by_timestamp: HashMap<u64, B256>,
}

/// Serves keccak256 preimages to the trie, recording every node it hands out.
struct Recorder<'a> {
    preimages: &'a HashMap<PreimageKey, Bytes>,
    seen: RefCell<Vec<Bytes>>,
}

impl TrieProvider for Recorder<'_> {
    type Error = PreimageNotFound;

    fn trie_node_by_hash(&self, hash: B256) -> Result<Bytes, Self::Error> {
        let node = self
            .preimages
            .get(&PreimageKey::keccak256(hash))
            .cloned()
            .ok_or(PreimageNotFound(hash))?;
        self.seen.borrow_mut().push(node.clone());
        Ok(node)
    }
}

impl<'a> Recorder<'a> {
    fn new(preimages: &'a HashMap<PreimageKey, Bytes>) -> Self {
        Self {
            preimages,
            seen: RefCell::new(Vec::new()),
        }
    }

    fn take(&self) -> Vec<Bytes> {
        std::mem::take(&mut self.seen.borrow_mut())
    }
}

/// The gcd of two numbers.
const fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        let t = a % b;
        a = b;
        b = t;
    }
    a
}

impl ChainData {
    /// Builds the chain from its preimages (keyed as the oracle keys them) and block indexes.
    ///
    /// Fails when an indexed block's header or transactions are not among the preimages.
    pub fn new(
        preimages: HashMap<PreimageKey, Bytes>,
        l1: ChainIndex,
        l2: ChainIndex,
        rollup_config: RollupConfig,
    ) -> Result<Self, QueryError> {
        let mut data = Self {
            preimages,
            l1,
            l2,
            rollup_config,
            timing: BeaconTiming {
                genesis_time: 0,
                seconds_per_slot: 1,
            },
            transactions: HashMap::new(),
            l1_by_timestamp: HashMap::new(),
        };
        let mut first: Option<u64> = None;
        let mut step: u64 = 0;
        for hash in data.l1.blocks.values() {
            let header = data.header(*hash)?;
            data.l1_by_timestamp.insert(header.timestamp, *hash);
            match first {
                None => first = Some(header.timestamp),
                Some(t0) => step = gcd(step, header.timestamp.saturating_sub(t0)),
            }
        }
        data.timing = BeaconTiming {
            genesis_time: first.unwrap_or(0),
            seconds_per_slot: if step == 0 { 12 } else { step },
        };
        let mut transactions: HashMap<B256, (Layer, B256, usize)> = HashMap::new();
        for layer in [Layer::L1, Layer::L2] {
            for hash in data.index(layer).blocks.values() {
                // A block whose transaction trie is not recorded serves no transactions.
                let Ok(raw) = data.raw_transactions(*hash) else {
                    continue;
                };
                for (i, tx) in raw.iter().enumerate() {
                    transactions.insert(keccak256(tx), (layer, *hash, i));
                }
            }
        }
        data.transactions = transactions;
        Ok(data)
    }

    /// The index of `layer`.
    pub const fn index(&self, layer: Layer) -> &ChainIndex {
        match layer {
            Layer::L1 => &self.l1,
            Layer::L2 => &self.l2,
        }
    }

    /// The beacon timing.
    pub const fn timing(&self) -> BeaconTiming {
        self.timing
    }

    /// The rollup config.
    pub const fn rollup_config(&self) -> &RollupConfig {
        &self.rollup_config
    }

    /// The keccak256 preimage of `hash`.
    pub fn keccak_preimage(&self, hash: B256) -> Option<&Bytes> {
        self.preimages.get(&PreimageKey::keccak256(hash))
    }

    /// The raw (RLP) header of block `hash`.
    pub fn raw_header(&self, hash: B256) -> Result<Bytes, QueryError> {
        self.keccak_preimage(hash)
            .cloned()
            .ok_or_else(|| QueryError::NotFound(format!("block {hash}")))
    }

    /// The decoded header of block `hash`.
    pub fn header(&self, hash: B256) -> Result<Header, QueryError> {
        let raw = self.raw_header(hash)?;
        Header::decode(&mut raw.as_ref())
            .map_err(|err| QueryError::Missing(format!("header {hash} does not decode: {err}")))
    }

    /// The hash of block `number` of `layer`.
    pub fn hash_by_number(&self, layer: Layer, number: u64) -> Option<B256> {
        self.index(layer).blocks.get(&number).copied()
    }

    /// The highest block number of `layer`.
    pub fn head_number(&self, layer: Layer) -> u64 {
        self.index(layer)
            .blocks
            .last_key_value()
            .map_or(0, |(n, _)| *n)
    }

    /// Whether block `hash` is a block of `layer`.
    pub fn contains(&self, layer: Layer, hash: B256) -> bool {
        self.header(hash)
            .is_ok_and(|h| self.hash_by_number(layer, h.number) == Some(hash))
    }

    fn trie_list(&self, root: B256, what: &str) -> Result<Vec<Bytes>, QueryError> {
        read_ordered_list(root, &Recorder::new(&self.preimages))
            .map_err(|err| QueryError::Missing(format!("{what}: {err}")))
    }

    /// The EIP-2718 encoded transactions of block `hash`.
    pub fn raw_transactions(&self, hash: B256) -> Result<Vec<Bytes>, QueryError> {
        let header = self.header(hash)?;
        self.trie_list(header.transactions_root, &format!("transactions of {hash}"))
    }

    /// The EIP-2718 encoded receipts of block `hash`.
    pub fn raw_receipts(&self, hash: B256) -> Result<Vec<Bytes>, QueryError> {
        let header = self.header(hash)?;
        self.trie_list(header.receipts_root, &format!("receipts of {hash}"))
    }

    /// A transaction as JSON-RPC returns it.
    fn transaction_json(
        &self,
        layer: Layer,
        raw: &[u8],
        block: &Header,
        block_hash: B256,
        index: usize,
    ) -> Result<Value, QueryError> {
        let bad = |err: String| {
            QueryError::Missing(format!("transaction {index} of {block_hash}: {err}"))
        };
        let (mut value, from) = match layer {
            Layer::L1 => {
                let tx = TxEnvelope::decode_2718(&mut &raw[..]).map_err(|e| bad(e.to_string()))?;
                let from = tx.recover_signer().map_err(|e| bad(e.to_string()))?;
                let gas_price = tx.effective_gas_price(block.base_fee_per_gas);
                let mut value = serde_json::to_value(&tx).map_err(|e| bad(e.to_string()))?;
                value["gasPrice"] = json!(U256::from(gas_price));
                (value, from)
            }
            Layer::L2 => {
                let tx =
                    OpTxEnvelope::decode_2718(&mut &raw[..]).map_err(|e| bad(e.to_string()))?;
                let from = tx.recover_signer().map_err(|e| bad(e.to_string()))?;
                let mut value = serde_json::to_value(&tx).map_err(|e| bad(e.to_string()))?;
                if !tx.is_deposit() {
                    value["gasPrice"] =
                        json!(U256::from(tx.effective_gas_price(block.base_fee_per_gas)));
                }
                (value, from)
            }
        };
        value["hash"] = json!(keccak256(raw));
        value["from"] = json!(from);
        value["blockHash"] = json!(block_hash);
        value["blockNumber"] = json!(U256::from(block.number));
        value["transactionIndex"] = json!(U256::from(index));
        Ok(value)
    }

    /// A block as `eth_getBlockByHash` returns it, with full transactions or their hashes.
    pub fn block_json(&self, layer: Layer, hash: B256, full: bool) -> Result<Value, QueryError> {
        let header = self.header(hash)?;
        let raw = self.raw_transactions(hash)?;
        let transactions: Vec<Value> = if full {
            raw.iter()
                .enumerate()
                .map(|(i, tx)| self.transaction_json(layer, tx, &header, hash, i))
                .collect::<Result<_, _>>()?
        } else {
            raw.iter().map(|tx| json!(keccak256(tx))).collect()
        };
        let mut value = serde_json::to_value(&header)
            .map_err(|err| QueryError::Missing(format!("header {hash}: {err}")))?;
        value["hash"] = json!(hash);
        value["uncles"] = json!([]);
        value["transactions"] = Value::Array(transactions);
        value["size"] = json!(U256::from(
            self.raw_header(hash)?.len() + raw.iter().map(|tx| tx.len()).sum::<usize>()
        ));
        value["totalDifficulty"] = json!(U256::ZERO);
        if let Some(root) = header.withdrawals_root {
            let withdrawals: Vec<Value> = self
                .trie_list(root, "withdrawals")
                .unwrap_or_default()
                .iter()
                .filter_map(|w| alloy_eips::eip4895::Withdrawal::decode(&mut w.as_ref()).ok())
                .map(|w| serde_json::to_value(w).unwrap_or(Value::Null))
                .collect();
            value["withdrawals"] = Value::Array(withdrawals);
        }
        Ok(value)
    }

    /// A receipt as `eth_getTransactionReceipt` returns it; `None` for an unknown transaction.
    pub fn receipt_json(&self, tx_hash: B256) -> Result<Option<Value>, QueryError> {
        let Some(&(layer, block_hash, index)) = self.transactions.get(&tx_hash) else {
            return Ok(None);
        };
        let header = self.header(block_hash)?;
        let raw_receipts = self.raw_receipts(block_hash)?;
        let raw_txs = self.raw_transactions(block_hash)?;
        let bad =
            |what: String| QueryError::Missing(format!("receipt {index} of {block_hash}: {what}"));
        let decode = |raw: &Bytes| -> Result<ReceiptFields, QueryError> {
            let mut buf: &[u8] = raw.as_ref();
            match layer {
                Layer::L1 => ReceiptEnvelope::decode_2718(&mut buf).map(|r| ReceiptFields::of(&r)),
                Layer::L2 => {
                    OpReceiptEnvelope::decode_2718(&mut buf).map(|r| ReceiptFields::of(&r))
                }
            }
            .map_err(|e| bad(e.to_string()))
        };
        let mut log_index: usize = 0;
        let mut previous_gas: u64 = 0;
        for (i, raw) in raw_receipts.iter().enumerate() {
            let ReceiptFields {
                status,
                cumulative_gas_used: cumulative,
                logs,
                tx_type: ty,
                bloom,
            } = decode(raw)?;
            if i < index {
                log_index += logs.len();
                previous_gas = cumulative;
                continue;
            }
            let tx = self.transaction_json(layer, &raw_txs[i], &header, block_hash, i)?;
            let logs: Vec<Value> = logs
                .iter()
                .enumerate()
                .map(|(j, log)| {
                    json!({
                        "address": log.address,
                        "topics": log.topics(),
                        "data": log.data.data,
                        "blockHash": block_hash,
                        "blockNumber": U256::from(header.number),
                        "transactionHash": tx_hash,
                        "transactionIndex": U256::from(i),
                        "logIndex": U256::from(log_index + j),
                        "removed": false,
                    })
                })
                .collect();
            return Ok(Some(json!({
                "transactionHash": tx_hash,
                "transactionIndex": U256::from(i),
                "blockHash": block_hash,
                "blockNumber": U256::from(header.number),
                "from": tx["from"],
                "to": tx.get("to").cloned().unwrap_or(Value::Null),
                "cumulativeGasUsed": U256::from(cumulative),
                "gasUsed": U256::from(cumulative.saturating_sub(previous_gas)),
                "effectiveGasPrice": tx.get("gasPrice").cloned().unwrap_or_else(|| json!("0x0")),
                "contractAddress": Value::Null,
                "logs": logs,
                "logsBloom": bloom,
                "type": format!("{ty:#x}"),
                "status": if status { "0x1" } else { "0x0" },
            })));
        }
        Err(bad("the block has fewer receipts than transactions".into()))
    }

    /// `eth_getProof`: the account of `address` and the listed storage slots in the state of
    /// block `hash`, with the trie nodes that prove them.
    pub fn proof_json(
        &self,
        hash: B256,
        address: Address,
        slots: &[B256],
    ) -> Result<Value, QueryError> {
        let header = self.header(hash)?;
        let recorder = Recorder::new(&self.preimages);
        let missing = |err: koa_mpt::TrieError| QueryError::Missing(err.to_string());
        let mut state = TrieNode::new_blinded(header.state_root);
        let account: Option<TrieAccount> = state
            .get(&Nibbles::unpack(keccak256(address)), &recorder)
            .map_err(missing)?
            .map(|raw| TrieAccount::decode(&mut raw.as_ref()))
            .transpose()
            .map_err(|err| QueryError::Missing(format!("account {address}: {err}")))?;
        let account_proof: Vec<Bytes> = recorder.take();
        let account: TrieAccount = account.unwrap_or_default();
        let storage_root: B256 = if account == TrieAccount::default() {
            koa_mpt::EMPTY_ROOT_HASH
        } else {
            account.storage_root
        };
        let mut storage_proof: Vec<Value> = Vec::with_capacity(slots.len());
        for slot in slots {
            let mut storage = TrieNode::new_blinded(storage_root);
            let value: U256 = storage
                .get(&Nibbles::unpack(keccak256(slot)), &recorder)
                .map_err(missing)?
                .map(|raw| U256::decode(&mut raw.as_ref()))
                .transpose()
                .map_err(|err| QueryError::Missing(format!("slot {slot} of {address}: {err}")))?
                .unwrap_or_default();
            storage_proof.push(json!({ "key": slot, "value": value, "proof": recorder.take() }));
        }
        let code_hash = if account == TrieAccount::default() {
            alloy_primitives::KECCAK256_EMPTY
        } else {
            account.code_hash
        };
        Ok(json!({
            "address": address,
            "balance": account.balance,
            "nonce": U256::from(account.nonce),
            "codeHash": code_hash,
            "storageHash": storage_root,
            "accountProof": account_proof,
            "storageProof": storage_proof,
        }))
    }

    /// `debug_dbGet`: a trie node or code by its hash (32 bytes), or code by geth's code key
    /// `0x63 ‖ hash` (33 bytes).
    pub fn db_get(&self, key: &[u8]) -> Result<Bytes, QueryError> {
        let hash: B256 = match key.len() {
            32 => B256::from_slice(key),
            33 if key[0] == b'c' => B256::from_slice(&key[1..]),
            len => {
                return Err(QueryError::Invalid(format!(
                    "keys are 32 or 33 bytes, not {len}"
                )));
            }
        };
        self.keccak_preimage(hash)
            .cloned()
            .ok_or_else(|| QueryError::NotFound(format!("key 0x{}", hex::encode(key))))
    }

    /// The payload attributes that rebuild L2 block `hash` on its parent.
    pub fn attributes_of(&self, hash: B256) -> Result<OpPayloadAttributes, QueryError> {
        let header = self.header(hash)?;
        let transactions = TxList::try_from(self.raw_transactions(hash)?)
            .map_err(|err| QueryError::Invalid(format!("transactions of {hash}: {err}")))?;
        let config = &self.rollup_config;
        let holocene = config.is_holocene_active(header.timestamp);
        let jovian = config.is_jovian_active(header.timestamp);
        let extra: &[u8] = &header.extra_data;
        let eip1559_params =
            (holocene && extra.len() >= 9).then(|| alloy_primitives::B64::from_slice(&extra[1..9]));
        let min_base_fee = (jovian && extra.len() >= 17).then(|| {
            let mut bytes = [0u8; 8];
            bytes.copy_from_slice(&extra[9..17]);
            u64::from_be_bytes(bytes)
        });
        Ok(OpPayloadAttributes {
            timestamp: header.timestamp,
            prev_randao: header.mix_hash,
            suggested_fee_recipient: header.beneficiary,
            withdrawals: header.withdrawals_root.map(|_| Vec::new()),
            parent_beacon_block_root: header.parent_beacon_block_root,
            transactions,
            no_tx_pool: Some(true),
            gas_limit: Some(header.gas_limit),
            eip1559_params,
            min_base_fee,
        })
    }

    /// Executes `attributes` on L2 block `parent_hash` and returns every preimage the execution
    /// read (state and storage nodes, code) plus the parent header: a whole-block witness, as
    /// `debug_executionWitness` / `debug_executePayload` return it.
    pub fn execution_witness(
        &self,
        parent_hash: B256,
        attributes: &OpPayloadAttributes,
    ) -> Result<Value, QueryError> {
        let parent = self.header(parent_hash)?;
        let recorder = Recorder::new(&self.preimages);
        let executor = koa_executor::StatelessExecutor::new(
            &self.rollup_config,
            &recorder,
            koa_mpt::NoopTrieHinter,
        );
        let outcome = executor
            .execute(&parent, parent_hash, attributes)
            .map_err(|err| QueryError::Missing(format!("executing on {parent_hash}: {err}")))?;
        drop(outcome);
        let mut seen: Vec<Bytes> = recorder.take();
        seen.sort();
        seen.dedup();
        Ok(json!({
            "state": seen,
            "codes": [],
            "keys": [],
            "headers": [self.raw_header(parent_hash)?],
        }))
    }

    /// `optimism_outputAtBlock`: the output root of L2 block `number` and the block's reference.
    pub fn output_at_block(&self, number: u64) -> Result<Value, QueryError> {
        let hash = self
            .hash_by_number(Layer::L2, number)
            .ok_or_else(|| QueryError::NotFound(format!("L2 block {number}")))?;
        let header = self.header(hash)?;
        let proof = self.proof_json(hash, MESSAGE_PASSER, &[])?;
        let storage_root: B256 = serde_json::from_value(proof["storageHash"].clone())
            .map_err(|err| QueryError::Missing(err.to_string()))?;
        let output = OutputRoot {
            state_root: header.state_root,
            message_passer_storage_root: storage_root,
            block_hash: hash,
        };
        let txs = self.raw_transactions(hash)?;
        let info = txs
            .first()
            .and_then(|tx| OpTxEnvelope::decode_2718(&mut tx.as_ref()).ok())
            .and_then(|tx| match tx {
                OpTxEnvelope::Deposit(deposit) => {
                    L1BlockInfoTx::decode_calldata(&deposit.inner().input).ok()
                }
                _ => None,
            });
        let (l1_hash, l1_number, sequence) = info.map_or((B256::ZERO, 0, 0), |info| {
            (
                info.block_hash(),
                info.block_number(),
                info.sequence_number(),
            )
        });
        Ok(json!({
            "version": B256::ZERO,
            "outputRoot": output.hash(),
            "blockRef": {
                "hash": hash,
                "number": number,
                "parentHash": header.parent_hash,
                "timestamp": header.timestamp,
                "l1origin": { "hash": l1_hash, "number": l1_number },
                "sequenceNumber": sequence,
            },
            "withdrawalStorageRoot": storage_root,
            "stateRoot": header.state_root,
        }))
    }

    /// The L1 block at beacon `slot`, if one was produced.
    pub fn l1_block_at_slot(&self, slot: u64) -> Option<B256> {
        let timestamp = self
            .timing
            .genesis_time
            .checked_add(slot.checked_mul(self.timing.seconds_per_slot)?)?;
        self.l1_by_timestamp.get(&timestamp).copied()
    }

    /// The blobs carried by the L1 block at `slot`, in order.
    pub fn blobs_at_slot(
        &self,
        slot: u64,
        evaluation_points: &dyn Fn(usize) -> B256,
    ) -> Result<Vec<BlobSidecar>, QueryError> {
        let Some(hash) = self.l1_block_at_slot(slot) else {
            return Err(QueryError::NotFound(format!("slot {slot}")));
        };
        let mut versioned: Vec<B256> = Vec::new();
        for raw in self.raw_transactions(hash)? {
            if let Ok(TxEnvelope::Eip4844(tx)) = TxEnvelope::decode_2718(&mut raw.as_ref()) {
                versioned.extend(tx.tx().blob_versioned_hashes().unwrap_or_default());
            }
        }
        let mut out = Vec::with_capacity(versioned.len());
        for (index, versioned_hash) in versioned.into_iter().enumerate() {
            let missing =
                |what: &str| QueryError::Missing(format!("blob {versioned_hash}: {what}"));
            let commitment: Bytes = self
                .preimages
                .get(&PreimageKey::sha256(versioned_hash))
                .cloned()
                .ok_or_else(|| missing("no commitment"))?;
            let mut key_data = [0u8; 80];
            if commitment.len() != 48 {
                return Err(missing("commitment is not 48 bytes"));
            }
            key_data[..48].copy_from_slice(&commitment);
            let mut blob = Vec::with_capacity(4096 * 32);
            let mut proof = Bytes::new();
            for i in 0..=4096usize {
                key_data[48..].copy_from_slice(evaluation_points(i).as_slice());
                let key = PreimageKey::new(keccak256(key_data).0, PreimageKeyType::Blob);
                let value = self
                    .preimages
                    .get(&key)
                    .ok_or_else(|| missing(&format!("no field element {i}")))?;
                if i < 4096 {
                    blob.extend_from_slice(value);
                } else {
                    proof = value.clone();
                }
            }
            out.push(BlobSidecar {
                index: index as u64,
                versioned_hash,
                blob,
                commitment,
                proof,
            });
        }
        Ok(out)
    }
}

impl ChainData {
    /// The chain of a devnet directory loaded by [`koa_devnet::Devnet::load`].
    pub fn from_devnet(devnet: &koa_devnet::Devnet) -> Result<Self, QueryError> {
        let l1 = ChainIndex {
            chain_id: devnet.chain.l1_chain_id,
            blocks: devnet
                .chain
                .l1_blocks
                .iter()
                .enumerate()
                .map(|(number, hash)| (number as u64, *hash))
                .collect(),
        };
        let l2 = ChainIndex {
            chain_id: devnet.chain.l2_chain_id,
            blocks: devnet
                .chain
                .l2_blocks
                .iter()
                .map(|block| (block.number, block.hash))
                .collect(),
        };
        Self::new(
            devnet.preimages.clone(),
            l1,
            l2,
            devnet.rollup_config.clone(),
        )
    }
}

impl ChainData {
    /// Chain `index` of a super devnet loaded by [`koa_devnet::SuperDevnet::load`]: its L2
    /// blocks and rollup config over the shared L1.
    pub fn from_super_devnet(
        devnet: &koa_devnet::SuperDevnet,
        index: usize,
    ) -> Result<Self, QueryError> {
        let chain = devnet
            .chains
            .get(index)
            .ok_or_else(|| QueryError::Invalid(format!("the devnet has no chain {index}")))?;
        let l1 = ChainIndex {
            chain_id: devnet.index.l1_chain_id,
            blocks: devnet
                .index
                .l1_blocks
                .iter()
                .enumerate()
                .map(|(number, hash)| (number as u64, *hash))
                .collect(),
        };
        let l2 = ChainIndex {
            chain_id: chain.rollup_config.l2_chain_id,
            blocks: chain
                .index
                .l2_blocks
                .iter()
                .map(|block| (block.number, block.hash))
                .collect(),
        };
        Self::new(
            devnet.preimages.clone(),
            l1,
            l2,
            chain.rollup_config.clone(),
        )
    }
}
