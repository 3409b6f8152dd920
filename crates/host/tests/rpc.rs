//! The JSON-RPC client against small servers on 127.0.0.1: bounded retries with backoff, an
//! error naming the node and method for an unreachable node, a missing method and a wrong
//! answer.

use bytes::Bytes;
use http_body_util::Full;
use hyper::{Response, StatusCode, service::service_fn};
use hyper_util::rt::TokioIo;
use koa_host::rpc::{NodeClient, RetryPolicy, RpcError, RpcStats};
use std::{
    convert::Infallible,
    net::SocketAddr,
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

fn policy() -> RetryPolicy {
    RetryPolicy {
        attempts: 3,
        initial_backoff: Duration::from_millis(10),
        max_backoff: Duration::from_millis(40),
        timeout: Duration::from_secs(2),
        max_concurrent: 4,
    }
}

/// Serves `answer(request number)` as (status, body) on a fresh loopback port.
async fn server(answer: fn(u64) -> (StatusCode, &'static str)) -> (SocketAddr, Arc<AtomicU64>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let count = Arc::new(AtomicU64::new(0));
    let served = Arc::clone(&count);
    tokio::spawn(async move {
        loop {
            let (stream, _) = listener.accept().await.unwrap();
            let served = Arc::clone(&served);
            tokio::spawn(async move {
                let service = service_fn(move |_request| {
                    let n = served.fetch_add(1, Ordering::SeqCst);
                    let (status, body) = answer(n);
                    let mut response =
                        Response::new(Full::new(Bytes::from_static(body.as_bytes())));
                    *response.status_mut() = status;
                    async move { Ok::<_, Infallible>(response) }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    (addr, count)
}

fn client(addr: SocketAddr) -> NodeClient {
    NodeClient::new(
        "L2 execution node",
        &format!("http://{addr}"),
        policy(),
        Arc::default(),
    )
    .unwrap()
}

#[tokio::test]
async fn retries_server_errors_then_succeeds() {
    let (addr, count) = server(|n| {
        if n < 2 {
            (StatusCode::SERVICE_UNAVAILABLE, "busy")
        } else {
            (
                StatusCode::OK,
                r#"{"jsonrpc":"2.0","id":1,"result":"0x2a"}"#,
            )
        }
    })
    .await;
    let value: String = client(addr).call("eth_chainId", ()).await.unwrap();
    assert_eq!(value, "0x2a");
    assert_eq!(count.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn gives_up_after_the_bounded_attempts() {
    let (addr, count) = server(|_| (StatusCode::INTERNAL_SERVER_ERROR, "down")).await;
    let err = client(addr)
        .call::<_, String>("debug_getRawHeader", ["0x00"])
        .await
        .unwrap_err();
    assert!(
        matches!(err, RpcError::Unreachable { attempts: 3, .. }),
        "{err}"
    );
    assert_eq!(count.load(Ordering::SeqCst), 3);
    let message = err.to_string();
    assert!(
        message.contains("L2 execution node at http://"),
        "{message}"
    );
    assert!(message.contains("debug_getRawHeader"), "{message}");
}

#[tokio::test]
async fn unreachable_node_is_named_and_bounded() {
    // Bind and drop a listener: nothing listens on the port afterwards.
    let addr = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap()
    };
    let started = Instant::now();
    let err = client(addr)
        .call::<_, String>("eth_getProof", ())
        .await
        .unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(10));
    let message = err.to_string();
    assert!(matches!(err, RpcError::Unreachable { .. }), "{message}");
    assert!(message.contains(&addr.to_string()), "{message}");
    assert!(message.contains("eth_getProof"), "{message}");
    assert!(message.to_lowercase().contains("refused"), "{message}");
}

#[tokio::test]
async fn missing_method_is_reported_once_without_retries() {
    let (addr, count) = server(|_| {
        (
            StatusCode::OK,
            r#"{"jsonrpc":"2.0","id":1,"error":{"code":-32601,"message":"the method debug_dbGet does not exist/is not available"}}"#,
        )
    })
    .await;
    let err = client(addr)
        .call::<_, String>("debug_dbGet", ["0x00"])
        .await
        .unwrap_err();
    assert!(matches!(err, RpcError::MethodNotFound { .. }), "{err}");
    assert!(
        err.to_string().contains("does not support debug_dbGet"),
        "{err}"
    );
    assert_eq!(count.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn wrong_answer_shape_is_malformed() {
    let (addr, _) = server(|_| {
        (
            StatusCode::OK,
            r#"{"jsonrpc":"2.0","id":1,"result":{"not":"bytes"}}"#,
        )
    })
    .await;
    let err = client(addr)
        .call::<_, alloy_primitives::Bytes>("debug_getRawHeader", ["0x00"])
        .await
        .unwrap_err();
    assert!(matches!(err, RpcError::Malformed { .. }), "{err}");
    let (addr, _) = server(|_| (StatusCode::OK, "<html>not json</html>")).await;
    let err = client(addr)
        .call::<_, String>("eth_chainId", ())
        .await
        .unwrap_err();
    assert!(matches!(err, RpcError::Malformed { .. }), "{err}");
}

#[tokio::test]
async fn garbage_addresses_are_refused_up_front() {
    let stats: Arc<RpcStats> = Arc::default();
    for url in ["not a url", "ftp://x", "https://"] {
        let err = NodeClient::new("L1 beacon node", url, policy(), Arc::clone(&stats)).unwrap_err();
        assert!(matches!(err, RpcError::BadAddress { .. }), "{err}");
        assert!(err.to_string().contains("L1 beacon node"), "{err}");
    }
}

/// An https:// URL goes through TLS: a loopback server that answers in plain HTTP fails the
/// handshake, and the error names the node after the bounded retries.
#[tokio::test]
async fn https_urls_speak_tls() {
    let (addr, count) =
        server(|_| (StatusCode::OK, r#"{"jsonrpc":"2.0","id":1,"result":"0x1"}"#)).await;
    let stats: Arc<RpcStats> = Arc::default();
    let url = format!("https://{addr}");
    let node = NodeClient::new("L2 execution node", &url, policy(), stats).unwrap();
    let err = node.call::<_, String>("eth_chainId", ()).await.unwrap_err();
    let message = err.to_string();
    assert!(
        message.contains("L2 execution node") && message.contains(&url),
        "{message}"
    );
    assert!(message.contains("eth_chainId"), "{message}");
    // The plain-HTTP server never saw a request it could parse.
    assert_eq!(count.load(Ordering::Relaxed), 0);
}

/// A lying node on a fresh loopback port: every request gets a JSON-RPC answer whose result is
/// a hex string of `total` bytes, streamed in chunks (with `Content-Length` if `declare`), so
/// the node never holds it. Returns the address and the bytes it managed to send.
async fn lying_node(total: u64, declare: bool) -> (SocketAddr, Arc<AtomicU64>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let sent = Arc::new(AtomicU64::new(0));
    let counter = Arc::clone(&sent);
    tokio::spawn(async move {
        loop {
            let (mut stream, _) = listener.accept().await.unwrap();
            let counter = Arc::clone(&counter);
            tokio::spawn(async move {
                let mut request = Vec::new();
                let mut buf = [0u8; 4096];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => request.extend_from_slice(&buf[..n]),
                    }
                }
                let head = br#"{"jsonrpc":"2.0","id":1,"result":"0x"#;
                let length = head.len() as u64 + total + 2;
                let header = if declare {
                    format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {length}\r\n\r\n"
                    )
                } else {
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n"
                        .to_string()
                };
                if stream.write_all(header.as_bytes()).await.is_err()
                    || stream.write_all(head).await.is_err()
                {
                    return;
                }
                let chunk = vec![b'0'; 1 << 20];
                let mut left = total;
                while left > 0 {
                    let n = left.min(chunk.len() as u64) as usize;
                    if stream.write_all(&chunk[..n]).await.is_err() {
                        return;
                    }
                    counter.fetch_add(n as u64, Ordering::Relaxed);
                    left -= n as u64;
                }
                let _ = stream.write_all(b"\"}").await;
            });
        }
    });
    (addr, sent)
}

#[tokio::test]
async fn an_answer_past_its_methods_cap_is_refused_while_it_streams() {
    // 1.3 GB for a chain id: refused after its 4 KiB cap, long before the node is done.
    let (addr, sent) = lying_node(1_300_000_000, false).await;
    let err = client(addr)
        .call::<_, alloy_primitives::U64>("eth_chainId", ())
        .await
        .unwrap_err();
    assert!(
        matches!(err, RpcError::TooLarge { limit: 4096, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("eth_chainId"), "{err}");
    // The client stopped reading: the node could not push much more than its socket buffers.
    assert!(
        sent.load(Ordering::Relaxed) < 64 << 20,
        "{} bytes sent",
        sent.load(Ordering::Relaxed)
    );

    // A declared length past the cap is refused before the body is read.
    let (addr, _) = lying_node(2 << 20, true).await;
    let err = client(addr)
        .call::<_, alloy_primitives::Bytes>("debug_dbGet", [alloy_primitives::B256::ZERO])
        .await
        .unwrap_err();
    assert!(
        matches!(err, RpcError::TooLarge { limit, .. } if limit == koa_host::rpc::max_response_bytes("debug_dbGet")),
        "{err}"
    );
}

#[tokio::test]
async fn an_answer_within_its_cap_is_read_whole() {
    // 600 KiB of hex for debug_dbGet (cap 1 MiB): a 300 KiB value.
    let (addr, _) = lying_node(600 << 10, false).await;
    let value: alloy_primitives::Bytes = client(addr)
        .call("debug_dbGet", [alloy_primitives::B256::ZERO])
        .await
        .unwrap();
    assert_eq!(value.len(), 300 << 10);
    assert!(value.iter().all(|&b| b == 0));
}
