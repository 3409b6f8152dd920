//! `koa`: the OP Stack fault proof program — command-line interface.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod commands;

/// koa: a Rust implementation of the OP Stack fault proof program.
#[derive(Debug, Parser)]
#[command(name = "koa", version, about, long_about = None, propagate_version = true)]
struct Cli {
    /// Log filter (tracing `EnvFilter` syntax), e.g. `info` or `koa_executor=debug`.
    #[arg(long, global = true, env = "KOA_LOG", default_value = "warn")]
    log: String,

    #[command(subcommand)]
    command: Command,
}

/// koa's subcommands.
#[derive(Debug, Subcommand)]
enum Command {
    /// List the chains embedded from the superchain registry.
    Chains(commands::chains::Args),
    /// Print a chain's rollup config as JSON.
    Config(commands::config::Args),
    /// Execute L2 blocks statelessly from witness fixtures and compare their hashes.
    Exec(commands::exec::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing(&cli.log);
    let result = match cli.command {
        Command::Chains(args) => commands::chains::run(args),
        Command::Config(args) => commands::config::run(args),
        Command::Exec(args) => commands::exec::run(args),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err}");
            err.exit_code()
        }
    }
}

fn init_tracing(filter: &str) {
    let filter = tracing_subscriber::EnvFilter::try_new(filter)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).init();
}
