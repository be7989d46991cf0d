//! The Jobs of a restore: `inspect` (which artifact to restore, when the source is a folder),
//! `verify` (`neo4j-admin database check` of the source before anything destructive), `restore`
//! (`neo4j-admin database restore` into the server's data volume), and the user's hook Jobs.

use std::collections::BTreeMap;

use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::{
    Affinity, Container, PersistentVolumeClaimVolumeSource, PodAffinity, PodAffinityTerm, Volume, VolumeMount,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};

use crate::grammar::duration::parse_duration;
use crate::plan::backup_job::PlanError;
use crate::plan::location::{Location, admin_path, literal};
use crate::plan::pod::{
    Access, SCRATCH_DIR, TEMP_DIR, agent_container, inventory_container, job_spec, neo4j_container, owner_reference,
    restricted, storage_access,
};
use crate::plan::target::ResolvedTarget;
use crate::plan::verify::{check_scratch_argv, restore_to_scratch_argv};
use crate::restore::artifact::ChosenArtifact;
use crate::restore::source::SourceLocation;
use crate::restore::until::restore_until;
use crate::types::{Neo4jRestore, RestoreHooks};

/// Where the server's data volume is mounted in the restore Job (the official image's data directory).
pub const DATA_MOUNT: &str = "/data";
/// Deadline of the restore Job when `spec.timeout` is not set.
pub const DEFAULT_RESTORE_DEADLINE_SECONDS: i64 = 2 * 3600;
/// Deadline of the inspect and verify Jobs.
pub const CHECK_DEADLINE_SECONDS: i64 = 2 * 3600;
/// Deadline of a hook Job when `timeout` is not set.
pub const DEFAULT_HOOK_DEADLINE_SECONDS: i64 = 600;
/// Label that ties a Job to its Neo4jRestore.
pub const RESTORE_LABEL: &str = "neo4j.neo4j.com/restore";

/// The Jobs a restore runs, each named `<restore>-<suffix>` (every suffix fits the name limit of
/// `rules::restore::MAX_NAME`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RestoreJob {
    /// Lists the source and chooses the artifact.
    Inspect,
    /// Checks the artifact's consistency.
    Verify,
    /// Runs `neo4j-admin database restore`.
    Restore,
    /// The pre-restore hook Job.
    Before,
    /// The post-restore hook Job.
    After,
}

impl RestoreJob {
    /// Whether this is a hook: a Job of the user's image, command and env.
    pub fn is_hook(self) -> bool {
        matches!(self, Self::Before | Self::After)
    }

    /// The `app.kubernetes.io/component` label and name suffix.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Inspect => "inspect",
            Self::Verify => "verify",
            Self::Restore => "restore",
            Self::Before => "before",
            Self::After => "after",
        }
    }

    /// The Job's name for restore `name`.
    pub fn job_name(self, name: &str) -> String {
        format!("{name}-{}", self.as_str())
    }
}

