//! The L2 system configuration that L1 governs through the `SystemConfig` contract.

use alloy_primitives::{Address, B64, B256};

use crate::eip1559::Eip1559Params;

use serde::{Deserialize, Serialize};

/// The system configuration derivation tracks from L1.
///
/// Its initial value is the rollup config's genesis system config; `ConfigUpdate` logs
/// emitted by the L1 `SystemConfig` contract change it. The layout and JSON names mirror
/// op-node's `eth.SystemConfig` (`genesis.system_config` in `rollup.json`): values that
/// later forks added are plain fields that stay zero until an update sets them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SystemConfig {
    /// The batch sender: only its transactions to the batch inbox count.
    #[serde(rename = "batcherAddr")]
    pub batcher_address: Address,
    /// The pre-Ecotone L1 fee overhead. Unused from Ecotone on.
    pub overhead: B256,
    /// The L1 fee scalar. Before Ecotone a plain number; from Ecotone a versioned word
    /// that packs the base fee scalar and the blob base fee scalar.
    pub scalar: B256,
    /// The L2 block gas limit.
    pub gas_limit: u64,
    /// Holocene EIP-1559 parameters: denominator (high 4 bytes) and elasticity (low 4
    /// bytes). Zero means the chain's configured defaults apply.
    #[serde(default, rename = "eip1559Params")]
    pub eip1559_params: B64,
    /// Isthmus operator fee parameters: the scalar (`u32`) and constant (`u64`) packed in
    /// the low 12 bytes, as the `OPERATOR_FEE_PARAMS` config update sets them.
    #[serde(default)]
    pub operator_fee_params: B256,
    /// Jovian minimum base fee (wei).
    #[serde(default)]
    pub min_base_fee: u64,
    /// Jovian DA footprint gas scalar.
    #[serde(default)]
    pub da_footprint_gas_scalar: u16,
}

/// Scalar-version byte of a pre-Ecotone style scalar word (a plain `uint32` base fee scalar).
pub const L1_SCALAR_VERSION_BEDROCK: u8 = 0;

/// Scalar-version byte of the Ecotone scalar word (base fee and blob base fee scalars).
pub const L1_SCALAR_VERSION_ECOTONE: u8 = 1;

/// The default DA footprint gas scalar the Jovian L1 attributes carry while the system
/// config's value is zero (`specs/protocol/jovian/l1-attributes.md`).
pub const DEFAULT_DA_FOOTPRINT_GAS_SCALAR: u16 = 400;

/// The L1 fee scalars from Ecotone on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct EcotoneScalars {
    /// Scales the L1 base fee.
    pub base_fee_scalar: u32,
    /// Scales the L1 blob base fee.
    pub blob_base_fee_scalar: u32,
}

impl EcotoneScalars {
    /// The versioned scalar word (version 1) that carries these scalars:
    /// `0x01 ++ zeros ++ blob_base_fee_scalar (bytes 24..28) ++ base_fee_scalar (bytes 28..32)`.
    pub fn to_scalar_word(self) -> B256 {
        let mut word = [0u8; 32];
        word[0] = L1_SCALAR_VERSION_ECOTONE;
        word[24..28].copy_from_slice(&self.blob_base_fee_scalar.to_be_bytes());
        word[28..32].copy_from_slice(&self.base_fee_scalar.to_be_bytes());
        B256::new(word)
    }
}

/// A scalar word that is not a valid Ecotone scalar encoding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ScalarError {
    /// The version byte is neither 0 nor 1.
    #[error("unknown L1 scalar version {0}")]
    UnknownVersion(u8),
    /// A version 0 word with non-zero bytes in `[1, 28)`.
    #[error("version 0 L1 scalar has non-zero padding")]
    Version0Padding,
    /// A version 1 word with non-zero bytes in `[1, 24)`.
    #[error("version 1 L1 scalar has non-zero padding")]
    Version1Padding,
}

