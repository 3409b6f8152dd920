//! `koa-client` end to end on the bundled devnet (`testdata/devnet`): the program talks to a
//! host over fds 3–6 (`koa_host::ClientRunner`, serving the devnet's preimages plus the claim's
//! local keys), natively here and under `qemu-riscv64` / `qemu-mips64` for the FPVM builds;
//! witness mode records a file that proves the same verdict alone and rejects a flipped byte.
//!
//! The FPVM tests need the ELFs from `scripts/build-client.sh` and are `#[ignore]`d by default;
//! `scripts/ci-fpvm.sh` runs them with `KOA_FPVM_ELF_DIR` set.

use alloy_primitives::{B256, keccak256};
use koa_devnet::{Claim, Devnet};
use koa_host::{ClientRunner, RunOutcome, Vm, precompile::answer_precompile_hint};
use koa_preimage::{
    FetchError, HintRouter, PreimageFetcher, PreimageKey, PreimageKeyType, archive::PreimageArchive,
};
use koa_proof::{Hint, report::ClientReport};
use std::{
    collections::BTreeMap,
    path::{Path, PathBuf},
    process::Command,
    sync::{Mutex, OnceLock},
    time::{Duration, Instant},
};

/// The bundled devnet, loaded once.
fn devnet() -> &'static Devnet {
    static DEVNET: OnceLock<Devnet> = OnceLock::new();
    DEVNET.get_or_init(|| Devnet::bundled().expect("testdata/devnet loads"))
}

fn claim(name: &str) -> &'static Claim {
    devnet()
        .claim(name)
        .unwrap_or_else(|| panic!("no claim {name}"))
}

/// A host serving one claim of the devnet: local keys from the claim and configs, everything
/// else from the devnet's preimages, precompile results computed on their hint.
struct DevnetHost<'a> {
    devnet: &'a Devnet,
    claim: &'a Claim,
    computed: Mutex<BTreeMap<PreimageKey, Vec<u8>>>,
    hints: Mutex<Vec<String>>,
}

impl<'a> DevnetHost<'a> {
    fn new(devnet: &'a Devnet, claim: &'a Claim) -> Self {
        Self {
            devnet,
            claim,
            computed: Mutex::default(),
            hints: Mutex::default(),
        }
    }
}

impl PreimageFetcher for DevnetHost<'_> {
    fn get_preimage(&self, key: PreimageKey) -> Result<Vec<u8>, FetchError> {
        if key.key_type() == PreimageKeyType::Local {
            let index = u64::from_be_bytes(key.as_bytes()[24..].try_into().expect("8 bytes"));
            let claim = self.claim;
            return Ok(match index {
                1 => claim.l1_head.to_vec(),
                2 => claim.agreed_l2_output_root.to_vec(),
                3 => claim.claimed_l2_output_root.to_vec(),
                4 => claim.claimed_l2_block_number.to_be_bytes().to_vec(),
                5 => claim.l2_chain_id.to_be_bytes().to_vec(),
                6 => self.devnet.rollup_config_json.clone().into_bytes(),
                7 => self.devnet.l1_chain_config_json.clone().into_bytes(),
                _ => return Err(FetchError::NotFound(key)),
            });
        }
        if let Some(value) = self.computed.lock().expect("lock").get(&key) {
            return Ok(value.clone());
        }
        self.devnet
            .preimage(&key)
            .map(|value| value.to_vec())
            .ok_or(FetchError::NotFound(key))
    }
}

impl HintRouter for DevnetHost<'_> {
    fn route_hint(&self, hint: &str) -> Result<(), FetchError> {
        self.hints.lock().expect("lock").push(hint.to_string());
        if let Ok(hint @ Hint::L1Precompile { .. }) = Hint::parse(hint) {
            let preimages = answer_precompile_hint(&hint.payload())
                .map_err(|e| FetchError::Backend(e.to_string()))?;
            let mut computed = self.computed.lock().expect("lock");
            computed.insert(preimages.result.0, preimages.result.1);
            computed.insert(
                PreimageKey::keccak256(preimages.payload.0),
                preimages.payload.1,
            );
        }
        Ok(())
    }
}

fn native_client() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_koa-client"))
}

/// Runs `program` on `vm` for `claim`, serving the devnet.
fn run(vm: Vm, program: &Path, claim: &Claim, args: &[&str]) -> (RunOutcome, Duration) {
    let host = DevnetHost::new(devnet(), claim);
    let started = Instant::now();
    let outcome = ClientRunner::new(vm, program)
        .args(args.iter().copied())
        .timeout(Duration::from_secs(1_800))
        .run(&host, &host)
        .expect("the program runs");
    (outcome, started.elapsed())
}

fn expected_code(claim: &Claim) -> i32 {
    if claim.expected_valid { 0 } else { 1 }
}

