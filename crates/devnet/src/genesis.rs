//! The L2 genesis: an op-deployer `genesis.json` turned into a state trie and the genesis
//! block header, as op-geth builds them.

use std::collections::BTreeMap;

use alloy_consensus::{EMPTY_OMMER_ROOT_HASH, Header, Sealable, Sealed};
use alloy_primitives::{Address, B64, B256, Bloom, Bytes, KECCAK256_EMPTY, U64, U256, keccak256};
use alloy_trie::{EMPTY_ROOT_HASH, Nibbles, TrieAccount};
use koa_mpt::{NoopTrieProvider, TrieNode};
use serde::Deserialize;

use crate::{DevnetError, store::PreimageStore};

/// The base fee of a genesis block that names none (geth's `params.InitialBaseFee`).
const INITIAL_BASE_FEE: u64 = 1_000_000_000;

/// The fields of `genesis.json` the genesis block depends on.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct GenesisJson {
    config: GenesisChainConfig,
    #[serde(default)]
    nonce: U64,
    timestamp: U64,
    #[serde(default)]
    extra_data: Bytes,
    gas_limit: U64,
    #[serde(default)]
    difficulty: U256,
    #[serde(default)]
    mix_hash: B256,
    #[serde(default)]
    coinbase: Address,
    #[serde(default)]
    parent_hash: B256,
    base_fee_per_gas: Option<U256>,
    excess_blob_gas: Option<U64>,
    blob_gas_used: Option<U64>,
    alloc: BTreeMap<Address, GenesisAccount>,
}

/// The part of the genesis chain config the block header depends on.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct GenesisChainConfig {
    chain_id: u64,
    shanghai_time: Option<u64>,
    cancun_time: Option<u64>,
    prague_time: Option<u64>,
    isthmus_time: Option<u64>,
}

/// One `alloc` entry.
#[derive(Debug, Deserialize)]
struct GenesisAccount {
    #[serde(default)]
    balance: U256,
    #[serde(default)]
    nonce: Option<U64>,
    #[serde(default)]
    code: Option<Bytes>,
    #[serde(default)]
    storage: BTreeMap<B256, B256>,
}

/// The L2 genesis block and its state.
#[derive(Debug)]
pub struct L2Genesis {
    /// The L2 chain id of the genesis config.
    pub chain_id: u64,
    /// The genesis block header.
    pub header: Sealed<Header>,
    /// Number of accounts in the state.
    pub accounts: usize,
}

impl L2Genesis {
    /// Builds the genesis block of `json` (an op-deployer `genesis.json`), adding every state
    /// and storage trie node and every contract code to `store`.
    ///
    /// The header follows op-geth's `Genesis.ToBlock`: empty transaction, receipt and ommer
    /// roots; the genesis base fee (or 1 gwei); from Shanghai an empty withdrawals root (from
    /// Isthmus, which this generator does not support at genesis, it would be the message
    /// passer's storage root); from Cancun blob gas fields and a zero parent beacon root;
    /// from Prague an empty requests hash.
    pub fn from_json(json: &[u8], store: &mut PreimageStore) -> Result<Self, DevnetError> {
        let genesis: GenesisJson = serde_json::from_slice(json)
            .map_err(|e| DevnetError::Genesis(format!("invalid genesis JSON: {e}")))?;
        if genesis.config.isthmus_time == Some(0) {
            return Err(DevnetError::Genesis(
                "a genesis with Isthmus active is not supported".into(),
            ));
        }
        let mut state = TrieNode::default();
        for (address, account) in &genesis.alloc {
            let mut storage = TrieNode::default();
            for (slot, value) in &account.storage {
                let value = U256::from_be_bytes(value.0);
                if value.is_zero() {
                    continue;
                }
                storage
                    .insert(
                        &Nibbles::unpack(keccak256(slot)),
                        alloy_rlp::encode(value).into(),
                        &NoopTrieProvider,
                    )
                    .map_err(|e| DevnetError::Genesis(format!("storage of {address}: {e}")))?;
            }
            let storage_root = storage.root();
            if storage_root != EMPTY_ROOT_HASH {
                store.add_trie(&storage);
            }
            let code_hash = match &account.code {
                Some(code) if !code.is_empty() => store.add_keccak(code.clone()),
                _ => KECCAK256_EMPTY,
            };
            let trie_account = TrieAccount {
                nonce: account.nonce.map_or(0, |n| n.to::<u64>()),
                balance: account.balance,
                storage_root,
                code_hash,
            };
            state
                .insert(
                    &Nibbles::unpack(keccak256(address)),
                    alloy_rlp::encode(trie_account).into(),
                    &NoopTrieProvider,
                )
                .map_err(|e| DevnetError::Genesis(format!("account {address}: {e}")))?;
        }
        let state_root = state.root();
        store.add_trie(&state);

        let timestamp: u64 = genesis.timestamp.to();
        let active = |time: Option<u64>| time.is_some_and(|t| t <= timestamp);
        let cancun = active(genesis.config.cancun_time);
        let header = Header {
            parent_hash: genesis.parent_hash,
            ommers_hash: EMPTY_OMMER_ROOT_HASH,
            beneficiary: genesis.coinbase,
            state_root,
            transactions_root: EMPTY_ROOT_HASH,
            receipts_root: EMPTY_ROOT_HASH,
            logs_bloom: Bloom::ZERO,
            difficulty: genesis.difficulty,
            number: 0,
            gas_limit: genesis.gas_limit.to(),
            gas_used: 0,
            timestamp,
            extra_data: genesis.extra_data,
            mix_hash: genesis.mix_hash,
            nonce: B64::from(genesis.nonce.to::<u64>()),
            base_fee_per_gas: Some(
                genesis
                    .base_fee_per_gas
                    .map_or(INITIAL_BASE_FEE, |fee| fee.to::<u64>()),
            ),
            withdrawals_root: active(genesis.config.shanghai_time).then_some(EMPTY_ROOT_HASH),
            blob_gas_used: cancun.then(|| genesis.blob_gas_used.map_or(0, |g| g.to())),
            excess_blob_gas: cancun.then(|| genesis.excess_blob_gas.map_or(0, |g| g.to())),
            parent_beacon_block_root: cancun.then_some(B256::ZERO),
            requests_hash: active(genesis.config.prague_time)
                .then_some(alloy_eips::eip7685::EMPTY_REQUESTS_HASH),
            block_access_list_hash: None,
            slot_number: None,
        };
        store.add_keccak(alloy_rlp::encode(&header).into());
        Ok(Self {
            chain_id: genesis.config.chain_id,
            header: header.seal_slow(),
            accounts: genesis.alloc.len(),
        })
    }
}
