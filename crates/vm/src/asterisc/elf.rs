//! Loading a RISC-V ELF into an Asterisc prestate, as `asterisc load-elf` does.
//!
//! 1. Every program header except `PT_RISCV_ATTRIBUTES` (0x70000003) is copied to memory at
//!    its `p_vaddr`, in header order, its `p_filesz` bytes followed by zeros up to `p_memsz`.
//!    A `PT_LOAD` with `p_filesz > p_memsz`, or any other header with `p_filesz != p_memsz`,
//!    is an error. (Asterisc copies every segment type, not only `PT_LOAD`.)
//! 2. The PC is `e_entry`, the heap starts at [`INITIAL_HEAP`], all registers are zero.
//! 3. Go-runtime functions Asterisc cannot run (GC enabling, `runtime.check`, …) are patched to
//!    `ret` (`jalr x0, ra, 0`) and `runtime.MemProfileRate` is zeroed, found by symbol name.
//! 4. The initial stack: `sp = 0x1000_0000_0000_0000` and, from `sp + 8` on, the words
//!    `0x42, 0x35, 0, 6 (AT_PAGESZ), 4096, 25 (AT_RANDOM), sp + 72, 0` and 16 bytes of
//!    "randomness". (Asterisc's comments call the first two words `argc = 0` and `argv = 0`;
//!    its code writes 0x42 and 0x35, and nothing at `sp` itself. koa writes what the code
//!    writes.)
//!
//! Difference: Asterisc's `load-elf` fails on an ELF without a symbol table (Go's
//! `elf.File.Symbols` returns `ErrNoSymbols`, and `PatchVM` gives up). koa's client is built
//! stripped, so koa applies no patches to such an ELF and loads it otherwise identically; an
//! ELF with symbols gets the same prestate (and hash) as from Asterisc.

use super::state::{INITIAL_HEAP, State};
use alloc::{string::String, vec::Vec};

/// `EM_RISCV`.
pub const EM_RISCV: u16 = 243;
/// `PT_LOAD`.
const PT_LOAD: u32 = 1;
/// `PT_RISCV_ATTRIBUTES`: metadata, never loaded.
const PT_RISCV_ATTRIBUTES: u32 = 0x7000_0003;
/// `SHT_SYMTAB`.
const SHT_SYMTAB: u32 = 2;

/// The initial stack pointer.
pub const INITIAL_SP: u64 = 0x1000_0000_0000_0000;

/// The most memory koa lets one ELF's segments span in total (256 MiB): more is not a
/// program koa runs (Asterisc has no limit; its zero fill would allocate every page).
pub const MAX_SEGMENT_BYTES: u64 = 256 << 20;

/// Symbols patched to an immediate return (`jalr x0, ra, 0`).
const PATCHED_TO_RET: &[&str] = &[
    "runtime.gcenable",
    "runtime.init.5",
    "runtime.main.func1",
    "runtime.deductSweepCredit",
    "runtime.(*gcControllerState).commit",
    "github.com/prometheus/client_golang/prometheus.init",
    "github.com/prometheus/client_golang/prometheus.init.0",
    "github.com/prometheus/procfs.init",
    "github.com/prometheus/common/model.init",
    "github.com/prometheus/client_model/go.init",
    "github.com/prometheus/client_model/go.init.0",
    "github.com/prometheus/client_model/go.init.1",
    "flag.init",
    "runtime.check",
];

/// `jalr x0, ra, 0`, little-endian.
const RET: [u8; 4] = [0x67, 0x80, 0x00, 0x00];

/// Why an ELF cannot be loaded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ElfError {
    /// Not an ELF file, or not 64-bit little-endian.
    #[error("not a 64-bit little-endian ELF file")]
    NotElf64,
    /// An ELF for another machine.
    #[error("ELF is for machine {0}, not RISC-V ({EM_RISCV})")]
    WrongMachine(u16),
    /// A header or table lies outside the file.
    #[error("truncated ELF: {0}")]
    Truncated(&'static str),
    /// A segment that Asterisc refuses.
    #[error("program header {index}: {reason}")]
    BadSegment {
        /// Index of the program header.
        index: usize,
        /// What is wrong with it.
        reason: String,
    },
}

fn u16_at(bytes: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(bytes.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
}

fn u64_at(bytes: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(bytes.get(at..at + 8)?.try_into().ok()?))
}

fn range(bytes: &[u8], offset: u64, len: u64) -> Option<&[u8]> {
    let start = usize::try_from(offset).ok()?;
    let end = start.checked_add(usize::try_from(len).ok()?)?;
    bytes.get(start..end)
}

/// A program header.
struct Segment {
    kind: u32,
    offset: u64,
    vaddr: u64,
    file_size: u64,
    mem_size: u64,
}