fn assert_verdict(outcome: &RunOutcome, claim: &Claim, what: &str) {
    assert_eq!(
        outcome.exit_code(),
        Some(expected_code(claim)),
        "{what} {}: {}",
        claim.name,
        outcome.summary()
    );
    // The report line: what a host that runs the client as a child shows as computed.
    let stdout = String::from_utf8_lossy(&outcome.stdout);
    let report: ClientReport = stdout
        .trim_end()
        .parse()
        .unwrap_or_else(|err| panic!("{what} {}: {err}: {stdout}", claim.name));
    assert_eq!(report.valid, claim.expected_valid, "{what} {}", claim.name);
    assert_eq!(report.claimed_block, claim.claimed_l2_block_number);
    assert_eq!(report.claimed_output_root, claim.claimed_l2_output_root);
    assert_eq!(
        report.computed_output_root == claim.claimed_l2_output_root,
        claim.expected_valid,
        "{what} {}: {stdout}",
        claim.name
    );
    if claim.expected_valid {
        assert_eq!(report.l2_block, claim.claimed_l2_block_number);
    }
    assert_eq!(
        report.derivation_l1_block.is_some(),
        claim.claimed_l2_block_number > claim.agreed_l2_block_number,
        "{what} {}: derivation ran exactly when the claim is past the agreed block",
        claim.name
    );
}

#[test]
fn native_client_judges_devnet_claims_over_fds_3_to_6() {
    for name in [
        "from-genesis",
        "trace-extension-wrong",
        "across-karst",
        "wrong-random-output",
    ] {
        let claim = claim(name);
        let (outcome, elapsed) = run(Vm::Native, &native_client(), claim, &[]);
        assert_verdict(&outcome, claim, "native");
        eprintln!("native {name}: {elapsed:?}");
    }
}

#[test]
fn a_missing_preimage_is_a_failure_not_a_verdict() {
    // The host lacks the agreed output root's preimage: exit code 2, never 1.
    let claim = claim("wrong-random-output");
    let mut devnet = Devnet::bundled().expect("devnet");
    let key = PreimageKey::keccak256(claim.agreed_l2_output_root);
    assert!(devnet.preimages.remove(&key).is_some());
    let host = DevnetHost::new(&devnet, claim);
    let outcome = ClientRunner::new(Vm::Native, native_client())
        .timeout(Duration::from_secs(600))
        .run(&host, &host)
        .expect("runs");
    assert_eq!(outcome.exit_code(), Some(2), "{}", outcome.summary());
}

