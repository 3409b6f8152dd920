//! Block references: an L1 [`BlockInfo`] and an [`L2BlockInfo`] with its L1 origin.

use alloy_consensus::{Block, Header};
use alloy_eips::eip1898::BlockNumHash;
use alloy_primitives::B256;
use op_alloy_consensus::OpTxEnvelope;

use crate::{
    RollupConfig,
    l1_info::{L1BlockInfoTx, L1InfoDecodeError},
};

/// The identity and place in the chain of a block.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct BlockInfo {
    /// Block hash.
    pub hash: B256,
    /// Block number.
    pub number: u64,
    /// Parent block hash.
    pub parent_hash: B256,
    /// Block timestamp.
    pub timestamp: u64,
}

impl BlockInfo {
    /// Takes the values from a header and its hash.
    pub fn from_header(header: &Header, hash: B256) -> Self {
        Self {
            hash,
            number: header.number,
            parent_hash: header.parent_hash,
            timestamp: header.timestamp,
        }
    }

    /// The block's number and hash.
    pub const fn id(&self) -> BlockNumHash {
        BlockNumHash {
            number: self.number,
            hash: self.hash,
        }
    }

    /// The parent's number and hash (the genesis block has no parent: number 0 then).
    pub const fn parent_id(&self) -> BlockNumHash {
        BlockNumHash {
            number: self.number.saturating_sub(1),
            hash: self.parent_hash,
        }
    }

    /// Whether `self` directly extends `parent`.
    pub fn is_child_of(&self, parent: &Self) -> bool {
        self.parent_hash == parent.hash && Some(self.number) == parent.number.checked_add(1)
    }
}

/// An L2 block with the L1 origin it was derived from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct L2BlockInfo {
    /// The L2 block.
    pub block_info: BlockInfo,
    /// The L1 origin (epoch) of the block.
    pub l1_origin: BlockNumHash,
    /// The block's position in its epoch: 0 for the first L2 block of an L1 origin.
    pub seq_num: u64,
}

/// The L1 origin of an L2 block cannot be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum L2BlockInfoError {
    /// The block has the genesis number but not the genesis hash.
    #[error("block at the L2 genesis number has hash {actual}, expected {expected}")]
    GenesisHashMismatch {
        /// The rollup config's genesis hash.
        expected: B256,
        /// The block's hash.
        actual: B256,
    },
    /// A non-genesis block without transactions.
    #[error("L2 block has no L1 info deposit")]
    MissingL1InfoDeposit,
    /// The first transaction is not a deposit.
    #[error("first L2 block transaction is not a deposit")]
    FirstTxNotDeposit,
    /// The first transaction's calldata is not the L1 attributes of this block's timestamp.
    #[error("invalid L1 info deposit")]
    L1Info(#[from] L1InfoDecodeError),
}

impl L1BlockInfoTx {
    /// The L1 attributes an L2 block carries in its first transaction, a deposit, in the
    /// format of the block's timestamp; `None` for the genesis block (at the rollup's genesis
    /// number), which has none. A block at the genesis number must have the genesis hash.
    pub fn from_l2_block(
        rollup_config: &RollupConfig,
        header: &Header,
        hash: B256,
        first_tx: Option<&OpTxEnvelope>,
    ) -> Result<Option<Self>, L2BlockInfoError> {
        let genesis = &rollup_config.genesis;
        if header.number == genesis.l2.number {
            if hash != genesis.l2.hash {
                return Err(L2BlockInfoError::GenesisHashMismatch {
                    expected: genesis.l2.hash,
                    actual: hash,
                });
            }
            return Ok(None);
        }
        let tx = first_tx.ok_or(L2BlockInfoError::MissingL1InfoDeposit)?;
        let OpTxEnvelope::Deposit(deposit) = tx else {
            return Err(L2BlockInfoError::FirstTxNotDeposit);
        };
        let info =
            Self::decode_for_timestamp(rollup_config, header.timestamp, &deposit.inner().input)?;
        Ok(Some(info))
    }
}

impl L2BlockInfo {
    /// Reads the L1 origin and sequence number of an L2 block from its first transaction,
    /// the L1 attributes deposit ([`L1BlockInfoTx::from_l2_block`]). The genesis block has
    /// none: its origin is the rollup config's L1 genesis and its sequence number 0.
    pub fn from_header_and_first_tx(
        rollup_config: &RollupConfig,
        header: &Header,
        hash: B256,
        first_tx: Option<&OpTxEnvelope>,
    ) -> Result<Self, L2BlockInfoError> {
        let block_info = BlockInfo::from_header(header, hash);
        Ok(
            match L1BlockInfoTx::from_l2_block(rollup_config, header, hash, first_tx)? {
                None => Self {
                    block_info,
                    l1_origin: rollup_config.genesis.l1,
                    seq_num: 0,
                },
                Some(info) => Self {
                    block_info,
                    l1_origin: info.l1_origin(),
                    seq_num: info.sequence_number(),
                },
            },
        )
    }

