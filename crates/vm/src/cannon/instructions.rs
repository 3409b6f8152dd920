//! The MIPS64 instruction semantics of Cannon (`MIPS64Instructions.sol`): decoding helpers and
//! the pure ALU, load/store word transforms and HI/LO operations.
//!
//! Arithmetic wraps (Solidity `unchecked`). Anything outside Cannon's table is
//! [`VmError::InvalidInstruction`]; a division by zero is an exception as well.
//!
//! Differences from the specification's "Compiler Assumptions" that follow from the contract:
//! `add`/`addi`/`sub` never trap on overflow, unaligned loads and stores act on the naturally
//! aligned word holding the address, and a REGIMM instruction whose `rt` is none of
//! `bltz`/`bgez`/`bltzal`/`bgezal` (e.g. `sigrie`, rt = 0x17) executes as a branch that is not
//! taken: no exception (the contract's `handleBranch` simply finds no condition), though it is
//! still subject to the delay-slot check.

use crate::VmError;

/// Sign-extends the low `bits` bits of `value` to 64 bits (`signExtend` of the contract).
#[inline(always)]
pub const fn sign_extend(value: u64, bits: u32) -> u64 {
    if bits >= 64 {
        return value;
    }
    let mask = (1u64 << bits) - 1;
    if (value >> (bits - 1)) & 1 != 0 {
        value | !mask
    } else {
        value & mask
    }
}

/// The sign-extended 16-bit immediate.
#[inline(always)]
pub const fn sign_extend_immediate(insn: u32) -> u64 {
    sign_extend((insn & 0xFFFF) as u64, 16)
}

#[inline(always)]
const fn shl(value: u64, by: u64) -> u64 {
    if by >= 64 { 0 } else { value << by }
}

#[inline(always)]
const fn shr(value: u64, by: u64) -> u64 {
    if by >= 64 { 0 } else { value >> by }
}

/// The mask, shift and bit length of a `byte_len`-byte subword at `vaddr` in its big-endian
/// doubleword (`calculateSubWordMaskAndOffset`).
#[inline(always)]
const fn subword_mask_and_offset(vaddr: u64, byte_len: u64) -> (u64, u64, u64) {
    let bit_len = byte_len << 3;
    let data_mask = shr(!0, 64 - bit_len);
    let byte_index = vaddr & 7 & !(byte_len - 1);
    let bit_offset = (8 - byte_len - byte_index) << 3;
    (data_mask, bit_offset, bit_len)
}

/// The `byte_len`-byte subword of `mem_word` that `vaddr` selects (`selectSubWord`).
#[inline(always)]
pub const fn select_subword(vaddr: u64, mem_word: u64, byte_len: u64, signed: bool) -> u64 {
    let (mask, offset, bits) = subword_mask_and_offset(vaddr, byte_len);
    let value = (mem_word >> offset) & mask;
    if signed {
        sign_extend(value, bits as u32)
    } else {
        value
    }
}

/// `mem_word` with the subword at `vaddr` replaced by `value` (`updateSubWord`).
#[inline(always)]
pub const fn update_subword(vaddr: u64, mem_word: u64, byte_len: u64, value: u64) -> u64 {
    let (mask, offset, _) = subword_mask_and_offset(vaddr, byte_len);
    ((value & mask) << offset) | (!(mask << offset) & mem_word)
}

fn invalid(insn: u32) -> VmError {
    // The pc is filled in by the caller.
    VmError::InvalidInstruction { pc: 0, insn }
}

