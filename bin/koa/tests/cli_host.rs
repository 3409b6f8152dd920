//! `koa host` end to end: online against `koa devnet serve` on 127.0.0.1 into an empty data
//! directory, then offline from that directory alone, and every bad input as one line and exit
//! code 2.

use std::{
    io::{BufRead, BufReader, Read, Write},
    net::TcpListener,
    path::{Path, PathBuf},
    process::{Child, Command, Output, Stdio},
};

use koa_host::store::{DirectoryStore, PreimageStore, check_preimage};
use serde_json::Value;

fn koa() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_koa"));
    // kona-host's environment variables must not leak in from the caller.
    for var in [
        "L1_HEAD",
        "AGREED_L2_HEAD_HASH",
        "AGREED_L2_OUTPUT_ROOT",
        "CLAIMED_L2_OUTPUT_ROOT",
        "CLAIMED_L2_BLOCK_NUMBER",
        "L1_NODE_ADDRESS",
        "L2_NODE_ADDRESS",
        "L1_BEACON_ADDRESS",
        "DATA_DIR",
        "L2_CHAIN_ID",
        "ROLLUP_CONFIG_PATH",
        "L1_CONFIG_PATH",
    ] {
        command.env_remove(var);
    }
    command
}

fn devnet_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/devnet")
}

