//! The super-root program over the bundled single-chain devnet (`testdata/devnet/`), its chain
//! as a one-chain super root: every kind of step, checked against the single-chain program's
//! results for the same blocks, and bad pre-states that must be typed errors or invalid
//! verdicts, never a wrong "valid" and never a panic.
//!
//! The devnet's block time is 2 s: from the super root at block B's timestamp `T` the next
//! timestamp `T + 1` is before block B + 1 (no block due), and from the super root at `T + 1`
//! (still block B: `T + 1 - 2 < T <= T + 1`) the next step derives block B + 1.

use std::{
    cell::RefCell,
    collections::{BTreeMap, HashMap},
    io::Read,
    path::PathBuf,
};

use alloy_consensus::Header;
use alloy_primitives::{B256, keccak256};
use alloy_rlp::Decodable;
use koa_preimage::{
    HintWriterClient, PreimageKey, PreimageKeyType, PreimageOracleClient, PreimageOracleError,
};
use koa_proof::{
    Hint, PreimageError, ProofError,
    blob::TrustedBlobs,
    super_root::{StepKind, SuperBootError, SuperVerdict, run_super_with},
    witness::{NoHints, RecordingOracle, WitnessOracle},
};
use koa_protocol::super_root::{
    INVALID_STATE_HASH, INVALID_STATE_PREIMAGE, LocalSafeBlock, OutputRootWithChainId, SuperRoot,
    SuperRootError, SuperState, SuperStateError, TransitionState, TransitionStateError,
};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
struct ClaimsFile {
    claims: Vec<Claim>,
}

#[derive(Debug, Clone, Deserialize)]
struct Claim {
    name: String,
    l2_chain_id: u64,
    l1_head: B256,
    agreed_l2_block_number: u64,
    agreed_l2_output_root: B256,
}

struct Devnet {
    preimages: HashMap<PreimageKey, Vec<u8>>,
    rollup_json: String,
    l1_json: String,
    claims: Vec<Claim>,
}

fn load() -> Devnet {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../testdata/devnet");
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
    let claims: ClaimsFile =
        serde_json::from_str(&std::fs::read_to_string(dir.join("claims.json")).unwrap()).unwrap();
    Devnet {
        preimages,
        rollup_json: std::fs::read_to_string(dir.join("rollup.json")).unwrap(),
        l1_json: std::fs::read_to_string(dir.join("l1-chain-config.json")).unwrap(),
        claims: claims.claims,
    }
}

impl Devnet {
    fn claim(&self, name: &str) -> &Claim {
        self.claims.iter().find(|c| c.name == name).unwrap()
    }

    fn keccak(&self, hash: B256) -> &[u8] {
        &self.preimages[&PreimageKey::keccak256(hash)]
    }

    /// The block an output root commits to: (hash, header).
    fn block_of(&self, output_root: B256) -> (B256, Header) {
        let preimage = self.keccak(output_root);
        let hash = B256::from_slice(&preimage[96..128]);
        let header = Header::decode(&mut &self.keccak(hash)[..]).unwrap();
        (hash, header)
    }
}

/// The super-root host of one claim: the devnet's preimages, the pre-state preimage and the
/// super local keys. Records every hint.
struct SuperHost<'a> {
    devnet: &'a Devnet,
    local: BTreeMap<u64, Vec<u8>>,
    extra: HashMap<PreimageKey, Vec<u8>>,
    hints: RefCell<Vec<Hint>>,
}

