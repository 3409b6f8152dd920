//! Instruction-level tests of koa's Asterisc machine: every instruction group and system call,
//! each asserting the exact post-state. Programs are encoded here (RISC-V unprivileged spec
//! formats); expected values follow the RISC-V spec and, where it differs, Asterisc
//! (`rvgo/fast/vm.go`), as the machine's module docs list.

#[path = "asterisc/common.rs"]
mod common;

use common::*;
use koa_vm::{
    FaultProofVm, VmStatus,
    asterisc::{Machine, STATE_WITNESS_SIZE, State, StepError, state_hash},
};

const NEG1: u64 = u64::MAX;

// ---------------------------------------------------------------------------------------------
// RV64I: register-immediate and register-register arithmetic

#[test]
fn op_imm() {
    let x = 0x8000_0000_0000_0f0f_u64;
    check(i(0x13, A0, 0, A1, -1), &[(A1, 5)], &[(A0, 4)]); // addi
    check(i(0x13, A0, 0, A1, 0x7ff), &[(A1, NEG1)], &[(A0, 0x7fe)]);
    check(i(0x13, A0, 1, A1, 63), &[(A1, 1)], &[(A0, 1 << 63)]); // slli
    check(i(0x13, A0, 2, A1, -1), &[(A1, (-2i64) as u64)], &[(A0, 1)]); // slti
    check(i(0x13, A0, 2, A1, -1), &[(A1, 0)], &[(A0, 0)]);
    check(i(0x13, A0, 3, A1, -1), &[(A1, 5)], &[(A0, 1)]); // sltiu: imm is 2^64-1
    check(i(0x13, A0, 3, A1, 1), &[(A1, 5)], &[(A0, 0)]);
    check(i(0x13, A0, 4, A1, -1), &[(A1, x)], &[(A0, !x)]); // xori
    check(
        i(0x13, A0, 5, A1, 4),
        &[(A1, x)],
        &[(A0, 0x0800_0000_0000_00f0)],
    ); // srli
    check(
        i(0x13, A0, 5, A1, 0x400 | 4),
        &[(A1, x)],
        &[(A0, 0xf800_0000_0000_00f0)],
    ); // srai
    check(i(0x13, A0, 6, A1, 0x0f0), &[(A1, x)], &[(A0, x | 0xf0)]); // ori
    check(i(0x13, A0, 7, A1, 0x0ff), &[(A1, x)], &[(A0, 0x0f)]); // andi
    // x0 stays zero.
    check(i(0x13, ZERO, 0, A1, 1), &[(A1, 5)], &[]);
    // Asterisc: slli ignores imm[11:6] (the spec reserves them).
    check(i(0x13, A0, 1, A1, 0x7c1), &[(A1, 1)], &[(A0, 2)]);
}

#[test]
fn op_imm_illegal_shifts() {
    // srli/srai with imm[11:6] other than 0 / 0x10 are illegal.
    for instr in [i(0x13, A0, 5, A1, 0x200 | 1), i(0x13, A0, 5, A1, -1)] {
        let mut m = machine(&[instr], &[]);
        let err = m.step_fast(&mut TestOracle::default()).unwrap_err();
        assert!(matches!(err, StepError::IllegalInstruction { .. }), "{err}");
        assert_eq!(err.revert_code(), Some(0xbadc0de));
        assert_eq!(m.state.step, 0);
        assert_eq!(m.state.pc, BASE);
    }
}

#[test]
fn op_imm_32() {
    check(
        i(0x1b, A0, 0, A1, 1),
        &[(A1, 0x7fff_ffff)],
        &[(A0, 0xffff_ffff_8000_0000)],
    ); // addiw
    check(
        i(0x1b, A0, 0, A1, 0),
        &[(A1, 0x1_2345_6789)],
        &[(A0, 0x2345_6789)],
    ); // sext.w
    check(
        i(0x1b, A0, 1, A1, 31),
        &[(A1, 3)],
        &[(A0, 0xffff_ffff_8000_0000)],
    ); // slliw
    check(
        i(0x1b, A0, 5, A1, 4),
        &[(A1, 0xffff_ffff_8000_0000)],
        &[(A0, 0x0800_0000)],
    ); // srliw
    check(
        i(0x1b, A0, 5, A1, 0),
        &[(A1, 0x8000_0000)],
        &[(A0, 0xffff_ffff_8000_0000)],
    ); // srliw 0
    check(
        i(0x1b, A0, 5, A1, 0x400 | 4),
        &[(A1, 0x8000_0000)],
        &[(A0, 0xffff_ffff_f800_0000)],
    ); // sraiw
    for instr in [
        i(0x1b, A0, 1, A1, 32),         // slliw shamt[5]
        i(0x1b, A0, 5, A1, 0x400 | 33), // sraiw shamt[5]
        i(0x1b, A0, 5, A1, 0x200 | 1),  // bad funct7
        i(0x1b, A0, 2, A1, 0),          // no such funct3
    ] {
        let mut m = machine(&[instr], &[]);
        let err = m.step_fast(&mut TestOracle::default()).unwrap_err();
        assert!(
            matches!(err, StepError::IllegalInstruction { .. }),
            "{instr:#x}: {err}"
        );
    }
}