/// A claim's flags, as kona-host takes them, plus the devnet's config files.
fn claim_args(name: &str) -> (Vec<String>, bool) {
    let claims: Value =
        serde_json::from_slice(&std::fs::read(devnet_dir().join("claims.json")).unwrap()).unwrap();
    let claim = claims["claims"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no claim {name}"));
    let s = |key: &str| claim[key].as_str().unwrap().to_string();
    let args = vec![
        "--l1-head".into(),
        s("l1_head"),
        "--agreed-l2-head-hash".into(),
        s("agreed_l2_head_hash"),
        "--agreed-l2-output-root".into(),
        s("agreed_l2_output_root"),
        "--claimed-l2-output-root".into(),
        s("claimed_l2_output_root"),
        "--claimed-l2-block-number".into(),
        claim["claimed_l2_block_number"].to_string(),
        "--rollup-config-path".into(),
        devnet_dir().join("rollup.json").display().to_string(),
        "--l1-config-path".into(),
        devnet_dir()
            .join("l1-chain-config.json")
            .display()
            .to_string(),
    ];
    (args, claim["expected_valid"].as_bool().unwrap())
}

/// The three node flags.
fn node_args(l1: &str, l2: &str, beacon: &str) -> Vec<String> {
    [
        "--l1-node-address",
        l1,
        "--l2-node-address",
        l2,
        "--l1-beacon-address",
        beacon,
    ]
    .map(String::from)
    .to_vec()
}

/// The node flags for one loopback port, with paths `/l1`, `/l2` and `/beacon`.
fn node_args_at_port(port: u16) -> Vec<String> {
    let url = |path: &str| format!("http://127.0.0.1:{port}/{path}");
    node_args(&url("l1"), &url("l2"), &url("beacon"))
}

/// `koa devnet serve` on a free loopback port; killed on drop.
struct Served {
    child: Child,
    l1: String,
    beacon: String,
    l2: String,
}

impl Served {
    fn start() -> Self {
        let mut child = koa()
            .args(["devnet", "serve", "--addr", "127.0.0.1:0", "--dir"])
            .arg(devnet_dir())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut url = || {
            let line = lines.next().expect("serve prints its URLs").unwrap();
            line.rsplit(' ').next().unwrap().to_string()
        };
        let (l1, beacon, l2) = (url(), url(), url());
        assert!(
            l1.starts_with("http://127.0.0.1:") && l1.ends_with("/l1"),
            "{l1}"
        );
        Self {
            child,
            l1,
            beacon,
            l2,
        }
    }

    fn node_args(&self) -> Vec<String> {
        node_args(&self.l1, &self.l2, &self.beacon)
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn run(args: &[String]) -> Output {
    koa().arg("host").args(args).output().unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Asserts exit code 2 with exactly one `error:` line containing every one of `needles`.
fn assert_failure(output: &Output, needles: &[&str]) {
    let text = stderr(output);
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
fn online_into_an_empty_data_dir_then_offline_from_it() {
    let served = Served::start();
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("preimages");
    let (claim, expected_valid) = claim_args("across-holocene");
    assert!(expected_valid);
    let mut online = claim.clone();
    online.extend(served.node_args());
    online.extend(["--data-dir".into(), data_dir.display().to_string()]);
    online.extend(["--native".into(), "--json".into()]);
    let output = run(&online);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let summary: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(summary["verdict"], "valid");
    assert!(summary["rpc_calls"].as_u64().unwrap() > 0);
    assert!(summary["preimages_fetched"].as_u64().unwrap() > 0);
    drop(served);

    // Offline: no node flags, the directory alone, the same verdict; in kona-host's
    // `single <flags>` form, which koa takes too.
    let mut offline = vec!["single".to_string()];
    offline.extend(claim);
    offline.extend([
        "--data-dir".into(),
        data_dir.display().to_string(),
        "--native".into(),
    ]);
    let output = run(&offline);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let line = String::from_utf8_lossy(&output.stdout);
    assert!(line.starts_with("valid: claimed 0x"), "{line}");
    assert!(line.contains("computed 0x"), "{line}");
    assert!(line.contains("offline"), "{line}");

    // The directory is op-program's `directory` format, readable key by key.
    assert_eq!(
        std::fs::read_to_string(data_dir.join("kvformat")).unwrap(),
        "directory"
    );
    let store = DirectoryStore::open(&data_dir).unwrap();
    let keys = store.keys().unwrap();
    assert!(keys.len() > 100, "{} keys", keys.len());
    for key in &keys {
        let hex = hex::encode(key.as_bytes());
        let path = data_dir.join(&hex[..4]).join(format!("{}.txt", &hex[4..]));
        let text = std::fs::read_to_string(&path).unwrap();
        let value = hex::decode(&text).unwrap();
        assert_eq!(store.get(*key).unwrap(), Some(value.clone()));
        check_preimage(*key, &value).unwrap_or_else(|err| panic!("{err}"));
    }

    // A missing preimage is named; so is a corrupt one.
    let victim = keys
        .iter()
        .find(|k| k.key_type() == koa_preimage::PreimageKeyType::Keccak256)
        .copied()
        .unwrap();
    let path = store.path_of(victim);
    let original = std::fs::read(&path).unwrap();
    std::fs::write(&path, hex::encode(b"not the preimage")).unwrap();
    let output = run(&offline);
    let corrupt_or_unused = output.status.code();
    if corrupt_or_unused == Some(2) {
        assert_failure(&output, &[&victim.to_string()]);
    }
    std::fs::remove_file(&path).unwrap();
    let output = run(&offline);
    if output.status.code() == Some(2) {
        assert_failure(&output, &[&victim.to_string()]);
    }
    std::fs::write(&path, original).unwrap();
}

#[test]
fn the_witness_endpoint_replaces_per_node_state_fetches() {
    let served = Served::start();
    let (claim, expected_valid) = claim_args("across-holocene");
    assert!(expected_valid);
    let online = |extra: &[&str]| -> Value {
        let mut args = claim.clone();
        args.extend(served.node_args());
        args.extend(["--native".into(), "--json".into()]);
        args.extend(extra.iter().map(|s| s.to_string()));
        let output = run(&args);
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        serde_json::from_slice(&output.stdout).unwrap()
    };
    let calls = |summary: &Value, method: &str| summary["rpc_calls_by_method"][method].as_u64();

    let per_node = online(&[]);
    let witness = online(&["--enable-experimental-witness-endpoint"]);
    assert_eq!(per_node["verdict"], "valid");
    assert_eq!(witness["verdict"], "valid");
    // One `debug_executePayload` per executed block, nothing else for their state.
    let blocks = witness["l2_blocks"].as_u64().unwrap();
    assert!(blocks > 0);
    assert_eq!(calls(&witness, "debug_executePayload"), Some(blocks));
    assert_eq!(calls(&per_node, "debug_executePayload"), None);
    assert!(witness["witness_preimages"].as_u64().unwrap() > 0);
    let proofs = |summary: &Value| calls(summary, "eth_getProof").unwrap_or(0);
    // Only the agreed output's message-passer proof is left.
    assert_eq!(proofs(&witness), 1, "{witness}");
    assert!(proofs(&per_node) > blocks, "{per_node}");
    assert!(
        witness["rpc_calls"].as_u64() < per_node["rpc_calls"].as_u64(),
        "{witness}\n{per_node}"
    );
}

/// op-challenger's kona executor builds this command line (`OracleCommand`, native mode), with
/// an L1 *genesis* file as `--l1-config-path`: koa takes it as it is.
#[test]
fn op_challengers_kona_command_line_is_accepted() {
    let served = Served::start();
    let (claim, expected_valid) = claim_args("across-karst");
    assert!(expected_valid);
    let flag = |name: &str| {
        let at = claim.iter().position(|a| a == name).unwrap();
        claim[at + 1].clone()
    };
    let dir = tempfile::tempdir().unwrap();
    let config: Value =
        serde_json::from_slice(&std::fs::read(devnet_dir().join("l1-chain-config.json")).unwrap())
            .unwrap();
    let genesis = serde_json::json!({
        "config": config,
        "nonce": "0x0",
        "timestamp": "0x0",
        "gasLimit": "0x1c9c380",
        "difficulty": "0x0",
        "alloc": {"0x00000000000000000000000000000000000000aa": {"balance": "0x1"}},
    });
    let genesis_path = dir.path().join("l1-genesis.json");
    std::fs::write(&genesis_path, genesis.to_string()).unwrap();
    let args: Vec<String> = vec![
        "single".into(),
        "--l1-node-address".into(),
        served.l1.clone(),
        "--l1-beacon-address".into(),
        served.beacon.clone(),
        "--l2-node-address".into(),
        served.l2.clone(),
        "--l1-head".into(),
        flag("--l1-head"),
        "--agreed-l2-head-hash".into(),
        flag("--agreed-l2-head-hash"),
        "--agreed-l2-output-root".into(),
        flag("--agreed-l2-output-root"),
        "--claimed-l2-output-root".into(),
        flag("--claimed-l2-output-root"),
        "--claimed-l2-block-number".into(),
        flag("--claimed-l2-block-number"),
        "--native".into(),
        "--rollup-config-path".into(),
        flag("--rollup-config-path"),
        "--l1-config-path".into(),
        genesis_path.display().to_string(),
    ];
    let output = run(&args);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(String::from_utf8_lossy(&output.stdout).starts_with("valid:"));

    // A genesis file whose config is not a chain config is a bad input, named.
    std::fs::write(&genesis_path, r#"{"config": {"cancunTime": "soon"}}"#).unwrap();
    assert_failure(&run(&args), &["bad L1 chain config", "l1-genesis.json"]);
}

#[test]
fn missing_and_corrupt_preimages_name_their_key() {
    // The agreed L2 output root's preimage is read by every run: corrupt it, then remove it.
    let dir = tempfile::tempdir().unwrap();
    let (claim, _) = claim_args("from-genesis");
    let devnet: Value =
        serde_json::from_slice(&std::fs::read(devnet_dir().join("claims.json")).unwrap()).unwrap();
    let agreed = devnet["claims"][0]["agreed_l2_output_root"]
        .as_str()
        .unwrap();
    let key = format!("02{}", &agreed[4..]);
    let store_dir = dir.path().join("dd");
    let store = DirectoryStore::open(&store_dir).unwrap();
    let mut args = claim;
    args.extend([
        "--data-dir".into(),
        store_dir.display().to_string(),
        "--native".into(),
    ]);
    // Empty directory: the first preimage the client asks for is missing.
    let output = run(&args);
    assert_failure(&output, &["no preimage for key 0x"]);
    // The output root's preimage with wrong content.
    let mut bytes = [0u8; 32];
    hex::decode_to_slice(&key, &mut bytes).unwrap();
    let key = koa_preimage::PreimageKey::try_from(bytes).unwrap();
    std::fs::create_dir_all(store.path_of(key).parent().unwrap()).unwrap();
    std::fs::write(store.path_of(key), hex::encode([7u8; 128])).unwrap();
    let output = run(&args);
    assert_failure(&output, &[&key.to_string(), "invalid"]);
}

#[test]
fn an_invalid_claim_exits_1_online() {
    let served = Served::start();
    let (mut args, expected_valid) = claim_args("wrong-random-output");
    assert!(!expected_valid);
    args.extend(served.node_args());
    args.push("--native".into());
    let output = run(&args);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(String::from_utf8_lossy(&output.stdout).starts_with("invalid:"));
}

#[test]
fn bad_inputs_are_one_line_and_exit_2() {
    let (claim, _) = claim_args("from-genesis");
    let with = |extra: &[&str]| {
        let mut args = claim.clone();
        args.extend(extra.iter().map(|s| s.to_string()));
        args
    };
    let dir = tempfile::tempdir().unwrap();
    let dd = dir.path().join("dd").display().to_string();

    // Unknown chain id (drop the rollup config flags).
    let mut args: Vec<String> = claim[..10].to_vec();
    args.extend(
        [
            "--l2-chain-id",
            "4242424242424",
            "--data-dir",
            &dd,
            "--native",
        ]
        .map(String::from),
    );
    assert_failure(&run(&args), &["unknown L2 chain id 4242424242424"]);

    // A bad rollup config file.
    let bad = dir.path().join("rollup.json");
    std::fs::write(&bad, r#"{"genesis": 5}"#).unwrap();
    let mut args: Vec<String> = claim[..10].to_vec();
    args.extend(
        [
            "--rollup-config-path",
            &bad.display().to_string(),
            "--data-dir",
            &dd,
            "--native",
        ]
        .map(String::from),
    );
    assert_failure(&run(&args), &["bad rollup config", "rollup.json"]);

    // Contradictory flags: kona-host's rules.
    assert_failure(
        &run(&with(&["--data-dir", &dd, "--native", "--server"])),
        &[],
    );
    assert_failure(
        &run(&with(&[
            "--data-dir",
            &dd,
            "--native",
            "--l2-chain-id",
            "10",
        ])),
        &[],
    );
    assert_failure(
        &run(&with(&[
            "--native",
            "--l1-node-address",
            "http://127.0.0.1:1",
        ])),
        &[],
    );
    assert_failure(&run(&with(&["--data-dir", &dd])), &[]);
    assert_failure(&run(&with(&["--native"])), &["--data-dir"]);
    // Missing flags are listed on the one line, in either form.
    assert_failure(
        &run(&["single".into(), "--native".into()]),
        &["--l1-head", "--claimed-l2-block-number"],
    );

    // An unreachable node: bounded retries, then the node is named.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut args = with(&["--native"]);
    args.extend(node_args_at_port(port));
    let output = run(&args);
    assert_failure(&output, &["L", &format!("127.0.0.1:{port}"), "attempts"]);
}

#[test]
fn a_node_answering_wrong_data_is_caught_and_named() {
    // Every request gets the same well-formed answer: the RLP of an empty list, which is no
    // block's header; only the chain check before proving (chain ids, L2 genesis hash) is
    // answered truthfully, so that the lie reaches the preimage checks.
    let rollup: Value =
        serde_json::from_slice(&std::fs::read(devnet_dir().join("rollup.json")).unwrap()).unwrap();
    let genesis: String = rollup["genesis"]["l2"]["hash"]
        .as_str()
        .unwrap()
        .to_string();
    let l2_chain_id: u64 = rollup["l2_chain_id"].as_u64().unwrap();
    let l1_chain_id: u64 = rollup["l1_chain_id"].as_u64().unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut buf = [0u8; 65536];
            let n = stream.read(&mut buf).unwrap_or(0);
            let request = String::from_utf8_lossy(&buf[..n]);
            let result: String = if request.contains("eth_chainId") {
                let id = if request.starts_with("POST /l1") {
                    l1_chain_id
                } else {
                    l2_chain_id
                };
                format!("\"{id:#x}\"")
            } else if request.contains("eth_getBlockByNumber") {
                format!("{{\"hash\":\"{genesis}\"}}")
            } else {
                "\"0xc0\"".to_string()
            };
            let body = format!(r#"{{"jsonrpc":"2.0","id":1,"result":{result}}}"#);
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    let (mut args, _) = claim_args("from-genesis");
    args.push("--native".into());
    args.extend(node_args_at_port(port));
    let output = run(&args);
    assert_failure(&output, &["invalid", "keccak256"]);
}
