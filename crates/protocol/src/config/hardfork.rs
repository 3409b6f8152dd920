//! The OP Stack hardforks, in activation order.

use core::fmt;

/// An OP Stack network upgrade.
///
/// Variants are ordered by activation: a later fork implies every earlier one. The
/// Sepolia-only `pectra_blob_schedule` fix is not a fork in this sequence; see
/// [`crate::RollupConfig::is_pectra_blob_schedule_active`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Hardfork {
    /// The initial OP Stack protocol.
    Bedrock,
    /// Regolith: deposit transaction gas and nonce fixes.
    Regolith,
    /// Canyon: Shanghai, EIP-1559 denominator change, deposit receipt version.
    Canyon,
    /// Delta: span batches.
    Delta,
    /// Ecotone: Cancun, blobs as a data source, new L1 info format.
    Ecotone,
    /// Fjord: RIP-7212, brotli channels, FastLZ data fee.
    Fjord,
    /// Granite: shorter channel timeout, bn256 pairing input limit.
    Granite,
    /// Holocene: strict derivation, EIP-1559 params in the system config.
    Holocene,
    /// Isthmus: Prague, operator fee, withdrawals root in the header.
    Isthmus,
    /// Jovian: minimum base fee, DA footprint, blob gas used in the header.
    Jovian,
    /// Karst.
    Karst,
    /// Interop.
    Interop,
}

impl Hardfork {
    /// Every hardfork, oldest first.
    pub const ALL: [Self; 12] = [
        Self::Bedrock,
        Self::Regolith,
        Self::Canyon,
        Self::Delta,
        Self::Ecotone,
        Self::Fjord,
        Self::Granite,
        Self::Holocene,
        Self::Isthmus,
        Self::Jovian,
        Self::Karst,
        Self::Interop,
    ];

    /// The lower-case name used in configuration keys (`<name>_time`).
    pub const fn name(self) -> &'static str {
        match self {
            Self::Bedrock => "bedrock",
            Self::Regolith => "regolith",
            Self::Canyon => "canyon",
            Self::Delta => "delta",
            Self::Ecotone => "ecotone",
            Self::Fjord => "fjord",
            Self::Granite => "granite",
            Self::Holocene => "holocene",
            Self::Isthmus => "isthmus",
            Self::Jovian => "jovian",
            Self::Karst => "karst",
            Self::Interop => "interop",
        }
    }
}

impl fmt::Display for Hardfork {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
