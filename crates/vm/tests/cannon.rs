//! Instruction-level tests of koa's Cannon machine: every instruction group and syscall, each
//! asserting the exact post-state. Programs are encoded here from the MIPS64 encodings.

use std::collections::HashMap;

use alloy_primitives::{B256, keccak256};
use koa_vm::{
    FaultProofVm, OracleError, PreimageOracle, VmError, VmStatus,
    cannon::{Cannon, CannonState, StateVersion, ThreadState, syscalls::*},
};

const BASE: u64 = 0x1_0000;
const T0: u32 = 8;
const T1: u32 = 9;
const T2: u32 = 10;

fn r(rs: u32, rt: u32, rd: u32, sa: u32, fun: u32) -> u32 {
    (rs << 21) | (rt << 16) | (rd << 11) | (sa << 6) | fun
}
fn special2(rs: u32, rt: u32, rd: u32, fun: u32) -> u32 {
    (0x1C << 26) | r(rs, rt, rd, 0, fun)
}
fn i(op: u32, rs: u32, rt: u32, imm: u16) -> u32 {
    (op << 26) | (rs << 21) | (rt << 16) | imm as u32
}
fn j(op: u32, target: u64) -> u32 {
    (op << 26) | ((target >> 2) as u32 & 0x03FF_FFFF)
}
const NOP: u32 = 0;
const SYSCALL: u32 = 0xC;

#[derive(Default)]
struct Oracle {
    preimages: HashMap<B256, Vec<u8>>,
    hints: Vec<Vec<u8>>,
}

impl PreimageOracle for Oracle {
    fn hint(&mut self, hint: &[u8]) -> Result<(), OracleError> {
        self.hints.push(hint.to_vec());
        Ok(())
    }
    fn get_preimage(&mut self, key: B256) -> Result<Vec<u8>, OracleError> {
        self.preimages
            .get(&key)
            .cloned()
            .ok_or(OracleError::NotFound(key))
    }
}

fn machine(program: &[u32]) -> Cannon {
    let mut state = CannonState::new(BASE);
    for (n, word) in program.iter().enumerate() {
        state.memory.write(BASE + 4 * n as u64, &word.to_be_bytes());
    }
    Cannon::new(state, StateVersion::DEFAULT)
}

fn thread(m: &Cannon) -> ThreadState {
    m.state.active_thread().expect("a thread").clone()
}

fn set(m: &mut Cannon, reg: u32, value: u64) {
    let stack = if m.state.traverse_right {
        &mut m.state.right_thread_stack
    } else {
        &mut m.state.left_thread_stack
    };
    stack.last_mut().unwrap().registers[reg as usize] = value;
}

/// Steps once and checks the whole active thread against `pre` changed by `change` (and the pc
/// advanced by one instruction unless `change` sets it).
fn step_expect(m: &mut Cannon, change: impl FnOnce(&mut ThreadState)) {
    let mut expected = thread(m);
    expected.pc = expected.next_pc;
    expected.next_pc += 4;
    change(&mut expected);
    let step = m.state.step;
    m.step(&mut Oracle::default()).expect("step");
    assert_eq!(thread(m), expected);
    assert_eq!(m.state.step, step + 1);
}

/// One R/I-type instruction with `rs` in t0 and `rt` in t1; returns t2 (or t1 for I-types).
fn alu(insn: u32, rs: u64, rt: u64) -> ThreadState {
    let mut m = machine(&[insn]);
    set(&mut m, T0, rs);
    set(&mut m, T1, rt);
    m.step(&mut Oracle::default()).expect("step");
    thread(&m)
}

#[test]
fn r_type_arithmetic_logic_and_shifts() {
    let neg = |v: i64| v as u64;
    #[rustfmt::skip]
    let cases: &[(&str, u32, u64, u64, u64)] = &[
        ("addu", r(T0, T1, T2, 0, 0x21), 0x7FFF_FFFF, 1, 0xFFFF_FFFF_8000_0000),
        ("add wraps, no trap", r(T0, T1, T2, 0, 0x20), 0x7FFF_FFFF, 1, 0xFFFF_FFFF_8000_0000),
        ("addu ignores upper halves", r(T0, T1, T2, 0, 0x21), 0x1234_0000_0000_0001, 0x5678_0000_0000_0002, 3),
        ("subu", r(T0, T1, T2, 0, 0x23), 0, 1, u64::MAX),
        ("sub", r(T0, T1, T2, 0, 0x22), 0x8000_0000, 1, 0x7FFF_FFFF),
        ("and", r(T0, T1, T2, 0, 0x24), 0xF0F0, 0xFF00, 0xF000),
        ("or", r(T0, T1, T2, 0, 0x25), 0xF0F0, 0xFF00, 0xFFF0),
        ("xor", r(T0, T1, T2, 0, 0x26), 0xF0F0, 0xFF00, 0x0FF0),
        ("nor", r(T0, T1, T2, 0, 0x27), 0xF0F0, 0xFF00, !0xFFF0),
        ("slt true", r(T0, T1, T2, 0, 0x2A), neg(-1), 0, 1),
        ("slt false", r(T0, T1, T2, 0, 0x2A), 0, neg(-1), 0),
        ("sltu", r(T0, T1, T2, 0, 0x2B), 0, neg(-1), 1),
        ("daddu", r(T0, T1, T2, 0, 0x2D), u64::MAX, 2, 1),
        ("dadd wraps", r(T0, T1, T2, 0, 0x2C), i64::MAX as u64, 1, 1 << 63),
        ("dsubu", r(T0, T1, T2, 0, 0x2F), 1, 2, u64::MAX),
        ("dsub", r(T0, T1, T2, 0, 0x2E), 10, 3, 7),
        ("sll", r(0, T1, T2, 4, 0x00), 0, 0x0800_0001, 0xFFFF_FFFF_8000_0010),
        ("srl", r(0, T1, T2, 4, 0x02), 0, 0xFFFF_FFFF_8000_0000, 0x0800_0000),
        ("sra", r(0, T1, T2, 4, 0x03), 0, 0x8000_0000, 0xFFFF_FFFF_F800_0000),
        ("sra 0 sign-extends", r(0, T1, T2, 0, 0x03), 0, 0x1_8000_0000, 0xFFFF_FFFF_8000_0000),
        ("sllv uses rs&31", r(T0, T1, T2, 0, 0x04), 33, 1, 2),
        ("srlv", r(T0, T1, T2, 0, 0x06), 1, 0x8000_0000, 0x4000_0000),
        ("srav", r(T0, T1, T2, 0, 0x07), 4, 0x8000_0000, 0xFFFF_FFFF_F800_0000),
        ("dsll", r(0, T1, T2, 8, 0x38), 0, 0x00FF_0000_0000_0001, 0xFF00_0000_0000_0100),
        ("dsrl", r(0, T1, T2, 8, 0x3A), 0, 1 << 63, 1 << 55),
        ("dsra", r(0, T1, T2, 8, 0x3B), 0, 1 << 63, 0xFF80_0000_0000_0000),
        ("dsll32", r(0, T1, T2, 1, 0x3C), 0, 1, 1 << 33),
        ("dsrl32", r(0, T1, T2, 1, 0x3E), 0, 1 << 63, 1 << 30),
        ("dsra32", r(0, T1, T2, 0, 0x3F), 0, 1 << 63, 0xFFFF_FFFF_8000_0000),
        ("dsllv uses rs&63", r(T0, T1, T2, 0, 0x14), 65, 1, 2),
        ("dsrlv", r(T0, T1, T2, 0, 0x16), 63, u64::MAX, 1),
        ("dsrav", r(T0, T1, T2, 0, 0x17), 63, 1 << 63, u64::MAX),
        ("movz moves", r(T0, T1, T2, 0, 0x0A), 42, 0, 42),
        ("movn keeps", r(T0, T1, T2, 0, 0x0B), 42, 0, 0),
        ("mul", special2(T0, T1, T2, 0x02), 0x10000, 0x10000, 0),
        ("mul sign", special2(T0, T1, T2, 0x02), neg(-3), 5, neg(-15)),
        ("clz", special2(T0, 0, T2, 0x20), 0xFFFF_FFFF_0000_0001, 0, 31),
        ("clz of 0", special2(T0, 0, T2, 0x20), 0, 0, 32),
        ("clo", special2(T0, 0, T2, 0x21), 0xF000_0000, 0, 4),
        ("dclz", special2(T0, 0, T2, 0x24), 1, 0, 63),
        ("dclz of 0", special2(T0, 0, T2, 0x24), 0, 0, 64),
        ("dclo", special2(T0, 0, T2, 0x25), u64::MAX, 0, 64),
    ];
    for (name, insn, rs, rt, expected) in cases {
        let t = alu(*insn, *rs, *rt);
        assert_eq!(t.registers[T2 as usize], *expected, "{name}");
        assert_eq!((t.pc, t.next_pc), (BASE + 4, BASE + 8), "{name}");
    }
    // movn with rt != 0 moves; movz with rt != 0 keeps.
    assert_eq!(
        alu(r(T0, T1, T2, 0, 0x0B), 42, 1).registers[T2 as usize],
        42
    );
    assert_eq!(alu(r(T0, T1, T2, 0, 0x0A), 42, 1).registers[T2 as usize], 0);
    // Writes to $zero are dropped.
    assert_eq!(alu(r(T0, T1, 0, 0, 0x21), 1, 2).registers[0], 0);
}

