//! The claims manifest (`claims.json`): output-root claims over the devnet with the verdict a
//! correct fault proof program must reach.

use alloy_primitives::{B256, keccak256};
use serde::{Deserialize, Serialize};

use crate::generate::{GeneratedDevnet, L2_BLOCK_TIME, SEQ_WINDOW_SIZE};

/// One claim, as a dispute game would pose it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claim {
    /// A short unique name.
    pub name: String,
    /// What the claim exercises.
    pub description: String,
    /// The L2 chain id.
    pub l2_chain_id: u64,
    /// The L1 head the proof may read up to.
    pub l1_head: B256,
    /// The agreed L2 block's hash.
    pub agreed_l2_head_hash: B256,
    /// The agreed L2 block's number.
    pub agreed_l2_block_number: u64,
    /// The agreed L2 block's output root.
    pub agreed_l2_output_root: B256,
    /// The claimed L2 block number.
    pub claimed_l2_block_number: u64,
    /// The claimed output root.
    pub claimed_l2_output_root: B256,
    /// Whether the claim is right (program exit code 0), or wrong (exit code 1).
    pub expected_valid: bool,
}

/// The `claims.json` file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimsFile {
    /// The claims.
    pub claims: Vec<Claim>,
}

/// The claims of a generated devnet: a claim from genesis, trace extensions (claimed block =
/// agreed block, right and wrong), one across each fork activation, one spanning more than a
/// sequencing window, the chain's last block, and wrong output roots.
pub fn claims(devnet: &GeneratedDevnet) -> Vec<Claim> {
    let last = devnet.l2.len() as u64 - 1;
    let claim = |name: &str, description: String, agreed: u64, claimed: u64, root: Option<B256>| {
        let agreed = agreed.min(last);
        let claimed = claimed.clamp(agreed, last);
        let l1_number = devnet.safe_at[claimed as usize];
        let right = devnet.l2[claimed as usize].output().hash();
        let root = root.unwrap_or(right);
        Claim {
            name: name.to_string(),
            description,
            l2_chain_id: devnet.rollup_config.l2_chain_id,
            l1_head: devnet.l1.blocks[l1_number as usize].hash,
            agreed_l2_head_hash: devnet.l2[agreed as usize].header.hash(),
            agreed_l2_block_number: agreed,
            agreed_l2_output_root: devnet.l2[agreed as usize].output().hash(),
            claimed_l2_block_number: claimed,
            claimed_l2_output_root: root,
            expected_valid: root == right,
        }
    };
    let mut out = vec![claim(
        "from-genesis",
        "the first blocks, from the genesis block as the agreed head".into(),
        0,
        8,
        None,
    )];
    let middle = last / 2;
    out.push(claim(
        "trace-extension",
        "claimed block = agreed block, with the agreed output root".into(),
        middle,
        middle,
        None,
    ));
    out.push(claim(
        "trace-extension-wrong",
        "claimed block = agreed block, with another output root".into(),
        middle,
        middle,
        Some(keccak256(b"not the output root")),
    ));
    for (fork, block) in &devnet.params.forks {
        let name = fork.to_string().to_lowercase();
        out.push(claim(
            &format!("across-{name}"),
            format!(
                "from two blocks before {fork}'s activation block {block} to the block after it"
            ),
            block.saturating_sub(2),
            block + 1,
            None,
        ));
    }
    let window_blocks = (SEQ_WINDOW_SIZE + 1) * crate::l1::L1_BLOCK_TIME / L2_BLOCK_TIME;
    let start = last / 5;
    out.push(claim(
        "sequencing-window",
        format!("{window_blocks} L2 blocks, more than a sequencing window of {SEQ_WINDOW_SIZE} L1 blocks"),
        start,
        start + window_blocks,
        None,
    ));
    out.push(claim(
        "to-last-block",
        "the last blocks of the chain".into(),
        last.saturating_sub(12),
        last,
        None,
    ));
    let wrong = last.saturating_sub(20);
    out.push(claim(
        "wrong-next-output",
        "the output root of the block after the claimed one".into(),
        wrong.saturating_sub(6),
        wrong,
        Some(devnet.l2[wrong as usize + 1].output().hash()),
    ));
    out.push(claim(
        "wrong-random-output",
        "an output root that is no block's".into(),
        last / 3,
        last / 3 + 3,
        Some(keccak256(b"koa devnet wrong claim")),
    ));
    out
}
