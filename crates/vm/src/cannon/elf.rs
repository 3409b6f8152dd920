//! Loading a MIPS64 ELF into Cannon's initial state (the prestate), as `cannon load-elf` does.
//!
//! Every program header except `PT_MIPS_ABIFLAGS` is copied to memory at its virtual address
//! (`PT_LOAD` segments zero-filled up to their memory size), the entry point becomes the pc of
//! thread 0, the heap starts at [`HEAP_START`], and the stack is set up below
//! [`HIGH_MEMORY_START`] with `argc = 1`, `argv = ["op-program"]`,
//! `envp = ["GODEBUG=memprofilerate=0"]` and the auxiliary vector `AT_PAGESZ = 4096`,
//! `AT_RANDOM` (16 fixed bytes), as Cannon's `PatchStack` does. A segment reaching the heap is
//! refused.

use alloc::{format, string::String, vec::Vec};

use super::{
    CannonState,
    arch::{HEAP_START, HIGH_MEMORY_START, REG_SP},
};
use crate::{VmError, memory::PAGE_SIZE};

/// `EM_MIPS`.
pub const EM_MIPS: u16 = 8;
/// `PT_LOAD`.
const PT_LOAD: u32 = 1;
/// `PT_MIPS_ABIFLAGS`, skipped by the loader.
const PT_MIPS_ABIFLAGS: u32 = 0x7000_0003;

/// A program header of an ELF64 file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    /// `p_type`.
    pub kind: u32,
    /// `p_offset`.
    pub offset: u64,
    /// `p_vaddr`.
    pub vaddr: u64,
    /// `p_filesz`.
    pub file_size: u64,
    /// `p_memsz`.
    pub mem_size: u64,
}

/// A section header of an ELF64 file (the parts koa reads).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// The section name.
    pub name: String,
    /// `sh_type`.
    pub kind: u32,
    /// `sh_flags` (`SHF_ALLOC` = 2, `SHF_EXECINSTR` = 4).
    pub flags: u64,
    /// `sh_addr`.
    pub addr: u64,
    /// `sh_offset`.
    pub offset: u64,
    /// `sh_size`.
    pub size: u64,
    /// `sh_link`.
    pub link: u32,
}

/// A function or object symbol.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Symbol {
    /// The symbol name.
    pub name: String,
    /// `st_value`: its address.
    pub start: u64,
    /// `st_size`.
    pub size: u64,
}

/// A parsed big-endian MIPS64 ELF image.
#[derive(Debug, Clone)]
pub struct Elf<'a> {
    bytes: &'a [u8],
    /// The entry point.
    pub entry: u64,
    /// The program headers.
    pub segments: Vec<Segment>,
    /// The section headers (empty if the file has none).
    pub sections: Vec<Section>,
}

fn invalid(msg: impl Into<String>) -> VmError {
    VmError::InvalidProgram(msg.into())
}

fn u16_at(b: &[u8], at: usize) -> Result<u16, VmError> {
    b.get(at..at + 2)
        .map(|s| u16::from_be_bytes([s[0], s[1]]))
        .ok_or_else(|| invalid("truncated ELF"))
}

fn u32_at(b: &[u8], at: usize) -> Result<u32, VmError> {
    b.get(at..at + 4)
        .map(|s| u32::from_be_bytes(s.try_into().expect("4 bytes")))
        .ok_or_else(|| invalid("truncated ELF"))
}

fn u64_at(b: &[u8], at: usize) -> Result<u64, VmError> {
    b.get(at..at + 8)
        .map(|s| u64::from_be_bytes(s.try_into().expect("8 bytes")))
        .ok_or_else(|| invalid("truncated ELF"))
}

fn slice(b: &[u8], offset: u64, len: u64) -> Result<&[u8], VmError> {
    let start = usize::try_from(offset).map_err(|_| invalid("ELF offset out of range"))?;
    let len = usize::try_from(len).map_err(|_| invalid("ELF size out of range"))?;
    start
        .checked_add(len)
        .and_then(|end| b.get(start..end))
        .ok_or_else(|| {
            invalid(format!(
                "ELF data at {offset:#x}+{len:#x} lies outside the file"
            ))
        })
}