#[test]
fn op_reg() {
    let (a, bb) = (0x8000_0000_0000_0001_u64, 0x0000_0000_0000_0003_u64);
    let regs = [(A1, a), (A2, bb)];
    check(
        r(0x33, A0, 0, A1, A2, 0),
        &regs,
        &[(A0, 0x8000_0000_0000_0004)],
    ); // add
    check(
        r(0x33, A0, 0, A1, A2, 0x20),
        &regs,
        &[(A0, 0x7fff_ffff_ffff_fffe)],
    ); // sub
    check(r(0x33, A0, 1, A1, A2, 0), &regs, &[(A0, 8)]); // sll
    check(r(0x33, A0, 1, A2, A1, 0), &regs, &[(A0, 6)]); // sll: shamt = 65 & 63 = 1
    check(r(0x33, A0, 2, A1, A2, 0), &regs, &[(A0, 1)]); // slt
    check(r(0x33, A0, 3, A1, A2, 0), &regs, &[(A0, 0)]); // sltu
    check(
        r(0x33, A0, 4, A1, A2, 0),
        &regs,
        &[(A0, 0x8000_0000_0000_0002)],
    ); // xor
    check(
        r(0x33, A0, 5, A1, A2, 0),
        &regs,
        &[(A0, 0x1000_0000_0000_0000)],
    ); // srl
    check(
        r(0x33, A0, 5, A1, A2, 0x20),
        &regs,
        &[(A0, 0xf000_0000_0000_0000)],
    ); // sra
    check(
        r(0x33, A0, 6, A1, A2, 0),
        &regs,
        &[(A0, 0x8000_0000_0000_0003)],
    ); // or
    check(r(0x33, A0, 7, A1, A2, 0), &regs, &[(A0, 1)]); // and
    // Asterisc does not check funct7 of sll/slt/sltu/xor/or/and.
    check(r(0x33, A0, 7, A1, A2, 0x20), &regs, &[(A0, 1)]);
    for instr in [
        r(0x33, A0, 0, A1, A2, 0x10),
        r(0x33, A0, 5, A1, A2, 0x01 << 1),
    ] {
        let mut m = machine(&[instr], &regs);
        let err = m.step_fast(&mut TestOracle::default()).unwrap_err();
        assert!(matches!(err, StepError::IllegalInstruction { .. }), "{err}");
    }
}

#[test]
fn op_reg_32() {
    let regs = [(A1, 0xffff_ffff_7fff_ffff_u64), (A2, 0x1_0000_0001_u64)];
    check(
        r(0x3b, A0, 0, A1, A2, 0),
        &regs,
        &[(A0, 0xffff_ffff_8000_0000)],
    ); // addw
    check(r(0x3b, A0, 0, A1, A2, 0x20), &regs, &[(A0, 0x7fff_fffe)]); // subw
    check(
        r(0x3b, A0, 1, A1, A2, 0),
        &regs,
        &[(A0, 0xffff_ffff_ffff_fffe)],
    ); // sllw
    check(r(0x3b, A0, 5, A1, A2, 0), &regs, &[(A0, 0x3fff_ffff)]); // srlw
    check(
        r(0x3b, A0, 5, A1, A2, 0x20),
        &[(A1, 0x8000_0000), (A2, 31)],
        &[(A0, NEG1)],
    ); // sraw
    check(
        r(0x3b, A0, 5, A1, A2, 0),
        &[(A1, 0x8000_0000), (A2, 0)],
        &[(A0, 0xffff_ffff_8000_0000)],
    );
    for instr in [r(0x3b, A0, 2, A1, A2, 0), r(0x3b, A0, 0, A1, A2, 0x08)] {
        let mut m = machine(&[instr], &regs);
        assert!(matches!(
            m.step_fast(&mut TestOracle::default()),
            Err(StepError::IllegalInstruction { .. })
        ));
    }
}

#[test]
fn lui_auipc() {
    check(u(0x37, A0, 0x12345), &[], &[(A0, 0x1234_5000)]);
    check(u(0x37, A0, 0x80000), &[], &[(A0, 0xffff_ffff_8000_0000)]);
    check(u(0x17, A0, 0x1), &[], &[(A0, BASE + 0x1000)]);
    check(u(0x17, A0, 0xfffff), &[], &[(A0, BASE - 0x1000)]);
}

// ---------------------------------------------------------------------------------------------
// RV64M

#[test]
fn multiply() {
    let regs = [(A1, NEG1), (A2, 2)];
    check(r(0x33, A0, 0, A1, A2, 1), &regs, &[(A0, (-2i64) as u64)]); // mul
    check(r(0x33, A0, 1, A1, A2, 1), &regs, &[(A0, NEG1)]); // mulh: -1 * 2 = -2, high = -1
    check(r(0x33, A0, 2, A1, A2, 1), &regs, &[(A0, NEG1)]); // mulhsu: -1 * 2
    check(r(0x33, A0, 3, A1, A2, 1), &regs, &[(A0, 1)]); // mulhu: (2^64-1)*2 >> 64 = 1
    check(r(0x33, A0, 2, A2, A1, 1), &regs, &[(A0, 1)]); // mulhsu: 2 * (2^64-1) unsigned
    let big = [(A1, 0x8000_0000_0000_0000), (A2, 0x8000_0000_0000_0000)];
    check(
        r(0x33, A0, 1, A1, A2, 1),
        &big,
        &[(A0, 0x4000_0000_0000_0000)],
    ); // mulh min*min
    check(
        r(0x33, A0, 3, A1, A2, 1),
        &big,
        &[(A0, 0x4000_0000_0000_0000)],
    );
    check(
        r(0x33, A0, 2, A1, A2, 1),
        &big,
        &[(A0, 0xc000_0000_0000_0000)],
    ); // -2^63 * 2^63
    check(
        r(0x3b, A0, 0, A1, A2, 1),
        &[(A1, 0x1_0000_ffff), (A2, 0x1_0001_0000)],
        &[(A0, 0xffff_ffff_ffff_0000)],
    ); // mulw: 0xffff * 0x10000 = 0xffff0000 → sign-extended
}

