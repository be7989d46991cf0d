//! Continuous protection at the edge (`spec.shipping`, issue 14): whether a run's Pods linger,
//! the run Jobs created once claimed, and finished runs cleaned up. The decisions are `neo4j_api::pitr::cycle`'s.

use std::time::Duration;

use k8s_openapi::api::batch::v1::{CronJob, Job};
use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::jiff::Timestamp;
use kube::api::{Api, DeleteParams, ListParams, PostParams};
use kube::{Client, ResourceExt};
use neo4j_api::BackupRun;
use neo4j_api::pitr::cycle::{Step, recorded_as_ended};
use neo4j_api::plan::shipping_job::SHIPPING_LABEL;
use neo4j_api::status::job::is_finished;

/// Finished run Jobs kept (with their Pods, for `kubectl logs`); older ones are deleted once the
/// history records them. A run every 30 s would otherwise leave 2,880 Jobs a day.
pub const KEPT_RUNS: usize = 3;

/// Whether a Job is a shipping run.
pub fn is_run(job: &Job) -> bool {
    job.labels().get(SHIPPING_LABEL).map(String::as_str) == Some("true")
}

/// Whether a Pod of this backup's runs has not terminated (its Job may be gone: deleted by hand,
/// the Pod deleted in the background or orphaned), so that it may still write the chain.
pub async fn pods_linger(pods: &Api<Pod>, backup: &str) -> Result<bool, kube::Error> {
    let selector = format!("neo4j.neo4j.com/backup={backup},{SHIPPING_LABEL}=true");
    let listed = pods.list(&ListParams::default().labels(&selector)).await?.items;
    Ok(listed.iter().any(|pod| {
        let phase = pod.status.as_ref().and_then(|s| s.phase.as_deref());
        !matches!(phase, Some("Succeeded" | "Failed"))
    }))
}

/// Creates the run's Job; one that exists already (created before a restart) is that run.
pub async fn create_run(jobs: &Api<Job>, job: &Job) -> Result<(), kube::Error> {
    match jobs.create(&PostParams::default(), job).await {
        Err(kube::Error::Api(status)) if status.code == 409 => Ok(()),
        other => other.map(|_| ()),
    }
}

/// A CronJob left from when the backup had a schedule and no shipping: it would write the same
/// chain at the same time as the runs, so it goes.
pub async fn remove_cron(client: &Client, namespace: &str, cron: &str) -> Result<(), kube::Error> {
    let crons: Api<CronJob> = Api::namespaced(client.clone(), namespace);
    if crons.get_opt(cron).await?.is_some() {
        crons.delete(cron, &DeleteParams::background()).await?;
    }
    Ok(())
}

/// Deletes the finished runs beyond the newest [`KEPT_RUNS`] that the history records as finished.
pub async fn clean_up(jobs: &Api<Job>, runs: &[Job], history: &[BackupRun]) -> Result<(), kube::Error> {
    let recorded = |job: &Job| recorded_as_ended(history, &job.name_any());
    let mut finished: Vec<&Job> = runs.iter().filter(|job| is_finished(job) && recorded(job)).collect();
    finished.sort_by_key(|job| std::cmp::Reverse(job.metadata.creation_timestamp.as_ref().map(|t| t.0)));
    for job in finished.into_iter().skip(KEPT_RUNS).filter(|job| job.metadata.deletion_timestamp.is_none()) {
        jobs.delete(&job.name_any(), &DeleteParams::background()).await?;
    }
    Ok(())
}

/// When to look again.
pub fn requeue(step: &Step, now: Timestamp) -> Duration {
    match step {
        Step::Wait(Some(at)) => {
            let seconds = at.duration_since(now).as_secs().max(1);
            Duration::from_secs(u64::try_from(seconds).unwrap_or(1))
        }
        // A run under way: its Job's changes wake the reconcile; this is the fallback.
        _ => Duration::from_secs(30),
    }
}
