//! `Neo4jRestore`: `neo4j-admin database restore` of a backup (or a point in time) into a cluster
//! or standalone, followed by `CREATE DATABASE` / `START DATABASE` over Bolt.

use k8s_openapi::api::core::v1::EnvVar;
use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::restore_status::Neo4jRestoreStatus;
use super::storage::StorageLocation;
use crate::string_enum::string_enum;

/// Spec of a Neo4jRestore.
#[derive(CustomResource, Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[kube(
    group = "neo4j.neo4j.com",
    version = "v1alpha1",
    kind = "Neo4jRestore",
    plural = "neo4jrestores",
    singular = "neo4jrestore",
    namespaced,
    status = "Neo4jRestoreStatus",
    derive = "PartialEq",
    derive = "Default",
    shortname = "n4jrestore",
    shortname = "n4jr",
    category = "neo4j",
    validation = kube::core::Rule::new(
        "!has(oldSelf.status) || !has(oldSelf.status.phase) || oldSelf.status.phase == 'Pending' || (self.spec.targetCluster == oldSelf.spec.targetCluster && self.spec.databaseName == oldSelf.spec.databaseName && self.spec.source.type == oldSelf.spec.source.type)"
    ).message("spec.targetCluster, spec.databaseName and spec.source.type cannot change once the restore has started; delete it and create a new Neo4jRestore"),
    doc = "Restores a Neo4j database from a backup, a storage location or a point in time into a Neo4jEnterpriseCluster or Neo4jEnterpriseStandalone, then creates or starts the database. The spec cannot change once the restore has started.",
    printcolumn = r#"{"name": "Target", "type": "string", "jsonPath": ".spec.targetCluster", "description": "Cluster or standalone restored into"}"#,
    printcolumn = r#"{"name": "Database", "type": "string", "jsonPath": ".spec.databaseName", "description": "Database restored"}"#,
    printcolumn = r#"{"name": "Source", "type": "string", "jsonPath": ".spec.source.type", "description": "Source type"}"#,
    printcolumn = r#"{"name": "Phase", "type": "string", "jsonPath": ".status.phase", "description": "Current phase"}"#,
    printcolumn = r#"{"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"}"#
)]
#[serde(rename_all = "camelCase")]
pub struct Neo4jRestoreSpec {
    /// Name of the Neo4jEnterpriseCluster or Neo4jEnterpriseStandalone to restore into, in the
    /// restore's namespace. The kind is detected automatically.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(required, length(min = 1, max = 63), pattern(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"))]
    pub target_cluster: Option<String>,

    /// Where the backup comes from: `type` is `backup`, `storage`, `pitr`, `s3`, `gcs` or `azure`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(required)]
    pub source: Option<RestoreSource>,

    /// Name of the database to restore into, e.g. `neo4j` or `orders`: starts with a letter,
    /// then letters, digits, dots and dashes, 3 to 63 characters; `system` and names starting
    /// with `system` or `_` are reserved by Neo4j.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(required, length(min = 3, max = 63), pattern(r"^[A-Za-z][A-Za-z0-9.-]*$"))]
    #[schemars(extend("x-kubernetes-validations" = [
        {"rule": "!self.lowerAscii().startsWith('system')", "message": "is reserved by Neo4j (system and names starting with system or _); choose another name"},
    ]))]
    pub database_name: Option<String>,

    /// Verification, replacement, hooks and extra neo4j-admin flags.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub options: Option<RestoreOptionsSpec>,

    /// Restore over an existing database (`--overwrite-destination=true`, default `false`).
    /// Neo4j advises against it on a running multi-server cluster: combine with `stopCluster`
    /// or restore into a new database name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub force: Option<bool>,

    /// Scale the target's StatefulSet to 0 for an offline restore (default `false`): the restore Job
    /// mounts the server's data PVC, and the StatefulSet is scaled back to its original size
    /// afterwards, whether the restore succeeded, failed, timed out or was deleted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stop_cluster: Option<bool>,

    /// Multi-server cluster only (an extension of kubectl-neo4j): the topology of a database the
    /// restore creates, e.g. `{primaries: 3, secondaries: 1}`. A replaced database keeps its own
    /// topology; without this, a new one gets `min(servers, 3)` primaries and no secondaries (Neo4j's
    /// own default, `initial.dbms.default_primaries_count`, is 1: a single copy).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub topology: Option<crate::types::DatabaseTopology>,

    /// Deadline of the restore Job as a duration, e.g. `30m`, `2h`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout: Option<String>,

    /// Validate, then promote (an extension of kubectl-neo4j, seed 002's safe recovery): restore
    /// into `databaseName` as a new candidate database while the live one keeps serving, run the
    /// health checks on it, then switch the database alias your applications use to it
    /// (`ALTER ALIAS`, or `CREATE ALIAS` when it does not exist yet). A failed check leaves the live
    /// database and the alias untouched.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub promotion: Option<PromotionSpec>,
}

