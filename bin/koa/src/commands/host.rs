//! `koa host`: the fault-proof host, with kona-host's single-chain flags.
//!
//! Modes (as kona-host): online (`--l1-node-address`, `--l2-node-address`,
//! `--l1-beacon-address`: fetch what the client hints at, storing it in `--data-dir` or in
//! memory) or offline (`--data-dir` only); `--native` runs the client (in process, or
//! `--client <PATH>` as a child over pipes), `--server` serves the oracle on fds 3–6 for a VM.
//! koa adds `--vm qemu-riscv64|qemu-mips64|cannon|asterisc --elf <client>` to run an FPVM build
//! under qemu or on koa's own Cannon (MIPS64) or Asterisc (RISC-V) VM, and
//! `--devnet <DIR> --claim <NAME>` to take every input from a devnet directory.
//!
//! Exit codes are the client's: 0 valid, 1 invalid, 2 failure.

use std::{
    io::IsTerminal,
    path::PathBuf,
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
    store::{MemoryStore, PreimageStore, VerifiedStore},
};
use koa_preimage::{HintReader, HintWriter, OracleReader, OracleServer, PipeChannel, ServerError};
use koa_proof::ErrorChain;

use super::{
    CliError,
    host_common::{self, DataFormat},
    reached::{Reached, ReachedSource},
};
use koa_host::vm::FaultProofVmKind;

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
    pub(crate) fn run(self, json_logs: bool) -> Result<ExitCode, CliError> {
        match self.form {
            Some(HostForm::Single(args)) => run(*args, json_logs),
            Some(HostForm::Super(args)) => super::host_super::run(*args),
            None => run(self.args, json_logs),
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
    /// The layout of a new data directory (default `directory`); an existing one must record
    /// the same. `rocksdb` (kona-host's) is refused: koa keeps op-program's formats.
    #[arg(long, env = "DATA_FORMAT", value_enum)]
    data_format: Option<DataFormat>,
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
    /// Online: the most bytes of preimages this run may fetch and store (default 4 GiB); past
    /// it the run fails (exit 2) rather than let a node fill the data dir or memory. koa's own.
    #[arg(long, value_name = "BYTES")]
    max_fetched_bytes: Option<u64>,
    /// Accepted for kona-host compatibility. koa has nothing to skip: the host checks every
    /// blob against its versioned hash before storing it, and the client checks each again
    /// with KZG, so a wrong blob is never accepted whatever this flag says.
    #[arg(long, env = "L1_BEACON_SKIP_BLOB_VERIFICATION")]
    l1_beacon_skip_blob_verification: bool,
    /// Run an FPVM build of the client under qemu-user, or on koa's own VMs (`cannon`: MIPS64,
    /// `asterisc`: RISC-V; in process, exact to the step; the summary counts the steps).
    #[arg(long, value_parser = ["qemu-riscv64", "qemu-mips64", "cannon", "asterisc"], requires = "elf")]
    vm: Option<String>,
    /// The client ELF for `--vm`.
    #[arg(long, requires = "vm")]
    elf: Option<PathBuf>,
    /// With `--native`, run this client executable as a child process over pipes.
    #[arg(long, requires = "native")]
    client: Option<PathBuf>,
    /// Take every input from a devnet directory (`koa devnet generate`, or the bundled
    /// `testdata/devnet`): its rollup and L1 configs and, with `--claim`, a claim. An input
    /// given by its own flag (or environment variable) overrides the devnet's.
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
    /// Where the rollup and L1 configs came from (registry chain, file, devnet).
    chain: String,
    l2_chain_id: u64,
    l1_head: B256,
    claimed_l2_block_number: u64,
    claimed_output_root: B256,
    /// The output root the client computed: from the verdict in process, from the client's
    /// report or log line when it ran as a child or on a VM (the exit code is the verdict).
    computed_output_root: Option<B256>,
    /// The L2 block the computed output root is of.
    l2_block_reached: Option<u64>,
    /// The L1 origin of that block.
    l1_origin_reached: Option<u64>,
    /// The L1 block derivation was reading when the client stopped.
    derivation_l1_block: Option<u64>,
    /// Who reported the computed root (`in_process`, `client_report`, `kona_log`).
    computed_by: Option<ReachedSource>,
    l2_blocks: Option<u64>,
    preimages_served: u64,
    bytes_served: u64,
    preimages_fetched: u64,
    witness_preimages: u64,
    rpc_calls: u64,
    rpc_bytes: u64,
    rpc_calls_by_method: std::collections::BTreeMap<String, u64>,
    wall_seconds: f64,
    /// Steps the fault proof VM executed (`--vm cannon|asterisc`).
    #[serde(skip_serializing_if = "Option::is_none")]
    steps: Option<u64>,
    /// Those steps over the L2 blocks derived and executed (boot and verdict included).
    #[serde(skip_serializing_if = "Option::is_none")]
    steps_per_l2_block: Option<u64>,
    error: Option<String>,
}

pub(crate) type Store = Arc<VerifiedStore<Box<dyn PreimageStore>>>;

/// Runs `koa host`; `json_logs` (`--logs.stdout.format json`) prints the summary as a JSON
/// log line.
pub(crate) fn run(args: Args, json_logs: bool) -> Result<ExitCode, CliError> {
    let start = Instant::now();
    let online: bool = args.l1_node_address.is_some();
    refuse_ignored_flags(&args, online)?;
    if args.server {
        // Before anything else opens a file, which could take one of these numbers.
        host_common::check_server_fds()?;
    }
    let devnet = match &args.devnet {
        Some(dir) => Some(super::devnet_inputs::load(dir)?),
        None => None,
    };
    let chain: ChainInputs = chain_inputs(&args, devnet.as_ref())?;
    let inputs: BootInputs = boot_inputs(&args, devnet.as_ref(), &chain)?;
    if !online && args.data_dir.is_none() && args.devnet.is_none() {
        return Err(CliError::BadInput(
            "offline mode needs --data-dir (or pass --l1-node-address, --l2-node-address and \
             --l1-beacon-address)"
                .into(),
        ));
    }
    let store: Store = open_store(&args, devnet.as_ref(), online)?;
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
        runtime
            .block_on(koa_host::chain_check::check_chains(
                &nodes,
                &chain.rollup,
                chain.l1_chain_id,
            ))
            .map_err(|err| CliError::BadInput(ErrorChain(&err).to_string()))?;
        let agreed = AgreedL2 {
            head_hash: inputs.agreed_l2_head_hash,
            output_root: inputs.agreed_l2_output_root,
        };
        let fetcher = Arc::new(
            OnlineFetcher::new(nodes, Arc::clone(&store), agreed)
                .with_witness_endpoint(args.enable_experimental_witness_endpoint)
                .with_max_stored_bytes(
                    args.max_fetched_bytes
                        .unwrap_or(koa_host::online::DEFAULT_MAX_STORED_BYTES),
                ),
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
    } else if let (Some(name @ ("cannon" | "asterisc")), Some(elf)) =
        (args.vm.as_deref(), &args.elf)
    {
        let kind = if name == "cannon" {
            FaultProofVmKind::Cannon
        } else {
            FaultProofVmKind::Asterisc
        };
        let (outcome, vm_steps) = run_on_vm(kind, elf, &backend);
        steps = vm_steps;
        (name.into(), outcome)
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

    let mut outcome = outcome;
    outcome.reached = outcome
        .reached
        .filter(|reached| reached.agrees_with(&outcome.result, inputs.claimed_l2_output_root));
    let reported_blocks = outcome.reached.and_then(|r| r.blocks_executed);
    let l2_blocks: Option<u64> = outcome.blocks.or(reported_blocks).or_else(|| {
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
        chain: chain.source.clone(),
        l2_chain_id: chain.rollup.l2_chain_id,
        l1_head: inputs.l1_head,
        claimed_l2_block_number: inputs.claimed_l2_block_number,
        claimed_output_root: inputs.claimed_l2_output_root,
        computed_output_root: outcome.reached.map(|r| r.output_root),
        l2_block_reached: outcome.reached.map(|r| r.l2_block),
        l1_origin_reached: outcome.reached.and_then(|r| r.l1_origin),
        derivation_l1_block: outcome.reached.and_then(|r| r.derivation_l1_block),
        computed_by: outcome.reached.map(|r| r.source),
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
        steps_per_l2_block: steps
            .zip(l2_blocks)
            .and_then(|(steps, blocks)| steps.checked_div(blocks)),
        error,
    };
    print_summary(&summary, args.json, json_logs)?;
    drop(runtime);
    Ok(ExitCode::from(exit_code))
}

/// How the client run ended: `Ok(valid)` or a one-line failure.
pub(crate) struct Outcome {
    pub(crate) result: Result<bool, String>,
    pub(crate) blocks: Option<u64>,
    /// Where the client got to: in process from the verdict, else as the child or VM reports.
    pub(crate) reached: Option<Reached>,
}

impl Outcome {
    fn failed(error: String) -> Self {
        Self {
            result: Err(error),
            blocks: None,
            reached: None,
        }
    }
}

/// Prints the summary: one JSON object (`--json`), one JSON log line
/// (`--logs.stdout.format json`, with the same fields), or two lines of text.
fn print_summary(summary: &Summary, json: bool, json_logs: bool) -> Result<(), CliError> {
    if json || json_logs {
        let value = serde_json::to_value(summary)
            .map_err(|err| CliError::Internal(format!("cannot encode the summary: {err}")))?;
        if json_logs {
            let serde_json::Value::Object(mut fields) = value else {
                return Err(CliError::Internal("the summary is not an object".into()));
            };
            let level = if summary.error.is_some() {
                "ERROR"
            } else {
                "INFO"
            };
            fields.insert(
                "message".into(),
                format!("claim {}", summary.verdict).into(),
            );
            println!("{}", crate::logs::json_line(level, "koa::host", fields));
        } else {
            println!("{value}");
        }
        return Ok(());
    }
    if let Some(error) = &summary.error {
        eprintln!("error: {error}");
    }
    let blocks = summary
        .l2_blocks
        .map_or_else(|| "?".to_string(), |b| b.to_string());
    let computed = match (summary.computed_output_root, summary.l2_block_reached) {
        (Some(root), Some(block)) => {
            let mut notes = Vec::new();
            if let Some(origin) = summary.l1_origin_reached {
                notes.push(format!("L1 origin {origin}"));
            }
            match (summary.derivation_l1_block, summary.computed_by) {
                (Some(l1), _) => notes.push(format!("derivation stopped at L1 block {l1}")),
                (None, Some(ReachedSource::KonaLog)) => {}
                (None, _) => notes.push("nothing to derive".to_string()),
            }
            match summary.computed_by {
                Some(ReachedSource::ClientReport) => notes.push("as the client reports".into()),
                Some(ReachedSource::KonaLog) => notes.push("as kona-client logs".into()),
                Some(ReachedSource::InProcess) | None => {}
            }
            format!("computed {root} at L2 block {block} ({})", notes.join("; "))
        }
        _ if summary.mode.starts_with("server") => "computed by the VM's client".to_string(),
        _ => "computed root not reported by the client".to_string(),
    };
    println!(
        "{}: claimed {} at L2 block {}; {computed}; chain {} ({}); L1 head {}",
        summary.verdict,
        summary.claimed_output_root,
        summary.claimed_l2_block_number,
        summary.l2_chain_id,
        summary.chain,
        summary.l1_head,
    );
    let mut line = format!(
        "{} mode; {} L2 blocks; {} preimages served ({}); ",
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
    if let Some(steps) = summary.steps {
        line.push_str(&format!("{steps} VM steps"));
        if let Some(per_block) = summary.steps_per_l2_block {
            line.push_str(&format!(" ({per_block} per L2 block)"));
        }
        line.push_str("; ");
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

/// The chain a run proves on: its rollup config (from the registry, a file or the devnet)
/// and the L1 config, as the host serves them and checks the nodes against them.
struct ChainInputs {
    /// The parsed rollup config.
    rollup: koa_protocol::RollupConfig,
    /// Local key 6: the rollup config JSON, `None` for a registry chain (named by key 5).
    rollup_json: Option<Vec<u8>>,
    /// Local key 7: the L1 chain config JSON, if given.
    l1_json: Option<Vec<u8>>,
    /// The L1 chain id the nodes must serve.
    l1_chain_id: u64,
    /// Where the configs came from, for the summary.
    source: String,
}

/// Flags that would otherwise be silently ignored. (clap's `requires` is not enforced on
/// these flattened flags when `koa host` has its `single` subcommand, so they are checked
/// here.)
fn refuse_ignored_flags(args: &Args, online: bool) -> Result<(), CliError> {
    if args.elf.is_some() && args.vm.is_none() {
        return Err(CliError::BadInput(
            "--elf names the client for --vm: pass --vm qemu-riscv64|qemu-mips64|cannon|asterisc too (or \
             --native --client <PATH> for a native client)"
                .into(),
        ));
    }
    if args.client.is_some() && !args.native {
        return Err(CliError::BadInput(
            "--client runs a native client: it needs --native (with --server the VM runs the \
             client)"
                .into(),
        ));
    }
    if args.data_format.is_some() && args.data_dir.is_none() {
        return Err(CliError::BadInput(
            "--data-format names the layout of --data-dir: pass --data-dir too".into(),
        ));
    }
    if !online && args.enable_experimental_witness_endpoint {
        return Err(CliError::BadInput(
            "--enable-experimental-witness-endpoint asks the L2 node for witnesses: it needs \
             the node flags (--l1-node-address, --l2-node-address, --l1-beacon-address)"
                .into(),
        ));
    }
    if !online && args.max_fetched_bytes.is_some() {
        return Err(CliError::BadInput(
            "--max-fetched-bytes bounds what the nodes send: offline nothing is fetched".into(),
        ));
    }
    if args.l1_beacon_skip_blob_verification {
        tracing::info!(
            target: "koa::host",
            "--l1-beacon-skip-blob-verification has no effect in koa: blobs are always checked \
             against their versioned hashes, by the host and again with KZG by the client"
        );
    }
    Ok(())
}

/// The chain: `--rollup-config-path` or `--l2-chain-id` if given (they override a devnet's),
/// else the devnet's; `--l1-config-path` likewise.
fn chain_inputs(args: &Args, devnet: Option<&koa_devnet::Devnet>) -> Result<ChainInputs, CliError> {
    let (rollup, rollup_json, mut source) =
        match (&args.rollup_config_path, args.l2_chain_id, devnet) {
            (Some(_), Some(_), _) => {
                return Err(CliError::BadInput(
                    "--l2-chain-id and --rollup-config-path contradict each other: pass one".into(),
                ));
            }
            (Some(path), None, _) => {
                let (json, config) = host_common::read_rollup_config(path)?;
                (
                    config,
                    Some(json),
                    format!("rollup config {}", path.display()),
                )
            }
            (None, Some(chain_id), _) => {
                let config = koa_registry::rollup_config(chain_id).ok_or_else(|| {
                    CliError::BadInput(format!(
                        "unknown L2 chain id {chain_id}: not in koa's superchain registry (see \
                         `koa chains`); pass --rollup-config-path for another chain"
                    ))
                })?;
                (config, None, format!("registry chain {chain_id}"))
            }
            (None, None, Some(devnet)) => (
                devnet.rollup_config.clone(),
                Some(devnet.rollup_config_json.clone().into_bytes()),
                format!("devnet {}", devnet.dir.display()),
            ),
            (None, None, None) => {
                return Err(CliError::BadInput(
                    "one of --l2-chain-id or --rollup-config-path is required".into(),
                ));
            }
        };
    let l1_json: Option<Vec<u8>> = match (&args.l1_config_path, devnet) {
        (Some(path), _) => {
            source.push_str(&format!(", L1 config {}", path.display()));
            Some(host_common::read_l1_chain_config(path)?)
        }
        (None, Some(devnet)) => Some(devnet.l1_chain_config_json.clone().into_bytes()),
        (None, None) => None,
    };
    let l1_chain_id: u64 = match &l1_json {
        Some(json) => {
            let text = std::str::from_utf8(json).unwrap_or_default();
            let l1 = koa_protocol::L1ChainConfig::from_json(text).map_err(|err| {
                CliError::BadInput(format!("bad L1 chain config: {}", ErrorChain(&err)))
            })?;
            if l1.chain_id != rollup.l1_chain_id {
                return Err(CliError::BadInput(format!(
                    "the L1 chain config is for chain {}, the rollup config settles on L1 chain \
                     {}: pass the configs of one chain",
                    l1.chain_id, rollup.l1_chain_id
                )));
            }
            l1.chain_id
        }
        None => {
            if koa_registry::l1_chain_config(rollup.l1_chain_id).is_none() {
                return Err(CliError::BadInput(format!(
                    "the rollup config settles on L1 chain {}, which koa does not embed \
                     (mainnet, sepolia): pass its config with --l1-config-path (geth's genesis \
                     file or its `config` object)",
                    rollup.l1_chain_id
                )));
            }
            rollup.l1_chain_id
        }
    };
    Ok(ChainInputs {
        rollup,
        rollup_json,
        l1_json,
        l1_chain_id,
        source,
    })
}

/// The local inputs: each from its flag (or environment variable) if given, else from the
/// devnet claim.
fn boot_inputs(
    args: &Args,
    devnet: Option<&koa_devnet::Devnet>,
    chain: &ChainInputs,
) -> Result<BootInputs, CliError> {
    let claim: Option<BootInputs> = match (devnet, &args.claim) {
        (Some(devnet), Some(name)) => Some(super::devnet_inputs::claim_inputs(devnet, name)?),
        _ => None,
    };
    let pick = |flag: Option<B256>, from_claim: Option<B256>, name: &str| {
        flag.or(from_claim)
            .ok_or_else(|| CliError::BadInput(format!("--{name} is required")))
    };
    Ok(BootInputs {
        l1_head: pick(args.l1_head, claim.as_ref().map(|c| c.l1_head), "l1-head")?,
        agreed_l2_head_hash: pick(
            args.agreed_l2_head_hash,
            claim.as_ref().map(|c| c.agreed_l2_head_hash),
            "agreed-l2-head-hash",
        )?,
        agreed_l2_output_root: pick(
            args.agreed_l2_output_root,
            claim.as_ref().map(|c| c.agreed_l2_output_root),
            "agreed-l2-output-root",
        )?,
        claimed_l2_output_root: pick(
            args.claimed_l2_output_root,
            claim.as_ref().map(|c| c.claimed_l2_output_root),
            "claimed-l2-output-root",
        )?,
        claimed_l2_block_number: args
            .claimed_l2_block_number
            .or_else(|| claim.as_ref().map(|c| c.claimed_l2_block_number))
            .ok_or_else(|| CliError::BadInput("--claimed-l2-block-number is required".into()))?,
        l2_chain_id: chain.rollup.l2_chain_id,
        rollup_config: chain.rollup_json.clone(),
        l1_config: chain.l1_json.clone(),
    })
}

fn open_store(
    args: &Args,
    devnet: Option<&koa_devnet::Devnet>,
    online: bool,
) -> Result<Store, CliError> {
    let inner: Box<dyn PreimageStore> = match (&args.data_dir, devnet) {
        (Some(dir), _) => Box::new(host_common::open_data_dir(dir, args.data_format, online)?),
        (None, Some(devnet)) if !online => Box::new(super::devnet_inputs::archive_store(devnet)),
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
        Err(err) => return Outcome::failed(format!("cannot create pipes: {err}")),
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
                reached: Some(Reached::of_verdict(&verdict)),
            },
            Err(error) => Outcome::failed(error),
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

/// Runs the client ELF on one of koa's VMs in process; the outcome and the steps executed.
fn run_on_vm(
    kind: FaultProofVmKind,
    elf: &std::path::Path,
    backend: &HostBackend<Store>,
) -> (Outcome, Option<u64>) {
    let failure = |error: String| Outcome {
        result: Err(error),
        blocks: None,
        reached: None,
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
    let run = koa_host::vm::run_vm(kind, &bytes, backend, backend, u64::MAX);
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
                    reached: Reached::from_client_output(&run.stdout, &run.stderr),
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

/// Runs a client executable (native or under qemu) as a child over pipes.
pub(crate) fn run_child(runner: ClientRunner, backend: &HostBackend<Store>) -> Outcome {
    let outcome = match runner.run(backend, backend) {
        Ok(outcome) => outcome,
        Err(err) => return Outcome::failed(ErrorChain(&err).to_string()),
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
        reached: Reached::from_client_output(&outcome.stdout, &outcome.stderr),
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
        reached: None,
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
                        "\r\x1b[2K{}; {} preimages served ({}), {} hints, {} RPC calls ({})",
                        crate::progress::describe(),
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
