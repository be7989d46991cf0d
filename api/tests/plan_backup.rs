//! Backup plans: exact argv for the cases that matter, and golden YAML for every seed backup
//! (every storage type and option). `UPDATE_GOLDEN=1 cargo test --workspace --test plan_backup`
//! rewrites the golden files after a deliberate change; review the diff.

use std::path::PathBuf;

use neo4j_api::Neo4jBackup;
use neo4j_api::plan::backup_job::{BackupWorkload, plan_backup};
use neo4j_api::plan::pod::{AWS_REGION_FALLBACK, admin_command};
use neo4j_api::plan::target::ResolvedTarget;
use neo4j_api::plan::verify::VERIFY_EACH;
use neo4j_api::review::Kind;
use neo4j_api::{Neo4jEnterpriseCluster, Neo4jEnterpriseStandalone};
use serde_json::{Value, json};

const AGENT: &str = "ghcr.io/kubectl-neo4j/neo4j-agent:0.1.0";

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
    let pod = spec.and_then(|s| s.template.spec).expect("pod");
    let mut containers = pod.init_containers.unwrap_or_default();
    containers.extend(pod.containers);
    unwrapped(containers.into_iter().find(|c| c.name == "backup").and_then(|c| c.command).expect("argv"))
}

/// The command inside the AWS region fallback, as neo4j-admin gets it.
fn unwrapped(command: Vec<String>) -> Vec<String> {
    admin_command(&command).to_vec()
}

/// The inventory step: neo4j-admin backup inspect of `location` into the scratch file.
fn inventory_argv(location: &str, flags: &[&str]) -> Vec<String> {
    let script = r#"out="$1"; shift; neo4j-admin backup inspect "$@" > "$out""#;
    ["sh", "-c", script, "inventory", "/scratch/inventory.txt", location]
        .iter()
        .chain(flags)
        .map(|s| s.to_string())
        .collect()
}

#[test]
fn cluster_backup_to_s3_argv() {
    let plan = plan_backup(&stored(seed("cluster-backup-s3")), &cluster("2025.01.0-enterprise", 3), AGENT).unwrap();
    assert_eq!(
        argv(&plan),
        vec![
            "neo4j-admin",
            "database",
            "backup",
            "--from=prod-server-0.prod-headless.neo4j.svc.cluster.local:6362,prod-server-1.prod-headless.neo4j.svc.cluster.local:6362,prod-server-2.prod-headless.neo4j.svc.cluster.local:6362",
            "--to-path=s3://my-backup-bucket/neo4j-backups/cluster/",
            "--type=FULL",
            "--compress=true",
            "--temp-path=/tmp/neo4j-backup-temp",
            "*",
        ]
    );
}

/// An env var as (name, value, (secret, key, optional)).
type EnvShown = (String, Option<String>, Option<(String, String, Option<bool>)>);

