use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::Parser;
use neo4j_ops::LogFormat;
use neo4j_webhook::access::ApiAccessReview;
use neo4j_webhook::cache::Cache;
use neo4j_webhook::metrics::Metrics;
use neo4j_webhook::pki::keeper::{Keeper, service_names};
use neo4j_webhook::server::{self, App, Limits};
use neo4j_webhook::tls::{self, CertStore, KeyPair};

/// Admission webhook of kubectl-neo4j: defaults and validates Neo4jBackup, Neo4jRestore and the
/// Neo4j operator's Neo4jEnterpriseCluster and Neo4jEnterpriseStandalone.
///
/// Serves POST /mutate and POST /validate (AdmissionReview admission.k8s.io/v1) over TLS, and
/// GET /healthz, /readyz and /metrics.
#[derive(Debug, Parser)]
#[command(name = "neo4j-webhook", version)]
struct Args {
    /// Address to serve TLS on.
    #[arg(long, env = "WEBHOOK_LISTEN", default_value = "0.0.0.0:8443")]
    listen: SocketAddr,
    /// Serving certificate (PEM chain); reloaded when the file changes.
    #[arg(long, env = "WEBHOOK_TLS_CERT", required_unless_present_any = ["self_signed", "manage_certificates"], requires = "key")]
    cert: Option<PathBuf>,
    /// Serving key (PEM).
    #[arg(long, env = "WEBHOOK_TLS_KEY", requires = "cert")]
    key: Option<PathBuf>,
    /// Generate a CA and a certificate for 127.0.0.1/localhost into DIR (ca.crt, tls.crt, tls.key),
    /// for local use: point a webhook configuration's caBundle at DIR/ca.crt.
    #[arg(long, value_name = "DIR", conflicts_with_all = ["cert", "key"])]
    self_signed: Option<PathBuf>,
    /// With --self-signed: write the files and exit (to create a Secret and a caBundle from them).
    #[arg(long, requires = "self_signed")]
    generate_only: bool,
    /// Keep a CA and serving certificate in a Secret of --namespace, inject the CA into the
    /// webhook configurations, and renew both before expiry (when cert-manager does not).
    #[arg(long, conflicts_with_all = ["cert", "key", "self_signed"])]
    manage_certificates: bool,
    /// With --manage-certificates: the namespace of the Secret and the Service.
    #[arg(long, env = "POD_NAMESPACE", default_value = "neo4j-system")]
    namespace: String,
    /// With --manage-certificates: the Secret holding the certificates.
    #[arg(long, default_value = "neo4j-webhook-tls")]
    tls_secret: String,
    /// With --manage-certificates: the Service the API server calls (names of the certificate).
    #[arg(long, default_value = "neo4j-webhook")]
    service: String,
    /// With --manage-certificates: the Mutating- and ValidatingWebhookConfiguration to inject into.
    #[arg(long, default_value = "neo4j-webhook")]
    webhook_configuration: String,
    /// Extra DNS names or IPs for the self-signed certificate (repeatable).
    #[arg(long = "self-signed-name", value_name = "NAME", requires = "self_signed")]
    self_signed_names: Vec<String>,
    /// Also serve /metrics, /healthz and /readyz over plain HTTP on this address.
    #[arg(long, env = "WEBHOOK_METRICS_LISTEN")]
    metrics_listen: Option<SocketAddr>,
    /// How often the certificate files are checked for changes.
    #[arg(long, default_value = "10s", value_parser = duration)]
    cert_reload_interval: Duration,
    /// Largest request body accepted (larger: 413).
    #[arg(long, default_value_t = Limits::default().max_body_bytes)]
    max_body_bytes: usize,
    /// Longest a request may take (slower: 408).
    #[arg(long, default_value = "9s", value_parser = duration)]
    request_timeout: Duration,
    /// Longest a review may take once read; a slower one is refused in time, with code 503. Keep it
    /// under the webhook configurations' timeoutSeconds (5).
    #[arg(long, default_value = "4s", value_parser = duration)]
    review_deadline: Duration,
    /// Bodies up to this size are judged inline; larger ones on the blocking pool (for measuring).
    #[arg(long, default_value_t = Limits::default().inline_body_bytes, hide = true)]
    inline_body_bytes: usize,
    /// How long requests in flight may finish after SIGTERM.
    #[arg(long, default_value = "20s", value_parser = duration)]
    drain_timeout: Duration,
    /// Longest wait for a SubjectAccessReview (cross-namespace backup targets only).
    #[arg(long, default_value = "2s", value_parser = duration)]
    access_review_timeout: Duration,
    /// Do not contact an API server: rules that need cluster context stay silent.
    #[arg(long)]
    no_cluster: bool,
    /// Read targets and Neo4jBackups in these namespaces only (comma-separated), for an install
    /// whose Roles grant only them (`kubectl neo4j install --namespaces`); every namespace when unset.
    #[arg(long, env = "WATCH_NAMESPACES", value_delimiter = ',')]
    watch_namespaces: Vec<String>,
    /// Log format: json in a cluster, text on a terminal.
    #[arg(long, value_enum, default_value_t = LogFormat::Auto)]
    log_format: LogFormat,
}

