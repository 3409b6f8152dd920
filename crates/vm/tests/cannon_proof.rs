//! Step proofs of koa's Cannon machine checked by an independent verifier.
//!
//! The verifier below is written from `MIPS64.sol`'s `step` (state unpacking, thread witness
//! check, memory proofs read and written leaf-first, the instruction, the thread roots, the
//! status byte). It shares no code with the machine: only the witness bytes pass between them.
//! It implements the instructions and syscalls these tests use; anything else is an error.

use std::collections::HashMap;

use alloy_primitives::{B256, keccak256};
use koa_vm::{
    FaultProofVm, OracleError, PreimageOracle, StepWitness,
    cannon::{Cannon, CannonState, StateVersion, ThreadState},
};

// ---------------------------------------------------------------------------------------------
// The verifier
// ---------------------------------------------------------------------------------------------

const EMPTY_ROOT: [u8; 32] = [
    0xad, 0x32, 0x28, 0xb6, 0x76, 0xf7, 0xd3, 0xcd, 0x42, 0x84, 0xa5, 0x44, 0x3f, 0x17, 0xf1, 0x96,
    0x2b, 0x36, 0xe4, 0x91, 0xb3, 0x0a, 0x40, 0xb2, 0x40, 0x58, 0x49, 0xe5, 0x97, 0xba, 0x5f, 0xb5,
];
const THREAD_PROOF: usize = 0;
const MEM_PROOF: usize = 298 + 32;
const PROOF_LEN: usize = 60 * 32;

#[derive(Clone)]
struct VState {
    mem_root: [u8; 32],
    preimage_key: [u8; 32],
    preimage_offset: u64,
    heap: u64,
    ll_status: u8,
    ll_address: u64,
    ll_owner: u64,
    exit_code: u8,
    exited: u8,
    step: u64,
    ssl: u64,
    traverse_right: u8,
    left: [u8; 32],
    right: [u8; 32],
    next_thread_id: u64,
}

#[derive(Clone)]
struct VThread {
    id: u64,
    exit_code: u8,
    exited: u8,
    pc: u64,
    next_pc: u64,
    lo: u64,
    hi: u64,
    regs: [u64; 32],
}

fn be64(b: &[u8], at: usize) -> u64 {
    let mut w = [0u8; 8];
    w.copy_from_slice(&b[at..at + 8]);
    u64::from_be_bytes(w)
}

fn h2(a: &[u8], b: &[u8]) -> [u8; 32] {
    let mut buf = Vec::with_capacity(64);
    buf.extend_from_slice(a);
    buf.extend_from_slice(b);
    keccak256(buf).0
}

impl VState {
    fn unpack(s: &[u8]) -> Self {
        assert_eq!(s.len(), 188);
        let mut c = 0;
        let mut take = |n: usize| {
            let out = &s[c..c + n];
            c += n;
            out
        };
        let b32 = |x: &[u8]| -> [u8; 32] { x.try_into().unwrap() };
        let u64v = |x: &[u8]| be64(x, 0);
        Self {
            mem_root: b32(take(32)),
            preimage_key: b32(take(32)),
            preimage_offset: u64v(take(8)),
            heap: u64v(take(8)),
            ll_status: take(1)[0],
            ll_address: u64v(take(8)),
            ll_owner: u64v(take(8)),
            exit_code: take(1)[0],
            exited: take(1)[0],
            step: u64v(take(8)),
            ssl: u64v(take(8)),
            traverse_right: take(1)[0],
            left: b32(take(32)),
            right: b32(take(32)),
            next_thread_id: u64v(take(8)),
        }
    }

    fn output(&self) -> [u8; 32] {
        let mut out = Vec::new();
        out.extend_from_slice(&self.mem_root);
        out.extend_from_slice(&self.preimage_key);
        out.extend_from_slice(&self.preimage_offset.to_be_bytes());
        out.extend_from_slice(&self.heap.to_be_bytes());
        out.push(self.ll_status);
        out.extend_from_slice(&self.ll_address.to_be_bytes());
        out.extend_from_slice(&self.ll_owner.to_be_bytes());
        out.push(self.exit_code);
        out.push(self.exited);
        out.extend_from_slice(&self.step.to_be_bytes());
        out.extend_from_slice(&self.ssl.to_be_bytes());
        out.push(self.traverse_right);
        out.extend_from_slice(&self.left);
        out.extend_from_slice(&self.right);
        out.extend_from_slice(&self.next_thread_id.to_be_bytes());
        let status = if self.exited == 1 {
            match self.exit_code {
                0 => 0,
                1 => 1,
                _ => 2,
            }
        } else {
            3
        };
        let mut hash = keccak256(out).0;
        hash[0] = status;
        hash
    }

