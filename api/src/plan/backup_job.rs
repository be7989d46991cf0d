//! The Job (or CronJob) that runs `neo4j-admin database backup` for a Neo4jBackup.

use k8s_openapi::api::batch::v1::{CronJob, CronJobSpec, Job, JobSpec, JobTemplateSpec};
use k8s_openapi::api::core::v1::{
    Capabilities, Container, EmptyDirVolumeSource, EnvVar, EnvVarSource, KeyToPath, LocalObjectReference,
    PersistentVolumeClaimVolumeSource, PodSecurityContext, PodSpec, PodTemplateSpec, SeccompProfile, SecretKeySelector,
    SecretVolumeSource, SecurityContext, Volume, VolumeMount,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};
use kube::Resource;

use crate::plan::location::{BACKUP_MOUNT, Location, literal, location};
use crate::plan::target::ResolvedTarget;
use crate::types::{BackupType, CloudProvider, Neo4jBackup, StorageLocation, StorageType, TargetKind};

/// The uid and gid neo4j runs as in the official images.
pub const NEO4J_UID: i64 = 7474;
/// The ServiceAccount that carries workload-identity annotations.
pub const BACKUP_SERVICE_ACCOUNT: &str = "neo4j-backup-sa";
/// Longest a backup Job may run.
pub const BACKUP_DEADLINE_SECONDS: i64 = 6 * 3600;
/// Retries of a failed backup Pod.
pub const BACKUP_BACKOFF_LIMIT: i32 = 1;
/// Where the GCP service-account key is mounted.
pub const GCP_CREDENTIALS_DIR: &str = "/var/run/secrets/neo4j-backup/gcp";

/// Annotation on a backup Job: FULL or DIFF, for the history.
pub const BACKUP_TYPE_ANNOTATION: &str = "neo4j.neo4j.com/backup-type";
/// Annotation on a backup Job: where it writes, for the history.
pub const LOCATION_ANNOTATION: &str = "neo4j.neo4j.com/location";

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

