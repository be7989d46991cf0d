//! Backup plans: exact argv for the cases that matter, and golden YAML for every seed backup
//! (every storage type and option). `UPDATE_GOLDEN=1 cargo test --workspace --test plan_backup`
//! rewrites the golden files after a deliberate change; review the diff.

use std::path::PathBuf;

use neo4j_api::Neo4jBackup;
use neo4j_api::plan::backup_job::{BackupWorkload, plan_backup};
use neo4j_api::plan::target::ResolvedTarget;
use neo4j_api::review::Kind;
use neo4j_api::{Neo4jEnterpriseCluster, Neo4jEnterpriseStandalone};
use serde_json::{Value, json};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn seed(name: &str) -> Value {
    let path = root().join("../tests/fixtures/seeds").join(format!("004-backup-{name}.yaml"));
    serde_saphyr::from_str(&std::fs::read_to_string(&path).expect("seed")).expect("seed YAML")
}

/// A backup as the API server stores it: defaulted, with a namespace and a uid.
fn stored(mut object: Value) -> Neo4jBackup {
    object["metadata"]["namespace"] = json!("neo4j");
    object["metadata"]["uid"] = json!("3f1c2a4e-0000-4000-8000-000000000001");
    let patch = Kind::Backup.defaults(&object);
    json_patch::patch(&mut object, &patch).expect("defaults apply");
    serde_json::from_value(object).expect("a Neo4jBackup")
}

fn cluster(tag: &str, servers: i32) -> ResolvedTarget {
    let cluster: Neo4jEnterpriseCluster = serde_json::from_value(json!({"apiVersion": "neo4j.neo4j.com/v1alpha1",
        "kind": "Neo4jEnterpriseCluster", "metadata": {"name": "prod"},
        "spec": {"image": {"repo": "neo4j", "tag": tag, "pullSecrets": ["regcred"]}, "topology": {"servers": servers}}}))
    .expect("cluster");
    ResolvedTarget::from_cluster(&cluster, "neo4j").expect("target")
}

fn argv(workload: &BackupWorkload) -> Vec<String> {
    let spec = match workload {
        BackupWorkload::Job(job) => job.spec.clone(),
        BackupWorkload::CronJob(cron) => cron.spec.as_ref().and_then(|s| s.job_template.spec.clone()),
    };
    spec.and_then(|s| s.template.spec).expect("pod").containers[0].command.clone().expect("argv")
}

#[test]
fn cluster_backup_to_s3_argv() {
    let plan = plan_backup(&stored(seed("cluster-backup-s3")), &cluster("2025.01.0-enterprise", 3)).unwrap();
    assert_eq!(
        argv(&plan),
        vec![
            "neo4j-admin",
            "database",
            "backup",
            "--from=prod-server-0.prod-headless.neo4j.svc.cluster.local:6362,prod-server-1.prod-headless.neo4j.svc.cluster.local:6362,prod-server-2.prod-headless.neo4j.svc.cluster.local:6362",
            "--to-path=s3://my-backup-bucket/neo4j-backups/cluster",
            "--type=FULL",
            "--compress=true",
            "--temp-path=/tmp/neo4j-backup-temp",
            "*",
        ]
    );
}

#[test]
fn database_backup_names_the_database_and_diff_parents_follow_the_version() {
    let database = plan_backup(&stored(seed("database-backup-s3")), &cluster("5.26.0-enterprise", 3)).unwrap();
    assert_eq!(argv(&database).last().map(String::as_str), Some("production-db"));

    let mut diff = seed("differential-backup");
    diff["spec"]["options"]["preferDiffAsParent"] = json!(true);
    diff["spec"]["options"]["additionalArgs"] = json!(["--parallel-recovery", "--pagecache=$(SECRET)"]);
    let new = argv(&plan_backup(&stored(diff.clone()), &cluster("2025.04.0-enterprise", 3)).unwrap());
    assert!(new.contains(&"--type=DIFF".to_owned()) && new.contains(&"--prefer-diff-as-parent".to_owned()), "{new:?}");
    assert!(new.contains(&"--pagecache=$$(SECRET)".to_owned()), "user arguments cannot expand variables: {new:?}");
    let old = argv(&plan_backup(&stored(diff), &cluster("5.26.0-enterprise", 3)).unwrap());
    assert!(!old.contains(&"--prefer-diff-as-parent".to_owned()), "omitted before 2025.04: {old:?}");
}

