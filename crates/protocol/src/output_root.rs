//! The L2 output root: the commitment to an L2 block that output proposals and dispute games
//! claim (`specs/protocol/proposals.md#l2-output-commitment-construction`).

use alloy_primitives::{B256, keccak256};

/// A version 0 output root preimage.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct OutputRoot {
    /// The L2 block's state root.
    pub state_root: B256,
    /// The storage root of the `L2ToL1MessagePasser` predeploy (`0x4200…0016`) in that state.
    pub message_passer_storage_root: B256,
    /// The L2 block hash.
    pub block_hash: B256,
}

impl OutputRoot {
    /// The output root version this type encodes.
    pub const VERSION_V0: B256 = B256::ZERO;

    /// Length of the encoded preimage.
    pub const ENCODED_LEN: usize = 128;

    /// `version ++ state_root ++ message_passer_storage_root ++ block_hash`.
    pub fn encode(&self) -> [u8; Self::ENCODED_LEN] {
        let mut out = [0u8; Self::ENCODED_LEN];
        out[..32].copy_from_slice(Self::VERSION_V0.as_slice());
        out[32..64].copy_from_slice(self.state_root.as_slice());
        out[64..96].copy_from_slice(self.message_passer_storage_root.as_slice());
        out[96..].copy_from_slice(self.block_hash.as_slice());
        out
    }

    /// Decodes a version 0 preimage; `None` if the version word is not zero.
    pub fn decode(preimage: &[u8; Self::ENCODED_LEN]) -> Option<Self> {
        let word = |i: usize| B256::from_slice(&preimage[i * 32..(i + 1) * 32]);
        (word(0) == Self::VERSION_V0).then(|| Self {
            state_root: word(1),
            message_passer_storage_root: word(2),
            block_hash: word(3),
        })
    }

    /// The output root: `keccak256` of the encoded preimage.
    pub fn hash(&self) -> B256 {
        keccak256(self.encode())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_is_keccak_of_the_four_words() {
        let root = OutputRoot {
            state_root: B256::repeat_byte(0x11),
            message_passer_storage_root: B256::repeat_byte(0x22),
            block_hash: B256::repeat_byte(0x33),
        };
        let mut preimage = [0u8; 128];
        preimage[32..64].fill(0x11);
        preimage[64..96].fill(0x22);
        preimage[96..].fill(0x33);
        assert_eq!(root.hash(), keccak256(preimage));
        assert_eq!(OutputRoot::decode(&root.encode()), Some(root));
        preimage[0] = 1;
        assert_eq!(OutputRoot::decode(&preimage), None);
    }
}
