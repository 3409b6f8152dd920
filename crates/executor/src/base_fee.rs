//! The base fee of the next block and the Holocene/Jovian `extraData` fee parameters.
//!
//! Before Holocene the EIP-1559 parameters come from the chain config (with Canyon's
//! denominator from Canyon on). From Holocene the parent's `extraData` carries them
//! (version 0: `denominator u32 ‖ elasticity u32`); from Jovian it also carries the minimum
//! base fee (version 1: `… ‖ minBaseFee u64`) and the base fee tracks
//! `max(gasUsed, blobGasUsed)` (the DA footprint).

use alloy_consensus::Header;
use alloy_primitives::{B64, Bytes};
use koa_protocol::RollupConfig;

use crate::{AttributesError, OpPayloadAttributes};

/// Holocene `extraData` length: version byte, denominator, elasticity.
pub const HOLOCENE_EXTRA_DATA_LEN: usize = 9;
/// Jovian `extraData` length: Holocene's plus the minimum base fee.
pub const JOVIAN_EXTRA_DATA_LEN: usize = 17;

/// EIP-1559 parameters of one block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FeeParams {
    /// Base fee change denominator.
    pub denominator: u64,
    /// Elasticity multiplier.
    pub elasticity: u64,
    /// Minimum base fee (Jovian), zero before.
    pub min_base_fee: u64,
}

/// Decodes the fee parameters of a Holocene (version 0) or Jovian (version 1) `extraData`.
pub fn decode_extra_data(extra: &[u8], jovian: bool) -> Result<FeeParams, AttributesError> {
    let (fork, len, version) = if jovian {
        ("jovian", JOVIAN_EXTRA_DATA_LEN, 1)
    } else {
        ("holocene", HOLOCENE_EXTRA_DATA_LEN, 0)
    };
    let invalid = AttributesError::InvalidParentExtraData { fork };
    if extra.len() != len || extra.first() != Some(&version) {
        return Err(invalid);
    }
    let word = |from: usize| -> Result<u32, AttributesError> {
        let bytes: [u8; 4] = extra
            .get(from..from + 4)
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| invalid.clone())?;
        Ok(u32::from_be_bytes(bytes))
    };
    let denominator = word(1)?;
    let elasticity = word(5)?;
    if denominator == 0 {
        return Err(invalid);
    }
    let min_base_fee = if jovian {
        let bytes: [u8; 8] = extra
            .get(9..17)
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| invalid.clone())?;
        u64::from_be_bytes(bytes)
    } else {
        0
    };
    Ok(FeeParams {
        denominator: denominator.into(),
        elasticity: elasticity.into(),
        min_base_fee,
    })
}

/// Encodes a block's `extraData` from its payload attributes: empty before Holocene, version 0
/// from Holocene, version 1 (with the minimum base fee) from Jovian.
///
/// Zero `eip1559Params` select the chain config's (Canyon) parameters.
pub fn encode_extra_data(
    config: &RollupConfig,
    attributes: &OpPayloadAttributes,
) -> Result<Bytes, AttributesError> {
    let timestamp = attributes.timestamp;
    if !config.is_holocene_active(timestamp) {
        return Ok(Bytes::new());
    }
    let params = attributes
        .eip1559_params
        .ok_or(AttributesError::MissingEip1559Params)?;
    let (mut denominator, mut elasticity) = split_eip1559_params(params);
    if denominator == 0 {
        if elasticity != 0 {
            return Err(AttributesError::InvalidEip1559Params { elasticity });
        }
        // The chain config's values; they fit in u32 for every real chain.
        denominator = config.eip1559_denominator(timestamp) as u32;
        elasticity = config.chain_op_config.eip1559_elasticity as u32;
    }
    let jovian = config.is_jovian_active(timestamp);
    let mut out = alloc::vec::Vec::with_capacity(JOVIAN_EXTRA_DATA_LEN);
    out.push(u8::from(jovian));
    out.extend_from_slice(&denominator.to_be_bytes());
    out.extend_from_slice(&elasticity.to_be_bytes());
    if jovian {
        let min_base_fee = attributes
            .min_base_fee
            .ok_or(AttributesError::MissingMinBaseFee)?;
        out.extend_from_slice(&min_base_fee.to_be_bytes());
    }
    Ok(out.into())
}

