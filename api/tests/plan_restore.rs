//! Restore plans: exact argv, volumes and identities of the inspect, verify, restore and hook Jobs.

use std::path::PathBuf;

use neo4j_api::plan::pod::admin_command;
use neo4j_api::plan::restore_job::{DataVolume, RestoreJob, hook_job, inspect_job, restore_job, verify_job};
use neo4j_api::plan::target::ResolvedTarget;
use neo4j_api::restore::artifact::ChosenArtifact;
use neo4j_api::restore::source::{SourceLocation, resolve_source};
use neo4j_api::review::Kind;
use neo4j_api::{Neo4jEnterpriseCluster, Neo4jRestore};
use serde_json::{Value, json};

const AGENT: &str = "ghcr.io/kubectl-neo4j/neo4j-agent:0.1.0";

fn seed(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/seeds").join(format!("{name}.yaml"));
    serde_saphyr::from_str(&std::fs::read_to_string(&path).expect("seed")).expect("seed YAML")
}

/// A restore as the API server stores it: defaulted, with a namespace and a uid.
fn stored(mut object: Value) -> Neo4jRestore {
    object["metadata"]["namespace"] = json!("neo4j");
    object["metadata"]["uid"] = json!("3f1c2a4e-0000-4000-8000-000000000002");
    let patch = Kind::Restore.defaults(&object);
    json_patch::patch(&mut object, &patch).expect("defaults apply");
    serde_json::from_value(object).expect("a Neo4jRestore")
}

fn cluster() -> ResolvedTarget {
    let cluster: Neo4jEnterpriseCluster = serde_json::from_value(json!({"apiVersion": "neo4j.neo4j.com/v1alpha1",
        "kind": "Neo4jEnterpriseCluster", "metadata": {"name": "prod"},
        "spec": {"image": {"repo": "neo4j", "tag": "2025.04.0-enterprise", "pullSecrets": ["regcred"]}, "topology": {"servers": 3}}}))
    .expect("cluster");
    ResolvedTarget::from_cluster(&cluster, "neo4j").expect("target")
}

fn s3_artifact() -> ChosenArtifact {
    ChosenArtifact {
        uri:
            "s3://dev-neo4j-backups/snapshots/backups/dev-app/backup-20250120-103000/dev-app-2025-01-20T10-30-00.backup"
                .into(),
        database: "dev-app".into(),
        time: "2025-01-20T10:30:00Z".into(),
        full: true,
    }
}

/// The command inside the AWS region fallback, as neo4j-admin gets it.
fn unwrapped(command: Vec<String>) -> Vec<String> {
    admin_command(&command).to_vec()
}

fn pod(job: &k8s_openapi::api::batch::v1::Job) -> k8s_openapi::api::core::v1::PodSpec {
    job.spec.clone().unwrap().template.spec.unwrap()
}

fn source_of(restore: &Neo4jRestore) -> SourceLocation {
    resolve_source(restore, None).expect("source")
}

