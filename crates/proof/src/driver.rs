//! The driver: derivation and execution, block by block, from the agreed block to the claim.
//!
//! [`ChainDriver`] is the per-chain unit: one derivation pipeline over the oracle-backed L1,
//! blob and L2 providers, one stateless executor, and one [`L2Store`] that is both the
//! pipeline's [`L2ChainProvider`](koa_derive::L2ChainProvider) and the sink of every executed
//! block. [`ChainDriver::next_block`] derives and executes exactly one block, so a driver of
//! several chains (interop super roots) can interleave chains with the same pieces.
//!
//! Execution failures follow the protocol: a payload that cannot be built (an invalid
//! transaction, a block over its gas or DA limit) is, from Holocene on, replaced by its
//! deposits-only version and the rest of its channel flushed; before Holocene it is dropped and
//! derivation goes on to the next batch for the same parent. A payload that fails because data
//! is missing or tampered is never replaced: that is a program failure.

use alloc::vec::Vec;
use alloy_consensus::{Header, Sealed};
use alloy_eips::eip2718::Decodable2718;
use alloy_primitives::{B256, Bytes};
use koa_derive::{AttributesWithParent, DerivationPipeline, L2BlockInfo, PipelineError};
use koa_executor::{ExecutorError, PreimageKind, StateError, StatelessExecutor};
use koa_preimage::{DEFAULT_MAX_HINT_LEN, HintWriterClient, PreimageKey, PreimageOracleClient};
use koa_protocol::{OpPayloadAttributes, OutputRoot, RollupConfig};
use op_alloy_consensus::{OpTxEnvelope, OpTxType};

use crate::{
    ProofError,
    blob::{BlobVerifier, OracleBlobProvider},
    chain::ChainContext,
    error::{DataKind, PreimageError},
    hint::{Hint, HintType},
    l1::OracleL1Chain,
    l2::{ExecutedBlock, L2Store},
    oracle::ProofOracle,
    precompile::{OracleAccelerator, Precompiles},
    trie::{OracleHinter, OracleTrie, trie_error},
};

/// The pipeline over the oracle-backed providers.
pub type OraclePipeline<'a, O, H, V> =
    DerivationPipeline<OracleL1Chain<'a, O, H>, L2Store<'a, O, H>, OracleBlobProvider<'a, O, H, V>>;

/// Counters of one driver run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DriverStats {
    /// Payload attributes the pipeline produced.
    pub blocks_derived: u64,
    /// Blocks executed and added to the chain.
    pub blocks_executed: u64,
    /// Payloads replaced by their deposits-only version (Holocene).
    pub deposit_only_replacements: u64,
    /// Payloads dropped because they failed to execute (before Holocene).
    pub dropped_payloads: u64,
}

/// What [`ChainDriver::next_block`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Advance {
    /// A block was derived, executed and added to the store.
    Block {
        /// The new safe head.
        head: L2BlockInfo,
        /// Its output root.
        output_root: B256,
        /// Whether it is a deposits-only replacement of a payload that failed to execute.
        replaced: bool,
    },
    /// L1 is exhausted up to the L1 head: no more blocks can be derived.
    Exhausted,
}

/// Derives and executes one chain.
#[derive(Debug)]
pub struct ChainDriver<'a, O, H, V> {
    oracle: &'a ProofOracle<O, H>,
    config: &'a RollupConfig,
    /// The chain id L2 hints carry (`None` for the single-chain program).
    hint_chain_id: Option<u64>,
    pipeline: OraclePipeline<'a, O, H, V>,
    safe_head: L2BlockInfo,
    stats: DriverStats,
    precompiles: Precompiles,
}

