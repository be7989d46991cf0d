//! `kubectl neo4j health` (issue 15, item 3): the checks over real Bolt (boltstub at a loopback
//! address given as `--bolt-address`), with the target, its client Service, its admin Secret
//! and its Neo4jBackups from an API server stand-in; the port-forward path's refusals.

use k8s_openapi::jiff::Timestamp;
use kube::Client;
use kubectl_neo4j::online::health::{Via, health};
use neo4j_api::health::report::Outcome;
use serde_json::{Value, json};

fn cluster(tls: bool) -> Value {
    let mut spec = json!({"image": {"repo": "neo4j", "tag": "2025.04.0-enterprise"}, "topology": {"servers": 3}});
    if tls {
        spec["tls"] = json!({"mode": "cert-manager", "issuerRef": {"name": "ca", "kind": "ClusterIssuer"}});
    }
    json!({"apiVersion": "neo4j.neo4j.com/v1alpha1", "kind": "Neo4jEnterpriseCluster",
        "metadata": {"name": "prod", "namespace": "neo4j", "uid": "c-1"}, "spec": spec})
}

fn backup(name: &str, extra: Value, status: Value) -> Value {
    let mut object = json!({"apiVersion": "neo4j.neo4j.com/v1alpha1", "kind": "Neo4jBackup",
        "metadata": {"name": name, "namespace": "neo4j"},
        "spec": {"target": {"kind": "Cluster", "name": "prod"}, "storage": {"type": "pvc"}, "schedule": "0 2 * * *"},
        "status": status});
    json_patch::merge(&mut object["spec"], &extra);
    object
}

fn served(path: &str, tls: bool) -> Option<Value> {
    Some(match path {
        "/apis" | "/apis/neo4j.neo4j.com/v1alpha1" => return neo4j_testkit::target_discovery(path),
        "/apis/neo4j.neo4j.com/v1alpha1/namespaces/neo4j/neo4jenterpriseclusters/prod" => cluster(tls),
        "/api/v1/namespaces/neo4j/services/prod-client" => json!({"apiVersion": "v1", "kind": "Service",
            "metadata": {"name": "prod-client", "namespace": "neo4j",
                "ownerReferences": [{"apiVersion": "neo4j.neo4j.com/v1alpha1", "kind": "Neo4jEnterpriseCluster", "name": "prod", "uid": "c-1", "controller": true}]},
            "spec": {"type": "ClusterIP", "clusterIP": "10.0.0.7"}}),
        // base64 of "neo4j" and "s3cret", the credentials the stub's script expects
        "/api/v1/namespaces/neo4j/secrets/neo4j-admin-secret" => json!({"apiVersion": "v1", "kind": "Secret",
            "metadata": {"name": "neo4j-admin-secret"}, "data": {"username": "bmVvNGo=", "password": "czNjcmV0"}}),
        "/apis/neo4j.neo4j.com/v1alpha1/namespaces/neo4j/neo4jbackups" => {
            json!({"apiVersion": "neo4j.neo4j.com/v1alpha1",
            "kind": "Neo4jBackupList", "metadata": {}, "items": [
                backup("nightly", json!({}), json!({"phase": "Completed", "lastSuccessfulBackupTime": "2025-01-20T02:10:00Z"})),
                backup("hourly", json!({"schedule": "0 * * * *", "rpo": "1h"}),
                    json!({"phase": "Completed", "lastSuccessfulBackupTime": "2025-01-20T20:05:00Z"})),
                backup("other", json!({"target": {"kind": "Cluster", "name": "staging"}}), json!({})),
                backup("fresh", json!({}), json!({"phase": "Pending"}))]})
        }
        _ => return None,
    })
}

/// The stand-in, and the paths it was asked for.
fn server(tls: bool) -> (Client, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
    neo4j_testkit::answering(move |path| served(path, tls))
}

fn now() -> Timestamp {
    "2025-01-21T00:00:00Z".parse().unwrap()
}