/// The ALU and memory-transform part of a step (`executeMipsInstruction`): the value written
/// back to the destination register or, for stores, the new memory doubleword.
///
/// `rs` is the address (base + offset) for loads and stores, `rt` the second operand (register
/// or immediate), `mem` the doubleword at the address.
pub fn execute(
    insn: u32,
    opcode: u32,
    fun: u32,
    rs: u64,
    rt: u64,
    mem: u64,
) -> Result<u64, VmError> {
    const U32: u64 = 0xFFFF_FFFF;
    let shamt = ((insn >> 6) & 0x1F) as u64;
    if opcode == 0 || (8..0xF).contains(&opcode) || opcode == 0x18 || opcode == 0x19 {
        let fun = match opcode {
            0x08 => 0x20, // addi
            0x09 => 0x21, // addiu
            0x0A => 0x2A, // slti
            0x0B => 0x2B, // sltiu
            0x0C => 0x24, // andi
            0x0D => 0x25, // ori
            0x0E => 0x26, // xori
            0x18 => 0x2C, // daddi
            0x19 => 0x2D, // daddiu
            _ => fun,
        };
        return Ok(match fun {
            0x00 => sign_extend((rt << shamt) & U32, 32), // sll
            0x02 => sign_extend((rt & U32) >> shamt, 32), // srl
            0x03 => sign_extend((rt & U32) >> shamt, 32 - shamt as u32), // sra
            0x04 => sign_extend((rt << (rs & 0x1F)) & U32, 32), // sllv
            0x06 => sign_extend((rt & U32) >> (rs & 0x1F), 32), // srlv
            0x07 => sign_extend((rt & U32) >> (rs & 0x1F), 32 - (rs & 0x1F) as u32), // srav
            // jr, jalr, movz, movn, syscall, sync, mfhi, mthi, mflo, mtlo: handled by the caller
            0x08..=0x0C | 0x0F..=0x13 => rs,
            // dsllv, dsrlv, dsrav: computed with HI/LO
            0x14 | 0x16 | 0x17 => rt,
            // mult, multu, div, divu, dmult, dmultu, ddiv, ddivu: computed with HI/LO
            0x18..=0x1F => rs,
            0x20 | 0x21 => sign_extend((rs as u32).wrapping_add(rt as u32) as u64, 32), // add(u)
            0x22 | 0x23 => sign_extend((rs as u32).wrapping_sub(rt as u32) as u64, 32), // sub(u)
            0x24 => rs & rt,                                                            // and
            0x25 => rs | rt,                                                            // or
            0x26 => rs ^ rt,                                                            // xor
            0x27 => !(rs | rt),                                                         // nor
            0x2A => ((rs as i64) < (rt as i64)) as u64,                                 // slt(i)
            0x2B => (rs < rt) as u64,                                                   // slt(i)u
            0x2C | 0x2D => rs.wrapping_add(rt),    // dadd(u)(i)
            0x2E | 0x2F => rs.wrapping_sub(rt),    // dsub(u)
            0x38 => rt << shamt,                   // dsll
            0x3A => rt >> shamt,                   // dsrl
            0x3B => ((rt as i64) >> shamt) as u64, // dsra
            0x3C => rt << (shamt + 32),            // dsll32
            0x3E => rt >> (shamt + 32),            // dsrl32
            0x3F => ((rt as i64) >> (shamt + 32)) as u64, // dsra32
            // 0x0D break, 0x0E, 0x01 movci, 0x05, 0x15, traps (0x30..0x36), …
            _ => return Err(invalid(insn)),
        });
    }
    let value = match opcode {
        0x1C => match fun {
            0x02 => sign_extend((rs as i32).wrapping_mul(rt as i32) as u32 as u64, 32), // mul
            0x20 => (rs as u32).leading_zeros() as u64,                                 // clz
            0x21 => (rs as u32).leading_ones() as u64,                                  // clo
            0x24 => rs.leading_zeros() as u64,                                          // dclz
            0x25 => rs.leading_ones() as u64,                                           // dclo
            _ => return Err(invalid(insn)),
        },
        0x0F => sign_extend(rt << 16, 32),        // lui
        0x20 => select_subword(rs, mem, 1, true), // lb
        0x21 => select_subword(rs, mem, 2, true), // lh
        0x22 => {
            // lwl
            let w = select_subword(rs, mem, 4, false) as u32;
            let by = ((rs & 3) * 8) as u32;
            let val = (w << by) as u64;
            let mask = (0xFFFF_FFFFu32 << by) as u64;
            sign_extend(((rt & !mask) | val) & U32, 32)
        }
        0x23 => select_subword(rs, mem, 4, true),  // lw
        0x24 => select_subword(rs, mem, 1, false), // lbu
        0x25 => select_subword(rs, mem, 2, false), // lhu
        0x26 => {
            // lwr
            let w = select_subword(rs, mem, 4, false) as u32;
            let by = (24 - (rs & 3) * 8) as u32;
            let val = w >> by;
            let mask = 0xFFFF_FFFFu32 >> by;
            let result = (((rt as u32) & !mask) | val) as u64;
            if rs & 3 == 3 {
                sign_extend(result, 32)
            } else {
                // Cannon64: the upper word of rt is kept.
                (rt & 0xFFFF_FFFF_0000_0000) | result
            }
        }
        0x28 => update_subword(rs, mem, 1, rt), // sb
        0x29 => update_subword(rs, mem, 2, rt), // sh
        0x2A => {
            // swl
            let sr = (rs & 3) << 3;
            let sl = 32 - ((rs & 4) << 3);
            let val = ((rt & U32) >> sr) << sl;
            let mask = (U32 >> sr) << sl;
            (mem & !mask) | val
        }
        0x2B => update_subword(rs, mem, 4, rt), // sw
        0x2E => {
            // swr
            let w = select_subword(rs, mem, 4, false) as u32;
            let by = (24 - (rs & 3) * 8) as u32;
            let val = (rt << by) as u32;
            let mask = 0xFFFF_FFFFu32 << by;
            update_subword(rs, mem, 4, ((w & !mask) | val) as u64)
        }
        0x1A => {
            // ldl
            let sl = (rs & 7) << 3;
            (mem << sl) | (rt & !(u64::MAX << sl))
        }
        0x1B => {
            // ldr
            let sr = 56 - ((rs & 7) << 3);
            (mem >> sr) | (rt & shl(u64::MAX, 64 - sr))
        }
        0x27 => (mem >> (32 - ((rs & 4) << 3))) & U32, // lwu
        0x2C => {
            // sdl
            let sr = (rs & 7) << 3;
            (rt >> sr) | (mem & !(u64::MAX >> sr))
        }
        0x2D => {
            // sdr
            let sl = 56 - ((rs & 7) << 3);
            (rt << sl) | (mem & !(u64::MAX << sl))
        }
        0x37 => mem, // ld
        0x3F => rt,  // sd
        _ => return Err(invalid(insn)),
    };
    Ok(value)
}

