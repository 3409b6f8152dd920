//! The L1 attributes deposit: the first transaction of every L2 block, which writes the L1
//! origin's values into the `L1Block` predeploy.
//!
//! Four calldata formats exist (Bedrock, Ecotone, Isthmus, Jovian). The format of an L2 block
//! is chosen by its **timestamp**: a fork's format is used from the block *after* the fork's
//! activation block, because the activation block's own L1 attributes transaction runs before
//! the upgrade transactions that install the new `L1Block` code. So the first Ecotone block
//! still uses the Bedrock format, the first Isthmus block the Ecotone format, and the first
//! Jovian block the Isthmus format (see each fork's `l1-attributes.md`). Karst does not change
//! the L1 attributes.

mod bedrock;
mod packed;

use alloc::vec::Vec;

use alloy_consensus::Header;
use alloy_eips::eip1898::BlockNumHash;
use alloy_primitives::{Address, B256, Bytes, TxKind, U256};
use op_alloy_consensus::TxDeposit;

pub use bedrock::L1BlockInfoBedrock;
pub use packed::{L1BlockInfoEcotone, L1BlockInfoIsthmus, L1BlockInfoJovian};

use crate::{
    L1ChainConfig, RollupConfig, SystemConfig,
    config::{EcotoneScalars, ScalarError},
    deposits::source_hash,
    l1_chain::l1_blob_base_fee,
    predeploys::{L1_ATTRIBUTES_DEPOSITOR, L1_BLOCK},
};

/// Gas limit of the L1 attributes deposit from Regolith on.
pub const REGOLITH_SYSTEM_TX_GAS: u64 = 1_000_000;

/// Gas limit of the L1 attributes deposit before Regolith (a system transaction then).
pub const PRE_REGOLITH_SYSTEM_TX_GAS: u64 = 150_000_000;

/// A calldata format of the L1 attributes transaction.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum L1InfoFormat {
    /// `setL1BlockValues(uint64,uint64,uint256,bytes32,uint64,bytes32,uint256,uint256)`.
    Bedrock,
    /// `setL1BlockValuesEcotone()`, packed.
    Ecotone,
    /// `setL1BlockValuesIsthmus()`, packed, adds the operator fee parameters.
    Isthmus,
    /// `setL1BlockValuesJovian()`, packed, adds the DA footprint gas scalar.
    Jovian,
}

impl L1InfoFormat {
    /// Every format, oldest first.
    pub const ALL: [Self; 4] = [Self::Bedrock, Self::Ecotone, Self::Isthmus, Self::Jovian];

    /// The function selector that starts the calldata.
    pub const fn selector(self) -> [u8; 4] {
        match self {
            Self::Bedrock => [0x01, 0x5d, 0x8e, 0xb9],
            Self::Ecotone => [0x44, 0x0a, 0x5e, 0x20],
            Self::Isthmus => [0x09, 0x89, 0x99, 0xbe],
            Self::Jovian => [0x3d, 0xb6, 0xbe, 0x2b],
        }
    }

    /// The exact calldata length, selector included.
    pub const fn calldata_len(self) -> usize {
        match self {
            Self::Bedrock => 4 + 8 * 32,
            Self::Ecotone => 164,
            Self::Isthmus => 176,
            Self::Jovian => 178,
        }
    }

    /// The format whose selector starts `data`, if any.
    pub fn from_selector(selector: [u8; 4]) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|format| format.selector() == selector)
    }

    /// The format of the L2 block at `l2_timestamp`: each fork's format applies from the block
    /// after its activation block.
    pub fn for_l2_timestamp(rollup_config: &RollupConfig, l2_timestamp: u64) -> Self {
        let active_after_first = |active: bool, first: bool| active && !first;
        if active_after_first(
            rollup_config.is_jovian_active(l2_timestamp),
            rollup_config.is_first_jovian_block(l2_timestamp),
        ) {
            Self::Jovian
        } else if active_after_first(
            rollup_config.is_isthmus_active(l2_timestamp),
            rollup_config.is_first_isthmus_block(l2_timestamp),
        ) {
            Self::Isthmus
        } else if active_after_first(
            rollup_config.is_ecotone_active(l2_timestamp),
            rollup_config.is_first_ecotone_block(l2_timestamp),
        ) {
            Self::Ecotone
        } else {
            Self::Bedrock
        }
    }
}