#[test]
fn i_type_immediates() {
    #[rustfmt::skip]
    let cases: &[(&str, u32, u64, u64)] = &[
        ("addiu", i(0x09, T0, T1, 0xFFFF), 1, 0),
        ("addi wraps", i(0x08, T0, T1, 1), 0x7FFF_FFFF, 0xFFFF_FFFF_8000_0000),
        ("daddiu", i(0x19, T0, T1, 0xFFFF), 0, u64::MAX),
        ("daddi", i(0x18, T0, T1, 0x8000), 0x8000, 0),
        ("slti", i(0x0A, T0, T1, 0xFFFF), (-2i64) as u64, 1),
        ("sltiu sign-extends then compares unsigned", i(0x0B, T0, T1, 0xFFFF), 5, 1),
        ("andi zero-extends", i(0x0C, T0, T1, 0xFFFF), u64::MAX, 0xFFFF),
        ("ori", i(0x0D, T0, T1, 0x8001), 0x10_0000, 0x10_8001),
        ("xori", i(0x0E, T0, T1, 0x00FF), 0x0F0F, 0x0FF0),
        ("lui sign-extends", i(0x0F, 0, T1, 0x8001), 0, 0xFFFF_FFFF_8001_0000),
    ];
    for (name, insn, rs, expected) in cases {
        let t = alu(*insn, *rs, 0xDEAD);
        assert_eq!(t.registers[T1 as usize], *expected, "{name}");
    }
}

#[test]
fn hi_lo_multiply_divide() {
    // (insn, rs, rt, hi, lo)
    #[rustfmt::skip]
    let cases: &[(&str, u32, u64, u64, u64, u64)] = &[
        ("mult", r(T0, T1, 0, 0, 0x18), (-2i64) as u64, 3, u64::MAX, (-6i64) as u64),
        ("multu", r(T0, T1, 0, 0, 0x19), 0xFFFF_FFFF, 2, 1, 0xFFFF_FFFF_FFFF_FFFE),
        ("div", r(T0, T1, 0, 0, 0x1A), (-7i64) as u64, 2, u64::MAX, (-3i64) as u64),
        ("div MIN/-1 wraps", r(T0, T1, 0, 0, 0x1A), 0x8000_0000, u64::MAX, 0, 0xFFFF_FFFF_8000_0000),
        ("divu", r(T0, T1, 0, 0, 0x1B), 0xFFFF_FFFF, 0x10, 0xF, 0x0FFF_FFFF),
        ("dmult", r(T0, T1, 0, 0, 0x1C), (-1i64) as u64, 5, u64::MAX, (-5i64) as u64),
        ("dmult MIN*MIN", r(T0, T1, 0, 0, 0x1C), 1 << 63, 1 << 63, 1 << 62, 0),
        ("dmultu", r(T0, T1, 0, 0, 0x1D), u64::MAX, u64::MAX, u64::MAX - 1, 1),
        ("ddiv", r(T0, T1, 0, 0, 0x1E), (-9i64) as u64, 4, (-1i64) as u64, (-2i64) as u64),
        ("ddivu", r(T0, T1, 0, 0, 0x1F), u64::MAX, 10, 5, u64::MAX / 10),
    ];
    for (name, insn, rs, rt, hi, lo) in cases {
        let t = alu(*insn, *rs, *rt);
        assert_eq!((t.hi, t.lo), (*hi, *lo), "{name}");
    }
    // mfhi/mflo/mthi/mtlo
    let mut m = machine(&[
        r(T0, 0, 0, 0, 0x11),
        r(T1, 0, 0, 0, 0x13),
        r(0, 0, T2, 0, 0x10),
        r(0, 0, 11, 0, 0x12),
    ]);
    set(&mut m, T0, 0xAAAA);
    set(&mut m, T1, 0xBBBB);
    step_expect(&mut m, |t| t.hi = 0xAAAA);
    step_expect(&mut m, |t| t.lo = 0xBBBB);
    step_expect(&mut m, |t| t.registers[T2 as usize] = 0xAAAA);
    step_expect(&mut m, |t| t.registers[11] = 0xBBBB);
    // Division by zero is an exception (no post-state).
    for insn in [
        r(T0, T1, 0, 0, 0x1A),
        r(T0, T1, 0, 0, 0x1B),
        r(T0, T1, 0, 0, 0x1E),
        r(T0, T1, 0, 0, 0x1F),
    ] {
        let mut m = machine(&[insn]);
        set(&mut m, T0, 1);
        set(&mut m, T1, 0);
        let err = m.step(&mut Oracle::default()).unwrap_err();
        assert!(
            matches!(err, VmError::Exception(ref s) if s.contains("division by zero")),
            "{insn:#x}: {err}"
        );
    }
    // div checks only the low word of rt: 0x1_0000_0000 is a zero divisor.
    let mut m = machine(&[r(T0, T1, 0, 0, 0x1A)]);
    set(&mut m, T1, 0x1_0000_0000);
    assert!(m.step(&mut Oracle::default()).is_err());
}

const DATA: u64 = 0x2_0000;

fn mem_machine(insn: u32, base: u64, rt: u64) -> Cannon {
    let mut m = machine(&[insn]);
    m.state
        .memory
        .write(DATA, &0x0011_2233_4455_6677u64.to_be_bytes());
    m.state
        .memory
        .write(DATA + 8, &0x8899_AABB_CCDD_EEFFu64.to_be_bytes());
    set(&mut m, T0, base);
    set(&mut m, T1, rt);
    m
}

