//! `koa host`: the fault-proof host, with kona-host's single-chain flags.
//!
//! Modes (as kona-host): online (`--l1-node-address`, `--l2-node-address`,
//! `--l1-beacon-address`: fetch what the client hints at, storing it in `--data-dir` or in
//! memory) or offline (`--data-dir` only); `--native` runs the client (in process, or
//! `--client <PATH>` as a child over pipes), `--server` serves the oracle on fds 3–6 for a VM.
//! koa adds `--vm qemu-riscv64|qemu-mips64 --elf <client>` to run an FPVM build under qemu,
//! and `--devnet <DIR> --claim <NAME>` to take every input from a devnet directory.
//!
//! Exit codes are the client's: 0 valid, 1 invalid, 2 failure.

use std::{
    io::IsTerminal,
    path::{Path, PathBuf},
    process::ExitCode,
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::{Duration, Instant},
};

use alloy_primitives::B256;
use koa_host::{
    BootInputs, ClientRunner, HostBackend, HostStats, Online, Vm,
    blob::BeaconClient,
    online::{AgreedL2, Nodes, OnlineFetcher},
    rpc::{NodeClient, RetryPolicy, RpcStats},
    store::{DirectoryStore, MemoryStore, PreimageStore, VerifiedStore},
};
use koa_preimage::{HintReader, HintWriter, OracleReader, OracleServer, PipeChannel, ServerError};
use koa_proof::ErrorChain;

use super::CliError;

/// `koa host [single] <flags>`: the flags directly, or after `single` as kona-host takes them.
#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub(crate) struct HostCommand {
    /// kona-host's form: `koa host single <flags>` is `koa host <flags>`.
    #[command(subcommand)]
    form: Option<HostForm>,
    #[command(flatten)]
    args: Args,
}

/// The subcommands `koa host` accepts for kona-host compatibility.
#[derive(Debug, clap::Subcommand)]
enum HostForm {
    /// Prove a single-chain output root claim (kona-host's `single`).
    Single(Box<Args>),
    /// Prove a super-root claim (kona-host's `super`).
    Super(Box<super::host_super::Args>),
}

impl HostCommand {
    /// The `super` form's flags, if this is `koa host super`.
    #[cfg(test)]
    pub(crate) fn into_super(self) -> Option<super::host_super::Args> {
        match self.form {
            Some(HostForm::Super(args)) => Some(*args),
            _ => None,
        }
    }

    /// Runs the command: `super` as a super-root host, the other forms as `koa host`.
    pub(crate) fn run(self) -> Result<ExitCode, CliError> {
        match self.form {
            Some(HostForm::Single(args)) => run(*args),
            Some(HostForm::Super(args)) => super::host_super::run(*args),
            None => run(self.args),
        }
    }
}