// neo4j-admin's AWS SDK for Java v2 reads AWS_REGION, not AWS_DEFAULT_REGION (docs-operations,
// partials/aws-s3-overrides.adoc: "Neo4j uses the AWS SDK v2"); AWS_SESSION_TOKEN for temporary
// credentials; AWS_ENDPOINT_URL_S3 for S3-compatible stores (the same partial).
#[test]
fn s3_credentials_region_fallback_and_endpoint() {
    let mut minio = seed("cluster-backup-s3");
    minio["spec"]["storage"]["cloud"]["endpoint"] = json!("http://minio.minio.svc:9000");
    let BackupWorkload::Job(job) = plan_backup(&stored(minio), &cluster("5.26.0-enterprise", 3), AGENT).unwrap() else {
        panic!("a Job")
    };
    let pod = job.spec.unwrap().template.spec.unwrap();
    let backup = pod.init_containers.unwrap().into_iter().find(|c| c.name == "backup").unwrap();
    let command = backup.command.unwrap();
    assert_eq!(command[..4], ["sh", "-c", AWS_REGION_FALLBACK, "with-aws-region"]);
    assert_eq!(
        AWS_REGION_FALLBACK,
        r#"if [ -z "${AWS_REGION:-}" ] && [ -n "${AWS_DEFAULT_REGION:-}" ]; then export AWS_REGION="$AWS_DEFAULT_REGION"; fi; exec "$@""#
    );
    assert_eq!(command[4..7], ["neo4j-admin", "database", "backup"]);
    let env: Vec<EnvShown> = backup
        .env
        .unwrap()
        .into_iter()
        .map(|e| {
            let from = e.value_from.and_then(|f| f.secret_key_ref).map(|r| (r.name, r.key, r.optional));
            (e.name, e.value, from)
        })
        .collect();
    let secret = |key: &str, optional: bool| Some(("aws-backup-creds".to_owned(), key.to_owned(), Some(optional)));
    assert_eq!(
        env,
        vec![
            ("AWS_ENDPOINT_URL_S3".to_owned(), Some("http://minio.minio.svc:9000".to_owned()), None),
            ("AWS_ACCESS_KEY_ID".to_owned(), None, secret("AWS_ACCESS_KEY_ID", false)),
            ("AWS_SECRET_ACCESS_KEY".to_owned(), None, secret("AWS_SECRET_ACCESS_KEY", false)),
            ("AWS_SESSION_TOKEN".to_owned(), None, secret("AWS_SESSION_TOKEN", true)),
            ("AWS_REGION".to_owned(), None, secret("AWS_REGION", true)),
            ("AWS_DEFAULT_REGION".to_owned(), None, secret("AWS_DEFAULT_REGION", true)),
        ]
    );
}

// A cloud backup without tempPath still stages in a scratch volume: the manual "strongly
// recommends" --temp-path (docs-operations, backup-restore/online-backup.adoc, 5.x and dev).
#[test]
fn every_cloud_backup_stages_in_a_scratch_volume() {
    let mut gcs = seed("database-backup-gcs");
    gcs["spec"]["options"] = json!({});
    let plan = plan_backup(&stored(gcs), &cluster("5.26.0-enterprise", 3), AGENT).unwrap();
    let argv = argv(&plan);
    assert!(argv.contains(&"--temp-path=/tmp/neo4j-admin".to_owned()), "{argv:?}");
    let BackupWorkload::Job(job) = plan else { panic!("a Job") };
    let pod = job.spec.unwrap().template.spec.unwrap();
    let temp = pod.volumes.unwrap().into_iter().find(|v| v.name == "temp").expect("a temp volume");
    assert!(temp.empty_dir.is_some());
    let claim = plan_backup(&stored(seed("simple-backup")), &cluster("5.26.0-enterprise", 3), AGENT).unwrap();
    assert!(!argv_has_temp(&claim), "a claim needs no staging");
}

fn argv_has_temp(plan: &BackupWorkload) -> bool {
    argv(plan).iter().any(|a| a.starts_with("--temp-path"))
}

#[test]
fn database_backup_names_the_database_and_diff_parents_follow_the_version() {
    let database = plan_backup(&stored(seed("database-backup-s3")), &cluster("5.26.0-enterprise", 3), AGENT).unwrap();
    assert_eq!(argv(&database).last().map(String::as_str), Some("production-db"));

    let mut diff = seed("differential-backup");
    diff["spec"]["options"]["preferDiffAsParent"] = json!(true);
    diff["spec"]["options"]["additionalArgs"] = json!(["--parallel-recovery", "--pagecache=$(SECRET)"]);
    let new = argv(&plan_backup(&stored(diff.clone()), &cluster("2025.04.0-enterprise", 3), AGENT).unwrap());
    assert!(new.contains(&"--type=DIFF".to_owned()) && new.contains(&"--prefer-diff-as-parent".to_owned()), "{new:?}");
    assert!(new.contains(&"--pagecache=$$(SECRET)".to_owned()), "user arguments cannot expand variables: {new:?}");
    let old = argv(&plan_backup(&stored(diff), &cluster("5.26.0-enterprise", 3), AGENT).unwrap());
    assert!(!old.contains(&"--prefer-diff-as-parent".to_owned()), "omitted before 2025.04: {old:?}");
}