fn c_str(b: &[u8], at: usize) -> String {
    let rest = b.get(at..).unwrap_or_default();
    let end = rest.iter().position(|&c| c == 0).unwrap_or(rest.len());
    String::from_utf8_lossy(&rest[..end]).into_owned()
}

impl<'a> Elf<'a> {
    /// Parses `bytes` as a 64-bit big-endian MIPS executable.
    pub fn parse(bytes: &'a [u8]) -> Result<Self, VmError> {
        if bytes.len() < 64 || &bytes[..4] != b"\x7fELF" {
            return Err(invalid("not an ELF file"));
        }
        if bytes[4] != 2 {
            return Err(invalid("not a 64-bit ELF (Cannon runs MIPS64)"));
        }
        if bytes[5] != 2 {
            return Err(invalid(
                "not a big-endian ELF (Cannon runs big-endian MIPS64)",
            ));
        }
        let machine = u16_at(bytes, 18)?;
        if machine != EM_MIPS {
            return Err(invalid(format!(
                "ELF machine {machine} is not MIPS ({EM_MIPS})"
            )));
        }
        let entry = u64_at(bytes, 24)?;
        let phoff = u64_at(bytes, 32)?;
        let shoff = u64_at(bytes, 40)?;
        let phentsize = u16_at(bytes, 54)? as u64;
        let phnum = u16_at(bytes, 56)? as u64;
        let shentsize = u16_at(bytes, 58)? as u64;
        let shnum = u16_at(bytes, 60)? as u64;
        let shstrndx = u16_at(bytes, 62)? as u64;

        let mut segments = Vec::new();
        if phnum > 0 {
            if phentsize < 56 {
                return Err(invalid("ELF program header entries are too small"));
            }
            let table = slice(bytes, phoff, phentsize * phnum)?;
            for n in 0..phnum as usize {
                let at = n * phentsize as usize;
                segments.push(Segment {
                    kind: u32_at(table, at)?,
                    offset: u64_at(table, at + 8)?,
                    vaddr: u64_at(table, at + 16)?,
                    file_size: u64_at(table, at + 32)?,
                    mem_size: u64_at(table, at + 40)?,
                });
            }
        }

        let mut sections = Vec::new();
        if shnum > 0 && shoff != 0 {
            if shentsize < 64 {
                return Err(invalid("ELF section header entries are too small"));
            }
            let table = slice(bytes, shoff, shentsize * shnum)?;
            let mut raw = Vec::new();
            for n in 0..shnum as usize {
                let at = n * shentsize as usize;
                raw.push((
                    u32_at(table, at)?,
                    u32_at(table, at + 4)?,
                    u64_at(table, at + 8)?,
                    u64_at(table, at + 16)?,
                    u64_at(table, at + 24)?,
                    u64_at(table, at + 32)?,
                    u32_at(table, at + 40)?,
                ));
            }
            let names = raw
                .get(shstrndx as usize)
                .map(|&(_, _, _, _, off, size, _)| slice(bytes, off, size))
                .transpose()?
                .unwrap_or_default();
            for (name, kind, flags, addr, offset, size, link) in raw {
                sections.push(Section {
                    name: c_str(names, name as usize),
                    kind,
                    flags,
                    addr,
                    offset,
                    size,
                    link,
                });
            }
        }
        Ok(Self {
            bytes,
            entry,
            segments,
            sections,
        })
    }

