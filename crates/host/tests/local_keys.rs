//! The local keys the host serves, pinned to kona's layout (kona-proof's `boot.rs`:
//! `L1_HEAD_KEY` 1, `L2_OUTPUT_ROOT_KEY` 2, `L2_CLAIM_KEY` 3, `L2_CLAIM_BLOCK_NUMBER_KEY` 4,
//! `L2_CHAIN_ID_KEY` 5, `L2_ROLLUP_CONFIG_KEY` 6, `L1_CONFIG_KEY` 7), each a type-1 key
//! (fault-proof specification, "Type 1: Local key") whose last 8 bytes are the index, and
//! kona-host's values for them: key 5 is the chain id, or 0 for a chain given by a rollup
//! config file.

use alloy_primitives::{B256, b256};
use koa_host::BootInputs;
use koa_preimage::PreimageKey;

fn inputs(rollup_config: Option<Vec<u8>>) -> BootInputs {
    BootInputs {
        l1_head: b256!("1111111111111111111111111111111111111111111111111111111111111111"),
        agreed_l2_head_hash: b256!(
            "2222222222222222222222222222222222222222222222222222222222222222"
        ),
        agreed_l2_output_root: b256!(
            "3333333333333333333333333333333333333333333333333333333333333333"
        ),
        claimed_l2_output_root: b256!(
            "4444444444444444444444444444444444444444444444444444444444444444"
        ),
        claimed_l2_block_number: 0x0102_0304_0506_0708,
        l2_chain_id: 10,
        rollup_config,
        l1_config: Some(b"{\"chainId\":900}".to_vec()),
    }
}

/// The local key with index `i`, spelled out as the specification's bytes.
fn key(i: u8) -> PreimageKey {
    let mut bytes = [0u8; 32];
    bytes[0] = 1;
    bytes[31] = i;
    let key = PreimageKey::try_from(bytes).unwrap();
    assert_eq!(key, PreimageKey::local(u64::from(i)));
    key
}

#[test]
fn keys_1_to_4_are_the_dispute() {
    let inputs = inputs(None);
    assert_eq!(inputs.local(key(1)), Some(inputs.l1_head.to_vec()));
    assert_eq!(
        inputs.local(key(2)),
        Some(inputs.agreed_l2_output_root.to_vec())
    );
    assert_eq!(
        inputs.local(key(3)),
        Some(inputs.claimed_l2_output_root.to_vec())
    );
    assert_eq!(
        inputs.local(key(4)),
        Some(vec![1, 2, 3, 4, 5, 6, 7, 8]),
        "u64 big-endian"
    );
    // The agreed L2 head hash is no local key: the output root commits to it.
    for i in [0u8, 8, 9, 255] {
        assert_eq!(inputs.local(key(i)), None, "key {i}");
    }
    assert_ne!(inputs.agreed_l2_head_hash, B256::ZERO);
}

#[test]
fn a_registry_chain_is_named_by_key_5_and_has_no_key_6() {
    let inputs = inputs(None);
    assert_eq!(inputs.local(key(5)), Some(10u64.to_be_bytes().to_vec()));
    assert_eq!(inputs.local(key(6)), None);
    assert_eq!(inputs.local(key(7)), Some(b"{\"chainId\":900}".to_vec()));
}

#[test]
fn a_rollup_config_file_serves_key_5_as_zero_as_kona_host_does() {
    // Even for a chain id a client embeds: the file, not the client's registry, is the config.
    let inputs = inputs(Some(b"{\"l2_chain_id\":10}".to_vec()));
    assert_eq!(inputs.local(key(5)), Some(vec![0; 8]));
    assert_eq!(inputs.local(key(6)), Some(b"{\"l2_chain_id\":10}".to_vec()));
    assert_eq!(inputs.boot_chain_id(), 0);
}
