//! CPU cost of the reconcile that records a finished shipping run (issue 14): fold the run into
//! the status, read the window its Pod reported (three databases), delete the oldest of four
//! finished runs, write the status, against an in-process API server that answers at once.
//! Run: `cargo bench -p neo4j-controller --bench shipping` (results in docs/benchmarks.md).

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

const UID: &str = "0b1c2d3e-0000-4000-8000-00000000000b";

fn protection() -> Neo4jBackup {
    serde_json::from_value(json!({"apiVersion": "neo4j.neo4j.com/v1alpha1", "kind": "Neo4jBackup",
        "metadata": {"name": "prod-pitr", "namespace": "neo4j", "uid": UID, "generation": 1, "resourceVersion": "41"},
        "spec": {"target": {"kind": "Cluster", "name": "prod"},
            "storage": {"type": "s3", "bucket": "neo4j-pitr", "path": "prod/", "cloud": {"provider": "aws"}},
            "options": {"backupType": "FULL", "compress": true, "verify": false},
            "schedule": "0 2 * * *", "suspend": false, "shipping": {"interval": "30s"}},
        "status": {"phase": "Completed", "observedGeneration": 1,
            "shipping": {"runningJob": "prod-pitr-backup-1737341990", "runningType": "DIFF",
                "lastBaseBackupTime": "2025-01-20T02:00:00Z", "lastRunTime": "2025-01-20T02:59:50Z"}}}))
    .unwrap()
}

fn run(start: i64) -> Value {
    let name = format!("prod-pitr-backup-{start}");
    let at = |s: i64| k8s_openapi::jiff::Timestamp::from_second(s).unwrap().to_string();
    json!({"apiVersion": "batch/v1", "kind": "Job",
        "metadata": {"name": name, "namespace": "neo4j", "uid": format!("uid-{start}"), "creationTimestamp": at(start),
            "labels": {"neo4j.neo4j.com/backup": "prod-pitr", "neo4j.neo4j.com/shipping": "true"},
            "ownerReferences": [{"apiVersion": "neo4j.neo4j.com/v1alpha1", "kind": "Neo4jBackup", "name": "prod-pitr", "uid": UID}],
            "annotations": {"neo4j.neo4j.com/backup-type": "DIFF", "neo4j.neo4j.com/location": "s3://neo4j-pitr/prod/"}},
        "status": {"startTime": at(start), "completionTime": at(start + 8), "conditions": [{"type": "Complete", "status": "True"}]}})
}

fn pods() -> Value {
    // The report of a whole-cluster protection's run, as controller/tests/shipping_reconcile.rs reads it.
    let report: Value = serde_json::from_str(include_str!("../tests/fixtures/window-report.json")).unwrap();
    json!({"apiVersion": "v1", "kind": "PodList", "metadata": {}, "items": [
        {"metadata": {"name": "prod-pitr-backup-1737341990-x", "creationTimestamp": "2025-01-20T02:59:50Z",
            "ownerReferences": [{"apiVersion": "batch/v1", "kind": "Job", "name": "prod-pitr-backup-1737341990", "uid": "uid-1737341990"}]},
         "status": {"containerStatuses": [{"name": "window", "image": "agent", "imageID": "", "ready": false, "restartCount": 0,
            "state": {"terminated": {"exitCode": 0, "message": report.to_string()}}}]}}]})
}

fn bench(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let cluster =
        serde_json::to_vec(&json!({"apiVersion": "neo4j.neo4j.com/v1alpha1", "kind": "Neo4jEnterpriseCluster",
        "metadata": {"name": "prod", "namespace": "neo4j"},
        "spec": {"image": {"repo": "neo4j", "tag": "2025.04.0-enterprise"}, "topology": {"servers": 3}}}))
        .unwrap();
    let runs: Vec<Value> = [1737341900, 1737341930, 1737341960, 1737341990].into_iter().map(run).collect();
    let jobs = serde_json::to_vec(&json!({"apiVersion": "batch/v1", "kind": "JobList", "metadata": {}, "items": runs}))
        .unwrap();
    let pods = serde_json::to_vec(&pods()).unwrap();
    let stored = serde_json::to_vec(&protection()).unwrap();
    let missing = serde_json::to_vec(
        &json!({"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "NotFound", "code": 404}),
    )
    .unwrap();
    let answers = Arc::new((cluster, jobs, pods, stored, missing));
    let service = tower::service_fn(move |request: Request<Body>| {
        let answers = answers.clone();
        async move {
            let (cluster, jobs, pods, stored, missing) = &*answers;
            let (method, path) = (request.method().clone(), request.uri().path().to_owned());
            let (status, body) = match method {
                Method::GET if path.ends_with("/neo4jenterpriseclusters/prod") => (StatusCode::OK, cluster.clone()),
                Method::GET if path.contains("/cronjobs/") => (StatusCode::NOT_FOUND, missing.clone()),
                Method::GET if path.ends_with("/jobs") => (StatusCode::OK, jobs.clone()),
                Method::GET if path.ends_with("/pods") => (StatusCode::OK, pods.clone()),
                Method::PATCH if path.ends_with("/status") => (StatusCode::OK, stored.clone()),
                Method::DELETE => (
                    StatusCode::OK,
                    br#"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Success"}"#.to_vec(),
                ),
                _ => {
                    (StatusCode::OK, request.into_body().collect_bytes().await.map(|b| b.to_vec()).unwrap_or_default())
                }
            };
            Ok::<_, Infallible>(Response::builder().status(status).body(Body::from(body)).unwrap())
        }
    });
    let ctx = runtime
        .block_on(async { support::ctx(Client::new(service, "neo4j"), || "2025-01-20T03:00:00Z".parse().unwrap()) });
    let backup = Arc::new(protection());
    let first = runtime.block_on(reconcile(backup.clone(), ctx.clone()));
    assert!(first.is_ok(), "the measured reconcile must be a whole one: {first:?}");
    c.bench_function("reconcile a shipping backup whose run just finished", |b| {
        b.to_async(&runtime).iter(|| reconcile(black_box(backup.clone()), ctx.clone()))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
