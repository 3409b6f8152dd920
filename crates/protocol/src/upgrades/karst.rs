//! Karst's network upgrade transactions: the first fork whose upgrade is a NUT bundle.
//!
//! `specs/protocol/karst/derivation.md`, "Activation Block Rules": the 31 transactions of
//! `karst_nut_bundle.json` (embedded from `crates/protocol/upgrades/`, pinned by the `[karst]`
//! sha256 of `fork_lock.toml`) become deposits as [`super::nut`] describes: the
//! `ConditionalDeployer` deployment and upgrade, 26 implementation deployments through it, the
//! `L2ProxyAdmin` upgrade, the `L2ContractsManager` deployment and the
//! `L2ProxyAdmin.upgradePredeploys` call. The activation block's gas limit carries the bundle's
//! upgrade gas ([`upgrade_gas`]).

use alloc::vec::Vec;

use op_alloy_consensus::TxDeposit;

use super::{
    UpgradeError,
    nut::{NutBundle, bundle_gas},
};
use crate::Hardfork;

/// The Karst NUT bundle, byte for byte as the reference rollup nodes embed it.
pub const BUNDLE_JSON: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/upgrades/karst_nut_bundle.json"
));

/// The fork name qualifying the bundle's intents.
pub const INTENT_LABEL: &str = "Karst";

/// The parsed bundle.
pub fn bundle() -> Result<NutBundle, UpgradeError> {
    NutBundle::parse(Hardfork::Karst, INTENT_LABEL, BUNDLE_JSON)
}

/// The Karst activation block's upgrade deposits, in block order.
pub fn transactions() -> Result<Vec<TxDeposit>, UpgradeError> {
    bundle()?.deposits()
}

/// Karst's upgrade gas: the sum of the bundle's gas limits, added to the activation block's
/// gas limit.
pub fn upgrade_gas() -> Result<u64, UpgradeError> {
    bundle_gas(Hardfork::Karst, BUNDLE_JSON)
}
