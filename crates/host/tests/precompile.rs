//! Accelerated precompiles: the client side (`koa_executor::precompile::KoaPrecompiles`) asking
//! the host side (`koa_host::precompile::answer_precompile_hint`) gives exactly what op-revm's
//! own precompiles give — output, gas and success — for valid inputs, invalid points, wrong
//! lengths, too little gas and the OP Stack input limits, in every fork that has them; a
//! malformed host answer is a fatal error, never a result; and real blocks execute to their
//! expected hashes with the accelerator serving their precompile calls.

use alloy_primitives::{Address, B256, Bytes, keccak256};
use koa_executor::{
    StatelessExecutor,
    precompile::{
        ACCELERATED_PRECOMPILES, BN254_ADD, BN254_MUL, BN254_PAIRING, ECRECOVER,
        KZG_POINT_EVALUATION, KoaPrecompiles, PrecompileAccelerator, PrecompileAnswer,
    },
};
use koa_fixture::{Fixture, RecordingProvider};
use koa_host::precompile::{PrecompileCall, answer_precompile_hint};
use koa_mpt::NoopTrieHinter;
use koa_preimage::PreimageKey;
use op_revm::{OpSpecId, precompiles::OpPrecompiles};
use revm::precompile::{PrecompileOutput, u64_to_address};
use std::{
    cell::{Cell, RefCell},
    collections::BTreeMap,
    path::Path,
};

/// The client's accelerator wired straight to the host function, through the same hint
/// payload and preimage key an FPVM run uses; records every call.
#[derive(Default)]
struct HostAccelerator {
    calls: RefCell<Vec<PrecompileCall>>,
    store: RefCell<BTreeMap<PreimageKey, Vec<u8>>>,
}

impl PrecompileAccelerator for HostAccelerator {
    type Error = String;

    fn call(
        &self,
        address: Address,
        required_gas: u64,
        input: &[u8],
    ) -> Result<PrecompileAnswer, String> {
        let call = PrecompileCall {
            address,
            required_gas,
            input: Bytes::copy_from_slice(input),
        };
        let preimages = answer_precompile_hint(&call.encode()).map_err(|e| e.to_string())?;
        let (key, value) = preimages.result;
        assert_eq!(
            key,
            PreimageKey::precompile_call(address, required_gas, input)
        );
        assert_eq!(preimages.payload.0, keccak256(call.encode()));
        self.store.borrow_mut().insert(key, value.clone());
        self.calls.borrow_mut().push(call);
        PrecompileAnswer::decode(&value).ok_or_else(|| "malformed answer".to_string())
    }
}

/// An accelerator that answers every call with a fixed value.
struct FixedAnswer(PrecompileAnswer, Cell<usize>);

impl PrecompileAccelerator for FixedAnswer {
    type Error = String;

    fn call(&self, _: Address, _: u64, _: &[u8]) -> Result<PrecompileAnswer, String> {
        self.1.set(self.1.get() + 1);
        Ok(self.0.clone())
    }
}

fn word(value: u64) -> [u8; 32] {
    B256::left_padding_from(&value.to_be_bytes()).0
}

/// 64-byte padded BLS12-381 field element holding a small value.
fn fp(value: u64) -> Vec<u8> {
    let mut out = vec![0u8; 64];
    out[56..].copy_from_slice(&value.to_be_bytes());
    out
}

const BLS_G1_ADD: Address = u64_to_address(0x0b);
const BLS_G1_MSM: Address = u64_to_address(0x0c);
const BLS_G2_ADD: Address = u64_to_address(0x0d);
const BLS_G2_MSM: Address = u64_to_address(0x0e);
const BLS_PAIRING: Address = u64_to_address(0x0f);
const BLS_MAP_G1: Address = u64_to_address(0x10);
const BLS_MAP_G2: Address = u64_to_address(0x11);

