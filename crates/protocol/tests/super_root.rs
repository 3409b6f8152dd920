//! Super roots, transition states and the dependency set against byte layouts built by hand
//! from the spec (`specs/fault-proof/stage-one/optimism-portal.md` "Super Output",
//! `specs/interop/fault-proof.md` "Transition State", "Invalid State") and a vector kona's
//! tests publish.

use alloy_primitives::{B256, b256, keccak256};
use koa_protocol::super_root::{
    CONSOLIDATION_STEP, DependencySet, DependencySetError, INVALID_STATE_HASH,
    INVALID_STATE_PREIMAGE, LocalSafeBlock, MAX_SUPER_ROOT_CHAINS, OutputRootWithChainId,
    STEPS_PER_TIMESTAMP, SuperRoot, SuperRootError, SuperState, SuperStateError, TransitionState,
    TransitionStateError,
};
use proptest::prelude::*;

fn root(chain_id: u64, byte: u8) -> OutputRootWithChainId {
    OutputRootWithChainId {
        chain_id,
        output_root: B256::repeat_byte(byte),
    }
}

/// `0x01 ‖ timestamp ‖ (u256 chain id ‖ root)*`, written out byte by byte.
fn spec_super_bytes(timestamp: u64, roots: &[(u64, B256)]) -> Vec<u8> {
    let mut out = vec![0x01];
    out.extend_from_slice(&timestamp.to_be_bytes());
    for (id, root) in roots {
        out.extend_from_slice(&[0u8; 24]);
        out.extend_from_slice(&id.to_be_bytes());
        out.extend_from_slice(root.as_slice());
    }
    out
}

#[test]
fn super_root_encoding_is_the_spec_layout() {
    let sr = SuperRoot::new(0x0102_0304, vec![root(10, 0xaa), root(8453, 0xbb)]).unwrap();
    let expected = spec_super_bytes(
        0x0102_0304,
        &[
            (10, B256::repeat_byte(0xaa)),
            (8453, B256::repeat_byte(0xbb)),
        ],
    );
    assert_eq!(sr.encode(), expected);
    assert_eq!(sr.encoded_len(), 9 + 128);
    assert_eq!(sr.hash(), keccak256(&expected));
    assert_eq!(SuperRoot::decode(&expected).unwrap(), sr);
    assert_eq!(sr.output_root(8453), Some(B256::repeat_byte(0xbb)));
    assert_eq!(sr.output_root(9), None);
    assert_eq!(sr.chain_ids().collect::<Vec<_>>(), vec![10, 8453]);
}

#[test]
fn super_root_hash_matches_konas_published_vector() {
    // kona `crates/protocol/interop/src/root.rs`, `test_static_hash_super_root`: timestamp 10,
    // chains 1 and 2 with zero output roots.
    let sr = SuperRoot::new(10, vec![root(1, 0), root(2, 0)]).unwrap();
    assert_eq!(
        sr.hash(),
        b256!("0x0980033cbf4337f614a2401ab7efbfdc66ab647812f1c98d891d92ddfb376541")
    );
}