#[test]
fn divide() {
    let min = 0x8000_0000_0000_0000_u64;
    let seven = [(A1, (-7i64) as u64), (A2, 2)];
    check(r(0x33, A0, 4, A1, A2, 1), &seven, &[(A0, (-3i64) as u64)]); // div truncates
    check(
        r(0x33, A0, 5, A1, A2, 1),
        &seven,
        &[(A0, ((-7i64) as u64) / 2)],
    ); // divu
    check(r(0x33, A0, 6, A1, A2, 1), &seven, &[(A0, NEG1)]); // rem: sign of dividend
    check(r(0x33, A0, 7, A1, A2, 1), &seven, &[(A0, 1)]); // remu
    let zero = [(A1, 42), (A2, 0)];
    check(r(0x33, A0, 4, A1, A2, 1), &zero, &[(A0, NEG1)]);
    check(r(0x33, A0, 5, A1, A2, 1), &zero, &[(A0, NEG1)]);
    check(r(0x33, A0, 6, A1, A2, 1), &zero, &[(A0, 42)]);
    check(r(0x33, A0, 7, A1, A2, 1), &zero, &[(A0, 42)]);
    let overflow = [(A1, min), (A2, NEG1)];
    check(r(0x33, A0, 4, A1, A2, 1), &overflow, &[(A0, min)]);
    check(r(0x33, A0, 6, A1, A2, 1), &overflow, &[(A0, 0)]);
    // Word forms: operands are the low 32 bits, results sign-extended.
    let w = [(A1, 0xdead_beef_ffff_fff9), (A2, 0xffff_ffff_0000_0002)];
    check(r(0x3b, A0, 4, A1, A2, 1), &w, &[(A0, (-3i64) as u64)]); // divw
    check(r(0x3b, A0, 5, A1, A2, 1), &w, &[(A0, 0x7fff_fffc)]); // divuw
    check(r(0x3b, A0, 6, A1, A2, 1), &w, &[(A0, NEG1)]); // remw
    check(r(0x3b, A0, 7, A1, A2, 1), &w, &[(A0, 1)]); // remuw
    let wzero = [(A1, 0x1_8000_0000), (A2, 0xffff_ffff_0000_0000)];
    check(r(0x3b, A0, 4, A1, A2, 1), &wzero, &[(A0, NEG1)]);
    check(r(0x3b, A0, 5, A1, A2, 1), &wzero, &[(A0, NEG1)]);
    check(
        r(0x3b, A0, 6, A1, A2, 1),
        &wzero,
        &[(A0, 0xffff_ffff_8000_0000)],
    );
    check(
        r(0x3b, A0, 7, A1, A2, 1),
        &wzero,
        &[(A0, 0xffff_ffff_8000_0000)],
    );
    let woverflow = [(A1, 0x8000_0000), (A2, 0xffff_ffff)];
    check(
        r(0x3b, A0, 4, A1, A2, 1),
        &woverflow,
        &[(A0, 0xffff_ffff_8000_0000)],
    );
    check(r(0x3b, A0, 6, A1, A2, 1), &woverflow, &[(A0, 0)]);
}

// ---------------------------------------------------------------------------------------------
// Loads and stores

const DATA: u64 = 0x2_0000;

fn with_data(instr: u32, regs: &[(u32, u64)], data: &[u8], at: u64) -> Machine {
    let mut m = machine(&[instr], regs);
    m.state.memory.write(at, data);
    m
}

#[test]
fn loads() {
    let bytes: Vec<u8> = (0x80u8..0xa0).collect(); // 32 bytes, all with the top bit set
    let cases: [(u32, u64, u64); 8] = [
        (0, 1, 0xffff_ffff_ffff_ff81), // lb
        (1, 2, 0xffff_ffff_ffff_8382), // lh (unaligned)
        (2, 4, 0xffff_ffff_8786_8584), // lw
        (3, 8, 0x8f8e_8d8c_8b8a_8988), // ld
        (4, 1, 0x81),                  // lbu
        (5, 2, 0x8382),                // lhu
        (6, 4, 0x8786_8584),           // lwu
        (3, 8, 0x0000_0000_0000_9f9e), // ld straddling into zero memory
    ];
    for (n, &(f3, _size, expected)) in cases.iter().enumerate() {
        let offset: i32 = match n {
            0 | 4 => 1,
            1 | 5 => 2,
            2 | 6 => 4,
            3 => 8,
            _ => 30,
        };
        let instr = i(0x03, A0, f3, A1, offset);
        let mut m = with_data(instr, &[(A1, DATA)], &bytes, DATA);
        let mut expected_state = m.state.clone();
        m.step_fast(&mut TestOracle::default()).unwrap();
        expected_state.pc += 4;
        expected_state.step += 1;
        expected_state.registers[A0 as usize] = expected;
        assert_state(&mut m.state, &mut expected_state);
    }
    // Negative offset.
    // lbu a0, -1(a1) with a1 = BASE + 1 loads the instruction's own low byte (opcode 0x03).
    check(i(0x03, A0, 4, A1, -1), &[(A1, BASE + 1)], &[(A0, 0x03)]);
    // funct3 7 is reserved.
    let mut m = machine(&[i(0x03, A0, 7, A1, 0)], &[(A1, DATA)]);
    assert!(matches!(
        m.step_fast(&mut TestOracle::default()),
        Err(StepError::IllegalInstruction { .. })
    ));
}