/// Arguments of `koa host` (kona-host's single-chain flags, aliases and environment
/// variables, plus koa's `--vm`, `--elf`, `--client`, `--devnet`, `--claim`, `--json`).
#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("mode").required(true).args(["native", "server", "vm"])))]
pub(crate) struct Args {
    /// Hash of the L1 head block. Derivation stops after this block is processed.
    #[arg(long, env = "L1_HEAD", required_unless_present = "devnet")]
    l1_head: Option<B256>,
    /// Hash of the agreed upon safe L2 block committed to by `--agreed-l2-output-root`.
    #[arg(
        long,
        visible_alias = "l2-head",
        env = "AGREED_L2_HEAD_HASH",
        required_unless_present = "devnet"
    )]
    agreed_l2_head_hash: Option<B256>,
    /// Agreed safe L2 output root to start derivation from.
    #[arg(
        long,
        visible_alias = "l2-output-root",
        env = "AGREED_L2_OUTPUT_ROOT",
        required_unless_present = "devnet"
    )]
    agreed_l2_output_root: Option<B256>,
    /// Claimed L2 output root at block `--claimed-l2-block-number` to validate.
    #[arg(
        long,
        visible_alias = "l2-claim",
        env = "CLAIMED_L2_OUTPUT_ROOT",
        required_unless_present = "devnet"
    )]
    claimed_l2_output_root: Option<B256>,
    /// Number of the L2 block that the claimed output root commits to.
    #[arg(
        long,
        visible_alias = "l2-block-number",
        env = "CLAIMED_L2_BLOCK_NUMBER",
        required_unless_present = "devnet"
    )]
    claimed_l2_block_number: Option<u64>,
    /// Address of the L2 JSON-RPC endpoint (eth and debug namespaces).
    #[arg(long, visible_alias = "l2", env = "L2_NODE_ADDRESS", requires_all = ["l1_node_address", "l1_beacon_address"])]
    l2_node_address: Option<String>,
    /// Address of the L1 JSON-RPC endpoint (eth and debug namespaces).
    #[arg(long, visible_alias = "l1", env = "L1_NODE_ADDRESS", requires_all = ["l2_node_address", "l1_beacon_address"])]
    l1_node_address: Option<String>,
    /// Address of the L1 beacon API endpoint.
    #[arg(long, visible_alias = "beacon", env = "L1_BEACON_ADDRESS", requires_all = ["l1_node_address", "l2_node_address"])]
    l1_beacon_address: Option<String>,
    /// The data directory for preimages (op-program's format). Optional online (preimages are
    /// then kept in memory), required offline.
    #[arg(long, visible_alias = "db", env = "DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// The layout for a new data directory (an existing one keeps the layout it records).
    #[arg(long, env = "DATA_FORMAT", default_value = "directory", value_parser = ["directory", "file"])]
    data_format: String,
    /// Run the client natively: in this process, or `--client <PATH>` as a child process.
    #[arg(long)]
    native: bool,
    /// Serve the preimage oracle on file descriptors 3–6 (for a VM that runs the client).
    #[arg(long)]
    server: bool,
    /// The L2 chain id of a chain in the embedded superchain registry.
    #[arg(long, env = "L2_CHAIN_ID", conflicts_with = "rollup_config_path")]
    l2_chain_id: Option<u64>,
    /// A rollup config (op-node's rollup.json), for a chain not in the registry.
    #[arg(long, alias = "rollup-cfg", env = "ROLLUP_CONFIG_PATH")]
    rollup_config_path: Option<PathBuf>,
    /// An L1 chain config (geth's genesis `config` object), for an L1 not embedded in koa.
    #[arg(long, alias = "l1-cfg", env = "L1_CONFIG_PATH")]
    l1_config_path: Option<PathBuf>,
    /// Online: answer the client's `l2-payload-witness` hints with one whole-block witness call
    /// to the L2 node (`debug_executePayload`, else `debug_executionWitness`) instead of fetching
    /// the block's state node by node; falls back to that when the node lacks both.
    #[arg(long, env = "ENABLE_EXPERIMENTAL_WITNESS_ENDPOINT")]
    enable_experimental_witness_endpoint: bool,
    /// Run an FPVM build of the client under qemu-user, or on koa's own Cannon MIPS64 VM
    /// (`cannon`: in process, exact to the step; the summary counts the steps).
    #[arg(long, value_parser = ["qemu-riscv64", "qemu-mips64", "cannon"], requires = "elf")]
    vm: Option<String>,
    /// The client ELF for `--vm`.
    #[arg(long, requires = "vm")]
    elf: Option<PathBuf>,
    /// With `--native`, run this client executable as a child process over pipes.
    #[arg(long, requires = "native")]
    client: Option<PathBuf>,
    /// Take every input from a devnet directory (`koa devnet generate`, or the bundled
    /// `testdata/devnet`): its rollup and L1 configs and, with `--claim`, a claim.
    #[arg(long, requires = "claim")]
    devnet: Option<PathBuf>,
    /// The claim of `--devnet` to prove (its `name` in claims.json).
    #[arg(long, requires = "devnet")]
    claim: Option<String>,
    /// Print the summary as one JSON object.
    #[arg(long)]
    json: bool,
}

