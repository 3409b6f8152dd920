//! One Asterisc step: fetch, decode and execute one RV64IMA instruction.
//!
//! The semantics are those of Asterisc (`rvgo/fast/vm.go`, `rvsol/src/RISCV.sol`), which for
//! valid RV64IMA programs are the RISC-V unprivileged spec's. Where Asterisc accepts or treats
//! an encoding differently from the spec, it is followed, and the difference is noted here:
//!
//! - `slli`, `sll`, `slt`, `sltu`, `xor`, `or`, `and`, `sllw`, `jalr`: funct7 / `imm[11:6]` /
//!   funct3 bits the spec reserves are not checked (any value executes the base instruction).
//!   `srli`/`srai` check `imm[11:6]`, `*iw` shifts check `imm[5]` and `imm[11:5]`, `add`/`sub`,
//!   `srl`/`sra`, `addw`/`subw`, `srlw`/`sraw` check funct7.
//! - Branches with funct3 2 or 3 (reserved) are "not taken"; the spec has no such branch.
//! - Every `SYSTEM` instruction with funct3 0 other than `ecall` (imm 0) — `ebreak`, `mret`,
//!   `wfi`, … — is a no-op. Every CSR instruction (`csrrw`…`csrrci`) writes 0 to `rd` and
//!   nothing else: there are no CSRs.
//! - `fence`/`fence.i`, and the floating-point opcodes `LOAD-FP` (0x07), `STORE-FP` (0x27) and
//!   `OP-FP` (0x53) are no-ops (Go's runtime probes them); `MADD`… (0x43–0x4f) are unknown.
//! - Loads and stores need no alignment (a misaligned access spans two leaves); jump and branch
//!   targets must be 4-byte aligned (there is no C extension), atomics naturally aligned.
//! - `lr`/`sc`: the reservation is an address only (no size); `sc` succeeds iff its address
//!   equals it, and clears it either way. `aq`/`rl` are ignored (one hart).
//! - `sb`… with funct3 4–7 (stores of 16+ bytes) fail (`StoreTooWide`); loads with funct3 7
//!   are illegal.

use super::{
    access::{Tracker, leaf_of, load, store},
    decode::{
        funct3, funct7, imm_b, imm_i, imm_j, imm_s, imm_u, opcode, rd, rs1, rs2, sext32,
        sign_extend,
    },
    errors::StepError,
    machine::Machine,
};
use crate::PreimageOracle;

impl Machine {
    /// Executes the instruction at the PC. On error the state is unchanged except for memory
    /// the step wrote before failing — which no failing path does (every check precedes the
    /// first write).
    pub(crate) fn execute<T: Tracker>(
        &mut self,
        oracle: &mut dyn PreimageOracle,
        tracker: &mut T,
    ) -> Result<(), StepError> {
        if self.state.exited {
            return Ok(());
        }
        let pc = self.state.pc;
        if leaf_of(pc.wrapping_add(3)) != leaf_of(pc) {
            return Err(StepError::UnalignedFetch { pc });
        }
        let instr = load(&mut self.state.memory, tracker, pc, 4, false);
        let next_pc = self.execute_instruction(oracle, tracker, pc, instr)?;
        self.state.pc = next_pc;
        self.state.step += 1;
        Ok(())
    }

    #[inline(always)]
    fn set_reg(&mut self, reg: usize, value: u64) {
        if reg != 0 {
            self.state.registers[reg] = value;
        }
    }

    #[inline(always)]
    fn reg(&self, reg: usize) -> u64 {
        self.state.registers[reg]
    }

