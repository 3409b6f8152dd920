//! The system config in effect after an L2 block, recovered from the block itself.
//!
//! Derivation restarting from an L2 block (the fault proof program's agreed L2 head, or a
//! safe head after a reset) needs the system config the next block's attributes are built
//! with. Every L2 block records it: the L1 attributes deposit carries the batcher and the L1
//! fee parameters, the header its gas limit and (from Holocene) its EIP-1559 parameters.
//! [`SystemConfig::from_l2_block`] reads them back exactly as op-node's
//! `PayloadToSystemConfig` does.

use alloy_consensus::{Block, Header};
use alloy_primitives::B256;
use op_alloy_consensus::OpTxEnvelope;

use crate::{
    RollupConfig, SystemConfig,
    block_info::L2BlockInfoError,
    config::system::encode_operator_fee_params,
    eip1559::{ExtraDataError, ExtraDataFormat},
    l1_info::L1BlockInfoTx,
    upgrades::{self, UpgradeError},
};

/// The system config of an L2 block cannot be recovered from it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum L2SystemConfigError {
    /// The block's L1 attributes cannot be read ([`L1BlockInfoTx::from_l2_block`]).
    #[error(transparent)]
    Block(#[from] L2BlockInfoError),
    /// The header gas limit is below the upgrade gas its fork activation added to it (or the
    /// upgrade gas cannot be computed).
    #[error("gas limit")]
    UpgradeGas(#[from] UpgradeError),
    /// The header `extraData` is invalid for the block's fork.
    #[error("invalid extraData")]
    ExtraData(#[from] ExtraDataError),
}

impl SystemConfig {
    /// The system config in effect after the L2 block with `header` and `hash`, whose first
    /// transaction is `first_tx` (op-node's `PayloadToSystemConfig`):
    ///
    /// - The genesis block (at the rollup's genesis number; its hash must be the genesis hash)
    ///   has the rollup config's genesis system config.
    /// - Any other block must start with a deposit carrying the L1 attributes in the format of
    ///   the block's timestamp. They give the batcher, and the L1 fee overhead and scalar:
    ///   the Bedrock values as they are, or from the block after Ecotone's activation block on,
    ///   the Ecotone scalars as a version 1 scalar word (overhead zero). op-node cannot tell
    ///   whether L1 set a version 0 or 1 scalar; both charge the same fee.
    /// - The gas limit is the header's, less the upgrade gas a fork's activation block adds
    ///   ([`upgrades::system_config_gas_limit`]: Karst's NUT bundle, unless the chain sets
    ///   `keep_karst_upgrade_gas`).
    /// - The header `extraData` must be valid for the block's timestamp
    ///   ([`ExtraDataFormat::decode`]); it gives the EIP-1559 parameters (zero before
    ///   Holocene) and, from Jovian, the minimum base fee.
    /// - From Isthmus the operator fee parameters, and from Jovian the DA footprint gas scalar,
    ///   come from the L1 attributes: zero on the fork's activation block, whose attributes
    ///   still have the previous format.
    pub fn from_l2_block(
        rollup_config: &RollupConfig,
        header: &Header,
        hash: B256,
        first_tx: Option<&OpTxEnvelope>,
    ) -> Result<Self, L2SystemConfigError> {
        let Some(info) = L1BlockInfoTx::from_l2_block(rollup_config, header, hash, first_tx)?
        else {
            return Ok(rollup_config.genesis.system_config);
        };
        let timestamp = header.timestamp;

        // The attributes' format follows the timestamp, so they are in the Bedrock format
        // exactly until Ecotone's activation block, the Isthmus (Jovian) fields are present
        // exactly from the block after Isthmus' (Jovian's) activation block, and the
        // extraData format decodes a minimum base fee exactly from Jovian on.
        let (overhead, scalar) = if let L1BlockInfoTx::Bedrock(bedrock) = &info {
            (
                B256::from(bedrock.l1_fee_overhead),
                B256::from(bedrock.l1_fee_scalar),
            )
        } else {
            // Every other format carries the Ecotone scalars.
            let scalars = info.ecotone_scalars().unwrap_or_default();
            (B256::ZERO, scalars.to_scalar_word())
        };

        let gas_limit =
            upgrades::system_config_gas_limit(rollup_config, timestamp, header.gas_limit)?;

        let extra_data =
            ExtraDataFormat::for_timestamp(rollup_config, timestamp).decode(&header.extra_data)?;

        let operator_fee_params = info
            .operator_fee()
            .map_or(B256::ZERO, |(scalar, constant)| {
                encode_operator_fee_params(scalar, constant)
            });

        Ok(Self {
            batcher_address: info.batcher_address(),
            overhead,
            scalar,
            gas_limit,
            eip1559_params: extra_data.eip1559.to_b64(),
            operator_fee_params,
            min_base_fee: extra_data.min_base_fee,
            da_footprint_gas_scalar: info.da_footprint_gas_scalar().unwrap_or_default(),
        })
    }

    /// [`Self::from_l2_block`] for a whole block.
    pub fn from_full_l2_block(
        rollup_config: &RollupConfig,
        block: &Block<OpTxEnvelope>,
        hash: B256,
    ) -> Result<Self, L2SystemConfigError> {
        Self::from_l2_block(
            rollup_config,
            &block.header,
            hash,
            block.body.transactions.first(),
        )
    }
}
