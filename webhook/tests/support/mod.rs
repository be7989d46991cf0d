//! A webhook served over real TLS on 127.0.0.1 with a generated CA, and a client that trusts it.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use neo4j_webhook::admission_review::UserInfo;
use neo4j_webhook::admit::{AccessReview, Lookups};
use neo4j_webhook::cache::Cache;
use neo4j_webhook::metrics::Metrics;
use neo4j_webhook::server::{self, App, Limits};
use neo4j_webhook::tls::{self, CertStore, KeyPair, SelfSigned};
use serde_json::{Value, json};
use tokio::sync::oneshot;

/// No API server (`--no-cluster`): nobody to ask, so the checks that need one stay silent.
pub struct NoAccessReview;

impl AccessReview for NoAccessReview {
    fn answers(&self) -> bool {
        false
    }

    async fn may(&self, _: &UserInfo, _: &neo4j_api::access::Permission) -> Option<bool> {
        None
    }
}

/// A running webhook.
pub struct Running {
    pub address: SocketAddr,
    pub ca: PathBuf,
    pub files: SelfSigned,
    pub certs: Arc<CertStore>,
    pub dir: PathBuf,
    stop: Option<oneshot::Sender<()>>,
    pub task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Running {
    /// Asks the server to stop (graceful drain).
    pub fn stop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn temp_dir(name: &str) -> PathBuf {
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("neo4j-webhook-test-{name}-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// Starts a webhook with `lookups`, `limits` and a drain bound.
pub async fn start_with<L: Lookups + 'static>(lookups: L, limits: Limits, drain: Duration) -> Running {
    start_full(lookups, NoAccessReview, limits, drain).await
}

/// Starts a webhook with every part chosen.
pub async fn start_full<L: Lookups + 'static, A: AccessReview + 'static>(
    lookups: L,
    access: A,
    limits: Limits,
    drain: Duration,
) -> Running {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let dir = temp_dir("tls");
    let files = tls::self_signed(&dir, &[]).expect("certificates");
    let certs = CertStore::new(KeyPair::from_files(&files.cert, &files.key).expect("load certificates"));
    let app = Arc::new(App {
        lookups,
        access,
        metrics: Metrics::default(),
        certs: Some(certs.clone()),
        ready: Box::new(|| true),
    });
    let router = server::router(app, limits);
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = listener.local_addr().expect("address");
    let (stop, stopped) = oneshot::channel::<()>();
    let config = tls::server_config(certs.clone());
    let task = tokio::spawn(server::serve_tls(
        listener,
        config,
        router,
        async move {
            let _ = stopped.await;
        },
        drain,
    ));
    Running { address, ca: files.ca.clone(), files, certs, dir, stop: Some(stop), task }
}

/// Starts a webhook with an empty cache and default limits.
pub async fn start() -> Running {
    start_with(Cache::empty(), Limits::default(), Duration::from_secs(5)).await
}

/// An HTTPS client trusting the CAs in `ca_files`.
pub fn client(ca_files: &[&Path], http2: bool) -> Client<hyper_rustls::HttpsConnector<HttpConnector>, Full<Bytes>> {
    let config = tls::client_config(ca_files).expect("CA files");
    let builder = hyper_rustls::HttpsConnectorBuilder::new().with_tls_config(config).https_only();
    let connector = if http2 { builder.enable_http2().build() } else { builder.enable_http1().build() };
    let mut client = Client::builder(TokioExecutor::new());
    if http2 {
        client.http2_only(true);
    }
    client.build(connector)
}

/// POSTs `body` to `path`; returns the status and the body.
pub async fn post(
    client: &Client<hyper_rustls::HttpsConnector<HttpConnector>, Full<Bytes>>,
    address: SocketAddr,
    path: &str,
    body: Vec<u8>,
) -> Result<(u16, Vec<u8>), String> {
    let uri = format!("https://localhost:{}{path}", address.port());
    let request = hyper::Request::post(uri)
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(body)))
        .map_err(|e| e.to_string())?;
    let response = client.request(request).await.map_err(|e| format!("{e:?}"))?;
    let status = response.status().as_u16();
    let bytes = response.into_body().collect().await.map_err(|e| e.to_string())?.to_bytes();
    Ok((status, bytes.to_vec()))
}

/// GETs `path`.
pub async fn get(
    client: &Client<hyper_rustls::HttpsConnector<HttpConnector>, Full<Bytes>>,
    address: SocketAddr,
    path: &str,
) -> (u16, String) {
    let uri = format!("https://localhost:{}{path}", address.port());
    let request = hyper::Request::get(uri).body(Full::new(Bytes::new())).expect("request");
    let response = client.request(request).await.expect("response");
    let status = response.status().as_u16();
    let bytes = response.into_body().collect().await.expect("body").to_bytes();
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

/// An AdmissionReview for `object` (and `old`), as the API server sends it.
pub fn review(uid: &str, operation: &str, object: Value, old: Option<Value>, dry_run: bool) -> Vec<u8> {
    serde_json::to_vec(&json!({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": {
        "uid": uid, "kind": {"group": "neo4j.neo4j.com", "version": "v1alpha1", "kind": object["kind"]},
        "resource": {"group": "neo4j.neo4j.com", "version": "v1alpha1", "resource": "neo4jbackups"},
        "operation": operation, "namespace": "neo4j", "name": object["metadata"]["name"],
        "object": object, "oldObject": old, "dryRun": dry_run,
        "userInfo": {"username": "alice", "groups": ["system:authenticated"]}}}))
    .expect("review encodes")
}

/// The `response` of an AdmissionReview body.
pub fn response(body: &[u8]) -> Value {
    let review: Value = serde_json::from_slice(body).expect("an AdmissionReview");
    assert_eq!(review["apiVersion"], "admission.k8s.io/v1");
    assert_eq!(review["kind"], "AdmissionReview");
    review["response"].clone()
}

/// An access review that takes far too long (30 s) to answer.
pub struct Slow;

impl neo4j_webhook::admit::AccessReview for Slow {
    async fn may(
        &self,
        _: &neo4j_webhook::admission_review::UserInfo,
        _: &neo4j_api::access::Permission,
    ) -> Option<bool> {
        tokio::time::sleep(Duration::from_secs(30)).await;
        Some(true)
    }
}