#[test]
fn usage_errors_exit_2() {
    let output = Command::new(native_client())
        .arg("--frobnicate")
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
    let output = Command::new(native_client())
        .arg("--witness")
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
    let output = Command::new(native_client())
        .args(["--witness", "/nonexistent/witness.kpa"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
}

/// The witness of `claim`, recorded natively against the devnet host.
fn record_witness(claim: &Claim, dir: &Path) -> PathBuf {
    let path = dir.join(format!("{}.kpa", claim.name));
    let path_arg = path.to_str().expect("utf-8 path").to_string();
    let (outcome, _) = run(
        Vm::Native,
        &native_client(),
        claim,
        &["--record-witness", &path_arg],
    );
    assert_verdict(&outcome, claim, "recording");
    path
}

fn replay(path: &Path) -> std::process::Output {
    Command::new(native_client())
        .arg("--witness")
        .arg(path)
        .output()
        .expect("runs")
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("koa-client-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

#[test]
fn witness_proves_the_same_verdict_alone_and_detects_a_flipped_byte() {
    let dir = temp_dir("witness");
    let mut blob_flips = 0;
    for name in ["across-karst", "wrong-random-output", "sequencing-window"] {
        let claim = claim(name);
        let path = record_witness(claim, &dir);
        let witness = std::fs::read(&path).expect("witness written");

        // The witness alone: same verdict, no host (no fds 3–6 at all).
        let output = replay(&path);
        assert_eq!(
            output.status.code(),
            Some(expected_code(claim)),
            "{name}: {}",
            String::from_utf8_lossy(&output.stderr)
        );

        // It holds the claim's local keys and only what the run read.
        let archive = PreimageArchive::decode_verified(&witness).expect("a valid archive");
        assert_eq!(
            archive.get(&PreimageKey::local(3)),
            Some(claim.claimed_l2_output_root.as_slice())
        );
        assert!(archive.len() < devnet().preimages.len());

        // A flipped byte in any checked entry (keccak256 and sha256 preimages: headers, trie
        // nodes, transactions, receipts, code, the output root preimage) is a failure.
        let mut flipped_entries = 0;
        for (index, (key, value)) in archive.iter().enumerate() {
            let checked = matches!(
                key.key_type(),
                PreimageKeyType::Keccak256 | PreimageKeyType::Sha256
            );
            if !checked || value.is_empty() || index % 7 != 0 {
                continue;
            }
            let offset = value.as_ptr() as usize - witness.as_ptr() as usize + value.len() / 2;
            let mut corrupt = witness.clone();
            corrupt[offset] ^= 0x01;
            let corrupt_path = dir.join(format!("{name}-flipped.kpa"));
            std::fs::write(&corrupt_path, &corrupt).expect("write");
            let output = replay(&corrupt_path);
            assert_eq!(
                output.status.code(),
                Some(2),
                "{name}: flipping byte {offset} of {key} went unnoticed"
            );
            flipped_entries += 1;
            if flipped_entries == 5 {
                break;
            }
        }
        assert!(
            flipped_entries >= 3,
            "{name}: {flipped_entries} entries flipped"
        );

        // A flip in a blob field element (type 5) is caught by the KZG check of the replay.
        if let Some((_, value)) = archive
            .iter()
            .find(|(key, _)| key.key_type() == PreimageKeyType::Blob)
        {
            blob_flips += 1;
            let offset = value.as_ptr() as usize - witness.as_ptr() as usize + 31;
            let mut corrupt = witness.clone();
            corrupt[offset] ^= 0x01;
            let corrupt_path = dir.join(format!("{name}-blob.kpa"));
            std::fs::write(&corrupt_path, &corrupt).expect("write");
            assert_eq!(
                replay(&corrupt_path).status.code(),
                Some(2),
                "{name}: blob flip"
            );
        }

        // Structure: a flipped count, a truncated or padded file is a failure.
        for corrupt in [
            {
                let mut w = witness.clone();
                w[15] ^= 0x01;
                w
            },
            witness[..witness.len() - 1].to_vec(),
            [witness.as_slice(), &[0]].concat(),
        ] {
            let corrupt_path = dir.join(format!("{name}-structure.kpa"));
            std::fs::write(&corrupt_path, &corrupt).expect("write");
            assert_eq!(
                replay(&corrupt_path).status.code(),
                Some(2),
                "{name}: structure"
            );
        }

        // The local keys are the claim: changing the claimed root judges another claim.
        let claimed = archive
            .get(&PreimageKey::local(3))
            .expect("claimed root")
            .as_ptr() as usize
            - witness.as_ptr() as usize;
        let mut other = witness.clone();
        other[claimed + 31] ^= 0x01;
        let other_path = dir.join(format!("{name}-other-claim.kpa"));
        std::fs::write(&other_path, &other).expect("write");
        assert_eq!(
            replay(&other_path).status.code(),
            Some(1),
            "{name}: another claim"
        );
    }
    assert!(
        blob_flips > 0,
        "some witness reads a blob, so a flipped blob element is tried"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// The FPVM ELF for `arch`, built by `scripts/build-client.sh`.
fn fpvm_elf(arch: &str) -> PathBuf {
    let dir = std::env::var_os("KOA_FPVM_ELF_DIR").expect(
        "KOA_FPVM_ELF_DIR is not set: run scripts/ci-fpvm.sh (or build-client.sh and set it)",
    );
    let elf = PathBuf::from(dir).join(arch).join("koa-client");
    assert!(
        elf.exists(),
        "{} does not exist: run scripts/build-client.sh {arch}",
        elf.display()
    );
    elf
}

fn fpvm_claims(vm: Vm, arch: &str, names: &[&str]) {
    let elf = fpvm_elf(arch);
    for name in names {
        let claim = claim(name);
        let (outcome, elapsed) = run(vm, &elf, claim, &[]);
        assert_verdict(&outcome, claim, arch);
        eprintln!(
            "{arch} {name}: exit {:?} in {elapsed:.1?}; {}",
            outcome.exit_code(),
            String::from_utf8_lossy(&outcome.stdout).trim_end(),
        );
    }
}

#[test]
#[ignore = "needs the riscv64 ELF (scripts/ci-fpvm.sh)"]
fn riscv64_client_proves_devnet_claims_under_qemu() {
    fpvm_claims(
        Vm::Riscv64,
        "riscv64",
        &["across-karst", "wrong-random-output"],
    );
}

#[test]
#[ignore = "needs the mips64 ELF (scripts/ci-fpvm.sh)"]
fn mips64_client_proves_devnet_claims_under_qemu() {
    fpvm_claims(
        Vm::Mips64,
        "mips64",
        &["across-jovian", "trace-extension-wrong"],
    );
}

/// The witness check works on the hash the host would serve for it (a sanity check of the
/// test's own host: a keccak entry it serves matches its key).
#[test]
fn devnet_host_serves_authentic_preimages() {
    let claim = claim("across-karst");
    let host = DevnetHost::new(devnet(), claim);
    let key = PreimageKey::keccak256(claim.agreed_l2_output_root);
    let value = host.get_preimage(key).expect("output root preimage");
    assert_eq!(keccak256(&value), claim.agreed_l2_output_root);
    assert_eq!(value.len(), 128);
    let head = host.get_preimage(PreimageKey::local(1)).expect("l1 head");
    assert_eq!(B256::from_slice(&head), claim.l1_head);
}
