//! The protection of PITR-enabled targets (issue 14) against a scripted API server: a cluster with
//! `spec.pointInTimeRecovery` gets its `<name>-pitr` Neo4jBackup, applied only when it differs,
//! suspended when recovery is turned off, and a Neo4jBackup of that name written by someone else is
//! never taken over.

mod support;

use std::sync::Arc;

use http::{Method, StatusCode};
use neo4j_controller::pitr::sync;
use serde_json::{Value, json};
use support::{Step, checked, not_found, step};

async fn run(steps: Vec<Step>) {
    let admin = Arc::new(neo4j_controller::restore::bolt::Bolt);
    support::reconcile_with(admin, steps, |ctx| async move { sync(&ctx, None).await }).await.expect("sync succeeds")
}

const PROTECTIONS: &str = "/apis/neo4j.neo4j.com/v1alpha1/neo4jbackups?&labelSelector=neo4j.neo4j.com%2Fpitr-target";
const CLUSTERS: &str = "/apis/neo4j.neo4j.com/v1alpha1/neo4jenterpriseclusters";
const STANDALONES: &str = "/apis/neo4j.neo4j.com/v1alpha1/neo4jenterprisestandalones";
const PROTECTION: &str = "/apis/neo4j.neo4j.com/v1alpha1/namespaces/neo4j/neo4jbackups/prod-pitr";

fn cluster(pitr: Value) -> Value {
    json!({"apiVersion": "neo4j.neo4j.com/v1alpha1", "kind": "Neo4jEnterpriseCluster",
        "metadata": {"name": "prod", "namespace": "neo4j", "uid": "cluster-uid-1"},
        "spec": {"image": {"repo": "neo4j", "tag": "2025.01.0-enterprise"}, "topology": {"servers": 3}, "pointInTimeRecovery": pitr}})
}

/// Seed 000's basic configuration, with both destinations in one folder.
fn seed_pitr() -> Value {
    json!({"enabled": true,
        "logShipping": {"enabled": true, "interval": "30s", "compression": true,
            "destination": {"type": "s3", "bucket": "neo4j-pitr", "path": "prod/"}},
        "baseBackup": {"schedule": "0 2 * * *", "retention": "30d",
            "destination": {"type": "s3", "bucket": "neo4j-pitr", "path": "prod/"}}})
}

fn list(kind: &str, items: Vec<Value>) -> Value {
    json!({"apiVersion": "neo4j.neo4j.com/v1alpha1", "kind": kind, "metadata": {}, "items": items})
}

fn applied() -> Value {
    json!({"apiVersion": "neo4j.neo4j.com/v1alpha1", "kind": "Neo4jBackup", "metadata": {"name": "prod-pitr", "namespace": "neo4j"}, "spec": {}})
}

/// What the controller applies for `cluster(seed_pitr())`.
fn expected_spec() -> Value {
    json!({"target": {"kind": "Cluster", "name": "prod"},
        "storage": {"type": "s3", "bucket": "neo4j-pitr", "path": "prod/", "cloud": {"provider": "aws"}},
        "options": {"backupType": "FULL", "compress": true, "verify": false},
        "schedule": "0 2 * * *", "suspend": false,
        "retention": {"maxAge": "30d", "deletePolicy": "Delete"},
        "shipping": {"interval": "30s"}})
}

#[tokio::test]
async fn a_pitr_cluster_gets_its_protection_owned_by_it() {
    run(vec![
        step(Method::GET, PROTECTIONS, StatusCode::OK, list("Neo4jBackupList", vec![])),
        step(Method::GET, CLUSTERS, StatusCode::OK, list("Neo4jEnterpriseClusterList", vec![cluster(seed_pitr())])),
        step(Method::GET, PROTECTION, StatusCode::NOT_FOUND, not_found("neo4jbackups prod-pitr")),
        checked(
            Method::PATCH,
            "/apis/neo4j.neo4j.com/v1alpha1/namespaces/neo4j/neo4jbackups/prod-pitr?&force=true&fieldManager=kubectl-neo4j-controller",
            StatusCode::OK,
            applied(),
            |body| {
                // Server-side apply needs the object's type in the body.
                assert_eq!((body["apiVersion"].as_str(), body["kind"].as_str()), (Some("neo4j.neo4j.com/v1alpha1"), Some("Neo4jBackup")));
                assert!(body.get("status").is_none(), "the protection's status is the backup controller's");
                assert_eq!(body["spec"], expected_spec());
                assert_eq!(
                    body["metadata"]["ownerReferences"],
                    json!([{"apiVersion": "neo4j.neo4j.com/v1alpha1", "kind": "Neo4jEnterpriseCluster", "name": "prod", "uid": "cluster-uid-1"}])
                );
                assert_eq!(body["metadata"]["labels"]["neo4j.neo4j.com/pitr-target"], "prod");
            },
        ),
        step(Method::GET, STANDALONES, StatusCode::OK, list("Neo4jEnterpriseStandaloneList", vec![])),
    ])
    .await;
}

