//! The admission webhook, in-process on 127.0.0.1, as `neo4j-webhook` runs by default: caches of
//! the cluster, and SubjectAccessReviews through the client (access reviews on: `--no-cluster` is
//! what turns them off), each waited for at most 2 s (the default `--access-review-timeout`). The
//! API server reaches it through `clientConfig.url` and the CA it was started with.

use std::sync::Arc;
use std::time::Duration;

use kube::Client;
use neo4j_webhook::access::ApiAccessReview;
use neo4j_webhook::cache::Cache;
use neo4j_webhook::metrics::Metrics;
use neo4j_webhook::server::{self, App, Limits};
use neo4j_webhook::tls::{self, CertStore, KeyPair};

/// Where the in-process webhook listens and the CA its certificate is signed by.
#[derive(Clone)]
pub struct Listening {
    pub port: u16,
    pub ca: Vec<u8>,
}

/// The webhook serving on 127.0.0.1; it stops, and its certificate files go, when this is dropped.
pub struct Webhook {
    pub listening: Listening,
    pub app: Arc<App<Cache, ApiAccessReview>>,
    _stop: tokio::sync::oneshot::Sender<()>,
    dir: std::path::PathBuf,
}

impl Drop for Webhook {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Starts the webhook on a free port of 127.0.0.1 (its caches start syncing; `app.ready` says when
/// they are).
pub async fn start_webhook(client: Client) -> Webhook {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_nanos();
    let dir = std::env::temp_dir().join(format!("e2e-webhook-{}-{nanos}", std::process::id()));
    let files = tls::self_signed(&dir, &[]).expect("certificates");
    let certs = CertStore::new(KeyPair::from_files(&files.cert, &files.key).expect("load the certificate"));
    let cache = Cache::start(client.clone(), &[]);
    let ready = Box::new(cache.readiness());
    let app = Arc::new(App {
        lookups: cache,
        access: ApiAccessReview::new(Some(client), Duration::from_secs(2)),
        metrics: Metrics::default(),
        certs: Some(certs.clone()),
        ready,
    });
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("address").port();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let router = server::router(app.clone(), Limits::default());
    tokio::spawn(server::serve_tls(
        listener,
        tls::server_config(certs),
        router,
        async move {
            let _ = stopped.await;
        },
        Duration::from_secs(2),
    ));
    let ca = std::fs::read(&files.ca).expect("CA");
    Webhook { listening: Listening { port, ca }, app, _stop: stop, dir }
}
