//! `koa devnet serve`: a devnet as the three nodes a fault-proof host talks to.

use std::{net::SocketAddr, path::PathBuf, process::ExitCode};

use koa_serve::ChainData;

use super::CliError;

/// Arguments of `koa devnet serve`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The devnet directory (`koa devnet generate --out`, or the bundled `testdata/devnet`);
    /// a multi-chain devnet (`--chains N`) is served one port per L2 chain from `--addr` on.
    #[arg(long)]
    dir: PathBuf,
    /// The address to listen on: a loopback address only (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:8545")]
    addr: SocketAddr,
}

/// The runtime `koa devnet serve` runs on.
fn runtime() -> Result<tokio::runtime::Runtime, CliError> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|err| CliError::Internal(format!("cannot start the async runtime: {err}")))
}

/// Serves a multi-chain devnet: one server per L2 chain, on consecutive ports from `--addr`
/// (each a full set of nodes: `/l1`, `/beacon`, `/l2` of that chain), every one answering
/// `superroot_atTimestamp`.
fn run_super(args: &Args) -> Result<ExitCode, CliError> {
    let devnet = koa_devnet::SuperDevnet::load(&args.dir).map_err(|err| {
        CliError::BadInput(format!(
            "cannot load the super devnet in {}: {}",
            args.dir.display(),
            koa_protocol::ErrorChain(&err)
        ))
    })?;
    let incomplete = |err: koa_serve::QueryError| {
        CliError::BadInput(format!(
            "the devnet's chains are incomplete: {}",
            koa_protocol::ErrorChain(&err)
        ))
    };
    let super_roots =
        std::sync::Arc::new(koa_serve::SuperRoots::from_devnet(&devnet).map_err(incomplete)?);
    let chains = (0..devnet.chains.len())
        .map(|index| ChainData::from_super_devnet(&devnet, index).map_err(incomplete))
        .collect::<Result<Vec<_>, _>>()?;
    drop(devnet);
    runtime()?.block_on(async move {
        let mut handles = Vec::with_capacity(chains.len());
        for (index, chain) in chains.into_iter().enumerate() {
            let mut addr = args.addr;
            if addr.port() != 0 {
                addr.set_port(addr.port() + index as u16);
            }
            let chain_id = chain.index(koa_serve::Layer::L2).chain_id;
            let handle = koa_serve::serve_with_super_roots(chain, Some(super_roots.clone()), addr)
                .await
                .map_err(|err| CliError::BadInput(format!("cannot listen on {addr}: {err}")))?;
            if index == 0 {
                println!("L1 execution node: {}", handle.l1_url());
                println!("L1 beacon node:    {}", handle.beacon_url());
            }
            println!("L2 execution node of chain {chain_id}: {}", handle.l2_url());
            handles.push(handle);
        }
        let urls: Vec<String> = handles.iter().map(|h| h.l2_url()).collect();
        println!("--l2-node-addresses {}", urls.join(","));
        tokio::select! {
            _ = futures_join_all(handles) => {}
            _ = tokio::signal::ctrl_c() => {}
        }
        Ok(ExitCode::SUCCESS)
    })
}

/// Waits for every server (they end only when aborted).
async fn futures_join_all(handles: Vec<koa_serve::ServeHandle>) {
    for handle in handles {
        handle.join().await;
    }
}

/// Runs `koa devnet serve` until interrupted.
pub(crate) fn run(args: Args) -> Result<ExitCode, CliError> {
    if !args.addr.ip().is_loopback() {
        return Err(CliError::BadInput(format!(
            "--addr {}: koa devnet serve binds loopback addresses only (e.g. 127.0.0.1:8545)",
            args.addr
        )));
    }
    if args.dir.join(koa_devnet::SUPER_INDEX_FILE).is_file() {
        return run_super(&args);
    }
    let devnet = koa_devnet::Devnet::load(&args.dir).map_err(|err| {
        CliError::BadInput(format!(
            "cannot load the devnet in {}: {}",
            args.dir.display(),
            koa_protocol::ErrorChain(&err)
        ))
    })?;
    let chain = ChainData::from_devnet(&devnet).map_err(|err| {
        CliError::BadInput(format!(
            "the devnet's chain is incomplete: {}",
            koa_protocol::ErrorChain(&err)
        ))
    })?;
    runtime()?.block_on(async move {
        let handle = koa_serve::serve(chain, args.addr)
            .await
            .map_err(|err| CliError::BadInput(format!("cannot listen on {}: {err}", args.addr)))?;
        println!("L1 execution node: {}", handle.l1_url());
        println!("L1 beacon node:    {}", handle.beacon_url());
        println!("L2 execution node: {}", handle.l2_url());
        tokio::select! {
            () = handle.join() => {}
            _ = tokio::signal::ctrl_c() => {}
        }
        Ok(ExitCode::SUCCESS)
    })
}