#[test]
fn super_root_rejects_what_the_spec_forbids() {
    assert_eq!(
        SuperRoot::new(1, vec![]),
        Err(SuperRootError::NoOutputRoots)
    );
    assert_eq!(
        SuperRoot::new(1, vec![root(2, 1), root(1, 1)]),
        Err(SuperRootError::Unsorted {
            previous: 2,
            next: 1
        })
    );
    assert_eq!(
        SuperRoot::new(1, vec![root(1, 1), root(1, 2)]),
        Err(SuperRootError::DuplicateChainId(1))
    );
    let many: Vec<_> = (1..=MAX_SUPER_ROOT_CHAINS as u64 + 1)
        .map(|i| root(i, 0))
        .collect();
    assert_eq!(
        SuperRoot::new(1, many.clone()),
        Err(SuperRootError::TooManyChains(128))
    );
    assert!(SuperRoot::new(1, many[..MAX_SUPER_ROOT_CHAINS].to_vec()).is_ok());

    // The same through the decoder.
    let unsorted = spec_super_bytes(5, &[(3, B256::ZERO), (2, B256::ZERO)]);
    assert_eq!(
        SuperRoot::decode(&unsorted),
        Err(SuperRootError::Unsorted {
            previous: 3,
            next: 2
        })
    );
    let duplicate = spec_super_bytes(5, &[(3, B256::ZERO), (3, B256::ZERO)]);
    assert_eq!(
        SuperRoot::decode(&duplicate),
        Err(SuperRootError::DuplicateChainId(3))
    );
    assert_eq!(
        SuperRoot::decode(&spec_super_bytes(5, &[])),
        Err(SuperRootError::NoOutputRoots)
    );
    assert_eq!(SuperRoot::decode(&[]), Err(SuperRootError::Empty));
    let mut v2 = spec_super_bytes(5, &[(1, B256::ZERO)]);
    v2[0] = 0x02;
    assert_eq!(SuperRoot::decode(&v2), Err(SuperRootError::Version(2)));
    let good = spec_super_bytes(5, &[(1, B256::ZERO)]);
    assert_eq!(
        SuperRoot::decode(&good[..good.len() - 1]),
        Err(SuperRootError::Length(72))
    );
    let mut long = good.clone();
    long.push(0);
    assert_eq!(SuperRoot::decode(&long), Err(SuperRootError::Length(74)));
    assert_eq!(
        SuperRoot::decode(&good[..5]),
        Err(SuperRootError::Length(5))
    );
    // A chain id over 64 bits (the spec's uint256) has no chain config: a typed error.
    let mut wide = good;
    wide[9] = 1;
    assert_eq!(
        SuperRoot::decode(&wide),
        Err(SuperRootError::ChainIdTooLarge(0))
    );
}

#[test]
fn invalid_state_is_keccak_of_invalid() {
    assert_eq!(INVALID_STATE_HASH, keccak256(b"invalid"));
    assert_eq!(
        SuperState::decode(INVALID_STATE_PREIMAGE),
        Ok(SuperState::Invalid)
    );
    assert_eq!(SuperState::Invalid.hash(), INVALID_STATE_HASH);
    assert_eq!(SuperState::Invalid.encode(), b"invalid".to_vec());
    assert_eq!(
        SuperState::decode(b"invalid!"),
        Err(SuperStateError::UnknownVersion(b'i'))
    );
    assert_eq!(SuperState::decode(&[]), Err(SuperStateError::Empty));
}

/// `0xFF ‖ rlp[bytes(super), [[hash, root]…], step]`, with the RLP headers written by hand.
fn spec_transition_bytes(super_bytes: &[u8], pending: &[(B256, B256)], step: u8) -> Vec<u8> {
    fn long_header(base: u8, len: usize) -> Vec<u8> {
        // Lengths here are 56..=255: one length byte.
        assert!((56..256).contains(&len));
        vec![base + 1, len as u8]
    }
    let mut body = long_header(0xb7, super_bytes.len());
    body.extend_from_slice(super_bytes);
    let mut blocks = Vec::new();
    for (hash, root) in pending {
        blocks.extend_from_slice(&[0xf8, 66, 0xa0]);
        blocks.extend_from_slice(hash.as_slice());
        blocks.push(0xa0);
        blocks.extend_from_slice(root.as_slice());
    }
    if blocks.is_empty() {
        body.push(0xc0);
    } else {
        body.extend(long_header(0xf7, blocks.len()));
        body.extend(blocks);
    }
    // RLP of a small integer: itself (1..=0x7f), 0x80 for zero.
    body.push(if step == 0 { 0x80 } else { step });
    let mut out = vec![0xff];
    out.extend(long_header(0xf7, body.len()));
    out.extend(body);
    out
}

