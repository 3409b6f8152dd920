//! The single-chain program's claim rules and verdict: an output root at an L2 block number,
//! judged by deriving and executing from the agreed output root's block (trace extension
//! when the claimed block is not after it).

use alloy_primitives::B256;
use koa_derive::L2BlockInfo;
use koa_preimage::{HintWriterClient, PreimageOracleClient};

use crate::{
    BootInfo, ChainDriver, DriverStats, L2Store, OracleStats, ProofError, ProofOracle, blob,
    precompile,
};

/// The outcome of a proof run that could decide the claim.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verdict {
    /// Whether the claimed output root is the computed one.
    pub valid: bool,
    /// The claimed output root.
    pub claimed_output_root: B256,
    /// The claimed L2 block number.
    pub claimed_block_number: u64,
    /// The output root the program computed: of the claimed block, or of the last safe block
    /// reached when L1 ran out before it.
    pub computed_output_root: B256,
    /// The safe head the output root is of.
    pub safe_head: L2BlockInfo,
    /// The L1 block derivation was reading when the program stopped (`None` when it derived
    /// nothing: a trace extension).
    pub derivation_l1_block: Option<u64>,
    /// Derivation and execution counters.
    pub driver: DriverStats,
    /// What was read from the host.
    pub oracle: OracleStats,
}

impl Verdict {
    /// op-challenger's exit code: 0 for a valid claim, 1 for an invalid one.
    pub const fn exit_code(&self) -> i32 {
        if self.valid { 0 } else { 1 }
    }
}

/// Runs the proof over `oracle` and `hinter` in the FPVM setting: the oracle's blob field
/// elements are trusted and the expensive precompiles are answered by the host
/// ([`precompile::Precompiles::Oracle`]), both proven on L1 by the oracle contract. See
/// [`run_with`] to check blobs and run every precompile in-process.
pub fn run<O: PreimageOracleClient, H: HintWriterClient>(
    oracle: O,
    hinter: H,
) -> Result<Verdict, ProofError> {
    let oracle = ProofOracle::new(oracle, hinter);
    let boot = BootInfo::load(&oracle)?;
    prove_with(
        &oracle,
        &boot,
        blob::TrustedBlobs,
        precompile::Precompiles::Oracle,
    )
}

/// Runs the proof, checking blobs with `verifier` and running every precompile in-process (the
/// setting of zkVMs, TEEs and witness replays, where the oracle is not proven on L1).
pub fn run_with<O, H, V>(oracle: O, hinter: H, verifier: V) -> Result<Verdict, ProofError>
where
    O: PreimageOracleClient,
    H: HintWriterClient,
    V: blob::BlobVerifier,
{
    let oracle = ProofOracle::new(oracle, hinter);
    let boot = BootInfo::load(&oracle)?;
    prove(&oracle, &boot, verifier)
}

/// Judges the claim of `boot` with the data of `oracle`, every precompile in-process.
pub fn prove<O, H, V>(
    oracle: &ProofOracle<O, H>,
    boot: &BootInfo,
    verifier: V,
) -> Result<Verdict, ProofError>
where
    O: PreimageOracleClient,
    H: HintWriterClient,
    V: blob::BlobVerifier,
{
    prove_with(oracle, boot, verifier, precompile::Precompiles::InProcess)
}

/// Judges the claim of `boot` with the data of `oracle`, running the expensive precompiles
/// where `precompiles` says.
pub fn prove_with<O, H, V>(
    oracle: &ProofOracle<O, H>,
    boot: &BootInfo,
    verifier: V,
    precompiles: precompile::Precompiles,
) -> Result<Verdict, ProofError>
where
    O: PreimageOracleClient,
    H: HintWriterClient,
    V: blob::BlobVerifier,
{
    tracing::info!(
        target: "proof",
        l1_head = %boot.l1_head,
        agreed = %boot.agreed_l2_output_root,
        claimed = %boot.claimed_l2_output_root,
        claimed_block = boot.claimed_l2_block_number,
        chain_id = boot.l2_chain_id,
        "judging claim"
    );
    let mut store = L2Store::new(oracle, &boot.rollup_config, boot.agreed_l2_output_root)?;
    let agreed = store.tip().number;
    let verdict = |computed: B256, safe_head: L2BlockInfo, driver: DriverStats| Verdict {
        valid: computed == boot.claimed_l2_output_root,
        claimed_output_root: boot.claimed_l2_output_root,
        claimed_block_number: boot.claimed_l2_block_number,
        computed_output_root: computed,
        safe_head,
        derivation_l1_block: None,
        driver,
        oracle: oracle.stats(),
    };
    if boot.claimed_l2_block_number <= agreed {
        // Trace extension: a claim at the agreed block holds only if it is the agreed root.
        // A claim before it cannot be judged against this chain and is invalid (as kona).
        let safe_head = store.safe_head()?;
        let computed = boot.agreed_l2_output_root;
        let mut v = verdict(computed, safe_head, DriverStats::default());
        v.valid &= boot.claimed_l2_block_number == agreed;
        return Ok(v);
    }
    let mut driver = ChainDriver::new(oracle, boot.chain_context(), store, verifier)?
        .with_precompiles(precompiles);
    let safe_head = driver.advance_to(boot.claimed_l2_block_number)?;
    let computed = driver.safe_head_output_root();
    let mut v = verdict(computed, safe_head, driver.stats());
    v.derivation_l1_block = driver.l1_origin().map(|origin| origin.number);
    tracing::info!(
        target: "proof",
        valid = v.valid,
        safe_head = safe_head.block_info.number,
        computed = %computed,
        blocks = v.driver.blocks_executed,
        derivation_l1_block = ?v.derivation_l1_block,
        preimages = v.oracle.preimages,
        "verdict"
    );
    Ok(v)
}
