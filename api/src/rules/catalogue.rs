//! The catalogue of rules: one example per rule, with why the rule exists. `docs/validation.md` is
//! rendered from it by running each example through the real rules, so the messages in the
//! documentation are the messages users get.

use serde_json::{Value, json};

use crate::review::{Kind, review};
use crate::rules::{Context, TargetFacts};

/// Context an example needs.
#[derive(Clone, Copy, Debug)]
pub enum Needs {
    /// Nothing beyond the object.
    Nothing,
    /// The target's image tag and server count.
    Target(&'static str, i32),
    /// The present moment.
    Now(&'static str),
    /// A referenced backup whose status knows its window ([`WINDOWED`]).
    Window,
    /// The answer of an access review for the target namespace.
    Access(bool),
    /// The referenced Neo4jBackup (`nightly`), which has not succeeded yet.
    UnfinishedBackup,
    /// A readable target (2025.04, 3 servers) in another namespace that grants no namespace.
    UngrantedTarget,
    /// A target (2025.04, 3 servers) that serves Bolt without TLS.
    PlaintextTarget,
}

/// The Neo4jBackup `nightly` whose status says it can restore database `orders` from 2025-01-05
/// to 2025-01-12 (one span, no gap).
static WINDOWED: std::sync::LazyLock<crate::types::Neo4jBackup> = std::sync::LazyLock::new(|| {
    serde_json::from_value(json!({
        "apiVersion": "neo4j.neo4j.com/v1alpha1", "kind": "Neo4jBackup",
        "metadata": {"name": "nightly", "namespace": "neo4j"},
        "spec": {"target": {"kind": "Cluster", "name": "prod"}, "storage": {"type": "s3", "bucket": "my-backups"}},
        "status": {"phase": "Completed", "lastSuccessfulBackupTime": "2025-01-12T00:00:00Z",
            "recoveryWindow": [{"database": "orders", "earliest": "2025-01-05T00:00:00Z",
            "latest": "2025-01-12T00:00:00Z", "contiguous": true}]}}))
    .unwrap_or_default()
});

impl Needs {
    fn context(self) -> Context<'static> {
        let at = |text: &str| text.parse().ok();
        match self {
            Self::Nothing => Context::default(),
            Self::Target(tag, servers) => Context {
                target: Some(TargetFacts {
                    image_tag: Some(tag.to_owned()),
                    servers: Some(servers),
                    ..Default::default()
                }),
                ..Context::default()
            },
            Self::Now(now) => Context { now: at(now), ..Context::default() },
            Self::Window => Context { referenced_backup: Some(&WINDOWED), ..Context::default() },
            Self::Access(allowed) => Context { may_read_target_namespace: Some(allowed), ..Context::default() },
            Self::UnfinishedBackup => Context::default(),
            Self::PlaintextTarget => {
                let mut context = Self::Target("2025.04.0-enterprise", 3).context();
                if let Some(target) = context.target.as_mut() {
                    target.bolt_tls = Some(false);
                }
                context
            }
            Self::UngrantedTarget => {
                Context { may_read_target_namespace: Some(true), ..Self::Target("2025.04.0-enterprise", 3).context() }
            }
        }
    }
}

/// One rule, shown by an example that breaks it.
pub struct Entry {
    /// The kind the example is of.
    pub kind: Kind,
    /// What the rule demands.
    pub rule: &'static str,
    /// Why it exists.
    pub why: &'static str,
    /// A merge patch (RFC 7386) on a valid object of `kind` that breaks the rule.
    pub example: Value,
    /// Context the rule needs.
    pub needs: Needs,
}

fn entry(kind: Kind, rule: &'static str, why: &'static str, example: Value) -> Entry {
    Entry { kind, rule, why, example, needs: Needs::Nothing }
}

fn with(needs: Needs, mut entry: Entry) -> Entry {
    entry.needs = needs;
    entry
}

/// A valid object of a kind, to which examples apply their changes.
pub fn base_object(kind: Kind) -> Value {
    let meta = json!({"name": "example", "namespace": "neo4j"});
    let api = "neo4j.neo4j.com/v1alpha1";
    match kind {
        Kind::Backup => json!({"apiVersion": api, "kind": "Neo4jBackup", "metadata": meta, "spec": {
            "target": {"kind": "Cluster", "name": "prod"},
            "storage": {"type": "s3", "bucket": "my-backups", "cloud": {"credentialsSecretRef": "aws-creds"}}}}),
        Kind::Restore => json!({"apiVersion": api, "kind": "Neo4jRestore", "metadata": meta, "spec": {
            "targetCluster": "prod", "databaseName": "orders",
            "source": {"type": "backup", "backupRef": "nightly"}}}),
        Kind::Cluster => json!({"apiVersion": api, "kind": "Neo4jEnterpriseCluster", "metadata": meta, "spec": {
            "image": {"repo": "neo4j", "tag": "2025.01.0-enterprise"}, "topology": {"servers": 3}}}),
        Kind::Standalone => json!({"apiVersion": api, "kind": "Neo4jEnterpriseStandalone", "metadata": meta, "spec": {
            "image": {"repo": "neo4j", "tag": "2025.01.0-enterprise"}}}),
    }
}

/// The example object of an entry.
pub fn example_object(entry: &Entry) -> Value {
    let mut object = base_object(entry.kind);
    json_patch::merge(&mut object, &entry.example);
    object
}

/// Every error line and warning an entry's example draws.
pub fn outcome(entry: &Entry) -> (Vec<String>, Vec<String>) {
    let unfinished: Option<crate::types::Neo4jBackup> = matches!(entry.needs, Needs::UnfinishedBackup)
        .then(|| serde_json::from_value(base_object(Kind::Backup)).ok())
        .flatten()
        .map(|mut backup: crate::types::Neo4jBackup| {
            backup.metadata.name = Some("nightly".to_owned());
            backup
        });
    let context = entry.needs.context();
    let ctx = Context { referenced_backup: unfinished.as_ref().or(context.referenced_backup), ..context };
    match review(None, &example_object(entry), &ctx) {
        Some(review) => (review.verdict.error_lines(), review.verdict.warnings),
        None => (Vec::new(), Vec::new()),
    }
}

const STORAGE_WHY: &str =
    "A Job that cannot reach its storage fails hours later, at 2 AM; the API server should say so at apply time.";

/// The catalogue, in the order of the documentation.
pub fn catalogue() -> Vec<Entry> {
    use Kind::{Backup, Cluster, Restore, Standalone};
    let pitr = |extra: Value| {
        let mut source = json!({"source": {"type": "pitr", "backupRef": null, "pointInTime": "2025-01-04T12:30:00Z",
            "pitr": {"baseBackup": {"type": "backup", "backupRef": "nightly"}}}});
        json_patch::merge(&mut source, &extra);
        json!({"spec": source})
    };
    let cluster_pitr = |extra: Value| {
        let mut block = json!({"enabled": true, "baseBackup": {"schedule": "0 2 * * *", "destination": {"type": "s3", "bucket": "base-backups"}}});
        json_patch::merge(&mut block, &extra);
        json!({"spec": {"pointInTimeRecovery": block}})
    };
    vec![
        // Storage
        entry(
            Backup,
            "`type` is one of s3, gcs, azure, pvc",
            "Every storage location names its backend; neo4j-admin writes s3://, gs://, azb:// or a mounted directory.",
            json!({"spec": {"storage": {"type": "nfs"}}}),
        ),
        entry(Backup, "cloud storage needs `bucket`", STORAGE_WHY, json!({"spec": {"storage": {"bucket": null}}})),
        entry(
            Backup,
            "`bucket` follows the provider's naming rules (S3, GCS and Azure differ)",
            STORAGE_WHY,
            json!({"spec": {"storage": {"type": "azure", "bucket": "My--Container"}}}),
        ),
        entry(
            Backup,
            "azure storage without `credentialsSecretRef` names `cloud.storageAccount`",
            "neo4j-admin reads azb://<account>/<container>/<path>; with workload identity no Secret can supply the account.",
            json!({"spec": {"storage": {"type": "azure", "bucket": "neo4j-backups", "cloud": {"identity": {"provider": "azure"}}}}}),
        ),
        entry(
            Backup,
            "`cloud.endpoint` is an http(s) URL, for s3 storage only",
            "It becomes AWS_ENDPOINT_URL_S3 (S3-compatible stores such as MinIO); anything else would fail inside the AWS SDK.",
            json!({"spec": {"storage": {"cloud": {"endpoint": "minio:9000"}}}}),
        ),
        entry(
            Backup,
            "`cloud.provider` matches the storage type",
            "A GCP key cannot open an S3 bucket.",
            json!({"spec": {"storage": {"cloud": {"provider": "gcp"}}}}),
        ),
        entry(
            Backup,
            "`credentialsSecretRef` and `identity` are mutually exclusive",
            "Two credential sources make it unclear which one the Job uses.",
            json!({"spec": {"storage": {"cloud": {"identity": {"provider": "aws"}}}}}),
        ),
        entry(
            Backup,
            "`identity.provider` matches the storage type",
            "Workload identity annotations differ per cloud.",
            json!({"spec": {"storage": {"cloud": {"credentialsSecretRef": null, "identity": {"provider": "azure"}}}}}),
        ),
        entry(
            Backup,
            "`pvc` storage needs a `pvc` block with `name` or `size`",
            "The Job must mount an existing claim or create one.",
            json!({"spec": {"storage": {"type": "pvc", "bucket": null, "cloud": null, "pvc": {"storageClassName": "standard"}}}}),
        ),
        entry(
            Backup,
            "`pvc.size` is a Kubernetes quantity",
            "The claim is created with it; `50GB` is not a quantity Kubernetes accepts.",
            json!({"spec": {"storage": {"type": "pvc", "bucket": null, "cloud": null, "pvc": {"size": "50GB"}}}}),
        ),
        entry(
            Backup,
            "`path` has no `..` segment and no control character",
            "A path must not escape its bucket or volume, nor smuggle a newline into a command.",
            json!({"spec": {"storage": {"path": "team-a/../team-b"}}}),
        ),
        // Backup target
        entry(
            Backup,
            "`target.kind` is Cluster or Database",
            "The controller backs up a whole target or one database.",
            json!({"spec": {"target": {"kind": "Server"}}}),
        ),
        entry(
            Backup,
            "a Cluster target is a valid Kubernetes name",
            "It names a Neo4jEnterpriseCluster or Neo4jEnterpriseStandalone.",
            json!({"spec": {"target": {"name": "Prod_Cluster"}}}),
        ),
        entry(
            Backup,
            "a Database target needs `clusterRef`",
            "A database lives on a cluster; without it there is nothing to connect to.",
            json!({"spec": {"target": {"kind": "Database", "name": "orders"}}}),
        ),
        with(
            Needs::Access(false),
            entry(
                Backup,
                "a target in another namespace must be readable by you",
                "A backup must not become a way to copy data you may not read.",
                json!({"spec": {"target": {"namespace": "production"}}}),
            ),
        ),
        with(
            Needs::UngrantedTarget,
            entry(
                Backup,
                "a target in another namespace grants backups from yours",
                "Its owner consents too, on the target (annotation `neo4j.neo4j.com/backup-namespaces`); the controller checks it on every reconcile, so withdrawing it stops the backups.",
                json!({"spec": {"target": {"namespace": "production"}}}),
            ),
        ),
        entry(
            Backup,
            "without an access review, a cross-namespace target warns",
            "Offline there is nobody to ask; the warning says the check was not made.",
            json!({"spec": {"target": {"namespace": "production"}}}),
        ),
        with(
            Needs::Target("5.20.0-enterprise", 3),
            entry(
                Backup,
                "the target runs a supported Neo4j (5.26.x or CalVer 2025.01.0+, enterprise)",
                "neo4j-admin before 5.26 lacks the options the Jobs use; community images have no online backup.",
                json!({}),
            ),
        ),
        // Backup options
        entry(
            Backup,
            "`options.backupType` is FULL, DIFF or AUTO",
            "These are the types neo4j-admin knows (`--type`); AUTO is its own choice: a DIFF when the location holds a chain, else a FULL.",
            json!({"spec": {"options": {"backupType": "INCREMENTAL"}}}),
        ),
        with(
            Needs::Target("5.26.0-enterprise", 3),
            entry(
                Backup,
                "`preferDiffAsParent` needs Neo4j 2025.04 (warning; the flag is omitted)",
                "Older neo4j-admin rejects the flag; the backup still runs.",
                json!({"spec": {"options": {"backupType": "DIFF", "preferDiffAsParent": true}}}),
            ),
        ),
        entry(
            Backup,
            "`tempPath` is absolute",
            "It is a directory inside the Job's container.",
            json!({"spec": {"options": {"tempPath": "tmp/work"}}}),
        ),
        entry(
            Backup,
            "`encryption.enabled` needs `keySecret`, and warns that encryption is not executed yet",
            "neo4j-admin cannot encrypt; we never pretend it did.",
            json!({"spec": {"options": {"encryption": {"enabled": true}}}}),
        ),
        entry(
            Backup,
            "`additionalArgs` start with `--` and do not repeat a managed flag",
            "The controller sets --from, --to-path, --type, ...; a second copy would conflict.",
            json!({"spec": {"options": {"additionalArgs": ["verbose", "--to-path=/elsewhere"]}}}),
        ),
        entry(
            Backup,
            "`rpo` is a duration that the runs can meet (warning: the longest pause between two runs, the shipping interval or the schedule's, exceeds it; a one-shot backup cannot)",
            "A restore loses up to the time since the newest restorable moment; a schedule that pauses longer than the objective misses it by design.",
            json!({"spec": {"schedule": "0 2 * * *", "rpo": "1h"}}),
        ),
        entry(
            Backup,
            "an `additionalArgs` flag neo4j-admin does not know is refused",
            "neo4j-admin rejects unknown options (exit 64), so the Job would fail; the error lists the options that exist.",
            json!({"spec": {"options": {"additionalArgs": ["--parallel"]}}}),
        ),
        with(
            Needs::Target("2025.04.0-enterprise", 3),
            entry(
                Restore,
                "`topology` is within Neo4j's bounds and the cluster's size",
                "CREATE DATABASE ... TOPOLOGY fails when the servers cannot hold that many copies.",
                json!({"spec": {"topology": {"primaries": 3, "secondaries": 2}}}),
            ),
        ),
        with(
            Needs::Target("2025.01.0-enterprise", 3),
            entry(
                Restore,
                "an `additionalArgs` flag of a later Neo4j is refused on an earlier one",
                "--source-database exists from 2025.02, --remote-address-resolution from 2025.09, --parallel-download and --skip-recovery from 2025.11.",
                json!({"spec": {"options": {"additionalArgs": ["--source-database=orders"]}}}),
            ),
        ),
        with(
            Needs::PlaintextTarget,
            entry(
                Restore,
                "a target without TLS needs `options.allowPlaintextBolt: true`",
                "The controller logs in over Bolt as the target's admin; without TLS the password crosses the network in the clear, which only the spec may accept.",
                json!({"spec": {"options": {"allowPlaintextBolt": false}}}),
            ),
        ),
        // Schedule and retention
        entry(
            Backup,
            "`schedule` is a 5-field cron or a macro",
            "The CronJob refuses anything else, after the fact.",
            json!({"spec": {"schedule": "0 2 * *"}}),
        ),
        entry(
            Backup,
            "a scheduled backup's name has at most 45 characters",
            "The CronJob `<name>-backup` may have 52, to leave room for Job suffixes.",
            json!({"metadata": {"name": "a-very-long-name-for-a-nightly-backup-of-production"}, "spec": {"schedule": "@daily"}}),
        ),
        entry(
            Backup,
            "`suspend` without `schedule` warns",
            "Only a schedule can be suspended.",
            json!({"spec": {"suspend": true}}),
        ),
        entry(
            Backup,
            "`retention` sets `maxAge`, `maxCount` or both",
            "An empty policy keeps everything, which is probably not what was meant.",
            json!({"spec": {"storage": {"type": "pvc", "bucket": null, "cloud": null, "pvc": {"name": "backups"}}, "retention": {"deletePolicy": "Archive"}}}),
        ),
        entry(
            Backup,
            "`maxAge` is a duration and `maxCount` is at least 1",
            "A retention that keeps nothing would delete every backup.",
            json!({"spec": {"storage": {"type": "pvc", "bucket": null, "cloud": null, "pvc": {"name": "backups"}}, "retention": {"maxAge": "30 days", "maxCount": 0}}}),
        ),
        entry(
            Backup,
            "retention on cloud storage warns",
            "Cloud cleanup belongs to bucket lifecycle rules; the controller does not delete objects in buckets.",
            json!({"spec": {"retention": {"maxCount": 7}}}),
        ),
        // Restore
        entry(
            Restore,
            "`targetCluster`, `databaseName` and `source` are required",
            "There is nothing to restore otherwise; all missing fields are reported together.",
            json!({"spec": {"targetCluster": null, "databaseName": null, "source": null}}),
        ),
        entry(
            Restore,
            "`databaseName` is a valid Neo4j name and not reserved",
            "Neo4j refuses other names, and `system` holds users and roles.",
            json!({"spec": {"databaseName": "system"}}),
        ),
        entry(
            Restore,
            "`source.type` is backup, storage, pitr, s3, gcs or azure",
            "Each type names where the backup comes from.",
            json!({"spec": {"source": {"type": "snapshot"}}}),
        ),
        entry(
            Restore,
            "type backup needs `backupRef` and no `storage`",
            "The storage of a Neo4jBackup comes from the Neo4jBackup.",
            json!({"spec": {"source": {"backupRef": null, "storage": {"type": "s3", "bucket": "b-1"}}}}),
        ),
        entry(
            Restore,
            "the shorthand types s3, gcs, azure match `storage.type`",
            "`type: s3` with GCS storage is a contradiction.",
            json!({"spec": {"source": {"type": "s3", "backupRef": null, "storage": {"type": "gcs", "bucket": "b-1"}}}}),
        ),
        entry(
            Restore,
            "type pitr needs `pitr.baseBackup` and `pointInTime`",
            "Point-in-time recovery starts from a base backup and stops at a moment.",
            json!({"spec": {"source": {"type": "pitr", "backupRef": null}}}),
        ),
        with(
            Needs::UnfinishedBackup,
            entry(
                Restore,
                "a referenced Neo4jBackup without a successful backup warns (an Invalid one too)",
                "The restore would wait in Pending; better to know at apply time.",
                json!({}),
            ),
        ),
        entry(
            Restore,
            "`pointInTime` is RFC 3339",
            "It is converted to UTC for `--restore-until`; anything else is ambiguous.",
            pitr(json!({"source": {"pointInTime": "04/01/2025 12:30"}})),
        ),
        with(
            Needs::Now("2025-01-01T00:00:00Z"),
            entry(
                Restore,
                "`pointInTime` is not in the future",
                "A restore cannot replay transactions that have not happened.",
                pitr(json!({})),
            ),
        ),
        with(
            Needs::Window,
            entry(
                Restore,
                "`pointInTime` falls inside the database's recoverable window in the backup's status (a gap or an older window it does not list draws a warning)",
                "Outside it neo4j-admin fails after the cluster was already stopped; the controller checks the location again before anything destructive.",
                pitr(json!({})),
            ),
        ),
        entry(
            Restore,
            "`pitr.logStorage` beside a `baseBackup` is not read (warning): alone, it names the folder of the chain",
            "neo4j-admin replays a chain of DIFF backups from one folder; the operator's separate transaction-log bucket cannot be replayed.",
            pitr(json!({"source": {"pitr": {"logStorage": {"type": "s3", "bucket": "tx-logs"}}}})),
        ),
        entry(
            Restore,
            "durations (`timeout`, `logRetention`, `recoveryPointObjective`, hook timeouts) are positive",
            "One duration grammar everywhere: s, m, h, d, w, y.",
            pitr(json!({"source": {"pitr": {"logRetention": "1 week"}}})),
        ),
        entry(
            Restore,
            "compression level fits the algorithm (gzip 1-9, lz4 1-12, zstd 1-22)",
            "Levels outside the range are refused by the compressor.",
            pitr(json!({"source": {"pitr": {"compression": {"algorithm": "gzip", "level": 15}}}})),
        ),
        entry(
            Restore,
            "enabled encryption needs `keySecret`; the algorithm is AES256 or ChaCha20Poly1305",
            "Encrypted logs cannot be read without the key.",
            pitr(json!({"source": {"pitr": {"encryption": {"enabled": true}}}})),
        ),
        entry(
            Restore,
            "a hook Job has a container image; Cypher statements are not empty",
            "A hook that cannot run fails the restore half-way.",
            json!({"spec": {"options": {"postRestore": {"cypherStatements": [""], "job": {"template": {"container": {"image": ""}}}}}}}),
        ),
        with(
            Needs::Target("2025.01.0-enterprise", 3),
            entry(
                Restore,
                "replacing a database (`force`, `replaceExisting`) in a multi-server cluster warns",
                "Neo4j: --overwrite-destination is not safe on a cluster; the database is dropped and created again from server 0, unserved meanwhile.",
                json!({"spec": {"force": true}}),
            ),
        ),
        entry(
            Restore,
            "a restore name has at most 55 characters",
            "Its Job `<name>-restore` must fit 63.",
            json!({"metadata": {"name": "restore-of-the-orders-database-after-the-incident-of-monday"}}),
        ),
        // Targets
        entry(
            Cluster,
            "an unsupported version warns (the Neo4j operator's objects are never blocked by us)",
            "Backups of it will fail, but the cluster itself is not ours to refuse.",
            json!({"spec": {"image": {"tag": "5.20.0-enterprise"}}}),
        ),
        entry(
            Cluster,
            "enabling pointInTimeRecovery needs a supported version",
            "Point-in-time recovery is run by kubectl-neo4j, which needs 5.26+ or 2025.01+.",
            json!({"spec": {"image": {"tag": "4.4.30-enterprise"}, "pointInTimeRecovery": {"enabled": true,
                "baseBackup": {"schedule": "@daily", "destination": {"type": "s3", "bucket": "base-backups"}}}}}),
        ),
        entry(
            Cluster,
            "enabled point-in-time recovery has baseBackup or logShipping",
            "Otherwise nothing is recorded to recover from.",
            json!({"spec": {"pointInTimeRecovery": {"enabled": true}}}),
        ),
        entry(
            Cluster,
            "`logShipping.interval` is at least 10s; `batchSize` is a byte size",
            "Shipping more often than every 10 s floods storage with tiny objects.",
            cluster_pitr(
                json!({"logShipping": {"interval": "5s", "batchSize": "ten megabytes", "destination": {"type": "s3", "bucket": "logs-1"}}}),
            ),
        ),
        entry(
            Cluster,
            "shipping rules have unique names, valid regex patterns and priority high, medium or low (and warn: not acted on)",
            "Rules are accepted for compatibility, but kubectl-neo4j does not filter logs by them.",
            cluster_pitr(json!({"logShipping": {"interval": "30s", "destination": {"type": "s3", "bucket": "logs-1"},
                "rules": [{"name": "all", "pattern": "[unclosed", "priority": "urgent"}]}})),
        ),
        entry(
            Cluster,
            "storage tiers have unique names and growing retention (and warn: not acted on)",
            "Tiers run from hot to cold; a colder tier keeps logs longer.",
            cluster_pitr(
                json!({"storage": {"tiers": [{"name": "hot", "retention": "30d"}, {"name": "warm", "retention": "7d"}]}}),
            ),
        ),
        entry(
            Cluster,
            "replication regions are unique and consistency is eventual or strong (and warn: not acted on)",
            "Replication is accepted for compatibility only.",
            cluster_pitr(json!({"replication": {"enabled": true, "consistency": "immediate"}})),
        ),
        entry(
            Cluster,
            "`recovery.parallelRestore` is 1 to 16",
            "More workers than that only contend for the same disk.",
            cluster_pitr(json!({"recovery": {"parallelRestore": 0}})),
        ),
        entry(
            Standalone,
            "the same version rules apply to a standalone",
            "Same image, same neo4j-admin.",
            json!({"spec": {"image": {"tag": "5.26.0-community"}}}),
        ),
    ]
}

/// Escapes text for a markdown table cell.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

/// The defaults, read off the real patches of minimal objects.
fn defaults_table() -> String {
    let minimal = [
        (
            Kind::Backup,
            json!({"spec": {"storage": {"type": "s3", "cloud": {"identity": {"autoCreate": {}}}}, "retention": {}}}),
        ),
        (
            Kind::Restore,
            json!({"spec": {"source": {"type": "pitr", "storage": {"type": "gcs"},
            "pitr": {"baseBackup": {"storage": {"type": "azure"}}, "logStorage": {"type": "s3"}, "encryption": {"enabled": true}}}}}),
        ),
    ];
    let mut rows = vec!["| Kind | Field | Default |".to_owned(), "|---|---|---|".to_owned()];
    for (kind, object) in minimal {
        let mut defaulted = object.clone();
        let _ = json_patch::patch(&mut defaulted, &kind.defaults(&object));
        let mut leaves = Vec::new();
        collect_new_leaves(&object, &defaulted, "", &mut leaves);
        for (path, value) in leaves {
            rows.push(format!("| {} | `{}` | `{}` |", kind.name(), path.trim_start_matches('.'), value));
        }
    }
    rows.join("\n")
}

fn collect_new_leaves(before: &Value, after: &Value, path: &str, out: &mut Vec<(String, String)>) {
    match after {
        Value::Object(map) => {
            for (key, value) in map {
                collect_new_leaves(before.get(key).unwrap_or(&Value::Null), value, &format!("{path}.{key}"), out);
            }
        }
        leaf if before.is_null() => out.push((path.to_owned(), leaf.to_string())),
        _ => {}
    }
}

/// The CEL rules and patterns of our CRDs, as (kind, field path, what it demands).
fn api_server_rules() -> Vec<(String, String, String)> {
    fn walk(node: &Value, path: &str, kind: &str, out: &mut Vec<(String, String, String)>) {
        for rule in node["x-kubernetes-validations"].as_array().into_iter().flatten() {
            let field = format!("{path}{}", rule["fieldPath"].as_str().unwrap_or_default());
            let message = rule["message"].as_str().unwrap_or_default();
            out.push((
                kind.to_owned(),
                field.trim_start_matches('.').to_owned(),
                format!("{message} (CEL: `{}`)", rule["rule"].as_str().unwrap_or_default()),
            ));
        }
        if let Some(pattern) = node["pattern"].as_str() {
            out.push((kind.to_owned(), path.trim_start_matches('.').to_owned(), format!("matches `{pattern}`")));
        }
        for (name, child) in node["properties"].as_object().into_iter().flatten() {
            walk(child, &format!("{path}.{name}"), kind, out);
        }
        if node["items"].is_object() {
            walk(&node["items"], &format!("{path}[]"), kind, out);
        }
    }
    let mut out = Vec::new();
    for (_, crd) in crate::crd::crds() {
        let schema =
            crd.spec.versions.first().and_then(|v| v.schema.as_ref()).and_then(|s| s.open_api_v3_schema.as_ref());
        if let Some(schema) = schema.and_then(|s| serde_json::to_value(s).ok()) {
            walk(&schema, "", &crd.spec.names.kind, &mut out);
        }
    }
    out
}

/// `docs/validation.md`.
pub fn render_markdown() -> String {
    let mut doc = String::from(
        "<!-- Generated by `cargo run -p kubectl-neo4j --bin crdgen` from api/src/rules/catalogue.rs. Do not edit: a test fails when it drifts. -->\n\
         # Validation rules\n\n\
         One set of rules (`api/src/rules/`, entry point `neo4j_api::review::review`) is written for three places: the\n\
         admission webhook (at `kubectl apply`), `kubectl neo4j validate` (offline, no cluster) and the controller before\n\
         it acts. Those three are still being built; until they land, the rules are reached through the library and the\n\
         CRD schema rules below already apply. Every object gets its defaults first, then every rule at once:\n\
         all errors are reported together, each with the path of the field and what is accepted. **Errors** refuse the\n\
         object; **warnings** accept it and say what will not happen or what is risky.\n\n\
         Some rules need context beyond the object (the target's Neo4j version and size, the present moment, the\n\
         recoverable window of a backup, whether you may read another namespace). Without it they say nothing and the\n\
         controller checks again when it knows more; they never guess.\n\n\
         The messages below are produced by running each example through the rules; they are exactly what you will see.\n\n\
         ## Defaults\n\n\
         Only fields you left unset are filled in; a value you set is never changed, and defaulting twice changes nothing.\n\
         The Neo4j operator's kinds get no defaults from us. `cloud.provider` and `identity.provider` follow the storage\n\
         type (s3: aws, gcs: gcp, azure: azure) in every storage location.\n\n",
    );
    doc.push_str(&defaults_table());
    doc.push_str(
        "\n\n## Value grammars\n\n\
         - **Duration**: a sequence of `<number><unit>`, units `s`, `m`, `h`, `d`, `w`, `y` (365 days), positive, no spaces: `30s`, `1h30m`, `7d`, `7y`.\n\
         - **Byte size**: `<number><unit>` with `B`, `KB`, `MB`, `GB`, `TB` (powers of 1000) or `Ki`, `Mi`, `Gi`, `Ti` (powers of 1024): `10MB`, `512Ki`.\n\
         - **Cron**: five fields (minute hour day-of-month month day-of-week, UTC) or `@hourly`, `@daily`, `@weekly`, `@monthly`, `@yearly`.\n\
         - **Neo4j version**: semver 5.26.x or CalVer `YYYY.MM.patch` from 2025.01.0, on an `-enterprise` image tag.\n\
         - **Database name**: a letter, then letters, digits, `.` and `-`, 3 to 63 characters; not `system`, nor starting with `system` or `_`.\n",
    );
    let mut section = None;
    for entry in catalogue() {
        if section != Some(entry.kind) {
            section = Some(entry.kind);
            doc.push_str(&format!("\n## {}\n\n| Rule | Example message | Why |\n|---|---|---|\n", entry.kind.name()));
        }
        let (errors, warnings) = outcome(&entry);
        let messages: Vec<String> = errors
            .iter()
            .map(|e| format!("error: `{}`", cell(e)))
            .chain(warnings.iter().map(|w| format!("warning: `{}`", cell(w))))
            .collect();
        doc.push_str(&format!("| {} | {} | {} |\n", cell(entry.rule), messages.join("<br>"), cell(entry.why)));
    }
    doc.push_str(
        "\n## Enforced by the API server itself\n\n\
         The simple, local rules are also part of the CRD schemas (patterns, bounds, and CEL rules in\n\
         `x-kubernetes-validations`), so the API server refuses such objects even when the webhook is down. A test\n\
         evaluates these CEL rules locally on every example above and checks they never refuse what the rules accept.\n\
         The API server checks the schema before it calls validating webhooks, so when one of these fails you see its\n\
         message (prefixed by the API server) rather than the list above.\n\n\
         | Kind | Field | Demands |\n|---|---|---|\n",
    );
    for (kind, field, demand) in api_server_rules() {
        let field = if field.is_empty() { "(the object)".to_owned() } else { format!("`{field}`") };
        doc.push_str(&format!("| {kind} | {field} | {} |\n", cell(&demand)));
    }
    doc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_example_breaks_its_rule_and_nothing_else_breaks_the_base() {
        for kind in [Kind::Backup, Kind::Restore, Kind::Cluster, Kind::Standalone] {
            let review = review(None, &base_object(kind), &Context::default()).expect("our kind");
            assert_eq!(review.verdict, Default::default(), "the base {} is valid", kind.name());
        }
        for entry in catalogue() {
            let (errors, warnings) = outcome(&entry);
            assert!(!(errors.is_empty() && warnings.is_empty()), "the example for {:?} draws no message", entry.rule);
        }
    }
}
