//! The devnet's L2 users: test keys that transfer ETH, deploy and call contracts, write and
//! delete storage, withdraw through the L2ToL1MessagePasser and (from Isthmus) delegate with
//! EIP-7702, using every transaction type.

use alloy_consensus::{SignableTransaction, TxEip1559, TxEip2930, TxEip7702, TxLegacy};
use alloy_eips::{
    eip2718::Encodable2718,
    eip2930::{AccessList, AccessListItem},
    eip7702::Authorization,
};
use alloy_primitives::{Address, B256, Bytes, TxKind, U256, keccak256};
use koa_protocol::predeploys::L2_TO_L1_MESSAGE_PASSER;
use op_alloy_consensus::OpTxEnvelope;

use crate::rng::{DevRng, TestKey};

/// Number of test users.
pub const USER_COUNT: usize = 4;

/// ETH each user receives by deposit at the start (1000 ETH).
pub const USER_FUNDING: u128 = 1_000_000_000_000_000_000_000;

/// The gas of one burner call: under EIP-7825's per-transaction cap (2^24).
const MAX_TX_GAS: u64 = 15_000_000;

/// Runtime of the storage contract: `SSTORE(calldata[0..32], calldata[32..64])`.
const STORAGE_RUNTIME: [u8; 8] = [0x60, 0x20, 0x35, 0x60, 0x00, 0x35, 0x55, 0x00];

/// Runtime of the gas burner: `JUMPDEST PUSH1 0 JUMP`, an endless loop.
const BURNER_RUNTIME: [u8; 4] = [0x5b, 0x60, 0x00, 0x56];

/// Init code that returns `runtime` (at most 32 bytes).
pub fn init_code(runtime: &[u8]) -> Bytes {
    assert!(!runtime.is_empty() && runtime.len() <= 32);
    let len = runtime.len() as u8;
    let mut code = vec![0x5f + len];
    code.extend_from_slice(runtime);
    // PUSH1 0 MSTORE PUSH1 len PUSH1 (32 - len) RETURN
    code.extend_from_slice(&[0x60, 0x00, 0x52, 0x60, len, 0x60, 32 - len, 0xf3]);
    code.into()
}

/// The storage contract's init code (for deposits that create it).
pub fn storage_init_code() -> Bytes {
    init_code(&STORAGE_RUNTIME)
}

/// The calldata that makes the storage contract write `value` to `slot`.
pub fn storage_call(slot: U256, value: U256) -> Bytes {
    let mut data = slot.to_be_bytes::<32>().to_vec();
    data.extend_from_slice(&value.to_be_bytes::<32>());
    data.into()
}

/// What a block's user transactions should look like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockLoad {
    /// No user transactions.
    Empty,
    /// A few transactions.
    Normal,
    /// A gas burner that fills most of the block.
    Full,
}

/// The users and what the generator knows about their L2 state.
#[derive(Debug)]
pub struct Users {
    chain_id: u64,
    keys: Vec<TestKey>,
    nonces: Vec<u64>,
    rng: DevRng,
    storage_contract: Option<Address>,
    burner: Option<Address>,
    /// Slots written to non-zero values (contract storage or a delegated EOA's storage):
    /// (account, slot).
    written: Vec<(Address, U256)>,
    /// Users that delegated to the storage contract.
    delegated: Vec<usize>,
    /// Counters for the report.
    pub counts: TxCounts,
}

/// How many transactions of each kind the users sent.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TxCounts {
    /// Legacy (EIP-155) transactions.
    pub legacy: u64,
    /// EIP-2930 transactions.
    pub eip2930: u64,
    /// EIP-1559 transactions.
    pub eip1559: u64,
    /// EIP-7702 transactions.
    pub eip7702: u64,
    /// Contract deployments.
    pub deployments: u64,
    /// Storage writes of a non-zero value.
    pub storage_writes: u64,
    /// Storage writes of zero to a written slot (deletions).
    pub storage_deletions: u64,
    /// Withdrawals through the L2ToL1MessagePasser.
    pub withdrawals: u64,
    /// ETH transfers.
    pub transfers: u64,
    /// Gas-burning calls that fill a block.
    pub burns: u64,
}

/// A transaction to sign.
enum Kind {
    Transfer,
    StorageWrite,
    StorageDelete,
    Withdrawal,
    Delegate,
}

impl Users {
    /// The users of `seed` on the L2 chain `chain_id`.
    pub fn new(seed: u64, chain_id: u64) -> Self {
        Self {
            chain_id,
            keys: (0..USER_COUNT)
                .map(|i| TestKey::derive(seed, &format!("user {i}")))
                .collect(),
            nonces: vec![0; USER_COUNT],
            rng: DevRng::new(seed, "users"),
            storage_contract: None,
            burner: None,
            written: Vec::new(),
            delegated: Vec::new(),
            counts: TxCounts::default(),
        }
    }

