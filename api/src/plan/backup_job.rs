//! The Job (or CronJob) that runs `neo4j-admin database backup` for a Neo4jBackup.

use k8s_openapi::api::batch::v1::{CronJob, CronJobSpec, Job, JobSpec, JobTemplateSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use k8s_openapi::api::core::v1::Container;

use crate::plan::location::{BACKUP_MOUNT, Location, literal, location};
use crate::plan::pod::{
    Access, SCRATCH_DIR, TEMP_DIR, agent_container, inventory_container, job_spec, neo4j_container, owner_reference,
    script, storage_access,
};
pub use crate::plan::pod::{BACKUP_SERVICE_ACCOUNT, NEO4J_UID};
use crate::plan::target::ResolvedTarget;
use crate::plan::verify::VERIFY_EACH;
use crate::types::{BackupType, Neo4jBackup, TargetKind};

/// Longest a backup Job may run.
pub const BACKUP_DEADLINE_SECONDS: i64 = 6 * 3600;
/// Retries of a failed backup Pod: none. neo4j-admin exits 1 both when a backup failed and when it
/// succeeded with problems (some servers uncontactable), so a retry could take a second backup of a
/// run that worked; the next scheduled run is the retry (see `status::pods::admin_exit_meaning`).
pub const BACKUP_BACKOFF_LIMIT: i32 = 0;

/// Annotation on a backup Job: FULL or DIFF, for the history.
pub const BACKUP_TYPE_ANNOTATION: &str = "neo4j.neo4j.com/backup-type";
/// Annotation on a backup Job: where it writes, for the history.
pub const LOCATION_ANNOTATION: &str = "neo4j.neo4j.com/location";

/// The container of every backup Pod that reports the location's window ([`reported`]).
pub const WINDOW_CONTAINER: &str = "window";

/// Name of the Job or CronJob of a backup (validated to fit: see `rules::backup::MAX_NAME`).
pub fn workload_name(backup_name: &str) -> String {
    format!("{backup_name}-backup")
}

/// Labels on everything a backup creates.
pub fn labels(backup_name: &str) -> std::collections::BTreeMap<String, String> {
    [
        ("app.kubernetes.io/name", "neo4j-backup"),
        ("app.kubernetes.io/instance", backup_name),
        ("app.kubernetes.io/managed-by", "kubectl-neo4j"),
        ("neo4j.neo4j.com/backup", backup_name),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}

/// Why a backup cannot be planned (the rules normally catch these first).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("cannot plan the backup: {0}")]
pub struct PlanError(pub String);

/// The argv of `neo4j-admin database backup`, of the type `options.backupType` says.
pub fn backup_argv(backup: &Neo4jBackup, target: &ResolvedTarget, to: &Location) -> Result<Vec<String>, PlanError> {
    let backup_type = backup.spec.options.as_ref().and_then(|o| o.backup_type.clone()).unwrap_or(BackupType::Full);
    typed_backup_argv(backup, target, to, backup_type)
}

/// The argv of `neo4j-admin database backup --type=<backup_type>`.
pub fn typed_backup_argv(
    backup: &Neo4jBackup,
    target: &ResolvedTarget,
    to: &Location,
    backup_type: BackupType,
) -> Result<Vec<String>, PlanError> {
    let spec = &backup.spec;
    let options = spec.options.clone().unwrap_or_default();
    let mut argv: Vec<String> = ["neo4j-admin", "database", "backup"].map(str::to_owned).to_vec();
    argv.push(format!("--from={}", target.backup_addresses().join(",")));
    argv.push(format!("--to-path={}", to.path_argument()));
    argv.push(format!("--type={backup_type}"));
    argv.push(format!("--compress={}", options.compress.unwrap_or(true)));
    if let Some(temp) = temp_path(backup, to) {
        argv.push(format!("--temp-path={}", literal(&temp)));
    }
    let prefer_supported = target.image_tag().is_some_and(|tag| tag.version.supports_prefer_diff_as_parent());
    if options.prefer_diff_as_parent == Some(true) && backup_type != BackupType::Full && prefer_supported {
        argv.push("--prefer-diff-as-parent".to_owned());
    }
    argv.extend(options.additional_args.iter().flatten().map(|arg| literal(arg)));
    let target_spec = spec.target.as_ref().ok_or_else(|| PlanError("spec.target is not set".into()))?;
    argv.push(match target_spec.kind {
        Some(TargetKind::Database) => literal(target_spec.name.as_deref().unwrap_or_default()),
        _ => "*".to_owned(),
    });
    Ok(argv)
}

/// Where neo4j-admin stages files: the user's `options.tempPath`, or for cloud storage always a
/// scratch volume. Without `--temp-path` a cloud backup stages in neo4j-admin's working directory,
/// on the container's own filesystem; the manual "strongly recommends" one (docs-operations 5.x and
/// dev, backup-restore/online-backup.adoc, `--temp-path`; the option exists since 5.24).
pub fn temp_path(backup: &Neo4jBackup, to: &Location) -> Option<String> {
    let own = backup.spec.options.as_ref().and_then(|o| o.temp_path.clone());
    own.or_else(|| to.is_cloud().then(|| TEMP_DIR.to_owned()))
}

/// On a claim, the folder the backup writes into must exist before the first run: `mkdir -p`, an
/// argv of the target's image (no shell). The claim's root exists already.
fn prepare_container(target: &ResolvedTarget, access: &Access, to: &Location) -> Option<Container> {
    match to {
        Location::Claim { dir, .. } if dir != BACKUP_MOUNT => {
            Some(neo4j_container("prepare", target, access, vec!["mkdir".to_owned(), "-p".to_owned(), literal(dir)]))
        }
        _ => None,
    }
}

/// Whether the backup is checked after it ran (`options.verify`, `true` when unset: the default
/// holds even where no webhook wrote it, as `compress` does).
pub(crate) fn verified(backup: &Neo4jBackup) -> bool {
    backup.spec.options.as_ref().and_then(|o| o.verify).unwrap_or(true)
}

/// The steps of a backup Pod, in order, with what they mount: prepare the folder (on a claim),
/// back up, and with `verify` check the new artifacts.
///
/// A check lists the newest artifact of each database in the location with neo4j-admin, the agent
/// picks them (only the backed-up database, for a backup of one), and each one's chain is restored
/// into scratch space and checked there (see [`crate::plan::verify`] for why a check cannot read
/// the location directly).
pub(crate) struct Steps {
    pub access: Access,
    pub to: Location,
    pub containers: Vec<Container>,
}

pub(crate) fn steps(
    backup: &Neo4jBackup,
    target: &ResolvedTarget,
    agent_image: &str,
    backup_type: BackupType,
    verify: bool,
) -> Result<Steps, PlanError> {
    let name = backup.metadata.name.clone().ok_or_else(|| PlanError("the Neo4jBackup has no name".into()))?;
    let storage = backup.spec.storage.as_ref().ok_or_else(|| PlanError("spec.storage is not set".into()))?;
    let to = location(storage, &name, None).map_err(PlanError)?;
    let argv = typed_backup_argv(backup, target, &to, backup_type)?;
    let mut access = storage_access(storage, &to);
    let temp = temp_path(backup, &to);
    if let Some(temp) = &temp {
        access.empty_dir("temp", temp);
    }
    if verify {
        access.empty_dir("scratch", SCRATCH_DIR);
        if temp.is_none() {
            // The check always stages in a temp path: never in the backup location.
            access.empty_dir("temp", TEMP_DIR);
        }
    }
    let backup_container = neo4j_container("backup", target, &access, argv);
    let mut containers: Vec<Container> = prepare_container(target, &access, &to).into_iter().collect();
    containers.push(backup_container);
    if verify {
        let inventory = format!("{SCRATCH_DIR}/inventory.txt");
        let databases = format!("{SCRATCH_DIR}/databases");
        let mut list = vec!["databases".to_owned(), format!("--inventory={inventory}"), format!("--out={databases}")];
        let target_spec = backup.spec.target.as_ref();
        if let Some(database) =
            target_spec.filter(|t| t.kind == Some(TargetKind::Database)).and_then(|t| t.name.as_deref())
        {
            list.push(format!("--database={}", literal(database)));
        }
        containers.push(inventory_container(target, &access, &to, &inventory, vec!["--latest-backup".to_owned()]));
        containers.push(agent_container("databases", agent_image, &access, list));
        let temp_argument = literal(temp.as_deref().unwrap_or(TEMP_DIR));
        containers.push(neo4j_container(
            "verify",
            target,
            &access,
            script(VERIFY_EACH, "verify", [databases, temp_argument]),
        ));
    }
    Ok(Steps { access, to, containers })
}

/// The Job spec shared by one-shot and scheduled backups: the [`steps`] as init containers, so a
/// failed check fails the run, and the window report as the Pod's container ([`reported`]).
pub fn backup_job_spec(backup: &Neo4jBackup, target: &ResolvedTarget, agent_image: &str) -> Result<JobSpec, PlanError> {
    let name = backup.metadata.name.clone().ok_or_else(|| PlanError("the Neo4jBackup has no name".into()))?;
    let backup_type = backup.spec.options.as_ref().and_then(|o| o.backup_type.clone()).unwrap_or(BackupType::Full);
    let verify = verified(backup);
    let (access, containers, report) =
        reported(steps(backup, target, agent_image, backup_type, verify)?, target, agent_image, verify);
    Ok(job_spec(target, access, labels(&name), containers, vec![report], BACKUP_DEADLINE_SECONDS, BACKUP_BACKOFF_LIMIT))
}

/// The init container that records the artifacts' manifests.
pub const MANIFEST_CONTAINER: &str = "manifest";

/// After the backup (and its check), the whole location is listed with `neo4j-admin backup
/// inspect`, the new artifacts of a claim get their manifests, and `neo4j-agent window` reports its recoverable window per database as the Pod's
/// termination message: how the window reaches the status of every backup (issue 14, item 2).
/// Returns the Pod's access, its init containers and its container (the report).
pub(crate) fn reported(
    steps: Steps,
    target: &ResolvedTarget,
    agent_image: &str,
    verified: bool,
) -> (Access, Vec<Container>, Container) {
    let Steps { mut access, to, mut containers } = steps;
    if !verified {
        access.empty_dir("scratch", SCRATCH_DIR);
    }
    let listing_file = format!("{SCRATCH_DIR}/listing.txt");
    let mut listing = inventory_container(target, &access, &to, &listing_file, Vec::new());
    listing.name = "listing".to_owned();
    containers.push(listing);
    // The SHA-256 of every new artifact, recorded in the folder's `.kubectl-neo4j/` (issue 16,
    // item 1). On a claim the agent reads the artifacts where neo4j-admin wrote them; a cloud
    // folder needs the agent's object-storage client, which is still to come.
    if let Location::Claim { dir, .. } = &to {
        let mut args =
            vec!["manifest".to_owned(), format!("--inventory={listing_file}"), format!("--dir={}", literal(dir))];
        args.extend(target.image_tag().map(|tag| format!("--neo4j-version={}", tag.version)));
        containers.push(agent_container(MANIFEST_CONTAINER, agent_image, &access, args));
    }
    let report = agent_container(
        WINDOW_CONTAINER,
        agent_image,
        &access,
        vec!["window".to_owned(), format!("--inventory={listing_file}")],
    );
    (access, containers, report)
}

/// Annotations every Job of a backup carries, read back for `status.history`.
pub(crate) fn job_annotations(backup: &Neo4jBackup) -> std::collections::BTreeMap<String, String> {
    let options = backup.spec.options.clone().unwrap_or_default();
    let name = backup.metadata.name.clone().unwrap_or_default();
    let mut annotations = std::collections::BTreeMap::new();
    annotations.insert(BACKUP_TYPE_ANNOTATION.to_owned(), options.backup_type.unwrap_or(BackupType::Full).to_string());
    if let Some(Ok(at)) = backup.spec.storage.as_ref().map(|storage| location(storage, &name, None)) {
        annotations.insert(LOCATION_ANNOTATION.to_owned(), at.shown());
    }
    annotations
}

fn metadata(backup: &Neo4jBackup) -> ObjectMeta {
    let name = backup.metadata.name.clone().unwrap_or_default();
    ObjectMeta {
        name: Some(workload_name(&name)),
        namespace: backup.metadata.namespace.clone(),
        labels: Some(labels(&name)),
        annotations: Some(job_annotations(backup)),
        owner_references: owner_reference(backup).map(|owner| vec![owner]),
        ..ObjectMeta::default()
    }
}

/// What runs a backup: a Job (one-shot) or a CronJob (`schedule`).
#[derive(Clone, Debug, PartialEq)]
pub enum BackupWorkload {
    /// One run.
    Job(Box<Job>),
    /// Runs on a schedule.
    CronJob(Box<CronJob>),
}

/// Plans the workload of a backup.
pub fn plan_backup(
    backup: &Neo4jBackup,
    target: &ResolvedTarget,
    agent_image: &str,
) -> Result<BackupWorkload, PlanError> {
    let spec = backup_job_spec(backup, target, agent_image)?;
    let Some(schedule) = backup.spec.schedule.clone() else {
        return Ok(BackupWorkload::Job(Box::new(Job { metadata: metadata(backup), spec: Some(spec), status: None })));
    };
    let name = backup.metadata.name.clone().unwrap_or_default();
    Ok(BackupWorkload::CronJob(Box::new(CronJob {
        metadata: metadata(backup),
        spec: Some(CronJobSpec {
            schedule,
            time_zone: Some("Etc/UTC".into()),
            suspend: Some(backup.spec.suspend.unwrap_or(false)),
            concurrency_policy: Some("Forbid".into()),
            starting_deadline_seconds: Some(600),
            successful_jobs_history_limit: Some(3),
            failed_jobs_history_limit: Some(3),
            job_template: JobTemplateSpec {
                metadata: Some(ObjectMeta {
                    labels: Some(labels(&name)),
                    annotations: Some(job_annotations(backup)),
                    ..ObjectMeta::default()
                }),
                spec: Some(spec),
            },
        }),
        status: None,
    })))
}