impl<'a> SuperHost<'a> {
    fn new(
        devnet: &'a Devnet,
        l1_head: B256,
        pre_state: &[u8],
        claimed: B256,
        claimed_timestamp: u64,
    ) -> Self {
        let chain_id = devnet.claims[0].l2_chain_id;
        let commitment = keccak256(pre_state);
        let mut local = BTreeMap::new();
        local.insert(1, l1_head.to_vec());
        local.insert(2, commitment.to_vec());
        local.insert(3, claimed.to_vec());
        local.insert(4, claimed_timestamp.to_be_bytes().to_vec());
        local.insert(
            6,
            format!("{{\"{chain_id}\":{}}}", devnet.rollup_json).into_bytes(),
        );
        local.insert(7, devnet.l1_json.clone().into_bytes());
        let mut extra = HashMap::new();
        extra.insert(PreimageKey::keccak256(commitment), pre_state.to_vec());
        Self {
            devnet,
            local,
            extra,
            hints: RefCell::new(Vec::new()),
        }
    }
}

impl PreimageOracleClient for SuperHost<'_> {
    fn get(&self, key: PreimageKey) -> Result<Vec<u8>, PreimageOracleError> {
        if key.key_type() == PreimageKeyType::Local {
            let index = u64::from_be_bytes(key.as_bytes()[24..].try_into().unwrap());
            return self
                .local
                .get(&index)
                .cloned()
                .ok_or(PreimageOracleError::NotFound(key));
        }
        self.extra
            .get(&key)
            .or_else(|| self.devnet.preimages.get(&key))
            .cloned()
            .ok_or(PreimageOracleError::NotFound(key))
    }
}

impl HintWriterClient for SuperHost<'_> {
    fn hint(&self, hint: &str) -> Result<(), PreimageOracleError> {
        let parsed = Hint::parse(hint).unwrap_or_else(|e| panic!("unparseable hint {hint:?}: {e}"));
        self.hints.borrow_mut().push(parsed);
        Ok(())
    }
}

fn prove(host: &SuperHost<'_>) -> Result<SuperVerdict, ProofError> {
    run_super_with(host, host, TrustedBlobs)
}

/// The to-last-block claim's agreed block B (228) as a super root at `timestamp`.
struct Setup {
    devnet: Devnet,
    chain_id: u64,
    l1_head: B256,
    agreed_root: B256,
    agreed_hash: B256,
    agreed_timestamp: u64,
    agreed_number: u64,
}

fn setup() -> Setup {
    let devnet = load();
    let claim = devnet.claim("to-last-block").clone();
    let (agreed_hash, header) = devnet.block_of(claim.agreed_l2_output_root);
    assert_eq!(header.number, claim.agreed_l2_block_number);
    Setup {
        chain_id: claim.l2_chain_id,
        l1_head: claim.l1_head,
        agreed_root: claim.agreed_l2_output_root,
        agreed_hash,
        agreed_timestamp: header.timestamp,
        agreed_number: header.number,
        devnet,
    }
}

impl Setup {
    fn super_root(&self, timestamp: u64) -> SuperRoot {
        SuperRoot::new(
            timestamp,
            vec![OutputRootWithChainId {
                chain_id: self.chain_id,
                output_root: self.agreed_root,
            }],
        )
        .unwrap()
    }

    /// The single-chain program's block B + 1 with `l1_head`: (hash, output root), or `None`
    /// when L1 ran out first.
    fn single_chain_next(&self, l1_head: B256) -> Result<Option<(B256, B256)>, ProofError> {
        let claim = self.devnet.claim("to-last-block");
        struct Single<'a>(&'a Devnet, BTreeMap<u64, Vec<u8>>);
        impl PreimageOracleClient for Single<'_> {
            fn get(&self, key: PreimageKey) -> Result<Vec<u8>, PreimageOracleError> {
                if key.key_type() == PreimageKeyType::Local {
                    let index = u64::from_be_bytes(key.as_bytes()[24..].try_into().unwrap());
                    return self
                        .1
                        .get(&index)
                        .cloned()
                        .ok_or(PreimageOracleError::NotFound(key));
                }
                self.0
                    .preimages
                    .get(&key)
                    .cloned()
                    .ok_or(PreimageOracleError::NotFound(key))
            }
        }
        let mut local = BTreeMap::new();
        local.insert(1, l1_head.to_vec());
        local.insert(2, claim.agreed_l2_output_root.to_vec());
        local.insert(3, B256::ZERO.to_vec());
        local.insert(4, (self.agreed_number + 1).to_be_bytes().to_vec());
        local.insert(5, self.chain_id.to_be_bytes().to_vec());
        local.insert(6, self.devnet.rollup_json.clone().into_bytes());
        local.insert(7, self.devnet.l1_json.clone().into_bytes());
        let host = Single(&self.devnet, local);
        let verdict = koa_proof::run_with(&host, NoHints, TrustedBlobs)?;
        Ok(
            (verdict.safe_head.block_info.number == self.agreed_number + 1).then_some((
                verdict.safe_head.block_info.hash,
                verdict.computed_output_root,
            )),
        )
    }
}