/// How a restored candidate is promoted.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PromotionSpec {
    /// The database alias applications connect to, e.g. `orders`: lowercase letters, digits and
    /// '-', starting with a letter, 3 to 63 characters (Neo4j stores names in lowercase; no '.',
    /// which it reads as a composite database). It cannot be the name of a database: Neo4j keeps aliases and databases in one
    /// namespace.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(required, length(min = 3, max = 63), pattern(r"^[a-z][a-z0-9-]*$"))]
    pub alias: Option<String>,

    /// Switch the alias as soon as the checks pass (default `true`). With `false` the restore waits
    /// at `AwaitingPromotion` until `kubectl neo4j restore promote NAME`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub automatic: Option<bool>,

    /// What becomes of the candidate when a check fails: `Keep` (default, for inspection) or `Drop`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub on_failure: Option<CandidateOnFailure>,

    /// Drop the database the alias pointed to this long after the switch, e.g. `24h`
    /// (`DROP DATABASE ... IF EXISTS`). Unset, it is kept: drop it yourself once you are sure.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub drop_previous_after: Option<String>,
}

string_enum! {
    /// What becomes of a candidate that failed its checks.
    CandidateOnFailure {
        /// Kept, for inspection.
        Keep = "Keep",
        /// Dropped (`DROP DATABASE ... IF EXISTS`).
        Drop = "Drop",
    }
}

/// The annotation `kubectl neo4j restore promote` sets on a restore waiting at
/// `AwaitingPromotion` (`promotion.automatic: false`): the spec cannot change once a restore has
/// started, an annotation can.
pub const PROMOTE_ANNOTATION: &str = "neo4j.neo4j.com/promote";

impl Neo4jRestoreSpec {
    /// The alias to promote the candidate to, when promotion is asked for.
    pub fn promotion_alias(&self) -> Option<&str> {
        self.promotion.as_ref().and_then(|p| p.alias.as_deref())
    }
}

string_enum! {
    /// Kind of restore source.
    SourceType {
        /// The latest successful backup of the Neo4jBackup named by `backupRef`.
        Backup = "backup",
        /// An explicit `storage` location (any storage type) and optional `backupPath`.
        Storage = "storage",
        /// Point-in-time recovery: a base backup (`pitr.baseBackup`) restored up to `pointInTime`.
        Pitr = "pitr",
        /// Shorthand for `storage` with `storage.type: s3`.
        S3 = "s3",
        /// Shorthand for `storage` with `storage.type: gcs`.
        Gcs = "gcs",
        /// Shorthand for `storage` with `storage.type: azure`.
        Azure = "azure",
    }
}

/// Where the data to restore comes from.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("x-kubernetes-validations" = [
    {"rule": "self.type != 'backup' || has(self.backupRef)", "fieldPath": ".backupRef", "reason": "FieldValueRequired",
     "message": "is required for type backup; name the Neo4jBackup to restore from"},
    {"rule": "self.type != 'backup' || !has(self.storage)", "fieldPath": ".storage", "reason": "FieldValueForbidden",
     "message": "must not be set with type backup: the storage comes from the Neo4jBackup; remove it"},
    {"rule": "!(self.type in ['storage', 's3', 'gcs', 'azure']) || has(self.storage)", "fieldPath": ".storage", "reason": "FieldValueRequired",
     "message": "is required for source types storage, s3, gcs and azure; say where the backup is"},
    {"rule": "!(self.type in ['s3', 'gcs', 'azure']) || !has(self.storage) || self.storage.type == self.type", "fieldPath": ".storage.type",
     "message": "must equal the source type s3, gcs or azure; or use source type storage"},
    {"rule": "self.type != 'pitr' || has(self.pointInTime)", "fieldPath": ".pointInTime", "reason": "FieldValueRequired",
     "message": "is required for type pitr; e.g. pointInTime: \"2025-01-04T12:30:00Z\""},
    {"rule": "self.type != 'pitr' || (has(self.pitr) && has(self.pitr.baseBackup))", "fieldPath": ".pitr", "reason": "FieldValueRequired",
     "message": "is required for type pitr, with a baseBackup, e.g. {baseBackup: {type: backup, backupRef: daily-backup}}"},
]))]
pub struct RestoreSource {
    /// `backup` (needs `backupRef`), `storage`, `s3`, `gcs`, `azure` (need `storage`; with the
    /// shorthands `s3`, `gcs` and `azure`, `storage.type` must be the same) or `pitr` (needs `pitr`
    /// and `pointInTime`).
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    #[schemars(required)]
    pub r#type: Option<SourceType>,

