//! What the qemu tests share: running the stress program on a scenario and reading its report.

use alloy_primitives::{B256, keccak256};
use koa_host::{ClientRunner, RunOutcome, Vm};
use koa_preimage::{NoopHintRouter, PreimageKey};
use koa_stress::Scenario;
use std::{
    collections::BTreeMap,
    path::PathBuf,
    time::{Duration, Instant},
};

/// The stress ELF built for `vm` under `KOA_FPVM_ELF_DIR`.
fn elf(vm: Vm) -> PathBuf {
    let arch: &str = match vm {
        Vm::Riscv64 => "riscv64",
        Vm::Mips64 => "mips64",
        Vm::Native => panic!("the stress program is an FPVM program"),
    };
    let Some(dir) = std::env::var_os("KOA_FPVM_ELF_DIR") else {
        panic!(
            "KOA_FPVM_ELF_DIR is not set: run scripts/ci-fpvm.sh (or build-client.sh and set it)"
        );
    };
    let path: PathBuf = PathBuf::from(dir).join(arch).join("stress");
    assert!(
        path.is_file(),
        "{} does not exist: run scripts/build-client.sh {arch} --program stress",
        path.display()
    );
    path
}

/// Runs `scenario` with `params` (and `input`, served as the keccak256 preimage of local key
/// 3) under `vm`; checks that it succeeded, prints its report and wall time, and returns its
/// standard output.
pub(crate) fn run_stress(
    vm: Vm,
    scenario: Scenario,
    params: Vec<u8>,
    input: Option<Vec<u8>>,
    timeout: Duration,
) -> String {
    let mut store: BTreeMap<PreimageKey, Vec<u8>> = BTreeMap::from([
        (PreimageKey::local(1), scenario.name().as_bytes().to_vec()),
        (PreimageKey::local(2), params),
    ]);
    if let Some(input) = input {
        let hash: B256 = keccak256(&input);
        store.insert(PreimageKey::local(3), hash.to_vec());
        store.insert(PreimageKey::keccak256(hash), input);
    }
    let start: Instant = Instant::now();
    let outcome: RunOutcome = ClientRunner::new(vm, elf(vm))
        .timeout(timeout)
        .run(&store, &NoopHintRouter)
        .expect("the program runs");
    let elapsed: Duration = start.elapsed();
    let stdout: String = String::from_utf8_lossy(&outcome.stdout).into_owned();
    assert!(outcome.succeeded(), "{}\n{stdout}", outcome.summary());
    print!("{stdout}");
    println!(
        "{} wall time: {:.1} s",
        vm.qemu().unwrap_or("native"),
        elapsed.as_secs_f64()
    );
    stdout
}

/// The `key=value` fields of the program's `stress-<scenario> <step>:` line.
pub(crate) fn fields(stdout: &str, scenario: Scenario, step: &str) -> BTreeMap<String, usize> {
    let prefix: String = format!("stress-{} {step}: ", scenario.name());
    let line: &str = stdout
        .lines()
        .find_map(|line| line.strip_prefix(prefix.as_str()))
        .unwrap_or_else(|| panic!("no {prefix:?} line in {stdout:?}"));
    line.split_whitespace()
        .filter_map(|field| field.split_once('='))
        .map(|(key, value)| (key.to_owned(), value.parse().expect("a number")))
        .collect()
}
