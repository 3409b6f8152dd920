//! `koa devnet`: the deterministic devnet (`generate`; `serve` lives beside it).

use std::{path::PathBuf, process::ExitCode, time::Instant};

use koa_devnet::{DevnetParams, SCHEDULED_FORKS, WriteOptions, generate, write_devnet};
use koa_protocol::{ErrorChain, Hardfork};

use super::CliError;

/// Arguments of `koa devnet`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(subcommand)]
    command: DevnetCommand,
}

/// `koa devnet` subcommands.
#[derive(Debug, clap::Subcommand)]
enum DevnetCommand {
    /// Generate a devnet: an L1 and an L2 chain from a real OP Stack genesis, with every
    /// preimage a proof over it needs and a manifest of claims.
    Generate(GenerateArgs),
    /// Serve a devnet as an L1 execution node (`/l1`), an L1 beacon node (`/beacon`) and an L2
    /// execution node (`/l2`) on a loopback address, for `koa host` or kona-host online.
    Serve(super::serve::Args),
}

/// Arguments of `koa devnet generate`.
#[derive(Debug, clap::Args)]
#[command(long_about = "Generate a deterministic devnet into DIR.\n\n\
    The L2 starts from the bundled op-deployer genesis (Granite at time 0) and activates \
    Holocene, Isthmus, Jovian and Karst at later blocks. The L1 carries batcher channels \
    (calldata and blobs, zlib and brotli, singular and span batches), deposits, system config \
    updates and noise. DIR receives rollup.json, l1-chain-config.json, claims.json, chain.json, \
    preimages.kpa.zst and (unless --no-data-dir) op-program's preimage directory preimages/.\n\n\
    The same arguments always write the same bytes.")]
pub(crate) struct GenerateArgs {
    /// Output directory.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Number of L2 blocks after genesis (at least 30).
    #[arg(long, default_value_t = 300)]
    l2_blocks: u64,
    /// The seed of every random choice.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Fork activation L2 blocks, e.g. `holocene=60,isthmus=120,jovian=180,karst=240`
    /// (default: at 1/5, 2/5, 3/5 and 4/5 of the chain). Forks must be given in protocol
    /// order; a fork left out is not scheduled, nor are the ones after it.
    #[arg(long, value_name = "FORK=BLOCK,...")]
    forks: Option<String>,
    /// At most this many channels are posted as blobs.
    #[arg(long, default_value_t = 2)]
    max_blob_channels: usize,
    /// Do not write op-program's preimage directory (the archive holds the same preimages).
    #[arg(long)]
    no_data_dir: bool,
    /// Replace the devnet already in DIR (its files are removed first). Without it, a
    /// non-empty DIR is refused, so no stale preimage from another devnet stays beside the
    /// new ones.
    #[arg(long)]
    force: bool,
}

/// Checks that `out` can receive a devnet: absent or empty, or (with `force`) a devnet
/// directory, which `remove` then removes. Any other non-empty directory is refused.
fn prepare_out(out: &std::path::Path, force: bool, remove: bool) -> Result<(), CliError> {
    let mut entries = match std::fs::read_dir(out) {
        Ok(entries) => entries,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(err) => {
            return Err(CliError::BadInput(format!(
                "--out {}: cannot list it: {err}",
                out.display()
            )));
        }
    };
    if entries.next().is_none() {
        return Ok(());
    }
    if !force {
        return Err(CliError::BadInput(format!(
            "--out {} is not empty: pass --force to replace the devnet in it, or an empty or \
             new directory",
            out.display()
        )));
    }
    if !out.join("claims.json").is_file() {
        return Err(CliError::BadInput(format!(
            "--out {} holds no devnet (no claims.json): --force replaces only a devnet; pass \
             an empty or new directory",
            out.display()
        )));
    }
    if !remove {
        return Ok(());
    }
    std::fs::remove_dir_all(out).map_err(|err| {
        CliError::BadInput(format!(
            "--force: cannot remove the devnet in {}: {err}",
            out.display()
        ))
    })
}

/// Runs `koa devnet`.
pub(crate) fn run(args: Args) -> Result<ExitCode, CliError> {
    match args.command {
        DevnetCommand::Generate(args) => run_generate(args),
        DevnetCommand::Serve(args) => super::serve::run(args),
    }
}

fn parse_forks(text: &str) -> Result<Vec<(Hardfork, u64)>, CliError> {
    let mut forks = Vec::new();
    for item in text.split(',').filter(|s| !s.trim().is_empty()) {
        let (name, block) = item
            .split_once('=')
            .ok_or_else(|| CliError::BadInput(format!("--forks: `{item}` is not FORK=BLOCK")))?;
        let fork = SCHEDULED_FORKS
            .iter()
            .find(|f| f.name() == name.trim().to_lowercase())
            .ok_or_else(|| {
                CliError::BadInput(format!(
                    "--forks: unknown fork `{name}` (one of holocene, isthmus, jovian, karst)"
                ))
            })?;
        let block = block
            .trim()
            .parse::<u64>()
            .map_err(|e| CliError::BadInput(format!("--forks: block of {name}: {e}")))?;
        forks.push((*fork, block));
    }
    let expected = &SCHEDULED_FORKS[..forks.len()];
    if forks.iter().map(|(f, _)| *f).ne(expected.iter().copied()) {
        return Err(CliError::BadInput(
            "--forks: give holocene, isthmus, jovian, karst in this order (a prefix of them)"
                .into(),
        ));
    }
    Ok(forks)
}

fn run_generate(args: GenerateArgs) -> Result<ExitCode, CliError> {
    // Checked before the generation, replaced only once it succeeded.
    prepare_out(&args.out, args.force, false)?;
    let mut params = DevnetParams::new(args.seed, args.l2_blocks);
    if let Some(forks) = &args.forks {
        params.forks = parse_forks(forks)?;
    }
    params.max_blob_channels = args.max_blob_channels;
    let start = Instant::now();
    let devnet = generate(params).map_err(|e| match e {
        koa_devnet::DevnetError::Params(_) => CliError::BadInput(ErrorChain(&e).to_string()),
        _ => CliError::Internal(ErrorChain(&e).to_string()),
    })?;
    let generated = start.elapsed();
    prepare_out(&args.out, args.force, true)?;
    write_devnet(
        &devnet,
        &args.out,
        WriteOptions {
            data_dir: !args.no_data_dir,
        },
    )
    .map_err(|e| CliError::Internal(ErrorChain(&e).to_string()))?;
    println!(
        "devnet: {} L1 blocks, {} L2 blocks, {} blobs, {} preimages; generated in {:.1} s, \
         written in {:.1} s to {}",
        devnet.l1.blocks.len(),
        devnet.l2.len() - 1,
        devnet.blobs,
        devnet.store.len(),
        generated.as_secs_f64(),
        (start.elapsed() - generated).as_secs_f64(),
        args.out.display()
    );
    Ok(ExitCode::SUCCESS)
}
