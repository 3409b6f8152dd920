//! The generator: L1 and L2 built side by side, as a sequencer, a batcher and L1 users
//! would.
//!
//! Time advances in L2 slots. Before each L2 block, every L1 block due by its timestamp is
//! sealed with that block's deposits, config updates, noise and batcher transaction (carrying
//! L2 blocks sequenced before it). The L2 block then takes the newest L1 block as its origin
//! (at most one epoch ahead of its parent), and its payload attributes are built by koa's
//! own derivation `AttributesBuilder` from that L1 data, exactly as a verifier will rebuild
//! them, before koa's executor builds the block. After the last L2 block, L1 runs on until the
//! batcher has posted everything.

use alloy_consensus::Sealed;
use alloy_primitives::{Address, B64, B256, Bytes, U256, b256};
use alloy_trie::{Nibbles, TrieAccount};
use koa_derive::{attributes::AttributesBuilder, traits::L2ChainProvider, types::L2BlockInfo};
use koa_mpt::TrieNode;
use koa_protocol::predeploys::L2_TO_L1_MESSAGE_PASSER;
use koa_protocol::{
    ChainGenesis, Hardfork, RollupConfig, SystemConfig, TxList, batch::SingularBatch,
    config::OpChainConfig,
};
use op_alloy_consensus::OpTxEnvelope;

use crate::{
    DevnetError,
    batcher::{Batcher, sign_1559},
    genesis::L2Genesis,
    l1::{L1Chain, L1Tx},
    l2::{L2Block, execute_block},
    plan::{ChainAddresses, ConfigUpdate, Deposit},
    providers::{L1View, L2View},
    rng::{DevRng, TestKey},
    store::PreimageStore,
    users::{BlockLoad, USER_FUNDING, Users, storage_call, storage_init_code},
};

/// The real OP Stack L2 genesis the devnet starts from (op-deployer output, Granite at 0).
pub const GENESIS_JSON_ZST: &[u8] =
    include_bytes!("../../../testdata/genesis/op-l2-genesis-granite.json.zst");

/// The forks the devnet activates after genesis, in protocol order.
pub const SCHEDULED_FORKS: [Hardfork; 4] = [
    Hardfork::Holocene,
    Hardfork::Isthmus,
    Hardfork::Jovian,
    Hardfork::Karst,
];

/// L2 seconds per block.
pub const L2_BLOCK_TIME: u64 = 2;

/// The sequencing window of the devnet, in L1 blocks (short, so a claim can span one).
pub const SEQ_WINDOW_SIZE: u64 = 12;

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DevnetParams {
    /// The seed of every random choice.
    pub seed: u64,
    /// Number of L2 blocks after genesis.
    pub l2_blocks: u64,
    /// The L2 block at which each scheduled fork activates (`fork_time = genesis + 2 * block`).
    pub forks: Vec<(Hardfork, u64)>,
    /// At most this many channels go to L1 as blobs (each blob adds ~0.4 MB of preimages).
    pub max_blob_channels: usize,
}

impl DevnetParams {
    /// `l2_blocks` blocks with the scheduled forks spread over the chain (at 1/5, 2/5, 3/5
    /// and 4/5 of it, on even block numbers).
    pub fn new(seed: u64, l2_blocks: u64) -> Self {
        let forks = SCHEDULED_FORKS
            .iter()
            .enumerate()
            .map(|(i, fork)| (*fork, (l2_blocks * (i as u64 + 1) / 5).max(i as u64 + 2)))
            .collect();
        Self {
            seed,
            l2_blocks,
            forks,
            max_blob_channels: 2,
        }
    }
}

/// One L2 chain of a multi-chain devnet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuperChainParams {
    /// Number of L2 blocks after genesis.
    pub l2_blocks: u64,
    /// L2 seconds per block.
    pub block_time: u64,
    /// The L2 block at which each scheduled fork activates (`genesis + block_time * block`).
    pub forks: Vec<(Hardfork, u64)>,
    /// At most this many of the chain's channels go to L1 as blobs.
    pub max_blob_channels: usize,
}

