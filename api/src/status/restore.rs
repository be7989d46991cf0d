//! The status of a Neo4jRestore, from the machine's decision and what the controller observed:
//! phase, message, the conditions `Ready`, `JobCreated`, `ClusterStopped` and `BackupVerified`,
//! start and completion times, the backup restored, and an Event for every step.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use k8s_openapi::jiff::Timestamp;

use crate::plan::restore_job::RestoreJob;
use crate::restore::artifact::ChosenArtifact;
use crate::restore::machine::{Decision, JobState, Observed};
use crate::status::backup::Transition;
use crate::status::conditions::set_condition;
use crate::types::{
    Neo4jRestore, Neo4jRestoreStatus, RestoreBackupInfo, RestoreConditionType, RestorePhase, RestoreStats, RestoreStep,
};

/// `12m30s`, `2h0m5s`, `40s`.
pub fn human(seconds: i64) -> String {
    let (h, m, s) = (seconds / 3600, seconds % 3600 / 60, seconds % 60);
    match (h, m) {
        (0, 0) => format!("{s}s"),
        (0, _) => format!("{m}m{s}s"),
        _ => format!("{h}h{m}m{s}s"),
    }
}

/// `512B`, `1.5Ki`, `4.2Gi`: sizes in the units of Kubernetes quantities.
fn bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["Ki", "Mi", "Gi", "Ti", "Pi"];
    if n < 1024 {
        return format!("{n}B");
    }
    let mut value = n as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1}{}", UNITS[unit])
}

/// What the restore Job's agent measured: `{"bytes":N,"files":M}`.
#[derive(serde::Deserialize)]
struct Measured {
    bytes: u64,
    files: u64,
}

fn step_event(step: &RestoreStep) -> (&'static str, &'static str) {
    match step {
        RestoreStep::Resolving => ("Normal", "Resolving"),
        RestoreStep::Verifying => ("Normal", "VerifyingBackup"),
        RestoreStep::PreRestoreHooks => ("Normal", "PreRestoreHooks"),
        RestoreStep::StoppingCluster => ("Normal", "StoppingCluster"),
        RestoreStep::Restoring => ("Normal", "Restoring"),
        RestoreStep::StartingCluster => ("Normal", "StartingCluster"),
        RestoreStep::BringingUp => ("Normal", "BringingUpDatabase"),
        RestoreStep::PostRestoreHooks => ("Normal", "PostRestoreHooks"),
        RestoreStep::Checking => ("Normal", "CheckingHealth"),
        RestoreStep::AwaitingPromotion => ("Normal", "AwaitingPromotion"),
        RestoreStep::Promoting => ("Normal", "Promoting"),
        RestoreStep::RetiringPrevious => ("Normal", "RetiringPrevious"),
        RestoreStep::Done | RestoreStep::Unknown(_) => ("Normal", "Done"),
    }
}

