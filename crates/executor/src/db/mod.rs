//! A `revm` database over the parent block's state trie.
//!
//! Accounts (key `keccak256(address)`) and storage slots (key `keccak256(slot)`) are read
//! through the tries, whose nodes unblind lazily from a [`TrieProvider`]; bytecode and ancestor
//! headers are keccak256 preimages from the same provider, checked against their hash. Every
//! account and slot the block reads is cached, and the changes of each transaction are committed
//! into that cache ([`TrieDB::commit`]). [`TrieDB::state_root`] applies them to the tries once,
//! storage tries first, and hashes only the paths that changed.

mod account;
mod block_hashes;

use alloc::vec::Vec;
use alloy_consensus::{Header, Sealed};
use alloy_primitives::{Address, B256, Bytes, KECCAK256_EMPTY, U256, keccak256, map::HashMap};
use alloy_rlp::Decodable;
use alloy_trie::{EMPTY_ROOT_HASH, Nibbles, TrieAccount};
use koa_mpt::{TrieHinter, TrieNode, TrieProvider};
use revm::{
    bytecode::Bytecode,
    database_interface::Database,
    state::{AccountInfo, EvmState},
};

use crate::{PreimageKind, StateError};
use account::{AccountInfoLite, AccountState, Slot};
use block_hashes::BlockHashes;

/// A `revm` [`Database`] backed by the parent block's state trie, with the block's changes
/// cached on top.
#[derive(Debug)]
pub struct TrieDB<P, H> {
    /// Preimage source for trie nodes, bytecode and headers.
    provider: P,
    /// Where to announce upcoming preimage needs.
    hinter: H,
    /// The state trie, opened at the parent's state root.
    state_trie: TrieNode,
    /// The parent block's number, for hints.
    parent_number: u64,
    /// Accounts the block touched, indexed by `revm`'s account id.
    accounts: Vec<AccountState>,
    /// Address → index into `accounts`.
    index: HashMap<Address, usize>,
    /// Bytecode by code hash: read from the provider or deployed by the block.
    code: HashMap<B256, Bytecode>,
    /// Ancestor block hashes for `BLOCKHASH`.
    block_hashes: BlockHashes,
    /// Whether EIP-7702 delegation designators in state code are delegations (Isthmus on) or
    /// plain legacy code (before it).
    delegations: bool,
}

