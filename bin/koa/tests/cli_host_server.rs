//! `koa host --server`: the preimage oracle on file descriptors 3–6, as a fault proof VM sees it.
//!
//! The test plays the VM: it makes the four pipes, hands one end of each to `koa host --server`
//! as fds 3–6 and the other end to a client: koa's fault proof program in this process
//! (`koa_proof::run_with`, what `koa-client` runs natively), or the riscv64 client ELF under
//! `qemu-riscv64`. The client's exit code, or its verdict, is the verdict of server mode; the
//! host only serves, and exits 0 once the client has closed its pipes.
//!
//! Both sides number the descriptors alike (kona-host and op-program do the same): 3 reads
//! hints, 4 writes hints, 5 reads preimage traffic, 6 writes it. Each pipe joins one side's
//! write end to the other side's read end.

use std::{
    io,
    os::{
        fd::{AsRawFd, FromRawFd, OwnedFd, RawFd},
        unix::process::CommandExt,
    },
    path::{Path, PathBuf},
    process::{Child, Command, ExitStatus, Stdio},
    time::{Duration, Instant},
};

use koa_preimage::{HintWriter, OracleReader, PipeChannel};
use serde_json::Value;

fn devnet_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/devnet")
}

/// Every bundled devnet claim: its name and whether it is valid.
fn claims() -> Vec<(String, bool)> {
    let claims: Value =
        serde_json::from_slice(&std::fs::read(devnet_dir().join("claims.json")).unwrap()).unwrap();
    claims["claims"]
        .as_array()
        .unwrap()
        .iter()
        .map(|claim| {
            (
                claim["name"].as_str().unwrap().to_owned(),
                claim["expected_valid"].as_bool().unwrap(),
            )
        })
        .collect()
}

/// A string field of a bundled devnet claim.
fn claim_field(name: &str, field: &str) -> String {
    let claims: Value =
        serde_json::from_slice(&std::fs::read(devnet_dir().join("claims.json")).unwrap()).unwrap();
    claims["claims"]
        .as_array()
        .unwrap()
        .iter()
        .find(|claim| claim["name"] == name)
        .and_then(|claim| claim[field].as_str())
        .unwrap_or_else(|| panic!("claim {name} has no {field}"))
        .to_owned()
}

/// `koa host --devnet testdata/devnet --claim <claim>` with `mode_args`, kona-host's
/// environment variables removed.
fn koa_host(claim: &str, mode_args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_koa"));
    command
        .arg("host")
        .arg("--devnet")
        .arg(devnet_dir())
        .args(["--claim", claim])
        .args(mode_args)
        .env_remove("DATA_DIR")
        .env_remove("L1_NODE_ADDRESS")
        .env_remove("L2_NODE_ADDRESS")
        .env_remove("L1_BEACON_ADDRESS")
        .stdin(Stdio::null());
    command
}

/// One side's four descriptors, in the order they take the numbers 3, 4, 5 and 6.
struct Side {
    hint_read: OwnedFd,
    hint_write: OwnedFd,
    preimage_read: OwnedFd,
    preimage_write: OwnedFd,
}

/// The four pipes between a host and a client.
fn pipes() -> (Side, Side) {
    let (host_hint_read, client_hint_write) = io::pipe().unwrap();
    let (client_hint_read, host_hint_write) = io::pipe().unwrap();
    let (host_preimage_read, client_preimage_write) = io::pipe().unwrap();
    let (client_preimage_read, host_preimage_write) = io::pipe().unwrap();
    let host = Side {
        hint_read: host_hint_read.into(),
        hint_write: host_hint_write.into(),
        preimage_read: host_preimage_read.into(),
        preimage_write: host_preimage_write.into(),
    };
    let client = Side {
        hint_read: client_hint_read.into(),
        hint_write: client_hint_write.into(),
        preimage_read: client_preimage_read.into(),
        preimage_write: client_preimage_write.into(),
    };
    (host, client)
}

