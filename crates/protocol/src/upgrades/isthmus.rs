//! Isthmus's network upgrade transactions.
//!
//! `specs/protocol/isthmus/derivation.md`, "Network upgrade automation transactions": new
//! `L1Block`, `GasPriceOracle` and `OperatorFeeVault` implementations, their proxies pointed at
//! them, the oracle switched to the Isthmus (operator fee) formula, and the EIP-2935 block hash
//! history contract deployed from the EIP's fixed deployer.

use alloc::{vec, vec::Vec};

use alloy_primitives::{Address, address};
use op_alloy_consensus::TxDeposit;

use crate::predeploys::{GAS_PRICE_ORACLE, L1_BLOCK, OPERATOR_FEE_VAULT};

use super::{
    deposit::{deployment, depositor_call, proxy_update},
    hex::bytecode,
};

/// Deployer of the Isthmus `L1Block` implementation.
pub const L1_BLOCK_DEPLOYER: Address = address!("4210000000000000000000000000000000000003");
/// Deployer of the Isthmus `GasPriceOracle` implementation.
pub const GAS_PRICE_ORACLE_DEPLOYER: Address = address!("4210000000000000000000000000000000000004");
/// Deployer of the `OperatorFeeVault` implementation.
pub const OPERATOR_FEE_VAULT_DEPLOYER: Address =
    address!("4210000000000000000000000000000000000005");
/// The EIP-2935 history storage contract deployer, as the final EIP specifies it.
pub const BLOCK_HASH_HISTORY_DEPLOYER: Address =
    address!("3462413af4609098e1e27a490f554f260213d685");
/// Where the Isthmus `L1Block` implementation lands: `CREATE(L1_BLOCK_DEPLOYER, 0)`.
pub const L1_BLOCK_IMPLEMENTATION: Address = address!("ff256497d61dcd71a9e9ff43967c13fde1f72d12");
/// Where the Isthmus `GasPriceOracle` lands: `CREATE(GAS_PRICE_ORACLE_DEPLOYER, 0)`.
pub const GAS_PRICE_ORACLE_IMPLEMENTATION: Address =
    address!("93e57a196454cb919193fa9946f14943cf733845");
/// Where the `OperatorFeeVault` lands: `CREATE(OPERATOR_FEE_VAULT_DEPLOYER, 0)`.
pub const OPERATOR_FEE_VAULT_IMPLEMENTATION: Address =
    address!("4fa2be8cd41504037f1838bce3bcc93bc68ff537");

/// Gas limit of the `L1Block` deployment.
pub const L1_BLOCK_DEPLOYMENT_GAS: u64 = 425_000;
/// Gas limit of the `GasPriceOracle` deployment.
pub const GAS_PRICE_ORACLE_DEPLOYMENT_GAS: u64 = 1_625_000;
/// Gas limit of the `OperatorFeeVault` deployment.
pub const OPERATOR_FEE_VAULT_DEPLOYMENT_GAS: u64 = 500_000;
/// Gas limit of the `setIsthmus()` call.
pub const ENABLE_ISTHMUS_GAS: u64 = 90_000;
/// Gas limit of the EIP-2935 contract deployment (`0x3d090`, as in the EIP).
pub const BLOCK_HASH_HISTORY_DEPLOYMENT_GAS: u64 = 250_000;

/// `setIsthmus()`.
const ENABLE_ISTHMUS_CALLDATA: [u8; 4] = [0x29, 0x1b, 0x03, 0x83];

bytecode! {
    /// Init code of the Isthmus `L1Block` implementation.
    pub static L1_BLOCK_DEPLOYMENT_CODE = "l1_block_isthmus.hex";
}
bytecode! {
    /// Init code of the Isthmus `GasPriceOracle` implementation.
    pub static GAS_PRICE_ORACLE_DEPLOYMENT_CODE = "gpo_isthmus.hex";
}
bytecode! {
    /// Init code of the `OperatorFeeVault` implementation.
    pub static OPERATOR_FEE_VAULT_DEPLOYMENT_CODE = "ofv_isthmus.hex";
}
bytecode! {
    /// Init code of the EIP-2935 block hash history contract.
    pub static BLOCK_HASH_HISTORY_DEPLOYMENT_CODE = "eip2935_isthmus.hex";
}

/// The Isthmus activation block's upgrade deposits, in block order.
pub fn transactions() -> Vec<TxDeposit> {
    vec![
        deployment(
            "Isthmus: L1 Block Deployment",
            L1_BLOCK_DEPLOYER,
            L1_BLOCK_DEPLOYMENT_GAS,
            L1_BLOCK_DEPLOYMENT_CODE,
        ),
        deployment(
            "Isthmus: Gas Price Oracle Deployment",
            GAS_PRICE_ORACLE_DEPLOYER,
            GAS_PRICE_ORACLE_DEPLOYMENT_GAS,
            GAS_PRICE_ORACLE_DEPLOYMENT_CODE,
        ),
        deployment(
            "Isthmus: Operator Fee Vault Deployment",
            OPERATOR_FEE_VAULT_DEPLOYER,
            OPERATOR_FEE_VAULT_DEPLOYMENT_GAS,
            OPERATOR_FEE_VAULT_DEPLOYMENT_CODE,
        ),
        proxy_update(
            "Isthmus: L1 Block Proxy Update",
            L1_BLOCK,
            L1_BLOCK_IMPLEMENTATION,
        ),
        proxy_update(
            "Isthmus: Gas Price Oracle Proxy Update",
            GAS_PRICE_ORACLE,
            GAS_PRICE_ORACLE_IMPLEMENTATION,
        ),
        proxy_update(
            "Isthmus: Operator Fee Vault Proxy Update",
            OPERATOR_FEE_VAULT,
            OPERATOR_FEE_VAULT_IMPLEMENTATION,
        ),
        depositor_call(
            "Isthmus: Gas Price Oracle Set Isthmus",
            GAS_PRICE_ORACLE,
            ENABLE_ISTHMUS_GAS,
            &ENABLE_ISTHMUS_CALLDATA,
        ),
        deployment(
            "Isthmus: EIP-2935 Contract Deployment",
            BLOCK_HASH_HISTORY_DEPLOYER,
            BLOCK_HASH_HISTORY_DEPLOYMENT_GAS,
            BLOCK_HASH_HISTORY_DEPLOYMENT_CODE,
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
        assert_eq!(
            OPERATOR_FEE_VAULT_DEPLOYER.create(0),
            OPERATOR_FEE_VAULT_IMPLEMENTATION
        );
    }
}
