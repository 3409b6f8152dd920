//! End-to-end: the no_std oracle smoke program, built for RISC-V 64 and MIPS64, runs under
//! `qemu-user` against the host's preimage server.
//!
//! These tests need the ELFs built by `scripts/build-client.sh` and are `#[ignore]`d by default.
//! `scripts/ci-fpvm.sh` builds them and runs
//! `KOA_FPVM_ELF_DIR=target/fpvm cargo test -p koa-host --test qemu -- --ignored`.
//! Run with `--ignored` but without `KOA_FPVM_ELF_DIR`, they fail with an explanation rather
//! than pass vacuously.

use alloy_primitives::{Address, B256, address, keccak256};
use koa_host::{ClientRunner, RunOutcome, Vm};
use koa_preimage::{FetchError, HintRouter, PreimageKey, ServerError};
use sha2::{Digest, Sha256};
use std::{collections::BTreeMap, path::PathBuf, sync::Mutex, time::Duration};

const SHA256_PRECOMPILE: Address = address!("0000000000000000000000000000000000000002");

/// The preimages the smoke program expects, built as `bin/oracle-smoke` documents.
struct Fixture {
    store: BTreeMap<PreimageKey, Vec<u8>>,
    manifest_hash: B256,
    digest: B256,
    z: B256,
    blob_key: PreimageKey,
    precompile_key: PreimageKey,
    generic_key: PreimageKey,
}

fn fixture() -> Fixture {
    let payload: Vec<u8> = b"koa sha256 payload: the quick brown fox".to_vec();
    let digest: B256 = B256::new(Sha256::digest(&payload).into());
    let commitment: [u8; 48] = [0xc0; 48];
    let z: B256 = B256::with_last_byte(42);
    let element: B256 = keccak256(b"field element");
    let input: [u8; 32] = [0x77; 32];
    let precompile_result: Vec<u8> = [&[1u8][..], &Sha256::digest(input)[..]].concat();
    let x: B256 = B256::repeat_byte(0x33);
    let sender: Address = address!("00000000000000000000000000000000000000aa");
    let value: B256 = keccak256(b"generic value");

    let manifest: Vec<u8> = [
        digest.as_slice(),
        &commitment,
        z.as_slice(),
        element.as_slice(),
        &input,
        x.as_slice(),
        sender.as_slice(),
        value.as_slice(),
    ]
    .concat();
    assert_eq!(manifest.len(), 260);
    let manifest_hash: B256 = keccak256(&manifest);

    let blob_key: PreimageKey = PreimageKey::blob(&commitment, z);
    let precompile_key: PreimageKey = PreimageKey::precompile(SHA256_PRECOMPILE, &input);
    let generic_key: PreimageKey = PreimageKey::global_generic(x, sender);
    let mut store: BTreeMap<PreimageKey, Vec<u8>> = BTreeMap::new();
    store.insert(PreimageKey::local(1), manifest_hash.to_vec());
    store.insert(PreimageKey::local(2), b"check".to_vec());
    store.insert(PreimageKey::keccak256(manifest_hash), manifest);
    store.insert(PreimageKey::sha256(digest), payload);
    store.insert(blob_key, element.to_vec());
    store.insert(precompile_key, precompile_result);
    store.insert(generic_key, value.to_vec());
    store.insert(PreimageKey::keccak256_of(&[]), Vec::new());
    Fixture {
        store,
        manifest_hash,
        digest,
        z,
        blob_key,
        precompile_key,
        generic_key,
    }
}

/// Records every hint.
#[derive(Default)]
struct Recorder(Mutex<Vec<String>>);

impl HintRouter for Recorder {
    fn route_hint(&self, hint: &str) -> Result<(), FetchError> {
        self.0
            .lock()
            .map_err(|_| FetchError::Backend("poisoned".into()))?
            .push(hint.into());
        Ok(())
    }
}

/// The smoke ELF for `arch`, or a test failure explaining how to build it.
fn elf(arch: &str) -> PathBuf {
    let Some(dir) = std::env::var_os("KOA_FPVM_ELF_DIR") else {
        panic!(
            "KOA_FPVM_ELF_DIR is not set: build the FPVM ELFs first, e.g. `bash scripts/ci-fpvm.sh` \
             (or `scripts/build-client.sh {arch}` and KOA_FPVM_ELF_DIR=target/fpvm)"
        );
    };
    let path: PathBuf = PathBuf::from(dir).join(arch).join("oracle-smoke");
    assert!(
        path.is_file(),
        "{} does not exist: run scripts/build-client.sh {arch}",
        path.display()
    );
    path
}

fn run(
    vm: Vm,
    arch: &str,
    store: &BTreeMap<PreimageKey, Vec<u8>>,
    router: &Recorder,
) -> RunOutcome {
    ClientRunner::new(vm, elf(arch))
        .timeout(Duration::from_secs(120))
        .run(store, router)
        .unwrap_or_else(|error| panic!("running the {arch} smoke program failed: {error}"))
}