/// Spawns `command` with `side` as its fds 3–6; our copies are closed once it runs.
fn spawn_with_fds(mut command: Command, side: Side) -> Child {
    // Copies numbered 10 or more, close-on-exec: `dup2` onto 3..=6 cannot clobber a source.
    let high = |fd: OwnedFd| -> OwnedFd {
        // SAFETY: `fcntl(F_DUPFD_CLOEXEC)` on a valid descriptor has no memory effects.
        let raw = unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_DUPFD_CLOEXEC, 10) };
        assert!(raw >= 10, "fcntl: {}", io::Error::last_os_error());
        // SAFETY: `raw` is a new descriptor owned by nothing else.
        unsafe { OwnedFd::from_raw_fd(raw) }
    };
    let sources: [OwnedFd; 4] = [
        high(side.hint_read),
        high(side.hint_write),
        high(side.preimage_read),
        high(side.preimage_write),
    ];
    let mapping: [(RawFd, RawFd); 4] = [
        (sources[0].as_raw_fd(), 3),
        (sources[1].as_raw_fd(), 4),
        (sources[2].as_raw_fd(), 5),
        (sources[3].as_raw_fd(), 6),
    ];
    // SAFETY: the closure only calls `dup2` (async-signal-safe) and allocates nothing.
    unsafe {
        command.pre_exec(move || {
            for (source, target) in mapping {
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

/// Waits for `child`, killing it after `timeout`.
fn wait(child: &mut Child, timeout: Duration) -> ExitStatus {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("{:?} did not exit within {timeout:?}", child.id());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// `koa host --server` serving `claim` on `host`'s ends, its output discarded.
fn quiet_server(claim: &str, host: Side) -> Child {
    let mut command = koa_host(claim, &["--server"]);
    command.stdout(Stdio::null()).stderr(Stdio::null());
    spawn_with_fds(command, host)
}

/// koa's program (what `koa-client` runs natively) in this process, on `client`'s ends; they
/// are closed when it returns.
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

/// Serves `claim` with `koa host --server` to koa's program in this process; the verdict
/// (`Ok(valid)` or the program's error) and the host's exit status.
fn prove_in_process_against_server(claim: &str) -> (Result<bool, String>, ExitStatus) {
    let (host, client) = pipes();
    let mut server = quiet_server(claim, host);
    let verdict = run_program(client)
        .map(|verdict| verdict.valid)
        .map_err(|err| err.to_string());
    let status = wait(&mut server, Duration::from_secs(120));
    (verdict, status)
}

#[test]
fn native_and_server_modes_agree_on_every_bundled_devnet_claim() {
    let claims = claims();
    assert!(claims.len() >= 10, "{} claims", claims.len());
    assert!(claims.iter().any(|(_, valid)| *valid));
    assert!(claims.iter().any(|(_, valid)| !*valid));
    for (name, expected_valid) in claims {
        let native = koa_host(&name, &["--native"]).output().unwrap();
        let native_code = native.status.code();
        assert_eq!(
            native_code,
            Some(if expected_valid { 0 } else { 1 }),
            "{name}, native: {}",
            String::from_utf8_lossy(&native.stderr)
        );

        let (verdict, server_status) = prove_in_process_against_server(&name);
        assert_eq!(
            verdict,
            Ok(expected_valid),
            "{name}: the program against koa host --server"
        );
        assert_eq!(
            server_status.code(),
            Some(0),
            "{name}: koa host --server exits 0 after serving"
        );
    }
}

#[test]
fn server_mode_names_a_missing_preimage_and_exits_2() {
    // A data directory without this claim's preimages instead of the devnet archive (an empty
    // one is refused before serving): the program's first preimage after the local boot keys,
    // the agreed output root, is missing.
    let data_dir = tempfile::tempdir().unwrap();
    std::fs::write(data_dir.path().join("kvformat"), "directory").unwrap();
    let (host, client) = pipes();
    let mut command = koa_host("to-last-block", &["--server", "--data-dir"]);
    command
        .arg(data_dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let server = spawn_with_fds(command, host);
    let verdict = run_program(client);
    assert!(verdict.is_err(), "the program cannot finish without data");
    let output = server.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    let errors: Vec<&str> = stderr.lines().filter(|l| l.starts_with("error:")).collect();
    assert_eq!(errors.len(), 1, "{stderr}");
    // The agreed output root's keccak256 key (type 2 in place of the hash's first byte).
    let agreed = claim_field("to-last-block", "agreed_l2_output_root");
    let key = format!("0x02{}", &agreed[4..]);
    assert!(
        errors[0].contains("no preimage for key") && errors[0].contains(&key),
        "{} should name {key}",
        errors[0]
    );
}

/// The riscv64 client ELF built by `scripts/build-client.sh` (`KOA_FPVM_ELF_DIR`).
fn riscv64_client() -> PathBuf {
    let dir = std::env::var_os("KOA_FPVM_ELF_DIR")
        .expect("KOA_FPVM_ELF_DIR is not set: build the ELFs with scripts/ci-fpvm.sh");
    let elf = PathBuf::from(dir).join("riscv64/koa-client");
    assert!(elf.is_file(), "{} does not exist", elf.display());
    elf
}

#[test]
#[ignore = "needs the riscv64 client ELF (scripts/ci-fpvm.sh)"]
fn server_mode_serves_the_riscv64_client_under_qemu() {
    for (claim, expected_exit) in [("across-karst", 0), ("wrong-next-output", 1)] {
        let (host, client) = pipes();
        let mut server = quiet_server(claim, host);
        let mut vm = Command::new("qemu-riscv64");
        vm.arg(riscv64_client())
            .stdin(Stdio::null())
            .stdout(Stdio::null());
        let mut vm = spawn_with_fds(vm, client);
        let client_status = wait(&mut vm, Duration::from_secs(600));
        let server_status = wait(&mut server, Duration::from_secs(60));
        assert_eq!(client_status.code(), Some(expected_exit), "{claim}: client");
        assert_eq!(server_status.code(), Some(0), "{claim}: koa host --server");
    }
}
