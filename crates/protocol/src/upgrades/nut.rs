//! Network Upgrade Transaction (NUT) bundles: upgrade deposits as data.
//!
//! From Karst on, a fork's upgrade deposits are not written out in code but shipped as a JSON
//! bundle (`specs/protocol/l2-upgrades-1-execution.md`, "Network Upgrade Transaction Bundle"):
//!
//! ```json
//! { "metadata": { "version": "1.0.0" },
//!   "transactions": [ { "intent": "...", "from": "0x..", "to": "0x.." | null,
//!                       "data": "0x..", "gasLimit": 123 } ] }
//! ```
//!
//! Each entry becomes one deposit, in bundle order, with `mint = 0`, `value = 0`,
//! `isSystemTx = false`, `to = null` meaning a contract creation, and the upgrade-deposited
//! source hash of the *qualified* intent `"<Fork> <index>: <intent>"` (for example
//! `"Karst 0: ConditionalDeployer Deployment"`). The fork's specification words this as
//! prefixing the intent with the fork name; the reference rollup nodes (op-node and kona) also
//! insert the transaction's index, and the chains that activated Karst carry those hashes, so
//! that is the form used here.
//!
//! The activation block's gas limit is raised by the bundle's *upgrade gas*, the sum of its
//! gas limits, so the upgrade cannot run out of block gas; see [`super::upgrade_gas`].

use alloc::{format, string::String, string::ToString, vec::Vec};

use alloy_primitives::{Address, Bytes, TxKind};
use op_alloy_consensus::TxDeposit;
use serde::Deserialize;

use super::{UpgradeError, deposit::upgrade_deposit};
use crate::Hardfork;

/// The only NUT bundle schema version this implementation reads.
pub const NUT_BUNDLE_VERSION: &str = "1.0.0";

/// One upgrade transaction of a bundle, as the bundle states it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NutTransaction {
    /// What the transaction does; qualified, it determines the source hash.
    pub intent: String,
    /// The sender.
    pub from: Address,
    /// The recipient; `None` for a contract creation.
    pub to: Option<Address>,
    /// Calldata, or init code for a creation.
    pub data: Bytes,
    /// The deposit's gas limit.
    pub gas_limit: u64,
}

/// A fork's parsed NUT bundle.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NutBundle {
    /// The fork the bundle activates.
    pub fork: Hardfork,
    /// The fork name qualifying every intent (`"Karst"`).
    pub label: &'static str,
    /// The upgrade transactions, in execution order.
    pub transactions: Vec<NutTransaction>,
}

impl NutBundle {
    /// Parses `json` as `fork`'s bundle whose intents are qualified with `label`.
    pub fn parse(fork: Hardfork, label: &'static str, json: &str) -> Result<Self, UpgradeError> {
        let raw: RawBundle<'_, RawTransaction> = decode(fork, json)?;
        let transactions = raw
            .transactions
            .into_iter()
            .map(|tx| NutTransaction {
                intent: tx.intent,
                from: tx.from,
                to: tx.to,
                data: tx.data,
                gas_limit: tx.gas_limit,
            })
            .collect();
        Ok(Self {
            fork,
            label,
            transactions,
        })
    }

    /// The upgrade gas: the sum of the transactions' gas limits.
    pub fn total_gas(&self) -> Result<u64, UpgradeError> {
        sum_gas(self.fork, self.transactions.iter().map(|tx| tx.gas_limit))
    }

    /// The intent hashed into transaction `index`'s source hash: `"<label> <index>: <intent>"`.
    pub fn qualified_intent(&self, index: usize, intent: &str) -> String {
        format!("{} {index}: {intent}", self.label)
    }

    /// The bundle's deposits, in execution order.
    pub fn deposits(&self) -> Result<Vec<TxDeposit>, UpgradeError> {
        self.transactions
            .iter()
            .enumerate()
            .map(|(index, tx)| {
                if tx.intent.is_empty() {
                    return Err(UpgradeError::MissingIntent {
                        fork: self.fork,
                        index,
                    });
                }
                let to = tx.to.map_or(TxKind::Create, TxKind::Call);
                Ok(upgrade_deposit(
                    &self.qualified_intent(index, &tx.intent),
                    tx.from,
                    to,
                    tx.gas_limit,
                    tx.data.clone(),
                ))
            })
            .collect()
    }
}

/// The upgrade gas of `fork`'s bundle `json`, reading only the gas limits (no calldata is
/// copied).
pub fn bundle_gas(fork: Hardfork, json: &str) -> Result<u64, UpgradeError> {
    let raw: RawBundle<'_, RawGas> = decode(fork, json)?;
    sum_gas(fork, raw.transactions.iter().map(|tx| tx.gas_limit))
}

