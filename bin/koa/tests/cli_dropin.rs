//! koa as a drop-in for kona-host under op-challenger: op-challenger's exact argv for a
//! CANNON_KONA game, kona's logging flags, and every input that used to be silently ignored or
//! to crash the host (contradictory flags, missing descriptors, an empty or foreign data
//! directory, the wrong chain, a lying node, an archive bomb) refused with one clear line.

use std::{
    io::{self, BufRead, BufReader, Read, Write},
    net::TcpListener,
    os::{
        fd::{AsRawFd, FromRawFd, OwnedFd, RawFd},
        unix::process::CommandExt,
    },
    path::{Path, PathBuf},
    process::{Child, Command, ExitStatus, Output, Stdio},
    time::{Duration, Instant},
};

use koa_preimage::{HintWriter, OracleReader, PipeChannel};
use serde_json::Value;

/// The environment variables a host reads, none inherited from the caller.
const HOST_ENV: &[&str] = &[
    "L1_HEAD",
    "AGREED_L2_HEAD_HASH",
    "AGREED_L2_OUTPUT_ROOT",
    "CLAIMED_L2_OUTPUT_ROOT",
    "CLAIMED_L2_BLOCK_NUMBER",
    "L1_NODE_ADDRESS",
    "L2_NODE_ADDRESS",
    "L1_BEACON_ADDRESS",
    "DATA_DIR",
    "DATA_FORMAT",
    "L2_CHAIN_ID",
    "ROLLUP_CONFIG_PATH",
    "L1_CONFIG_PATH",
    "KOA_LOG",
    "RUST_LOG",
    "KONA_LOG_LEVEL",
    "KONA_LOG_STDOUT_FORMAT",
    "KONA_STDOUT_LOG_QUIET",
    "KONA_LOG_FILE_DIRECTORY",
    "NO_COLOR",
];

fn koa() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_koa"));
    for var in HOST_ENV {
        command.env_remove(var);
    }
    command.stdin(Stdio::null());
    command
}

fn devnet_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/devnet")
}

