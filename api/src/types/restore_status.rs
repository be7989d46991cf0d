//! What the controller reports about a Neo4jRestore.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{Condition, Time};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::string_enum::string_enum;

string_enum! {
    /// Phase of a Neo4jRestore.
    RestorePhase {
        /// Queued, not yet started (or waiting for its source to have a backup).
        Pending = "Pending",
        /// Verification, hooks, the restore Job or the database bring-up is in progress.
        Running = "Running",
        /// The database was restored and is online.
        Completed = "Completed",
        /// The restore or the bring-up failed; see `message` and the conditions.
        Failed = "Failed",
    }
}

string_enum! {
    /// Condition types of a Neo4jRestore.
    RestoreConditionType {
        /// The restore finished successfully.
        Ready = "Ready",
        /// The restore Job was created.
        JobCreated = "JobCreated",
        /// The target was scaled down for an offline restore.
        ClusterStopped = "ClusterStopped",
        /// The backup passed `neo4j-admin database check` before the restore.
        BackupVerified = "BackupVerified",
        /// The restored database passed its health checks (`status.health`).
        Healthy = "Healthy",
        /// With `promotion`: the alias points at the restored candidate.
        Promoted = "Promoted",
    }
}

/// Observed state of a Neo4jRestore.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Neo4jRestoreStatus {
    /// `Ready`, `JobCreated`, `ClusterStopped`, `BackupVerified`, `Healthy` and `Promoted`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(extend("x-kubernetes-list-type" = "map", "x-kubernetes-list-map-keys" = ["type"]))]
    pub conditions: Vec<Condition>,

    /// Pending, Running, Completed or Failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phase: Option<RestorePhase>,

    /// Human-readable explanation of the phase.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,

    /// When the restore started.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_time: Option<Time>,

    /// When the restore finished (successfully or not).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub completion_time: Option<Time>,

    /// Figures of the restore.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stats: Option<RestoreStats>,

    /// The backup that was restored.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backup_info: Option<RestoreBackupInfo>,

    /// The `metadata.generation` this status describes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,

    /// What the controller has done so far, kept on the object so that a restarted controller
    /// continues where it stopped and never repeats a destructive step.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub progress: Option<RestoreProgress>,

    /// What the restore will do, as planned before its first destructive step (issue 15): kept
    /// up to date until then, fixed from then on, so it can be read against `progress`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plan: Option<crate::types::RestorePlan>,

    /// The health checks of the restored database (`options.healthChecks`): every check with its
    /// outcome, message and duration, and the database's figures.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub health: Option<crate::health::report::HealthReport>,
}

string_enum! {
    /// The step a restore is at.
    RestoreStep {
        /// Finding the target, the source and the artifact to restore.
        Resolving = "Resolving",
        /// Checking the backup before anything destructive (`options.verifyBackup`).
        Verifying = "Verifying",
        /// Running the pre-restore hooks.
        PreRestoreHooks = "PreRestoreHooks",
        /// Scaling the target to 0 (`stopCluster`).
        StoppingCluster = "StoppingCluster",
        /// The restore Job runs.
        Restoring = "Restoring",
        /// Scaling the target back to its recorded size.
        StartingCluster = "StartingCluster",
        /// `CREATE DATABASE` or `START DATABASE`, then waiting for the database to be online.
        BringingUp = "BringingUp",
        /// Running the post-restore hooks.
        PostRestoreHooks = "PostRestoreHooks",
        /// Running the health checks on the restored database (`options.healthChecks`): seed 002's
        /// VALIDATION.
        Checking = "Checking",
        /// The candidate passed its checks and waits for `kubectl neo4j restore promote`
        /// (`promotion.automatic: false`): seed 002's RECOVERY_SUCCESS.
        AwaitingPromotion = "AwaitingPromotion",
        /// Switching the alias to the candidate: seed 002's PROMOTED once it points there.
        Promoting = "Promoting",
        /// Promoted; waiting `promotion.dropPreviousAfter`, then dropping the previous database.
        RetiringPrevious = "RetiringPrevious",
        /// Finished (see the phase).
        Done = "Done",
    }
}