impl SuperChainParams {
    /// `l2_blocks` blocks of `block_time` seconds, the scheduled forks spread over the chain
    /// as [`DevnetParams::new`] spreads them.
    pub fn new(l2_blocks: u64, block_time: u64) -> Self {
        Self {
            l2_blocks,
            block_time,
            forks: DevnetParams::new(0, l2_blocks).forks,
            max_blob_channels: 1,
        }
    }
}

/// What to generate for a devnet of several L2 chains on one L1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuperDevnetParams {
    /// The seed of every random choice.
    pub seed: u64,
    /// The chains, in chain id order: chain `i` has chain id `genesis chain id + i`.
    pub chains: Vec<SuperChainParams>,
}

/// A generated devnet of several L2 chains on one L1.
#[derive(Debug)]
pub struct GeneratedSuperDevnet {
    /// The parameters it was generated from.
    pub params: SuperDevnetParams,
    /// The L1 chain.
    pub l1: L1Chain,
    /// The L2 chains, in chain id order.
    pub chains: Vec<GeneratedChain>,
    /// Every preimage of every chain and of the L1.
    pub store: PreimageStore,
}

/// One generated L2 chain of a [`GeneratedSuperDevnet`].
#[derive(Debug)]
pub struct GeneratedChain {
    /// The parameters it was generated from.
    pub params: SuperChainParams,
    /// The rollup config.
    pub rollup_config: RollupConfig,
    /// The L2 chain, genesis first.
    pub l2: Vec<L2Block>,
    /// For each L2 block, the L1 block whose data completes its batch (genesis: 0).
    pub safe_at: Vec<u64>,
    /// Transactions the users sent.
    pub tx_counts: crate::users::TxCounts,
    /// Blobs posted.
    pub blobs: usize,
    /// The L1 block of the batcher change.
    pub batcher_change_l1_block: u64,
}

/// A generated devnet.
#[derive(Debug)]
pub struct GeneratedDevnet {
    /// The parameters it was generated from.
    pub params: DevnetParams,
    /// The rollup config.
    pub rollup_config: RollupConfig,
    /// The L1 chain.
    pub l1: L1Chain,
    /// The L2 chain, genesis first.
    pub l2: Vec<L2Block>,
    /// For each L2 block, the L1 block whose data completes its batch (genesis: 0).
    pub safe_at: Vec<u64>,
    /// Every preimage.
    pub store: PreimageStore,
    /// Transactions the users sent.
    pub tx_counts: crate::users::TxCounts,
    /// Blobs posted.
    pub blobs: usize,
    /// The L1 block of the batcher change.
    pub batcher_change_l1_block: u64,
}

/// The keys of the devnet's L1 actors.
struct Actors {
    batcher: TestKey,
    next_batcher: TestKey,
    depositor: TestKey,
    owner: TestKey,
    stranger: TestKey,
}

impl Actors {
    fn new(seed: u64) -> Self {
        Self {
            batcher: TestKey::derive(seed, "batcher 0"),
            next_batcher: TestKey::derive(seed, "batcher 1"),
            depositor: TestKey::derive(seed, "depositor"),
            owner: TestKey::derive(seed, "system config owner"),
            stranger: TestKey::derive(seed, "stranger"),
        }
    }
}