/// What the run proved, for the summary.
#[derive(Debug, Default, serde::Serialize)]
struct Summary {
    verdict: &'static str,
    exit_code: u8,
    mode: String,
    claimed_l2_block_number: u64,
    l2_blocks: Option<u64>,
    preimages_served: u64,
    bytes_served: u64,
    preimages_fetched: u64,
    witness_preimages: u64,
    rpc_calls: u64,
    rpc_bytes: u64,
    rpc_calls_by_method: std::collections::BTreeMap<String, u64>,
    wall_seconds: f64,
    /// Steps the fault proof VM executed (`--vm cannon`).
    #[serde(skip_serializing_if = "Option::is_none")]
    steps: Option<u64>,
    error: Option<String>,
}

pub(crate) type Store = Arc<VerifiedStore<Box<dyn PreimageStore>>>;

/// Runs `koa host`.
pub(crate) fn run(args: Args) -> Result<ExitCode, CliError> {
    let start = Instant::now();
    let devnet = match &args.devnet {
        Some(dir) => Some(super::devnet_inputs::load(dir)?),
        None => None,
    };
    let inputs: BootInputs = boot_inputs(&args, devnet.as_ref())?;
    let store: Store = open_store(&args, devnet.as_ref())?;
    let online: bool = args.l1_node_address.is_some();
    if !online && args.data_dir.is_none() && args.devnet.is_none() {
        return Err(CliError::BadInput(
            "offline mode needs --data-dir (or pass --l1-node-address, --l2-node-address and \
             --l1-beacon-address)"
                .into(),
        ));
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|err| CliError::Internal(format!("cannot start the async runtime: {err}")))?;
    let rpc_stats: Arc<RpcStats> = Arc::default();
    let (backend, fetcher) = if online {
        let policy = RetryPolicy::default();
        let node = |role: &str, url: &Option<String>| {
            NodeClient::new(
                role,
                url.as_deref().unwrap_or_default(),
                policy,
                Arc::clone(&rpc_stats),
            )
            .map_err(|err| CliError::BadInput(ErrorChain(&err).to_string()))
        };
        let nodes = Nodes {
            l1: node("L1 execution node", &args.l1_node_address)?,
            beacon: BeaconClient::new(node("L1 beacon node", &args.l1_beacon_address)?),
            l2: node("L2 execution node", &args.l2_node_address)?,
        };
        let agreed = AgreedL2 {
            head_hash: inputs.agreed_l2_head_hash,
            output_root: inputs.agreed_l2_output_root,
        };
        let fetcher = Arc::new(
            OnlineFetcher::new(nodes, Arc::clone(&store), agreed)
                .with_witness_endpoint(args.enable_experimental_witness_endpoint),
        );
        let online = Online {
            fetcher: fetcher.clone(),
            runtime: runtime.handle().clone(),
        };
        (
            HostBackend::online(inputs.clone(), Arc::clone(&store), online),
            Some(fetcher),
        )
    } else {
        (
            HostBackend::offline(inputs.clone(), Arc::clone(&store)),
            None,
        )
    };
    let stats = backend.stats();
    let progress = Progress::start(Arc::clone(&stats), Arc::clone(&rpc_stats));

    let mut steps: Option<u64> = None;
    let (mode, outcome): (String, Outcome) = if args.server {
        ("server".into(), serve_fds(&backend))
    } else if let (Some("cannon"), Some(elf)) = (args.vm.as_deref(), &args.elf) {
        let (outcome, vm_steps) = run_on_vm(elf, &backend);
        steps = vm_steps;
        ("cannon".into(), outcome)
    } else if let (Some(vm), Some(elf)) = (&args.vm, &args.elf) {
        let vm_kind = if vm == "qemu-riscv64" {
            Vm::Riscv64
        } else {
            Vm::Mips64
        };
        (
            vm.clone(),
            run_child(ClientRunner::new(vm_kind, elf), &backend),
        )
    } else if let Some(client) = &args.client {
        (
            "native (child process)".into(),
            run_child(ClientRunner::new(Vm::Native, client), &backend),
        )
    } else {
        ("native".into(), run_in_process(&backend))
    };
    progress.stop();
    drop(backend);

    let l2_blocks: Option<u64> = outcome.blocks.or_else(|| {
        agreed_block_number(&store, inputs.agreed_l2_head_hash)
            .map(|agreed| inputs.claimed_l2_block_number.saturating_sub(agreed))
    });
    let (verdict, exit_code, error) = match outcome.result {
        // A server does not learn the verdict: the VM that runs the client reports it.
        Ok(_) if args.server => ("served", 0u8, None),
        Ok(true) => ("valid", 0u8, None),
        Ok(false) => ("invalid", 1, None),
        Err(error) => ("failure", 2, Some(error)),
    };
    let summary = Summary {
        verdict,
        exit_code,
        mode: format!("{mode}, {}", if online { "online" } else { "offline" }),
        claimed_l2_block_number: inputs.claimed_l2_block_number,
        l2_blocks,
        preimages_served: HostStats::get(&stats.served),
        bytes_served: HostStats::get(&stats.served_bytes),
        preimages_fetched: fetcher.as_ref().map_or(0, |f| f.stored()),
        witness_preimages: fetcher.as_ref().map_or(0, |f| f.witness_preimages()),
        rpc_calls: rpc_stats.requests(),
        rpc_bytes: rpc_stats.bytes(),
        rpc_calls_by_method: rpc_stats.by_method(),
        wall_seconds: start.elapsed().as_secs_f64(),
        steps,
        error,
    };
    print_summary(&summary, args.json)?;
    drop(runtime);
    Ok(ExitCode::from(exit_code))
}

