//! Network upgrade transactions: the deposits derivation inserts into a fork's activation block.
//!
//! Some forks change predeploy contracts. They do so with deposit transactions that every node
//! derives identically, without any L1 input, into the fork's *activation block*: the first L2
//! block whose timestamp is at or after the fork's activation time (never the genesis block).
//!
//! | fork | deposits | defined by |
//! |------|----------|------------|
//! | Ecotone | 6 | [`ecotone`], `specs/protocol/ecotone/derivation.md` |
//! | Fjord | 3 | [`fjord`], `specs/fjord/derivation.md` |
//! | Isthmus | 8 | [`isthmus`], `specs/protocol/isthmus/derivation.md` |
//! | Jovian | 5 | [`jovian`], `specs/protocol/jovian/derivation.md` |
//! | Karst | 31 | [`karst`] (a [`nut`] bundle), `specs/protocol/karst/derivation.md` |
//! | Interop | 4 | [`interop`], `specs/interop/upgrade.md` |
//!
//! Every one is a deposit from a fixed sender with `mint = 0`, `value = 0`,
//! `isSystemTx = false`, a fixed gas limit and the "upgrade-deposited" source hash
//! `keccak256(bytes32(2) ++ keccak256(intent))`
//! ([`upgrade_deposit`](crate::deposits::source_hash::upgrade_deposit)).
//!
//! # Using this from the attributes builder
//!
//! For the payload attributes of the L2 block at `timestamp` (with L1 origin and system
//! config already known):
//!
//! 1. **Transactions.** The block's transactions are, in this order: the L1 attributes
//!    deposit, the user deposits of the epoch (first block of an epoch only), then
//!    [`upgrade_transactions`]`(cfg, timestamp)` (empty unless the block activates a fork), then
//!    the batch's sequenced transactions. On an activation block the L1 attributes deposit
//!    still uses the *previous* fork's format (the new `L1Block` is only deployed by the
//!    upgrade deposits that follow it), and the block must carry no sequenced transactions
//!    (`noTxPool = true`; from Jovian on a batch for it that has any is dropped).
//!    With several forks activating in one block, their deposits follow in fork order.
//! 2. **Gas limit.** `gas_limit = system_config.gas_limit + `[`upgrade_gas`]`(cfg, timestamp)`.
//!    The upgrade gas is non-zero only on the activation block of a fork shipping a NUT bundle
//!    (Karst): it is the sum of the bundle's gas limits, so the upgrade always fits.
//! 3. **The next block.** The system config of an L2 block is recovered from its header, and its
//!    gas limit is the header's gas limit, less the upgrade gas the block carried:
//!    [`system_config_gas_limit`]`(cfg, header.timestamp, header.gas_limit)`. So the block after
//!    the Karst activation block returns to the system config's gas limit — unless the chain
//!    sets `keep_karst_upgrade_gas`, in which case (as on the chains that activated Karst before
//!    this was fixed) nothing is subtracted and the raised gas limit stays until L1 changes the
//!    system config's gas limit. [`upgrade_gas_to_strip`] gives the amount subtracted.

mod deposit;
mod error;
mod hex;

pub mod ecotone;
pub mod fjord;
pub mod interop;
pub mod isthmus;
pub mod jovian;
pub mod karst;
pub mod nut;

use alloc::vec::Vec;

use alloy_primitives::Bytes;
use op_alloy_consensus::TxDeposit;

pub use deposit::{PROXY_UPDATE_GAS, encode_deposit, upgrade_to_calldata};
pub use error::UpgradeError;

use crate::{Hardfork, RollupConfig};

/// The forks whose activation block carries upgrade deposits, in the order their deposits are
/// appended when several activate in the same block.
pub const UPGRADE_FORKS: [Hardfork; 6] = [
    Hardfork::Ecotone,
    Hardfork::Fjord,
    Hardfork::Isthmus,
    Hardfork::Jovian,
    Hardfork::Karst,
    Hardfork::Interop,
];

/// Whether the L2 block at `l2_timestamp` is `fork`'s activation block and so carries its
/// upgrade deposits.
///
/// False for forks without upgrade deposits, and for the genesis block (and any timestamp not
/// after it): a fork active from genesis has no activation block.
pub fn is_upgrade_block(rollup_config: &RollupConfig, fork: Hardfork, l2_timestamp: u64) -> bool {
    match fork {
        Hardfork::Ecotone => rollup_config.is_first_ecotone_block(l2_timestamp),
        Hardfork::Fjord => rollup_config.is_first_fjord_block(l2_timestamp),
        Hardfork::Isthmus => rollup_config.is_first_isthmus_block(l2_timestamp),
        Hardfork::Jovian => rollup_config.is_first_jovian_block(l2_timestamp),
        Hardfork::Karst => rollup_config.is_first_karst_block(l2_timestamp),
        Hardfork::Interop => rollup_config.is_first_interop_block(l2_timestamp),
        Hardfork::Bedrock
        | Hardfork::Regolith
        | Hardfork::Canyon
        | Hardfork::Delta
        | Hardfork::Granite
        | Hardfork::Holocene => false,
    }
}

