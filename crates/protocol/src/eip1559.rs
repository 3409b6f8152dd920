//! The EIP-1559 parameters an L2 block header's `extraData` carries.
//!
//! Before Holocene `extraData` is empty and the chain config fixes the EIP-1559 parameters.
//! From Holocene the system config governs them and every block header records the values it
//! was built with (`specs/protocol/holocene/exec-engine.md`):
//!
//! | format   | length | layout                                                          |
//! |----------|--------|-----------------------------------------------------------------|
//! | Holocene | 9      | `0x00 ‖ denominator u32 ‖ elasticity u32`                       |
//! | Jovian   | 17     | `0x01 ‖ denominator u32 ‖ elasticity u32 ‖ min base fee u64`    |
//!
//! (all big-endian). The format of a block is chosen by its own timestamp
//! ([`ExtraDataFormat::for_timestamp`]) and [`ExtraDataFormat::decode`] validates exactly as
//! op-geth's `ValidateOptimismExtraData` does: the length and version must be the format's,
//! and the denominator may only be zero when the elasticity is zero too.

use alloc::vec::Vec;
use core::fmt;

use alloy_primitives::{B64, Bytes};

use crate::RollupConfig;

/// Version byte of the Holocene `extraData`.
pub const HOLOCENE_EXTRA_DATA_VERSION: u8 = 0;

/// Version byte of the Jovian `extraData`.
pub const JOVIAN_EXTRA_DATA_VERSION: u8 = 1;

/// Length of the Holocene `extraData`: version, denominator, elasticity.
pub const HOLOCENE_EXTRA_DATA_LEN: usize = 9;

/// Length of the Jovian `extraData`: Holocene's fields and the minimum base fee.
pub const JOVIAN_EXTRA_DATA_LEN: usize = 17;

/// The Holocene EIP-1559 parameters, as the system config and the payload attributes'
/// `eip1559Params` pack them: `denominator u32 ‖ elasticity u32`, big-endian.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Eip1559Params {
    /// Base fee change denominator.
    pub denominator: u32,
    /// Elasticity multiplier.
    pub elasticity: u32,
}

impl Eip1559Params {
    /// Unpacks `denominator ‖ elasticity`.
    pub const fn from_b64(params: B64) -> Self {
        let [d0, d1, d2, d3, e0, e1, e2, e3] = params.0;
        Self {
            denominator: u32::from_be_bytes([d0, d1, d2, d3]),
            elasticity: u32::from_be_bytes([e0, e1, e2, e3]),
        }
    }

    /// Packs `denominator ‖ elasticity`.
    pub const fn to_b64(self) -> B64 {
        let [d0, d1, d2, d3] = self.denominator.to_be_bytes();
        let [e0, e1, e2, e3] = self.elasticity.to_be_bytes();
        B64::new([d0, d1, d2, d3, e0, e1, e2, e3])
    }

    /// Whether both values are zero: "use the chain config's parameters".
    pub const fn is_zero(self) -> bool {
        self.denominator == 0 && self.elasticity == 0
    }

    /// op-geth's `ValidateHolocene1559Params`: a zero denominator is only valid together with
    /// a zero elasticity.
    pub const fn validate(self) -> Result<(), ExtraDataError> {
        if self.denominator == 0 && self.elasticity != 0 {
            return Err(ExtraDataError::ZeroDenominator {
                elasticity: self.elasticity,
            });
        }
        Ok(())
    }
}

/// The values an L2 block header's `extraData` carries.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct ExtraDataParams {
    /// The EIP-1559 parameters (Holocene on; zero before).
    pub eip1559: Eip1559Params,
    /// The minimum base fee in wei (Jovian on; zero before).
    pub min_base_fee: u64,
}

/// The `extraData` format of an L2 block header.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ExtraDataFormat {
    /// Before Holocene: `extraData` is empty.
    Empty,
    /// Holocene: version 0, 9 bytes.
    Holocene,
    /// Jovian: version 1, 17 bytes.
    Jovian,
}

impl ExtraDataFormat {
    /// The format of the L2 block at `timestamp` (its own timestamp, not its child's).
    pub fn for_timestamp(rollup_config: &RollupConfig, timestamp: u64) -> Self {
        if rollup_config.is_jovian_active(timestamp) {
            Self::Jovian
        } else if rollup_config.is_holocene_active(timestamp) {
            Self::Holocene
        } else {
            Self::Empty
        }
    }

    /// The exact encoded length.
    pub const fn encoded_len(self) -> usize {
        match self {
            Self::Empty => 0,
            Self::Holocene => HOLOCENE_EXTRA_DATA_LEN,
            Self::Jovian => JOVIAN_EXTRA_DATA_LEN,
        }
    }

