//! End to end over the bundled devnet (`testdata/devnet/`): every claim gets its expected
//! verdict natively, and a tampered or missing preimage of every kind the proof reads is a
//! named program failure, never a verdict.
//!
//! Run with `--nocapture` to see the per-claim figures (blocks, preimages, bytes, time, peak
//! heap).

use std::{
    alloc::{GlobalAlloc, Layout, System},
    cell::{Cell, RefCell},
    collections::{BTreeMap, HashMap},
    io::Read,
    path::PathBuf,
    sync::atomic::{AtomicUsize, Ordering},
    time::Instant,
};

use alloy_primitives::{B256, Bytes};
use koa_preimage::{
    HintWriterClient, PreimageKey, PreimageKeyType, PreimageOracleClient, PreimageOracleError,
};
use koa_proof::{DataKind, Hint, PreimageError, ProofError, Verdict};
use serde::Deserialize;

/// Counts the live heap and its peak, for the per-claim memory figure.
struct PeakAlloc;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards to the system allocator; only counts sizes.
unsafe impl GlobalAlloc for PeakAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(live, Ordering::Relaxed);
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
}

#[global_allocator]
static ALLOC: PeakAlloc = PeakAlloc;

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
    claimed_l2_block_number: u64,
    claimed_l2_output_root: B256,
    expected_valid: bool,
}

fn devnet_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../testdata/devnet")
}

/// The devnet's preimages: the archive (`KOAPRE\0\1`, count, sorted `key ‖ len ‖ value`).
struct Devnet {
    preimages: HashMap<PreimageKey, Vec<u8>>,
    rollup_json: String,
    l1_json: String,
    claims: Vec<Claim>,
}

fn load() -> Devnet {
    let dir = devnet_dir();
    let compressed = std::fs::read(dir.join("preimages.kpa.zst")).expect("devnet archive");
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
        let value = raw[at + 40..at + 40 + len].to_vec();
        at += 40 + len;
        let ty = PreimageKeyType::try_from(key[0]).unwrap();
        preimages.insert(PreimageKey::new(key, ty), value);
    }
    assert_eq!(at, raw.len());
    let claims: ClaimsFile =
        serde_json::from_str(&std::fs::read_to_string(dir.join("claims.json")).unwrap()).unwrap();
    Devnet {
        preimages,
        rollup_json: std::fs::read_to_string(dir.join("rollup.json")).unwrap(),
        l1_json: std::fs::read_to_string(dir.join("l1-chain-config.json")).unwrap(),
        claims: claims.claims,
    }
}

/// The host side of one claim: the devnet's preimages plus the claim's local keys, with an
/// optional tamper applied to the first preimage of a chosen kind the program asks for.
struct Host<'a> {
    devnet: &'a Devnet,
    local: BTreeMap<u64, Vec<u8>>,
    tamper: Option<Tamper>,
    requests: Cell<u64>,
    tampered: RefCell<Option<PreimageKey>>,
    last_hint: RefCell<Option<Hint>>,
    /// The length of the longest hint the program sent.
    longest_hint: Cell<usize>,
    /// The L2 blocks whose headers the program asked for (`l2-block-header` hints).
    l2_headers: RefCell<std::collections::BTreeSet<B256>>,
    /// The L2 blocks whose transactions the program asked for (`l2-transactions` hints).
    l2_transactions: RefCell<std::collections::BTreeSet<B256>>,
    /// Every hint sent and every preimage key requested.
    trace: RefCell<Vec<Vec<u8>>>,
}

/// Which preimage to tamper with: the first one requested right after a hint of this type
/// whose key has this type, altered by `how`.
#[derive(Clone, Copy)]
struct Tamper {
    hint: koa_proof::HintType,
    key_type: PreimageKeyType,
    /// Skip this many matching requests first.
    skip: u64,
    how: How,
}

#[derive(Clone, Copy, PartialEq)]
enum How {
    FlipLastByte,
    Remove,
}

