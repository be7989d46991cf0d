//! The status of a Neo4jBackup, derived from what the controller observed: the verdict of the
//! rules, whether the target exists, and the Jobs that ran it. Pure: the controller writes the
//! result and emits an Event for each transition.

use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use k8s_openapi::jiff::Timestamp;

use crate::plan::backup_job::{BACKUP_TYPE_ANNOTATION, LOCATION_ANNOTATION};
use crate::status::conditions::set_condition;
use crate::status::job;
use crate::types::{
    BACKUP_HISTORY_LIMIT, BackupConditionType, BackupPhase, BackupRun, BackupType, Neo4jBackup, Neo4jBackupStatus,
    RunPhase,
};

/// What the controller saw of a backup's world.
#[derive(Clone, Debug, Default)]
pub struct Observed {
    /// Errors of the rules, one line each (empty when valid).
    pub errors: Vec<String>,
    /// `None` while unknown; `Some(false)` when the target does not exist.
    pub target_found: Option<bool>,
    /// Why the target could not be used, when it could not.
    pub target_problem: Option<String>,
    /// The Jobs of this backup (the one-shot Job, or those its CronJob created).
    pub jobs: Vec<Job>,
    /// The next run of the schedule, when scheduled and not suspended.
    pub next_run: Option<Timestamp>,
    /// The retention Job (PVC storage with a retention policy), when one has been created.
    pub retention_job: Option<Job>,
    /// What the retention Job reported (its termination message), when it finished.
    pub retention_report: Option<String>,
    /// Why failed backup Jobs failed, by Job name, from their Pods (neo4j-admin's last output).
    pub failure_reports: Vec<(String, String)>,
    /// Continuous protection: the shipping status after this reconcile (`spec.shipping`).
    pub shipping: Option<crate::types::ShippingStatus>,
    /// The window a finished run reported, and when that run completed.
    pub window: Option<(crate::pitr::summary::WindowReport, Timestamp)>,
}

/// A change worth an Event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transition {
    /// `Normal` or `Warning`.
    pub event_type: &'static str,
    /// CamelCase reason, e.g. `BackupSucceeded`.
    pub reason: &'static str,
    /// What happened.
    pub message: String,
}

fn run_of(job: &Job) -> BackupRun {
    let status = job.status.clone().unwrap_or_default();
    let annotations = job.metadata.annotations.clone().unwrap_or_default();
    let (phase, message) = if job::has_succeeded(job) {
        (RunPhase::Succeeded, None)
    } else if job::has_failed(job) {
        (RunPhase::Failed, job::failure_reason(job))
    } else if status.failed.unwrap_or(0) > 0 && status.active.unwrap_or(0) == 0 {
        (RunPhase::Failed, None)
    } else {
        (RunPhase::Running, None)
    };
    BackupRun {
        job_name: job.metadata.name.clone().unwrap_or_default(),
        r#type: annotations.get(BACKUP_TYPE_ANNOTATION).map(|t| BackupType::from(t.as_str())),
        start_time: status.start_time.or_else(|| job.metadata.creation_timestamp.clone()),
        completion_time: status
            .completion_time
            .or_else(|| job::condition(job, "Failed").and_then(|c| c.last_transition_time.clone())),
        phase: Some(phase),
        artifact: annotations.get(LOCATION_ANNOTATION).cloned(),
        size: None,
        message,
    }
}

fn start_key(run: &BackupRun) -> Option<Timestamp> {
    run.start_time.as_ref().map(|t| t.0)
}

/// Runs from the Jobs merged into the previous history: newest first, at most [`BACKUP_HISTORY_LIMIT`].
pub fn merged_history(previous: &[BackupRun], jobs: &[Job], reports: &[(String, String)]) -> Vec<BackupRun> {
    let mut runs: Vec<BackupRun> = jobs.iter().map(run_of).collect();
    for run in runs.iter_mut().filter(|r| r.phase == Some(RunPhase::Failed)) {
        if let Some((_, report)) = reports.iter().find(|(job, _)| *job == run.job_name) {
            run.message = Some(report.clone());
        } else if let Some(known) = previous.iter().find(|p| p.job_name == run.job_name && p.message.is_some()) {
            // Reported once already (the Pods may be gone since).
            run.message = known.message.clone();
        }
    }
    for old in previous {
        if !runs.iter().any(|run| run.job_name == old.job_name) {
            runs.push(old.clone());
        }
    }
    runs.sort_by(|a, b| start_key(b).cmp(&start_key(a)).then_with(|| b.job_name.cmp(&a.job_name)));
    runs.truncate(BACKUP_HISTORY_LIMIT);
    runs
}

