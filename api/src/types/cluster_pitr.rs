//! `Neo4jEnterpriseCluster.spec.pointInTimeRecovery` (seed 000): log shipping, base backups,
//! recovery settings, storage tiers and cross-region replication.
//!
//! Part of a kind we do not own, so every struct keeps unknown fields in `other`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::storage::StorageLocation;
use super::target::OtherFields;
use crate::string_enum::string_enum;

/// Point-in-time recovery of a cluster.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PointInTimeRecovery {
    /// Turn point-in-time recovery on. Needs a supported Neo4j version and at least one of
    /// `baseBackup` or `logShipping`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,

    /// Continuous shipping of transaction logs to object storage.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_shipping: Option<LogShipping>,

    /// Scheduled base backups that log replay starts from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base_backup: Option<PitrBaseBackup>,

    /// Recovery limits.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recovery: Option<PitrRecovery>,

    /// Multi-tier log storage (accepted, not acted on by kubectl-neo4j).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub storage: Option<PitrStorage>,

    /// Cross-region replication of logs (accepted, not acted on by kubectl-neo4j).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replication: Option<PitrReplication>,

    /// Every other field.
    #[serde(flatten)]
    pub other: OtherFields,
}

/// Transaction log shipping.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct LogShipping {
    /// Ship transaction logs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,

    /// How often logs are shipped, as a duration of at least `10s`, e.g. `30s`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interval: Option<String>,

    /// Shipping mode, e.g. `continuous`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,

    /// Size of one shipped batch, e.g. `10MB`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub batch_size: Option<String>,

    /// Longest time a partial batch waits before it is shipped, as a duration, e.g. `10s`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flush_interval: Option<String>,

    /// Where the logs go.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub destination: Option<StorageLocation>,

    /// Compress shipped logs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compression: Option<bool>,

    /// Encrypt shipped logs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encryption: Option<bool>,

    /// Per-pattern shipping rules (accepted, not acted on by kubectl-neo4j).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rules: Option<Vec<ShippingRule>>,

    /// Every other field.
    #[serde(flatten)]
    pub other: OtherFields,
}

string_enum! {
    /// Priority of a shipping rule.
    RulePriority {
        /// Shipped first.
        High = "high",
        /// Normal.
        Medium = "medium",
        /// Shipped last.
        Low = "low",
    }
}

/// A log shipping rule.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ShippingRule {
    /// Unique rule name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,

    /// Regular expression matched against transactions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,

    /// `high`, `medium` or `low`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority: Option<RulePriority>,

    /// How long matching logs are kept, as a duration.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retention: Option<String>,

    /// Every other field.
    #[serde(flatten)]
    pub other: OtherFields,
}

/// Scheduled base backups for point-in-time recovery.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PitrBaseBackup {
    /// Cron schedule, e.g. `0 2 * * *`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schedule: Option<String>,

    /// How long base backups are kept, as a duration, e.g. `30d`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retention: Option<String>,

    /// Where base backups go.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub destination: Option<StorageLocation>,

    /// Every other field.
    #[serde(flatten)]
    pub other: OtherFields,
}

/// Recovery settings.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PitrRecovery {
    /// Longest a recovery may take, as a duration, e.g. `24h`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_recovery_time: Option<String>,

    /// Parallel restore workers, 1 to 16.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parallel_restore: Option<i32>,

    /// Validate the recovered database.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub validation_enabled: Option<bool>,

    /// Every other field.
    #[serde(flatten)]
    pub other: OtherFields,
}

/// Multi-tier storage of logs.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PitrStorage {
    /// Tiers from hot to cold, with increasing retention.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tiers: Option<Vec<StorageTier>>,

    /// Every other field.
    #[serde(flatten)]
    pub other: OtherFields,
}

/// One storage tier.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct StorageTier {
    /// Unique tier name, e.g. `hot`, `warm`, `cold`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,

    /// Kind of storage, e.g. `local-ssd`, `s3`, `s3-glacier`.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub r#type: Option<String>,

    /// How long logs stay in this tier, as a duration.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retention: Option<String>,

    /// Local path of the tier.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,

    /// Bucket of the tier.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bucket: Option<String>,

    /// Every other field.
    #[serde(flatten)]
    pub other: OtherFields,
}

string_enum! {
    /// Consistency of cross-region replication.
    ReplicationConsistency {
        /// Regions may lag behind.
        Eventual = "eventual",
        /// Regions are written synchronously.
        Strong = "strong",
    }
}

/// Cross-region replication of logs.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PitrReplication {
    /// Replicate logs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,

    /// Regions, each with a unique name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub regions: Option<Vec<ReplicationRegion>>,

    /// `eventual` or `strong`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consistency: Option<ReplicationConsistency>,

    /// Largest accepted replication lag, as a duration, e.g. `5m`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_replication_delay: Option<String>,

    /// Every other field.
    #[serde(flatten)]
    pub other: OtherFields,
}

/// One replication region.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReplicationRegion {
    /// Unique name, e.g. `primary`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,

    /// Cloud region, e.g. `us-east-1`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,

    /// Every other field.
    #[serde(flatten)]
    pub other: OtherFields,
}