#[test]
fn stores() {
    let value = 0x1122_3344_5566_7788_u64;
    for (f3, size) in [(0u32, 1usize), (1, 2), (2, 4), (3, 8)] {
        // Aligned, and straddling two leaves (address 30 mod 32).
        for addr in [DATA + 8, DATA + 30] {
            let mut m = machine(&[s(f3, A1, A2, 0)], &[(A1, addr), (A2, value)]);
            m.state.memory.write(DATA, &[0xee; 64]);
            let mut expected = m.state.clone();
            m.step_fast(&mut TestOracle::default()).unwrap();
            expected.pc += 4;
            expected.step += 1;
            expected.memory.write(addr, &value.to_le_bytes()[..size]);
            assert_state(&mut m.state, &mut expected);
            let mut back = [0u8; 8];
            m.state.memory.read(addr, &mut back[..size]);
            assert_eq!(back[..size], value.to_le_bytes()[..size]);
        }
    }
    // Negative S-immediate.
    let mut m = machine(&[s(3, A1, A2, -8)], &[(A1, DATA + 8), (A2, value)]);
    m.step_fast(&mut TestOracle::default()).unwrap();
    let mut back = [0u8; 8];
    m.state.memory.read(DATA, &mut back);
    assert_eq!(u64::from_le_bytes(back), value);
    // funct3 4..7 would store 16+ bytes: Asterisc rejects them.
    let mut m = machine(&[s(4, A1, A2, 0)], &[(A1, DATA)]);
    let err = m.step_fast(&mut TestOracle::default()).unwrap_err();
    assert_eq!(err, StepError::StoreTooWide { pc: BASE, size: 16 });
    assert_eq!(err.revert_code(), Some(0xbad512e8));
}

// ---------------------------------------------------------------------------------------------
// Branches and jumps

#[test]
fn branches() {
    let lt = [(A1, NEG1), (A2, 1)]; // signed -1 < 1, unsigned max > 1
    let cases: [(u32, bool); 6] = [
        (0, false), // beq
        (1, true),  // bne
        (4, true),  // blt
        (5, false), // bge
        (6, false), // bltu
        (7, true),  // bgeu
    ];
    for (f3, taken) in cases {
        for offset in [16i32, -16] {
            let mut m = machine(&[b(f3, A1, A2, offset)], &lt);
            let mut expected = m.state.clone();
            m.step_fast(&mut TestOracle::default()).unwrap();
            expected.step += 1;
            expected.pc = if taken {
                BASE.wrapping_add(offset as i64 as u64)
            } else {
                BASE + 4
            };
            assert_state(&mut m.state, &mut expected);
        }
    }
    // Equal operands.
    let mut m = machine(&[b(0, A1, A2, 2048)], &[(A1, 7), (A2, 7)]);
    m.step_fast(&mut TestOracle::default()).unwrap();
    assert_eq!(m.state.pc, BASE + 2048);
    // Reserved funct3 2 and 3: never taken.
    for f3 in [2, 3] {
        let mut m = machine(&[b(f3, A1, A2, 16)], &[(A1, 7), (A2, 7)]);
        m.step_fast(&mut TestOracle::default()).unwrap();
        assert_eq!(m.state.pc, BASE + 4);
    }
    // A taken branch to a 2-byte-aligned target fails.
    let mut m = machine(&[b(0, A1, A2, 6)], &[]);
    assert_eq!(
        m.step_fast(&mut TestOracle::default()),
        Err(StepError::NotAligned {
            pc: BASE,
            addr: BASE + 6
        })
    );
}

#[test]
fn jumps() {
    let mut m = machine(&[jal(RA, -0x800)], &[]);
    let mut expected = m.state.clone();
    m.step_fast(&mut TestOracle::default()).unwrap();
    expected.step += 1;
    expected.pc = BASE - 0x800;
    expected.registers[RA as usize] = BASE + 4;
    assert_state(&mut m.state, &mut expected);

    let mut m = machine(&[jal(ZERO, 0xf_fffe & !3)], &[]);
    m.step_fast(&mut TestOracle::default()).unwrap();
    assert_eq!(m.state.pc, BASE + 0xf_fffc);
    assert_eq!(m.state.registers[0], 0);

    // jalr clears bit 0 of the target; rd = rs1 works (rs1 read first).
    let mut m = machine(&[i(0x67, A1, 0, A1, 5)], &[(A1, 0x3_0000)]);
    let mut expected = m.state.clone();
    m.step_fast(&mut TestOracle::default()).unwrap();
    expected.step += 1;
    expected.pc = 0x3_0004;
    expected.registers[A1 as usize] = BASE + 4;
    assert_state(&mut m.state, &mut expected);

    // Misaligned targets fail and leave the link register alone.
    let mut m = machine(&[i(0x67, RA, 0, A1, 2)], &[(A1, 0x3_0000)]);
    assert_eq!(
        m.step_fast(&mut TestOracle::default()),
        Err(StepError::NotAligned {
            pc: BASE,
            addr: 0x3_0002
        })
    );
    assert_eq!(m.state.registers[RA as usize], 0);
    let mut m = machine(&[jal(RA, 2)], &[]);
    assert!(matches!(
        m.step_fast(&mut TestOracle::default()),
        Err(StepError::NotAligned { .. })
    ));
}

// ---------------------------------------------------------------------------------------------
// RV64A

