//! Jovian's network upgrade transactions.
//!
//! `specs/protocol/jovian/derivation.md`, "Network Upgrade Transactions": new `L1Block` and
//! `GasPriceOracle` implementations, each followed by its proxy update, then the oracle
//! switched to the Jovian operator fee formula.

use alloc::{vec, vec::Vec};

use alloy_primitives::{Address, address};
use op_alloy_consensus::TxDeposit;

use crate::predeploys::{GAS_PRICE_ORACLE, L1_BLOCK};

use super::{
    deposit::{deployment, depositor_call, proxy_update},
    hex::bytecode,
};

/// Deployer of the Jovian `L1Block` implementation.
pub const L1_BLOCK_DEPLOYER: Address = address!("4210000000000000000000000000000000000006");
/// Deployer of the Jovian `GasPriceOracle` implementation.
pub const GAS_PRICE_ORACLE_DEPLOYER: Address = address!("4210000000000000000000000000000000000007");
/// Where the Jovian `L1Block` implementation lands: `CREATE(L1_BLOCK_DEPLOYER, 0)`.
pub const L1_BLOCK_IMPLEMENTATION: Address = address!("3ba4007f5c922fbb33c454b41ea7a1f11e83df2c");
/// Where the Jovian `GasPriceOracle` lands: `CREATE(GAS_PRICE_ORACLE_DEPLOYER, 0)`.
pub const GAS_PRICE_ORACLE_IMPLEMENTATION: Address =
    address!("4f1db3c6abd250ba86e0928471a8f7db3afd88f1");

/// Gas limit of the `L1Block` deployment.
pub const L1_BLOCK_DEPLOYMENT_GAS: u64 = 447_315;
/// Gas limit of the `GasPriceOracle` deployment.
pub const GAS_PRICE_ORACLE_DEPLOYMENT_GAS: u64 = 1_756_783;
/// Gas limit of the `setJovian()` call.
pub const ENABLE_JOVIAN_GAS: u64 = 90_000;

/// `setJovian()`.
const ENABLE_JOVIAN_CALLDATA: [u8; 4] = [0xb3, 0xd7, 0x20, 0x79];

bytecode! {
    /// Init code of the Jovian `L1Block` implementation.
    pub static L1_BLOCK_DEPLOYMENT_CODE = "jovian-l1-block-deployment.hex";
}
bytecode! {
    /// Init code of the Jovian `GasPriceOracle` implementation.
    pub static GAS_PRICE_ORACLE_DEPLOYMENT_CODE = "jovian-gas-price-oracle-deployment.hex";
}

/// The Jovian activation block's upgrade deposits, in block order.
pub fn transactions() -> Vec<TxDeposit> {
    vec![
        deployment(
            "Jovian: L1Block Deployment",
            L1_BLOCK_DEPLOYER,
            L1_BLOCK_DEPLOYMENT_GAS,
            L1_BLOCK_DEPLOYMENT_CODE,
        ),
        proxy_update(
            "Jovian: L1Block Proxy Update",
            L1_BLOCK,
            L1_BLOCK_IMPLEMENTATION,
        ),
        deployment(
            "Jovian: GasPriceOracle Deployment",
            GAS_PRICE_ORACLE_DEPLOYER,
            GAS_PRICE_ORACLE_DEPLOYMENT_GAS,
            GAS_PRICE_ORACLE_DEPLOYMENT_CODE,
        ),
        proxy_update(
            "Jovian: GasPriceOracle Proxy Update",
            GAS_PRICE_ORACLE,
            GAS_PRICE_ORACLE_IMPLEMENTATION,
        ),
        depositor_call(
            "Jovian: Gas Price Oracle Set Jovian",
            GAS_PRICE_ORACLE,
            ENABLE_JOVIAN_GAS,
            &ENABLE_JOVIAN_CALLDATA,
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn implementations_are_the_deployers_first_creations() {
        assert_eq!(L1_BLOCK_DEPLOYER.create(0), L1_BLOCK_IMPLEMENTATION);
        assert_eq!(
            GAS_PRICE_ORACLE_DEPLOYER.create(0),
            GAS_PRICE_ORACLE_IMPLEMENTATION
        );
    }
}