fn claim(name: &str) -> Value {
    let claims: Value =
        serde_json::from_slice(&std::fs::read(devnet_dir().join("claims.json")).unwrap()).unwrap();
    claims["claims"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no claim {name}"))
        .clone()
}

/// op-challenger's `KonaExecutor.OracleCommand` for a single-chain game with a custom chain
/// (`--rollup-config-path`, `--l1-config-path`), after the host path: `single`, the node
/// flags, the five local inputs, then `--native` or `--server --data-dir <dir>`, then the
/// configs.
fn op_challenger_argv(
    claim_name: &str,
    served: &Served,
    mode: &[&str],
    chain: &[String],
) -> Vec<String> {
    let c = claim(claim_name);
    let s = |key: &str| c[key].as_str().unwrap().to_string();
    let mut argv: Vec<String> = vec![
        "single".into(),
        "--l1-node-address".into(),
        served.l1.clone(),
        "--l1-beacon-address".into(),
        served.beacon.clone(),
        "--l2-node-address".into(),
        served.l2.clone(),
        "--l1-head".into(),
        s("l1_head"),
        "--agreed-l2-head-hash".into(),
        s("agreed_l2_head_hash"),
        "--agreed-l2-output-root".into(),
        s("agreed_l2_output_root"),
        "--claimed-l2-output-root".into(),
        s("claimed_l2_output_root"),
        "--claimed-l2-block-number".into(),
        c["claimed_l2_block_number"].to_string(),
    ];
    argv.extend(mode.iter().map(|m| m.to_string()));
    argv.extend(chain.iter().cloned());
    argv
}

fn devnet_configs() -> Vec<String> {
    vec![
        "--rollup-config-path".into(),
        devnet_dir().join("rollup.json").display().to_string(),
        "--l1-config-path".into(),
        devnet_dir()
            .join("l1-chain-config.json")
            .display()
            .to_string(),
    ]
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
        Self {
            child,
            l1,
            beacon,
            l2,
        }
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Asserts exit code 2 and that stderr names every one of `needles`.
fn assert_refused(output: &Output, needles: &[&str]) {
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "stderr: {stderr}");
    for needle in needles {
        assert!(stderr.contains(needle), "{needle:?} not in {stderr:?}");
    }
}

/// Every line of `bytes` is a JSON log line as op-challenger's `ParseRustStructuredLogs`
/// reads it: an object with a `level` and `fields.message`.
fn assert_json_lines(bytes: &[u8]) -> Vec<Value> {
    text(bytes)
        .lines()
        .map(|line| {
            let value: Value = serde_json::from_str(line)
                .unwrap_or_else(|err| panic!("not a JSON log line ({err}): {line:?}"));
            assert!(value["level"].is_string(), "{line}");
            assert!(value["fields"]["message"].is_string(), "{line}");
            value
        })
        .collect()
}

// ---- server mode's descriptors ----

/// One side's four descriptors, in the order they take the numbers 3, 4, 5 and 6.
struct Side {
    hint_read: OwnedFd,
    hint_write: OwnedFd,
    preimage_read: OwnedFd,
    preimage_write: OwnedFd,
}

fn pipes() -> (Side, Side) {
    let (host_hint_read, client_hint_write) = io::pipe().unwrap();
    let (client_hint_read, host_hint_write) = io::pipe().unwrap();
    let (host_preimage_read, client_preimage_write) = io::pipe().unwrap();
    let (client_preimage_read, host_preimage_write) = io::pipe().unwrap();
    (
        Side {
            hint_read: host_hint_read.into(),
            hint_write: host_hint_write.into(),
            preimage_read: host_preimage_read.into(),
            preimage_write: host_preimage_write.into(),
        },
        Side {
            hint_read: client_hint_read.into(),
            hint_write: client_hint_write.into(),
            preimage_read: client_preimage_read.into(),
            preimage_write: client_preimage_write.into(),
        },
    )
}

/// Spawns `command` with `fds` as its descriptors 3–6 (as a VM passes them).
fn spawn_with_fds(mut command: Command, fds: [OwnedFd; 4]) -> Child {
    let high = |fd: OwnedFd| -> OwnedFd {
        // SAFETY: `fcntl(F_DUPFD_CLOEXEC)` on a valid descriptor has no memory effects.
        let raw = unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_DUPFD_CLOEXEC, 10) };
        assert!(raw >= 10, "fcntl: {}", io::Error::last_os_error());
        // SAFETY: `raw` is a new descriptor owned by nothing else.
        unsafe { OwnedFd::from_raw_fd(raw) }
    };
    let sources: Vec<OwnedFd> = fds.into_iter().map(high).collect();
    let mapping: Vec<(RawFd, RawFd)> = sources
        .iter()
        .zip(3..)
        .map(|(fd, target)| (fd.as_raw_fd(), target))
        .collect();
    // SAFETY: the closure only calls `dup2` (async-signal-safe) and allocates nothing.
    unsafe {
        command.pre_exec(move || {
            for &(source, target) in &mapping {
                if libc::dup2(source, target) < 0 {
                    return Err(io::Error::last_os_error());
                }
            }
            Ok(())
        });
    }
    let child = command.spawn().unwrap();
    drop(sources);
    child
}

/// `command` with its descriptors 3–6 closed (as from a terminal).
fn without_fds(mut command: Command) -> Command {
    // SAFETY: the closure only calls `close` (async-signal-safe).
    unsafe {
        command.pre_exec(|| {
            for fd in 3..=6 {
                libc::close(fd);
            }
            Ok(())
        });
    }
    command
}

