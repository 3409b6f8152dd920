//! The L2 predeploy addresses and the system account koa's protocol code refers to, defined
//! once (`specs/protocol/predeploys.md`, `specs/protocol/deposits.md`).
//!
//! Every predeploy here is the address of its proxy; the implementations behind them change at
//! network upgrades ([`upgrades`](crate::upgrades)).

use alloy_primitives::{Address, address};

/// The L1 attributes depositor account: the sender of the L1 attributes deposit and of the
/// system-generated `GasPriceOracle` calls at upgrades. An account, not a contract.
pub const L1_ATTRIBUTES_DEPOSITOR: Address = address!("deaddeaddeaddeaddeaddeaddeaddeaddead0001");

/// `GasPriceOracle`: the L1 data fee and operator fee views.
pub const GAS_PRICE_ORACLE: Address = address!("420000000000000000000000000000000000000f");

/// `SequencerFeeVault`: every derived block's fee recipient.
pub const SEQUENCER_FEE_VAULT: Address = address!("4200000000000000000000000000000000000011");

/// `L1Block`: the recipient of the L1 attributes deposit, which stores the L1 origin's values.
pub const L1_BLOCK: Address = address!("4200000000000000000000000000000000000015");

/// `L2ToL1MessagePasser`: its storage root is the output root's withdrawal commitment (and,
/// from Isthmus, the header's `withdrawalsRoot`).
pub const L2_TO_L1_MESSAGE_PASSER: Address = address!("4200000000000000000000000000000000000016");

/// `OperatorFeeVault` (Isthmus).
pub const OPERATOR_FEE_VAULT: Address = address!("420000000000000000000000000000000000001b");

/// `CrossL2Inbox` (Interop).
pub const CROSS_L2_INBOX: Address = address!("4200000000000000000000000000000000000022");

/// `L2ToL2CrossDomainMessenger` (Interop).
pub const L2_TO_L2_CROSS_DOMAIN_MESSENGER: Address =
    address!("4200000000000000000000000000000000000023");