/// The rollup config of a devnet chain.
fn rollup_config(
    plan: &ChainPlan,
    genesis: &L2Genesis,
    l1: &L1Chain,
    batcher: Address,
) -> RollupConfig {
    let t0 = genesis.header.timestamp;
    let fork_time = |fork: Hardfork| {
        plan.forks
            .iter()
            .find(|(f, _)| *f == fork)
            .map(|(_, block)| t0 + plan.block_time * block)
    };
    RollupConfig {
        genesis: ChainGenesis {
            l1: l1.head().info().id(),
            l2: alloy_eips::eip1898::BlockNumHash {
                number: 0,
                hash: genesis.header.hash(),
            },
            l2_time: t0,
            system_config: SystemConfig {
                batcher_address: batcher,
                overhead: B256::ZERO,
                // Version 1 (Ecotone) scalar: blob base fee scalar 810949, base fee scalar 1368.
                scalar: b256!("010000000000000000000000000000000000000000000000000c5fc500000558"),
                gas_limit: 30_000_000,
                eip1559_params: B64::ZERO,
                operator_fee_params: B256::ZERO,
                min_base_fee: 0,
                da_footprint_gas_scalar: 0,
            },
        },
        block_time: plan.block_time,
        max_sequencer_drift: 600,
        seq_window_size: SEQ_WINDOW_SIZE,
        channel_timeout: 300,
        l1_chain_id: l1.config().chain_id,
        l2_chain_id: plan.chain_id,
        regolith_time: Some(0),
        canyon_time: Some(0),
        delta_time: Some(0),
        ecotone_time: Some(0),
        fjord_time: Some(0),
        granite_time: Some(0),
        holocene_time: fork_time(Hardfork::Holocene),
        isthmus_time: fork_time(Hardfork::Isthmus),
        jovian_time: fork_time(Hardfork::Jovian),
        karst_time: fork_time(Hardfork::Karst),
        batch_inbox_address: plan.addresses.batch_inbox,
        deposit_contract_address: plan.addresses.portal,
        l1_system_config_address: plan.addresses.system_config,
        chain_op_config: OpChainConfig::default(),
        ..Default::default()
    }
}

/// What the generator knows of one chain before it starts.
#[derive(Debug, Clone)]
struct ChainPlan {
    /// The chain's seed: the devnet seed for the first chain (so a single-chain devnet is
    /// what it always was), a seed derived from it and the index for the others.
    seed: u64,
    chain_id: u64,
    l2_blocks: u64,
    block_time: u64,
    forks: Vec<(Hardfork, u64)>,
    max_blob_channels: usize,
    addresses: ChainAddresses,
}

impl ChainPlan {
    fn new(seed: u64, index: u8, genesis_chain_id: u64, params: &SuperChainParams) -> Self {
        let seed = if index == 0 {
            seed
        } else {
            seed ^ u64::from(index).wrapping_mul(0x9e37_79b9_7f4a_7c15)
        };
        Self {
            seed,
            chain_id: genesis_chain_id + u64::from(index),
            l2_blocks: params.l2_blocks,
            block_time: params.block_time,
            forks: params.forks.clone(),
            max_blob_channels: params.max_blob_channels,
            addresses: ChainAddresses::of_chain(index),
        }
    }
}

/// The generator's state: the L1, the preimages, and each L2 chain's sequencer and batcher.
struct Generator {
    store: PreimageStore,
    l1: L1Chain,
    chains: Vec<ChainGenerator>,
}

/// One L2 chain's sequencer, batcher and L1 actors.
struct ChainGenerator {
    plan: ChainPlan,
    config: RollupConfig,
    l2: Vec<L2Block>,
    safe_at: Vec<u64>,
    batches: Vec<(u64, SingularBatch, bool)>,
    batcher: Batcher,
    actors: Actors,
    users: Users,
    rng: DevRng,
    depositor_nonce: u64,
    /// L2 nonce of the depositor (its deposits increment it).
    depositor_l2_nonce: u64,
    /// The storage contract the depositor created by deposit.
    deposit_contract: Option<alloy_primitives::Address>,
    owner_nonce: u64,
    stranger_nonce: u64,
    old_batcher_nonce: u64,
    batcher_change: u64,
}

/// Generates the devnet `params` describe.
pub fn generate(params: DevnetParams) -> Result<GeneratedDevnet, DevnetError> {
    validate_chain(params.l2_blocks, &params.forks)?;
    let chain = SuperChainParams {
        l2_blocks: params.l2_blocks,
        block_time: L2_BLOCK_TIME,
        forks: params.forks.clone(),
        max_blob_channels: params.max_blob_channels,
    };
    let (l1, store, mut chains) = run_generator(params.seed, std::slice::from_ref(&chain))?;
    let chain = chains
        .pop()
        .ok_or_else(|| DevnetError::Invariant("no chain".into()))?;
    Ok(GeneratedDevnet {
        params,
        rollup_config: chain.rollup_config,
        l1,
        l2: chain.l2,
        safe_at: chain.safe_at,
        store,
        tx_counts: chain.tx_counts,
        blobs: chain.blobs,
        batcher_change_l1_block: chain.batcher_change_l1_block,
    })
}