impl<'a, O, H, V> ChainDriver<'a, O, H, V>
where
    O: PreimageOracleClient,
    H: HintWriterClient,
    V: BlobVerifier,
{
    /// A driver for `chain`, starting at the agreed block of `store`.
    pub fn new(
        oracle: &'a ProofOracle<O, H>,
        context: ChainContext<'a>,
        mut store: L2Store<'a, O, H>,
        verifier: V,
    ) -> Result<Self, ProofError> {
        let chain = OracleL1Chain::new(oracle, context.l1_head)?;
        let l1_head = chain.head().number;
        let safe_head = store.safe_head()?;
        let blobs = OracleBlobProvider::new(oracle, verifier);
        let mut pipeline = DerivationPipeline::new(
            context.rollup_config.clone(),
            context.l1_chain_config,
            Some(l1_head),
            chain,
            store,
            blobs,
        );
        pipeline
            .reset(safe_head)
            .map_err(|e| pipeline_error(oracle, e))?;
        Ok(Self {
            oracle,
            config: context.rollup_config,
            hint_chain_id: context.hint_chain_id(),
            pipeline,
            safe_head,
            stats: DriverStats::default(),
            precompiles: Precompiles::InProcess,
        })
    }

    /// Runs the expensive precompiles where `precompiles` says (in-process by default).
    pub fn with_precompiles(mut self, precompiles: Precompiles) -> Self {
        self.precompiles = precompiles;
        self
    }

    /// The safe head: the agreed block or the last block executed.
    pub const fn safe_head(&self) -> L2BlockInfo {
        self.safe_head
    }

    /// The safe head's output root.
    pub fn safe_head_output_root(&self) -> B256 {
        self.pipeline.l2.tip_output_root()
    }

    /// The L1 block derivation is reading: where it stopped once the driver is done.
    pub fn l1_origin(&self) -> Option<koa_derive::BlockInfo> {
        self.pipeline.origin()
    }

    /// The counters so far.
    pub const fn stats(&self) -> DriverStats {
        self.stats
    }

    /// The L2 store (the safe chain).
    pub fn store(&self) -> &L2Store<'a, O, H> {
        &self.pipeline.l2
    }

    /// The L2 store, mutably (to read blocks through its
    /// [`L2ChainProvider`](koa_derive::L2ChainProvider) methods).
    pub fn store_mut(&mut self) -> &mut L2Store<'a, O, H> {
        &mut self.pipeline.l2
    }

    /// Derives and executes the next block.
    pub fn next_block(&mut self) -> Result<Advance, ProofError> {
        loop {
            let Some(attributes) = self.derive_next()? else {
                return Ok(Advance::Exhausted);
            };
            if let Some(advance) = self.execute(&attributes)? {
                return Ok(advance);
            }
        }
    }

    /// Steps derivation until it yields the attributes of the block after the safe head;
    /// `None` when L1 is exhausted. Pair with [`Self::execute`] (a super-root driver checks
    /// attributes across chains in between).
    pub fn derive_next(&mut self) -> Result<Option<AttributesWithParent>, ProofError> {
        let attributes = self
            .pipeline
            .next_attributes(self.safe_head)
            .map_err(|error| pipeline_error(self.oracle, error))?;
        if attributes.is_some() {
            self.stats.blocks_derived += 1;
        }
        Ok(attributes)
    }

    /// Derives and executes blocks until the safe head reaches `target` or L1 is exhausted.
    pub fn advance_to(&mut self, target: u64) -> Result<L2BlockInfo, ProofError> {
        while self.safe_head.block_info.number < target {
            if self.next_block()? == Advance::Exhausted {
                tracing::info!(target: "proof::driver", safe_head = self.safe_head.block_info.number, target, "L1 exhausted before the target block");
                break;
            }
        }
        Ok(self.safe_head)
    }

    /// Executes `attributes` on the safe head and adds the block to the store; `None` when the
    /// payload failed to execute before Holocene and was dropped (derive again for the same
    /// parent). From Holocene a failed payload is replaced by its deposits-only version and
    /// the rest of its channel flushed.
    pub fn execute(
        &mut self,
        attributes: &AttributesWithParent,
    ) -> Result<Option<Advance>, ProofError> {
        let parent = self.pipeline.l2.tip().clone();
        // For messages only: `build` refuses a parent without a successor number.
        let number = parent.number.saturating_add(1);
        match self.build(&parent, &attributes.attributes) {
            Ok(executed) => Ok(Some(self.commit(executed, false)?)),
            Err(BuildError::Invalid(error)) => {
                if !self
                    .config
                    .is_holocene_active(attributes.attributes.timestamp)
                {
                    tracing::warn!(target: "proof::driver", number, %error, "payload failed to execute, dropped (pre-Holocene)");
                    self.stats.dropped_payloads += 1;
                    return Ok(None);
                }
                tracing::warn!(target: "proof::driver", number, %error, "payload failed to execute, replaced by its deposits-only version (Holocene)");
                self.pipeline.flush_channel();
                let deposits_only = deposits_only(&attributes.attributes);
                match self.build(&parent, &deposits_only) {
                    Ok(executed) => {
                        self.stats.deposit_only_replacements += 1;
                        Ok(Some(self.commit(executed, true)?))
                    }
                    Err(BuildError::Invalid(source)) => {
                        Err(ProofError::DepositsOnlyFailed { number, source })
                    }
                    Err(BuildError::Fatal(error)) => Err(error),
                }
            }
            Err(BuildError::Fatal(error)) => Err(error),
        }
    }

    /// Builds one block and computes its output root.
    fn build(
        &self,
        parent: &Sealed<Header>,
        attributes: &OpPayloadAttributes,
    ) -> Result<ExecutedBlock, BuildError> {
        let number =
            parent
                .number
                .checked_add(1)
                .ok_or(BuildError::Fatal(ProofError::Executed {
                    number: parent.number,
                    reason: "the parent is the last block a u64 can number".into(),
                }))?;
        // kona's `l2-payload-witness`: a host with a node that serves whole-block witnesses
        // (`debug_executePayload`) fetches the block's state in one call instead of node by node.
        // Advisory only: every node the executor reads is still checked against its hash.
        // kona's interop client sends none (its interop host ignores it, and the spec's form
        // is a JSON object with a chain id): the super-root program sends it neither.
        let witness_hint = if self.hint_chain_id.is_some() {
            Ok(None)
        } else {
            payload_witness_hint(parent.hash(), attributes)
        }
        .map_err(|e| {
            BuildError::Fatal(ProofError::Executed {
                number,
                reason: alloc::format!("payload attributes do not serialise: {e}"),
            })
        })?;
        if let Some(hint) = witness_hint {
            self.oracle
                .announce(&hint)
                .map_err(|e| BuildError::Fatal(e.into()))?;
        }
        let provider = OracleTrie::new(self.oracle, DataKind::TrieNode, None);
        let hinter = OracleHinter::new(self.oracle).with_chain_id(self.hint_chain_id);
        let executor = StatelessExecutor::new(self.config, provider, hinter)
            .with_accelerator(OracleAccelerator::new(self.oracle, self.precompiles));
        let mut outcome = executor
            .execute(parent.inner(), parent.hash(), attributes)
            .map_err(|e| classify(self.oracle, number, e))?;
        let message_passer_storage_root = outcome
            .message_passer_storage_root()
            .map_err(|e| BuildError::Fatal(state_error(self.oracle, number, e)))?;
        let header = outcome.header;
        let output_root = OutputRoot {
            state_root: header.state_root,
            message_passer_storage_root,
            block_hash: header.hash(),
        }
        .hash();
        let first = attributes
            .transactions
            .first()
            .map(|mut raw| OpTxEnvelope::decode_2718(&mut raw))
            .transpose()
            .map_err(|e| {
                BuildError::Fatal(ProofError::Executed {
                    number,
                    reason: alloc::format!("first transaction: {e}"),
                })
            })?;
        let info = L2BlockInfo::from_header_and_first_tx(
            self.config,
            &header,
            header.hash(),
            first.as_ref(),
        )
        .map_err(|e| {
            BuildError::Fatal(ProofError::Executed {
                number,
                reason: alloc::format!("{e}"),
            })
        })?;
        Ok(ExecutedBlock {
            header,
            transactions: attributes.transactions.to_vec(),
            info,
            output_root,
        })
    }

    /// Adds an executed block to the store and moves the safe head.
    fn commit(&mut self, block: ExecutedBlock, replaced: bool) -> Result<Advance, ProofError> {
        // The header is now a preimage the program knows: `BLOCKHASH` in later blocks and the
        // store read it by hash without asking the host.
        let encoded: Bytes = alloy_rlp::encode(block.header.inner()).into();
        self.oracle
            .insert_verified(PreimageKey::keccak256(block.header.hash()), encoded);
        let head = block.info;
        let output_root = block.output_root;
        tracing::info!(target: "proof::driver", number = head.block_info.number, hash = %head.block_info.hash, %output_root, replaced, "executed block");
        self.pipeline.l2.insert(block);
        self.safe_head = head;
        self.stats.blocks_executed += 1;
        Ok(Advance::Block {
            head,
            output_root,
            replaced,
        })
    }
}