/// Real inputs, valid and invalid, for every accelerated precompile.
fn cases() -> Vec<(Address, Vec<u8>)> {
    let mut cases: Vec<(Address, Vec<u8>)> = Vec::new();

    // ecrecover: a real signature made here, a bad `v`, a bad signature, short input, an
    // input longer than 128 bytes.
    let key = k256::ecdsa::SigningKey::from_slice(&[0x42; 32]).expect("key");
    let digest = keccak256(b"koa precompile acceleration");
    let (signature, recid) = key
        .sign_prehash_recoverable(digest.as_slice())
        .expect("sign");
    let mut input = digest.to_vec();
    input.extend_from_slice(&word(27 + u64::from(recid.to_byte())));
    input.extend_from_slice(&signature.to_bytes());
    cases.push((ECRECOVER, input.clone()));
    let mut long = input.clone();
    long.extend_from_slice(&[0xff; 40]);
    cases.push((ECRECOVER, long));
    let mut bad_v = input.clone();
    bad_v[63] = 29;
    cases.push((ECRECOVER, bad_v));
    let mut bad_sig = input.clone();
    bad_sig[64..96].fill(0);
    cases.push((ECRECOVER, bad_sig));
    cases.push((ECRECOVER, input[..100].to_vec()));
    cases.push((ECRECOVER, Vec::new()));

    // bn254: the generator (1, 2) added, doubled and multiplied; a point off the curve.
    let g1 = [word(1), word(2)].concat();
    cases.push((BN254_ADD, [&g1[..], &g1[..]].concat()));
    cases.push((BN254_ADD, g1.clone()));
    cases.push((BN254_ADD, [&g1[..], &word(1)[..], &word(3)[..]].concat()));
    cases.push((BN254_MUL, [&g1[..], &word(0xdead_beef)[..]].concat()));
    cases.push((BN254_MUL, [word(1), word(3), word(5)].concat()));
    // Addition and multiplication read 128 and 96 bytes and ignore the rest: a megabyte of
    // calldata after the points, and a short input they pad.
    let mut long = [&g1[..], &g1[..]].concat();
    long.resize(1 << 20, 0xab);
    cases.push((BN254_ADD, long.clone()));
    cases.push((BN254_MUL, long));
    cases.push((BN254_MUL, g1[..40].to_vec()));
    // Pairing: empty (true), the generator with the G2 point at infinity, a length that is
    // not a multiple of 192, an input over Granite's limit, and an off-curve point.
    cases.push((BN254_PAIRING, Vec::new()));
    cases.push((BN254_PAIRING, [&g1[..], &[0u8; 128][..]].concat()));
    cases.push((BN254_PAIRING, vec![0u8; 100]));
    cases.push((BN254_PAIRING, vec![0u8; 192 * 600]));
    cases.push((
        BN254_PAIRING,
        [&word(1)[..], &word(3)[..], &[0u8; 128][..]].concat(),
    ));

    // KZG point evaluation: the zero polynomial (commitment and proof at infinity) evaluated
    // at 0; a wrong claimed value; a versioned hash that does not match; a short input.
    let infinity = {
        let mut point = [0u8; 48];
        point[0] = 0xc0;
        point
    };
    let versioned = {
        let mut hash = revm::precompile::kzg_point_evaluation::kzg_to_versioned_hash(&infinity);
        hash[0] = 1;
        hash
    };
    let kzg = [&versioned[..], &word(0), &word(0), &infinity, &infinity].concat();
    cases.push((KZG_POINT_EVALUATION, kzg.clone()));
    let mut wrong_y = kzg.clone();
    wrong_y[95] = 1;
    cases.push((KZG_POINT_EVALUATION, wrong_y));
    let mut wrong_hash = kzg.clone();
    wrong_hash[5] ^= 1;
    cases.push((KZG_POINT_EVALUATION, wrong_hash));
    cases.push((KZG_POINT_EVALUATION, kzg[..191].to_vec()));

    // BLS12-381: map field elements to G1 / G2 (real points in the subgroup), then add,
    // multiply and pair them; plus wrong lengths, non-canonical padding, over-limit input.
    let answer = |address: Address, input: &[u8]| -> Vec<u8> {
        let precompiles =
            revm::precompile::Precompiles::new(revm::precompile::PrecompileSpecId::OSAKA);
        let output = precompiles
            .get(&address)
            .expect("precompile")
            .execute(input, u64::MAX, 0)
            .expect("not fatal");
        assert!(output.is_success(), "{address}: {output:?}");
        output.bytes.to_vec()
    };
    let p = answer(BLS_MAP_G1, &fp(7));
    let q = answer(BLS_MAP_G1, &fp(11));
    let fp2 = [&fp(3)[..], &fp(5)[..]].concat();
    let r = answer(BLS_MAP_G2, &fp2);
    let s = answer(BLS_MAP_G2, &[&fp(13)[..], &fp(17)[..]].concat());
    cases.push((BLS_MAP_G1, fp(7)));
    cases.push((BLS_MAP_G1, fp(7)[..63].to_vec()));
    let mut bad_padding = fp(7);
    bad_padding[0] = 1;
    cases.push((BLS_MAP_G1, bad_padding));
    cases.push((BLS_MAP_G2, fp2));
    cases.push((BLS_G1_ADD, [&p[..], &q[..]].concat()));
    cases.push((BLS_G1_ADD, [&p[..], &[0u8; 128][..]].concat()));
    cases.push((BLS_G1_ADD, [&p[..], &fp(1)[..], &fp(2)[..]].concat()));
    cases.push((BLS_G1_ADD, p.clone()));
    cases.push((BLS_G2_ADD, [&r[..], &s[..]].concat()));
    cases.push((BLS_G2_ADD, r.clone()));
    cases.push((
        BLS_G1_MSM,
        [&p[..], &word(5)[..], &q[..], &word(9)[..]].concat(),
    ));
    cases.push((BLS_G1_MSM, Vec::new()));
    cases.push((BLS_G1_MSM, [&p[..], &word(5)[..]].concat().repeat(1_900)));
    cases.push((BLS_G2_MSM, [&r[..], &word(3)[..]].concat()));
    cases.push((BLS_G2_MSM, [&r[..], &word(3)[..]].concat().repeat(1_000)));
    cases.push((BLS_PAIRING, [&p[..], &r[..]].concat()));
    cases.push((BLS_PAIRING, [&p[..], &r[..], &q[..], &s[..]].concat()));
    cases.push((BLS_PAIRING, [&[0u8; 128][..], &[0u8; 256][..]].concat()));
    cases.push((BLS_PAIRING, vec![0u8; 384 * 700]));
    cases.push((BLS_PAIRING, vec![0u8; 10]));
    cases
}

