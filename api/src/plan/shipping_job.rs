//! The Job of one run of continuous protection (`spec.shipping`, issue 14): a FULL or a DIFF into
//! the chain's folder, then the whole folder listed and its window reported, as every backup Job
//! does (`backup_job::reported`).
//!
//! The run's Job name carries its start (`<name>-backup-<unix seconds>`): the controller records
//! the name in the status before it creates the Job, so a restart creates that same Job or finds
//! it, never a second run.

use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::jiff::Timestamp;

use crate::plan::backup_job::{
    BACKUP_BACKOFF_LIMIT, BACKUP_DEADLINE_SECONDS, BACKUP_TYPE_ANNOTATION, PlanError, job_annotations, labels,
    reported, steps, verified, workload_name,
};
use crate::plan::pod::{job_spec, owner_reference};
use crate::plan::target::ResolvedTarget;
use crate::types::{BackupType, Neo4jBackup};

/// Longest a DIFF run may run: a hung one must not hold the chain for a base backup's 6 hours.
pub const DIFF_DEADLINE_SECONDS: i64 = 3600;

/// Label on the Jobs of shipping runs.
pub const SHIPPING_LABEL: &str = "neo4j.neo4j.com/shipping";

/// The name of the run started at `started`.
pub fn run_name(backup_name: &str, started: Timestamp) -> String {
    format!("{}-{}", workload_name(backup_name), started.as_second())
}

/// When the run of that name started (`None`: not a run name of this backup).
pub fn run_started(backup_name: &str, job_name: &str) -> Option<Timestamp> {
    let seconds = job_name.strip_prefix(&workload_name(backup_name))?.strip_prefix('-')?;
    seconds.parse::<i64>().ok().and_then(|s| Timestamp::from_second(s).ok())
}

/// The Job of one run (`backup_type` FULL or DIFF). A FULL is checked when `options.verify` says so; a DIFF never is (a check
/// restores the whole chain into scratch space: too costly at every interval).
pub fn plan_shipping_run(
    backup: &Neo4jBackup,
    target: &ResolvedTarget,
    agent_image: &str,
    backup_type: BackupType,
    job_name: &str,
) -> Result<Job, PlanError> {
    let name = backup.metadata.name.clone().ok_or_else(|| PlanError("the Neo4jBackup has no name".into()))?;
    let verify = backup_type == BackupType::Full && verified(backup);
    // A DIFF run lets neo4j-admin choose per database (AUTO): a database created since the chain
    // began has no FULL in the folder yet, and gets one, where --type=DIFF would fail the run.
    let admin_type = if backup_type == BackupType::Full { BackupType::Full } else { BackupType::Auto };
    let (access, containers, report) =
        reported(steps(backup, target, agent_image, admin_type, verify)?, target, agent_image, verify);
    let mut job_labels = labels(&name);
    job_labels.insert(SHIPPING_LABEL.to_owned(), "true".to_owned());
    let mut annotations = job_annotations(backup);
    annotations.insert(BACKUP_TYPE_ANNOTATION.to_owned(), backup_type.to_string());
    let spec = job_spec(
        target,
        access,
        job_labels.clone(),
        containers,
        vec![report],
        if backup_type == BackupType::Full { BACKUP_DEADLINE_SECONDS } else { DIFF_DEADLINE_SECONDS },
        BACKUP_BACKOFF_LIMIT,
    );
    Ok(Job {
        metadata: ObjectMeta {
            name: Some(job_name.to_owned()),
            namespace: backup.metadata.namespace.clone(),
            labels: Some(job_labels),
            annotations: Some(annotations),
            owner_references: owner_reference(backup).map(|owner| vec![owner]),
            ..ObjectMeta::default()
        },
        spec: Some(spec),
        status: None,
    })
}