/// L1 attributes calldata that cannot be decoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum L1InfoDecodeError {
    /// Shorter than a function selector.
    #[error("L1 info calldata too short for a selector: {0} bytes")]
    MissingSelector(usize),
    /// The selector is not an L1 attributes function.
    #[error("unknown L1 info selector 0x{:02x}{:02x}{:02x}{:02x}", .0[0], .0[1], .0[2], .0[3])]
    UnknownSelector([u8; 4]),
    /// The calldata length is not the format's.
    #[error("{format:?} L1 info calldata is {actual} bytes, expected {expected}")]
    Length {
        /// The format named by the selector.
        format: L1InfoFormat,
        /// The format's length.
        expected: usize,
        /// The calldata's length.
        actual: usize,
    },
    /// A Bedrock `uint64` word has non-zero high bytes.
    #[error("L1 info field {0} has non-zero padding")]
    NonZeroPadding(&'static str),
    /// The calldata is valid but in another format than the L2 block's timestamp requires.
    #[error("expected {expected:?} L1 info at this L2 timestamp, found {actual:?}")]
    UnexpectedFormat {
        /// The format the L2 timestamp requires.
        expected: L1InfoFormat,
        /// The format found.
        actual: L1InfoFormat,
    },
}

/// The L1 attributes transaction cannot be built.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum L1InfoBuildError {
    /// The system config's scalar is not a valid Ecotone scalar encoding.
    #[error("system config scalar")]
    Scalar(#[from] ScalarError),
    /// The L1 header has no base fee (pre-London L1 blocks are not supported).
    #[error("L1 header has no base fee")]
    MissingBaseFee,
}

/// The L1 origin values the L1 attributes carry.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct L1BlockValues {
    /// Block number.
    pub number: u64,
    /// Block hash.
    pub hash: B256,
    /// Block timestamp.
    pub timestamp: u64,
    /// Base fee per gas.
    pub base_fee: U256,
    /// Blob base fee; ignored by the Bedrock format.
    pub blob_base_fee: U256,
}

impl L1BlockValues {
    /// Takes the values from an L1 header, its hash, and the blob base fee derived from it
    /// (see [`crate::l1_blob_base_fee`]).
    pub fn from_header(
        header: &Header,
        hash: B256,
        blob_base_fee: u128,
    ) -> Result<Self, L1InfoBuildError> {
        let base_fee = header
            .base_fee_per_gas
            .ok_or(L1InfoBuildError::MissingBaseFee)?;
        Ok(Self {
            number: header.number,
            hash,
            timestamp: header.timestamp,
            base_fee: U256::from(base_fee),
            blob_base_fee: U256::from(blob_base_fee),
        })
    }
}

/// Reads a field every format has, under the same name.
macro_rules! common_field {
    ($info:expr, $field:ident) => {
        match $info {
            Self::Bedrock(info) => info.$field,
            Self::Ecotone(info) => info.$field,
            Self::Isthmus(info) => info.ecotone.$field,
            Self::Jovian(info) => info.isthmus.ecotone.$field,
        }
    };
}

/// The decoded L1 attributes of an L2 block, in one of the four formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum L1BlockInfoTx {
    /// Bedrock format.
    Bedrock(L1BlockInfoBedrock),
    /// Ecotone format.
    Ecotone(L1BlockInfoEcotone),
    /// Isthmus format.
    Isthmus(L1BlockInfoIsthmus),
    /// Jovian format.
    Jovian(L1BlockInfoJovian),
}

