//! The operator's v1beta1 Neo4jRestore (its api/v1beta1/neo4jrestore_types.go, v1.14.0) as ours.
//!
//! `instanceRef` is our `targetCluster`, `database` our `databaseName`. A source of type `backup`
//! or `storage` with a `pointInTime` is restored to that moment by the operator (its
//! internal/controller/neo4jrestore_controller.go adds `--restore-until` for every source type), so
//! it becomes our `pitr` source with that backup as base; a `pitr` source without `pointInTime`
//! restores its base backup whole, so it becomes a source of the base backup's type.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::fields::{Fields, Notes};
use super::hooks::hooks;
use super::storage::{Folder, storage};
use super::{Scope, scope};
use crate::plan::pod::TEMP_DIR;
use crate::types::{
    BackupLocator, BaseBackupSource, BaseBackupType, Neo4jRestore, Neo4jRestoreSpec, PitrConfig, RestoreOptionsSpec,
    RestoreSource, SourceType, StorageLocation,
};

/// The Neo4jRestore of the manifest `top` (whose metadata has been read).
pub(super) fn restore(top: &mut Fields, metadata: ObjectMeta, notes: &mut Notes) -> Neo4jRestore {
    if let Some(phase) = top.take("status").and_then(|status| status["phase"].as_str().map(str::to_owned)) {
        notes.drop(
            &top.at("status"),
            format!(
                "this restore ran under the operator (phase {phase}); a Neo4jRestore restores when it is created, so applying the converted one restores again: apply it only to restore again"
            ),
        );
    }
    let Some(mut spec) = top.object("spec", notes) else {
        notes.error(&top.at("spec"), "is required");
        return Neo4jRestore { metadata, spec: Neo4jRestoreSpec::default(), status: None };
    };
    let target_cluster = spec.string("instanceRef", notes);
    if target_cluster.is_none() {
        notes.error(
            &spec.at("instanceRef"),
            "is required; name the Neo4jEnterpriseCluster or Neo4jEnterpriseStandalone to restore into",
        );
    }
    let database_name = database(&mut spec, notes);
    let source = match spec.object("source", notes) {
        Some(fields) => source(fields, notes),
        None => {
            notes.error(&spec.at("source"), "is required");
            None
        }
    };
    let options = spec.object("options", notes).and_then(|fields| options(fields, notes));
    let stop_cluster = spec.bool("stopCluster", notes);
    let timeout = spec.string("timeout", notes);
    spec.finish(notes);
    let spec = Neo4jRestoreSpec {
        target_cluster,
        source,
        database_name,
        options,
        stop_cluster,
        timeout,
        ..Neo4jRestoreSpec::default()
    };
    Neo4jRestore { metadata, spec, status: None }
}

/// `database`; `allDatabases` has no counterpart (one database per Neo4jRestore).
fn database(spec: &mut Fields, notes: &mut Notes) -> Option<String> {
    match scope(spec, notes)? {
        Scope::All => {
            notes.error(
                &spec.at("allDatabases"),
                "kubectl-neo4j restores one database per Neo4jRestore; write one Neo4jRestore per database, each with spec.database",
            );
            None
        }
        Scope::Database(database) => Some(database),
        Scope::Neither => {
            notes.error(&spec.at("database"), "is required; name the database to restore into, e.g. neo4j");
            None
        }
    }
}

/// Whether a located backup is a Neo4jBackup (`backup`) or a storage location (`storage`).
#[derive(Clone, Copy, PartialEq, Eq)]
enum By {
    Reference,
    Storage,
}

fn source(mut fields: Fields, notes: &mut Notes) -> Option<RestoreSource> {
    let point_in_time = fields.string("pointInTime", notes);
    let kind = fields.string("type", notes);
    let located = match kind.as_deref() {
        None => {
            notes.error(&fields.at("type"), "is required; the operator's source types are backup, storage and pitr");
            None
        }
        Some(kind @ ("backup" | "storage")) => {
            fields.drop(
                "pitr",
                format!("the operator uses it for type pitr only, and this source is of type {kind}"),
                notes,
            );
            locate(&mut fields, kind, notes).map(|(by, locator)| (by, locator, None))
        }
        Some("pitr") => {
            for field in ["backupRef", "storage", "backupPath"] {
                fields.drop(field, "the operator ignores it for type pitr: the base backup is pitr.baseBackup", notes);
            }
            match fields.object("pitr", notes) {
                Some(pitr) => point_in_time_base(pitr, point_in_time.is_some(), notes),
                None => {
                    notes.error(&fields.at("pitr"), "is required for type pitr");
                    None
                }
            }
        }
        Some(other) => {
            notes.error(
                &fields.at("type"),
                format!(
                    "{other:?} is not a source type of the operator's v1beta1 Neo4jRestore; use backup, storage or pitr"
                ),
            );
            None
        }
    };
    fields.finish(notes);
    let (by, locator, log_storage) = located?;
    Some(match point_in_time {
        None => RestoreSource {
            r#type: Some(if by == By::Reference { SourceType::Backup } else { SourceType::Storage }),
            backup: locator,
            ..RestoreSource::default()
        },
        Some(moment) => RestoreSource {
            r#type: Some(SourceType::Pitr),
            point_in_time: Some(moment),
            pitr: Some(PitrConfig {
                base_backup: Some(BaseBackupSource {
                    r#type: Some(if by == By::Reference { BaseBackupType::Backup } else { BaseBackupType::Storage }),
                    backup: locator,
                }),
                log_storage,
                ..PitrConfig::default()
            }),
            ..RestoreSource::default()
        },
    })
}