/// Generates the multi-chain devnet `params` describe: every chain on one L1, each with its
/// own portal, system config, batch inbox, batcher and users.
pub fn generate_super(params: SuperDevnetParams) -> Result<GeneratedSuperDevnet, DevnetError> {
    if params.chains.is_empty() || params.chains.len() > 127 {
        return Err(DevnetError::Params(
            "a super devnet has 1 to 127 chains (one super-root step each)".into(),
        ));
    }
    for chain in &params.chains {
        if chain.block_time == 0 {
            return Err(DevnetError::Params("a block time of 0 seconds".into()));
        }
        validate_chain(chain.l2_blocks, &chain.forks)?;
    }
    let (l1, store, chains) = run_generator(params.seed, &params.chains)?;
    let mut devnet = GeneratedSuperDevnet {
        params,
        l1,
        chains,
        store,
    };
    // The agreed pre-states of the claims are preimages too (`agreed-pre-state` hint).
    let pre_states: Vec<Vec<u8>> = crate::super_claims::super_claims(&devnet)
        .iter()
        .map(|claim| hex::decode(claim.agreed_l2_pre_state.trim_start_matches("0x")))
        .collect::<Result<_, _>>()
        .map_err(|e| DevnetError::Invariant(format!("pre-state hex: {e}")))?;
    for pre_state in pre_states {
        devnet.store.add_keccak(pre_state.into());
    }
    Ok(devnet)
}

/// Builds the L1 and every chain of `chains`.
fn run_generator(
    seed: u64,
    chains: &[SuperChainParams],
) -> Result<(L1Chain, PreimageStore, Vec<GeneratedChain>), DevnetError> {
    let json = zstd::decode_all(GENESIS_JSON_ZST)
        .map_err(|e| DevnetError::Genesis(format!("cannot decompress the genesis: {e}")))?;
    let mut store = PreimageStore::default();
    let genesis = L2Genesis::from_json(&json, &mut store)?;
    let l1 = L1Chain::new(seed, genesis.header.timestamp, &mut store);
    let mut generators = Vec::with_capacity(chains.len());
    for (index, params) in chains.iter().enumerate() {
        let index =
            u8::try_from(index).map_err(|_| DevnetError::Params("more than 255 chains".into()))?;
        let plan = ChainPlan::new(seed, index, genesis.chain_id, params);
        generators.push(ChainGenerator::new(plan, &genesis, &l1, &mut store)?);
    }
    let mut generator = Generator {
        store,
        l1,
        chains: generators,
    };
    generator.run()?;
    let Generator {
        store,
        l1,
        chains: generators,
    } = generator;
    let chains = generators
        .into_iter()
        .zip(chains)
        .map(|(chain, params)| GeneratedChain {
            params: params.clone(),
            rollup_config: chain.config,
            l2: chain.l2,
            safe_at: chain.safe_at,
            tx_counts: chain.users.counts,
            blobs: chain.batcher.blobs_posted,
            batcher_change_l1_block: chain.batcher_change,
        })
        .collect();
    Ok((l1, store, chains))
}

fn validate_chain(l2_blocks: u64, forks: &[(Hardfork, u64)]) -> Result<(), DevnetError> {
    if l2_blocks < 30 {
        return Err(DevnetError::Params(
            "a devnet needs at least 30 L2 blocks".into(),
        ));
    }
    let mut previous = 0;
    for (fork, block) in forks {
        if *block <= previous || *block > l2_blocks {
            return Err(DevnetError::Params(format!(
                "{fork} at L2 block {block}: forks must activate in order, after genesis and \
                 within the chain"
            )));
        }
        previous = *block;
    }
    Ok(())
}

