//! `koa bench`: the end-to-end figures of issue 19, measured the same way each time.
//!
//! It serves a devnet on 127.0.0.1 in this process (as `koa devnet serve` does) and proves each
//! of its valid claims that derives at least one block with `koa host --native` as a child
//! process: online into an empty data directory, then offline from that directory (the minimum
//! of `--runs`). With `--kona-host`, kona-host's `single` runs the same claims the same way,
//! alternating with koa. Every run must exit 0 (the claims are valid); a verdict or a failure
//! ends the bench with an error. Times are wall clock, process start included.

use std::{
    path::{Path, PathBuf},
    process::{Command, ExitCode, Stdio},
    time::{Duration, Instant},
};

use koa_serve::ChainData;
use serde::Deserialize;

use super::CliError;

/// Arguments of `koa bench`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The devnet directory (`koa devnet generate --out`, or the bundled `testdata/devnet`).
    #[arg(long)]
    devnet: PathBuf,
    /// Where the runs' data directories go (emptied first, per claim and host).
    #[arg(long, default_value = "target/bench")]
    work_dir: PathBuf,
    /// Offline runs per claim and host; the minimum is reported.
    #[arg(long, default_value_t = 3)]
    runs: u32,
    /// The koa executable to measure (default: this one).
    #[arg(long)]
    koa: Option<PathBuf>,
    /// A kona-host executable to measure beside koa (`kona-host single`).
    #[arg(long)]
    kona_host: Option<PathBuf>,
    /// Only the claims with these names (comma-separated).
    #[arg(long, value_delimiter = ',')]
    claims: Vec<String>,
}

/// One claim of `claims.json` (the fields a host needs).
#[derive(Debug, Clone, Deserialize)]
struct Claim {
    name: String,
    l1_head: String,
    agreed_l2_head_hash: String,
    agreed_l2_block_number: u64,
    agreed_l2_output_root: String,
    claimed_l2_block_number: u64,
    claimed_l2_output_root: String,
    expected_valid: bool,
}

#[derive(Debug, Deserialize)]
struct ClaimsFile {
    claims: Vec<Claim>,
}

/// A host under measurement.
struct Host {
    name: &'static str,
    program: PathBuf,
    /// Arguments before the claim's flags (`host` for koa, `single` for kona-host).
    prefix: &'static [&'static str],
}

/// The nodes' URLs.
struct Nodes {
    l1: String,
    beacon: String,
    l2: String,
}

/// The figures of one claim on one host.
#[derive(Default, Clone, Copy)]
struct Figures {
    online: Duration,
    offline: Duration,
}

/// Runs `koa bench`.
pub(crate) fn run(args: Args) -> Result<ExitCode, CliError> {
    let claims_path = args.devnet.join("claims.json");
    let text = std::fs::read_to_string(&claims_path)
        .map_err(|err| CliError::BadInput(format!("{}: {err}", claims_path.display())))?;
    let file: ClaimsFile = serde_json::from_str(&text)
        .map_err(|err| CliError::BadInput(format!("{}: {err}", claims_path.display())))?;
    let claims: Vec<Claim> = file
        .claims
        .into_iter()
        .filter(|c| c.expected_valid && c.claimed_l2_block_number > c.agreed_l2_block_number)
        .filter(|c| args.claims.is_empty() || args.claims.contains(&c.name))
        .collect();
    if claims.is_empty() {
        return Err(CliError::BadInput(
            "no valid claim that derives a block".into(),
        ));
    }
    let koa = match &args.koa {
        Some(path) => path.clone(),
        None => std::env::current_exe()
            .map_err(|err| CliError::Internal(format!("cannot find this executable: {err}")))?,
    };
    let mut hosts = vec![Host {
        name: "koa",
        program: koa,
        prefix: &["host"],
    }];
    if let Some(kona) = &args.kona_host {
        hosts.push(Host {
            name: "kona-host",
            program: kona.clone(),
            prefix: &["single"],
        });
    }

    let devnet = koa_devnet::Devnet::load(&args.devnet).map_err(|err| {
        CliError::BadInput(format!(
            "cannot load the devnet in {}: {}",
            args.devnet.display(),
            koa_protocol::ErrorChain(&err)
        ))
    })?;
    let chain = ChainData::from_devnet(&devnet).map_err(|err| {
        CliError::BadInput(format!(
            "the devnet's chain is incomplete: {}",
            koa_protocol::ErrorChain(&err)
        ))
    })?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|err| CliError::Internal(format!("cannot start the async runtime: {err}")))?;
    let handle = runtime
        .block_on(koa_serve::serve(
            chain,
            "127.0.0.1:0".parse().expect("an address"),
        ))
        .map_err(|err| CliError::Internal(format!("cannot serve the devnet: {err}")))?;
    let nodes = Nodes {
        l1: handle.l1_url(),
        beacon: handle.beacon_url(),
        l2: handle.l2_url(),
    };

    let mut table: Vec<(String, Vec<Figures>)> = Vec::new();
    for claim in &claims {
        let mut row = vec![Figures::default(); hosts.len()];
        for (i, host) in hosts.iter().enumerate() {
            let data_dir = args.work_dir.join(format!("{}-{}", host.name, claim.name));
            if data_dir.exists() {
                std::fs::remove_dir_all(&data_dir).map_err(|err| {
                    CliError::Internal(format!("cannot empty {}: {err}", data_dir.display()))
                })?;
            }
            row[i].online = prove(host, &args.devnet, claim, &data_dir, Some(&nodes))?;
        }
        let mut best = vec![Duration::MAX; hosts.len()];
        for _ in 0..args.runs.max(1) {
            for (i, host) in hosts.iter().enumerate() {
                let data_dir = args.work_dir.join(format!("{}-{}", host.name, claim.name));
                best[i] = best[i].min(prove(host, &args.devnet, claim, &data_dir, None)?);
            }
        }
        for (figures, best) in row.iter_mut().zip(best) {
            figures.offline = best;
        }
        table.push((
            format!(
                "{} ({} blocks)",
                claim.name,
                claim.claimed_l2_block_number - claim.agreed_l2_block_number
            ),
            row,
        ));
    }
    print_table(&hosts, &table, args.runs);
    Ok(ExitCode::SUCCESS)
}