    fn active(&mut self) -> &mut [u8; 32] {
        if self.traverse_right == 1 {
            &mut self.right
        } else {
            &mut self.left
        }
    }

    fn inactive(&mut self) -> &mut [u8; 32] {
        if self.traverse_right == 1 {
            &mut self.left
        } else {
            &mut self.right
        }
    }
}

impl VThread {
    fn unpack(b: &[u8]) -> Self {
        let mut regs = [0u64; 32];
        for (i, r) in regs.iter_mut().enumerate() {
            *r = be64(b, 42 + 8 * i);
        }
        Self {
            id: be64(b, 0),
            exit_code: b[8],
            exited: b[9],
            pc: be64(b, 10),
            next_pc: be64(b, 18),
            lo: be64(b, 26),
            hi: be64(b, 34),
            regs,
        }
    }

    fn hash(&self) -> [u8; 32] {
        let mut out = Vec::new();
        out.extend_from_slice(&self.id.to_be_bytes());
        out.push(self.exit_code);
        out.push(self.exited);
        for w in [self.pc, self.next_pc, self.lo, self.hi] {
            out.extend_from_slice(&w.to_be_bytes());
        }
        for r in self.regs {
            out.extend_from_slice(&r.to_be_bytes());
        }
        keccak256(out).0
    }
}

struct Verifier<'a> {
    st: VState,
    th: VThread,
    inner: [u8; 32],
    proof: &'a [u8],
    preimages: &'a HashMap<[u8; 32], Vec<u8>>,
}

type V<T> = Result<T, String>;

fn sext(v: u64, bits: u32) -> u64 {
    let shift = 64 - bits;
    (((v << shift) as i64) >> shift) as u64
}

