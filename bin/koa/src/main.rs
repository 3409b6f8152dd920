//! `koa`: the OP Stack fault proof program — command-line interface.

use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand};

mod commands;
mod logs;
mod progress;

/// `koa --version`: the crate version and the git revision it was built from (build.rs).
const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (",
    env!("KOA_GIT_REVISION"),
    ")"
);

/// koa: a Rust implementation of the OP Stack fault proof program.
#[derive(Debug, Parser)]
#[command(
    name = "koa",
    version = VERSION,
    about,
    long_about = "koa: a Rust implementation of the OP Stack fault proof program.\n\n\
                  It derives L2 blocks from L1 data, executes them statelessly against \
                  witness preimages and judges output-root claims. The superchain registry's \
                  chains are built in: see `koa chains` and `koa config <CHAIN>`.",
    propagate_version = true
)]
pub(crate) struct Cli {
    #[command(flatten)]
    logs: logs::LogArgs,

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
    /// kona-host's `single`, at the top level as op-challenger runs it (`<host> single …`):
    /// `koa single …` is `koa host single …`.
    #[command(hide = true)]
    Single(Box<commands::host::Args>),
    /// kona-host's `super`, at the top level as op-challenger runs it (`<host> super …`):
    /// `koa super …` is `koa host super …`.
    #[command(hide = true)]
    Super(Box<commands::host_super::Args>),
    /// Print a shell completion script (`koa completions bash > /etc/bash_completion.d/koa`).
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => return usage_error(&err),
    };
    let json: bool = cli.logs.json();
    if let Err(err) = cli.logs.init() {
        return report(&err, json);
    }
    let result = match cli.command {
        Command::Chains(args) => commands::chains::run(args),
        Command::Config(args) => commands::config::run(args),
        Command::Exec(args) => commands::exec::run(args),
        Command::Devnet(args) => commands::devnet::run(args),
        Command::Host(command) => command.run(json),
        Command::Bench(args) => commands::bench::run(args),
        Command::Vm(args) => commands::vm::run(*args),
        Command::Single(args) => commands::host::run(*args, json),
        Command::Super(args) => commands::host_super::run(*args),
        Command::Completions { shell } => {
            clap_complete::generate(shell, &mut Cli::command(), "koa", &mut std::io::stdout());
            Ok(ExitCode::SUCCESS)
        }
    };
    match result {
        Ok(code) => code,
        Err(err) => report(&err, json),
    }
}

/// Prints a command's error as one line on stderr (a JSON log line under
/// `--logs.stdout.format json`); its exit code.
fn report(err: &commands::CliError, json: bool) -> ExitCode {
    let message: String = koa_protocol::ErrorChain(err).to_string();
    if json {
        let mut fields = serde_json::Map::new();
        fields.insert("message".into(), message.into());
        eprintln!("{}", logs::json_line("ERROR", "koa", fields));
    } else {
        eprintln!("error: {message}");
    }
    err.exit_code()
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
