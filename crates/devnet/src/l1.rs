//! The devnet's L1 chain: post-Prague headers that hash-link, with real transaction and
//! receipt tries, blob gas accounting and parent beacon roots.
//!
//! L1 execution is not simulated (derivation never reads L1 state): the state root is a
//! deterministic value, each transaction's gas is its intrinsic gas, and the logs a
//! transaction "emits" are given by the generator (the portal's deposits, the system config's
//! updates).

use alloy_consensus::{
    EMPTY_OMMER_ROOT_HASH, Eip658Value, Header, Receipt, ReceiptEnvelope, ReceiptWithBloom,
    Transaction, TxEnvelope, TxReceipt,
};
use alloy_eips::{
    eip1559::BaseFeeParams, eip2718::Encodable2718, eip4844::DATA_GAS_PER_BLOB,
    eip7685::EMPTY_REQUESTS_HASH, eip7840::BlobParams,
};
use alloy_primitives::{Address, B64, B256, Bloom, Bytes, Log, U256, address, keccak256};
use alloy_trie::EMPTY_ROOT_HASH;
use koa_protocol::{BlockInfo, L1ChainConfig};

use crate::{blobs::BlobData, store::PreimageStore, tries::ordered_trie};

/// The L1 chain id of every devnet.
pub const DEVNET_L1_CHAIN_ID: u64 = 900_001;

/// Seconds between L1 blocks.
pub const L1_BLOCK_TIME: u64 = 12;

/// The L1 block gas limit.
pub const L1_GAS_LIMIT: u64 = 60_000_000;

/// The fee recipient of every L1 block.
const L1_COINBASE: Address = address!("0x000000000000000000000000000000000000c0de");

/// The devnet's L1 chain config: Cancun and Prague from genesis, standard blob schedule.
pub fn devnet_l1_config() -> L1ChainConfig {
    L1ChainConfig {
        chain_id: DEVNET_L1_CHAIN_ID,
        cancun_time: Some(0),
        prague_time: Some(0),
        osaka_time: None,
        bpo1_time: None,
        bpo2_time: None,
        cancun_blob_params: BlobParams::cancun(),
        prague_blob_params: BlobParams::prague(),
        osaka_blob_params: BlobParams::osaka(),
        bpo1_blob_params: BlobParams::bpo1(),
        bpo2_blob_params: BlobParams::bpo2(),
    }
}

/// A transaction the generator puts into an L1 block, with the logs it emits.
#[derive(Debug, Clone)]
pub struct L1Tx {
    /// The signed transaction.
    pub tx: TxEnvelope,
    /// The logs of its (successful) receipt.
    pub logs: Vec<Log>,
    /// The blobs it carries (EIP-4844), in versioned-hash order.
    pub blobs: Vec<BlobData>,
}

/// A sealed L1 block with its body and receipts.
#[derive(Debug, Clone)]
pub struct L1Block {
    /// The header.
    pub header: Header,
    /// The header's hash.
    pub hash: B256,
    /// The transactions, in order.
    pub transactions: Vec<TxEnvelope>,
    /// The receipts, in order.
    pub receipts: Vec<ReceiptEnvelope>,
    /// The blobs of the block, in order of their transactions and versioned hashes.
    pub blobs: Vec<BlobData>,
}

impl L1Block {
    /// The block reference.
    pub fn info(&self) -> BlockInfo {
        BlockInfo::from_header(&self.header, self.hash)
    }
}

/// The L1 chain being built.
#[derive(Debug)]
pub struct L1Chain {
    seed: u64,
    config: L1ChainConfig,
    /// The blocks, by number.
    pub blocks: Vec<L1Block>,
}

impl L1Chain {
    /// A chain with only its genesis block at `timestamp`.
    pub fn new(seed: u64, timestamp: u64, store: &mut PreimageStore) -> Self {
        let mut chain = Self {
            seed,
            config: devnet_l1_config(),
            blocks: Vec::new(),
        };
        chain.seal(timestamp, Vec::new(), store);
        chain
    }

    /// The L1 chain config.
    pub const fn config(&self) -> &L1ChainConfig {
        &self.config
    }

    /// The head block.
    pub fn head(&self) -> &L1Block {
        self.blocks.last().expect("the chain has a genesis block")
    }

    /// The timestamp of the next block.
    pub fn next_timestamp(&self) -> u64 {
        self.head().header.timestamp + L1_BLOCK_TIME
    }

    /// The base fee of the next block.
    pub fn next_base_fee(&self) -> u64 {
        let parent = &self.head().header;
        BaseFeeParams::ethereum().next_block_base_fee(
            parent.gas_used,
            parent.gas_limit,
            parent.base_fee_per_gas.unwrap_or_default(),
        )
    }

    /// Appends the next block with `txs`, adding its header, transaction trie and receipt
    /// trie nodes and its blobs to `store`.
    pub fn push(&mut self, txs: Vec<L1Tx>, store: &mut PreimageStore) -> &L1Block {
        let timestamp = self.next_timestamp();
        self.seal(timestamp, txs, store)
    }

