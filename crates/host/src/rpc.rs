//! A small async JSON-RPC and REST client over HTTP/1.1 (hyper; `https://` through rustls with
//! Mozilla's root certificates), with bounded retries,
//! exponential backoff, per-request timeouts and a concurrency limit per node.
//!
//! Every error names the node (e.g. "L2 execution node at http://…") and the method, so a
//! missing `debug_dbGet` or an unreachable beacon node is obvious from the one-line message.
//!
//! A node is not trusted with the host's memory: an answer is read as it streams in and
//! refused once it passes what its method can legitimately return
//! ([`max_response_bytes`]), and the JSON-RPC envelope keeps its `result` as raw text that is
//! parsed straight into the method's typed answer (no `serde_json::Value` tree, which costs
//! about 17 times the answer).

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::{Method, Request, StatusCode, Uri};
use hyper_rustls::{HttpsConnector, HttpsConnectorBuilder};
use hyper_util::{
    client::legacy::{Client, connect::HttpConnector},
    rt::TokioExecutor,
};
use serde::{Serialize, de::DeserializeOwned};
use serde_json::value::RawValue;
use std::{
    collections::BTreeMap,
    fmt,
    sync::{
        Arc, Mutex,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};
use tokio::sync::Semaphore;

/// The JSON-RPC error code for an unknown method.
const METHOD_NOT_FOUND: i64 = -32601;

const KIB: usize = 1 << 10;
const MIB: usize = 1 << 20;

/// The largest answer a node may send to `method` (a JSON-RPC method or a REST path), in
/// bytes: what the method can legitimately return, hex-encoded in JSON, with room to spare.
///
/// - a chain id or block number: 4 KiB;
/// - one trie node or contract code (`debug_dbGet`: a node is at most 532 bytes, code at most
///   24 KiB, EIP-170; 48 KiB of init code, EIP-3860) or a header: 1 MiB;
/// - a Merkle proof (`eth_getProof`): 16 MiB;
/// - a block with its transactions, its receipts or raw transactions, or a beacon block's blob
///   sidecars (128 KiB a blob): 64 MiB (an L1 block's RLP is capped near 8 MiB by EIP-7934 and
///   an L2 block by its gas limit; logs cost 8 gas a byte);
/// - a whole block's execution witness (`debug_executionWitness`, `debug_executePayload`):
///   256 MiB.
pub fn max_response_bytes(method: &str) -> usize {
    match method {
        "eth_chainId" | "eth_blockNumber" | "net_version" => 4 * KIB,
        "debug_dbGet" | "debug_getRawHeader" => MIB,
        "eth_getProof" => 16 * MIB,
        "debug_executionWitness" | "debug_executePayload" => 256 * MIB,
        _ => 64 * MIB,
    }
}

/// How a client retries and bounds its requests.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// Attempts per request, the first included (at least 1).
    pub attempts: u32,
    /// The pause after the first failed attempt; doubled after each further failure.
    pub initial_backoff: Duration,
    /// The longest pause between attempts.
    pub max_backoff: Duration,
    /// The limit on one attempt, from connecting to the last byte of the answer.
    pub timeout: Duration,
    /// Requests in flight to this node at most.
    pub max_concurrent: usize,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            attempts: 5,
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(2),
            timeout: Duration::from_secs(30),
            max_concurrent: 16,
        }
    }
}

impl RetryPolicy {
    /// The pause after failed attempt number `attempt` (1-based).
    fn backoff(&self, attempt: u32) -> Duration {
        let factor: u32 = 1u32 << attempt.saturating_sub(1).min(16);
        self.initial_backoff
            .saturating_mul(factor)
            .min(self.max_backoff)
    }
}