/// The genesis block as an [`L2Block`]: origin the L1 genesis, and its message passer storage
/// root read from the genesis state.
fn genesis_block(
    config: &RollupConfig,
    header: Sealed<alloy_consensus::Header>,
    store: &PreimageStore,
) -> Result<L2Block, DevnetError> {
    let mut state = TrieNode::new_blinded(header.state_root);
    let path = Nibbles::unpack(alloy_primitives::keccak256(L2_TO_L1_MESSAGE_PASSER));
    let account = state
        .get(&path, store)
        .map_err(|e| DevnetError::Genesis(format!("message passer: {e}")))?
        .ok_or_else(|| DevnetError::Genesis("no L2ToL1MessagePasser in the genesis".into()))?;
    let account = <TrieAccount as alloy_rlp::Decodable>::decode(&mut account.as_ref())
        .map_err(|e| DevnetError::Genesis(format!("message passer account: {e}")))?;
    let info = L2BlockInfo::from_header_and_first_tx(config, &header, header.hash(), None)
        .map_err(|e| DevnetError::Invariant(format!("genesis: {e}")))?;
    Ok(L2Block {
        header,
        transactions: Vec::new(),
        receipts: Vec::new(),
        info,
        message_passer_storage_root: account.storage_root,
        attributes: None,
    })
}

impl Generator {
    fn run(&mut self) -> Result<(), DevnetError> {
        // Every chain starts from the same genesis time.
        let t0 = self.chains[0].config.genesis.l2_time;
        let end = self
            .chains
            .iter()
            .map(|c| c.plan.l2_blocks * c.plan.block_time)
            .max()
            .unwrap_or(0);
        // Time advances second by second; each chain sequences on its own block time, in
        // chain order within a second.
        for elapsed in 1..=end {
            let timestamp = t0 + elapsed;
            for index in 0..self.chains.len() {
                let plan = &self.chains[index].plan;
                if !elapsed.is_multiple_of(plan.block_time)
                    || elapsed / plan.block_time > plan.l2_blocks
                {
                    continue;
                }
                let number = elapsed / plan.block_time;
                while self.l1.next_timestamp() <= timestamp {
                    self.seal_l1_block()?;
                }
                self.chains[index].sequence(number, timestamp, &self.l1, &mut self.store)?;
            }
        }
        while !self
            .chains
            .iter()
            .all(|c| c.batcher.is_done(c.plan.l2_blocks))
        {
            self.seal_l1_block()?;
        }
        // One more L1 block without any batch data, so the head is not a batch block.
        self.seal_l1_block()?;
        Ok(())
    }

    /// Seals the next L1 block with every chain's L1 transactions, chain by chain.
    fn seal_l1_block(&mut self) -> Result<(), DevnetError> {
        let number = self.l1.blocks.len() as u64;
        let base_fee = self.l1.next_base_fee();
        let max_fee = u128::from(base_fee) * 2 + 1_000_000_000;
        let mut txs: Vec<L1Tx> = Vec::new();
        let mut completed = Vec::with_capacity(self.chains.len());
        for chain in &mut self.chains {
            completed.push(chain.l1_transactions(number, base_fee, max_fee, &self.l1, &mut txs)?);
        }
        self.l1.push(txs, &mut self.store);
        for (chain, completed) in self.chains.iter_mut().zip(completed) {
            if let Some(last) = completed {
                for n in chain.safe_at.len() as u64..=last {
                    debug_assert_eq!(chain.safe_at.len() as u64, n);
                    chain.safe_at.push(number);
                }
            }
        }
        Ok(())
    }
}