    /// [`Self::from_header_and_first_tx`] for a whole block.
    pub fn from_block(
        rollup_config: &RollupConfig,
        block: &Block<OpTxEnvelope>,
        hash: B256,
    ) -> Result<Self, L2BlockInfoError> {
        Self::from_header_and_first_tx(
            rollup_config,
            &block.header,
            hash,
            block.body.transactions.first(),
        )
    }

    /// The block's number and hash.
    pub const fn id(&self) -> BlockNumHash {
        self.block_info.id()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Hardfork;
    use alloc::vec;
    use alloy_consensus::{BlockBody, Sealable, Signed, TxLegacy};
    use alloy_primitives::{Signature, U256};

    use crate::{ChainGenesis, SystemConfig, l1_info::L1BlockValues};

    fn rollup() -> RollupConfig {
        RollupConfig {
            genesis: ChainGenesis {
                l1: BlockNumHash {
                    number: 100,
                    hash: B256::repeat_byte(1),
                },
                l2: BlockNumHash {
                    number: 0,
                    hash: B256::repeat_byte(2),
                },
                l2_time: 1_000,
                system_config: SystemConfig::default(),
            },
            block_time: 2,
            ..RollupConfig::with_forks_at_genesis(Hardfork::Ecotone)
        }
    }

    fn l1_info_tx(rollup_config: &RollupConfig, seq: u64, l2_time: u64) -> OpTxEnvelope {
        let l1 = L1BlockValues {
            number: 105,
            hash: B256::repeat_byte(5),
            timestamp: 990,
            base_fee: U256::from(7),
            blob_base_fee: U256::from(1),
        };
        let info =
            L1BlockInfoTx::try_new(rollup_config, &SystemConfig::default(), seq, &l1, l2_time)
                .unwrap();
        OpTxEnvelope::Deposit(info.to_deposit_tx(rollup_config, l2_time).seal_slow())
    }

    #[test]
    fn block_info_links() {
        let parent = BlockInfo {
            hash: B256::repeat_byte(9),
            number: 4,
            ..Default::default()
        };
        let child = BlockInfo {
            parent_hash: parent.hash,
            number: 5,
            ..Default::default()
        };
        assert!(child.is_child_of(&parent));
        assert_eq!(child.parent_id(), parent.id());
        assert!(!parent.is_child_of(&child));
    }

    #[test]
    fn reads_origin_from_l1_info_deposit() {
        let rollup = rollup();
        let header = Header {
            number: 10,
            timestamp: 1_020,
            ..Default::default()
        };
        let block = Block {
            header,
            body: BlockBody {
                transactions: vec![l1_info_tx(&rollup, 3, 1_020)],
                ..Default::default()
            },
        };
        let info = L2BlockInfo::from_block(&rollup, &block, B256::repeat_byte(3)).unwrap();
        assert_eq!(
            info.l1_origin,
            BlockNumHash {
                number: 105,
                hash: B256::repeat_byte(5)
            }
        );
        assert_eq!(info.seq_num, 3);
        assert_eq!(
            info.id(),
            BlockNumHash {
                number: 10,
                hash: B256::repeat_byte(3)
            }
        );
        assert_eq!(info.block_info.timestamp, 1_020);
    }

    #[test]
    fn genesis_origin_comes_from_the_rollup_config() {
        let rollup = rollup();
        let header = Header {
            number: 0,
            timestamp: 1_000,
            ..Default::default()
        };
        let info =
            L2BlockInfo::from_header_and_first_tx(&rollup, &header, B256::repeat_byte(2), None)
                .unwrap();
        assert_eq!(info.l1_origin, rollup.genesis.l1);
        assert_eq!(info.seq_num, 0);
        assert_eq!(
            L2BlockInfo::from_header_and_first_tx(&rollup, &header, B256::ZERO, None),
            Err(L2BlockInfoError::GenesisHashMismatch {
                expected: B256::repeat_byte(2),
                actual: B256::ZERO
            })
        );
    }

    #[test]
    fn rejects_blocks_without_a_valid_l1_info_deposit() {
        let rollup = rollup();
        let header = Header {
            number: 10,
            timestamp: 1_020,
            ..Default::default()
        };
        let hash = B256::repeat_byte(3);
        assert_eq!(
            L2BlockInfo::from_header_and_first_tx(&rollup, &header, hash, None),
            Err(L2BlockInfoError::MissingL1InfoDeposit)
        );
        let legacy = OpTxEnvelope::Legacy(Signed::new_unchecked(
            TxLegacy::default(),
            Signature::test_signature(),
            B256::ZERO,
        ));
        assert_eq!(
            L2BlockInfo::from_header_and_first_tx(&rollup, &header, hash, Some(&legacy)),
            Err(L2BlockInfoError::FirstTxNotDeposit)
        );
        // Bedrock-format attributes in a block past Ecotone's activation block.
        let bedrock = RollupConfig {
            ecotone_time: None,
            ..rollup
        };
        let tx = l1_info_tx(&bedrock, 0, 1_020);
        assert!(matches!(
            L2BlockInfo::from_header_and_first_tx(&rollup, &header, hash, Some(&tx)),
            Err(L2BlockInfoError::L1Info(
                L1InfoDecodeError::UnexpectedFormat { .. }
            ))
        ));
    }
}
