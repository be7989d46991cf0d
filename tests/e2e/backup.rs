//! A one-shot backup against a real API server: the controller (in-process, scoped to the test
//! namespace) creates the Job as planned and the claim from `size` (not owned); the test finishes
//! the Job's pod (no kubelet there) and watches the backup's status and history follow.

use std::sync::Arc;
use std::time::Duration;

use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::{PersistentVolumeClaim, Pod};
use kube::api::{Api, ListParams, Patch, PatchParams, PostParams};
use kube::runtime::events::{Recorder, Reporter};
use neo4j_api::{Neo4jBackup, Neo4jEnterpriseCluster};
use neo4j_controller::backup::{Ctx, run};
use serde_json::json;

use crate::support::{client, eventually, in_namespace, install_crds};

#[tokio::test]
#[ignore = "needs a cluster: KUBECONFIG"]
async fn e2e_backup_one_shot_job_runs_and_status_follows() {
    let client = client().await;
    install_crds(&client).await;
    let inner = client.clone();
    in_namespace(&client, "backup", move |ns| async move {
        let client = inner;
        let clusters: Api<Neo4jEnterpriseCluster> = Api::namespaced(client.clone(), &ns);
        let cluster = serde_json::from_value(json!({"apiVersion": "neo4j.neo4j.com/v1alpha1", "kind": "Neo4jEnterpriseCluster",
            "metadata": {"name": "prod"}, "spec": {"image": {"repo": "neo4j", "tag": "2025.01.0-enterprise"}, "topology": {"servers": 3}}}))
        .expect("cluster");
        clusters.create(&PostParams::default(), &cluster).await.expect("create the target");
        let backups: Api<Neo4jBackup> = Api::namespaced(client.clone(), &ns);
        let backup = serde_json::from_value(json!({"apiVersion": "neo4j.neo4j.com/v1alpha1", "kind": "Neo4jBackup",
            "metadata": {"name": "nightly"},
            "spec": {"target": {"kind": "Cluster", "name": "prod"}, "storage": {"type": "pvc", "path": "prod", "pvc": {"size": "1Gi"}}}}))
        .expect("backup");
        backups.create(&PostParams::default(), &backup).await.expect("create the backup");

        let recorder = Recorder::new(client.clone(), Reporter { controller: "kubectl-neo4j-e2e".into(), instance: None });
        let ctx = Arc::new(Ctx {
            client: client.clone(),
            recorder,
            now: k8s_openapi::jiff::Timestamp::now,
            metrics: Default::default(),
            agent_image: neo4j_api::plan::pod::DEFAULT_AGENT_IMAGE.to_owned(),
            cross_namespace_targets: false,
            admin: Arc::new(neo4j_controller::restore::bolt::Bolt),
        });
        let scope = ns.clone();
        let controller = tokio::spawn(async move { run(ctx, Some(&scope)).await });

        let jobs: Api<Job> = Api::namespaced(client.clone(), &ns);
        let job = eventually("the backup Job", Duration::from_secs(60), || {
            let jobs = jobs.clone();
            async move { jobs.get_opt("nightly-backup").await.ok().flatten() }
        })
        .await;
        let argv = job.spec.as_ref().and_then(|s| s.template.spec.as_ref()).map(|p| p.containers[0].command.clone().unwrap_or_default()).unwrap_or_default();
        assert_eq!(argv[..3], ["neo4j-admin", "database", "backup"], "{argv:?}");
        assert!(argv.contains(&format!("--from=prod-server-0.prod-headless.{ns}.svc.cluster.local:6362,prod-server-1.prod-headless.{ns}.svc.cluster.local:6362,prod-server-2.prod-headless.{ns}.svc.cluster.local:6362")), "{argv:?}");
        assert!(argv.contains(&"--to-path=/backups/prod".to_owned()), "{argv:?}");

        let claims: Api<PersistentVolumeClaim> = Api::namespaced(client.clone(), &ns);
        let claim = claims.get("nightly-backups").await.expect("the claim made from size");
        assert!(claim.metadata.owner_references.is_none(), "backups outlive the Neo4jBackup");

        // No kubelet: finish the Job's pod by hand; the Job controller then completes the Job.
        let pods: Api<Pod> = Api::namespaced(client.clone(), &ns);
        let pod = eventually("the backup pod", Duration::from_secs(60), || {
            let pods = pods.clone();
            async move { pods.list(&ListParams::default().labels("batch.kubernetes.io/job-name=nightly-backup")).await.ok()?.items.into_iter().next() }
        })
        .await;
        let pod_name = pod.metadata.name.clone().expect("pod name");
        let finished = json!({"status": {"phase": "Succeeded", "containerStatuses": [{"name": "backup", "ready": false, "restartCount": 0,
            "image": "neo4j:2025.01.0-enterprise", "imageID": "", "state": {"terminated": {"exitCode": 0, "reason": "Completed",
            "startedAt": "2025-01-20T02:00:00Z", "finishedAt": "2025-01-20T02:05:00Z"}}}]}});
        pods.patch_status(&pod_name, &PatchParams::default(), &Patch::Merge(&finished)).await.expect("finish the pod");

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
        controller.abort();
    })
    .await;
}
