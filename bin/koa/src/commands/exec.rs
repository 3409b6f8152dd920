//! `koa exec`: execute L2 blocks statelessly from witness fixtures and compare their hashes.

use std::{path::PathBuf, process::ExitCode, time::Instant};

use koa_executor::{ExecutorError, StatelessExecutor};
use koa_fixture::{Fixture, RecordingProvider};
use koa_mpt::NoopTrieHinter;
use koa_protocol::ErrorChain;

use super::CliError;

/// Arguments of `koa exec`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// A fixture directory (`fixture.json` + `preimages.json[.zst]`), or a directory of them.
    #[arg(long)]
    fixture: PathBuf,
    /// Print one JSON object per block instead of text.
    #[arg(long)]
    json: bool,
}

/// The result of executing one fixture block.
struct BlockReport {
    name: String,
    block_number: u64,
    block_hash: alloy_primitives::B256,
    expected: alloy_primitives::B256,
    execute_ms: f64,
    preimages_used: usize,
}

impl BlockReport {
    fn ok(&self) -> bool {
        self.block_hash == self.expected
    }

    fn print(&self, json: bool) -> Result<(), CliError> {
        if json {
            // Field order is part of the output format: a struct keeps it (`json!` sorts keys).
            #[derive(serde::Serialize)]
            struct JsonLine {
                block_number: u64,
                block_hash: alloy_primitives::B256,
                expected: alloy_primitives::B256,
                ok: bool,
                execute_ms: f64,
                preimages_used: usize,
            }
            let line = JsonLine {
                block_number: self.block_number,
                block_hash: self.block_hash,
                expected: self.expected,
                ok: self.ok(),
                execute_ms: self.execute_ms,
                preimages_used: self.preimages_used,
            };
            let line = serde_json::to_string(&line).map_err(|e| {
                CliError::Internal(format!("cannot encode the report as JSON: {e}"))
            })?;
            println!("{line}");
        } else {
            println!(
                "{} block {}: {} expected {} {} ({:.3} ms, {} preimages)",
                self.name,
                self.block_number,
                self.block_hash,
                self.expected,
                if self.ok() { "ok" } else { "MISMATCH" },
                self.execute_ms,
                self.preimages_used,
            );
        }
        Ok(())
    }
}

/// Runs `koa exec`.
pub(crate) fn run(args: Args) -> Result<ExitCode, CliError> {
    let dirs = Fixture::discover(&args.fixture)
        .map_err(|e| CliError::BadInput(ErrorChain(&e).to_string()))?;
    let mut all_ok = true;
    for dir in dirs {
        let report = execute(&dir)?;
        report.print(args.json)?;
        all_ok &= report.ok();
    }
    Ok(if all_ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Loads and executes the fixture in `dir`.
fn execute(dir: &std::path::Path) -> Result<BlockReport, CliError> {
    let fixture = Fixture::load(dir).map_err(|e| CliError::BadInput(ErrorChain(&e).to_string()))?;
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let parent = fixture.parent();
    let provider = RecordingProvider::new(&fixture.preimages);
    let config = &fixture.file.rollup_config;
    let executor = StatelessExecutor::new(config, &provider, NoopTrieHinter);

    let start = Instant::now();
    let outcome = executor.execute(
        parent.inner(),
        parent.hash(),
        &fixture.file.payload_attributes,
    );
    let execute_ms = start.elapsed().as_secs_f64() * 1e3;
    let outcome = outcome.map_err(|e| classify(&name, e))?;

    Ok(BlockReport {
        name,
        block_number: outcome.header.number,
        block_hash: outcome.header.hash(),
        expected: fixture.file.expected_block_hash,
        execute_ms,
        preimages_used: provider.used(),
    })
}

/// Missing or corrupt witness data and unusable attributes are bad input; any other failure
/// means koa could not build a block the chain built.
fn classify(name: &str, err: ExecutorError) -> CliError {
    let chain = ErrorChain(&err);
    match err {
        ExecutorError::State(_)
        | ExecutorError::Attributes(_)
        | ExecutorError::TxDecode { .. }
        | ExecutorError::ParentHashMismatch { .. } => {
            CliError::BadInput(format!("{name}: {chain}"))
        }
        _ => CliError::Internal(format!("{name}: block execution failed: {chain}")),
    }
}
