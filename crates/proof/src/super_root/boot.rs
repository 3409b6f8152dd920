//! The super-root program's boot information: the dispute's inputs from the local keys
//! ([`crate::local_key`], super-root table) and the agreed pre-state they commit to.

use alloc::{collections::BTreeMap, string::String};
use alloy_primitives::B256;
use koa_preimage::{HintWriterClient, PreimageOracleClient};
use koa_protocol::{
    ErrorChain, L1ChainConfig, RollupConfig,
    super_root::{SuperState, SuperStateError},
};

use crate::{
    error::{DataKind, PreimageError},
    hint::Hint,
    local_key::{
        AGREED_PRE_STATE_KEY, CLAIMED_POST_STATE_KEY, CLAIMED_TIMESTAMP_KEY, L1_CHAIN_CONFIG_KEY,
        L1_HEAD_KEY, ROLLUP_CONFIGS_KEY,
    },
    oracle::ProofOracle,
};

/// The super-root boot information cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SuperBootError {
    /// A local preimage or the pre-state preimage is missing or does not hash to its key.
    #[error(transparent)]
    Preimage(#[from] PreimageError),
    /// A fixed-size local preimage has the wrong size.
    #[error("local key {index} has {actual} bytes, expected {expected}")]
    Length {
        /// The local key.
        index: u64,
        /// The size it must have.
        expected: usize,
        /// The size it has.
        actual: usize,
    },
    /// The agreed pre-state preimage hashes to its commitment but is no super-root state.
    #[error("agreed pre-state {commitment}")]
    PreState {
        /// The agreed commitment.
        commitment: B256,
        /// Why it does not decode.
        #[source]
        source: SuperStateError,
    },
    /// The rollup configs JSON (local key 6) does not parse.
    #[error("rollup configs (local key 6): {0}")]
    RollupConfigs(String),
    /// A chain of the pre-state has no rollup config, embedded or served.
    #[error("no rollup config for chain {0}")]
    MissingRollupConfig(u64),
    /// A derivation step has no L1 chain config for its chain (boot reads one for every
    /// pre-state with chains; a missing one is a broken boot, never a verdict).
    #[error("no L1 chain config for chain {0}")]
    MissingL1ChainConfig(u64),
    /// A served rollup config names another chain than its key.
    #[error("rollup config for chain {chain_id} is for chain {config}")]
    ChainIdMismatch {
        /// The key in the map (and the super root).
        chain_id: u64,
        /// The config's `l2_chain_id`.
        config: u64,
    },
    /// The chains settle on different L1 chains.
    #[error("chain {chain_id} settles on L1 {l1_chain_id}, chain {first} on L1 {expected}")]
    L1ChainMismatch {
        /// The first chain.
        first: u64,
        /// Its L1 chain id.
        expected: u64,
        /// The chain that differs.
        chain_id: u64,
        /// Its L1 chain id.
        l1_chain_id: u64,
    },
    /// The L1 chain config JSON (local key 7) does not parse.
    #[error("L1 chain config (local key 7): {0}")]
    L1ChainConfig(String),
}

/// The super-root dispute's inputs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuperBootInfo {
    /// The L1 head: derivation reads no L1 block after it.
    pub l1_head: B256,
    /// The agreed pre-state commitment (local key 2).
    pub agreed_pre_state_commitment: B256,
    /// The agreed pre-state, read with the `agreed-pre-state` hint and checked against its
    /// commitment.
    pub agreed_pre_state: SuperState,
    /// The claimed post-state commitment.
    pub claimed_post_state: B256,
    /// The proposal's timestamp.
    pub claimed_timestamp: u64,
    /// The rollup config of every chain of the pre-state (none for the invalid pre-state).
    pub rollup_configs: BTreeMap<u64, RollupConfig>,
    /// The L1 chain config (`None` only for the invalid pre-state, which needs none).
    pub l1_chain_config: Option<L1ChainConfig>,
}