/// How the client run ended: `Ok(valid)` or a one-line failure.
pub(crate) struct Outcome {
    pub(crate) result: Result<bool, String>,
    pub(crate) blocks: Option<u64>,
}

fn print_summary(summary: &Summary, json: bool) -> Result<(), CliError> {
    if json {
        let line = serde_json::to_string(summary)
            .map_err(|err| CliError::Internal(format!("cannot encode the summary: {err}")))?;
        println!("{line}");
        return Ok(());
    }
    if let Some(error) = &summary.error {
        eprintln!("error: {error}");
    }
    let blocks = summary
        .l2_blocks
        .map_or_else(|| "?".to_string(), |b| b.to_string());
    let mut line = format!(
        "{}: claim at L2 block {} ({} mode); {} L2 blocks; {} preimages served ({}); ",
        summary.verdict,
        summary.claimed_l2_block_number,
        summary.mode,
        blocks,
        summary.preimages_served,
        human_bytes(summary.bytes_served),
    );
    if summary.rpc_calls > 0 {
        line.push_str(&format!(
            "{} fetched in {} RPC calls ({}); ",
            summary.preimages_fetched,
            summary.rpc_calls,
            human_bytes(summary.rpc_bytes)
        ));
    }
    line.push_str(&format!("{:.2}s", summary.wall_seconds));
    println!("{line}");
    Ok(())
}

pub(crate) fn human_bytes(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 20 => format!("{:.1} MiB", b as f64 / f64::from(1 << 20)),
        b if b >= 1 << 10 => format!("{:.1} KiB", b as f64 / 1024.0),
        b => format!("{b} B"),
    }
}

/// The agreed L2 block's number, from its header in the store (after a run it is there).
fn agreed_block_number(store: &Store, hash: B256) -> Option<u64> {
    let raw = store
        .get(koa_preimage::PreimageKey::keccak256(hash))
        .ok()??;
    let header: alloy_consensus::Header = alloy_rlp::Decodable::decode(&mut raw.as_slice()).ok()?;
    Some(header.number)
}

