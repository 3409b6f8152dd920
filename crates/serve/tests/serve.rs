//! `koa devnet serve` over a real socket: every method a fault-proof host calls, answered from
//! the bundled devnet, checked against the chain's commitments (hashes, trie roots, KZG, the
//! state root for `eth_getProof`, re-execution for `debug_executionWitness`).

use alloy_consensus::Header;
use alloy_primitives::{Address, B256, Bytes, U256, address, keccak256};
use alloy_rlp::Decodable;
use alloy_trie::{Nibbles, TrieAccount, proof::verify_proof};
use koa_devnet::Devnet;
use koa_host::{
    blob::VerifiedBlob,
    rpc::{NodeClient, RetryPolicy, RpcError},
};
use koa_serve::{ChainData, Layer, ServeHandle, serve};
use serde_json::{Value, json};
use std::{collections::HashMap, sync::Arc, time::Duration};

const MESSAGE_PASSER: Address = address!("4200000000000000000000000000000000000016");
const L1_BLOCK: Address = address!("4200000000000000000000000000000000000015");

struct Fixture {
    devnet: Devnet,
    handle: ServeHandle,
    l1: NodeClient,
    l2: NodeClient,
    beacon: NodeClient,
}

async fn start() -> Fixture {
    let devnet = Devnet::bundled().expect("the bundled devnet loads");
    let chain = ChainData::from_devnet(&devnet).expect("the devnet's chain indexes");
    let handle = serve(chain, "127.0.0.1:0".parse().unwrap()).await.unwrap();
    let policy = RetryPolicy {
        attempts: 1,
        timeout: Duration::from_secs(60),
        ..RetryPolicy::default()
    };
    let client =
        |role: &str, url: String| NodeClient::new(role, &url, policy, Arc::default()).unwrap();
    Fixture {
        l1: client("L1", handle.l1_url()),
        l2: client("L2", handle.l2_url()),
        beacon: client("beacon", handle.beacon_url()),
        devnet,
        handle,
    }
}

/// Serves trie nodes and code from a witness, nothing else.
struct WitnessOnly(HashMap<B256, Bytes>);

impl koa_mpt::TrieProvider for WitnessOnly {
    type Error = koa_mpt::PreimageNotFound;

    fn trie_node_by_hash(&self, hash: B256) -> Result<Bytes, Self::Error> {
        self.0
            .get(&hash)
            .cloned()
            .ok_or(koa_mpt::PreimageNotFound(hash))
    }
}

fn header(raw: &Bytes) -> Header {
    Header::decode(&mut raw.as_ref()).unwrap()
}