impl SuperBootInfo {
    /// Reads the boot information: local keys 1–4, the pre-state, and the configs of its
    /// chains — embedded ones from the registry, the others from local keys 6 (a JSON map of
    /// rollup configs by chain id) and 7.
    ///
    /// kona reads every config from key 6 as soon as one chain is not embedded; koa takes each
    /// embedded chain from the registry regardless (a served config never overrides it).
    pub fn load<O: PreimageOracleClient, H: HintWriterClient>(
        oracle: &ProofOracle<O, H>,
    ) -> Result<Self, SuperBootError> {
        let l1_head = B256::from(fixed::<32, _, _>(oracle, L1_HEAD_KEY)?);
        let agreed_pre_state_commitment =
            B256::from(fixed::<32, _, _>(oracle, AGREED_PRE_STATE_KEY)?);
        let claimed_post_state = B256::from(fixed::<32, _, _>(oracle, CLAIMED_POST_STATE_KEY)?);
        let claimed_timestamp = u64::from_be_bytes(fixed(oracle, CLAIMED_TIMESTAMP_KEY)?);

        let preimage = oracle.keccak(
            DataKind::PreState,
            agreed_pre_state_commitment,
            Some(&Hint::AgreedPreState(agreed_pre_state_commitment)),
        )?;
        let agreed_pre_state =
            SuperState::decode(&preimage).map_err(|source| SuperBootError::PreState {
                commitment: agreed_pre_state_commitment,
                source,
            })?;

        let mut boot = Self {
            l1_head,
            agreed_pre_state_commitment,
            agreed_pre_state,
            claimed_post_state,
            claimed_timestamp,
            rollup_configs: BTreeMap::new(),
            l1_chain_config: None,
        };
        let Some(super_root) = boot.agreed_pre_state.super_root().cloned() else {
            return Ok(boot);
        };

        let mut served: Option<BTreeMap<u64, serde_json::Value>> = None;
        let mut embedded_l1: Option<L1ChainConfig> = None;
        let mut all_embedded = true;
        for chain_id in super_root.chain_ids() {
            let config = match koa_registry::chain(chain_id) {
                Some(chain) => {
                    embedded_l1.get_or_insert_with(|| chain.l1_chain_config());
                    chain.rollup_config()
                }
                None => {
                    all_embedded = false;
                    if served.is_none() {
                        served = Some(read_rollup_configs(oracle)?);
                    }
                    let json = served
                        .as_ref()
                        .and_then(|map| map.get(&chain_id))
                        .ok_or(SuperBootError::MissingRollupConfig(chain_id))?;
                    let text = serde_json::to_string(json)
                        .map_err(|e| SuperBootError::RollupConfigs(alloc::format!("{e}")))?;
                    RollupConfig::from_json(&text).map_err(|e| {
                        SuperBootError::RollupConfigs(alloc::format!(
                            "chain {chain_id}: {}",
                            ErrorChain(&e)
                        ))
                    })?
                }
            };
            if config.l2_chain_id != chain_id {
                return Err(SuperBootError::ChainIdMismatch {
                    chain_id,
                    config: config.l2_chain_id,
                });
            }
            boot.rollup_configs.insert(chain_id, config);
        }
        // One L1 for the cluster.
        let mut chains = boot.rollup_configs.iter();
        if let Some((&first, first_config)) = chains.next() {
            for (&chain_id, config) in chains {
                if config.l1_chain_id != first_config.l1_chain_id {
                    return Err(SuperBootError::L1ChainMismatch {
                        first,
                        expected: first_config.l1_chain_id,
                        chain_id,
                        l1_chain_id: config.l1_chain_id,
                    });
                }
            }
        }
        boot.l1_chain_config = Some(match (all_embedded, embedded_l1) {
            (true, Some(l1)) => l1,
            _ => {
                let json = oracle.local(DataKind::BootInfo, L1_CHAIN_CONFIG_KEY)?;
                let text = core::str::from_utf8(&json)
                    .map_err(|e| SuperBootError::L1ChainConfig(alloc::format!("{e}")))?;
                L1ChainConfig::from_json(text).map_err(|e| {
                    SuperBootError::L1ChainConfig(alloc::format!("{}", ErrorChain(&e)))
                })?
            }
        });
        Ok(boot)
    }
}

/// Local key 6: `{"<chain id>": <rollup.json>, …}`.
fn read_rollup_configs<O: PreimageOracleClient, H: HintWriterClient>(
    oracle: &ProofOracle<O, H>,
) -> Result<BTreeMap<u64, serde_json::Value>, SuperBootError> {
    let json = oracle.local(DataKind::BootInfo, ROLLUP_CONFIGS_KEY)?;
    serde_json::from_slice(&json).map_err(|e| SuperBootError::RollupConfigs(alloc::format!("{e}")))
}

/// A local preimage of exactly `N` bytes.
fn fixed<const N: usize, O: PreimageOracleClient, H: HintWriterClient>(
    oracle: &ProofOracle<O, H>,
    index: u64,
) -> Result<[u8; N], SuperBootError> {
    let bytes = oracle.local(DataKind::BootInfo, index)?;
    <[u8; N]>::try_from(bytes.as_ref()).map_err(|_| SuperBootError::Length {
        index,
        expected: N,
        actual: bytes.len(),
    })
}
