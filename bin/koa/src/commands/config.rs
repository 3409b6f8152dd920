//! `koa config`.

use std::process::ExitCode;

use super::CliError;

/// Arguments of `koa config`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {}

/// Runs `koa config`.
pub(crate) fn run(_args: Args) -> Result<ExitCode, CliError> {
    Err(CliError::Internal("`koa config` is not built yet".into()))
}