#[test]
fn loads() {
    #[rustfmt::skip]
    let cases: &[(&str, u32, u64, u64, u64)] = &[
        // (name, insn with base t0 and rt t1, address, rt before, rt after)
        ("lb", i(0x20, T0, T1, 0), DATA + 9, 0, 0xFFFF_FFFF_FFFF_FF99),
        ("lbu", i(0x24, T0, T1, 0), DATA + 9, 0, 0x99),
        ("lh", i(0x21, T0, T1, 0), DATA + 8, 0, 0xFFFF_FFFF_FFFF_8899),
        ("lhu", i(0x25, T0, T1, 0), DATA + 10, 0, 0xAABB),
        ("lw", i(0x23, T0, T1, 0), DATA + 12, 0, 0xFFFF_FFFF_CCDD_EEFF),
        ("lw positive", i(0x23, T0, T1, 4), DATA, 0, 0x4455_6677),
        ("lwu", i(0x27, T0, T1, 0), DATA + 12, 0, 0xCCDD_EEFF),
        ("ld", i(0x37, T0, T1, 8), DATA, 0, 0x8899_AABB_CCDD_EEFF),
        ("ld negative offset", i(0x37, T0, T1, 0xFFF8), DATA + 16, 0, 0x8899_AABB_CCDD_EEFF),
        ("lwl at 1", i(0x22, T0, T1, 0), DATA + 1, 0x1111_2222_3333_4444, 0x1122_3344),
        ("lwr at 2", i(0x26, T0, T1, 0), DATA + 2, 0x1111_2222_3333_4444, 0x1111_2222_3300_1122),
        ("lwr at 3 sign-extends", i(0x26, T0, T1, 0), DATA + 11, 0x1111_2222_3333_4444, 0xFFFF_FFFF_8899_AABB),
        ("ldl at 3", i(0x1A, T0, T1, 0), DATA + 3, 0x1111_2222_3333_4444, 0x3344_5566_7733_4444),
        ("ldr at 4", i(0x1B, T0, T1, 0), DATA + 4, 0x1111_2222_3333_4444, 0x1111_2200_1122_3344),
        ("ldr at 7", i(0x1B, T0, T1, 0), DATA + 7, 0x1111_2222_3333_4444, 0x0011_2233_4455_6677),
    ];
    for (name, insn, addr, before, after) in cases {
        let mut m = mem_machine(*insn, *addr, *before);
        m.step(&mut Oracle::default()).expect(name);
        assert_eq!(thread(&m).registers[T1 as usize], *after, "{name}");
    }
    // An unaligned word and doubleword by the usual pairs.
    let mut m = machine(&[
        i(0x22, T0, T1, 0),
        i(0x26, T0, T1, 3),
        i(0x1A, T0, T2, 0),
        i(0x1B, T0, T2, 7),
    ]);
    m.state
        .memory
        .write(DATA + 5, &[0xA1, 0xA2, 0xA3, 0xA4, 0xA5, 0xA6, 0xA7, 0xA8]);
    set(&mut m, T0, DATA + 5);
    for _ in 0..4 {
        m.step(&mut Oracle::default()).unwrap();
    }
    let t = thread(&m);
    assert_eq!(t.registers[T1 as usize], 0xFFFF_FFFF_A1A2_A3A4);
    assert_eq!(t.registers[T2 as usize], 0xA1A2_A3A4_A5A6_A7A8);
}

#[test]
fn stores() {
    #[rustfmt::skip]
    let cases: &[(&str, u32, u64, u64, u64)] = &[
        // (name, insn, address, rt, doubleword at DATA afterwards)
        ("sb", i(0x28, T0, T1, 0), DATA + 2, 0xABCD, 0x0011_CD33_4455_6677),
        ("sh", i(0x29, T0, T1, 0), DATA + 6, 0xABCD, 0x0011_2233_4455_ABCD),
        ("sw", i(0x2B, T0, T1, 0), DATA + 4, 0x1234_5678_9ABC_DEF0, 0x0011_2233_9ABC_DEF0),
        ("sw unaligned acts on its word", i(0x2B, T0, T1, 0), DATA + 1, 0xDEAD_BEEF, 0xDEAD_BEEF_4455_6677),
        ("sd", i(0x3F, T0, T1, 0), DATA, 0x0102_0304_0506_0708, 0x0102_0304_0506_0708),
        ("swl at 1", i(0x2A, T0, T1, 0), DATA + 1, 0xA1A2_A3A4, 0x00A1_A2A3_4455_6677),
        ("swl at 5", i(0x2A, T0, T1, 0), DATA + 5, 0xA1A2_A3A4, 0x0011_2233_44A1_A2A3),
        ("swr at 2", i(0x2E, T0, T1, 0), DATA + 2, 0xA1A2_A3A4, 0xA2A3_A433_4455_6677),
        ("sdl at 3", i(0x2C, T0, T1, 0), DATA + 3, 0xA1A2_A3A4_A5A6_A7A8, 0x0011_22A1_A2A3_A4A5),
        ("sdr at 3", i(0x2D, T0, T1, 0), DATA + 3, 0xA1A2_A3A4_A5A6_A7A8, 0xA5A6_A7A8_4455_6677),
    ];
    for (name, insn, addr, rt, after) in cases {
        let mut m = mem_machine(*insn, *addr, *rt);
        let before = thread(&m);
        m.step(&mut Oracle::default()).expect(name);
        assert_eq!(m.state.memory.read_u64_be(DATA), *after, "{name}");
        assert_eq!(
            m.state.memory.read_u64_be(DATA + 8),
            0x8899_AABB_CCDD_EEFF,
            "{name}"
        );
        let mut expected = before;
        expected.pc += 4;
        expected.next_pc += 4;
        assert_eq!(thread(&m), expected, "{name}: stores write no register");
    }
    // The unaligned pair stores a word across two doublewords.
    let mut m = machine(&[i(0x2A, T0, T1, 0), i(0x2E, T0, T1, 3)]);
    set(&mut m, T0, DATA + 6);
    set(&mut m, T1, 0xB1B2_B3B4);
    m.step(&mut Oracle::default()).unwrap();
    m.step(&mut Oracle::default()).unwrap();
    let mut buf = [0u8; 4];
    m.state.memory.read(DATA + 6, &mut buf);
    assert_eq!(buf, [0xB1, 0xB2, 0xB3, 0xB4]);
}

