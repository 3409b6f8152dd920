//! `koa config`: a chain's rollup config in op-node's `rollup.json` shape.

use std::{io::Write, process::ExitCode};

use koa_protocol::RollupConfig;
use koa_registry::{AltDaConfig, ChainInfo};
use serde::Serialize;

use super::CliError;

/// Arguments of `koa config`.
#[derive(Debug, clap::Args)]
#[command(
    long_about = "Print an embedded chain's rollup config as pretty JSON, in op-node's \
                  rollup.json shape: genesis anchors and system config, block time, sequencing \
                  window, channel timeout, chain ids, hardfork times, the batch inbox and L1 \
                  contract addresses, EIP-1559 parameters and, for alt-DA chains, `alt_da`.\n\n\
                  The config is built the way op-node loads a registry chain: Regolith at \
                  genesis, a pre-Granite channel timeout of 300 L1 blocks, and the L1 chain id \
                  and SuperchainConfig address from the chain's superchain.\n\n\
                  Exits with 2 if the chain is not embedded (see `koa chains`)."
)]
pub(crate) struct Args {
    /// The L2 chain id (e.g. 10 for OP Mainnet), registry identifier (e.g. `mainnet/op`) or
    /// op-challenger's network name (`<chain>-<superchain>`, e.g. `op-mainnet`).
    #[arg(value_name = "CHAIN")]
    chain: String,
}

/// Runs `koa config`.
pub(crate) fn run(args: Args) -> Result<ExitCode, CliError> {
    let chain = find(&args.chain)?;
    let mut json = rollup_json(chain)?;
    json.push('\n');
    std::io::stdout()
        .write_all(json.as_bytes())
        .map_err(|e| CliError::Internal(format!("cannot write to stdout: {e}")))?;
    Ok(ExitCode::SUCCESS)
}

/// The embedded chain `query` names, by chain id, registry identifier (`mainnet/op`) or
/// op-challenger's network name (`op-mainnet`: op-node's `chaincfg` names a registry chain
/// `<chain>-<superchain>`).
pub(crate) fn find(query: &str) -> Result<&'static ChainInfo, CliError> {
    let network_name = |chain: &ChainInfo| {
        chain
            .identifier
            .split_once('/')
            .is_some_and(|(superchain, name)| query == format!("{name}-{superchain}"))
    };
    let found = match query.parse::<u64>() {
        Ok(chain_id) => koa_registry::chain(chain_id),
        Err(_) => koa_registry::chains()
            .iter()
            .find(|chain| chain.identifier == query || network_name(chain)),
    };
    found.ok_or_else(|| {
        CliError::BadInput(format!(
            "unknown chain `{query}`: not in the embedded superchain registry (see `koa chains`)"
        ))
    })
}

/// A chain's `rollup.json`: the rollup config, plus `alt_da` for alt-DA chains (op-node keeps
/// alt-DA parameters in the rollup config; koa keeps them beside it).
#[derive(Debug, Serialize)]
struct RollupJson {
    #[serde(flatten)]
    config: RollupConfig,
    #[serde(skip_serializing_if = "Option::is_none")]
    alt_da: Option<AltDaConfig>,
}

/// The chain's `rollup.json`, pretty-printed.
fn rollup_json(chain: &ChainInfo) -> Result<String, CliError> {
    let json = RollupJson {
        config: chain.rollup_config(),
        alt_da: chain.alt_da,
    };
    serde_json::to_string_pretty(&json)
        .map_err(|e| CliError::Internal(format!("cannot encode the config: {e}")))
}