    /// Executes `instr` at `pc`; returns the next PC.
    #[inline(always)]
    fn execute_instruction<T: Tracker>(
        &mut self,
        oracle: &mut dyn PreimageOracle,
        tracker: &mut T,
        pc: u64,
        instr: u64,
    ) -> Result<u64, StepError> {
        let illegal = || StepError::IllegalInstruction {
            pc,
            instr: instr as u32,
        };
        let next = pc.wrapping_add(4);
        let f3 = funct3(instr);
        let rd = rd(instr);
        match opcode(instr) {
            // LOAD: lb lh lw ld lbu lhu lwu.
            0x03 => {
                if f3 == 7 {
                    return Err(illegal());
                }
                let signed = f3 & 4 == 0;
                let size = 1u64 << (f3 & 3);
                let addr = self.reg(rs1(instr)).wrapping_add(imm_i(instr));
                let value = load(&mut self.state.memory, tracker, addr, size, signed);
                self.set_reg(rd, value);
                Ok(next)
            }
            // STORE: sb sh sw sd.
            0x23 => {
                let size = 1u64 << f3;
                if size > 8 {
                    return Err(StepError::StoreTooWide { pc, size });
                }
                let addr = self.reg(rs1(instr)).wrapping_add(imm_s(instr));
                let bytes = self.reg(rs2(instr)).to_le_bytes();
                store(
                    &mut self.state.memory,
                    tracker,
                    addr,
                    &bytes[..size as usize],
                    true,
                );
                Ok(next)
            }
            // BRANCH: beq bne blt bge bltu bgeu.
            0x63 => {
                let a = self.reg(rs1(instr));
                let b = self.reg(rs2(instr));
                let taken = match f3 {
                    0 => a == b,
                    1 => a != b,
                    4 => (a as i64) < (b as i64),
                    5 => (a as i64) >= (b as i64),
                    6 => a < b,
                    7 => a >= b,
                    // Reserved (2, 3): Asterisc does not branch.
                    _ => false,
                };
                let target = if taken {
                    pc.wrapping_add(imm_b(instr))
                } else {
                    next
                };
                if target & 3 != 0 {
                    return Err(StepError::NotAligned { pc, addr: target });
                }
                Ok(target)
            }
            // OP-IMM.
            0x13 => {
                let a = self.reg(rs1(instr));
                let imm = imm_i(instr);
                let value = match f3 {
                    0 => a.wrapping_add(imm),
                    1 => a << (imm & 0x3f),
                    2 => u64::from((a as i64) < (imm as i64)),
                    3 => u64::from(a < imm),
                    4 => a ^ imm,
                    5 => match imm >> 6 {
                        0x00 => a >> (imm & 0x3f),
                        0x10 => ((a as i64) >> (imm & 0x3f)) as u64,
                        _ => return Err(illegal()),
                    },
                    6 => a | imm,
                    _ => a & imm,
                };
                self.set_reg(rd, value);
                Ok(next)
            }
            // OP-IMM-32: addiw slliw srliw sraiw.
            0x1b => {
                let a = self.reg(rs1(instr));
                let imm = imm_i(instr);
                let value = match f3 {
                    0 => sext32(a.wrapping_add(imm)),
                    1 => {
                        if imm & 0x20 != 0 {
                            return Err(illegal());
                        }
                        sext32(a << (imm & 0x1f))
                    }
                    5 => {
                        if imm & 0x20 != 0 {
                            return Err(illegal());
                        }
                        let shamt = (imm & 0x1f) as u32;
                        let low = a & 0xffff_ffff;
                        match imm >> 5 {
                            0x00 => sign_extend(low >> shamt, 31),
                            0x20 => sign_extend(low >> shamt, 31 - shamt),
                            _ => return Err(illegal()),
                        }
                    }
                    _ => return Err(illegal()),
                };
                self.set_reg(rd, value);
                Ok(next)
            }
            // OP: the base register-register instructions and M.
            0x33 => {
                let a = self.reg(rs1(instr));
                let b = self.reg(rs2(instr));
                let f7 = funct7(instr);
                let value = if f7 == 1 {
                    multiply_divide(f3, a, b)
                } else {
                    match (f3, f7) {
                        (0, 0x00) => a.wrapping_add(b),
                        (0, 0x20) => a.wrapping_sub(b),
                        (0, _) => return Err(illegal()),
                        (1, _) => a << (b & 0x3f),
                        (2, _) => u64::from((a as i64) < (b as i64)),
                        (3, _) => u64::from(a < b),
                        (4, _) => a ^ b,
                        (5, 0x00) => a >> (b & 0x3f),
                        (5, 0x20) => ((a as i64) >> (b & 0x3f)) as u64,
                        (5, _) => return Err(illegal()),
                        (6, _) => a | b,
                        _ => a & b,
                    }
                };
                self.set_reg(rd, value);
                Ok(next)
            }
            // OP-32: addw subw sllw srlw sraw and the M `*w` instructions.
            0x3b => {
                let a = self.reg(rs1(instr));
                let b = self.reg(rs2(instr)) & 0xffff_ffff;
                let f7 = funct7(instr);
                let value = if f7 == 1 {
                    match multiply_divide_word(f3, a, b) {
                        Some(value) => value,
                        None => return Err(illegal()),
                    }
                } else {
                    let a_low = a & 0xffff_ffff;
                    match (f3, f7) {
                        (0, 0x00) => sext32(a_low.wrapping_add(b)),
                        (0, 0x20) => sext32(a_low.wrapping_sub(b)),
                        (1, _) => sext32(a << (b & 0x1f)),
                        (5, 0x00) => sign_extend(a_low >> (b & 0x1f), 31),
                        (5, 0x20) => sign_extend(a_low >> (b & 0x1f), 31 - (b & 0x1f) as u32),
                        _ => return Err(illegal()),
                    }
                };
                self.set_reg(rd, value);
                Ok(next)
            }
            // LUI.
            0x37 => {
                self.set_reg(rd, imm_u(instr) << 12);
                Ok(next)
            }
            // AUIPC.
            0x17 => {
                self.set_reg(rd, pc.wrapping_add(sign_extend(imm_u(instr) << 12, 31)));
                Ok(next)
            }
            // JAL.
            0x6f => {
                let target = pc.wrapping_add(sign_extend(imm_j(instr) << 1, 20));
                if target & 3 != 0 {
                    return Err(StepError::NotAligned { pc, addr: target });
                }
                self.set_reg(rd, next);
                Ok(target)
            }
            // JALR.
            0x67 => {
                let target = self.reg(rs1(instr)).wrapping_add(imm_i(instr)) & !1;
                if target & 3 != 0 {
                    return Err(StepError::NotAligned { pc, addr: target });
                }
                self.set_reg(rd, next);
                Ok(target)
            }
            // SYSTEM.
            0x73 => {
                if f3 == 0 {
                    if instr >> 20 == 0 {
                        self.syscall(oracle, tracker, pc)?;
                    }
                    // Any other funct3-0 SYSTEM instruction (ebreak, …) is a no-op.
                } else {
                    // CSR instructions: no CSRs; rd gets 0.
                    self.set_reg(rd, 0);
                }
                Ok(next)
            }
            // AMO: lr sc amo*.{w,d}.
            0x2f => {
                self.atomic(tracker, pc, instr)?;
                Ok(next)
            }
            // MISC-MEM (fence), LOAD-FP, STORE-FP, OP-FP: no-ops.
            0x0f | 0x07 | 0x27 | 0x53 => Ok(next),
            opcode => Err(StepError::UnknownOpcode {
                pc,
                instr: instr as u32,
                opcode: opcode as u8,
            }),
        }
    }

