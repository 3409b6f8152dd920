//! `koa host super`: the fault-proof host for super-root claims, with kona-host's `super`
//! flags, aliases and environment variables, and the argv op-challenger's super executor
//! builds (the pre-state as hex without `0x`, the timestamp in decimal, `--l1-config-paths`).
//!
//! Online, every `--l2-node-addresses` URL is asked its chain id (`eth_chainId`) and serves
//! that chain's hints; offline, everything comes from `--data-dir` (or `--devnet`). The agreed
//! pre-state is put in the store as the preimage of its commitment before the run, so an
//! offline run needs no `agreed-pre-state` answer from a node.
//!
//! op-challenger passes `--l1-config-paths` (plural), which kona-host's `super` (January
//! 2026) does not accept; koa takes both spellings, and several paths only if they name the
//! same L1.

use std::{collections::BTreeMap, path::PathBuf, process::ExitCode, sync::Arc, time::Instant};

use alloy_primitives::{B256, Bytes, U256};
use koa_host::{
    ClientRunner, HostBackend, HostStats, Online, SuperBootInputs, Vm,
    blob::BeaconClient,
    online::{AgreedL2, Nodes, OnlineFetcher},
    online_super::{SuperChain, SuperOnlineFetcher},
    rpc::{NodeClient, RetryPolicy, RpcStats},
    store::{MemoryStore, PreimageStore, VerifiedStore},
};
use koa_proof::ErrorChain;
use koa_protocol::{RollupConfig, super_root::SuperState};

use super::{
    CliError,
    host::{Outcome, Store, human_bytes, run_child, serve_fds, server_failure},
    host_common::{self, DataFormat, read_json_file, read_l1_chain_config as l1_chain_config},
};