/// Sums gas limits, refusing to wrap.
fn sum_gas(fork: Hardfork, mut limits: impl Iterator<Item = u64>) -> Result<u64, UpgradeError> {
    limits
        .try_fold(0u64, |sum, gas| sum.checked_add(gas))
        .ok_or(UpgradeError::GasOverflow { fork })
}

/// Decodes a bundle and checks its schema version.
fn decode<'a, T: Deserialize<'a>>(
    fork: Hardfork,
    json: &'a str,
) -> Result<RawBundle<'a, T>, UpgradeError> {
    let raw: RawBundle<'a, T> =
        serde_json::from_str(json).map_err(|err| UpgradeError::BundleDecode {
            fork,
            message: err.to_string(),
        })?;
    if raw.metadata.version != NUT_BUNDLE_VERSION {
        return Err(UpgradeError::BundleVersion {
            fork,
            found: raw.metadata.version.into(),
            expected: NUT_BUNDLE_VERSION,
        });
    }
    Ok(raw)
}

/// The bundle file's top level.
#[derive(Deserialize)]
struct RawBundle<'a, T> {
    #[serde(borrow)]
    metadata: RawMetadata<'a>,
    transactions: Vec<T>,
}

/// The bundle file's metadata; fields other than the version are informational.
#[derive(Deserialize)]
struct RawMetadata<'a> {
    version: &'a str,
}

/// One transaction of the bundle file.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawTransaction {
    intent: String,
    from: Address,
    #[serde(default)]
    to: Option<Address>,
    data: Bytes,
    gas_limit: u64,
}

/// One transaction of the bundle file, gas limit only.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawGas {
    gas_limit: u64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::{U256, address, bytes};

    const BUNDLE: &str = r#"{
        "metadata": { "version": "1.0.0", "fork": "test" },
        "transactions": [
            { "intent": "Create", "from": "0x000000000000000000000000000000000000abba",
              "to": null, "data": "0x6080", "gasLimit": 1000000 },
            { "intent": "Call", "from": "0x0000000000000000000000000000000000000000",
              "to": "0x4200000000000000000000000000000000000015", "data": "0xfeedface",
              "gasLimit": 5000000 }
        ]
    }"#;

    #[test]
    fn bundle_entries_become_upgrade_deposits() {
        let bundle = NutBundle::parse(Hardfork::Karst, "Test", BUNDLE).unwrap();
        let deposits = bundle.deposits().unwrap();
        assert_eq!(deposits.len(), 2);
        assert_eq!(
            deposits[0].source_hash,
            crate::deposits::source_hash::upgrade_deposit("Test 0: Create")
        );
        assert_eq!(
            deposits[0].from,
            address!("000000000000000000000000000000000000abba")
        );
        assert_eq!(deposits[0].to, TxKind::Create);
        assert_eq!(deposits[0].input, bytes!("6080"));
        assert_eq!(
            deposits[1].source_hash,
            crate::deposits::source_hash::upgrade_deposit("Test 1: Call")
        );
        assert_eq!(deposits[1].to, TxKind::Call(crate::predeploys::L1_BLOCK));
        assert_eq!(deposits[1].gas_limit, 5_000_000);
        for deposit in &deposits {
            assert_eq!(deposit.mint, 0);
            assert_eq!(deposit.value, U256::ZERO);
            assert!(!deposit.is_system_transaction);
        }
        assert_eq!(bundle.total_gas(), Ok(6_000_000));
        assert_eq!(bundle_gas(Hardfork::Karst, BUNDLE), Ok(6_000_000));
    }

    #[test]
    fn rejects_unknown_version_and_bad_json() {
        let newer = BUNDLE.replace("\"1.0.0\"", "\"2.0.0\"");
        assert!(matches!(
            NutBundle::parse(Hardfork::Karst, "Test", &newer),
            Err(UpgradeError::BundleVersion { .. })
        ));
        assert!(matches!(
            bundle_gas(Hardfork::Karst, "{\"metadata\":"),
            Err(UpgradeError::BundleDecode { .. })
        ));
    }

    #[test]
    fn rejects_empty_intent_and_gas_overflow() {
        let no_intent = BUNDLE.replace("\"Call\"", "\"\"");
        let bundle = NutBundle::parse(Hardfork::Karst, "Test", &no_intent).unwrap();
        assert_eq!(
            bundle.deposits(),
            Err(UpgradeError::MissingIntent {
                fork: Hardfork::Karst,
                index: 1
            })
        );
        let huge = BUNDLE.replace("5000000", &u64::MAX.to_string());
        assert_eq!(
            bundle_gas(Hardfork::Karst, &huge),
            Err(UpgradeError::GasOverflow {
                fork: Hardfork::Karst
            })
        );
    }
}
