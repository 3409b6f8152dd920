//! The stateless OP block executor: payload attributes + parent header + state preimages →
//! the block's header and receipts.

use alloc::vec::Vec;
use alloy_consensus::{EMPTY_OMMER_ROOT_HASH, Header, Sealable, Sealed, TxReceipt};
use alloy_eips::{
    eip2718::Encodable2718, eip2935::HISTORY_STORAGE_ADDRESS, eip4788::BEACON_ROOTS_ADDRESS,
    eip4844::BLOB_GASPRICE_UPDATE_FRACTION, eip7685::EMPTY_REQUESTS_HASH,
    eip7691::BLOB_GASPRICE_UPDATE_FRACTION_PECTRA,
};
use alloy_primitives::{Address, B64, B256, Bloom, Bytes, KECCAK256_EMPTY, U256};
use alloy_trie::EMPTY_ROOT_HASH;
use koa_mpt::{TrieHinter, TrieProvider, ordered_trie_root, ordered_trie_root_with_encoder};
use koa_protocol::RollupConfig;
use koa_protocol::predeploys::L2_TO_L1_MESSAGE_PASSER;
use op_alloy_consensus::{OpReceiptEnvelope, OpTxType};
use op_revm::{
    DefaultOp, L1BlockInfo, OpBuilder, OpSpecId, OpTransactionError, estimate_tx_compressed_size,
};
use revm::{
    Context, Database, ExecuteEvm,
    bytecode::Bytecode,
    context::{BlockEnv, CfgEnv, ContextSetters, ContextTr},
    context_interface::{block::BlobExcessGasAndPrice, result::EVMError},
    handler::{EthFrame, Handler, SYSTEM_ADDRESS, system_call::SystemCallEvm},
    interpreter::interpreter::EthInterpreter,
};

use crate::{
    AttributesError, EvmFailure, ExecutorError, KoaOpHandler, OpPayloadAttributes, StateError,
    TrieDB,
    base_fee::{encode_extra_data, next_base_fee},
    canyon::{CREATE2_DEPLOYER_ADDRESS, CREATE2_DEPLOYER_CODE, CREATE2_DEPLOYER_CODE_HASH},
    precompile::{KoaPrecompiles, NoAccelerator, PrecompileAccelerator},
    spec::spec_id,
    tx::DecodedTx,
};

/// Fjord's DA usage estimate is scaled by 1e6.
const DA_ESTIMATE_SCALE: u64 = 1_000_000;

/// The `op-revm` context over a [`TrieDB`].
type KoaContext<P, H> = revm::Context<
    BlockEnv,
    op_revm::OpTransaction<revm::context::TxEnv>,
    CfgEnv<OpSpecId>,
    TrieDB<P, H>,
    revm::Journal<TrieDB<P, H>>,
    L1BlockInfo,
>;

/// The `op-revm` EVM over a [`TrieDB`], with precompiles accelerated by `A`.
type KoaEvm<P, H, A> = op_revm::OpEvm<
    KoaContext<P, H>,
    (),
    revm::handler::instructions::EthInstructions<EthInterpreter, KoaContext<P, H>>,
    KoaPrecompiles<A>,
>;

/// The error type of the EVM over a [`TrieDB`].
type KoaEvmError = EVMError<StateError, OpTransactionError>;

/// A block built by [`StatelessExecutor::execute`].
#[derive(Debug)]
pub struct ExecutionOutcome<P, H> {
    /// The sealed header.
    pub header: Sealed<Header>,
    /// One receipt per transaction, in order.
    pub receipts: Vec<OpReceiptEnvelope>,
    /// The post-state, for queries such as [`Self::message_passer_storage_root`].
    pub state: TrieDB<P, H>,
}

impl<P: TrieProvider, H: TrieHinter> ExecutionOutcome<P, H> {
    /// The storage root of the L2ToL1MessagePasser in the post-state (the output root's
    /// withdrawal storage root).
    pub fn message_passer_storage_root(&mut self) -> Result<B256, StateError> {
        self.state.storage_root_of(L2_TO_L1_MESSAGE_PASSER)
    }
}

