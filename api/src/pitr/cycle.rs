//! One reconcile of continuous protection (issue 14, item 1), as a decision: fold what the runs
//! did into the shipping status, then start the next run, create the one the status claims, or
//! wait. The status is the chain's lock: a run is claimed in it (written against the object's
//! resourceVersion, so one of two writers gets a conflict) before its Job is created, and the
//! claim is released only once the history records the run as finished.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use k8s_openapi::jiff::Timestamp;

use crate::grammar::cron::CronSchedule;
use crate::pitr::shipping::{Next, Runs, next};
use crate::plan::shipping_job::{run_name, run_started};
use crate::types::{BackupRun, BackupType, RunPhase, ShippingStatus};

/// What the controller saw of the runs.
#[derive(Clone, Debug, Default)]
pub struct Seen<'a> {
    /// The shipping status as written last.
    pub previous: Option<&'a ShippingStatus>,
    /// The history with the runs' Jobs merged in, newest first.
    pub history: &'a [BackupRun],
    /// The run Jobs that exist.
    pub jobs: Vec<String>,
    /// Some run Job exists unfinished (claimed or not: a status may have been lost).
    pub unfinished: bool,
    /// The retention Job is pruning the folder.
    pub pruning: bool,
    /// `spec.suspend`.
    pub suspended: bool,
    /// A Pod of a run whose Job is gone has not terminated (a Job deleted by hand, its Pods
    /// deleted in the background or orphaned): it may still write the chain.
    pub lingering: bool,
}

/// What to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    /// Claim this run in the status, then create its Job.
    Start {
        /// The run's Job.
        job: String,
        /// FULL or DIFF.
        backup_type: BackupType,
    },
    /// Create the Job the status claims and that does not exist (the controller stopped between
    /// the claim and the create, or the create failed).
    Create {
        /// The run's Job.
        job: String,
        /// FULL or DIFF.
        backup_type: BackupType,
    },
    /// Nothing now: decide again at this moment (`None`: when a Job changes).
    Wait(Option<Timestamp>),
}

/// Whether the history records the run `job` as ended (Succeeded or Failed).
pub fn recorded_as_ended(history: &[BackupRun], job: &str) -> bool {
    history.iter().any(|run| run.job_name == job && run.phase.as_ref().is_some_and(|p| *p != RunPhase::Running))
}

fn start(run: &BackupRun) -> Option<Timestamp> {
    run.start_time.as_ref().map(|t| t.0)
}