#[test]
fn restore_from_s3_online_runs_beside_server_0() {
    let restore = stored(seed("001-restore-dev-s3-restore"));
    let source = source_of(&restore);
    let data =
        DataVolume { claim: "data-prod-server-0".into(), beside_pod: Some("prod-server-0".into()), overwrite: true };
    let job = restore_job(&restore, &cluster(), &source, &s3_artifact(), &data, AGENT).unwrap();
    assert_eq!(job.metadata.name.as_deref(), Some("dev-s3-restore-restore"));
    let spec = job.spec.clone().unwrap();
    assert_eq!((spec.active_deadline_seconds, spec.backoff_limit), (Some(1800), Some(0)), "timeout: 30m, no retries");
    let pod = pod(&job);
    let restore_container = pod.init_containers.clone().unwrap()[0].clone();
    assert_eq!(restore_container.command.clone().unwrap()[3], "with-aws-region");
    assert_eq!(
        unwrapped(restore_container.command.clone().unwrap()),
        vec![
            "neo4j-admin",
            "database",
            "restore",
            "--from-path=s3://dev-neo4j-backups/snapshots/backups/dev-app/backup-20250120-103000/dev-app-2025-01-20T10-30-00.backup",
            "--overwrite-destination=true",
            "--temp-path=/tmp/neo4j-admin",
            "dev-app",
        ]
    );
    assert_eq!(restore_container.image.as_deref(), Some("neo4j:2025.04.0-enterprise"));
    let env: Vec<String> = restore_container.env.clone().unwrap().into_iter().map(|e| e.name).collect();
    assert_eq!(
        env,
        ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_REGION", "AWS_DEFAULT_REGION"]
    );
    // Then the agent measures what was written, without credentials.
    assert_eq!(pod.containers[0].image.as_deref(), Some(AGENT));
    assert_eq!(
        pod.containers[0].args.clone().unwrap(),
        ["measure", "--path=/data/databases/dev-app", "--path=/data/transactions/dev-app"]
    );
    assert_eq!(pod.containers[0].env, None);
    let mounts: Vec<(String, String)> =
        restore_container.volume_mounts.clone().unwrap().into_iter().map(|m| (m.name, m.mount_path)).collect();
    assert_eq!(mounts, [("temp".into(), "/tmp/neo4j-admin".into()), ("data".into(), "/data".into())]);
    let claim = pod.volumes.clone().unwrap()[1].persistent_volume_claim.clone().unwrap();
    assert_eq!(claim.claim_name, "data-prod-server-0");
    let term =
        &pod.affinity.unwrap().pod_affinity.unwrap().required_during_scheduling_ignored_during_execution.unwrap()[0];
    assert_eq!(term.topology_key, "kubernetes.io/hostname");
    assert_eq!(
        term.label_selector.clone().unwrap().match_labels.unwrap()["statefulset.kubernetes.io/pod-name"],
        "prod-server-0"
    );
    let context = pod.security_context.unwrap();
    assert_eq!((context.run_as_user, context.run_as_non_root), (Some(7474), Some(true)));
    assert_eq!(pod.automount_service_account_token, Some(false));
    assert_eq!(job.metadata.owner_references.unwrap()[0].kind, "Neo4jRestore");
}

/// The DIFF of 2025-01-05 in the seed's base folder, restored onto server 0's claim (stopped).
fn base_diff_on_a_stopped_server() -> (ChosenArtifact, DataVolume) {
    let artifact = ChosenArtifact {
        uri: "file:///backups/base/orders-2025-01-05T02-00-00.backup".into(),
        database: "orders".into(),
        time: "2025-01-05T02:00:00Z".into(),
        full: false,
    };
    (artifact, DataVolume { claim: "data-prod-server-0".into(), beside_pod: None, overwrite: false })
}

#[test]
fn point_in_time_and_a_stopped_cluster() {
    let mut pitr = seed("004-restore-pitr-storage-restore");
    pitr["spec"]["stopCluster"] = json!(true);
    pitr["spec"]["pointInTime"] = json!(null);
    pitr["spec"]["source"]["pointInTime"] = json!("2025-01-04T14:30:00+02:00");
    pitr["spec"]["options"] = json!({"additionalArgs": ["--verbose", "--x=$(AWS_SECRET_ACCESS_KEY)"]});
    let restore = stored(pitr);
    let source = source_of(&restore);
    let (artifact, data) = base_diff_on_a_stopped_server();
    let job = restore_job(&restore, &cluster(), &source, &artifact, &data, AGENT).unwrap();
    let pod = pod(&job);
    let argv = pod.init_containers.clone().unwrap()[0].command.clone().unwrap();
    assert!(argv.contains(&"--restore-until=2025-01-04 12:30:00".to_owned()), "UTC, neo4j-admin's form: {argv:?}");
    assert!(argv.contains(&"--from-path=/backups/base/orders-2025-01-05T02-00-00.backup".to_owned()), "{argv:?}");
    assert!(!argv.iter().any(|a| a.starts_with("--temp-path")), "a local artifact needs no temp path");
    assert!(argv.contains(&"--x=$$(AWS_SECRET_ACCESS_KEY)".to_owned()), "user arguments never expand: {argv:?}");
    assert!(pod.affinity.is_none(), "the server is stopped: the claim is free");
}

