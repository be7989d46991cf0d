//! `kubectl neo4j convert` on manifests written like the Neo4j operator's own examples
//! (tests/fixtures/neo4j-operator/examples/, each naming the operator example it follows): the
//! exact YAML on stdout, the exact lines on stderr, and that the result passes `validate`.

mod support;

use std::process::Output;

use support::{run, text};

const EXAMPLES: &str = "../tests/fixtures/neo4j-operator/examples";

fn convert(example: &str) -> Output {
    run(&["convert", "-f", &format!("{EXAMPLES}/{example}.yaml")], None)
}

// Each example converts into exactly what tests/fixtures/neo4j-operator/converted/<example>.yaml
// holds, with exactly the lines of <example>.stderr, and exit code 0.
const CONVERTED: [&str; 8] = [
    // The Neo4j operator's examples/backup-restore/backup-pvc-simple.yaml and
    // config/samples/neo4j_v1beta1_neo4jbackup.yaml: every database to a claim. The operator writes
    // into /backup/<name> on the claim whatever storage.path says
    // (internal/controller/neo4jbackup_controller.go buildToPath), so the converted path is the name.
    "backup-pvc",
    // The Neo4j operator's examples/backup-restore/backup-s3-basic.yaml: S3 with a credentials Secret
    // and with IRSA. The operator writes into s3://<bucket>/<path>/<name>/ (buildToPath).
    "backup-s3",
    // The Neo4j operator's examples/backup-restore/backup-scheduled-daily.yaml and
    // backup-with-type.yaml: schedules, suspend, retention; pageCache is the operator's --pagecache flag
    // (buildBackupCommand).
    "backup-scheduled",
    // The Neo4j operator's examples/backup-restore/backup-incremental.yaml: one database
    // (api/v1beta1/neo4jbackup_types.go Database) every six hours.
    "backup-incremental",
    // The Neo4j operator's examples/backup-restore/backup-minio.yaml: endpointURL is our
    // cloud.endpoint; forcePathStyle has no counterpart (kubectl-neo4j documents none; docs/backup.md,
    // Credentials).
    "backup-minio",
    // The Neo4j operator's examples/backup-restore/pitr-setup-complete.yaml: a base backup with
    // validate (no counterpart), includeMetadata and parallelRecovery (neo4j-admin flags,
    // buildBackupCommand), a ConfigMap (left out), a point-in-time restore with hooks.
    "pitr-setup",
    // The Neo4j operator's examples/backup-restore/restore-from-backup.yaml, restore-overwrite.yaml and
    // config/samples/neo4j_v1beta1_neo4jrestore.yaml: instanceRef is targetCluster, database
    // databaseName (api/v1beta1/neo4jrestore_types.go).
    "restore-from-backup",
    // The Neo4j operator's examples/backup-restore/restore-pitr-basic.yaml: a point in time from a
    // Neo4jBackup and from a base backup in a bucket.
    "restore-pitr",
];

#[test]
fn each_example_converts_into_exactly_its_expected_manifests_and_notes() {
    let expected = |example: &str, ext: &str| {
        std::fs::read_to_string(support::root().join(format!("{EXAMPLES}/../converted/{example}.{ext}")))
            .expect("the expected output")
    };
    for example in CONVERTED {
        let output = convert(example);
        assert_eq!(text(&output.stdout), expected(example, "yaml"), "{example}: stdout");
        assert_eq!(text(&output.stderr), expected(example, "stderr"), "{example}: stderr");
        assert_eq!(output.status.code(), Some(0), "{example}");
    }
}

// Every example at once (a directory, walked like `validate` walks it): what comes out is valid
// to `kubectl neo4j validate`, object for object, and only the operator's objects are converted.
#[test]
fn every_example_converts_into_manifests_that_validate() {
    let output = run(&["convert", "-f", EXAMPLES], None);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let converted = text(&output.stdout);
    assert_eq!(converted.matches("---\n").count(), 17);
    let validated = run(&["validate", "-f", "-"], Some(&converted));
    let verdicts: Vec<String> =
        text(&validated.stdout).lines().filter(|line| !line.starts_with("  ")).map(str::to_owned).collect();
    assert_eq!(verdicts.len(), 17, "{verdicts:?}");
    assert!(verdicts.iter().all(|line| line.ends_with(": valid")), "{verdicts:?}");
    assert_eq!(validated.status.code(), Some(0));
}