/// Loads `elf` into a prestate: segments, entry point, heap, Go patches and the stack.
pub fn load_elf(elf: &[u8]) -> Result<State, ElfError> {
    if elf.len() < 64 || elf[..4] != [0x7f, b'E', b'L', b'F'] || elf[4] != 2 || elf[5] != 1 {
        return Err(ElfError::NotElf64);
    }
    let machine = u16_at(elf, 18).ok_or(ElfError::NotElf64)?;
    if machine != EM_RISCV {
        return Err(ElfError::WrongMachine(machine));
    }
    let entry = u64_at(elf, 24).ok_or(ElfError::Truncated("ELF header"))?;
    let phoff = u64_at(elf, 32).ok_or(ElfError::Truncated("ELF header"))?;
    let phentsize = u64::from(u16_at(elf, 54).ok_or(ElfError::Truncated("ELF header"))?);
    let phnum = u16_at(elf, 56).ok_or(ElfError::Truncated("ELF header"))? as usize;

    let mut state = State::new();
    state.pc = entry;
    state.heap = INITIAL_HEAP;

    let mut total: u64 = 0;
    for index in 0..phnum {
        let at = phoff
            .checked_add(index as u64 * phentsize)
            .and_then(|at| usize::try_from(at).ok())
            .ok_or(ElfError::Truncated("program headers"))?;
        let header = elf
            .get(at..at + 56)
            .ok_or(ElfError::Truncated("program headers"))?;
        let field = |off: usize| u64_at(header, off).expect("56-byte header");
        let segment = Segment {
            kind: u32_at(header, 0).expect("56-byte header"),
            offset: field(8),
            vaddr: field(16),
            file_size: field(32),
            mem_size: field(40),
        };
        if segment.kind == PT_RISCV_ATTRIBUTES {
            continue;
        }
        if segment.file_size != segment.mem_size {
            if segment.kind != PT_LOAD {
                return Err(ElfError::BadSegment {
                    index,
                    reason: alloc::format!(
                        "file size {} differs from memory size {} in a non-PT_LOAD segment",
                        segment.file_size,
                        segment.mem_size
                    ),
                });
            }
            if segment.file_size > segment.mem_size {
                return Err(ElfError::BadSegment {
                    index,
                    reason: alloc::format!(
                        "file size {} exceeds memory size {}",
                        segment.file_size,
                        segment.mem_size
                    ),
                });
            }
        }
        total = total.saturating_add(segment.mem_size);
        if total > MAX_SEGMENT_BYTES {
            return Err(ElfError::BadSegment {
                index,
                reason: alloc::format!("segments span more than {MAX_SEGMENT_BYTES} bytes"),
            });
        }
        let data = range(elf, segment.offset, segment.file_size)
            .ok_or(ElfError::Truncated("segment data"))?;
        state.memory.write(segment.vaddr, data);
        // The zero fill up to p_memsz: memory reads as zero already, but a later segment may
        // overlap an earlier one, so the zeros are written like any other bytes.
        let zeros = [0u8; 4096];
        let mut addr = segment.vaddr.wrapping_add(segment.file_size);
        let mut left = segment.mem_size - segment.file_size;
        while left > 0 {
            let n = left.min(zeros.len() as u64);
            state.memory.write(addr, &zeros[..n as usize]);
            addr = addr.wrapping_add(n);
            left -= n;
        }
    }

    for (name, value) in symbols(elf)? {
        if PATCHED_TO_RET.contains(&name) {
            state.memory.write(value, &RET);
        } else if name == "runtime.MemProfileRate" {
            state.memory.write(value, &[0u8; 8]);
        }
    }

    write_initial_stack(&mut state);
    Ok(state)
}

/// The initial stack Asterisc's `PatchVM` sets up.
fn write_initial_stack(state: &mut State) {
    let sp = INITIAL_SP;
    state.registers[2] = sp;
    let words: [u64; 10] = [
        0x42,
        0x35,
        0,
        6,
        4096,
        25,
        sp + 8 * 9,
        0,
        0x6f72_7020_646e_6172,
        0x6164_626d_616c_6f74,
    ];
    for (i, word) in words.iter().enumerate() {
        state
            .memory
            .write(sp + 8 * (i as u64 + 1), &word.to_le_bytes());
    }
}

/// The `(name, value)` of every symbol in the ELF's `SHT_SYMTAB` sections (none if stripped).
fn symbols(elf: &[u8]) -> Result<Vec<(&str, u64)>, ElfError> {
    let shoff = u64_at(elf, 40).ok_or(ElfError::Truncated("section headers"))?;
    let shentsize = u64::from(u16_at(elf, 58).ok_or(ElfError::Truncated("section headers"))?);
    let shnum = u16_at(elf, 60).ok_or(ElfError::Truncated("section headers"))? as u64;
    let section = |index: u64| -> Option<&[u8]> {
        let at = usize::try_from(shoff.checked_add(index.checked_mul(shentsize)?)?).ok()?;
        elf.get(at..at.checked_add(64)?)
    };
    let mut out = Vec::new();
    for index in 0..shnum {
        let header = section(index).ok_or(ElfError::Truncated("section headers"))?;
        if u32_at(header, 4) != Some(SHT_SYMTAB) {
            continue;
        }
        let table = range(
            elf,
            u64_at(header, 24).unwrap_or(0),
            u64_at(header, 32).unwrap_or(0),
        )
        .ok_or(ElfError::Truncated("symbol table"))?;
        let link = u64::from(u32_at(header, 40).unwrap_or(0));
        let strings_header = section(link).ok_or(ElfError::Truncated("string table"))?;
        let strings = range(
            elf,
            u64_at(strings_header, 24).unwrap_or(0),
            u64_at(strings_header, 32).unwrap_or(0),
        )
        .ok_or(ElfError::Truncated("string table"))?;
        for entry in table.chunks_exact(24) {
            let name_at = u32_at(entry, 0).unwrap_or(0) as usize;
            let value = u64_at(entry, 8).unwrap_or(0);
            let Some(tail) = strings.get(name_at..) else {
                continue;
            };
            let end = tail.iter().position(|&b| b == 0).unwrap_or(tail.len());
            if let Ok(name) = core::str::from_utf8(&tail[..end]) {
                out.push((name, value));
            }
        }
    }
    Ok(out)
}