#[test]
fn transition_state_encoding_is_the_spec_layout() {
    let sr = SuperRoot::new(77, vec![root(10, 0x01), root(11, 0x02)]).unwrap();
    let block = LocalSafeBlock {
        block_hash: B256::repeat_byte(0xcc),
        output_root: B256::repeat_byte(0xdd),
    };

    let start = TransitionState::start(sr.clone());
    let expected = spec_transition_bytes(&sr.encode(), &[], 0);
    assert_eq!(start.encode(), expected);
    assert_eq!(TransitionState::decode(&expected).unwrap(), start);

    let one = start.with_derived_block(block).unwrap();
    assert_eq!(one.step(), 1);
    assert_eq!(one.deriving_chain_index(), Some(1));
    let expected = spec_transition_bytes(&sr.encode(), &[(block.block_hash, block.output_root)], 1);
    assert_eq!(one.encode(), expected);
    assert_eq!(one.hash(), keccak256(&expected));
    assert_eq!(TransitionState::decode(&expected).unwrap(), one);
    assert_eq!(
        SuperState::decode(&expected).unwrap(),
        SuperState::Transition(one.clone())
    );
    assert_eq!(SuperState::Transition(one).hash(), keccak256(&expected));
}

#[test]
fn a_full_timestamp_takes_128_steps() {
    let sr = SuperRoot::new(100, vec![root(901, 0x01), root(902, 0x02)]).unwrap();
    let block = |b| LocalSafeBlock {
        block_hash: B256::repeat_byte(b),
        output_root: B256::repeat_byte(b + 1),
    };
    let mut state = TransitionState::start(sr.clone());
    let mut steps = 0;
    // Two derivation steps, one per chain in chain-id order.
    for (i, b) in [0x10, 0x20].into_iter().enumerate() {
        assert_eq!(state.deriving_chain_index(), Some(i));
        assert!(state.clone().padded().is_none());
        state = state.with_derived_block(block(b)).unwrap();
        steps += 1;
    }
    // Padding up to the consolidation step.
    while !state.is_consolidation() {
        assert_eq!(state.deriving_chain_index(), None);
        assert!(state.clone().with_derived_block(block(0)).is_none());
        state = state.padded().unwrap();
        steps += 1;
    }
    assert_eq!(state.step(), CONSOLIDATION_STEP);
    assert!(state.clone().padded().is_none());
    assert!(state.clone().with_derived_block(block(0)).is_none());
    // Round-trips at the last step too.
    assert_eq!(TransitionState::decode(&state.encode()).unwrap(), state);
    let roots: Vec<B256> = state
        .pending_progress()
        .iter()
        .map(|b| b.output_root)
        .collect();
    let next = state.consolidated(&roots).unwrap().unwrap();
    steps += 1;
    assert_eq!(steps, STEPS_PER_TIMESTAMP);
    assert_eq!(next.timestamp(), 101);
    assert_eq!(next.output_root(901), Some(B256::repeat_byte(0x11)));
    assert_eq!(next.output_root(902), Some(B256::repeat_byte(0x21)));
    assert!(state.consolidated(&roots[..1]).is_none());
    assert!(TransitionState::start(sr).consolidated(&roots).is_none());
}

#[test]
fn transition_state_rejects_impossible_states() {
    let sr = SuperRoot::new(1, vec![root(1, 0)]).unwrap();
    let block = LocalSafeBlock::default();
    assert_eq!(
        TransitionState::new(sr.clone(), vec![block], 128),
        Err(TransitionStateError::StepOutOfRange(128))
    );
    assert_eq!(
        TransitionState::new(sr.clone(), vec![], 5),
        Err(TransitionStateError::PendingProgress {
            step: 5,
            pending: 0,
            expected: 1
        })
    );
    assert_eq!(
        TransitionState::new(sr.clone(), vec![block, block], 2),
        Err(TransitionStateError::PendingProgress {
            step: 2,
            pending: 2,
            expected: 1
        })
    );
    // Step 128 through the decoder: RLP 0x81 0x80.
    let mut bytes = spec_transition_bytes(&sr.encode(), &[(B256::ZERO, B256::ZERO)], 127);
    let last = bytes.len() - 1;
    bytes[last] = 0x81;
    bytes.push(0x80);
    bytes[2] += 1; // the outer list grew by one byte
    assert_eq!(
        TransitionState::decode(&bytes),
        Err(TransitionStateError::StepOutOfRange(128))
    );

    let good = spec_transition_bytes(&sr.encode(), &[(B256::ZERO, B256::ZERO)], 3);
    let mut trailing = good.clone();
    trailing.push(0);
    assert_eq!(
        TransitionState::decode(&trailing),
        Err(TransitionStateError::TrailingBytes(1))
    );
    assert!(matches!(
        TransitionState::decode(&good[..good.len() - 1]),
        Err(TransitionStateError::Rlp(_))
    ));
    let mut v = good;
    v[0] = 0xfe;
    assert_eq!(
        TransitionState::decode(&v),
        Err(TransitionStateError::Version(0xfe))
    );
    assert_eq!(
        SuperState::decode(&v),
        Err(SuperStateError::UnknownVersion(0xfe))
    );
    // A broken super output inside.
    let bad_inner = spec_transition_bytes(
        &spec_super_bytes(1, &[(2, B256::ZERO), (1, B256::ZERO)]),
        &[],
        0,
    );
    assert_eq!(
        TransitionState::decode(&bad_inner),
        Err(TransitionStateError::SuperRoot(SuperRootError::Unsorted {
            previous: 2,
            next: 1
        }))
    );
}