    /// `lr`, `sc` and the `amo*` read-modify-writes, 4 or 8 bytes.
    #[inline(always)]
    fn atomic<T: Tracker>(
        &mut self,
        tracker: &mut T,
        pc: u64,
        instr: u64,
    ) -> Result<(), StepError> {
        let size = 1u64 << funct3(instr);
        if !(4..=8).contains(&size) {
            return Err(StepError::BadAtomicSize { pc, size });
        }
        let addr = self.reg(rs1(instr));
        if !addr.is_multiple_of(size) {
            return Err(StepError::NotAligned { pc, addr });
        }
        let rd = rd(instr);
        let op = funct7(instr) >> 2;
        let source = self.reg(rs2(instr));
        let memory = &mut self.state.memory;
        match op {
            // LR.
            0x02 => {
                let value = load(memory, tracker, addr, size, true);
                self.set_reg(rd, value);
                self.state.load_reservation = addr;
            }
            // SC.
            0x03 => {
                let mut result = 1;
                if addr == self.state.load_reservation {
                    let bytes = source.to_le_bytes();
                    store(memory, tracker, addr, &bytes[..size as usize], true);
                    result = 0;
                }
                self.set_reg(rd, result);
                self.state.load_reservation = 0;
            }
            _ => {
                let mut operand = source;
                if size == 4 {
                    operand = sext32(operand);
                }
                let old = load(memory, tracker, addr, size, true);
                let new = match op {
                    0x00 => old.wrapping_add(operand),
                    0x01 => operand,
                    0x04 => old ^ operand,
                    0x08 => old | operand,
                    0x0c => old & operand,
                    0x10 => (old as i64).min(operand as i64) as u64,
                    0x14 => (old as i64).max(operand as i64) as u64,
                    0x18 => old.min(operand),
                    0x1c => old.max(operand),
                    _ => {
                        return Err(StepError::UnknownAtomicOperation { pc, op: op as u8 });
                    }
                };
                // The store reuses the load's proof of the (only) leaf.
                let bytes = new.to_le_bytes();
                store(memory, tracker, addr, &bytes[..size as usize], false);
                self.set_reg(rd, old);
            }
        }
        Ok(())
    }
}

/// `mul mulh mulhsu mulhu div divu rem remu` (funct7 1 of OP).
#[inline(always)]
fn multiply_divide(f3: u64, a: u64, b: u64) -> u64 {
    match f3 {
        0 => a.wrapping_mul(b),
        1 => ((i128::from(a as i64) * i128::from(b as i64)) >> 64) as u64,
        2 => ((i128::from(a as i64).wrapping_mul(i128::from(b))) >> 64) as u64,
        3 => ((u128::from(a) * u128::from(b)) >> 64) as u64,
        4 => match b {
            0 => u64::MAX,
            _ => (a as i64).wrapping_div(b as i64) as u64,
        },
        5 => a.checked_div(b).unwrap_or(u64::MAX),
        6 => match b {
            0 => a,
            _ => (a as i64).wrapping_rem(b as i64) as u64,
        },
        _ => a.checked_rem(b).unwrap_or(a),
    }
}

/// `mulw divw divuw remw remuw` (funct7 1 of OP-32); `None` for funct3 1–3. `b` is `rs2`'s
/// low 32 bits: a divisor is zero when those are.
#[inline(always)]
fn multiply_divide_word(f3: u64, a: u64, b: u64) -> Option<u64> {
    let a_low = a & 0xffff_ffff;
    Some(match f3 {
        0 => sext32(a_low.wrapping_mul(b)),
        4 => match b {
            0 => u64::MAX,
            _ => sext32((sext32(a) as i64).wrapping_div(sext32(b) as i64) as u64),
        },
        5 => match b {
            0 => u64::MAX,
            _ => sext32(a_low / b),
        },
        6 => match b {
            0 => sext32(a),
            _ => sext32((sext32(a) as i64).wrapping_rem(sext32(b) as i64) as u64),
        },
        7 => match b {
            0 => sext32(a),
            _ => sext32(a_low % b),
        },
        _ => return None,
    })
}