// `--restore-until=123` "recovers transaction logs up to, but not including, the transaction 123"
// (docs-operations dev and 5.x, backup-restore/restore-backup.adoc).
#[test]
fn a_transaction_id_is_restored_up_to_and_chosen_by_the_agent() {
    let mut pitr = seed("004-restore-pitr-storage-restore");
    pitr["spec"]["stopCluster"] = json!(true);
    pitr["spec"]["source"]["pointInTime"] = json!(null);
    pitr["spec"]["source"]["untilTransaction"] = json!(940);
    let restore = stored(pitr);
    let source = source_of(&restore);
    assert_eq!((source.point_in_time.as_deref(), source.until_transaction), (None, Some(940)));
    let (artifact, data) = base_diff_on_a_stopped_server();
    let job = restore_job(&restore, &cluster(), &source, &artifact, &data, AGENT).unwrap();
    let argv = pod(&job).init_containers.clone().unwrap()[0].command.clone().unwrap();
    assert!(argv.contains(&"--restore-until=940".to_owned()), "{argv:?}");
    let inspect = neo4j_api::plan::restore_job::inspect_job(&restore, &cluster(), &source, AGENT).unwrap();
    let args = pod(&inspect).containers[0].args.clone().unwrap();
    assert_eq!(args.last().map(String::as_str), Some("--until-transaction=940"), "{args:?}");
}

#[test]
fn inspect_lists_the_source_and_the_agent_chooses() {
    let restore = stored(seed("001-restore-dev-s3-restore"));
    let job = inspect_job(&restore, &cluster(), &source_of(&restore), AGENT).unwrap();
    assert_eq!(job.metadata.name.as_deref(), Some("dev-s3-restore-inspect"));
    let pod = pod(&job);
    let inventory = unwrapped(pod.init_containers.clone().unwrap()[0].command.clone().unwrap());
    assert_eq!(
        inventory[4..],
        [
            "/scratch/inventory.txt",
            "s3://dev-neo4j-backups/snapshots/backups/dev-app/backup-20250120-103000/",
            "--empty",
            "--show-metadata"
        ]
    );
    assert_eq!(
        pod.containers[0].args.clone().unwrap(),
        vec!["choose", "--inventory=/scratch/inventory.txt", "--database=dev-app"]
    );
    assert_eq!(pod.containers[0].env, None, "the agent never sees credentials");
}

// `database check --from-path` cannot read a DIFF chain, nor one artifact before 2025.09
// (docs-operations, backup-restore/consistency-checker.adoc, 5.x and dev): the chain ending at the
// chosen artifact is restored into scratch space (restore-backup.adoc, --to-path-data/-txn) and
// that store is checked (--from-path-data/-txn), on every version.
#[test]
fn verify_restores_the_chosen_chain_into_scratch_and_checks_it() {
    let restore = stored(seed("001-restore-dev-s3-restore"));
    let job = verify_job(&restore, &cluster(), &source_of(&restore), &s3_artifact()).unwrap();
    assert_eq!(job.metadata.name.as_deref(), Some("dev-s3-restore-verify"));
    let pod = pod(&job);
    let unpack = pod.init_containers.clone().unwrap()[0].clone();
    assert_eq!(unpack.name, "unpack");
    assert_eq!(
        unwrapped(unpack.command.unwrap()),
        vec![
            "neo4j-admin",
            "database",
            "restore",
            "--from-path=s3://dev-neo4j-backups/snapshots/backups/dev-app/backup-20250120-103000/dev-app-2025-01-20T10-30-00.backup",
            "--to-path-data=/scratch/store/data",
            "--to-path-txn=/scratch/store/txn",
            "--temp-path=/tmp/neo4j-admin",
            "dev-app",
        ]
    );
    assert_eq!(
        unwrapped(pod.containers[0].command.clone().unwrap()),
        vec![
            "neo4j-admin",
            "database",
            "check",
            "--from-path-data=/scratch/store/data",
            "--from-path-txn=/scratch/store/txn",
            "dev-app",
        ]
    );
    let volumes: Vec<String> = pod.volumes.unwrap().into_iter().map(|v| v.name).collect();
    assert_eq!(volumes, ["temp", "scratch"]);
}