#[test]
fn dependency_set_reads_both_json_shapes() {
    // op-supervisor's static config (2024).
    let old = r#"{"dependencies":{"900200":{"chainIndex":900200,"activationTime":0,"historyMinTime":0},"900201":{"chainIndex":900201,"activationTime":0,"historyMinTime":0}}}"#;
    let set = DependencySet::from_json(old).unwrap();
    assert_eq!(set.chain_ids(), vec![900200, 900201]);
    assert_eq!(set.dependencies[&900200].chain_index, Some(900200));
    assert_eq!(set.message_expiry_window(), 604_800);
    // op-node / kona: empty objects and an expiry override.
    let new = r#"{"dependencies":{"8453":{},"10":{}},"overrideMessageExpiryWindow":3600}"#;
    let set = DependencySet::from_json(new).unwrap();
    assert_eq!(set.chain_ids(), vec![10, 8453]);
    assert!(set.contains(10) && !set.contains(11));
    assert_eq!(set.message_expiry_window(), 3600);
    assert_eq!(DependencySet::from_json(&set.to_json()).unwrap(), set);
    assert_eq!(
        DependencySet::from_json(r#"{"dependencies":{}}"#),
        Err(DependencySetError::Empty)
    );
    assert!(matches!(
        DependencySet::from_json(r#"{"dependencies":{"ten":{}}}"#),
        Err(DependencySetError::Json(_))
    ));
}

fn arb_super_root() -> impl Strategy<Value = SuperRoot> {
    (
        any::<u64>(),
        proptest::collection::btree_map(any::<u64>(), any::<[u8; 32]>(), 1..6),
    )
        .prop_map(|(ts, roots)| {
            let roots = roots
                .into_iter()
                .map(|(chain_id, r)| OutputRootWithChainId {
                    chain_id,
                    output_root: B256::from(r),
                })
                .collect();
            SuperRoot::new(ts, roots).unwrap()
        })
}

proptest! {
    #[test]
    fn super_state_roundtrips(sr in arb_super_root(), step in 0u64..128, seed in any::<u8>()) {
        prop_assert_eq!(&SuperRoot::decode(&sr.encode()).unwrap(), &sr);
        let n = (step as usize).min(sr.output_roots().len());
        let pending = (0..n)
            .map(|i| LocalSafeBlock {
                block_hash: B256::repeat_byte(seed.wrapping_add(i as u8)),
                output_root: B256::repeat_byte(!seed),
            })
            .collect();
        let ts = TransitionState::new(sr, pending, step).unwrap();
        let bytes = ts.encode();
        prop_assert_eq!(bytes[0], 0xff);
        prop_assert_eq!(SuperState::decode(&bytes).unwrap(), SuperState::Transition(ts));
    }

    #[test]
    fn any_bytes_decode_or_fail_typed(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        if let Ok(state) = SuperState::decode(&bytes) {
            prop_assert_eq!(state.encode(), bytes);
        }
    }
}
