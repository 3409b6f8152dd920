//! `koa chains`.

use std::process::ExitCode;

use super::CliError;

/// Arguments of `koa chains`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {}

/// Runs `koa chains`.
pub(crate) fn run(_args: Args) -> Result<ExitCode, CliError> {
    Err(CliError::Internal("`koa chains` is not built yet".into()))
}