/// Gas limits: far too little, one short of enough (found from revm), exactly enough, plenty.
fn gas_limits(reference: &OpPrecompiles, address: &Address, input: &[u8]) -> Vec<u64> {
    let mut limits = vec![0, 100, 30_000_000];
    let output = reference
        .precompiles()
        .get(address)
        .expect("precompile")
        .execute(input, 30_000_000, 0)
        .expect("not fatal");
    if output.is_success() {
        limits.push(output.gas_used);
        limits.push(output.gas_used - 1);
    }
    limits
}

fn same(ours: &PrecompileOutput, theirs: &PrecompileOutput) -> bool {
    ours.status.is_success() == theirs.status.is_success()
        && ours.status.is_halt() == theirs.status.is_halt()
        && ours.halt_reason().map(|h| h.is_oog()) == theirs.halt_reason().map(|h| h.is_oog())
        && (!ours.status.is_success()
            || (ours.gas_used == theirs.gas_used && ours.bytes == theirs.bytes))
}

#[test]
fn accelerated_precompiles_match_revm_in_every_fork() {
    let specs = [
        OpSpecId::ECOTONE,
        OpSpecId::FJORD,
        OpSpecId::GRANITE,
        OpSpecId::ISTHMUS,
        OpSpecId::JOVIAN,
        OpSpecId::KARST,
    ];
    let cases = cases();
    let mut compared = 0usize;
    let mut successes = 0usize;
    for spec in specs {
        let host = HostAccelerator::default();
        let ours = KoaPrecompiles::new(spec, &host);
        let reference = OpPrecompiles::new_with_spec(spec);
        for (address, input) in &cases {
            let Some(precompile) = reference.precompiles().get(address) else {
                // Not active in this fork: the accelerated provider must not know it either.
                assert!(ours.execute(address, input, 30_000_000, 0).is_none());
                continue;
            };
            for gas in gas_limits(&reference, address, input) {
                let theirs = precompile.execute(input, gas, 7).expect("revm not fatal");
                let mine = ours
                    .execute(address, input, gas, 7)
                    .expect("active")
                    .unwrap_or_else(|e| panic!("{spec:?} {address} gas {gas}: {e}"));
                assert!(
                    same(&mine, &theirs),
                    "{spec:?} {address} gas {gas} input {}: ours {mine:?} revm {theirs:?}",
                    alloy_primitives::hex::encode(input)
                );
                assert_eq!(mine.reservoir, theirs.reservoir);
                compared += 1;
                successes += usize::from(theirs.is_success() && !theirs.bytes.is_empty());
            }
        }
        // The cheap checks happen in the client: the host only sees calls with enough gas and
        // well-formed lengths, each with the exact required gas revm charges.
        for call in host.calls.borrow().iter() {
            let theirs = reference
                .precompiles()
                .get(&call.address)
                .expect("active")
                .execute(&call.input, call.required_gas, 0);
            let theirs = theirs.expect("not fatal");
            if theirs.is_success() {
                assert_eq!(
                    theirs.gas_used, call.required_gas,
                    "{spec:?} {}",
                    call.address
                );
            }
        }
        assert!(!host.calls.borrow().is_empty());
    }
    assert!(compared > 300, "{compared} comparisons");
    assert!(successes > 50, "{successes} successful non-empty results");
}

