//! Fjord's network upgrade transactions.
//!
//! `specs/fjord/derivation.md`, "Network upgrade automation transactions": a new
//! `GasPriceOracle` (FastLZ-based L1 data fee), its proxy pointed at it, and the oracle
//! switched to the Fjord fee formula.

use alloc::{vec, vec::Vec};

use alloy_primitives::{Address, address};
use op_alloy_consensus::TxDeposit;

use crate::predeploys::GAS_PRICE_ORACLE;

use super::{
    deposit::{deployment, depositor_call, proxy_update},
    hex::bytecode,
};

/// Deployer of the Fjord `GasPriceOracle` implementation.
pub const GAS_PRICE_ORACLE_DEPLOYER: Address = address!("4210000000000000000000000000000000000002");
/// Where the Fjord `GasPriceOracle` lands: `CREATE(GAS_PRICE_ORACLE_DEPLOYER, 0)`.
pub const GAS_PRICE_ORACLE_IMPLEMENTATION: Address =
    address!("a919894851548179a0750865e7974da599c0fac7");

/// Gas limit of the `GasPriceOracle` deployment.
pub const GAS_PRICE_ORACLE_DEPLOYMENT_GAS: u64 = 1_450_000;
/// Gas limit of the `setFjord()` call.
pub const ENABLE_FJORD_GAS: u64 = 90_000;

/// `setFjord()`.
const ENABLE_FJORD_CALLDATA: [u8; 4] = [0x8e, 0x98, 0xb1, 0x06];

bytecode! {
    /// Init code of the Fjord `GasPriceOracle` implementation.
    pub static GAS_PRICE_ORACLE_DEPLOYMENT_CODE = "gpo_fjord.hex";
}

/// The Fjord activation block's upgrade deposits, in block order.
pub fn transactions() -> Vec<TxDeposit> {
    vec![
        deployment(
            "Fjord: Gas Price Oracle Deployment",
            GAS_PRICE_ORACLE_DEPLOYER,
            GAS_PRICE_ORACLE_DEPLOYMENT_GAS,
            GAS_PRICE_ORACLE_DEPLOYMENT_CODE,
        ),
        proxy_update(
            "Fjord: Gas Price Oracle Proxy Update",
            GAS_PRICE_ORACLE,
            GAS_PRICE_ORACLE_IMPLEMENTATION,
        ),
        depositor_call(
            "Fjord: Gas Price Oracle Set Fjord",
            GAS_PRICE_ORACLE,
            ENABLE_FJORD_GAS,
            &ENABLE_FJORD_CALLDATA,
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn implementation_is_the_deployers_first_creation() {
        assert_eq!(
            GAS_PRICE_ORACLE_DEPLOYER.create(0),
            GAS_PRICE_ORACLE_IMPLEMENTATION
        );
    }
}