impl ChainGenerator {
    fn new(
        plan: ChainPlan,
        genesis: &L2Genesis,
        l1: &L1Chain,
        store: &mut PreimageStore,
    ) -> Result<Self, DevnetError> {
        let actors = Actors::new(plan.seed);
        let config = rollup_config(&plan, genesis, l1, actors.batcher.address);
        let genesis_block = genesis_block(&config, genesis.header.clone(), store)?;
        store.add_keccak(Bytes::copy_from_slice(&genesis_block.output().encode()));
        // The batcher changes about halfway through the L1 chain.
        let l1_span = plan.l2_blocks * plan.block_time / crate::l1::L1_BLOCK_TIME;
        let batcher_change = (l1_span / 2).max(3);
        Ok(Self {
            batcher: Batcher::new(plan.seed, actors.batcher.clone(), plan.max_blob_channels),
            users: Users::new(plan.seed, config.l2_chain_id),
            rng: DevRng::new(plan.seed, "plan"),
            plan,
            config,
            l2: vec![genesis_block],
            safe_at: vec![0],
            batches: Vec::new(),
            actors,
            depositor_nonce: 0,
            depositor_l2_nonce: 0,
            deposit_contract: None,
            owner_nonce: 0,
            stranger_nonce: 0,
            old_batcher_nonce: 0,
            batcher_change,
        })
    }

    /// The first L1 block at or after L2 time `time`.
    fn l1_block_at(l1: &L1Chain, time: u64) -> u64 {
        let l1_t0 = l1.blocks[0].header.timestamp;
        time.saturating_sub(l1_t0)
            .div_ceil(crate::l1::L1_BLOCK_TIME)
    }

    /// The fork activation times in L1 block numbers (first L1 block at or after).
    fn fork_l1_block(&self, l1: &L1Chain, fork: Hardfork) -> Option<u64> {
        let time = match fork {
            Hardfork::Holocene => self.config.holocene_time,
            Hardfork::Isthmus => self.config.isthmus_time,
            Hardfork::Jovian => self.config.jovian_time,
            Hardfork::Karst => self.config.karst_time,
            _ => None,
        }?;
        Some(Self::l1_block_at(l1, time))
    }

    /// This chain's transactions in L1 block `number`, appended to `txs`; the last L2 block
    /// whose batch the block completes, if any. Once the chain is sequenced to its end, the
    /// batcher drains: it posts what is left.
    fn l1_transactions(
        &mut self,
        number: u64,
        base_fee: u64,
        max_fee: u128,
        l1: &L1Chain,
        txs: &mut Vec<L1Tx>,
    ) -> Result<Option<u64>, DevnetError> {
        let draining = self.l2.len() as u64 > self.plan.l2_blocks;
        let addresses = self.plan.addresses;
        // Deposits.
        for deposit in self.deposits_for(number) {
            let mut tx = sign_1559(
                &self.actors.depositor,
                addresses.portal,
                self.depositor_nonce,
                max_fee,
                Vec::new(),
            );
            self.depositor_nonce += 1;
            self.depositor_l2_nonce += 1;
            tx.logs.push(deposit.log(addresses.portal));
            txs.push(tx);
        }
        // System config updates.
        for update in self.updates_for(l1, number) {
            let mut tx = sign_1559(
                &self.actors.owner,
                addresses.system_config,
                self.owner_nonce,
                max_fee,
                Vec::new(),
            );
            self.owner_nonce += 1;
            tx.logs.push(update.log(addresses.system_config));
            txs.push(tx);
            if let ConfigUpdate::Batcher(_) = update {
                self.batcher.rotate_key(self.actors.next_batcher.clone());
            }
        }
        // Noise: a stranger's decoy batch, a malformed frame from the batcher, and after the
        // batcher change a decoy from the old batcher key.
        if number % 9 == 4 {
            let decoy = self.decoy_channel();
            txs.push(sign_1559(
                &self.actors.stranger,
                addresses.batch_inbox,
                self.stranger_nonce,
                max_fee,
                decoy,
            ));
            self.stranger_nonce += 1;
        }
        if number > self.batcher_change && number <= self.batcher_change + 4 && number % 2 == 1 {
            let decoy = self.decoy_channel();
            // The old batcher's nonce continues where it stopped: its own counter.
            txs.push(sign_1559(
                &self.actors.batcher,
                addresses.batch_inbox,
                1_000 + self.old_batcher_nonce,
                max_fee,
                decoy,
            ));
            self.old_batcher_nonce += 1;
        }
        // The batcher: a new channel every other L1 block, never in the block of the batcher
        // change.
        let mut completed = None;
        if number != self.batcher_change {
            let open = draining || number.is_multiple_of(2);
            if let Some((tx, done)) =
                self.batcher
                    .next_tx(&self.config, &self.batches, base_fee, open)?
            {
                txs.push(tx);
                completed = done;
            }
            if number % 11 == 6 {
                let mut garbage = vec![0u8];
                garbage.extend(self.rng.bytes(40));
                txs.push(self.batcher.raw_tx(&self.config, garbage, base_fee));
            }
        }
        Ok(completed)
    }

