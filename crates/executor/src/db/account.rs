//! One account of the executing block's state: its current info and its storage.

use alloy_primitives::{Address, B256, U256, map::HashMap};
use alloy_trie::EMPTY_ROOT_HASH;
use koa_mpt::TrieNode;

/// An account's nonce, balance and code hash (the storage root lives in [`AccountState`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct AccountInfoLite {
    /// The nonce.
    pub(crate) nonce: u64,
    /// The balance in wei.
    pub(crate) balance: U256,
    /// keccak256 of the code.
    pub(crate) code_hash: B256,
}

/// A storage slot's current value, and whether the block changed it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Slot {
    /// The current value.
    pub(crate) value: U256,
    /// Written by the block: must be applied to the storage trie.
    pub(crate) dirty: bool,
}

/// The state of one account, as read from the parent state and changed by the block so far.
#[derive(Debug)]
pub(crate) struct AccountState {
    /// The account's address.
    pub(crate) address: Address,
    /// The current info; `None` when the account does not exist.
    pub(crate) info: Option<AccountInfoLite>,
    /// Whether the account existed in the parent state.
    pub(crate) existed: bool,
    /// The root of the storage trie `storage_trie` starts from: the parent state's, or the empty
    /// root once the block wiped the storage (self-destruct, re-creation, EIP-161 deletion).
    pub(crate) storage_root: B256,
    /// The storage trie, opened on first storage access.
    pub(crate) storage_trie: Option<TrieNode>,
    /// Slots read or written by the block.
    pub(crate) storage: HashMap<U256, Slot>,
    /// The account's info or storage changed: it must be written back to the state trie.
    pub(crate) dirty: bool,
    /// The storage trie's root after the block, once computed.
    pub(crate) new_storage_root: Option<B256>,
}

impl AccountState {
    /// An account loaded from the parent state (`None` when it does not exist there).
    pub(crate) fn loaded(
        address: Address,
        info: Option<AccountInfoLite>,
        storage_root: B256,
    ) -> Self {
        Self {
            address,
            existed: info.is_some(),
            info,
            storage_root,
            storage_trie: None,
            storage: HashMap::default(),
            dirty: false,
            new_storage_root: None,
        }
    }

    /// Drops all storage: the account starts over with an empty storage trie.
    pub(crate) fn wipe_storage(&mut self) {
        self.storage_root = EMPTY_ROOT_HASH;
        self.storage_trie = Some(TrieNode::Empty);
        self.storage.clear();
        self.dirty = true;
        self.new_storage_root = None;
    }

    /// The storage trie, opened at [`Self::storage_root`] on first use.
    pub(crate) fn storage_trie(&mut self) -> &mut TrieNode {
        let root = self.storage_root;
        self.storage_trie
            .get_or_insert_with(|| TrieNode::new_blinded(root))
    }
}