/// The verification of a backup: neo4j-admin lists the newest artifact of each database, the
/// agent writes `<database>\t<artifact>` lines (only the backed-up database when there is one),
/// and each chain is restored into scratch space and checked there: `database check` cannot read
/// a DIFF chain or (before 2025.09) a single artifact (docs-operations,
/// backup-restore/consistency-checker.adoc, 5.x and dev; see api/src/plan/verify.rs).
fn verification(
    plan: BackupWorkload,
) -> (Vec<k8s_openapi::api::core::v1::Container>, k8s_openapi::api::core::v1::Container, Vec<String>) {
    let BackupWorkload::Job(job) = plan else { panic!("a Job") };
    let pod = job.spec.unwrap().template.spec.unwrap();
    let volumes = pod.volumes.unwrap().into_iter().map(|v| v.name).collect();
    let mut init = pod.init_containers.expect("backup, inventory, databases, verify, listing");
    assert_reports_the_window(&init[init.len() - 1], &pod.containers);
    init.pop();
    let verify = init.pop().expect("the check");
    (init, verify, volumes)
}

/// Every backup Pod ends the same way (issue 14, item 2): the whole location listed with
/// `neo4j-admin backup inspect` (docs-operations, backup-restore/inspect.adoc, 5.x and dev), and
/// the agent's `window` as the Pod's container, its report the termination message.
fn assert_reports_the_window(
    listing: &k8s_openapi::api::core::v1::Container,
    containers: &[k8s_openapi::api::core::v1::Container],
) {
    assert_eq!(listing.name, "listing");
    let argv = unwrapped(listing.command.clone().unwrap());
    let script = r#"out="$1"; shift; neo4j-admin backup inspect "$@" > "$out""#;
    assert_eq!(argv[..5], ["sh", "-c", script, "inventory", "/scratch/listing.txt"], "{argv:?}");
    assert!(!argv.contains(&"--latest-backup".to_owned()), "the whole location: {argv:?}");
    assert_eq!(containers.len(), 1);
    assert_eq!(containers[0].name, "window");
    assert_eq!(containers[0].image.as_deref(), Some(AGENT));
    assert_eq!(containers[0].args.clone().unwrap(), ["window", "--inventory=/scratch/listing.txt"]);
    assert_eq!(containers[0].env, None, "the agent never sees credentials");
}

#[test]
fn a_verified_database_backup_restores_its_newest_chain_into_scratch_and_checks_it() {
    let plan = plan_backup(&stored(seed("database-backup-s3")), &cluster("5.26.0-enterprise", 3), AGENT).unwrap();
    let (init, verify, volumes) = verification(plan);
    let names: Vec<&str> = init.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["backup", "inventory", "databases"]);
    assert_eq!(
        unwrapped(init[1].command.clone().unwrap()),
        inventory_argv(
            "s3://my-backup-bucket/databases/production-db/",
            &["--empty", "--show-metadata", "--latest-backup"]
        )
    );
    assert_eq!(
        init[2].args.clone().unwrap(),
        vec!["databases", "--inventory=/scratch/inventory.txt", "--out=/scratch/databases", "--database=production-db"]
    );
    assert_eq!(verify.name, "verify");
    assert_eq!(
        unwrapped(verify.command.clone().unwrap()),
        vec!["sh", "-c", VERIFY_EACH, "verify", "/scratch/databases", "/tmp/neo4j-backup-temp"]
    );
    assert_eq!(verify.env, init[0].env, "the check reads the same storage with the same credentials");
    assert_eq!(volumes, ["temp", "scratch"]);
}