/// The longest hint a host accepts: koa host's limit, [`DEFAULT_MAX_HINT_LEN`].
const MAX_HINT_LEN: usize = DEFAULT_MAX_HINT_LEN as usize;

/// kona's `l2-payload-witness` hint for building `attributes` on `parent_hash`, or `None` when
/// it would be longer than a host accepts ([`MAX_HINT_LEN`]). The hint is advisory, and a
/// batcher can give a block as many transaction bytes as a channel holds (100 MB), which the
/// host would refuse as a hint, stopping the proof.
fn payload_witness_hint(
    parent_hash: B256,
    attributes: &OpPayloadAttributes,
) -> Result<Option<Hint>, serde_json::Error> {
    // Before making the JSON, a bound on its length: a transaction takes at most `"0x…",`
    // and the other fields well under 1 KiB.
    let txs = &attributes.transactions;
    let json_bound: usize = txs
        .byte_len()
        .saturating_mul(2)
        .saturating_add(txs.len().saturating_mul(5))
        .saturating_add(1024);
    if witness_hint_len(json_bound) > MAX_HINT_LEN {
        return Ok(None);
    }
    let json: Vec<u8> = serde_json::to_vec(attributes)?;
    if witness_hint_len(json.len()) > MAX_HINT_LEN {
        return Ok(None);
    }
    Ok(Some(Hint::L2PayloadWitness {
        parent_hash,
        attributes: json.into(),
    }))
}

