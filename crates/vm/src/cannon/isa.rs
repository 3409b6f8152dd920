//! Cannon's instruction table as a static decoder: which 32-bit words a step executes, which
//! raise the invalid-instruction exception. It mirrors the decoding of
//! [`Cannon`](super::Cannon) (and of `MIPS64.sol`), for scanning a program's code before it
//! runs.

/// How Cannon treats an instruction word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Support {
    /// Executed as MIPS64 specifies it.
    Implemented,
    /// A REGIMM word whose `rt` names no condition Cannon knows (e.g. `sigrie`, rt = 0x17):
    /// executed as a branch that is never taken, where a MIPS CPU raises an exception.
    NotTakenBranch,
    /// The invalid-instruction exception (no post-state); the mnemonic or group.
    Invalid(&'static str),
}

/// How Cannon treats `insn`.
pub const fn classify(insn: u32) -> Support {
    let opcode = insn >> 26;
    let fun = insn & 0x3F;
    match opcode {
        0x00 => match fun {
            0x0C => Support::Implemented, // syscall
            0x00 | 0x02 | 0x03 | 0x04 | 0x06 | 0x07 | 0x08..=0x0B | 0x0F..=0x14 | 0x16..=0x27 => {
                Support::Implemented
            }
            0x2A..=0x2F | 0x38 | 0x3A | 0x3B | 0x3C | 0x3E | 0x3F => Support::Implemented,
            0x0D => Support::Invalid("break"),
            0x30..=0x36 => Support::Invalid("trap (tge/tgeu/tlt/tltu/teq/tne)"),
            _ => Support::Invalid("SPECIAL function"),
        },
        0x01 => match (insn >> 16) & 0x1F {
            0x00 | 0x01 | 0x10 | 0x11 => Support::Implemented,
            _ => Support::NotTakenBranch,
        },
        0x02..=0x0F | 0x18 | 0x19 | 0x1A | 0x1B => Support::Implemented,
        0x1C => match fun {
            0x02 | 0x20 | 0x21 | 0x24 | 0x25 => Support::Implemented,
            _ => Support::Invalid("SPECIAL2 function"),
        },
        0x20..=0x2E | 0x30 | 0x34 | 0x37 | 0x38 | 0x3C | 0x3F => Support::Implemented,
        0x10..=0x13 => Support::Invalid("coprocessor"),
        0x14..=0x17 => Support::Invalid("branch likely"),
        0x1F => Support::Invalid("SPECIAL3 (release 2)"),
        _ => Support::Invalid("opcode"),
    }
}

/// A word of a program's code outside Cannon's table, and why it cannot execute (if shown).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Its address.
    pub addr: u64,
    /// The word.
    pub insn: u32,
    /// How Cannon treats it.
    pub support: Support,
    /// Why no execution reaches it, when the scan can show it; `None` if it may execute.
    pub dead_because: Option<alloc::string::String>,
}

/// Scans the executable sections of `elf` for words outside Cannon's table and, for each,
/// looks for a static reason it is dead: no direct branch or jump targets it, no data word
/// holds its address, and the instruction two words before is an unconditional transfer
/// (`jr`, `j`, `b`) or a call to a function that never returns (its name says panic or abort),
/// so that only its delay slot lies between — or the word before is itself such dead code.
pub fn scan(elf: &super::elf::Elf<'_>) -> Result<alloc::vec::Vec<Finding>, crate::VmError> {
    use alloc::{collections::BTreeSet, format, vec::Vec};
    let mut code: Vec<(u64, u32)> = Vec::new();
    let mut data_words: BTreeSet<u64> = BTreeSet::new();
    for section in &elf.sections {
        if section.flags & 2 == 0 {
            continue;
        }
        let bytes = elf.section_data(section)?;
        if section.flags & 4 != 0 {
            for (n, w) in bytes.chunks_exact(4).enumerate() {
                code.push((
                    section.addr + 4 * n as u64,
                    u32::from_be_bytes(w.try_into().expect("4")),
                ));
            }
        } else {
            for w in bytes.chunks_exact(8) {
                data_words.insert(u64::from_be_bytes(w.try_into().expect("8")));
            }
        }
    }
    let symbols = elf.symbols()?;
    let name_at = |addr: u64| {
        symbols
            .iter()
            .find(|s| s.start == addr)
            .map(|s| s.name.as_str())
    };
    let mut targets: BTreeSet<u64> = BTreeSet::new();
    for &(addr, insn) in &code {
        let op = insn >> 26;
        let imm = super::sign_extend_immediate(insn);
        if matches!(op, 4..=7) || (op == 1 && matches!((insn >> 16) & 0x1F, 0 | 1 | 0x10 | 0x11)) {
            targets.insert(addr.wrapping_add(4).wrapping_add(imm << 2));
        } else if op == 2 || op == 3 {
            targets.insert(((addr + 4) & !0x0FFF_FFFF) | (((insn & 0x03FF_FFFF) as u64) << 2));
        }
    }
    let word_at = |addr: u64| -> Option<u32> {
        code.binary_search_by_key(&addr, |&(a, _)| a)
            .ok()
            .map(|n| code[n].1)
    };
    let mut findings: Vec<Finding> = Vec::new();
    for &(addr, insn) in &code {
        let support = classify(insn);
        if support == Support::Implemented {
            continue;
        }
        let referenced = targets.contains(&addr) || data_words.contains(&addr);
        let before = addr.checked_sub(8).and_then(word_at);
        let mut dead = None;
        if !referenced {
            if let Some(prev) = before {
                let op = prev >> 26;
                if op == 0 && prev & 0x3F == 0x08 {
                    dead = Some(format!(
                        "after jr {} and its delay slot",
                        (prev >> 21) & 0x1F
                    ));
                } else if op == 2 {
                    dead = Some("after j and its delay slot".into());
                } else if op == 4 && (prev >> 16) & 0x3FF == 0 {
                    dead = Some("after b (beq $0, $0) and its delay slot".into());
                } else if op == 3 {
                    let target = ((addr - 4) & !0x0FFF_FFFF) | (((prev & 0x03FF_FFFF) as u64) << 2);
                    if let Some(name) = name_at(target)
                        && (name.contains("panic")
                            || name.contains("abort")
                            || name.contains("fail"))
                    {
                        dead = Some(format!("after a call to {name}, which does not return"));
                    }
                }
            }
            if dead.is_none()
                && let Some(last) = findings.last()
                && last.addr + 4 == addr
                && last.dead_because.is_some()
            {
                dead = Some("follows dead code".into());
            }
        }
        findings.push(Finding {
            addr,
            insn,
            support,
            dead_because: dead,
        });
    }
    Ok(findings)
}