/// Proves `claim` with `host` (online when `nodes` are given) and returns the wall time.
fn prove(
    host: &Host,
    devnet: &Path,
    claim: &Claim,
    data_dir: &Path,
    nodes: Option<&Nodes>,
) -> Result<Duration, CliError> {
    let mut command = Command::new(&host.program);
    command
        .args(host.prefix)
        .arg("--l1-head")
        .arg(&claim.l1_head)
        .arg("--agreed-l2-head-hash")
        .arg(&claim.agreed_l2_head_hash)
        .arg("--agreed-l2-output-root")
        .arg(&claim.agreed_l2_output_root)
        .arg("--claimed-l2-output-root")
        .arg(&claim.claimed_l2_output_root)
        .arg("--claimed-l2-block-number")
        .arg(claim.claimed_l2_block_number.to_string())
        .arg("--rollup-config-path")
        .arg(devnet.join("rollup.json"))
        .arg("--l1-config-path")
        .arg(devnet.join("l1-chain-config.json"))
        .arg("--data-dir")
        .arg(data_dir)
        .arg("--native")
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    if let Some(nodes) = nodes {
        command
            .arg("--l1-node-address")
            .arg(&nodes.l1)
            .arg("--l1-beacon-address")
            .arg(&nodes.beacon)
            .arg("--l2-node-address")
            .arg(&nodes.l2);
    }
    let start = Instant::now();
    let output = command.output().map_err(|err| {
        CliError::BadInput(format!("cannot run {}: {err}", host.program.display()))
    })?;
    let elapsed = start.elapsed();
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        return Err(CliError::Internal(format!(
            "{} on {} ({}) exited with {}: {}",
            host.name,
            claim.name,
            if nodes.is_some() { "online" } else { "offline" },
            output.status,
            stderr.lines().last().unwrap_or_default()
        )));
    }
    Ok(elapsed)
}

fn print_table(hosts: &[Host], table: &[(String, Vec<Figures>)], runs: u32) {
    let mut header = format!("{:<32}", "claim");
    for host in hosts {
        header.push_str(&format!(
            " {:>12} {:>12}",
            format!("{} online", host.name),
            format!("offline/{runs}")
        ));
    }
    if hosts.len() == 2 {
        header.push_str(&format!(" {:>9} {:>9}", "on ratio", "off ratio"));
    }
    println!("{header}");
    let mut totals = vec![Figures::default(); hosts.len()];
    for (name, row) in table {
        let mut line = format!("{name:<32}");
        for (total, figures) in totals.iter_mut().zip(row) {
            total.online += figures.online;
            total.offline += figures.offline;
            line.push_str(&format!(
                " {:>11.3}s {:>11.3}s",
                figures.online.as_secs_f64(),
                figures.offline.as_secs_f64()
            ));
        }
        if let [koa, kona] = row.as_slice() {
            line.push_str(&ratios(koa, kona));
        }
        println!("{line}");
    }
    let mut line = format!("{:<32}", "total");
    for total in &totals {
        line.push_str(&format!(
            " {:>11.3}s {:>11.3}s",
            total.online.as_secs_f64(),
            total.offline.as_secs_f64()
        ));
    }
    if let [koa, kona] = totals.as_slice() {
        line.push_str(&ratios(koa, kona));
    }
    println!("{line}");
}

/// koa's time over kona's, online and offline.
fn ratios(koa: &Figures, kona: &Figures) -> String {
    format!(
        " {:>8.2}x {:>8.2}x",
        koa.online.as_secs_f64() / kona.online.as_secs_f64(),
        koa.offline.as_secs_f64() / kona.offline.as_secs_f64()
    )
}
