//! `koa`: the OP Stack fault proof program — command-line interface.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod commands;

/// koa: a Rust implementation of the OP Stack fault proof program.
#[derive(Debug, Parser)]
#[command(
    name = "koa",
    version,
    about,
    long_about = "koa: a Rust implementation of the OP Stack fault proof program.\n\n\
                  It derives L2 blocks from L1 data, executes them statelessly against \
                  witness preimages and judges output-root claims. The superchain registry's \
                  chains are built in: see `koa chains` and `koa config <CHAIN>`.",
    propagate_version = true
)]
pub(crate) struct Cli {
    /// Log filter (tracing `EnvFilter` syntax), e.g. `info` or `koa_executor=debug`.
    #[arg(long, global = true, env = "KOA_LOG", default_value = "warn")]
    log: String,

    #[command(subcommand)]
    pub(crate) command: Command,
}

/// koa's subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// List the chains embedded from the superchain registry.
    Chains(commands::chains::Args),
    /// Print a chain's rollup config as JSON, in op-node's rollup.json shape.
    Config(commands::config::Args),
    /// Execute L2 blocks statelessly from witness fixtures and compare their hashes.
    Exec(commands::exec::Args),
    /// A deterministic devnet to prove end to end (`koa devnet generate`).
    Devnet(commands::devnet::Args),
    /// The fault-proof host, with kona-host's single-chain flags: fetch (online) or read
    /// (offline, `--data-dir`) a claim's witness and run the client on it. Exit code 0 valid,
    /// 1 invalid, 2 failure.
    Host(Box<commands::host::HostCommand>),
    /// Time `koa host` (and optionally kona-host) on a devnet's claims, online and offline.
    Bench(commands::bench::Args),
    /// koa's Cannon MIPS64 fault proof VM with `cannon`'s commands: `load-elf`, `witness`,
    /// `run` (op-challenger's flags, the host as a child on fds 3–6).
    Vm(Box<commands::vm::Args>),
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => return usage_error(&err),
    };
    init_tracing(&cli.log);
    let result = match cli.command {
        Command::Chains(args) => commands::chains::run(args),
        Command::Config(args) => commands::config::run(args),
        Command::Exec(args) => commands::exec::run(args),
        Command::Devnet(args) => commands::devnet::run(args),
        Command::Host(command) => command.run(),
        Command::Bench(args) => commands::bench::run(args),
        Command::Vm(args) => commands::vm::run(*args),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {}", koa_protocol::ErrorChain(&err));
            err.exit_code()
        }
    }
}

/// Handles a command-line parse failure: help and version go to stdout (exit 0); a usage
/// error becomes one line on stderr and exit code 2.
fn usage_error(err: &clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    match err.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            // Printing can only fail on a closed stdout, where there is no one to tell.
            let _ = err.print();
            ExitCode::SUCCESS
        }
        // `koa` alone: the full help, on stderr.
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = err.print();
            ExitCode::from(2)
        }
        _ => {
            // clap's message, on one line: its first line and the indented list under it
            // (e.g. the missing arguments), without the usage and tip that follow.
            let rendered = err.render().to_string();
            let mut lines = rendered.lines().skip_while(|line| line.trim().is_empty());
            let first = lines.next().unwrap_or("error");
            let mut line = first.strip_prefix("error: ").unwrap_or(first).to_owned();
            let listed: Vec<&str> = lines
                .take_while(|line| line.starts_with("  "))
                .map(str::trim)
                .collect();
            if !listed.is_empty() {
                line.push(' ');
                line.push_str(&listed.join(", "));
            }
            eprintln!("error: {line} (see `koa --help`)");
            ExitCode::from(2)
        }
    }
}

fn init_tracing(filter: &str) {
    let filter = tracing_subscriber::EnvFilter::try_new(filter)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}
