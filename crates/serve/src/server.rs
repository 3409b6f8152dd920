//! The HTTP side: JSON-RPC at `/l1` and `/l2`, the beacon REST API under `/beacon`.

use crate::{
    chain::{BlobSidecar, ChainData, Layer, QueryError},
    super_roots::SuperRoots,
};
use alloy_primitives::{Address, B256, Bytes, U256};
use bytes::Bytes as BodyBytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::{Method, Request, Response, StatusCode, body::Incoming, service::service_fn};
use hyper_util::rt::TokioIo;
use koa_protocol::OpPayloadAttributes;
use serde_json::{Value, json};
use std::{
    convert::Infallible,
    net::SocketAddr,
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
};
use tokio::net::TcpListener;

/// The largest request body accepted (JSON-RPC requests are small).
const MAX_BODY: usize = 8 << 20;

/// JSON-RPC error codes.
const PARSE_ERROR: i64 = -32700;
const INVALID_REQUEST: i64 = -32600;
const METHOD_NOT_FOUND: i64 = -32601;
const INVALID_PARAMS: i64 = -32602;
const SERVER_ERROR: i64 = -32000;

/// A JSON-RPC error.
struct RpcFailure {
    code: i64,
    message: String,
}

impl RpcFailure {
    fn params(message: impl Into<String>) -> Self {
        Self {
            code: INVALID_PARAMS,
            message: message.into(),
        }
    }
}

impl From<QueryError> for RpcFailure {
    fn from(err: QueryError) -> Self {
        Self {
            code: match err {
                QueryError::Invalid(_) => INVALID_PARAMS,
                QueryError::NotFound(_) | QueryError::Missing(_) => SERVER_ERROR,
            },
            message: err.to_string(),
        }
    }
}

/// Requests answered, per endpoint, for tests and figures.
#[derive(Debug, Default)]
pub struct ServeStats {
    /// JSON-RPC calls answered (each call of a batch counts).
    pub rpc_calls: AtomicU64,
    /// Beacon REST requests answered.
    pub beacon_requests: AtomicU64,
}

/// The node's state shared by every connection.
struct Node {
    chain: ChainData,
    super_roots: Option<Arc<SuperRoots>>,
    stats: Arc<ServeStats>,
}

/// A running server.
#[derive(Debug)]
pub struct ServeHandle {
    /// The bound address.
    pub addr: SocketAddr,
    /// Request counters.
    pub stats: Arc<ServeStats>,
    task: tokio::task::JoinHandle<()>,
}

impl ServeHandle {
    /// The L1 execution node's URL.
    pub fn l1_url(&self) -> String {
        format!("http://{}/l1", self.addr)
    }

    /// The L1 beacon node's URL.
    pub fn beacon_url(&self) -> String {
        format!("http://{}/beacon", self.addr)
    }

    /// The L2 execution node's URL.
    pub fn l2_url(&self) -> String {
        format!("http://{}/l2", self.addr)
    }

    /// Stops serving.
    pub fn abort(&self) {
        self.task.abort();
    }

    /// Serves until the task ends (it does not, unless aborted).
    pub async fn join(self) {
        let _ = self.task.await;
    }
}

/// Binds `addr` (which must be a loopback address) and serves `chain` on the current Tokio
/// runtime.
pub async fn serve(chain: ChainData, addr: SocketAddr) -> std::io::Result<ServeHandle> {
    serve_with_super_roots(chain, None, addr).await
}