/// The shipping status after what was seen, and the step to take (the status already carries
/// the claim of a [`Step::Start`]).
pub fn cycle(
    backup_name: &str,
    seen: &Seen,
    schedule: Option<&CronSchedule>,
    interval_seconds: u64,
    now: Timestamp,
) -> (ShippingStatus, Step) {
    let previous = seen.previous.cloned().unwrap_or_default();
    let mut status = previous.clone();
    // Runs are timed by their claim (the controller's clock, in the run's name), not by their
    // Job's start (the kube-controller-manager's): the schedule and the interval are the
    // controller's.
    let start = |run: &BackupRun| run_started(backup_name, &run.job_name).or_else(|| start(run));
    let newest_start = seen.history.iter().filter_map(start).max();
    status.last_run_time = [previous.last_run_time.map(|t| t.0), newest_start].into_iter().flatten().max().map(Time);
    let fulls = seen.history.iter().filter(|run| run.r#type == Some(BackupType::Full));
    let newest_full = fulls.clone().filter(|run| run.phase == Some(RunPhase::Succeeded)).filter_map(start).max();
    status.last_base_backup_time =
        [previous.last_base_backup_time.map(|t| t.0), newest_full].into_iter().flatten().max().map(Time);
    let newest_attempt = fulls.filter(|run| run.phase == Some(RunPhase::Failed)).filter_map(start).max();
    let ended = seen.history.iter().filter(|run| run.phase != Some(RunPhase::Running));
    status.consecutive_failures =
        u32::try_from(ended.take_while(|run| run.phase == Some(RunPhase::Failed)).count()).unwrap_or(u32::MAX);

    if let Some(claimed) = status.running_job.clone() {
        let seen_running = seen.history.iter().any(|run| run.job_name == claimed);
        if recorded_as_ended(seen.history, &claimed) || (seen_running && !seen.jobs.contains(&claimed)) {
            // Ended, or its Job existed and was deleted (by hand): released, never re-created.
            status.running_job = None;
            status.running_type = None;
        } else if !seen.jobs.contains(&claimed) {
            if seen.lingering || seen.suspended {
                return (status, Step::Wait(None));
            }
            let backup_type = status.running_type.clone().unwrap_or(BackupType::Diff);
            return (status, Step::Create { job: claimed, backup_type });
        } else {
            return (status, Step::Wait(None));
        }
    }
    if seen.unfinished || seen.pruning || seen.suspended || seen.lingering {
        return (status, Step::Wait(None));
    }
    let runs = Runs {
        last_full: status.last_base_backup_time.as_ref().map(|t| t.0),
        last_run: status.last_run_time.as_ref().map(|t| t.0),
        last_full_attempt: newest_attempt,
        running: false,
        failures: status.consecutive_failures,
    };
    let backup_type = match next(runs, schedule, interval_seconds, now) {
        Next::Full => BackupType::Full,
        Next::Diff => BackupType::Diff,
        Next::WaitUntil(at) => return (status, Step::Wait(Some(at))),
        Next::Busy => return (status, Step::Wait(None)),
    };
    let job = run_name(backup_name, now);
    status.running_job = Some(job.clone());
    status.running_type = Some(backup_type.clone());
    status.last_run_time = Some(Time(now));
    (status, Step::Start { job, backup_type })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    fn run(job: &str, backup_type: BackupType, started: &str, phase: RunPhase) -> BackupRun {
        BackupRun {
            job_name: job.into(),
            r#type: Some(backup_type),
            start_time: Some(Time(at(started))),
            phase: Some(phase),
            ..BackupRun::default()
        }
    }

    fn nightly() -> CronSchedule {
        CronSchedule::parse("0 2 * * *").unwrap()
    }

    #[test]
    fn the_first_run_is_a_full_claimed_before_it_is_created() {
        let (status, step) = cycle("prod-pitr", &Seen::default(), Some(&nightly()), 30, at("2025-01-04T12:00:00Z"));
        let job = "prod-pitr-backup-1735992000".to_owned();
        assert_eq!(step, Step::Start { job: job.clone(), backup_type: BackupType::Full });
        assert_eq!(status.running_job, Some(job));
        assert_eq!(status.running_type, Some(BackupType::Full));
        assert_eq!(status.last_run_time, Some(Time(at("2025-01-04T12:00:00Z"))));
    }

    #[test]
    fn a_claimed_run_is_created_once_and_waited_for() {
        let claimed = ShippingStatus {
            running_job: Some("prod-pitr-backup-1735992000".into()),
            running_type: Some(BackupType::Full),
            ..ShippingStatus::default()
        };
        let seen = Seen { previous: Some(&claimed), ..Seen::default() };
        let now = at("2025-01-04T12:00:01Z");
        let (status, step) = cycle("prod-pitr", &seen, Some(&nightly()), 30, now);
        assert_eq!(
            step,
            Step::Create { job: "prod-pitr-backup-1735992000".into(), backup_type: BackupType::Full },
            "a restart between the claim and the create creates that run, no other"
        );
        assert_eq!(status, claimed);
        let history = [run("prod-pitr-backup-1735992000", BackupType::Full, "2025-01-04T12:00:02Z", RunPhase::Running)];
        let seen = Seen {
            previous: Some(&claimed),
            history: &history,
            jobs: vec!["prod-pitr-backup-1735992000".into()],
            unfinished: true,
            ..Seen::default()
        };
        // Far past the interval and the base schedule: still one run at a time.
        assert_eq!(cycle("prod-pitr", &seen, Some(&nightly()), 30, at("2025-01-05T03:00:00Z")).1, Step::Wait(None));
    }

    #[test]
    fn a_finished_run_releases_the_claim_and_the_next_waits_for_the_interval() {
        let claimed = ShippingStatus {
            running_job: Some("prod-pitr-backup-1735992000".into()),
            running_type: Some(BackupType::Full),
            ..ShippingStatus::default()
        };
        let history =
            [run("prod-pitr-backup-1735992000", BackupType::Full, "2025-01-04T12:00:02Z", RunPhase::Succeeded)];
        let seen = Seen {
            previous: Some(&claimed),
            history: &history,
            jobs: vec!["prod-pitr-backup-1735992000".into()],
            ..Seen::default()
        };
        let (status, step) = cycle("prod-pitr", &seen, Some(&nightly()), 30, at("2025-01-04T12:00:20Z"));
        assert_eq!(status.running_job, None);
        // Timed by the claim in its name (12:00:00), not by its Job's start (12:00:02).
        assert_eq!(status.last_base_backup_time, Some(Time(at("2025-01-04T12:00:00Z"))));
        assert_eq!(step, Step::Wait(Some(at("2025-01-04T12:00:30Z"))));
        let (status, step) = cycle("prod-pitr", &seen, Some(&nightly()), 30, at("2025-01-04T12:00:30Z"));
        assert_eq!(step, Step::Start { job: "prod-pitr-backup-1735992030".into(), backup_type: BackupType::Diff });
        assert_eq!(status.running_type, Some(BackupType::Diff));
    }

    #[test]
    fn an_unclaimed_run_a_prune_or_a_suspension_holds_the_chain() {
        let now = at("2025-01-04T12:00:00Z");
        for seen in [
            Seen { unfinished: true, ..Seen::default() },
            Seen { pruning: true, ..Seen::default() },
            Seen { suspended: true, ..Seen::default() },
            Seen { lingering: true, ..Seen::default() },
        ] {
            assert_eq!(cycle("prod-pitr", &seen, Some(&nightly()), 30, now).1, Step::Wait(None), "{seen:?}");
        }
    }

    #[test]
    fn failures_are_counted_from_the_newest_run_and_a_failed_full_is_not_a_base() {
        let history = [
            run("r4", BackupType::Diff, "2025-01-04T12:02:00Z", RunPhase::Running),
            run("r3", BackupType::Full, "2025-01-04T12:01:00Z", RunPhase::Failed),
            run("r2", BackupType::Diff, "2025-01-04T12:00:30Z", RunPhase::Failed),
            run("r1", BackupType::Full, "2025-01-04T12:00:00Z", RunPhase::Succeeded),
        ];
        let seen = Seen { history: &history, jobs: vec!["r4".into()], unfinished: true, ..Seen::default() };
        let (status, _) = cycle("prod-pitr", &seen, Some(&nightly()), 30, at("2025-01-04T12:02:10Z"));
        assert_eq!(status.consecutive_failures, 2);
        assert_eq!(status.last_base_backup_time, Some(Time(at("2025-01-04T12:00:00Z"))));
        assert_eq!(status.last_run_time, Some(Time(at("2025-01-04T12:02:00Z"))));
    }

    #[test]
    fn a_run_whose_job_was_deleted_is_released_not_run_again() {
        let claimed = ShippingStatus {
            running_job: Some("prod-pitr-backup-1735992000".into()),
            running_type: Some(BackupType::Diff),
            ..ShippingStatus::default()
        };
        // The history saw its Job running; now the Job is gone, its Pod still terminating.
        let history = [run("prod-pitr-backup-1735992000", BackupType::Diff, "2025-01-04T12:00:02Z", RunPhase::Running)];
        let seen = Seen { previous: Some(&claimed), history: &history, lingering: true, ..Seen::default() };
        let (status, step) = cycle("prod-pitr", &seen, Some(&nightly()), 30, at("2025-01-04T12:05:00Z"));
        assert_eq!(status.running_job, None, "released");
        assert_eq!(step, Step::Wait(None), "nothing while its Pod may still write the chain");
        let gone = Seen { lingering: false, ..seen };
        let (_, step) = cycle("prod-pitr", &gone, Some(&nightly()), 30, at("2025-01-04T12:05:00Z"));
        assert!(matches!(step, Step::Start { .. }), "{step:?}");
        // Claimed, never seen, a Pod of another run still there: the create waits too.
        let seen = Seen { previous: Some(&claimed), lingering: true, ..Seen::default() };
        assert_eq!(cycle("prod-pitr", &seen, Some(&nightly()), 30, at("2025-01-04T12:05:00Z")).1, Step::Wait(None));
    }
}
