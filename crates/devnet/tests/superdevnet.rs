//! The multi-chain devnet: the bundled super devnets regenerate byte for byte, their chains
//! are distinct chains on one L1, and the claims manifest agrees with the chains' blocks.

use std::path::PathBuf;

use alloy_primitives::{B256, U256, hex, keccak256};
use koa_devnet::{
    ARCHIVE_FILE, DEPENDENCY_SET_FILE, L1_CONFIG_FILE, SUPER_CLAIMS_FILE, SUPER_INDEX_FILE,
    SuperDevnet, SuperDevnetIndex, WriteOptions, bundled_super_devnet_dir, generate_super,
    rollup_file, write_super_devnet,
};

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("koa-superdevnet-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn regenerates(chains: usize) {
    let bundled = bundled_super_devnet_dir(chains);
    let index: SuperDevnetIndex =
        serde_json::from_slice(&std::fs::read(bundled.join(SUPER_INDEX_FILE)).unwrap()).unwrap();
    assert_eq!(index.chains.len(), chains);
    let devnet = generate_super(index.params().unwrap()).unwrap();
    let out = temp_dir(&format!("regenerate-{chains}"));
    write_super_devnet(&devnet, &out, WriteOptions { data_dir: false }).unwrap();
    let mut files = vec![
        SUPER_INDEX_FILE.to_string(),
        SUPER_CLAIMS_FILE.to_string(),
        DEPENDENCY_SET_FILE.to_string(),
        L1_CONFIG_FILE.to_string(),
        ARCHIVE_FILE.to_string(),
    ];
    files.extend(index.chains.iter().map(|c| rollup_file(c.l2_chain_id)));
    for file in files {
        let expected = std::fs::read(bundled.join(&file)).unwrap();
        let actual = std::fs::read(out.join(&file)).unwrap();
        assert!(expected == actual, "{file} differs from the bundled copy");
    }
    std::fs::remove_dir_all(out).unwrap();
}

#[test]
fn bundled_one_chain_regenerates_byte_for_byte() {
    regenerates(1);
}

#[test]
fn bundled_two_chains_regenerate_byte_for_byte() {
    regenerates(2);
}

/// The super output at `timestamp` from the index alone (the spec's encoding, written out
/// again here): each chain's last block at or before it.
fn super_root_from_index(devnet: &SuperDevnet, timestamp: u64) -> B256 {
    let mut bytes = vec![1u8];
    bytes.extend_from_slice(&timestamp.to_be_bytes());
    for chain in &devnet.chains {
        let t0 = chain.rollup_config.genesis.l2_time;
        let block = chain
            .index
            .l2_blocks
            .iter()
            .rev()
            .find(|b| t0 + chain.rollup_config.block_time * b.number <= timestamp)
            .unwrap();
        bytes.extend_from_slice(&U256::from(chain.rollup_config.l2_chain_id).to_be_bytes::<32>());
        bytes.extend_from_slice(block.output_root.as_slice());
    }
    keccak256(bytes)
}

#[test]
fn two_chains_are_distinct_chains_on_one_l1() {
    let devnet = SuperDevnet::load(bundled_super_devnet_dir(2)).unwrap();
    let [a, b] = &devnet.chains[..] else {
        panic!("two chains")
    };
    assert_ne!(a.rollup_config.l2_chain_id, b.rollup_config.l2_chain_id);
    assert!(a.rollup_config.l2_chain_id < b.rollup_config.l2_chain_id);
    assert_ne!(
        a.rollup_config.batch_inbox_address,
        b.rollup_config.batch_inbox_address
    );
    assert_ne!(
        a.rollup_config.deposit_contract_address,
        b.rollup_config.deposit_contract_address
    );
    assert_ne!(
        a.rollup_config.l1_system_config_address,
        b.rollup_config.l1_system_config_address
    );
    assert_ne!(
        a.rollup_config.genesis.system_config.batcher_address,
        b.rollup_config.genesis.system_config.batcher_address
    );
    assert_eq!(a.rollup_config.genesis.l1, b.rollup_config.genesis.l1);
    assert_eq!(
        (a.rollup_config.block_time, b.rollup_config.block_time),
        (2, 1)
    );
    // Same span of time, so twice the blocks on the one-second chain.
    assert_eq!(
        b.index.l2_blocks.len() - 1,
        2 * (a.index.l2_blocks.len() - 1)
    );
    // Different transactions: the chains part after genesis.
    assert_ne!(a.index.l2_blocks[1].hash, b.index.l2_blocks[1].hash);
    // Every output root of both chains is in the archive, and hashes to its key.
    for chain in &devnet.chains {
        for block in &chain.index.l2_blocks {
            let preimage =
                &devnet.preimages[&koa_preimage::PreimageKey::keccak256(block.output_root)];
            assert_eq!(keccak256(preimage), block.output_root);
            assert_eq!(&preimage[96..], block.hash.as_slice());
        }
    }
    let depset: serde_json::Value = serde_json::from_str(&devnet.dependency_set_json).unwrap();
    let ids: Vec<&String> = depset["dependencies"].as_object().unwrap().keys().collect();
    assert_eq!(
        ids,
        [
            a.rollup_config.l2_chain_id.to_string(),
            b.rollup_config.l2_chain_id.to_string()
        ]
        .iter()
        .collect::<Vec<_>>()
    );
}