/// The status after `decision`, and the transitions since `restore.status`.
pub fn restore_status(
    restore: &Neo4jRestore,
    decision: &Decision,
    observed: &Observed,
    now: Timestamp,
) -> (Neo4jRestoreStatus, Vec<Transition>) {
    let previous = restore.status.clone().unwrap_or_default();
    let mut status = previous.clone();
    let generation = restore.metadata.generation;
    status.observed_generation = generation;
    status.phase = Some(decision.phase.clone());
    status.message = Some(decision.message.clone());
    let mut progress = decision.progress.clone();
    let before = previous.progress.as_ref().and_then(|p| p.step.as_ref());
    if progress.step.is_some() && (progress.step.as_ref() != before || progress.step_since.is_none()) {
        progress.step_since = Some(Time(now));
    }
    status.progress = Some(progress);
    let finished = matches!(decision.phase, RestorePhase::Completed | RestorePhase::Failed);
    if decision.phase != RestorePhase::Pending && status.start_time.is_none() {
        status.start_time = Some(Time(now));
    }
    if finished && status.completion_time.is_none() {
        status.completion_time = Some(Time(now));
    }
    if let (Some(start), Some(end)) = (&status.start_time, &status.completion_time) {
        let stats = status.stats.get_or_insert_with(RestoreStats::default);
        stats.duration = Some(human(end.0.duration_since(start.0).as_secs().max(0)));
    }

    let measured = observed.jobs.iter().find_map(|(kind, state)| match (kind, state) {
        (RestoreJob::Restore, JobState::Succeeded(Some(report))) => serde_json::from_str::<Measured>(report).ok(),
        _ => None,
    });
    if let Some(measured) = measured {
        let stats = status.stats.get_or_insert_with(RestoreStats::default);
        stats.data_size = Some(bytes(measured.bytes));
        stats.file_count = Some(i32::try_from(measured.files).unwrap_or(i32::MAX));
        stats.error_count = Some(0);
    }
    if let Some(alias) = restore.spec.promotion_alias() {
        let candidate = restore.spec.database_name.clone().unwrap_or_default();
        let promotion = decision.progress.promotion.as_ref();
        let promoted = match (promotion.and_then(|p| p.promoted_at.as_ref()), &decision.phase) {
            (Some(_), _) => Some(("True", "Switched", format!("the alias {alias} points at {candidate}"))),
            (None, RestorePhase::Failed) => {
                Some(("False", "NotPromoted", format!("the alias {alias} was not switched to {candidate}")))
            }
            _ => None,
        };
        if let Some((state, reason, message)) = promoted {
            let kind = RestoreConditionType::Promoted.as_str();
            set_condition(&mut status.conditions, kind, state, reason, &message, generation, now);
        }
    }
    // Recorded once the checks decided: a report while they wait (no connection yet) changes at
    // every try (its timestamp and durations) and would rewrite the status each time.
    let decided = decision.progress.step != Some(RestoreStep::Checking);
    if let Some(report) = observed.health.as_ref().filter(|_| decided) {
        if let Some(figures) = report.graph_stats {
            let stats = status.stats.get_or_insert_with(RestoreStats::default);
            stats.node_count = Some(figures.nodes);
            stats.relationship_count = Some(figures.relationships);
        }
        let (state, reason, message) = match report.status.as_str() {
            "healthy" => ("True", "ChecksPassed", format!("{} health check(s) passed", report.checks.len())),
            "degraded" => {
                ("True", "ChecksWarned", format!("{} health check(s) passed, some with warnings", report.checks.len()))
            }
            _ => ("False", "ChecksFailed", "a health check failed; see status.health".to_owned()),
        };
        set_condition(
            &mut status.conditions,
            RestoreConditionType::Healthy.as_str(),
            state,
            reason,
            &message,
            generation,
            now,
        );
        status.health = Some(report.clone());
    }

    // The backup restored: from the inspect Job's report, or the artifact named in the spec.
    if let Some(artifact) = &decision.progress.artifact {
        let info = status.backup_info.get_or_insert_with(RestoreBackupInfo::default);
        info.backup_path = Some(artifact.clone());
        if let Ok(source) = &observed.source {
            info.original_database.get_or_insert_with(|| source.database.clone());
        }
        if let Some(version) = &observed.backup_version {
            info.neo4j_version = Some(version.clone());
        }
        let report = observed.jobs.iter().find_map(|(kind, state)| match (kind, state) {
            (RestoreJob::Inspect, JobState::Succeeded(Some(report))) => {
                serde_json::from_str::<ChosenArtifact>(report).ok()
            }
            _ => None,
        });
        if let Some(taken) = report.and_then(|chosen| chosen.time.parse::<Timestamp>().ok()) {
            info.backup_created_at = Some(Time(taken));
        }
    }

    let job = |kind| observed.jobs.iter().find(|(k, _)| *k == kind).map(|(_, s)| s.clone());
    let ready = match decision.phase {
        RestorePhase::Completed => ("True", "Completed"),
        RestorePhase::Failed => ("False", "Failed"),
        _ => ("Unknown", if decision.phase == RestorePhase::Pending { "Pending" } else { "InProgress" }),
    };
    set_condition(
        &mut status.conditions,
        RestoreConditionType::Ready.as_str(),
        ready.0,
        ready.1,
        &decision.message,
        generation,
        now,
    );
    let restore_job_name = RestoreJob::Restore.job_name(restore.metadata.name.as_deref().unwrap_or_default());
    let created = match job(RestoreJob::Restore) {
        Some(JobState::Absent) | None => None,
        Some(JobState::Running) => Some(("True", "Running", format!("Job {restore_job_name} is running"))),
        Some(JobState::Succeeded(_)) => Some(("True", "Succeeded", format!("Job {restore_job_name} succeeded"))),
        Some(JobState::Failed(why)) => Some(("True", "Failed", format!("Job {restore_job_name} failed: {why}"))),
    };
    let created = created.or_else(|| {
        decision
            .actions
            .iter()
            .any(|a| matches!(a, crate::restore::machine::Action::CreateJob(j) if j.metadata.name.as_deref() == Some(restore_job_name.as_str())))
            .then(|| ("True", "Created", format!("Job {restore_job_name} created")))
    });
    let created = created.unwrap_or(("False", "NotYet", "the restore Job has not been created".to_owned()));
    set_condition(
        &mut status.conditions,
        RestoreConditionType::JobCreated.as_str(),
        created.0,
        created.1,
        &created.2,
        generation,
        now,
    );
    if let Some(count) = decision.progress.original_replicas {
        let stopped = match observed.servers {
            Some(servers) if servers.replicas == 0 => {
                ("True", "ScaledDown", format!("scaled to 0; {count} replicas are restored afterwards"))
            }
            _ if decision.progress.step == Some(RestoreStep::StoppingCluster) => {
                ("False", "Stopping", "scaling to 0".to_owned())
            }
            _ => ("False", "Restarted", format!("scaled back to {count} replicas")),
        };
        set_condition(
            &mut status.conditions,
            RestoreConditionType::ClusterStopped.as_str(),
            stopped.0,
            stopped.1,
            &stopped.2,
            generation,
            now,
        );
    }
    if restore.spec.options.as_ref().and_then(|o| o.verify_backup) == Some(true) {
        let verified = match job(RestoreJob::Verify) {
            Some(JobState::Succeeded(_)) => {
                ("True", "CheckPassed", "neo4j-admin database check found the backup consistent".to_owned())
            }
            Some(JobState::Failed(why)) => {
                ("False", "CheckFailed", format!("the check failed: {why}; the target was not touched"))
            }
            _ => ("Unknown", "NotChecked", "the backup has not been checked yet".to_owned()),
        };
        set_condition(
            &mut status.conditions,
            RestoreConditionType::BackupVerified.as_str(),
            verified.0,
            verified.1,
            &verified.2,
            generation,
            now,
        );
    }

    let mut transitions = Vec::new();
    let before = previous.progress.as_ref().and_then(|p| p.step.clone());
    if let Some(step) = decision.progress.step.clone().filter(|s| Some(s) != before.as_ref() && *s != RestoreStep::Done)
    {
        let (event_type, reason) = step_event(&step);
        transitions.push(Transition { event_type, reason, message: decision.message.clone() });
    }
    let promotion = |progress: Option<&crate::types::RestoreProgress>| progress.and_then(|p| p.promotion.clone());
    let (was, now_) = (promotion(previous.progress.as_ref()).unwrap_or_default(), promotion(Some(&decision.progress)));
    if let Some(now_) = now_ {
        if was.promoted_at.is_none() && now_.promoted_at.is_some() {
            transitions.push(Transition {
                event_type: "Normal",
                reason: "Promoted",
                message: decision.message.clone(),
            });
        }
        if was.previous_dropped.is_none() && now_.previous_dropped == Some(true) {
            transitions.push(Transition {
                event_type: "Normal",
                reason: "PreviousDropped",
                message: decision.message.clone(),
            });
        }
        if was.candidate_dropped.is_none() && now_.candidate_dropped == Some(true) {
            transitions.push(Transition {
                event_type: "Normal",
                reason: "CandidateDropped",
                message: decision.message.clone(),
            });
        }
    }
    if previous.phase.as_ref() != Some(&decision.phase) && finished {
        let (event_type, reason) = if decision.phase == RestorePhase::Completed {
            ("Normal", "RestoreSucceeded")
        } else {
            ("Warning", "RestoreFailed")
        };
        transitions.push(Transition { event_type, reason, message: decision.message.clone() });
    }
    (status, transitions)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_like_quantities() {
        assert_eq!(bytes(512), "512B");
        assert_eq!(bytes(1536), "1.5Ki");
        assert_eq!(bytes(4_509_715_660), "4.2Gi");
    }

    #[test]
    fn durations_read_like_kubectl() {
        assert_eq!(human(40), "40s");
        assert_eq!(human(750), "12m30s");
        assert_eq!(human(7205), "2h0m5s");
    }
}