/// Why a request to a node failed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum RpcError {
    /// The node could not be reached (connection refused, reset, timeout), after every retry.
    #[error("{node}: {method} failed after {attempts} attempts: {reason}")]
    Unreachable {
        /// The node, named with its URL.
        node: String,
        /// The method or REST path.
        method: String,
        /// Attempts made.
        attempts: u32,
        /// The last failure.
        reason: String,
    },
    /// The node does not serve the method.
    #[error("{node} does not support {method}: {message}")]
    MethodNotFound {
        /// The node, named with its URL.
        node: String,
        /// The method or REST path.
        method: String,
        /// The node's message.
        message: String,
    },
    /// The node answered with a JSON-RPC error or a non-success HTTP status.
    #[error("{node}: {method} returned an error: {message}")]
    Remote {
        /// The node, named with its URL.
        node: String,
        /// The method or REST path.
        method: String,
        /// The error code and message.
        message: String,
    },
    /// The answer is larger than the method can legitimately return.
    #[error(
        "{node}: {method} sent an answer of more than {limit} bytes, more than the method can return: refused"
    )]
    TooLarge {
        /// The node, named with its URL.
        node: String,
        /// The method or REST path.
        method: String,
        /// The cap ([`max_response_bytes`]).
        limit: usize,
    },
    /// The answer is not what the method returns.
    #[error("{node}: {method} returned a malformed answer: {reason}")]
    Malformed {
        /// The node, named with its URL.
        node: String,
        /// The method or REST path.
        method: String,
        /// What is wrong.
        reason: String,
    },
    /// The node's address is not a usable `http://` URL.
    #[error("{node}: bad address {url:?}: {reason}")]
    BadAddress {
        /// The node's role.
        node: String,
        /// The address given.
        url: String,
        /// What is wrong.
        reason: String,
    },
}

/// Counts of requests and bytes, for the run summary and the figures.
#[derive(Debug, Default)]
pub struct RpcStats {
    requests: AtomicU64,
    bytes: AtomicU64,
    by_method: Mutex<BTreeMap<String, u64>>,
}