/// Checks a scalar word against the versioned encoding of
/// `specs/protocol/system-config.md#post-ecotone-scalar-encoding`.
pub fn check_ecotone_scalar(word: &B256) -> Result<(), ScalarError> {
    let bytes = word.as_slice();
    let padding_is_zero = |range: core::ops::Range<usize>| bytes[range].iter().all(|b| *b == 0);
    match bytes[0] {
        L1_SCALAR_VERSION_BEDROCK if padding_is_zero(1..28) => Ok(()),
        L1_SCALAR_VERSION_BEDROCK => Err(ScalarError::Version0Padding),
        L1_SCALAR_VERSION_ECOTONE if padding_is_zero(1..24) => Ok(()),
        L1_SCALAR_VERSION_ECOTONE => Err(ScalarError::Version1Padding),
        version => Err(ScalarError::UnknownVersion(version)),
    }
}

/// Packs the Isthmus operator fee parameters as [`SystemConfig::operator_fee_params`] holds
/// them (and as the `OPERATOR_FEE_PARAMS` config update sets them): `scalar` in bytes
/// `[20, 24)`, `constant` in bytes `[24, 32)`, big-endian, the rest zero.
pub fn encode_operator_fee_params(scalar: u32, constant: u64) -> B256 {
    let mut word = [0u8; 32];
    word[20..24].copy_from_slice(&scalar.to_be_bytes());
    word[24..32].copy_from_slice(&constant.to_be_bytes());
    B256::new(word)
}

/// Reads the big-endian `u32` at `bytes[at..at + 4]` of a word.
fn word_u32(word: &[u8; 32], at: usize) -> u32 {
    u32::from_be_bytes([word[at], word[at + 1], word[at + 2], word[at + 3]])
}

impl SystemConfig {
    /// The batcher hash the L1 attributes carry: the version 0 hash, `bytes32(batcher)`.
    pub fn batcher_hash(&self) -> B256 {
        self.batcher_address.into_word()
    }

    /// The Ecotone L1 fee scalars encoded in [`Self::scalar`].
    ///
    /// A version 0 word gives its low 4 bytes as the base fee scalar and no blob scalar; if its
    /// padding is not zero the base fee scalar is `u32::MAX`, as the spec mandates. A version 1
    /// word gives both scalars. Other versions are an error (op-node fails the same way).
    pub fn ecotone_scalars(&self) -> Result<EcotoneScalars, ScalarError> {
        let word = &self.scalar.0;
        match check_ecotone_scalar(&self.scalar) {
            Ok(()) if word[0] == L1_SCALAR_VERSION_ECOTONE => Ok(EcotoneScalars {
                base_fee_scalar: word_u32(word, 28),
                blob_base_fee_scalar: word_u32(word, 24),
            }),
            Ok(()) => Ok(EcotoneScalars {
                base_fee_scalar: word_u32(word, 28),
                blob_base_fee_scalar: 0,
            }),
            Err(ScalarError::Version0Padding) => Ok(EcotoneScalars {
                base_fee_scalar: u32::MAX,
                blob_base_fee_scalar: 0,
            }),
            Err(err) => Err(err),
        }
    }

    /// The Holocene EIP-1559 parameters, unpacked from [`Self::eip1559_params`] (zero while
    /// unset).
    pub const fn eip1559(&self) -> Eip1559Params {
        Eip1559Params::from_b64(self.eip1559_params)
    }

    /// The Holocene EIP-1559 denominator (0 while unset).
    pub const fn eip1559_denominator(&self) -> u32 {
        self.eip1559().denominator
    }

    /// The Holocene EIP-1559 elasticity (0 while unset).
    pub const fn eip1559_elasticity(&self) -> u32 {
        self.eip1559().elasticity
    }

    /// The Isthmus operator fee scalar: bytes `[20, 24)` of [`Self::operator_fee_params`].
    pub fn operator_fee_scalar(&self) -> u32 {
        word_u32(&self.operator_fee_params.0, 20)
    }

    /// The Isthmus operator fee constant: bytes `[24, 32)` of [`Self::operator_fee_params`].
    pub fn operator_fee_constant(&self) -> u64 {
        let word = &self.operator_fee_params.0;
        u64::from(word_u32(word, 24)) << 32 | u64::from(word_u32(word, 28))
    }

