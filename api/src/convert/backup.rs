//! The operator's v1beta1 Neo4jBackup (its api/v1beta1/neo4jbackup_types.go, v1.14.0) as ours.
//!
//! Scope: `instanceRef` with `allDatabases` is our `target.kind: Cluster`, with `database` our
//! `kind: Database`. Options the operator turns into neo4j-admin flags become the same flags in
//! `additionalArgs` (its internal/controller/neo4jbackup_controller.go `buildBackupCommand`), and
//! an unset `backupType` is the operator's `AUTO` (CRD default; neo4j-admin's own default too),
//! where ours would be `FULL`.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::fields::{Fields, Notes};
use super::storage::{Folder, storage};
use super::{Scope, scope};
use crate::plan::pod::TEMP_DIR;
use crate::types::{
    BackupOptions, BackupTarget, BackupType, DeletePolicy, Neo4jBackup, Neo4jBackupSpec, RetentionPolicy, TargetKind,
};

/// The operator's boolean options that are a neo4j-admin flag, in the order its command builder
/// adds them (`buildBackupCommand`: `--parallel-download=true` and so on).
const FLAGS: [(&str, &str); 4] = [
    ("parallelDownload", "--parallel-download"),
    ("skipRecovery", "--skip-recovery"),
    ("parallelRecovery", "--parallel-recovery"),
    ("keepFailed", "--keep-failed"),
];

/// The Neo4jBackup of the manifest `top` (whose metadata has been read).
pub(super) fn backup(top: &mut Fields, metadata: ObjectMeta, notes: &mut Notes) -> Neo4jBackup {
    top.ignore("status");
    let name = metadata.name.clone().unwrap_or_default();
    let Some(mut spec) = top.object("spec", notes) else {
        notes.error(&top.at("spec"), "is required");
        return Neo4jBackup { metadata, spec: Neo4jBackupSpec::default(), status: None };
    };
    let target = target(&mut spec, notes);
    let chained_to = spec.string("chainFromBackup", notes);
    if let Some(parent) = &chained_to {
        notes.drop(
            &spec.at("chainFromBackup"),
            format!(
                "kubectl-neo4j has no chainFromBackup: this backup writes into the folder of Neo4jBackup {parent:?} (storage.path ends in /{parent}), so its backups chain onto that backup's as before; kubectl-neo4j does not keep the two from running at once, so schedule them apart"
            ),
        );
    }
    let chain_root = chained_to.as_deref().unwrap_or(&name);
    let storage = match spec.object("storage", notes) {
        Some(fields) => Some(storage(fields, Folder::Backup { chain_root }, notes)),
        None => {
            notes.error(&spec.at("storage"), "is required");
            None
        }
    };
    let schedule = spec.string("schedule", notes);
    let suspend = spec.bool("suspend", notes);
    let retention = spec.object("retention", notes).and_then(|fields| retention(fields, notes));
    let options = options(spec.object("options", notes), notes);
    spec.finish(notes);
    let spec = Neo4jBackupSpec {
        target,
        storage,
        options: Some(options),
        schedule,
        suspend,
        retention,
        shipping: None,
        rpo: None,
    };
    Neo4jBackup { metadata, spec, status: None }
}

/// `instanceRef` and one scope: `allDatabases` or `database` (`shardedDatabase` has no counterpart).
fn target(spec: &mut Fields, notes: &mut Notes) -> Option<BackupTarget> {
    let instance = spec.string("instanceRef", notes);
    if instance.is_none() {
        notes.error(
            &spec.at("instanceRef"),
            "is required; name the Neo4jEnterpriseCluster or Neo4jEnterpriseStandalone to back up",
        );
    }
    let scope = scope(spec, notes);
    if let Some(sharded) = spec.string("shardedDatabase", notes) {
        notes.error(
            &spec.at("shardedDatabase"),
            format!(
                "{sharded:?} is a property-sharded database (a Neo4jShardedDatabase), which kubectl-neo4j does not back up; keep this backup with the Neo4j operator"
            ),
        );
        return None;
    }
    match scope {
        Some(Scope::All) => {
            Some(BackupTarget { kind: Some(TargetKind::Cluster), name: instance, ..BackupTarget::default() })
        }
        Some(Scope::Database(database)) => Some(BackupTarget {
            kind: Some(TargetKind::Database),
            name: Some(database),
            cluster_ref: instance,
            namespace: None,
        }),
        Some(Scope::Neither) => {
            notes.error(
                &spec.at("database"),
                "is required unless allDatabases is true; name the database to back up, e.g. neo4j",
            );
            None
        }
        None => None,
    }
}

/// The retention policy; one that keeps everything (neither `maxAge` nor `maxCount`) is left out.
fn retention(mut fields: Fields, notes: &mut Notes) -> Option<RetentionPolicy> {
    let policy = RetentionPolicy {
        max_age: fields.string("maxAge", notes),
        max_count: fields.integer("maxCount", notes),
        delete_policy: fields.string("deletePolicy", notes).map(|p| DeletePolicy::from(p.as_str())),
    };
    let path = fields.path().clone();
    fields.finish(notes);
    if policy.max_age.is_none() && policy.max_count.is_none() {
        notes.drop(
            &path,
            "names neither maxAge nor maxCount, so the operator pruned nothing; without it kubectl-neo4j keeps every backup too",
        );
        return None;
    }
    Some(policy)
}

