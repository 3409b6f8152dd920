//! Asterisc ELF loading (the prestate `asterisc load-elf` builds) and, by hand, the RISC-V
//! `riscv-tests` (rv64ui/um/ua, `p` environment) that ethereum-optimism/asterisc carries.

#[path = "asterisc/common.rs"]
mod common;

use common::TestOracle;
use koa_vm::{
    FaultProofVm,
    asterisc::{ElfError, INITIAL_HEAP, INITIAL_SP, Machine, load_elf},
};

/// A minimal ELF64 little-endian executable: one PT_LOAD of `code` at `vaddr` with `bss`
/// zero bytes after it, one PT_RISCV_ATTRIBUTES header, and a symbol table naming
/// `runtime.check` at `vaddr + 8` and `runtime.MemProfileRate` at `vaddr + 16`.
fn tiny_elf(machine: u16, code: &[u8], vaddr: u64, bss: u64) -> Vec<u8> {
    let mut elf = vec![0u8; 64];
    elf[..4].copy_from_slice(b"\x7fELF");
    elf[4] = 2; // ELFCLASS64
    elf[5] = 1; // little-endian
    elf[6] = 1;
    elf[16..18].copy_from_slice(&2u16.to_le_bytes()); // ET_EXEC
    elf[18..20].copy_from_slice(&machine.to_le_bytes());
    elf[20..24].copy_from_slice(&1u32.to_le_bytes());
    elf[24..32].copy_from_slice(&vaddr.to_le_bytes()); // entry
    elf[32..40].copy_from_slice(&64u64.to_le_bytes()); // phoff
    elf[52..54].copy_from_slice(&64u16.to_le_bytes());
    elf[54..56].copy_from_slice(&56u16.to_le_bytes());
    elf[56..58].copy_from_slice(&2u16.to_le_bytes()); // phnum
    elf[58..60].copy_from_slice(&64u16.to_le_bytes());
    let data_at = 64 + 2 * 56;
    let mut ph = |kind: u32, offset: u64, vaddr: u64, filesz: u64, memsz: u64| {
        let mut h = vec![0u8; 56];
        h[0..4].copy_from_slice(&kind.to_le_bytes());
        h[8..16].copy_from_slice(&offset.to_le_bytes());
        h[16..24].copy_from_slice(&vaddr.to_le_bytes());
        h[24..32].copy_from_slice(&vaddr.to_le_bytes());
        h[32..40].copy_from_slice(&filesz.to_le_bytes());
        h[40..48].copy_from_slice(&memsz.to_le_bytes());
        elf.extend_from_slice(&h);
    };
    ph(
        1,
        data_at as u64,
        vaddr,
        code.len() as u64,
        code.len() as u64 + bss,
    );
    // An attributes segment with garbage sizes: never loaded.
    ph(0x7000_0003, 0, 0x5000, 10, 0);
    elf.extend_from_slice(code);
    // Symbol table and its string table.
    let strtab = b"\0runtime.check\0runtime.MemProfileRate\0other\0".to_vec();
    let mut symtab = vec![0u8; 24]; // the null symbol
    for (name_at, value) in [(1u32, vaddr + 8), (15, vaddr + 16), (38, vaddr)] {
        let mut sym = vec![0u8; 24];
        sym[0..4].copy_from_slice(&name_at.to_le_bytes());
        sym[8..16].copy_from_slice(&value.to_le_bytes());
        symtab.extend_from_slice(&sym);
    }
    let symtab_at = elf.len() as u64;
    elf.extend_from_slice(&symtab);
    let strtab_at = elf.len() as u64;
    elf.extend_from_slice(&strtab);
    let shoff = elf.len() as u64;
    let mut sh = |kind: u32, offset: u64, size: u64, link: u32| {
        let mut h = vec![0u8; 64];
        h[4..8].copy_from_slice(&kind.to_le_bytes());
        h[24..32].copy_from_slice(&offset.to_le_bytes());
        h[32..40].copy_from_slice(&size.to_le_bytes());
        h[40..44].copy_from_slice(&link.to_le_bytes());
        elf.extend_from_slice(&h);
    };
    sh(0, 0, 0, 0);
    sh(2, symtab_at, symtab.len() as u64, 2);
    sh(3, strtab_at, strtab.len() as u64, 0);
    elf[40..48].copy_from_slice(&shoff.to_le_bytes());
    elf[60..62].copy_from_slice(&3u16.to_le_bytes());
    elf
}