impl RpcStats {
    /// Requests sent (retries included).
    pub fn requests(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    /// Response body bytes received.
    pub fn bytes(&self) -> u64 {
        self.bytes.load(Ordering::Relaxed)
    }

    /// Requests per method.
    pub fn by_method(&self) -> BTreeMap<String, u64> {
        self.by_method
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    fn record(&self, method: &str, bytes: usize) {
        self.requests.fetch_add(1, Ordering::Relaxed);
        self.bytes.fetch_add(bytes as u64, Ordering::Relaxed);
        *self
            .by_method
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .entry(method.to_string())
            .or_default() += 1;
    }
}

/// One failed attempt: retried or not.
enum Attempt {
    Retry(String),
    Fatal(RpcError),
}

/// An HTTP client for one node.
#[derive(Clone)]
pub struct NodeClient {
    /// The node's role and URL, as errors name it.
    name: String,
    base: String,
    client: Client<HttpsConnector<HttpConnector>, Full<Bytes>>,
    policy: RetryPolicy,
    limit: Arc<Semaphore>,
    next_id: Arc<AtomicU64>,
    stats: Arc<RpcStats>,
}

impl fmt::Debug for NodeClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NodeClient")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl NodeClient {
    /// A client for the node at `url` (`http://` or `https://`), called `role` in errors
    /// (e.g. "L1 execution node"). Requests are counted in `stats`.
    pub fn new(
        role: &str,
        url: &str,
        policy: RetryPolicy,
        stats: Arc<RpcStats>,
    ) -> Result<Self, RpcError> {
        let bad = |reason: &str| RpcError::BadAddress {
            node: role.to_string(),
            url: url.to_string(),
            reason: reason.to_string(),
        };
        let uri: Uri = url.parse().map_err(|_| bad("not a URL"))?;
        if !matches!(uri.scheme_str(), Some("http" | "https")) {
            return Err(bad("expected an http:// or https:// URL"));
        }
        if uri.host().is_none() {
            return Err(bad("no host"));
        }
        let mut connector = HttpConnector::new();
        connector.set_connect_timeout(Some(policy.timeout));
        connector.set_nodelay(true);
        // The HTTP connector must hand `https` URIs on to the TLS layer.
        connector.enforce_http(false);
        let connector = HttpsConnectorBuilder::new()
            .with_webpki_roots()
            .https_or_http()
            .enable_http1()
            .wrap_connector(connector);
        let client = Client::builder(TokioExecutor::new())
            .pool_idle_timeout(Duration::from_secs(30))
            .build(connector);
        Ok(Self {
            name: format!("{role} at {url}"),
            base: url.trim_end_matches('/').to_string(),
            client,
            policy,
            limit: Arc::new(Semaphore::new(policy.max_concurrent.max(1))),
            next_id: Arc::new(AtomicU64::new(1)),
            stats,
        })
    }

    /// The node's role and URL.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Calls JSON-RPC `method` with `params` (a JSON array) and decodes its result.
    pub async fn call<P: Serialize, R: DeserializeOwned>(
        &self,
        method: &str,
        params: P,
    ) -> Result<R, RpcError> {
        let id: u64 = self.next_id.fetch_add(1, Ordering::Relaxed);
        let body: Vec<u8> = serde_json::to_vec(&serde_json::json!({
            "jsonrpc": "2.0",
            "id": id,
            "method": method,
            "params": params,
        }))
        .map_err(|err| self.malformed(method, format!("cannot encode params: {err}")))?;
        let body: Bytes = Bytes::from(body);
        let answer: Bytes = self
            .request(method, Method::POST, &self.base, Some(body))
            .await?;
        let response: JsonRpcResponse = serde_json::from_slice(&answer)
            .map_err(|err| self.malformed(method, format!("not a JSON-RPC response: {err}")))?;
        if let Some(error) = response.error {
            return Err(if error.code == METHOD_NOT_FOUND {
                RpcError::MethodNotFound {
                    node: self.name.clone(),
                    method: method.to_string(),
                    message: error.message,
                }
            } else {
                RpcError::Remote {
                    node: self.name.clone(),
                    method: method.to_string(),
                    message: format!("code {}: {}", error.code, error.message),
                }
            });
        }
        // A missing result reads as `null`, which decodes only into an `Option`.
        let result: &str = response.result.as_deref().map_or("null", RawValue::get);
        serde_json::from_str(result).map_err(|err| self.malformed(method, err.to_string()))
    }

    /// GETs `path` (with its query) from a REST API and decodes the JSON answer.
    pub async fn get_json<R: DeserializeOwned>(&self, path: &str) -> Result<R, RpcError> {
        let url: String = format!("{}{path}", self.base);
        let answer: Bytes = self.request(path, Method::GET, &url, None).await?;
        serde_json::from_slice(&answer).map_err(|err| self.malformed(path, err.to_string()))
    }

    fn malformed(&self, method: &str, reason: String) -> RpcError {
        RpcError::Malformed {
            node: self.name.clone(),
            method: method.to_string(),
            reason,
        }
    }

    /// Sends one request with retries; returns the body of a successful answer.
    async fn request(
        &self,
        method: &str,
        verb: Method,
        url: &str,
        body: Option<Bytes>,
    ) -> Result<Bytes, RpcError> {
        let attempts: u32 = self.policy.attempts.max(1);
        let mut last: String = String::new();
        for attempt in 1..=attempts {
            let permit = self.limit.acquire().await;
            let result = tokio::time::timeout(
                self.policy.timeout,
                self.attempt(method, verb.clone(), url, body.clone()),
            )
            .await;
            drop(permit);
            match result {
                Ok(Ok(bytes)) => return Ok(bytes),
                Ok(Err(Attempt::Fatal(err))) => return Err(err),
                Ok(Err(Attempt::Retry(reason))) => last = reason,
                Err(_) => last = format!("no answer within {:?}", self.policy.timeout),
            }
            if attempt < attempts {
                let pause: Duration = self.policy.backoff(attempt);
                tracing::debug!(node = %self.name, method, attempt, ?pause, reason = %last, "retrying");
                tokio::time::sleep(pause).await;
            }
        }
        Err(RpcError::Unreachable {
            node: self.name.clone(),
            method: method.to_string(),
            attempts,
            reason: last,
        })
    }

    async fn attempt(
        &self,
        method: &str,
        verb: Method,
        url: &str,
        body: Option<Bytes>,
    ) -> Result<Bytes, Attempt> {
        let mut builder = Request::builder().method(verb).uri(url);
        if body.is_some() {
            builder = builder.header(hyper::header::CONTENT_TYPE, "application/json");
        }
        let request = builder
            .body(Full::new(body.unwrap_or_default()))
            .map_err(|err| Attempt::Fatal(self.malformed(method, err.to_string())))?;
        let response = self
            .client
            .request(request)
            .await
            .map_err(|err| Attempt::Retry(describe_client_error(&err)))?;
        let status: StatusCode = response.status();
        let limit: usize = max_response_bytes(method);
        let bytes: Bytes = self
            .read_capped(method, response.into_body(), limit)
            .await?;
        self.stats.record(method, bytes.len());
        if status.is_success() {
            return Ok(bytes);
        }
        let text: String = String::from_utf8_lossy(&bytes[..bytes.len().min(200)]).into_owned();
        if status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS {
            return Err(Attempt::Retry(format!("HTTP {status}: {text}")));
        }
        // A JSON-RPC server may answer an unknown method with a 4xx and a JSON-RPC error body.
        if let Ok(response) = serde_json::from_slice::<JsonRpcResponse>(&bytes)
            && let Some(error) = response.error
            && error.code == METHOD_NOT_FOUND
        {
            return Err(Attempt::Fatal(RpcError::MethodNotFound {
                node: self.name.clone(),
                method: method.to_string(),
                message: error.message,
            }));
        }
        let error = if status == StatusCode::NOT_FOUND || status == StatusCode::METHOD_NOT_ALLOWED {
            RpcError::MethodNotFound {
                node: self.name.clone(),
                method: method.to_string(),
                message: format!("HTTP {status}: {text}"),
            }
        } else {
            RpcError::Remote {
                node: self.name.clone(),
                method: method.to_string(),
                message: format!("HTTP {status}: {text}"),
            }
        };
        Err(Attempt::Fatal(error))
    }
}

impl NodeClient {
    /// Reads `body` as it streams in, refusing it past `limit` bytes (a declared
    /// `Content-Length` past it is refused before a byte is read).
    async fn read_capped(
        &self,
        method: &str,
        mut body: hyper::body::Incoming,
        limit: usize,
    ) -> Result<Bytes, Attempt> {
        use hyper::body::Body;
        let too_large = || {
            Attempt::Fatal(RpcError::TooLarge {
                node: self.name.clone(),
                method: method.to_string(),
                limit,
            })
        };
        if body.size_hint().lower() > limit as u64 {
            return Err(too_large());
        }
        let mut bytes: Vec<u8> = Vec::new();
        while let Some(frame) = body.frame().await {
            let frame =
                frame.map_err(|err| Attempt::Retry(format!("reading the answer failed: {err}")))?;
            if let Ok(data) = frame.into_data() {
                if bytes.len() + data.len() > limit {
                    return Err(too_large());
                }
                bytes.extend_from_slice(&data);
            }
        }
        Ok(Bytes::from(bytes))
    }
}

/// The innermost cause of a client error, which is what a user needs ("Connection refused").
fn describe_client_error(err: &hyper_util::client::legacy::Error) -> String {
    let mut source: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(err);
    let mut message: String = err.to_string();
    while let Some(inner) = source {
        message = inner.to_string();
        source = inner.source();
    }
    message
}

#[derive(serde::Deserialize)]
struct JsonRpcResponse {
    #[serde(default)]
    result: Option<Box<RawValue>>,
    #[serde(default)]
    error: Option<JsonRpcError>,
}

#[derive(serde::Deserialize)]
struct JsonRpcError {
    code: i64,
    #[serde(default)]
    message: String,
}