/// Arguments of `koa host super` (kona-host's `super` flags, plus koa's `--client`,
/// `--vm`/`--elf`, `--devnet`/`--claim`, `--json`).
#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("mode").required(true).args(["native", "server", "vm"])))]
pub(crate) struct Args {
    /// Hash of the L1 head block. Derivation stops after this block is processed.
    #[arg(long, env = "L1_HEAD", required_unless_present = "devnet")]
    l1_head: Option<B256>,
    /// The agreed pre-state's preimage, hex with or without `0x`: a super root, a transition
    /// state or `invalid` (op-challenger passes it without `0x`).
    #[arg(
        long,
        visible_alias = "l2-pre-state",
        env = "AGREED_L2_PRE_STATE",
        value_parser = parse_hex,
        required_unless_present = "devnet"
    )]
    agreed_l2_pre_state: Option<Bytes>,
    /// The claimed post-state commitment.
    #[arg(
        long,
        visible_alias = "l2-claim",
        env = "CLAIMED_L2_POST_STATE",
        required_unless_present = "devnet"
    )]
    claimed_l2_post_state: Option<B256>,
    /// The claimed timestamp (the game's proposal timestamp), decimal.
    #[arg(
        long,
        visible_alias = "l2-timestamp",
        env = "CLAIMED_L2_TIMESTAMP",
        required_unless_present = "devnet"
    )]
    claimed_l2_timestamp: Option<u64>,
    /// The L2 execution nodes, one per chain, comma-separated; each is asked its chain id.
    #[arg(
        long,
        visible_alias = "l2s",
        value_delimiter = ',',
        env = "L2_NODE_ADDRESSES",
        requires_all = ["l1_node_address", "l1_beacon_address"]
    )]
    l2_node_addresses: Vec<String>,
    /// Address of the L1 JSON-RPC endpoint (eth and debug namespaces).
    #[arg(long, visible_alias = "l1", env = "L1_NODE_ADDRESS", requires_all = ["l2_node_addresses", "l1_beacon_address"])]
    l1_node_address: Option<String>,
    /// Address of the L1 beacon API endpoint.
    #[arg(long, visible_alias = "beacon", env = "L1_BEACON_ADDRESS", requires_all = ["l1_node_address", "l2_node_addresses"])]
    l1_beacon_address: Option<String>,
    /// The data directory for preimages (op-program's format). Optional online, required
    /// offline (unless `--devnet`).
    #[arg(long, visible_alias = "db", env = "DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// The layout of a new data directory (default `directory`); an existing one must record
    /// the same. `rocksdb` (kona-host's) is refused: koa keeps op-program's formats.
    #[arg(long, env = "DATA_FORMAT", value_enum)]
    data_format: Option<DataFormat>,
    /// Run the client natively (`--client <PATH>`: as a child process over pipes).
    #[arg(long)]
    native: bool,
    /// Serve the preimage oracle on file descriptors 3–6 (for a VM that runs the client).
    #[arg(long)]
    server: bool,
    /// Rollup configs (op-node's rollup.json) of chains not in the registry, comma-separated.
    #[arg(
        long,
        alias = "rollup-cfgs",
        value_delimiter = ',',
        env = "ROLLUP_CONFIG_PATHS"
    )]
    rollup_config_paths: Vec<PathBuf>,
    /// The L1 chain config (or a whole L1 genesis, as op-challenger passes), for an L1 not
    /// embedded in koa. Several comma-separated paths must name the same L1.
    #[arg(
        long,
        alias = "l1-cfg",
        visible_alias = "l1-config-paths",
        value_delimiter = ',',
        env = "L1_CONFIG_PATH"
    )]
    l1_config_path: Vec<PathBuf>,
    /// The dependency set JSON (by default, for chains given by `--rollup-config-paths`, a
    /// set of exactly those chains).
    #[arg(long, env = "DEPENDENCY_SET_PATH")]
    dependency_set_path: Option<PathBuf>,
    /// Run an FPVM build of the client under qemu-user.
    #[arg(long, value_parser = ["qemu-riscv64", "qemu-mips64"], requires = "elf")]
    vm: Option<String>,
    /// The client ELF for `--vm`.
    #[arg(long, requires = "vm")]
    elf: Option<PathBuf>,
    /// With `--native`, run this client executable as a child process over pipes.
    #[arg(long, requires = "native")]
    client: Option<PathBuf>,
    /// Take every input from a super devnet directory (`koa devnet generate --chains N`, or
    /// the bundled `testdata/superdevnet-*`) and, with `--claim`, one of its super claims.
    #[arg(long, requires = "claim")]
    devnet: Option<PathBuf>,
    /// The claim of `--devnet` to prove (its `name` in super-claims.json).
    #[arg(long, requires = "devnet")]
    claim: Option<String>,
    /// Print the summary as one JSON object.
    #[arg(long)]
    json: bool,
}

fn parse_hex(text: &str) -> Result<Bytes, String> {
    let digits = text.strip_prefix("0x").unwrap_or(text);
    alloy_primitives::hex::decode(digits)
        .map(Bytes::from)
        .map_err(|err| format!("not hex: {err}"))
}

/// What the run proved, for the summary.
#[derive(Debug, Default, serde::Serialize)]
struct Summary {
    verdict: &'static str,
    exit_code: u8,
    mode: String,
    pre_state: String,
    claimed_l2_timestamp: u64,
    chains: Vec<u64>,
    l2_blocks_executed: Option<u64>,
    preimages_served: u64,
    bytes_served: u64,
    preimages_fetched: u64,
    rpc_calls: u64,
    wall_seconds: f64,
    error: Option<String>,
}

/// The dispute's inputs with each chain's rollup config.
struct Inputs {
    boot: SuperBootInputs,
    pre_state: SuperState,
    /// Rollup configs of the chains given on the command line (or by the devnet).
    configs: BTreeMap<u64, RollupConfig>,
}

