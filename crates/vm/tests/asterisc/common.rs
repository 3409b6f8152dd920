//! Shared helpers of the Asterisc tests: an instruction encoder (RISC-V unprivileged spec,
//! §2.2–2.3 base formats), a test oracle and a machine with code placed at [`BASE`].

#![allow(dead_code, unreachable_pub)]

use alloy_primitives::{B256, keccak256};
use koa_vm::{
    OracleError, PreimageOracle,
    asterisc::{Machine, State},
};
use std::collections::HashMap;

/// Where test programs are placed.
pub const BASE: u64 = 0x1_0000;

// Register numbers (ABI names).
pub const ZERO: u32 = 0;
pub const RA: u32 = 1;
pub const SP: u32 = 2;
pub const T0: u32 = 5;
pub const T1: u32 = 6;
pub const T2: u32 = 7;
pub const A0: u32 = 10;
pub const A1: u32 = 11;
pub const A2: u32 = 12;
pub const A3: u32 = 13;
pub const A4: u32 = 14;
pub const A5: u32 = 15;
pub const A7: u32 = 17;

/// R-type.
pub const fn r(opcode: u32, rd: u32, funct3: u32, rs1: u32, rs2: u32, funct7: u32) -> u32 {
    (funct7 << 25) | (rs2 << 20) | (rs1 << 15) | (funct3 << 12) | (rd << 7) | opcode
}

/// I-type (`imm` is the 12-bit immediate, sign bit at 11).
pub const fn i(opcode: u32, rd: u32, funct3: u32, rs1: u32, imm: i32) -> u32 {
    (((imm as u32) & 0xfff) << 20) | (rs1 << 15) | (funct3 << 12) | (rd << 7) | opcode
}

/// S-type.
pub const fn s(funct3: u32, rs1: u32, rs2: u32, imm: i32) -> u32 {
    let imm = imm as u32;
    (((imm >> 5) & 0x7f) << 25)
        | (rs2 << 20)
        | (rs1 << 15)
        | (funct3 << 12)
        | ((imm & 0x1f) << 7)
        | 0x23
}

/// B-type (`imm` a byte offset, even).
pub const fn b(funct3: u32, rs1: u32, rs2: u32, imm: i32) -> u32 {
    let imm = imm as u32;
    (((imm >> 12) & 1) << 31)
        | (((imm >> 5) & 0x3f) << 25)
        | (rs2 << 20)
        | (rs1 << 15)
        | (funct3 << 12)
        | (((imm >> 1) & 0xf) << 8)
        | (((imm >> 11) & 1) << 7)
        | 0x63
}

/// U-type (`imm20` the upper 20 bits).
pub const fn u(opcode: u32, rd: u32, imm20: u32) -> u32 {
    ((imm20 & 0xf_ffff) << 12) | (rd << 7) | opcode
}

/// J-type `jal` (`imm` a byte offset, even).
pub const fn jal(rd: u32, imm: i32) -> u32 {
    let imm = imm as u32;
    (((imm >> 20) & 1) << 31)
        | (((imm >> 1) & 0x3ff) << 21)
        | (((imm >> 11) & 1) << 20)
        | (((imm >> 12) & 0xff) << 12)
        | (rd << 7)
        | 0x6f
}

/// An AMO (`funct5`, `.w` when `word`).
pub const fn amo(funct5: u32, word: bool, rd: u32, rs1: u32, rs2: u32) -> u32 {
    r(0x2f, rd, if word { 2 } else { 3 }, rs1, rs2, funct5 << 2)
}

pub const ECALL: u32 = 0x0000_0073;

/// A preimage oracle over a map, recording the hints it receives.
#[derive(Default)]
pub struct TestOracle {
    pub preimages: HashMap<B256, Vec<u8>>,
    pub hints: Vec<Vec<u8>>,
    pub requests: Vec<B256>,
}

impl TestOracle {
    /// An oracle holding `data` under its keccak256 key (type 2).
    pub fn with_keccak(data: &[u8]) -> (Self, B256) {
        let mut key = keccak256(data);
        key.0[0] = 2;
        let mut oracle = Self::default();
        oracle.preimages.insert(key, data.to_vec());
        (oracle, key)
    }
}

impl PreimageOracle for TestOracle {
    fn hint(&mut self, hint: &[u8]) -> Result<(), OracleError> {
        self.hints.push(hint.to_vec());
        Ok(())
    }

    fn get_preimage(&mut self, key: B256) -> Result<Vec<u8>, OracleError> {
        self.requests.push(key);
        self.preimages
            .get(&key)
            .cloned()
            .ok_or(OracleError::NotFound(key))
    }
}

/// A machine with `code` at [`BASE`], the PC there, and `regs` set.
pub fn machine(code: &[u32], regs: &[(u32, u64)]) -> Machine {
    let mut state = State::new();
    let bytes: Vec<u8> = code.iter().flat_map(|w| w.to_le_bytes()).collect();
    state.memory.write(BASE, &bytes);
    state.pc = BASE;
    for &(reg, value) in regs {
        state.registers[reg as usize] = value;
    }
    Machine::new(state)
}

/// Runs `steps` steps; panics on a step error.
pub fn run(machine: &mut Machine, oracle: &mut TestOracle, steps: u64) {
    for _ in 0..steps {
        machine.step_fast(oracle).expect("step");
    }
}

/// Asserts that `actual` equals `expected` field by field, then in its witness (which covers
/// the memory root) and hint buffer.
pub fn assert_state(actual: &mut State, expected: &mut State) {
    assert_eq!(actual.registers, expected.registers, "registers");
    assert_eq!(actual.pc, expected.pc, "pc");
    assert_eq!(actual.step, expected.step, "step");
    assert_eq!(actual.exited, expected.exited, "exited");
    assert_eq!(actual.exit_code, expected.exit_code, "exit code");
    assert_eq!(actual.heap, expected.heap, "heap");
    assert_eq!(
        actual.load_reservation, expected.load_reservation,
        "load reservation"
    );
    assert_eq!(actual.preimage_key, expected.preimage_key, "preimage key");
    assert_eq!(
        actual.preimage_offset, expected.preimage_offset,
        "preimage offset"
    );
    assert_eq!(actual.last_hint, expected.last_hint, "last hint");
    assert_eq!(
        actual.encode_witness(),
        expected.encode_witness(),
        "witness (memory root)"
    );
}

/// Executes the single instruction `instr` with `regs` set, and asserts the post-state is the
/// pre-state with the PC advanced by 4, one more step and exactly `changes` in the registers.
pub fn check(instr: u32, regs: &[(u32, u64)], changes: &[(u32, u64)]) {
    let mut m = machine(&[instr], regs);
    let mut expected = m.state.clone();
    m.step_fast(&mut TestOracle::default())
        .unwrap_or_else(|err| {
            panic!("instruction {instr:#010x}: {err}");
        });
    expected.pc += 4;
    expected.step += 1;
    for &(reg, value) in changes {
        expected.registers[reg as usize] = value;
    }
    assert_state(&mut m.state, &mut expected);
}