    /// The file bytes of a section.
    pub fn section_data(&self, section: &Section) -> Result<&'a [u8], VmError> {
        // SHT_NOBITS occupies no file space.
        if section.kind == 8 {
            return Ok(&[]);
        }
        slice(self.bytes, section.offset, section.size)
    }

    /// The section named `name`.
    pub fn section(&self, name: &str) -> Option<&Section> {
        self.sections.iter().find(|s| s.name == name)
    }

    /// The function and object symbols of `.symtab`, sorted by address.
    pub fn symbols(&self) -> Result<Vec<Symbol>, VmError> {
        let Some(symtab) = self.sections.iter().find(|s| s.kind == 2) else {
            return Ok(Vec::new());
        };
        let data = self.section_data(symtab)?;
        let strtab = self
            .sections
            .get(symtab.link as usize)
            .map(|s| self.section_data(s))
            .transpose()?
            .unwrap_or_default();
        let mut out = Vec::new();
        for entry in data.chunks_exact(24) {
            let name = u32_at(entry, 0)? as usize;
            let kind = entry[4] & 0xF;
            // STT_OBJECT (1) and STT_FUNC (2)
            if kind == 1 || kind == 2 {
                out.push(Symbol {
                    name: c_str(strtab, name),
                    start: u64_at(entry, 8)?,
                    size: u64_at(entry, 16)?,
                });
            }
        }
        out.sort_by_key(|s| s.start);
        Ok(out)
    }
}

/// The initial state of the program in `elf` (segments loaded, stack set up).
pub fn load_elf(bytes: &[u8]) -> Result<CannonState, VmError> {
    let elf = Elf::parse(bytes)?;
    let mut state = CannonState::new(elf.entry);
    for (n, segment) in elf.segments.iter().enumerate() {
        if segment.kind == PT_MIPS_ABIFLAGS {
            continue;
        }
        if segment.file_size != segment.mem_size {
            if segment.kind != PT_LOAD {
                return Err(invalid(format!(
                    "program segment {n} has file size {:#x} ≠ memory size {:#x} and is not PT_LOAD",
                    segment.file_size, segment.mem_size
                )));
            }
            if segment.file_size > segment.mem_size {
                return Err(invalid(format!(
                    "PT_LOAD segment {n}: file size {:#x} > memory size {:#x}",
                    segment.file_size, segment.mem_size
                )));
            }
        }
        let end = segment.vaddr.checked_add(segment.mem_size);
        if end.is_none_or(|end| end >= HEAP_START) {
            return Err(invalid(format!(
                "program segment {n} ({:#x}+{:#x}) overlaps the heap at {HEAP_START:#x}",
                segment.vaddr, segment.mem_size
            )));
        }
        let data = slice(bytes, segment.offset, segment.file_size)?;
        state.memory.write(segment.vaddr, data);
        // Zero-fill (allocating the pages, as Cannon does) up to the memory size.
        let mut at = segment.vaddr + segment.file_size;
        let end = segment.vaddr + segment.mem_size;
        let zeros = [0u8; PAGE_SIZE];
        while at < end {
            let n = ((end - at) as usize).min(PAGE_SIZE - (at as usize % PAGE_SIZE));
            state.memory.write(at, &zeros[..n]);
            at += n as u64;
        }
    }
    patch_stack(&mut state);
    Ok(state)
}

/// Sets up the initial stack (Cannon's `PatchStack`).
fn patch_stack(state: &mut CannonState) {
    let sp = HIGH_MEMORY_START;
    let zeros = [0u8; PAGE_SIZE];
    for page in 0..5 {
        state
            .memory
            .write(sp - 4 * PAGE_SIZE as u64 + page * PAGE_SIZE as u64, &zeros);
    }
    state.left_thread_stack[0].registers[REG_SP] = sp;

    fn padded(bytes: &[u8]) -> Vec<u8> {
        let mut out = bytes.to_vec();
        out.resize(bytes.len().div_ceil(8) * 8, 0);
        out
    }
    let random = padded(b"4;byfairdiceroll");
    let auxv3 = sp + 8 * 10;
    state.memory.write(auxv3, &random);
    let envp0 = auxv3 + random.len() as u64;
    let env = padded(b"GODEBUG=memprofilerate=0\0");
    state.memory.write(envp0, &env);
    let argv0 = envp0 + env.len() as u64;
    let name = padded(b"op-program\0");
    state.memory.write(argv0, &name);
    let words = [1, argv0, 0, envp0, 0, 6, 4096, 25, auxv3, 0];
    for (n, word) in words.iter().enumerate() {
        state.memory.write_u64_be(sp + 8 * n as u64, *word);
    }
}
