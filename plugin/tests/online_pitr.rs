//! `pitr status` and the window in `backup describe` against an API server stand-in (issue 14, item 5).

use std::convert::Infallible;

use http::{Request, Response};
use k8s_openapi::jiff::Timestamp;
use kube::Client;
use kube::client::Body;
use kubectl_neo4j::online::inspect::describe_backup;
use kubectl_neo4j::online::pitr::{Output, status};
use serde_json::json;

fn protection() -> serde_json::Value {
    json!({"apiVersion": "neo4j.neo4j.com/v1alpha1", "kind": "Neo4jBackup",
        "metadata": {"name": "prod-pitr", "namespace": "neo4j"},
        "spec": {"target": {"kind": "Cluster", "name": "prod"}, "storage": {"type": "s3", "bucket": "neo4j-pitr"},
            "schedule": "0 2 * * *", "shipping": {"interval": "30s"}},
        "status": {"phase": "Completed", "message": "Job prod-pitr-backup-1737341990 succeeded",
            "shipping": {"lastBaseBackupTime": "2025-01-20T02:00:00Z", "lastRunTime": "2025-01-20T02:59:50Z"},
            "recoveryWindow": [{"database": "orders", "earliest": "2025-01-20T02:00:00Z", "latest": "2025-01-20T02:59:50Z",
                "earliestTransaction": 100, "latestTransaction": 940, "contiguous": false,
                "gaps": [{"after": "2025-01-20T01:59:30Z", "before": "2025-01-20T02:00:00Z"}],
                "newestChain": {"full": "orders-2025-01-20T02-00-00.backup", "artifacts": 120, "newest": "orders-2025-01-20T02-59-50.backup"}}]}})
}

fn server() -> Client {
    let service = tower::service_fn(|request: Request<Body>| async move {
        let path = request.uri().path().to_owned();
        let (code, body) = match path.as_str() {
            "/apis/neo4j.neo4j.com/v1alpha1/namespaces/neo4j/neo4jbackups/prod-pitr" => (200, protection()),
            "/api/v1/namespaces/neo4j/events" => {
                (200, json!({"apiVersion": "v1", "kind": "EventList", "metadata": {}, "items": []}))
            }
            _ => (
                404,
                json!({"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "NotFound", "code": 404, "message": "not found"}),
            ),
        };
        let response = Response::builder().status(code).body(Body::from(serde_json::to_vec(&body).unwrap())).unwrap();
        Ok::<_, Infallible>(response)
    });
    Client::new(service, "neo4j")
}

fn now() -> Timestamp {
    "2025-01-20T03:00:00Z".parse().unwrap()
}

const WINDOW: &str = concat!(
    "  DATABASE   EARLIEST               LATEST                 LATEST AGE   TRANSACTIONS   CONTIGUOUS   NEWEST CHAIN\n",
    "  orders     2025-01-20T02:00:00Z   2025-01-20T02:59:50Z   10s ago      100-940        no: 1 gap    orders-2025-01-20T02-00-00.backup (+119 DIFFs)\n",
);

#[tokio::test]
async fn status_says_shipping_lag_base_and_the_window() {
    let text = status(&server(), "neo4j", "prod", Output::Table, now()).await.unwrap();
    let expected = format!(
        "Target:        prod\nProtection:    prod-pitr\nShipping:      on, a DIFF every 30s\nPhase:         Completed (Job prod-pitr-backup-1737341990 succeeded)\nLag:           10s\nLast base:     60m ago\nLast run:      10s ago\nWindow:\n{WINDOW}"
    );
    assert_eq!(text, expected);
    let json: serde_json::Value =
        serde_json::from_str(&status(&server(), "neo4j", "prod", Output::Json, now()).await.unwrap()).unwrap();
    assert_eq!(json["shipping"], true);
    assert_eq!(json["lagSeconds"], 10);
    assert_eq!(json["recoveryWindow"][0]["latestTransaction"], 940);
}

#[tokio::test]
async fn an_unprotected_target_says_how_to_protect_it() {
    let text = status(&server(), "neo4j", "staging", Output::Table, now()).await.unwrap();
    assert_eq!(
        text,
        "Target:        staging\nProtection:    staging-pitr\nShipping:      off (no Neo4jBackup \"staging-pitr\": set spec.pointInTimeRecovery.enabled: true (with logShipping.destination) on \"staging\", and check that the kubectl-neo4j controller runs (kubectl neo4j status))\n"
    );
}

#[tokio::test]
async fn describe_shows_the_window() {
    let text = describe_backup(&server(), "neo4j", "prod-pitr", now()).await.unwrap();
    assert!(text.contains(&format!("Recoverable window:\n{WINDOW}")), "{text}");
}
