//! Deposit source hashes: the unique, domain-separated origin of every deposit transaction.
//!
//! A source hash is `keccak256(bytes32(domain) ++ keccak256(payload))`
//! (see `specs/protocol/deposits.md#source-hash-computation`). The domain keeps deposits of
//! different kinds from ever colliding:
//!
//! | domain | kind                   | payload                                   |
//! | ------ | ---------------------- | ----------------------------------------- |
//! | 0      | user deposit           | `l1_block_hash ++ bytes32(log_index)`     |
//! | 1      | L1 attributes deposit  | `l1_block_hash ++ bytes32(sequence_number)` |
//! | 2      | network upgrade        | the upgrade's intent string               |

use alloy_primitives::{B256, keccak256};

/// The source hash domain of a deposit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum DepositSourceDomain {
    /// A user deposit, from a `TransactionDeposited` log on L1.
    User = 0,
    /// The L1 attributes deposit at the start of every L2 block.
    L1Info = 1,
    /// A network upgrade transaction.
    Upgrade = 2,
}

impl DepositSourceDomain {
    /// The domain as the 32-byte big-endian word that prefixes the hashed payload.
    pub const fn as_word(self) -> B256 {
        let mut word = [0u8; 32];
        word[31] = self as u8;
        B256::new(word)
    }
}

/// `keccak256(bytes32(domain) ++ inner)`.
fn with_domain(domain: DepositSourceDomain, inner: B256) -> B256 {
    let mut preimage = [0u8; 64];
    preimage[..32].copy_from_slice(domain.as_word().as_slice());
    preimage[32..].copy_from_slice(inner.as_slice());
    keccak256(preimage)
}

/// `keccak256(hash ++ bytes32(index))`, the inner hash of the block-anchored domains.
fn block_anchored(block_hash: B256, index: u64) -> B256 {
    let mut preimage = [0u8; 64];
    preimage[..32].copy_from_slice(block_hash.as_slice());
    preimage[56..].copy_from_slice(&index.to_be_bytes());
    keccak256(preimage)
}

/// The source hash of a user deposit: the `TransactionDeposited` log at `log_index` (its
/// index among all logs of the L1 block) in the L1 block `l1_block_hash`.
pub fn user_deposit(l1_block_hash: B256, log_index: u64) -> B256 {
    with_domain(
        DepositSourceDomain::User,
        block_anchored(l1_block_hash, log_index),
    )
}

/// The source hash of the L1 attributes deposit of the L2 block with `sequence_number` in
/// the epoch of the L1 block `l1_block_hash`.
pub fn l1_info_deposit(l1_block_hash: B256, sequence_number: u64) -> B256 {
    with_domain(
        DepositSourceDomain::L1Info,
        block_anchored(l1_block_hash, sequence_number),
    )
}

/// The source hash of a network upgrade deposit, identified by its intent string
/// (for example `"Ecotone: L1 Block Deployment"`).
pub fn upgrade_deposit(intent: &str) -> B256 {
    with_domain(DepositSourceDomain::Upgrade, keccak256(intent.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::b256;

    // Independent implementation: op-alloy-consensus' source types.
    use op_alloy_consensus::{L1InfoDepositSource, UpgradeDepositSource, UserDepositSource};

    const BLOCK: B256 = b256!("c9d5a4a1e38fbd1c3d8b4e0e5e3a2f0d1f2a3b4c5d6e7f8091a2b3c4d5e6f708");

    #[test]
    fn domains_match_the_spec_prefix_words() {
        assert_eq!(DepositSourceDomain::User.as_word(), B256::ZERO);
        assert_eq!(
            DepositSourceDomain::L1Info.as_word(),
            B256::with_last_byte(1)
        );
        assert_eq!(
            DepositSourceDomain::Upgrade.as_word(),
            B256::with_last_byte(2)
        );
    }

    #[test]
    fn user_deposit_matches_spec_formula() {
        // keccak256(bytes32(0) ++ keccak256(l1 block hash ++ bytes32(log index)))
        let mut inner = [0u8; 64];
        inner[..32].copy_from_slice(BLOCK.as_slice());
        inner[63] = 7;
        let mut outer = [0u8; 64];
        outer[32..].copy_from_slice(keccak256(inner).as_slice());
        assert_eq!(user_deposit(BLOCK, 7), keccak256(outer));
        assert_eq!(
            user_deposit(BLOCK, 7),
            UserDepositSource::new(BLOCK, 7).source_hash()
        );
    }

    #[test]
    fn l1_info_deposit_matches_independent_implementation() {
        for seq in [0, 1, 5, u64::MAX] {
            assert_eq!(
                l1_info_deposit(BLOCK, seq),
                L1InfoDepositSource::new(BLOCK, seq).source_hash()
            );
        }
    }

    #[test]
    fn domains_separate_equal_payloads() {
        assert_ne!(user_deposit(BLOCK, 3), l1_info_deposit(BLOCK, 3));
    }

    #[test]
    fn upgrade_deposit_known_vector() {
        // Ecotone's first upgrade transaction, as listed in specs/protocol/ecotone/derivation.md.
        assert_eq!(
            upgrade_deposit("Ecotone: L1 Block Deployment"),
            b256!("877a6077205782ea15a6dc8699fa5ebcec5e0f4389f09cb8eda09488231346f8")
        );
        let intent = "Isthmus: Gas Price Oracle Deployment";
        assert_eq!(
            upgrade_deposit(intent),
            UpgradeDepositSource::new(intent.into()).source_hash()
        );
    }
}