fn wait(child: &mut Child, timeout: Duration) -> ExitStatus {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the host did not exit within {timeout:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// koa's program in this process on `client`'s ends (what a VM runs).
fn run_program(client: Side) -> Result<koa_proof::Verdict, koa_proof::ProofError> {
    koa_proof::run_with(
        OracleReader::new(PipeChannel::new(
            client.preimage_read,
            client.preimage_write,
        )),
        HintWriter::new(PipeChannel::new(client.hint_read, client.hint_write)),
        koa_proof::blob::KzgBlobVerifier,
    )
}

// ---- the must-show test ----

#[test]
fn op_challengers_cannon_kona_argv_runs_koa_as_the_host() {
    let served = Served::start();
    for (name, expected) in [("across-holocene", 0), ("wrong-random-output", 1)] {
        // --native, without a data directory (op-challenger's RunKonaNative), in the JSON
        // log format op-challenger asks for.
        let argv = op_challenger_argv(name, &served, &["--native"], &devnet_configs());
        let output = koa()
            .args(&argv)
            .env("KONA_LOG_STDOUT_FORMAT", "json")
            .env("NO_COLOR", "1")
            .env("KONA_LOG_LEVEL", "3")
            .output()
            .unwrap();
        assert_eq!(
            output.status.code(),
            Some(expected),
            "{name}: {}",
            text(&output.stderr)
        );
        let stdout = assert_json_lines(&output.stdout);
        let summary = stdout.last().expect("a summary line");
        assert_eq!(
            summary["fields"]["claimed_output_root"],
            claim(name)["claimed_l2_output_root"]
        );
        assert!(
            summary["fields"]["computed_output_root"].is_string(),
            "{summary}"
        );
        assert!(summary["fields"]["l2_block_reached"].is_u64(), "{summary}");
        let logs = assert_json_lines(&output.stderr);
        assert!(!logs.is_empty(), "-vvv (KONA_LOG_LEVEL=3) logs at info");

        // --native with a data directory op-challenger created (empty).
        let dir = tempfile::tempdir().unwrap();
        let data_dir = dir.path().display().to_string();
        let argv = op_challenger_argv(
            name,
            &served,
            &["--native", "--data-dir", &data_dir],
            &devnet_configs(),
        );
        let output = koa()
            .args(&argv)
            .env("KONA_LOG_STDOUT_FORMAT", "json")
            .output()
            .unwrap();
        assert_eq!(
            output.status.code(),
            Some(expected),
            "{}",
            text(&output.stderr)
        );
        assert_json_lines(&output.stdout);
        assert_json_lines(&output.stderr);
        assert_eq!(
            std::fs::read_to_string(dir.path().join("kvformat")).unwrap(),
            "directory"
        );
    }

    // --server --data-dir, the client run by "the VM" (here koa's program in this process).
    for (name, valid) in [("across-holocene", true), ("wrong-random-output", false)] {
        let dir = tempfile::tempdir().unwrap();
        let data_dir = dir.path().display().to_string();
        let argv = op_challenger_argv(
            name,
            &served,
            &["--server", "--data-dir", &data_dir],
            &devnet_configs(),
        );
        let (host, client) = pipes();
        let mut command = koa();
        command
            .args(&argv)
            .env("KONA_LOG_STDOUT_FORMAT", "json")
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let mut server = spawn_with_fds(
            command,
            [
                host.hint_read,
                host.hint_write,
                host.preimage_read,
                host.preimage_write,
            ],
        );
        let verdict = run_program(client).expect("a verdict");
        assert_eq!(verdict.valid, valid, "{name}");
        let status = wait(&mut server, Duration::from_secs(120));
        assert_eq!(status.code(), Some(0), "the server exits 0 once served");
    }
}

// ---- contradictory and ignored input ----

fn devnet_host(claim: &str) -> Command {
    let mut command = koa();
    command
        .args(["host", "--devnet"])
        .arg(devnet_dir())
        .args(["--claim", claim, "--native", "--json"]);
    command
}

#[test]
fn explicit_flags_and_env_vars_override_the_devnet_manifest() {
    let wrong = "0x1111111111111111111111111111111111111111111111111111111111111111";
    // The manifest's claim is valid; the flag's root is not, and it is the one judged.
    let output = devnet_host("trace-extension")
        .args(["--claimed-l2-output-root", wrong])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
    let summary: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(summary["claimed_output_root"], wrong);
    assert_eq!(summary["verdict"], "invalid");

    let output = devnet_host("trace-extension")
        .env("CLAIMED_L2_OUTPUT_ROOT", wrong)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));

    // The block number too: the manifest's root at another block is invalid.
    let output = devnet_host("trace-extension")
        .args(["--claimed-l2-block-number", "119"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
    let summary: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(summary["claimed_l2_block_number"], 119);

    // A rollup config path that does not exist is an error, not ignored.
    let output = devnet_host("trace-extension")
        .args(["--rollup-config-path", "/nonexistent/rollup.json"])
        .output()
        .unwrap();
    assert_refused(&output, &["rollup config", "/nonexistent/rollup.json"]);

    // Another chain than the devnet's, named by id: its L1 is mainnet, whose config koa
    // embeds, but the devnet's L1 config file contradicts it.
    let output = devnet_host("trace-extension")
        .args(["--l2-chain-id", "10"])
        .output()
        .unwrap();
    assert_refused(
        &output,
        &["L1 chain config is for chain 900001", "L1 chain 1"],
    );
}

#[test]
fn flags_that_would_be_ignored_are_refused() {
    let refused = |args: &[&str], needles: &[&str]| {
        let output = devnet_host("trace-extension").args(args).output().unwrap();
        assert_refused(&output, needles);
    };
    refused(&["--elf", "/bin/true"], &["--vm"]);
    let output = koa()
        .args(["host", "--devnet"])
        .arg(devnet_dir())
        .args([
            "--claim",
            "trace-extension",
            "--server",
            "--client",
            "/bin/true",
        ])
        .output()
        .unwrap();
    assert_refused(&output, &["--native"]);
    let output = koa()
        .args(["host", "--devnet"])
        .arg(devnet_dir())
        .args([
            "--claim",
            "trace-extension",
            "--server",
            "--elf",
            "/bin/true",
        ])
        .output()
        .unwrap();
    assert_refused(&output, &["--vm"]);
    refused(
        &["--data-format", "rocksdb", "--data-dir", "/nonexistent"],
        &["rocksdb", "op-program"],
    );
    refused(&["--data-format", "file"], &["--data-dir"]);
    refused(&["--enable-experimental-witness-endpoint"], &["node flags"]);
    refused(&["--log", "koa_nothing=debug"], &["koa logs nothing under"]);
    refused(&["--logs.file.rotation", "daily"], &["logrotate"]);
    refused(
        &["--max-fetched-bytes", "1000000"],
        &["--max-fetched-bytes", "offline nothing is fetched"],
    );
}

/// A client executable that prints `stdout` and `stderr` and exits with `code`, reading nothing.
fn scripted_client(dir: &Path, stdout: &str, stderr: &str, code: i32) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join("client.sh");
    std::fs::write(
        &path,
        format!(
            "#!/bin/sh\ncat <<'EOF'\n{stdout}\nEOF\ncat >&2 <<'EOF'\n{stderr}\nEOF\nexit {code}\n"
        ),
    )
    .unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

#[test]
fn a_child_clients_report_is_the_summarys_computed_root_and_its_exit_code_the_verdict() {
    let c = claim("across-holocene");
    let claimed: alloy_primitives::B256 = c["claimed_l2_output_root"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let computed = alloy_primitives::B256::repeat_byte(0x11);
    let report = koa_proof::report::ClientReport {
        valid: false,
        claimed_block: c["claimed_l2_block_number"].as_u64().unwrap(),
        claimed_output_root: claimed,
        computed_output_root: computed,
        l2_block: 61,
        l1_origin: 11,
        derivation_l1_block: Some(13),
        blocks_executed: 3,
        preimages: 5,
        bytes: 6,
    };
    let dir = tempfile::tempdir().unwrap();
    let summary_of = |client: &Path| -> (Option<i32>, Value) {
        let output = devnet_host("across-holocene")
            .arg("--client")
            .arg(client)
            .output()
            .unwrap();
        let summary = serde_json::from_slice(&output.stdout)
            .unwrap_or_else(|err| panic!("{err}: {}", text(&output.stderr)));
        (output.status.code(), summary)
    };

    // koa-client's report line on stdout: the summary shows it as the client's word.
    let client = scripted_client(dir.path(), &report.to_string(), "", 1);
    let (code, summary) = summary_of(&client);
    assert_eq!(code, Some(1));
    assert_eq!(summary["verdict"], "invalid");
    assert_eq!(summary["computed_output_root"], computed.to_string());
    assert_eq!(summary["claimed_output_root"], claimed.to_string());
    assert_eq!(summary["l2_block_reached"], 61);
    assert_eq!(summary["l1_origin_reached"], 11);
    assert_eq!(summary["derivation_l1_block"], 13);
    assert_eq!(summary["l2_blocks"], 3);
    assert_eq!(summary["computed_by"], "client_report");

    // kona-client's log line on stderr, colours and all.
    let kona_line = format!(
        "\u{1b}[32m INFO\u{1b}[0m client: Successfully validated L2 block \
         \u{1b}[3mnumber\u{1b}[0m\u{1b}[2m=\u{1b}[0m61 \u{1b}[3moutput_root\u{1b}[0m\u{1b}[2m=\u{1b}[0m{claimed}"
    );
    let client = scripted_client(dir.path(), "", &kona_line, 0);
    let (code, summary) = summary_of(&client);
    assert_eq!(code, Some(0));
    assert_eq!(summary["verdict"], "valid");
    assert_eq!(summary["computed_output_root"], claimed.to_string());
    assert_eq!(summary["l2_block_reached"], 61);
    assert_eq!(summary["computed_by"], "kona_log");

    // The exit code is the verdict: a report that contradicts it (exit 0, a computed root
    // that is not the claimed one) is not shown, and a client that says nothing has no
    // computed root either.
    let client = scripted_client(dir.path(), &report.to_string(), "", 0);
    let (code, summary) = summary_of(&client);
    assert_eq!(code, Some(0));
    assert_eq!(summary["verdict"], "valid");
    assert!(summary["computed_output_root"].is_null());
    let client = scripted_client(dir.path(), "", "", 0);
    let (code, summary) = summary_of(&client);
    assert_eq!(code, Some(0));
    assert!(summary["computed_output_root"].is_null());
}

#[test]
fn kona_flags_are_accepted_and_logs_have_no_colour_on_a_pipe() {
    let dir = tempfile::tempdir().unwrap();
    let output = devnet_host("trace-extension")
        .args([
            "-vvvv",
            "--l1-beacon-skip-blob-verification",
            "--logs.file.directory",
        ])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("DEBUG") || stderr.contains("INFO"),
        "{stderr}"
    );
    assert!(
        !stderr.contains('\x1b'),
        "colour codes on a pipe: {stderr:?}"
    );
    assert!(stderr.contains("no effect in koa"), "{stderr}");
    let file = std::fs::read_to_string(dir.path().join("koa.log")).unwrap();
    assert!(file.contains("judging claim"), "{file}");

    let output = devnet_host("trace-extension").arg("-q").output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(text(&output.stderr), "");

    // RUST_LOG, as kona reads it.
    let output = devnet_host("trace-extension")
        .env("RUST_LOG", "proof=info")
        .output()
        .unwrap();
    assert!(text(&output.stderr).contains("judging claim"));
}

// ---- server mode without descriptors ----

#[test]
fn server_mode_without_its_descriptors_exits_2() {
    let mut command = koa();
    command
        .args(["single", "--devnet"])
        .arg(devnet_dir())
        .args(["--claim", "trace-extension", "--server"]);
    let output = without_fds(command).output().unwrap();
    assert_refused(&output, &["fd 3", "is not open", "--native"]);

    // Regular files on 3–6 are not pipes either.
    let dir = tempfile::tempdir().unwrap();
    let file =
        |name: &str| -> OwnedFd { std::fs::File::create(dir.path().join(name)).unwrap().into() };
    let mut command = koa();
    command
        .args(["single", "--devnet"])
        .arg(devnet_dir())
        .args(["--claim", "trace-extension", "--server"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let child = spawn_with_fds(command, [file("a"), file("b"), file("c"), file("d")]);
    let output = child.wait_with_output().unwrap();
    assert_refused(&output, &["fd 3", "regular file"]);
}

// ---- the data directory ----

fn offline(data_dir: &Path) -> Output {
    let c = claim("trace-extension");
    let s = |key: &str| c[key].as_str().unwrap().to_string();
    koa()
        .arg("single")
        .args(["--l1-head", &s("l1_head")])
        .args(["--agreed-l2-head-hash", &s("agreed_l2_head_hash")])
        .args(["--agreed-l2-output-root", &s("agreed_l2_output_root")])
        .args(["--claimed-l2-output-root", &s("claimed_l2_output_root")])
        .args(["--claimed-l2-block-number", "120"])
        .args(devnet_configs())
        .arg("--data-dir")
        .arg(data_dir)
        .arg("--native")
        .output()
        .unwrap()
}

#[test]
fn offline_a_missing_empty_or_foreign_data_dir_is_named_and_never_created() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("preimages");
    assert_refused(
        &offline(&missing),
        &["preimages", "online run", "--l1-node-address"],
    );
    assert!(!missing.exists(), "offline mode created the data directory");

    assert_refused(&offline(dir.path()), &["it is empty"]);
    assert!(!dir.path().join("kvformat").exists());

    // A data directory of another run: what is missing is named, and how to get it.
    std::fs::write(dir.path().join("kvformat"), "directory").unwrap();
    let output = offline(dir.path());
    assert_refused(
        &output,
        &[
            "no preimage for key 0x",
            "asked for after the hint",
            "online run",
        ],
    );
    std::fs::remove_file(dir.path().join("kvformat")).unwrap();

    // kona-host's RocksDB directory: files and no kvformat.
    std::fs::write(dir.path().join("CURRENT"), "MANIFEST-000001\n").unwrap();
    std::fs::write(dir.path().join("OPTIONS-000007"), "[Version]\n").unwrap();
    assert_refused(&offline(dir.path()), &["no kvformat", "RocksDB"]);
    assert!(!dir.path().join("kvformat").exists());
}

// ---- the wrong chain ----

#[test]
fn online_a_rollup_config_for_another_chain_is_refused_before_proving() {
    let served = Served::start();
    let argv = op_challenger_argv(
        "across-holocene",
        &served,
        &["--native"],
        &["--l2-chain-id".to_string(), "10".to_string()],
    );
    let output = koa().args(&argv).output().unwrap();
    assert_refused(
        &output,
        &["serves chain 1952805748", "rollup config is for chain 10"],
    );

    // The devnet's rollup config with another genesis hash.
    let dir = tempfile::tempdir().unwrap();
    let mut rollup: Value =
        serde_json::from_slice(&std::fs::read(devnet_dir().join("rollup.json")).unwrap()).unwrap();
    rollup["genesis"]["l2"]["hash"] =
        "0x2222222222222222222222222222222222222222222222222222222222222222".into();
    let path = dir.path().join("rollup.json");
    std::fs::write(&path, rollup.to_string()).unwrap();
    let chain = vec![
        "--rollup-config-path".to_string(),
        path.display().to_string(),
        "--l1-config-path".to_string(),
        devnet_dir()
            .join("l1-chain-config.json")
            .display()
            .to_string(),
    ];
    let argv = op_challenger_argv("across-holocene", &served, &["--native"], &chain);
    let output = koa().args(&argv).output().unwrap();
    assert_refused(&output, &["L2 genesis is 0x2222"]);
}

// ---- hostile input, under a memory limit ----

#[test]
fn online_what_a_run_fetches_is_bounded_by_its_byte_budget() {
    // across-holocene reads a few MiB from the nodes: 64 KiB is spent long before the verdict.
    let served = Served::start();
    let mut chain = devnet_configs();
    chain.extend(["--max-fetched-bytes".to_string(), "65536".to_string()]);
    let argv = op_challenger_argv("across-holocene", &served, &["--native"], &chain);
    let output = koa().args(&argv).output().unwrap();
    assert_refused(&output, &["past its budget of 65536 bytes"]);
}

/// Runs `koa args…` with its address space limited to `kib` KiB.
fn koa_limited(kib: u64, args: &[String]) -> Output {
    let mut command = Command::new("sh");
    command
        .arg("-c")
        .arg(format!("ulimit -v {kib} && exec \"$0\" \"$@\""))
        .arg(env!("CARGO_BIN_EXE_koa"))
        .args(args)
        .stdin(Stdio::null());
    for var in HOST_ENV {
        command.env_remove(var);
    }
    command.output().unwrap()
}

#[test]
fn a_lying_node_sending_gigabytes_gets_a_clear_error_under_a_memory_limit() {
    // Every request is answered with 1.3 GB of hex, streamed (never held by the node).
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(64) {
            let Ok(mut stream) = stream else { return };
            std::thread::spawn(move || {
                let mut request = Vec::new();
                let mut buf = [0u8; 4096];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut buf) {
                        Ok(0) | Err(_) => return,
                        Ok(n) => request.extend_from_slice(&buf[..n]),
                    }
                }
                let _ = stream.write_all(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x",
                );
                let chunk = vec![b'0'; 1 << 20];
                for _ in 0..1300 {
                    if stream.write_all(&chunk).is_err() {
                        return;
                    }
                }
            });
        }
    });
    let url = |path: &str| format!("http://127.0.0.1:{port}/{path}");
    let c = claim("across-holocene");
    let s = |key: &str| c[key].as_str().unwrap().to_string();
    let mut args: Vec<String> = [
        "single",
        "--l1-node-address",
        &url("l1"),
        "--l1-beacon-address",
        &url("beacon"),
        "--l2-node-address",
        &url("l2"),
        "--l1-head",
        &s("l1_head"),
        "--agreed-l2-head-hash",
        &s("agreed_l2_head_hash"),
        "--agreed-l2-output-root",
        &s("agreed_l2_output_root"),
        "--claimed-l2-output-root",
        &s("claimed_l2_output_root"),
        "--claimed-l2-block-number",
        &c["claimed_l2_block_number"].to_string(),
        "--native",
    ]
    .map(String::from)
    .to_vec();
    args.extend(devnet_configs());
    let output = koa_limited(1 << 20, &args);
    assert_refused(&output, &["eth_chainId", "more than the method can return"]);
}

