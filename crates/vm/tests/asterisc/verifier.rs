//! An independent Asterisc step verifier, written from `rvsol/src/RISCV.sol`'s `step`: it
//! executes one instruction from the 362-byte state witness and the memory proofs alone
//! (no memory, no machine code of koa-vm), checking each proof against the memory root the
//! way the contract does, and returns the post-state witness.
//!
//! Not covered: local preimage keys (the contract localizes type-1 keys with the caller and
//! local context; the tests use keccak256 keys only).

#![allow(dead_code, unreachable_pub)]

use alloy_primitives::{B256, keccak256};
use std::collections::HashMap;

/// Bytes of one memory proof: the leaf and 59 siblings.
const PROOF_LEN: usize = 60 * 32;

/// Why the contract would revert.
#[derive(Debug, PartialEq, Eq)]
pub struct Revert(pub u64);

/// Preimages as the oracle contract holds them: key → preimage (without length prefix).
pub type Preimages = HashMap<B256, Vec<u8>>;

/// `step(stateData, proof, 0)`: the post-state witness, or the revert code.
pub fn step(state: &[u8], proof: &[u8], preimages: &Preimages) -> Result<Vec<u8>, Revert> {
    if state.len() != 362 || !proof.len().is_multiple_of(PROOF_LEN) {
        return Err(Revert(0));
    }
    let mut v = Verifier {
        s: state.to_vec(),
        proof,
        preimages,
    };
    v.run()?;
    Ok(v.s)
}

/// The state hash of a witness as the contract computes it.
pub fn state_hash(state: &[u8]) -> B256 {
    let mut h = keccak256(state);
    let status = match (state[81], state[80]) {
        (1, 0) => 0,
        (1, 1) => 1,
        (1, _) => 2,
        _ => 3,
    };
    h.0[0] = status;
    h
}

struct Verifier<'a> {
    s: Vec<u8>,
    proof: &'a [u8],
    preimages: &'a Preimages,
}

fn hash_pair(a: &[u8], b: &[u8]) -> [u8; 32] {
    let mut buf = [0u8; 64];
    buf[..32].copy_from_slice(a);
    buf[32..].copy_from_slice(b);
    keccak256(buf).0
}

fn sext(v: u64, bit: u64) -> u64 {
    // As RISCV.sol's signExtend64: fill above `bit` with ones or zeroes.
    if v & (1 << bit) == 0 {
        v & (u64::MAX >> (63 - bit))
    } else {
        v | (u64::MAX << bit)
    }
}

fn w(v: u64) -> u64 {
    sext(v & 0xffff_ffff, 31)
}