const FAR: u64 = u64::MAX;

#[test]
fn a_derivation_step_derives_the_single_chain_programs_next_block() {
    let s = setup();
    let (hash, root) = s
        .single_chain_next(s.l1_head)
        .unwrap()
        .expect("block B + 1");
    let pre = s.super_root(s.agreed_timestamp + 1);
    let expected = TransitionState::start(pre.clone())
        .with_derived_block(LocalSafeBlock {
            block_hash: hash,
            output_root: root,
        })
        .unwrap();
    let host = SuperHost::new(&s.devnet, s.l1_head, &pre.encode(), expected.hash(), FAR);
    let verdict = prove(&host).unwrap();
    assert!(verdict.valid, "{verdict:?}");
    assert_eq!(verdict.exit_code(), 0);
    assert_eq!(
        verdict.step,
        StepKind::Derived {
            chain_id: s.chain_id,
            number: s.agreed_number + 1
        }
    );
    assert_eq!(verdict.driver.blocks_executed, 1);
    assert_eq!(verdict.computed_post_state(), Some(expected.hash()));
    println!(
        "derivation step: blocks executed {} preimages {} bytes {} hints {}",
        verdict.driver.blocks_executed,
        verdict.oracle.preimages,
        verdict.oracle.bytes,
        verdict.oracle.hints
    );

    // Every hint is a super-mode one: the pre-state first, L2 hints with the chain id, no
    // single-chain `starting-l2-output` and no `l2-payload-witness`.
    let hints = host.hints.borrow();
    assert_eq!(hints[0], Hint::AgreedPreState(keccak256(pre.encode())));
    assert_eq!(
        hints[1],
        Hint::L2OutputRoot {
            output_root: s.agreed_root,
            chain_id: s.chain_id
        }
    );
    for hint in hints.iter() {
        match hint {
            Hint::StartingL2Output(_) | Hint::L2PayloadWitness { .. } => {
                panic!("single-chain hint in super mode: {hint}")
            }
            Hint::L2BlockHeader { chain_id, .. }
            | Hint::L2Transactions { chain_id, .. }
            | Hint::L2Code { chain_id, .. }
            | Hint::L2StateNode { chain_id, .. }
            | Hint::L2AccountProof { chain_id, .. }
            | Hint::L2AccountStorageProof { chain_id, .. } => {
                assert_eq!(*chain_id, Some(s.chain_id), "{hint}")
            }
            _ => {}
        }
    }

    // Any other post-state is invalid: the next block's output root wrong, or a padding step.
    let wrong = TransitionState::start(pre.clone())
        .with_derived_block(LocalSafeBlock {
            block_hash: hash,
            output_root: B256::repeat_byte(1),
        })
        .unwrap();
    for claimed in [wrong.hash(), pre.hash(), INVALID_STATE_HASH] {
        let host = SuperHost::new(&s.devnet, s.l1_head, &pre.encode(), claimed, FAR);
        let verdict = prove(&host).unwrap();
        assert!(!verdict.valid);
        assert_eq!(verdict.exit_code(), 1);
    }
}

