//! Builds payload attributes from a batch (derivation spec, "Deriving Payload Attributes").

use alloc::vec::Vec;
use alloy_primitives::{B256, Bytes};
use koa_protocol::predeploys::SEQUENCER_FEE_VAULT;
use koa_protocol::{
    L1BlockInfoTx, L1ChainConfig, RollupConfig, SystemConfig, TxList,
    batch::SingularBatch,
    deposits::user_deposits,
    upgrades::{encode_deposit, upgrade_gas, upgrade_transactions},
};

use super::OpPayloadAttributes;
use crate::{
    error::{PipelineError, PipelineResult, checked_sum, is_successor},
    traits::{ChainProvider, L2ChainProvider},
    types::L2BlockInfo,
};

/// Builds the payload attributes of the block after a safe head.
#[derive(Debug, Clone)]
pub struct AttributesBuilder {
    l1_chain_config: L1ChainConfig,
}

impl AttributesBuilder {
    /// A builder for an L1 chain with `l1_chain_config`'s blob schedule.
    pub const fn new(l1_chain_config: L1ChainConfig) -> Self {
        Self { l1_chain_config }
    }

    /// The attributes of the block that `batch` describes on top of `parent`.
    ///
    /// Transactions, in order: the L1 attributes deposit; on the first block of an epoch the
    /// epoch's user deposits; the network upgrade deposits of any fork activating at this
    /// timestamp; the batch's transactions (copied: the pipeline moves them instead, see
    /// [`Self::build_deposits_only`]).
    pub fn build<C: ChainProvider, L2: L2ChainProvider>(
        &self,
        rollup_config: &RollupConfig,
        parent: &L2BlockInfo,
        batch: &SingularBatch,
        chain: &mut C,
        l2: &mut L2,
    ) -> PipelineResult<OpPayloadAttributes> {
        let mut attributes: OpPayloadAttributes =
            self.build_deposits_only(rollup_config, parent, batch, chain, l2)?;
        attributes
            .transactions
            .extend_from_list(&batch.transactions)?;
        Ok(attributes)
    }

