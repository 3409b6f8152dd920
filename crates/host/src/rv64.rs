//! A static check that a RISC-V ELF uses only RV64IMA instructions, as Asterisc requires.
//!
//! Every executable section is decoded as a sequence of 4-byte instructions. A word whose low
//! two bits are not `0b11` is a compressed (C extension) instruction; every other word must
//! decode to an RV64I, M or A instruction. `ecall`, `ebreak`, `fence` and the canonical
//! `unimp` trap (`csrrw x0, cycle, x0`, what LLVM emits for `llvm.trap`) are accepted; any other
//! CSR access, floating point, or unknown encoding is reported.

use crate::elf::{EM_RISCV, Elf64, ElfError};

/// The canonical `unimp` encoding.
const UNIMP: u32 = 0xc000_1073;

/// One instruction outside RV64IMA.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// Virtual address of the instruction.
    pub address: u64,
    /// The raw word (or half-word for compressed instructions).
    pub word: u32,
    /// What is wrong with it.
    pub reason: &'static str,
}

/// The result of checking an ELF.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IsaReport {
    /// Instructions decoded.
    pub instructions: usize,
    /// Executable bytes scanned.
    pub code_bytes: usize,
    /// Every instruction outside RV64IMA, in address order.
    pub violations: Vec<Violation>,
}

/// Why the check could not run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IsaCheckError {
    /// The file is not a usable ELF64.
    #[error(transparent)]
    Elf(#[from] ElfError),
    /// The ELF is not for RISC-V.
    #[error("ELF machine {0} is not RISC-V")]
    NotRiscV(u16),
}

/// Checks every executable section of the RISC-V ELF `bytes`.
pub fn check_elf(bytes: &[u8]) -> Result<IsaReport, IsaCheckError> {
    let elf: Elf64<'_> = Elf64::parse(bytes)?;
    if elf.machine != EM_RISCV {
        return Err(IsaCheckError::NotRiscV(elf.machine));
    }
    let mut report: IsaReport = IsaReport::default();
    for region in elf.code_regions()? {
        let code: &[u8] = elf.bytes(&region);
        report.code_bytes += code.len();
        let mut offset: usize = 0;
        while let Some(half) = code.get(offset..offset + 2) {
            let address: u64 = region.address.wrapping_add(offset as u64);
            let low: u16 = u16::from_le_bytes([half[0], half[1]]);
            if low & 0b11 != 0b11 {
                report.violations.push(Violation {
                    address,
                    word: u32::from(low),
                    reason: "compressed instruction",
                });
                offset += 2;
                continue;
            }
            let Some(word) = code.get(offset..offset + 4) else {
                report.violations.push(Violation {
                    address,
                    word: u32::from(low),
                    reason: "truncated instruction at end of section",
                });
                break;
            };
            let word: u32 = u32::from_le_bytes([word[0], word[1], word[2], word[3]]);
            report.instructions += 1;
            if let Err(reason) = check_instruction(word) {
                report.violations.push(Violation {
                    address,
                    word,
                    reason,
                });
            }
            offset += 4;
        }
    }
    Ok(report)
}

