//! The native (std) program: the host on fds 3–6 as on the VM, or a witness file.
//!
//! ```text
//! koa-client                          judge the claim the host serves on fds 3–6
//! koa-client --record-witness FILE    the same, and write every preimage read to FILE
//! koa-client --witness FILE           judge the claim in FILE alone (no host)
//! ```

use crate::outcome::Outcome;
use koa_proof::witness::{NoHints, RecordingOracle, WitnessOracle};
use std::{path::PathBuf, process::ExitCode};

/// What to do, from the command line.
#[derive(Debug, PartialEq, Eq)]
enum Mode {
    /// Talk to the host over fds 3–6.
    Host,
    /// Talk to the host and record a witness.
    Record(PathBuf),
    /// Replay a witness.
    Witness(PathBuf),
}

/// A command line that cannot be run.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
enum UsageError {
    /// An argument that is not a flag of this program.
    #[error("unknown argument {0:?}")]
    Unknown(String),
    /// A flag without its value.
    #[error("{0} needs a file name")]
    MissingValue(&'static str),
    /// Two modes at once.
    #[error("--witness and --record-witness exclude each other")]
    Conflict,
}

const USAGE: &str = "usage: koa-client [--witness FILE | --record-witness FILE]\n\
    \n\
    Judges an OP Stack claim (koa-client: an output root; koa-client-super: a super-root\n\
    state). Without flags the preimage oracle is on file\n\
    descriptors 3-6 (hint read, hint write, preimage read, preimage write), as on an FPVM.\n\
    --record-witness FILE   also write every preimage read to FILE (a preimage archive)\n\
    --witness FILE          judge the claim from FILE alone, every preimage checked\n\
    Exit code: 0 valid claim, 1 invalid claim, 2 failure.";

fn parse(args: impl IntoIterator<Item = String>) -> Result<Option<Mode>, UsageError> {
    let mut mode = Mode::Host;
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let next = match arg.as_str() {
            "-h" | "--help" => return Ok(None),
            "--witness" => Mode::Witness(
                args.next()
                    .ok_or(UsageError::MissingValue("--witness"))?
                    .into(),
            ),
            "--record-witness" => Mode::Record(
                args.next()
                    .ok_or(UsageError::MissingValue("--record-witness"))?
                    .into(),
            ),
            _ => return Err(UsageError::Unknown(arg)),
        };
        if mode != Mode::Host {
            return Err(UsageError::Conflict);
        }
        mode = next;
    }
    Ok(Some(mode))
}

/// Runs the program; the exit code is op-challenger's (a usage error is a failure, 2).
pub(crate) fn main() -> ExitCode {
    let mode = match parse(std::env::args().skip(1)) {
        Ok(Some(mode)) => mode,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(error) => {
            eprintln!("error: {error}\n{USAGE}");
            return ExitCode::from(koa_fpvm::FAILURE_EXIT_CODE);
        }
    };
    let outcome = match mode {
        Mode::Host => crate::PROGRAM.run(koa_fpvm::oracle_reader(), koa_fpvm::hint_writer()),
        Mode::Record(path) => record(&path),
        Mode::Witness(path) => replay(&path),
    };
    match &outcome {
        Outcome::Verdict(_) | Outcome::SuperVerdict(_) => println!("{}", outcome.report()),
        Outcome::Failure(_) => eprintln!("{}", outcome.report()),
    }
    ExitCode::from(outcome.exit_code())
}

/// Judges the claim the host serves and writes the witness to `path`, whatever the verdict
/// (a failed run writes nothing).
///
/// The run reads what [`replay`] will read: blobs are checked with their KZG proofs (so the
/// proofs are recorded) and precompiles run in-process, as a zkVM or TEE replays them.
fn record(path: &std::path::Path) -> Outcome {
    let oracle = RecordingOracle::new(koa_fpvm::oracle_reader());
    let outcome = crate::PROGRAM.run_with(
        &oracle,
        koa_fpvm::hint_writer(),
        koa_proof::blob::KzgBlobVerifier,
    );
    if let Outcome::Failure(_) = outcome {
        return outcome;
    }
    let preimages = oracle.len();
    let witness = match oracle.into_witness() {
        Ok(witness) => witness,
        Err(error) => return Outcome::Failure(format!("encoding the witness: {error}")),
    };
    if let Err(error) = std::fs::write(path, &witness) {
        return Outcome::Failure(format!("writing {}: {error}", path.display()));
    }
    eprintln!(
        "witness: {} preimages, {} bytes written to {}",
        preimages,
        witness.len(),
        path.display()
    );
    outcome
}

/// Judges the claim in the witness at `path`, with no host.
fn replay(path: &std::path::Path) -> Outcome {
    let data = match std::fs::read(path) {
        Ok(data) => data,
        Err(error) => return Outcome::Failure(format!("reading {}: {error}", path.display())),
    };
    let oracle = match WitnessOracle::new(&data) {
        Ok(oracle) => oracle,
        Err(error) => {
            return Outcome::Failure(format!(
                "witness {}: {}",
                path.display(),
                koa_proof::ErrorChain(&error)
            ));
        }
    };
    eprintln!(
        "witness: {} preimages, claim commitment (local keys) {}",
        oracle.len(),
        oracle.boot_digest()
    );
    crate::PROGRAM.run_with(&oracle, NoHints, koa_proof::blob::KzgBlobVerifier)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn command_lines() {
        assert_eq!(parse(args(&[])), Ok(Some(Mode::Host)));
        assert_eq!(
            parse(args(&["--witness", "w.kpa"])),
            Ok(Some(Mode::Witness("w.kpa".into())))
        );
        assert_eq!(
            parse(args(&["--record-witness", "w.kpa"])),
            Ok(Some(Mode::Record("w.kpa".into())))
        );
        assert_eq!(parse(args(&["--help"])), Ok(None));
        assert_eq!(
            parse(args(&["--witness"])),
            Err(UsageError::MissingValue("--witness"))
        );
        assert_eq!(
            parse(args(&["--witness", "a", "--record-witness", "b"])),
            Err(UsageError::Conflict)
        );
        assert_eq!(
            parse(args(&["--fast"])),
            Err(UsageError::Unknown("--fast".into()))
        );
    }
}