#[test]
fn branches_and_delay_slots() {
    // (insn, rs, rt, taken)
    let target = |off: i16| (BASE as i64 + 4 + 4 * off as i64) as u64;
    #[rustfmt::skip]
    let cases: &[(&str, u32, u64, u64, bool)] = &[
        ("beq taken", i(4, T0, T1, 3), 5, 5, true),
        ("beq not", i(4, T0, T1, 3), 5, 6, false),
        ("bne", i(5, T0, T1, 3), 5, 6, true),
        ("blez 0", i(6, T0, 0, 3), 0, 0, true),
        ("blez positive", i(6, T0, 0, 3), 1, 0, false),
        ("bgtz", i(7, T0, 0, 3), 1, 0, true),
        ("bgtz negative (64-bit)", i(7, T0, 0, 3), 1 << 63, 0, false),
        ("bltz", i(1, T0, 0, 3), u64::MAX, 0, true),
        ("bltz uses all 64 bits", i(1, T0, 0, 3), 0x8000_0000, 0, false),
        ("bgez", i(1, T0, 1, 3), 0, 0, true),
        ("sigrie (rt 0x17) is a branch never taken", i(1, T0, 0x17, 1), 0, 0, false),
    ];
    for (name, insn, rs, rt, taken) in cases {
        let mut m = machine(&[*insn]);
        set(&mut m, T0, *rs);
        set(&mut m, T1, *rt);
        let off = (*insn & 0xFFFF) as i16;
        step_expect(&mut m, |t| {
            t.next_pc = if *taken { target(off) } else { BASE + 8 };
        });
        let _ = name;
    }
    // Backward branch.
    let mut m = machine(&[i(4, 0, 0, 0xFFFF)]);
    step_expect(&mut m, |t| t.next_pc = BASE);
    // bltzal / bgezal link always.
    for (rt, rs, taken) in [
        (0x10, u64::MAX, true),
        (0x10, 0, false),
        (0x11, 0, true),
        (0x11, u64::MAX, false),
    ] {
        let mut m = machine(&[i(1, T0, rt, 2)]);
        set(&mut m, T0, rs);
        step_expect(&mut m, |t| {
            t.registers[31] = BASE + 8;
            t.next_pc = if taken { BASE + 12 } else { BASE + 8 };
        });
    }
    // A branch in a delay slot is an exception.
    let mut m = machine(&[i(4, 0, 0, 4), i(4, 0, 0, 4)]);
    m.step(&mut Oracle::default()).unwrap();
    assert_eq!(
        m.step(&mut Oracle::default()),
        Err(VmError::BranchInDelaySlot { pc: BASE + 4 })
    );
    // A jump in a delay slot too.
    let mut m = machine(&[j(2, BASE + 0x100), j(2, BASE + 0x200)]);
    m.step(&mut Oracle::default()).unwrap();
    assert_eq!(
        m.step(&mut Oracle::default()),
        Err(VmError::BranchInDelaySlot { pc: BASE + 4 })
    );
    // The delay slot executes before the target.
    let mut m = machine(&[i(4, 0, 0, 2), i(0x09, 0, T0, 7), NOP, i(0x09, T0, T0, 1)]);
    for _ in 0..3 {
        m.step(&mut Oracle::default()).unwrap();
    }
    assert_eq!(thread(&m).registers[T0 as usize], 8);
    assert_eq!(thread(&m).pc, BASE + 16);
}

#[test]
fn jumps() {
    let mut m = machine(&[j(2, 0x0ABC_DEF0)]);
    step_expect(&mut m, |t| t.next_pc = 0x0ABC_DEF0);
    let mut m = machine(&[j(3, 0x40)]);
    step_expect(&mut m, |t| {
        t.next_pc = 0x40;
        t.registers[31] = BASE + 8;
    });
    // j keeps the 256 MB region of the delay slot, sign-extended from bit 31.
    let mut m = machine(&[j(2, 0x10)]);
    m.state.left_thread_stack[0].pc = 0xFFFF_FFFF_9000_0000;
    m.state.left_thread_stack[0].next_pc = 0xFFFF_FFFF_9000_0004;
    m.state
        .memory
        .write(0xFFFF_FFFF_9000_0000, &j(2, 0x10).to_be_bytes());
    step_expect(&mut m, |t| t.next_pc = 0xFFFF_FFFF_9000_0010);
    // jr / jalr (with rd = 31 and rd = t2)
    let mut m = machine(&[r(T0, 0, 0, 0, 0x08)]);
    set(&mut m, T0, 0x1234_5678_9ABC);
    step_expect(&mut m, |t| t.next_pc = 0x1234_5678_9ABC);
    let mut m = machine(&[r(T0, 0, T2, 0, 0x09)]);
    set(&mut m, T0, 0x500);
    step_expect(&mut m, |t| {
        t.next_pc = 0x500;
        t.registers[T2 as usize] = BASE + 8;
    });
}

#[test]
fn invalid_instructions_raise_the_exception() {
    for insn in [
        0x0000_000D,                // break
        0x0000_0034,                // teq
        0x0000_0036,                // tne
        0x0000_0005,                // SPECIAL fun 5
        0x0000_0015,                // SPECIAL fun 0x15
        0x0000_0028,                // SPECIAL fun 0x28
        0x4400_0000,                // COP1
        0x4000_0000,                // COP0
        0x7C00_0000,                // SPECIAL3 (ext)
        0x7C02_0420,                // seb
        0x5000_0000,                // beql
        special2(T0, T1, T2, 0x00), // madd
        i(0x31, 0, 0, 0),           // lwc1
        i(0x35, 0, 0, 0),           // ldc1
        i(0x3D, 0, 0, 0),           // sdc1
        i(0x33, 0, 0, 0),           // pref
        i(0x2F, 0, 0, 0),           // cache
        i(0x1D, 0, 0, 0),           // jalx
    ] {
        let mut m = machine(&[insn]);
        assert_eq!(
            m.step(&mut Oracle::default()),
            Err(VmError::InvalidInstruction { pc: BASE, insn }),
            "{insn:#010x}"
        );
    }
    // sync is a valid no-op.
    let mut m = machine(&[0x0000_000F]);
    step_expect(&mut m, |_| {});
}

#[test]
fn load_linked_store_conditional() {
    // ll t1, 0(t0); sc t2, 0(t0)
    let mut m = machine(&[i(0x30, T0, T1, 0), i(0x38, T0, T2, 0), i(0x38, T0, T2, 0)]);
    m.state.memory.write_u64_be(DATA, 0x8000_0001_0000_0002);
    set(&mut m, T0, DATA);
    set(&mut m, T2, 0x77);
    step_expect(&mut m, |t| t.registers[T1 as usize] = 0xFFFF_FFFF_8000_0001);
    assert_eq!(
        (
            m.state.ll_reservation_status,
            m.state.ll_address,
            m.state.ll_owner_thread
        ),
        (1, DATA, 0)
    );
    step_expect(&mut m, |t| t.registers[T2 as usize] = 1);
    assert_eq!(m.state.memory.read_u64_be(DATA), 0x0000_0077_0000_0002);
    assert_eq!((m.state.ll_reservation_status, m.state.ll_address), (0, 0));
    // A second sc without reservation fails and writes nothing.
    set(&mut m, T2, 0x99);
    step_expect(&mut m, |t| t.registers[T2 as usize] = 0);
    assert_eq!(m.state.memory.read_u64_be(DATA), 0x0000_0077_0000_0002);

    // lld/scd, broken by a store to the reserved doubleword.
    let mut m = machine(&[i(0x34, T0, T1, 0), i(0x2B, T0, 0, 4), i(0x3C, T0, T2, 0)]);
    m.state.memory.write_u64_be(DATA + 8, 0x1122_3344_5566_7788);
    set(&mut m, T0, DATA + 8);
    set(&mut m, T2, 5);
    step_expect(&mut m, |t| t.registers[T1 as usize] = 0x1122_3344_5566_7788);
    assert_eq!(m.state.ll_reservation_status, 2);
    step_expect(&mut m, |_| {});
    assert_eq!(
        m.state.ll_reservation_status, 0,
        "a store to the reserved word clears it"
    );
    step_expect(&mut m, |t| t.registers[T2 as usize] = 0);
    // sc after lld fails (status 2 ≠ 1).
    let mut m = machine(&[i(0x34, T0, T1, 0), i(0x38, T0, T2, 0)]);
    set(&mut m, T0, DATA);
    m.step(&mut Oracle::default()).unwrap();
    step_expect(&mut m, |t| t.registers[T2 as usize] = 0);
    // A store elsewhere keeps the reservation.
    let mut m = machine(&[i(0x30, T0, T1, 0), i(0x2B, T0, 0, 8), i(0x38, T0, T2, 0)]);
    set(&mut m, T0, DATA);
    m.step(&mut Oracle::default()).unwrap();
    m.step(&mut Oracle::default()).unwrap();
    step_expect(&mut m, |t| t.registers[T2 as usize] = 1);
}

