//! The Job that applies a PVC backup's retention policy after a successful run: neo4j-admin
//! lists the artifacts with their metadata (FULL or DIFF, time, database), then the agent keeps
//! what `crate::retention::select` keeps and deletes or archives the rest.

use std::collections::BTreeMap;

use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::grammar::duration::parse_duration;
use crate::plan::backup_job::{PlanError, labels};
use crate::plan::location::{Location, literal, location};
use crate::plan::pod::{SCRATCH_DIR, agent_container, inventory_container, job_spec, owner_reference, storage_access};
use crate::plan::target::ResolvedTarget;
use crate::retention::Policy;
use crate::types::{DeletePolicy, Neo4jBackup, StorageType};

/// Label value of `app.kubernetes.io/component` on retention Jobs (backup Jobs have none or `backup`).
pub const RETENTION_COMPONENT: &str = "retention";
/// Annotation on a retention Job: the backup Job whose success it follows.
pub const AFTER_JOB_ANNOTATION: &str = "neo4j.neo4j.com/after-job";
/// Longest a retention Job may run.
pub const RETENTION_DEADLINE_SECONDS: i64 = 3600;

/// Name of the retention Job of a backup (`-prune` is as long as `-backup`, so it fits wherever
/// the backup Job's name does).
pub fn retention_job_name(backup_name: &str) -> String {
    format!("{backup_name}-prune")
}

/// The policy of `spec.retention`, in numbers; `None` without one.
pub fn retention_policy(backup: &Neo4jBackup) -> Result<Option<Policy>, PlanError> {
    let Some(retention) = &backup.spec.retention else { return Ok(None) };
    let max_age_seconds = retention
        .max_age
        .as_deref()
        .map(parse_duration)
        .transpose()
        .map_err(|err| PlanError(format!("spec.retention.maxAge: {err}")))?;
    let max_count = retention.max_count.map(|n| usize::try_from(n.max(1)).unwrap_or(1));
    if max_age_seconds.is_none() && max_count.is_none() {
        return Ok(None);
    }
    Ok(Some(Policy { max_age_seconds, max_count }))
}

/// Whether a Job is one of our retention Jobs (backup Jobs and retention Jobs share the backup label).
pub fn is_retention_job(job: &Job) -> bool {
    job.metadata.labels.as_ref().and_then(|l| l.get("app.kubernetes.io/component")).map(String::as_str)
        == Some(RETENTION_COMPONENT)
}

/// The backup Job retention should follow: the one that succeeded last.
pub fn retention_due(backup_jobs: &[Job]) -> Option<String> {
    backup_jobs
        .iter()
        .filter_map(|job| {
            let status = job.status.as_ref()?;
            let complete = status.conditions.iter().flatten().any(|c| c.type_ == "Complete" && c.status == "True");
            complete.then(|| (status.completion_time.clone(), job.metadata.name.clone()))
        })
        .max()
        .and_then(|(_, name)| name)
}

/// Plans the retention Job that follows the successful backup Job `after_job`. `None` when the
/// backup has no retention policy or does not write to a claim (cloud storage is left to bucket
/// lifecycle rules).
pub fn plan_retention(
    backup: &Neo4jBackup,
    target: &ResolvedTarget,
    agent_image: &str,
    after_job: &str,
) -> Result<Option<Job>, PlanError> {
    let name = backup.metadata.name.clone().ok_or_else(|| PlanError("the Neo4jBackup has no name".into()))?;
    let Some(storage) = backup.spec.storage.as_ref().filter(|s| s.r#type == Some(StorageType::Pvc)) else {
        return Ok(None);
    };
    let Some(policy) = retention_policy(backup)? else { return Ok(None) };
    let at = location(storage, &name, None).map_err(PlanError)?;
    let Location::Claim { dir, .. } = &at else { return Ok(None) };
    let mut access = storage_access(storage, &at);
    access.empty_dir("scratch", SCRATCH_DIR);
    let inventory = format!("{SCRATCH_DIR}/inventory.txt");
    let archive = backup.spec.retention.as_ref().and_then(|r| r.delete_policy.clone()) == Some(DeletePolicy::Archive);
    let mut args = vec!["retention".to_owned(), format!("--inventory={inventory}"), format!("--dir={}", literal(dir))];
    args.extend(policy.max_age_seconds.map(|s| format!("--max-age-seconds={s}")));
    args.extend(policy.max_count.map(|n| format!("--max-count={n}")));
    args.push(format!("--delete-policy={}", if archive { "Archive" } else { "Delete" }));
    let init = vec![inventory_container(target, &access, &at, &inventory, vec![])];
    let prune = agent_container("prune", agent_image, &access, args);
    let mut job_labels = labels(&name);
    job_labels.insert("app.kubernetes.io/component".to_owned(), RETENTION_COMPONENT.to_owned());
    let spec = job_spec(target, access, job_labels.clone(), init, vec![prune], RETENTION_DEADLINE_SECONDS, 0);
    Ok(Some(Job {
        metadata: ObjectMeta {
            name: Some(retention_job_name(&name)),
            namespace: backup.metadata.namespace.clone(),
            labels: Some(job_labels),
            annotations: Some(BTreeMap::from([(AFTER_JOB_ANNOTATION.to_owned(), after_job.to_owned())])),
            owner_references: owner_reference(backup).map(|owner| vec![owner]),
            ..ObjectMeta::default()
        },
        spec: Some(spec),
        status: None,
    }))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn job(name: &str, completed: Option<&str>) -> Job {
        let conditions = match completed {
            Some(_) => json!([{"type": "Complete", "status": "True"}]),
            None => json!([{"type": "Failed", "status": "True"}]),
        };
        serde_json::from_value(json!({"metadata": {"name": name},
            "status": {"completionTime": completed, "conditions": conditions}}))
        .unwrap()
    }

    #[test]
    fn retention_follows_the_last_success() {
        let jobs = [
            job("nightly-backup-1", Some("2025-01-19T02:05:00Z")),
            job("nightly-backup-3", None),
            job("nightly-backup-2", Some("2025-01-20T02:05:00Z")),
        ];
        assert_eq!(retention_due(&jobs).as_deref(), Some("nightly-backup-2"));
        assert_eq!(retention_due(&jobs[1..2]), None);
    }
}