#[test]
fn an_archive_bomb_gets_a_clear_error_under_a_memory_limit() {
    // A devnet directory whose archive inflates to 1.1 GiB of zeros (a few hundred KB of zstd).
    let dir = tempfile::tempdir().unwrap();
    for file in [
        "rollup.json",
        "l1-chain-config.json",
        "claims.json",
        "chain.json",
    ] {
        std::fs::copy(devnet_dir().join(file), dir.path().join(file)).unwrap();
    }
    let mut encoder = zstd_encoder(dir.path().join("preimages.kpa.zst"));
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..1126 {
        encoder.write_all(&zeros).unwrap();
    }
    encoder.finish().unwrap();
    let size = std::fs::metadata(dir.path().join("preimages.kpa.zst"))
        .unwrap()
        .len();
    assert!(size < 1 << 20, "{size} bytes");
    let args: Vec<String> = [
        "host",
        "--devnet",
        &dir.path().display().to_string(),
        "--claim",
        "trace-extension",
        "--native",
    ]
    .map(String::from)
    .to_vec();
    let output = koa_limited(3 << 20, &args);
    assert_refused(&output, &["preimages.kpa.zst", "inflates past"]);
    // Under less memory than the cap, the allocation fails cleanly instead.
    let output = koa_limited(700 << 10, &args);
    assert_refused(&output, &["preimages.kpa.zst"]);
}