// --- syscalls ------------------------------------------------------------------------------

fn syscall_machine(number: u64, args: [u64; 3]) -> Cannon {
    let mut m = machine(&[SYSCALL]);
    set(&mut m, 2, number);
    set(&mut m, 4, args[0]);
    set(&mut m, 5, args[1]);
    set(&mut m, 6, args[2]);
    m
}

fn syscall_returns(number: u64, args: [u64; 3], v0: u64, a3: u64) -> Cannon {
    let mut m = syscall_machine(number, args);
    step_expect(&mut m, |t| {
        t.registers[2] = v0;
        t.registers[7] = a3;
    });
    m
}

#[test]
fn syscalls_mmap_brk_and_noops() {
    let m = syscall_returns(SYS_MMAP, [0, 0x1001, 0], 0x1000_0000_0000, 0);
    assert_eq!(m.state.heap, 0x1000_0000_2000);
    let m = syscall_returns(SYS_MMAP, [0x7000, 0x1000, 0], 0x7000, 0);
    assert_eq!(
        m.state.heap, 0x1000_0000_0000,
        "a hinted mmap leaves the heap"
    );
    let mut m = syscall_machine(SYS_MMAP, [0, 0x5000_0000_0001, 0]);
    step_expect(&mut m, |t| {
        t.registers[2] = EINVAL;
        t.registers[7] = u64::MAX;
    });
    assert_eq!(m.state.heap, 0x1000_0000_0000);
    syscall_returns(SYS_BRK, [0; 3], 0x4000_0000_0000, 0);
    for n in NOOP_SYSCALLS {
        syscall_returns(n, [1, 2, 3], 0, 0);
    }
    syscall_returns(SYS_GETPID, [0; 3], 0, 0);
    syscall_returns(SYS_GETTID, [0; 3], 0, 0);
    syscall_returns(SYS_OPEN, [0; 3], EBADF, u64::MAX);
    syscall_returns(SYS_EVENTFD2, [0, 0x80, 0], 100, 0);
    syscall_returns(SYS_EVENTFD2, [0, 0, 0], EINVAL, u64::MAX);
    syscall_returns(SYS_FCNTL, [5, 1, 0], 0, 0);
    syscall_returns(SYS_FCNTL, [6, 3, 0], 1, 0);
    syscall_returns(SYS_FCNTL, [3, 3, 0], 0, 0);
    syscall_returns(SYS_FCNTL, [100, 1, 0], EBADF, u64::MAX);
    syscall_returns(SYS_FCNTL, [1, 2, 0], EINVAL, u64::MAX);
    for unsupported in [5020u64, 5057, 0, 4001, 6000] {
        let mut m = syscall_machine(unsupported, [0; 3]);
        assert_eq!(
            m.step(&mut Oracle::default()),
            Err(VmError::UnsupportedSyscall {
                pc: BASE,
                number: unsupported
            })
        );
    }
}

#[test]
fn syscalls_read_write_fds() {
    syscall_returns(SYS_READ, [FD_STDIN, DATA, 8], 0, 0);
    syscall_returns(SYS_READ, [FD_HINT_READ, DATA, 100], 100, 0);
    syscall_returns(SYS_READ, [FD_EVENTFD, DATA, 8], EAGAIN, u64::MAX);
    syscall_returns(SYS_READ, [9, DATA, 8], EBADF, u64::MAX);
    syscall_returns(SYS_WRITE, [FD_STDOUT, DATA, 100], 100, 0);
    syscall_returns(SYS_WRITE, [FD_STDERR, DATA, 3], 3, 0);
    syscall_returns(SYS_WRITE, [FD_EVENTFD, DATA, 8], EAGAIN, u64::MAX);
    syscall_returns(SYS_WRITE, [0, DATA, 8], EBADF, u64::MAX);
}

#[test]
fn hints_are_collected_across_writes() {
    let mut m = machine(&[SYSCALL, SYSCALL]);
    let hint = b"l1-block-header 0x01";
    let mut bytes = (hint.len() as u32).to_be_bytes().to_vec();
    bytes.extend_from_slice(hint);
    m.state.memory.write(DATA, &bytes);
    set(&mut m, 2, SYS_WRITE);
    set(&mut m, 4, FD_HINT_WRITE);
    set(&mut m, 5, DATA);
    set(&mut m, 6, 10);
    let mut oracle = Oracle::default();
    m.step(&mut oracle).unwrap();
    assert!(oracle.hints.is_empty());
    assert_eq!(m.state.last_hint.len(), 10);
    set(&mut m, 2, SYS_WRITE);
    set(&mut m, 5, DATA + 10);
    set(&mut m, 6, bytes.len() as u64 - 10);
    m.step(&mut oracle).unwrap();
    assert_eq!(oracle.hints, vec![hint.to_vec()]);
    assert!(m.state.last_hint.is_empty());
    assert_eq!(thread(&m).registers[2], bytes.len() as u64 - 10);
}

#[test]
fn preimage_key_write_and_read() {
    let preimage = b"the quick brown fox jumps over the lazy dog".to_vec();
    let mut key = keccak256(&preimage);
    key[0] = 2;
    // Write the key in 8-byte chunks from an unaligned buffer (the last chunk is cut at the
    // doubleword boundary), then read.
    let mut m = machine(&[SYSCALL; 16]);
    let mut oracle = Oracle::default();
    oracle.preimages.insert(key, preimage.clone());
    let buf = DATA + 3;
    m.state.memory.write(buf, key.as_slice());
    m.state.preimage_offset = 77;
    let mut written = 0u64;
    while written < 32 {
        set(&mut m, 2, SYS_WRITE);
        set(&mut m, 4, FD_PREIMAGE_WRITE);
        set(&mut m, 5, buf + written);
        set(&mut m, 6, 32 - written);
        m.step(&mut oracle).unwrap();
        let n = thread(&m).registers[2];
        assert_eq!(
            n,
            (8 - ((buf + written) & 7)).min(32 - written),
            "at most up to the doubleword end"
        );
        written += n;
    }
    assert_eq!(m.state.preimage_key, key);
    assert_eq!(m.state.preimage_offset, 0);
    // Read: the first 8 bytes are the big-endian length; ask 16 bytes at an address 5 bytes
    // into a doubleword: 3 bytes come.
    let out = DATA + 0x105;
    set(&mut m, 2, SYS_READ);
    set(&mut m, 4, FD_PREIMAGE_READ);
    set(&mut m, 5, out);
    set(&mut m, 6, 16);
    m.state.memory.write(DATA + 0x100, &[0xEE; 8]);
    m.step(&mut oracle).unwrap();
    assert_eq!(thread(&m).registers[2], 3);
    assert_eq!(m.state.preimage_offset, 3);
    let mut got = [0u8; 8];
    m.state.memory.read(DATA + 0x100, &mut got);
    let mut full = (preimage.len() as u64).to_be_bytes().to_vec();
    full.extend_from_slice(&preimage);
    assert_eq!(&got[5..8], &full[0..3]);
    assert_eq!(&got[..5], &[0xEE; 5]);
    // Read the rest 8 bytes at a time into an aligned buffer.
    let mut collected = full[..3].to_vec();
    let mut at = DATA + 0x200;
    while (collected.len() as u64) < full.len() as u64 {
        set(&mut m, 2, SYS_READ);
        set(&mut m, 4, FD_PREIMAGE_READ);
        set(&mut m, 5, at);
        set(&mut m, 6, 8);
        m.step(&mut oracle).unwrap();
        let n = thread(&m).registers[2] as usize;
        assert!(n > 0 && n <= 8);
        let mut chunk = vec![0u8; n];
        m.state.memory.read(at, &mut chunk);
        collected.extend_from_slice(&chunk);
        at += 8;
    }
    assert_eq!(collected, full);
    // Reading at the end is the out-of-bounds exception.
    set(&mut m, 2, SYS_READ);
    set(&mut m, 5, at);
    let err = m.step(&mut oracle).unwrap_err();
    assert_eq!(
        err,
        VmError::PreimageOffsetOutOfBounds {
            key,
            offset: full.len() as u64,
            len: full.len() as u64
        }
    );
}