#[test]
fn a_verified_database_backup_checks_the_new_chain_after_the_backup() {
    let plan = plan_backup(&stored(seed("database-backup-s3")), &cluster("5.26.0-enterprise", 3)).unwrap();
    let BackupWorkload::Job(job) = plan else { panic!("a Job") };
    let pod = job.spec.unwrap().template.spec.unwrap();
    let init = pod.init_containers.expect("the backup runs first");
    assert_eq!(init[0].name, "backup");
    assert_eq!(pod.containers[0].name, "verify");
    assert_eq!(
        pod.containers[0].command.clone().unwrap(),
        vec![
            "neo4j-admin",
            "database",
            "check",
            "--from-path=s3://my-backup-bucket/databases/production-db",
            "--temp-path=/tmp/neo4j-backup-temp",
            "production-db",
        ]
    );
    assert_eq!(pod.containers[0].env, init[0].env, "the check reads the same storage with the same credentials");
    let cluster_wide = plan_backup(&stored(seed("cluster-backup-s3")), &cluster("5.26.0-enterprise", 3)).unwrap();
    let BackupWorkload::Job(job) = cluster_wide else { panic!("a Job") };
    assert!(
        job.spec.unwrap().template.spec.unwrap().init_containers.is_none(),
        "whole-cluster backups are not verified yet"
    );
}

#[test]
fn a_standalone_is_backed_up_from_its_single_pod() {
    let standalone: Neo4jEnterpriseStandalone = serde_json::from_value(json!({"apiVersion": "neo4j.neo4j.com/v1alpha1",
        "kind": "Neo4jEnterpriseStandalone", "metadata": {"name": "dev"}, "spec": {"image": {"tag": "5.26.0-enterprise"}}}))
    .unwrap();
    let target = ResolvedTarget::from_standalone(&standalone, "neo4j").unwrap();
    let plan = plan_backup(&stored(seed("simple-backup")), &target).unwrap();
    assert_eq!(argv(&plan)[3], "--from=dev-0.dev-headless.neo4j.svc.cluster.local:6362");
    assert_eq!(argv(&plan)[4], "--to-path=/backups");
}

/// Every seed backup, planned against a 3-server 2025.04 cluster, equals its golden file.
#[test]
fn golden_plans_of_every_seed_backup() {
    let dir = root().join("tests/golden/backup");
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let mut names: Vec<String> = std::fs::read_dir(root().join("../tests/fixtures/seeds"))
        .unwrap()
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.strip_prefix("004-backup-")?.strip_suffix(".yaml").map(str::to_owned))
        .collect();
    names.sort();
    assert_eq!(names.len(), 11);
    let target = cluster("2025.04.0-enterprise", 3);
    let mut mismatched = Vec::new();
    for name in names {
        let plan = plan_backup(&stored(seed(&name)), &target).unwrap_or_else(|err| panic!("{name}: {err}"));
        let rendered = match &plan {
            BackupWorkload::Job(job) => serde_saphyr::to_string(job.as_ref()),
            BackupWorkload::CronJob(cron) => serde_saphyr::to_string(cron.as_ref()),
        }
        .expect("renders");
        let rendered = format!(
            "# Plan of tests/fixtures/seeds/004-backup-{name}.yaml against a 3-server 2025.04.0 cluster.\n{rendered}"
        );
        let path = dir.join(format!("{name}.yaml"));
        if update {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, &rendered).unwrap();
        } else if std::fs::read_to_string(&path).ok().as_deref() != Some(rendered.as_str()) {
            mismatched.push(name);
        }
    }
    assert!(
        mismatched.is_empty(),
        "plans differ from tests/golden/backup: {mismatched:?}; if intended, rerun with UPDATE_GOLDEN=1 and review"
    );
}
