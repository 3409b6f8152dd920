//! The packed L1 attributes formats from Ecotone on: `setL1BlockValuesEcotone`,
//! `setL1BlockValuesIsthmus` and `setL1BlockValuesJovian` (see the `l1-attributes.md` of each
//! fork). Each extends the previous one by appending fields:
//!
//! | bytes   | field                 | since   |
//! | ------- | --------------------- | ------- |
//! | 0-3     | selector              |         |
//! | 4-7     | baseFeeScalar         | Ecotone |
//! | 8-11    | blobBaseFeeScalar     | Ecotone |
//! | 12-19   | sequenceNumber        | Ecotone |
//! | 20-27   | l1BlockTimestamp      | Ecotone |
//! | 28-35   | l1BlockNumber         | Ecotone |
//! | 36-67   | basefee               | Ecotone |
//! | 68-99   | blobBaseFee           | Ecotone |
//! | 100-131 | l1BlockHash           | Ecotone |
//! | 132-163 | batcherHash           | Ecotone |
//! | 164-167 | operatorFeeScalar     | Isthmus |
//! | 168-175 | operatorFeeConstant   | Isthmus |
//! | 176-177 | daFootprintGasScalar  | Jovian  |

use alloc::vec::Vec;

use alloy_primitives::{Address, B256, U256};

use super::L1InfoFormat;

/// The values of an Ecotone L1 attributes transaction; the prefix of the later formats.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct L1BlockInfoEcotone {
    /// Scales the L1 base fee in the L1 data fee.
    pub base_fee_scalar: u32,
    /// Scales the L1 blob base fee in the L1 data fee.
    pub blob_base_fee_scalar: u32,
    /// Position of the L2 block in its epoch.
    pub sequence_number: u64,
    /// L1 origin timestamp.
    pub timestamp: u64,
    /// L1 origin block number.
    pub number: u64,
    /// L1 origin base fee.
    pub base_fee: U256,
    /// L1 origin blob base fee.
    pub blob_base_fee: U256,
    /// L1 origin block hash.
    pub block_hash: B256,
    /// Versioned batcher hash (`bytes32(batcher)` for version 0).
    pub batcher_hash: B256,
}

/// The values of an Isthmus L1 attributes transaction.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct L1BlockInfoIsthmus {
    /// The Ecotone values.
    pub ecotone: L1BlockInfoEcotone,
    /// Operator fee scalar.
    pub operator_fee_scalar: u32,
    /// Operator fee constant.
    pub operator_fee_constant: u64,
}

/// The values of a Jovian L1 attributes transaction.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct L1BlockInfoJovian {
    /// The Isthmus values.
    pub isthmus: L1BlockInfoIsthmus,
    /// DA footprint gas scalar.
    pub da_footprint_gas_scalar: u16,
}

/// Copies `N` bytes of calldata starting at `at`; the caller has checked the length.
fn take<const N: usize>(data: &[u8], at: usize) -> [u8; N] {
    let mut out = [0u8; N];
    if let Some(bytes) = data.get(at..at + N) {
        out.copy_from_slice(bytes);
    }
    out
}

impl L1BlockInfoEcotone {
    /// The batcher address of a version 0 batcher hash.
    pub fn batcher_address(&self) -> Address {
        Address::from_word(self.batcher_hash)
    }

    /// Appends the calldata with `selector` (the Ecotone fields only).
    pub(super) fn encode_into(&self, selector: [u8; 4], out: &mut Vec<u8>) {
        out.extend_from_slice(&selector);
        out.extend_from_slice(&self.base_fee_scalar.to_be_bytes());
        out.extend_from_slice(&self.blob_base_fee_scalar.to_be_bytes());
        out.extend_from_slice(&self.sequence_number.to_be_bytes());
        out.extend_from_slice(&self.timestamp.to_be_bytes());
        out.extend_from_slice(&self.number.to_be_bytes());
        out.extend_from_slice(&self.base_fee.to_be_bytes::<32>());
        out.extend_from_slice(&self.blob_base_fee.to_be_bytes::<32>());
        out.extend_from_slice(self.block_hash.as_slice());
        out.extend_from_slice(self.batcher_hash.as_slice());
    }

    /// Decodes the Ecotone fields of calldata whose selector and length the caller checked.
    pub(super) fn decode(data: &[u8]) -> Self {
        Self {
            base_fee_scalar: u32::from_be_bytes(take(data, 4)),
            blob_base_fee_scalar: u32::from_be_bytes(take(data, 8)),
            sequence_number: u64::from_be_bytes(take(data, 12)),
            timestamp: u64::from_be_bytes(take(data, 20)),
            number: u64::from_be_bytes(take(data, 28)),
            base_fee: U256::from_be_bytes(take::<32>(data, 36)),
            blob_base_fee: U256::from_be_bytes(take::<32>(data, 68)),
            block_hash: B256::new(take(data, 100)),
            batcher_hash: B256::new(take(data, 132)),
        }
    }
}

impl L1BlockInfoIsthmus {
    /// Appends the calldata with `selector` (the Isthmus fields only).
    pub(super) fn encode_into(&self, selector: [u8; 4], out: &mut Vec<u8>) {
        self.ecotone.encode_into(selector, out);
        out.extend_from_slice(&self.operator_fee_scalar.to_be_bytes());
        out.extend_from_slice(&self.operator_fee_constant.to_be_bytes());
    }

    /// Decodes the Isthmus fields of calldata whose selector and length the caller checked.
    pub(super) fn decode(data: &[u8]) -> Self {
        Self {
            ecotone: L1BlockInfoEcotone::decode(data),
            operator_fee_scalar: u32::from_be_bytes(take(data, 164)),
            operator_fee_constant: u64::from_be_bytes(take(data, 168)),
        }
    }
}

impl L1BlockInfoJovian {
    /// Appends the calldata, selector included.
    pub(super) fn encode_into(&self, out: &mut Vec<u8>) {
        self.isthmus
            .encode_into(L1InfoFormat::Jovian.selector(), out);
        out.extend_from_slice(&self.da_footprint_gas_scalar.to_be_bytes());
    }

    /// Decodes calldata whose selector and length the caller checked.
    pub(super) fn decode(data: &[u8]) -> Self {
        Self {
            isthmus: L1BlockInfoIsthmus::decode(data),
            da_footprint_gas_scalar: u16::from_be_bytes(take(data, 176)),
        }
    }
}