fn duration(text: &str) -> Result<Duration, String> {
    neo4j_api::grammar::duration::parse_duration(text).map(Duration::from_secs)
}

async fn kube_client(no_cluster: bool) -> Option<kube::Client> {
    if no_cluster {
        tracing::info!("--no-cluster: serving without cluster context");
        return None;
    }
    match kube::Client::try_default().await {
        Ok(client) => Some(client),
        Err(err) => {
            tracing::warn!(error = %err, "no API server: serving without cluster context (rules that need it stay silent)");
            None
        }
    }
}

async fn run(args: Args) -> Result<(), Box<dyn std::error::Error>> {
    let client = kube_client(args.no_cluster && !args.manage_certificates).await;
    let certs = if args.manage_certificates {
        let Some(client) = client.clone() else {
            return Err("--manage-certificates needs an API server to keep its Secret".into());
        };
        let keeper = Keeper {
            client,
            names: service_names(&args.service, &args.namespace),
            namespace: args.namespace.clone(),
            secret: args.tls_secret.clone(),
            configuration: args.webhook_configuration.clone(),
        };
        let material = keeper.first().await;
        let origin = PathBuf::from(format!("Secret {}/{}", args.namespace, args.tls_secret));
        let certs =
            CertStore::new(KeyPair::from_pem(material.cert.into_bytes(), material.key.into_bytes(), &origin, &origin)?);
        tokio::spawn(keeper.run(certs.clone(), args.cert_reload_interval));
        certs
    } else {
        let (cert, key) = match (&args.self_signed, &args.cert, &args.key) {
            (Some(dir), _, _) => {
                let files = tls::self_signed(dir, &args.self_signed_names)?;
                tracing::info!(ca_bundle = %files.ca.display(), "self-signed CA written; use it as the webhook configuration's caBundle");
                if args.generate_only {
                    println!("{}\n{}\n{}", files.ca.display(), files.cert.display(), files.key.display());
                    return Ok(());
                }
                (files.cert, files.key)
            }
            (None, Some(cert), Some(key)) => (cert.clone(), key.clone()),
            _ => return Err("give --cert and --key, --self-signed DIR, or --manage-certificates".into()),
        };
        let certs = CertStore::new(KeyPair::from_files(&cert, &key)?);
        tokio::spawn(tls::watch(certs.clone(), cert, key, args.cert_reload_interval));
        certs
    };

    let cache = match &client {
        Some(client) => Cache::start(client.clone(), &args.watch_namespaces),
        None => Cache::empty(),
    };
    let ready = Box::new(cache.readiness());
    let app = Arc::new(App {
        lookups: cache,
        access: ApiAccessReview::new(client, args.access_review_timeout),
        metrics: Metrics::default(),
        certs: Some(certs.clone()),
        ready,
    });
    let limits = Limits {
        max_body_bytes: args.max_body_bytes,
        request_timeout: args.request_timeout,
        review_deadline: args.review_deadline,
        inline_body_bytes: args.inline_body_bytes,
    };
    let plain = server::observed(app.clone(), limits);
    let router = server::router(app, limits);

    let (stop, stopped) = tokio::sync::watch::channel(false);
    let wait = move |mut rx: tokio::sync::watch::Receiver<bool>| async move {
        let _ = rx.wait_for(|stopped| *stopped).await;
    };
    if let Some(address) = args.metrics_listen {
        let listener = std::net::TcpListener::bind(address)?;
        let until = wait(stopped.clone());
        tokio::spawn(async move {
            if let Err(err) = server::serve_plain(listener, plain, until).await {
                tracing::error!(error = %err, "metrics listener stopped");
            }
        });
    }
    tokio::spawn(async move {
        neo4j_ops::shutdown_signal().await;
        let _ = stop.send(true);
    });
    let listener = std::net::TcpListener::bind(args.listen)?;
    tracing::info!(listen = %listener.local_addr()?, "serving /mutate and /validate over TLS");
    server::serve_tls(listener, tls::server_config(certs), router, wait(stopped), args.drain_timeout).await?;
    tracing::info!("stopped");
    Ok(())
}

fn main() -> ExitCode {
    let args = Args::parse();
    neo4j_ops::init_logs(args.log_format);
    neo4j_ops::run_main("neo4j-webhook", run(args))
}