impl<P, H> TrieDB<P, H>
where
    P: TrieProvider,
    H: TrieHinter,
{
    /// Opens the state of `parent` (its post-state, under `parent.state_root`).
    ///
    /// `parent`'s hash seeds `BLOCKHASH`: the caller has checked it
    /// ([`crate::StatelessExecutor::execute`] re-hashes the header). `delegations` says whether
    /// the block runs under EIP-7702 (Isthmus): only then is a designator in the state followed.
    pub(crate) fn new(parent: &Sealed<Header>, provider: P, hinter: H, delegations: bool) -> Self {
        Self {
            provider,
            hinter,
            state_trie: TrieNode::new_blinded(parent.state_root),
            parent_number: parent.number,
            accounts: Vec::new(),
            index: HashMap::default(),
            code: HashMap::default(),
            block_hashes: BlockHashes::new(parent),
            delegations,
        }
    }

    /// The preimage provider.
    pub fn provider(&self) -> &P {
        &self.provider
    }

    /// Index of `address` in `accounts`, loading it from the state trie on first use.
    fn account_index(&mut self, address: Address) -> Result<usize, StateError> {
        if let Some(index) = self.index.get(&address) {
            return Ok(*index);
        }
        self.hinter
            .hint_account_proof(address, self.parent_number)
            .map_err(|e| StateError::Hint { source: e.into() })?;
        let path = Nibbles::unpack(keccak256(address));
        let state = match self.state_trie.get(&path, &self.provider)? {
            None => AccountState::loaded(address, None, EMPTY_ROOT_HASH),
            Some(encoded) => {
                let account = TrieAccount::decode(&mut encoded.as_ref())
                    .map_err(|source| StateError::InvalidAccount { address, source })?;
                let info = AccountInfoLite {
                    nonce: account.nonce,
                    balance: account.balance,
                    code_hash: account.code_hash,
                };
                AccountState::loaded(address, Some(info), account.storage_root)
            }
        };
        let index = self.accounts.len();
        self.accounts.push(state);
        self.index.insert(address, index);
        Ok(index)
    }

    /// The current value of `slot` of the account at `index`.
    fn slot_value(
        &mut self,
        address: Address,
        index: usize,
        slot: U256,
    ) -> Result<U256, StateError> {
        let Some(account) = self.accounts.get_mut(index) else {
            // Account ids are only ever handed out by `basic`; an unknown id reads as empty.
            return Ok(U256::ZERO);
        };
        if let Some(cached) = account.storage.get(&slot) {
            return Ok(cached.value);
        }
        // Every slot not yet cached comes from the parent's storage trie, unless that trie is
        // empty (or the block wiped it, which also resets `storage_root`): an empty trie holds
        // only zeros, and every slot the block wrote since is in the cache. Each slot read from
        // the trie is hinted on its own: its proof path differs from any other slot's.
        let value = if account.storage_root == EMPTY_ROOT_HASH {
            U256::ZERO
        } else {
            self.hinter
                .hint_storage_proof(address, slot, self.parent_number)
                .map_err(|e| StateError::Hint { source: e.into() })?;
            let path = Nibbles::unpack(keccak256(slot.to_be_bytes::<32>()));
            match account.storage_trie().get(&path, &self.provider)? {
                None => U256::ZERO,
                Some(encoded) => U256::decode(&mut encoded.as_ref())
                    .map_err(|source| StateError::InvalidStorageValue { address, source })?,
            }
        };
        account.storage.insert(
            slot,
            Slot {
                value,
                dirty: false,
            },
        );
        Ok(value)
    }

    /// Applies the state changes of one transaction (or system call) to the cache.
    ///
    /// Untouched accounts are ignored; self-destructed accounts and, per EIP-161, touched empty
    /// accounts are deleted; created accounts start with empty storage.
    pub fn commit(&mut self, changes: EvmState) -> Result<(), StateError> {
        for (address, account) in changes {
            if !account.is_touched() {
                continue;
            }
            let index = self.account_index(address)?;
            let Some(state) = self.accounts.get_mut(index) else {
                continue;
            };
            if account.is_selfdestructed() || account.is_empty() {
                // Self-destruct, or EIP-161: a touched empty account is removed.
                if state.info.is_some() || state.existed {
                    state.info = None;
                    state.wipe_storage();
                }
                continue;
            }
            if account.is_created() {
                state.wipe_storage();
            }
            let info = &account.info;
            let new_info = AccountInfoLite {
                nonce: info.nonce,
                balance: info.balance,
                code_hash: info.code_hash,
            };
            if state.info != Some(new_info) {
                state.info = Some(new_info);
                state.dirty = true;
            }
            if let Some(code) = &info.code
                && info.code_hash != KECCAK256_EMPTY
            {
                self.code
                    .entry(info.code_hash)
                    .or_insert_with(|| code.clone());
            }
            for (slot, value) in account.changed_storage_slots() {
                state.storage.insert(
                    *slot,
                    Slot {
                        value: value.present_value(),
                        dirty: true,
                    },
                );
                state.dirty = true;
                state.new_storage_root = None;
            }
        }
        Ok(())
    }

    /// Sets the code of `address` outside the EVM (a network-upgrade deployment such as
    /// Canyon's create2deployer), keeping its nonce, balance and storage.
    pub fn set_code(&mut self, address: Address, code: Bytecode) -> Result<(), StateError> {
        let index = self.account_index(address)?;
        let code_hash = code.hash_slow();
        if let Some(state) = self.accounts.get_mut(index) {
            let mut info = state.info.unwrap_or(AccountInfoLite {
                nonce: 0,
                balance: U256::ZERO,
                code_hash: KECCAK256_EMPTY,
            });
            info.code_hash = code_hash;
            state.info = Some(info);
            state.dirty = true;
        }
        self.code.insert(code_hash, code);
        Ok(())
    }

    /// The code hash of `address` in the current state (`None` if it does not exist).
    pub fn code_hash(&mut self, address: Address) -> Result<Option<B256>, StateError> {
        let index = self.account_index(address)?;
        Ok(self
            .accounts
            .get(index)
            .and_then(|a| a.info)
            .map(|info| info.code_hash))
    }

    /// Writes every changed account into the state trie and returns the new state root.
    ///
    /// Storage tries are updated first (only changed slots), then each changed account's leaf
    /// with its new storage root. Updates go before deletions, so a deletion never collapses a
    /// branch that a later insertion would have kept (which would fetch needless sibling
    /// nodes). Only the modified paths are re-hashed.
    pub fn state_root(&mut self) -> Result<B256, StateError> {
        let provider = &self.provider;
        let hinter = &self.hinter;
        let mut deletions: Vec<Nibbles> = Vec::new();
        for state in &mut self.accounts {
            if !state.dirty {
                continue;
            }
            let path = Nibbles::unpack(keccak256(state.address));
            let Some(info) = state.info else {
                if state.existed {
                    deletions.push(path);
                }
                continue;
            };
            let storage_root = storage_root(state, provider, hinter)?;
            let account = TrieAccount {
                nonce: info.nonce,
                balance: info.balance,
                storage_root,
                code_hash: info.code_hash,
            };
            self.state_trie
                .insert(&path, alloy_rlp::encode(account).into(), provider)?;
        }
        for path in &deletions {
            self.state_trie.delete(path, provider, hinter)?;
        }
        Ok(self.state_trie.root())
    }

    /// The storage root of `address` after the block's changes, once [`Self::state_root`] ran.
    pub fn storage_root_of(&mut self, address: Address) -> Result<B256, StateError> {
        let index = self.account_index(address)?;
        let (provider, hinter) = (&self.provider, &self.hinter);
        match self.accounts.get_mut(index) {
            Some(state) if state.info.is_some() => storage_root(state, provider, hinter),
            _ => Ok(EMPTY_ROOT_HASH),
        }
    }

    /// Calls `sink(hash, preimage)` for every state and storage trie node the block holds in
    /// decoded form and for every bytecode it read or deployed.
    ///
    /// After [`Self::state_root`] (which [`StatelessExecutor::execute`] runs) this covers every
    /// node of the post-state the block created: a preimage store that held the parent's
    /// state and adds these can open the block's state. Nodes read from the provider are
    /// reported again; blinded subtries are not. For tooling that keeps a full state (the
    /// devnet generator), not for the proof path.
    ///
    /// [`StatelessExecutor::execute`]: crate::StatelessExecutor::execute
    pub fn for_each_preimage(&self, sink: &mut impl FnMut(B256, Bytes)) {
        self.state_trie.for_each_preimage(sink);
        for account in &self.accounts {
            if let Some(trie) = &account.storage_trie {
                trie.for_each_preimage(sink);
            }
        }
        for (hash, code) in &self.code {
            if *hash != KECCAK256_EMPTY {
                sink(*hash, code.original_bytes());
            }
        }
    }

    /// Loads `code_hash`'s bytecode from the provider, checking its hash.
    fn load_code(&mut self, code_hash: B256) -> Result<Bytecode, StateError> {
        if code_hash == KECCAK256_EMPTY || code_hash.is_zero() {
            return Ok(Bytecode::default());
        }
        if let Some(code) = self.code.get(&code_hash) {
            return Ok(code.clone());
        }
        let bytes = fetch_preimage(&self.provider, &self.hinter, code_hash, PreimageKind::Code)?;
        let code = bytecode_from_state(bytes, self.delegations);
        self.code.insert(code_hash, code.clone());
        Ok(code)
    }
}