#[test]
fn preimage_not_matching_its_keccak_key_is_refused() {
    let mut key = keccak256(b"real");
    key[0] = 2;
    let mut oracle = Oracle::default();
    oracle.preimages.insert(key, b"forged".to_vec());
    let mut m = syscall_machine(SYS_READ, [FD_PREIMAGE_READ, DATA, 8]);
    m.state.preimage_key = key;
    assert_eq!(
        m.step(&mut oracle),
        Err(VmError::Oracle(OracleError::Mismatch(key)))
    );
    let mut m = syscall_machine(SYS_READ, [FD_PREIMAGE_READ, DATA, 8]);
    m.state.preimage_key = B256::repeat_byte(0x02);
    assert!(matches!(
        m.step(&mut Oracle::default()),
        Err(VmError::Oracle(OracleError::NotFound(_)))
    ));
}

#[test]
fn clock_gettime_and_getrandom() {
    // step 12_345_678 → 1 s and 234_567_800 ns (the step counts the syscall itself).
    let mut m = syscall_machine(SYS_CLOCK_GETTIME, [CLOCK_MONOTONIC, DATA + 3, 0]);
    m.state.step = 12_345_677;
    step_expect(&mut m, |t| {
        t.registers[2] = 0;
        t.registers[7] = 0;
    });
    assert_eq!(m.state.memory.read_u64_be(DATA), 1);
    assert_eq!(m.state.memory.read_u64_be(DATA + 8), 234_567_800);
    let mut m = syscall_machine(SYS_CLOCK_GETTIME, [CLOCK_REALTIME, DATA, 0]);
    m.state.memory.write_u64_be(DATA, 5);
    m.state.step = 99_999_999;
    m.step(&mut Oracle::default()).unwrap();
    assert_eq!(
        (
            m.state.memory.read_u64_be(DATA),
            m.state.memory.read_u64_be(DATA + 8)
        ),
        (0, 0)
    );
    syscall_returns(SYS_CLOCK_GETTIME, [2, DATA, 0], EINVAL, u64::MAX);

    // getrandom: splitmix64(step) bytes at their own positions in the doubleword.
    let mut m = syscall_machine(SYS_GETRANDOM, [DATA + 2, 100, 0]);
    m.state.memory.write_u64_be(DATA, 0x1111_1111_1111_1111);
    m.state.step = 41;
    step_expect(&mut m, |t| {
        t.registers[2] = 6;
        t.registers[7] = 0;
    });
    let random = splitmix64(42);
    assert_eq!(
        m.state.memory.read_u64_be(DATA),
        (0x1111u64 << 48) | (random & 0x0000_FFFF_FFFF_FFFF)
    );
    // Reference value of splitmix64 (prng.di.unimi.it, seed 0 → 0xE220A8397B1DCDAF).
    assert_eq!(splitmix64(0), 0xE220_A839_7B1D_CDAF);
    let mut m = syscall_machine(SYS_GETRANDOM, [DATA + 1, 2, 0]);
    m.state.step = 41;
    m.step(&mut Oracle::default()).unwrap();
    assert_eq!(
        m.state.memory.read_u64_be(DATA),
        random & 0x00FF_FF00_0000_0000
    );
    // Version 7: a no-op.
    let mut state = CannonState::new(BASE);
    state.memory.write(BASE, &SYSCALL.to_be_bytes());
    state.left_thread_stack[0].registers[2] = SYS_GETRANDOM;
    state.left_thread_stack[0].registers[4] = DATA;
    state.left_thread_stack[0].registers[5] = 8;
    let mut m = Cannon::new(state, StateVersion::MultiThreaded64V4);
    step_expect(&mut m, |t| {
        t.registers[2] = 0;
        t.registers[7] = 0;
    });
    assert_eq!(m.state.memory.read_u64_be(DATA), 0);
}

#[test]
fn futex() {
    let mut m = syscall_machine(SYS_FUTEX, [DATA + 4, FUTEX_WAIT_PRIVATE, 7]);
    m.state.memory.write_u64_be(DATA, 0x0000_0009_0000_0007);
    // The value matches: yield (preempt to the right stack, which becomes active).
    m.step(&mut Oracle::default()).unwrap();
    assert!(m.state.traverse_right);
    assert_eq!(m.state.right_thread_stack.len(), 1);
    assert_eq!(m.state.steps_since_last_context_switch, 0);
    let t = thread(&m);
    assert_eq!((t.pc, t.registers[2], t.registers[7]), (BASE + 4, 0, 0));
    // A different value: EAGAIN.
    syscall_returns(SYS_FUTEX, [DATA, FUTEX_WAIT_PRIVATE, 7], EAGAIN, u64::MAX);
    // Wake yields; other ops are EINVAL.
    let mut m = syscall_machine(SYS_FUTEX, [DATA, FUTEX_WAKE_PRIVATE, 1]);
    m.step(&mut Oracle::default()).unwrap();
    assert!(m.state.traverse_right);
    syscall_returns(SYS_FUTEX, [DATA, 0, 0], EINVAL, u64::MAX);
}

