//! `koa vm` and `koa host --vm cannon|asterisc`: koa's VMs from the command line.
//!
//! The fast tests build a tiny MIPS64 ELF here (encoded instructions), load it, run it, prove a
//! step and feed the command bad input (wrong machine, corrupt state, a host that dies). The
//! ignored tests prove bundled devnet claims with the mips64 client on the Cannon VM and the
//! riscv64 client on the Asterisc VM (`KOA_FPVM_ELF_DIR`, default `target/fpvm`; build them
//! with `scripts/build-client.sh mips64|riscv64`).

use std::{
    path::{Path, PathBuf},
    process::{Command, Output},
};

use serde_json::Value;

fn koa() -> Command {
    Command::new(env!("CARGO_BIN_EXE_koa"))
}

fn run(cmd: &mut Command) -> Output {
    cmd.output().expect("koa runs")
}

fn json_line(out: &Output) -> Value {
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout.lines().last().unwrap_or_else(|| {
        panic!(
            "no output; stderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    serde_json::from_str(line).unwrap_or_else(|e| panic!("{line}: {e}"))
}

fn i(op: u32, rs: u32, rt: u32, imm: u16) -> u32 {
    (op << 26) | (rs << 21) | (rt << 16) | imm as u32
}

/// A big-endian MIPS64 ELF with one PT_LOAD segment holding `code` at 0x10000.
fn mips_elf(machine: u16, code: &[u32]) -> Vec<u8> {
    let bytes: Vec<u8> = code.iter().flat_map(|w| w.to_be_bytes()).collect();
    let mut out = vec![0u8; 64];
    out[..4].copy_from_slice(b"\x7fELF");
    out[4] = 2;
    out[5] = 2;
    out[6] = 1;
    out[16..18].copy_from_slice(&2u16.to_be_bytes());
    out[18..20].copy_from_slice(&machine.to_be_bytes());
    out[24..32].copy_from_slice(&0x10000u64.to_be_bytes());
    out[32..40].copy_from_slice(&64u64.to_be_bytes());
    out[54..56].copy_from_slice(&56u16.to_be_bytes());
    out[56..58].copy_from_slice(&1u16.to_be_bytes());
    let mut ph = vec![0u8; 56];
    ph[..4].copy_from_slice(&1u32.to_be_bytes());
    ph[8..16].copy_from_slice(&120u64.to_be_bytes());
    ph[16..24].copy_from_slice(&0x10000u64.to_be_bytes());
    ph[32..40].copy_from_slice(&(bytes.len() as u64).to_be_bytes());
    ph[40..48].copy_from_slice(&(bytes.len() as u64).to_be_bytes());
    out.extend_from_slice(&ph);
    out.extend_from_slice(&bytes);
    out
}

/// exit_group(1) after two no-ops.
fn exit_program() -> Vec<u32> {
    vec![0, 0, i(0x09, 0, 4, 1), i(0x09, 0, 2, 5205), 0xC]
}

/// Writes the 32-byte key 0x02 00…00 (8 bytes a time) on fd 6, then reads on fd 5.
fn preimage_program() -> Vec<u32> {
    let mut code = vec![
        i(0x19, 29, 5, 0x100), // a1 = sp + 0x100
        i(0x09, 0, 8, 2),      // t0 = 2
        i(0x28, 5, 8, 0),      // sb t0, 0(a1): the key type
        i(0x09, 0, 4, 6),      // a0 = 6
        i(0x09, 0, 6, 8),      // a2 = 8
    ];
    for _ in 0..4 {
        code.extend([i(0x09, 0, 2, 5001), 0xC, i(0x19, 5, 5, 8)]); // write; a1 += 8
    }
    code.extend([
        i(0x19, 5, 5, 0xFFE0), // a1 -= 32
        i(0x09, 0, 4, 5),      // a0 = 5
        i(0x09, 0, 2, 5000),   // read
        0xC,
        i(0x09, 0, 2, 5205),
        0xC,
    ]);
    code
}

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

#[test]
fn load_elf_run_witness_and_proof() {
    let dir = tmp();
    let elf = dir.path().join("prog.elf");
    std::fs::write(&elf, mips_elf(8, &exit_program())).unwrap();
    let state = dir.path().join("prestate.bin.gz");
    let out = run(koa()
        .args(["vm", "load-elf", "--path"])
        .arg(&elf)
        .arg("--out")
        .arg(&state));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let pre = json_line(&out)["pre"].as_str().unwrap().to_owned();
    assert!(pre.starts_with("0x03"), "an unfinished state: {pre}");
    // Same ELF, same prestate hash.
    let again = run(koa()
        .args(["vm", "load-elf", "--path"])
        .arg(&elf)
        .arg("--out")
        .arg(dir.path().join("b.bin")));
    assert_eq!(json_line(&again)["pre"].as_str().unwrap(), pre);
    let witness = run(koa().args(["vm", "witness", "--input"]).arg(&state));
    assert_eq!(json_line(&witness)["post"].as_str().unwrap(), pre);

    let final_state = dir.path().join("final.bin");
    let proof_fmt = dir.path().join("proof-%d.json");
    let out = run(koa()
        .args(["vm", "run", "--input"])
        .arg(&state)
        .arg("--output")
        .arg(&final_state)
        .args(["--proof-at", "=1", "--proof-fmt"])
        .arg(&proof_fmt)
        .args(["--info-at", "never"]));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary = json_line(&out);
    assert_eq!(
        (
            summary["step"].as_u64(),
            summary["exited"].as_bool(),
            summary["exit"].as_u64()
        ),
        (Some(5), Some(true), Some(1))
    );
    assert!(
        summary["post"].as_str().unwrap().starts_with("0x01"),
        "exit 1: the invalid status"
    );
    let proof: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("proof-1.json")).unwrap()).unwrap();
    assert_eq!(proof["step"], 1);
    assert_eq!(proof["state-data"].as_str().unwrap().len(), 2 + 2 * 188);
    assert_eq!(
        proof["proof-data"].as_str().unwrap().len(),
        2 + 2 * (330 + 3 * 1920)
    );
    let final_witness = run(koa().args(["vm", "witness", "--input"]).arg(&final_state));
    assert_eq!(json_line(&final_witness)["post"], summary["post"]);

    // --stop-at stops before the step; --snapshot-at writes the state there.
    let snap = dir.path().join("snap-%d.bin");
    let out = run(koa()
        .args(["vm", "run", "--input"])
        .arg(&state)
        .args([
            "--output",
            "",
            "--stop-at",
            "=3",
            "--snapshot-at",
            "=2",
            "--snapshot-fmt",
        ])
        .arg(&snap));
    assert!(out.status.success());
    assert_eq!(json_line(&out)["step"].as_u64(), Some(3));
    let snapshot = run(koa()
        .args(["vm", "witness", "--input"])
        .arg(dir.path().join("snap-2.bin")));
    assert_eq!(json_line(&snapshot)["step"].as_u64(), Some(2));
}

#[test]
fn bad_input_is_a_clear_error() {
    let dir = tmp();
    let check = |out: Output, needle: &str| {
        assert_eq!(
            out.status.code(),
            Some(2),
            "stdout {} stderr {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(needle), "{needle:?} not in {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    };
    // An ELF for the wrong machine (RISC-V).
    let riscv = dir.path().join("riscv.elf");
    std::fs::write(&riscv, mips_elf(243, &exit_program())).unwrap();
    check(
        run(koa()
            .args(["vm", "load-elf", "--path"])
            .arg(&riscv)
            .arg("--out")
            .arg(dir.path().join("x.bin"))),
        "not MIPS",
    );
    // A corrupt state file.
    let elf = dir.path().join("prog.elf");
    std::fs::write(&elf, mips_elf(8, &exit_program())).unwrap();
    let state = dir.path().join("s.bin");
    assert!(
        run(koa()
            .args(["vm", "load-elf", "--path"])
            .arg(&elf)
            .arg("--out")
            .arg(&state))
        .status
        .success()
    );
    let mut bytes = std::fs::read(&state).unwrap();
    bytes.truncate(bytes.len() - 3);
    let corrupt = dir.path().join("corrupt.bin");
    std::fs::write(&corrupt, &bytes).unwrap();
    check(
        run(koa().args(["vm", "run", "--input"]).arg(&corrupt)),
        "truncated state file",
    );
    let gz = dir.path().join("garbage.bin.gz");
    std::fs::write(
        &gz,
        [
            0x1F, 0x8B, 8, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
        ],
    )
    .unwrap();
    check(run(koa().args(["vm", "run", "--input"]).arg(&gz)), "gzip");
    // A bad step matcher.
    check(
        run(koa()
            .args(["vm", "run", "--proof-at", "sometimes", "--input"])
            .arg(&state)),
        "--proof-at",
    );
    // A host that dies before answering: the preimage read fails with a typed error.
    let elf = dir.path().join("pre.elf");
    std::fs::write(&elf, mips_elf(8, &preimage_program())).unwrap();
    let state = dir.path().join("pre.bin");
    assert!(
        run(koa()
            .args(["vm", "load-elf", "--path"])
            .arg(&elf)
            .arg("--out")
            .arg(&state))
        .status
        .success()
    );
    check(
        run(koa()
            .args(["vm", "run", "--output", "", "--input"])
            .arg(&state)
            .args(["--", "sh", "-c", "exit 0"])),
        "the host failed to answer",
    );
    // No host at all: the key is not found.
    check(
        run(koa()
            .args(["vm", "run", "--output", "", "--input"])
            .arg(&state)),
        "no preimage for key",
    );
}

fn devnet_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/devnet")
}

fn elf_dir() -> PathBuf {
    std::env::var_os("KOA_FPVM_ELF_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/fpvm"))
}

/// Proves one devnet claim per expected verdict with koa's client on one of koa's VMs (`vm`,
/// with the client built for `arch`). `KOA_VM_CLAIMS=all` runs every claim.
fn devnet_claims_on(vm: &str, arch: &str) {
    let elf = elf_dir().join(arch).join("koa-client");
    assert!(
        elf.exists(),
        "{} missing: run scripts/build-client.sh {arch}",
        elf.display()
    );
    let claims: Value =
        serde_json::from_slice(&std::fs::read(devnet_dir().join("claims.json")).unwrap()).unwrap();
    let all = std::env::var("KOA_VM_CLAIMS").is_ok_and(|v| v == "all");
    let default = ["from-genesis", "trace-extension-wrong"];
    for claim in claims["claims"].as_array().unwrap() {
        let name = claim["name"].as_str().unwrap();
        if !all && !default.contains(&name) {
            continue;
        }
        let valid = claim["expected_valid"].as_bool().unwrap();
        let out = run(koa()
            .args(["host", "--devnet"])
            .arg(devnet_dir())
            .args(["--claim", name, "--vm", vm, "--elf"])
            .arg(&elf)
            .arg("--json"));
        let summary = json_line(&out);
        println!("{vm} {name}: {summary}");
        assert_eq!(
            summary["verdict"],
            if valid { "valid" } else { "invalid" },
            "{vm} {name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(out.status.code(), Some(if valid { 0 } else { 1 }));
        let steps = summary["steps"].as_u64().unwrap();
        assert!(steps > 100_000, "{vm} {name}: steps counted");
        // What the client computed, read back from its report line on the VM's stdout.
        assert_eq!(summary["computed_by"], "client_report", "{vm} {name}");
        assert_eq!(
            summary["computed_output_root"] == claim["claimed_l2_output_root"],
            valid,
            "{vm} {name}: the reported root is the claimed one exactly when the claim is valid"
        );
        assert!(summary["l2_block_reached"].is_u64(), "{vm} {name}");
        let derived = claim["claimed_l2_block_number"].as_u64().unwrap()
            - claim["agreed_l2_block_number"].as_u64().unwrap();
        assert_eq!(
            summary["derivation_l1_block"].is_u64(),
            derived > 0,
            "{vm} {name}: derivation ran exactly when the claim is past the agreed block"
        );
        if valid && derived > 0 {
            assert_eq!(summary["l2_blocks"], derived, "{vm} {name}");
            assert_eq!(
                summary["steps_per_l2_block"],
                steps / derived,
                "{vm} {name}"
            );
        }
    }
}

#[test]
#[ignore = "needs the mips64 client ELF (scripts/build-client.sh mips64); run by scripts/ci-fpvm.sh"]
fn devnet_claims_on_the_cannon_vm() {
    devnet_claims_on("cannon", "mips64");
}

#[test]
#[ignore = "needs the riscv64 client ELF (scripts/build-client.sh riscv64); run by scripts/ci-fpvm.sh"]
fn devnet_claims_on_the_asterisc_vm() {
    devnet_claims_on("asterisc", "riscv64");
}
