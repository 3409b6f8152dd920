//! The embedded registry against the TOML files it was built from.
//!
//! This test reads the files itself, untyped (`toml::Table`), and compares every field of every
//! converted [`RollupConfig`] with what the files say, so a mistake in the build script's
//! parsing or in the conversion shows up here.

use std::{collections::BTreeSet, fs, path::PathBuf, str::FromStr};

use alloy_primitives::{Address, B256};
use koa_protocol::{ConfigError, Hardfork, RollupConfig};
use koa_registry::{
    DataAvailability, Network, REGISTRY_CHANNEL_TIMEOUT, chain, chains, rollup_config, superchain,
};
use toml::{Table, Value};

fn configs_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/superchain/configs"))
}

fn read_table(path: &PathBuf) -> Table {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    text.parse::<Table>()
        .unwrap_or_else(|e| panic!("parse {}: {e}", path.display()))
}

/// Every chain file: (network directory, file stem, parsed table).
fn chain_files() -> Vec<(String, String, Table)> {
    let mut files = Vec::new();
    for network in ["mainnet", "sepolia"] {
        let dir = configs_dir().join(network);
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let stem = path.file_stem().unwrap().to_str().unwrap().to_owned();
            if stem != "superchain" {
                files.push((network.to_owned(), stem, read_table(&path)));
            }
        }
    }
    files.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    files
}

fn superchain_file(network: &str) -> Table {
    read_table(&configs_dir().join(network).join("superchain.toml"))
}

fn get<'a>(table: &'a Table, path: &str) -> Option<&'a Value> {
    let mut parts = path.split('.');
    let first = parts.next()?;
    parts.try_fold(table.get(first)?, |value, key| value.as_table()?.get(key))
}

fn int(table: &Table, path: &str) -> u64 {
    let value = get(table, path).unwrap_or_else(|| panic!("missing {path}"));
    u64::try_from(
        value
            .as_integer()
            .unwrap_or_else(|| panic!("{path} is not an integer")),
    )
    .unwrap()
}

fn opt_int(table: &Table, path: &str) -> Option<u64> {
    get(table, path).map(|_| int(table, path))
}

fn string<'a>(table: &'a Table, path: &str) -> &'a str {
    get(table, path)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("missing string {path}"))
}

fn address(table: &Table, path: &str) -> Address {
    Address::from_str(string(table, path)).unwrap()
}

fn hash(table: &Table, path: &str) -> B256 {
    B256::from_str(string(table, path)).unwrap()
}

