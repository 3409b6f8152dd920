//! The host's answer to the program: local inputs, the preimage store, and (online) the nodes.
//!
//! [`HostBackend`] implements the oracle's [`PreimageFetcher`] and the hint channel's
//! [`HintRouter`]. It runs on the oracle and hint server threads (synchronous, as the
//! preimage ABI is); online fetches run on a Tokio runtime through its handle.
//!
//! As kona-host does, a hint is only remembered when it arrives; the data it names is fetched
//! when the program then asks for a key the store does not have. A key still missing after
//! that (or any key missing offline) ends the run with an error naming the key.

use crate::{
    blob::{stored_blob_commitment, verify_stored_blob},
    online::{OnlineError, OnlineFetcher},
    store::{InvalidPreimage, PreimageStore, StoreError, check_preimage},
};
use alloy_primitives::B256;
use koa_preimage::{FetchError, HintRouter, PreimageFetcher, PreimageKey, PreimageKeyType};
use koa_proof::{
    ErrorChain,
    hint::{Hint, HintType},
};
use std::{
    collections::{HashMap, HashSet},
    future::Future,
    pin::Pin,
    sync::{
        Arc, Mutex,
        atomic::{AtomicU64, Ordering},
    },
};

/// The dispute's inputs, served as local keys (fault-proof specification, "Type 1").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BootInputs {
    /// Local key 1: the L1 head hash.
    pub l1_head: B256,
    /// The agreed L2 block hash (not a local key: the output root commits to it).
    pub agreed_l2_head_hash: B256,
    /// Local key 2: the agreed L2 output root.
    pub agreed_l2_output_root: B256,
    /// Local key 3: the claimed L2 output root.
    pub claimed_l2_output_root: B256,
    /// Local key 4: the claimed L2 block number.
    pub claimed_l2_block_number: u64,
    /// The L2 chain id. Local key 5 serves it for a registry chain and 0
    /// (`koa_proof::boot::CUSTOM_CHAIN_ID`) when `rollup_config` is given, as kona-host does
    /// (`l2_chain_id.unwrap_or_default()`): a client then takes key 6's config, even for a
    /// chain id its own registry knows.
    pub l2_chain_id: u64,
    /// Local key 6: the rollup config JSON, for a chain not embedded in the client.
    pub rollup_config: Option<Vec<u8>>,
    /// Local key 7: the L1 chain config JSON, for an L1 not embedded in the client.
    pub l1_config: Option<Vec<u8>>,
}

impl BootInputs {
    /// The value of local key `key`, if the inputs have it.
    pub fn local(&self, key: PreimageKey) -> Option<Vec<u8>> {
        match local_index(key)? {
            1 => Some(self.l1_head.to_vec()),
            2 => Some(self.agreed_l2_output_root.to_vec()),
            3 => Some(self.claimed_l2_output_root.to_vec()),
            4 => Some(self.claimed_l2_block_number.to_be_bytes().to_vec()),
            5 => Some(self.boot_chain_id().to_be_bytes().to_vec()),
            6 => self.rollup_config.clone(),
            7 => self.l1_config.clone(),
            _ => None,
        }
    }
}

/// A super-root dispute's inputs, served as kona's super-mode local keys (kona-host
/// `super`; `specs/interop/fault-proof.md`: the L2 block number key carries the timestamp).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuperBootInputs {
    /// Local key 1: the L1 head hash.
    pub l1_head: B256,
    /// The agreed pre-state's preimage (a super root, a transition state or `invalid`); local
    /// key 2 is its `keccak256` commitment, and the `agreed-pre-state` hint serves it.
    pub agreed_pre_state: Vec<u8>,
    /// Local key 3: the claimed post-state commitment.
    pub claimed_post_state: B256,
    /// Local key 4: the claimed (proposal) timestamp.
    pub claimed_timestamp: u64,
    /// Local key 6: a JSON map of rollup configs by chain id, for chains not embedded.
    pub rollup_configs: Option<Vec<u8>>,
    /// Local key 7: the L1 chain config JSON, for an L1 not embedded in the client.
    pub l1_config: Option<Vec<u8>>,
    /// Local key 8: the dependency set JSON.
    pub dependency_set: Option<Vec<u8>>,
}

