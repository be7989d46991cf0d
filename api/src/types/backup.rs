//! `Neo4jBackup`: one-shot or scheduled `neo4j-admin database backup` of a cluster or a database.

use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::backup_status::Neo4jBackupStatus;
use super::storage::StorageLocation;
use crate::string_enum::string_enum;

/// Spec of a Neo4jBackup.
#[derive(CustomResource, Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[kube(
    group = "neo4j.neo4j.com",
    version = "v1alpha1",
    kind = "Neo4jBackup",
    plural = "neo4jbackups",
    singular = "neo4jbackup",
    namespaced,
    status = "Neo4jBackupStatus",
    derive = "PartialEq",
    derive = "Default",
    shortname = "n4jbackup",
    shortname = "n4jb",
    category = "neo4j",
    doc = "Backs up a Neo4j Enterprise cluster, standalone instance or one database with `neo4j-admin database backup`, once or on a cron schedule, to S3, GCS, Azure Blob Storage or a PVC.",
    printcolumn = r#"{"name": "Target", "type": "string", "jsonPath": ".spec.target.name", "description": "Cluster, standalone or database backed up"}"#,
    printcolumn = r#"{"name": "Storage", "type": "string", "jsonPath": ".spec.storage.type", "description": "Storage backend"}"#,
    printcolumn = r#"{"name": "Schedule", "type": "string", "jsonPath": ".spec.schedule", "description": "Cron schedule; empty for a one-shot backup"}"#,
    printcolumn = r#"{"name": "Phase", "type": "string", "jsonPath": ".status.phase", "description": "Current phase"}"#,
    printcolumn = r#"{"name": "Last Success", "type": "date", "jsonPath": ".status.lastSuccessfulBackupTime", "description": "When the last backup succeeded"}"#,
    printcolumn = r#"{"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"}"#
)]
#[serde(rename_all = "camelCase")]
pub struct Neo4jBackupSpec {
    /// What to back up: a whole cluster or standalone (`kind: Cluster`), or one database of it
    /// (`kind: Database` with `clusterRef`). Immutable.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(required)]
    pub target: Option<BackupTarget>,

    /// Where the backup artifacts are written. Immutable: a new location starts a new backup chain.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(required)]
    pub storage: Option<StorageLocation>,

    /// How `neo4j-admin database backup` runs: type, compression, verification, temp path.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub options: Option<BackupOptions>,

    /// Cron schedule (5 fields, UTC, e.g. `0 2 * * *`, or `@hourly`, `@daily`, `@weekly`,
    /// `@monthly`, `@yearly`). A CronJob runs the backup on it; without it the backup runs once.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schedule: Option<String>,

    /// Pause a scheduled backup without deleting it (only meaningful with `schedule`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suspend: Option<bool>,

    /// Continuous protection for point-in-time recovery: a DIFF onto the chain every `interval`,
    /// a FULL (a new chain) on `schedule`, never two runs at once. Neo4j has no transaction-log
    /// streaming: this chain of frequent DIFFs is what a restore with `--restore-until` replays.
    /// The controller sets it on the `<cluster>-pitr` backup of a cluster with
    /// `spec.pointInTimeRecovery`; it can be written on any backup.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shipping: Option<ShippingSpec>,

    /// Which backups to keep. Executed for PVC storage; for cloud storage configure bucket
    /// lifecycle rules instead.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retention: Option<RetentionPolicy>,

    /// Recovery point objective: the most data you accept to lose, as a duration (e.g. `1h`).
    /// The condition `RPOMet` and the metric `neo4j_backup_rpo_met` say whether the newest
    /// restorable moment is recent enough; admission warns when the schedule cannot meet it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rpo: Option<String>,
}

impl Neo4jBackupSpec {
    /// Namespace and name of the Neo4jEnterpriseCluster or Neo4jEnterpriseStandalone a backup
    /// reads from: `clusterRef` for a Database target, `name` otherwise, in `target.namespace` or
    /// the backup's own namespace. `None` while the spec does not name one (the rules say why).
    pub fn target_object(&self, own_namespace: &str) -> Option<(String, String)> {
        let target = self.target.as_ref()?;
        let name = match target.kind {
            Some(TargetKind::Database) => target.cluster_ref.clone()?,
            _ => target.name.clone()?,
        };
        Some((target.namespace.clone().unwrap_or_else(|| own_namespace.to_owned()), name))
    }
}

string_enum! {
    /// What a backup targets.
    TargetKind {
        /// A Neo4jEnterpriseCluster or Neo4jEnterpriseStandalone: every database on it.
        Cluster = "Cluster",
        /// One database of a cluster or standalone named by `clusterRef`.
        Database = "Database",
    }
}

/// Continuous protection: DIFFs at an interval onto one chain.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ShippingSpec {
    /// How often a DIFF is taken, as a duration of at least `10s`, e.g. `30s`. A run that takes
    /// longer delays the next one; missed runs are not queued up.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interval: Option<String>,
}