impl<'a> Host<'a> {
    fn new(devnet: &'a Devnet, claim: &Claim, tamper: Option<Tamper>) -> Self {
        let mut local = BTreeMap::new();
        local.insert(1, claim.l1_head.to_vec());
        local.insert(2, claim.agreed_l2_output_root.to_vec());
        local.insert(3, claim.claimed_l2_output_root.to_vec());
        local.insert(4, claim.claimed_l2_block_number.to_be_bytes().to_vec());
        local.insert(5, claim.l2_chain_id.to_be_bytes().to_vec());
        local.insert(6, devnet.rollup_json.clone().into_bytes());
        local.insert(7, devnet.l1_json.clone().into_bytes());
        Self {
            devnet,
            local,
            tamper,
            requests: Cell::new(0),
            tampered: RefCell::new(None),
            last_hint: RefCell::new(None),
            longest_hint: Cell::new(0),
            l2_headers: RefCell::default(),
            l2_transactions: RefCell::default(),
            trace: RefCell::new(Vec::new()),
        }
    }
}

impl PreimageOracleClient for Host<'_> {
    fn get(&self, key: PreimageKey) -> Result<Vec<u8>, PreimageOracleError> {
        let missing = PreimageOracleError::UnexpectedEof {
            expected: 8,
            received: 0,
        };
        self.trace
            .borrow_mut()
            .push([b"P".as_slice(), key.as_bytes().as_slice()].concat());
        if key.key_type() == PreimageKeyType::Local {
            let index = u64::from_be_bytes(key.as_bytes()[24..].try_into().unwrap());
            return self.local.get(&index).cloned().ok_or(missing);
        }
        let mut value = self
            .devnet
            .preimages
            .get(&key)
            .cloned()
            .ok_or_else(|| missing.clone())?;
        if let Some(tamper) = self.tamper
            && self.tampered.borrow().is_none()
            && key.key_type() == tamper.key_type
            && self
                .last_hint
                .borrow()
                .as_ref()
                .is_some_and(|h| h.hint_type() == tamper.hint)
        {
            let seen = self.requests.get();
            self.requests.set(seen + 1);
            if seen == tamper.skip {
                *self.tampered.borrow_mut() = Some(key);
                match tamper.how {
                    How::FlipLastByte => *value.last_mut().unwrap() ^= 1,
                    How::Remove => return Err(missing),
                }
            }
        }
        Ok(value)
    }
}

impl HintWriterClient for Host<'_> {
    fn hint(&self, hint: &str) -> Result<(), PreimageOracleError> {
        // Every hint the program sends must parse as one of kona's.
        let parsed = Hint::parse(hint).unwrap_or_else(|e| panic!("unparseable hint {hint:?}: {e}"));
        match &parsed {
            Hint::L2BlockHeader { hash, .. } => {
                self.l2_headers.borrow_mut().insert(*hash);
            }
            Hint::L2Transactions { hash, .. } => {
                self.l2_transactions.borrow_mut().insert(*hash);
            }
            _ => {}
        }
        *self.last_hint.borrow_mut() = Some(parsed);
        self.trace
            .borrow_mut()
            .push([b"H".as_slice(), hint.as_bytes()].concat());
        self.longest_hint
            .set(self.longest_hint.get().max(hint.len()));
        Ok(())
    }
}

fn run(
    devnet: &Devnet,
    claim: &Claim,
    tamper: Option<Tamper>,
) -> (Result<Verdict, ProofError>, Option<PreimageKey>) {
    let host = Host::new(devnet, claim, tamper);
    let result = koa_proof::run(&host, &host);
    let tampered = *host.tampered.borrow();
    (result, tampered)
}

#[test]
fn every_devnet_claim_gets_its_expected_verdict() {
    let devnet = load();
    assert!(devnet.claims.len() >= 5, "the devnet bundles its claims");
    let mut kinds = 0;
    for claim in &devnet.claims {
        let start = Instant::now();
        let base = LIVE.load(Ordering::Relaxed);
        PEAK.store(base, Ordering::Relaxed);
        let (result, _) = run(&devnet, claim, None);
        let elapsed = start.elapsed();
        let peak = PEAK.load(Ordering::Relaxed).saturating_sub(base);
        let verdict = result.unwrap_or_else(|e| panic!("{}: program failure: {e}", claim.name));
        println!(
            "{:<24} agreed {:>4} claimed {:>4} safe {:>4} valid {:<5} derived {:>3} executed {:>3} replaced {} preimages {:>6} bytes {:>9} hints {:>5} time {:>7.1?} peak heap {:>6} KiB",
            claim.name,
            claim.agreed_l2_block_number,
            claim.claimed_l2_block_number,
            verdict.safe_head.block_info.number,
            verdict.valid,
            verdict.driver.blocks_derived,
            verdict.driver.blocks_executed,
            verdict.driver.deposit_only_replacements,
            verdict.oracle.preimages,
            verdict.oracle.bytes,
            verdict.oracle.hints,
            elapsed,
            peak / 1024,
        );
        assert_eq!(
            verdict.valid, claim.expected_valid,
            "{}: {verdict:?}",
            claim.name
        );
        assert_eq!(
            verdict.exit_code(),
            if claim.expected_valid { 0 } else { 1 }
        );
        if claim.claimed_l2_block_number == claim.agreed_l2_block_number {
            assert_eq!(
                verdict.driver.blocks_derived, 0,
                "{}: trace extension derives nothing",
                claim.name
            );
            kinds += 1;
        }
    }
    assert!(
        kinds >= 2,
        "the devnet has trace-extension claims, right and wrong"
    );
}

