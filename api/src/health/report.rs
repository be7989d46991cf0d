//! A health report: one result per check (pass, warn or fail, a message, how long it took) and
//! the overall status, printed like seed 002's "Neo4j Health Check Report" or as JSON.

use serde::{Deserialize, Serialize};

/// How one check came out.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// Fine.
    Pass,
    /// Works, with something to look at (an index still populating, counts unlike the backup's).
    Warn,
    /// Broken, or not answered in time.
    Fail,
}

impl Outcome {
    fn as_str(self) -> &'static str {
        match self {
            Self::Pass => "pass",
            Self::Warn => "warn",
            Self::Fail => "fail",
        }
    }

    fn mark(self) -> &'static str {
        match self {
            Self::Pass => "✓",
            Self::Warn => "!",
            Self::Fail => "✗",
        }
    }
}

/// One check's result.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CheckResult {
    /// The check: `connectivity`, `databases`, `schema`, `counts`, or `probe:<n>`.
    pub name: String,
    /// How it came out.
    pub outcome: Outcome,
    /// What it found.
    pub message: String,
    /// How long it took, in milliseconds.
    pub duration_ms: u64,
}

/// The figures of a database.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct GraphStats {
    /// Nodes.
    pub nodes: i64,
    /// Relationships.
    pub relationships: i64,
    /// Labels in use.
    pub labels: i64,
    /// Relationship types in use.
    pub relationship_types: i64,
}

/// The whole report.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct HealthReport {
    /// `healthy` (every check passed), `degraded` (warnings only) or `unhealthy` (a check failed).
    pub status: String,
    /// When the checks ran (RFC 3339).
    pub timestamp: String,
    /// What was checked: the target, and the database when one was named.
    pub target: String,
    /// Every check, in the order they ran.
    pub checks: Vec<CheckResult>,
    /// The figures of the checked database, when counted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub graph_stats: Option<GraphStats>,
}

impl HealthReport {
    /// The report of `checks`, its status from the worst outcome.
    pub fn of(target: String, timestamp: String, checks: Vec<CheckResult>, graph_stats: Option<GraphStats>) -> Self {
        let status = match checks.iter().map(|c| c.outcome).max() {
            Some(Outcome::Fail) => "unhealthy",
            Some(Outcome::Warn) => "degraded",
            _ => "healthy",
        };
        Self { status: status.to_owned(), timestamp, target, checks, graph_stats }
    }

    /// Whether no check failed (the exit code of `kubectl neo4j health`).
    pub fn healthy(&self) -> bool {
        self.status != "unhealthy"
    }

    /// The report as text, in the layout of seed 002's report.
    pub fn render(&self) -> String {
        let rule = "=".repeat(60);
        let mut out = format!(
            "{rule}\nNeo4j Health Check Report\nTarget: {}\nTimestamp: {}\nStatus: {}\n{rule}\n\nHealth Checks:\n{}\n",
            self.target,
            self.timestamp,
            self.status.to_uppercase(),
            "-".repeat(60)
        );
        for check in &self.checks {
            out.push_str(&format!(
                "  {} {:<30} [{}]\n    Message: {}\n    Duration: {}ms\n\n",
                check.outcome.mark(),
                check.name,
                check.outcome.as_str(),
                check.message,
                check.duration_ms
            ));
        }
        if let Some(stats) = &self.graph_stats {
            out.push_str(&format!(
                "Graph: {} nodes, {} relationships, {} labels, {} relationship types\n",
                stats.nodes, stats.relationships, stats.labels, stats.relationship_types
            ));
        }
        out.push_str(&format!("{rule}\n"));
        out
    }
}