    /// The backup: a Neo4jBackup (`backupRef`, for `type: backup`) or a storage location
    /// (`storage` and `backupPath`, for `storage`, `s3`, `gcs` and `azure`; with a shorthand type,
    /// `storage.type` must equal `type`).
    #[serde(flatten)]
    pub backup: BackupLocator,

    /// Restore up to this moment, RFC 3339 (e.g. `2025-01-04T12:30:00Z`); required for `pitr`.
    /// Converted to UTC for `neo4j-admin database restore --restore-until`. Must not be in the
    /// future and must fall inside the recoverable window of the backup.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "date-time"))]
    pub point_in_time: Option<String>,

    /// Instead of `pointInTime` (for `pitr`): replay up to, but not including, this transaction id
    /// (`neo4j-admin database restore --restore-until=<id>`). The ids each database can be restored
    /// to are in the backup's `status.recoveryWindow`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 2))]
    pub until_transaction: Option<u64>,

    /// Point-in-time recovery settings (for `type: pitr`): the base backup to start from
    /// (`baseBackup`), where transaction logs live (`logStorage`), and how they are checked.
    /// Example:
    /// `{baseBackup: {type: backup, backupRef: daily-backup}, logStorage: {type: s3, bucket: neo4j-tx-logs}}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pitr: Option<PitrConfig>,
}

impl RestoreSource {
    /// The Neo4jBackup this source restores from, when it names one: the base backup's `backupRef`
    /// for `pitr`, the source's own `backupRef` otherwise.
    pub fn referenced_backup(&self) -> Option<&str> {
        match (&self.r#type, &self.pitr) {
            (Some(SourceType::Pitr), Some(pitr)) => pitr.base_backup.as_ref()?.backup.backup_ref.as_deref(),
            _ => self.backup.backup_ref.as_deref(),
        }
    }

    /// Whether this is a point-in-time source that names neither a base backup nor a log storage:
    /// it restores from the target's own protection, `<targetCluster>-pitr` (issue 14, item 3).
    pub fn uses_protection(&self) -> bool {
        self.r#type == Some(SourceType::Pitr)
            && self.pitr.as_ref().is_none_or(|pitr| pitr.base_backup.is_none() && pitr.log_storage.is_none())
    }

    /// The folder a point-in-time source reads its chain from when `pitr.logStorage` names it and
    /// no `baseBackup` does: neo4j-admin replays a chain from one folder only, where its FULL and
    /// its DIFFs are (the protection writes both to the log destination). With a `baseBackup`,
    /// the chain is the base backup's, as the Neo4j operator's restores read it (its `logStorage`
    /// held transaction logs apart, which neo4j-admin cannot replay).
    pub fn chain_storage(&self) -> Option<&StorageLocation> {
        let pitr = self.pitr.as_ref().filter(|_| self.r#type == Some(SourceType::Pitr))?;
        pitr.log_storage.as_ref().filter(|_| pitr.base_backup.is_none())
    }
}

impl Neo4jRestoreSpec {
    /// The Neo4jBackup the restore reads: the one its source names, or for a point-in-time source
    /// without a base backup, the target's protection `<targetCluster>-pitr`.
    pub fn referenced_backup(&self) -> Option<String> {
        let source = self.source.as_ref()?;
        if source.uses_protection() {
            return self.target_cluster.as_deref().map(crate::pitr::protection::protection_name);
        }
        source.referenced_backup().map(str::to_owned)
    }
}

/// Point-in-time recovery configuration.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PitrConfig {
    /// The backup restored before transactions are replayed up to `source.pointInTime`:
    /// `{type: backup, backupRef: NAME}` or `{type: storage, storage: {...}, backupPath: ...}`.
    /// Without it, the target's point-in-time protection `<targetCluster>-pitr` is read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base_backup: Option<BaseBackupSource>,

    /// The folder of the chain (a FULL and the DIFFs after it, as the protection writes them to
    /// its log destination): without `baseBackup`, the chain covering the moment is chosen there;
    /// with one, it is not read (neo4j-admin replays a chain from one folder only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_storage: Option<StorageLocation>,

    /// How long transaction logs are kept, as a duration (default `7d`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_retention: Option<String>,

    /// Recovery point objective: the most data you accept to lose, as a duration (default `1m`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recovery_point_objective: Option<String>,