impl Verifier<'_> {
    // --- state access (big-endian fields at the contract's offsets)
    fn read(&self, off: usize, len: usize) -> u64 {
        self.s[off..off + len]
            .iter()
            .fold(0, |acc, &b| (acc << 8) | u64::from(b))
    }
    fn write(&mut self, off: usize, len: usize, v: u64) {
        for k in 0..len {
            self.s[off + len - 1 - k] = (v >> (8 * k)) as u8;
        }
    }
    fn pc(&self) -> u64 {
        self.read(72, 8)
    }
    fn set_pc(&mut self, v: u64) {
        self.write(72, 8, v)
    }
    fn reg(&self, r: u64) -> u64 {
        self.read(106 + 8 * r as usize, 8)
    }
    fn set_reg(&mut self, r: u64, v: u64) {
        if r != 0 {
            self.write(106 + 8 * r as usize, 8, v)
        }
    }
    fn mem_root(&self) -> [u8; 32] {
        self.s[0..32].try_into().unwrap()
    }

    // --- memory, through proofs
    fn proof_at(&self, index: usize) -> Result<&[u8], Revert> {
        self.proof
            .get(index * PROOF_LEN..(index + 1) * PROOF_LEN)
            .ok_or(Revert(0xbadf00d1))
    }

    fn fold(&self, addr: u64, leaf: &[u8], index: usize) -> Result<[u8; 32], Revert> {
        let p = self.proof_at(index)?;
        let path = addr >> 5;
        let mut node: [u8; 32] = leaf.try_into().unwrap();
        for i in 0..59 {
            let sibling = &p[32 * (i + 1)..32 * (i + 2)];
            node = if (path >> i) & 1 == 0 {
                hash_pair(&node, sibling)
            } else {
                hash_pair(sibling, &node)
            };
        }
        Ok(node)
    }

    fn get_b32(&self, addr: u64, index: usize) -> Result<[u8; 32], Revert> {
        if addr & 31 != 0 {
            return Err(Revert(0xbad10ad0));
        }
        let leaf: [u8; 32] = self.proof_at(index)?[..32].try_into().unwrap();
        if self.fold(addr, &leaf, index)? != self.mem_root() {
            return Err(Revert(0xbadf00d1));
        }
        Ok(leaf)
    }

    fn set_b32(&mut self, addr: u64, v: [u8; 32], index: usize) -> Result<(), Revert> {
        let root = self.fold(addr, &v, index)?;
        self.s[0..32].copy_from_slice(&root);
        Ok(())
    }

    fn load(
        &self,
        addr: u64,
        size: u64,
        signed: bool,
        l: usize,
        r: Option<usize>,
    ) -> Result<u64, Revert> {
        let left_addr = addr & !31;
        let left = self.get_b32(left_addr, l)?;
        let right_addr = addr.wrapping_add(size - 1) & !31;
        let right = if right_addr != left_addr {
            let r = r.ok_or(Revert(0xbad22220))?;
            self.get_b32(right_addr, r)?
        } else {
            [0; 32]
        };
        let mut out = 0u64;
        for k in (0..size).rev() {
            let a = addr.wrapping_add(k);
            let byte = if a & !31 == left_addr {
                left[(a - left_addr) as usize]
            } else {
                right[(a - right_addr) as usize]
            };
            out = (out << 8) | u64::from(byte);
        }
        if signed {
            out = sext(out, size * 8 - 1);
        }
        Ok(out)
    }

    fn store(&mut self, addr: u64, bytes: &[u8], l: usize, r: usize) -> Result<(), Revert> {
        let size = bytes.len() as u64;
        let left_addr = addr & !31;
        let right_addr = addr.wrapping_add(size - 1) & !31;
        let mut left = self.get_b32(left_addr, l)?;
        for (k, &byte) in bytes.iter().enumerate() {
            let a = addr.wrapping_add(k as u64);
            if a & !31 == left_addr {
                left[(a - left_addr) as usize] = byte;
            }
        }
        self.set_b32(left_addr, left, l)?;
        if left_addr == right_addr {
            return Ok(());
        }
        let mut right = self.get_b32(right_addr, r)?;
        for (k, &byte) in bytes.iter().enumerate() {
            let a = addr.wrapping_add(k as u64);
            if a & !31 == right_addr {
                right[(a - right_addr) as usize] = byte;
            }
        }
        self.set_b32(right_addr, right, r)
    }

    // --- preimages, as PreimageOracle.readPreimage serves them
    fn read_preimage_part(&self, key: B256, offset: u64) -> Result<([u8; 32], u64), Revert> {
        let data = self.preimages.get(&key).ok_or(Revert(0xbadf00d0))?;
        let mut full = (data.len() as u64).to_be_bytes().to_vec();
        full.extend_from_slice(data);
        if offset >= full.len() as u64 {
            return Err(Revert(0xbadf00d0));
        }
        let mut part = [0u8; 32];
        let n = (full.len() - offset as usize).min(32);
        part[..n].copy_from_slice(&full[offset as usize..offset as usize + n]);
        Ok((part, n as u64))
    }

    fn syscall(&mut self) -> Result<(), Revert> {
        let a7 = self.reg(17);
        let (a0, a1, a2) = (self.reg(10), self.reg(11), self.reg(12));
        let ret = |v: &mut Self, x: u64, y: u64| {
            v.set_reg(10, x);
            v.set_reg(11, y);
        };
        match a7 {
            93 | 94 => {
                self.write(80, 1, a0 & 0xff);
                self.write(81, 1, 1);
            }
            214 => ret(self, 1 << 30, 0),
            222 => {
                let (flags, fd) = (self.reg(13), self.reg(14));
                if flags & 0x20 == 0 || fd != u64::MAX {
                    ret(self, u64::MAX, 0x4d);
                } else if a0 == 0 {
                    let mut len = a1;
                    if len % 4096 != 0 {
                        len += 4096 - len % 4096;
                    }
                    let heap = self.read(90, 8);
                    self.write(90, 8, heap.wrapping_add(len));
                    ret(self, heap, 0);
                } else {
                    ret(self, a0, 0);
                }
            }
            63 => match a0 {
                0 => ret(self, 0, 0),
                3 => ret(self, a2, 0),
                5 => {
                    let key = B256::from_slice(&self.s[32..64]);
                    let offset = self.read(64, 8);
                    let (part, len) = self.read_preimage_part(key, offset)?;
                    let align = a1 & 31;
                    let count = a2.min(32 - align).min(len);
                    self.write(64, 8, offset + count);
                    let leaf_addr = a1 - align;
                    let mut leaf = self.get_b32(leaf_addr, 1)?;
                    for k in 0..count as usize {
                        leaf[align as usize + k] = part[k];
                    }
                    self.set_b32(leaf_addr, leaf, 1)?;
                    ret(self, count, 0);
                }
                _ => ret(self, u64::MAX, 0x4d),
            },
            64 => match a0 {
                1 | 2 | 4 => ret(self, a2, 0),
                6 => {
                    let align = a1 & 31;
                    let count = a2.min(32 - align);
                    let leaf = self.get_b32(a1 - align, 1)?;
                    let mut key: Vec<u8> = self.s[32..64].to_vec();
                    key.extend_from_slice(&leaf[align as usize..(align + count) as usize]);
                    let new_key = key[key.len() - 32..].to_vec();
                    self.s[32..64].copy_from_slice(&new_key);
                    self.write(64, 8, 0);
                    ret(self, count, 0);
                }
                _ => ret(self, u64::MAX, 0x4d),
            },
            25 => {
                let (out, err) = match (a1, a0) {
                    (1, 0..=6) => (0, 0),
                    (1, _) => (u64::MAX, 0x4d),
                    (3, 0 | 3 | 5) => (0, 0),
                    (3, 1 | 2 | 4 | 6) => (1, 0),
                    (3, _) => (u64::MAX, 0x4d),
                    _ => (u64::MAX, 0x16),
                };
                ret(self, out, err);
            }
            56 => ret(self, u64::MAX, 0xd),
            113 => {
                let mut ts = [0u8; 16];
                ts[..8].copy_from_slice(&1337u64.to_le_bytes());
                ts[8..].copy_from_slice(&42u64.to_le_bytes());
                self.store(a1, &ts, 1, 2)?;
                ret(self, 0, 0);
            }
            220 => ret(self, 1, 0),
            163 => {
                if a0 != 7 {
                    return Err(Revert(0xf0012));
                }
                let mut lim = [0u8; 16];
                lim[..8].copy_from_slice(&1024u64.to_le_bytes());
                lim[8..].copy_from_slice(&1024u64.to_le_bytes());
                self.store(a1, &lim, 1, 2)?;
                ret(self, 0, 0);
            }
            261 | 422 | 101 => return Err(Revert(0xf001ca11)),
            _ => ret(self, 0, 0),
        }
        Ok(())
    }

    fn run(&mut self) -> Result<(), Revert> {
        if self.read(81, 1) == 1 {
            return Ok(());
        }
        let step = self.read(82, 8);
        self.write(82, 8, step + 1);
        let pc = self.pc();
        let instr = self.load(pc, 4, false, 0, None)?;
        let opcode = instr & 0x7f;
        let rd = (instr >> 7) & 0x1f;
        let f3 = (instr >> 12) & 7;
        let rs1 = (instr >> 15) & 0x1f;
        let rs2 = (instr >> 20) & 0x1f;
        let f7 = instr >> 25;
        let imm_i = sext(instr >> 20, 11);
        let imm_s = sext(((instr >> 25) << 5) | ((instr >> 7) & 0x1f), 11);
        let (x1, x2) = (self.reg(rs1), self.reg(rs2));
        let next = pc.wrapping_add(4);
        let illegal = Err(Revert(0xbadc0de));
        match opcode {
            0x03 => {
                if f3 == 7 {
                    return illegal;
                }
                let v = self.load(
                    x1.wrapping_add(imm_i),
                    1 << (f3 & 3),
                    f3 & 4 == 0,
                    1,
                    Some(2),
                )?;
                self.set_reg(rd, v);
                self.set_pc(next);
            }
            0x23 => {
                let size = 1u64 << f3;
                if size > 8 {
                    return Err(Revert(0xbad512e8));
                }
                self.store(
                    x1.wrapping_add(imm_s),
                    &x2.to_le_bytes()[..size as usize],
                    1,
                    2,
                )?;
                self.set_pc(next);
            }
            0x63 => {
                let hit = match f3 {
                    0 => x1 == x2,
                    1 => x1 != x2,
                    4 => (x1 as i64) < (x2 as i64),
                    5 => (x1 as i64) >= (x2 as i64),
                    6 => x1 < x2,
                    7 => x1 >= x2,
                    _ => false,
                };
                let imm_b = sext(
                    (((instr >> 8) & 0xf) << 1)
                        | (((instr >> 25) & 0x3f) << 5)
                        | (((instr >> 7) & 1) << 11)
                        | ((instr >> 31) << 12),
                    12,
                );
                let target = if hit { pc.wrapping_add(imm_b) } else { next };
                if target & 3 != 0 {
                    return Err(Revert(0xbad10ad0));
                }
                self.set_pc(target);
            }
            0x13 => {
                let v = match f3 {
                    0 => x1.wrapping_add(imm_i),
                    1 => x1 << (imm_i & 0x3f),
                    2 => ((x1 as i64) < (imm_i as i64)) as u64,
                    3 => (x1 < imm_i) as u64,
                    4 => x1 ^ imm_i,
                    5 => match imm_i >> 6 {
                        0 => x1 >> (imm_i & 0x3f),
                        0x10 => ((x1 as i64) >> (imm_i & 0x3f)) as u64,
                        _ => return illegal,
                    },
                    6 => x1 | imm_i,
                    _ => x1 & imm_i,
                };
                self.set_reg(rd, v);
                self.set_pc(next);
            }
            0x1b => {
                let v = match f3 {
                    0 => w(x1.wrapping_add(imm_i)),
                    1 if imm_i & 0x20 == 0 => w(x1 << (imm_i & 0x1f)),
                    5 if imm_i & 0x20 == 0 => {
                        let sh = imm_i & 0x1f;
                        match imm_i >> 5 {
                            0 => sext((x1 & 0xffff_ffff) >> sh, 31),
                            0x20 => sext((x1 & 0xffff_ffff) >> sh, 31 - sh),
                            _ => return illegal,
                        }
                    }
                    _ => return illegal,
                };
                self.set_reg(rd, v);
                self.set_pc(next);
            }
            0x33 => {
                let v = if f7 == 1 {
                    let (s1, s2) = (x1 as i64 as i128, x2 as i64 as i128);
                    match f3 {
                        0 => x1.wrapping_mul(x2),
                        1 => (s1.wrapping_mul(s2) >> 64) as u64,
                        2 => (s1.wrapping_mul(x2 as i128) >> 64) as u64,
                        3 => ((x1 as u128 * x2 as u128) >> 64) as u64,
                        4 if x2 == 0 => u64::MAX,
                        4 => (s1 / s2) as u64,
                        5 if x2 == 0 => u64::MAX,
                        5 => x1 / x2,
                        6 if x2 == 0 => x1,
                        6 => (s1 % s2) as u64,
                        _ if x2 == 0 => x1,
                        _ => x1 % x2,
                    }
                } else {
                    match (f3, f7) {
                        (0, 0) => x1.wrapping_add(x2),
                        (0, 0x20) => x1.wrapping_sub(x2),
                        (1, _) => x1 << (x2 & 0x3f),
                        (2, _) => ((x1 as i64) < (x2 as i64)) as u64,
                        (3, _) => (x1 < x2) as u64,
                        (4, _) => x1 ^ x2,
                        (5, 0) => x1 >> (x2 & 0x3f),
                        (5, 0x20) => ((x1 as i64) >> (x2 & 0x3f)) as u64,
                        (6, _) => x1 | x2,
                        (7, _) => x1 & x2,
                        _ => return illegal,
                    }
                };
                self.set_reg(rd, v);
                self.set_pc(next);
            }
            0x3b => {
                let y = x2 & 0xffff_ffff;
                let xl = x1 & 0xffff_ffff;
                let v = if f7 == 1 {
                    let (s1, s2) = (w(x1) as i64 as i128, w(y) as i64 as i128);
                    match f3 {
                        0 => w(xl.wrapping_mul(y)),
                        4 if y == 0 => u64::MAX,
                        4 => w((s1 / s2) as u64),
                        5 if y == 0 => u64::MAX,
                        5 => w(xl / y),
                        6 if y == 0 => w(x1),
                        6 => w((s1 % s2) as u64),
                        7 if y == 0 => w(x1),
                        7 => w(xl % y),
                        _ => return illegal,
                    }
                } else {
                    match (f3, f7) {
                        (0, 0) => w(xl + y),
                        (0, 0x20) => w(xl.wrapping_sub(y)),
                        (1, _) => w(x1 << (y & 0x1f)),
                        (5, 0) => sext(xl >> (y & 0x1f), 31),
                        (5, 0x20) => sext(xl >> (y & 0x1f), 31 - (y & 0x1f)),
                        _ => return illegal,
                    }
                };
                self.set_reg(rd, v);
                self.set_pc(next);
            }
            0x37 => {
                self.set_reg(rd, sext(instr >> 12, 19) << 12);
                self.set_pc(next);
            }
            0x17 => {
                self.set_reg(rd, pc.wrapping_add(sext(sext(instr >> 12, 19) << 12, 31)));
                self.set_pc(next);
            }
            0x6f => {
                let imm = sext(
                    ((instr >> 21) & 0x3ff)
                        | (((instr >> 20) & 1) << 10)
                        | (((instr >> 12) & 0xff) << 11)
                        | ((instr >> 31) << 19),
                    19,
                );
                let target = pc.wrapping_add(sext(imm << 1, 20));
                if target & 3 != 0 {
                    return Err(Revert(0xbad10ad0));
                }
                self.set_reg(rd, next);
                self.set_pc(target);
            }
            0x67 => {
                let target = x1.wrapping_add(imm_i) & !1;
                if target & 3 != 0 {
                    return Err(Revert(0xbad10ad0));
                }
                self.set_reg(rd, next);
                self.set_pc(target);
            }
            0x73 => {
                if f3 == 0 {
                    if instr >> 20 == 0 {
                        self.syscall()?;
                    }
                } else {
                    self.set_reg(rd, 0);
                }
                self.set_pc(next);
            }
            0x2f => {
                let size = 1u64 << f3;
                if !(4..=8).contains(&size) {
                    return Err(Revert(0xbada70));
                }
                if x1 % size != 0 {
                    return Err(Revert(0xbad10ad0));
                }
                let op = f7 >> 2;
                match op {
                    2 => {
                        let v = self.load(x1, size, true, 1, Some(2))?;
                        self.set_reg(rd, v);
                        self.write(98, 8, x1);
                    }
                    3 => {
                        let mut result = 1;
                        if x1 == self.read(98, 8) {
                            self.store(x1, &x2.to_le_bytes()[..size as usize], 1, 2)?;
                            result = 0;
                        }
                        self.set_reg(rd, result);
                        self.write(98, 8, 0);
                    }
                    _ => {
                        let value = if size == 4 { w(x2) } else { x2 };
                        let old = self.load(x1, size, true, 1, Some(2))?;
                        let new = match op {
                            0 => old.wrapping_add(value),
                            1 => value,
                            4 => old ^ value,
                            8 => old | value,
                            0xc => old & value,
                            0x10 => {
                                if (value as i64) < (old as i64) {
                                    value
                                } else {
                                    old
                                }
                            }
                            0x14 => {
                                if (value as i64) > (old as i64) {
                                    value
                                } else {
                                    old
                                }
                            }
                            0x18 => {
                                if value < old {
                                    value
                                } else {
                                    old
                                }
                            }
                            0x1c => {
                                if value > old {
                                    value
                                } else {
                                    old
                                }
                            }
                            _ => return Err(Revert(0xf001a70)),
                        };
                        self.store(x1, &new.to_le_bytes()[..size as usize], 1, 3)?;
                        self.set_reg(rd, old);
                    }
                }
                self.set_pc(next);
            }
            0x0f | 0x07 | 0x27 | 0x53 => self.set_pc(next),
            _ => return Err(Revert(0xf001c0de)),
        }
        Ok(())
    }
}