impl Verifier<'_> {
    fn mem_proof(&self, index: usize) -> &[u8] {
        let at = MEM_PROOF + index * PROOF_LEN;
        &self.proof[at..at + PROOF_LEN]
    }

    fn fold(&self, addr: u64, leaf: [u8; 32], index: usize) -> [u8; 32] {
        let p = self.mem_proof(index);
        let path = addr >> 5;
        let mut node = leaf;
        for i in 0..59 {
            let sib = &p[32 * (i + 1)..32 * (i + 2)];
            node = if (path >> i) & 1 == 0 {
                h2(&node, sib)
            } else {
                h2(sib, &node)
            };
        }
        node
    }

    fn read_mem(&self, addr: u64, index: usize) -> V<u64> {
        if addr & 7 != 0 {
            return Err("unaligned".into());
        }
        let leaf: [u8; 32] = self.mem_proof(index)[..32].try_into().unwrap();
        if self.fold(addr, leaf, index) != self.st.mem_root {
            return Err(format!("invalid memory proof {index} for {addr:#x}"));
        }
        Ok(be64(&leaf, (addr & 31) as usize))
    }

    fn write_mem(&mut self, addr: u64, index: usize, value: u64) {
        let mut leaf: [u8; 32] = self.mem_proof(index)[..32].try_into().unwrap();
        let at = (addr & 31) as usize;
        leaf[at..at + 8].copy_from_slice(&value.to_be_bytes());
        self.st.mem_root = self.fold(addr, leaf, index);
    }

    fn mem_updated(&mut self, addr: u64) {
        if addr == self.st.ll_address & !7 {
            self.st.ll_status = 0;
            self.st.ll_address = 0;
            self.st.ll_owner = 0;
        }
    }

    fn update_thread_root(&mut self) {
        let root = h2(&self.inner, &self.th.hash());
        *self.st.active() = root;
    }

    fn preempt(&mut self) {
        let inner = self.inner;
        let th = self.th.hash();
        *self.st.active() = inner;
        let other = h2(self.st.inactive(), &th);
        *self.st.inactive() = other;
        if *self.st.active() == EMPTY_ROOT {
            self.st.traverse_right ^= 1;
        }
        self.st.ssl = 0;
    }

    fn advance(&mut self) {
        self.th.pc = self.th.next_pc;
        self.th.next_pc = self.th.next_pc.wrapping_add(4);
    }

    fn set(&mut self, reg: u64, v: u64) {
        if reg != 0 {
            self.th.regs[reg as usize] = v;
        }
    }

    fn step(mut self) -> V<[u8; 32]> {
        if self.st.exited == 1 {
            return Ok(self.st.output());
        }
        if *self.st.active() == EMPTY_ROOT {
            return Err("active thread stack is empty".into());
        }
        self.st.step += 1;
        self.th = VThread::unpack(&self.proof[THREAD_PROOF..THREAD_PROOF + 298]);
        self.inner = self.proof[298..330].try_into().unwrap();
        if h2(&self.inner, &self.th.hash()) != *self.st.active() {
            return Err("invalid thread witness".into());
        }
        if self.th.exited == 1 {
            let inner = self.inner;
            *self.st.active() = inner;
            if inner == EMPTY_ROOT {
                self.st.traverse_right ^= 1;
            }
            self.st.ssl = 0;
            return Ok(self.st.output());
        }
        if self.st.ssl >= 100_000 {
            self.preempt();
            return Ok(self.st.output());
        }
        self.st.ssl += 1;
        if self.th.pc & 3 != 0 {
            return Err("invalid pc".into());
        }
        let word = self.read_mem(self.th.pc & !7, 0)?;
        let insn = if self.th.pc & 4 == 0 {
            (word >> 32) as u32
        } else {
            word as u32
        };
        let op = insn >> 26;
        let fun = insn & 0x3F;
        let rs_r = ((insn >> 21) & 31) as u64;
        let rt_r = ((insn >> 16) & 31) as u64;
        let rd_r = ((insn >> 11) & 31) as u64;
        let imm = sext((insn & 0xFFFF) as u64, 16);
        let rs = self.th.regs[rs_r as usize];
        let rt = self.th.regs[rt_r as usize];
        if op == 0 && fun == 0xC {
            return self.syscall();
        }
        match op {
            0x30 | 0x34 => {
                // ll / lld
                let addr = rs.wrapping_add(imm);
                let mem = self.read_mem(addr & !7, 1)?;
                let v = if op == 0x34 {
                    mem
                } else {
                    let w = if addr & 4 == 0 {
                        mem >> 32
                    } else {
                        mem & 0xFFFF_FFFF
                    };
                    sext(w, 32)
                };
                self.st.ll_status = if op == 0x34 { 2 } else { 1 };
                self.st.ll_address = addr;
                self.st.ll_owner = self.th.id;
                self.set(rt_r, v);
                self.advance();
            }
            0x38 | 0x3C => {
                let addr = rs.wrapping_add(imm);
                let want = if op == 0x3C { 2 } else { 1 };
                let ok = self.st.ll_status == want
                    && self.st.ll_owner == self.th.id
                    && self.st.ll_address == addr;
                if ok {
                    self.st.ll_status = 0;
                    self.st.ll_address = 0;
                    self.st.ll_owner = 0;
                    let mem = self.read_mem(addr & !7, 1)?;
                    let new = if op == 0x3C {
                        rt
                    } else if addr & 4 == 0 {
                        (mem & 0xFFFF_FFFF) | (rt << 32)
                    } else {
                        (mem & !0xFFFF_FFFF) | (rt & 0xFFFF_FFFF)
                    };
                    self.write_mem(addr & !7, 1, new);
                }
                self.set(rt_r, ok as u64);
                self.advance();
            }
            2 | 3 => {
                self.delay_check()?;
                let target = (self.th.next_pc & 0xFFFF_FFFF_F000_0000)
                    | (((insn & 0x03FF_FFFF) as u64) << 2);
                let prev = self.th.pc;
                self.th.pc = self.th.next_pc;
                self.th.next_pc = target;
                if op == 3 {
                    self.th.regs[31] = prev + 8;
                }
            }
            1 | 4..=7 => {
                self.delay_check()?;
                let s = rs as i64;
                let taken = match op {
                    4 => rs == rt,
                    5 => rs != rt,
                    6 => s <= 0,
                    7 => s > 0,
                    _ => match rt_r {
                        0 => s < 0,
                        1 => s >= 0,
                        0x10 | 0x11 => {
                            self.th.regs[31] = self.th.pc + 8;
                            if rt_r == 0x10 { s < 0 } else { s >= 0 }
                        }
                        _ => false,
                    },
                };
                let prev = self.th.pc;
                self.th.pc = self.th.next_pc;
                self.th.next_pc = if taken {
                    prev + 4 + (imm << 2)
                } else {
                    self.th.next_pc + 4
                };
            }
            0 => match fun {
                0x08 | 0x09 => {
                    self.delay_check()?;
                    let prev = self.th.pc;
                    self.th.pc = self.th.next_pc;
                    self.th.next_pc = rs;
                    if fun == 9 {
                        self.set(rd_r, prev + 8);
                    }
                }
                0x10 => {
                    let v = self.th.hi;
                    self.set(rd_r, v);
                    self.advance();
                }
                0x12 => {
                    let v = self.th.lo;
                    self.set(rd_r, v);
                    self.advance();
                }
                0x18 => {
                    let p = (rs as i32 as i64) * (rt as i32 as i64);
                    self.th.hi = sext((p as u64) >> 32, 32);
                    self.th.lo = sext(p as u64 & 0xFFFF_FFFF, 32);
                    self.advance();
                }
                0x1F => {
                    if rt == 0 {
                        return Err("division by zero".into());
                    }
                    self.th.hi = rs % rt;
                    self.th.lo = rs / rt;
                    self.advance();
                }
                0x21 => {
                    self.set(rd_r, sext((rs as u32).wrapping_add(rt as u32) as u64, 32));
                    self.advance();
                }
                0x2A => {
                    self.set(rd_r, ((rs as i64) < (rt as i64)) as u64);
                    self.advance();
                }
                0x00 => {
                    let sa = (insn >> 6) & 31;
                    self.set(rd_r, sext(((rt as u32) << sa) as u64, 32));
                    self.advance();
                }
                0x3F => {
                    let sa = ((insn >> 6) & 31) + 32;
                    self.set(rd_r, ((rt as i64) >> sa) as u64);
                    self.advance();
                }
                _ => return Err(format!("verifier: SPECIAL fun {fun:#x} not implemented")),
            },
            0x19 => {
                // daddiu
                self.set(rt_r, rs.wrapping_add(imm));
                self.advance();
            }
            0x1C if fun == 2 => {
                self.set(
                    rd_r,
                    sext((rs as i32).wrapping_mul(rt as i32) as u32 as u64, 32),
                );
                self.advance();
            }
            0x23 | 0x37 | 0x22 => {
                let addr = rs.wrapping_add(imm);
                let mem = self.read_mem(addr & !7, 1)?;
                let word = if addr & 4 == 0 {
                    mem >> 32
                } else {
                    mem & 0xFFFF_FFFF
                };
                let v = match op {
                    0x23 => sext(word, 32),
                    0x37 => mem,
                    _ => {
                        // lwl: bytes from addr to the end of its word, into the top of rt's word
                        let k = (addr & 3) * 8;
                        let merged = ((word << k) & 0xFFFF_FFFF) | (rt & ((1u64 << k) - 1));
                        sext(merged, 32)
                    }
                };
                self.set(rt_r, v);
                self.advance();
            }
            0x28 | 0x2B | 0x3F | 0x2E => {
                let addr = rs.wrapping_add(imm);
                let eff = addr & !7;
                let mem = self.read_mem(eff, 1)?;
                let mut bytes = mem.to_be_bytes();
                let at = (addr & 7) as usize;
                match op {
                    0x28 => bytes[at] = rt as u8,
                    0x2B => {
                        let w = at & 4;
                        bytes[w..w + 4].copy_from_slice(&(rt as u32).to_be_bytes());
                    }
                    0x3F => bytes = rt.to_be_bytes(),
                    _ => {
                        // swr: the low bytes of rt end at addr, within its word
                        let w = at & 4;
                        let k = at & 3;
                        let src = (rt as u32).to_be_bytes();
                        bytes[w..=w + k].copy_from_slice(&src[3 - k..]);
                    }
                }
                self.write_mem(eff, 1, u64::from_be_bytes(bytes));
                self.mem_updated(eff);
                self.advance();
            }
            _ => return Err(format!("verifier: opcode {op:#x} not implemented")),
        }
        self.update_thread_root();
        Ok(self.st.output())
    }

    fn delay_check(&self) -> V<()> {
        if self.th.next_pc != self.th.pc + 4 {
            Err("branch in delay slot".into())
        } else {
            Ok(())
        }
    }

    fn syscall(mut self) -> V<[u8; 32]> {
        let (n, a0, a1, a2) = (
            self.th.regs[2],
            self.th.regs[4],
            self.th.regs[5],
            self.th.regs[6],
        );
        let mut v0 = 0u64;
        let v1 = 0u64;
        match n {
            5009 => {
                let mut sz = a1;
                if sz & 4095 != 0 {
                    sz += 4096 - (sz & 4095);
                }
                if a0 == 0 {
                    v0 = self.st.heap;
                    self.st.heap += sz;
                } else {
                    v0 = a0;
                }
            }
            5023 => {
                self.th.regs[2] = 0;
                self.th.regs[7] = 0;
                self.advance();
                self.preempt();
                return Ok(self.st.output());
            }
            5055 => {
                if a0 != 0x50F00 {
                    return Err("verifier: bad clone flags not implemented".into());
                }
                v0 = self.st.next_thread_id;
                let mut child = self.th.clone();
                child.id = self.st.next_thread_id;
                child.exited = 0;
                child.exit_code = 0;
                child.pc = self.th.next_pc;
                child.next_pc = self.th.next_pc + 4;
                child.regs[29] = a1;
                child.regs[2] = 0;
                child.regs[7] = 0;
                self.st.next_thread_id += 1;
                self.th.regs[2] = v0;
                self.th.regs[7] = 0;
                self.advance();
                self.update_thread_root();
                let pushed = h2(self.st.active(), &child.hash());
                *self.st.active() = pushed;
                self.st.ssl = 0;
                return Ok(self.st.output());
            }
            5222 => {
                if a0 != 1 {
                    return Err("verifier: only CLOCK_MONOTONIC".into());
                }
                let secs = self.st.step / 10_000_000;
                let nsecs = (self.st.step % 10_000_000) * 100;
                let eff = a1 & !7;
                self.read_mem(eff, 1)?;
                self.write_mem(eff, 1, secs);
                self.mem_updated(eff);
                self.read_mem(eff + 8, 2)?;
                self.write_mem(eff + 8, 2, nsecs);
                self.mem_updated(eff + 8);
            }
            5000 if a0 == 5 => {
                let eff = a1 & !7;
                let mem = self.read_mem(eff, 1)?;
                let data = self
                    .preimages
                    .get(&self.st.preimage_key)
                    .ok_or("verifier: the preimage oracle lacks the key")?;
                let off = self.st.preimage_offset as usize;
                if off >= data.len() {
                    return Err("preimage offset out of bounds".into());
                }
                let align = (a1 & 7) as usize;
                let len = (data.len() - off).min(32).min(8 - align).min(a2 as usize);
                let mut bytes = mem.to_be_bytes();
                bytes[align..align + len].copy_from_slice(&data[off..off + len]);
                self.write_mem(eff, 1, u64::from_be_bytes(bytes));
                self.mem_updated(eff);
                self.st.preimage_offset += len as u64;
                v0 = len as u64;
            }
            5001 if a0 == 6 => {
                let eff = a1 & !7;
                let mem = self.read_mem(eff, 1)?;
                let align = (a1 & 7) as usize;
                let len = (a2 as usize).min(8 - align);
                let mut key = [0u8; 32];
                key[..32 - len].copy_from_slice(&self.st.preimage_key[len..]);
                key[32 - len..].copy_from_slice(&mem.to_be_bytes()[align..align + len]);
                self.st.preimage_key = key;
                self.st.preimage_offset = 0;
                v0 = len as u64;
            }
            _ => return Err(format!("verifier: syscall {n} not implemented")),
        }
        self.th.regs[2] = v0;
        self.th.regs[7] = v1;
        self.advance();
        self.update_thread_root();
        Ok(self.st.output())
    }
}