#[test]
fn with_a_two_second_block_time_no_block_is_due_at_the_next_second() {
    let s = setup();
    let pre = s.super_root(s.agreed_timestamp);
    let expected = TransitionState::start(pre.clone())
        .with_derived_block(LocalSafeBlock {
            block_hash: s.agreed_hash,
            output_root: s.agreed_root,
        })
        .unwrap();
    let host = SuperHost::new(&s.devnet, s.l1_head, &pre.encode(), expected.hash(), FAR);
    let verdict = prove(&host).unwrap();
    assert!(verdict.valid, "{verdict:?}");
    assert_eq!(
        verdict.step,
        StepKind::NoBlockDue {
            chain_id: s.chain_id
        }
    );
    assert_eq!(verdict.driver.blocks_derived, 0);
}

#[test]
fn padding_and_consolidation_steps() {
    let s = setup();
    let pre = s.super_root(s.agreed_timestamp + 1);
    let block = LocalSafeBlock {
        block_hash: B256::repeat_byte(0x42),
        output_root: B256::repeat_byte(0x43),
    };
    let mut state = TransitionState::start(pre.clone())
        .with_derived_block(block)
        .unwrap();
    // Steps 1..=126 pad; the program reads no chain data for them.
    while !state.is_consolidation() {
        let next = state.clone().padded().unwrap();
        if state.step() == 1 || state.step() == 126 {
            let host = SuperHost::new(&s.devnet, s.l1_head, &state.encode(), next.hash(), FAR);
            let verdict = prove(&host).unwrap();
            assert!(verdict.valid, "step {}: {verdict:?}", state.step());
            assert_eq!(verdict.step, StepKind::Padding);
            assert_eq!(verdict.oracle.hints, 1, "only the pre-state hint");
            let host = SuperHost::new(&s.devnet, s.l1_head, &state.encode(), state.hash(), FAR);
            assert!(!prove(&host).unwrap().valid);
        }
        state = next;
    }
    // Step 127 consolidates into the super root one second later.
    let next = SuperRoot::new(
        pre.timestamp() + 1,
        vec![OutputRootWithChainId {
            chain_id: s.chain_id,
            output_root: block.output_root,
        }],
    )
    .unwrap();
    let host = SuperHost::new(&s.devnet, s.l1_head, &state.encode(), next.hash(), FAR);
    let verdict = prove(&host).unwrap();
    assert!(verdict.valid, "{verdict:?}");
    assert_eq!(verdict.step, StepKind::Consolidation);
    // A wrong output root for the chain, or the old timestamp: invalid.
    let wrong_root = SuperRoot::new(
        pre.timestamp() + 1,
        vec![OutputRootWithChainId {
            chain_id: s.chain_id,
            output_root: s.agreed_root,
        }],
    )
    .unwrap();
    for claimed in [wrong_root.hash(), pre.hash(), state.hash()] {
        let host = SuperHost::new(&s.devnet, s.l1_head, &state.encode(), claimed, FAR);
        assert!(!prove(&host).unwrap().valid);
    }
}

