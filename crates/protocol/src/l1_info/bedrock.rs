//! The Bedrock L1 attributes: `setL1BlockValues`, ABI-encoded words
//! (`specs/protocol/deposits.md#l1-attributes-deposited-transaction`).

use alloc::vec::Vec;

use alloy_primitives::{Address, B256, U256};

use super::{L1InfoDecodeError, L1InfoFormat};

/// The values of a Bedrock L1 attributes transaction, in calldata order.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct L1BlockInfoBedrock {
    /// L1 origin block number.
    pub number: u64,
    /// L1 origin timestamp.
    pub timestamp: u64,
    /// L1 origin base fee.
    pub base_fee: U256,
    /// L1 origin block hash.
    pub block_hash: B256,
    /// Position of the L2 block in its epoch.
    pub sequence_number: u64,
    /// Versioned batcher hash (`bytes32(batcher)` for version 0).
    pub batcher_hash: B256,
    /// L1 fee overhead.
    pub l1_fee_overhead: U256,
    /// L1 fee scalar.
    pub l1_fee_scalar: U256,
}

/// Reads calldata word `index` (after the selector).
fn word(data: &[u8], index: usize) -> [u8; 32] {
    let mut out = [0u8; 32];
    if let Some(bytes) = data.get(4 + index * 32..4 + (index + 1) * 32) {
        out.copy_from_slice(bytes);
    }
    out
}

/// Reads a `uint64` word, whose high 24 bytes must be zero.
fn word_u64(data: &[u8], index: usize, field: &'static str) -> Result<u64, L1InfoDecodeError> {
    let word = word(data, index);
    let (high, low) = word.split_at(24);
    if high.iter().any(|b| *b != 0) {
        return Err(L1InfoDecodeError::NonZeroPadding(field));
    }
    let mut out = [0u8; 8];
    out.copy_from_slice(low);
    Ok(u64::from_be_bytes(out))
}

impl L1BlockInfoBedrock {
    /// The batcher address of a version 0 batcher hash.
    pub fn batcher_address(&self) -> Address {
        Address::from_word(self.batcher_hash)
    }

    /// Appends the calldata, selector included.
    pub(super) fn encode_into(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&L1InfoFormat::Bedrock.selector());
        let u64_word = |v: u64| U256::from(v).to_be_bytes::<32>();
        out.extend_from_slice(&u64_word(self.number));
        out.extend_from_slice(&u64_word(self.timestamp));
        out.extend_from_slice(&self.base_fee.to_be_bytes::<32>());
        out.extend_from_slice(self.block_hash.as_slice());
        out.extend_from_slice(&u64_word(self.sequence_number));
        out.extend_from_slice(self.batcher_hash.as_slice());
        out.extend_from_slice(&self.l1_fee_overhead.to_be_bytes::<32>());
        out.extend_from_slice(&self.l1_fee_scalar.to_be_bytes::<32>());
    }

    /// Decodes calldata whose selector and length the caller has checked.
    pub(super) fn decode(data: &[u8]) -> Result<Self, L1InfoDecodeError> {
        Ok(Self {
            number: word_u64(data, 0, "number")?,
            timestamp: word_u64(data, 1, "timestamp")?,
            base_fee: U256::from_be_bytes(word(data, 2)),
            block_hash: B256::new(word(data, 3)),
            sequence_number: word_u64(data, 4, "sequenceNumber")?,
            batcher_hash: B256::new(word(data, 5)),
            l1_fee_overhead: U256::from_be_bytes(word(data, 6)),
            l1_fee_scalar: U256::from_be_bytes(word(data, 7)),
        })
    }
}