impl L1BlockInfoTx {
    /// Builds the L1 attributes of the L2 block at `l2_timestamp` with position
    /// `sequence_number` in the epoch of `l1`, under `system_config` (the config as of that
    /// L1 block). The format follows [`L1InfoFormat::for_l2_timestamp`].
    pub fn try_new(
        rollup_config: &RollupConfig,
        system_config: &SystemConfig,
        sequence_number: u64,
        l1: &L1BlockValues,
        l2_timestamp: u64,
    ) -> Result<Self, L1InfoBuildError> {
        let format = L1InfoFormat::for_l2_timestamp(rollup_config, l2_timestamp);
        if format == L1InfoFormat::Bedrock {
            return Ok(Self::Bedrock(L1BlockInfoBedrock {
                number: l1.number,
                timestamp: l1.timestamp,
                base_fee: l1.base_fee,
                block_hash: l1.hash,
                sequence_number,
                batcher_hash: system_config.batcher_hash(),
                l1_fee_overhead: system_config.overhead.into(),
                l1_fee_scalar: system_config.scalar.into(),
            }));
        }
        let EcotoneScalars {
            base_fee_scalar,
            blob_base_fee_scalar,
        } = system_config.ecotone_scalars()?;
        let ecotone = L1BlockInfoEcotone {
            base_fee_scalar,
            blob_base_fee_scalar,
            sequence_number,
            timestamp: l1.timestamp,
            number: l1.number,
            base_fee: l1.base_fee,
            blob_base_fee: l1.blob_base_fee,
            block_hash: l1.hash,
            batcher_hash: system_config.batcher_hash(),
        };
        let isthmus = L1BlockInfoIsthmus {
            ecotone,
            operator_fee_scalar: system_config.operator_fee_scalar(),
            operator_fee_constant: system_config.operator_fee_constant(),
        };
        Ok(match format {
            L1InfoFormat::Bedrock | L1InfoFormat::Ecotone => Self::Ecotone(ecotone),
            L1InfoFormat::Isthmus => Self::Isthmus(isthmus),
            L1InfoFormat::Jovian => Self::Jovian(L1BlockInfoJovian {
                isthmus,
                da_footprint_gas_scalar: system_config.effective_da_footprint_gas_scalar(),
            }),
        })
    }

    /// [`Self::try_new`] from an L1 header and its hash, deriving the blob base fee from the
    /// header's excess blob gas under `l1_chain_config`'s blob schedule.
    #[allow(clippy::too_many_arguments)]
    pub fn try_from_l1_header(
        rollup_config: &RollupConfig,
        l1_chain_config: &L1ChainConfig,
        system_config: &SystemConfig,
        sequence_number: u64,
        l1_header: &Header,
        l1_hash: B256,
        l2_timestamp: u64,
    ) -> Result<Self, L1InfoBuildError> {
        let blob_base_fee = l1_blob_base_fee(rollup_config, l1_chain_config, l1_header);
        let l1 = L1BlockValues::from_header(l1_header, l1_hash, blob_base_fee)?;
        Self::try_new(
            rollup_config,
            system_config,
            sequence_number,
            &l1,
            l2_timestamp,
        )
    }

    /// Decodes calldata in whichever format its selector names.
    pub fn decode_calldata(data: &[u8]) -> Result<Self, L1InfoDecodeError> {
        let selector: [u8; 4] = data
            .get(..4)
            .and_then(|s| s.try_into().ok())
            .ok_or(L1InfoDecodeError::MissingSelector(data.len()))?;
        let format = L1InfoFormat::from_selector(selector)
            .ok_or(L1InfoDecodeError::UnknownSelector(selector))?;
        if data.len() != format.calldata_len() {
            return Err(L1InfoDecodeError::Length {
                format,
                expected: format.calldata_len(),
                actual: data.len(),
            });
        }
        Ok(match format {
            L1InfoFormat::Bedrock => Self::Bedrock(L1BlockInfoBedrock::decode(data)?),
            L1InfoFormat::Ecotone => Self::Ecotone(L1BlockInfoEcotone::decode(data)),
            L1InfoFormat::Isthmus => Self::Isthmus(L1BlockInfoIsthmus::decode(data)),
            L1InfoFormat::Jovian => Self::Jovian(L1BlockInfoJovian::decode(data)),
        })
    }

    /// Decodes the calldata of the L2 block at `l2_timestamp`, which must be in the format
    /// that timestamp requires (as op-node reads it).
    pub fn decode_for_timestamp(
        rollup_config: &RollupConfig,
        l2_timestamp: u64,
        data: &[u8],
    ) -> Result<Self, L1InfoDecodeError> {
        let info = Self::decode_calldata(data)?;
        let expected = L1InfoFormat::for_l2_timestamp(rollup_config, l2_timestamp);
        if info.format() != expected {
            return Err(L1InfoDecodeError::UnexpectedFormat {
                expected,
                actual: info.format(),
            });
        }
        Ok(info)
    }

    /// The calldata, selector included.
    pub fn encode_calldata(&self) -> Bytes {
        let mut out = Vec::with_capacity(self.format().calldata_len());
        match self {
            Self::Bedrock(info) => info.encode_into(&mut out),
            Self::Ecotone(info) => info.encode_into(L1InfoFormat::Ecotone.selector(), &mut out),
            Self::Isthmus(info) => info.encode_into(L1InfoFormat::Isthmus.selector(), &mut out),
            Self::Jovian(info) => info.encode_into(&mut out),
        }
        debug_assert_eq!(out.len(), self.format().calldata_len());
        out.into()
    }