/// The program reads the L2 chain only as far back as derivation needs. The pipeline's L1 base
/// comes from L1, and the system config that seeds L1 traversal from the agreed block, unless
/// the batcher changed inside the channel-timeout window; then from the newest block before the
/// change (see `DerivationPipeline::reset`). Before, every claim walked the L2 chain back over
/// the whole window (`to-last-block`: 224 blocks, from 228 back to 5).
///
/// The bundled devnet changes its batcher early on, so only the claims whose window starts
/// after the change read the agreed block alone; the others read back to the change, which is
/// less than half of the walk.
#[test]
fn a_claim_reads_only_the_l2_blocks_derivation_needs() {
    let devnet = load();
    let mut checked = 0;
    for claim in &devnet.claims {
        let host = Host::new(&devnet, claim, None);
        let verdict = koa_proof::run(&host, &host)
            .unwrap_or_else(|e| panic!("{}: program failure: {e}", claim.name));
        assert_eq!(verdict.valid, claim.expected_valid, "{}", claim.name);
        let headers = host.l2_headers.borrow().len();
        let transactions = host.l2_transactions.borrow().len();
        println!(
            "{:<24} agreed {:>4} claimed {:>4} L2 headers read {:>4} L2 transaction lists read {:>4}",
            claim.name,
            claim.agreed_l2_block_number,
            claim.claimed_l2_block_number,
            headers,
            transactions
        );
        // The walk reads each block's header and transactions together.
        assert_eq!(headers, transactions.max(1), "{}", claim.name);
        if [
            "from-genesis",
            "trace-extension",
            "trace-extension-wrong",
            "across-isthmus",
            "sequencing-window",
        ]
        .contains(&claim.name.as_str())
        {
            assert!(headers <= 1, "{}: {headers} L2 blocks read", claim.name);
        } else {
            assert!(
                (headers as u64) < claim.agreed_l2_block_number / 2 + 2,
                "{}: {headers} L2 blocks read",
                claim.name
            );
        }
        checked += 1;
    }
    assert!(checked >= 5);
}

/// The count and keccak256 of every claim's hints and preimage requests of the single-chain
/// program. First recorded before the per-chain refactor (at commit 45f4f1e, main's program
/// plus the new hint types), where the refactor and the super-root program left them
/// unchanged; recorded again at the merge of that work with two intended changes to what the
/// program reads (the pipeline reset reading only the L2 blocks derivation needs, 38a0784,
/// and local key 7 read only for an L1 koa does not embed, fa91279), on a tree with those two
/// changes and without the refactor: the merged program's traffic is that tree's, byte for
/// byte.
const SEQUENCE_DIGESTS: &[(&str, &str)] = &[
    (
        "from-genesis",
        "347 0xf9486b64d585bc6b5a6e54b178638f883675feb28dfaaa352c0218e3efc215d3",
    ),
    (
        "trace-extension",
        "19 0x2c0e973154f5f6aa618aa4cd6e0740556b4fe9d749f8c1132aba60229dfcd270",
    ),
    (
        "trace-extension-wrong",
        "19 0x2c0e973154f5f6aa618aa4cd6e0740556b4fe9d749f8c1132aba60229dfcd270",
    ),
    (
        "across-holocene",
        "4569 0x0bcc48e452da70e6286fb2dab74b5d846995edad89920bcdba2a751400d2dbb7",
    ),
    (
        "across-isthmus",
        "12711 0x8e24b9a601ce4feee992b6e4a8fea18f19964b36afdf104f83e5b22df8473b08",
    ),
    (
        "across-jovian",
        "12972 0x32b76af3371aa179c05351b614775098fa44a874d2124be278919070b9848e79",
    ),
    (
        "across-karst",
        "13696 0x7eed70c85caab9e319f825358f0ad82b54de75a6a17a758a4ca5df8fbf9d36b5",
    ),
    (
        "sequencing-window",
        "17380 0xad1886db70ac4f69b03645c81bfda8704f9724ec0b564ccda2ccb178ae498d2c",
    ),
    (
        "to-last-block",
        "14391 0x3d783085ca2d87596babb62df815cb909dc8d8df485b67c72b3bcb25f24b8d88",
    ),
    (
        "wrong-next-output",
        "13807 0xfd431355648fe1e308605277657717d66615d21c00a2ea9e598a890a00e39b86",
    ),
    (
        "wrong-random-output",
        "12671 0xeef807946da99c1bd1b3116a63428dde16d4ed5036e4e9438b604e66f63ba550",
    ),
];