#[test]
fn lr_sc() {
    // lr.d a0, (a1); sc.d a3, a2, (a1); sc.d a4, a2, (a1)
    let code = [
        amo(0x02, false, A0, A1, 0),
        amo(0x03, false, A3, A1, A2),
        amo(0x03, false, A4, A1, A2),
    ];
    let mut m = machine(&code, &[(A1, DATA), (A2, 0x55), (A3, 9), (A4, 9)]);
    m.state
        .memory
        .write(DATA, &0x8000_0000_0000_0001_u64.to_le_bytes());
    let mut expected = m.state.clone();
    run(&mut m, &mut TestOracle::default(), 1);
    expected.pc += 4;
    expected.step += 1;
    expected.registers[A0 as usize] = 0x8000_0000_0000_0001;
    expected.load_reservation = DATA;
    assert_state(&mut m.state, &mut expected);
    run(&mut m, &mut TestOracle::default(), 1);
    expected.pc += 4;
    expected.step += 1;
    expected.registers[A3 as usize] = 0;
    expected.load_reservation = 0;
    expected.memory.write(DATA, &0x55u64.to_le_bytes());
    assert_state(&mut m.state, &mut expected);
    // The reservation is gone: the second sc fails and stores nothing.
    run(&mut m, &mut TestOracle::default(), 1);
    expected.pc += 4;
    expected.step += 1;
    expected.registers[A4 as usize] = 1;
    assert_state(&mut m.state, &mut expected);

    // lr.w sign-extends.
    let mut m = machine(&[amo(0x02, true, A0, A1, 0)], &[(A1, DATA)]);
    m.state.memory.write(DATA, &0x8000_0000_u32.to_le_bytes());
    run(&mut m, &mut TestOracle::default(), 1);
    assert_eq!(m.state.registers[A0 as usize], 0xffff_ffff_8000_0000);
}

#[test]
fn amo_ops() {
    let old_d = 0x8000_0000_0000_0005_u64;
    let operand = 3u64;
    // (funct5, new value in memory for .d with old_d and operand 3)
    let cases: [(u32, u64); 9] = [
        (0x00, old_d + 3), // amoadd
        (0x01, 3),         // amoswap
        (0x04, old_d ^ 3), // amoxor
        (0x08, old_d | 3), // amoor
        (0x0c, old_d & 3), // amoand
        (0x10, old_d),     // amomin: old is negative
        (0x14, 3),         // amomax
        (0x18, 3),         // amominu
        (0x1c, old_d),     // amomaxu
    ];
    for (funct5, new) in cases {
        let mut m = machine(
            &[amo(funct5, false, A0, A1, A2)],
            &[(A1, DATA), (A2, operand)],
        );
        m.state.memory.write(DATA, &old_d.to_le_bytes());
        let mut expected = m.state.clone();
        run(&mut m, &mut TestOracle::default(), 1);
        expected.pc += 4;
        expected.step += 1;
        expected.registers[A0 as usize] = old_d;
        expected.memory.write(DATA, &new.to_le_bytes());
        assert_state(&mut m.state, &mut expected);
    }
    // .w: 32-bit memory, old value sign-extended into rd, operand's low word.
    let old_w = 0xffff_fffe_u32; // -2
    let cases_w: [(u32, u32); 4] = [
        (0x00, 0x0000_0001), // -2 + 3
        (0x10, 0xffff_fffe), // min(-2, 3)
        (0x18, 0x0000_0003), // minu(0xfffffffe, 3)
        (0x1c, 0xffff_fffe), // maxu
    ];
    for (funct5, new) in cases_w {
        let mut m = machine(
            &[amo(funct5, true, A0, A1, A2)],
            &[(A1, DATA + 4), (A2, 0xabcd_0000_0000_0003)],
        );
        m.state.memory.write(DATA, &[0x77; 12]);
        m.state.memory.write(DATA + 4, &old_w.to_le_bytes());
        let mut expected = m.state.clone();
        run(&mut m, &mut TestOracle::default(), 1);
        expected.pc += 4;
        expected.step += 1;
        expected.registers[A0 as usize] = 0xffff_ffff_ffff_fffe;
        expected.memory.write(DATA + 4, &new.to_le_bytes());
        assert_state(&mut m.state, &mut expected);
    }
}

#[test]
fn amo_errors() {
    let cases = [
        (amo(0x00, false, A0, A1, A2), DATA + 4, 0xbad10ad0_u64), // misaligned .d
        (r(0x2f, A0, 1, A1, A2, 0), DATA, 0xbada70),              // 2-byte AMO
        (amo(0x05, false, A0, A1, A2), DATA, 0xf001a70),          // no such funct5
    ];
    for (instr, addr, code) in cases {
        let mut m = machine(&[instr], &[(A1, addr)]);
        let before = m.state.clone();
        let err = m.step_fast(&mut TestOracle::default()).unwrap_err();
        assert_eq!(err.revert_code(), Some(code), "{err}");
        assert_state(&mut m.state, &mut before.clone());
    }
}

// ---------------------------------------------------------------------------------------------
// SYSTEM, fences, floating point, unknown opcodes

#[test]
fn system_and_no_ops() {
    check(0x0010_0073, &[], &[]); // ebreak: no-op
    check(0x3020_0073, &[], &[]); // mret: no-op
    check(0x0ff0_000f, &[], &[]); // fence
    check(0x0000_100f, &[], &[]); // fence.i
    check(0x0005_3007, &[], &[]); // fld ft0, 0(a0): no-op
    check(0x0005_3027, &[], &[]); // fsd ft0, 0(a0): no-op
    check(0x0200_0053, &[], &[]); // fadd.d: no-op
    // csrrs a0, mhartid, x0 and csrrwi a0, 0x300, 5: rd = 0, no CSR state.
    check(0xf140_2573, &[(A0, 77)], &[(A0, 0)]);
    check(0x3002_d573, &[(A0, 77)], &[(A0, 0)]);
    // fmadd (0x43) is not an opcode Asterisc knows.
    let mut m = machine(&[0x0000_0043], &[]);
    let err = m.step_fast(&mut TestOracle::default()).unwrap_err();
    assert_eq!(
        err,
        StepError::UnknownOpcode {
            pc: BASE,
            instr: 0x43,
            opcode: 0x43
        }
    );
    assert_eq!(err.revert_code(), Some(0xf001c0de));
    // A compressed instruction (c.nop = 0x0001, opcode 0x01) is unknown too.
    let mut m = machine(&[0x0001_0001], &[]);
    assert!(matches!(
        m.step_fast(&mut TestOracle::default()),
        Err(StepError::UnknownOpcode { .. })
    ));
}