/// The forks the L2 block at `l2_timestamp` activates that carry upgrade deposits, in
/// deposit order.
pub fn activated_forks(
    rollup_config: &RollupConfig,
    l2_timestamp: u64,
) -> impl Iterator<Item = Hardfork> + '_ {
    UPGRADE_FORKS
        .into_iter()
        .filter(move |fork| is_upgrade_block(rollup_config, *fork, l2_timestamp))
}

/// `fork`'s upgrade deposits, in block order; empty for a fork without any.
pub fn fork_deposits(fork: Hardfork) -> Result<Vec<TxDeposit>, UpgradeError> {
    Ok(match fork {
        Hardfork::Ecotone => ecotone::transactions(),
        Hardfork::Fjord => fjord::transactions(),
        Hardfork::Isthmus => isthmus::transactions(),
        Hardfork::Jovian => jovian::transactions(),
        Hardfork::Karst => karst::transactions()?,
        Hardfork::Interop => interop::transactions(),
        Hardfork::Bedrock
        | Hardfork::Regolith
        | Hardfork::Canyon
        | Hardfork::Delta
        | Hardfork::Granite
        | Hardfork::Holocene => Vec::new(),
    })
}

/// The gas `fork`'s activation block adds to its gas limit: its NUT bundle's upgrade gas, zero
/// for forks whose upgrade deposits fit the regular block gas (all before Karst).
pub fn fork_upgrade_gas(fork: Hardfork) -> Result<u64, UpgradeError> {
    match fork {
        Hardfork::Karst => karst::upgrade_gas(),
        _ => Ok(0),
    }
}

/// The upgrade deposits of the L2 block at `l2_timestamp`, in block order: empty unless the
/// block activates a fork (see [`is_upgrade_block`]).
pub fn upgrade_deposits(
    rollup_config: &RollupConfig,
    l2_timestamp: u64,
) -> Result<Vec<TxDeposit>, UpgradeError> {
    let mut deposits = Vec::new();
    for fork in activated_forks(rollup_config, l2_timestamp) {
        deposits.extend(fork_deposits(fork)?);
    }
    Ok(deposits)
}

/// The EIP-2718 encoded upgrade deposits of the L2 block at `l2_timestamp`, to append after
/// the L1 attributes deposit and the user deposits: empty unless the block activates a fork.
pub fn upgrade_transactions(
    rollup_config: &RollupConfig,
    l2_timestamp: u64,
) -> Result<Vec<Bytes>, UpgradeError> {
    Ok(upgrade_deposits(rollup_config, l2_timestamp)?
        .iter()
        .map(encode_deposit)
        .collect())
}

/// The gas the L2 block at `l2_timestamp` adds to the system config's gas limit: the upgrade
/// gas of the forks it activates (so far only Karst has any), zero for other blocks.
pub fn upgrade_gas(rollup_config: &RollupConfig, l2_timestamp: u64) -> Result<u64, UpgradeError> {
    activated_forks(rollup_config, l2_timestamp).try_fold(0u64, |sum, fork| {
        sum.checked_add(fork_upgrade_gas(fork)?)
            .ok_or(UpgradeError::GasOverflow { fork })
    })
}

/// The gas to subtract from the header gas limit of the L2 block at `l2_timestamp` to recover
/// its system config's gas limit: [`upgrade_gas`], except that Karst's is kept (nothing
/// subtracted) when the chain sets `keep_karst_upgrade_gas`.
pub fn upgrade_gas_to_strip(
    rollup_config: &RollupConfig,
    l2_timestamp: u64,
) -> Result<u64, UpgradeError> {
    activated_forks(rollup_config, l2_timestamp)
        .filter(|fork| !(*fork == Hardfork::Karst && rollup_config.keep_karst_upgrade_gas))
        .try_fold(0u64, |sum, fork| {
            sum.checked_add(fork_upgrade_gas(fork)?)
                .ok_or(UpgradeError::GasOverflow { fork })
        })
}

/// The system config gas limit of the L2 block at `l2_timestamp` whose header gas limit is
/// `header_gas_limit`: the header's, less [`upgrade_gas_to_strip`]. This is the gas limit the
/// next block's attributes start from.
pub fn system_config_gas_limit(
    rollup_config: &RollupConfig,
    l2_timestamp: u64,
    header_gas_limit: u64,
) -> Result<u64, UpgradeError> {
    let strip = upgrade_gas_to_strip(rollup_config, l2_timestamp)?;
    header_gas_limit
        .checked_sub(strip)
        .ok_or_else(|| UpgradeError::GasLimitBelowUpgradeGas {
            fork: activated_forks(rollup_config, l2_timestamp)
                .last()
                .unwrap_or(Hardfork::Karst),
            gas_limit: header_gas_limit,
            upgrade_gas: strip,
        })
}