fn labels(restore: &str, job: RestoreJob) -> BTreeMap<String, String> {
    [
        ("app.kubernetes.io/name", "neo4j-restore"),
        ("app.kubernetes.io/instance", restore),
        ("app.kubernetes.io/managed-by", "kubectl-neo4j"),
        ("app.kubernetes.io/component", job.as_str()),
        (RESTORE_LABEL, restore),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}

fn name_of(restore: &Neo4jRestore) -> Result<String, PlanError> {
    restore.metadata.name.clone().ok_or_else(|| PlanError("the Neo4jRestore has no name".into()))
}

fn job(restore: &Neo4jRestore, kind: RestoreJob, spec: k8s_openapi::api::batch::v1::JobSpec) -> Result<Job, PlanError> {
    let name = name_of(restore)?;
    Ok(Job {
        metadata: ObjectMeta {
            name: Some(kind.job_name(&name)),
            namespace: restore.metadata.namespace.clone(),
            labels: Some(labels(&name, kind)),
            owner_references: owner_reference(restore).map(|owner| vec![owner]),
            ..ObjectMeta::default()
        },
        spec: Some(spec),
        status: None,
    })
}

/// `activeDeadlineSeconds` from a duration field, or the default.
fn deadline(timeout: Option<&str>, default: i64, field: &str) -> Result<i64, PlanError> {
    match timeout {
        Some(text) => parse_duration(text)
            .map(|seconds| i64::try_from(seconds).unwrap_or(i64::MAX))
            .map_err(|err| PlanError(format!("{field} {err}"))),
        None => Ok(default),
    }
}

fn source_access(source: &SourceLocation) -> Result<(Location, Access), PlanError> {
    let location = source.location().map_err(PlanError)?;
    let mut access = storage_access(&source.storage, &location);
    if location.is_cloud() {
        access.empty_dir("temp", TEMP_DIR);
    }
    Ok((location, access))
}

/// Lists the source folder with neo4j-admin and lets the agent choose the artifact to restore
/// (`neo4j-agent choose`, reported as its termination message).
pub fn inspect_job(
    restore: &Neo4jRestore,
    target: &ResolvedTarget,
    source: &SourceLocation,
    agent_image: &str,
) -> Result<Job, PlanError> {
    let name = name_of(restore)?;
    let (location, mut access) = source_access(source)?;
    access.empty_dir("scratch", SCRATCH_DIR);
    let inventory = format!("{SCRATCH_DIR}/inventory.txt");
    let mut args = vec![
        "choose".to_owned(),
        format!("--inventory={inventory}"),
        format!("--database={}", literal(&source.database)),
    ];
    args.extend(source.point_in_time.as_deref().map(|moment| format!("--point-in-time={}", literal(moment))));
    args.extend(source.until_transaction.map(|id| format!("--until-transaction={id}")));
    let init = vec![inventory_container(target, &access, &location, &inventory, vec![])];
    let choose = agent_container("choose", agent_image, &access, args);
    let spec =
        job_spec(target, access, labels(&name, RestoreJob::Inspect), init, vec![choose], CHECK_DEADLINE_SECONDS, 0);
    job(restore, RestoreJob::Inspect, spec)
}

/// Checks the chain ending at the artifact before anything destructive happens: it is restored
/// into scratch space and that store is checked (see [`crate::plan::verify`]: a check cannot read
/// a DIFF chain, nor a single artifact before 2025.09).
pub fn verify_job(
    restore: &Neo4jRestore,
    target: &ResolvedTarget,
    source: &SourceLocation,
    artifact: &ChosenArtifact,
) -> Result<Job, PlanError> {
    let name = name_of(restore)?;
    let (location, mut access) = source_access(source)?;
    access.empty_dir("scratch", SCRATCH_DIR);
    if !location.is_cloud() {
        // Without a temp path neo4j-admin stages inside the --from-path directory: the backups.
        access.empty_dir("temp", TEMP_DIR);
    }
    let unpack = restore_to_scratch_argv(artifact.from_path(), &artifact.database, Some(TEMP_DIR));
    let init = vec![neo4j_container("unpack", target, &access, unpack)];
    let check = neo4j_container("verify", target, &access, check_scratch_argv(&artifact.database));
    let spec =
        job_spec(target, access, labels(&name, RestoreJob::Verify), init, vec![check], CHECK_DEADLINE_SECONDS, 0);
    job(restore, RestoreJob::Verify, spec)
}

/// The argv of `neo4j-admin database restore`.
/// `--overwrite-destination` only when `overwrite`: replacing an existing database of a one-server
/// target (the manual: "not safe on a cluster ... restore to a new database"; a cluster's existing
/// database is dropped first, see `restore::machine`).
pub fn restore_argv(
    restore: &Neo4jRestore,
    source: &SourceLocation,
    artifact: &ChosenArtifact,
    overwrite: bool,
) -> Result<Vec<String>, PlanError> {
    let spec = &restore.spec;
    let options = spec.options.clone().unwrap_or_default();
    let mut argv: Vec<String> = ["neo4j-admin", "database", "restore"].map(str::to_owned).to_vec();
    argv.push(format!("--from-path={}", admin_path(artifact.from_path())));
    if overwrite {
        argv.push("--overwrite-destination=true".to_owned());
    }
    if let Some(moment) = &source.point_in_time {
        argv.push(format!("--restore-until={}", restore_until(moment).map_err(PlanError)?));
    } else if let Some(id) = source.until_transaction {
        // "up to, but not including, the transaction" (docs-operations, restore-backup.adoc).
        argv.push(format!("--restore-until={id}"));
    }
    if artifact.from_path().contains("://") {
        argv.push(format!("--temp-path={TEMP_DIR}"));
    }
    argv.extend(options.additional_args.iter().flatten().map(|arg| literal(arg)));
    let database = spec.database_name.as_deref().ok_or_else(|| PlanError("spec.databaseName is not set".into()))?;
    argv.push(literal(database));
    Ok(argv)
}

/// How the restore Job reaches the server's data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DataVolume {
    /// The data claim of the server restored into (server 0).
    pub claim: String,
    /// While the server runs (no `stopCluster`), its Pod: the Job must run on the same node to
    /// share the ReadWriteOnce claim.
    pub beside_pod: Option<String>,
    /// Replace the database's existing store (`--overwrite-destination`).
    pub overwrite: bool,
}