/// The local inputs, from the flags or the devnet claim.
fn boot_inputs(args: &Args, devnet: Option<&koa_devnet::Devnet>) -> Result<BootInputs, CliError> {
    if let (Some(devnet), Some(name)) = (devnet, &args.claim) {
        return super::devnet_inputs::claim_inputs(devnet, name);
    }
    let required = |value: Option<B256>, flag: &str| {
        value.ok_or_else(|| CliError::BadInput(format!("--{flag} is required")))
    };
    let (l2_chain_id, rollup_config) = chain_config(args)?;
    let l1_config: Option<Vec<u8>> = match &args.l1_config_path {
        Some(path) => Some(l1_chain_config(path)?),
        None => None,
    };
    Ok(BootInputs {
        l1_head: required(args.l1_head, "l1-head")?,
        agreed_l2_head_hash: required(args.agreed_l2_head_hash, "agreed-l2-head-hash")?,
        agreed_l2_output_root: required(args.agreed_l2_output_root, "agreed-l2-output-root")?,
        claimed_l2_output_root: required(args.claimed_l2_output_root, "claimed-l2-output-root")?,
        claimed_l2_block_number: args
            .claimed_l2_block_number
            .ok_or_else(|| CliError::BadInput("--claimed-l2-block-number is required".into()))?,
        l2_chain_id,
        rollup_config,
        l1_config,
    })
}

/// The L2 chain id and, for a chain outside the registry, its rollup config JSON.
fn chain_config(args: &Args) -> Result<(u64, Option<Vec<u8>>), CliError> {
    match (&args.rollup_config_path, args.l2_chain_id) {
        (Some(path), None) => {
            let bytes = read_json_file(path, "rollup config")?;
            // As the program reads it (with its checks), so a bad config is a bad input here.
            let config = std::str::from_utf8(&bytes)
                .ok()
                .map(koa_protocol::RollupConfig::from_json)
                .ok_or_else(|| {
                    CliError::BadInput(format!("bad rollup config {}: not UTF-8", path.display()))
                })?
                .map_err(|err| {
                    CliError::BadInput(format!(
                        "bad rollup config {}: {}",
                        path.display(),
                        ErrorChain(&err)
                    ))
                })?;
            Ok((config.l2_chain_id, Some(bytes)))
        }
        (None, Some(chain_id)) => {
            if koa_registry::rollup_config(chain_id).is_none() {
                return Err(CliError::BadInput(format!(
                    "unknown L2 chain id {chain_id}: not in koa's superchain registry (see `koa \
                     chains`); pass --rollup-config-path for another chain"
                )));
            }
            Ok((chain_id, None))
        }
        (None, None) => Err(CliError::BadInput(
            "one of --l2-chain-id or --rollup-config-path is required".into(),
        )),
        (Some(_), Some(_)) => Err(CliError::BadInput(
            "--l2-chain-id and --rollup-config-path contradict each other: pass one".into(),
        )),
    }
}

/// The L1 chain config JSON for the program: the file itself, or the `config` object of a
/// whole genesis file (op-challenger passes L1 genesis paths), so the program never parses a
/// genesis allocation. Checked here, so a bad file is a bad input, not a program failure.
pub(crate) fn l1_chain_config(path: &Path) -> Result<Vec<u8>, CliError> {
    let text: String = std::fs::read_to_string(path).map_err(|err| {
        CliError::BadInput(format!(
            "cannot read the L1 chain config {}: {err}",
            path.display()
        ))
    })?;
    let config = koa_protocol::L1ChainConfig::from_json(&text).map_err(|err| {
        CliError::BadInput(format!(
            "bad L1 chain config {}: {}",
            path.display(),
            ErrorChain(&err)
        ))
    })?;
    Ok(config.to_json().into_bytes())
}

pub(crate) fn read_json_file(path: &Path, what: &str) -> Result<Vec<u8>, CliError> {
    let bytes = std::fs::read(path).map_err(|err| {
        CliError::BadInput(format!("cannot read the {what} {}: {err}", path.display()))
    })?;
    serde_json::from_slice::<serde_json::Value>(&bytes).map_err(|err| {
        CliError::BadInput(format!("bad {what} {}: not JSON: {err}", path.display()))
    })?;
    Ok(bytes)
}