#[tokio::test]
async fn a_database_and_the_targets_backups_are_checked_over_bolt_at_the_address_given() {
    let stub = neo4j_testkit::boltstub::generated_for(|port| neo4j_testkit::boltstub::health_script(port, "s3cret"));
    let (client, _) = server(false);
    let address = format!("127.0.0.1:{}", stub.port);
    let report = health(&client, "neo4j", "prod", Some("orders"), Via::Address { address, plaintext: false }, now())
        .await
        .unwrap();
    let checks: Vec<(&str, Outcome, &str)> =
        report.checks.iter().map(|c| (c.name.as_str(), c.outcome, c.message.as_str())).collect();
    assert_eq!(
        checks,
        [
            ("connectivity", Outcome::Pass, "logged in and ran a query"),
            ("databases", Outcome::Pass, "2 of 2 allocation(s) online, every one as requested"),
            ("schema", Outcome::Warn, "1 index(es) still POPULATING: order_date (42.5%)"),
            ("counts", Outcome::Pass, "1250 nodes, 4800 relationships"),
            ("backup:fresh", Outcome::Warn, "has no successful run yet: nothing can be restored from it"),
            (
                "backup:hourly",
                Outcome::Fail,
                "the newest restorable moment is 2025-01-20T20:05:00Z (3h55m0s old), older than its objective of 1h"
            ),
            (
                "backup:nightly",
                Outcome::Pass,
                "the newest restorable moment is 2025-01-20T02:10:00Z (21h50m0s old); its runs are at most 24h0m0s apart"
            ),
        ]
    );
    assert_eq!(report.target, "Neo4jEnterpriseCluster neo4j/prod, database orders");
    assert_eq!((report.status.as_str(), report.healthy()), ("unhealthy", false));
    assert_eq!(report.graph_stats.map(|s| s.nodes), Some(1250));
    stub.finish();

    // docs/plugin.md shows this report, its durations (which vary from run to run) as 3ms.
    let mut shown = report.clone();
    shown.checks.iter_mut().filter(|c| !c.name.starts_with("backup:")).for_each(|c| c.duration_ms = 3);
    let docs =
        std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/plugin.md")).unwrap();
    let block = format!("$ kubectl neo4j health prod --database orders -n neo4j\n{}", shown.render());
    assert!(docs.contains(&block), "docs/plugin.md shows another report than health prints:\n{block}");
}

#[tokio::test]
async fn a_port_forward_is_refused_for_tls_and_a_pod_that_cannot_be_reached_is_named() {
    let (client, _) = server(true);
    let err = health(&client, "neo4j", "prod", None, Via::PortForward, now()).await.unwrap_err();
    assert_eq!(
        err,
        "prod serves Bolt over TLS: its certificate names its hosts in the cluster, not the 127.0.0.1 of a port-forward, and verification is never skipped; give --bolt-address HOST:PORT with a host the certificate names"
    );
    let (client, asked) = server(false);
    let err = health(&client, "neo4j", "prod", None, Via::PortForward, now()).await.unwrap_err();
    assert!(err.starts_with("cannot port-forward to Pod \"prod-server-0\" port 7687: "), "{err}");
    assert!(asked.lock().unwrap().iter().any(|p| p == "/api/v1/namespaces/neo4j/pods/prod-server-0/portforward"));
    asked.lock().unwrap().clear();
    let far = Via::Address { address: "neo4j.example.com:7687".into(), plaintext: false };
    let err = health(&client, "neo4j", "prod", None, far, now()).await.unwrap_err();
    assert_eq!(
        err,
        "prod serves Bolt without TLS: the admin password would cross the network to neo4j.example.com:7687 in the clear; give --allow-plaintext-bolt if that network is yours, or use the port-forward (leave out --bolt-address)"
    );
    assert!(!asked.lock().unwrap().iter().any(|p| p.contains("/secrets/")), "refused before any Secret is read");
    let err = health(&client, "neo4j", "missing", None, Via::PortForward, now()).await.unwrap_err();
    assert_eq!(err, "no Neo4jEnterpriseCluster or Neo4jEnterpriseStandalone \"missing\" in namespace neo4j");
}
