//! Just enough ELF64 parsing to find a program's executable code.

use std::ops::Range;

/// `EM_RISCV`.
pub const EM_RISCV: u16 = 243;
/// `EM_MIPS`.
pub const EM_MIPS: u16 = 8;

/// Why a file could not be read as an ELF64 image.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ElfError {
    /// The file is too short or a header points outside it.
    #[error("truncated or inconsistent ELF ({0})")]
    Truncated(&'static str),
    /// The magic number or class is wrong.
    #[error("not an ELF64 file")]
    NotElf64,
}

/// The byte order of an ELF image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endian {
    /// Little-endian (RISC-V).
    Little,
    /// Big-endian (Cannon's MIPS64).
    Big,
}

/// An executable region of an ELF image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeRegion {
    /// Section name, or `segment` when taken from program headers.
    pub name: String,
    /// Virtual address of the first byte.
    pub address: u64,
    /// Byte range in the file.
    pub file_range: Range<usize>,
}

/// The parts of an ELF64 header the checks need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Elf64<'a> {
    bytes: &'a [u8],
    /// Byte order.
    pub endian: Endian,
    /// `e_machine`.
    pub machine: u16,
    /// `e_flags`.
    pub flags: u32,
}

impl<'a> Elf64<'a> {
    /// Parses the ELF header of `bytes`.
    pub fn parse(bytes: &'a [u8]) -> Result<Self, ElfError> {
        let ident: &[u8] = bytes.get(..16).ok_or(ElfError::Truncated("ident"))?;
        if ident[..4] != [0x7f, b'E', b'L', b'F'] || ident[4] != 2 {
            return Err(ElfError::NotElf64);
        }
        let endian: Endian = match ident[5] {
            1 => Endian::Little,
            2 => Endian::Big,
            _ => return Err(ElfError::NotElf64),
        };
        let mut elf: Self = Self {
            bytes,
            endian,
            machine: 0,
            flags: 0,
        };
        elf.machine = elf.u16_at(18)?;
        elf.flags = elf.u32_at(48)?;
        Ok(elf)
    }

    fn field<const N: usize>(&self, offset: usize) -> Result<[u8; N], ElfError> {
        let end: usize = offset.checked_add(N).ok_or(ElfError::Truncated("offset"))?;
        let raw: &[u8] = self
            .bytes
            .get(offset..end)
            .ok_or(ElfError::Truncated("field"))?;
        let mut out: [u8; N] = [0; N];
        out.copy_from_slice(raw);
        if self.endian == Endian::Big {
            out.reverse();
        }
        Ok(out)
    }

    fn u16_at(&self, offset: usize) -> Result<u16, ElfError> {
        Ok(u16::from_le_bytes(self.field(offset)?))
    }

    /// Reads a `u32` in the image's byte order.
    pub fn u32_at(&self, offset: usize) -> Result<u32, ElfError> {
        Ok(u32::from_le_bytes(self.field(offset)?))
    }

    fn u64_at(&self, offset: usize) -> Result<u64, ElfError> {
        Ok(u64::from_le_bytes(self.field(offset)?))
    }

    fn to_usize(value: u64) -> Result<usize, ElfError> {
        usize::try_from(value).map_err(|_| ElfError::Truncated("size"))
    }

    fn range(&self, offset: u64, size: u64) -> Result<Range<usize>, ElfError> {
        let start: usize = Self::to_usize(offset)?;
        let end: usize = start
            .checked_add(Self::to_usize(size)?)
            .ok_or(ElfError::Truncated("range"))?;
        if end > self.bytes.len() {
            return Err(ElfError::Truncated("region beyond end of file"));
        }
        Ok(start..end)
    }

    /// The executable `PROGBITS` sections, or the executable `PT_LOAD` segments if the image
    /// has no section headers.
    pub fn code_regions(&self) -> Result<Vec<CodeRegion>, ElfError> {
        const SHT_PROGBITS: u32 = 1;
        const SHF_EXECINSTR: u64 = 0x4;
        const PT_LOAD: u32 = 1;
        const PF_X: u32 = 0x1;

        let shoff: usize = Self::to_usize(self.u64_at(40)?)?;
        let shentsize: usize = usize::from(self.u16_at(58)?);
        let shnum: usize = usize::from(self.u16_at(60)?);
        let shstrndx: usize = usize::from(self.u16_at(62)?);
        let mut regions: Vec<CodeRegion> = Vec::new();
        if shoff != 0 && shnum != 0 {
            let header = |index: usize| -> Result<usize, ElfError> {
                index
                    .checked_mul(shentsize)
                    .and_then(|o| o.checked_add(shoff))
                    .ok_or(ElfError::Truncated("section header"))
            };
            let strtab: usize = header(shstrndx)?;
            let names: Range<usize> = self.range(
                self.u64_at(strtab.saturating_add(24))?,
                self.u64_at(strtab.saturating_add(32))?,
            )?;
            for index in 0..shnum {
                let h: usize = header(index)?;
                let kind: u32 = self.u32_at(h.saturating_add(4))?;
                let flags: u64 = self.u64_at(h.saturating_add(8))?;
                if kind != SHT_PROGBITS || flags & SHF_EXECINSTR == 0 {
                    continue;
                }
                let name_offset: usize = names.start.saturating_add(self.u32_at(h)? as usize);
                let name: String = self
                    .bytes
                    .get(name_offset..names.end)
                    .and_then(|tail| tail.split(|&b| b == 0).next())
                    .map(|raw| String::from_utf8_lossy(raw).into_owned())
                    .unwrap_or_default();
                regions.push(CodeRegion {
                    name,
                    address: self.u64_at(h.saturating_add(16))?,
                    file_range: self.range(
                        self.u64_at(h.saturating_add(24))?,
                        self.u64_at(h.saturating_add(32))?,
                    )?,
                });
            }
            return Ok(regions);
        }
        let phoff: usize = Self::to_usize(self.u64_at(32)?)?;
        let phentsize: usize = usize::from(self.u16_at(54)?);
        let phnum: usize = usize::from(self.u16_at(56)?);
        for index in 0..phnum {
            let h: usize = index
                .checked_mul(phentsize)
                .and_then(|o| o.checked_add(phoff))
                .ok_or(ElfError::Truncated("program header"))?;
            if self.u32_at(h)? != PT_LOAD || self.u32_at(h.saturating_add(4))? & PF_X == 0 {
                continue;
            }
            regions.push(CodeRegion {
                name: "segment".into(),
                address: self.u64_at(h.saturating_add(16))?,
                file_range: self.range(
                    self.u64_at(h.saturating_add(8))?,
                    self.u64_at(h.saturating_add(32))?,
                )?,
            });
        }
        Ok(regions)
    }

    /// The raw bytes of `region`.
    pub fn bytes(&self, region: &CodeRegion) -> &'a [u8] {
        self.bytes
            .get(region.file_range.clone())
            .unwrap_or_default()
    }
}