/// [`serve`], also answering `superroot_atTimestamp` from `super_roots` (every chain of a
/// multi-chain devnet shares them).
pub async fn serve_with_super_roots(
    chain: ChainData,
    super_roots: Option<Arc<SuperRoots>>,
    addr: SocketAddr,
) -> std::io::Result<ServeHandle> {
    if !addr.ip().is_loopback() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("refusing to bind {addr}: koa devnet serve binds loopback addresses only"),
        ));
    }
    let listener = TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?;
    let stats = Arc::new(ServeStats::default());
    let node = Arc::new(Node {
        chain,
        super_roots,
        stats: Arc::clone(&stats),
    });
    let task = tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let node = Arc::clone(&node);
            tokio::spawn(async move {
                let service = service_fn(move |request| {
                    let node = Arc::clone(&node);
                    async move { Ok::<_, Infallible>(node.handle(request).await) }
                });
                if let Err(err) = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await
                {
                    tracing::debug!(%err, "connection ended with an error");
                }
            });
        }
    });
    Ok(ServeHandle { addr, stats, task })
}

fn json_response(status: StatusCode, value: &Value) -> Response<Full<BodyBytes>> {
    let mut response = Response::new(Full::new(BodyBytes::from(value.to_string())));
    *response.status_mut() = status;
    response.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("application/json"),
    );
    response
}

fn rest_error(status: StatusCode, message: &str) -> Response<Full<BodyBytes>> {
    json_response(
        status,
        &json!({ "code": status.as_u16(), "message": message }),
    )
}

impl Node {
    async fn handle(self: Arc<Self>, request: Request<Incoming>) -> Response<Full<BodyBytes>> {
        let path: String = request.uri().path().to_string();
        let query: String = request.uri().query().unwrap_or_default().to_string();
        let method = request.method().clone();
        let layer = match path.trim_end_matches('/') {
            "/l1" => Some(Layer::L1),
            "/l2" => Some(Layer::L2),
            _ => None,
        };
        if let Some(layer) = layer {
            if method != Method::POST {
                return rest_error(StatusCode::METHOD_NOT_ALLOWED, "JSON-RPC needs POST");
            }
            let body = match Limited::new(request.into_body(), MAX_BODY).collect().await {
                Ok(body) => body.to_bytes(),
                Err(err) => return rest_error(StatusCode::PAYLOAD_TOO_LARGE, &err.to_string()),
            };
            // Executing blocks for witnesses is CPU work: keep it off the async workers.
            let node = Arc::clone(&self);
            let answer = tokio::task::spawn_blocking(move || node.rpc_body(layer, &body))
                .await
                .unwrap_or_else(|err| {
                    json!({"jsonrpc": "2.0", "id": null, "error": {"code": SERVER_ERROR, "message": err.to_string()}})
                });
            return json_response(StatusCode::OK, &answer);
        }
        if let Some(rest) = path.strip_prefix("/beacon") {
            if method != Method::GET {
                return rest_error(
                    StatusCode::METHOD_NOT_ALLOWED,
                    "the beacon API here is GET only",
                );
            }
            self.stats.beacon_requests.fetch_add(1, Ordering::Relaxed);
            let node = Arc::clone(&self);
            let rest = rest.to_string();
            return tokio::task::spawn_blocking(move || node.beacon(&rest, &query))
                .await
                .unwrap_or_else(|err| {
                    rest_error(StatusCode::INTERNAL_SERVER_ERROR, &err.to_string())
                });
        }
        rest_error(
            StatusCode::NOT_FOUND,
            "unknown path: use /l1, /l2 (JSON-RPC) or /beacon (beacon API)",
        )
    }

    /// Answers a JSON-RPC body: one request or a batch.
    fn rpc_body(&self, layer: Layer, body: &[u8]) -> Value {
        let request: Value = match serde_json::from_slice(body) {
            Ok(request) => request,
            Err(err) => {
                return error_object(Value::Null, PARSE_ERROR, &format!("parse error: {err}"));
            }
        };
        match request {
            Value::Array(batch) if !batch.is_empty() => {
                Value::Array(batch.iter().map(|r| self.rpc_one(layer, r)).collect())
            }
            Value::Array(_) => error_object(Value::Null, INVALID_REQUEST, "empty batch"),
            single => self.rpc_one(layer, &single),
        }
    }

