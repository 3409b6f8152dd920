//! What the qemu tests share: the ELF's path and the program's output fields.

use std::{collections::BTreeMap, path::PathBuf};

/// The riscv64 channel-stress ELF under `KOA_FPVM_ELF_DIR`.
pub(crate) fn elf() -> PathBuf {
    let Some(dir) = std::env::var_os("KOA_FPVM_ELF_DIR") else {
        panic!(
            "KOA_FPVM_ELF_DIR is not set: run scripts/ci-fpvm.sh (or build-client.sh and set it)"
        );
    };
    let path: PathBuf = PathBuf::from(dir).join("riscv64").join("channel-stress");
    assert!(
        path.is_file(),
        "{} does not exist: run scripts/build-client.sh riscv64 --package koa-channel-stress \
         --bin channel-stress",
        path.display()
    );
    path
}

/// The `key=value` fields of the program's `channel-stress <phase>:` line.
pub(crate) fn fields(stdout: &str, phase: &str) -> BTreeMap<String, usize> {
    let prefix: String = format!("channel-stress {phase}: ");
    let line: &str = stdout
        .lines()
        .find_map(|line| line.strip_prefix(prefix.as_str()))
        .unwrap_or_else(|| panic!("no {phase} line in {stdout:?}"));
    line.split_whitespace()
        .filter_map(|field| field.split_once('='))
        .map(|(key, value)| (key.to_owned(), value.parse().expect("a number")))
        .collect()
}