/// Accepts a 4-byte RV64IMA instruction, or says why it is not one.
pub fn check_instruction(word: u32) -> Result<(), &'static str> {
    let opcode: u32 = word & 0x7f;
    let funct3: u32 = (word >> 12) & 0x7;
    let funct7: u32 = word >> 25;
    let ok = |valid: bool, reason: &'static str| if valid { Ok(()) } else { Err(reason) };
    match opcode {
        // LUI, AUIPC, JAL
        0x37 | 0x17 | 0x6f => Ok(()),
        // JALR
        0x67 => ok(funct3 == 0, "invalid JALR"),
        // BEQ BNE BLT BGE BLTU BGEU
        0x63 => ok(!matches!(funct3, 2 | 3), "invalid branch"),
        // LB LH LW LD LBU LHU LWU
        0x03 => ok(funct3 != 7, "invalid load"),
        // SB SH SW SD
        0x23 => ok(funct3 <= 3, "invalid store"),
        // ADDI SLTI SLTIU XORI ORI ANDI SLLI SRLI SRAI (6-bit shamt)
        0x13 => match funct3 {
            1 => ok(word >> 26 == 0, "invalid SLLI"),
            5 => ok(matches!(word >> 26, 0x00 | 0x10), "invalid SRLI/SRAI"),
            _ => Ok(()),
        },
        // ADDIW SLLIW SRLIW SRAIW
        0x1b => match funct3 {
            0 => Ok(()),
            1 => ok(funct7 == 0, "invalid SLLIW"),
            5 => ok(matches!(funct7, 0x00 | 0x20), "invalid SRLIW/SRAIW"),
            _ => Err("invalid OP-IMM-32"),
        },
        // RV64I register-register and M
        0x33 => match funct7 {
            0x00 => Ok(()),
            0x20 => ok(matches!(funct3, 0 | 5), "invalid SUB/SRA"),
            0x01 => Ok(()),
            _ => Err("OP outside RV64IM (e.g. Zba/Zbb)"),
        },
        // ADDW SUBW SLLW SRLW SRAW and MULW DIVW DIVUW REMW REMUW
        0x3b => match funct7 {
            0x00 => ok(matches!(funct3, 0 | 1 | 5), "invalid OP-32"),
            0x20 => ok(matches!(funct3, 0 | 5), "invalid SUBW/SRAW"),
            0x01 => ok(matches!(funct3, 0 | 4 | 5 | 6 | 7), "invalid M OP-32"),
            _ => Err("OP-32 outside RV64IM"),
        },
        // FENCE (FENCE.I is Zifencei, not needed by user code)
        0x0f => ok(funct3 == 0, "FENCE.I or unknown MISC-MEM"),
        // ECALL, EBREAK, and the unimp trap; other SYSTEM encodings are CSR accesses.
        0x73 => ok(
            matches!(word, 0x0000_0073 | 0x0010_0073 | UNIMP),
            "CSR or privileged instruction (Zicsr)",
        ),
        // AMOs and LR/SC, word and doubleword
        0x2f => {
            let funct5: u32 = word >> 27;
            let rs2: u32 = (word >> 20) & 0x1f;
            if !matches!(funct3, 2 | 3) {
                return Err("invalid AMO width");
            }
            match funct5 {
                0b00010 => ok(rs2 == 0, "invalid LR"),
                0b00011 | 0b00001 | 0b00000 | 0b00100 | 0b01100 | 0b01000 | 0b10000 | 0b10100
                | 0b11000 | 0b11100 => Ok(()),
                _ => Err("unknown AMO"),
            }
        }
        0x07 | 0x27 | 0x43 | 0x47 | 0x4b | 0x4f | 0x53 => Err("floating-point instruction"),
        0x57 => Err("vector instruction"),
        _ => Err("unknown opcode"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_rv64ima_encodings() {
        for word in [
            0x0000_0513u32, // addi a0, zero, 0
            0xff01_0113,    // addi sp, sp, -16
            0x0000_0073,    // ecall
            0x0010_0073,    // ebreak
            UNIMP,          // unimp
            0x02b5_0533,    // mul a0, a0, a1
            0x02b5_453b,    // divw a0, a0, a1
            0x1005_25af,    // lr.w a1, (a0)
            0x18b5_362f,    // sc.d a2, a1, (a0)
            0x00b5_302f,    // amoadd.d zero, a1, (a0)
            0x4035_5513,    // srai a0, a0, 3
            0x0030_0f13,    // addi t5, zero, 3
            0x0ff0_000f,    // fence iorw, iorw
            0x0000_3503,    // ld a0, 0(zero)
            0x00a1_3023,    // sd a0, 0(sp)
            0x0000_006f,    // j .
        ] {
            assert_eq!(check_instruction(word), Ok(()), "{word:#010x}");
        }
    }

    #[test]
    fn rejects_instructions_outside_rv64ima() {
        for (word, what) in [
            (0x0005_3507u32, "fld fa0, 0(a0)"),
            (0x02b5_7553, "fadd.d"),
            (0x3000_2573, "csrrs a0, mstatus, zero"),
            (0x0000_100f, "fence.i"),
            (0x20b5_2533, "sh1add (Zba)"),
            (0x0000_0000, "all-zero illegal instruction"),
            (0x0000_0057, "vector"),
        ] {
            assert!(
                check_instruction(word).is_err(),
                "{what} ({word:#010x}) accepted"
            );
        }
    }

    /// A minimal RISC-V ELF64 with one executable section holding `code`.
    fn elf_with_text(code: &[u8]) -> Vec<u8> {
        let text_offset: usize = 64;
        let shstrtab: &[u8] = b"\0.text\0.shstrtab\0";
        let shstrtab_offset: usize = text_offset + code.len();
        let shoff: usize = (shstrtab_offset + shstrtab.len()).next_multiple_of(8);
        let mut elf: Vec<u8> = vec![0; shoff + 3 * 64];
        elf[..6].copy_from_slice(&[0x7f, b'E', b'L', b'F', 2, 1]);
        elf[18..20].copy_from_slice(&EM_RISCV.to_le_bytes());
        elf[40..48].copy_from_slice(&(shoff as u64).to_le_bytes());
        elf[58..60].copy_from_slice(&64u16.to_le_bytes());
        elf[60..62].copy_from_slice(&3u16.to_le_bytes());
        elf[62..64].copy_from_slice(&2u16.to_le_bytes());
        elf[text_offset..shstrtab_offset].copy_from_slice(code);
        elf[shstrtab_offset..shstrtab_offset + shstrtab.len()].copy_from_slice(shstrtab);
        let mut section = |index: usize,
                           name: u32,
                           kind: u32,
                           flags: u64,
                           addr: u64,
                           offset: usize,
                           size: usize| {
            let h: usize = shoff + index * 64;
            elf[h..h + 4].copy_from_slice(&name.to_le_bytes());
            elf[h + 4..h + 8].copy_from_slice(&kind.to_le_bytes());
            elf[h + 8..h + 16].copy_from_slice(&flags.to_le_bytes());
            elf[h + 16..h + 24].copy_from_slice(&addr.to_le_bytes());
            elf[h + 24..h + 32].copy_from_slice(&(offset as u64).to_le_bytes());
            elf[h + 32..h + 40].copy_from_slice(&(size as u64).to_le_bytes());
        };
        section(1, 1, 1, 0x6, 0x1000, text_offset, code.len());
        section(2, 7, 3, 0, 0, shstrtab_offset, shstrtab.len());
        elf
    }

    #[test]
    fn reports_compressed_and_foreign_instructions_with_addresses() {
        let mut code: Vec<u8> = Vec::new();
        code.extend_from_slice(&0x0000_0513u32.to_le_bytes()); // addi
        code.extend_from_slice(&0x7179u16.to_le_bytes()); // c.addi16sp sp, -48
        code.extend_from_slice(&0x02b5_7553u32.to_le_bytes()); // fadd.d
        code.extend_from_slice(&0x0000_0073u32.to_le_bytes()); // ecall
        let report: IsaReport = check_elf(&elf_with_text(&code)).unwrap();
        assert_eq!(report.code_bytes, 14);
        assert_eq!(report.instructions, 3);
        assert_eq!(
            report.violations,
            vec![
                Violation {
                    address: 0x1004,
                    word: 0x7179,
                    reason: "compressed instruction"
                },
                Violation {
                    address: 0x1006,
                    word: 0x02b5_7553,
                    reason: "floating-point instruction"
                },
            ]
        );
        let clean: IsaReport = check_elf(&elf_with_text(&0x0000_0073u32.to_le_bytes())).unwrap();
        assert!(clean.violations.is_empty());
    }

    #[test]
    fn rejects_non_riscv_and_malformed_files() {
        let mut mips: Vec<u8> = elf_with_text(&[0x13, 0, 0, 0]);
        mips[18..20].copy_from_slice(&crate::elf::EM_MIPS.to_le_bytes());
        assert_eq!(
            check_elf(&mips),
            Err(IsaCheckError::NotRiscV(crate::elf::EM_MIPS))
        );
        assert_eq!(
            check_elf(b"not an elf at all"),
            Err(IsaCheckError::Elf(ElfError::NotElf64))
        );
        let truncated: Vec<u8> = elf_with_text(&[0x13, 0, 0, 0])[..100].to_vec();
        assert!(matches!(
            check_elf(&truncated),
            Err(IsaCheckError::Elf(ElfError::Truncated(_)))
        ));
    }
}