    fn seal(&mut self, timestamp: u64, txs: Vec<L1Tx>, store: &mut PreimageStore) -> &L1Block {
        let number = self.blocks.len() as u64;
        let parent = self.blocks.last().map(|b| (&b.header, b.hash));
        let base_fee = match parent {
            Some(_) => self.next_base_fee(),
            None => 1_000_000_000,
        };
        let blob_params = self
            .config
            .blob_params_at(timestamp)
            .copied()
            .unwrap_or_else(BlobParams::cancun);
        let excess_blob_gas = parent.map_or(0, |(p, _)| {
            (p.excess_blob_gas.unwrap_or_default() + p.blob_gas_used.unwrap_or_default())
                .saturating_sub(blob_params.target_blob_count * DATA_GAS_PER_BLOB)
        });

        let mut transactions = Vec::with_capacity(txs.len());
        let mut receipts = Vec::with_capacity(txs.len());
        let mut blobs = Vec::new();
        let mut cumulative_gas_used = 0u64;
        for L1Tx {
            tx,
            logs,
            blobs: tx_blobs,
        } in txs
        {
            cumulative_gas_used += intrinsic_gas(&tx);
            let receipt = ReceiptWithBloom::from(Receipt {
                status: Eip658Value::Eip658(true),
                cumulative_gas_used,
                logs,
            });
            receipts.push(match &tx {
                TxEnvelope::Legacy(_) => ReceiptEnvelope::Legacy(receipt),
                TxEnvelope::Eip2930(_) => ReceiptEnvelope::Eip2930(receipt),
                TxEnvelope::Eip1559(_) => ReceiptEnvelope::Eip1559(receipt),
                TxEnvelope::Eip4844(_) => ReceiptEnvelope::Eip4844(receipt),
                TxEnvelope::Eip7702(_) => ReceiptEnvelope::Eip7702(receipt),
            });
            transactions.push(tx);
            blobs.extend(tx_blobs);
        }
        let encoded_txs: Vec<Bytes> = transactions
            .iter()
            .map(|t| t.encoded_2718().into())
            .collect();
        let encoded_receipts: Vec<Bytes> =
            receipts.iter().map(|r| r.encoded_2718().into()).collect();
        let transactions_root = ordered_trie(&encoded_txs, store);
        let receipts_root = ordered_trie(&encoded_receipts, store);
        let logs_bloom = receipts.iter().fold(Bloom::ZERO, |mut bloom, r| {
            bloom.accrue_bloom(&r.bloom());
            bloom
        });
        let label = |what: &str| {
            keccak256(
                [
                    what.as_bytes(),
                    &self.seed.to_be_bytes(),
                    &number.to_be_bytes(),
                ]
                .concat(),
            )
        };
        let header = Header {
            parent_hash: parent.map_or(B256::ZERO, |(_, hash)| hash),
            ommers_hash: EMPTY_OMMER_ROOT_HASH,
            beneficiary: L1_COINBASE,
            // Derivation never reads L1 state: a deterministic stand-in.
            state_root: label("koa devnet L1 state"),
            transactions_root,
            receipts_root,
            logs_bloom,
            difficulty: U256::ZERO,
            number,
            gas_limit: L1_GAS_LIMIT,
            gas_used: cumulative_gas_used,
            timestamp,
            extra_data: Bytes::from_static(b"koa devnet"),
            mix_hash: label("koa devnet randao"),
            nonce: B64::ZERO,
            base_fee_per_gas: Some(base_fee),
            withdrawals_root: Some(EMPTY_ROOT_HASH),
            blob_gas_used: Some(blobs.len() as u64 * DATA_GAS_PER_BLOB),
            excess_blob_gas: Some(excess_blob_gas),
            parent_beacon_block_root: Some(label("koa devnet beacon root")),
            requests_hash: Some(EMPTY_REQUESTS_HASH),
            block_access_list_hash: None,
            slot_number: None,
        };
        let hash = store.add_keccak(alloy_rlp::encode(&header).into());
        for blob in &blobs {
            blob.add_preimages(store);
        }
        self.blocks.push(L1Block {
            header,
            hash,
            transactions,
            receipts,
            blobs,
        });
        self.head()
    }
}

/// The intrinsic gas of a transaction under Prague (EIP-2028 calldata cost with the EIP-7623
/// floor), which is all a batcher or portal transaction is charged here.
fn intrinsic_gas(tx: &TxEnvelope) -> u64 {
    let input = tx.input();
    let zeros = input.iter().filter(|b| **b == 0).count() as u64;
    let tokens = zeros + 4 * (input.len() as u64 - zeros);
    let standard = 21_000 + 4 * tokens;
    let floor = 21_000 + 10 * tokens;
    standard.max(floor)
}
