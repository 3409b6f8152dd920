//! `koa chains` and `koa config`, run as a user would: the built binary, its output and its
//! exit code.

use std::process::{Command, Output};

use serde_json::Value;

fn koa(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_koa"))
        .args(args)
        .env_remove("KOA_LOG")
        .output()
        .expect("run the koa binary")
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("stdout is UTF-8")
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).expect("stderr is UTF-8")
}

/// Asserts a failure with `code` and exactly one line on stderr, and returns that line.
fn assert_one_line_failure(output: &Output, code: i32) -> String {
    assert_eq!(
        output.status.code(),
        Some(code),
        "stderr: {}",
        stderr(output)
    );
    assert!(
        output.stdout.is_empty(),
        "nothing on stdout: {}",
        stdout(output)
    );
    let err = stderr(output);
    assert_eq!(err.lines().count(), 1, "one line on stderr, got: {err:?}");
    assert!(err.starts_with("error: "), "{err:?}");
    err
}

#[test]
fn chains_lists_op_mainnet_and_op_sepolia() {
    let output = koa(&["chains"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    assert!(
        header.contains("CHAIN ID") && header.contains("LATEST FORK"),
        "{header}"
    );
    let row = |id: &str| {
        text.lines()
            .find(|line| line.split_whitespace().next() == Some(id))
            .unwrap_or_else(|| panic!("no row for {id} in:\n{text}"))
            .to_owned()
    };
    let op = row("10");
    assert!(
        op.contains("OP Mainnet") && op.contains("mainnet") && op.contains("karst"),
        "{op}"
    );
    let op_sepolia = row("11155420");
    assert!(
        op_sepolia.contains("OP Sepolia Testnet") && op_sepolia.contains("sepolia"),
        "{op_sepolia}"
    );
    assert_eq!(
        lines.count(),
        koa_registry::chains().len(),
        "one row per embedded chain"
    );
}

#[test]
fn chains_json_and_network_filter() {
    let output = koa(&["chains", "--json", "--network", "sepolia"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let rows: Vec<Value> = serde_json::from_slice(&output.stdout).unwrap();
    assert!(!rows.is_empty());
    assert!(
        rows.iter()
            .all(|row| row["network"] == "sepolia" && row["l1_chain_id"] == 11_155_111)
    );
    let op = rows
        .iter()
        .find(|row| row["chain_id"] == 11_155_420)
        .expect("OP Sepolia listed");
    assert_eq!(op["name"], "OP Sepolia Testnet");
    assert_eq!(op["identifier"], "sepolia/op");
    assert_eq!(op["latest_fork"], "karst");
    assert_eq!(op["latest_fork_time"], 1_781_712_001_u64);
}

#[test]
fn config_10_is_op_mainnets_rollup_json() {
    let output = koa(&["config", "10"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let json: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["l2_chain_id"], 10);
    assert_eq!(json["l1_chain_id"], 1);
    assert_eq!(
        json["batch_inbox_address"],
        "0xff00000000000000000000000000000000000010"
    );
    assert_eq!(
        json["deposit_contract_address"],
        "0xbeb5fc579115071764c7423a4f12edde41f106ed"
    );
    assert_eq!(
        json["l1_system_config_address"],
        "0x229047fed2591dbec1ef1118d64f7af3db9eb290"
    );
    assert_eq!(json["genesis"]["l2"]["number"], 105_235_063);
    assert_eq!(
        json["genesis"]["system_config"]["batcherAddr"],
        "0x6887246668a3b87f54deb3b94ba47a6f63f32985"
    );
    assert_eq!(json["channel_timeout"], 300);
    assert_eq!(json["regolith_time"], 0);
    assert_eq!(json["karst_time"], 1_783_526_401_u64);
    assert_eq!(json["keep_karst_upgrade_gas"], true);
    assert_eq!(json["chain_op_config"]["eip1559DenominatorCanyon"], 250);
    assert!(
        json.get("alt_da").is_none(),
        "OP Mainnet is not an alt-DA chain"
    );
    // The JSON is the library's config, field for field.
    let parsed: koa_protocol::RollupConfig = serde_json::from_value(json).unwrap();
    assert_eq!(Some(parsed), koa_registry::rollup_config(10));
}

#[test]
fn config_by_identifier_and_alt_da() {
    let output = koa(&["config", "sepolia/op"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let json: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["l2_chain_id"], 11_155_420);
    assert_eq!(json["pectra_blob_schedule_time"], 1_742_486_400_u64);

    // Redstone posts to an alt-DA layer with keccak commitments.
    let output = koa(&["config", "690"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let json: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["alt_da"]["da_commitment_type"], "KeccakCommitment");
    assert!(
        json["alt_da"]["da_challenge_window"]
            .as_u64()
            .is_some_and(|w| w > 0)
    );
}

#[test]
fn config_of_an_unknown_chain_exits_2() {
    // 999999999 is Zora Sepolia, a real chain; 424242424 is in no registry.
    let err = assert_one_line_failure(&koa(&["config", "424242424"]), 2);
    assert!(err.contains("424242424"), "{err}");
    assert_one_line_failure(&koa(&["config", "mainnet/nope"]), 2);
    // L1 chain ids are not L2 chains.
    assert_one_line_failure(&koa(&["config", "1"]), 2);
}

#[test]
fn usage_errors_exit_2_with_one_line() {
    assert_one_line_failure(&koa(&["chains", "--bogus"]), 2);
    assert_one_line_failure(&koa(&["config"]), 2);
    assert_one_line_failure(&koa(&["chains", "--network", "goerli"]), 2);
    assert_one_line_failure(&koa(&["frobnicate"]), 2);
}

#[test]
fn help_and_version() {
    let help = koa(&["--help"]);
    assert!(help.status.success());
    let text = stdout(&help);
    for sub in ["chains", "config", "exec"] {
        assert!(text.contains(sub), "--help lists {sub}: {text}");
    }
    let config_help = stdout(&koa(&["config", "--help"]));
    assert!(config_help.contains("rollup.json"), "{config_help}");
    let version = koa(&["--version"]);
    assert!(version.status.success());
    assert!(stdout(&version).starts_with("koa "));
}
