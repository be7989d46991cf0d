//! `kubectl neo4j validate`, run as a user runs it: output, stderr and exit codes.

mod support;

use std::process::Output;

use support::{root, run, text};

fn validate(args: &[&str], stdin: Option<&str>) -> Output {
    let mut all = vec!["validate"];
    all.extend_from_slice(args);
    run(&all, stdin)
}

#[test]
fn every_current_seed_example_is_valid() {
    let output = validate(&["-f", "../tests/fixtures/seeds", "-f", "../docs/../tests/fixtures/seeds/legacy"], None);
    let stdout = text(&output.stdout);
    let verdicts: Vec<&str> = stdout.lines().filter(|l| !l.starts_with("  ")).collect();
    assert_eq!(verdicts.len(), 30, "{stdout}");
    let invalid: Vec<&&str> = verdicts.iter().filter(|l| l.ends_with(": invalid")).collect();
    // The older restore shape of seed 000 (found twice: once by the directory walk, once named),
    // and seed 001's enterprise-azure-restore, whose --check-consistency no neo4j-admin restore
    // knows (docs/restore.md says so).
    assert_eq!(invalid.len(), 3, "{stdout}");
    assert!(invalid[0].starts_with("neo4jrestore/enterprise-azure-restore (neo4j, "), "{invalid:?}");
    assert!(
        invalid[1..].iter().all(|l| l.starts_with("neo4jrestore/pitr-restore-20240101-120000 (neo4j-system, ")),
        "{invalid:?}"
    );
    assert!(stdout.contains("  error: spec.options.additionalArgs[0]: --check-consistency is not an option of neo4j-admin database restore"), "{stdout}");
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(text(&output.stderr), "error: 3 of 30 object(s) invalid\n");
}

#[test]
fn the_older_restore_shape_is_explained_in_the_current_api() {
    let output =
        validate(&["-f", "../tests/fixtures/seeds/legacy/000-restore-pitr-restore-20240101-120000.yaml"], None);
    let stdout = text(&output.stdout);
    assert!(stdout.starts_with("neo4jrestore/pitr-restore-20240101-120000 (neo4j-system, ../tests/fixtures/seeds/legacy/000-restore-pitr-restore-20240101-120000.yaml): invalid\n"), "{stdout}");
    assert!(stdout.contains("  error: spec: sourceCluster, pointInTime.timestamp and recovery.targetCluster are the older restore shape, which the API no longer has; write: targetCluster: neo4j-recovery-target, databaseName: <database>, source: {type: pitr, pointInTime: \"2024-01-01T12:00:00Z\", pitr: {baseBackup: {type: backup, backupRef: <a Neo4jBackup of neo4j-pitr>}}}\n"), "{stdout}");
}