fn open_store(args: &Args, devnet: Option<&koa_devnet::Devnet>) -> Result<Store, CliError> {
    let inner: Box<dyn PreimageStore> = match (&args.data_dir, devnet) {
        (Some(dir), _) => {
            if args.data_format == "file" && !dir.join("kvformat").exists() {
                std::fs::create_dir_all(dir)
                    .and_then(|()| std::fs::write(dir.join("kvformat"), "file"))
                    .map_err(|err| {
                        CliError::BadInput(format!("data directory {}: {err}", dir.display()))
                    })?;
            }
            Box::new(
                DirectoryStore::open(dir)
                    .map_err(|err| CliError::BadInput(ErrorChain(&err).to_string()))?,
            )
        }
        (None, Some(devnet)) if args.l1_node_address.is_none() => {
            Box::new(super::devnet_inputs::archive_store(devnet))
        }
        (None, _) => Box::new(MemoryStore::new()),
    };
    Ok(Arc::new(VerifiedStore::new(inner)))
}

/// Runs the client in this process: `koa_proof::run` on this thread, the oracle and hint
/// servers on two more, connected by pipes.
fn run_in_process(backend: &HostBackend<Store>) -> Outcome {
    let pipes = PipeChannel::pair().and_then(|oracle| Ok((oracle, PipeChannel::pair()?)));
    let ((client_oracle, host_oracle), (client_hints, host_hints)) = match pipes {
        Ok(pipes) => pipes,
        Err(err) => {
            return Outcome {
                result: Err(format!("cannot create pipes: {err}")),
                blocks: None,
            };
        }
    };
    std::thread::scope(|scope| {
        let oracle = scope.spawn(move || OracleServer::new(host_oracle).serve(backend));
        let hints = scope.spawn(move || HintReader::new(host_hints).serve(backend));
        let verdict = koa_proof::run_with(
            OracleReader::new(client_oracle),
            HintWriter::new(client_hints),
            koa_proof::blob::KzgBlobVerifier,
        );
        // The client's channel ends are dropped by now: both servers see end-of-stream.
        let oracle = oracle.join().unwrap_or_else(|_| {
            Err(ServerError::Fetch(koa_preimage::FetchError::Backend(
                "the oracle server panicked".into(),
            )))
        });
        let hints = hints.join().unwrap_or_else(|_| {
            Err(ServerError::Fetch(koa_preimage::FetchError::Backend(
                "the hint server panicked".into(),
            )))
        });
        let result = match (verdict, server_failure(oracle, hints)) {
            // The server's error names the key or node; the client only saw a closed pipe.
            (_, Some(error)) => Err(error),
            (Ok(verdict), None) => Ok(verdict),
            (Err(err), None) => Err(ErrorChain(&err).to_string()),
        };
        match result {
            Ok(verdict) => Outcome {
                result: Ok(verdict.valid),
                blocks: Some(verdict.driver.blocks_executed),
            },
            Err(error) => Outcome {
                result: Err(error),
                blocks: None,
            },
        }
    })
}

/// The first server failure, as one line.
pub(crate) fn server_failure(
    oracle: Result<(), ServerError>,
    hints: Result<(), ServerError>,
) -> Option<String> {
    oracle
        .err()
        .map(|err| format!("preimage oracle: {err}"))
        .or_else(|| hints.err().map(|err| format!("hint handler: {err}")))
}

