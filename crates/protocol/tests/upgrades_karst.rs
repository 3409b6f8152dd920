//! Karst's NUT bundle: the embedded bundle is the locked one, and each of its 31 transactions
//! becomes the deposit `specs/protocol/karst/derivation.md` ("Activation Block Rules") and
//! `specs/protocol/l2-upgrades-1-execution.md` ("Network Upgrade Transaction Bundle",
//! "Custom Upgrade Block Gas Limit") describe.
//!
//! The bundle's bytes are provisional for live chains; what is pinned here is the mechanism.

use alloy_primitives::{Address, B256, Bytes, TxKind, U256, address, keccak256};
use koa_protocol::{
    Hardfork,
    upgrades::{self, karst},
};
use serde_json::Value;
use sha2::{Digest, Sha256};

const BUNDLE_PATH: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/upgrades/karst_nut_bundle.json"
);
const FORK_LOCK_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/upgrades/fork_lock.toml");

/// The `hash = "sha256:<hex>"` entry of `[section]` in `fork_lock.toml`.
fn locked_sha256(section: &str) -> String {
    let lock = std::fs::read_to_string(FORK_LOCK_PATH).expect("fork_lock.toml");
    let header = format!("[{section}]");
    let mut in_section = false;
    for line in lock.lines().map(str::trim) {
        if line.starts_with('[') {
            in_section = line == header;
        } else if in_section && let Some(value) = line.strip_prefix("hash") {
            let value = value
                .trim_start()
                .trim_start_matches('=')
                .trim()
                .trim_matches('"');
            return value
                .strip_prefix("sha256:")
                .expect("sha256: prefix")
                .to_owned();
        }
    }
    panic!("no hash for [{section}] in fork_lock.toml");
}

fn bundle_entries() -> Vec<Value> {
    let json: Value = serde_json::from_str(&std::fs::read_to_string(BUNDLE_PATH).unwrap()).unwrap();
    json["transactions"]
        .as_array()
        .expect("transactions")
        .clone()
}

fn address_of(value: &Value) -> Address {
    value
        .as_str()
        .expect("address string")
        .parse()
        .expect("address")
}

/// The upgrade-deposited source hash, computed here independently of the crate.
fn source_hash_of(intent: &str) -> B256 {
    let mut preimage = [0u8; 64];
    preimage[31] = 2;
    preimage[32..].copy_from_slice(keccak256(intent).as_slice());
    keccak256(preimage)
}

// fork_lock.toml pins the bundle op-node and kona embed by its sha256.
#[test]
fn embedded_bundle_is_the_locked_bundle() {
    let file = std::fs::read(BUNDLE_PATH).unwrap();
    assert_eq!(karst::BUNDLE_JSON.as_bytes(), file.as_slice());
    let digest = Sha256::digest(karst::BUNDLE_JSON.as_bytes());
    assert_eq!(
        alloy_primitives::hex::encode(digest),
        locked_sha256("karst")
    );
}

// specs/protocol/karst/derivation.md, "Activation Block Rules": 31 transactions, each a deposit
// with the bundle's from, to, data and gas limit, mint and value 0, not a system transaction,
// and the upgrade source hash of the intent qualified with the fork name (and, as the
// reference nodes do, the transaction's index): "Karst <index>: <intent>".
#[test]
fn bundle_transactions_become_deposits() {
    let entries = bundle_entries();
    let deposits = karst::transactions().unwrap();
    assert_eq!(deposits.len(), 31);
    assert_eq!(entries.len(), 31);
    for (index, (deposit, entry)) in deposits.iter().zip(&entries).enumerate() {
        let intent = entry["intent"].as_str().expect("intent");
        assert!(!intent.is_empty());
        let what = format!("Karst deposit {index} ({intent})");
        assert_eq!(
            deposit.source_hash,
            source_hash_of(&format!("Karst {index}: {intent}")),
            "{what}: source hash"
        );
        assert_eq!(deposit.from, address_of(&entry["from"]), "{what}: from");
        let to = match &entry["to"] {
            Value::Null => TxKind::Create,
            to => TxKind::Call(address_of(to)),
        };
        assert_eq!(deposit.to, to, "{what}: to");
        assert_eq!(deposit.mint, 0, "{what}: mint");
        assert_eq!(deposit.value, U256::ZERO, "{what}: value");
        assert_eq!(
            deposit.gas_limit,
            entry["gasLimit"].as_u64().unwrap(),
            "{what}: gas"
        );
        assert!(!deposit.is_system_transaction, "{what}: isSystemTx");
        let data: Bytes = entry["data"].as_str().unwrap().parse().unwrap();
        assert_eq!(deposit.input, data, "{what}: data");
    }
    // Source hashes are unique, so every deposit has its own transaction hash.
    let mut hashes: Vec<B256> = deposits.iter().map(|d| d.source_hash).collect();
    hashes.sort();
    hashes.dedup();
    assert_eq!(hashes.len(), 31);
}

