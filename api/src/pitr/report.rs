//! What `kubectl neo4j pitr status CLUSTER` says (issue 14, item 5), from the cluster's protection
//! `<cluster>-pitr`: whether shipping runs, at what interval, the lag, the last base backup and
//! the window of each database. Pure, so the table and `-o json` say the same.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use k8s_openapi::jiff::Timestamp;
use serde::Serialize;

use crate::pitr::protection::protection_name;
use crate::types::{DatabaseWindow, Neo4jBackup};

/// The point-in-time state of one target.
#[derive(Serialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct PitrReport {
    /// The cluster or standalone.
    pub target: String,
    /// Its protection, the Neo4jBackup `<target>-pitr`.
    pub protection: String,
    /// Whether the protection exists.
    pub protected: bool,
    /// Whether DIFFs are shipped at an interval (`spec.shipping`) and not suspended.
    pub shipping: bool,
    /// `spec.shipping.interval`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interval: Option<String>,
    /// `spec.suspend`.
    pub suspended: bool,
    /// The protection's phase and message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phase: Option<String>,
    /// See `phase`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Seconds between now and the oldest of the databases' newest restorable moments.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lag_seconds: Option<i64>,
    /// When the newest FULL of the chain started.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_base_backup_time: Option<Time>,
    /// When the newest run started.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_run_time: Option<Time>,
    /// The run under way.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub running_job: Option<String>,
    /// Failed runs since the last success.
    pub consecutive_failures: u32,
    /// The window of each database.
    pub recovery_window: Vec<DatabaseWindow>,
    /// What to do when the target is not protected.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

/// The report of `target` from its protection (`None`: there is none).
pub fn pitr_report(target: &str, protection: Option<&Neo4jBackup>, now: Timestamp) -> PitrReport {
    let name = protection_name(target);
    let Some(backup) = protection else {
        return PitrReport {
            target: target.to_owned(),
            protection: name.clone(),
            protected: false,
            shipping: false,
            interval: None,
            suspended: false,
            phase: None,
            message: None,
            lag_seconds: None,
            last_base_backup_time: None,
            last_run_time: None,
            running_job: None,
            consecutive_failures: 0,
            recovery_window: Vec::new(),
            hint: Some(format!(
                "no Neo4jBackup {name:?}: set spec.pointInTimeRecovery.enabled: true (with logShipping.destination) on {target:?}, and check that the kubectl-neo4j controller runs (kubectl neo4j status)"
            )),
        };
    };
    let status = backup.status.clone().unwrap_or_default();
    let shipping = status.shipping.clone().unwrap_or_default();
    let suspended = backup.spec.suspend == Some(true);
    let oldest_newest = status.recovery_window.iter().filter_map(|w| w.latest.as_ref().map(|t| t.0)).min();
    PitrReport {
        target: target.to_owned(),
        protection: name,
        protected: true,
        shipping: backup.spec.shipping.is_some() && !suspended,
        interval: backup.spec.shipping.as_ref().and_then(|s| s.interval.clone()),
        suspended,
        phase: status.phase.as_ref().map(|p| p.to_string()),
        message: status.message.clone(),
        lag_seconds: oldest_newest.map(|latest| now.duration_since(latest).as_secs().max(0)),
        last_base_backup_time: shipping.last_base_backup_time,
        last_run_time: shipping.last_run_time,
        running_job: shipping.running_job,
        consecutive_failures: shipping.consecutive_failures,
        recovery_window: status.recovery_window,
        hint: None,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_protected_cluster_and_one_without_protection() {
        let backup: Neo4jBackup = serde_json::from_value(json!({"apiVersion": "neo4j.neo4j.com/v1alpha1", "kind": "Neo4jBackup",
            "metadata": {"name": "prod-pitr", "namespace": "neo4j"},
            "spec": {"target": {"kind": "Cluster", "name": "prod"}, "shipping": {"interval": "30s"}, "schedule": "0 2 * * *"},
            "status": {"phase": "Completed", "message": "Job prod-pitr-backup-1737341990 succeeded",
                "shipping": {"lastBaseBackupTime": "2025-01-20T02:00:00Z", "lastRunTime": "2025-01-20T02:59:50Z"},
                "recoveryWindow": [
                    {"database": "orders", "earliest": "2025-01-20T02:00:00Z", "latest": "2025-01-20T02:59:50Z", "contiguous": true},
                    {"database": "neo4j", "earliest": "2025-01-20T02:00:00Z", "latest": "2025-01-20T02:59:20Z", "contiguous": true}]}}))
        .unwrap();
        let report = pitr_report("prod", Some(&backup), "2025-01-20T03:00:00Z".parse().unwrap());
        assert!(report.protected && report.shipping && !report.suspended);
        assert_eq!(report.interval.as_deref(), Some("30s"));
        assert_eq!(report.lag_seconds, Some(40), "the database that lags most");
        assert_eq!(report.recovery_window.len(), 2);
        let missing = pitr_report("prod", None, "2025-01-20T03:00:00Z".parse().unwrap());
        assert!(!missing.protected);
        assert!(
            missing
                .hint
                .unwrap()
                .starts_with("no Neo4jBackup \"prod-pitr\": set spec.pointInTimeRecovery.enabled: true")
        );
    }
}