#[test]
fn a_verified_whole_cluster_backup_checks_every_database_in_the_location() {
    let verified = seed("cluster-backup-s3");
    assert_eq!(verified["spec"]["options"]["verify"], json!(true));
    let (init, verify, volumes) =
        verification(plan_backup(&stored(verified), &cluster("5.26.0-enterprise", 3), AGENT).unwrap());
    let names: Vec<&str> = init.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["backup", "inventory", "databases"]);
    assert_eq!(
        unwrapped(init[1].command.clone().unwrap()),
        inventory_argv(
            "s3://my-backup-bucket/neo4j-backups/cluster/",
            &["--empty", "--show-metadata", "--latest-backup"]
        )
    );
    assert_eq!(init[1].image.as_deref(), Some("neo4j:5.26.0-enterprise"));
    assert_eq!(init[2].image.as_deref(), Some(AGENT));
    assert_eq!(init[2].command, None, "the agent image's entrypoint runs");
    assert_eq!(
        init[2].args.clone().unwrap(),
        vec!["databases", "--inventory=/scratch/inventory.txt", "--out=/scratch/databases"]
    );
    assert_eq!(init[2].env, None, "the agent never sees credentials");
    assert_eq!(
        unwrapped(verify.command.clone().unwrap()),
        vec!["sh", "-c", VERIFY_EACH, "verify", "/scratch/databases", "/tmp/neo4j-backup-temp"]
    );
    assert_eq!(volumes, ["temp", "scratch"]);
    let mounts: Vec<(String, String)> =
        init[2].volume_mounts.clone().unwrap().into_iter().map(|m| (m.name, m.mount_path)).collect();
    assert_eq!(mounts, [("temp".into(), "/tmp/neo4j-backup-temp".into()), ("scratch".into(), "/scratch".into())]);
    let on_2025_07 = plan_backup(&stored(seed("cluster-backup-s3")), &cluster("2025.07.0-enterprise", 3), AGENT);
    let (init, _, _) = verification(on_2025_07.unwrap());
    let flags = unwrapped(init[1].command.clone().unwrap()).split_off(6);
    assert_eq!(flags, ["--empty", "--latest-backup"], "2025.07 shows metadata without --show-metadata");
}

// Seed 004's differential-backup asks for verify with backupType DIFF: the chain is restored (the
// DIFFs replayed onto the FULL) before the check, so it is checkable on every version.
#[test]
fn a_verified_diff_backup_is_checked_through_a_scratch_restore() {
    let mut diff = seed("differential-backup");
    diff["spec"]["options"]["verify"] = json!(true);
    let (init, verify, volumes) =
        verification(plan_backup(&stored(diff), &cluster("5.26.0-enterprise", 3), AGENT).unwrap());
    assert!(unwrapped(init[0].command.clone().unwrap()).contains(&"--type=DIFF".to_owned()));
    assert_eq!(unwrapped(verify.command.clone().unwrap())[2], VERIFY_EACH);
    assert!(volumes.contains(&"scratch".to_owned()), "{volumes:?}");
}

// The first backup to a fresh claim: its folder is made first (an argv, no shell); the claim's root
// needs nothing. No retries: neo4j-admin's exit 1 also means "succeeded with problems"
// (docs-operations, backup-restore/online-backup.adoc#backup-command-exit-codes).
#[test]
fn a_claim_folder_is_made_before_the_first_backup_and_runs_are_not_retried() {
    let mut on_claim = seed("simple-backup");
    on_claim["spec"]["storage"] = json!({"type": "pvc", "path": "prod/$(HOME)", "pvc": {"name": "backups"}});
    let BackupWorkload::Job(job) = plan_backup(&stored(on_claim), &cluster("5.26.0-enterprise", 3), AGENT).unwrap()
    else {
        panic!("a Job")
    };
    let spec = job.spec.unwrap();
    assert_eq!(spec.backoff_limit, Some(0));
    let init = spec.template.spec.unwrap().init_containers.unwrap();
    assert_eq!(init[0].name, "prepare");
    assert_eq!(init[0].command.clone().unwrap(), ["mkdir", "-p", "/backups/prod/$$(HOME)"]);
    assert_eq!(init[0].image.as_deref(), Some("neo4j:5.26.0-enterprise"));
    assert_eq!(init[1].name, "backup");
    let at_root = plan_backup(&stored(seed("simple-backup")), &cluster("5.26.0-enterprise", 3), AGENT).unwrap();
    let BackupWorkload::Job(job) = at_root else { panic!("a Job") };
    let init = job.spec.unwrap().template.spec.unwrap().init_containers.unwrap();
    assert_eq!(init[0].name, "backup", "the claim's root exists");
}