#[test]
fn trace_extension_and_the_invalid_state() {
    let s = setup();
    let pre = s.super_root(s.agreed_timestamp);
    // Claimed timestamp at or before the pre-state's: the post-state is the pre-state.
    for claimed_ts in [s.agreed_timestamp, s.agreed_timestamp - 1] {
        let host = SuperHost::new(&s.devnet, s.l1_head, &pre.encode(), pre.hash(), claimed_ts);
        let verdict = prove(&host).unwrap();
        assert!(verdict.valid);
        assert_eq!(verdict.step, StepKind::TraceExtension);
        assert_eq!(verdict.driver.blocks_derived, 0);
        let host = SuperHost::new(
            &s.devnet,
            s.l1_head,
            &pre.encode(),
            INVALID_STATE_HASH,
            claimed_ts,
        );
        assert!(!prove(&host).unwrap().valid);
    }
    // A transition state at or after the claimed timestamp: every claim is invalid.
    let state = TransitionState::start(pre.clone())
        .with_derived_block(LocalSafeBlock::default())
        .unwrap();
    for claimed in [
        state.hash(),
        state.clone().padded().unwrap().hash(),
        INVALID_STATE_HASH,
    ] {
        let host = SuperHost::new(
            &s.devnet,
            s.l1_head,
            &state.encode(),
            claimed,
            s.agreed_timestamp,
        );
        let verdict = prove(&host).unwrap();
        assert!(!verdict.valid);
        assert_eq!(verdict.step, StepKind::PastClaimedTimestamp);
    }
    // From the invalid state only the invalid state follows.
    let host = SuperHost::new(
        &s.devnet,
        s.l1_head,
        INVALID_STATE_PREIMAGE,
        INVALID_STATE_HASH,
        FAR,
    );
    let verdict = prove(&host).unwrap();
    assert!(verdict.valid);
    assert_eq!(verdict.step, StepKind::InvalidPreState);
    let host = SuperHost::new(
        &s.devnet,
        s.l1_head,
        INVALID_STATE_PREIMAGE,
        pre.hash(),
        FAR,
    );
    assert!(!prove(&host).unwrap().valid);
}

#[test]
fn when_l1_runs_out_the_post_state_is_invalid() {
    let s = setup();
    // Walk the L1 head back until the single-chain program can no longer derive B + 1.
    let mut l1_head = s.l1_head;
    let mut found = None;
    for _ in 0..64 {
        let header = Header::decode(&mut s.devnet.keccak(l1_head)).unwrap();
        l1_head = header.parent_hash;
        match s.single_chain_next(l1_head) {
            Ok(Some(_)) => continue,
            Ok(None) => {
                found = Some(l1_head);
                break;
            }
            Err(e) => panic!("no L1 head derives nothing past block B: {e}"),
        }
    }
    let l1_head = found.expect("an L1 head before block B + 1's batch");
    let pre = s.super_root(s.agreed_timestamp + 1);
    let host = SuperHost::new(&s.devnet, l1_head, &pre.encode(), INVALID_STATE_HASH, FAR);
    let verdict = prove(&host).unwrap();
    assert!(verdict.valid, "{verdict:?}");
    assert_eq!(
        verdict.step,
        StepKind::L1Exhausted {
            chain_id: s.chain_id
        }
    );
    assert_eq!(verdict.post_state, Some(SuperState::Invalid));
    let host = SuperHost::new(&s.devnet, l1_head, &pre.encode(), pre.hash(), FAR);
    assert!(!prove(&host).unwrap().valid);
}

