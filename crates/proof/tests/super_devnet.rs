//! Every claim of the bundled super devnets (`testdata/superdevnet-1/`, one chain of 2 s
//! blocks; `testdata/superdevnet-2/`, a chain of 2 s blocks and one of 1 s blocks, both from
//! `koa devnet generate --chains N`) gets its expected verdict from the super-root program, in
//! process, from the devnet's preimages and the claim's local keys alone.

use std::{
    collections::{BTreeMap, HashMap},
    io::Read,
    path::PathBuf,
    time::Instant,
};

use alloy_primitives::{B256, Bytes, keccak256};
use koa_preimage::{
    HintWriterClient, PreimageKey, PreimageKeyType, PreimageOracleClient, PreimageOracleError,
};
use koa_proof::{Hint, blob::TrustedBlobs, super_root::run_super_with};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
struct ClaimsFile {
    claims: Vec<Claim>,
}

#[derive(Debug, Deserialize)]
struct Claim {
    name: String,
    l1_head: B256,
    agreed_l2_pre_state: Bytes,
    agreed_l2_pre_state_commitment: B256,
    claimed_l2_post_state: B256,
    claimed_l2_timestamp: u64,
    expected_valid: bool,
}

struct SuperDevnet {
    preimages: HashMap<PreimageKey, Vec<u8>>,
    rollup_configs: String,
    l1_json: String,
    claims: Vec<Claim>,
}

fn load(name: &str) -> SuperDevnet {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata")
        .join(name);
    let compressed = std::fs::read(dir.join("preimages.kpa.zst")).unwrap();
    let mut raw = Vec::new();
    zstd::Decoder::new(compressed.as_slice())
        .unwrap()
        .read_to_end(&mut raw)
        .unwrap();
    assert_eq!(&raw[..8], b"KOAPRE\x00\x01");
    let count = u64::from_be_bytes(raw[8..16].try_into().unwrap());
    let mut at = 16;
    let mut preimages = HashMap::new();
    for _ in 0..count {
        let key: [u8; 32] = raw[at..at + 32].try_into().unwrap();
        let len = u64::from_be_bytes(raw[at + 32..at + 40].try_into().unwrap()) as usize;
        preimages.insert(
            PreimageKey::new(key, PreimageKeyType::try_from(key[0]).unwrap()),
            raw[at + 40..at + 40 + len].to_vec(),
        );
        at += 40 + len;
    }
    // Local key 6: `{"<chain id>": <rollup.json>, …}` from the `rollup-<chain id>.json` files.
    let mut configs = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let file = entry.unwrap().file_name().into_string().unwrap();
        if let Some(id) = file
            .strip_prefix("rollup-")
            .and_then(|f| f.strip_suffix(".json"))
        {
            let json = std::fs::read_to_string(dir.join(&file)).unwrap();
            configs.push(format!("\"{id}\":{json}"));
        }
    }
    configs.sort();
    let claims: ClaimsFile =
        serde_json::from_str(&std::fs::read_to_string(dir.join("super-claims.json")).unwrap())
            .unwrap();
    SuperDevnet {
        preimages,
        rollup_configs: format!("{{{}}}", configs.join(",")),
        l1_json: std::fs::read_to_string(dir.join("l1-chain-config.json")).unwrap(),
        claims: claims.claims,
    }
}

struct Host<'a> {
    devnet: &'a SuperDevnet,
    local: BTreeMap<u64, Vec<u8>>,
}

impl PreimageOracleClient for Host<'_> {
    fn get(&self, key: PreimageKey) -> Result<Vec<u8>, PreimageOracleError> {
        if key.key_type() == PreimageKeyType::Local {
            let index = u64::from_be_bytes(key.as_bytes()[24..].try_into().unwrap());
            return self
                .local
                .get(&index)
                .cloned()
                .ok_or(PreimageOracleError::NotFound(key));
        }
        self.devnet
            .preimages
            .get(&key)
            .cloned()
            .ok_or(PreimageOracleError::NotFound(key))
    }
}

impl HintWriterClient for Host<'_> {
    fn hint(&self, hint: &str) -> Result<(), PreimageOracleError> {
        Hint::parse(hint).unwrap_or_else(|e| panic!("unparseable hint {hint:?}: {e}"));
        Ok(())
    }
}

fn every_claim(name: &str) {
    let devnet = load(name);
    assert!(devnet.claims.len() >= 10, "{name} bundles its claims");
    for claim in &devnet.claims {
        assert_eq!(
            keccak256(&claim.agreed_l2_pre_state),
            claim.agreed_l2_pre_state_commitment
        );
        let mut local = BTreeMap::new();
        local.insert(1, claim.l1_head.to_vec());
        local.insert(2, claim.agreed_l2_pre_state_commitment.to_vec());
        local.insert(3, claim.claimed_l2_post_state.to_vec());
        local.insert(4, claim.claimed_l2_timestamp.to_be_bytes().to_vec());
        local.insert(6, devnet.rollup_configs.clone().into_bytes());
        local.insert(7, devnet.l1_json.clone().into_bytes());
        let host = Host {
            devnet: &devnet,
            local,
        };
        let start = Instant::now();
        let verdict = run_super_with(&host, &host, TrustedBlobs)
            .unwrap_or_else(|e| panic!("{name} {}: program failure: {e}", claim.name));
        println!(
            "{name} {:<32} valid {:<5} step {:<40} derived {:>2} executed {:>2} preimages {:>6} bytes {:>8} hints {:>4} time {:>8.1?}",
            claim.name,
            verdict.valid,
            format!("{:?}", verdict.step),
            verdict.driver.blocks_derived,
            verdict.driver.blocks_executed,
            verdict.oracle.preimages,
            verdict.oracle.bytes,
            verdict.oracle.hints,
            start.elapsed(),
        );
        assert_eq!(
            verdict.valid, claim.expected_valid,
            "{name} {}: {verdict:?}",
            claim.name
        );
    }
}

#[test]
fn every_claim_of_the_one_chain_super_devnet() {
    every_claim("superdevnet-1");
}

#[test]
fn every_claim_of_the_two_chain_super_devnet() {
    every_claim("superdevnet-2");
}