    /// A channel a verifier must ignore: one singular batch for the next L2 slot whose only
    /// transaction is a transfer the real chain never has.
    fn decoy_channel(&mut self) -> Vec<u8> {
        use koa_protocol::{
            batch::Batch,
            frame::{ChannelId, Frame, encode_frames},
        };
        let parent = self.l2.last().expect("genesis");
        let batch = SingularBatch {
            parent_hash: parent.header.hash(),
            epoch_num: parent.info.l1_origin.number,
            epoch_hash: parent.info.l1_origin.hash,
            timestamp: parent.header.timestamp + self.config.block_time,
            transactions: TxList::try_from_iter([self.rng.bytes(100)]).expect("100 bytes"),
        };
        let mut rlp = Vec::new();
        Batch::Singular(batch).encode_for_channel(&mut rlp);
        let compressed = miniz_oxide::deflate::compress_to_vec_zlib(&rlp, 6);
        let id = ChannelId::new(self.rng.bytes(16).try_into().expect("16 bytes"));
        encode_frames(&[Frame::new(id, 0, compressed.into(), true)])
    }
    /// The deposits of L1 block `number`.
    fn deposits_for(&mut self, number: u64) -> Vec<Deposit> {
        let from = self.actors.depositor.address;
        let mut deposits = Vec::new();
        if number == 1 {
            for user in self.users.addresses() {
                deposits.push(Deposit {
                    from,
                    to: user,
                    // The mint goes to the sender; the value moves it to the user.
                    mint: USER_FUNDING,
                    value: U256::from(USER_FUNDING),
                    gas_limit: 100_000,
                    is_creation: false,
                    data: Bytes::new(),
                });
            }
            // A contract creation by deposit: the depositor's L2 nonce after the mints.
            self.deposit_contract =
                Some(from.create(self.depositor_l2_nonce + deposits.len() as u64));
            deposits.push(Deposit {
                from,
                to: Address::ZERO,
                mint: 0,
                value: U256::ZERO,
                gas_limit: 200_000,
                is_creation: true,
                data: storage_init_code(),
            });
            return deposits;
        }
        if number % 5 == 3 {
            // An ETH mint that also sends value to a fresh account.
            deposits.push(Deposit {
                from,
                to: Address::from_word(self.rng.next_b256()),
                mint: 2_000_000_000_000_000_000,
                value: U256::from(1_000_000_000_000_000_000u64),
                gas_limit: 50_000,
                is_creation: false,
                data: Bytes::new(),
            });
        }
        if number % 7 == 2
            && let Some(contract) = self.deposit_contract
        {
            let slot = U256::from(self.rng.below(8));
            // Writes, and every other time clears, a slot of the deposit-created contract.
            let value = if number % 14 == 2 {
                U256::ZERO
            } else {
                U256::from(number)
            };
            deposits.push(Deposit {
                from,
                to: contract,
                mint: 0,
                value: U256::ZERO,
                gas_limit: 100_000,
                is_creation: false,
                data: storage_call(slot, value),
            });
        }
        deposits
    }