#[test]
fn a_standalone_is_backed_up_from_its_single_pod() {
    let standalone: Neo4jEnterpriseStandalone = serde_json::from_value(json!({"apiVersion": "neo4j.neo4j.com/v1alpha1",
        "kind": "Neo4jEnterpriseStandalone", "metadata": {"name": "dev"}, "spec": {"image": {"tag": "5.26.0-enterprise"}}}))
    .unwrap();
    let target = ResolvedTarget::from_standalone(&standalone, "neo4j").unwrap();
    let plan = plan_backup(&stored(seed("simple-backup")), &target, AGENT).unwrap();
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
    // Every seed against 2025.04; the two whose plans differ by version also against 5.26 (no
    // --prefer-diff-as-parent) and 2025.07 (inspect without --show-metadata).
    let mut cases: Vec<(String, &str, PathBuf)> =
        names.iter().map(|name| (name.clone(), "2025.04.0", dir.join(format!("{name}.yaml")))).collect();
    for version in ["5.26.0", "2025.07.0"] {
        for name in ["cluster-backup-s3", "differential-backup"] {
            cases.push((name.to_owned(), version, dir.join(version).join(format!("{name}.yaml"))));
        }
    }
    let mut mismatched = Vec::new();
    for (name, version, path) in cases {
        let target = cluster(&format!("{version}-enterprise"), 3);
        let plan = plan_backup(&stored(seed(&name)), &target, AGENT).unwrap_or_else(|err| panic!("{name}: {err}"));
        let rendered = match &plan {
            BackupWorkload::Job(job) => serde_saphyr::to_string(job.as_ref()),
            BackupWorkload::CronJob(cron) => serde_saphyr::to_string(cron.as_ref()),
        }
        .expect("renders");
        // Reviewed: no argument is escaped twice, and every cloud folder ends in `/` (neo4j-admin
        // reads a cloud path without it as a file).
        // Escaped twice, a `$` would read `$$$$`, the account placeholder `$$(AZURE_STORAGE_ACCOUNT)`.
        assert!(
            !rendered.contains("$$$$") && !rendered.contains("$$(AZURE_STORAGE_ACCOUNT)"),
            "{name} on {version}: an argument escaped twice"
        );
        for line in rendered.lines().filter(|l| l.contains("--to-path=") && l.contains("://")) {
            assert!(line.trim_end().ends_with('/'), "{name} on {version}: a cloud folder without '/': {line}");
        }
        let rendered = format!(
            "# Plan of tests/fixtures/seeds/004-backup-{name}.yaml against a 3-server {version} cluster.\n{rendered}"
        );
        let name = format!("{version}/{name}");
        if update {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
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

#[test]
fn retention_of_a_claim_lists_with_neo4j_admin_then_prunes_with_the_agent() {
    use neo4j_api::plan::retention_job::plan_retention;
    let mut daily = seed("simple-backup");
    daily["spec"]["storage"]["path"] = json!("prod/$(HOME)");
    daily["spec"]["retention"] = json!({"maxAge": "7d", "maxCount": 10, "deletePolicy": "Archive"});
    let backup = stored(daily);
    let job = plan_retention(&backup, &cluster("2025.07.0-enterprise", 3), AGENT, "simple-backup-backup")
        .unwrap()
        .expect("PVC storage with a policy gets a retention Job");
    assert_eq!(job.metadata.name.as_deref(), Some("simple-backup-prune"));
    let annotations = job.metadata.annotations.clone().unwrap();
    assert_eq!(annotations["neo4j.neo4j.com/after-job"], "simple-backup-backup");
    let labels = job.metadata.labels.clone().unwrap();
    assert_eq!(labels["app.kubernetes.io/component"], "retention");
    assert_eq!(labels["neo4j.neo4j.com/backup"], "simple-backup");
    assert_eq!(job.metadata.owner_references.as_ref().map(|o| o[0].kind.as_str()), Some("Neo4jBackup"));
    let spec = job.spec.unwrap();
    assert_eq!((spec.backoff_limit, spec.active_deadline_seconds), (Some(0), Some(3600)));
    let pod = spec.template.spec.unwrap();
    let init = pod.init_containers.unwrap();
    assert_eq!(init[0].command.clone().unwrap(), inventory_argv("/backups/prod/$$(HOME)", &["--empty"]));
    assert_eq!(pod.containers[0].name, "prune");
    assert_eq!(pod.containers[0].image.as_deref(), Some(AGENT));
    assert_eq!(
        pod.containers[0].args.clone().unwrap(),
        vec![
            "retention",
            "--inventory=/scratch/inventory.txt",
            "--dir=/backups/prod/$$(HOME)",
            "--max-age-seconds=604800",
            "--max-count=10",
            "--delete-policy=Archive",
        ]
    );
    let volumes: Vec<(String, Option<String>)> =
        pod.volumes.unwrap().into_iter().map(|v| (v.name, v.persistent_volume_claim.map(|c| c.claim_name))).collect();
    assert_eq!(volumes, [("backups".into(), Some("backup-storage".into())), ("scratch".into(), None)]);
    assert_eq!(pod.security_context.unwrap().run_as_user, Some(7474));
    assert_eq!(pod.automount_service_account_token, Some(false));

    let mut cloud = seed("cluster-backup-s3");
    cloud["spec"]["retention"] = json!({"maxCount": 3});
    let none = plan_retention(&stored(cloud), &cluster("2025.07.0-enterprise", 3), AGENT, "x").unwrap();
    assert!(none.is_none(), "cloud storage is left to bucket lifecycle rules");
    let mut unlimited = seed("simple-backup");
    unlimited["spec"]["retention"] = serde_json::Value::Null;
    assert!(plan_retention(&stored(unlimited), &cluster("2025.07.0-enterprise", 3), AGENT, "x").unwrap().is_none());
}

// `options.verify` is on unless the spec turns it off, with or without the webhook's defaults
// (docs/backup.md: "true by default"); off, the Pod is the backup alone.
#[test]
fn verification_is_on_unless_turned_off() {
    let mut unset = seed("simple-backup");
    unset["spec"]["options"] = json!({});
    let raw: Neo4jBackup = serde_json::from_value(unset.clone()).unwrap();
    let BackupWorkload::Job(job) = plan_backup(&raw, &cluster("5.26.0-enterprise", 3), AGENT).unwrap() else {
        panic!("a Job")
    };
    let init = job.spec.unwrap().template.spec.unwrap().init_containers.unwrap();
    assert_eq!(init[3].name, "verify", "undefaulted: still verified");
    unset["spec"]["options"] = json!({"verify": false});
    let BackupWorkload::Job(job) = plan_backup(&stored(unset), &cluster("5.26.0-enterprise", 3), AGENT).unwrap() else {
        panic!("a Job")
    };
    let pod = job.spec.unwrap().template.spec.unwrap();
    let init = pod.init_containers.clone().unwrap();
    let names: Vec<&str> = init.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        ["backup", "listing", "manifest"],
        "off: the backup, then only the listing, the manifests and the window report"
    );
    assert_reports_the_window(&init[1], &pod.containers);
    let volumes: Vec<String> = pod.volumes.unwrap().into_iter().map(|v| v.name).collect();
    assert!(volumes.contains(&"scratch".to_owned()), "the listing is written to scratch space: {volumes:?}");
}