/// Compares every field of `config` with the chain's file and its network's superchain file.
fn assert_matches_toml(rollup_config: &RollupConfig, file: &Table, superchain: &Table, id: &str) {
    let expected_genesis_sys = (
        address(file, "genesis.system_config.batcherAddress"),
        hash(file, "genesis.system_config.overhead"),
        hash(file, "genesis.system_config.scalar"),
        int(file, "genesis.system_config.gasLimit"),
    );
    let genesis = &rollup_config.genesis;
    let sys = &genesis.system_config;
    assert_eq!(
        genesis.l1.number,
        int(file, "genesis.l1.number"),
        "{id}: genesis.l1.number"
    );
    assert_eq!(
        genesis.l1.hash,
        hash(file, "genesis.l1.hash"),
        "{id}: genesis.l1.hash"
    );
    assert_eq!(
        genesis.l2.number,
        int(file, "genesis.l2.number"),
        "{id}: genesis.l2.number"
    );
    assert_eq!(
        genesis.l2.hash,
        hash(file, "genesis.l2.hash"),
        "{id}: genesis.l2.hash"
    );
    assert_eq!(
        genesis.l2_time,
        int(file, "genesis.l2_time"),
        "{id}: genesis.l2_time"
    );
    assert_eq!(
        (sys.batcher_address, sys.overhead, sys.scalar, sys.gas_limit),
        expected_genesis_sys,
        "{id}: genesis.system_config"
    );
    // Values later forks added to the system config start at zero.
    assert_eq!(sys.eip1559_params, alloy_primitives::B64::ZERO, "{id}");
    assert_eq!(sys.operator_fee_params, B256::ZERO, "{id}");
    assert_eq!(
        (sys.min_base_fee, sys.da_footprint_gas_scalar),
        (0, 0),
        "{id}"
    );

    assert_eq!(
        rollup_config.block_time,
        int(file, "block_time"),
        "{id}: block_time"
    );
    assert_eq!(
        rollup_config.max_sequencer_drift,
        int(file, "max_sequencer_drift"),
        "{id}"
    );
    assert_eq!(
        rollup_config.seq_window_size,
        int(file, "seq_window_size"),
        "{id}: seq_window_size"
    );
    assert_eq!(
        rollup_config.channel_timeout, 300,
        "{id}: op-node's channel timeout for registry chains"
    );
    assert_eq!(
        rollup_config.l1_chain_id,
        int(superchain, "l1.chain_id"),
        "{id}: l1_chain_id"
    );
    assert_eq!(
        rollup_config.l2_chain_id,
        int(file, "chain_id"),
        "{id}: l2_chain_id"
    );

    assert_eq!(rollup_config.regolith_time, Some(0), "{id}: regolith_time");
    let forks = [
        ("canyon_time", rollup_config.canyon_time),
        ("delta_time", rollup_config.delta_time),
        ("ecotone_time", rollup_config.ecotone_time),
        ("fjord_time", rollup_config.fjord_time),
        ("granite_time", rollup_config.granite_time),
        ("holocene_time", rollup_config.holocene_time),
        (
            "pectra_blob_schedule_time",
            rollup_config.pectra_blob_schedule_time,
        ),
        ("isthmus_time", rollup_config.isthmus_time),
        ("jovian_time", rollup_config.jovian_time),
        ("karst_time", rollup_config.karst_time),
        ("interop_time", rollup_config.interop_time),
    ];
    for (key, value) in forks {
        assert_eq!(
            value,
            opt_int(file, &format!("hardforks.{key}")),
            "{id}: {key}"
        );
    }
    let keep = get(file, "hardforks.keep_karst_upgrade_gas").map(|v| v.as_bool().unwrap());
    assert_eq!(
        rollup_config.keep_karst_upgrade_gas,
        keep.unwrap_or(false),
        "{id}: keep_karst_upgrade_gas"
    );
    // Every hardforks key is one of the above.
    for key in get(file, "hardforks").unwrap().as_table().unwrap().keys() {
        let known = key == "keep_karst_upgrade_gas" || forks.iter().any(|(k, _)| k == key);
        assert!(known, "{id}: hardforks.{key} is not mapped");
    }

    assert_eq!(
        rollup_config.batch_inbox_address,
        address(file, "batch_inbox_addr"),
        "{id}"
    );
    assert_eq!(
        rollup_config.deposit_contract_address,
        address(file, "addresses.OptimismPortalProxy"),
        "{id}"
    );
    assert_eq!(
        rollup_config.l1_system_config_address,
        address(file, "addresses.SystemConfigProxy"),
        "{id}"
    );
    let protocol_versions = get(superchain, "protocol_versions_addr")
        .map(|_| address(superchain, "protocol_versions_addr"));
    assert_eq!(
        rollup_config.protocol_versions_address,
        protocol_versions.unwrap_or(Address::ZERO),
        "{id}"
    );
    assert_eq!(
        rollup_config.superchain_config_address,
        Some(address(superchain, "superchain_config_addr")),
        "{id}: superchain_config_address"
    );

    let op = &rollup_config.chain_op_config;
    assert_eq!(
        op.eip1559_elasticity,
        int(file, "optimism.eip1559_elasticity"),
        "{id}"
    );
    assert_eq!(
        op.eip1559_denominator,
        int(file, "optimism.eip1559_denominator"),
        "{id}"
    );
    assert_eq!(
        op.eip1559_denominator_canyon,
        int(file, "optimism.eip1559_denominator_canyon"),
        "{id}"
    );
}