/// Interprets code read from the state the way geth does.
///
/// Only an exact EIP-7702 delegation designator (`0xef0100 ‖ address`, 23 bytes: geth's
/// `types.ParseDelegation`) is a delegation, and only under EIP-7702 (`delegations`; geth's
/// `resolveCode` follows designators under Prague rules only). Any other code, including code
/// that merely starts with `0xef01` and a designator before Isthmus, is legacy bytecode (whose
/// first opcode, `0xef`, is `INVALID`). `revm`'s `Bytecode::new_raw` treats every `0xef01`
/// prefix as a delegation and panics on the rest, and revm follows a delegation whatever the
/// spec, so it must not see state code raw: such code can sit in a genesis allocation and,
/// being hash-verified, cannot be rejected.
pub(crate) fn bytecode_from_state(bytes: Bytes, delegations: bool) -> Bytecode {
    if delegations && let Ok(delegation) = Bytecode::new_eip7702_raw(bytes.clone()) {
        return delegation;
    }
    Bytecode::new_legacy(bytes)
}

/// Applies the dirty slots of `state` to its storage trie and returns the trie's root.
///
/// Non-zero writes are applied before zeroed slots are deleted (see [`TrieDB::state_root`]).
fn storage_root<P: TrieProvider, H: TrieHinter>(
    state: &mut AccountState,
    provider: &P,
    hinter: &H,
) -> Result<B256, StateError> {
    if let Some(root) = state.new_storage_root {
        return Ok(root);
    }
    if !state.storage.values().any(|slot| slot.dirty) {
        return Ok(state.storage_root);
    }
    let root = state.storage_root;
    let trie = state
        .storage_trie
        .get_or_insert_with(|| TrieNode::new_blinded(root));
    let mut deletions: Vec<Nibbles> = Vec::new();
    for (slot, value) in &state.storage {
        if !value.dirty {
            continue;
        }
        let path = Nibbles::unpack(keccak256(slot.to_be_bytes::<32>()));
        if value.value.is_zero() {
            deletions.push(path);
        } else {
            trie.insert(&path, alloy_rlp::encode(value.value).into(), provider)?;
        }
    }
    for path in &deletions {
        trie.delete(path, provider, hinter)?;
    }
    let new_root = trie.root();
    state.new_storage_root = Some(new_root);
    Ok(new_root)
}

