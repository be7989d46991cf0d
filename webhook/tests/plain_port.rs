//! The plain-HTTP port (`--metrics-listen`) serves the probes and metrics, never admission: any
//! Pod can reach it, the API server never calls it (issue 13, item 4).

mod support;

use std::sync::Arc;

use neo4j_webhook::cache::Cache;
use neo4j_webhook::metrics::Metrics;
use neo4j_webhook::server::{self, App, Limits};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

async fn status_of(address: std::net::SocketAddr, request: &str) -> String {
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    answer.lines().next().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn probes_and_metrics_only() {
    let app = Arc::new(App {
        lookups: Cache::empty(),
        access: support::NoAccessReview,
        metrics: Metrics::default(),
        certs: None,
        ready: Box::new(|| true),
    });
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    let task =
        tokio::spawn(server::serve_plain(listener, server::observed(app, Limits::default()), std::future::pending()));
    let get = |path: &str| format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assert_eq!(status_of(address, &get("/healthz")).await, "HTTP/1.1 200 OK");
    assert_eq!(status_of(address, &get("/readyz")).await, "HTTP/1.1 200 OK");
    assert_eq!(status_of(address, &get("/metrics")).await, "HTTP/1.1 200 OK");
    let body = support::review("u1", "CREATE", serde_json::json!({"kind": "Neo4jBackup"}), None, false);
    for path in ["/validate", "/mutate"] {
        let post = format!(
            "POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{}",
            body.len(),
            String::from_utf8_lossy(&body)
        );
        assert_eq!(status_of(address, &post).await, "HTTP/1.1 404 Not Found", "{path}");
    }
    task.abort();
}