fn serves_every_key_type(vm: Vm, arch: &str) {
    let fixture: Fixture = fixture();
    let router: Recorder = Recorder::default();
    let outcome: RunOutcome = run(vm, arch, &fixture.store, &router);
    assert!(outcome.succeeded(), "{arch}: {}", outcome.summary());
    assert_eq!(outcome.exit_code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&outcome.stdout),
        "oracle-smoke: 8 checks passed\n"
    );
    assert_eq!(
        *router.0.lock().unwrap(),
        vec![
            format!("smoke-manifest {}", fixture.manifest_hash),
            format!("smoke-sha256 {}", fixture.digest),
            format!("smoke-blob {}", fixture.z),
            format!("smoke-precompile {SHA256_PRECOMPILE}"),
        ]
    );
}

fn rejects_wrong_answers(vm: Vm, arch: &str) {
    let fixture: Fixture = fixture();
    let cases: [(PreimageKey, &str); 5] = [
        (
            PreimageKey::keccak256(fixture.manifest_hash),
            "keccak256 of the manifest",
        ),
        (PreimageKey::sha256(fixture.digest), "sha256 of the payload"),
        (fixture.blob_key, "blob field element"),
        (fixture.precompile_key, "sha256 precompile result"),
        (fixture.generic_key, "global generic value"),
    ];
    for (key, failed_check) in cases {
        let mut store: BTreeMap<PreimageKey, Vec<u8>> = fixture.store.clone();
        let preimage: &mut Vec<u8> = store.get_mut(&key).unwrap();
        let last: usize = preimage.len() - 1;
        preimage[last] ^= 0x01;
        let outcome: RunOutcome = run(vm, arch, &store, &Recorder::default());
        assert_eq!(
            outcome.exit_code(),
            Some(2),
            "{arch}, wrong {key:?}: {}",
            outcome.summary()
        );
        let stderr: String = String::from_utf8_lossy(&outcome.stderr).into_owned();
        assert_eq!(
            stderr,
            format!("error: check failed: {failed_check}\n"),
            "{arch}"
        );
    }

    // A preimage the host does not have: the server reports it and closes, the program sees
    // the stream end and fails instead of hanging.
    let mut store: BTreeMap<PreimageKey, Vec<u8>> = fixture.store.clone();
    store.remove(&fixture.generic_key);
    let outcome: RunOutcome = run(vm, arch, &store, &Recorder::default());
    assert_eq!(
        outcome.exit_code(),
        Some(2),
        "{arch}: {}",
        outcome.summary()
    );
    assert_eq!(
        outcome.oracle,
        Err(ServerError::Fetch(FetchError::NotFound(
            fixture.generic_key
        )))
    );
}

fn panics_exit_with_code_2(vm: Vm, arch: &str) {
    let mut store: BTreeMap<PreimageKey, Vec<u8>> = fixture().store;
    store.insert(PreimageKey::local(2), b"panic".to_vec());
    let outcome: RunOutcome = run(vm, arch, &store, &Recorder::default());
    assert_eq!(
        outcome.exit_code(),
        Some(2),
        "{arch}: {}",
        outcome.summary()
    );
    let stderr: String = String::from_utf8_lossy(&outcome.stderr).into_owned();
    assert!(stderr.starts_with("panic at "), "{arch}: {stderr}");
    assert!(
        stderr.ends_with(": panic requested by the host\n"),
        "{arch}: {stderr}"
    );
}

#[test]
#[ignore = "needs FPVM ELFs and qemu-user: run via scripts/ci-fpvm.sh"]
fn riscv64_panic_handler_exits_2() {
    panics_exit_with_code_2(Vm::Riscv64, "riscv64");
}

#[test]
#[ignore = "needs FPVM ELFs and qemu-user: run via scripts/ci-fpvm.sh"]
fn mips64_panic_handler_exits_2() {
    panics_exit_with_code_2(Vm::Mips64, "mips64");
}

#[test]
#[ignore = "needs FPVM ELFs and qemu-user: run via scripts/ci-fpvm.sh"]
fn riscv64_serves_every_key_type() {
    serves_every_key_type(Vm::Riscv64, "riscv64");
}

#[test]
#[ignore = "needs FPVM ELFs and qemu-user: run via scripts/ci-fpvm.sh"]
fn riscv64_rejects_wrong_answers() {
    rejects_wrong_answers(Vm::Riscv64, "riscv64");
}

#[test]
#[ignore = "needs FPVM ELFs and qemu-user: run via scripts/ci-fpvm.sh"]
fn mips64_serves_every_key_type() {
    serves_every_key_type(Vm::Mips64, "mips64");
}

#[test]
#[ignore = "needs FPVM ELFs and qemu-user: run via scripts/ci-fpvm.sh"]
fn mips64_rejects_wrong_answers() {
    rejects_wrong_answers(Vm::Mips64, "mips64");
}
