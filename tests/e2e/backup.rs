//! A one-shot backup against a real API server: the controller (in-process, scoped to the test
//! namespace) creates the Job as planned and the claim from `size` (not owned); the test finishes
//! the Job's pod (no kubelet there) and watches the backup's status and history follow.

use std::sync::Arc;
use std::time::Duration;

use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::PersistentVolumeClaim;
use kube::Client;
use kube::api::{Api, PostParams};
use neo4j_api::Neo4jBackup;
use neo4j_controller::backup::run;
use serde_json::json;

use crate::pitr::window_report;
use crate::support::{
    client, controller_ctx, create_cluster, eventually, finish_job_pod_reporting, in_namespace, install_crds,
};

#[tokio::test]
#[ignore = "needs a cluster: KUBECONFIG"]
async fn e2e_backup_one_shot_job_runs_and_status_follows() {
    let client = client().await;
    let _cluster = install_crds(&client).await;
    let inner = client.clone();
    in_namespace(&client, "backup", move |ns| async move { one_shot(inner, ns, "v1alpha1").await }).await;
}

/// A one-shot Neo4jBackup of a Neo4jEnterpriseCluster served at `target_version`, run by the
/// in-process controller to Completed.
pub async fn one_shot(client: Client, ns: String, target_version: &str) {
    create_cluster(&client, &ns, target_version, "prod").await;
    let backups: Api<Neo4jBackup> = Api::namespaced(client.clone(), &ns);
    let backup = serde_json::from_value(json!({"apiVersion": "neo4j.neo4j.com/v1alpha1", "kind": "Neo4jBackup",
        "metadata": {"name": "nightly"},
        "spec": {"target": {"kind": "Cluster", "name": "prod"}, "storage": {"type": "pvc", "path": "prod", "pvc": {"size": "1Gi"}}}}))
    .expect("backup");
    backups.create(&PostParams::default(), &backup).await.expect("create the backup");

    let ctx = controller_ctx(&client, Arc::new(neo4j_controller::restore::bolt::Bolt));
    let scope = ns.clone();
    let controller = tokio::spawn(async move { run(ctx, Some(&scope)).await });

    let jobs: Api<Job> = Api::namespaced(client.clone(), &ns);
    let job = eventually("the backup Job", Duration::from_secs(60), || {
        let jobs = jobs.clone();
        async move { jobs.get_opt("nightly-backup").await.ok().flatten() }
    })
    .await;
    // With verification (the default) the folder is made, the backup taken and checked, then the
    // location listed; the Pod's container reports the window (issue 14, item 2).
    let pod = job.spec.as_ref().and_then(|s| s.template.spec.clone()).expect("pod template");
    let init: Vec<String> = pod.init_containers.iter().flatten().map(|c| c.name.clone()).collect();
    assert_eq!(init, ["prepare", "backup", "inventory", "databases", "verify", "listing", "manifest"]);
    let argv = pod
        .init_containers
        .iter()
        .flatten()
        .chain(&pod.containers)
        .find(|c| c.name == "backup")
        .and_then(|c| c.command.clone())
        .unwrap_or_default();
    assert_eq!(pod.containers[0].name, "window");
    assert_eq!(argv[..3], ["neo4j-admin", "database", "backup"], "{argv:?}");
    assert!(argv.contains(&format!("--from=prod-server-0.prod-headless.{ns}.svc.cluster.local:6362,prod-server-1.prod-headless.{ns}.svc.cluster.local:6362,prod-server-2.prod-headless.{ns}.svc.cluster.local:6362")), "{argv:?}");
    assert!(argv.contains(&"--to-path=/backups/prod".to_owned()), "{argv:?}");

    let claims: Api<PersistentVolumeClaim> = Api::namespaced(client.clone(), &ns);
    let claim = claims.get("nightly-backups").await.expect("the claim made from size");
    assert!(claim.metadata.owner_references.is_none(), "backups outlive the Neo4jBackup");

    // No kubelet: finish the Job's pod by hand, its `window` container reporting what the agent
    // would; the Job controller then completes the Job.
    let report = window_report("2025-01-20T02:00:00Z", 420);
    let message = serde_json::to_string(&report).expect("a report");
    let init: Vec<&str> = init.iter().map(String::as_str).collect();
    finish_job_pod_reporting(&client, &ns, "nightly-backup", &init, "window", &message).await;

    let status = eventually("the backup to complete", Duration::from_secs(120), || {
        let backups = backups.clone();
        async move {
            let backup = backups.get("nightly").await.ok()?;
            let status = backup.status?;
            (status.phase.as_ref().map(|p| p.as_str()) == Some("Completed")).then_some(status)
        }
    })
    .await;
    assert_eq!(status.history[0].job_name, "nightly-backup");
    assert_eq!(status.history[0].artifact.as_deref(), Some("pvc://nightly-backups/prod"));
    assert!(status.last_successful_backup_time.is_some());
    let status = eventually("the window in the status", Duration::from_secs(60), || {
        let backups = backups.clone();
        async move {
            let status = backups.get("nightly").await.ok()?.status?;
            status.window_time.is_some().then_some(status)
        }
    })
    .await;
    assert_eq!(status.recovery_window, report.recovery_window, "a backup without shipping keeps its window too");
    controller.abort();
}
