//! `backup create` and `restore create --dry-run=client`: complete, defaulted, validated manifests.

mod support;

use support::{run, text};

#[test]
fn a_scheduled_s3_backup_is_composed_complete() {
    let output = run(
        &[
            "backup",
            "create",
            "nightly",
            "--cluster",
            "prod",
            "--schedule",
            "0 2 * * *",
            "--s3",
            "my-bucket/prod/",
            "--secret",
            "aws-creds",
            "--type",
            "diff",
            "--retention-count",
            "7",
            "-n",
            "neo4j",
            "--dry-run=client",
            "-o",
            "yaml",
        ],
        None,
    );
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let object: serde_json::Value = serde_saphyr::from_str(&text(&output.stdout)).expect("YAML");
    assert_eq!(object["metadata"], serde_json::json!({"name": "nightly", "namespace": "neo4j"}));
    assert_eq!(object["spec"]["target"], serde_json::json!({"kind": "Cluster", "name": "prod"}));
    assert_eq!(
        object["spec"]["storage"],
        serde_json::json!({"type": "s3", "bucket": "my-bucket", "path": "prod", "cloud": {"provider": "aws", "credentialsSecretRef": "aws-creds"}})
    );
    assert_eq!(object["spec"]["options"]["backupType"], "DIFF");
    assert_eq!(object["spec"]["options"]["compress"], true, "defaults are filled in");
    assert_eq!(object["spec"]["retention"]["maxCount"], 7);
    assert_eq!(
        text(&output.stderr),
        "warning: spec.retention: is not executed for cloud storage: configure lifecycle rules on the bucket to expire old backups\n"
    );
    // What it printed is a valid manifest.
    let check = run(&["validate", "-f", "-"], Some(&text(&output.stdout)));
    assert_eq!(check.status.code(), Some(0), "{}", text(&check.stdout));
}

#[test]
fn a_database_backup_with_workload_identity_as_json() {
    let output = run(
        &[
            "backup",
            "create",
            "orders",
            "--cluster",
            "prod",
            "--database",
            "orders",
            "--gcs",
            "g-bucket",
            "--identity-annotation",
            "iam.gke.io/gcp-service-account=neo4j@p.iam.gserviceaccount.com",
            "--dry-run=client",
            "-o",
            "json",
        ],
        None,
    );
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let object: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(
        object["spec"]["target"],
        serde_json::json!({"kind": "Database", "name": "orders", "clusterRef": "prod"})
    );
    assert_eq!(
        object["spec"]["storage"]["cloud"]["identity"]["autoCreate"]["annotations"],
        serde_json::json!({"iam.gke.io/gcp-service-account": "neo4j@p.iam.gserviceaccount.com"})
    );
}

#[test]
fn a_point_in_time_restore_is_composed_complete() {
    let output = run(
        &[
            "restore",
            "create",
            "before-deploy",
            "--cluster",
            "prod",
            "--database",
            "orders-0412",
            "--from-backup",
            "nightly",
            "--point-in-time",
            "2025-04-12T12:30:00Z",
            "--stop-cluster",
            "--verify",
            "--timeout",
            "2h",
            "--dry-run=client",
        ],
        None,
    );
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let object: serde_json::Value = serde_saphyr::from_str(&text(&output.stdout)).expect("YAML");
    let spec = &object["spec"];
    assert_eq!((spec["targetCluster"].as_str(), spec["databaseName"].as_str()), (Some("prod"), Some("orders-0412")));
    assert_eq!(spec["source"]["type"], "pitr");
    assert_eq!(spec["source"]["pointInTime"], "2025-04-12T12:30:00Z");
    assert_eq!(spec["source"]["pitr"]["baseBackup"], serde_json::json!({"type": "backup", "backupRef": "nightly"}));
    assert_eq!((spec["stopCluster"].as_bool(), spec["options"]["verifyBackup"].as_bool()), (Some(true), Some(true)));
    assert_eq!(spec["timeout"], "2h");
}