/// Runs a client executable (native or under qemu) as a child over pipes.
/// Runs the client ELF on koa's Cannon VM in process; the outcome and the steps executed.
fn run_on_vm(elf: &std::path::Path, backend: &HostBackend<Store>) -> (Outcome, Option<u64>) {
    let failure = |error: String| Outcome {
        result: Err(error),
        blocks: None,
    };
    let bytes = match std::fs::read(elf) {
        Ok(bytes) => bytes,
        Err(err) => {
            return (
                failure(format!("cannot read {}: {err}", elf.display())),
                None,
            );
        }
    };
    let run = koa_host::vm::run_vm(
        koa_host::vm::FaultProofVmKind::Cannon,
        &bytes,
        backend,
        backend,
        u64::MAX,
    );
    let log_stderr = |stderr: &[u8]| {
        for line in String::from_utf8_lossy(stderr).lines() {
            tracing::info!(target: "koa::client", "{line}");
        }
    };
    match run {
        Ok(run) => {
            log_stderr(&run.stderr);
            tracing::info!(target: "koa::vm", steps = run.steps, seconds = run.seconds,
                preimages = run.preimages, prestate = %run.prestate_hash, post_state = %run.state_hash,
                "the client exited with code {}", run.exit_code);
            let result = match run.exit_code {
                0 => Ok(true),
                1 => Ok(false),
                code => Err(format!("the client panicked on the VM (exit code {code})")),
            };
            (
                Outcome {
                    result,
                    blocks: None,
                },
                Some(run.steps),
            )
        }
        Err(err) => {
            if let koa_host::vm::VmRunError::Step { stderr, step, .. } = &err {
                log_stderr(stderr);
                let message = err.to_string();
                return (failure(message), Some(*step));
            }
            (failure(err.to_string()), None)
        }
    }
}

pub(crate) fn run_child(runner: ClientRunner, backend: &HostBackend<Store>) -> Outcome {
    let outcome = match runner.run(backend, backend) {
        Ok(outcome) => outcome,
        Err(err) => {
            return Outcome {
                result: Err(ErrorChain(&err).to_string()),
                blocks: None,
            };
        }
    };
    let stderr = String::from_utf8_lossy(&outcome.stderr);
    for line in stderr.lines() {
        tracing::info!(target: "koa::client", "{line}");
    }
    let result = match (
        server_failure(outcome.oracle.clone(), outcome.hints.clone()),
        outcome.exit_code(),
    ) {
        (Some(error), _) => Err(error),
        (None, Some(0)) => Ok(true),
        (None, Some(1)) => Ok(false),
        (None, _) => Err(format!(
            "the client failed: {}",
            stderr.lines().last().unwrap_or(&outcome.summary())
        )),
    };
    Outcome {
        result,
        blocks: None,
    }
}

/// Serves the oracle on this process's fds 3–6 until the client closes them.
pub(crate) fn serve_fds(backend: &HostBackend<Store>) -> Outcome {
    use std::os::fd::{FromRawFd, OwnedFd};
    // SAFETY: in server mode the caller (a VM) hands this process fds 3–6 as the hint and
    // preimage pipes; nothing else in koa opens or owns them.
    let (hint_read, hint_write, oracle_read, oracle_write) = unsafe {
        (
            OwnedFd::from_raw_fd(3),
            OwnedFd::from_raw_fd(4),
            OwnedFd::from_raw_fd(5),
            OwnedFd::from_raw_fd(6),
        )
    };
    let hints = PipeChannel::new(hint_read, hint_write);
    let oracle = PipeChannel::new(oracle_read, oracle_write);
    let (oracle, hints) = std::thread::scope(|scope| {
        let hints = scope.spawn(move || HintReader::new(hints).serve(backend));
        let oracle = OracleServer::new(oracle).serve(backend);
        (oracle, hints.join().unwrap_or(Ok(())))
    });
    Outcome {
        result: match server_failure(oracle, hints) {
            Some(error) => Err(error),
            // Reported as "served": the VM that runs the client reports the verdict.
            None => Ok(true),
        },
        blocks: None,
    }
}

/// A progress line on stderr every second while the run lasts, only when stderr is a terminal.
struct Progress {
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Progress {
    fn start(stats: Arc<HostStats>, rpc: Arc<RpcStats>) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let thread = std::io::stderr().is_terminal().then(|| {
            let stop = Arc::clone(&stop);
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    std::thread::sleep(Duration::from_millis(500));
                    eprint!(
                        "\r\x1b[2K{} preimages served ({}), {} hints, {} RPC calls ({})",
                        HostStats::get(&stats.served),
                        human_bytes(HostStats::get(&stats.served_bytes)),
                        HostStats::get(&stats.hints),
                        rpc.requests(),
                        human_bytes(rpc.bytes()),
                    );
                }
                eprint!("\r\x1b[2K");
            })
        });
        Self { stop, thread }
    }

    fn stop(mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