/// The HI/LO unit and the doubleword variable shifts (`handleHiLo`): returns the value for the
/// destination register (0 unless `mfhi`/`mflo`/`dsllv`/`dsrlv`/`dsrav`).
pub fn hilo(fun: u32, rs: u64, rt: u64, hi: &mut u64, lo: &mut u64) -> Result<u64, VmError> {
    let mut value = 0;
    match fun {
        0x10 => value = *hi, // mfhi
        0x11 => *hi = rs,    // mthi
        0x12 => value = *lo, // mflo
        0x13 => *lo = rs,    // mtlo
        0x18 => {
            // mult
            let acc = ((rs as i32 as i64).wrapping_mul(rt as i32 as i64)) as u64;
            *hi = sign_extend(acc >> 32, 32);
            *lo = sign_extend(acc as u32 as u64, 32);
        }
        0x19 => {
            // multu
            let acc = (rs as u32 as u64) * (rt as u32 as u64);
            *hi = sign_extend(acc >> 32, 32);
            *lo = sign_extend(acc as u32 as u64, 32);
        }
        0x1A => {
            // div
            if rt as u32 == 0 {
                return Err(VmError::Exception("division by zero".into()));
            }
            *hi = sign_extend((rs as i32).wrapping_rem(rt as i32) as u32 as u64, 32);
            *lo = sign_extend((rs as i32).wrapping_div(rt as i32) as u32 as u64, 32);
        }
        0x1B => {
            // divu
            if rt as u32 == 0 {
                return Err(VmError::Exception("division by zero".into()));
            }
            *hi = sign_extend(((rs as u32) % (rt as u32)) as u64, 32);
            *lo = sign_extend(((rs as u32) / (rt as u32)) as u64, 32);
        }
        0x14 => value = rt << (rs & 0x3F), // dsllv
        0x16 => value = rt >> (rs & 0x3F), // dsrlv
        0x17 => value = ((rt as i64) >> (rs & 0x3F)) as u64, // dsrav
        0x1C => {
            // dmult
            let res = (rs as i64 as i128) * (rt as i64 as i128);
            *hi = ((res >> 64) as i64) as u64;
            *lo = res as u64;
        }
        0x1D => {
            // dmultu
            let res = (rs as u128) * (rt as u128);
            *hi = (res >> 64) as u64;
            *lo = res as u64;
        }
        0x1E => {
            // ddiv
            if rt == 0 {
                return Err(VmError::Exception("division by zero".into()));
            }
            *hi = (rs as i64).wrapping_rem(rt as i64) as u64;
            *lo = (rs as i64).wrapping_div(rt as i64) as u64;
        }
        0x1F => {
            // ddivu
            if rt == 0 {
                return Err(VmError::Exception("division by zero".into()));
            }
            *hi = rs % rt;
            *lo = rs / rt;
        }
        // 0x15 is rejected by `execute` before; nothing else reaches here.
        _ => {}
    }
    Ok(value)
}