#[test]
fn manifest_agrees_with_the_chains() {
    for chains in [1, 2] {
        let devnet = SuperDevnet::load(bundled_super_devnet_dir(chains)).unwrap();
        let claim = |name: &str| devnet.claim(name).unwrap_or_else(|| panic!("claim {name}"));
        for claim in &devnet.claims {
            let pre = hex::decode(claim.agreed_l2_pre_state.trim_start_matches("0x")).unwrap();
            assert_eq!(
                keccak256(&pre),
                claim.agreed_l2_pre_state_commitment,
                "{}",
                claim.name
            );
            // The pre-state is a preimage of the archive (the `agreed-pre-state` hint).
            let key = koa_preimage::PreimageKey::keccak256(keccak256(&pre));
            assert_eq!(
                devnet.preimages.get(&key).map(|p| p.to_vec()),
                Some(pre),
                "{}",
                claim.name
            );
        }
        // The first step starts from the super root the chains have at its timestamp.
        let first = claim("first-step");
        let pre = hex::decode(first.agreed_l2_pre_state.trim_start_matches("0x")).unwrap();
        let timestamp = u64::from_be_bytes(pre[1..9].try_into().unwrap());
        assert_eq!(first.claimed_l2_timestamp, timestamp + 1);
        assert_eq!(super_root_from_index(&devnet, timestamp), keccak256(&pre));
        // Consolidation ends at the super root the chains have one second later.
        let consolidation = claim("consolidation");
        assert!(consolidation.expected_valid);
        assert_eq!(
            consolidation.claimed_l2_post_state,
            super_root_from_index(&devnet, timestamp + 1)
        );
        let pre = hex::decode(consolidation.agreed_l2_pre_state.trim_start_matches("0x")).unwrap();
        assert_eq!(pre[0], 0xff);
        assert_eq!(*pre.last().unwrap(), 127);
        // Trace extension: the post-state is the pre-state.
        let extension = claim("trace-extension");
        assert_eq!(
            extension.claimed_l2_post_state,
            extension.agreed_l2_pre_state_commitment
        );
        // The invalid state.
        let invalid = keccak256(b"invalid");
        assert_eq!(claim("invalid-to-invalid").claimed_l2_post_state, invalid);
        assert_eq!(claim("l1-exhausted").claimed_l2_post_state, invalid);
        assert!(claim("l1-exhausted").expected_valid);
        assert_ne!(claim("l1-exhausted").l1_head, first.l1_head);
        // Every kind has a right and a wrong claim.
        assert!(devnet.claims.iter().filter(|c| c.expected_valid).count() >= 8);
        assert!(devnet.claims.iter().filter(|c| !c.expected_valid).count() >= 8);
    }
}

#[test]
fn chain_count_is_checked() {
    let err = generate_super(koa_devnet::SuperDevnetParams {
        seed: 1,
        chains: Vec::new(),
    })
    .unwrap_err();
    assert!(err.to_string().contains("1 to 127 chains"), "{err}");
}

/// A super devnet's preimage archive inflates to `MAX_ARCHIVE_BYTES` at most, as a single-chain
/// devnet's does: a zstd bomb is refused while it inflates (it was inflated whole before).
#[test]
fn a_zstd_bomb_archive_is_refused() {
    let bundled = bundled_super_devnet_dir(1);
    let dir = temp_dir("bomb");
    std::fs::create_dir_all(&dir).unwrap();
    for entry in std::fs::read_dir(&bundled).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_file() {
            std::fs::copy(entry.path(), dir.join(entry.file_name())).unwrap();
        }
    }
    let mut encoder = zstd::stream::write::Encoder::new(Vec::new(), 1).unwrap();
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..(koa_devnet::MAX_ARCHIVE_BYTES >> 20) + 1 {
        std::io::Write::write_all(&mut encoder, &zeros).unwrap();
    }
    std::fs::write(dir.join(ARCHIVE_FILE), encoder.finish().unwrap()).unwrap();
    let err = SuperDevnet::load(&dir).unwrap_err().to_string();
    assert!(err.contains("inflates past"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}