    /// The system config updates of L1 block `number`.
    fn updates_for(&self, l1: &L1Chain, number: u64) -> Vec<ConfigUpdate> {
        let mut updates = Vec::new();
        if number == 2 {
            updates.push(ConfigUpdate::FeeScalars {
                base_fee_scalar: 2_000,
                blob_base_fee_scalar: 700_000,
            });
        }
        if number == 4 {
            updates.push(ConfigUpdate::GasLimit(36_000_000));
        }
        if number == self.batcher_change {
            updates.push(ConfigUpdate::Batcher(self.actors.next_batcher.address));
        }
        if self.fork_l1_block(l1, Hardfork::Holocene).map(|b| b + 1) == Some(number) {
            updates.push(ConfigUpdate::Eip1559 {
                denominator: 100,
                elasticity: 4,
            });
        }
        if self.fork_l1_block(l1, Hardfork::Isthmus).map(|b| b + 1) == Some(number) {
            updates.push(ConfigUpdate::OperatorFee {
                scalar: 1_000,
                constant: 5_000,
            });
        }
        if self.fork_l1_block(l1, Hardfork::Jovian).map(|b| b + 1) == Some(number) {
            updates.push(ConfigUpdate::MinBaseFee(1_000_000));
            updates.push(ConfigUpdate::DaFootprintGasScalar(300));
        }
        updates
    }

    /// Sequences L2 block `number` at `timestamp`.
    fn sequence(
        &mut self,
        number: u64,
        timestamp: u64,
        l1: &L1Chain,
        store: &mut PreimageStore,
    ) -> Result<(), DevnetError> {
        let parent = self.l2.last().expect("genesis");
        let parent_info = parent.info;
        let current = parent_info.l1_origin.number;
        let next = l1.blocks.get(current as usize + 1);
        let origin = match next {
            Some(block) if block.header.timestamp <= timestamp => block.info(),
            _ => l1.blocks[current as usize].info(),
        };
        let activation = SCHEDULED_FORKS
            .iter()
            .any(|fork| self.config.is_activation_block(*fork, timestamp));
        let funded = current >= 1;
        let load = if activation || !funded {
            BlockLoad::Empty
        } else if number % 37 == 20 && origin.number == current {
            BlockLoad::Full
        } else if self.rng.chance(20) {
            BlockLoad::Empty
        } else {
            BlockLoad::Normal
        };
        let system_config = L2View::new(&self.l2)
            .system_config_by_number(number - 1, &self.config)
            .map_err(|e| DevnetError::Invariant(e.to_string()))?;
        let prague = self.config.is_isthmus_active(timestamp);
        let transactions = self
            .users
            .block_transactions(load, prague, system_config.gas_limit);
        let batch = SingularBatch {
            parent_hash: parent.header.hash(),
            epoch_num: origin.number,
            epoch_hash: origin.hash,
            timestamp,
            transactions: TxList::try_from(transactions)
                .map_err(|e| DevnetError::Invariant(format!("L2 block {number}: {e}")))?,
        };
        let attributes = AttributesBuilder::new(*l1.config())
            .build(
                &self.config,
                &parent_info,
                &batch,
                &mut L1View::new(&l1.blocks),
                &mut L2View::new(&self.l2),
            )
            .map_err(|e| DevnetError::Invariant(format!("attributes of L2 block {number}: {e}")))?;
        let block = execute_block(&self.config, parent, attributes, store)?;
        check_deposits(&block)?;
        self.batches.push((number, batch, block.info.seq_num == 0));
        self.l2.push(block);
        Ok(())
    }
}

/// Every deposit of a devnet block must succeed: the L1 attributes, the user deposits (the
/// generator makes only valid ones) and every network upgrade transaction.
fn check_deposits(block: &L2Block) -> Result<(), DevnetError> {
    for (index, (tx, receipt)) in block.transactions.iter().zip(&block.receipts).enumerate() {
        let is_deposit = tx.first() == Some(&op_alloy_consensus::DEPOSIT_TX_TYPE_ID);
        if is_deposit && !receipt.status() {
            let envelope =
                <OpTxEnvelope as alloy_eips::eip2718::Decodable2718>::decode_2718(&mut tx.as_ref());
            return Err(DevnetError::DepositFailed {
                number: block.header.number,
                index,
                detail: format!("{envelope:?}"),
            });
        }
    }
    Ok(())
}