#[test]
fn op_mainnet_matches_its_toml() {
    let file = read_table(&configs_dir().join("mainnet/op.toml"));
    let rollup_config = rollup_config(10).expect("OP Mainnet is embedded");
    assert_matches_toml(
        &rollup_config,
        &file,
        &superchain_file("mainnet"),
        "mainnet/op",
    );
    // Spot checks against values read off the file by eye, so a shared misreading of the
    // TOML by test and build script cannot hide.
    assert_eq!(rollup_config.l1_chain_id, 1);
    assert_eq!(rollup_config.genesis.l2.number, 105_235_063);
    assert_eq!(
        rollup_config.batch_inbox_address,
        Address::from_str("0xff00000000000000000000000000000000000010").unwrap()
    );
    assert_eq!(rollup_config.karst_time, Some(1_783_526_401));
    assert!(rollup_config.keep_karst_upgrade_gas);
    assert_eq!(rollup_config.pectra_blob_schedule_time, None);
}

#[test]
fn op_sepolia_matches_its_toml() {
    let file = read_table(&configs_dir().join("sepolia/op.toml"));
    let rollup_config = rollup_config(11_155_420).expect("OP Sepolia is embedded");
    assert_matches_toml(
        &rollup_config,
        &file,
        &superchain_file("sepolia"),
        "sepolia/op",
    );
    assert_eq!(rollup_config.l1_chain_id, 11_155_111);
    assert_eq!(rollup_config.genesis.l1.number, 4_071_408);
    assert_eq!(rollup_config.pectra_blob_schedule_time, Some(1_742_486_400));
}

#[test]
fn every_chain_file_is_embedded_and_converts_faithfully() {
    let files = chain_files();
    assert_eq!(files.len(), chains().len(), "one embedded chain per file");
    let mut identifiers = BTreeSet::new();
    for (network, stem, file) in &files {
        let id = format!("{network}/{stem}");
        let chain_id = int(file, "chain_id");
        let info = chain(chain_id).unwrap_or_else(|| panic!("{id}: chain {chain_id} not embedded"));
        assert_eq!(info.identifier, id);
        assert_eq!(info.network.name(), network);
        assert_eq!(info.name, string(file, "name"), "{id}: name");
        let da = match string(file, "data_availability_type") {
            "eth-da" => DataAvailability::EthDa,
            "alt-da" => DataAvailability::AltDa,
            other => panic!("{id}: unknown data availability {other}"),
        };
        assert_eq!(info.data_availability, da, "{id}");
        assert_eq!(
            info.superchain_time,
            opt_int(file, "superchain_time"),
            "{id}"
        );
        assert_eq!(
            info.gas_paying_token,
            get(file, "gas_paying_token").map(|_| address(file, "gas_paying_token")),
            "{id}"
        );
        match &info.alt_da {
            Some(alt_da) => {
                assert_eq!(
                    alt_da.da_challenge_contract_address,
                    address(file, "alt_da.da_challenge_contract_address")
                );
                assert_eq!(
                    alt_da.da_challenge_window,
                    int(file, "alt_da.da_challenge_window")
                );
                assert_eq!(
                    alt_da.da_resolve_window,
                    int(file, "alt_da.da_resolve_window")
                );
                assert_eq!(
                    alt_da.da_commitment_type,
                    string(file, "alt_da.da_commitment_type")
                );
                assert_eq!(info.data_availability, DataAvailability::AltDa, "{id}");
            }
            None => assert!(get(file, "alt_da").is_none(), "{id}: alt_da dropped"),
        }
        let config = info.rollup_config();
        assert_matches_toml(&config, file, &superchain_file(network), &id);
        identifiers.insert(id);
    }
    assert_eq!(identifiers.len(), files.len());
}