#[test]
fn a_promotion_is_composed_and_one_that_would_stop_the_live_database_is_refused() {
    let args = |extra: &[&'static str]| {
        let mut args = vec![
            "restore",
            "create",
            "orders-back",
            "--cluster",
            "prod",
            "--database",
            "orders-20250412",
            "--from-backup",
            "nightly",
            "--promote-alias",
            "orders",
            "--promote-by-hand",
            "--dry-run=client",
        ];
        args.extend_from_slice(extra);
        run(&args, None)
    };
    let output = args(&[]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let object: serde_json::Value = serde_saphyr::from_str(&text(&output.stdout)).expect("YAML");
    assert_eq!(object["spec"]["promotion"], serde_json::json!({"alias": "orders", "automatic": false}));
    assert_eq!(object["spec"]["options"]["healthChecks"], serde_json::json!({"enabled": true}), "defaulted");
    let refused = args(&["--stop-cluster"]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        text(&refused.stderr).contains("spec.stopCluster: stops every database of the target; with promotion the live database keeps serving while the candidate is restored: leave it false"),
        "{}",
        text(&refused.stderr)
    );
}

#[test]
fn refusals_and_usage_errors_name_the_fix() {
    let refused = run(&["backup", "create", "x", "--cluster", "prod", "--s3", "Bad_Bucket", "--dry-run=client"], None);
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        text(&refused.stderr).starts_with(
            "error: the Neo4jBackup would be refused: spec.storage.bucket: \"Bad_Bucket\" is not a valid S3 bucket name"
        ),
        "{}",
        text(&refused.stderr)
    );
    assert!(refused.stdout.is_empty(), "nothing printed for an invalid object");

    let nowhere = run(&["backup", "create", "x", "--cluster", "prod", "--dry-run=client"], None);
    assert_eq!(nowhere.status.code(), Some(2));
    assert_eq!(
        text(&nowhere.stderr),
        "error: say where backups go: --s3 BUCKET[/PATH], --gcs, --azure, --pvc NAME or --pvc-size SIZE\n"
    );

    let two = run(
        &["backup", "create", "x", "--cluster", "prod", "--s3", "a-bucket", "--pvc", "p", "--dry-run=client"],
        None,
    );
    assert_eq!(two.status.code(), Some(2), "one storage only (clap)");

    let no_source =
        run(&["restore", "create", "r", "--cluster", "prod", "--database", "orders", "--dry-run=client"], None);
    assert_eq!(no_source.status.code(), Some(2));
    assert!(
        text(&no_source.stderr).contains("--from-backup NEO4JBACKUP, --from-storage URI"),
        "{}",
        text(&no_source.stderr)
    );
}

#[test]
fn a_restore_from_a_storage_uri() {
    let output = run(
        &[
            "restore",
            "create",
            "from-s3",
            "--cluster",
            "prod",
            "--database",
            "orders",
            "--from-storage",
            "s3://dr-bucket/prod/orders-2025-01-20T02-00-00.backup",
            "--secret",
            "aws-creds",
            "--dry-run=client",
            "-o",
            "json",
        ],
        None,
    );
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let object: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let source = &object["spec"]["source"];
    assert_eq!(source["type"], "storage");
    assert_eq!(source["backupPath"], "prod/orders-2025-01-20T02-00-00.backup");
    assert_eq!(source["storage"]["bucket"], "dr-bucket");
    assert_eq!(source["storage"]["cloud"]["credentialsSecretRef"], "aws-creds");
    let bad = run(
        &[
            "restore",
            "create",
            "x",
            "--cluster",
            "prod",
            "--database",
            "orders",
            "--from-storage",
            "ftp://x/y",
            "--dry-run=client",
        ],
        None,
    );
    assert_eq!(bad.status.code(), Some(2));
    assert_eq!(
        text(&bad.stderr),
        "error: --from-storage \"ftp://x/y\": ftp:// is not a storage; use s3://, gs://, azb:// or pvc://\n"
    );
}