/// The options, with the operator's default backup type.
fn options(fields: Option<Fields>, notes: &mut Notes) -> BackupOptions {
    let mut options = BackupOptions { backup_type: Some(BackupType::Auto), ..BackupOptions::default() };
    let Some(mut fields) = fields else { return options };
    if let Some(backup_type) = fields.string("backupType", notes) {
        options.backup_type = Some(BackupType::from(backup_type.as_str()));
    }
    options.compress = fields.bool("compress", notes);
    options.prefer_diff_as_parent = fields.bool("preferDiffAsParent", notes);
    options.temp_path = fields.string("tempPath", notes);
    let mut args = Vec::new();
    if let Some(size) = fields.string("pageCache", notes) {
        args.push(format!("--pagecache={size}"));
    }
    for (field, flag) in FLAGS {
        if fields.bool(field, notes) == Some(true) {
            args.push(format!("{flag}=true"));
        }
    }
    if let Some(which) = fields.string("includeMetadata", notes) {
        args.push(format!("--include-metadata={which}"));
    }
    if fields.bool("remoteAddressResolution", notes) == Some(true) {
        args.push("--remote-address-resolution=true".to_owned());
    }
    args.extend(fields.strings("additionalArgs", notes).unwrap_or_default());
    options.additional_args = (!args.is_empty()).then_some(args);
    fields.drop(
        "validate",
        "kubectl-neo4j has no `neo4j-admin backup validate` step (the operator's only records its result); it checks every backup with `neo4j-admin database check` instead unless spec.options.verify is false, and a failed check fails the run",
        notes,
    );
    fields.drop(
        "resources",
        "kubectl-neo4j sets no resources on its backup Jobs (the operator's default was requests 100m CPU / 512Mi, limits 1 CPU / 2Gi); give the namespace a LimitRange instead",
        notes,
    );
    fields.drop(
        "tempStorage",
        format!(
            "kubectl-neo4j provisions no staging claim: neo4j-admin stages in an emptyDir (spec.options.tempPath, else {TEMP_DIR} for cloud storage) on the node's ephemeral storage, which must hold the largest artifact"
        ),
        notes,
    );
    fields.finish(notes);
    options
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use crate::convert::testing;

    fn converted(spec: Value) -> (Value, Vec<String>) {
        testing::converted(&testing::operator("Neo4jBackup", "nightly", spec))
    }

    fn refused(spec: Value) -> Vec<String> {
        testing::refused(&testing::operator("Neo4jBackup", "nightly", spec))
    }

    // The operator's config/samples/neo4j_v1beta1_neo4jbackup.yaml: every database of a cluster
    // to a claim; the operator writes into /backup/<name> on it (neo4jbackup_controller.go buildToPath).
    #[test]
    fn all_databases_of_an_instance_is_a_cluster_backup() {
        let (backup, dropped) = converted(json!({"instanceRef": "sample-cluster", "allDatabases": true,
            "storage": {"type": "pvc", "pvc": {"name": "neo4j-backup-pvc", "storageClassName": "standard", "size": "20Gi"}},
            "options": {"compress": true, "backupType": "FULL"}}));
        assert_eq!(
            backup,
            json!({"apiVersion": "neo4j.neo4j.com/v1alpha1", "kind": "Neo4jBackup",
                   "metadata": {"name": "nightly", "namespace": "prod"},
                   "spec": {"target": {"kind": "Cluster", "name": "sample-cluster"},
                            "storage": {"type": "pvc", "path": "nightly",
                                        "pvc": {"name": "neo4j-backup-pvc", "storageClassName": "standard", "size": "20Gi"}},
                            "options": {"backupType": "FULL", "compress": true}}})
        );
        assert_eq!(dropped, Vec::<String>::new());
    }

    // The operator's examples/backup-restore/backup-incremental.yaml: one database, AUTO, every
    // flag-like option (buildBackupCommand's --pagecache, --include-metadata, ...).
    #[test]
    fn one_database_and_the_options_that_are_neo4j_admin_flags() {
        let (backup, dropped) =
            converted(json!({"instanceRef": "my-cluster", "database": "orders", "schedule": "0 */6 * * *",
            "suspend": false,
            "storage": {"type": "s3", "bucket": "my-neo4j-backups", "path": "incremental/orders",
                        "cloud": {"provider": "aws", "credentialsSecretRef": "aws-backup-credentials"}},
            "retention": {"maxAge": "3d", "maxCount": 12, "deletePolicy": "Delete"},
            "options": {"pageCache": "2G", "tempPath": "/tmp/neo4j-backup-temp", "preferDiffAsParent": true,
                        "parallelDownload": true, "skipRecovery": false, "parallelRecovery": true, "keepFailed": true,
                        "includeMetadata": "all", "remoteAddressResolution": true, "additionalArgs": ["--verbose"]}}));
        assert_eq!(
            backup["spec"],
            json!({"target": {"kind": "Database", "name": "orders", "clusterRef": "my-cluster"},
                   "storage": {"type": "s3", "bucket": "my-neo4j-backups", "path": "incremental/orders/nightly",
                               "cloud": {"provider": "aws", "credentialsSecretRef": "aws-backup-credentials"}},
                   "options": {"backupType": "AUTO", "preferDiffAsParent": true, "tempPath": "/tmp/neo4j-backup-temp",
                               "additionalArgs": ["--pagecache=2G", "--parallel-download=true", "--parallel-recovery=true",
                                                  "--keep-failed=true", "--include-metadata=all",
                                                  "--remote-address-resolution=true", "--verbose"]},
                   "schedule": "0 */6 * * *", "suspend": false,
                   "retention": {"maxAge": "3d", "maxCount": 12, "deletePolicy": "Delete"}})
        );
        assert_eq!(dropped, Vec::<String>::new());
    }

    // neo4jbackup_types.go: `backupType` defaults to AUTO (kubebuilder default), ours to FULL.
    #[test]
    fn the_operators_default_backup_type_is_kept() {
        let (backup, _) = converted(json!({"instanceRef": "prod", "allDatabases": true,
            "storage": {"type": "gcs", "bucket": "b"}}));
        assert_eq!(backup["spec"]["options"], json!({"backupType": "AUTO"}));
        assert_eq!(backup["spec"]["storage"]["path"], json!("backups/nightly"), "the operator's default folder");
    }

    // The operator's examples/backup-restore/pitr-setup-complete.yaml (validate, includeMetadata,
    // parallelRecovery) with the fields kubectl-neo4j has no counterpart for.
    #[test]
    fn fields_without_counterpart_are_listed_with_what_to_do() {
        let (backup, dropped) =
            converted(json!({"instanceRef": "prod", "allDatabases": true, "chainFromBackup": "weekly",
            "storage": {"type": "s3", "bucket": "b", "path": "base"},
            "retention": {"deletePolicy": "Delete"},
            "options": {"validate": true, "resources": {"limits": {"memory": "4Gi"}}, "tempStorage": {"size": "50Gi"}},
            "target": {"kind": "Cluster", "name": "prod"}}));
        assert_eq!(backup["spec"]["storage"]["path"], json!("base/weekly"), "the chained-to backup's folder");
        assert_eq!(backup["spec"].get("retention"), None);
        assert_eq!(
            dropped,
            vec![
                "spec.chainFromBackup: not converted: kubectl-neo4j has no chainFromBackup: this backup writes into the folder of Neo4jBackup \"weekly\" (storage.path ends in /weekly), so its backups chain onto that backup's as before; kubectl-neo4j does not keep the two from running at once, so schedule them apart",
                "spec.retention: not converted: names neither maxAge nor maxCount, so the operator pruned nothing; without it kubectl-neo4j keeps every backup too",
                "spec.options.validate: not converted: kubectl-neo4j has no `neo4j-admin backup validate` step (the operator's only records its result); it checks every backup with `neo4j-admin database check` instead unless spec.options.verify is false, and a failed check fails the run",
                "spec.options.resources: not converted: kubectl-neo4j sets no resources on its backup Jobs (the operator's default was requests 100m CPU / 512Mi, limits 1 CPU / 2Gi); give the namespace a LimitRange instead",
                "spec.options.tempStorage: not converted: kubectl-neo4j provisions no staging claim: neo4j-admin stages in an emptyDir (spec.options.tempPath, else /tmp/neo4j-admin for cloud storage) on the node's ephemeral storage, which must hold the largest artifact",
                "spec.target: not converted: the Neo4j operator's v1beta1 Neo4jBackup (v1.14) has no such field",
            ]
        );
    }

    #[test]
    fn a_backup_without_instance_or_scope_cannot_be_converted() {
        assert_eq!(
            refused(json!({"storage": {"type": "pvc", "pvc": {"name": "p"}}})),
            vec![
                "spec.instanceRef: is required; name the Neo4jEnterpriseCluster or Neo4jEnterpriseStandalone to back up",
                "spec.database: is required unless allDatabases is true; name the database to back up, e.g. neo4j",
            ]
        );
        assert_eq!(
            refused(json!({"instanceRef": "prod", "allDatabases": true, "database": "neo4j"})),
            vec![
                "spec.database: is set together with allDatabases, which the operator refuses; keep one",
                "spec.storage: is required",
            ]
        );
        assert_eq!(refused(json!(null)), vec!["spec: is required"]);
    }

    // neo4jbackup_types.go ShardedDatabase: restored through the Neo4jShardedDatabase, not a restore.
    #[test]
    fn a_sharded_database_backup_stays_with_the_operator() {
        assert_eq!(
            refused(json!({"instanceRef": "prod", "shardedDatabase": "products",
                           "storage": {"type": "s3", "bucket": "b"}})),
            vec![
                "spec.shardedDatabase: \"products\" is a property-sharded database (a Neo4jShardedDatabase), which kubectl-neo4j does not back up; keep this backup with the Neo4j operator"
            ]
        );
    }
}