fn stored(spec: Value, labels: Value) -> Value {
    json!({"apiVersion": "neo4j.neo4j.com/v1alpha1", "kind": "Neo4jBackup",
        "metadata": {"name": "prod-pitr", "namespace": "neo4j", "labels": labels,
            "ownerReferences": [{"apiVersion": "neo4j.neo4j.com/v1alpha1", "kind": "Neo4jEnterpriseCluster", "name": "prod", "uid": "cluster-uid-1"}]},
        "spec": spec})
}

#[tokio::test]
async fn an_up_to_date_protection_is_not_written_again() {
    let ours = stored(
        expected_spec(),
        json!({"neo4j.neo4j.com/pitr-target": "prod", "app.kubernetes.io/managed-by": "kubectl-neo4j"}),
    );
    run(vec![
        step(Method::GET, PROTECTIONS, StatusCode::OK, list("Neo4jBackupList", vec![ours])),
        step(Method::GET, CLUSTERS, StatusCode::OK, list("Neo4jEnterpriseClusterList", vec![cluster(seed_pitr())])),
        step(Method::GET, STANDALONES, StatusCode::OK, list("Neo4jEnterpriseStandaloneList", vec![])),
    ])
    .await;
}

#[tokio::test]
async fn turning_recovery_off_suspends_the_protection_and_keeps_it() {
    let ours = stored(
        expected_spec(),
        json!({"neo4j.neo4j.com/pitr-target": "prod", "app.kubernetes.io/managed-by": "kubectl-neo4j"}),
    );
    let mut off = seed_pitr();
    off["enabled"] = json!(false);
    run(vec![
        step(Method::GET, PROTECTIONS, StatusCode::OK, list("Neo4jBackupList", vec![ours])),
        step(Method::GET, CLUSTERS, StatusCode::OK, list("Neo4jEnterpriseClusterList", vec![cluster(off)])),
        checked(Method::PATCH, PROTECTION, StatusCode::OK, applied(), |body| {
            assert_eq!(body, &json!({"spec": {"suspend": true}}));
        }),
        step(Method::GET, STANDALONES, StatusCode::OK, list("Neo4jEnterpriseStandaloneList", vec![])),
    ])
    .await;
}

#[tokio::test]
async fn a_backup_of_that_name_written_by_someone_else_is_left_alone() {
    let theirs = stored(json!({"target": {"kind": "Cluster", "name": "prod"}}), json!({"team": "a"}));
    run(vec![
        step(Method::GET, PROTECTIONS, StatusCode::OK, list("Neo4jBackupList", vec![])),
        step(Method::GET, CLUSTERS, StatusCode::OK, list("Neo4jEnterpriseClusterList", vec![cluster(seed_pitr())])),
        step(Method::GET, PROTECTION, StatusCode::OK, theirs),
        // No apply.
        step(Method::GET, STANDALONES, StatusCode::OK, list("Neo4jEnterpriseStandaloneList", vec![])),
    ])
    .await;
}

#[tokio::test]
async fn a_new_destination_replaces_the_protection_on_the_next_pass() {
    // The storage of a Neo4jBackup cannot change: the old protection is deleted (its artifacts
    // stay), and the next pass creates the new one (as in the first test).
    let mut old_spec = expected_spec();
    old_spec["storage"]["path"] = json!("old/");
    let ours = stored(
        old_spec,
        json!({"neo4j.neo4j.com/pitr-target": "prod", "app.kubernetes.io/managed-by": "kubectl-neo4j"}),
    );
    run(vec![
        step(Method::GET, PROTECTIONS, StatusCode::OK, list("Neo4jBackupList", vec![ours])),
        step(Method::GET, CLUSTERS, StatusCode::OK, list("Neo4jEnterpriseClusterList", vec![cluster(seed_pitr())])),
        checked(
            Method::DELETE,
            PROTECTION,
            StatusCode::OK,
            json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success"}),
            |body| assert_eq!(body["propagationPolicy"], "Background"),
        ),
        step(Method::GET, STANDALONES, StatusCode::OK, list("Neo4jEnterpriseStandaloneList", vec![])),
    ])
    .await;
}