    fn rpc_one(&self, layer: Layer, request: &Value) -> Value {
        self.stats.rpc_calls.fetch_add(1, Ordering::Relaxed);
        let id = request.get("id").cloned().unwrap_or(Value::Null);
        let Some(method) = request.get("method").and_then(Value::as_str) else {
            return error_object(id, INVALID_REQUEST, "no method");
        };
        let params: Vec<Value> = match request.get("params") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(params)) => params.clone(),
            Some(_) => return error_object(id, INVALID_PARAMS, "params must be an array"),
        };
        tracing::trace!(?layer, method, "rpc");
        match self.dispatch(layer, method, &params) {
            Ok(result) => json!({"jsonrpc": "2.0", "id": id, "result": result}),
            Err(failure) => error_object(id, failure.code, &failure.message),
        }
    }

    fn dispatch(&self, layer: Layer, method: &str, params: &[Value]) -> Result<Value, RpcFailure> {
        let chain = &self.chain;
        match (layer, method) {
            (_, "eth_chainId") => Ok(json!(U256::from(chain.index(layer).chain_id))),
            (_, "eth_blockNumber") => Ok(json!(U256::from(chain.head_number(layer)))),
            (_, "eth_getBlockByHash" | "eth_getBlockByNumber") => {
                let Some(hash) = self.block_hash(layer, param(params, 0)?)? else {
                    return Ok(Value::Null);
                };
                let full = match params.get(1) {
                    None | Some(Value::Null) => false,
                    Some(Value::Bool(full)) => *full,
                    Some(_) => return Err(RpcFailure::params("the second parameter is a boolean")),
                };
                Ok(chain.block_json(layer, hash, full)?)
            }
            (_, "debug_getRawHeader") => {
                let hash = self.existing_block(layer, param(params, 0)?)?;
                Ok(json!(chain.raw_header(hash)?))
            }
            (_, "debug_getRawReceipts") => {
                let hash = self.existing_block(layer, param(params, 0)?)?;
                Ok(json!(chain.raw_receipts(hash)?))
            }
            (_, "debug_getRawTransactions") => {
                let hash = self.existing_block(layer, param(params, 0)?)?;
                Ok(json!(chain.raw_transactions(hash)?))
            }
            (_, "eth_getTransactionReceipt") => {
                let hash: B256 = decode(param(params, 0)?, "a transaction hash")?;
                Ok(chain.receipt_json(hash)?.unwrap_or(Value::Null))
            }
            (Layer::L2, "eth_getProof") => {
                let address: Address = decode(param(params, 0)?, "an address")?;
                let slots: Vec<U256> = decode(param(params, 1)?, "a list of storage keys")?;
                let slots: Vec<B256> = slots.into_iter().map(B256::from).collect();
                let hash = self.existing_block(layer, param(params, 2)?)?;
                Ok(chain.proof_json(hash, address, &slots)?)
            }
            (Layer::L2, "debug_dbGet") => {
                let key: Bytes = decode(param(params, 0)?, "a hex key")?;
                Ok(json!(chain.db_get(&key)?))
            }
            (Layer::L2, "debug_executionWitness") => {
                let hash = self.existing_block(layer, param(params, 0)?)?;
                let header = chain.header(hash)?;
                let attributes = chain.attributes_of(hash)?;
                Ok(chain.execution_witness(header.parent_hash, &attributes)?)
            }
            (Layer::L2, "debug_executePayload") => {
                let parent: B256 = decode(param(params, 0)?, "a parent block hash")?;
                let attributes: OpPayloadAttributes =
                    decode(param(params, 1)?, "payload attributes")?;
                if !chain.contains(Layer::L2, parent) {
                    return Err(QueryError::NotFound(format!("L2 block {parent}")).into());
                }
                Ok(chain.execution_witness(parent, &attributes)?)
            }
            (Layer::L2, "optimism_outputAtBlock") => {
                let number: U256 = decode(param(params, 0)?, "a block number")?;
                let number: u64 = number
                    .try_into()
                    .map_err(|_| RpcFailure::params("block number too large"))?;
                Ok(chain.output_at_block(number)?)
            }
            (_, "superroot_atTimestamp") => {
                let Some(super_roots) = &self.super_roots else {
                    return Err(RpcFailure {
                        code: METHOD_NOT_FOUND,
                        message: "superroot_atTimestamp: this node serves no super roots".into(),
                    });
                };
                let timestamp: U256 = decode(param(params, 0)?, "a timestamp")?;
                let timestamp: u64 = timestamp
                    .try_into()
                    .map_err(|_| RpcFailure::params("timestamp too large"))?;
                Ok(super_roots.at_timestamp_json(timestamp))
            }
            (Layer::L2, "optimism_rollupConfig") => Ok(serde_json::to_value(chain.rollup_config())
                .map_err(|err| RpcFailure::params(err.to_string()))?),
            _ => Err(RpcFailure {
                code: METHOD_NOT_FOUND,
                message: format!("the method {method} does not exist/is not available"),
            }),
        }
    }

    /// Resolves a block id: a number (hex quantity), a tag, a hash, or `{"blockHash": …}` /
    /// `{"blockNumber": …}`. `None` when the chain has no such block.
    fn block_hash(&self, layer: Layer, id: &Value) -> Result<Option<B256>, RpcFailure> {
        let chain = &self.chain;
        match id {
            Value::String(text) => match text.as_str() {
                "latest" | "safe" | "finalized" | "pending" => {
                    Ok(chain.hash_by_number(layer, chain.head_number(layer)))
                }
                "earliest" => Ok(chain.hash_by_number(layer, 0)),
                _ if text.len() == 66 => {
                    let hash: B256 = decode(id, "a block hash")?;
                    Ok(chain.contains(layer, hash).then_some(hash))
                }
                _ => {
                    let number: U256 = decode(id, "a block number, tag or hash")?;
                    let number: u64 = number
                        .try_into()
                        .map_err(|_| RpcFailure::params("block number too large"))?;
                    Ok(chain.hash_by_number(layer, number))
                }
            },
            Value::Object(object) => {
                if let Some(hash) = object.get("blockHash") {
                    let hash: B256 = decode(hash, "a block hash")?;
                    Ok(chain.contains(layer, hash).then_some(hash))
                } else if let Some(number) = object.get("blockNumber") {
                    self.block_hash(layer, number)
                } else {
                    Err(RpcFailure::params(
                        "a block id object has blockHash or blockNumber",
                    ))
                }
            }
            _ => Err(RpcFailure::params(
                "expected a block number, tag, hash or block id object",
            )),
        }
    }

    fn existing_block(&self, layer: Layer, id: &Value) -> Result<B256, RpcFailure> {
        self.block_hash(layer, id)?
            .ok_or_else(|| QueryError::NotFound(format!("block {id}")).into())
    }

    /// The slot named by a path segment and the blobs of the L1 block at it.
    fn blobs_at_slot(&self, slot: &str) -> Result<(u64, Vec<BlobSidecar>), QueryError> {
        let slot: u64 = slot
            .parse()
            .map_err(|_| QueryError::Invalid("the slot must be a number".into()))?;
        let blobs = self
            .chain
            .blobs_at_slot(slot, &koa_host::blob::evaluation_point)?;
        Ok((slot, blobs))
    }

    /// Answers a beacon API GET `path` (below `/beacon`).
    fn beacon(&self, path: &str, query: &str) -> Response<Full<BodyBytes>> {
        let timing = self.chain.timing();
        let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
        match parts.as_slice() {
            ["eth", "v1", "beacon", "genesis"] => json_response(
                StatusCode::OK,
                &json!({"data": {
                    "genesis_time": timing.genesis_time.to_string(),
                    "genesis_validators_root": B256::ZERO,
                    "genesis_fork_version": "0x00000000",
                }}),
            ),
            ["eth", "v1", "config", "spec"] => json_response(
                StatusCode::OK,
                &json!({"data": {
                    "SECONDS_PER_SLOT": timing.seconds_per_slot.to_string(),
                    "FIELD_ELEMENTS_PER_BLOB": "4096",
                }}),
            ),
            ["eth", "v1", "beacon", "blob_sidecars", slot] => {
                let indices: Option<Vec<u64>> = query_values(query, "indices")
                    .map(|values| values.iter().filter_map(|v| v.parse().ok()).collect());
                let (slot, blobs) = match self.blobs_at_slot(slot) {
                    Ok(found) => found,
                    Err(err) => return beacon_query_error(&err),
                };
                let data: Vec<Value> = blobs
                    .into_iter()
                    .filter(|b| indices.as_ref().is_none_or(|i| i.contains(&b.index)))
                    .map(|b| {
                        json!({
                            "index": b.index.to_string(),
                            "blob": Bytes::from(b.blob),
                            "kzg_commitment": b.commitment,
                            "kzg_proof": b.proof,
                            "signed_block_header": {
                                "message": {
                                    "slot": slot.to_string(),
                                    "proposer_index": "0",
                                    "parent_root": B256::ZERO,
                                    "state_root": B256::ZERO,
                                    "body_root": B256::ZERO,
                                },
                                "signature": Bytes::from(vec![0u8; 96]),
                            },
                            "kzg_commitment_inclusion_proof": vec![B256::ZERO; 17],
                        })
                    })
                    .collect();
                json_response(StatusCode::OK, &json!({ "data": data }))
            }
            ["eth", "v1", "beacon", "blobs", slot] => {
                let wanted: Option<Vec<B256>> = match query_values(query, "versioned_hashes") {
                    None => None,
                    Some(values) => match values.iter().map(|v| v.parse::<B256>()).collect() {
                        Ok(hashes) => Some(hashes),
                        Err(_) => {
                            return rest_error(StatusCode::BAD_REQUEST, "malformed versioned hash");
                        }
                    },
                };
                let (_, blobs) = match self.blobs_at_slot(slot) {
                    Ok(found) => found,
                    Err(err) => return beacon_query_error(&err),
                };
                let data: Vec<Value> = blobs
                    .into_iter()
                    .filter(|b| {
                        wanted
                            .as_ref()
                            .is_none_or(|w| w.contains(&b.versioned_hash))
                    })
                    .map(|b| json!(Bytes::from(b.blob)))
                    .collect();
                json_response(StatusCode::OK, &json!({ "data": data }))
            }
            _ => rest_error(
                StatusCode::NOT_FOUND,
                &format!("unknown beacon API path {path}"),
            ),
        }
    }
}