#[test]
fn every_chain_validates_with_forks_in_order() {
    for info in chains() {
        let config = info.rollup_config();
        assert_eq!(
            config.validate(),
            Ok::<(), ConfigError>(()),
            "{}",
            info.identifier
        );
        // Scheduled forks form a prefix of the fork sequence, with non-decreasing times.
        let times: Vec<Option<u64>> = Hardfork::ALL
            .iter()
            .map(|f| config.hardfork_time(*f))
            .collect();
        let scheduled = times.iter().take_while(|t| t.is_some()).count();
        assert!(
            times[scheduled..].iter().all(Option::is_none),
            "{}: gap in forks",
            info.identifier
        );
        assert!(
            times[..scheduled].windows(2).all(|w| w[0] <= w[1]),
            "{}",
            info.identifier
        );
        // Every registry chain has at least Canyon and Delta.
        assert!(config.is_delta_active(u64::MAX), "{}", info.identifier);
        assert_eq!(
            info.latest_fork(),
            Hardfork::ALL[scheduled - 1],
            "{}",
            info.identifier
        );
        assert_eq!(config.l1_chain_id, info.network.l1_chain_id());
        assert_eq!(info.l1_chain_config().chain_id, config.l1_chain_id);
        assert_eq!(config.channel_timeout, REGISTRY_CHANNEL_TIMEOUT);
        // Pectra blob schedule is a Sepolia-only fix.
        if info.network == Network::Mainnet {
            assert_eq!(
                config.pectra_blob_schedule_time, None,
                "{}",
                info.identifier
            );
        }
    }
}

/// Registry 2.0 writes inherited superchain-wide fork times into each chain file, so koa does
/// not merge `superchain.toml`'s `[hardforks]` in. Check the files really carry them: for a
/// chain that opted in at `superchain_time`, every superchain fork at or after that time is
/// the chain's own time, or both are at or before the chain's genesis (active from genesis).
#[test]
fn opted_in_chains_already_carry_superchain_fork_times() {
    let mut checked = 0;
    for info in chains() {
        let Some(opt_in) = info.superchain_time else {
            continue;
        };
        let config = info.rollup_config();
        let defaults = superchain(info.network).hardforks;
        let pairs = [
            (defaults.canyon_time, config.canyon_time),
            (defaults.delta_time, config.delta_time),
            (defaults.ecotone_time, config.ecotone_time),
            (defaults.fjord_time, config.fjord_time),
            (defaults.granite_time, config.granite_time),
            (defaults.holocene_time, config.holocene_time),
            (
                defaults.pectra_blob_schedule_time,
                config.pectra_blob_schedule_time,
            ),
            (defaults.isthmus_time, config.isthmus_time),
            (defaults.jovian_time, config.jovian_time),
            (defaults.karst_time, config.karst_time),
        ];
        let genesis = config.genesis.l2_time;
        for (default, own) in pairs {
            let Some(default) = default.filter(|t| *t >= opt_in) else {
                continue;
            };
            let own = own.unwrap_or_else(|| panic!("{}: missing inherited fork", info.identifier));
            assert!(
                own == default || (own <= genesis && default <= genesis),
                "{}: own {own} vs superchain {default}",
                info.identifier
            );
            checked += 1;
        }
    }
    assert!(checked > 50, "only {checked} inherited forks checked");
}