    /// The version byte, for the versioned formats.
    pub const fn version(self) -> Option<u8> {
        match self {
            Self::Empty => None,
            Self::Holocene => Some(HOLOCENE_EXTRA_DATA_VERSION),
            Self::Jovian => Some(JOVIAN_EXTRA_DATA_VERSION),
        }
    }

    /// Validates `extra` as op-geth's `ValidateOptimismExtraData` does and decodes it.
    ///
    /// Before Holocene `extra` must be empty and decodes to zero parameters. The Holocene
    /// format leaves the minimum base fee zero.
    pub fn decode(self, extra: &[u8]) -> Result<ExtraDataParams, ExtraDataError> {
        let Some(version) = self.version() else {
            if !extra.is_empty() {
                return Err(ExtraDataError::NotEmpty(extra.len()));
            }
            return Ok(ExtraDataParams::default());
        };
        if extra.len() != self.encoded_len() {
            return Err(ExtraDataError::Length {
                format: self,
                expected: self.encoded_len(),
                actual: extra.len(),
            });
        }
        let length_error = ExtraDataError::Length {
            format: self,
            expected: self.encoded_len(),
            actual: extra.len(),
        };
        let (found_version, fields) = extra.split_first().ok_or(length_error)?;
        if *found_version != version {
            return Err(ExtraDataError::Version {
                format: self,
                expected: version,
                actual: *found_version,
            });
        }
        let params: [u8; 8] = fields
            .get(..8)
            .and_then(|bytes| bytes.try_into().ok())
            .ok_or(length_error)?;
        let eip1559 = Eip1559Params::from_b64(B64::new(params));
        eip1559.validate()?;
        // No bytes follow in the Holocene format, exactly 8 in the Jovian one.
        let min_base_fee = fields
            .get(8..)
            .and_then(|bytes| <[u8; 8]>::try_from(bytes).ok())
            .map_or(0, u64::from_be_bytes);
        Ok(ExtraDataParams {
            eip1559,
            min_base_fee,
        })
    }

    /// Encodes `params` in this format. The Holocene format drops the minimum base fee and
    /// the pre-Holocene format is empty.
    pub fn encode(self, params: &ExtraDataParams) -> Bytes {
        let Some(version) = self.version() else {
            return Bytes::new();
        };
        let mut out = Vec::with_capacity(self.encoded_len());
        out.push(version);
        out.extend_from_slice(params.eip1559.to_b64().as_slice());
        if self == Self::Jovian {
            out.extend_from_slice(&params.min_base_fee.to_be_bytes());
        }
        debug_assert_eq!(out.len(), self.encoded_len());
        out.into()
    }
}

impl fmt::Display for ExtraDataFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Empty => "pre-Holocene",
            Self::Holocene => "Holocene",
            Self::Jovian => "Jovian",
        })
    }
}

