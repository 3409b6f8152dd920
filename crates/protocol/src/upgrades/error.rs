//! Why upgrade transactions could not be produced.

use alloc::string::String;

use crate::Hardfork;

/// An embedded network upgrade bundle that cannot be turned into deposits, or a block gas
/// limit inconsistent with its fork's upgrade gas.
///
/// The bundles are compiled in and checked by tests, so the bundle variants signal a broken
/// build rather than bad chain data; they are errors, not panics, so that the fault proof
/// program fails cleanly instead of aborting.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum UpgradeError {
    /// The bundle is not JSON of the NUT bundle schema.
    #[error("the {fork} NUT bundle does not decode: {message}")]
    BundleDecode {
        /// The fork whose bundle failed.
        fork: Hardfork,
        /// The JSON decoder's message.
        message: String,
    },
    /// The bundle declares a schema version this implementation does not know.
    #[error("the {fork} NUT bundle has version {found:?}; only {expected:?} is supported")]
    BundleVersion {
        /// The fork whose bundle failed.
        fork: Hardfork,
        /// The version the bundle declares.
        found: String,
        /// The one supported version.
        expected: &'static str,
    },
    /// A bundle transaction has an empty intent, so it has no source hash.
    #[error("the {fork} NUT bundle's transaction {index} has no intent")]
    MissingIntent {
        /// The fork whose bundle failed.
        fork: Hardfork,
        /// The transaction's position in the bundle.
        index: usize,
    },
    /// The bundle's gas limits sum past `u64::MAX`.
    #[error("the {fork} NUT bundle's gas limits overflow a u64")]
    GasOverflow {
        /// The fork whose bundle failed.
        fork: Hardfork,
    },
    /// An activation block's gas limit is smaller than the upgrade gas it must include.
    #[error(
        "the {fork} activation block's gas limit {gas_limit} is below its upgrade gas {upgrade_gas}"
    )]
    GasLimitBelowUpgradeGas {
        /// The fork activated by the block.
        fork: Hardfork,
        /// The block's header gas limit.
        gas_limit: u64,
        /// The upgrade gas the block's gas limit includes.
        upgrade_gas: u64,
    },
}