#[test]
fn load_elf_builds_the_prestate() {
    let code: Vec<u8> = (1u8..=32).collect();
    let elf = tiny_elf(243, &code, 0x10_0000, 100);
    let mut state = load_elf(&elf).unwrap();
    assert_eq!(state.pc, 0x10_0000);
    assert_eq!(state.heap, INITIAL_HEAP);
    assert_eq!(state.step, 0);
    assert!(!state.exited);
    let mut regs = [0u64; 32];
    regs[2] = INITIAL_SP;
    assert_eq!(state.registers, regs);
    // Code, with runtime.check patched to `ret` and MemProfileRate zeroed.
    let mut mem = [0u8; 32];
    state.memory.read(0x10_0000, &mut mem);
    let mut expected = code;
    expected[8..12].copy_from_slice(&[0x67, 0x80, 0x00, 0x00]);
    expected[16..24].fill(0);
    assert_eq!(mem.to_vec(), expected);
    // The stack words Asterisc writes from sp + 8.
    let mut stack = [0u8; 8 * 11];
    state.memory.read(INITIAL_SP, &mut stack);
    let words: Vec<u64> = stack
        .chunks(8)
        .map(|c| u64::from_le_bytes(c.try_into().unwrap()))
        .collect();
    assert_eq!(
        words,
        [
            0,
            0x42,
            0x35,
            0,
            6,
            4096,
            25,
            INITIAL_SP + 72,
            0,
            0x6f72_7020_646e_6172,
            0x6164_626d_616c_6f74
        ]
    );
    // Nothing was loaded from the attributes segment.
    let mut attr = [0u8; 10];
    state.memory.read(0x5000, &mut attr);
    assert_eq!(attr, [0; 10]);
    // Same ELF, same prestate hash; a one-byte change gives another.
    let hash = state.state_hash();
    assert_eq!(load_elf(&elf).unwrap().state_hash(), hash);
    let mut other = elf;
    other[64 + 2 * 56] ^= 1;
    assert_ne!(load_elf(&other).unwrap().state_hash(), hash);
    assert_eq!(hash[0], 3, "unfinished");
}

#[test]
fn load_elf_rejects_bad_input() {
    let code = [0u8; 16];
    assert_eq!(
        load_elf(&tiny_elf(8, &code, 0x1000, 0)).unwrap_err(),
        ElfError::WrongMachine(8)
    );
    assert_eq!(load_elf(b"not an elf").unwrap_err(), ElfError::NotElf64);
    let elf = tiny_elf(243, &code, 0x1000, 0);
    assert!(matches!(
        load_elf(&elf[..100]).unwrap_err(),
        ElfError::Truncated(_)
    ));
    // A segment whose data lies past the end of the file.
    let mut bad = elf.clone();
    bad[64 + 8..64 + 16].copy_from_slice(&(1u64 << 40).to_le_bytes());
    assert_eq!(
        load_elf(&bad).unwrap_err(),
        ElfError::Truncated("segment data")
    );
    // p_filesz > p_memsz.
    let mut bad = elf.clone();
    bad[64 + 40..64 + 48].copy_from_slice(&1u64.to_le_bytes());
    assert!(matches!(
        load_elf(&bad).unwrap_err(),
        ElfError::BadSegment { index: 0, .. }
    ));
    // A huge bss.
    let mut bad = elf;
    bad[64 + 40..64 + 48].copy_from_slice(&(1u64 << 40).to_le_bytes());
    assert!(matches!(
        load_elf(&bad).unwrap_err(),
        ElfError::BadSegment { index: 0, .. }
    ));
}

#[test]
fn loaded_program_runs() {
    // j +24 (over the patched symbols at +8 and +16); li a0, 1; li a7, 93; ecall → exit(1).
    let words: [u32; 9] = [
        0x0180_006f,
        0,
        0,
        0,
        0,
        0,
        0x0010_0513,
        0x05d0_0893,
        0x0000_0073,
    ];
    let code: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
    let mut m = Machine::from_elf(&tiny_elf(243, &code, 0x40_0000, 0)).unwrap();
    let steps = m.run(&mut TestOracle::default(), 100).unwrap();
    assert_eq!(steps, 4);
    assert_eq!(m.status(), koa_vm::VmStatus::Invalid);
}