/// Fetches the preimage of `hash` and checks that it hashes to `hash`.
pub(crate) fn fetch_preimage<P: TrieProvider, H: TrieHinter>(
    provider: &P,
    hinter: &H,
    hash: B256,
    kind: PreimageKind,
) -> Result<Bytes, StateError> {
    match kind {
        PreimageKind::Code => hinter.hint_code(hash),
        PreimageKind::Header => hinter.hint_header(hash),
    }
    .map_err(|e| StateError::Hint { source: e.into() })?;
    let bytes = provider
        .trie_node_by_hash(hash)
        .map_err(|e| StateError::MissingPreimage {
            kind,
            hash,
            source: e.into(),
        })?;
    let actual = keccak256(&bytes);
    if actual != hash {
        return Err(StateError::CorruptPreimage {
            kind,
            expected: hash,
            actual,
        });
    }
    Ok(bytes)
}

impl<P, H> Database for TrieDB<P, H>
where
    P: TrieProvider,
    H: TrieHinter,
{
    type Error = StateError;

    fn basic(&mut self, address: Address) -> Result<Option<AccountInfo>, Self::Error> {
        let index = self.account_index(address)?;
        let Some(info) = self.accounts.get(index).and_then(|a| a.info) else {
            return Ok(None);
        };
        let code = if info.code_hash == KECCAK256_EMPTY {
            Some(Bytecode::default())
        } else {
            self.code.get(&info.code_hash).cloned()
        };
        Ok(Some(AccountInfo {
            balance: info.balance,
            nonce: info.nonce,
            code_hash: info.code_hash,
            account_id: Some(index),
            code,
        }))
    }

    fn code_by_hash(&mut self, code_hash: B256) -> Result<Bytecode, Self::Error> {
        self.load_code(code_hash)
    }

    fn storage(&mut self, address: Address, index: U256) -> Result<U256, Self::Error> {
        let account = self.account_index(address)?;
        self.slot_value(address, account, index)
    }

    fn storage_by_account_id(
        &mut self,
        address: Address,
        account_id: usize,
        storage_key: U256,
    ) -> Result<U256, Self::Error> {
        self.slot_value(address, account_id, storage_key)
    }

    fn block_hash(&mut self, number: u64) -> Result<B256, Self::Error> {
        self.block_hashes.get(number, &self.provider, &self.hinter)
    }
}
