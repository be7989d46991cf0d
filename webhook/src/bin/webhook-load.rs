//! Load harness for the webhook: sends real AdmissionReviews over TLS with keep-alive, either at a
//! fixed rate (open loop) or as fast as `--concurrency` workers can (closed loop), and reports
//! requests/s, p50, p99, p99.9 and errors. Traffic goes only to the address given (loopback).
//!
//! `scripts/bench-webhook.sh` runs it against a freshly started webhook and adds peak RSS.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use clap::Parser;
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde_json::json;

/// Drive the webhook and measure it.
#[derive(Debug, Parser)]
#[command(name = "webhook-load")]
struct Args {
    /// Base URL of the webhook, e.g. https://127.0.0.1:8443 (loopback only).
    #[arg(long)]
    url: String,
    /// CA that signed the webhook's certificate.
    #[arg(long)]
    ca: PathBuf,
    /// Requests in flight at most.
    #[arg(long, default_value_t = 16)]
    concurrency: usize,
    /// Requests per second (open loop); 0 means as fast as possible (closed loop).
    #[arg(long, default_value_t = 0)]
    rate: u64,
    /// How long to send, in seconds.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Use HTTP/2 (default HTTP/1.1 with keep-alive, like the API server to a Service).
    #[arg(long)]
    http2: bool,
}

fn review(i: u64) -> Vec<u8> {
    // The largest seed example: an Azure restore with hooks and extra arguments.
    let object = json!({"apiVersion": "neo4j.neo4j.com/v1alpha1", "kind": "Neo4jRestore",
        "metadata": {"name": "enterprise-azure-restore", "namespace": "neo4j", "labels": {"compliance": "required"}},
        "spec": {"targetCluster": "enterprise-cluster", "databaseName": "customer-data",
            "source": {"type": "azure", "storage": {"type": "azure", "bucket": "enterprise-backups", "path": "production/",
                "cloud": {"provider": "azure", "credentialsSecretRef": "azure-restore-credentials"}},
                "backupPath": "/backups/customer-data/backup-20250120-020000.backup"},
            "options": {"verifyBackup": true, "replaceExisting": true,
                "preRestore": {"cypherStatements": ["CALL db.checkpoint()"]},
                "postRestore": {"cypherStatements": ["CALL db.awaitIndexes()", "CALL dbms.security.clearAuthCache()"],
                    "job": {"template": {"container": {"image": "enterprise-compliance-checker:latest",
                        "command": ["/scripts/compliance-check.sh"],
                        "env": [{"name": "NEO4J_URI", "value": "neo4j://enterprise-cluster-client:7687"}]}}, "timeout": "60m"}},
                "additionalArgs": ["--verbose"]},
            "force": true, "stopCluster": true, "timeout": "6h"}});
    serde_json::to_vec(&json!({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": {
        "uid": format!("load-{i}"), "operation": "CREATE", "namespace": "neo4j", "object": object,
        "userInfo": {"username": "load"}}}))
    .unwrap_or_default()
}

type HttpsClient =
    Client<hyper_rustls::HttpsConnector<hyper_util::client::legacy::connect::HttpConnector>, Full<Bytes>>;

fn client(args: &Args) -> Result<HttpsClient, Box<dyn std::error::Error>> {
    let config = neo4j_webhook::tls::client_config(&[args.ca.as_path()])?;
    let builder = hyper_rustls::HttpsConnectorBuilder::new().with_tls_config(config).https_only();
    let connector = if args.http2 { builder.enable_http2().build() } else { builder.enable_http1().build() };
    let mut client = Client::builder(TokioExecutor::new());
    client.pool_max_idle_per_host(args.concurrency).http2_only(args.http2);
    Ok(client.build(connector))
}