/// The wire length of an `l2-payload-witness` hint whose JSON is `json_len` bytes long:
/// `l2-payload-witness 0x` and the hex of the parent hash and the JSON.
fn witness_hint_len(json_len: usize) -> usize {
    let name: usize = HintType::L2PayloadWitness.name().len();
    json_len
        .saturating_add(32)
        .saturating_mul(2)
        .saturating_add(name + " 0x".len())
}

/// The attributes with every non-deposit transaction removed.
fn deposits_only(attributes: &OpPayloadAttributes) -> OpPayloadAttributes {
    attributes.with_transactions(
        attributes
            .transactions
            .retained(|tx| tx.first() == Some(&(OpTxType::Deposit as u8))),
    )
}

/// Why a block could not be built.
enum BuildError {
    /// The payload is invalid: it is replaced (Holocene) or dropped.
    Invalid(ExecutorError),
    /// Data is missing or tampered, or the program is inconsistent: stop.
    Fatal(ProofError),
}

/// Sorts an executor error into an invalid payload or a program failure.
fn classify<O: PreimageOracleClient, H: HintWriterClient>(
    oracle: &ProofOracle<O, H>,
    number: u64,
    error: ExecutorError,
) -> BuildError {
    match error {
        ExecutorError::Attributes(_)
        | ExecutorError::TxDecode { .. }
        | ExecutorError::UnsupportedTxType { .. }
        | ExecutorError::InvalidSignature { .. }
        | ExecutorError::BlockGasLimitExceeded { .. }
        | ExecutorError::DaFootprintExceeded { .. }
        | ExecutorError::InvalidTransaction { .. } => BuildError::Invalid(error),
        ExecutorError::State(state) => BuildError::Fatal(state_error(oracle, number, state)),
        // The parent is not the header of the block it claims to be: broken inputs, never a
        // reason to replace the block.
        other @ (ExecutorError::SystemCall { .. }
        | ExecutorError::Evm { .. }
        | ExecutorError::ParentHashMismatch { .. }) => BuildError::Fatal(ProofError::Execution {
            number,
            source: other,
        }),
    }
}