/// Executes OP Stack blocks statelessly: every piece of state comes from `provider` as a
/// keccak256 preimage, announced through `hinter` first. Precompiles run in revm unless an
/// accelerator is set ([`Self::with_accelerator`]).
#[derive(Debug, Clone)]
pub struct StatelessExecutor<'a, P, H, A = NoAccelerator> {
    rollup_config: &'a RollupConfig,
    provider: P,
    hinter: H,
    accelerator: A,
}

impl<'a, P, H> StatelessExecutor<'a, P, H>
where
    P: TrieProvider + Clone,
    H: TrieHinter + Clone,
{
    /// An executor for the chain `rollup_config`, running every precompile in revm.
    pub fn new(rollup_config: &'a RollupConfig, provider: P, hinter: H) -> Self {
        Self {
            rollup_config,
            provider,
            hinter,
            accelerator: NoAccelerator,
        }
    }
}

impl<'a, P, H, A> StatelessExecutor<'a, P, H, A>
where
    P: TrieProvider + Clone,
    H: TrieHinter + Clone,
    A: PrecompileAccelerator + Clone,
{
    /// Sends the expensive precompiles to `accelerator` (on an FPVM: to the host through the
    /// preimage oracle), see [`crate::precompile`].
    pub fn with_accelerator<B>(self, accelerator: B) -> StatelessExecutor<'a, P, H, B>
    where
        B: PrecompileAccelerator + Clone,
    {
        StatelessExecutor {
            rollup_config: self.rollup_config,
            provider: self.provider,
            hinter: self.hinter,
            accelerator,
        }
    }

    /// Builds the block `attributes` describe on top of `parent`, the header of block
    /// `parent_hash`.
    ///
    /// The parent's hash seeds `BLOCKHASH`, the EIP-2935 history contract and the new header's
    /// `parentHash`, so it is never taken on trust: `parent` is re-hashed and must match
    /// `parent_hash` ([`ExecutorError::ParentHashMismatch`] otherwise).
    ///
    /// Fails when the attributes are unusable, a non-deposit transaction is invalid (the
    /// payload cannot be built), or a preimage is missing or corrupt. Failed deposits are
    /// included with a failed receipt, as the protocol requires.
    pub fn execute(
        &self,
        parent: &Header,
        parent_hash: B256,
        attributes: &OpPayloadAttributes,
    ) -> Result<ExecutionOutcome<P, H>, ExecutorError> {
        let actual = parent.hash_slow();
        if actual != parent_hash {
            return Err(ExecutorError::ParentHashMismatch {
                expected: parent_hash,
                actual,
            });
        }
        let parent = &Sealed::new_unchecked(parent.clone(), parent_hash);
        let rollup_config = self.rollup_config;
        let timestamp = attributes.timestamp;
        if timestamp <= parent.timestamp {
            return Err(AttributesError::Timestamp {
                timestamp,
                parent: parent.timestamp,
            }
            .into());
        }
        let gas_limit = attributes
            .gas_limit
            .ok_or(AttributesError::MissingGasLimit)?;
        let spec = spec_id(rollup_config, timestamp);
        let regolith = rollup_config.is_regolith_active(timestamp);
        let canyon = rollup_config.is_canyon_active(timestamp);
        let ecotone = rollup_config.is_ecotone_active(timestamp);
        let isthmus = rollup_config.is_isthmus_active(timestamp);
        let jovian = rollup_config.is_jovian_active(timestamp);
        let parent_beacon_block_root = if ecotone {
            Some(
                attributes
                    .parent_beacon_block_root
                    .ok_or(AttributesError::MissingParentBeaconBlockRoot)?,
            )
        } else {
            None
        };
        let base_fee = next_base_fee(rollup_config, parent, timestamp)?;
        let extra_data = encode_extra_data(rollup_config, attributes)?;
        let number = parent
            .number
            .checked_add(1)
            .ok_or(AttributesError::ParentIsLastBlock)?;
        tracing::debug!(target: "koa::executor", number, timestamp, ?spec, txs = attributes.transactions.len(), "executing block");

        let mut db = TrieDB::new(
            parent,
            self.provider.clone(),
            self.hinter.clone(),
            spec.is_enabled_in(OpSpecId::ISTHMUS),
        );
        // Exactly at `canyon_time`, as op-geth's `EnsureCreate2Deployer` does: a block-boundary
        // rule (`is_first_canyon_block`) would differ when `canyon_time` is not on a boundary.
        if rollup_config.canyon_time == Some(timestamp)
            && db.code_hash(CREATE2_DEPLOYER_ADDRESS)? != Some(CREATE2_DEPLOYER_CODE_HASH)
        {
            let code = Bytecode::new_legacy(Bytes::from_static(CREATE2_DEPLOYER_CODE));
            db.set_code(CREATE2_DEPLOYER_ADDRESS, code)?;
        }

        let blob_fraction = if spec.is_enabled_in(OpSpecId::ISTHMUS) {
            BLOB_GASPRICE_UPDATE_FRACTION_PECTRA
        } else {
            BLOB_GASPRICE_UPDATE_FRACTION
        };
        let block_env = BlockEnv {
            number: U256::from(number),
            beneficiary: attributes.suggested_fee_recipient,
            timestamp: U256::from(timestamp),
            gas_limit,
            basefee: base_fee,
            difficulty: U256::ZERO,
            prevrandao: Some(attributes.prev_randao),
            blob_excess_gas_and_price: ecotone
                .then(|| BlobExcessGasAndPrice::new(0, blob_fraction as u64)),
            slot_num: 0,
        };
        let cfg = CfgEnv::new_with_spec(spec).with_chain_id(rollup_config.l2_chain_id);
        let mut evm: KoaEvm<P, H, A> = Context::op()
            .with_db(db)
            .with_block(block_env)
            .with_cfg(cfg)
            .build_op()
            .with_precompiles(KoaPrecompiles::new(spec, self.accelerator.clone()));

        if let Some(root) = parent_beacon_block_root {
            system_call(
                &mut evm,
                BEACON_ROOTS_ADDRESS,
                Bytes::copy_from_slice(root.as_slice()),
            )?;
        }
        if isthmus {
            let parent_hash = Bytes::copy_from_slice(parent.hash().as_slice());
            system_call(&mut evm, HISTORY_STORAGE_ADDRESS, parent_hash)?;
        }

        // Not sized by the attributes: their transactions are the batcher's to choose, up to
        // 100,000,000 of them, and a block includes at most `gas_limit / 21,000` (execution
        // fails at the first one that does not fit).
        let mut receipts: Vec<OpReceiptEnvelope> = Vec::new();
        let mut cumulative_gas_used: u64 = 0;
        let mut da_footprint: u64 = 0;
        let mut da_footprint_scalar: Option<u64> = None;
        for (index, raw) in attributes.transactions.iter().enumerate() {
            let tx = DecodedTx::decode(index, raw)?;
            let tx_gas_limit = alloy_consensus::Transaction::gas_limit(&tx.envelope);
            let available = gas_limit.saturating_sub(cumulative_gas_used);
            // Pre-Regolith system deposits do not use the block's gas.
            let uses_block_gas = regolith || !tx.is_system_deposit();
            if uses_block_gas && tx_gas_limit > available {
                return Err(ExecutorError::BlockGasLimitExceeded {
                    index,
                    gas_limit: tx_gas_limit,
                    available,
                });
            }
            if jovian && !tx.is_deposit() {
                let scalar = match da_footprint_scalar {
                    Some(scalar) => scalar,
                    None => {
                        let db = evm.0.ctx.db_mut();
                        let scalar = u64::from(L1BlockInfo::fetch_da_footprint_gas_scalar(db)?);
                        *da_footprint_scalar.insert(scalar)
                    }
                };
                let usage = estimate_tx_compressed_size(raw) / DA_ESTIMATE_SCALE;
                da_footprint = da_footprint.saturating_add(usage.saturating_mul(scalar));
                if da_footprint > gas_limit {
                    return Err(ExecutorError::DaFootprintExceeded {
                        index,
                        footprint: da_footprint,
                        gas_limit,
                    });
                }
            }
            let deposit_nonce = if tx.is_deposit() && regolith {
                Some(
                    evm.0
                        .ctx
                        .db_mut()
                        .basic(tx.sender)?
                        .map(|a| a.nonce)
                        .unwrap_or_default(),
                )
            } else {
                None
            };

            evm.0.ctx.set_tx(tx.to_tx_env(Bytes::copy_from_slice(raw)));
            let mut handler = KoaOpHandler::<_, KoaEvmError, EthFrame<EthInterpreter>>::new();
            let result = handler
                .run(&mut evm)
                .map_err(|e| ExecutorError::from_evm(index, e))?;
            let state = evm.finalize();
            evm.0.ctx.db_mut().commit(state)?;

            cumulative_gas_used = cumulative_gas_used.saturating_add(result.tx_gas_used());
            let tx_type: OpTxType = tx.envelope.tx_type();
            receipts.push(OpReceiptEnvelope::from_parts(
                result.is_success(),
                cumulative_gas_used,
                result.logs(),
                tx_type,
                deposit_nonce,
                (tx.is_deposit() && canyon).then_some(1),
            ));
        }

        let mut db = evm.0.ctx.journaled_state.database;
        let state_root = db.state_root()?;
        let withdrawals_root = if isthmus {
            Some(db.storage_root_of(L2_TO_L1_MESSAGE_PASSER)?)
        } else {
            canyon.then_some(EMPTY_ROOT_HASH)
        };
        let logs_bloom = receipts.iter().fold(Bloom::ZERO, |mut bloom, receipt| {
            bloom.accrue_bloom(&receipt.bloom());
            bloom
        });
        let header = Header {
            parent_hash: parent.hash(),
            ommers_hash: EMPTY_OMMER_ROOT_HASH,
            beneficiary: attributes.suggested_fee_recipient,
            state_root,
            transactions_root: ordered_trie_root(
                &attributes.transactions.iter().collect::<Vec<_>>(),
            ),
            receipts_root: ordered_trie_root_with_encoder(&receipts, |receipt, out| {
                receipt.encode_2718(out)
            }),
            logs_bloom,
            difficulty: U256::ZERO,
            number,
            gas_limit,
            gas_used: cumulative_gas_used,
            timestamp,
            extra_data,
            mix_hash: attributes.prev_randao,
            nonce: B64::ZERO,
            base_fee_per_gas: Some(base_fee),
            withdrawals_root,
            blob_gas_used: ecotone.then_some(if jovian { da_footprint } else { 0 }),
            excess_blob_gas: ecotone.then_some(0),
            parent_beacon_block_root,
            requests_hash: isthmus.then_some(EMPTY_REQUESTS_HASH),
            block_access_list_hash: None,
            slot_number: None,
        };
        Ok(ExecutionOutcome {
            header: header.seal_slow(),
            receipts,
            state: db,
        })
    }
}

/// Calls a system contract (EIP-4788, EIP-2935) as `SYSTEM_ADDRESS` and commits its changes.
/// Skipped when the contract has no code, as the OP specs require.
fn system_call<P, H, A>(
    evm: &mut KoaEvm<P, H, A>,
    contract: Address,
    data: Bytes,
) -> Result<(), ExecutorError>
where
    P: TrieProvider,
    H: TrieHinter,
    A: PrecompileAccelerator,
{
    let code_hash = evm.0.ctx.db_mut().code_hash(contract)?;
    if code_hash.is_none_or(|hash| hash == KECCAK256_EMPTY) {
        return Ok(());
    }
    let result = evm.system_call_one_with_caller(SYSTEM_ADDRESS, contract, data);
    match result {
        Ok(_) => {
            let mut state = evm.finalize();
            state.remove(&SYSTEM_ADDRESS);
            evm.0.ctx.db_mut().commit(state)?;
            Ok(())
        }
        Err(e) => Err(match EvmFailure::from_revm(e) {
            Err(state) => state.into(),
            Ok(source) => ExecutorError::SystemCall { contract, source },
        }),
    }
}