    /// The deposit transaction that carries these attributes in the L2 block at `l2_timestamp`.
    pub fn to_deposit_tx(&self, rollup_config: &RollupConfig, l2_timestamp: u64) -> TxDeposit {
        let regolith = rollup_config.is_regolith_active(l2_timestamp);
        TxDeposit {
            source_hash: source_hash::l1_info_deposit(self.block_hash(), self.sequence_number()),
            from: L1_ATTRIBUTES_DEPOSITOR,
            to: TxKind::Call(L1_BLOCK),
            mint: 0,
            value: U256::ZERO,
            gas_limit: if regolith {
                REGOLITH_SYSTEM_TX_GAS
            } else {
                PRE_REGOLITH_SYSTEM_TX_GAS
            },
            is_system_transaction: !regolith,
            input: self.encode_calldata(),
        }
    }

    /// The calldata format.
    pub const fn format(&self) -> L1InfoFormat {
        match self {
            Self::Bedrock(_) => L1InfoFormat::Bedrock,
            Self::Ecotone(_) => L1InfoFormat::Ecotone,
            Self::Isthmus(_) => L1InfoFormat::Isthmus,
            Self::Jovian(_) => L1InfoFormat::Jovian,
        }
    }

    /// The Ecotone-layout values, for every format but Bedrock.
    pub const fn ecotone(&self) -> Option<&L1BlockInfoEcotone> {
        match self {
            Self::Bedrock(_) => None,
            Self::Ecotone(info) => Some(info),
            Self::Isthmus(info) => Some(&info.ecotone),
            Self::Jovian(info) => Some(&info.isthmus.ecotone),
        }
    }

    /// The Isthmus-layout values, for the Isthmus and Jovian formats.
    pub const fn isthmus(&self) -> Option<&L1BlockInfoIsthmus> {
        match self {
            Self::Isthmus(info) => Some(info),
            Self::Jovian(info) => Some(&info.isthmus),
            Self::Bedrock(_) | Self::Ecotone(_) => None,
        }
    }

    /// The L1 origin block number.
    pub const fn block_number(&self) -> u64 {
        common_field!(self, number)
    }

    /// The L1 origin block hash.
    pub const fn block_hash(&self) -> B256 {
        common_field!(self, block_hash)
    }

    /// The L1 origin as a number and hash.
    pub const fn l1_origin(&self) -> BlockNumHash {
        BlockNumHash {
            number: self.block_number(),
            hash: self.block_hash(),
        }
    }

    /// The L1 origin timestamp.
    pub const fn timestamp(&self) -> u64 {
        common_field!(self, timestamp)
    }

    /// The L1 origin base fee.
    pub const fn base_fee(&self) -> U256 {
        common_field!(self, base_fee)
    }

    /// The L1 origin blob base fee (not carried by the Bedrock format).
    pub fn blob_base_fee(&self) -> Option<U256> {
        self.ecotone().map(|info| info.blob_base_fee)
    }

    /// The L2 block's position in its epoch.
    pub const fn sequence_number(&self) -> u64 {
        common_field!(self, sequence_number)
    }

    /// The versioned batcher hash.
    pub const fn batcher_hash(&self) -> B256 {
        common_field!(self, batcher_hash)
    }

    /// The batcher address of a version 0 batcher hash.
    pub fn batcher_address(&self) -> Address {
        Address::from_word(self.batcher_hash())
    }

    /// The Ecotone fee scalars (not carried by the Bedrock format).
    pub fn ecotone_scalars(&self) -> Option<EcotoneScalars> {
        self.ecotone().map(|info| EcotoneScalars {
            base_fee_scalar: info.base_fee_scalar,
            blob_base_fee_scalar: info.blob_base_fee_scalar,
        })
    }

    /// The operator fee scalar and constant (Isthmus and Jovian formats).
    pub fn operator_fee(&self) -> Option<(u32, u64)> {
        self.isthmus()
            .map(|info| (info.operator_fee_scalar, info.operator_fee_constant))
    }

    /// The DA footprint gas scalar (Jovian format).
    pub const fn da_footprint_gas_scalar(&self) -> Option<u16> {
        match self {
            Self::Jovian(info) => Some(info.da_footprint_gas_scalar),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests;