/// The runs of `current` that have ended (Succeeded or Failed) and were not ended in `previous`:
/// what a reconcile counts once.
pub fn newly_ended<'a>(previous: &[BackupRun], current: &'a [BackupRun]) -> impl Iterator<Item = &'a BackupRun> {
    let ended = |run: &BackupRun| matches!(run.phase, Some(RunPhase::Succeeded | RunPhase::Failed));
    let before: Vec<(String, Option<RunPhase>)> =
        previous.iter().filter(|run| ended(run)).map(|run| (run.job_name.clone(), run.phase.clone())).collect();
    current.iter().filter(move |run| ended(run) && !before.iter().any(|(job, _)| *job == run.job_name))
}

/// The RetentionExecuted condition of a PVC backup, from its retention Job.
fn retention_state(observed: &Observed) -> (&'static str, &'static str, String) {
    let Some(job) = &observed.retention_job else {
        return ("Unknown", "WaitingForBackup", "retention runs after the next successful backup".to_owned());
    };
    let run = run_of(job);
    let after = job
        .metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get(crate::plan::retention_job::AFTER_JOB_ANNOTATION))
        .map(|name| format!(" after backup Job {name}"))
        .unwrap_or_default();
    let report = observed.retention_report.as_ref().map(|r| format!(": {r}")).unwrap_or_default();
    match run.phase {
        Some(RunPhase::Succeeded) => {
            ("True", "Executed", format!("Job {} applied the policy{after}{report}", run.job_name))
        }
        Some(RunPhase::Failed) => {
            let why = observed.retention_report.clone().or(run.message).unwrap_or_else(|| "see its logs".to_owned());
            ("False", "CleanupFailed", format!("Job {} failed{after}: {why}", run.job_name))
        }
        _ => ("Unknown", "Running", format!("Job {} is applying the policy{after}", run.job_name)),
    }
}