fn beacon_query_error(err: &QueryError) -> Response<Full<BodyBytes>> {
    let status = match err {
        QueryError::NotFound(_) => StatusCode::NOT_FOUND,
        QueryError::Invalid(_) => StatusCode::BAD_REQUEST,
        QueryError::Missing(_) => StatusCode::INTERNAL_SERVER_ERROR,
    };
    rest_error(status, &err.to_string())
}

/// The values of query parameter `name`, repeated or comma-separated.
fn query_values(query: &str, name: &str) -> Option<Vec<String>> {
    let mut values: Vec<String> = Vec::new();
    let mut found = false;
    for pair in query.split('&') {
        if let Some((key, value)) = pair.split_once('=')
            && key == name
        {
            found = true;
            values.extend(
                value
                    .split("%2C")
                    .flat_map(|v| v.split(','))
                    .map(str::to_string),
            );
        }
    }
    found.then_some(values)
}

fn error_object(id: Value, code: i64, message: &str) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message}})
}

fn param(params: &[Value], index: usize) -> Result<&Value, RpcFailure> {
    params
        .get(index)
        .ok_or_else(|| RpcFailure::params(format!("missing parameter {index}")))
}

fn decode<T: serde::de::DeserializeOwned>(value: &Value, what: &str) -> Result<T, RpcFailure> {
    serde_json::from_value(value.clone())
        .map_err(|err| RpcFailure::params(format!("expected {what}: {err}")))
}
