//! `koa devnet`: the deterministic devnet (`generate`; `serve` lives beside it).

use std::{path::PathBuf, process::ExitCode, time::Instant};

use koa_devnet::{
    DevnetParams, L2_BLOCK_TIME, SCHEDULED_FORKS, SuperChainParams, SuperDevnetParams,
    WriteOptions, generate, generate_super, write_devnet, write_super_devnet,
};
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
    /// Generate N L2 chains on one L1 (chain ids from the genesis chain id up), with a
    /// dependency set and super-root claims (`super-claims.json`) instead of `claims.json`.
    /// Every chain spans the time of `--l2-blocks` two-second blocks.
    #[arg(long, value_name = "N")]
    chains: Option<usize>,
    /// Each chain's block time in seconds, e.g. `2,1` (with `--chains`; default: 2 s for
    /// even-numbered chains, 1 s for odd-numbered ones).
    #[arg(long, value_name = "SECONDS,...", requires = "chains")]
    block_times: Option<String>,
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
    if !out.join("claims.json").is_file() && !out.join("super-devnet.json").is_file() {
        return Err(CliError::BadInput(format!(
            "--out {} holds no devnet (no claims.json or super-devnet.json): --force replaces \
             only a devnet; pass an empty or new directory",
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
    if let Some(chains) = args.chains {
        return run_generate_super(&args, chains);
    }
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

/// The chains of `koa devnet generate --chains N`.
fn super_params(args: &GenerateArgs, chains: usize) -> Result<SuperDevnetParams, CliError> {
    if chains == 0 || chains > 127 {
        return Err(CliError::BadInput(
            "--chains: 1 to 127 chains (one super-root step each)".into(),
        ));
    }
    let block_times: Vec<u64> = match &args.block_times {
        Some(list) => list
            .split(',')
            .map(|item| {
                item.trim()
                    .parse::<u64>()
                    .ok()
                    .filter(|t| (1..=L2_BLOCK_TIME * 30).contains(t))
                    .ok_or_else(|| {
                        CliError::BadInput(format!(
                            "--block-times: `{item}` is not 1 to 60 seconds"
                        ))
                    })
            })
            .collect::<Result<_, _>>()?,
        None => (0..chains)
            .map(|i| if i % 2 == 0 { 2 } else { 1 })
            .collect(),
    };
    if block_times.len() != chains {
        return Err(CliError::BadInput(format!(
            "--block-times: {} block times for {chains} chains",
            block_times.len()
        )));
    }
    let span = args.l2_blocks * L2_BLOCK_TIME;
    let chains = block_times
        .iter()
        .map(|&block_time| {
            let mut chain = SuperChainParams::new(span / block_time, block_time);
            if let Some(forks) = &args.forks {
                // Fork blocks are given for a two-second chain: the same times on every chain.
                chain.forks = parse_forks(forks)?
                    .into_iter()
                    .map(|(fork, block)| (fork, block * L2_BLOCK_TIME / block_time))
                    .collect();
            }
            chain.max_blob_channels = args.max_blob_channels;
            Ok(chain)
        })
        .collect::<Result<_, CliError>>()?;
    Ok(SuperDevnetParams {
        seed: args.seed,
        chains,
    })
}

fn run_generate_super(args: &GenerateArgs, chains: usize) -> Result<ExitCode, CliError> {
    let params = super_params(args, chains)?;
    let start = Instant::now();
    let devnet = generate_super(params).map_err(|e| match e {
        koa_devnet::DevnetError::Params(_) => CliError::BadInput(ErrorChain(&e).to_string()),
        _ => CliError::Internal(ErrorChain(&e).to_string()),
    })?;
    let generated = start.elapsed();
    prepare_out(&args.out, args.force, true)?;
    write_super_devnet(
        &devnet,
        &args.out,
        WriteOptions {
            data_dir: !args.no_data_dir,
        },
    )
    .map_err(|e| CliError::Internal(ErrorChain(&e).to_string()))?;
    let chains: Vec<String> = devnet
        .chains
        .iter()
        .map(|c| {
            format!(
                "chain {} ({} blocks of {} s, {} blobs)",
                c.rollup_config.l2_chain_id,
                c.l2.len() - 1,
                c.params.block_time,
                c.blobs
            )
        })
        .collect();
    println!(
        "super devnet: {} L1 blocks, {}; {} preimages; generated in {:.1} s, written in {:.1} s \
         to {}",
        devnet.l1.blocks.len(),
        chains.join(", "),
        devnet.store.len(),
        generated.as_secs_f64(),
        (start.elapsed() - generated).as_secs_f64(),
        args.out.display()
    );
    Ok(ExitCode::SUCCESS)
}