/// The status a backup should have now, and the transitions since `backup.status`.
pub fn backup_status(
    backup: &Neo4jBackup,
    observed: &Observed,
    now: Timestamp,
) -> (Neo4jBackupStatus, Vec<Transition>) {
    let previous = backup.status.clone().unwrap_or_default();
    let mut status = previous.clone();
    status.observed_generation = backup.metadata.generation;
    status.history = merged_history(&previous.history, &observed.jobs, &observed.failure_reports);
    let latest = status.history.first().cloned();
    let latest_finished = status.history.iter().find(|run| run.phase != Some(RunPhase::Running)).cloned();
    status.last_backup_time =
        latest.as_ref().and_then(|run| run.start_time.clone()).or(previous.last_backup_time.clone());
    let last_success = status
        .history
        .iter()
        .find(|run| run.phase == Some(RunPhase::Succeeded))
        .and_then(|run| run.completion_time.clone());
    status.last_successful_backup_time =
        [last_success, previous.last_successful_backup_time.clone()].into_iter().flatten().max();
    status.next_schedule_time = observed.next_run.map(Time);
    let shipping = backup.spec.shipping.is_some();
    let scheduled = backup.spec.schedule.is_some() || shipping;
    let suspended = scheduled && backup.spec.suspend == Some(true);
    // A shipping backup runs every interval: its phase says how the protection fares (the last
    // finished run), not whether a run is under way right now.
    let running = !shipping && latest.as_ref().is_some_and(|run| run.phase == Some(RunPhase::Running));
    // Kept while this reconcile could not look (the claim must survive a target problem), gone
    // once the backup no longer ships.
    status.shipping = if shipping { observed.shipping.clone().or(previous.shipping.clone()) } else { None };
    if let Some((report, at)) = &observed.window
        && previous.window_time.as_ref().is_none_or(|known| known.0 < *at)
    {
        status.recovery_window = report.recovery_window.clone();
        status.recovery_window.truncate(crate::types::MAX_DATABASES);
        status.window_time = Some(Time(*at));
    }

    let (phase, message) = if !observed.errors.is_empty() {
        (
            BackupPhase::Invalid,
            format!("the spec breaks {} rule(s): {}", observed.errors.len(), observed.errors.join("; ")),
        )
    } else if observed.target_found == Some(false) || observed.target_problem.is_some() {
        let why = observed.target_problem.clone().unwrap_or_else(|| "the target does not exist".to_owned());
        (BackupPhase::Pending, format!("waiting for the target: {why}"))
    } else if running {
        (
            BackupPhase::Running,
            format!("Job {} is running", latest.as_ref().map(|r| r.job_name.as_str()).unwrap_or_default()),
        )
    } else if suspended {
        (BackupPhase::Suspended, "the schedule is suspended".to_owned())
    } else {
        match &latest_finished {
            Some(run) if run.phase == Some(RunPhase::Failed) => (
                BackupPhase::Failed,
                format!(
                    "Job {} failed{}",
                    run.job_name,
                    run.message.as_ref().map(|m| format!(": {m}")).unwrap_or_default()
                ),
            ),
            Some(run) => (BackupPhase::Completed, format!("Job {} succeeded", run.job_name)),
            None if scheduled => (BackupPhase::Pending, "waiting for the first scheduled run".to_owned()),
            None => (BackupPhase::Pending, "waiting for the backup Job to start".to_owned()),
        }
    };

    let generation = backup.metadata.generation;
    let target = match (observed.target_found, &observed.target_problem) {
        (_, Some(problem)) => ("False", "Unusable", problem.clone()),
        (Some(true), None) => ("True", "Found", "the target exists and can be backed up".to_owned()),
        (Some(false), None) => ("False", "NotFound", "the target does not exist".to_owned()),
        (None, None) => ("Unknown", "NotChecked", "the target has not been looked up".to_owned()),
    };
    set_condition(
        &mut status.conditions,
        BackupConditionType::TargetFound.as_str(),
        target.0,
        target.1,
        &target.2,
        generation,
        now,
    );
    let success = match latest_finished.as_ref().and_then(|run| run.phase.clone()) {
        Some(RunPhase::Succeeded) => ("True", "BackupSucceeded", "the last run produced a backup"),
        Some(RunPhase::Failed) => ("False", "BackupFailed", "the last run failed"),
        _ => ("Unknown", "NoRunYet", "no run has finished yet"),
    };
    set_condition(
        &mut status.conditions,
        BackupConditionType::BackupSuccessful.as_str(),
        success.0,
        success.1,
        success.2,
        generation,
        now,
    );
    let ready = match phase {
        BackupPhase::Invalid | BackupPhase::Failed => "False",
        BackupPhase::Completed | BackupPhase::Running | BackupPhase::Suspended => "True",
        _ if scheduled && observed.target_found == Some(true) => "True",
        _ => "False",
    };
    set_condition(
        &mut status.conditions,
        BackupConditionType::Ready.as_str(),
        ready,
        phase.as_str(),
        &message,
        generation,
        now,
    );

    let rpo_kind = BackupConditionType::RpoMet.as_str();
    let mut rpo_missed = None;
    match (crate::rpo::objective(backup), backup.spec.rpo.as_deref()) {
        (Some(objective), Some(rpo)) => {
            let (state, reason, message) =
                crate::rpo::standing(objective, rpo, crate::rpo::newest_restorable(&status), now);
            let before = previous.conditions.iter().find(|c| c.type_ == rpo_kind).map(|c| c.reason.clone());
            set_condition(&mut status.conditions, rpo_kind, state, reason, &message, generation, now);
            if reason == "ObjectiveMissed" && before.as_deref() != Some(reason) {
                rpo_missed = Some(message);
            }
        }
        _ => status.conditions.retain(|c| c.type_ != rpo_kind),
    }

    let mut transitions = Vec::new();
    if let Some(message) = rpo_missed {
        transitions.push(Transition { event_type: "Warning", reason: "RPOMissed", message });
    }
    let cloud = backup
        .spec
        .storage
        .as_ref()
        .and_then(|s| s.r#type.as_ref())
        .is_some_and(|t| crate::rules::storage::provider_of(t).is_some());
    let retention_kind = BackupConditionType::RetentionExecuted.as_str();
    let had_lifecycle_notice =
        previous.conditions.iter().any(|c| c.type_ == retention_kind && c.reason == "BucketLifecycleRules");
    match (&backup.spec.retention, cloud) {
        (Some(_), true) => {
            let message = "retention is not executed for cloud storage: configure lifecycle rules on the bucket to expire old backups";
            set_condition(
                &mut status.conditions,
                retention_kind,
                "False",
                "BucketLifecycleRules",
                message,
                generation,
                now,
            );
            if !had_lifecycle_notice {
                transitions.push(Transition {
                    event_type: "Normal",
                    reason: "RetentionByBucketLifecycle",
                    message: message.to_owned(),
                });
            }
        }
        (Some(_), false) => {
            let (state, reason, message) = retention_state(observed);
            let before = previous.conditions.iter().find(|c| c.type_ == retention_kind);
            let changed = before.is_none_or(|c| c.reason != reason || c.message != message);
            set_condition(&mut status.conditions, retention_kind, state, reason, &message, generation, now);
            if changed && matches!(reason, "Executed" | "CleanupFailed") {
                let (event_type, reason) =
                    if reason == "Executed" { ("Normal", "RetentionExecuted") } else { ("Warning", "RetentionFailed") };
                transitions.push(Transition { event_type, reason, message });
            }
        }
        (None, _) => status.conditions.retain(|c| c.type_ != retention_kind),
    }
    // A target that becomes unusable while the phase stays (Pending: it was missing before, or
    // unusable for another reason) is a Warning of its own: the phase change is not there to say it.
    let target_was = previous.conditions.iter().find(|c| c.type_ == BackupConditionType::TargetFound.as_str());
    let newly_unusable =
        target.1 == "Unusable" && target_was.is_none_or(|c| c.reason != target.1 || c.message != target.2);
    if newly_unusable && previous.phase.as_ref() == Some(&phase) {
        transitions.push(Transition { event_type: "Warning", reason: "TargetUnusable", message: message.clone() });
    }
    if previous.phase.as_ref() != Some(&phase) {
        let (event_type, reason) = match phase {
            BackupPhase::Invalid => ("Warning", "InvalidSpec"),
            BackupPhase::Failed => ("Warning", "BackupFailed"),
            BackupPhase::Completed => ("Normal", "BackupSucceeded"),
            BackupPhase::Running => ("Normal", "BackupStarted"),
            BackupPhase::Suspended => ("Normal", "Suspended"),
            // A target that cannot be read (its CRD missing, served at a version we cannot read)
            // needs someone to act: a Warning, not a quiet Pending.
            _ if observed.target_problem.is_some() => ("Warning", "TargetUnusable"),
            _ => ("Normal", "Pending"),
        };
        transitions.push(Transition { event_type, reason, message: message.clone() });
    }
    status.phase = Some(phase);
    status.message = Some(message);
    (status, transitions)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn backup(spec_extra: serde_json::Value, status: serde_json::Value) -> Neo4jBackup {
        let mut object = json!({"apiVersion": "neo4j.neo4j.com/v1alpha1", "kind": "Neo4jBackup",
            "metadata": {"name": "nightly", "namespace": "neo4j", "generation": 2},
            "spec": {"target": {"kind": "Cluster", "name": "prod"}, "storage": {"type": "pvc", "pvc": {"name": "b"}}},
            "status": status});
        json_patch::merge(&mut object["spec"], &spec_extra);
        serde_json::from_value(object).unwrap()
    }

    fn job(name: &str, start: &str, outcome: &str) -> Job {
        let conditions = match outcome {
            "ok" => json!([{"type": "SuccessCriteriaMet", "status": "True"}, {"type": "Complete", "status": "True"}]),
            "failed" => {
                json!([{"type": "Failed", "status": "True", "reason": "BackoffLimitExceeded", "message": "Job has reached the specified backoff limit", "lastTransitionTime": "2025-01-20T02:10:00Z"}])
            }
            _ => json!([]),
        };
        let completion = if outcome == "ok" { json!("2025-01-20T02:05:00Z") } else { json!(null) };
        serde_json::from_value(json!({"apiVersion": "batch/v1", "kind": "Job",
            "metadata": {"name": name, "annotations": {"neo4j.neo4j.com/backup-type": "FULL", "neo4j.neo4j.com/location": "s3://b/p"}},
            "status": {"startTime": start, "completionTime": completion, "active": if outcome == "running" { 1 } else { 0 }, "conditions": conditions}}))
        .unwrap()
    }

    fn now() -> Timestamp {
        "2025-01-20T03:00:00Z".parse().unwrap()
    }

    fn found() -> Observed {
        Observed { target_found: Some(true), ..Observed::default() }
    }

    fn condition(status: &Neo4jBackupStatus, kind: &str) -> (String, String) {
        let c = status.conditions.iter().find(|c| c.type_ == kind).expect("condition");
        (c.status.clone(), c.reason.clone())
    }

    #[test]
    fn an_invalid_spec_is_invalid_with_its_errors() {
        let observed = Observed {
            errors: vec!["spec.storage.type: is required; set it to s3, gcs, azure or pvc".into()],
            ..found()
        };
        let (status, transitions) = backup_status(&backup(json!({}), json!(null)), &observed, now());
        assert_eq!(status.phase, Some(BackupPhase::Invalid));
        assert_eq!(
            status.message.as_deref(),
            Some("the spec breaks 1 rule(s): spec.storage.type: is required; set it to s3, gcs, azure or pvc")
        );
        assert_eq!(condition(&status, "Ready"), ("False".into(), "Invalid".into()));
        assert_eq!(transitions[0].reason, "InvalidSpec");
        assert_eq!(status.observed_generation, Some(2));
    }

    #[test]
    fn a_missing_target_waits() {
        let observed = Observed { target_found: Some(false), ..Observed::default() };
        let (status, _) = backup_status(&backup(json!({}), json!(null)), &observed, now());
        assert_eq!(
            (status.phase.clone(), status.message.as_deref()),
            (Some(BackupPhase::Pending), Some("waiting for the target: the target does not exist"))
        );
        assert_eq!(condition(&status, "TargetFound"), ("False".into(), "NotFound".into()));
    }

    #[test]
    fn a_target_that_cannot_be_used_says_why() {
        let observed = Observed {
            target_found: Some(true),
            target_problem: Some(
                "Neo4jEnterpriseCluster \"prod\" has no spec.image.tag; its Neo4j version is unknown".into(),
            ),
            ..Observed::default()
        };
        let (status, transitions) = backup_status(&backup(json!({}), json!(null)), &observed, now());
        assert_eq!(condition(&status, "TargetFound"), ("False".into(), "Unusable".into()));
        assert_eq!((transitions[0].event_type, transitions[0].reason), ("Warning", "TargetUnusable"));
        // Already Pending (the target was missing): the new problem is still a Warning, once.
        let missing = Observed { target_found: Some(false), ..Observed::default() };
        let (was, _) = backup_status(&backup(json!({}), json!(null)), &missing, now());
        let pending = backup(json!({}), serde_json::to_value(&was).unwrap());
        let (then, transitions) = backup_status(&pending, &observed, now());
        assert_eq!(
            transitions.iter().map(|t| (t.event_type, t.reason)).collect::<Vec<_>>(),
            [("Warning", "TargetUnusable")]
        );
        let again = backup(json!({}), serde_json::to_value(&then).unwrap());
        assert!(backup_status(&again, &observed, now()).1.is_empty(), "said once");
        assert_eq!(
            status.message.as_deref(),
            Some(
                "waiting for the target: Neo4jEnterpriseCluster \"prod\" has no spec.image.tag; its Neo4j version is unknown"
            )
        );
    }

    #[test]
    fn a_one_shot_run_goes_running_then_completed() {
        let running = Observed { jobs: vec![job("nightly-backup", "2025-01-20T02:00:00Z", "running")], ..found() };
        let (status, transitions) = backup_status(&backup(json!({}), json!(null)), &running, now());
        assert_eq!(status.phase, Some(BackupPhase::Running));
        assert_eq!(
            transitions,
            vec![Transition {
                event_type: "Normal",
                reason: "BackupStarted",
                message: "Job nightly-backup is running".into()
            }]
        );
        let started: serde_json::Value = serde_json::to_value(&status).unwrap();

        let done = Observed { jobs: vec![job("nightly-backup", "2025-01-20T02:00:00Z", "ok")], ..found() };
        let (status, transitions) = backup_status(&backup(json!({}), started), &done, now());
        assert_eq!(status.phase, Some(BackupPhase::Completed));
        assert_eq!(transitions[0].reason, "BackupSucceeded");
        assert_eq!(
            status.last_successful_backup_time.as_ref().map(|t| t.0.to_string()),
            Some("2025-01-20T02:05:00Z".into())
        );
        assert_eq!(status.history.len(), 1);
        assert_eq!(status.history[0].artifact.as_deref(), Some("s3://b/p"));
        assert_eq!(status.history[0].r#type, Some(BackupType::Full));
        assert_eq!(condition(&status, "BackupSuccessful"), ("True".into(), "BackupSucceeded".into()));
    }

    #[test]
    fn a_failed_run_says_why_and_an_unchanged_phase_emits_nothing() {
        let failed = Observed { jobs: vec![job("nightly-backup", "2025-01-20T02:00:00Z", "failed")], ..found() };
        let (status, transitions) = backup_status(&backup(json!({}), json!(null)), &failed, now());
        assert_eq!(
            status.message.as_deref(),
            Some("Job nightly-backup failed: Job has reached the specified backoff limit")
        );
        assert_eq!(transitions[0].event_type, "Warning");
        let again = backup(json!({}), serde_json::to_value(&status).unwrap());
        let (second, transitions) = backup_status(&again, &failed, now());
        assert!(transitions.is_empty());
        assert_eq!(second.conditions, status.conditions, "conditions keep their transition times");
    }

    #[test]
    fn scheduled_history_outlives_the_cronjobs_jobs_and_stays_bounded() {
        let previous: Vec<serde_json::Value> = (0..25)
            .map(|i| json!({"jobName": format!("nightly-backup-{i:03}"), "startTime": format!("2025-01-{:02}T02:00:00Z", (i % 19) + 1), "phase": "Succeeded"}))
            .collect();
        let status = json!({"phase": "Completed", "history": previous});
        let observed = Observed { jobs: vec![job("nightly-backup-999", "2025-01-20T02:00:00Z", "ok")], ..found() };
        let (status, _) = backup_status(&backup(json!({"schedule": "0 2 * * *"}), status), &observed, now());
        assert_eq!(status.history.len(), BACKUP_HISTORY_LIMIT);
        assert_eq!(status.history[0].job_name, "nightly-backup-999", "newest first");
    }

    #[test]
    fn retention_on_cloud_storage_is_left_to_bucket_lifecycle_rules() {
        let cloud = backup(
            json!({"storage": {"type": "s3", "bucket": "b-1", "pvc": null}, "retention": {"maxCount": 7}}),
            json!(null),
        );
        let (status, transitions) = backup_status(&cloud, &found(), now());
        assert_eq!(condition(&status, "RetentionExecuted"), ("False".into(), "BucketLifecycleRules".into()));
        assert!(transitions.iter().any(|t| t.reason == "RetentionByBucketLifecycle"));
        let again = backup(
            json!({"storage": {"type": "s3", "bucket": "b-1", "pvc": null}, "retention": {"maxCount": 7}}),
            serde_json::to_value(&status).unwrap(),
        );
        let (_, transitions) = backup_status(&again, &found(), now());
        assert!(transitions.is_empty(), "said once");
        let none = backup(json!({}), json!(null));
        assert!(backup_status(&none, &found(), now()).0.conditions.iter().all(|c| c.type_ != "RetentionExecuted"));
    }

    #[test]
    fn a_failed_run_says_what_neo4j_admin_said() {
        let failed = job("nightly-backup", "2025-01-20T02:00:00Z", "failed");
        let report = "Backup failed: Unable to connect to prod-server-0.prod-headless.neo4j.svc.cluster.local:6362";
        let observed = Observed {
            jobs: vec![failed.clone()],
            failure_reports: vec![("nightly-backup".into(), report.into())],
            ..found()
        };
        let (status, _) = backup_status(&backup(json!({}), json!(null)), &observed, now());
        assert_eq!(status.history[0].message.as_deref(), Some(report));
        assert_eq!(status.message.as_deref(), Some(format!("Job nightly-backup failed: {report}").as_str()));
        // Later the Pods are gone: the report recorded in the history stays.
        let again = backup(json!({}), serde_json::to_value(&status).unwrap());
        let (status, _) = backup_status(&again, &Observed { jobs: vec![failed], ..found() }, now());
        assert_eq!(status.history[0].message.as_deref(), Some(report));
    }

    #[test]
    fn retention_of_pvc_backups_follows_its_job() {
        let pvc = backup(json!({"retention": {"maxCount": 7}}), json!(null));
        let (status, transitions) = backup_status(&pvc, &found(), now());
        assert_eq!(condition(&status, "RetentionExecuted"), ("Unknown".into(), "WaitingForBackup".into()));
        assert!(transitions.iter().all(|t| !t.reason.starts_with("Retention")));

        let mut prune = job("nightly-prune", "2025-01-20T02:06:00Z", "running");
        prune.metadata.annotations =
            Some([("neo4j.neo4j.com/after-job".to_owned(), "nightly-backup".to_owned())].into_iter().collect());
        let running = Observed { retention_job: Some(prune.clone()), ..found() };
        let (status, _) = backup_status(&pvc, &running, now());
        let c = status.conditions.iter().find(|c| c.type_ == "RetentionExecuted").unwrap();
        assert_eq!((c.status.as_str(), c.reason.as_str()), ("Unknown", "Running"));
        assert_eq!(c.message, "Job nightly-prune is applying the policy after backup Job nightly-backup");

        let mut done = prune.clone();
        done.status = job("x", "2025-01-20T02:06:00Z", "ok").status;
        let report = "kept 7, deleted 2: neo4j-2025-01-01T02-00-00.backup, neo4j-2025-01-02T02-00-00.backup";
        let succeeded = Observed { retention_job: Some(done), retention_report: Some(report.to_owned()), ..found() };
        let (status, transitions) = backup_status(&pvc, &succeeded, now());
        let c = status.conditions.iter().find(|c| c.type_ == "RetentionExecuted").unwrap();
        assert_eq!((c.status.as_str(), c.reason.as_str()), ("True", "Executed"));
        assert_eq!(
            c.message,
            format!("Job nightly-prune applied the policy after backup Job nightly-backup: {report}")
        );
        assert_eq!(transitions.iter().filter(|t| t.reason == "RetentionExecuted").count(), 1);
        let again = backup(json!({"retention": {"maxCount": 7}}), serde_json::to_value(&status).unwrap());
        let (_, transitions) = backup_status(&again, &succeeded, now());
        assert!(transitions.is_empty(), "one Event per retention run");

        let mut failed = prune;
        failed.status = job("x", "2025-01-20T02:06:00Z", "failed").status;
        let why = "x.backup is in /backups but not in the inventory of neo4j-admin backup inspect; nothing was removed";
        let failed = Observed { retention_job: Some(failed), retention_report: Some(why.to_owned()), ..found() };
        let (status, transitions) = backup_status(&pvc, &failed, now());
        let c = status.conditions.iter().find(|c| c.type_ == "RetentionExecuted").unwrap();
        assert_eq!((c.status.as_str(), c.reason.as_str()), ("False", "CleanupFailed"));
        assert_eq!(c.message, format!("Job nightly-prune failed after backup Job nightly-backup: {why}"));
        assert_eq!(transitions[0].event_type, "Warning");
        assert_eq!(transitions[0].reason, "RetentionFailed");
        assert_eq!(status.phase, Some(BackupPhase::Pending), "a failed cleanup does not fail the backup");
    }

    #[test]
    fn suspended_and_waiting_schedules() {
        let (status, _) =
            backup_status(&backup(json!({"schedule": "@daily", "suspend": true}), json!(null)), &found(), now());
        assert_eq!(status.phase, Some(BackupPhase::Suspended));
        let next = Observed { next_run: Some("2025-01-21T00:00:00Z".parse().unwrap()), ..found() };
        let (status, _) = backup_status(&backup(json!({"schedule": "@daily"}), json!(null)), &next, now());
        assert_eq!(
            (status.phase.clone(), status.message.as_deref()),
            (Some(BackupPhase::Pending), Some("waiting for the first scheduled run"))
        );
        assert_eq!(status.next_schedule_time.as_ref().map(|t| t.0.to_string()), Some("2025-01-21T00:00:00Z".into()));
        assert_eq!(condition(&status, "Ready"), ("True".into(), "Pending".into()));
    }

    #[test]
    fn the_shipping_status_survives_a_blind_reconcile_and_goes_with_the_shipping() {
        let claimed = json!({"shipping": {"runningJob": "nightly-backup-1737338400", "runningType": "DIFF", "consecutiveFailures": 0}});
        let shipping = backup(json!({"schedule": "@daily", "shipping": {"interval": "1m"}}), claimed.clone());
        // A target problem: this reconcile did not fold the runs, and the claim stays.
        let (status, _) = backup_status(&shipping, &Observed { target_problem: Some("x".into()), ..found() }, now());
        let kept = status.shipping.as_ref().and_then(|s| s.running_job.as_deref());
        assert_eq!(kept, Some("nightly-backup-1737338400"));
        let (status, _) = backup_status(&backup(json!({"schedule": "@daily"}), claimed), &found(), now());
        assert_eq!(status.shipping, None, "a backup that no longer ships has no shipping status");
    }

    #[test]
    fn the_recovery_point_objective_is_held_against_the_stalest_database() {
        let window = json!({"lastSuccessfulBackupTime": "2025-01-20T02:59:00Z", "recoveryWindow": [
            {"database": "orders", "latest": "2025-01-20T02:30:00Z", "contiguous": true},
            {"database": "people", "latest": "2025-01-20T01:30:00Z", "contiguous": true}]});
        let met = backup(json!({"schedule": "*/15 * * * *", "rpo": "2h"}), window.clone());
        let (status, transitions) = backup_status(&met, &found(), now());
        let c = status.conditions.iter().find(|c| c.type_ == "RPOMet").unwrap();
        assert_eq!((c.status.as_str(), c.reason.as_str()), ("True", "WithinObjective"));
        assert_eq!(c.message, "the newest restorable moment 2025-01-20T01:30:00Z is within the objective of 2h");
        assert!(transitions.iter().all(|t| t.reason != "RPOMissed"));

        let missed = backup(json!({"schedule": "*/15 * * * *", "rpo": "1h"}), window);
        let (status, transitions) = backup_status(&missed, &found(), now());
        let c = status.conditions.iter().find(|c| c.type_ == "RPOMet").unwrap();
        assert_eq!((c.status.as_str(), c.reason.as_str()), ("False", "ObjectiveMissed"));
        assert_eq!(
            c.message,
            "the newest restorable moment 2025-01-20T01:30:00Z is older than the objective of 1h: a restore now would lose more than that"
        );
        let warned: Vec<&str> = transitions.iter().filter(|t| t.reason == "RPOMissed").map(|t| t.event_type).collect();
        assert_eq!(warned, ["Warning"], "one Warning when the objective is first missed");
        let again = backup(json!({"schedule": "*/15 * * * *", "rpo": "1h"}), serde_json::to_value(&status).unwrap());
        let (_, transitions) = backup_status(&again, &found(), now());
        assert!(transitions.iter().all(|t| t.reason != "RPOMissed"), "not again while it stays missed");

        let dropped = backup(json!({"schedule": "*/15 * * * *"}), serde_json::to_value(&status).unwrap());
        let (status, _) = backup_status(&dropped, &found(), now());
        assert!(status.conditions.iter().all(|c| c.type_ != "RPOMet"), "no objective, no condition");
        // A database the newest run no longer backs up (dropped) does not hold the objective.
        let dropped_db = json!({"lastSuccessfulBackupTime": "2025-01-20T02:45:00Z",
            "history": [{"jobName": "nightly-backup-1", "phase": "Succeeded", "startTime": "2025-01-20T02:30:00Z"}],
            "recoveryWindow": [
                {"database": "orders", "latest": "2025-01-20T02:30:00Z", "contiguous": true},
                {"database": "gone", "latest": "2025-01-01T02:00:00Z", "contiguous": true}]});
        let (status, _) =
            backup_status(&backup(json!({"schedule": "*/15 * * * *", "rpo": "1h"}), dropped_db), &found(), now());
        let c = status.conditions.iter().find(|c| c.type_ == "RPOMet").unwrap();
        assert_eq!((c.status.as_str(), c.reason.as_str()), ("True", "WithinObjective"), "{}", c.message);
        let nothing = backup(json!({"rpo": "1h"}), json!(null));
        let (status, _) = backup_status(&nothing, &found(), now());
        let c = status.conditions.iter().find(|c| c.type_ == "RPOMet").unwrap();
        assert_eq!((c.status.as_str(), c.reason.as_str()), ("False", "NothingRestorable"));
    }
}