fn zstd_encoder(path: PathBuf) -> zstd::stream::write::Encoder<'static, std::fs::File> {
    zstd::stream::write::Encoder::new(std::fs::File::create(path).unwrap(), 1).unwrap()
}

// ---- the other commands ----

#[test]
fn devnet_generate_refuses_a_non_empty_out_dir() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("notes.txt"), "mine").unwrap();
    let generate = |extra: &[&str]| {
        koa()
            .args(["devnet", "generate", "--l2-blocks", "30", "--out"])
            .arg(dir.path())
            .args(extra)
            .output()
            .unwrap()
    };
    assert_refused(&generate(&[]), &["not empty", "--force"]);
    // --force replaces a devnet only, never another directory.
    assert_refused(&generate(&["--force"]), &["holds no devnet"]);
    assert!(dir.path().join("notes.txt").is_file());
}

#[test]
fn config_takes_op_challengers_network_names() {
    let by_name = koa().args(["config", "op-mainnet"]).output().unwrap();
    let by_id = koa().args(["config", "10"]).output().unwrap();
    assert_eq!(by_name.status.code(), Some(0), "{}", text(&by_name.stderr));
    assert_eq!(by_name.stdout, by_id.stdout);
    let sepolia = koa().args(["config", "op-sepolia"]).output().unwrap();
    let config: Value = serde_json::from_slice(&sepolia.stdout).unwrap();
    assert_eq!(config["l2_chain_id"], 11_155_420);
    assert_refused(
        &koa().args(["config", "op-nowhere"]).output().unwrap(),
        &["unknown chain"],
    );
}

#[test]
fn version_names_the_revision_and_completions_are_printed() {
    let output = koa().arg("--version").output().unwrap();
    let version = text(&output.stdout);
    assert!(version.starts_with("koa 0."), "{version}");
    assert!(
        version.contains("(git ") || version.contains("unknown git revision"),
        "{version}"
    );
    for shell in ["bash", "zsh", "fish"] {
        let output = koa().args(["completions", shell]).output().unwrap();
        assert_eq!(output.status.code(), Some(0));
        let script = text(&output.stdout);
        assert!(
            script.contains("koa") && script.contains("devnet"),
            "{shell}: {script}"
        );
    }
}
