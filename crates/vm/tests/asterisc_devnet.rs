//! koa's riscv64 client proving `testdata/devnet` claims under koa's Asterisc machine, served
//! in-process by koa's host backend (the devnet's preimage archive, offline).
//!
//! Needs the client ELF (`scripts/build-client.sh riscv64`, at `target/fpvm/riscv64/koa-client`
//! or `$KOA_ASTERISC_CLIENT`), so the tests are ignored:
//!
//! ```sh
//! scripts/build-client.sh riscv64
//! cargo test --release -p koa-vm --test asterisc_devnet -- --ignored --nocapture
//! KOA_ASTERISC_CLAIMS=all cargo test --release -p koa-vm --test asterisc_devnet -- --ignored --nocapture
//! ```

#[path = "asterisc/verifier.rs"]
mod verifier;

use alloy_primitives::B256;
use koa_host::{BootInputs, HostBackend, store::MemoryStore};
use koa_preimage::{HintRouter, PreimageFetcher, PreimageKey};
use koa_vm::{
    OracleError, PreimageOracle, VmStatus,
    asterisc::{Machine, StepError},
};
use std::{
    path::PathBuf,
    time::{Duration, Instant},
};

/// The host backend as the machine's oracle.
struct Backend<'a>(&'a HostBackend<MemoryStore>);

impl PreimageOracle for Backend<'_> {
    fn hint(&mut self, hint: &[u8]) -> Result<(), OracleError> {
        let hint =
            std::str::from_utf8(hint).map_err(|_| OracleError::Host("hint is not UTF-8".into()))?;
        self.0
            .route_hint(hint)
            .map_err(|err| OracleError::Host(err.to_string()))
    }

    fn get_preimage(&mut self, key: B256) -> Result<Vec<u8>, OracleError> {
        let key = PreimageKey::try_from(key.0).map_err(|err| OracleError::Host(err.to_string()))?;
        self.0.get_preimage(key).map_err(|err| match err {
            koa_preimage::FetchError::NotFound(_) => OracleError::NotFound(key.into()),
            other => OracleError::Host(other.to_string()),
        })
    }
}

fn client_elf() -> Vec<u8> {
    let path = std::env::var_os("KOA_ASTERISC_CLIENT")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/fpvm/riscv64/koa-client")
        });
    std::fs::read(&path).unwrap_or_else(|err| {
        panic!(
            "{}: {err} (build it with scripts/build-client.sh riscv64)",
            path.display()
        )
    })
}

/// What one claim's run gave.
struct Proven {
    status: VmStatus,
    steps: u64,
    elapsed: Duration,
    l2_blocks: u64,
}

fn prove(devnet: &koa_devnet::Devnet, name: &str, elf: &[u8]) -> Result<Proven, StepError> {
    let claim = devnet.claim(name).expect("claim");
    let inputs = BootInputs {
        l1_head: claim.l1_head,
        agreed_l2_head_hash: claim.agreed_l2_head_hash,
        agreed_l2_output_root: claim.agreed_l2_output_root,
        claimed_l2_output_root: claim.claimed_l2_output_root,
        claimed_l2_block_number: claim.claimed_l2_block_number,
        l2_chain_id: claim.l2_chain_id,
        rollup_config: Some(devnet.rollup_config_json.clone().into_bytes()),
        l1_config: Some(devnet.l1_chain_config_json.clone().into_bytes()),
    };
    let store = MemoryStore::from_entries(devnet.preimages.iter().map(|(k, v)| (*k, v.to_vec())));
    let backend = HostBackend::offline(inputs, store);
    let mut machine = Machine::from_elf(elf).expect("client ELF loads");
    let start = Instant::now();
    let result = machine.run(&mut Backend(&backend), u64::MAX);
    let (_, stderr) = machine.output.take();
    if let Err(err) = result {
        eprintln!("{}", String::from_utf8_lossy(&stderr));
        return Err(err);
    }
    Ok(Proven {
        status: VmStatus::new(machine.state.exited, machine.state.exit_code),
        steps: machine.state.step,
        elapsed: start.elapsed(),
        l2_blocks: claim.claimed_l2_block_number - claim.agreed_l2_block_number,
    })
}