    /// The users' addresses.
    pub fn addresses(&self) -> Vec<Address> {
        self.keys.iter().map(|k| k.address).collect()
    }

    /// The user transactions of a block, EIP-2718 encoded. `prague` says whether EIP-7702
    /// transactions are allowed (Isthmus active), `gas_limit` is the block's gas limit.
    pub fn block_transactions(
        &mut self,
        load: BlockLoad,
        prague: bool,
        gas_limit: u64,
    ) -> Vec<Bytes> {
        let mut txs = Vec::new();
        match load {
            BlockLoad::Empty => {}
            BlockLoad::Full => {
                if let Some(burner) = self.burner {
                    // 80% of the block in calls under the EIP-7825 per-transaction cap (Osaka
                    // rules on L2 from Karst), each running out of gas in an endless loop.
                    let total = gas_limit / 10 * 8;
                    let calls = total.div_ceil(MAX_TX_GAS);
                    for _ in 0..calls {
                        let user = self.rng.below(USER_COUNT as u64) as usize;
                        let gas = total / calls;
                        txs.push(self.sign(
                            user,
                            TxKind::Call(burner),
                            U256::ZERO,
                            Bytes::new(),
                            gas,
                            2,
                        ));
                        self.counts.burns += 1;
                    }
                }
            }
            BlockLoad::Normal => {
                if self.storage_contract.is_none() {
                    txs.push(self.deploy_storage());
                    txs.push(self.deploy_burner());
                    return txs;
                }
                let count = 1 + self.rng.below(4);
                for _ in 0..count {
                    let kind = match self.rng.below(10) {
                        0..=2 => Kind::Transfer,
                        3..=5 => Kind::StorageWrite,
                        6 | 7 => Kind::StorageDelete,
                        8 => Kind::Withdrawal,
                        _ if prague => Kind::Delegate,
                        _ => Kind::StorageWrite,
                    };
                    txs.push(self.transaction(kind));
                }
            }
        }
        txs
    }

    fn deploy_storage(&mut self) -> Bytes {
        let user = 0;
        let address = self.keys[user].address.create(self.nonces[user]);
        self.storage_contract = Some(address);
        self.counts.deployments += 1;
        self.sign(
            user,
            TxKind::Create,
            U256::ZERO,
            storage_init_code(),
            200_000,
            2,
        )
    }

    fn deploy_burner(&mut self) -> Bytes {
        let user = 1;
        let address = self.keys[user].address.create(self.nonces[user]);
        self.burner = Some(address);
        self.counts.deployments += 1;
        self.sign(
            user,
            TxKind::Create,
            U256::ZERO,
            init_code(&BURNER_RUNTIME),
            200_000,
            1,
        )
    }

    fn transaction(&mut self, kind: Kind) -> Bytes {
        let user = self.rng.below(USER_COUNT as u64) as usize;
        let tx_type = self.rng.below(3) as u8;
        let contract = self.storage_contract.expect("deployed first");
        match kind {
            Kind::Transfer => {
                let to = Address::from_word(self.rng.next_b256());
                let value = U256::from(1 + self.rng.below(1_000_000_000_000));
                self.counts.transfers += 1;
                self.sign(user, TxKind::Call(to), value, Bytes::new(), 21_000, tx_type)
            }
            Kind::StorageWrite => {
                let slot = U256::from(self.rng.below(64));
                let value = U256::from(1 + self.rng.below(u64::MAX - 1));
                // Half of the writes go to a delegated EOA's own storage.
                let target = match self.delegated.first() {
                    Some(d) if self.rng.chance(50) => self.keys[*d].address,
                    _ => contract,
                };
                self.written.push((target, slot));
                self.counts.storage_writes += 1;
                self.sign(
                    user,
                    TxKind::Call(target),
                    U256::ZERO,
                    storage_call(slot, value),
                    100_000,
                    tx_type,
                )
            }
            Kind::StorageDelete => {
                if self.written.is_empty() {
                    return self.transaction(Kind::StorageWrite);
                }
                let index = self.rng.below(self.written.len() as u64) as usize;
                let (target, slot) = self.written.swap_remove(index);
                // A slot may have been written twice; deleting it again is harmless.
                self.written.retain(|w| *w != (target, slot));
                self.counts.storage_deletions += 1;
                self.sign(
                    user,
                    TxKind::Call(target),
                    U256::ZERO,
                    storage_call(slot, U256::ZERO),
                    100_000,
                    tx_type,
                )
            }
            Kind::Withdrawal => {
                let target = Address::from_word(self.rng.next_b256());
                let mut data = keccak256("initiateWithdrawal(address,uint256,bytes)")[..4].to_vec();
                data.extend_from_slice(target.into_word().as_slice());
                data.extend_from_slice(&U256::from(100_000).to_be_bytes::<32>());
                data.extend_from_slice(&U256::from(0x60).to_be_bytes::<32>());
                data.extend_from_slice(&U256::ZERO.to_be_bytes::<32>());
                self.counts.withdrawals += 1;
                let value = U256::from(1_000_000_000u64);
                self.sign(
                    user,
                    TxKind::Call(L2_TO_L1_MESSAGE_PASSER),
                    value,
                    data.into(),
                    200_000,
                    tx_type,
                )
            }
            Kind::Delegate => self.delegate(user),
        }
    }

