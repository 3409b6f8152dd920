//! `koa exec`.

use std::process::ExitCode;

use super::CliError;

/// Arguments of `koa exec`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {}

/// Runs `koa exec`.
pub(crate) fn run(_args: Args) -> Result<ExitCode, CliError> {
    Err(CliError::Internal("`koa exec` is not built yet".into()))
}