    /// The DA footprint gas scalar the Jovian L1 attributes carry: the configured value, or
    /// [`DEFAULT_DA_FOOTPRINT_GAS_SCALAR`] while it is zero.
    pub fn effective_da_footprint_gas_scalar(&self) -> u16 {
        match self.da_footprint_gas_scalar {
            0 => DEFAULT_DA_FOOTPRINT_GAS_SCALAR,
            scalar => scalar,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::{b64, b256};

    #[test]
    fn ecotone_scalar_word_round_trips() {
        let scalars = EcotoneScalars {
            base_fee_scalar: 5227,
            blob_base_fee_scalar: 1_014_213,
        };
        let word = scalars.to_scalar_word();
        assert_eq!(
            word,
            b256!("010000000000000000000000000000000000000000000000000f79c50000146b")
        );
        let cfg = SystemConfig {
            scalar: word,
            ..Default::default()
        };
        assert_eq!(cfg.ecotone_scalars(), Ok(scalars));
    }

    #[test]
    fn version_0_scalar_is_base_fee_scalar_only() {
        // OP Mainnet's pre-Ecotone genesis scalar, 684000.
        let cfg = SystemConfig {
            scalar: b256!("00000000000000000000000000000000000000000000000000000000000a6fe0"),
            ..Default::default()
        };
        assert_eq!(
            cfg.ecotone_scalars(),
            Ok(EcotoneScalars {
                base_fee_scalar: 684_000,
                blob_base_fee_scalar: 0
            })
        );
    }

    #[test]
    fn version_0_scalar_with_padding_saturates() {
        let cfg = SystemConfig {
            scalar: b256!("0000000000000000000000000000000000000000000000000000000100000000"),
            ..Default::default()
        };
        assert_eq!(
            cfg.ecotone_scalars(),
            Ok(EcotoneScalars {
                base_fee_scalar: u32::MAX,
                blob_base_fee_scalar: 0
            })
        );
    }

    #[test]
    fn invalid_scalar_versions_are_errors() {
        let mut scalar = B256::ZERO;
        scalar.0[0] = 2;
        let cfg = SystemConfig {
            scalar,
            ..Default::default()
        };
        assert_eq!(cfg.ecotone_scalars(), Err(ScalarError::UnknownVersion(2)));
        scalar.0[0] = 1;
        scalar.0[23] = 1;
        assert_eq!(
            check_ecotone_scalar(&scalar),
            Err(ScalarError::Version1Padding)
        );
    }

    #[test]
    fn packed_parameter_accessors() {
        let cfg = SystemConfig {
            eip1559_params: b64!("000000fa00000006"),
            // uint256(scalar) << 64 | constant
            operator_fee_params: b256!(
                "0000000000000000000000000000000000000000000012340000000000abcdef"
            ),
            ..Default::default()
        };
        assert_eq!(cfg.eip1559_denominator(), 250);
        assert_eq!(cfg.eip1559_elasticity(), 6);
        assert_eq!(cfg.operator_fee_scalar(), 0x1234);
        assert_eq!(cfg.operator_fee_constant(), 0xabcdef);
        assert_eq!(
            encode_operator_fee_params(0x1234, 0xabcdef),
            cfg.operator_fee_params
        );
        let word = encode_operator_fee_params(u32::MAX - 1, u64::MAX - 2);
        let unpacked = SystemConfig {
            operator_fee_params: word,
            ..Default::default()
        };
        assert_eq!(unpacked.operator_fee_scalar(), u32::MAX - 1);
        assert_eq!(unpacked.operator_fee_constant(), u64::MAX - 2);
        assert!(word[..20].iter().all(|b| *b == 0));
        assert_eq!(
            cfg.effective_da_footprint_gas_scalar(),
            DEFAULT_DA_FOOTPRINT_GAS_SCALAR
        );
        let cfg = SystemConfig {
            da_footprint_gas_scalar: 7,
            ..cfg
        };
        assert_eq!(cfg.effective_da_footprint_gas_scalar(), 7);
    }
}
