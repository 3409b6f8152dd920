//! One module per subcommand. Each exposes `Args` (its clap arguments) and
//! `run(Args) -> Result<ExitCode, CliError>`.

use std::process::ExitCode;

pub(crate) mod bench;
pub(crate) mod chains;
pub(crate) mod config;
pub(crate) mod devnet;
pub(crate) mod devnet_inputs;
pub(crate) mod exec;
pub(crate) mod host;
pub(crate) mod host_common;
pub(crate) mod host_super;
pub(crate) mod reached;
pub(crate) mod serve;
pub(crate) mod vm;

/// A failure that ends a command: printed as one line, with a non-zero exit code.
#[derive(Debug, thiserror::Error)]
pub(crate) enum CliError {
    /// The user's input is unusable (bad flag value, missing or malformed file, unknown chain).
    #[error("{0}")]
    BadInput(String),
    /// koa itself failed.
    #[error("{0}")]
    Internal(String),
}

impl CliError {
    /// The process exit code for this error: 2, a failure, as the fault proof program's
    /// convention has it (0 and 1 are verdicts).
    pub(crate) fn exit_code(&self) -> ExitCode {
        match self {
            Self::BadInput(_) | Self::Internal(_) => ExitCode::from(2),
        }
    }
}
