//! What the protection of a PITR-enabled cluster does next (issue 14, item 1), as a decision:
//! a FULL base backup on `baseBackup.schedule` (or when the chain has none), a DIFF every
//! `logShipping.interval` otherwise, and never two runs of one chain at once. A run that takes
//! longer than the interval delays the next one; missed DIFFs are not queued up (one DIFF carries
//! every transaction since its parent, so a pile-up would only repeat work).

use k8s_openapi::jiff::{SignedDuration, Timestamp};

use crate::grammar::cron::CronSchedule;

/// What is known of the chain's runs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Runs {
    /// When the newest FULL of the chain was started (`None`: the chain has none yet).
    pub last_full: Option<Timestamp>,
    /// When the newest run of either type was started.
    pub last_run: Option<Timestamp>,
    /// When the newest FULL was started, succeeded or not: a base backup that failed is retried
    /// every [`MAX_BACKOFF_SECONDS`], and DIFFs go on onto the chain meanwhile.
    pub last_full_attempt: Option<Timestamp>,
    /// A run of this chain has not ended (its Job exists unfinished, or the chain's lock is held).
    pub running: bool,
    /// Runs that failed since the last success: each doubles the wait before the next run (from
    /// the interval, at most [`MAX_BACKOFF_SECONDS`]), so a broken chain does not start a Pod
    /// every interval.
    pub failures: u32,
}

/// The longest wait after failed runs.
pub const MAX_BACKOFF_SECONDS: u64 = 600;

/// The next step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Next {
    /// Start a FULL now (a new chain).
    Full,
    /// Start a DIFF now (onto the chain).
    Diff,
    /// Nothing until this moment.
    WaitUntil(Timestamp),
    /// A run is under way; decide again when it ends.
    Busy,
}

/// The next step at `now`, for a base schedule (none: the chain keeps its first FULL) and a DIFF interval in seconds (never shorter than
/// the rules' floor, whatever is passed).
pub fn next(runs: Runs, schedule: Option<&CronSchedule>, interval_seconds: u64, now: Timestamp) -> Next {
    if runs.running {
        return Next::Busy;
    }
    let seconds = interval_seconds.max(crate::rules::cluster_pitr::MIN_SHIPPING_INTERVAL);
    let interval = SignedDuration::from_secs(i64::try_from(seconds).unwrap_or(i64::MAX));
    if let (Some(last_run), 1..) = (runs.last_run, runs.failures) {
        let factor = 1u64.checked_shl(runs.failures - 1).unwrap_or(u64::MAX);
        let wait = seconds.saturating_mul(factor).min(MAX_BACKOFF_SECONDS.max(seconds));
        let retry = last_run.checked_add(SignedDuration::from_secs(wait as i64)).unwrap_or(now);
        if retry > now {
            return Next::WaitUntil(retry);
        }
    }
    let Some(last_full) = runs.last_full else { return Next::Full };
    // The first scheduled base backup after the newest FULL: due once it has passed.
    let mut full_due = schedule.and_then(|schedule| schedule.next_after(last_full));
    if let (Some(due), Some(attempt)) = (full_due, runs.last_full_attempt.filter(|a| *a > last_full)) {
        // A base backup was tried since the last one that worked, and failed: retry it later.
        let retry = attempt.checked_add(SignedDuration::from_secs(MAX_BACKOFF_SECONDS as i64)).unwrap_or(now);
        full_due = Some(due.max(retry));
    }
    if full_due.is_some_and(|due| due <= now) {
        return Next::Full;
    }
    let diff_due = runs.last_run.unwrap_or(last_full).checked_add(interval).unwrap_or(now);
    if diff_due <= now {
        return Next::Diff;
    }
    Next::WaitUntil(match full_due {
        Some(full) if full < diff_due => full,
        _ => diff_due,
    })
}