    /// An EIP-7702 transaction from `sender` that delegates another user to the storage
    /// contract and, in the same transaction, writes a slot of that user's storage.
    fn delegate(&mut self, sender: usize) -> Bytes {
        let authority = (sender + 1 + self.rng.below(USER_COUNT as u64 - 1) as usize) % USER_COUNT;
        let contract = self.storage_contract.expect("deployed first");
        let authorization = Authorization {
            chain_id: U256::from(self.chain_id),
            address: contract,
            nonce: self.nonces[authority],
        };
        let signature = self.keys[authority].sign_hash(&authorization.signature_hash());
        let signed = authorization.into_signed(signature);
        self.nonces[authority] += 1;
        let authority_address = self.keys[authority].address;
        if !self.delegated.contains(&authority) {
            self.delegated.push(authority);
        }
        let slot = U256::from(self.rng.below(16));
        self.written.push((authority_address, slot));
        let tx = TxEip7702 {
            chain_id: self.chain_id,
            nonce: self.nonces[sender],
            gas_limit: 200_000,
            max_fee_per_gas: 50_000_000_000,
            max_priority_fee_per_gas: 1_000,
            to: authority_address,
            value: U256::ZERO,
            access_list: AccessList::default(),
            authorization_list: vec![signed],
            input: storage_call(slot, U256::from(7)),
        };
        self.nonces[sender] += 1;
        self.counts.eip7702 += 1;
        self.counts.storage_writes += 1;
        let signature = self.keys[sender].sign_hash(&tx.signature_hash());
        OpTxEnvelope::Eip7702(tx.into_signed(signature))
            .encoded_2718()
            .into()
    }

    /// Signs a transaction of `tx_type` (0 legacy, 1 EIP-2930, 2 EIP-1559) from `user`.
    fn sign(
        &mut self,
        user: usize,
        to: TxKind,
        value: U256,
        input: Bytes,
        gas_limit: u64,
        tx_type: u8,
    ) -> Bytes {
        let nonce = self.nonces[user];
        self.nonces[user] += 1;
        let key = &self.keys[user];
        let gas_price: u128 = 50_000_000_000;
        let envelope = match tx_type {
            0 => {
                self.counts.legacy += 1;
                let tx = TxLegacy {
                    chain_id: Some(self.chain_id),
                    nonce,
                    gas_price,
                    gas_limit,
                    to,
                    value,
                    input,
                };
                let signature = key.sign_hash(&tx.signature_hash());
                OpTxEnvelope::Legacy(tx.into_signed(signature))
            }
            1 => {
                self.counts.eip2930 += 1;
                let access_list = match to {
                    TxKind::Call(address) => AccessList(vec![AccessListItem {
                        address,
                        storage_keys: vec![B256::ZERO],
                    }]),
                    TxKind::Create => AccessList::default(),
                };
                let tx = TxEip2930 {
                    chain_id: self.chain_id,
                    nonce,
                    gas_price,
                    gas_limit: gas_limit + 5_000,
                    to,
                    value,
                    access_list,
                    input,
                };
                let signature = key.sign_hash(&tx.signature_hash());
                OpTxEnvelope::Eip2930(tx.into_signed(signature))
            }
            _ => {
                self.counts.eip1559 += 1;
                let tx = TxEip1559 {
                    chain_id: self.chain_id,
                    nonce,
                    gas_limit,
                    max_fee_per_gas: gas_price,
                    max_priority_fee_per_gas: 1_000,
                    to,
                    value,
                    access_list: AccessList::default(),
                    input,
                };
                let signature = key.sign_hash(&tx.signature_hash());
                OpTxEnvelope::Eip1559(tx.into_signed(signature))
            }
        };
        envelope.encoded_2718().into()
    }
}
