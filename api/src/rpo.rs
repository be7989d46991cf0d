//! The recovery point objective of a Neo4jBackup (`spec.rpo`, issue 15, item 4): the most data
//! the user accepts to lose, held against the newest restorable moment of the backup's status.

use k8s_openapi::jiff::Timestamp;

use crate::grammar::cron::CronSchedule;
use crate::grammar::duration::parse_duration;
use crate::types::{Neo4jBackup, Neo4jBackupStatus};

/// The objective in seconds, when set and valid.
pub fn objective(backup: &Neo4jBackup) -> Option<i64> {
    let text = backup.spec.rpo.as_deref()?;
    parse_duration(text).ok().and_then(|s| i64::try_from(s).ok())
}

/// The newest moment a restore can reach for every database: the oldest of the databases' latest
/// restorable moments (the stalest database decides), else the last successful run's completion
/// (a backup whose Jobs do not report a window).
/// Only the databases the newest successful run backed up count (their newest moment is at or
/// after its start): a dropped database, or an old one in a reused folder, stays in the listing
/// and would otherwise miss the objective for ever.
pub fn newest_restorable(status: &Neo4jBackupStatus) -> Option<Timestamp> {
    let run = status.history.iter().find(|r| r.phase == Some(crate::types::RunPhase::Succeeded));
    let since = run.and_then(|r| r.start_time.as_ref()).map(|t| t.0);
    let latest: Vec<Timestamp> = status.recovery_window.iter().filter_map(|w| w.latest.as_ref().map(|t| t.0)).collect();
    let current = latest.iter().copied().filter(|at| since.is_none_or(|since| *at >= since)).min();
    current.or_else(|| latest.iter().copied().max()).or(status.last_successful_backup_time.as_ref().map(|t| t.0))
}

/// How the objective stands: the condition's status, reason and message. The message names the
/// moment, never its age, so that a steady backup's status does not change at every reconcile.
pub fn standing(
    objective: i64,
    rpo: &str,
    newest: Option<Timestamp>,
    now: Timestamp,
) -> (&'static str, &'static str, String) {
    match newest {
        None => ("False", "NothingRestorable", format!("nothing can be restored yet; the objective is {rpo}")),
        Some(at) if now.duration_since(at).as_secs() <= objective => {
            ("True", "WithinObjective", format!("the newest restorable moment {at} is within the objective of {rpo}"))
        }
        Some(at) => (
            "False",
            "ObjectiveMissed",
            format!(
                "the newest restorable moment {at} is older than the objective of {rpo}: a restore now would lose more than that"
            ),
        ),
    }
}

/// The longest a restore can lose with this backup's runs (the longest pause between two runs),
/// in seconds: the DIFF interval of continuous protection, else the schedule's longest gap
/// (`None`: a one-shot backup, which ages past any objective).
pub fn worst_loss(backup: &Neo4jBackup, now: Timestamp) -> Option<i64> {
    let interval =
        backup.spec.shipping.as_ref().and_then(|s| s.interval.as_deref()).and_then(|i| parse_duration(i).ok());
    if let Some(interval) = interval {
        return i64::try_from(interval).ok();
    }
    CronSchedule::parse(backup.spec.schedule.as_deref()?).ok()?.longest_gap(now)
}
