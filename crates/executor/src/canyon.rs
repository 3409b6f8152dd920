//! Canyon's create2deployer deployment.
//!
//! At the block whose timestamp equals the Canyon activation time, the execution engine sets
//! the code of the create2deployer predeploy (keeping the account's nonce, balance and storage)
//! unless it already has exactly that code. The bytecode is the preinstall's, identical in every
//! OP Stack genesis since; its hash is checked by a unit test.

use alloy_primitives::{Address, B256, address, b256};

/// The create2deployer's address.
pub const CREATE2_DEPLOYER_ADDRESS: Address =
    address!("0x13b0D85CcB8bf860b6b79AF3029fCA081AE9beF2");

/// keccak256 of the create2deployer's code.
pub const CREATE2_DEPLOYER_CODE_HASH: B256 =
    b256!("0xb0550b5b431e30d38000efb7107aaa0ade03d48a7198a140edda9d27134468b2");

/// The create2deployer's runtime bytecode.
pub const CREATE2_DEPLOYER_CODE: &[u8] = include_bytes!("create2deployer.bin");

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::keccak256;

    #[test]
    fn bytecode_matches_its_hash() {
        assert_eq!(keccak256(CREATE2_DEPLOYER_CODE), CREATE2_DEPLOYER_CODE_HASH);
    }
}