#[test]
fn threads_clone_schedule_and_exit() {
    // clone, then both threads run `sched_yield` forever.
    let mut m = machine(&[SYSCALL, NOP, SYSCALL, j(2, BASE + 8), NOP]);
    set(&mut m, 2, SYS_CLONE);
    set(&mut m, 4, VALID_CLONE_FLAGS);
    set(&mut m, 5, 0x7000_0000);
    set(&mut m, 29, 0x6000_0000);
    let parent_before = thread(&m);
    m.state.steps_since_last_context_switch = 10;
    m.step(&mut Oracle::default()).unwrap();
    assert_eq!(m.state.left_thread_stack.len(), 2);
    assert_eq!(m.state.next_thread_id, 2);
    assert_eq!(m.state.steps_since_last_context_switch, 0);
    let child = thread(&m);
    let parent = m.state.left_thread_stack[0].clone();
    assert_eq!(child.thread_id, 1);
    assert_eq!((child.pc, child.next_pc), (BASE + 4, BASE + 8));
    assert_eq!(
        (child.registers[29], child.registers[2], child.registers[7]),
        (0x7000_0000, 0, 0)
    );
    assert_eq!(
        (parent.pc, parent.registers[2], parent.registers[7]),
        (BASE + 4, 1, 0)
    );
    assert_eq!(parent.registers[29], parent_before.registers[29]);
    // Invalid clone flags: the VM panics (exit code 2).
    let mut m = syscall_machine(SYS_CLONE, [0x11, 0, 0]);
    m.step(&mut Oracle::default()).unwrap();
    assert_eq!(
        (m.state.exited, m.state.exit_code, m.status()),
        (true, 2, VmStatus::Panic)
    );

    // Forced preemption at the quantum: the step preempts without executing.
    let mut m = machine(&[NOP]);
    m.state
        .left_thread_stack
        .insert(0, ThreadState::new(5, BASE));
    m.state.steps_since_last_context_switch = 100_000;
    let top = thread(&m);
    m.step(&mut Oracle::default()).unwrap();
    assert_eq!(m.state.right_thread_stack, vec![top], "moved, not executed");
    assert!(!m.state.traverse_right, "the left stack still has a thread");
    assert_eq!(thread(&m).thread_id, 5);
    assert_eq!(m.state.steps_since_last_context_switch, 0);
    assert_eq!(m.state.step, 1);
    // Preempting the last thread of a stack flips direction.
    m.state.steps_since_last_context_switch = 100_000;
    m.step(&mut Oracle::default()).unwrap();
    assert!(m.state.traverse_right);
    assert_eq!(thread(&m).thread_id, 5, "the last pushed is on top");

    // exit with another thread alive: the thread exits, the VM does not; the next step on it
    // pops it.
    let mut m = syscall_machine(SYS_EXIT, [3, 0, 0]);
    m.state
        .left_thread_stack
        .insert(0, ThreadState::new(9, BASE));
    m.step(&mut Oracle::default()).unwrap();
    assert!(!m.state.exited);
    assert!(thread(&m).exited);
    assert_eq!(thread(&m).exit_code, 3);
    assert_eq!(thread(&m).pc, BASE, "exit does not advance the pc");
    m.step(&mut Oracle::default()).unwrap();
    assert_eq!(m.state.left_thread_stack.len(), 1);
    assert_eq!(thread(&m).thread_id, 9);
    // exit of the last thread exits the VM.
    let mut m = syscall_machine(SYS_EXIT, [1, 0, 0]);
    m.step(&mut Oracle::default()).unwrap();
    assert_eq!(
        (m.state.exited, m.state.exit_code, m.status()),
        (true, 1, VmStatus::Invalid)
    );
    // exit_group exits at once; further steps change nothing.
    let mut m = syscall_machine(SYS_EXIT_GROUP, [0, 0, 0]);
    m.state
        .left_thread_stack
        .insert(0, ThreadState::new(9, BASE));
    m.step(&mut Oracle::default()).unwrap();
    assert_eq!((m.state.exited, m.status()), (true, VmStatus::Valid));
    let hash = m.state.state_hash();
    m.step(&mut Oracle::default()).unwrap();
    assert_eq!(m.state.step, 1);
    assert_eq!(m.state.state_hash(), hash);
    assert_eq!(hash[0], 0);
    // sched_yield and nanosleep preempt and return 0.
    for n in [SYS_SCHED_YIELD, SYS_NANOSLEEP] {
        let mut m = syscall_machine(n, [0; 3]);
        m.step(&mut Oracle::default()).unwrap();
        assert!(m.state.traverse_right);
        assert_eq!((thread(&m).registers[2], thread(&m).pc), (0, BASE + 4));
    }
}

#[test]
fn misaligned_pc_is_an_exception() {
    let mut m = machine(&[NOP]);
    m.state.left_thread_stack[0].pc = BASE + 2;
    assert!(matches!(
        m.step(&mut Oracle::default()),
        Err(VmError::Exception(_))
    ));
}

// --- ELF loading ---------------------------------------------------------------------------

/// A minimal ELF64: header, `segments` program headers (type, vaddr, file bytes, mem size).
fn elf(
    class: u8,
    data: u8,
    machine: u16,
    entry: u64,
    segments: &[(u32, u64, &[u8], u64)],
) -> Vec<u8> {
    let mut out = vec![0u8; 64];
    out[..4].copy_from_slice(b"\x7fELF");
    out[4] = class;
    out[5] = data;
    out[6] = 1;
    out[16..18].copy_from_slice(&2u16.to_be_bytes());
    out[18..20].copy_from_slice(&machine.to_be_bytes());
    out[24..32].copy_from_slice(&entry.to_be_bytes());
    out[32..40].copy_from_slice(&64u64.to_be_bytes());
    out[54..56].copy_from_slice(&56u16.to_be_bytes());
    out[56..58].copy_from_slice(&(segments.len() as u16).to_be_bytes());
    let mut data_at = 64 + 56 * segments.len() as u64;
    let mut blobs = Vec::new();
    for (kind, vaddr, bytes, mem) in segments {
        let mut ph = vec![0u8; 56];
        ph[..4].copy_from_slice(&kind.to_be_bytes());
        ph[8..16].copy_from_slice(&data_at.to_be_bytes());
        ph[16..24].copy_from_slice(&vaddr.to_be_bytes());
        ph[32..40].copy_from_slice(&(bytes.len() as u64).to_be_bytes());
        ph[40..48].copy_from_slice(&mem.to_be_bytes());
        out.extend_from_slice(&ph);
        blobs.extend_from_slice(bytes);
        data_at += bytes.len() as u64;
    }
    out.extend_from_slice(&blobs);
    out
}

#[test]
fn load_elf_builds_the_prestate() {
    use koa_vm::cannon::elf::load_elf;
    let code: Vec<u8> = [i(0x09, 0, 2, 5205), SYSCALL]
        .iter()
        .flat_map(|w| w.to_be_bytes())
        .collect();
    let image = elf(
        2,
        2,
        8,
        0x12_0000,
        &[
            (1, 0x12_0000, &code, 0x3000),
            (0x7000_0003, 0x0, b"ABIFLAGS", 8),
            (4, 0x13_0000, b"note", 4),
        ],
    );
    let mut state = load_elf(&image).expect("load");
    let t = state.active_thread().unwrap().clone();
    assert_eq!((t.thread_id, t.pc, t.next_pc), (0, 0x12_0000, 0x12_0004));
    assert_eq!(t.registers[29], 0x7FFF_FFFF_F000);
    assert_eq!(state.heap, 0x1000_0000_0000);
    assert_eq!(state.memory.read_u64_be(0x12_0000), 0x2402_1455_0000_000C);
    let mut note = [0u8; 4];
    state.memory.read(0x13_0000, &mut note);
    assert_eq!(
        &note, b"note",
        "non-PT_LOAD segments are copied as Cannon does"
    );
    assert_eq!(state.memory.read_u64_be(0), 0, "ABIFLAGS are skipped");
    // The stack: argc, argv[0], 0, envp[0], 0, AT_PAGESZ 4096, AT_RANDOM → 16 bytes.
    let sp = 0x7FFF_FFFF_F000u64;
    let word = |s: &mut CannonState, n: u64| s.memory.read_u64_be(sp + 8 * n);
    assert_eq!(word(&mut state, 0), 1);
    assert_eq!(
        (
            word(&mut state, 5),
            word(&mut state, 6),
            word(&mut state, 7)
        ),
        (6, 4096, 25)
    );
    let random_at = word(&mut state, 8);
    let mut random = [0u8; 16];
    state.memory.read(random_at, &mut random);
    assert_eq!(&random, b"4;byfairdiceroll");
    let argv0 = word(&mut state, 1);
    let mut name = [0u8; 11];
    state.memory.read(argv0, &mut name);
    assert_eq!(&name, b"op-program\0");
    let envp0 = word(&mut state, 3);
    let mut env = [0u8; 25];
    state.memory.read(envp0, &mut env);
    assert_eq!(&env, b"GODEBUG=memprofilerate=0\0");
    // The same ELF always gives the same prestate hash; the program runs to exit_group(0).
    let hash = state.state_hash();
    assert_eq!(load_elf(&image).unwrap().state_hash(), hash);
    assert_eq!(hash[0], VmStatus::Unfinished as u8);
    let mut m = Cannon::new(state, StateVersion::DEFAULT);
    m.run(&mut Oracle::default(), 10).unwrap();
    assert_eq!(
        (m.state.exited, m.state.exit_code, m.state.step),
        (true, 0, 2)
    );
}