/// The base backup of a `pitr` source and its log storage (kept for a point in time only).
fn point_in_time_base(
    mut pitr: Fields,
    has_moment: bool,
    notes: &mut Notes,
) -> Option<(By, BackupLocator, Option<StorageLocation>)> {
    let log_storage = pitr.object("logStorage", notes).map(|logs| storage(logs, Folder::AsWritten, notes));
    if log_storage.is_some() && !has_moment {
        notes.drop(
            &pitr.at("logStorage"),
            "kubectl-neo4j reads transaction logs only to restore a point in time, and this restore has no pointInTime: it restores the base backup whole, as the operator did",
        );
    }
    let base_path = pitr.at("baseBackup");
    let located = match pitr.object("baseBackup", notes) {
        Some(mut base) => {
            let located = match base.string("type", notes) {
                Some(kind) if kind == "backup" || kind == "storage" => locate(&mut base, &kind, notes),
                Some(other) => {
                    notes
                        .error(&base.at("type"), format!("{other:?} is not a base backup type; use backup or storage"));
                    None
                }
                None => {
                    notes.error(&base.at("type"), "is required; backup or storage");
                    None
                }
            };
            base.finish(notes);
            located
        }
        None => {
            notes.error(
                &base_path,
                "is required: a point in time is restored from a base backup (without one the operator had no backup to restore either)",
            );
            None
        }
    };
    pitr.finish(notes);
    located.map(|(by, locator)| (by, locator, log_storage.filter(|_| has_moment)))
}

/// The backup named by `backupRef` (type `backup`) or `storage` and `backupPath` (type `storage`).
fn locate(fields: &mut Fields, kind: &str, notes: &mut Notes) -> Option<(By, BackupLocator)> {
    if kind == "backup" {
        let backup_ref = fields.string("backupRef", notes);
        fields.drop(
            "storage",
            "the operator ignores it for type backup: the storage comes from the Neo4jBackup",
            notes,
        );
        fields.drop(
            "backupPath",
            "the operator ignores it for type backup: it restores the newest backup of the Neo4jBackup",
            notes,
        );
        if backup_ref.is_none() {
            notes.error(&fields.at("backupRef"), "is required for type backup; name the Neo4jBackup to restore from");
            return None;
        }
        return Some((By::Reference, BackupLocator { backup_ref, ..BackupLocator::default() }));
    }
    fields.drop("backupRef", "the operator ignores it for type storage", notes);
    let storage_path = fields.at("storage");
    let location = fields.object("storage", notes).map(|location| storage(location, Folder::RestoreSource, notes));
    let backup_path = fields.string("backupPath", notes);
    if location.is_none() {
        notes.error(&storage_path, "is required for type storage; say where the backup is");
        return None;
    }
    Some((By::Storage, BackupLocator { backup_ref: None, storage: location, backup_path }))
}