#[test]
fn every_accelerated_address_reaches_the_host_in_karst() {
    let host = HostAccelerator::default();
    let ours = KoaPrecompiles::new(OpSpecId::KARST, &host);
    for (address, input) in cases() {
        let _ = ours
            .execute(&address, &input, 30_000_000, 0)
            .expect("active");
    }
    let called: std::collections::BTreeSet<Address> = host
        .calls
        .borrow()
        .iter()
        .map(|call| call.address)
        .collect();
    for address in ACCELERATED_PRECOMPILES {
        assert!(
            called.contains(&address),
            "{address} never reached the host"
        );
    }
    // The keys of ecrecover, bn254 addition and multiplication commit to exactly the bytes
    // they read, whatever the call's input length: a megabyte of calldata stays out of the
    // hint (which a host refuses past 16 MiB).
    for (address, read) in [(ECRECOVER, 128), (BN254_ADD, 128), (BN254_MUL, 96)] {
        let calls = host.calls.borrow();
        let lengths: Vec<usize> = calls
            .iter()
            .filter(|call| call.address == address)
            .map(|call| call.input.len())
            .collect();
        assert!(!lengths.is_empty());
        assert!(
            lengths.iter().all(|len| *len == read),
            "{address}: {lengths:?}"
        );
    }
}

#[test]
fn malformed_host_answers_are_fatal_not_results() {
    let g1 = [word(1), word(2)].concat();
    let kzg_input = {
        let mut infinity = [0u8; 48];
        infinity[0] = 0xc0;
        let mut hash = revm::precompile::kzg_point_evaluation::kzg_to_versioned_hash(&infinity);
        hash[0] = 1;
        [&hash[..], &word(0), &word(0), &infinity, &infinity].concat()
    };
    let ecrecover_input = [word(1), word(28), word(3), word(4)].concat();
    let bad: Vec<(Address, Vec<u8>, PrecompileAnswer)> = vec![
        // ecrecover never fails, and returns 0 or 32 bytes with 12 leading zeros.
        (
            ECRECOVER,
            ecrecover_input.clone(),
            PrecompileAnswer::Failure,
        ),
        (
            ECRECOVER,
            ecrecover_input.clone(),
            PrecompileAnswer::Success(Bytes::from(vec![1u8; 32])),
        ),
        (
            ECRECOVER,
            ecrecover_input,
            PrecompileAnswer::Success(Bytes::from(vec![0u8; 20])),
        ),
        // bn254 points are 64 bytes; a pairing says 0 or 1.
        (
            BN254_ADD,
            [&g1[..], &g1[..]].concat(),
            PrecompileAnswer::Success(Bytes::from(vec![0u8; 63])),
        ),
        (
            BN254_MUL,
            [&g1[..], &word(2)[..]].concat(),
            PrecompileAnswer::Success(Bytes::new()),
        ),
        (
            BN254_PAIRING,
            Vec::new(),
            PrecompileAnswer::Success(Bytes::from(word(2).to_vec())),
        ),
        // KZG success is one constant.
        (
            KZG_POINT_EVALUATION,
            kzg_input,
            PrecompileAnswer::Success(Bytes::from(vec![0u8; 64])),
        ),
        // BLS12-381 G1 results are 128 bytes.
        (
            BLS_MAP_G1,
            fp(7),
            PrecompileAnswer::Success(Bytes::from(vec![0u8; 256])),
        ),
    ];
    for (address, input, answer) in bad {
        let fixed = FixedAnswer(answer.clone(), Cell::new(0));
        let ours = KoaPrecompiles::new(OpSpecId::KARST, &fixed);
        let result = ours
            .execute(&address, &input, 30_000_000, 0)
            .expect("active");
        assert!(result.is_err(), "{address} accepted {answer:?}: {result:?}");
        assert_eq!(fixed.1.get(), 1, "{address}: the answer was asked for once");
    }
}