/// Splits `eip1559Params` into (denominator, elasticity).
fn split_eip1559_params(params: B64) -> (u32, u32) {
    let value = u64::from_be_bytes(params.0);
    ((value >> 32) as u32, value as u32)
}

/// The base fee of the block at `timestamp` whose parent is `parent`.
pub fn next_base_fee(
    config: &RollupConfig,
    parent: &Header,
    timestamp: u64,
) -> Result<u64, AttributesError> {
    let parent_base_fee = parent
        .base_fee_per_gas
        .ok_or(AttributesError::MissingParentBaseFee)?;
    let params = if config.is_holocene_active(parent.timestamp) {
        decode_extra_data(
            &parent.extra_data,
            config.is_jovian_active(parent.timestamp),
        )?
    } else {
        FeeParams {
            denominator: config.eip1559_denominator(timestamp),
            elasticity: config.chain_op_config.eip1559_elasticity,
            min_base_fee: 0,
        }
    };
    let gas_used = if config.is_jovian_active(parent.timestamp) {
        parent
            .gas_used
            .max(parent.blob_gas_used.unwrap_or_default())
    } else {
        parent.gas_used
    };
    let base_fee = eip1559_base_fee(parent_base_fee, gas_used, parent.gas_limit, params);
    Ok(base_fee.max(params.min_base_fee))
}

/// The EIP-1559 update rule.
fn eip1559_base_fee(parent_base_fee: u64, gas_used: u64, gas_limit: u64, params: FeeParams) -> u64 {
    let gas_target = gas_limit / params.elasticity.max(1);
    if gas_target == 0 || gas_used == gas_target {
        return parent_base_fee;
    }
    let base = u128::from(parent_base_fee);
    let target = u128::from(gas_target);
    let denominator = u128::from(params.denominator.max(1));
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

    const CANYON: FeeParams = FeeParams {
        denominator: 250,
        elasticity: 6,
        min_base_fee: 0,
    };

    #[test]
    fn eip1559_rule() {
        // At target: unchanged.
        assert_eq!(
            eip1559_base_fee(1_000_000, 5_000_000, 30_000_000, CANYON),
            1_000_000
        );
        // Full block: +(6-1)/250 * 1/1 → 1_000_000 * 25_000_000 / 5_000_000 / 250 = 20_000.
        assert_eq!(
            eip1559_base_fee(1_000_000, 30_000_000, 30_000_000, CANYON),
            1_020_000
        );
        // Empty block: -1/250.
        assert_eq!(eip1559_base_fee(1_000_000, 0, 30_000_000, CANYON), 996_000);
        // Increase is at least 1 wei.
        assert_eq!(eip1559_base_fee(1, 5_000_001, 30_000_000, CANYON), 2);
    }

    #[test]
    fn extra_data_versions() {
        let holocene = [0u8, 0, 0, 0, 250, 0, 0, 0, 6];
        assert_eq!(decode_extra_data(&holocene, false), Ok(CANYON));
        assert!(decode_extra_data(&holocene, true).is_err());
        let mut jovian = [0u8; 17];
        jovian[0] = 1;
        jovian[1..9].copy_from_slice(&holocene[1..]);
        jovian[16] = 7;
        assert_eq!(
            decode_extra_data(&jovian, true),
            Ok(FeeParams {
                min_base_fee: 7,
                ..CANYON
            })
        );
        assert!(
            decode_extra_data(&[0u8; 9], false).is_err(),
            "zero denominator"
        );
        assert!(decode_extra_data(&[], false).is_err());
    }
}
