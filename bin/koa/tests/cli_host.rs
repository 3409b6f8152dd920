//! `koa host` input handling: every bad input is one `error:` line and exit code 2.

use std::{
    net::TcpListener,
    process::{Command, Output},
};

const ZERO: &str = "0x0000000000000000000000000000000000000000000000000000000000000000";

fn run(extra: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_koa"));
    for var in [
        "L1_HEAD",
        "DATA_DIR",
        "L2_CHAIN_ID",
        "ROLLUP_CONFIG_PATH",
        "L1_NODE_ADDRESS",
    ] {
        command.env_remove(var);
    }
    command
        .args([
            "host",
            "--l1-head",
            ZERO,
            "--l2-head",
            ZERO,
            "--l2-output-root",
            ZERO,
        ])
        .args(["--l2-claim", ZERO, "--l2-block-number", "5"])
        .args(extra)
        .output()
        .unwrap()
}

fn assert_failure(output: &Output, needles: &[&str]) {
    let text = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "stderr: {text}");
    let errors: Vec<&str> = text.lines().filter(|l| l.starts_with("error:")).collect();
    assert_eq!(errors.len(), 1, "one error line expected: {text}");
    for needle in needles {
        assert!(
            errors[0].contains(needle),
            "{needle:?} not in {:?}",
            errors[0]
        );
    }
}

#[test]
fn bad_inputs_are_one_line_and_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let dd = dir.path().join("dd").display().to_string();
    assert_failure(
        &run(&[
            "--l2-chain-id",
            "4242424242424",
            "--data-dir",
            &dd,
            "--native",
        ]),
        &["unknown L2 chain id 4242424242424"],
    );
    let bad = dir.path().join("rollup.json");
    std::fs::write(&bad, r#"{"genesis": 5}"#).unwrap();
    let bad = bad.display().to_string();
    assert_failure(
        &run(&["--rollup-config-path", &bad, "--data-dir", &dd, "--native"]),
        &["bad rollup config", "rollup.json"],
    );
    // Contradictory or incomplete flags, as kona-host rules them.
    assert_failure(
        &run(&[
            "--l2-chain-id",
            "10",
            "--data-dir",
            &dd,
            "--native",
            "--server",
        ]),
        &[],
    );
    assert_failure(
        &run(&[
            "--l2-chain-id",
            "10",
            "--rollup-config-path",
            &bad,
            "--data-dir",
            &dd,
            "--native",
        ]),
        &[],
    );
    assert_failure(
        &run(&[
            "--l2-chain-id",
            "10",
            "--native",
            "--l1-node-address",
            "http://127.0.0.1:1",
        ]),
        &[],
    );
    assert_failure(&run(&["--l2-chain-id", "10", "--data-dir", &dd]), &[]);
    assert_failure(&run(&["--l2-chain-id", "10", "--native"]), &["--data-dir"]);
    // An empty data directory: the missing preimage is named.
    assert_failure(
        &run(&["--l2-chain-id", "10", "--data-dir", &dd, "--native"]),
        &["no preimage for key 0x"],
    );
    // An unreachable node: bounded retries, then the node is named.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = |path: &str| format!("http://127.0.0.1:{port}/{path}");
    let (l1, l2, beacon) = (url("l1"), url("l2"), url("beacon"));
    assert_failure(
        &run(&[
            "--l2-chain-id",
            "10",
            "--native",
            "--l1-node-address",
            &l1,
            "--l2-node-address",
            &l2,
            "--l1-beacon-address",
            &beacon,
        ]),
        &[&format!("127.0.0.1:{port}"), "attempts"],
    );
}