// ---------------------------------------------------------------------------------------------
// System calls

/// Runs one `ecall` with `regs`, returns the machine and the expected state advanced by one
/// step (the caller adds the call's effects).
fn ecall(regs: &[(u32, u64)], oracle: &mut TestOracle) -> (Machine, State) {
    let mut m = machine(&[ECALL], regs);
    let mut expected = m.state.clone();
    m.step_fast(oracle).expect("ecall");
    expected.pc += 4;
    expected.step += 1;
    (m, expected)
}

fn ret(expected: &mut State, a0: u64, a1: u64) {
    expected.registers[A0 as usize] = a0;
    expected.registers[A1 as usize] = a1;
}

#[test]
fn syscall_exit() {
    for (nr, code, status) in [
        (93u64, 0u64, VmStatus::Valid),
        (94, 1, VmStatus::Invalid),
        (94, 0x1_02, VmStatus::Panic),
    ] {
        let (mut m, mut expected) = ecall(&[(A7, nr), (A0, code)], &mut TestOracle::default());
        expected.exited = true;
        expected.exit_code = code as u8;
        assert_state(&mut m.state, &mut expected);
        assert_eq!(m.status(), status);
        assert_eq!(m.state_hash()[0], status as u8);
        // An exited machine does not step.
        let mut after = m.state.clone();
        m.step_fast(&mut TestOracle::default()).unwrap();
        assert_state(&mut m.state, &mut after);
    }
}

#[test]
fn syscall_brk_mmap() {
    let (mut m, mut expected) = ecall(&[(A7, 214), (A0, 0)], &mut TestOracle::default());
    ret(&mut expected, 1 << 30, 0);
    assert_state(&mut m.state, &mut expected);

    let heap = koa_vm::asterisc::INITIAL_HEAP;
    // mmap(NULL, 5000, RW, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0): rounded to 8192.
    let regs = [
        (A7, 222),
        (A0, 0),
        (A1, 5000),
        (A2, 3),
        (A3, 0x22),
        (A4, NEG1),
    ];
    let (mut m, mut expected) = ecall(&regs, &mut TestOracle::default());
    ret(&mut expected, heap, 0);
    expected.heap = heap + 8192;
    assert_state(&mut m.state, &mut expected);
    // A page-multiple length is not rounded.
    let regs = [(A7, 222), (A0, 0), (A1, 4096), (A3, 0x20), (A4, NEG1)];
    let (mut m, mut expected) = ecall(&regs, &mut TestOracle::default());
    ret(&mut expected, heap, 0);
    expected.heap = heap + 4096;
    assert_state(&mut m.state, &mut expected);
    // A hint is granted as is and the heap does not move.
    let regs = [
        (A7, 222),
        (A0, 0xc0_0000_0000),
        (A1, 4096),
        (A3, 0x22),
        (A4, NEG1),
    ];
    let (mut m, mut expected) = ecall(&regs, &mut TestOracle::default());
    ret(&mut expected, 0xc0_0000_0000, 0);
    assert_state(&mut m.state, &mut expected);
    // Not anonymous, or with a file: EBADF.
    for (flags, fd) in [(0x02u64, NEG1), (0x22, 3)] {
        let regs = [(A7, 222), (A0, 0), (A1, 4096), (A3, flags), (A4, fd)];
        let (mut m, mut expected) = ecall(&regs, &mut TestOracle::default());
        ret(&mut expected, NEG1, 0x4d);
        assert_state(&mut m.state, &mut expected);
    }
}

#[test]
fn syscall_read_write_plain_fds() {
    // read(0, …): nothing. read(3, …, 7): "reads" 7 without touching memory.
    let (mut m, mut expected) = ecall(
        &[(A7, 63), (A0, 0), (A1, DATA), (A2, 9)],
        &mut TestOracle::default(),
    );
    ret(&mut expected, 0, 0);
    assert_state(&mut m.state, &mut expected);
    let (mut m, mut expected) = ecall(
        &[(A7, 63), (A0, 3), (A1, DATA), (A2, 7)],
        &mut TestOracle::default(),
    );
    ret(&mut expected, 7, 0);
    assert_state(&mut m.state, &mut expected);
    for fd in [1u64, 4, 6, 7] {
        let (mut m, mut expected) = ecall(
            &[(A7, 63), (A0, fd), (A1, DATA), (A2, 7)],
            &mut TestOracle::default(),
        );
        ret(&mut expected, NEG1, 0x4d);
        assert_state(&mut m.state, &mut expected);
    }
    for fd in [0u64, 3, 5, 9] {
        let (mut m, mut expected) = ecall(
            &[(A7, 64), (A0, fd), (A1, DATA), (A2, 7)],
            &mut TestOracle::default(),
        );
        ret(&mut expected, NEG1, 0x4d);
        assert_state(&mut m.state, &mut expected);
    }
    // write(1 / 2, …): all bytes, captured as output.
    for fd in [1u64, 2] {
        let mut m = machine(&[ECALL], &[(A7, 64), (A0, fd), (A1, DATA), (A2, 5)]);
        m.state.memory.write(DATA, b"hello world");
        let mut expected = m.state.clone();
        m.step_fast(&mut TestOracle::default()).unwrap();
        expected.pc += 4;
        expected.step += 1;
        ret(&mut expected, 5, 0);
        assert_state(&mut m.state, &mut expected);
        let (stdout, stderr) = m.output.take();
        let (mine, other) = if fd == 1 {
            (stdout, stderr)
        } else {
            (stderr, stdout)
        };
        assert_eq!(mine, b"hello");
        assert!(other.is_empty());
    }
}

