//! A two-chain super devnet served one server per chain, and `koa host super`'s online
//! backend against it: `eth_chainId` per chain, `superroot_atTimestamp` against the claims
//! manifest, and the super-mode local keys and hints (`agreed-pre-state`, `l2-output-root`,
//! chain-suffixed L2 hints routed to their chain's node) served to a test oracle client that
//! checks every answer against its commitment.

use std::{collections::BTreeMap, sync::Arc, time::Duration};

use alloy_primitives::{B256, U256, hex, keccak256};
use koa_devnet::{SuperDevnet, bundled_super_devnet_dir};
use koa_host::{
    HostBackend, Online, SuperBootInputs,
    blob::BeaconClient,
    online::{AgreedL2, Nodes, OnlineFetcher},
    online_super::{SuperChain, SuperOnlineFetcher},
    rpc::{NodeClient, RetryPolicy},
    store::{MemoryStore, VerifiedStore},
};
use koa_preimage::{HintRouter, PreimageFetcher, PreimageKey, PreimageKeyType};
use koa_proof::hint::Hint;
use koa_serve::{ChainData, ServeHandle, SuperRoots, serve_with_super_roots};
use serde_json::Value;

fn client(url: &str) -> NodeClient {
    let policy = RetryPolicy {
        attempts: 1,
        timeout: Duration::from_secs(60),
        ..RetryPolicy::default()
    };
    NodeClient::new("test", url, policy, Arc::default()).unwrap()
}

async fn start(devnet: &SuperDevnet) -> Vec<ServeHandle> {
    let roots = Arc::new(SuperRoots::from_devnet(devnet).unwrap());
    let mut handles = Vec::new();
    for index in 0..devnet.chains.len() {
        let chain = ChainData::from_super_devnet(devnet, index).unwrap();
        let handle =
            serve_with_super_roots(chain, Some(roots.clone()), "127.0.0.1:0".parse().unwrap())
                .await
                .unwrap();
        handles.push(handle);
    }
    handles
}

