//! Steps per second of koa's Asterisc machine on its fast path (no proofs), on a synthetic
//! loop of loads, stores, arithmetic and branches over 64 KiB of memory.
//!
//! `cargo bench -p koa-vm --bench asterisc_steps` prints the figure. Cannon's own estimate for
//! its Go VM is 10 M steps/s; the devnet claims' figures under koa's client are printed by
//! `tests/asterisc_devnet.rs`.

use alloy_primitives::B256;
use koa_vm::{
    OracleError, PreimageOracle,
    asterisc::{Machine, State},
};
use std::time::Instant;

struct NoOracle;

impl PreimageOracle for NoOracle {
    fn hint(&mut self, _hint: &[u8]) -> Result<(), OracleError> {
        Ok(())
    }

    fn get_preimage(&mut self, key: B256) -> Result<Vec<u8>, OracleError> {
        Err(OracleError::NotFound(key))
    }
}

/// The loop, at 0x10000 (a0 = buffer, a1 = end, a2 = checksum):
///
/// ```text
/// outer: addi t0, a0, 0
/// inner: ld   t1, 0(t0)
///        add  a2, a2, t1
///        xori t1, t1, 0x55
///        sd   t1, 0(t0)
///        addi t0, t0, 8
///        bltu t0, a1, inner
///        mul  a3, a2, a2
///        jal  x0, outer
/// ```
const PROGRAM: [u32; 8] = [
    0x0005_0293, // addi t0, a0, 0
    0x0002_b303, // ld t1, 0(t0)
    0x0066_0633, // add a2, a2, t1
    0x0553_4313, // xori t1, t1, 0x55
    0x0062_b023, // sd t1, 0(t0)
    0x0082_8293, // addi t0, t0, 8
    0xfeb2_e6e3, // bltu t0, a1, inner (-20)
    0x02c6_06b3, // mul a3, a2, a2
];
/// `jal x0, outer` (-32).
const JUMP_BACK: u32 = 0xfe1f_f06f;

/// This process's user CPU time (Linux `/proc/self/stat`, field 14, at 100 ticks a second).
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let after_name = &stat[stat.rfind(')')? + 2..];
    let utime: f64 = after_name.split(' ').nth(11)?.parse().ok()?;
    Some(utime / 100.0)
}

fn main() {
    let mut state = State::new();
    let mut code: Vec<u8> = PROGRAM.iter().flat_map(|w| w.to_le_bytes()).collect();
    code.extend_from_slice(&JUMP_BACK.to_le_bytes());
    state.memory.write(0x1_0000, &code);
    state.pc = 0x1_0000;
    state.registers[10] = 0x10_0000;
    state.registers[11] = 0x10_0000 + (64 << 10);
    let mut machine = Machine::new(state);
    let steps: u64 = std::env::var("KOA_BENCH_STEPS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(200_000_000);
    // Warm up (allocates the buffer's pages).
    machine.run(&mut NoOracle, 1_000_000).expect("runs");
    let start = Instant::now();
    let cpu_start = cpu_seconds();
    machine.run(&mut NoOracle, steps).expect("runs");
    let elapsed = start.elapsed().as_secs_f64();
    let cpu = cpu_seconds().zip(cpu_start).map(|(end, start)| end - start);
    println!(
        "asterisc fast path: {steps} steps in {elapsed:.2} s = {:.1} M steps/s wall (Cannon's own estimate: 10 M steps/s)",
        steps as f64 / elapsed / 1e6
    );
    if let Some(cpu) = cpu {
        // On a shared machine the wall figure depends on the load; this one does not.
        println!(
            "  {cpu:.2} s of user CPU = {:.1} M steps per CPU second",
            steps as f64 / cpu / 1e6
        );
    }
    let start = Instant::now();
    let mut root = machine.state.memory.merkle_root();
    println!(
        "merkle root after the run ({root}) in {:.3} s",
        start.elapsed().as_secs_f64()
    );
    root = machine.state.state_hash();
    println!("state hash {root}");
}