#[test]
fn syscall_hint_write() {
    // Two writes: the first holds a complete hint and the start of another.
    let mut stream = Vec::new();
    stream.extend_from_slice(&3u32.to_be_bytes());
    stream.extend_from_slice(b"abc");
    stream.extend_from_slice(&5u32.to_be_bytes());
    stream.extend_from_slice(b"hello");
    let code = [ECALL, ECALL];
    let mut m = machine(&code, &[(A7, 64), (A0, 4), (A1, DATA), (A2, 9)]);
    m.state.memory.write(DATA, &stream);
    let mut oracle = TestOracle::default();
    let mut expected = m.state.clone();
    m.step_fast(&mut oracle).unwrap();
    expected.pc += 4;
    expected.step += 1;
    ret(&mut expected, 9, 0);
    expected.last_hint = stream[7..9].to_vec();
    assert_state(&mut m.state, &mut expected);
    assert_eq!(oracle.hints, vec![b"abc".to_vec()]);
    // Second write: the rest.
    m.state.registers[A0 as usize] = 4;
    m.state.registers[A1 as usize] = DATA + 9;
    m.state.registers[A2 as usize] = 7;
    expected.registers[A0 as usize] = 4;
    expected.registers[A1 as usize] = DATA + 9;
    expected.registers[A2 as usize] = 7;
    m.step_fast(&mut oracle).unwrap();
    expected.pc += 4;
    expected.step += 1;
    ret(&mut expected, 7, 0);
    expected.last_hint.clear();
    assert_state(&mut m.state, &mut expected);
    assert_eq!(oracle.hints, vec![b"abc".to_vec(), b"hello".to_vec()]);
}

#[test]
fn syscall_preimage_key_and_read() {
    let data: Vec<u8> = (0..40u8).collect();
    let (mut oracle, key) = TestOracle::with_keccak(&data);
    // Write the key in two parts (the first at leaf offset 20, where only 12 bytes fit the
    // leaf), then read the 8-byte length prefix and the data.
    let key_at = DATA + 0x100 - 12; // leaf offset 20: only 12 bytes fit the leaf
    let code = [ECALL; 8];
    let mut m = machine(&code, &[(A7, 64), (A0, 6), (A1, key_at), (A2, 32)]);
    m.state.memory.write(key_at, key.as_slice());
    let mut expected = m.state.clone();
    m.step_fast(&mut oracle).unwrap();
    expected.pc += 4;
    expected.step += 1;
    ret(&mut expected, 12, 0);
    let mut partial = [0u8; 32];
    partial[20..].copy_from_slice(&key[..12]);
    expected.preimage_key = partial;
    assert_state(&mut m.state, &mut expected);
    // The remaining 20 bytes, from an aligned address.
    m.state.registers[A0 as usize] = 6;
    m.state.registers[A1 as usize] = key_at + 12;
    m.state.registers[A2 as usize] = 20;
    expected.registers[A1 as usize] = key_at + 12;
    expected.registers[A2 as usize] = 20;
    m.step_fast(&mut oracle).unwrap();
    expected.pc += 4;
    expected.step += 1;
    ret(&mut expected, 20, 0);
    expected.preimage_key = key.0;
    assert_state(&mut m.state, &mut expected);

    // read(5, buf, 100) at a leaf offset of 24: 8 bytes (the length prefix).
    let buf = DATA + 0x218;
    let set_read = |m: &mut Machine, e: &mut State, addr: u64, count: u64| {
        for st in [&mut m.state, e] {
            st.registers[A7 as usize] = 63;
            st.registers[A0 as usize] = 5;
            st.registers[A1 as usize] = addr;
            st.registers[A2 as usize] = count;
        }
    };
    set_read(&mut m, &mut expected, buf, 100);
    m.step_fast(&mut oracle).unwrap();
    expected.pc += 4;
    expected.step += 1;
    ret(&mut expected, 8, 0);
    expected.preimage_offset = 8;
    expected.memory.write(buf, &40u64.to_be_bytes());
    assert_state(&mut m.state, &mut expected);
    // Aligned read of 100: 32 bytes of data.
    set_read(&mut m, &mut expected, DATA + 0x300, 100);
    m.step_fast(&mut oracle).unwrap();
    expected.pc += 4;
    expected.step += 1;
    ret(&mut expected, 32, 0);
    expected.preimage_offset = 40;
    expected.memory.write(DATA + 0x300, &data[..32]);
    assert_state(&mut m.state, &mut expected);
    // The last 8.
    set_read(&mut m, &mut expected, DATA + 0x320, 100);
    m.step_fast(&mut oracle).unwrap();
    expected.pc += 4;
    expected.step += 1;
    ret(&mut expected, 8, 0);
    expected.preimage_offset = 48;
    expected.memory.write(DATA + 0x320, &data[32..]);
    assert_state(&mut m.state, &mut expected);
    // One fetch for all reads.
    assert_eq!(oracle.requests, vec![key]);
    // Past the end: the oracle contract has no such part, the step fails, nothing changes.
    set_read(&mut m, &mut expected, DATA + 0x340, 100);
    let err = m.step_fast(&mut oracle).unwrap_err();
    assert_eq!(
        err,
        StepError::PreimageOffsetOutOfBounds {
            offset: 48,
            len: 48
        }
    );
    assert_state(&mut m.state, &mut expected);
}

