//! Singular (version 0) batches: one L2 block's transactions and its L1 epoch.

use crate::TxList;
use alloc::vec::Vec;
use alloy_eips::BlockNumHash;
use alloy_primitives::B256;
use alloy_rlp::{Decodable, Encodable, RlpDecodable, RlpEncodable};

/// A singular batch: `rlp([parent_hash, epoch_number, epoch_hash, timestamp, transaction_list])`.
#[derive(Debug, Clone, PartialEq, Eq, Default, RlpEncodable, RlpDecodable)]
pub struct SingularBatch {
    /// Hash of the previous L2 block.
    pub parent_hash: B256,
    /// Number of the batch's L1 origin (epoch).
    pub epoch_num: u64,
    /// Hash of the batch's L1 origin (epoch).
    pub epoch_hash: B256,
    /// Timestamp of the L2 block.
    pub timestamp: u64,
    /// The block's sequenced transactions, EIP-2718 encoded (see [`TxList`] for why they are
    /// not a `Vec<Bytes>`).
    pub transactions: TxList,
}

impl SingularBatch {
    /// The batch's epoch as a number and hash.
    pub const fn epoch(&self) -> BlockNumHash {
        BlockNumHash {
            number: self.epoch_num,
            hash: self.epoch_hash,
        }
    }

    /// Decodes the batch content (the bytes after the batch type byte) as op-node reads it
    /// from a channel: one RLP list, with any bytes after it ignored (op-node decodes with
    /// `rlp.Decode` from a reader, which stops after the first value).
    pub fn decode_content(mut content: &[u8]) -> alloy_rlp::Result<Self> {
        Self::decode(&mut content)
    }

    /// Decodes the batch content (the bytes after the batch type byte), which must be exactly
    /// one RLP list.
    pub fn decode_exact(mut content: &[u8]) -> alloy_rlp::Result<Self> {
        let batch = Self::decode(&mut content)?;
        if !content.is_empty() {
            return Err(alloy_rlp::Error::Custom(
                "trailing bytes after singular batch",
            ));
        }
        Ok(batch)
    }

    /// The batch content's RLP encoding (without the batch type byte).
    pub fn encode_content(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.length());
        self.encode(&mut out);
        out
    }

    /// Whether any transaction is empty or a deposit (type `0x7E`): the batch queue drops such
    /// batches.
    pub fn has_forbidden_transaction(&self) -> bool {
        self.transactions.iter().any(|tx| {
            tx.first()
                .is_none_or(|&ty| ty == crate::batch::DEPOSIT_TX_TYPE)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::batch::Batch;

    fn batch() -> SingularBatch {
        SingularBatch {
            parent_hash: B256::repeat_byte(1),
            epoch_num: 7,
            epoch_hash: B256::repeat_byte(2),
            timestamp: 1_700_000_000,
            transactions: TxList::try_from_iter([[0x02, 0xc0]]).unwrap(),
        }
    }

    #[test]
    fn channel_decoding_ignores_bytes_after_the_batch_like_op_node() {
        let mut data = alloc::vec![0u8];
        data.extend(batch().encode_content());
        data.extend([0xde, 0xad, 0xbe, 0xef]);
        assert_eq!(Batch::decode(&data), Ok(Batch::Singular(batch())));
        assert!(SingularBatch::decode_exact(&data[1..]).is_err());
    }

    #[test]
    fn channel_decoding_rejects_a_truncated_or_overlong_list() {
        let content = batch().encode_content();
        assert!(SingularBatch::decode_content(&content[..content.len() - 1]).is_err());
        // Six fields where the batch has five.
        let mut payload = content.as_slice();
        let header = alloy_rlp::Header::decode(&mut payload).unwrap();
        assert!(header.list);
        let mut extra = Vec::new();
        alloy_rlp::Header {
            list: true,
            payload_length: payload.len() + 1,
        }
        .encode(&mut extra);
        extra.extend_from_slice(payload);
        extra.push(0x01);
        assert!(SingularBatch::decode_content(&extra).is_err());
    }
}