impl SuperBootInputs {
    /// The agreed pre-state commitment (local key 2).
    pub fn agreed_pre_state_commitment(&self) -> B256 {
        alloy_primitives::keccak256(&self.agreed_pre_state)
    }

    /// The value of local key `key`, if the inputs have it. Key 5 (the L2 chain id) is not
    /// used in super mode and is never served.
    pub fn local(&self, key: PreimageKey) -> Option<Vec<u8>> {
        match local_index(key)? {
            1 => Some(self.l1_head.to_vec()),
            2 => Some(self.agreed_pre_state_commitment().to_vec()),
            3 => Some(self.claimed_post_state.to_vec()),
            4 => Some(self.claimed_timestamp.to_be_bytes().to_vec()),
            6 => self.rollup_configs.clone(),
            7 => self.l1_config.clone(),
            8 => self.dependency_set.clone(),
            _ => None,
        }
    }
}

impl BootInputs {
    /// The value of local key 5: the chain id, or 0 for a chain given by its rollup config.
    pub fn boot_chain_id(&self) -> u64 {
        if self.rollup_config.is_some() {
            koa_proof::boot::CUSTOM_CHAIN_ID
        } else {
            self.l2_chain_id
        }
    }
}

/// The index of a local key whose first 24 bytes (of the 32) are zero.
fn local_index(key: PreimageKey) -> Option<u64> {
    let data: &[u8] = key.key_data();
    if data[..23].iter().any(|&b| b != 0) {
        return None;
    }
    let mut index: [u8; 8] = [0; 8];
    index.copy_from_slice(&data[23..]);
    Some(u64::from_be_bytes(index))
}

/// The local inputs of a run: an output-root dispute or a super-root one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LocalInputs {
    /// kona-host `single`'s local keys.
    Single(BootInputs),
    /// kona-host `super`'s local keys.
    Super(SuperBootInputs),
}

impl LocalInputs {
    /// The value of local key `key`, if the inputs have it.
    pub fn local(&self, key: PreimageKey) -> Option<Vec<u8>> {
        match self {
            Self::Single(inputs) => inputs.local(key),
            Self::Super(inputs) => inputs.local(key),
        }
    }
}

impl From<BootInputs> for LocalInputs {
    fn from(inputs: BootInputs) -> Self {
        Self::Single(inputs)
    }
}

impl From<SuperBootInputs> for LocalInputs {
    fn from(inputs: SuperBootInputs) -> Self {
        Self::Super(inputs)
    }
}

/// Counters of a run, for progress and the final summary.
#[derive(Debug, Default)]
pub struct HostStats {
    /// Preimages served to the program.
    pub served: AtomicU64,
    /// Bytes of preimages served.
    pub served_bytes: AtomicU64,
    /// Hints received.
    pub hints: AtomicU64,
    /// Hints fetched from the nodes.
    pub hints_fetched: AtomicU64,
}

impl HostStats {
    fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Ordering::Relaxed);
    }

    /// Reads a counter.
    pub fn get(counter: &AtomicU64) -> u64 {
        counter.load(Ordering::Relaxed)
    }
}

/// What answers hints online: fetches the data a hint names into the store.
pub trait HintFetcher: Send + Sync {
    /// Fetches and stores everything `hint` names.
    fn fetch<'a>(
        &'a self,
        hint: &'a Hint,
    ) -> Pin<Box<dyn Future<Output = Result<(), OnlineError>> + Send + 'a>>;
}

impl<S: PreimageStore> HintFetcher for OnlineFetcher<S> {
    fn fetch<'a>(
        &'a self,
        hint: &'a Hint,
    ) -> Pin<Box<dyn Future<Output = Result<(), OnlineError>> + Send + 'a>> {
        Box::pin(Self::fetch(self, hint))
    }
}

/// Online fetching: the fetcher and the runtime it runs on.
pub struct Online {
    /// The fetcher (one chain's [`OnlineFetcher`], or a super-root run's fetcher over
    /// several chains).
    pub fetcher: Arc<dyn HintFetcher>,
    /// The runtime the fetches run on.
    pub runtime: tokio::runtime::Handle,
}

impl std::fmt::Debug for Online {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Online").finish_non_exhaustive()
    }
}

