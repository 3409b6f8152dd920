//! The base fee of the next block and the Holocene/Jovian `extraData` fee parameters.
//!
//! Before Holocene the EIP-1559 parameters come from the chain config (with Canyon's
//! denominator from Canyon on). From Holocene the parent's `extraData` carries them
//! (version 0: `denominator u32 ‖ elasticity u32`); from Jovian it also carries the minimum
//! base fee (version 1: `… ‖ minBaseFee u64`) and the base fee tracks
//! `max(gasUsed, blobGasUsed)` (the DA footprint). The `extraData` codec itself is
//! [`koa_protocol::eip1559`].

use alloy_consensus::Header;
use alloy_primitives::Bytes;
use koa_protocol::{
    RollupConfig,
    eip1559::{Eip1559Params, ExtraDataError, ExtraDataFormat, ExtraDataParams},
};

use crate::{AttributesError, OpPayloadAttributes};

/// Decodes the fee parameters a Holocene or Jovian parent's `extraData` carries
/// ([`ExtraDataFormat::decode`]). The base fee computation also rejects a zero denominator,
/// which `extraData` validation accepts together with a zero elasticity.
pub fn decode_extra_data(
    format: ExtraDataFormat,
    extra: &[u8],
) -> Result<ExtraDataParams, AttributesError> {
    let params = format.decode(extra)?;
    let Eip1559Params {
        denominator,
        elasticity,
    } = params.eip1559;
    if denominator == 0 {
        return Err(ExtraDataError::ZeroDenominator { elasticity }.into());
    }
    Ok(params)
}

/// Encodes a block's `extraData` from its payload attributes: empty before Holocene, version 0
/// from Holocene, version 1 (with the minimum base fee) from Jovian.
///
/// Zero `eip1559Params` select the chain config's (Canyon) parameters.
pub fn encode_extra_data(
    rollup_config: &RollupConfig,
    attributes: &OpPayloadAttributes,
) -> Result<Bytes, AttributesError> {
    let timestamp = attributes.timestamp;
    let format = ExtraDataFormat::for_timestamp(rollup_config, timestamp);
    if format == ExtraDataFormat::Empty {
        return Ok(Bytes::new());
    }
    let mut eip1559 = Eip1559Params::from_b64(
        attributes
            .eip1559_params
            .ok_or(AttributesError::MissingEip1559Params)?,
    );
    eip1559
        .validate()
        .map_err(|_| AttributesError::InvalidEip1559Params {
            elasticity: eip1559.elasticity,
        })?;
    if eip1559.is_zero() {
        // The chain config's values. They fit in u32 for every real chain; op-geth refuses to
        // encode (panics on) values that do not.
        let denominator = rollup_config.eip1559_denominator(timestamp);
        let elasticity = rollup_config.chain_op_config.eip1559_elasticity;
        let out_of_range = AttributesError::ConfigEip1559ParamsOutOfRange {
            denominator,
            elasticity,
        };
        eip1559 = Eip1559Params {
            denominator: u32::try_from(denominator).map_err(|_| out_of_range.clone())?,
            elasticity: u32::try_from(elasticity).map_err(|_| out_of_range)?,
        };
    }
    let min_base_fee = match format {
        ExtraDataFormat::Jovian => attributes
            .min_base_fee
            .ok_or(AttributesError::MissingMinBaseFee)?,
        ExtraDataFormat::Empty | ExtraDataFormat::Holocene => 0,
    };
    Ok(format.encode(&ExtraDataParams {
        eip1559,
        min_base_fee,
    }))
}