// What `kubectl get ... -o yaml` prints is a List; objects that cannot be converted are named with
// the field that stops them (api/v1beta1/neo4jbackup_types.go ShardedDatabase,
// neo4jrestore_types.go AllDatabases), an object converted but refused by our rules is written with
// the rule it breaks (an Azure account, which the operator's manifest does not name), ours pass
// through, and the exit code is 1.
#[test]
fn objects_that_need_attention_are_named_and_fail_the_command() {
    let manifests = "\
apiVersion: v1
kind: List
items:
- apiVersion: neo4j.neo4j.com/v1beta1
  kind: Neo4jBackup
  metadata: {name: products, namespace: shop, uid: abc, finalizers: [neo4j.com/backup-finalizer]}
  spec: {instanceRef: shop, shardedDatabase: products, storage: {type: s3, bucket: shop-backups}}
  status: {phase: Completed}
- apiVersion: neo4j.neo4j.com/v1beta1
  kind: Neo4jRestore
  metadata: {name: everything, namespace: shop}
  spec: {instanceRef: shop, allDatabases: true, source: {type: backup, backupRef: nightly}}
- apiVersion: neo4j.neo4j.com/v1beta1
  kind: Neo4jBackup
  metadata: {name: to-azure, namespace: shop}
  spec: {instanceRef: shop, database: orders, storage: {type: azure, bucket: backups, cloud: {identity: {provider: azure}}}}
- apiVersion: neo4j.neo4j.com/v1alpha1
  kind: Neo4jBackup
  metadata: {name: ours, namespace: shop}
  spec: {target: {kind: Cluster, name: shop}, storage: {type: pvc, pvc: {name: backups}}}
";
    let output = run(&["convert", "-f", "-"], Some(manifests));
    assert_eq!(
        text(&output.stdout),
        "\
---
apiVersion: neo4j.neo4j.com/v1alpha1
kind: Neo4jBackup
metadata:
  name: to-azure
  namespace: shop
spec:
  target:
    kind: Database
    name: orders
    clusterRef: shop
  storage:
    type: azure
    bucket: backups
    path: backups/to-azure
    cloud:
      identity:
        provider: azure
  options:
    backupType: AUTO
---
apiVersion: neo4j.neo4j.com/v1alpha1
kind: Neo4jBackup
metadata:
  name: ours
  namespace: shop
spec:
  storage:
    pvc:
      name: backups
    type: pvc
  target:
    kind: Cluster
    name: shop
"
    );
    assert_eq!(
        text(&output.stderr),
        "\
stdin#1: neo4jbackup/products: spec.shardedDatabase: cannot be converted: \"products\" is a property-sharded database (a Neo4jShardedDatabase), which kubectl-neo4j does not back up; keep this backup with the Neo4j operator
stdin#2: neo4jrestore/everything: spec.allDatabases: cannot be converted: kubectl-neo4j restores one database per Neo4jRestore; write one Neo4jRestore per database, each with spec.database
stdin#3: neo4jbackup/to-azure: invalid after conversion: spec.storage.cloud.storageAccount: is required for azure storage without credentialsSecretRef: neo4j-admin reads azb://<account>/<container>/<path>; name the storage account, e.g. storageAccount: neo4jbackups
stdin#4: neo4jbackup/ours: already kubectl-neo4j's (neo4j.neo4j.com/v1alpha1); passed through unchanged
error: 3 of 3 object(s) need attention before they can be applied
"
    );
    assert_eq!(output.status.code(), Some(1));
}