#[test]
fn syscall_preimage_missing() {
    let mut m = machine(&[ECALL], &[(A7, 63), (A0, 5), (A1, DATA), (A2, 8)]);
    m.state.preimage_key[0] = 2;
    let mut before = m.state.clone();
    let err = m.step_fast(&mut TestOracle::default()).unwrap_err();
    assert!(
        matches!(err, StepError::Oracle(koa_vm::OracleError::NotFound(_))),
        "{err}"
    );
    assert_state(&mut m.state, &mut before);
}

#[test]
fn syscall_fcntl_openat_clone() {
    for (fd, cmd, a0, a1) in [
        (0u64, 1u64, 0u64, 0u64),
        (6, 1, 0, 0),
        (7, 1, NEG1, 0x4d),
        (0, 3, 0, 0),
        (1, 3, 1, 0),
        (2, 3, 1, 0),
        (3, 3, 0, 0),
        (4, 3, 1, 0),
        (5, 3, 0, 0),
        (6, 3, 1, 0),
        (9, 3, NEG1, 0x4d),
        (0, 4, NEG1, 0x16),
    ] {
        let (mut m, mut expected) =
            ecall(&[(A7, 25), (A0, fd), (A1, cmd)], &mut TestOracle::default());
        ret(&mut expected, a0, a1);
        assert_state(&mut m.state, &mut expected);
    }
    let (mut m, mut expected) = ecall(&[(A7, 56)], &mut TestOracle::default());
    ret(&mut expected, NEG1, 0xd);
    assert_state(&mut m.state, &mut expected);
    let (mut m, mut expected) = ecall(&[(A7, 220)], &mut TestOracle::default());
    ret(&mut expected, 1, 0);
    assert_state(&mut m.state, &mut expected);
    // Unknown numbers are no-ops returning 0 (sched_yield, gettid, munmap, …).
    for nr in [124u64, 178, 215, 123, 9999] {
        let (mut m, mut expected) =
            ecall(&[(A7, nr), (A0, 5), (A1, 6)], &mut TestOracle::default());
        ret(&mut expected, 0, 0);
        assert_state(&mut m.state, &mut expected);
    }
}

#[test]
fn syscall_clock_getrlimit() {
    // clock_gettime(_, ts) with ts straddling a leaf boundary.
    let ts = DATA + 24;
    let (mut m, mut expected) = ecall(&[(A7, 113), (A0, 1), (A1, ts)], &mut TestOracle::default());
    ret(&mut expected, 0, 0);
    expected.memory.write(ts, &1337u64.to_le_bytes());
    expected.memory.write(ts + 8, &42u64.to_le_bytes());
    assert_state(&mut m.state, &mut expected);

    let (mut m, mut expected) = ecall(
        &[(A7, 163), (A0, 7), (A1, DATA)],
        &mut TestOracle::default(),
    );
    ret(&mut expected, 0, 0);
    expected.memory.write(DATA, &1024u64.to_le_bytes());
    expected.memory.write(DATA + 8, &1024u64.to_le_bytes());
    assert_state(&mut m.state, &mut expected);

    let mut m = machine(&[ECALL], &[(A7, 163), (A0, 3), (A1, DATA)]);
    let err = m.step_fast(&mut TestOracle::default()).unwrap_err();
    assert_eq!(
        err,
        StepError::UnsupportedResource {
            pc: BASE,
            resource: 3
        }
    );
    assert_eq!(err.revert_code(), Some(0xf0012));
}

#[test]
fn syscall_rejected() {
    for nr in [261u64, 422, 101] {
        let mut m = machine(&[ECALL], &[(A7, nr)]);
        let before = m.state.clone();
        let err = m.step_fast(&mut TestOracle::default()).unwrap_err();
        assert_eq!(
            err,
            StepError::UnsupportedSyscall {
                pc: BASE,
                number: nr
            }
        );
        assert_eq!(err.revert_code(), Some(0xf001ca11));
        assert_state(&mut m.state, &mut before.clone());
    }
}

// ---------------------------------------------------------------------------------------------
// State encoding and hash

#[test]
fn witness_layout_and_hash() {
    let mut state = State::new();
    state.preimage_key = [0x11; 32];
    state.preimage_offset = 0x0102_0304_0506_0708;
    state.pc = 0x1122;
    state.exit_code = 1;
    state.exited = true;
    state.step = 77;
    state.load_reservation = 0xabc;
    for (n, reg) in state.registers.iter_mut().enumerate() {
        *reg = n as u64 * 0x0101;
    }
    let witness = state.encode_witness();
    assert_eq!(witness.len(), STATE_WITNESS_SIZE);
    assert_eq!(&witness[..32], state.memory.merkle_root().as_slice());
    // The root of empty memory: Z[59].
    assert_eq!(&witness[..32], koa_vm::memory::zero_hashes()[59].as_slice());
    assert_eq!(&witness[32..64], &[0x11; 32]);
    assert_eq!(&witness[64..72], &0x0102_0304_0506_0708_u64.to_be_bytes());
    assert_eq!(&witness[72..80], &0x1122_u64.to_be_bytes());
    assert_eq!(witness[80], 1);
    assert_eq!(witness[81], 1);
    assert_eq!(&witness[82..90], &77u64.to_be_bytes());
    assert_eq!(&witness[90..98], &0x7f00_0000_0000_u64.to_be_bytes());
    assert_eq!(&witness[98..106], &0xabc_u64.to_be_bytes());
    assert_eq!(&witness[106 + 8 * 31..], &(31u64 * 0x0101).to_be_bytes());
    let hash = state_hash(&witness);
    let keccak = alloy_primitives::keccak256(witness);
    assert_eq!(hash[0], 1, "invalid status");
    assert_eq!(hash[1..], keccak[1..]);
    state.exited = false;
    assert_eq!(state.state_hash()[0], 3);
}
