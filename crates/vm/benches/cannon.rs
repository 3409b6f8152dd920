//! Steps per second of koa's Cannon machine on two loops: ALU and branches only, and loads and
//! stores across pages. Cannon's own estimate of its speed is 10 M steps/s (the `HZ` of its
//! deterministic clock); `cargo bench -p koa-vm` prints koa's figure beside it.

use std::time::Instant;

use alloy_primitives::B256;
use koa_vm::{
    OracleError, PreimageOracle,
    cannon::{Cannon, CannonState, StateVersion},
};

struct NoOracle;

impl PreimageOracle for NoOracle {
    fn hint(&mut self, _hint: &[u8]) -> Result<(), OracleError> {
        Ok(())
    }
    fn get_preimage(&mut self, key: B256) -> Result<Vec<u8>, OracleError> {
        Err(OracleError::NotFound(key))
    }
}

fn i(op: u32, rs: u32, rt: u32, imm: u16) -> u32 {
    (op << 26) | (rs << 21) | (rt << 16) | imm as u32
}
fn r(rs: u32, rt: u32, rd: u32, fun: u32) -> u32 {
    (rs << 21) | (rt << 16) | (rd << 11) | fun
}

fn machine(program: &[u32], regs: &[(usize, u64)]) -> Cannon {
    let base = 0x10_0000;
    let mut state = CannonState::new(base);
    for (n, w) in program.iter().enumerate() {
        state.memory.write(base + 4 * n as u64, &w.to_be_bytes());
    }
    for &(reg, v) in regs {
        state.left_thread_stack[0].registers[reg] = v;
    }
    Cannon::new(state, StateVersion::DEFAULT)
}

fn measure(name: &str, mut m: Cannon, steps: u64) {
    let start = Instant::now();
    let done = m.run(&mut NoOracle, steps).expect("the loop runs");
    let secs = start.elapsed().as_secs_f64();
    println!(
        "cannon/{name}: {done} steps in {secs:.3} s = {:.1} M steps/s (Cannon's estimate: 10 M steps/s)",
        done as f64 / secs / 1e6
    );
}

fn main() {
    let steps = 200_000_000;
    // loop: addu t2, t2, t0; daddiu t0, t0, -1; bne t0, zero, loop; xor t3, t2, t0 (delay slot)
    let alu = [
        r(10, 8, 10, 0x21),
        i(0x19, 8, 8, 0xFFFF),
        i(5, 8, 0, 0xFFFD),
        r(10, 8, 11, 0x26),
    ];
    measure("alu-loop", machine(&alu, &[(8, u64::MAX >> 1)]), steps);
    // loop: ld t1, 0(t0); daddiu t1, t1, 1; sd t1, 0(t0); daddiu t0, t0, 8;
    //       and t0, t0, t2; or t0, t0, t3 (a 1 MiB window: 256 pages); beq zero, zero, loop; nop
    let mem = [
        i(0x37, 8, 9, 0),
        i(0x19, 9, 9, 1),
        i(0x3F, 8, 9, 0),
        i(0x19, 8, 8, 8),
        r(8, 10, 8, 0x24),
        r(8, 11, 8, 0x25),
        i(4, 0, 0, 0xFFF9),
        0,
    ];
    measure(
        "load-store-loop",
        machine(&mem, &[(8, 0x4000_0000), (10, 0xF_FFF8), (11, 0x4000_0000)]),
        steps,
    );
}