#[test]
fn load_elf_rejects_other_machines_and_bad_files() {
    use koa_vm::cannon::elf::load_elf;
    let ok: &[(u32, u64, &[u8], u64)] = &[(1, 0x1000, &[0; 8], 8)];
    for (name, image) in [
        ("risc-v", elf(2, 2, 243, 0x1000, ok)),
        ("32-bit", elf(1, 2, 8, 0x1000, ok)),
        ("little-endian", elf(2, 1, 8, 0x1000, ok)),
        ("not elf", b"#!/bin/sh\necho hi\n".to_vec()),
        ("empty", Vec::new()),
        ("truncated", elf(2, 2, 8, 0x1000, ok)[..80].to_vec()),
        (
            "into the heap",
            elf(2, 2, 8, 0x1000, &[(1, 0x0FFF_FFFF_F000, &[0; 8], 0x2000)]),
        ),
        (
            "file > mem",
            elf(2, 2, 8, 0x1000, &[(1, 0x1000, &[0; 16], 8)]),
        ),
        (
            "bss outside PT_LOAD",
            elf(2, 2, 8, 0x1000, &[(4, 0x1000, &[0; 8], 16)]),
        ),
    ] {
        let err = load_elf(&image).expect_err(name);
        assert!(matches!(err, VmError::InvalidProgram(_)), "{name}: {err}");
    }
    // A segment whose data lies past the end of the file.
    let mut image = elf(2, 2, 8, 0x1000, ok);
    image.truncate(image.len() - 4);
    assert!(matches!(load_elf(&image), Err(VmError::InvalidProgram(_))));
}

// --- state files ---------------------------------------------------------------------------

#[test]
fn binary_state_round_trips_and_corrupt_files_are_typed_errors() {
    use koa_vm::cannon::file::{decode_state, encode_state, gunzip, gzip};
    let mut m = machine(&[SYSCALL, NOP]);
    set(&mut m, 2, SYS_CLONE);
    set(&mut m, 4, VALID_CLONE_FLAGS);
    m.step(&mut Oracle::default()).unwrap();
    m.state.last_hint = vec![0, 0, 0, 9, b'a'];
    m.state.preimage_key = B256::repeat_byte(7);
    m.state.ll_reservation_status = 2;
    m.state.memory.write(0x7FFF_0000_0000, b"far away");
    let bytes = encode_state(&m.state, StateVersion::DEFAULT);
    assert_eq!(bytes[0], 8);
    let (version, mut decoded) = decode_state(&bytes).unwrap();
    assert_eq!(version, StateVersion::DEFAULT);
    assert_eq!(decoded.state_hash(), m.state.state_hash());
    assert_eq!(decoded.left_thread_stack, m.state.left_thread_stack);
    assert_eq!(decoded.last_hint, m.state.last_hint);
    assert_eq!(encode_state(&decoded, version), bytes);
    // gzip round trip, and a flipped byte in the compressed stream is caught.
    let zipped = gzip(&bytes);
    assert_eq!(gunzip(&zipped).unwrap(), bytes);
    let mut bad = zipped;
    let mid = bad.len() / 2;
    bad[mid] ^= 0x40;
    assert!(matches!(gunzip(&bad), Err(VmError::InvalidState(_))));
    assert!(matches!(gunzip(b"plain"), Err(VmError::InvalidState(_))));
    // Corrupt binaries.
    let mut wrong_version = bytes.clone();
    wrong_version[0] = 6;
    let mut bad_bool = bytes.clone();
    // After `exited`: step, steps since switch, traverse, next id, left (2 threads), right (0), hint.
    let exited_at = bytes.len() - (8 + 8 + 1 + 8 + (8 + 2 * 298) + 8 + (8 + 5)) - 1;
    assert_eq!(bytes[exited_at], 0);
    bad_bool[exited_at] = 5;
    let mut huge_count = bytes.clone();
    huge_count[1..9].copy_from_slice(&u64::MAX.to_be_bytes());
    let mut trailing = bytes.clone();
    trailing.push(0);
    for (name, file) in [
        ("empty", Vec::new()),
        ("version", wrong_version),
        ("truncated", bytes[..bytes.len() - 1].to_vec()),
        ("page count", huge_count),
        ("exited flag", bad_bool),
        ("trailing", trailing),
    ] {
        let err = decode_state(&file)
            .err()
            .unwrap_or_else(|| panic!("{name} decoded"));
        assert!(matches!(err, VmError::InvalidState(_)), "{name}: {err}");
    }
}

// --- the static instruction table agrees with the machine ------------------------------------

#[test]
fn isa_table_matches_the_machine() {
    use koa_vm::cannon::isa::{Support, classify};
    let mut words = Vec::new();
    for op in 0..64u32 {
        words.push((op << 26) | r(T0, T1, T2, 1, 0));
    }
    for fun in 0..64u32 {
        if fun != 0x0C {
            words.push(r(T0, T1, T2, 1, fun));
        }
        words.push(special2(T0, T1, T2, fun));
    }
    for rt in 0..32u32 {
        words.push(i(1, T0, rt, 4));
    }
    for insn in words {
        let mut m = machine(&[insn]);
        set(&mut m, T0, DATA);
        set(&mut m, T1, 3);
        let result = m.step(&mut Oracle::default());
        match classify(insn) {
            Support::Invalid(_) => assert_eq!(
                result,
                Err(VmError::InvalidInstruction { pc: BASE, insn }),
                "{insn:#010x}"
            ),
            Support::Implemented => assert!(result.is_ok(), "{insn:#010x}: {result:?}"),
            Support::NotTakenBranch => {
                assert!(result.is_ok(), "{insn:#010x}");
                assert_eq!(thread(&m).next_pc, BASE + 8, "{insn:#010x}: not taken");
            }
        }
    }
    assert_eq!(classify(0x0417_0001), Support::NotTakenBranch);
    assert_eq!(classify(0x0000_000D), Support::Invalid("break"));
}
