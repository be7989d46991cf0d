//! The Job of one shipping run (issue 14): exact argv, containers and volumes of a DIFF and of a
//! checked FULL. neo4j-admin links a DIFF to its parent only within one folder, so every run of a
//! chain writes the same `--to-path` (docs-operations dev, backup-restore/online-backup.adoc,
//! "Backup chain"; `--type`: FULL, DIFF or AUTO).

use neo4j_api::Neo4jBackup;
use neo4j_api::plan::pod::admin_command;
use neo4j_api::plan::shipping_job::{SHIPPING_LABEL, plan_shipping_run, run_name, run_started};
use neo4j_api::plan::target::ResolvedTarget;
use neo4j_api::review::Kind;
use neo4j_api::{BackupType, Neo4jEnterpriseCluster};
use serde_json::json;

const AGENT: &str = "ghcr.io/kubectl-neo4j/neo4j-agent:0.1.0";

fn protection() -> Neo4jBackup {
    let mut object = json!({"apiVersion": "neo4j.neo4j.com/v1alpha1", "kind": "Neo4jBackup",
        "metadata": {"name": "prod-pitr", "namespace": "neo4j", "uid": "3f1c2a4e-0000-4000-8000-000000000009"},
        "spec": {"target": {"kind": "Cluster", "name": "prod"},
            "storage": {"type": "s3", "bucket": "neo4j-pitr-logs", "path": "cluster-logs/", "cloud": {"provider": "aws"}},
            "schedule": "0 2 * * *", "shipping": {"interval": "30s"}}});
    let patch = Kind::Backup.defaults(&object);
    json_patch::patch(&mut object, &patch).unwrap();
    serde_json::from_value(object).unwrap()
}

fn cluster() -> ResolvedTarget {
    let cluster: Neo4jEnterpriseCluster = serde_json::from_value(json!({"apiVersion": "neo4j.neo4j.com/v1beta1",
        "kind": "Neo4jEnterpriseCluster", "metadata": {"name": "prod"},
        "spec": {"image": {"repo": "neo4j", "tag": "5.26.0-enterprise"}, "topology": {"servers": 3}}}))
    .unwrap();
    ResolvedTarget::from_cluster(&cluster, "neo4j").unwrap()
}

fn names(containers: &[k8s_openapi::api::core::v1::Container]) -> Vec<&str> {
    containers.iter().map(|c| c.name.as_str()).collect()
}

#[test]
fn a_run_is_named_for_its_start() {
    let started = "2025-01-04T12:00:30Z".parse().unwrap();
    assert_eq!(run_name("prod-pitr", started), "prod-pitr-backup-1735992030");
    assert_eq!(run_started("prod-pitr", "prod-pitr-backup-1735992030"), Some(started));
    assert_eq!(run_started("prod-pitr", "prod-pitr-backup"), None, "the name of a one-shot Job");
    assert_eq!(run_started("prod", "prod-pitr-backup-1735992030"), None, "another backup's run");
}

#[test]
fn a_diff_run_backs_up_lists_the_chain_and_reports_its_window() {
    let job =
        plan_shipping_run(&protection(), &cluster(), AGENT, BackupType::Diff, "prod-pitr-backup-1735992030").unwrap();
    assert_eq!(job.metadata.name.as_deref(), Some("prod-pitr-backup-1735992030"));
    let labels = job.metadata.labels.clone().unwrap();
    assert_eq!(labels.get(SHIPPING_LABEL).map(String::as_str), Some("true"));
    assert_eq!(labels.get("neo4j.neo4j.com/backup").map(String::as_str), Some("prod-pitr"));
    let annotations = job.metadata.annotations.clone().unwrap();
    assert_eq!(annotations.get("neo4j.neo4j.com/backup-type").map(String::as_str), Some("DIFF"));
    assert_eq!(
        annotations.get("neo4j.neo4j.com/location").map(String::as_str),
        Some("s3://neo4j-pitr-logs/cluster-logs/")
    );
    let owner = &job.metadata.owner_references.clone().unwrap()[0];
    assert_eq!((owner.kind.as_str(), owner.name.as_str(), owner.controller), ("Neo4jBackup", "prod-pitr", Some(true)));
    let spec = job.spec.unwrap();
    assert_eq!(spec.backoff_limit, Some(0), "a failed run is never retried: the next interval is the retry");
    let pod = spec.template.spec.unwrap();
    let init = pod.init_containers.unwrap();
    assert_eq!(names(&init), ["backup", "listing"], "a DIFF is not checked");
    assert_eq!(
        admin_command(init[0].command.as_ref().unwrap()),
        [
            "neo4j-admin",
            "database",
            "backup",
            "--from=prod-server-0.prod-headless.neo4j.svc.cluster.local:6362,prod-server-1.prod-headless.neo4j.svc.cluster.local:6362,prod-server-2.prod-headless.neo4j.svc.cluster.local:6362",
            "--to-path=s3://neo4j-pitr-logs/cluster-logs/",
            // AUTO: DIFF onto each database's chain, FULL for a database new since it began
            // (docs-operations dev, online-backup.adoc, `--type`).
            "--type=AUTO",
            "--compress=true",
            "--temp-path=/tmp/neo4j-admin",
            "*",
        ]
    );
    // The whole folder, every artifact with its metadata (5.26 needs --show-metadata; docs-operations
    // 5.x, backup-restore/inspect.adoc).
    assert_eq!(
        admin_command(init[1].command.as_ref().unwrap()),
        [
            "sh",
            "-c",
            r#"out="$1"; shift; neo4j-admin backup inspect "$@" > "$out""#,
            "inventory",
            "/scratch/listing.txt",
            "s3://neo4j-pitr-logs/cluster-logs/",
            "--empty",
            "--show-metadata",
        ]
    );
    assert_eq!(names(&pod.containers), ["window"]);
    assert_eq!(pod.containers[0].image.as_deref(), Some(AGENT));
    assert_eq!(pod.containers[0].args.clone().unwrap(), ["window", "--inventory=/scratch/listing.txt"]);
    assert_eq!(pod.containers[0].env, None, "the agent never gets the storage credentials");
    let volumes: Vec<String> = pod.volumes.unwrap().into_iter().map(|v| v.name).collect();
    assert_eq!(volumes, ["temp", "scratch"]);
}

#[test]
fn a_full_run_is_checked_before_the_chain_is_listed() {
    let job =
        plan_shipping_run(&protection(), &cluster(), AGENT, BackupType::Full, "prod-pitr-backup-1735956000").unwrap();
    assert_eq!(job.metadata.annotations.unwrap().get("neo4j.neo4j.com/backup-type").map(String::as_str), Some("FULL"));
    let pod = job.spec.unwrap().template.spec.unwrap();
    let init = pod.init_containers.unwrap();
    assert_eq!(names(&init), ["backup", "inventory", "databases", "verify", "listing"]);
    assert!(admin_command(init[0].command.as_ref().unwrap()).contains(&"--type=FULL".to_owned()));
    assert_eq!(names(&pod.containers), ["window"]);
    let volumes: Vec<String> = pod.volumes.unwrap().into_iter().map(|v| v.name).collect();
    assert_eq!(volumes, ["temp", "scratch"]);
}