#[test]
fn invalid_manifests_get_every_error_with_its_path_and_targets_in_the_input_give_context() {
    let output = validate(&["-f", "tests/fixtures/invalid"], None);
    assert_eq!(
        text(&output.stdout),
        "\
neo4jbackup/nightly (neo4j, tests/fixtures/invalid/backup-bad-type.yaml): invalid
  error: spec.storage.bucket: \"Bad_Bucket\" is not a valid S3 bucket name: an S3 bucket name has 3 to 63 lowercase letters, digits, '.' and '-', starts and ends with a letter or digit, and is not an IP address
  error: spec.options.backupType: \"INCREMENTAL\" is not supported; use FULL, DIFF or AUTO
neo4jenterprisecluster/prod (neo4j, tests/fixtures/invalid/two-documents.yaml#1): valid
neo4jbackup/diff-parents (neo4j, tests/fixtures/invalid/two-documents.yaml#2): valid
  warning: spec.options.preferDiffAsParent: is ignored on Neo4j 5.26.0: it needs 2025.04 or later, so the flag is not passed
"
    );
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(text(&output.stderr), "error: 1 of 3 object(s) invalid\n");
}

#[test]
fn stdin_and_exit_codes() {
    let backup = std::fs::read_to_string(root().join("../tests/fixtures/seeds/004-backup-simple-backup.yaml")).unwrap();
    let output = validate(&["-f", "-"], Some(&backup));
    assert_eq!(text(&output.stdout), "neo4jbackup/simple-backup (default, stdin): valid\n");
    assert_eq!(output.status.code(), Some(0));

    let missing = validate(&["-f", "no/such/file.yaml"], None);
    assert_eq!(missing.status.code(), Some(2));
    assert_eq!(text(&missing.stderr), "error: cannot read no/such/file.yaml: No such file or directory (os error 2)\n");

    let broken = validate(&["-f", "-"], Some("kind: [unclosed"));
    assert_eq!(broken.status.code(), Some(2));
    assert!(text(&broken.stderr).starts_with("error: stdin is not valid YAML: "), "{}", text(&broken.stderr));

    let usage = validate(&[], None);
    assert_eq!(usage.status.code(), Some(2), "clap's usage error");
    assert!(text(&usage.stderr).contains("--filename <FILE|DIR|->"), "{}", text(&usage.stderr));
}

// The webhook refuses a point in time in the future; offline validation judges it the same way,
// with the present moment (it used to pass offline).
#[test]
fn a_point_in_time_in_the_future_is_refused_offline_too() {
    let restore = "apiVersion: neo4j.neo4j.com/v1alpha1
kind: Neo4jRestore
metadata: {name: tomorrow, namespace: neo4j}
spec:
  targetCluster: prod
  databaseName: orders
  source: {type: pitr, pointInTime: \"2999-01-01T00:00:00Z\", pitr: {baseBackup: {type: backup, backupRef: nightly}}}
";
    let output = validate(&["-f", "-"], Some(restore));
    let stdout = text(&output.stdout);
    assert!(stdout.starts_with("neo4jrestore/tomorrow (neo4j, stdin): invalid\n"), "{stdout}");
    assert!(
        stdout.contains("  error: spec.source.pointInTime: \"2999-01-01T00:00:00Z\" is in the future (it is now "),
        "{stdout}"
    );
    assert_eq!(output.status.code(), Some(1));
}

/// A point-in-time restore without a base backup reads the target's protection `<target>-pitr`:
/// given in the same input, its window judges the moment offline as the webhook would.
#[test]
fn a_moment_outside_the_protections_window_is_refused_offline() {
    let input = "apiVersion: neo4j.neo4j.com/v1alpha1
kind: Neo4jBackup
metadata: {name: prod-pitr, namespace: neo4j}
spec:
  target: {kind: Cluster, name: prod}
  storage: {type: s3, bucket: neo4j-pitr-logs, path: cluster-logs/}
  schedule: \"0 2 * * *\"
  shipping: {interval: 1m}
status:
  phase: Completed
  lastSuccessfulBackupTime: \"2025-01-04T12:29:50Z\"
  recoveryWindow:
  - {database: orders, earliest: \"2025-01-04T02:00:00Z\", latest: \"2025-01-04T12:29:40Z\", contiguous: true,
     spans: [{from: \"2025-01-04T02:00:00Z\", to: \"2025-01-04T12:29:40Z\"}]}
---
apiVersion: neo4j.neo4j.com/v1alpha1
kind: Neo4jRestore
metadata: {name: too-late, namespace: neo4j}
spec:
  targetCluster: prod
  databaseName: orders
  source: {type: pitr, pointInTime: \"2025-01-04T12:30:00Z\"}
";
    let output = validate(&["-f", "-"], Some(input));
    let stdout = text(&output.stdout);
    assert!(
        stdout.contains("  error: spec.source.pointInTime: 2025-01-04T12:30:00Z is after the newest restorable moment 2025-01-04T12:29:40Z of database orders\n"),
        "{stdout}"
    );
    assert_eq!(output.status.code(), Some(1));
}

#[test]
fn the_readme_command_validates_the_examples() {
    let output = validate(&["-f", "../examples/"], None);
    assert_eq!(
        text(&output.stdout),
        "\
neo4jbackup/nightly (neo4j, ../examples/nightly-backup.yaml): valid
neo4jrestore/orders-before-the-bad-deploy (neo4j, ../examples/orders-point-in-time.yaml): valid
neo4jenterprisecluster/prod (neo4j, ../examples/prod-cluster.yaml): valid
"
    );
    assert_eq!(output.status.code(), Some(0));
}

// The Neo4j operator serves its own Neo4jBackup as neo4j.neo4j.com/v1beta1 (since its v1.13): judged
// as ours it drew "spec.target: is required" and the like; now one error names the version. Its
// v1beta1 targets are read as targets.
#[test]
fn the_operators_v1beta1_manifests_are_named_for_what_they_are() {
    let manifests = "apiVersion: neo4j.neo4j.com/v1beta1
kind: Neo4jEnterpriseCluster
metadata: {name: prod, namespace: neo4j}
spec: {image: {repo: neo4j, tag: 2025.01.0-enterprise}, topology: {servers: 3}}
---
apiVersion: neo4j.neo4j.com/v1beta1
kind: Neo4jBackup
metadata: {name: daily, namespace: neo4j}
spec: {target: {kind: Cluster, name: prod}, storage: {type: pvc, pvc: {name: backups}}}
";
    let output = validate(&["-f", "-"], Some(manifests));
    assert_eq!(
        text(&output.stdout),
        "\
neo4jenterprisecluster/prod (neo4j, stdin#1): valid
neo4jbackup/daily (neo4j, stdin#2): invalid
  error: apiVersion: neo4j.neo4j.com/v1beta1 is the Neo4j operator's own Neo4jBackup API, not kubectl-neo4j's (neo4j.neo4j.com/v1alpha1); translate it into neo4j.neo4j.com/v1alpha1 with `kubectl neo4j convert -f FILE` (docs/operator.md), or leave neo4j.neo4j.com/v1beta1 objects to the Neo4j operator's controller
"
    );
    assert_eq!(output.status.code(), Some(1));
}

// `kubectl get ... -o yaml` prints a List: its items are judged one by one.
#[test]
fn the_items_of_a_list_are_documents() {
    let list = "apiVersion: v1
kind: List
items:
- {apiVersion: neo4j.neo4j.com/v1alpha1, kind: Neo4jBackup, metadata: {name: a, namespace: neo4j}, spec: {target: {kind: Cluster, name: prod}, storage: {type: pvc, pvc: {name: backups}}}}
- {apiVersion: v1, kind: ConfigMap, metadata: {name: b}}
";
    let output = validate(&["-f", "-"], Some(list));
    assert_eq!(text(&output.stdout), "neo4jbackup/a (neo4j, stdin#1): valid\n");
    assert_eq!(output.status.code(), Some(0));
}