#[test]
fn bad_pre_states_are_typed_errors() {
    let s = setup();
    let pre = s.super_root(s.agreed_timestamp + 1);
    let boot_error = |host: &SuperHost<'_>| match prove(host) {
        Err(ProofError::SuperBoot(e)) => e,
        other => panic!("expected a boot error, got {other:?}"),
    };

    // A pre-state preimage that does not hash to the commitment.
    let mut host = SuperHost::new(&s.devnet, s.l1_head, &pre.encode(), pre.hash(), FAR);
    let key = PreimageKey::keccak256(pre.hash());
    host.extra.get_mut(&key).unwrap()[5] ^= 1;
    assert!(matches!(
        boot_error(&host),
        SuperBootError::Preimage(PreimageError::Corrupt { .. })
    ));
    // Missing.
    host.extra.remove(&key);
    assert!(matches!(
        boot_error(&host),
        SuperBootError::Preimage(PreimageError::Missing { .. })
    ));

    // Unsorted and duplicate chain ids, hashed correctly.
    let mut bytes = vec![0x01];
    bytes.extend_from_slice(&(s.agreed_timestamp + 1).to_be_bytes());
    for id in [s.chain_id, s.chain_id - 1] {
        bytes.extend_from_slice(&[0u8; 24]);
        bytes.extend_from_slice(&id.to_be_bytes());
        bytes.extend_from_slice(s.agreed_root.as_slice());
    }
    let host = SuperHost::new(&s.devnet, s.l1_head, &bytes, B256::ZERO, FAR);
    assert!(matches!(
        boot_error(&host),
        SuperBootError::PreState {
            source: SuperStateError::SuperRoot(SuperRootError::Unsorted { .. }),
            ..
        }
    ));
    bytes[9 + 64 + 31] = (s.chain_id & 0xff) as u8;
    let host = SuperHost::new(&s.devnet, s.l1_head, &bytes, B256::ZERO, FAR);
    assert!(matches!(
        boot_error(&host),
        SuperBootError::PreState {
            source: SuperStateError::SuperRoot(SuperRootError::DuplicateChainId(_)),
            ..
        }
    ));

    // A step past 127: the last step's encoding with the step byte raised.
    let mut state = TransitionState::start(pre)
        .with_derived_block(LocalSafeBlock::default())
        .unwrap();
    while !state.is_consolidation() {
        state = state.padded().unwrap();
    }
    let mut bytes = state.encode();
    *bytes.last_mut().unwrap() = 0x7f + 1; // 128 is not a one-byte RLP integer…
    let host = SuperHost::new(&s.devnet, s.l1_head, &bytes, B256::ZERO, FAR);
    assert!(matches!(boot_error(&host), SuperBootError::PreState { .. }));
    let mut bytes = state.encode();
    let last = bytes.len() - 1;
    bytes[last] = 0x81; // …its RLP is 0x81 0x80
    bytes.push(0x80);
    bytes[2] += 1;
    let host = SuperHost::new(&s.devnet, s.l1_head, &bytes, B256::ZERO, FAR);
    assert!(matches!(
        boot_error(&host),
        SuperBootError::PreState {
            source: SuperStateError::Transition(TransitionStateError::StepOutOfRange(128)),
            ..
        }
    ));

    // A chain output root whose preimage the host does not have: a failure, not a verdict.
    let unknown = SuperRoot::new(
        s.agreed_timestamp + 1,
        vec![OutputRootWithChainId {
            chain_id: s.chain_id,
            output_root: B256::repeat_byte(7),
        }],
    )
    .unwrap();
    let host = SuperHost::new(&s.devnet, s.l1_head, &unknown.encode(), B256::ZERO, FAR);
    assert!(matches!(
        prove(&host),
        Err(ProofError::Preimage(PreimageError::Missing { .. }))
    ));

    // A chain with no rollup config.
    let other = SuperRoot::new(
        s.agreed_timestamp + 1,
        vec![OutputRootWithChainId {
            chain_id: s.chain_id + 1,
            output_root: s.agreed_root,
        }],
    )
    .unwrap();
    let host = SuperHost::new(&s.devnet, s.l1_head, &other.encode(), B256::ZERO, FAR);
    assert_eq!(
        boot_error(&host),
        SuperBootError::MissingRollupConfig(s.chain_id + 1)
    );
}

#[test]
fn a_super_step_replays_from_its_witness_alone() {
    let s = setup();
    let pre = s.super_root(s.agreed_timestamp + 1);
    let host = SuperHost::new(&s.devnet, s.l1_head, &pre.encode(), B256::ZERO, FAR);
    let recording = RecordingOracle::new(&host);
    let live = run_super_with(&recording, &host, TrustedBlobs).unwrap();
    let witness = recording.into_witness().unwrap();
    let oracle = WitnessOracle::new(&witness).unwrap();
    let replayed = run_super_with(&oracle, NoHints, TrustedBlobs).unwrap();
    assert_eq!(replayed.post_state, live.post_state);
    assert_eq!(replayed.step, live.step);
    assert!(matches!(replayed.step, StepKind::Derived { .. }));
}
