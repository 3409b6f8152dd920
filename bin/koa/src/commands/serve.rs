//! `koa devnet serve`: a devnet as the three nodes a fault-proof host talks to.

use std::{net::SocketAddr, path::PathBuf, process::ExitCode};

use koa_serve::ChainData;

use super::CliError;

/// Arguments of `koa devnet serve`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The devnet directory (`koa devnet generate --out`, or the bundled `testdata/devnet`).
    #[arg(long)]
    dir: PathBuf,
    /// The address to listen on: a loopback address only (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:8545")]
    addr: SocketAddr,
}

/// Runs `koa devnet serve` until interrupted.
pub(crate) fn run(args: Args) -> Result<ExitCode, CliError> {
    if !args.addr.ip().is_loopback() {
        return Err(CliError::BadInput(format!(
            "--addr {}: koa devnet serve binds loopback addresses only (e.g. 127.0.0.1:8545)",
            args.addr
        )));
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
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|err| CliError::Internal(format!("cannot start the async runtime: {err}")))?;
    runtime.block_on(async move {
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
