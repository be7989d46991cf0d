//! The backups of a target, as health checks (`kubectl neo4j health`): how old the newest moment
//! each Neo4jBackup can restore is, against its objective (`spec.rpo`) or else its schedule.

use k8s_openapi::jiff::Timestamp;

use crate::health::report::{CheckResult, Outcome};
use crate::rpo::{newest_restorable, objective, worst_loss};
use crate::status::restore::human;
use crate::types::{BackupPhase, Neo4jBackup};

/// The check of `backup` at `now`, named `backup:<name>`: it fails past its objective, or when it
/// never succeeded and its last run failed; it warns when nothing is restorable yet, or when the
/// newest moment is older than twice the longest pause of its schedule (a run was missed).
pub fn judge_backup(backup: &Neo4jBackup, now: Timestamp) -> CheckResult {
    let name = format!("backup:{}", backup.metadata.name.as_deref().unwrap_or_default());
    let status = backup.status.clone().unwrap_or_default();
    let result = |outcome, message: String| CheckResult { name: name.clone(), outcome, message, duration_ms: 0 };
    let Some(newest) = newest_restorable(&status) else {
        return match status.phase {
            Some(BackupPhase::Failed) => result(Outcome::Fail, "has never succeeded and its last run failed".into()),
            _ => result(Outcome::Warn, "has no successful run yet: nothing can be restored from it".into()),
        };
    };
    let age = now.duration_since(newest).as_secs().max(0);
    let aged = format!("the newest restorable moment is {newest} ({} old)", human(age));
    if let (Some(limit), Some(rpo)) = (objective(backup), backup.spec.rpo.as_deref()) {
        return if age <= limit {
            result(Outcome::Pass, format!("{aged}, within its objective of {rpo}"))
        } else {
            result(Outcome::Fail, format!("{aged}, older than its objective of {rpo}"))
        };
    }
    match worst_loss(backup, now) {
        Some(gap) if age > 2 * gap => result(
            Outcome::Warn,
            format!("{aged}, more than twice the longest pause between its runs ({}): a run was missed", human(gap)),
        ),
        Some(gap) => result(Outcome::Pass, format!("{aged}; its runs are at most {} apart", human(gap))),
        None => result(Outcome::Pass, format!("{aged}; a one-shot backup, not run again")),
    }
}
