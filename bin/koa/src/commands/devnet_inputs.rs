//! Inputs from a devnet directory (`koa devnet generate`, or the bundled `testdata/devnet`):
//! a claim, the rollup and L1 configs, and the preimage archive.

use std::path::Path;

use koa_devnet::Devnet;
use koa_host::{BootInputs, store::MemoryStore};

use super::CliError;

/// Loads the devnet in `dir` (checking every keccak256 and sha256 entry of its archive).
pub(crate) fn load(dir: &Path) -> Result<Devnet, CliError> {
    Devnet::load(dir).map_err(|err| {
        CliError::BadInput(format!(
            "cannot load the devnet in {}: {}",
            dir.display(),
            koa_protocol::ErrorChain(&err)
        ))
    })
}

/// The boot inputs of claim `name` of `devnet`.
pub(crate) fn claim_inputs(devnet: &Devnet, name: &str) -> Result<BootInputs, CliError> {
    let claim = devnet.claim(name).ok_or_else(|| {
        let names: Vec<&str> = devnet.claims.iter().map(|c| c.name.as_str()).collect();
        CliError::BadInput(format!(
            "the devnet in {} has no claim {name:?} (it has: {})",
            devnet.dir.display(),
            names.join(", ")
        ))
    })?;
    Ok(BootInputs {
        l1_head: claim.l1_head,
        agreed_l2_head_hash: claim.agreed_l2_head_hash,
        agreed_l2_output_root: claim.agreed_l2_output_root,
        claimed_l2_output_root: claim.claimed_l2_output_root,
        claimed_l2_block_number: claim.claimed_l2_block_number,
        l2_chain_id: claim.l2_chain_id,
        rollup_config: Some(devnet.rollup_config_json.clone().into_bytes()),
        l1_config: Some(devnet.l1_chain_config_json.clone().into_bytes()),
    })
}

/// The devnet's preimages in a memory store (for `koa host --devnet` without `--data-dir`).
pub(crate) fn archive_store(devnet: &Devnet) -> MemoryStore {
    MemoryStore::from_entries(
        devnet
            .preimages
            .iter()
            .map(|(key, value)| (*key, value.to_vec())),
    )
}
