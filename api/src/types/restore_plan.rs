//! What a restore will do, before it does it (issue 15, item 1): the plan `kubectl neo4j restore
//! plan` prints and the controller records in `status.plan` before its first destructive step.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Most steps a plan lists (a restore has at most nine).
pub const MAX_PLANNED_STEPS: usize = 16;

/// A restore's plan: what it reads, what it reaches, its steps in order, what is destructive,
/// the downtime to expect and everything that would make it fail.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RestorePlan {
    /// Whether the restore can run as planned (`blockers` is empty).
    pub can_run: bool,
    /// The target: its kind, name, servers and Neo4j version, when known.
    pub target: String,
    /// The database restored into, and whether it exists.
    pub database: String,
    /// Where the backup is read.
    pub source: String,
    /// The artifacts restored (a FULL and the DIFFs after it), or how they are chosen.
    pub artifacts: String,
    /// The moment or transaction the restored database reaches.
    pub reaches: String,
    /// For a point-in-time restore: whether the moment is inside the known window.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window: Option<String>,
    /// Every step, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(extend("maxItems" = 16))]
    pub steps: Vec<PlannedStep>,
    /// What the restore destroys or makes unavailable, and what in the spec allows it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub destructive: Vec<String>,
    /// The downtime to expect, and its basis (or why it is unknown).
    pub downtime: String,
    /// Everything that would make it fail (empty: it can run).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub blockers: Vec<String>,
    /// What it waits for before it starts (`Pending`): the target to exist, the backup's first
    /// success. It can run once they are there.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub waits_for: Vec<String>,
}

/// One step of a plan.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PlannedStep {
    /// The step of `status.progress.step` it happens in.
    pub step: String,
    /// What happens, with the exact command or statement where there is one.
    pub action: String,
    /// Whether it destroys data or makes a database or the target unavailable.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub destructive: bool,
}
