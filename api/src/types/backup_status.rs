//! What the controller reports about a Neo4jBackup.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{Condition, Time};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::backup::BackupType;
use crate::string_enum::string_enum;

/// The most runs `status.history` keeps (newest first).
pub const BACKUP_HISTORY_LIMIT: usize = 20;

string_enum! {
    /// Phase of a Neo4jBackup.
    BackupPhase {
        /// Accepted; no run has started yet.
        Pending = "Pending",
        /// A backup Job is running.
        Running = "Running",
        /// The last run succeeded (for a schedule: waiting for the next run).
        Completed = "Completed",
        /// The last run failed; see `message` and `history`.
        Failed = "Failed",
        /// The spec breaks a rule; see `message`. Re-evaluated when the spec changes.
        Invalid = "Invalid",
        /// The schedule is suspended.
        Suspended = "Suspended",
    }
}

string_enum! {
    /// Condition types of a Neo4jBackup.
    BackupConditionType {
        /// The backup is set up and its last run did not fail.
        Ready = "Ready",
        /// The last run produced a backup (and it verified, when `verify` is set).
        BackupSuccessful = "BackupSuccessful",
        /// The target cluster or standalone exists and runs a supported version.
        TargetFound = "TargetFound",
        /// Whether kubectl-neo4j executes the retention policy (PVC storage) or bucket lifecycle rules must (cloud storage).
        RetentionExecuted = "RetentionExecuted",
        /// Whether the newest restorable moment is within `spec.rpo`.
        RpoMet = "RPOMet",
    }
}

string_enum! {
    /// Outcome of one backup run.
    RunPhase {
        /// The Job is running.
        Running = "Running",
        /// The Job succeeded.
        Succeeded = "Succeeded",
        /// The Job failed.
        Failed = "Failed",
    }
}

/// Observed state of a Neo4jBackup.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Neo4jBackupStatus {
    /// Pending, Running, Completed, Failed, Invalid or Suspended.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phase: Option<BackupPhase>,

    /// `Ready`, `BackupSuccessful` and `TargetFound`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(extend("x-kubernetes-list-type" = "map", "x-kubernetes-list-map-keys" = ["type"]))]
    pub conditions: Vec<Condition>,

    /// Human-readable explanation of the phase.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,

    /// When the last run started.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_backup_time: Option<Time>,

    /// When the last successful run completed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_successful_backup_time: Option<Time>,

    /// When the schedule runs next.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_schedule_time: Option<Time>,

    /// Recent runs, newest first, successes and failures (at most 20).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = 20))]
    pub history: Vec<BackupRun>,

    /// The `metadata.generation` this status describes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,

    /// What can be restored, per database (at most 64), as the newest run listed the location.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = 64))]
    pub recovery_window: Vec<super::recovery_window::DatabaseWindow>,

    /// When the location was listed for `recoveryWindow`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub window_time: Option<Time>,

    /// The runs of continuous protection (`spec.shipping`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shipping: Option<ShippingStatus>,
}

/// The runs of continuous protection.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ShippingStatus {
    /// When the newest FULL of the chain started.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_base_backup_time: Option<Time>,

    /// When the newest run of either type started.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_run_time: Option<Time>,

    // The next three are always written (null, 0): the status is written as a merge patch, which
    // clears a field only when it is sent as null.
    /// The Job of the run under way, if any: written before the Job is created, so that two
    /// writers (or a controller restarted between the two steps) never start two runs.
    #[serde(default)]
    pub running_job: Option<String>,

    /// FULL or DIFF: the type of `runningJob`.
    #[serde(default)]
    pub running_type: Option<BackupType>,

    /// Failed runs since the last success (the next run waits longer after each).
    #[serde(default)]
    pub consecutive_failures: u32,
}

/// One backup run.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct BackupRun {
    /// Name of the Job that ran the backup.
    pub job_name: String,

    /// FULL or DIFF.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub r#type: Option<BackupType>,

    /// When the run started.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_time: Option<Time>,

    /// When the run finished.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub completion_time: Option<Time>,

    /// Running, Succeeded or Failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phase: Option<RunPhase>,

    /// Location of the artifact written, e.g. `s3://bucket/path/neo4j-2025-01-20T02-00-00.backup`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub artifact: Option<String>,

    /// Size of the artifact, e.g. `1.2Gi`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<String>,

    /// Why the run failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn history_bound_in_schema_matches_the_constant() {
        let schema = schemars::schema_for!(Neo4jBackupStatus);
        let max = schema.as_value()["properties"]["history"]["maxItems"].as_u64();
        assert_eq!(max, Some(BACKUP_HISTORY_LIMIT as u64));
    }
}