fn pre_state(devnet: &SuperDevnet, name: &str) -> Vec<u8> {
    let claim = devnet.claim(name).unwrap();
    hex::decode(claim.agreed_l2_pre_state.trim_start_matches("0x")).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_chain_is_its_own_node_and_super_roots_match_the_manifest() {
    let devnet = SuperDevnet::load(bundled_super_devnet_dir(2)).unwrap();
    let handles = start(&devnet).await;
    for (handle, chain) in handles.iter().zip(&devnet.chains) {
        let id: U256 = client(&handle.l2_url())
            .call("eth_chainId", ())
            .await
            .unwrap();
        assert_eq!(id, U256::from(chain.rollup_config.l2_chain_id));
        let head: U256 = client(&handle.l2_url())
            .call("eth_blockNumber", ())
            .await
            .unwrap();
        assert_eq!(head, U256::from(chain.index.l2_blocks.len() - 1));
        let l1: U256 = client(&handle.l1_url())
            .call("eth_chainId", ())
            .await
            .unwrap();
        assert_eq!(l1, U256::from(devnet.index.l1_chain_id));
    }
    // The super root at the first step's timestamp is the claim's agreed pre-state.
    let pre = pre_state(&devnet, "first-step");
    let timestamp = u64::from_be_bytes(pre[1..9].try_into().unwrap());
    let answer: Value = client(&handles[1].l2_url())
        .call("superroot_atTimestamp", [format!("{timestamp:#x}")])
        .await
        .unwrap();
    assert_eq!(
        answer["data"]["super_root"],
        serde_json::json!(keccak256(&pre))
    );
    assert_eq!(
        answer["data"]["super"]["timestamp"],
        format!("{timestamp:#x}")
    );
    let chains = answer["data"]["super"]["chains"].as_array().unwrap();
    assert_eq!(chains.len(), 2);
    for (i, chain) in chains.iter().enumerate() {
        let id = devnet.chains[i].rollup_config.l2_chain_id;
        assert_eq!(chain["ChainID"], id.to_string());
        let root = B256::from_slice(&pre[9 + 64 * i + 32..9 + 64 * (i + 1)]);
        assert_eq!(chain["Output"], serde_json::json!(root));
        let optimistic = &answer["optimistic_at_timestamp"][id.to_string()];
        assert_eq!(optimistic["output_root"], serde_json::json!(root));
    }
    // After the consolidation: the super root one second later.
    let consolidation = devnet.claim("consolidation").unwrap();
    let next: Value = client(&handles[0].l2_url())
        .call("superroot_atTimestamp", [format!("{:#x}", timestamp + 1)])
        .await
        .unwrap();
    assert_eq!(
        next["data"]["super_root"],
        serde_json::json!(consolidation.claimed_l2_post_state)
    );
    // Before genesis no chain has a block: no super root.
    let early: Value = client(&handles[0].l2_url())
        .call("superroot_atTimestamp", ["0x1"])
        .await
        .unwrap();
    assert!(early["data"].is_null());
    assert!(
        early["optimistic_at_timestamp"]
            .as_object()
            .unwrap()
            .is_empty()
    );
    for handle in handles {
        handle.abort();
    }
}

fn local(index: u8) -> PreimageKey {
    let mut key = [0u8; 32];
    key[31] = index;
    PreimageKey::new(key, PreimageKeyType::Local)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn super_host_serves_local_keys_and_hints_from_the_chains_nodes() {
    let devnet = SuperDevnet::load(bundled_super_devnet_dir(2)).unwrap();
    let handles = start(&devnet).await;
    let claim = devnet.claim("first-step").unwrap().clone();
    let pre = pre_state(&devnet, "first-step");
    let timestamp = u64::from_be_bytes(pre[1..9].try_into().unwrap());
    let store = Arc::new(VerifiedStore::new(MemoryStore::new()));
    let mut chains = BTreeMap::new();
    for (handle, chain) in handles.iter().zip(&devnet.chains) {
        let nodes = Nodes {
            l1: client(&handle.l1_url()),
            beacon: BeaconClient::new(client(&handle.beacon_url())),
            l2: client(&handle.l2_url()),
        };
        let config = &chain.rollup_config;
        let agreed = AgreedL2 {
            head_hash: B256::ZERO,
            output_root: B256::ZERO,
        };
        chains.insert(
            config.l2_chain_id,
            SuperChain {
                fetcher: OnlineFetcher::new(nodes, Arc::clone(&store), agreed),
                agreed_block: (timestamp - config.genesis.l2_time) / config.block_time,
            },
        );
    }
    let fetcher =
        Arc::new(SuperOnlineFetcher::new(chains, Arc::clone(&store), pre.clone()).unwrap());
    let inputs = SuperBootInputs {
        l1_head: claim.l1_head,
        agreed_pre_state: pre.clone(),
        claimed_post_state: claim.claimed_l2_post_state,
        claimed_timestamp: claim.claimed_l2_timestamp,
        rollup_configs: Some(b"{}".to_vec()),
        l1_config: Some(devnet.l1_chain_config_json.clone().into_bytes()),
        dependency_set: Some(devnet.dependency_set_json.clone().into_bytes()),
    };
    let runtime = tokio::runtime::Handle::current();
    let result = tokio::task::spawn_blocking(move || {
        let backend = HostBackend::online(inputs, Arc::clone(&store), Online { fetcher, runtime });
        // Local keys, kona's super layout.
        assert_eq!(
            backend.get_preimage(local(1)).unwrap(),
            claim.l1_head.to_vec()
        );
        let commitment = backend.get_preimage(local(2)).unwrap();
        assert_eq!(commitment, keccak256(&pre).to_vec());
        assert_eq!(
            backend.get_preimage(local(3)).unwrap(),
            claim.claimed_l2_post_state.to_vec()
        );
        assert_eq!(
            backend.get_preimage(local(4)).unwrap(),
            claim.claimed_l2_timestamp.to_be_bytes().to_vec()
        );
        assert!(
            backend.get_preimage(local(5)).is_err(),
            "no chain id key in super mode"
        );
        assert!(backend.get_preimage(local(8)).is_ok());
        // The pre-state through its hint, checked against the commitment.
        let hash = B256::from_slice(&commitment);
        backend
            .route_hint(&Hint::AgreedPreState(hash).encode())
            .unwrap();
        let served = backend.get_preimage(PreimageKey::keccak256(hash)).unwrap();
        assert_eq!(keccak256(&served), hash);
        // A hint naming another pre-state is refused, not answered.
        backend
            .route_hint(&Hint::AgreedPreState(keccak256(b"other")).encode())
            .unwrap();
        assert!(
            backend
                .get_preimage(PreimageKey::keccak256(keccak256(b"other")))
                .is_err()
        );
        // Each chain's output root at the pre-state's timestamp, from that chain's node.
        for (i, chain) in devnet.chains.iter().enumerate() {
            let chain_id = chain.rollup_config.l2_chain_id;
            let root = B256::from_slice(&served[9 + 64 * i + 32..9 + 64 * (i + 1)]);
            let hint = Hint::L2OutputRoot {
                output_root: root,
                chain_id,
            };
            backend.route_hint(&hint.encode()).unwrap();
            let output = backend.get_preimage(PreimageKey::keccak256(root)).unwrap();
            assert_eq!(keccak256(&output), root);
            // The block hash it commits to, then its header by a chain-suffixed hint.
            let block_hash = B256::from_slice(&output[96..]);
            let hint = Hint::L2BlockHeader {
                hash: block_hash,
                chain_id: Some(chain_id),
            };
            backend.route_hint(&hint.encode()).unwrap();
            let header = backend
                .get_preimage(PreimageKey::keccak256(block_hash))
                .unwrap();
            assert_eq!(keccak256(&header), block_hash);
        }
        // A chain the host has no node for.
        let hint = Hint::L2OutputRoot {
            output_root: B256::repeat_byte(1),
            chain_id: 7,
        };
        backend.route_hint(&hint.encode()).unwrap();
        assert!(
            backend
                .get_preimage(PreimageKey::keccak256(B256::repeat_byte(1)))
                .is_err()
        );
    })
    .await;
    for handle in handles {
        handle.abort();
    }
    result.unwrap();
}