/// The preimage source and hint handler of a run.
#[derive(Debug)]
pub struct HostBackend<S> {
    inputs: LocalInputs,
    store: S,
    online: Option<Online>,
    last_hint: Mutex<Option<Hint>>,
    /// Commitments of blobs already checked with KZG while serving from the store.
    checked_blobs: Mutex<HashSet<[u8; 48]>>,
    /// Elements of checked blobs not yet served: served from here, the bytes the KZG check
    /// read, rather than read from the store a second time (each is taken when served).
    checked_blob_elements: Mutex<HashMap<PreimageKey, Vec<u8>>>,
    stats: Arc<HostStats>,
}

impl<S: PreimageStore> HostBackend<S> {
    /// A backend serving `inputs` (single or super mode) and the preimages in `store`,
    /// offline.
    pub fn offline(inputs: impl Into<LocalInputs>, store: S) -> Self {
        Self {
            inputs: inputs.into(),
            store,
            online: None,
            last_hint: Mutex::new(None),
            checked_blobs: Mutex::new(HashSet::new()),
            checked_blob_elements: Mutex::new(HashMap::new()),
            stats: Arc::default(),
        }
    }

    /// A backend that fetches missing preimages through `online` into `store`.
    pub fn online(inputs: impl Into<LocalInputs>, store: S, online: Online) -> Self {
        Self {
            online: Some(online),
            ..Self::offline(inputs, store)
        }
    }

    /// The run's counters.
    pub fn stats(&self) -> Arc<HostStats> {
        Arc::clone(&self.stats)
    }

    /// The store.
    pub const fn store(&self) -> &S {
        &self.store
    }

    /// Reads `key` from the store and checks it (keccak/sha256 by the store; blob elements here
    /// against their commitment, once per blob).
    fn read_store(&self, key: PreimageKey) -> Result<Option<Vec<u8>>, StoreError> {
        if key.key_type() == PreimageKeyType::Blob
            && let Some(value) = self.take_checked_blob_element(key)
        {
            return Ok(Some(value));
        }
        let Some(value) = self.store.get(key)? else {
            return Ok(None);
        };
        check_preimage(key, &value)?;
        match key.key_type() {
            PreimageKeyType::Blob => {
                self.check_blob(key)?;
                // The first element asked for of a blob: serve the bytes the check read.
                if let Some(checked) = self.take_checked_blob_element(key) {
                    return Ok(Some(checked));
                }
            }
            PreimageKeyType::Precompile => self.check_precompile(key, &value)?,
            _ => {}
        }
        Ok(Some(value))
    }

    fn take_checked_blob_element(&self, key: PreimageKey) -> Option<Vec<u8>> {
        self.checked_blob_elements
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .remove(&key)
    }

    fn check_blob(&self, key: PreimageKey) -> Result<(), StoreError> {
        let commitment: [u8; 48] = stored_blob_commitment(&self.store, key)?;
        let mut checked = self
            .checked_blobs
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if !checked.contains(&commitment) {
            let elements = verify_stored_blob(&self.store, key, &commitment)?;
            checked.insert(commitment);
            self.checked_blob_elements
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .extend(elements);
        }
        Ok(())
    }

    /// Re-runs the precompile call that `key` commits to (its payload is the keccak256
    /// preimage of the same hash) and compares the result with the stored `value`.
    fn check_precompile(&self, key: PreimageKey, value: &[u8]) -> Result<(), StoreError> {
        let invalid = |reason: String| StoreError::Corrupt(InvalidPreimage { key, reason });
        let payload_key = PreimageKey::new(key.to_bytes(), PreimageKeyType::Keccak256);
        let payload: Vec<u8> = self
            .store
            .get(payload_key)?
            .ok_or_else(|| invalid(format!("its call {payload_key} is missing")))?;
        check_preimage(payload_key, &payload)?;
        let answer = crate::precompile::answer_precompile_hint(&payload)
            .map_err(|err| invalid(format!("its call cannot be run: {err}")))?;
        if answer.result.0 != key || answer.result.1 != value {
            return Err(invalid(
                "the stored result differs from running the call".into(),
            ));
        }
        Ok(())
    }