/// Replacement, extra flags and hooks; `None` when nothing is set.
fn options(mut fields: Fields, notes: &mut Notes) -> Option<RestoreOptionsSpec> {
    let options = RestoreOptionsSpec {
        replace_existing: fields.bool("replaceExisting", notes),
        additional_args: fields.strings("additionalArgs", notes),
        pre_restore: fields.object("preRestore", notes).map(|h| hooks(h, notes)),
        post_restore: fields.object("postRestore", notes).map(|h| hooks(h, notes)),
        ..RestoreOptionsSpec::default()
    };
    let staging = format!(
        "kubectl-neo4j always stages a restore in an emptyDir at {TEMP_DIR} (--temp-path is not a setting), on the node's ephemeral storage, which must hold the artifact"
    );
    fields.drop("tempPath", staging.clone(), notes);
    fields.drop("tempStorage", staging, notes);
    fields.drop(
        "resources",
        "kubectl-neo4j sets no resources on its restore Jobs (the operator's default was requests 100m CPU / 512Mi, limits 1 CPU / 2Gi); give the namespace a LimitRange instead",
        notes,
    );
    fields.finish(notes);
    (options != RestoreOptionsSpec::default()).then_some(options)
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use crate::convert::testing::{converted, refused};

    fn operator_restore(spec: Value) -> Value {
        crate::convert::testing::operator("Neo4jRestore", "recover", spec)
    }

    // The operator's examples/backup-restore/restore-overwrite.yaml: a Neo4jBackup's newest backup
    // over an existing database.
    #[test]
    fn a_restore_from_a_backup() {
        let (restore, dropped) =
            converted(&operator_restore(json!({"instanceRef": "my-neo4j-cluster", "database": "orders",
            "source": {"type": "backup", "backupRef": "full-backup"},
            "options": {"replaceExisting": true}, "timeout": "30m"})));
        assert_eq!(
            restore,
            json!({"apiVersion": "neo4j.neo4j.com/v1alpha1", "kind": "Neo4jRestore",
                   "metadata": {"name": "recover", "namespace": "prod"},
                   "spec": {"targetCluster": "my-neo4j-cluster", "databaseName": "orders",
                            "source": {"type": "backup", "backupRef": "full-backup"},
                            "options": {"replaceExisting": true}, "timeout": "30m"}})
        );
        assert_eq!(dropped, Vec::<String>::new());
    }

    // neo4jrestore_controller.go: --restore-until is added for any source type with pointInTime.
    #[test]
    fn a_point_in_time_of_a_backup_or_storage_source_is_a_pitr_restore() {
        let (restore, _) = converted(&operator_restore(json!({"instanceRef": "standalone", "database": "neo4j",
            "source": {"type": "backup", "backupRef": "nightly", "pointInTime": "2025-01-04T12:30:00Z"}})));
        assert_eq!(
            restore["spec"]["source"],
            json!({"type": "pitr", "pointInTime": "2025-01-04T12:30:00Z",
                   "pitr": {"baseBackup": {"type": "backup", "backupRef": "nightly"}}})
        );
        let (restore, dropped) = converted(&operator_restore(json!({"instanceRef": "standalone", "database": "neo4j",
            "source": {"type": "storage", "backupRef": "ignored", "backupPath": "nightly/neo4j-2025-01-04T02-00-00.backup",
                       "storage": {"type": "pvc", "path": "unused", "pvc": {"name": "backups"}}}})));
        assert_eq!(
            restore["spec"]["source"],
            json!({"type": "storage", "backupPath": "nightly/neo4j-2025-01-04T02-00-00.backup",
                   "storage": {"type": "pvc", "pvc": {"name": "backups"}}})
        );
        assert_eq!(
            dropped,
            vec![
                "spec.source.backupRef: not converted: the operator ignores it for type storage",
                "spec.source.storage.path: not converted: the operator does not use storage.path for pvc storage: it reads backupPath from the root of the claim, and so does the converted restore",
            ]
        );
    }

    // The operator's examples/backup-restore/restore-pitr-basic.yaml (second restore): a base
    // backup in a bucket, transaction logs, hooks, stopCluster, and fields it has no use for.
    #[test]
    fn a_pitr_restore_from_storage_with_hooks() {
        let (restore, dropped) = converted(&operator_restore(
            json!({"instanceRef": "dr-standalone", "database": "critical-app",
            "source": {"type": "pitr", "pointInTime": "2025-01-04T14:45:30Z", "backupRef": "stray",
                       "pitr": {"baseBackup": {"type": "storage", "backupPath": "base-20250104",
                                               "storage": {"type": "s3", "bucket": "base-backups", "path": "production", "cloud": {"provider": "aws"}}},
                                "logStorage": {"type": "s3", "bucket": "transaction-logs", "path": "production/logs", "cloud": {"provider": "aws"}}}},
            "options": {"replaceExisting": true, "tempPath": "/tmp/restore", "resources": {"requests": {"cpu": "1"}},
                        "preRestore": {"cypherStatements": ["CALL db.checkpoint()"]}},
            "stopCluster": true, "timeout": "4h"}),
        ));
        assert_eq!(
            restore["spec"],
            json!({"targetCluster": "dr-standalone", "databaseName": "critical-app",
                   "source": {"type": "pitr", "pointInTime": "2025-01-04T14:45:30Z",
                              "pitr": {"baseBackup": {"type": "storage", "backupPath": "base-20250104",
                                                      "storage": {"type": "s3", "bucket": "base-backups", "path": "production", "cloud": {"provider": "aws"}}},
                                       "logStorage": {"type": "s3", "bucket": "transaction-logs", "path": "production/logs", "cloud": {"provider": "aws"}}}},
                   "options": {"replaceExisting": true, "preRestore": {"cypherStatements": ["CALL db.checkpoint()"]}},
                   "stopCluster": true, "timeout": "4h"})
        );
        assert_eq!(
            dropped,
            vec![
                "spec.source.backupRef: not converted: the operator ignores it for type pitr: the base backup is pitr.baseBackup",
                "spec.options.tempPath: not converted: kubectl-neo4j always stages a restore in an emptyDir at /tmp/neo4j-admin (--temp-path is not a setting), on the node's ephemeral storage, which must hold the artifact",
                "spec.options.resources: not converted: kubectl-neo4j sets no resources on its restore Jobs (the operator's default was requests 100m CPU / 512Mi, limits 1 CPU / 2Gi); give the namespace a LimitRange instead",
            ]
        );
    }

    #[test]
    fn a_pitr_source_without_a_moment_restores_its_base_backup_whole() {
        let (restore, dropped) = converted(&operator_restore(json!({"instanceRef": "s", "database": "neo4j",
            "source": {"type": "pitr", "pitr": {"baseBackup": {"type": "backup", "backupRef": "daily", "backupPath": "x"},
                                                "logStorage": {"type": "pvc", "pvc": {"name": "logs"}}}}})));
        assert_eq!(restore["spec"]["source"], json!({"type": "backup", "backupRef": "daily"}));
        assert_eq!(
            dropped,
            vec![
                "spec.source.pitr.logStorage: not converted: kubectl-neo4j reads transaction logs only to restore a point in time, and this restore has no pointInTime: it restores the base backup whole, as the operator did",
                "spec.source.pitr.baseBackup.backupPath: not converted: the operator ignores it for type backup: it restores the newest backup of the Neo4jBackup",
            ]
        );
    }

    // `kubectl get neo4jrestore -o yaml` of one that ran: applying ours would run it again.
    #[test]
    fn a_restore_that_ran_says_that_it_would_run_again() {
        let mut read_back = operator_restore(json!({"instanceRef": "s", "database": "neo4j",
            "source": {"type": "backup", "backupRef": "daily"}}));
        read_back["status"] = json!({"phase": "Completed", "message": "done"});
        let (restore, dropped) = converted(&read_back);
        assert!(restore.get("status").is_none());
        assert_eq!(
            dropped,
            vec![
                "status: not converted: this restore ran under the operator (phase Completed); a Neo4jRestore restores when it is created, so applying the converted one restores again: apply it only to restore again"
            ]
        );
    }

    #[test]
    fn restores_that_cannot_be_converted_name_the_field() {
        assert_eq!(
            refused(&operator_restore(json!({"allDatabases": true, "source": {"type": "backup"}}))),
            vec![
                "spec.instanceRef: is required; name the Neo4jEnterpriseCluster or Neo4jEnterpriseStandalone to restore into",
                "spec.allDatabases: kubectl-neo4j restores one database per Neo4jRestore; write one Neo4jRestore per database, each with spec.database",
                "spec.source.backupRef: is required for type backup; name the Neo4jBackup to restore from",
            ]
        );
        assert_eq!(
            refused(&operator_restore(
                json!({"instanceRef": "s", "database": "neo4j", "source": {"type": "pitr", "pointInTime": "2025-01-04T12:00:00Z", "pitr": {}}})
            )),
            vec![
                "spec.source.pitr.baseBackup: is required: a point in time is restored from a base backup (without one the operator had no backup to restore either)"
            ]
        );
        assert_eq!(
            refused(&operator_restore(json!({"instanceRef": "s", "source": {"type": "backup", "backupRef": "daily"}}))),
            vec!["spec.database: is required; name the database to restore into, e.g. neo4j"]
        );
        assert_eq!(
            refused(&operator_restore(json!({"instanceRef": "s", "database": "neo4j", "source": {"type": "s3"}}))),
            vec![
                "spec.source.type: \"s3\" is not a source type of the operator's v1beta1 Neo4jRestore; use backup, storage or pitr"
            ]
        );
        assert_eq!(
            refused(&operator_restore(
                json!({"instanceRef": "s", "database": "neo4j", "source": {"type": "storage", "backupPath": "x"}})
            )),
            vec!["spec.source.storage: is required for type storage; say where the backup is"]
        );
    }
}
