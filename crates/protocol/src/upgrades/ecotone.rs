//! Ecotone's network upgrade transactions.
//!
//! `specs/protocol/ecotone/derivation.md`, "Network upgrade automation transactions": new
//! `L1Block` and `GasPriceOracle` implementations, their proxies pointed at them, the oracle
//! switched to the Ecotone fee formula, and the EIP-4788 beacon block roots contract deployed
//! from the EIP's fixed deployer.

use alloc::{vec, vec::Vec};

use alloy_primitives::{Address, address};
use op_alloy_consensus::TxDeposit;

use crate::predeploys::{GAS_PRICE_ORACLE, L1_BLOCK};

use super::{
    deposit::{deployment, depositor_call, proxy_update},
    hex::bytecode,
};

/// Deployer of the Ecotone `L1Block` implementation.
pub const L1_BLOCK_DEPLOYER: Address = address!("4210000000000000000000000000000000000000");
/// Deployer of the Ecotone `GasPriceOracle` implementation.
pub const GAS_PRICE_ORACLE_DEPLOYER: Address = address!("4210000000000000000000000000000000000001");
/// The EIP-4788 beacon block roots contract deployer, as the EIP specifies it.
pub const BEACON_ROOTS_DEPLOYER: Address = address!("0b799c86a49deeb90402691f1041aa3af2d3c875");
/// Where the Ecotone `L1Block` implementation lands: `CREATE(L1_BLOCK_DEPLOYER, 0)`.
pub const L1_BLOCK_IMPLEMENTATION: Address = address!("07dbe8500fc591d1852b76fee44d5a05e13097ff");
/// Where the Ecotone `GasPriceOracle` lands: `CREATE(GAS_PRICE_ORACLE_DEPLOYER, 0)`.
pub const GAS_PRICE_ORACLE_IMPLEMENTATION: Address =
    address!("b528d11cc114e026f138fe568744c6d45ce6da7a");

/// Gas limit of the `L1Block` deployment.
pub const L1_BLOCK_DEPLOYMENT_GAS: u64 = 375_000;
/// Gas limit of the `GasPriceOracle` deployment.
pub const GAS_PRICE_ORACLE_DEPLOYMENT_GAS: u64 = 1_000_000;
/// Gas limit of the `setEcotone()` call.
pub const ENABLE_ECOTONE_GAS: u64 = 80_000;
/// Gas limit of the beacon block roots contract deployment (`0x3d090`, as in EIP-4788).
pub const BEACON_ROOTS_DEPLOYMENT_GAS: u64 = 250_000;

/// `setEcotone()`.
const ENABLE_ECOTONE_CALLDATA: [u8; 4] = [0x22, 0xb9, 0x0a, 0xb3];

bytecode! {
    /// Init code of the Ecotone `L1Block` implementation.
    pub static L1_BLOCK_DEPLOYMENT_CODE = "l1_block_ecotone.hex";
}
bytecode! {
    /// Init code of the Ecotone `GasPriceOracle` implementation.
    pub static GAS_PRICE_ORACLE_DEPLOYMENT_CODE = "gpo_ecotone.hex";
}
bytecode! {
    /// Init code of the EIP-4788 beacon block roots contract.
    pub static BEACON_ROOTS_DEPLOYMENT_CODE = "eip4788_ecotone.hex";
}

/// The Ecotone activation block's upgrade deposits, in block order.
pub fn transactions() -> Vec<TxDeposit> {
    vec![
        deployment(
            "Ecotone: L1 Block Deployment",
            L1_BLOCK_DEPLOYER,
            L1_BLOCK_DEPLOYMENT_GAS,
            L1_BLOCK_DEPLOYMENT_CODE,
        ),
        deployment(
            "Ecotone: Gas Price Oracle Deployment",
            GAS_PRICE_ORACLE_DEPLOYER,
            GAS_PRICE_ORACLE_DEPLOYMENT_GAS,
            GAS_PRICE_ORACLE_DEPLOYMENT_CODE,
        ),
        proxy_update(
            "Ecotone: L1 Block Proxy Update",
            L1_BLOCK,
            L1_BLOCK_IMPLEMENTATION,
        ),
        proxy_update(
            "Ecotone: Gas Price Oracle Proxy Update",
            GAS_PRICE_ORACLE,
            GAS_PRICE_ORACLE_IMPLEMENTATION,
        ),
        depositor_call(
            "Ecotone: Gas Price Oracle Set Ecotone",
            GAS_PRICE_ORACLE,
            ENABLE_ECOTONE_GAS,
            &ENABLE_ECOTONE_CALLDATA,
        ),
        deployment(
            "Ecotone: beacon block roots contract deployment",
            BEACON_ROOTS_DEPLOYER,
            BEACON_ROOTS_DEPLOYMENT_GAS,
            BEACON_ROOTS_DEPLOYMENT_CODE,
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