// Targets among the inputs give the rules their Neo4j version, as in `validate`: the operator's
// parallelDownload is `--parallel-download`, which needs Neo4j 2025.11 (docs-operations,
// online-backup.adoc; api/src/rules/admin_args.rs).
#[test]
fn targets_among_the_inputs_give_the_rules_their_version() {
    let manifests = "\
apiVersion: neo4j.neo4j.com/v1beta1
kind: Neo4jEnterpriseCluster
metadata: {name: prod, namespace: neo4j}
spec: {image: {repo: neo4j, tag: 5.26.0-enterprise}, topology: {servers: 3}}
---
apiVersion: neo4j.neo4j.com/v1beta1
kind: Neo4jBackup
metadata: {name: fast, namespace: neo4j}
spec: {instanceRef: prod, allDatabases: true, storage: {type: pvc, pvc: {name: backups}}, options: {parallelDownload: true}}
";
    let output = run(&["convert", "-f", "-"], Some(manifests));
    assert_eq!(
        text(&output.stderr),
        "\
stdin#1: neo4jenterprisecluster/prod: not a Neo4jBackup or Neo4jRestore of the Neo4j operator; left out
stdin#2: neo4jbackup/fast: invalid after conversion: spec.options.additionalArgs[0]: --parallel-download needs Neo4j 2025.11.0 or later and the target runs 5.26.0; remove it (neo4j-admin would refuse the unknown option and fail the Job)
error: 1 of 1 object(s) need attention before they can be applied
"
    );
    assert!(text(&output.stdout).contains("    - --parallel-download=true\n"), "{}", text(&output.stdout));
    assert_eq!(output.status.code(), Some(1));
}

#[test]
fn unreadable_input_is_a_usage_error_and_help_explains_the_exit_codes() {
    let missing = run(&["convert", "-f", "no-such-file.yaml"], None);
    assert_eq!(missing.status.code(), Some(2));
    assert!(text(&missing.stderr).starts_with("error: cannot read no-such-file.yaml: "), "{}", text(&missing.stderr));
    let help = text(&run(&["convert", "--help"], None).stdout);
    assert!(help.contains("also when fields were left out"), "{help}");
    assert!(help.contains("kubectl get neo4jbackups.v1beta1.neo4j.neo4j.com,neo4jrestores.v1beta1.neo4j.neo4j.com -A -o yaml | kubectl neo4j convert -f - > converted.yaml"), "{help}");
}

/// The fenced blocks of docs/operator.md, each as its lines.
fn guide_blocks() -> Vec<Vec<String>> {
    let guide = std::fs::read_to_string(support::root().join("../docs/operator.md")).expect("docs/operator.md");
    let mut blocks = Vec::new();
    let mut current: Option<Vec<String>> = None;
    for line in guide.lines() {
        match current.as_mut() {
            None if line.starts_with("```") => current = Some(Vec::new()),
            Some(_) if line.starts_with("```") => blocks.extend(current.take()),
            Some(block) => block.push(line.to_owned()),
            None => {}
        }
    }
    blocks
}

// docs/operator.md shows what `convert` prints: each block that starts with `$ kubectl neo4j
// convert` is its output, run from the repository's root (stderr when stdout goes to a file).
#[test]
fn the_operator_guide_shows_what_convert_prints() {
    let mut shown = 0;
    for block in guide_blocks() {
        let Some(command) = block.first().and_then(|line| line.strip_prefix("$ kubectl neo4j convert ")) else {
            continue;
        };
        let (args, redirected) = match command.split_once(" > ") {
            Some((args, _)) => (args, true),
            None => (command, false),
        };
        let mut argv = vec!["convert"];
        argv.extend(args.split_whitespace());
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_kubectl-neo4j"))
            .current_dir(support::root().join(".."))
            .args(&argv)
            .output()
            .expect("run kubectl-neo4j");
        let expected = format!("{}\n", block[1..].join("\n"));
        let printed = if redirected { text(&output.stderr) } else { text(&output.stdout) };
        assert_eq!(printed, expected, "docs/operator.md: $ kubectl neo4j convert {command}");
        assert_eq!(output.status.code(), Some(0));
        shown += 1;
    }
    assert_eq!(shown, 2, "the guide shows converted YAML and the lines on stderr");
}