    /// [`Self::build`] without the batch's transactions: the deposits-only attributes of the
    /// block, to which a caller that owns the batch moves them
    /// ([`OpPayloadAttributes::append_transactions`]) rather than copying a list that can be
    /// 100 MB.
    pub fn build_deposits_only<C: ChainProvider, L2: L2ChainProvider>(
        &self,
        rollup_config: &RollupConfig,
        parent: &L2BlockInfo,
        batch: &SingularBatch,
        chain: &mut C,
        l2: &mut L2,
    ) -> PipelineResult<OpPayloadAttributes> {
        let timestamp = batch.timestamp;
        let epoch = batch.epoch();
        // The batch stage hands over only batches for the block after `parent`; anything else
        // is an inconsistency between the stages (op-node's attributes queue: reset errors).
        if batch.parent_hash != parent.block_info.hash {
            return Err(PipelineError::BatchParentMismatch {
                batch_parent: batch.parent_hash,
                safe_head: parent.block_info.hash,
            });
        }
        let expected = checked_sum(
            parent.block_info.timestamp,
            rollup_config.block_time,
            "L2 timestamp",
        )?;
        if timestamp != expected {
            return Err(PipelineError::BatchTimestampMismatch {
                timestamp,
                expected,
            });
        }
        let mut system_config: SystemConfig = l2
            .system_config_by_number(parent.block_info.number, rollup_config)
            .map_err(PipelineError::provider)?;
        let header = chain
            .header_by_hash(epoch.hash)
            .map_err(PipelineError::provider)?;

        let (sequence_number, deposits) = if parent.l1_origin.number == epoch.number {
            if parent.l1_origin.hash != epoch.hash {
                return Err(PipelineError::EpochMismatch {
                    safe_origin: parent.l1_origin.number,
                    epoch: epoch.number,
                });
            }
            (
                checked_sum(parent.seq_num, 1, "sequence number")?,
                Vec::new(),
            )
        } else {
            if header.parent_hash != parent.l1_origin.hash
                || !is_successor(parent.l1_origin.number, epoch.number)
            {
                return Err(PipelineError::EpochMismatch {
                    safe_origin: parent.l1_origin.number,
                    epoch: epoch.number,
                });
            }
            let receipts = chain
                .receipts_by_hash(epoch.hash)
                .map_err(PipelineError::provider)?;
            // Malformed ConfigUpdate logs are skipped, the others applied (op-node ignores the
            // error here since PR #18292: nothing could recover from a malformed update).
            if let Err(error) =
                system_config.apply_receipts(&receipts, rollup_config, header.timestamp)
            {
                tracing::warn!(target: "derive::attributes", epoch = epoch.number, error = %koa_protocol::ErrorChain(&error), "skipping malformed system config update");
            }
            let deposits = user_deposits(
                &receipts,
                rollup_config.deposit_contract_address,
                epoch.hash,
            )?;
            (0, deposits)
        };
        if timestamp < header.timestamp {
            // op-node: a reset error (the origin selection broke the time invariant).
            return Err(PipelineError::L2TimeBeforeL1Origin {
                l2_time: timestamp,
                l1_time: header.timestamp,
            });
        }

        let l1_info = L1BlockInfoTx::try_from_l1_header(
            rollup_config,
            &self.l1_chain_config,
            &system_config,
            sequence_number,
            &header,
            epoch.hash,
            timestamp,
        )?;
        let upgrades = upgrade_transactions(rollup_config, timestamp)?;
        let extra_gas = upgrade_gas(rollup_config, timestamp)?;

        let forced: Vec<Bytes> = core::iter::once(l1_info.to_deposit_tx(rollup_config, timestamp))
            .chain(deposits)
            .map(|deposit| encode_deposit(&deposit))
            .chain(upgrades)
            .collect();
        let transactions: TxList = TxList::try_from_iter(&forced)?;

        Ok(OpPayloadAttributes {
            timestamp,
            prev_randao: header.mix_hash,
            suggested_fee_recipient: SEQUENCER_FEE_VAULT,
            withdrawals: rollup_config.is_canyon_active(timestamp).then(Vec::new),
            parent_beacon_block_root: rollup_config
                .is_ecotone_active(timestamp)
                .then(|| header.parent_beacon_block_root.unwrap_or(B256::ZERO)),
            transactions,
            no_tx_pool: Some(true),
            gas_limit: Some(system_config.gas_limit.saturating_add(extra_gas)),
            eip1559_params: rollup_config
                .is_holocene_active(timestamp)
                .then_some(system_config.eip1559_params),
            min_base_fee: rollup_config
                .is_jovian_active(timestamp)
                .then_some(system_config.min_base_fee),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        test_utils::{TestChainProvider, TestL2Provider},
        types::BlockInfo,
    };
    use alloy_eips::BlockNumHash;

    fn parent(timestamp: u64, seq_num: u64) -> L2BlockInfo {
        L2BlockInfo {
            block_info: BlockInfo {
                hash: B256::repeat_byte(0x10),
                number: 10,
                parent_hash: B256::repeat_byte(0x09),
                timestamp,
            },
            l1_origin: BlockNumHash {
                number: 1,
                hash: B256::repeat_byte(0x01),
            },
            seq_num,
        }
    }

    /// Unchecked, the next slot after a safe head at `u64::MAX - 1` wrapped to 0 and a batch
    /// at timestamp 0 was accepted for it (a debug build panicked instead).
    #[test]
    fn a_next_slot_past_u64_max_is_an_overflow_error() {
        let rollup_config = RollupConfig {
            block_time: 2,
            ..Default::default()
        };
        let parent = parent(u64::MAX - 1, 0);
        let batch = SingularBatch {
            parent_hash: parent.block_info.hash,
            epoch_num: 1,
            epoch_hash: parent.l1_origin.hash,
            timestamp: 0,
            transactions: TxList::new(),
        };
        let builder = AttributesBuilder::new(L1ChainConfig::MAINNET);
        assert_eq!(
            builder.build(
                &rollup_config,
                &parent,
                &batch,
                &mut TestChainProvider::default(),
                &mut TestL2Provider::default()
            ),
            Err(PipelineError::Overflow {
                what: "L2 timestamp"
            })
        );
    }
}