/// Replays a step from its witness; the post-state hash.
fn verify(witness: &StepWitness, preimages: &HashMap<[u8; 32], Vec<u8>>) -> V<[u8; 32]> {
    if witness.proof.len() != 330 + 3 * PROOF_LEN {
        return Err(format!("proof length {}", witness.proof.len()));
    }
    let st = VState::unpack(&witness.state);
    if st.output() != witness.state_hash.0 {
        return Err("witness hash mismatch".into());
    }
    Verifier {
        st,
        th: VThread::unpack(&[0u8; 298]),
        inner: [0; 32],
        proof: &witness.proof,
        preimages,
    }
    .step()
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

#[derive(Default)]
struct Oracle(HashMap<B256, Vec<u8>>);

impl PreimageOracle for Oracle {
    fn hint(&mut self, _hint: &[u8]) -> Result<(), OracleError> {
        Ok(())
    }
    fn get_preimage(&mut self, key: B256) -> Result<Vec<u8>, OracleError> {
        self.0.get(&key).cloned().ok_or(OracleError::NotFound(key))
    }
}

const BASE: u64 = 0x40_0000;
const DATA: u64 = 0x80_0000;

fn r(rs: u32, rt: u32, rd: u32, sa: u32, fun: u32) -> u32 {
    (rs << 21) | (rt << 16) | (rd << 11) | (sa << 6) | fun
}
fn i(op: u32, rs: u32, rt: u32, imm: u16) -> u32 {
    (op << 26) | (rs << 21) | (rt << 16) | imm as u32
}

fn machine(program: &[u32], regs: &[(usize, u64)]) -> Cannon {
    let mut state = CannonState::new(BASE);
    for (n, w) in program.iter().enumerate() {
        state.memory.write(BASE + 4 * n as u64, &w.to_be_bytes());
    }
    state
        .memory
        .write(DATA, &0x0011_2233_4455_6677u64.to_be_bytes());
    state
        .memory
        .write(DATA + 8, &0x8899_AABB_CCDD_EEFFu64.to_be_bytes());
    for &(reg, v) in regs {
        state.left_thread_stack[0].registers[reg] = v;
    }
    Cannon::new(state, StateVersion::DEFAULT)
}

/// Proves the machine's next `steps` steps one by one, each checked by the verifier.
fn prove(m: &mut Cannon, oracle: &mut Oracle, steps: usize) {
    let preimages: HashMap<[u8; 32], Vec<u8>> = oracle
        .0
        .iter()
        .map(|(k, v)| {
            let mut p = (v.len() as u64).to_be_bytes().to_vec();
            p.extend_from_slice(v);
            (k.0, p)
        })
        .collect();
    for n in 0..steps {
        let scheduling = m.state.steps_since_last_context_switch >= 100_000
            || m.state.active_thread().is_some_and(|t| t.exited);
        let witness = m.step_with_proof(oracle).expect("step");
        let post = m.state.state_hash();
        let verified = verify(&witness, &preimages).unwrap_or_else(|e| panic!("step {n}: {e}"));
        assert_eq!(
            B256::from(verified),
            post,
            "step {n}: verifier and VM disagree"
        );
        // A tampered instruction proof is refused (by every step that fetches one).
        if !scheduling {
            let mut bad = witness.clone();
            bad.proof[MEM_PROOF + 40] ^= 1;
            assert!(
                verify(&bad, &preimages).is_err(),
                "step {n}: tampered proof"
            );
        }
        // A tampered thread witness is refused.
        let mut bad = witness.clone();
        bad.proof[20] ^= 1;
        assert!(
            verify(&bad, &preimages).is_err(),
            "step {n}: tampered thread"
        );
    }
}

#[test]
fn alu_hilo_and_shifts() {
    let mut m = machine(
        &[
            r(8, 9, 10, 0, 0x21),             // addu
            i(0x19, 8, 11, 0xFFFF),           // daddiu
            r(0, 9, 12, 3, 0x00),             // sll
            r(0, 8, 13, 0, 0x3F),             // dsra32
            r(8, 9, 14, 0, 0x2A),             // slt
            r(8, 9, 0, 0, 0x18),              // mult
            r(0, 0, 15, 0, 0x10),             // mfhi
            r(9, 8, 0, 0, 0x1F),              // ddivu
            r(0, 0, 16, 0, 0x12),             // mflo
            (0x1C << 26) | r(8, 9, 17, 0, 2), // mul
        ],
        &[(8, 0xFFFF_FFFF_8000_0001), (9, 0x7FFF_FFFF)],
    );
    prove(&mut m, &mut Oracle::default(), 10);
}

#[test]
fn loads_and_stores() {
    let mut m = machine(
        &[
            i(0x23, 8, 10, 4), // lw
            i(0x37, 8, 11, 8), // ld
            i(0x22, 8, 12, 1), // lwl
            i(0x28, 8, 9, 3),  // sb
            i(0x2B, 8, 9, 12), // sw
            i(0x3F, 8, 9, 16), // sd (a new page? no: same page)
            i(0x2E, 8, 9, 6),  // swr
            i(0x3F, 13, 9, 0), // sd to an unallocated page
        ],
        &[
            (8, DATA),
            (9, 0xA1A2_A3A4_A5A6_A7A8),
            (12, 0x1111_2222_3333_4444),
            (13, 0x7000_0000_0000),
        ],
    );
    prove(&mut m, &mut Oracle::default(), 8);
}

#[test]
fn branches_and_jumps() {
    let mut m = machine(
        &[
            i(4, 8, 8, 2), // beq taken → BASE+12
            0,             // delay slot
            0,
            i(1, 9, 0x11, 2), // bgezal not taken (t1 < 0), links
            0,
            (3 << 26) | ((BASE as u32 + 0x40) >> 2), // jal
            0,
        ],
        &[(8, 1), (9, u64::MAX)],
    );
    m.state
        .memory
        .write(BASE + 0x40, &r(31, 0, 0, 0, 0x08).to_be_bytes()); // jr ra
    prove(&mut m, &mut Oracle::default(), 9);
}

#[test]
fn load_linked_store_conditional() {
    let mut m = machine(
        &[
            i(0x30, 8, 10, 4),
            i(0x38, 8, 9, 4),
            i(0x34, 8, 11, 8),
            i(0x3C, 8, 9, 8),
        ],
        &[(8, DATA), (9, 7)],
    );
    prove(&mut m, &mut Oracle::default(), 4);
    assert_eq!(m.state.memory.read_u64_be(DATA), 0x0011_2233_0000_0007);
    // scd stored t1, which the successful sc had set to 1.
    assert_eq!(m.state.memory.read_u64_be(DATA + 8), 1);
}

#[test]
fn syscalls_mmap_and_clock_gettime_with_two_memory_proofs() {
    let mut m = machine(&[0xC, 0xC], &[(2, 5009), (4, 0), (5, 0x2001)]);
    prove(&mut m, &mut Oracle::default(), 1);
    assert_eq!(m.state.heap, 0x1000_0000_3000);
    // clock_gettime(MONOTONIC, DATA+24): seconds at +24, nanoseconds at +32 (second proof,
    // against the root after the first write).
    {
        let t = m.state.left_thread_stack.last_mut().unwrap();
        t.registers[2] = 5222;
        t.registers[4] = 1;
        t.registers[5] = DATA + 24;
    }
    m.state.step = 25_000_000;
    prove(&mut m, &mut Oracle::default(), 1);
    assert_eq!(m.state.memory.read_u64_be(DATA + 24), 2);
    assert_eq!(m.state.memory.read_u64_be(DATA + 32), 500_000_100);
}

#[test]
fn preimage_key_write_and_read() {
    let data = b"hello preimage oracle".to_vec();
    let mut key = keccak256(&data);
    key[0] = 2;
    let mut oracle = Oracle::default();
    oracle.0.insert(key, data.clone());
    let program = vec![0xC; 4 + 5];
    let mut m = machine(&program, &[]);
    m.state.memory.write(DATA + 0x100, key.as_slice());
    for n in 0..4u64 {
        let t = m.state.left_thread_stack.last_mut().unwrap();
        t.registers[2] = 5001;
        t.registers[4] = 6;
        t.registers[5] = DATA + 0x100 + 8 * n;
        t.registers[6] = 8;
        prove(&mut m, &mut oracle, 1);
    }
    assert_eq!(m.state.preimage_key, key);
    let mut read = Vec::new();
    for n in 0..4u64 {
        let t = m.state.left_thread_stack.last_mut().unwrap();
        t.registers[2] = 5000;
        t.registers[4] = 5;
        t.registers[5] = DATA + 0x200 + 8 * n;
        t.registers[6] = 8;
        let witness = m.step_with_proof(&mut oracle).unwrap();
        let pre = witness.preimage.clone().expect("the step read a preimage");
        assert_eq!(pre.key, key);
        assert_eq!(pre.offset, 8 * n);
        assert_eq!(&pre.value[8..], &data[..]);
        let mut p = (data.len() as u64).to_be_bytes().to_vec();
        p.extend_from_slice(&data);
        let verified = verify(&witness, &HashMap::from([(key.0, p)])).unwrap();
        assert_eq!(B256::from(verified), m.state.state_hash());
        let mut chunk = [0u8; 8];
        m.state.memory.read(DATA + 0x200 + 8 * n, &mut chunk);
        read.extend_from_slice(&chunk[..m.state.active_thread().unwrap().registers[2] as usize]);
    }
    let mut expected = (data.len() as u64).to_be_bytes().to_vec();
    expected.extend_from_slice(&data);
    assert_eq!(read, expected);
}

#[test]
fn thread_switches() {
    // clone, yield, and a forced preemption at the quantum; then an exited thread is popped.
    let mut m = machine(
        &[0xC, 0xC, 0, 0],
        &[(2, 5055), (4, 0x50F00), (5, 0x7000_0000)],
    );
    let mut oracle = Oracle::default();
    prove(&mut m, &mut oracle, 1);
    assert_eq!(m.state.thread_count(), 2);
    {
        let t = m.state.left_thread_stack.last_mut().unwrap();
        t.registers[2] = 5023;
        t.pc = BASE + 4;
        t.next_pc = BASE + 8;
    }
    prove(&mut m, &mut oracle, 1);
    assert_eq!(
        (
            m.state.left_thread_stack.len(),
            m.state.right_thread_stack.len()
        ),
        (1, 1)
    );
    m.state.steps_since_last_context_switch = 100_000;
    prove(&mut m, &mut oracle, 1);
    assert!(m.state.traverse_right);
    m.state.right_thread_stack.last_mut().unwrap().exited = true;
    prove(&mut m, &mut oracle, 1);
    assert_eq!(m.state.thread_count(), 1);
    assert!(
        m.state.traverse_right,
        "the child is still on the right stack"
    );
    // The child runs on; preempted, it lands on the left stack above thread 42, and the
    // direction flips back.
    m.state
        .left_thread_stack
        .insert(0, ThreadState::new(42, BASE + 8));
    prove(&mut m, &mut oracle, 2);
    m.state.steps_since_last_context_switch = 100_000;
    prove(&mut m, &mut oracle, 2);
    assert!(!m.state.traverse_right);
    let ids: Vec<u64> = m
        .state
        .left_thread_stack
        .iter()
        .map(|t| t.thread_id)
        .collect();
    assert_eq!(ids, vec![42, 1]);
}

#[test]
fn proof_layout_and_past_exit() {
    let mut m = machine(&[0xC], &[(2, 5205), (4, 1)]);
    let witness = m.step_with_proof(&mut Oracle::default()).unwrap();
    assert_eq!(witness.state.len(), 188);
    assert_eq!(witness.proof.len(), 330 + 3 * 1920);
    assert_eq!(witness.state_hash[0], 3);
    assert!(m.state.exited);
    assert_eq!(m.state.state_hash()[0], 1, "exit code 1: invalid");
    // No step past the exit to prove.
    assert!(matches!(
        m.step_with_proof(&mut Oracle::default()),
        Err(koa_vm::VmError::Exited { step: 1 })
    ));
}