/// Runs `koa host super`.
pub(crate) fn run(args: Args) -> Result<ExitCode, CliError> {
    let start = Instant::now();
    let devnet = match &args.devnet {
        Some(dir) => Some(koa_devnet::SuperDevnet::load(dir).map_err(|err| {
            CliError::BadInput(format!(
                "cannot load the super devnet in {}: {}",
                dir.display(),
                ErrorChain(&err)
            ))
        })?),
        None => None,
    };
    let inputs = inputs(&args, devnet.as_ref())?;
    let online = args.l1_node_address.is_some();
    if !online && args.data_dir.is_none() && devnet.is_none() {
        return Err(CliError::BadInput(
            "offline mode needs --data-dir (or pass --l1-node-address, --l2-node-addresses and \
             --l1-beacon-address)"
                .into(),
        ));
    }
    let store = open_store(&args, devnet.as_ref(), online)?;
    // The agreed pre-state is the preimage of local key 2 (checked by the store).
    store
        .put(
            koa_preimage::PreimageKey::keccak256(inputs.boot.agreed_pre_state_commitment()),
            &inputs.boot.agreed_pre_state,
        )
        .map_err(|err| CliError::Internal(ErrorChain(&err).to_string()))?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|err| CliError::Internal(format!("cannot start the async runtime: {err}")))?;
    let rpc_stats: Arc<RpcStats> = Arc::default();
    let (backend, fetcher) = if online {
        let fetcher = Arc::new(runtime.block_on(super_fetcher(
            &args,
            &inputs,
            Arc::clone(&store),
            &rpc_stats,
        ))?);
        let online = Online {
            fetcher: fetcher.clone(),
            runtime: runtime.handle().clone(),
        };
        (
            HostBackend::online(inputs.boot.clone(), Arc::clone(&store), online),
            Some(fetcher),
        )
    } else {
        (
            HostBackend::offline(inputs.boot.clone(), Arc::clone(&store)),
            None,
        )
    };
    let stats = backend.stats();
    let (mode, outcome): (String, Outcome) = if args.server {
        ("server".into(), serve_fds(&backend))
    } else if let (Some(vm), Some(elf)) = (&args.vm, &args.elf) {
        let kind = if vm == "qemu-riscv64" {
            Vm::Riscv64
        } else {
            Vm::Mips64
        };
        (
            vm.clone(),
            run_child(ClientRunner::new(kind, elf), &backend),
        )
    } else if let Some(client) = &args.client {
        (
            "native (child process)".into(),
            run_child(ClientRunner::new(Vm::Native, client), &backend),
        )
    } else {
        ("native".into(), run_in_process(&backend))
    };
    drop(backend);
    let (verdict, exit_code, error) = match outcome.result.clone() {
        Ok(_) if args.server => ("served", 0u8, None),
        Ok(true) => ("valid", 0u8, None),
        Ok(false) => ("invalid", 1, None),
        Err(error) => ("failure", 2, Some(error)),
    };
    let summary = Summary {
        verdict,
        exit_code,
        mode: format!("{mode}, {}", if online { "online" } else { "offline" }),
        pre_state: match &inputs.pre_state {
            SuperState::SuperRoot(root) => format!("super root at {}", root.timestamp()),
            SuperState::Transition(state) => format!(
                "transition state at {}, step {}",
                state.super_root().timestamp(),
                state.step()
            ),
            SuperState::Invalid => "invalid".into(),
        },
        claimed_l2_timestamp: inputs.boot.claimed_timestamp,
        chains: chain_ids(&inputs.pre_state),
        l2_blocks_executed: outcome.blocks,
        preimages_served: HostStats::get(&stats.served),
        bytes_served: HostStats::get(&stats.served_bytes),
        preimages_fetched: fetcher.as_ref().map_or(0, |f| f.stored()),
        rpc_calls: rpc_stats.requests(),
        wall_seconds: start.elapsed().as_secs_f64(),
        error,
    };
    print_summary(&summary, args.json)?;
    drop(runtime);
    Ok(ExitCode::from(exit_code))
}

