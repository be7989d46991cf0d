//! CPU cost of one backup reconcile, everything but the network: resolve, validate, plan, apply,
//! status and Event, against an in-process API server that answers at once. With the API server's
//! own latency removed this is what a controller replica spends per reconcile.
//! Run: `cargo bench -p neo4j-controller --bench reconcile` (results in docs/benchmarks.md).

mod support;

use std::convert::Infallible;
use std::hint::black_box;
use std::sync::Arc;

use criterion::{Criterion, criterion_group, criterion_main};
use http::{Method, Request, Response, StatusCode};
use kube::Client;
use kube::client::Body;
use neo4j_api::Neo4jBackup;
use neo4j_controller::backup::reconcile;
use serde_json::{Value, json};

fn cluster() -> Value {
    json!({"apiVersion": "neo4j.neo4j.com/v1alpha1", "kind": "Neo4jEnterpriseCluster", "metadata": {"name": "prod", "namespace": "neo4j"},
        "spec": {"image": {"repo": "neo4j", "tag": "2025.04.0-enterprise"}, "topology": {"servers": 3}}})
}

fn backup() -> Neo4jBackup {
    serde_json::from_value(json!({"apiVersion": "neo4j.neo4j.com/v1alpha1", "kind": "Neo4jBackup",
        "metadata": {"name": "nightly", "namespace": "neo4j", "uid": "0b1c2d3e-0000-4000-8000-00000000000a", "generation": 1},
        "spec": {"target": {"kind": "Cluster", "name": "prod"}, "schedule": "0 2 * * *",
            "storage": {"type": "s3", "bucket": "my-backups", "cloud": {"credentialsSecretRef": "aws-creds"}},
            "options": {"backupType": "DIFF", "verify": true, "tempPath": "/tmp/neo4j-backup-temp"}}}))
    .unwrap()
}

/// Twenty finished scheduled runs, as the CronJob's Jobs.
fn jobs() -> Value {
    let items: Vec<Value> = (0..20)
        .map(|i| json!({"apiVersion": "batch/v1", "kind": "Job",
            "metadata": {"name": format!("nightly-backup-{i}"), "namespace": "neo4j", "labels": {"neo4j.neo4j.com/backup": "nightly"},
                "annotations": {"neo4j.neo4j.com/backup-type": "DIFF", "neo4j.neo4j.com/location": "s3://my-backups"}},
            "status": {"startTime": format!("2025-01-{:02}T02:00:00Z", i + 1), "completionTime": format!("2025-01-{:02}T02:05:00Z", i + 1),
                "conditions": [{"type": "Complete", "status": "True"}]}}))
        .collect();
    json!({"apiVersion": "batch/v1", "kind": "JobList", "metadata": {}, "items": items})
}

/// What the API server would answer: the stored objects for reads, the object itself for writes.
async fn answer(request: Request<Body>, cluster: &[u8], jobs: &[u8], stored: &[u8]) -> Vec<u8> {
    let (method, path) = (request.method().clone(), request.uri().path().to_owned());
    match method {
        Method::GET if path.ends_with("/neo4jenterpriseclusters/prod") => cluster.to_vec(),
        Method::GET if path.ends_with("/jobs") => jobs.to_vec(),
        Method::PATCH if path.ends_with("/status") => stored.to_vec(),
        _ => request.into_body().collect_bytes().await.map(|b| b.to_vec()).unwrap_or_default(),
    }
}

fn bench(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let cluster = Arc::new(serde_json::to_vec(&cluster()).unwrap());
    let jobs = Arc::new(serde_json::to_vec(&jobs()).unwrap());
    let stored = Arc::new(serde_json::to_vec(&backup()).unwrap());
    let service = tower::service_fn(move |request: Request<Body>| {
        let (cluster, jobs, stored) = (cluster.clone(), jobs.clone(), stored.clone());
        async move {
            let body = answer(request, &cluster, &jobs, &stored).await;
            Ok::<_, Infallible>(Response::builder().status(StatusCode::OK).body(Body::from(body)).unwrap())
        }
    });
    let ctx = runtime
        .block_on(async { support::ctx(Client::new(service, "neo4j"), || "2025-01-21T03:00:00Z".parse().unwrap()) });
    let backup = Arc::new(backup());
    let first = runtime.block_on(reconcile(backup.clone(), ctx.clone()));
    assert!(first.is_ok(), "the measured reconcile must be a whole one: {first:?}");
    c.bench_function("reconcile scheduled backup, 20 runs in history", |b| {
        b.to_async(&runtime).iter(|| reconcile(black_box(backup.clone()), ctx.clone()))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