/// The base fee of the block at `timestamp` whose parent is `parent`.
pub fn next_base_fee(
    rollup_config: &RollupConfig,
    parent: &Header,
    timestamp: u64,
) -> Result<u64, AttributesError> {
    let parent_base_fee = parent
        .base_fee_per_gas
        .ok_or(AttributesError::MissingParentBaseFee)?;
    let format = ExtraDataFormat::for_timestamp(rollup_config, parent.timestamp);
    // (denominator, elasticity, minimum base fee): the parent's `extraData` from Holocene,
    // the chain config before.
    let (denominator, elasticity, min_base_fee) = if format != ExtraDataFormat::Empty {
        let params = decode_extra_data(format, &parent.extra_data)?;
        (
            u64::from(params.eip1559.denominator),
            u64::from(params.eip1559.elasticity),
            params.min_base_fee,
        )
    } else {
        (
            rollup_config.eip1559_denominator(timestamp),
            rollup_config.chain_op_config.eip1559_elasticity,
            0,
        )
    };
    let gas_used = if rollup_config.is_jovian_active(parent.timestamp) {
        parent
            .gas_used
            .max(parent.blob_gas_used.unwrap_or_default())
    } else {
        parent.gas_used
    };
    let base_fee = eip1559_base_fee(
        parent_base_fee,
        gas_used,
        parent.gas_limit,
        denominator,
        elasticity,
    );
    Ok(base_fee.max(min_base_fee))
}