    fn fetch_last_hint(&self, key: PreimageKey) -> Result<(), FetchError> {
        let Some(online) = &self.online else {
            return Ok(());
        };
        let hint: Option<Hint> = self
            .last_hint
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone();
        let Some(hint) = hint else {
            return Ok(());
        };
        tracing::debug!(target: "koa::host", %key, hint = %hint.encode(), "fetching");
        let fetcher = Arc::clone(&online.fetcher);
        let result = online
            .runtime
            .block_on(async move { fetcher.fetch(&hint).await });
        HostStats::add(&self.stats.hints_fetched, 1);
        result.map_err(|err| {
            FetchError::Backend(format!(
                "fetching preimage {key} failed: {}",
                ErrorChain(&err)
            ))
        })
    }
}

impl<S: PreimageStore> HostBackend<S> {
    /// The error for a key the store lacks: offline, which input it belongs to (from the hint
    /// the program sent before asking) and what to pass.
    fn missing(&self, key: PreimageKey) -> FetchError {
        if self.online.is_some() {
            return FetchError::NotFound(key);
        }
        let hint: Option<Hint> = self
            .last_hint
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone();
        let what: &str = match hint.as_ref().map(Hint::hint_type) {
            Some(HintType::StartingL2Output) => {
                "the agreed L2 output root's preimage (--agreed-l2-output-root)"
            }
            Some(HintType::L2BlockHeader) => {
                "an L2 block header (the agreed L2 head, --agreed-l2-head-hash, or an ancestor)"
            }
            Some(HintType::L1BlockHeader) => {
                "an L1 block header (the L1 head, --l1-head, or an ancestor)"
            }
            Some(HintType::L1Transactions | HintType::L1Receipts) => {
                "an L1 block's transactions or receipts"
            }
            Some(HintType::L1Blob) => "an L1 blob",
            Some(HintType::L1Precompile) => "an L1 precompile result",
            Some(_) => "the L2 state, code or transactions of a block",
            None => "a preimage asked for before any hint",
        };
        FetchError::Backend(format!(
            "no preimage for key {key} in the data directory: {what}{}. Offline, every preimage \
             comes from a data directory filled by an earlier online run of this claim: pass \
             --l1-node-address, --l2-node-address and --l1-beacon-address to fetch it",
            hint.map(|h| {
                let text: String = h.encode();
                let short: String = text.chars().take(120).collect();
                let more: &str = if short.len() < text.len() { "…" } else { "" };
                format!(", asked for after the hint `{short}{more}`")
            })
            .unwrap_or_default()
        ))
    }
}

impl<S: PreimageStore> PreimageFetcher for HostBackend<S> {
    fn get_preimage(&self, key: PreimageKey) -> Result<Vec<u8>, FetchError> {
        let value: Vec<u8> = if key.key_type() == PreimageKeyType::Local {
            self.inputs.local(key).ok_or(FetchError::NotFound(key))?
        } else {
            let stored = self
                .read_store(key)
                .map_err(|err| FetchError::Backend(ErrorChain(&err).to_string()))?;
            match stored {
                Some(value) => value,
                None => {
                    self.fetch_last_hint(key)?;
                    self.read_store(key)
                        .map_err(|err| FetchError::Backend(ErrorChain(&err).to_string()))?
                        .ok_or_else(|| self.missing(key))?
                }
            }
        };
        HostStats::add(&self.stats.served, 1);
        HostStats::add(&self.stats.served_bytes, value.len() as u64);
        Ok(value)
    }
}

impl<S: PreimageStore> HintRouter for HostBackend<S> {
    fn route_hint(&self, hint: &str) -> Result<(), FetchError> {
        HostStats::add(&self.stats.hints, 1);
        let Some(online) = &self.online else {
            // Offline, hints carry no information the store does not already have; the last
            // one names what a missing preimage was for.
            if let Ok(parsed) = Hint::parse(hint) {
                *self
                    .last_hint
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(parsed);
            }
            return Ok(());
        };
        let parsed: Hint = Hint::parse(hint)
            .map_err(|err| FetchError::UnsupportedHint(format!("{hint}: {err}")))?;
        if parsed.hint_type() == HintType::L2PayloadWitness {
            // A whole block's state in one call: fetched at once, as kona-host does.
            let fetcher = Arc::clone(&online.fetcher);
            let result = online
                .runtime
                .block_on(async move { fetcher.fetch(&parsed).await });
            HostStats::add(&self.stats.hints_fetched, 1);
            return result.map_err(|err| FetchError::Backend(ErrorChain(&err).to_string()));
        }
        *self
            .last_hint
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(parsed);
        Ok(())
    }
}