#[test]
fn the_single_chain_hints_and_preimage_requests_are_unchanged() {
    let devnet = load();
    let mut actual = Vec::new();
    for claim in &devnet.claims {
        let host = Host::new(&devnet, claim, None);
        let verdict = koa_proof::run(&host, &host).unwrap();
        assert_eq!(verdict.valid, claim.expected_valid, "{}", claim.name);
        // As a multiset: the order of some requests follows hash-map iteration, which differs
        // between runs of a std build (seen on `sequencing-window`).
        let mut entries = host.trace.take();
        entries.sort();
        let mut hasher = alloy_primitives::Keccak256::new();
        for entry in &entries {
            hasher.update((entry.len() as u64).to_be_bytes());
            hasher.update(entry);
        }
        let digest = hasher.finalize();
        let digest = format!("{} {digest}", entries.len());
        actual.push((claim.name.clone(), digest));
    }
    let expected: Vec<(String, String)> = SEQUENCE_DIGESTS
        .iter()
        .map(|(n, d)| (n.to_string(), d.to_string()))
        .collect();
    assert_eq!(actual, expected, "hint/preimage sequences changed");
}

/// A cache far smaller than a claim's preimages turns over many times: entries that fall out
/// are fetched (and checked) again, and every verdict stays the same.
#[test]
fn a_tiny_preimage_cache_changes_no_verdict() {
    let devnet = load();
    for name in ["across-holocene", "sequencing-window", "wrong-next-output"] {
        let claim = devnet
            .claims
            .iter()
            .find(|c| c.name == name)
            .unwrap_or_else(|| panic!("no claim {name}"));
        let host = Host::new(&devnet, claim, None);
        let oracle = koa_proof::ProofOracle::with_cache(
            &host,
            &host,
            koa_proof::cache::PreimageCache::with_generation_budget(64 << 10),
        );
        let boot = koa_proof::BootInfo::load(&oracle).expect("boot info");
        // As `koa_proof::run` does it, with the small cache.
        let verdict = koa_proof::prove_with(
            &oracle,
            &boot,
            koa_proof::blob::TrustedBlobs,
            koa_proof::precompile::Precompiles::Oracle,
        )
        .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(verdict.valid, claim.expected_valid, "{name}");
        let (unbounded, _) = run(&devnet, claim, None);
        let unbounded = unbounded.unwrap();
        assert_eq!(verdict.computed_output_root, unbounded.computed_output_root);
        // The small cache refetched what it dropped.
        assert!(
            verdict.oracle.preimages > unbounded.oracle.preimages,
            "{name}: {} fetches with a 64 KiB cache, {} without",
            verdict.oracle.preimages,
            unbounded.oracle.preimages
        );
    }
}

/// Runs the valid claims that derive blocks until one reads a preimage `tamper` applies to.
fn expect_named_in_any(devnet: &Devnet, tamper: Tamper, kinds: &[DataKind]) {
    let claim = devnet
        .claims
        .iter()
        .filter(|c| c.expected_valid && c.claimed_l2_block_number > c.agreed_l2_block_number)
        .find(|c| run(devnet, c, Some(tamper)).1.is_some())
        .unwrap_or_else(|| panic!("{:?}: no claim reads that kind", tamper.hint));
    expect_named(devnet, claim, tamper, kinds);
}