/// Runs the super-root program in this process: `koa_proof::super_root::run_super_with` on
/// this thread, the oracle and hint servers on two more, connected by pipes.
fn run_in_process(backend: &HostBackend<Store>) -> Outcome {
    use koa_preimage::{HintReader, HintWriter, OracleReader, OracleServer, PipeChannel};
    let pipes = PipeChannel::pair().and_then(|oracle| Ok((oracle, PipeChannel::pair()?)));
    let ((client_oracle, host_oracle), (client_hints, host_hints)) = match pipes {
        Ok(pipes) => pipes,
        Err(err) => {
            return Outcome {
                result: Err(format!("cannot create pipes: {err}")),
                blocks: None,
                reached: None,
            };
        }
    };
    std::thread::scope(|scope| {
        let oracle = scope.spawn(move || OracleServer::new(host_oracle).serve(backend));
        let hints = scope.spawn(move || HintReader::new(host_hints).serve(backend));
        let verdict = koa_proof::super_root::run_super_with(
            OracleReader::new(client_oracle),
            HintWriter::new(client_hints),
            koa_proof::blob::KzgBlobVerifier,
        );
        let panicked = || {
            Err(koa_preimage::ServerError::Fetch(
                koa_preimage::FetchError::Backend("a server thread panicked".into()),
            ))
        };
        let oracle = oracle.join().unwrap_or_else(|_| panicked());
        let hints = hints.join().unwrap_or_else(|_| panicked());
        match (verdict, server_failure(oracle, hints)) {
            (_, Some(error)) => Outcome {
                result: Err(error),
                blocks: None,
                reached: None,
            },
            (Ok(verdict), None) => {
                tracing::info!(
                    target: "koa::host",
                    step = ?verdict.step,
                    blocks = verdict.driver.blocks_executed,
                    preimages = verdict.oracle.preimages,
                    "super-root step judged"
                );
                Outcome {
                    result: Ok(verdict.valid),
                    blocks: Some(verdict.driver.blocks_executed),
                    reached: None,
                }
            }
            (Err(err), None) => Outcome {
                result: Err(ErrorChain(&err).to_string()),
                blocks: None,
                reached: None,
            },
        }
    })
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
    println!(
        "{}: super-root claim at {} from the {} ({} mode); chains {:?}; {} L2 blocks executed; \
         {} preimages served ({}); {} fetched in {} RPC calls; {:.2}s",
        summary.verdict,
        summary.claimed_l2_timestamp,
        summary.pre_state,
        summary.mode,
        summary.chains,
        summary
            .l2_blocks_executed
            .map_or_else(|| "?".to_string(), |b| b.to_string()),
        summary.preimages_served,
        human_bytes(summary.bytes_served),
        summary.preimages_fetched,
        summary.rpc_calls,
        summary.wall_seconds
    );
    Ok(())
}

/// The chain ids a pre-state names (none for the invalid state).
fn chain_ids(state: &SuperState) -> Vec<u64> {
    match state {
        SuperState::SuperRoot(root) => root.chain_ids().collect(),
        SuperState::Transition(state) => state.super_root().chain_ids().collect(),
        SuperState::Invalid => Vec::new(),
    }
}