/// The argv of `neo4j-admin database backup`.
pub fn backup_argv(backup: &Neo4jBackup, target: &ResolvedTarget, to: &Location) -> Result<Vec<String>, PlanError> {
    let spec = &backup.spec;
    let options = spec.options.clone().unwrap_or_default();
    let backup_type = options.backup_type.clone().unwrap_or(BackupType::Full);
    let mut argv: Vec<String> = ["neo4j-admin", "database", "backup"].map(str::to_owned).to_vec();
    argv.push(format!("--from={}", target.backup_addresses().join(",")));
    argv.push(format!("--to-path={}", to.path_argument()));
    argv.push(format!("--type={backup_type}"));
    argv.push(format!("--compress={}", options.compress.unwrap_or(true)));
    if let Some(temp) = &options.temp_path {
        argv.push(format!("--temp-path={}", literal(temp)));
    }
    let prefer_supported = target.image_tag().is_some_and(|tag| tag.version.supports_prefer_diff_as_parent());
    if options.prefer_diff_as_parent == Some(true) && backup_type == BackupType::Diff && prefer_supported {
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

/// The argv of the consistency check after a backup, when `options.verify` asks for one and it
/// can be run: `neo4j-admin database check --from-path` checks the newest chain of one database.
/// A whole-cluster backup (`*`) is not verified yet (the rules warn about it).
pub fn verify_argv(backup: &Neo4jBackup, from: &Location) -> Option<Vec<String>> {
    let options = backup.spec.options.as_ref()?;
    let target = backup.spec.target.as_ref()?;
    if options.verify != Some(true) || target.kind != Some(TargetKind::Database) {
        return None;
    }
    let mut argv: Vec<String> = ["neo4j-admin", "database", "check"].map(str::to_owned).to_vec();
    argv.push(format!("--from-path={}", from.path_argument()));
    if let Some(temp) = &options.temp_path {
        argv.push(format!("--temp-path={}", literal(temp)));
    }
    argv.push(literal(target.name.as_deref()?));
    Some(argv)
}

fn secret_env(name: &str, secret: &str, optional: bool) -> EnvVar {
    EnvVar {
        name: name.to_owned(),
        value_from: Some(EnvVarSource {
            secret_key_ref: Some(SecretKeySelector {
                name: secret.to_owned(),
                key: name.to_owned(),
                optional: Some(optional),
            }),
            ..EnvVarSource::default()
        }),
        ..EnvVar::default()
    }
}

/// Environment, volumes, mounts and ServiceAccount that give the Job access to `storage`.
struct Access {
    env: Vec<EnvVar>,
    volumes: Vec<Volume>,
    mounts: Vec<VolumeMount>,
    service_account: Option<String>,
    pod_labels: Vec<(String, String)>,
}

fn storage_access(storage: &StorageLocation, to: &Location) -> Access {
    let mut access = Access {
        env: Vec::new(),
        volumes: Vec::new(),
        mounts: Vec::new(),
        service_account: None,
        pod_labels: Vec::new(),
    };
    if let Location::Claim { claim, .. } = to {
        access.volumes.push(Volume {
            name: "backups".into(),
            persistent_volume_claim: Some(PersistentVolumeClaimVolumeSource {
                claim_name: claim.clone(),
                read_only: Some(false),
            }),
            ..Volume::default()
        });
        access.mounts.push(VolumeMount {
            name: "backups".into(),
            mount_path: BACKUP_MOUNT.into(),
            ..VolumeMount::default()
        });
    }
    let cloud = storage.cloud.clone().unwrap_or_default();
    if let Some(secret) = &cloud.credentials_secret_ref {
        match storage.r#type {
            Some(StorageType::S3) => access.env.extend([
                secret_env("AWS_ACCESS_KEY_ID", secret, false),
                secret_env("AWS_SECRET_ACCESS_KEY", secret, false),
                secret_env("AWS_DEFAULT_REGION", secret, true),
                secret_env("AWS_REGION", secret, true),
            ]),
            Some(StorageType::Azure) => access.env.extend([
                secret_env("AZURE_STORAGE_ACCOUNT", secret, false),
                secret_env("AZURE_STORAGE_KEY", secret, false),
            ]),
            Some(StorageType::Gcs) => {
                access.volumes.push(Volume {
                    name: "gcp-credentials".into(),
                    secret: Some(SecretVolumeSource {
                        secret_name: Some(secret.clone()),
                        items: Some(vec![KeyToPath {
                            key: "GOOGLE_APPLICATION_CREDENTIALS_JSON".into(),
                            path: "credentials.json".into(),
                            mode: None,
                        }]),
                        default_mode: Some(0o440),
                        optional: Some(false),
                    }),
                    ..Volume::default()
                });
                access.mounts.push(VolumeMount {
                    name: "gcp-credentials".into(),
                    mount_path: GCP_CREDENTIALS_DIR.into(),
                    read_only: Some(true),
                    ..VolumeMount::default()
                });
                access.env.push(EnvVar {
                    name: "GOOGLE_APPLICATION_CREDENTIALS".into(),
                    value: Some(format!("{GCP_CREDENTIALS_DIR}/credentials.json")),
                    ..EnvVar::default()
                });
            }
            _ => {}
        }
    }
    if let Some(identity) = &cloud.identity {
        access.service_account =
            Some(identity.service_account.clone().unwrap_or_else(|| BACKUP_SERVICE_ACCOUNT.to_owned()));
        if identity.provider.as_ref().or(cloud.provider.as_ref()) == Some(&CloudProvider::Azure) {
            // Azure Workload Identity injects its token only into pods that ask for it.
            access.pod_labels.push(("azure.workload.identity/use".into(), "true".into()));
        }
    }
    access
}

fn owner_reference(backup: &Neo4jBackup) -> Option<OwnerReference> {
    Some(OwnerReference {
        api_version: Neo4jBackup::api_version(&()).into_owned(),
        kind: Neo4jBackup::kind(&()).into_owned(),
        name: backup.metadata.name.clone()?,
        uid: backup.metadata.uid.clone()?,
        controller: Some(true),
        block_owner_deletion: Some(true),
    })
}

/// The Job spec shared by one-shot and scheduled backups.
pub fn backup_job_spec(backup: &Neo4jBackup, target: &ResolvedTarget) -> Result<JobSpec, PlanError> {
    let name = backup.metadata.name.clone().ok_or_else(|| PlanError("the Neo4jBackup has no name".into()))?;
    let storage = backup.spec.storage.as_ref().ok_or_else(|| PlanError("spec.storage is not set".into()))?;
    let to = location(storage, &name, None).map_err(PlanError)?;
    let argv = backup_argv(backup, target, &to)?;
    let mut access = storage_access(storage, &to);
    if let Some(temp) = backup.spec.options.as_ref().and_then(|o| o.temp_path.clone()) {
        access.volumes.push(Volume {
            name: "temp".into(),
            empty_dir: Some(EmptyDirVolumeSource::default()),
            ..Volume::default()
        });
        access.mounts.push(VolumeMount { name: "temp".into(), mount_path: temp, ..VolumeMount::default() });
    }
    let mut pod_labels = labels(&name);
    pod_labels.extend(access.pod_labels);
    let container = |name: &str, command: Vec<String>| Container {
        name: name.into(),
        image: Some(target.image.clone()),
        image_pull_policy: target.pull_policy.clone(),
        command: Some(command),
        env: (!access.env.is_empty()).then(|| access.env.clone()),
        volume_mounts: (!access.mounts.is_empty()).then(|| access.mounts.clone()),
        security_context: Some(SecurityContext {
            allow_privilege_escalation: Some(false),
            run_as_non_root: Some(true),
            capabilities: Some(Capabilities { drop: Some(vec!["ALL".into()]), add: None }),
            ..SecurityContext::default()
        }),
        ..Container::default()
    };
    // With verification the backup runs first (init container) and the check after it: a failed
    // check fails the Pod, so the run fails with it.
    let (init_containers, containers) = match verify_argv(backup, &to) {
        Some(check) => (Some(vec![container("backup", argv)]), vec![container("verify", check)]),
        None => (None, vec![container("backup", argv)]),
    };
    let identity = access.service_account.is_some();
    let pod = PodSpec {
        init_containers,
        containers,
        restart_policy: Some("Never".into()),
        service_account_name: access.service_account,
        automount_service_account_token: Some(identity),
        image_pull_secrets: (!target.pull_secrets.is_empty())
            .then(|| target.pull_secrets.iter().map(|s| LocalObjectReference { name: s.clone() }).collect()),
        security_context: Some(PodSecurityContext {
            run_as_non_root: Some(true),
            run_as_user: Some(NEO4J_UID),
            run_as_group: Some(NEO4J_UID),
            fs_group: Some(NEO4J_UID),
            seccomp_profile: Some(SeccompProfile { type_: "RuntimeDefault".into(), localhost_profile: None }),
            ..PodSecurityContext::default()
        }),
        volumes: (!access.volumes.is_empty()).then_some(access.volumes),
        ..PodSpec::default()
    };
    Ok(JobSpec {
        backoff_limit: Some(BACKUP_BACKOFF_LIMIT),
        active_deadline_seconds: Some(BACKUP_DEADLINE_SECONDS),
        template: PodTemplateSpec {
            metadata: Some(ObjectMeta { labels: Some(pod_labels), ..ObjectMeta::default() }),
            spec: Some(pod),
        },
        ..JobSpec::default()
    })
}

/// Annotations every Job of a backup carries, read back for `status.history`.
fn job_annotations(backup: &Neo4jBackup) -> std::collections::BTreeMap<String, String> {
    let options = backup.spec.options.clone().unwrap_or_default();
    let name = backup.metadata.name.clone().unwrap_or_default();
    let mut annotations = std::collections::BTreeMap::new();
    annotations.insert(BACKUP_TYPE_ANNOTATION.to_owned(), options.backup_type.unwrap_or(BackupType::Full).to_string());
    if let Some(storage) = &backup.spec.storage {
        let shown = match location(storage, &name, None) {
            Ok(Location::Uri(uri)) => Some(uri.replace("$$", "$")),
            Ok(Location::Claim { claim, dir }) => {
                Some(format!("pvc://{claim}{}", dir.trim_start_matches(BACKUP_MOUNT)))
            }
            Err(_) => None,
        };
        if let Some(shown) = shown {
            annotations.insert(LOCATION_ANNOTATION.to_owned(), shown);
        }
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
pub fn plan_backup(backup: &Neo4jBackup, target: &ResolvedTarget) -> Result<BackupWorkload, PlanError> {
    let spec = backup_job_spec(backup, target)?;
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