fn expect_named(devnet: &Devnet, claim: &Claim, tamper: Tamper, kinds: &[DataKind]) {
    let (result, tampered) = run(devnet, claim, Some(tamper));
    let key =
        tampered.unwrap_or_else(|| panic!("{:?}: nothing of that kind was read", tamper.hint));
    match result {
        Err(ProofError::Preimage(error)) => {
            let kind = error.kind().expect("a preimage error");
            assert!(
                kinds.contains(&kind),
                "{:?}: named {kind:?}, expected one of {kinds:?}: {error}",
                tamper.hint
            );
            let named = match &error {
                PreimageError::Missing { key, .. }
                | PreimageError::Corrupt { key, .. }
                | PreimageError::Invalid { key, .. } => *key,
                PreimageError::Hint { .. } => unreachable!(),
            };
            if tamper.how == How::Remove || matches!(error, PreimageError::Corrupt { .. }) {
                assert_eq!(
                    named, key,
                    "{:?}: the error names the tampered key",
                    tamper.hint
                );
            }
        }
        Err(other) => panic!("{:?}: not a preimage error: {other}", tamper.hint),
        Ok(verdict) => panic!(
            "{:?}: tampered preimage {key} gave a verdict {verdict:?}",
            tamper.hint
        ),
    }
}

#[test]
fn a_tampered_preimage_of_every_kind_is_named_and_never_a_verdict() {
    use koa_proof::HintType as T;
    let devnet = load();
    let keccak = PreimageKeyType::Keccak256;
    let cases: &[(T, PreimageKeyType, u64, &[DataKind])] = &[
        (T::StartingL2Output, keccak, 0, &[DataKind::OutputRoot]),
        (T::L1BlockHeader, keccak, 1, &[DataKind::L1Header]),
        (T::L1Receipts, keccak, 0, &[DataKind::L1Receipt]),
        (T::L1Transactions, keccak, 0, &[DataKind::L1Transaction]),
        (T::L2BlockHeader, keccak, 0, &[DataKind::L2Header]),
        (T::L2Transactions, keccak, 0, &[DataKind::L2Transaction]),
        (T::L2AccountProof, keccak, 0, &[DataKind::TrieNode]),
        (T::L2Code, keccak, 0, &[DataKind::Code]),
    ];
    for &(hint, key_type, skip, kinds) in cases {
        for how in [How::FlipLastByte, How::Remove] {
            expect_named_in_any(
                &devnet,
                Tamper {
                    hint,
                    key_type,
                    skip,
                    how,
                },
                kinds,
            );
        }
    }
}

#[test]
fn a_tampered_blob_is_named() {
    let devnet = load();
    // Any claim whose derivation reads a blob.
    let mut read_one = false;
    for claim in devnet
        .claims
        .iter()
        .filter(|c| c.claimed_l2_block_number > c.agreed_l2_block_number)
    {
        let tamper = |key_type, how| Tamper {
            hint: koa_proof::HintType::L1Blob,
            key_type,
            skip: 0,
            how,
        };
        let (_, tampered) = run(
            &devnet,
            claim,
            Some(tamper(PreimageKeyType::Sha256, How::Remove)),
        );
        if tampered.is_none() {
            continue;
        }
        read_one = true;
        expect_named(
            &devnet,
            claim,
            tamper(PreimageKeyType::Sha256, How::FlipLastByte),
            &[DataKind::BlobCommitment],
        );
        expect_named(
            &devnet,
            claim,
            tamper(PreimageKeyType::Sha256, How::Remove),
            &[DataKind::BlobCommitment],
        );
        expect_named(
            &devnet,
            claim,
            tamper(PreimageKeyType::Blob, How::Remove),
            &[DataKind::BlobElement],
        );
        break;
    }
    assert!(read_one, "some devnet claim reads a blob");
}

#[test]
fn a_missing_boot_key_names_it() {
    let devnet = load();
    let claim = &devnet.claims[0];
    let mut host = Host::new(&devnet, claim, None);
    host.local.remove(&7);
    match koa_proof::run(&host, &host) {
        Err(ProofError::Boot(koa_proof::BootError::Preimage(PreimageError::Missing {
            key,
            ..
        }))) => {
            assert_eq!(key, PreimageKey::local(7));
        }
        other => panic!("unexpected {other:?}"),
    }
}