/// The local inputs, from the flags or the devnet claim.
fn inputs(args: &Args, devnet: Option<&koa_devnet::SuperDevnet>) -> Result<Inputs, CliError> {
    let mut configs: BTreeMap<u64, (RollupConfig, serde_json::Value)> = BTreeMap::new();
    let mut l1_config: Option<Vec<u8>> = None;
    let mut dependency_set: Option<Vec<u8>> = None;
    let (l1_head, pre, post, timestamp) = if let (Some(devnet), Some(name)) = (devnet, &args.claim)
    {
        if args.l1_head.is_some()
            || args.agreed_l2_pre_state.is_some()
            || args.claimed_l2_post_state.is_some()
            || args.claimed_l2_timestamp.is_some()
        {
            return Err(CliError::BadInput(
                "--devnet --claim gives the claim's inputs: drop --l1-head, \
                 --agreed-l2-pre-state, --claimed-l2-post-state and --claimed-l2-timestamp"
                    .into(),
            ));
        }
        let claim = devnet.claim(name).ok_or_else(|| {
            CliError::BadInput(format!(
                "no super claim `{name}` in {} (claims: {})",
                devnet.dir.display(),
                devnet
                    .claims
                    .iter()
                    .map(|c| c.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })?;
        for chain in &devnet.chains {
            let value = serde_json::from_str(&chain.rollup_config_json)
                .map_err(|err| CliError::BadInput(format!("rollup config: {err}")))?;
            configs.insert(
                chain.rollup_config.l2_chain_id,
                (chain.rollup_config.clone(), value),
            );
        }
        l1_config = Some(devnet.l1_chain_config.to_json().into_bytes());
        dependency_set = Some(devnet.dependency_set_json.clone().into_bytes());
        (
            claim.l1_head,
            parse_hex(&claim.agreed_l2_pre_state)
                .map_err(|err| CliError::BadInput(format!("the claim's pre-state: {err}")))?,
            claim.claimed_l2_post_state,
            claim.claimed_l2_timestamp,
        )
    } else {
        let required = |flag: &str| CliError::BadInput(format!("--{flag} is required"));
        (
            args.l1_head.ok_or_else(|| required("l1-head"))?,
            args.agreed_l2_pre_state
                .clone()
                .ok_or_else(|| required("agreed-l2-pre-state"))?,
            args.claimed_l2_post_state
                .ok_or_else(|| required("claimed-l2-post-state"))?,
            args.claimed_l2_timestamp
                .ok_or_else(|| required("claimed-l2-timestamp"))?,
        )
    };
    for path in &args.rollup_config_paths {
        let bytes = read_json_file(path, "rollup config")?;
        let text = String::from_utf8(bytes).map_err(|_| {
            CliError::BadInput(format!("bad rollup config {}: not UTF-8", path.display()))
        })?;
        let config = RollupConfig::from_json(&text).map_err(|err| {
            CliError::BadInput(format!(
                "bad rollup config {}: {}",
                path.display(),
                ErrorChain(&err)
            ))
        })?;
        let value = serde_json::from_str(&text)
            .map_err(|err| CliError::BadInput(format!("{}: {err}", path.display())))?;
        if configs
            .insert(config.l2_chain_id, (config, value))
            .is_some()
            && devnet.is_none()
        {
            return Err(CliError::BadInput(format!(
                "--rollup-config-paths: two configs of one chain ({})",
                path.display()
            )));
        }
    }
    let mut l1_configs: Vec<Vec<u8>> = Vec::new();
    for path in &args.l1_config_path {
        l1_configs.push(l1_chain_config(path)?);
    }
    l1_configs.dedup();
    match l1_configs.len() {
        0 => {}
        1 => l1_config = l1_configs.pop(),
        _ => {
            return Err(CliError::BadInput(
                "--l1-config-paths: the paths name different L1 chain configs".into(),
            ));
        }
    }
    if let Some(path) = &args.dependency_set_path {
        let bytes = read_json_file(path, "dependency set")?;
        let text = String::from_utf8_lossy(&bytes);
        koa_protocol::super_root::DependencySet::from_json(&text).map_err(|err| {
            CliError::BadInput(format!(
                "bad dependency set {}: {}",
                path.display(),
                ErrorChain(&err)
            ))
        })?;
        dependency_set = Some(bytes);
    } else if dependency_set.is_none() && !configs.is_empty() {
        dependency_set = Some(
            koa_devnet::dependency_set_json(&configs.keys().copied().collect::<Vec<_>>())
                .to_string()
                .into_bytes(),
        );
    }
    let pre_state = SuperState::decode(&pre).map_err(|err| {
        CliError::BadInput(format!("--agreed-l2-pre-state: {}", ErrorChain(&err)))
    })?;
    for chain_id in chain_ids(&pre_state) {
        if !configs.contains_key(&chain_id) && koa_registry::rollup_config(chain_id).is_none() {
            return Err(CliError::BadInput(format!(
                "chain {chain_id} of the pre-state is not in koa's superchain registry: pass its \
                 rollup config with --rollup-config-paths"
            )));
        }
    }
    let rollup_configs = (!configs.is_empty()).then(|| {
        let map: BTreeMap<String, &serde_json::Value> = configs
            .iter()
            .map(|(id, (_, value))| (id.to_string(), value))
            .collect();
        serde_json::to_vec(&map).expect("JSON values serialize")
    });
    Ok(Inputs {
        boot: SuperBootInputs {
            l1_head,
            agreed_pre_state: pre.to_vec(),
            claimed_post_state: post,
            claimed_timestamp: timestamp,
            rollup_configs,
            l1_config,
            dependency_set,
        },
        pre_state,
        configs: configs
            .into_iter()
            .map(|(id, (config, _))| (id, config))
            .collect(),
    })
}

fn open_store(
    args: &Args,
    devnet: Option<&koa_devnet::SuperDevnet>,
    online: bool,
) -> Result<Store, CliError> {
    let inner: Box<dyn PreimageStore> = match (&args.data_dir, devnet) {
        // The same rules as `koa host`: online a new directory is created, offline it must
        // exist (nothing is created), and a RocksDB directory is refused.
        (Some(dir), _) => Box::new(host_common::open_data_dir(dir, args.data_format, online)?),
        (None, Some(devnet)) if !online => Box::new(MemoryStore::from_entries(
            devnet
                .preimages
                .iter()
                .map(|(key, value)| (*key, value.to_vec())),
        )),
        (None, _) => Box::new(MemoryStore::new()),
    };
    Ok(Arc::new(VerifiedStore::new(inner)))
}

/// The online fetcher: the L1 nodes, and each L2 node under the chain id it reports.
async fn super_fetcher(
    args: &Args,
    inputs: &Inputs,
    store: Store,
    rpc_stats: &Arc<RpcStats>,
) -> Result<SuperOnlineFetcher<Store>, CliError> {
    let policy = RetryPolicy::default();
    let node = |role: String, url: &str| {
        NodeClient::new(&role, url, policy, Arc::clone(rpc_stats))
            .map_err(|err| CliError::BadInput(ErrorChain(&err).to_string()))
    };
    let l1_url = args.l1_node_address.as_deref().unwrap_or_default();
    let beacon_url = args.l1_beacon_address.as_deref().unwrap_or_default();
    let timestamp = match &inputs.pre_state {
        SuperState::SuperRoot(root) => Some(root.timestamp()),
        SuperState::Transition(state) => Some(state.super_root().timestamp()),
        SuperState::Invalid => None,
    };
    let mut chains = BTreeMap::new();
    for url in &args.l2_node_addresses {
        let l2 = node("L2 execution node".into(), url)?;
        let chain_id: U256 = l2.call("eth_chainId", ()).await.map_err(|err| {
            CliError::BadInput(format!("{url}: eth_chainId: {}", ErrorChain(&err)))
        })?;
        let chain_id: u64 = chain_id
            .try_into()
            .map_err(|_| CliError::BadInput(format!("{url}: chain id {chain_id} over 64 bits")))?;
        let l2 = node(format!("L2 execution node of chain {chain_id}"), url)?;
        let config = inputs
            .configs
            .get(&chain_id)
            .cloned()
            .or_else(|| koa_registry::rollup_config(chain_id));
        let agreed_block = match (timestamp, &config) {
            (Some(t), Some(config)) => {
                t.saturating_sub(config.genesis.l2_time) / config.block_time.max(1)
            }
            _ => 0,
        };
        let nodes = Nodes {
            l1: node("L1 execution node".into(), l1_url)?,
            beacon: BeaconClient::new(node("L1 beacon node".into(), beacon_url)?),
            l2,
        };
        // Super mode has no starting-l2-output hint: the agreed L2 head is unused.
        let agreed = AgreedL2 {
            head_hash: B256::ZERO,
            output_root: B256::ZERO,
        };
        let fetcher = OnlineFetcher::new(nodes, Arc::clone(&store), agreed);
        if chains
            .insert(
                chain_id,
                SuperChain {
                    fetcher,
                    agreed_block,
                },
            )
            .is_some()
        {
            return Err(CliError::BadInput(format!(
                "--l2-node-addresses: two nodes of chain {chain_id}"
            )));
        }
    }
    for chain_id in chain_ids(&inputs.pre_state) {
        if !chains.contains_key(&chain_id) {
            return Err(CliError::BadInput(format!(
                "--l2-node-addresses: no node of chain {chain_id} of the pre-state (nodes of \
                 chains {:?})",
                chains.keys().collect::<Vec<_>>()
            )));
        }
    }
    SuperOnlineFetcher::new(chains, store, inputs.boot.agreed_pre_state.clone())
        .map_err(|err| CliError::BadInput(ErrorChain(&err).to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    /// op-challenger's `KonaSuperExecutor.OracleCommand` argv after the server path, built as
    /// it builds it: `--agreed-l2-pre-state` is `common.Bytes2Hex` (hex, no `0x`), the
    /// timestamp `Text(10)`, `--l1-config-paths` (plural) and comma-joined lists.
    fn op_challenger_argv(native: bool) -> Vec<String> {
        let pre = "0100000000676a1f7f00000000000000000000000000000000000000000000000000000000746573746e07468c8e835a31790520e26b494b3c0a765483a75df80e63db9ff0508ba5c9";
        let mut args: Vec<String> = [
            "koa",
            "host",
            "super",
            "--l1-node-address",
            "http://127.0.0.1:8545/l1",
            "--l1-beacon-address",
            "http://127.0.0.1:8545/beacon",
            "--l2-node-addresses",
            "http://127.0.0.1:8545/l2,http://127.0.0.1:8546/l2",
            "--l1-head",
            "0x195b598867893ad2dadc1f647e3fc486436222cc44d799327f203192095af3a1",
            "--agreed-l2-pre-state",
            pre,
            "--claimed-l2-post-state",
            "0x3171a941f947610eefbce9b7337593bc74b484bfb92066b96b6d270a0ec8f0a8",
            "--claimed-l2-timestamp",
            "1735008128",
        ]
        .map(String::from)
        .to_vec();
        if native {
            args.push("--native".into());
        } else {
            args.extend(["--server", "--data-dir", "/tmp/koa-data"].map(String::from));
        }
        args.extend(
            [
                "--rollup-config-paths",
                "a/rollup-1.json,b/rollup-2.json",
                "--l1-config-paths",
                "l1/genesis.json",
            ]
            .map(String::from),
        );
        args
    }

    fn parse(argv: &[String]) -> Args {
        let cli = crate::Cli::try_parse_from(argv).unwrap_or_else(|err| panic!("{err}"));
        let crate::Command::Host(command) = cli.command else {
            panic!("not koa host")
        };
        match command.into_super() {
            Some(args) => args,
            None => panic!("not koa host super"),
        }
    }

    #[test]
    fn op_challenger_server_argv_parses_exactly() {
        let args = parse(&op_challenger_argv(false));
        assert!(args.server && !args.native);
        assert_eq!(
            args.data_dir.as_deref(),
            Some(std::path::Path::new("/tmp/koa-data"))
        );
        let pre = args.agreed_l2_pre_state.unwrap();
        assert_eq!(pre.len(), 73);
        assert_eq!(pre[0], 1);
        assert_eq!(
            u64::from_be_bytes(pre[1..9].try_into().unwrap()),
            1_735_008_127
        );
        assert_eq!(args.claimed_l2_timestamp, Some(1_735_008_128));
        assert_eq!(args.l2_node_addresses.len(), 2);
        assert_eq!(args.l2_node_addresses[1], "http://127.0.0.1:8546/l2");
        assert_eq!(args.rollup_config_paths.len(), 2);
        assert_eq!(args.l1_config_path, [PathBuf::from("l1/genesis.json")]);
    }

    #[test]
    fn op_challenger_native_argv_parses_exactly() {
        let args = parse(&op_challenger_argv(true));
        assert!(args.native && !args.server);
        assert!(args.data_dir.is_none());
    }

    #[test]
    fn pre_state_hex_with_or_without_prefix() {
        assert_eq!(parse_hex("0x0102").unwrap().as_ref(), &[1, 2]);
        assert_eq!(parse_hex("0102").unwrap().as_ref(), &[1, 2]);
        assert!(parse_hex("0x01g2").is_err());
    }
}
