//! The dependency set: the chains of an interop cluster (`specs/interop/dependency-set.md`).

use alloc::{collections::BTreeMap, string::String, vec::Vec};
use serde::{Deserialize, Serialize};

/// The expiry window of an initiating message when the set does not override it: 7 days
/// (`specs/interop/messaging.md`, "Message Expiry Invariant").
pub const DEFAULT_MESSAGE_EXPIRY_WINDOW: u64 = 7 * 24 * 60 * 60;

/// One chain's entry. op-supervisor's static config (2024) wrote `chainIndex`,
/// `activationTime` and `historyMinTime`; later op-node and kona write an empty object. All
/// three are optional here and unknown fields are ignored, so both shapes read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChainDependency {
    /// op-supervisor's short index of the chain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chain_index: Option<u32>,
    /// The timestamp from which the chain is in the set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub activation_time: Option<u64>,
    /// The oldest timestamp of the chain's data kept for initiating messages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub history_min_time: Option<u64>,
}

/// The dependency set's JSON: `{"dependencies": {"<chain id>": {…}, …},
/// "overrideMessageExpiryWindow": n}`, chain ids as decimal strings (Go's `ChainID` text form).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DependencySet {
    /// Every chain of the set, by chain id (ascending).
    pub dependencies: BTreeMap<u64, ChainDependency>,
    /// A message expiry window replacing the default (0 or absent: the default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub override_message_expiry_window: Option<u64>,
}

/// A dependency set JSON that does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DependencySetError {
    /// Not the JSON shape above.
    #[error("dependency set JSON: {0}")]
    Json(String),
    /// The set names no chain.
    #[error("dependency set names no chain")]
    Empty,
}

impl DependencySet {
    /// Parses the JSON, which must name at least one chain.
    pub fn from_json(json: &str) -> Result<Self, DependencySetError> {
        let set: Self = serde_json::from_str(json)
            .map_err(|e| DependencySetError::Json(alloc::format!("{e}")))?;
        if set.dependencies.is_empty() {
            return Err(DependencySetError::Empty);
        }
        Ok(set)
    }

    /// The JSON, in the shape [`DependencySet::from_json`] reads.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a map of integers and options serialises")
    }

    /// The chain ids, ascending (the order of a super root's output roots).
    pub fn chain_ids(&self) -> Vec<u64> {
        self.dependencies.keys().copied().collect()
    }

    /// Whether `chain_id` is in the set.
    pub fn contains(&self, chain_id: u64) -> bool {
        self.dependencies.contains_key(&chain_id)
    }

    /// The message expiry window in seconds.
    pub fn message_expiry_window(&self) -> u64 {
        match self.override_message_expiry_window {
            Some(window) if window > 0 => window,
            _ => DEFAULT_MESSAGE_EXPIRY_WINDOW,
        }
    }
}