    /// Check transaction log integrity before restoring (default `true`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub validate_log_integrity: Option<bool>,

    /// Compression of shipped transaction logs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compression: Option<CompressionConfig>,

    /// Encryption of shipped transaction logs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encryption: Option<EncryptionConfig>,
}

string_enum! {
    /// Kind of base backup for point-in-time recovery.
    BaseBackupType {
        /// A Neo4jBackup named by `backupRef`.
        Backup = "backup",
        /// An explicit `storage` location and optional `backupPath`.
        Storage = "storage",
    }
}

/// The base backup of a point-in-time recovery.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("x-kubernetes-validations" = [
    {"rule": "self.type != 'backup' || has(self.backupRef)", "fieldPath": ".backupRef", "reason": "FieldValueRequired",
     "message": "is required for type backup; name the Neo4jBackup to restore from"},
    {"rule": "self.type != 'storage' || has(self.storage)", "fieldPath": ".storage", "reason": "FieldValueRequired",
     "message": "is required for type storage; say where the backup is"},
]))]
pub struct BaseBackupSource {
    /// `backup` (needs `backupRef`) or `storage` (needs `storage`).
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    #[schemars(required)]
    pub r#type: Option<BaseBackupType>,

    /// The base backup: a Neo4jBackup (`backupRef`, for `type: backup`) or a storage location
    /// (`storage` and `backupPath`, for `type: storage`).
    #[serde(flatten)]
    pub backup: BackupLocator,
}

/// Where a backup to restore is found: by the Neo4jBackup that wrote it, or by storage location.
/// Shared by `source` and `source.pitr.baseBackup`, whose `type` says which fields apply.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct BackupLocator {
    /// For `type: backup`: name of a Neo4jBackup in the same namespace; its latest successful
    /// backup is restored.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backup_ref: Option<String>,

    /// For the storage types: the storage location holding the backup.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub storage: Option<StorageLocation>,

    /// A specific backup artifact or folder inside the storage location. An artifact
    /// (`.backup` file) restores the chain ending with it; a folder restores its latest chain.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backup_path: Option<String>,
}

string_enum! {
    /// Compression algorithm of transaction logs.
    CompressionAlgorithm {
        /// gzip, levels 1 to 9.
        Gzip = "gzip",
        /// LZ4, levels 1 to 12.
        Lz4 = "lz4",
        /// Zstandard, levels 1 to 22.
        Zstd = "zstd",
    }
}

/// Compression settings.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CompressionConfig {
    /// Compress (default `true`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,

    /// `gzip` (default), `lz4` or `zstd`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub algorithm: Option<CompressionAlgorithm>,

    /// Compression level inside the algorithm's range (gzip 1-9, lz4 1-12, zstd 1-22).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level: Option<i32>,
}

string_enum! {
    /// Encryption algorithm.
    EncryptionAlgorithm {
        /// AES-256-GCM.
        Aes256 = "AES256",
        /// ChaCha20-Poly1305.
        ChaCha20Poly1305 = "ChaCha20Poly1305",
    }
}

/// Encryption settings.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EncryptionConfig {
    /// Encrypt (default `false`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,

    /// `AES256` (default when enabled) or `ChaCha20Poly1305`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub algorithm: Option<EncryptionAlgorithm>,

    /// Name of the Secret holding the key. Required when `enabled`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_secret: Option<String>,

    /// Key inside that Secret (default `key`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_secret_key: Option<String>,
}

/// Options of the restore.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RestoreOptionsSpec {
    /// Replace an existing database of the same name (`--overwrite-destination=true`, default `false`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replace_existing: Option<bool>,

    /// Check the backup with `neo4j-admin database check --from-path` before anything destructive
    /// happens (default `false`); a failed check stops the restore with the cluster untouched.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verify_backup: Option<bool>,

    /// Extra flags passed to `neo4j-admin database restore`, each starting with `--`.
    /// Flags the controller manages (`--from-path`, `--restore-until`, `--overwrite-destination`,
    /// `--temp-path`) are refused.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub additional_args: Option<Vec<String>>,

    /// Connect to a target that serves Bolt without TLS (default `false`): the controller's
    /// statements (`SHOW`/`CREATE`/`START DATABASE`, the hooks' Cypher) and the admin password
    /// then cross the network in the clear. Without it such a target is refused.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allow_plaintext_bolt: Option<bool>,

    /// Hooks run before the cluster is stopped and the restore Job starts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pre_restore: Option<RestoreHooks>,

    /// Hooks run after the database is online again.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub post_restore: Option<RestoreHooks>,

    /// Health checks run on the restored database after the post-restore hooks (an extension of
    /// kubectl-neo4j): connectivity, the database online on every server that hosts it, indexes and
    /// constraints ONLINE, its counts, and the probes given here. The restore is `Completed` only
    /// when none fails; the report is in `status.health`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub health_checks: Option<HealthChecksSpec>,
}