#[test]
fn precompile_answer_encoding_round_trips_and_rejects_garbage() {
    let success = PrecompileAnswer::Success(Bytes::from(vec![9, 8, 7]));
    assert_eq!(success.encode(), vec![1, 9, 8, 7]);
    assert_eq!(PrecompileAnswer::decode(&success.encode()), Some(success));
    assert_eq!(
        PrecompileAnswer::decode(&[0]),
        Some(PrecompileAnswer::Failure)
    );
    assert_eq!(PrecompileAnswer::decode(&[]), None);
    assert_eq!(PrecompileAnswer::decode(&[0, 1]), None);
    assert_eq!(PrecompileAnswer::decode(&[2, 1]), None);
}

#[test]
fn host_refuses_bad_hints() {
    use koa_host::precompile::PrecompileHintError;
    assert_eq!(
        answer_precompile_hint(&[1; 27]),
        Err(PrecompileHintError::TooShort(27))
    );
    // sha256 (0x02) is cheap and not accelerated.
    let payload = [u64_to_address(2).as_slice(), &60u64.to_be_bytes(), b"abc"].concat();
    assert_eq!(
        answer_precompile_hint(&payload),
        Err(PrecompileHintError::NotAccelerated(u64_to_address(2)))
    );
    // Too little gas is a precompile failure (status 0), as on L1.
    let payload = [BN254_PAIRING.as_slice(), &44_999u64.to_be_bytes()].concat();
    let preimages = answer_precompile_hint(&payload).expect("answered");
    assert_eq!(preimages.result.1, vec![0]);
    let payload = [BN254_PAIRING.as_slice(), &45_000u64.to_be_bytes()].concat();
    let preimages = answer_precompile_hint(&payload).expect("answered");
    assert_eq!(preimages.result.1, [&[1u8][..], &word(1)].concat());
    assert_eq!(
        preimages.result.0,
        PreimageKey::precompile_call(BN254_PAIRING, 45_000, &[])
    );
}

/// Real blocks: every execution fixture builds its expected block with every accelerated
/// precompile call answered by the host function (and the same blocks call them).
#[test]
fn fixture_blocks_execute_with_the_host_accelerator() {
    let dir = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../testdata/execution"
    ));
    let mut total_calls = 0usize;
    for dir in Fixture::discover(dir).expect("fixtures present") {
        let fixture = Fixture::load(&dir).expect("fixture loads");
        let provider = RecordingProvider::new(&fixture.preimages);
        let host = HostAccelerator::default();
        let config = &fixture.file.rollup_config;
        let executor =
            StatelessExecutor::new(config, &provider, NoopTrieHinter).with_accelerator(&host);
        let parent = fixture.parent();
        let outcome = executor
            .execute(
                parent.inner(),
                parent.hash(),
                &fixture.file.payload_attributes,
            )
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        assert_eq!(
            outcome.header.hash(),
            fixture.file.expected_block_hash,
            "{}",
            dir.display()
        );
        total_calls += host.calls.borrow().len();
    }
    assert!(
        total_calls > 0,
        "no fixture block called an accelerated precompile"
    );
}