// Seed 001's enterprise-azure-restore names an artifact in Azure: the account placeholder expands
// from the Secret, the user's path is escaped once (it used to be escaped twice, so neo4j-admin got
// `$(AZURE_STORAGE_ACCOUNT)` literally).
#[test]
fn an_azure_artifact_is_escaped_exactly_once() {
    let mut azure = seed("001-restore-enterprise-azure-restore");
    azure["spec"]["options"]["additionalArgs"] = json!([]);
    let restore = stored(azure);
    let source = source_of(&restore);
    assert!(source.names_an_artifact());
    let raw = source.location().unwrap().raw().to_owned();
    let artifact = ChosenArtifact { uri: raw, database: "customer-data".into(), time: String::new(), full: false };
    let data = DataVolume { claim: "data-enterprise-cluster-server-0".into(), beside_pod: None, overwrite: true };
    let job = restore_job(&restore, &cluster(), &source, &artifact, &data, AGENT).unwrap();
    let argv = pod(&job).init_containers.unwrap()[0].command.clone().unwrap();
    assert!(
        argv.contains(
            &"--from-path=azb://$(AZURE_STORAGE_ACCOUNT)/enterprise-backups/production/backups/customer-data/backup-20250120-020000.backup"
                .to_owned()
        ),
        "{argv:?}"
    );
    assert!(!argv.iter().any(|a| a.contains("$$(")), "{argv:?}");
}

#[test]
fn hook_jobs_run_the_users_container_as_the_namespace_default() {
    let restore = stored(seed("004-restore-restore-with-job-hooks"));
    let options = restore.spec.options.clone().unwrap();
    let before = hook_job(&restore, &cluster(), RestoreJob::Before, options.pre_restore.as_ref()).unwrap().unwrap();
    assert_eq!(before.metadata.name.as_deref(), Some("restore-with-job-hooks-before"));
    let spec = before.spec.clone().unwrap();
    assert_eq!((spec.active_deadline_seconds, spec.backoff_limit), (Some(600), Some(0)));
    let pod = pod(&before);
    assert_eq!(pod.containers[0].image.as_deref(), Some("my-registry/data-prep:latest"));
    assert_eq!(pod.containers[0].command.clone().unwrap(), ["/bin/sh"]);
    assert_eq!(pod.containers[0].args.clone().unwrap(), ["-c", "/scripts/pre-restore.sh"]);
    assert_eq!(pod.service_account_name, None, "never the controller's identity");
    assert_eq!(pod.automount_service_account_token, None);
    let context = pod.security_context.unwrap();
    assert_eq!((context.run_as_non_root, context.run_as_user), (Some(true), None));
    assert_eq!(pod.containers[0].security_context.clone().unwrap().capabilities.unwrap().drop.unwrap(), ["ALL"]);
    let after = hook_job(&restore, &cluster(), RestoreJob::After, options.post_restore.as_ref()).unwrap().unwrap();
    assert_eq!(after.spec.unwrap().active_deadline_seconds, Some(900));
    assert!(hook_job(&restore, &cluster(), RestoreJob::Before, None).unwrap().is_none());
}

// Restoring under another name: `<database>` is "the name of the database after restore", allowed
// when --from-path is one artifact (docs-operations, backup-restore/restore-backup.adoc, 5.x and
// dev). The restore always names the artifact it chose, so this works on every version, without
// --source-database (2025.02+, only needed for a folder).
#[test]
fn a_backup_of_one_database_restores_under_another_name() {
    let mut renamed = seed("001-restore-dev-s3-restore");
    renamed["spec"]["databaseName"] = json!("dev-app-copy");
    let restore = stored(renamed);
    let source = source_of(&restore);
    let data = DataVolume { claim: "data-prod-server-0".into(), beside_pod: None, overwrite: false };
    let job = restore_job(&restore, &cluster(), &source, &s3_artifact(), &data, AGENT).unwrap();
    let argv = unwrapped(pod(&job).init_containers.unwrap()[0].command.clone().unwrap());
    assert_eq!(
        argv,
        vec![
            "neo4j-admin",
            "database",
            "restore",
            "--from-path=s3://dev-neo4j-backups/snapshots/backups/dev-app/backup-20250120-103000/dev-app-2025-01-20T10-30-00.backup",
            "--temp-path=/tmp/neo4j-admin",
            "dev-app-copy",
        ]
    );
}
