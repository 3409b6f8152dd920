//! Interop's network upgrade transactions.
//!
//! `specs/interop/upgrade.md` lists the Interop activation block's upgrade deposits but leaves
//! their exact definition open ("still to be defined"). These are the ones the reference rollup
//! node (op-node) derives and that the shared test vectors `interop_tx_{0..3}.hex` pin: the
//! `CrossL2Inbox` and `L2ToL2CrossDomainMessenger` implementations, each followed by its proxy
//! update. They may change before Interop is scheduled on any chain.

use alloc::{vec, vec::Vec};

use alloy_primitives::{Address, address};
use op_alloy_consensus::TxDeposit;

use crate::predeploys::{CROSS_L2_INBOX, L2_TO_L2_CROSS_DOMAIN_MESSENGER};

use super::{
    deposit::{deployment, proxy_update},
    hex::bytecode,
};

/// Deployer of the `CrossL2Inbox` implementation.
pub const CROSS_L2_INBOX_DEPLOYER: Address = address!("4220000000000000000000000000000000000000");
/// Deployer of the `L2ToL2CrossDomainMessenger` implementation.
pub const L2_TO_L2_MESSENGER_DEPLOYER: Address =
    address!("4220000000000000000000000000000000000001");
/// Where the `CrossL2Inbox` implementation lands: `CREATE(CROSS_L2_INBOX_DEPLOYER, 0)`.
pub const CROSS_L2_INBOX_IMPLEMENTATION: Address =
    address!("691300f512e48b463c2617b34eef1a9f82ee7dbf");
/// Where the `L2ToL2CrossDomainMessenger` implementation lands:
/// `CREATE(L2_TO_L2_MESSENGER_DEPLOYER, 0)`.
pub const L2_TO_L2_MESSENGER_IMPLEMENTATION: Address =
    address!("0d0edd0ebd0e94d218670a8de867eb5c4d37cadd");

/// Gas limit of the `CrossL2Inbox` deployment.
pub const CROSS_L2_INBOX_DEPLOYMENT_GAS: u64 = 420_000;
/// Gas limit of the `L2ToL2CrossDomainMessenger` deployment.
pub const L2_TO_L2_MESSENGER_DEPLOYMENT_GAS: u64 = 1_100_000;

bytecode! {
    /// Init code of the `CrossL2Inbox` implementation.
    pub static CROSS_L2_INBOX_DEPLOYMENT_CODE = "crossl2inbox_interop.hex";
}
bytecode! {
    /// Init code of the `L2ToL2CrossDomainMessenger` implementation.
    pub static L2_TO_L2_MESSENGER_DEPLOYMENT_CODE = "l2tol2_xdm_interop.hex";
}

/// The Interop activation block's upgrade deposits, in block order.
pub fn transactions() -> Vec<TxDeposit> {
    vec![
        deployment(
            "Interop: CrossL2Inbox Deployment",
            CROSS_L2_INBOX_DEPLOYER,
            CROSS_L2_INBOX_DEPLOYMENT_GAS,
            CROSS_L2_INBOX_DEPLOYMENT_CODE,
        ),
        proxy_update(
            "Interop: CrossL2Inbox Proxy Update",
            CROSS_L2_INBOX,
            CROSS_L2_INBOX_IMPLEMENTATION,
        ),
        deployment(
            "Interop: L2ToL2CrossDomainMessenger Deployment",
            L2_TO_L2_MESSENGER_DEPLOYER,
            L2_TO_L2_MESSENGER_DEPLOYMENT_GAS,
            L2_TO_L2_MESSENGER_DEPLOYMENT_CODE,
        ),
        proxy_update(
            "Interop: L2ToL2CrossDomainMessenger Proxy Update",
            L2_TO_L2_CROSS_DOMAIN_MESSENGER,
            L2_TO_L2_MESSENGER_IMPLEMENTATION,
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn implementations_are_the_deployers_first_creations() {
        assert_eq!(
            CROSS_L2_INBOX_DEPLOYER.create(0),
            CROSS_L2_INBOX_IMPLEMENTATION
        );
        assert_eq!(
            L2_TO_L2_MESSENGER_DEPLOYER.create(0),
            L2_TO_L2_MESSENGER_IMPLEMENTATION
        );
    }
}