fn tx_count(block: &Value) -> usize {
    block["transactions"].as_array().map_or(0, Vec::len)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn block_methods_on_both_chains() {
    let f = start().await;
    let chain = &f.devnet.chain;
    let l2_hashes: Vec<B256> = chain.l2_blocks.iter().map(|b| b.hash).collect();
    for (node, chain_id, hashes) in [
        (&f.l1, chain.l1_chain_id, &chain.l1_blocks),
        (&f.l2, chain.l2_chain_id, &l2_hashes),
    ] {
        let id: U256 = node.call("eth_chainId", ()).await.unwrap();
        assert_eq!(id, U256::from(chain_id));
        let head: U256 = node.call("eth_blockNumber", ()).await.unwrap();
        assert_eq!(head, U256::from(hashes.len() - 1));

        // The block with the most transactions among a sample, by number and by hash.
        let mut best: Option<(u64, B256, Value)> = None;
        for (number, hash) in hashes.iter().enumerate().step_by(3) {
            let block: Value = node
                .call("eth_getBlockByNumber", (format!("{number:#x}"), true))
                .await
                .unwrap();
            assert_eq!(block["hash"], json!(hash));
            if best
                .as_ref()
                .is_none_or(|(_, _, b)| tx_count(b) < tx_count(&block))
            {
                best = Some((number as u64, *hash, block));
            }
        }
        let (number, hash, block) = best.unwrap();
        assert!(tx_count(&block) > 0);
        let by_hash: Value = node.call("eth_getBlockByHash", (hash, true)).await.unwrap();
        assert_eq!(by_hash, block);
        let hashes_only: Value = node
            .call("eth_getBlockByHash", (hash, false))
            .await
            .unwrap();
        assert!(hashes_only["transactions"][0].is_string());

        let raw: Bytes = node.call("debug_getRawHeader", [hash]).await.unwrap();
        assert_eq!(keccak256(&raw), hash);
        let decoded = header(&raw);
        assert_eq!(decoded.number, number);
        // The block id as {"blockHash": …} too.
        let raw2: Bytes = node
            .call("debug_getRawHeader", [json!({ "blockHash": hash })])
            .await
            .unwrap();
        assert_eq!(raw2, raw);

        // Receipts: the L1 node's (the devnet records L2 receipts only as far as proofs need).
        if std::ptr::eq(node, &f.l1) {
            let receipts: Vec<Bytes> = node.call("debug_getRawReceipts", [hash]).await.unwrap();
            assert_eq!(koa_mpt::ordered_trie_root(&receipts), decoded.receipts_root);

            let tx_hash: B256 =
                serde_json::from_value(block["transactions"][0]["hash"].clone()).unwrap();
            let receipt: Value = node
                .call("eth_getTransactionReceipt", [tx_hash])
                .await
                .unwrap();
            assert_eq!(receipt["blockHash"], json!(hash));
            assert_eq!(receipt["transactionHash"], json!(tx_hash));
            assert_eq!(receipt["status"], json!("0x1"));
            let unknown: Value = node
                .call("eth_getTransactionReceipt", [B256::repeat_byte(7)])
                .await
                .unwrap();
            assert!(unknown.is_null());
        }
        let missing: Value = node
            .call("eth_getBlockByHash", (B256::repeat_byte(9), false))
            .await
            .unwrap();
        assert!(missing.is_null());
    }
    f.handle.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_proof_verifies_against_the_state_root() {
    let f = start().await;
    let block = &f.devnet.chain.l2_blocks[f.devnet.chain.l2_blocks.len() / 2];
    let raw: Bytes = f.l2.call("debug_getRawHeader", [block.hash]).await.unwrap();
    let state_root = header(&raw).state_root;
    let slot = B256::with_last_byte(1);
    for id in [
        json!(format!("{:#x}", block.number)),
        json!(block.hash),
        json!({ "blockHash": block.hash }),
    ] {
        for (address, slots) in [
            (L1_BLOCK, vec![slot, B256::ZERO]),
            (MESSAGE_PASSER, vec![]),
            (Address::repeat_byte(0xee), vec![slot]),
        ] {
            let proof: Value =
                f.l2.call("eth_getProof", (address, slots.clone(), id.clone()))
                    .await
                    .unwrap();
            let nodes: Vec<Bytes> = serde_json::from_value(proof["accountProof"].clone()).unwrap();
            let account = TrieAccount {
                nonce: serde_json::from_value::<U256>(proof["nonce"].clone())
                    .unwrap()
                    .to::<u64>(),
                balance: serde_json::from_value(proof["balance"].clone()).unwrap(),
                storage_root: serde_json::from_value(proof["storageHash"].clone()).unwrap(),
                code_hash: serde_json::from_value(proof["codeHash"].clone()).unwrap(),
            };
            let exists = account.code_hash != alloy_primitives::KECCAK256_EMPTY
                || account.nonce != 0
                || !account.balance.is_zero();
            let expected = exists.then(|| alloy_rlp::encode(account));
            verify_proof(
                state_root,
                Nibbles::unpack(keccak256(address)),
                expected,
                &nodes,
            )
            .unwrap_or_else(|err| panic!("account proof of {address} at {id}: {err:?}"));
            for (i, slot) in slots.iter().enumerate() {
                let entry = &proof["storageProof"][i];
                let value: U256 = serde_json::from_value(entry["value"].clone()).unwrap();
                let nodes: Vec<Bytes> = serde_json::from_value(entry["proof"].clone()).unwrap();
                let expected = (!value.is_zero()).then(|| alloy_rlp::encode(value));
                verify_proof(
                    account.storage_root,
                    Nibbles::unpack(keccak256(slot)),
                    expected,
                    &nodes,
                )
                .unwrap_or_else(|err| panic!("storage proof of {address}/{slot}: {err:?}"));
            }
            if address == L1_BLOCK {
                // L1Block is a predeploy with code and a populated storage.
                assert!(exists);
                let value: U256 =
                    serde_json::from_value(proof["storageProof"][0]["value"].clone()).unwrap();
                assert!(!value.is_zero());
                // debug_dbGet: the root node by hash, code by 0x63 ‖ hash and by hash.
                let root_node: Bytes = f.l2.call("debug_dbGet", [state_root]).await.unwrap();
                assert_eq!(keccak256(&root_node), state_root);
                let mut code_key = vec![b'c'];
                code_key.extend_from_slice(account.code_hash.as_slice());
                let code: Bytes =
                    f.l2.call("debug_dbGet", [Bytes::from(code_key)])
                        .await
                        .unwrap();
                assert_eq!(keccak256(&code), account.code_hash);
                let code2: Bytes = f.l2.call("debug_dbGet", [account.code_hash]).await.unwrap();
                assert_eq!(code2, code);
            }
        }
    }
    f.handle.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn execution_witness_reexecutes_the_block_and_outputs_match() {
    let f = start().await;
    let chain = ChainData::from_devnet(&f.devnet).unwrap();
    // The L2 block with the most transactions.
    let block = f
        .devnet
        .chain
        .l2_blocks
        .iter()
        .max_by_key(|b| b.transactions)
        .unwrap();
    let witness: Value =
        f.l2.call("debug_executionWitness", [format!("{:#x}", block.number)])
            .await
            .unwrap();
    let mut preimages: HashMap<B256, Bytes> = HashMap::new();
    for field in ["state", "codes", "keys", "headers"] {
        let items: Vec<Bytes> = serde_json::from_value(witness[field].clone()).unwrap();
        for item in items {
            preimages.insert(keccak256(&item), item);
        }
    }
    let header = chain.header(block.hash).unwrap();
    let parent = chain.header(header.parent_hash).unwrap();
    assert!(preimages.contains_key(&parent.state_root));
    let witness_size = preimages.len();
    // Executing the block with nothing but the witness rebuilds it.
    let provider = WitnessOnly(preimages);
    let executor = koa_executor::StatelessExecutor::new(
        chain.rollup_config(),
        &provider,
        koa_mpt::NoopTrieHinter,
    );
    let attributes = chain.attributes_of(block.hash).unwrap();
    let outcome = executor
        .execute(&parent, parent.hash_slow(), &attributes)
        .unwrap();
    assert_eq!(outcome.header.hash(), block.hash);
    assert!(witness_size > 10, "{witness_size} preimages");

    // debug_executePayload with the same attributes on the parent gives the same witness.
    let payload: Value =
        f.l2.call("debug_executePayload", (header.parent_hash, &attributes))
            .await
            .unwrap();
    assert_eq!(payload, witness);

    for entry in f.devnet.chain.l2_blocks.iter().step_by(11) {
        let output: Value =
            f.l2.call("optimism_outputAtBlock", [format!("{:#x}", entry.number)])
                .await
                .unwrap();
        assert_eq!(output["outputRoot"], json!(entry.output_root));
        assert_eq!(output["blockRef"]["hash"], json!(entry.hash));
        assert_eq!(
            output["blockRef"]["l1origin"]["number"],
            json!(entry.l1_origin)
        );
    }
    assert!(chain.index(Layer::L2).blocks.len() > 1);
    f.handle.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn beacon_serves_blobs_that_match_their_versioned_hashes() {
    let f = start().await;
    let genesis: Value = f.beacon.get_json("/eth/v1/beacon/genesis").await.unwrap();
    let genesis_time: u64 = genesis["data"]["genesis_time"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let spec: Value = f.beacon.get_json("/eth/v1/config/spec").await.unwrap();
    let seconds: u64 = spec["data"]["SECONDS_PER_SLOT"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let mut checked = 0;
    for hash in &f.devnet.chain.l1_blocks {
        let block: Value = f.l1.call("eth_getBlockByHash", (hash, true)).await.unwrap();
        let timestamp: U256 = serde_json::from_value(block["timestamp"].clone()).unwrap();
        let slot = (timestamp.to::<u64>() - genesis_time) / seconds;
        let versioned: Vec<B256> = block["transactions"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|tx| tx.get("blobVersionedHashes"))
            .flat_map(|v| serde_json::from_value::<Vec<B256>>(v.clone()).unwrap())
            .collect();
        if versioned.is_empty() {
            continue;
        }
        let sidecars: Value = f
            .beacon
            .get_json(&format!("/eth/v1/beacon/blob_sidecars/{slot}"))
            .await
            .unwrap();
        let sidecars = sidecars["data"].as_array().unwrap();
        assert_eq!(sidecars.len(), versioned.len());
        for (sidecar, hash) in sidecars.iter().zip(&versioned) {
            let blob: Bytes = serde_json::from_value(sidecar["blob"].clone()).unwrap();
            let commitment: Bytes =
                serde_json::from_value(sidecar["kzg_commitment"].clone()).unwrap();
            let proof: Bytes = serde_json::from_value(sidecar["kzg_proof"].clone()).unwrap();
            VerifiedBlob::verify(
                *hash,
                blob.to_vec(),
                commitment.as_ref().try_into().unwrap(),
                proof.as_ref().try_into().unwrap(),
            )
            .unwrap();
            let blobs: Value = f
                .beacon
                .get_json(&format!(
                    "/eth/v1/beacon/blobs/{slot}?versioned_hashes={hash}"
                ))
                .await
                .unwrap();
            assert_eq!(blobs["data"], json!([blob]));
            checked += 1;
        }
        if checked >= 2 {
            break;
        }
    }
    assert!(checked > 0, "the devnet carries blobs");
    f.handle.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_requests_get_errors_and_the_connection_survives() {
    let f = start().await;
    let err =
        f.l2.call::<_, Value>("eth_sendRawTransaction", ["0x00"])
            .await
            .unwrap_err();
    assert!(matches!(err, RpcError::MethodNotFound { .. }), "{err}");
    // L2-only methods are not on L1.
    let err =
        f.l1.call::<_, Value>("eth_getProof", (Address::ZERO, [B256::ZERO], "latest"))
            .await
            .unwrap_err();
    assert!(matches!(err, RpcError::MethodNotFound { .. }), "{err}");
    for params in [json!([]), json!(["not a hash"]), json!([42, 43])] {
        let err =
            f.l1.call::<_, Value>("debug_getRawHeader", params)
                .await
                .unwrap_err();
        assert!(matches!(err, RpcError::Remote { .. }), "{err}");
        assert!(err.to_string().contains("-32602"), "{err}");
    }
    let err =
        f.l2.call::<_, Value>("debug_dbGet", [B256::repeat_byte(3)])
            .await
            .unwrap_err();
    assert!(err.to_string().contains("not found"), "{err}");
    let err = f
        .beacon
        .get_json::<Value>("/eth/v1/beacon/blob_sidecars/999999999")
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            RpcError::MethodNotFound { .. } | RpcError::Remote { .. }
        ),
        "{err}"
    );
    // Still answering.
    let id: U256 = f.l2.call("eth_chainId", ()).await.unwrap();
    assert_eq!(id, U256::from(f.devnet.chain.l2_chain_id));
    // A non-loopback bind is refused.
    let chain = ChainData::from_devnet(&f.devnet).unwrap();
    assert!(serve(chain, "0.0.0.0:0".parse().unwrap()).await.is_err());
    f.handle.abort();
}