/// Durable progress of a restore.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RestoreProgress {
    /// The current step.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub step: Option<RestoreStep>,

    /// When the current step began: a step that waits (for servers to stop or start, for Bolt,
    /// for the database) fails after `spec.timeout` (2 hours when unset), and the target is
    /// brought back.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub step_since: Option<Time>,

    /// The backup artifact being restored, fixed once chosen (`--from-path`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub artifact: Option<String>,

    /// Where the artifact is read from, fixed with it: changing or deleting the referenced
    /// Neo4jBackup later neither moves nor stops a restore under way.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<SourceLocation>,

    /// Replica count of the target's StatefulSet, recorded before it was scaled to 0; the restore
    /// scales back to exactly this, whatever happens.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub original_replicas: Option<i32>,

    /// The StatefulSet scaled down, by name and UID, recorded with `originalReplicas`: the scale
    /// back goes to this object whatever the target reads as later (its CR re-applied, changed or
    /// gone), and to no other object of that name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub statefulset: Option<ScaledSet>,

    /// Whether the database existed before the restore (then `START DATABASE`, else `CREATE DATABASE`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_existed: Option<bool>,

    /// One server (standalone, 1-server cluster): the existing database was stopped for the restore
    /// (`STOP DATABASE`); a failure before its store was touched starts it again.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_stopped: Option<bool>,

    /// Multi-server cluster: the existing database was dropped (`DROP DATABASE`), so that it can be
    /// created again from the store restored on server 0 (a designated seeder needs a database that
    /// does not exist).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_dropped: Option<bool>,

    /// The target carries the `neo4j.com/restore-in-progress` annotation of this restore, so that
    /// the Neo4j operator does not undo the scale-down; cleared when the restore ends, on every path.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_held: Option<bool>,

    /// The restore Job was created: from then on the store on server 0 may be partly rewritten.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub store_touched: Option<bool>,

    /// Multi-server cluster: the topology the database is created with (the replaced database's,
    /// or `spec.topology`, or the default for the cluster's size).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub topology: Option<DatabaseTopology>,

    /// The `metadata.generation` the restore started with; a later spec change stops it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub generation: Option<i64>,

    /// Why the restore is failing, kept while the target is brought back up before phase `Failed`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure: Option<String>,

    /// With `promotion`: the alias as it was before anything, and the switch.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub promotion: Option<PromotionProgress>,
}

/// Durable progress of a promotion.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PromotionProgress {
    /// The database the alias pointed to when the restore started (`None`: it did not exist and
    /// is created at the switch).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous: Option<String>,

    /// When the alias was switched to the candidate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub promoted_at: Option<Time>,

    /// The previous database was dropped (`promotion.dropPreviousAfter`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous_dropped: Option<bool>,

    /// The candidate that failed its checks was dropped (`promotion.onFailure: Drop`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub candidate_dropped: Option<bool>,
}

/// A StatefulSet, by name and UID.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ScaledSet {
    /// `metadata.name`.
    pub name: String,
    /// `metadata.uid`.
    pub uid: String,
}

/// How many primary and secondary copies of a database a cluster keeps (`CREATE DATABASE ...
/// TOPOLOGY n PRIMARIES m SECONDARIES`).
#[derive(Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct DatabaseTopology {
    /// Primaries (1 to 11).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub primaries: Option<i32>,
    /// Secondaries (0 to 20).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secondaries: Option<i32>,
}

/// Figures of a restore.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RestoreStats {
    /// Wall time of the restore, e.g. `12m30s`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration: Option<String>,

    /// Amount of data restored, e.g. `4.2Gi`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_size: Option<String>,

    /// Restore throughput, e.g. `120Mi/s`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub throughput: Option<String>,

    /// Number of files restored.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file_count: Option<i32>,

    /// Errors encountered during the restore.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_count: Option<i32>,

    /// Nodes in the restored database, counted once it was online.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node_count: Option<i64>,

    /// Relationships in the restored database, counted once it was online.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub relationship_count: Option<i64>,
}

/// The backup a restore used.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RestoreBackupInfo {
    /// Path of the backup artifact or chain restored.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backup_path: Option<String>,

    /// When the backup was taken.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backup_created_at: Option<Time>,

    /// Name of the database the backup was taken of.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub original_database: Option<String>,

    /// Neo4j version that wrote the backup.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub neo4j_version: Option<String>,

    /// Size of the backup, e.g. `1.2Gi`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backup_size: Option<String>,
}

/// The source of a restore, resolved (`neo4j_api::restore::source`).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SourceLocation {
    /// The storage holding the backups.
    pub storage: crate::types::StorageLocation,
    /// Whose `<owner>-backups` claim a `pvc` storage without a name is (the Neo4jBackup's name).
    pub owner: String,
    /// `backupPath` below the storage: a folder, or one artifact (`*.backup`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The database in the backups to restore (the backed-up database's own name).
    pub database: String,
    /// `pointInTime`, for a point-in-time restore.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub point_in_time: Option<String>,
    /// `untilTransaction`, for a point-in-time restore to a transaction id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub until_transaction: Option<u64>,
}