/// Names the preimage behind a state error, or keeps it as an execution failure.
fn state_error<O: PreimageOracleClient, H: HintWriterClient>(
    oracle: &ProofOracle<O, H>,
    number: u64,
    error: StateError,
) -> ProofError {
    let kind = |kind: PreimageKind| match kind {
        PreimageKind::Code => DataKind::Code,
        PreimageKind::Header => DataKind::L2Header,
    };
    match error {
        StateError::Trie(trie) => {
            ProofError::Preimage(trie_error(oracle, DataKind::TrieNode, B256::ZERO, trie))
        }
        StateError::MissingPreimage {
            kind: k,
            hash,
            source,
        } => {
            let error = match source.downcast::<PreimageError>() {
                Ok(inner) => match *inner {
                    PreimageError::Missing { key, reason, .. } => PreimageError::Missing {
                        kind: kind(k),
                        key,
                        reason,
                    },
                    other => other,
                },
                Err(source) => PreimageError::Missing {
                    kind: kind(k),
                    key: PreimageKey::keccak256(hash),
                    reason: alloc::format!("{source}"),
                },
            };
            ProofError::Preimage(error)
        }
        StateError::CorruptPreimage {
            kind: k,
            expected,
            actual,
        } => ProofError::Preimage(PreimageError::Corrupt {
            kind: kind(k),
            key: PreimageKey::keccak256(expected),
            actual,
        }),
        other => ProofError::Execution {
            number,
            source: ExecutorError::State(other),
        },
    }
}

/// A derivation failure, with the typed preimage error behind it if a provider hit one.
fn pipeline_error<O: PreimageOracleClient, H: HintWriterClient>(
    oracle: &ProofOracle<O, H>,
    error: PipelineError,
) -> ProofError {
    if matches!(error, PipelineError::Provider { .. })
        && let Some(preimage) = oracle.take_error()
    {
        return ProofError::Preimage(preimage);
    }
    ProofError::Derivation(error)
}

#[cfg(test)]
mod tests {
    use super::*;
    use koa_protocol::TxList;

    fn attributes_with_a_tx_of(len: usize) -> OpPayloadAttributes {
        OpPayloadAttributes {
            timestamp: 1,
            gas_limit: Some(30_000_000),
            transactions: TxList::try_from_iter([alloc::vec![0x02; len]]).unwrap(),
            ..Default::default()
        }
    }

    #[test]
    fn the_witness_hint_length_is_its_wire_length() {
        let hint: Hint = payload_witness_hint(B256::repeat_byte(1), &attributes_with_a_tx_of(300))
            .unwrap()
            .expect("a small hint is sent");
        let Hint::L2PayloadWitness { attributes, .. } = &hint else {
            panic!("a payload witness hint");
        };
        assert_eq!(witness_hint_len(attributes.len()), hint.encode().len());
    }

    #[test]
    fn a_witness_hint_past_the_host_limit_is_not_sent() {
        // Each transaction byte is four on the wire (hex in JSON, hex again in the hint).
        let fits = payload_witness_hint(
            B256::ZERO,
            &attributes_with_a_tx_of(MAX_HINT_LEN / 4 - 2_000),
        )
        .unwrap()
        .expect("under the limit");
        assert!(fits.encode().len() <= MAX_HINT_LEN);
        let too_long = attributes_with_a_tx_of(MAX_HINT_LEN / 4 + 1_000);
        assert!(
            payload_witness_hint(B256::ZERO, &too_long)
                .unwrap()
                .is_none()
        );
    }
}