/// Boot info read through the program's oracle, from `host`'s local keys.
fn boot(host: &Host<'_>) -> Result<koa_proof::BootInfo, koa_proof::BootError> {
    koa_proof::BootInfo::load(&koa_proof::ProofOracle::new(host, host))
}

#[test]
fn local_key_5_of_zero_is_kona_hosts_custom_chain() {
    // kona-host serves `l2_chain_id.unwrap_or_default()` (0) as key 5 when given
    // `--rollup-config-path`: the chain is then key 6's, and the verdict is unchanged.
    let devnet = load();
    let claim = devnet
        .claims
        .iter()
        .find(|c| c.expected_valid)
        .expect("a valid claim");
    let mut host = Host::new(&devnet, claim, None);
    host.local.insert(5, 0u64.to_be_bytes().to_vec());
    let info = boot(&host).expect("boot info");
    assert_eq!(info.l2_chain_id, claim.l2_chain_id);
    assert_eq!(info.rollup_config.l2_chain_id, claim.l2_chain_id);
    let verdict = koa_proof::run(&host, &host).expect("a verdict");
    assert!(verdict.valid, "{} judged invalid", claim.name);
}

#[test]
fn local_key_5_naming_another_chain_than_key_6_is_refused() {
    let devnet = load();
    let claim = &devnet.claims[0];
    let mut host = Host::new(&devnet, claim, None);
    let other: u64 = claim.l2_chain_id + 1;
    host.local.insert(5, other.to_be_bytes().to_vec());
    match boot(&host) {
        Err(koa_proof::BootError::ChainIdMismatch { boot, config }) => {
            assert_eq!((boot, config), (other, claim.l2_chain_id));
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn local_key_7_is_not_read_for_an_l1_koa_embeds() {
    // As kona-client: a custom L2 on sepolia takes sepolia's embedded config, so a host given
    // no L1 config file (kona-host without `--l1-config-path`) still boots it.
    let devnet = load();
    let claim = &devnet.claims[0];
    let mut host = Host::new(&devnet, claim, None);
    let mut rollup: serde_json::Value = serde_json::from_str(&devnet.rollup_json).unwrap();
    rollup["l1_chain_id"] = 11_155_111u64.into();
    host.local.insert(6, rollup.to_string().into_bytes());
    host.local.remove(&7);
    let info = boot(&host).expect("boot info");
    assert_eq!(
        info.l1_chain_config,
        koa_registry::l1_chain_config(11_155_111).unwrap()
    );
}

/// A legacy transaction whose signature recovers to no sender: derivation passes it through
/// (batches are not checked for signatures), execution rejects the payload.
fn unexecutable_tx(chain_id: u64) -> alloy_primitives::Bytes {
    use alloy_consensus::{Signed, TxEnvelope, TxLegacy};
    use alloy_eips::eip2718::Encodable2718;
    use alloy_primitives::{Signature, TxKind, U256};
    let tx = TxLegacy {
        chain_id: Some(chain_id),
        nonce: 0,
        gas_price: 1_000_000_000,
        gas_limit: 21_000,
        to: TxKind::Call(alloy_primitives::Address::repeat_byte(0x11)),
        value: U256::ZERO,
        input: Default::default(),
    };
    let signed = Signed::new_unchecked(
        tx,
        Signature::new(U256::ZERO, U256::ZERO, false),
        B256::ZERO,
    );
    TxEnvelope::Legacy(signed).encoded_2718().into()
}

/// Derives the first block of `claim`, appends an unexecutable transaction to its payload and
/// executes it through the driver.
fn execute_with_bad_tx(
    devnet: &Devnet,
    claim: &Claim,
    check: impl FnOnce(&mut Driver<'_>, &koa_derive::AttributesWithParent, Option<koa_proof::Advance>),
) {
    execute_with_extra_txs(
        devnet,
        claim,
        |txs, chain_id| txs.push(&unexecutable_tx(chain_id)).unwrap(),
        |driver, attributes, advance, _| check(driver, attributes, advance),
    );
}

/// Derives the first block of `claim`, lets `extend` add transactions to its payload (with the
/// chain id), and executes it through the driver; `check` also sees the host.
fn execute_with_extra_txs(
    devnet: &Devnet,
    claim: &Claim,
    extend: impl FnOnce(&mut koa_protocol::TxList, u64),
    check: impl FnOnce(
        &mut Driver<'_>,
        &koa_derive::AttributesWithParent,
        Option<koa_proof::Advance>,
        &Host<'_>,
    ),
) {
    let host = Host::new(devnet, claim, None);
    let oracle = koa_proof::ProofOracle::new(&host, &host);
    let boot = koa_proof::BootInfo::load(&oracle).unwrap();
    let store =
        koa_proof::L2Store::new(&oracle, &boot.rollup_config, boot.agreed_l2_output_root).unwrap();
    let mut driver = koa_proof::ChainDriver::new(
        &oracle,
        boot.chain_context(),
        store,
        koa_proof::blob::TrustedBlobs,
    )
    .unwrap();
    let mut attributes = driver.derive_next().unwrap().expect("a block to derive");
    extend(&mut attributes.attributes.transactions, boot.l2_chain_id);
    let advance = driver.execute(&attributes).unwrap();
    check(&mut driver, &attributes, advance, &host);
}

type Driver<'a> =
    koa_proof::ChainDriver<'a, &'a Host<'a>, &'a Host<'a>, koa_proof::blob::TrustedBlobs>;

/// Checks that the payload of `attributes` was replaced by its deposits alone, as the block
/// after its parent, and that derivation goes on from there.
fn assert_replaced_by_deposits(
    driver: &mut Driver<'_>,
    attributes: &koa_derive::AttributesWithParent,
    advance: Option<koa_proof::Advance>,
) {
    use koa_derive::L2ChainProvider;
    let Some(koa_proof::Advance::Block { head, replaced, .. }) = advance else {
        panic!("the payload is replaced, not dropped: {advance:?}");
    };
    assert!(replaced);
    assert_eq!(
        head.block_info.number,
        attributes.parent.block_info.number + 1
    );
    assert_eq!(driver.stats().deposit_only_replacements, 1);
    let deposits: Vec<Bytes> = attributes
        .attributes
        .transactions
        .iter()
        .filter(|tx| tx.first() == Some(&0x7e))
        .map(Bytes::copy_from_slice)
        .collect();
    assert!(!deposits.is_empty(), "the L1 attributes deposit at least");
    assert!(deposits.len() < attributes.attributes.transactions.len());
    let included = driver
        .store_mut()
        .transactions_by_number(head.block_info.number)
        .unwrap();
    assert_eq!(included, deposits, "exactly the deposits, in order");
    assert!(driver.next_block().is_ok());
}

/// The bundled claim named `name`.
fn claim<'a>(devnet: &'a Devnet, name: &str) -> &'a Claim {
    devnet
        .claims
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no claim {name}"))
}

#[test]
fn after_holocene_a_payload_that_fails_to_execute_becomes_deposits_only() {
    let devnet = load();
    execute_with_bad_tx(
        &devnet,
        claim(&devnet, "across-karst"),
        assert_replaced_by_deposits,
    );
}

/// A batcher can fill a channel with one-byte transactions, which the batch queue accepts:
/// the payload fails at the first of them and is replaced by its deposits; the program does
/// not send a payload witness hint longer than a host accepts (it would stop the proof).
#[test]
fn after_holocene_millions_of_one_byte_transactions_become_a_deposits_only_block() {
    let devnet = load();
    const ONE_BYTE_TXS: usize = 3_000_000;
    execute_with_extra_txs(
        &devnet,
        claim(&devnet, "across-karst"),
        |txs, _| {
            for _ in 0..ONE_BYTE_TXS {
                txs.push(&[0x01]).unwrap();
            }
        },
        |driver, attributes, advance, host| {
            assert!(attributes.attributes.transactions.len() > ONE_BYTE_TXS);
            assert_replaced_by_deposits(driver, attributes, advance);
            assert!(
                host.longest_hint.get() <= koa_preimage::DEFAULT_MAX_HINT_LEN as usize,
                "a hint of {} bytes",
                host.longest_hint.get()
            );
        },
    );
}

#[test]
fn before_holocene_a_payload_that_fails_to_execute_is_dropped() {
    let devnet = load();
    let granite = claim(&devnet, "from-genesis");
    execute_with_bad_tx(&devnet, granite, |driver, attributes, advance| {
        assert_eq!(advance, None, "dropped");
        assert_eq!(driver.stats().dropped_payloads, 1);
        assert_eq!(driver.stats().deposit_only_replacements, 0);
        assert_eq!(
            driver.safe_head(),
            attributes.parent,
            "the safe head did not move"
        );
    });
}