/// The EIP-1559 update rule.
fn eip1559_base_fee(
    parent_base_fee: u64,
    gas_used: u64,
    gas_limit: u64,
    denominator: u64,
    elasticity: u64,
) -> u64 {
    let gas_target = gas_limit / elasticity.max(1);
    if gas_target == 0 || gas_used == gas_target {
        return parent_base_fee;
    }
    let base = u128::from(parent_base_fee);
    let target = u128::from(gas_target);
    let denominator = u128::from(denominator.max(1));
    if gas_used > gas_target {
        let delta = base * u128::from(gas_used - gas_target) / target / denominator;
        u64::try_from(base + delta.max(1)).unwrap_or(u64::MAX)
    } else {
        let delta = base * u128::from(gas_target - gas_used) / target / denominator;
        u64::try_from(base.saturating_sub(delta)).unwrap_or(u64::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::{B64, b64};
    use koa_protocol::Hardfork;

    const CANYON: ExtraDataParams = ExtraDataParams {
        eip1559: Eip1559Params {
            denominator: 250,
            elasticity: 6,
        },
        min_base_fee: 0,
    };

    #[test]
    fn eip1559_rule() {
        // At target: unchanged.
        assert_eq!(
            eip1559_base_fee(1_000_000, 5_000_000, 30_000_000, 250, 6),
            1_000_000
        );
        // Full block: +(6-1)/250 * 1/1 → 1_000_000 * 25_000_000 / 5_000_000 / 250 = 20_000.
        assert_eq!(
            eip1559_base_fee(1_000_000, 30_000_000, 30_000_000, 250, 6),
            1_020_000
        );
        // Empty block: -1/250.
        assert_eq!(eip1559_base_fee(1_000_000, 0, 30_000_000, 250, 6), 996_000);
        // Increase is at least 1 wei.
        assert_eq!(eip1559_base_fee(1, 5_000_001, 30_000_000, 250, 6), 2);
    }

    fn holocene_attributes(eip1559_params: B64) -> OpPayloadAttributes {
        OpPayloadAttributes {
            timestamp: 10,
            eip1559_params: Some(eip1559_params),
            ..Default::default()
        }
    }

    #[test]
    fn extra_data_from_attributes() {
        let mut rollup_config = RollupConfig::with_forks_at_genesis(Hardfork::Holocene);
        rollup_config.chain_op_config.eip1559_denominator_canyon = 250;
        rollup_config.chain_op_config.eip1559_elasticity = 6;

        let explicit = holocene_attributes(b64!("0x0000000800000002"));
        assert_eq!(
            encode_extra_data(&rollup_config, &explicit),
            Ok(Bytes::from_static(&[0, 0, 0, 0, 8, 0, 0, 0, 2]))
        );
        // Zero parameters select the chain config's.
        let zero = holocene_attributes(B64::ZERO);
        assert_eq!(
            encode_extra_data(&rollup_config, &zero),
            Ok(Bytes::from_static(&[0, 0, 0, 0, 250, 0, 0, 0, 6]))
        );
        assert_eq!(
            encode_extra_data(
                &rollup_config,
                &holocene_attributes(b64!("0x0000000000000002"))
            ),
            Err(AttributesError::InvalidEip1559Params { elasticity: 2 })
        );
        // A config value op-geth cannot encode is an error, not a truncation.
        rollup_config.chain_op_config.eip1559_elasticity = u64::from(u32::MAX) + 7;
        assert_eq!(
            encode_extra_data(&rollup_config, &zero),
            Err(AttributesError::ConfigEip1559ParamsOutOfRange {
                denominator: 250,
                elasticity: u64::from(u32::MAX) + 7,
            })
        );
    }

    #[test]
    fn jovian_parent_meters_da_footprint_and_clamps_to_min_base_fee() {
        let jovian_time = 100;
        let rollup_config = RollupConfig {
            jovian_time: Some(jovian_time),
            ..RollupConfig::with_forks_at_genesis(Hardfork::Isthmus)
        };
        // 250/6, min base fee 7 wei.
        let jovian_extra =
            Bytes::from_static(&[1, 0, 0, 0, 250, 0, 0, 0, 6, 0, 0, 0, 0, 0, 0, 0, 7]);
        let parent =
            |timestamp: u64, extra_data: Bytes, gas_used: u64, blob_gas_used: u64| Header {
                timestamp,
                extra_data,
                gas_limit: 30_000_000,
                gas_used,
                blob_gas_used: Some(blob_gas_used),
                base_fee_per_gas: Some(1_000_000),
                ..Default::default()
            };

        // Gas at target, DA footprint at the limit: the base fee rises as for a full block.
        let da_full = parent(jovian_time, jovian_extra.clone(), 5_000_000, 30_000_000);
        assert_eq!(
            next_base_fee(&rollup_config, &da_full, jovian_time + 2),
            Ok(1_020_000)
        );
        // Before Jovian, blobGasUsed is not metered (nor is there a minimum).
        let holocene_extra = Bytes::from_static(&[0, 0, 0, 0, 250, 0, 0, 0, 6]);
        let pre_jovian = parent(jovian_time - 2, holocene_extra, 5_000_000, 30_000_000);
        assert_eq!(
            next_base_fee(&rollup_config, &pre_jovian, jovian_time),
            Ok(1_000_000)
        );
        // The computed fee is clamped up to the parent's minimum.
        let mut min_above = parent(jovian_time, jovian_extra, 5_000_000, 0);
        min_above.extra_data =
            Bytes::from_static(&[1, 0, 0, 0, 250, 0, 0, 0, 6, 0, 0, 0, 0, 0, 0x1e, 0x84, 0x80]);
        assert_eq!(
            next_base_fee(&rollup_config, &min_above, jovian_time + 2),
            Ok(2_000_000)
        );
    }

    #[test]
    fn extra_data_versions() {
        let holocene = [0u8, 0, 0, 0, 250, 0, 0, 0, 6];
        assert_eq!(
            decode_extra_data(ExtraDataFormat::Holocene, &holocene),
            Ok(CANYON)
        );
        assert!(matches!(
            decode_extra_data(ExtraDataFormat::Jovian, &holocene),
            Err(AttributesError::InvalidParentExtraData(
                ExtraDataError::Length { .. }
            ))
        ));
        let mut jovian = [0u8; 17];
        jovian[0] = 1;
        jovian[1..9].copy_from_slice(&holocene[1..]);
        jovian[16] = 7;
        assert_eq!(
            decode_extra_data(ExtraDataFormat::Jovian, &jovian),
            Ok(ExtraDataParams {
                min_base_fee: 7,
                ..CANYON
            })
        );
        // Valid extraData, but no base fee can be computed from a zero denominator.
        assert_eq!(
            decode_extra_data(ExtraDataFormat::Holocene, &[0u8; 9]),
            Err(AttributesError::InvalidParentExtraData(
                ExtraDataError::ZeroDenominator { elasticity: 0 }
            ))
        );
        assert!(decode_extra_data(ExtraDataFormat::Holocene, &[]).is_err());
    }
}
