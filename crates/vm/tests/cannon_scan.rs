//! The static scan of koa's mips64 client against Cannon's instruction table: every word of
//! `.text` outside the table is listed with the reason no execution reaches it. Ignored: it
//! needs the ELF (`scripts/build-client.sh mips64`; `KOA_FPVM_ELF_DIR`, default `target/fpvm`).

use std::{
    collections::BTreeMap,
    path::{Path, PathBuf},
};

use koa_vm::cannon::{
    elf::Elf,
    isa::{Support, scan},
};

fn elf_path() -> PathBuf {
    std::env::var_os("KOA_FPVM_ELF_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/fpvm"))
        .join("mips64/koa-client")
}

#[test]
#[ignore = "needs the mips64 client ELF; run by scripts/ci-fpvm.sh"]
fn every_word_outside_cannons_table_is_dead() {
    let path = elf_path();
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let elf = Elf::parse(&bytes).unwrap();
    let findings = scan(&elf).unwrap();
    let text_words: u64 = elf
        .sections
        .iter()
        .filter(|s| s.flags & 4 != 0)
        .map(|s| s.size / 4)
        .sum();
    let mut by_word: BTreeMap<(u32, String), usize> = BTreeMap::new();
    for f in &findings {
        let kind = match f.support {
            Support::NotTakenBranch => "REGIMM, executed as a branch never taken".to_string(),
            Support::Invalid(name) => format!("invalid: {name}"),
            Support::Implemented => unreachable!(),
        };
        *by_word.entry((f.insn, kind)).or_default() += 1;
    }
    println!(
        "{}: {text_words} words of executable code, {} outside Cannon's table",
        path.display(),
        findings.len()
    );
    for ((insn, kind), n) in &by_word {
        println!("  {n:6} × {insn:#010x}  {kind}");
    }
    let live: Vec<_> = findings
        .iter()
        .filter(|f| f.dead_because.is_none())
        .collect();
    for f in &live {
        println!("  MAY EXECUTE: {:#x}: {:#010x}", f.addr, f.insn);
    }
    let mut reasons: BTreeMap<String, usize> = BTreeMap::new();
    for f in &findings {
        if let Some(r) = &f.dead_because {
            let key = r.split(" to ").next().unwrap_or(r).to_string();
            *reasons.entry(key).or_default() += 1;
        }
    }
    for (reason, n) in &reasons {
        println!("  dead: {n:6} × {reason}");
    }
    assert!(
        live.is_empty(),
        "{} words outside the table may execute",
        live.len()
    );
}