/// Health checks after a restore.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct HealthChecksSpec {
    /// Run them (default `true`). Without them the restore is `Completed` once the database is
    /// online and the hooks ran.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,

    /// Queries of your own, run on the restored database; each fails the checks when its answer
    /// is not what it expects (at most 20).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = 20))]
    pub probes: Vec<HealthProbe>,
}

/// A probe query and what it must answer.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct HealthProbe {
    /// Its name in the report (`probe:<name>`), e.g. `customers`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(required, length(min = 1, max = 63))]
    pub name: Option<String>,

    /// The statement, run on the restored database within 30 seconds, e.g.
    /// `MATCH (c:Customer) RETURN count(c) AS customers`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(required)]
    pub cypher: Option<String>,

    /// How many rows it must return.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expect_rows: Option<i64>,

    /// The value the first row must hold in its only column, as text: a string as it is, a
    /// number or boolean as written in Cypher (`1250`, `true`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expect_value: Option<String>,
}

impl HealthChecksSpec {
    /// The probes, as the checks run them (rules refuse the ones this cannot read).
    pub fn probes(&self) -> Vec<crate::health::checks::Probe> {
        self.probes
            .iter()
            .map(|probe| crate::health::checks::Probe {
                name: probe.name.clone().unwrap_or_default(),
                statement: probe.cypher.clone().unwrap_or_default(),
                rows: probe.expect_rows.and_then(|n| usize::try_from(n).ok()),
                value: probe.expect_value.clone(),
            })
            .collect()
    }
}

impl Neo4jRestoreSpec {
    /// The health checks asked for: `None` when `options.healthChecks.enabled` is false.
    pub fn health_checks(&self) -> Option<HealthChecksSpec> {
        let checks = self.options.as_ref().and_then(|o| o.health_checks.clone()).unwrap_or_default();
        (checks.enabled != Some(false)).then_some(checks)
    }
}

/// Hooks around a restore: Cypher statements and/or a Job.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RestoreHooks {
    /// A Job to run; the restore waits for it and fails when it fails.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub job: Option<RestoreHookJob>,

    /// Cypher statements run in order against the target over Bolt, e.g. `CALL db.checkpoint()`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cypher_statements: Option<Vec<String>>,

    /// A Secret in the restore's namespace (keys `username` and `password`) naming the Neo4j user
    /// the statements run as, e.g. one granted only what they need. Unset, they run as the
    /// target's admin user, with every privilege (`CREATE USER`, `GRANT ROLE admin`, `USE` of any
    /// database).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cypher_credentials_secret_ref: Option<String>,
}

/// A hook Job.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RestoreHookJob {
    /// The Job's container and backoff limit.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(required)]
    pub template: Option<JobTemplateSpec>,

    /// Deadline of the hook Job as a duration, e.g. `10m`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout: Option<String>,
}

/// Template of a hook Job.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct JobTemplateSpec {
    /// The single container of the hook Job.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(required)]
    pub container: Option<ContainerSpec>,

    /// Retries of the hook Job before it counts as failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backoff_limit: Option<i32>,
}

/// Container of a hook Job.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ContainerSpec {
    /// Container image, e.g. `my-registry/data-validator:1.2`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(required)]
    pub image: Option<String>,

    /// Entrypoint, as an argv array.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub command: Option<Vec<String>>,

    /// Arguments to the entrypoint.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub args: Option<Vec<String>>,

    /// Environment variables (values or `valueFrom` references such as `secretKeyRef`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub env: Option<Vec<EnvVar>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_referenced_backup_of_each_source() {
        let source = |value: serde_json::Value| -> RestoreSource { serde_json::from_value(value).unwrap() };
        assert_eq!(
            source(serde_json::json!({"type": "backup", "backupRef": "nightly"})).referenced_backup(),
            Some("nightly")
        );
        let pitr = source(
            serde_json::json!({"type": "pitr", "pitr": {"baseBackup": {"type": "backup", "backupRef": "weekly"}}}),
        );
        assert_eq!(pitr.referenced_backup(), Some("weekly"));
        assert_eq!(source(serde_json::json!({"type": "s3", "storage": {"type": "s3"}})).referenced_backup(), None);
    }
}
