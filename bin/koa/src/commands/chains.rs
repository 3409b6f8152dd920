//! `koa chains`: the chains embedded from the superchain registry.

use std::{io::Write, process::ExitCode};

use koa_protocol::Hardfork;
use koa_registry::{ChainInfo, Network};
use serde::Serialize;

use super::CliError;

/// Arguments of `koa chains`.
#[derive(Debug, clap::Args)]
#[command(
    long_about = "List the OP Stack chains embedded from the superchain registry: chain id, \
                  name, L1 network, data availability and the newest hardfork the chain has \
                  scheduled (with its activation time, UTC).\n\n\
                  Use a chain id with `koa config <CHAIN>` to print its rollup config."
)]
pub(crate) struct Args {
    /// Only list chains on this L1 network.
    #[arg(long, value_enum)]
    network: Option<NetworkArg>,
    /// Print a JSON array instead of a table.
    #[arg(long)]
    json: bool,
}

/// An L1 network, as a command-line value.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
enum NetworkArg {
    /// Ethereum mainnet.
    Mainnet,
    /// Sepolia.
    Sepolia,
}

impl From<NetworkArg> for Network {
    fn from(arg: NetworkArg) -> Self {
        match arg {
            NetworkArg::Mainnet => Self::Mainnet,
            NetworkArg::Sepolia => Self::Sepolia,
        }
    }
}

/// One row of the listing.
#[derive(Debug, Serialize)]
struct Row {
    chain_id: u64,
    name: &'static str,
    identifier: &'static str,
    network: Network,
    l1_chain_id: u64,
    data_availability: &'static str,
    latest_fork: &'static str,
    latest_fork_time: Option<u64>,
}

impl Row {
    fn new(chain: &ChainInfo) -> Self {
        let fork: Hardfork = chain.latest_fork();
        Self {
            chain_id: chain.chain_id,
            name: chain.name,
            identifier: chain.identifier,
            network: chain.network,
            l1_chain_id: chain.network.l1_chain_id(),
            data_availability: chain.data_availability.name(),
            latest_fork: fork.name(),
            latest_fork_time: chain.rollup_config().hardfork_time(fork),
        }
    }
}

/// Runs `koa chains`.
pub(crate) fn run(args: Args) -> Result<ExitCode, CliError> {
    let network = args.network.map(Network::from);
    let mut rows: Vec<Row> = koa_registry::chains()
        .iter()
        .filter(|chain| network.is_none_or(|n| chain.network == n))
        .map(Row::new)
        .collect();
    rows.sort_by_key(|row| (row.network, row.chain_id));

    let text = if args.json {
        let mut json = serde_json::to_string_pretty(&rows)
            .map_err(|e| CliError::Internal(format!("cannot encode the chain list: {e}")))?;
        json.push('\n');
        json
    } else {
        table(&rows)
    };
    std::io::stdout()
        .write_all(text.as_bytes())
        .map_err(|e| CliError::Internal(format!("cannot write to stdout: {e}")))?;
    Ok(ExitCode::SUCCESS)
}

/// The rows as an aligned text table.
fn table(rows: &[Row]) -> String {
    let header = ["CHAIN ID", "NAME", "NETWORK", "DA", "LATEST FORK"];
    let cells: Vec<[String; 5]> = rows
        .iter()
        .map(|row| {
            let fork = match row.latest_fork_time {
                Some(time) => format!("{} ({})", row.latest_fork, utc_date(time)),
                None => row.latest_fork.to_owned(),
            };
            [
                row.chain_id.to_string(),
                row.name.to_owned(),
                row.network.to_string(),
                row.data_availability.to_owned(),
                fork,
            ]
        })
        .collect();
    let mut widths = header.map(str::len);
    for row in &cells {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let mut line = |cols: [&str; 5]| {
        let mut text = String::new();
        for (i, (col, width)) in cols.iter().zip(widths).enumerate() {
            if i + 1 == cols.len() {
                text.push_str(col);
            } else if i == 0 {
                // Right-align the chain id.
                text.push_str(&format!("{col:>width$}  "));
            } else {
                text.push_str(&format!("{col:<width$}  "));
            }
        }
        out.push_str(text.trim_end());
        out.push('\n');
    };
    line(header);
    for row in &cells {
        line([&row[0], &row[1], &row[2], &row[3], &row[4]]);
    }
    out
}

/// `YYYY-MM-DD` (UTC) of a Unix timestamp.
fn utc_date(timestamp: u64) -> String {
    // Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
    let days = (timestamp / 86_400) as i64;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(utc_date(0), "1970-01-01");
        // OP Mainnet's Karst: Wed 8 Jul 2026 16:00:01 UTC.
        assert_eq!(utc_date(1_783_526_401), "2026-07-08");
        // Leap day and year ends.
        assert_eq!(utc_date(951_782_400), "2000-02-29");
        assert_eq!(utc_date(1_704_067_199), "2023-12-31");
        assert_eq!(utc_date(1_704_067_200), "2024-01-01");
    }
}