/// The target of a backup.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("x-kubernetes-validations" = [
    {"rule": "self.kind != 'Database' || has(self.clusterRef)", "fieldPath": ".clusterRef", "reason": "FieldValueRequired",
     "message": "is required for kind Database; name the Neo4jEnterpriseCluster or Neo4jEnterpriseStandalone that hosts the database"},
    {"rule": "self == oldSelf", "message": "cannot be changed; create a new Neo4jBackup to back up another target"},
]))]
pub struct BackupTarget {
    /// `Cluster` (a Neo4jEnterpriseCluster or Neo4jEnterpriseStandalone, detected automatically)
    /// or `Database` (one database; needs `clusterRef`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(required)]
    pub kind: Option<TargetKind>,

    /// For `Cluster`: the Neo4jEnterpriseCluster or Neo4jEnterpriseStandalone name.
    /// For `Database`: the database name, e.g. `neo4j`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(required, length(min = 1, max = 63))]
    pub name: Option<String>,

    /// For `kind: Database`: the Neo4jEnterpriseCluster or Neo4jEnterpriseStandalone that hosts
    /// the database. Required for `Database`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 63), pattern(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"))]
    pub cluster_ref: Option<String>,

    /// Namespace of the target when it differs from the backup's own. Allowed only when you may
    /// read the target there.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 63), pattern(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"))]
    pub namespace: Option<String>,
}

string_enum! {
    /// `neo4j-admin database backup --type`.
    BackupType {
        /// A complete copy of the database.
        Full = "FULL",
        /// Only the changes since the parent backup in the same location (a backup chain).
        Diff = "DIFF",
        /// neo4j-admin's own choice: DIFF when the location holds a chain of the database, else
        /// FULL (docs-operations, backup-restore/online-backup.adoc, `--type`, 5.x and dev).
        Auto = "AUTO",
    }
}

/// Options of `neo4j-admin database backup`.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct BackupOptions {
    /// `FULL` (default), `DIFF` or `AUTO`. A DIFF needs an earlier FULL in the same storage
    /// location; AUTO lets neo4j-admin take a DIFF when there is a chain to extend, else a FULL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backup_type: Option<BackupType>,

    /// For DIFF backups: use the latest differential backup as parent instead of the latest full
    /// one (`--prefer-diff-as-parent`). Needs Neo4j 2025.04 or later; ignored on older versions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prefer_diff_as_parent: Option<bool>,

    /// Compress the backup (`--compress`, default `true`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compress: Option<bool>,

    /// After the backup, check the new chain with `neo4j-admin database check --from-path`;
    /// a failed check fails the run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verify: Option<bool>,

    /// Absolute directory for temporary files while streaming to cloud storage (`--temp-path`),
    /// e.g. `/tmp/neo4j-backup-temp`. Strongly recommended for cloud storage.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub temp_path: Option<String>,

    /// Client-side encryption of backup artifacts. neo4j-admin cannot encrypt backups: until this
    /// project executes it, an enabled block is accepted with a warning; use bucket-side encryption.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encryption: Option<BackupEncryption>,

    /// Extra flags passed to `neo4j-admin database backup`, each starting with `--`,
    /// e.g. `--parallel-recovery`. Flags the controller manages (`--from`, `--to-path`, `--type`,
    /// `--temp-path`, ...) are refused.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub additional_args: Option<Vec<String>>,
}

/// Encryption of backup artifacts.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct BackupEncryption {
    /// Encrypt backup artifacts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,

    /// Name of the Secret holding the encryption key. Required when `enabled`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_secret: Option<String>,

    /// Encryption algorithm: `AES256` (default) or `ChaCha20Poly1305`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub algorithm: Option<super::restore::EncryptionAlgorithm>,
}

string_enum! {
    /// What retention does with a backup it no longer keeps.
    DeletePolicy {
        /// Delete the artifact.
        Delete = "Delete",
        /// Move the artifact to an `archive/` folder beside the backups.
        Archive = "Archive",
    }
}

/// Which backups to keep.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("x-kubernetes-validations" = [
    {"rule": "has(self.maxAge) || has(self.maxCount)", "message": "needs maxAge, maxCount or both, e.g. {maxAge: 30d, maxCount: 10}"},
]))]
pub struct RetentionPolicy {
    /// Keep backups younger than this duration, e.g. `30d`, `12h`, `1w`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_age: Option<String>,

    /// Keep at most this many backups (at least 1). A FULL backup that a kept DIFF depends on is
    /// always kept.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub max_count: Option<i32>,

    /// `Delete` (default) or `Archive`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delete_policy: Option<DeletePolicy>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_target_object_of_each_kind() {
        let spec = |target: serde_json::Value| -> Neo4jBackupSpec {
            serde_json::from_value(serde_json::json!({"target": target})).unwrap()
        };
        assert_eq!(
            spec(serde_json::json!({"kind": "Cluster", "name": "prod"})).target_object("neo4j"),
            Some(("neo4j".into(), "prod".into()))
        );
        let database = spec(
            serde_json::json!({"kind": "Database", "name": "orders", "clusterRef": "prod", "namespace": "production"}),
        );
        assert_eq!(database.target_object("neo4j"), Some(("production".into(), "prod".into())));
        assert_eq!(spec(serde_json::json!({"kind": "Database", "name": "orders"})).target_object("neo4j"), None);
    }
}
