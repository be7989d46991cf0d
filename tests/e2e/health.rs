//! `kubectl neo4j health` against a real API server (issue 15, item 3): the target, its client
//! Service, its admin Secret and its Neo4jBackups read through the API server, Bolt to a
//! boltstub on 127.0.0.1 (`--bolt-address`: there is no kubelet here, so a port-forward has no
//! Pod to reach, and the test checks that this is said plainly).

use std::time::Duration;

use kube::Api;
use kube::api::{Patch, PatchParams, PostParams};
use kubectl_neo4j::online::health::{Via, health};
use neo4j_api::Neo4jBackup;
use neo4j_api::health::report::Outcome;
use serde_json::json;

use crate::restore::create_restorable_target;
use crate::support::{client, eventually, in_namespace, install_crds};

#[tokio::test]
#[ignore = "needs a cluster: KUBECONFIG"]
async fn e2e_health_of_a_cluster_its_database_and_its_backups() {
    let client = client().await;
    let _cluster = install_crds(&client).await;
    let inner = client.clone();
    in_namespace(&client, "health", move |ns| async move { checked(inner, ns).await }).await;
}

async fn checked(client: kube::Client, ns: String) {
    create_restorable_target(&client, &ns, "v1alpha1").await;
    let backups: Api<Neo4jBackup> = Api::namespaced(client.clone(), &ns);
    let nightly = serde_json::from_value(json!({"apiVersion": "neo4j.neo4j.com/v1alpha1", "kind": "Neo4jBackup",
        "metadata": {"name": "nightly"},
        "spec": {"target": {"kind": "Cluster", "name": "prod"}, "storage": {"type": "pvc", "pvc": {"name": "backups"}},
            "schedule": "0 2 * * *"}}))
    .expect("backup");
    backups.create(&PostParams::default(), &nightly).await.expect("create the Neo4jBackup");
    let now = k8s_openapi::jiff::Timestamp::now();
    let an_hour_ago = now - k8s_openapi::jiff::SignedDuration::from_hours(1);
    let status = json!({"status": {"phase": "Completed", "lastSuccessfulBackupTime": an_hour_ago.to_string()}});
    backups.patch_status("nightly", &PatchParams::default(), &Patch::Merge(&status)).await.expect("its status");
    eventually("the status to be readable", Duration::from_secs(30), || {
        let backups = backups.clone();
        async move { backups.get("nightly").await.ok()?.status?.last_successful_backup_time.map(|_| ()) }
    })
    .await;

    let stub =
        neo4j_testkit::boltstub::generated_for(|port| neo4j_testkit::boltstub::health_script(port, "e2e-password"));
    let address = format!("127.0.0.1:{}", stub.port);
    let report = health(&client, &ns, "prod", Some("orders"), Via::Address { address, plaintext: false }, now)
        .await
        .expect("a report");
    let outcomes: Vec<(&str, Outcome)> = report.checks.iter().map(|c| (c.name.as_str(), c.outcome)).collect();
    assert_eq!(
        outcomes,
        [
            ("connectivity", Outcome::Pass),
            ("databases", Outcome::Pass),
            ("schema", Outcome::Warn),
            ("counts", Outcome::Pass),
            ("backup:nightly", Outcome::Pass),
        ],
        "{}",
        report.render()
    );
    assert_eq!(report.target, format!("Neo4jEnterpriseCluster {ns}/prod, database orders"));
    assert!(report.healthy(), "{}", report.render());
    stub.finish();

    // No kubelet: server 0's Pod does not exist, and the port-forward says so before any check.
    let err = health(&client, &ns, "prod", None, Via::PortForward, now).await.unwrap_err();
    assert!(err.starts_with("cannot port-forward to Pod \"prod-server-0\" port 7687: "), "{err}");
}