/// Why no run starts while an offline restore holds the target (its annotation
/// `neo4j.com/restore-in-progress`): the servers are scaled down, and a run would fail or back up
/// a half-restored store.
pub fn paused_by_restore(restore: &str) -> String {
    format!(
        "the Neo4jRestore {restore:?} holds the target ({}); runs resume when it ends",
        crate::plan::target::RESTORE_IN_PROGRESS
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    fn nightly() -> CronSchedule {
        CronSchedule::parse("0 2 * * *").unwrap()
    }

    #[test]
    fn a_chain_starts_with_a_full() {
        assert_eq!(next(Runs::default(), Some(&nightly()), 30, at("2025-01-04T12:00:00Z")), Next::Full);
    }

    #[test]
    fn diffs_follow_at_the_interval_and_a_late_run_is_not_made_up_for() {
        let runs = Runs {
            last_full: Some(at("2025-01-04T02:00:00Z")),
            last_run: Some(at("2025-01-04T12:00:00Z")),
            running: false,
            failures: 0,
            last_full_attempt: None,
        };
        assert_eq!(
            next(runs, Some(&nightly()), 30, at("2025-01-04T12:00:10Z")),
            Next::WaitUntil(at("2025-01-04T12:00:30Z"))
        );
        assert_eq!(next(runs, Some(&nightly()), 30, at("2025-01-04T12:00:30Z")), Next::Diff);
        // Ten intervals late (the last run took long): one DIFF, not ten.
        assert_eq!(next(runs, Some(&nightly()), 30, at("2025-01-04T12:05:00Z")), Next::Diff);
        // An interval under the floor is the floor.
        assert_eq!(
            next(runs, Some(&nightly()), 1, at("2025-01-04T12:00:05Z")),
            Next::WaitUntil(at("2025-01-04T12:00:10Z"))
        );
    }

    #[test]
    fn never_two_runs_of_one_chain_at_once() {
        let runs = Runs { last_full: Some(at("2025-01-04T02:00:00Z")), running: true, ..Runs::default() };
        assert_eq!(next(runs, Some(&nightly()), 30, at("2025-01-05T03:00:00Z")), Next::Busy, "even when a FULL is due");
        assert_eq!(
            next(Runs { running: true, ..Runs::default() }, Some(&nightly()), 30, at("2025-01-05T03:00:00Z")),
            Next::Busy
        );
    }

    #[test]
    fn the_base_schedule_starts_a_new_chain() {
        let runs = Runs {
            last_full: Some(at("2025-01-04T02:00:00Z")),
            last_run: Some(at("2025-01-05T01:59:50Z")),
            running: false,
            failures: 0,
            last_full_attempt: None,
        };
        // The DIFF would be due at 02:00:20; the base backup at 02:00:00 comes first.
        assert_eq!(
            next(runs, Some(&nightly()), 30, at("2025-01-05T01:59:55Z")),
            Next::WaitUntil(at("2025-01-05T02:00:00Z"))
        );
        assert_eq!(next(runs, Some(&nightly()), 30, at("2025-01-05T02:00:00Z")), Next::Full);
        // A controller down over the base time starts the FULL when it is back, once.
        assert_eq!(next(runs, Some(&nightly()), 30, at("2025-01-06T09:00:00Z")), Next::Full);
    }

    #[test]
    fn failed_runs_wait_longer_each_time_up_to_ten_minutes() {
        let failed = |failures| Runs { last_run: Some(at("2025-01-04T12:00:00Z")), failures, ..Runs::default() };
        let now = at("2025-01-04T12:00:05Z");
        assert_eq!(next(failed(1), Some(&nightly()), 30, now), Next::WaitUntil(at("2025-01-04T12:00:30Z")));
        assert_eq!(next(failed(3), Some(&nightly()), 30, now), Next::WaitUntil(at("2025-01-04T12:02:00Z")));
        assert_eq!(next(failed(40), Some(&nightly()), 30, now), Next::WaitUntil(at("2025-01-04T12:10:00Z")));
        assert_eq!(
            next(failed(3), Some(&nightly()), 30, at("2025-01-04T12:02:00Z")),
            Next::Full,
            "the FULL the chain lacks"
        );
        assert_eq!(next(failed(0), Some(&nightly()), 30, now), Next::Full, "no failure: no wait");
    }

    #[test]
    fn a_failed_base_backup_is_retried_later_and_diffs_go_on_meanwhile() {
        // The 02:00 FULL failed at 02:00:05; the chain of the day before goes on with DIFFs.
        let runs = Runs {
            last_full: Some(at("2025-01-04T02:00:00Z")),
            last_run: Some(at("2025-01-05T02:00:05Z")),
            last_full_attempt: Some(at("2025-01-05T02:00:05Z")),
            running: false,
            failures: 0,
        };
        assert_eq!(next(runs, Some(&nightly()), 30, at("2025-01-05T02:00:35Z")), Next::Diff);
        assert_eq!(
            next(runs, Some(&nightly()), 30, at("2025-01-05T02:10:05Z")),
            Next::Full,
            "retried after 10 minutes"
        );
    }
}
