//! RISC-V instruction fields and immediates, decoded the way Asterisc decodes them.
//!
//! Every function takes the 32-bit instruction word zero-extended to 64 bits. Immediates come
//! back sign-extended to 64 bits, with the bit positions of the RISC-V unprivileged spec
//! (Volume I, §2.3 "Immediate Encoding Variants").

/// Sign-extends `value` from bit `sign_bit` (0-based) to 64 bits. Bits above `sign_bit` are
/// replaced by copies of it.
#[inline(always)]
pub(crate) const fn sign_extend(value: u64, sign_bit: u32) -> u64 {
    let shift = 63 - sign_bit;
    (((value << shift) as i64) >> shift) as u64
}

/// The low 32 bits of `value`, sign-extended to 64 bits (the `*W` instructions' result).
#[inline(always)]
pub(crate) const fn sext32(value: u64) -> u64 {
    value as u32 as i32 as i64 as u64
}

/// `opcode`: bits 6..0.
#[inline(always)]
pub(crate) const fn opcode(instr: u64) -> u64 {
    instr & 0x7f
}

/// `rd`: bits 11..7.
#[inline(always)]
pub(crate) const fn rd(instr: u64) -> usize {
    ((instr >> 7) & 0x1f) as usize
}

/// `funct3`: bits 14..12.
#[inline(always)]
pub(crate) const fn funct3(instr: u64) -> u64 {
    (instr >> 12) & 0x7
}

/// `rs1`: bits 19..15.
#[inline(always)]
pub(crate) const fn rs1(instr: u64) -> usize {
    ((instr >> 15) & 0x1f) as usize
}

/// `rs2`: bits 24..20.
#[inline(always)]
pub(crate) const fn rs2(instr: u64) -> usize {
    ((instr >> 20) & 0x1f) as usize
}

/// `funct7`: bits 31..25.
#[inline(always)]
pub(crate) const fn funct7(instr: u64) -> u64 {
    instr >> 25
}

/// I-type immediate: `imm[11:0] = instr[31:20]`.
#[inline(always)]
pub(crate) const fn imm_i(instr: u64) -> u64 {
    sign_extend(instr >> 20, 11)
}

/// S-type immediate: `imm[11:5] = instr[31:25]`, `imm[4:0] = instr[11:7]`.
#[inline(always)]
pub(crate) const fn imm_s(instr: u64) -> u64 {
    sign_extend(((instr >> 25) << 5) | ((instr >> 7) & 0x1f), 11)
}

/// B-type immediate (a byte offset, bit 0 always zero): `imm[12|10:5] = instr[31:25]`,
/// `imm[4:1|11] = instr[11:7]`.
#[inline(always)]
pub(crate) const fn imm_b(instr: u64) -> u64 {
    sign_extend(
        (((instr >> 8) & 0xf) << 1)
            | (((instr >> 25) & 0x3f) << 5)
            | (((instr >> 7) & 1) << 11)
            | ((instr >> 31) << 12),
        12,
    )
}

/// U-type immediate, *before* the shift by 12: `instr[31:12]`, sign-extended from bit 19.
#[inline(always)]
pub(crate) const fn imm_u(instr: u64) -> u64 {
    sign_extend(instr >> 12, 19)
}

/// J-type immediate in units of 2 bytes (Asterisc shifts it left by one when jumping):
/// `imm[20|10:1|11|19:12] = instr[31:12]`, sign-extended from its bit 19.
#[inline(always)]
pub(crate) const fn imm_j(instr: u64) -> u64 {
    sign_extend(
        ((instr >> 21) & 0x3ff)
            | (((instr >> 20) & 1) << 10)
            | (((instr >> 12) & 0xff) << 11)
            | ((instr >> 31) << 19),
        19,
    )
}
