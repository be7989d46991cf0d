//! The recoverable window every backup Job reports (`neo4j-agent window`, the Pod's termination
//! message), read from the newest succeeded Job once, when it completed after the window in the
//! status (issue 14, item 2).

use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::jiff::Timestamp;
use kube::ResourceExt;
use kube::api::{Api, ListParams};
use neo4j_api::Neo4jBackup;
use neo4j_api::pitr::summary::{WindowReport, read_report};
use neo4j_api::plan::backup_job::WINDOW_CONTAINER;
use neo4j_api::status::job::has_succeeded;
use neo4j_api::status::owned::pods_of;
use neo4j_api::status::pods::container_message;

fn reports(job: &Job) -> bool {
    let pod = job.spec.as_ref().and_then(|spec| spec.template.spec.as_ref());
    pod.is_some_and(|pod| pod.containers.iter().any(|c| c.name == WINDOW_CONTAINER))
}

fn completed(job: &Job) -> Option<Timestamp> {
    job.status.as_ref()?.completion_time.as_ref().map(|t| t.0)
}

/// The window the newest succeeded Job reported, when it completed after the window in the status.
/// A Job from before the report (no `window` container) is not read: its Pods are not listed.
pub async fn newest_window(
    pods: &Api<Pod>,
    backup: &Neo4jBackup,
    jobs: &[Job],
) -> Result<Option<(WindowReport, Timestamp)>, kube::Error> {
    let known = backup.status.as_ref().and_then(|s| s.window_time.as_ref()).map(|t| t.0);
    let newest = jobs
        .iter()
        .filter(|job| has_succeeded(job) && reports(job))
        .filter_map(|job| Some((completed(job)?, job)))
        .max_by_key(|(at, _)| *at);
    let Some((at, job)) = newest.filter(|(at, _)| known.is_none_or(|known| known < *at)) else { return Ok(None) };
    let selector = format!("job-name={}", job.name_any());
    let listed = pods.list(&ListParams::default().labels(&selector)).await?.items;
    // Read whole: a status message is redacted and cut at 512 characters, a report is JSON of up
    // to 4096 bytes that only our agent writes, and it is parsed into typed fields below.
    let Some(message) = container_message(&pods_of(listed, job), WINDOW_CONTAINER) else { return Ok(None) };
    match read_report(&message) {
        Ok(report) => Ok(Some((report, at))),
        Err(why) => {
            tracing::warn!(backup = %backup.name_any(), job = %job.name_any(), %why, "no window from this run");
            Ok(None)
        }
    }
}
