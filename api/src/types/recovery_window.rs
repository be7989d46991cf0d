//! The recoverable window of each database, as a Neo4jBackup's status keeps it (issue 14, item 2):
//! bounded, so that a chain of thousands of DIFFs still fits a status and a Pod's termination
//! message (4096 bytes), which is how a run reports it.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Most restorable spans kept per database (the newest).
pub const MAX_SPANS: usize = 4;
/// Most gaps kept per database (the newest).
pub const MAX_GAPS: usize = 4;
/// Most databases kept in a status.
pub const MAX_DATABASES: usize = 64;

/// What can be restored of one database.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct DatabaseWindow {
    /// The database.
    pub database: String,

    /// The DATABASE ID of its newest artifact (a database dropped and created again has a new one).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_id: Option<String>,

    /// The earliest restorable moment (the oldest kept FULL's time).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub earliest: Option<Time>,

    /// The newest restorable moment (the newest artifact linked to a FULL).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latest: Option<Time>,

    /// The transaction id restored at `earliest`, when neo4j-admin printed it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub earliest_transaction: Option<u64>,

    /// The transaction id restored at `latest`, when neo4j-admin printed it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latest_transaction: Option<u64>,

    /// Whether every moment from `earliest` to `latest` can be restored (no gap).
    pub contiguous: bool,

    /// The newest restorable spans, oldest first (at most 4; `olderSpans` counts the rest).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = 4))]
    pub spans: Vec<RestorableSpan>,

    /// Spans older than those listed.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub older_spans: u32,

    /// The newest gaps, oldest first (at most 4; `olderGaps` counts the rest).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = 4))]
    pub gaps: Vec<WindowGap>,

    /// Gaps older than those listed.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub older_gaps: u32,

    /// The newest chain: its FULL, how many artifacts it has, its newest.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub newest_chain: Option<ChainSummary>,
}

/// For `skip_serializing_if` of a count that is 0 when absent.
pub(crate) fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// A span of moments one chain restores.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RestorableSpan {
    /// Its FULL's time.
    pub from: Time,
    /// Its newest linked artifact's time.
    pub to: Time,
    /// The transaction id restored at `from`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from_transaction: Option<u64>,
    /// The transaction id restored at `to`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to_transaction: Option<u64>,
}

/// Where a window is not contiguous.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct WindowGap {
    /// No chain covers the moments after this one...
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after: Option<Time>,
    /// ...and before this one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub before: Option<Time>,
    /// A DIFF whose parent is missing: it and the DIFFs after it in its chain restore nothing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unlinked: Option<String>,
}

/// The newest chain of a database.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ChainSummary {
    /// Its FULL artifact's file.
    pub full: String,
    /// How many artifacts it has (the FULL and its linked DIFFs).
    pub artifacts: u32,
    /// Its newest artifact's file.
    pub newest: String,
}