/// The restore Job: the target's image, the source's credentials, the server's data claim at
/// `/data`, `activeDeadlineSeconds` from `spec.timeout`, no retries. neo4j-admin runs first (an
/// init container); then the agent measures what it wrote for `status.stats`.
pub fn restore_job(
    restore: &Neo4jRestore,
    target: &ResolvedTarget,
    source: &SourceLocation,
    artifact: &ChosenArtifact,
    data: &DataVolume,
    agent_image: &str,
) -> Result<Job, PlanError> {
    let name = name_of(restore)?;
    let argv = restore_argv(restore, source, artifact, data.overwrite)?;
    let (_, mut access) = source_access(source)?;
    access.volumes.push(Volume {
        name: "data".into(),
        persistent_volume_claim: Some(PersistentVolumeClaimVolumeSource {
            claim_name: data.claim.clone(),
            read_only: Some(false),
        }),
        ..Volume::default()
    });
    access.mounts.push(VolumeMount { name: "data".into(), mount_path: DATA_MOUNT.into(), ..VolumeMount::default() });
    let deadline = deadline(restore.spec.timeout.as_deref(), DEFAULT_RESTORE_DEADLINE_SECONDS, "spec.timeout")?;
    let database = literal(restore.spec.database_name.as_deref().unwrap_or_default());
    let measure = vec![
        "measure".to_owned(),
        format!("--path={DATA_MOUNT}/databases/{database}"),
        format!("--path={DATA_MOUNT}/transactions/{database}"),
    ];
    let init = vec![neo4j_container("restore", target, &access, argv)];
    let main = vec![agent_container("measure", agent_image, &access, measure)];
    let mut spec = job_spec(target, access, labels(&name, RestoreJob::Restore), init, main, deadline, 0);
    if let (Some(pod), Some(template)) = (&data.beside_pod, spec.template.spec.as_mut()) {
        template.affinity = Some(Affinity {
            pod_affinity: Some(PodAffinity {
                required_during_scheduling_ignored_during_execution: Some(vec![PodAffinityTerm {
                    topology_key: "kubernetes.io/hostname".into(),
                    label_selector: Some(LabelSelector {
                        match_labels: Some(BTreeMap::from([(
                            "statefulset.kubernetes.io/pod-name".to_owned(),
                            pod.clone(),
                        )])),
                        match_expressions: None,
                    }),
                    ..PodAffinityTerm::default()
                }]),
                ..PodAffinity::default()
            }),
            ..Affinity::default()
        });
    }
    job(restore, RestoreJob::Restore, spec)
}

/// The user's hook Job (`options.preRestore.job` or `options.postRestore.job`), if any. It runs
/// as the namespace's default ServiceAccount (never the controller's identity), non-root with
/// every capability dropped, with its own deadline and backoff limit.
pub fn hook_job(
    restore: &Neo4jRestore,
    target: &ResolvedTarget,
    kind: RestoreJob,
    hooks: Option<&RestoreHooks>,
) -> Result<Option<Job>, PlanError> {
    let name = name_of(restore)?;
    let Some(hook) = hooks.and_then(|h| h.job.as_ref()) else { return Ok(None) };
    let template = hook.template.clone().unwrap_or_default();
    let user = template.container.clone().unwrap_or_default();
    let image = user.image.clone().ok_or_else(|| PlanError(format!("the {} hook Job has no image", kind.as_str())))?;
    let deadline = deadline(hook.timeout.as_deref(), DEFAULT_HOOK_DEADLINE_SECONDS, "the hook's timeout")?;
    let container = Container {
        name: "hook".into(),
        image: Some(image),
        command: user.command.clone(),
        args: user.args.clone(),
        env: user.env.clone(),
        security_context: Some(restricted()),
        ..Container::default()
    };
    let mut spec = job_spec(
        target,
        Access::default(),
        labels(&name, kind),
        vec![],
        vec![container],
        deadline,
        template.backoff_limit.unwrap_or(0),
    );
    if let Some(pod) = spec.template.spec.as_mut() {
        // The namespace's default identity, with its token as the namespace configures it.
        pod.automount_service_account_token = None;
        pod.image_pull_secrets = None;
        if let Some(context) = pod.security_context.as_mut() {
            // The user's image decides its user; it only has to be non-root.
            context.run_as_user = None;
            context.run_as_group = None;
            context.fs_group = None;
        }
    }
    job(restore, kind, spec).map(Some)
}