/// An L2 block header `extraData` that is invalid for the block's fork.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ExtraDataError {
    /// Non-empty `extraData` before Holocene.
    #[error("extraData must be empty before Holocene, got {0} bytes")]
    NotEmpty(usize),
    /// The length is not the format's.
    #[error("{format} extraData must be {expected} bytes, got {actual}")]
    Length {
        /// The format the block's timestamp requires.
        format: ExtraDataFormat,
        /// The format's length.
        expected: usize,
        /// The length found.
        actual: usize,
    },
    /// The version byte is not the format's.
    #[error("{format} extraData version must be {expected}, got {actual}")]
    Version {
        /// The format the block's timestamp requires.
        format: ExtraDataFormat,
        /// The format's version byte.
        expected: u8,
        /// The version byte found.
        actual: u8,
    },
    /// A zero EIP-1559 denominator. `extraData` validation rejects it only with a non-zero
    /// elasticity; the base fee computation rejects it always.
    #[error("EIP-1559 denominator is 0 (elasticity {elasticity})")]
    ZeroDenominator {
        /// The elasticity encoded with it.
        elasticity: u32,
    },
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Hardfork;
    use alloy_primitives::{b64, hex};

    const PARAMS: ExtraDataParams = ExtraDataParams {
        eip1559: Eip1559Params {
            denominator: 250,
            elasticity: 6,
        },
        min_base_fee: 0x1234,
    };

    fn rollup(holocene: Option<u64>, jovian: Option<u64>) -> RollupConfig {
        RollupConfig {
            block_time: 2,
            holocene_time: holocene,
            isthmus_time: jovian,
            jovian_time: jovian,
            ..RollupConfig::with_forks_at_genesis(Hardfork::Granite)
        }
    }

    #[test]
    fn format_follows_the_block_timestamp() {
        let cfg = rollup(Some(100), Some(200));
        assert_eq!(
            ExtraDataFormat::for_timestamp(&cfg, 98),
            ExtraDataFormat::Empty
        );
        assert_eq!(
            ExtraDataFormat::for_timestamp(&cfg, 100),
            ExtraDataFormat::Holocene
        );
        assert_eq!(
            ExtraDataFormat::for_timestamp(&cfg, 200),
            ExtraDataFormat::Jovian
        );
        let pre = rollup(None, None);
        assert_eq!(
            ExtraDataFormat::for_timestamp(&pre, u64::MAX),
            ExtraDataFormat::Empty
        );
    }

    #[test]
    fn holocene_round_trip() {
        // OP Sepolia block 26207959's extraData (a real header, see the execution fixtures).
        let extra = hex!("00000000fa00000006");
        let decoded = ExtraDataFormat::Holocene.decode(&extra).unwrap();
        assert_eq!(
            decoded,
            ExtraDataParams {
                min_base_fee: 0,
                ..PARAMS
            }
        );
        assert_eq!(ExtraDataFormat::Holocene.encode(&PARAMS).as_ref(), &extra);
    }

    #[test]
    fn jovian_round_trip() {
        let extra = hex!("01000000fa000000060000000000001234");
        assert_eq!(ExtraDataFormat::Jovian.decode(&extra), Ok(PARAMS));
        assert_eq!(ExtraDataFormat::Jovian.encode(&PARAMS).as_ref(), &extra);
    }

    #[test]
    fn pre_holocene_must_be_empty() {
        assert_eq!(
            ExtraDataFormat::Empty.decode(&[]),
            Ok(ExtraDataParams::default())
        );
        assert_eq!(
            ExtraDataFormat::Empty.decode(&[0]),
            Err(ExtraDataError::NotEmpty(1))
        );
        assert!(ExtraDataFormat::Empty.encode(&PARAMS).is_empty());
    }

    #[test]
    fn wrong_length_is_rejected() {
        let jovian = hex!("01000000fa000000060000000000001234");
        let holocene = hex!("00000000fa00000006");
        assert_eq!(
            ExtraDataFormat::Holocene.decode(&jovian),
            Err(ExtraDataError::Length {
                format: ExtraDataFormat::Holocene,
                expected: 9,
                actual: 17
            })
        );
        assert_eq!(
            ExtraDataFormat::Jovian.decode(&holocene),
            Err(ExtraDataError::Length {
                format: ExtraDataFormat::Jovian,
                expected: 17,
                actual: 9
            })
        );
        assert_eq!(
            ExtraDataFormat::Holocene.decode(&[]),
            Err(ExtraDataError::Length {
                format: ExtraDataFormat::Holocene,
                expected: 9,
                actual: 0
            })
        );
    }

    #[test]
    fn wrong_version_is_rejected() {
        assert_eq!(
            ExtraDataFormat::Holocene.decode(&hex!("01000000fa00000006")),
            Err(ExtraDataError::Version {
                format: ExtraDataFormat::Holocene,
                expected: 0,
                actual: 1
            })
        );
        assert_eq!(
            ExtraDataFormat::Jovian.decode(&hex!("00000000fa000000060000000000001234")),
            Err(ExtraDataError::Version {
                format: ExtraDataFormat::Jovian,
                expected: 1,
                actual: 0
            })
        );
    }

    #[test]
    fn zero_denominator_needs_zero_elasticity() {
        assert_eq!(
            ExtraDataFormat::Holocene.decode(&hex!("000000000000000006")),
            Err(ExtraDataError::ZeroDenominator { elasticity: 6 })
        );
        assert_eq!(
            ExtraDataFormat::Jovian.decode(&hex!("010000000000000006000000000000000a")),
            Err(ExtraDataError::ZeroDenominator { elasticity: 6 })
        );
        // Both zero passes op-geth's extraData validation.
        assert_eq!(
            ExtraDataFormat::Holocene.decode(&[0u8; 9]),
            Ok(ExtraDataParams::default())
        );
        // A zero elasticity with a non-zero denominator is valid too.
        assert_eq!(
            ExtraDataFormat::Holocene
                .decode(&hex!("00000000fa00000000"))
                .map(|p| p.eip1559),
            Ok(Eip1559Params {
                denominator: 250,
                elasticity: 0
            })
        );
    }

    #[test]
    fn packed_params_round_trip() {
        let packed = b64!("000000fa00000006");
        let params = Eip1559Params::from_b64(packed);
        assert_eq!(params, PARAMS.eip1559);
        assert_eq!(params.to_b64(), packed);
        assert!(!params.is_zero());
        assert!(Eip1559Params::default().is_zero());
    }
}