fn check_claims(names: &[String]) {
    let devnet = koa_devnet::Devnet::load(koa_devnet::bundled_devnet_dir()).expect("devnet");
    let elf = client_elf();
    let mut prestate = koa_vm::asterisc::load_elf(&elf).unwrap();
    println!("client prestate hash: {}", prestate.state_hash());
    for name in names {
        let claim = devnet.claim(name).expect("claim");
        let proven = prove(&devnet, name, &elf).unwrap_or_else(|err| panic!("{name}: {err}"));
        let expected = if claim.expected_valid {
            VmStatus::Valid
        } else {
            VmStatus::Invalid
        };
        println!(
            "{name}: {:?}, {} steps, {} L2 blocks, {:.1} s, {:.1} M steps/s",
            proven.status,
            proven.steps,
            proven.l2_blocks,
            proven.elapsed.as_secs_f64(),
            proven.steps as f64 / proven.elapsed.as_secs_f64() / 1e6
        );
        assert_eq!(proven.status, expected, "{name}");
    }
}

/// One claim (`$KOA_ASTERISC_CLAIMS`, default `from-genesis`), for CI.
#[test]
#[ignore = "needs the riscv64 client ELF (scripts/build-client.sh riscv64)"]
fn devnet_claim_under_asterisc() {
    let names: Vec<String> = match std::env::var("KOA_ASTERISC_CLAIMS") {
        Ok(all) if all == "all" => {
            let devnet = koa_devnet::Devnet::load(koa_devnet::bundled_devnet_dir()).unwrap();
            devnet.claims.iter().map(|c| c.name.clone()).collect()
        }
        Ok(list) => list.split(',').map(str::to_owned).collect(),
        Err(_) => vec!["from-genesis".to_owned()],
    };
    check_claims(&names);
}

/// Step proofs inside a real run: from step 5,000,000 of `from-genesis`, the machine runs on
/// to the next preimage read (`ecall` with `a7 = 63`, `a0 = 5`); that step and the 2,000 after
/// it are proven and replayed by the independent verifier.
#[test]
#[ignore = "needs the riscv64 client ELF (scripts/build-client.sh riscv64)"]
fn devnet_step_proofs_under_asterisc() {
    let devnet = koa_devnet::Devnet::load(koa_devnet::bundled_devnet_dir()).expect("devnet");
    let claim = devnet.claim("from-genesis").expect("claim");
    let inputs = BootInputs {
        l1_head: claim.l1_head,
        agreed_l2_head_hash: claim.agreed_l2_head_hash,
        agreed_l2_output_root: claim.agreed_l2_output_root,
        claimed_l2_output_root: claim.claimed_l2_output_root,
        claimed_l2_block_number: claim.claimed_l2_block_number,
        l2_chain_id: claim.l2_chain_id,
        rollup_config: Some(devnet.rollup_config_json.clone().into_bytes()),
        l1_config: Some(devnet.l1_chain_config_json.clone().into_bytes()),
    };
    let store = MemoryStore::from_entries(devnet.preimages.iter().map(|(k, v)| (*k, v.to_vec())));
    let backend = HostBackend::offline(inputs, store);
    let mut oracle = Backend(&backend);
    let mut machine = Machine::from_elf(&client_elf()).expect("client ELF loads");
    machine.run(&mut oracle, 5_000_000).expect("runs");
    loop {
        let mut instr = [0u8; 4];
        machine.state.memory.read(machine.state.pc, &mut instr);
        let regs = &machine.state.registers;
        if u32::from_le_bytes(instr) == 0x73 && regs[17] == 63 && regs[10] == 5 {
            break;
        }
        machine.step_fast(&mut oracle).expect("runs");
        assert!(
            !machine.state.exited,
            "no preimage read after step 5,000,000"
        );
    }
    let mut proven = 0;
    let mut preimage_reads = 0;
    while proven < 2_001 {
        let witness = machine.step_proof(&mut oracle).expect("step with proof");
        let mut preimages = verifier::Preimages::new();
        if let Some(p) = &witness.preimage {
            preimages.insert(p.key, p.value[8..].to_vec());
        }
        let post = verifier::step(&witness.state, &witness.proof, &preimages).unwrap_or_else(|r| {
            panic!(
                "verifier reverted {:#x} at step {}",
                r.0, machine.state.step
            )
        });
        assert_eq!(
            post,
            machine.state.encode_witness().to_vec(),
            "step {}",
            machine.state.step
        );
        if proven == 0 {
            assert!(
                witness.preimage.is_some(),
                "the first proven step reads a preimage"
            );
        }
        preimage_reads += usize::from(witness.preimage.is_some());
        proven += 1;
    }
    println!("{proven} consecutive step proofs verified ({preimage_reads} preimage reads)");
}