/// Runs every `rv64u[ima]-p-*` ELF in `$KOA_RISCV_TESTS` (extract them from
/// ethereum-optimism/asterisc `tests/riscv-tests/`; not committed here). A test passes when
/// it exits with code 0 (riscv-tests' `RVTEST_PASS`: `a0 = 0`, `exit`); on failure the exit
/// code is `(test number << 1) | 1`.
#[test]
#[ignore = "needs the riscv-tests ELFs in $KOA_RISCV_TESTS"]
fn riscv_tests() {
    let dir = std::env::var("KOA_RISCV_TESTS").expect("set KOA_RISCV_TESTS");
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| !p.to_string_lossy().ends_with(".dump"))
        .collect();
    names.sort();
    let (mut passed, mut failed) = (Vec::new(), Vec::new());
    for path in &names {
        let elf = std::fs::read(path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let mut m = Machine::from_elf(&elf).unwrap();
        let result = m.run(&mut TestOracle::default(), 100_000);
        match result {
            Ok(_) if m.exited() && m.exit_code() == 0 => passed.push(name),
            Ok(_) if m.exited() => failed.push(format!("{name}: test {}", m.exit_code() >> 1)),
            Ok(_) => failed.push(format!("{name}: did not exit")),
            Err(err) => failed.push(format!("{name}: {err}")),
        }
    }
    println!(
        "riscv-tests: {} passed, {} failed of {}",
        passed.len(),
        failed.len(),
        names.len()
    );
    for f in &failed {
        println!("  FAILED {f}");
    }
    assert!(failed.is_empty());
}

#[test]
fn state_file_round_trip_and_corruption() {
    use koa_vm::asterisc::{StateFileError, deserialize_state, serialize_state};
    let code: Vec<u8> = (1u8..=64).collect();
    let mut state = load_elf(&tiny_elf(243, &code, 0x10_0000, 5000)).unwrap();
    state.last_hint = vec![0, 0, 0, 9, b'x'];
    state.step = 12;
    let bytes = serialize_state(&mut state);
    let mut back = deserialize_state(&bytes).unwrap();
    assert_eq!(back.encode_witness(), state.encode_witness());
    assert_eq!(back.last_hint, state.last_hint);
    assert_eq!(serialize_state(&mut back), bytes, "stable encoding");
    // Layout: page count first, the state hash last.
    let pages = u64::from_be_bytes(bytes[..8].try_into().unwrap());
    assert_eq!(pages as usize, state.memory.page_count());
    assert_eq!(&bytes[bytes.len() - 32..], state.state_hash().as_slice());

    // A flipped memory byte no longer matches the stored witness.
    let mut bad = bytes.clone();
    bad[8 + 8 + 100] ^= 1;
    assert_eq!(
        deserialize_state(&bad).unwrap_err(),
        StateFileError::WitnessMismatch
    );
    // A flipped state-hash byte.
    let mut bad = bytes.clone();
    let last = bad.len() - 1;
    bad[last] ^= 1;
    assert!(matches!(
        deserialize_state(&bad).unwrap_err(),
        StateFileError::StateHashMismatch { .. }
    ));
    // Truncation anywhere, and trailing bytes.
    for cut in [0, 7, 20, bytes.len() - 33, bytes.len() - 1] {
        assert!(matches!(
            deserialize_state(&bytes[..cut]).unwrap_err(),
            StateFileError::Truncated(_)
        ));
    }
    let mut long = bytes.clone();
    long.push(0);
    assert_eq!(
        deserialize_state(&long).unwrap_err(),
        StateFileError::TrailingBytes(1)
    );
    // The exited flag sits after the pages, key, offset, pc and exit code.
    let exited_at = 8 + (pages as usize) * (8 + 4096) + 32 + 8 + 8 + 1;
    let mut bad = bytes;
    bad[exited_at] = 7;
    assert_eq!(
        deserialize_state(&bad).unwrap_err(),
        StateFileError::BadExitedFlag(7)
    );
}