/// Sends one request; its latency, or `None` on any failure.
async fn one(client: &HttpsClient, url: &str, path: &str, body: Vec<u8>) -> Option<Duration> {
    let started = Instant::now();
    let request = hyper::Request::post(format!("{url}{path}"))
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(body)))
        .ok()?;
    let response = client.request(request).await.ok()?;
    let ok = response.status().is_success();
    let bytes = response.into_body().collect().await.ok()?.to_bytes();
    let allowed = serde_json::from_slice::<serde_json::Value>(&bytes).ok()?["response"]["allowed"].as_bool();
    (ok && allowed.is_some()).then(|| started.elapsed())
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let index = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[index]
}

async fn run(args: Args) -> Result<(), Box<dyn std::error::Error>> {
    let host = args.url.split("://").nth(1).unwrap_or_default();
    if !(host.starts_with("127.") || host.starts_with("localhost") || host.starts_with("[::1]")) {
        return Err("only loopback targets (127.0.0.0/8, localhost, [::1]) are allowed".into());
    }
    let client = client(&args)?;
    let url = Arc::new(args.url.clone());
    // Warm up the connections.
    for i in 0..args.concurrency as u64 {
        one(&client, &url, "/validate", review(i)).await.ok_or("the webhook does not answer")?;
    }
    let errors = Arc::new(AtomicU64::new(0));
    let permits = Arc::new(tokio::sync::Semaphore::new(args.concurrency));
    let (sender, mut receiver) = tokio::sync::mpsc::unbounded_channel::<Duration>();
    let deadline = Instant::now() + Duration::from_secs(args.seconds);
    let started = Instant::now();
    let mut sent: u64 = 0;
    let mut ticker = (args.rate > 0).then(|| {
        let mut ticker = tokio::time::interval(Duration::from_secs_f64(1.0 / args.rate as f64));
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
        ticker
    });
    while Instant::now() < deadline {
        if let Some(ticker) = ticker.as_mut() {
            ticker.tick().await;
        }
        let Ok(permit) = permits.clone().acquire_owned().await else { break };
        sent += 1;
        let (client, url, errors, sender) = (client.clone(), url.clone(), errors.clone(), sender.clone());
        let path = if sent.is_multiple_of(2) { "/mutate" } else { "/validate" };
        tokio::spawn(async move {
            match one(&client, &url, path, review(sent)).await {
                Some(latency) => {
                    let _ = sender.send(latency);
                }
                None => {
                    errors.fetch_add(1, Ordering::Relaxed);
                }
            }
            drop(permit);
        });
    }
    let _ = permits.acquire_many(args.concurrency as u32).await;
    let elapsed = started.elapsed();
    drop(sender);
    let mut latencies = Vec::with_capacity(sent as usize);
    while let Some(latency) = receiver.recv().await {
        latencies.push(latency);
    }
    latencies.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{{\"mode\": \"{}\", \"protocol\": \"{}\", \"concurrency\": {}, \"seconds\": {:.1}, \"requests\": {}, \"errors\": {}, \"rps\": {:.0}, \"p50_ms\": {:.3}, \"p99_ms\": {:.3}, \"p999_ms\": {:.3}, \"max_ms\": {:.3}}}",
        if args.rate > 0 { format!("rate {}/s", args.rate) } else { "saturation".to_owned() },
        if args.http2 { "HTTP/2" } else { "HTTP/1.1" },
        args.concurrency,
        elapsed.as_secs_f64(),
        latencies.len(),
        errors.load(Ordering::Relaxed),
        latencies.len() as f64 / elapsed.as_secs_f64(),
        ms(percentile(&latencies, 0.50)),
        ms(percentile(&latencies, 0.99)),
        ms(percentile(&latencies, 0.999)),
        ms(latencies.last().copied().unwrap_or_default()),
    );
    Ok(())
}

fn main() -> std::process::ExitCode {
    let args = Args::parse();
    let _ = rustls::crypto::ring::default_provider().install_default();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("webhook-load: {err}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(args)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("webhook-load: {err}");
            std::process::ExitCode::FAILURE
        }
    }
}
