//! `check-rv64ima <elf>...`: fails unless every executable instruction is RV64IMA (no compressed
//! instructions, no floating point, no CSR access), the instruction set Asterisc executes.

use koa_host::rv64::{IsaReport, check_elf};
use std::process::ExitCode;

fn main() -> ExitCode {
    let paths: Vec<String> = std::env::args().skip(1).collect();
    if paths.is_empty() {
        eprintln!("usage: check-rv64ima <elf>...");
        return ExitCode::from(2);
    }
    let mut failed: bool = false;
    for path in &paths {
        let bytes: Vec<u8> = match std::fs::read(path) {
            Ok(bytes) => bytes,
            Err(error) => {
                eprintln!("{path}: {error}");
                failed = true;
                continue;
            }
        };
        match check_elf(&bytes) {
            Ok(IsaReport {
                instructions,
                code_bytes,
                violations,
            }) if violations.is_empty() => {
                println!(
                    "{path}: OK, RV64IMA only ({instructions} instructions, {code_bytes} bytes of code, ELF {} bytes)",
                    bytes.len()
                );
            }
            Ok(report) => {
                failed = true;
                eprintln!(
                    "{path}: {} instructions outside RV64IMA:",
                    report.violations.len()
                );
                for violation in report.violations.iter().take(20) {
                    eprintln!(
                        "  {:#x}: {:#010x} {}",
                        violation.address, violation.word, violation.reason
                    );
                }
            }
            Err(error) => {
                failed = true;
                eprintln!("{path}: {error}");
            }
        }
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