// specs/protocol/karst/derivation.md, "Activation Block Rules": the groups the 31
// transactions fall into, in order.
#[test]
fn bundle_follows_the_specified_groups() {
    let entries = bundle_entries();
    let intent = |index: usize| entries[index]["intent"].as_str().unwrap().to_owned();
    let l2_proxy_admin = address!("4200000000000000000000000000000000000018");
    let deposits = karst::transactions().unwrap();

    // 1. ConditionalDeployer deployment.
    assert_eq!(intent(0), "ConditionalDeployer Deployment");
    // 2. ConditionalDeployer upgrade: a proxy `upgradeTo` from the zero address.
    assert_eq!(intent(1), "Upgrade ConditionalDeployer Implementation");
    assert_eq!(deposits[1].from, Address::ZERO);
    assert_eq!(deposits[1].input[..4], keccak256("upgradeTo(address)")[..4]);
    // 3. One implementation deployment per upgraded predeploy: 26, all through the
    //    ConditionalDeployer predeploy the previous step set up.
    let conditional_deployer = deposits[1].to;
    for (index, deposit) in deposits.iter().enumerate().take(28).skip(2) {
        let name = intent(index);
        assert!(
            name.starts_with("Deploy ") && name.ends_with(" Implementation"),
            "{name}"
        );
        assert_eq!(deposit.to, conditional_deployer, "{name}");
    }
    // 4. The L2ProxyAdmin implementation upgrade.
    assert_eq!(intent(28), "Upgrade L2ProxyAdmin Implementation");
    assert_eq!(deposits[28].to, TxKind::Call(l2_proxy_admin));
    // 5. The L2ContractsManager deployment.
    assert_eq!(intent(29), "Deploy L2ContractsManager Implementation");
    assert_eq!(deposits[29].to, conditional_deployer);
    // 6. `L2ProxyAdmin.upgradePredeploys(l2ContractsManager)`.
    assert_eq!(intent(30), "L2ProxyAdmin Upgrade Predeploys");
    assert_eq!(deposits[30].to, TxKind::Call(l2_proxy_admin));
    assert_eq!(
        deposits[30].input[..4],
        keccak256("upgradePredeploys(address)")[..4]
    );
    assert_eq!(deposits[30].input.len(), 4 + 32);
}

// specs/protocol/l2-upgrades-1-execution.md, "Custom Upgrade Block Gas Limit": the activation
// block gets extra gas for the whole bundle; the reference nodes use the sum of the bundle's
// gas limits.
#[test]
fn upgrade_gas_is_the_sum_of_the_bundle_gas_limits() {
    let total: u64 = bundle_entries()
        .iter()
        .map(|e| e["gasLimit"].as_u64().unwrap())
        .sum();
    assert_eq!(karst::upgrade_gas(), Ok(total));
    assert_eq!(upgrades::fork_upgrade_gas(Hardfork::Karst), Ok(total));
    assert_eq!(karst::bundle().unwrap().total_gas(), Ok(total));
    let deposit_gas: u64 = karst::transactions()
        .unwrap()
        .iter()
        .map(|d| d.gas_limit)
        .sum();
    assert_eq!(deposit_gas, total);
    for fork in [
        Hardfork::Ecotone,
        Hardfork::Fjord,
        Hardfork::Isthmus,
        Hardfork::Jovian,
    ] {
        assert_eq!(upgrades::fork_upgrade_gas(fork), Ok(0), "{fork}");
    }
}
