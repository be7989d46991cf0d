//! An offline restore against a real API server: the controller (in-process, scoped to the test
//! namespace) records the StatefulSet's size, scales it to 0, runs the restore Job on the server's
//! data claim, scales back to the recorded size and brings the database up. There is no kubelet
//! and no Neo4j: the test marks Pods ready and finishes the Job's Pod itself, and the database is
//! a stand-in that answers like Neo4j does (`SHOW DATABASE` after `CREATE DATABASE`); the Bolt
//! client itself is covered by the boltstub tests.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::future::BoxFuture;
use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::Secret;
use kube::api::{Api, PostParams};
use kube::{Client, ResourceExt};
use neo4j_api::Neo4jRestore;
use neo4j_api::restore::machine::{Cypher, Database};
use neo4j_controller::restore::bolt::{DatabaseAdmin, Endpoint, Session};
use neo4j_controller::restore::run;
use neo4j_testkit::bolt::Healthy;
use serde_json::json;

use crate::support::{client, controller_ctx, create_cluster, eventually, finish_job_pod, in_namespace, install_crds};

/// A database server stand-in: the database is absent until CREATE DATABASE.
#[derive(Default)]
pub(crate) struct StandIn {
    created: Mutex<bool>,
}

impl DatabaseAdmin for StandIn {
    fn show<'a>(&'a self, endpoint: &'a Endpoint, _: &'a str) -> BoxFuture<'a, Result<Database, String>> {
        assert_eq!(endpoint.password, "e2e-password", "credentials come from the admin Secret");
        let created = *self.created.lock().unwrap();
        Box::pin(async move { Ok(if created { Database::present(true) } else { Database::Absent }) })
    }
    fn open<'a>(&'a self, _: &'a Endpoint) -> BoxFuture<'a, Result<Box<dyn Session>, String>> {
        let healthy = Healthy { database: "orders".into(), nodes: 10, relationships: 20 };
        Box::pin(async move { Ok(Box::new(healthy) as Box<dyn Session>) })
    }
    fn run<'a>(&'a self, _: &'a Endpoint, _: &'a str, cypher: &'a Cypher) -> BoxFuture<'a, Result<(), String>> {
        if matches!(cypher, Cypher::Create | Cypher::CreateSeeded { .. }) {
            *self.created.lock().unwrap() = true;
        }
        Box::pin(async { Ok(()) })
    }
}

/// The cluster `prod` at `version` as a restore needs it: its admin Secret (the password the
/// database stand-in checks) and its client Service.
pub(crate) async fn create_restorable_target(client: &Client, ns: &str, version: &str) {
    let secrets: Api<Secret> = Api::namespaced(client.clone(), ns);
    let secret = serde_json::from_value(
        json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "neo4j-admin-secret"},
        "stringData": {"username": "neo4j", "password": "e2e-password"}}),
    )
    .expect("secret");
    secrets.create(&PostParams::default(), &secret).await.expect("create the admin Secret");
    create_cluster(client, ns, version, "prod").await;
    crate::support::create_client_service(client, ns, "prod").await;
}

/// What the Neo4j operator would run for `prod`: the StatefulSet `prod-server` with 3 replicas,
/// its Pods marked ready by a stand-in kubelet (the controller asks the database over Bolt only
/// while a server is ready). Abort the returned task at the end.
pub(crate) async fn run_servers(client: &Client, ns: &str) -> tokio::task::JoinHandle<()> {
    let sets: Api<StatefulSet> = Api::namespaced(client.clone(), ns);
    let set = serde_json::from_value(
        json!({"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "prod-server"},
        "spec": {"replicas": 3, "serviceName": "prod-headless", "selector": {"matchLabels": {"app": "prod-server"}},
            "template": {"metadata": {"labels": {"app": "prod-server"}},
                "spec": {"containers": [{"name": "neo4j", "image": "neo4j:2025.01.0-enterprise"}]}}}}),
    )
    .expect("statefulset");
    sets.create(&PostParams::default(), &set).await.expect("create the StatefulSet");
    tokio::spawn(crate::support::play_kubelet(client.clone(), ns.to_owned(), "app=prod-server"))
}

async fn replicas(sets: &Api<StatefulSet>) -> Option<i32> {
    sets.get("prod-server").await.ok()?.spec?.replicas
}

#[tokio::test]
#[ignore = "needs a cluster: KUBECONFIG"]
async fn e2e_restore_stop_cluster_scales_to_zero_and_back() {
    let client = client().await;
    let _cluster = install_crds(&client).await;
    let inner = client.clone();
    in_namespace(&client, "restore", move |ns| async move { offline(inner, ns, "v1alpha1").await }).await;
}