#[test]
fn chain_list_agrees_with_the_configs() {
    let list = read_table(&PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/superchain/chainList.toml"
    )));
    let entries = list.get("chains").and_then(Value::as_array).unwrap();
    let mut listed = 0;
    for entry in entries {
        let entry = entry.as_table().unwrap();
        let identifier = string(entry, "identifier");
        let chain_id = int(entry, "chain_id");
        // chainList also names chains of superchains koa does not embed (devnets).
        let Some(info) = chain(chain_id) else {
            assert!(
                !identifier.starts_with("mainnet/") && !identifier.starts_with("sepolia/"),
                "{identifier}"
            );
            continue;
        };
        assert_eq!(info.identifier, identifier);
        assert_eq!(info.name, string(entry, "name"));
        assert_eq!(
            info.governed_by_optimism,
            get(entry, "governed_by_optimism")
                .unwrap()
                .as_bool()
                .unwrap()
        );
        listed += 1;
    }
    assert_eq!(
        listed,
        chains().len(),
        "every embedded chain is in chainList.toml"
    );
}

#[test]
fn lookups() {
    assert!(chains().windows(2).all(|w| w[0].chain_id < w[1].chain_id));
    assert_eq!(chain(10).map(|c| c.name), Some("OP Mainnet"));
    assert_eq!(rollup_config(1), None, "L1 chain ids are not L2 chains");
    assert_eq!(rollup_config(0), None);
    assert_eq!(rollup_config(u64::MAX), None);
    for network in Network::ALL {
        assert_eq!(superchain(network).network, network);
        assert_eq!(superchain(network).l1_chain_id, network.l1_chain_id());
        assert_eq!(
            koa_registry::l1_chain_config(network.l1_chain_id()).map(|c| c.chain_id),
            Some(network.l1_chain_id())
        );
    }
}

/// The rollup configs op-node reported for the real blocks in `testdata/execution` (taken
/// before later forks were scheduled) against the registry's: every field the fixture has must
/// agree. `protocol_versions_address` is the exception: the registry has since dropped
/// `protocol_versions_addr` from `superchain.toml`, so koa, like op-node built on this registry
/// version, leaves it zero.
#[test]
fn configs_agree_with_op_nodes_configs_in_the_execution_fixtures() {
    let dir = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../testdata/execution"
    ));
    let mut compared = 0;
    for entry in fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path().join("fixture.json");
        let fixture: serde_json::Value =
            serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
        let observed: RollupConfig =
            serde_json::from_value(fixture["rollup_config"].clone()).unwrap();
        let ours = rollup_config(observed.l2_chain_id).expect("fixture chain is embedded");
        let id = path.display().to_string();
        assert_eq!(ours.genesis, observed.genesis, "{id}");
        assert_eq!(
            (
                ours.block_time,
                ours.max_sequencer_drift,
                ours.seq_window_size,
                ours.channel_timeout
            ),
            (
                observed.block_time,
                observed.max_sequencer_drift,
                observed.seq_window_size,
                observed.channel_timeout
            ),
            "{id}"
        );
        assert_eq!(
            (ours.l1_chain_id, ours.l2_chain_id),
            (observed.l1_chain_id, observed.l2_chain_id)
        );
        for fork in Hardfork::ALL {
            if let Some(time) = observed.hardfork_time(fork) {
                assert_eq!(ours.hardfork_time(fork), Some(time), "{id}: {fork}");
            }
        }
        if observed.pectra_blob_schedule_time.is_some() {
            assert_eq!(
                ours.pectra_blob_schedule_time, observed.pectra_blob_schedule_time,
                "{id}"
            );
        }
        assert_eq!(
            ours.batch_inbox_address, observed.batch_inbox_address,
            "{id}"
        );
        assert_eq!(
            ours.deposit_contract_address, observed.deposit_contract_address,
            "{id}"
        );
        assert_eq!(
            ours.l1_system_config_address, observed.l1_system_config_address,
            "{id}"
        );
        if observed.superchain_config_address.is_some() {
            assert_eq!(
                ours.superchain_config_address, observed.superchain_config_address,
                "{id}"
            );
        }
        assert_eq!(ours.chain_op_config, observed.chain_op_config, "{id}");
        compared += 1;
    }
    assert!(compared >= 14, "only {compared} fixtures");
}