/// An offline restore (`stopCluster`) into a Neo4jEnterpriseCluster served at `target_version`:
/// the hold annotation set, scaled to 0, restored, scaled back, released.
pub async fn offline(client: Client, ns: String, target_version: &str) {
    create_restorable_target(&client, &ns, target_version).await;
    let clusters = crate::support::clusters(&client, &ns, target_version);
    let sets: Api<StatefulSet> = Api::namespaced(client.clone(), &ns);
    let kubelet = run_servers(&client, &ns).await;

    let restores: Api<Neo4jRestore> = Api::namespaced(client.clone(), &ns);
    let restore = serde_json::from_value(json!({"apiVersion": "neo4j.neo4j.com/v1alpha1", "kind": "Neo4jRestore",
        "metadata": {"name": "recover"},
        "spec": {"targetCluster": "prod", "databaseName": "orders", "stopCluster": true,
            "options": {"allowPlaintextBolt": true},
            "source": {"type": "storage", "storage": {"type": "pvc", "pvc": {"name": "backups"}},
                "backupPath": "prod/orders-2025-01-20T02-00-00.backup"}}}))
    .expect("restore");
    restores.create(&PostParams::default(), &restore).await.expect("create the restore");

    let ctx = controller_ctx(&client, Arc::new(StandIn::default()));
    let scope = ns.clone();
    let controller = tokio::spawn(async move { run(ctx, Some(&scope)).await });

    // The size is recorded, then the StatefulSet goes to 0.
    eventually("the StatefulSet scaled to 0", Duration::from_secs(120), || {
        let sets = sets.clone();
        async move { (replicas(&sets).await == Some(0)).then_some(()) }
    })
    .await;
    let recorded = restores
        .get("recover")
        .await
        .expect("restore")
        .status
        .and_then(|s| s.progress)
        .and_then(|p| p.original_replicas);
    assert_eq!(recorded, Some(3));
    // The Neo4j operator leaves the scale-down alone while the target carries its annotation.
    let held = clusters.get("prod").await.expect("the target").metadata.annotations.unwrap_or_default();
    assert_eq!(held.get("neo4j.com/restore-in-progress").map(String::as_str), Some("recover"), "{held:?}");

    // The restore Job mounts server 0's claim; finish its Pod.
    let jobs: Api<Job> = Api::namespaced(client.clone(), &ns);
    let job = eventually("the restore Job", Duration::from_secs(120), || {
        let jobs = jobs.clone();
        async move { jobs.get_opt("recover-restore").await.ok().flatten() }
    })
    .await;
    let pod_spec = job.spec.and_then(|s| s.template.spec).expect("pod");
    let argv = pod_spec.init_containers.clone().unwrap_or_default()[0].command.clone().unwrap_or_default();
    assert_eq!(pod_spec.containers[0].name, "measure", "then the agent measures what was written");
    assert_eq!(
        argv,
        ["neo4j-admin", "database", "restore", "--from-path=/backups/prod/orders-2025-01-20T02-00-00.backup", "orders"]
    );
    let claims: Vec<String> = pod_spec
        .volumes
        .iter()
        .flatten()
        .filter_map(|v| v.persistent_volume_claim.as_ref().map(|c| c.claim_name.clone()))
        .collect();
    assert_eq!(claims, ["backups", "data-prod-server-0"]);
    finish_job_pod(&client, &ns, "recover-restore", "measure").await;

    // Back to the recorded size, the database created, the restore complete and released.
    let status = eventually("the restore to complete", Duration::from_secs(180), || {
        let restores = restores.clone();
        async move {
            let status = restores.get("recover").await.ok()?.status?;
            (status.phase.as_ref().map(|p| p.as_str()) == Some("Completed")).then_some(status)
        }
    })
    .await;
    assert_eq!(replicas(&sets).await, Some(3), "scaled back to the recorded size");
    let annotations = clusters.get("prod").await.expect("the target").metadata.annotations.unwrap_or_default();
    assert!(!annotations.contains_key("neo4j.com/restore-in-progress"), "released: {annotations:?}");
    assert_eq!(status.stats.as_ref().and_then(|s| s.node_count), Some(10));
    let health = status.health.as_ref().expect("the health checks of the restored database");
    let checks: Vec<&str> = health.checks.iter().map(|c| c.name.as_str()).collect();
    assert_eq!((health.status.as_str(), checks), ("healthy", vec!["connectivity", "databases", "schema", "counts"]));
    let finalizers = restores.get("recover").await.expect("restore").finalizers().to_vec();
    assert!(finalizers.is_empty(), "released: {finalizers:?}");
    controller.abort();
    kubelet.abort();
}
