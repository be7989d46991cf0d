//! What every Pod we run has in common: storage access (credentials, claim, workload identity),
//! the restricted security context, the target's image and pull secrets, and owner references.

use k8s_openapi::api::batch::v1::JobSpec;
use k8s_openapi::api::core::v1::{
    Capabilities, Container, EmptyDirVolumeSource, EnvVar, EnvVarSource, KeyToPath, LocalObjectReference,
    PersistentVolumeClaimVolumeSource, PodSecurityContext, PodSpec, PodTemplateSpec, SeccompProfile, SecretKeySelector,
    SecretVolumeSource, SecurityContext, Volume, VolumeMount,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};
use kube::Resource;

use crate::plan::location::{BACKUP_MOUNT, Location};
use crate::plan::target::ResolvedTarget;
use crate::types::{CloudProvider, StorageLocation, StorageType};

/// The uid and gid neo4j runs as in the official images.
pub const NEO4J_UID: i64 = 7474;
/// The ServiceAccount that carries workload-identity annotations.
pub const BACKUP_SERVICE_ACCOUNT: &str = "neo4j-backup-sa";
/// Where the GCP service-account key is mounted.
pub const GCP_CREDENTIALS_DIR: &str = "/var/run/secrets/neo4j-backup/gcp";
/// Where the containers of one Pod hand files to each other (an emptyDir).
pub const SCRATCH_DIR: &str = "/scratch";
/// Where neo4j-admin stages files while it streams to or from cloud storage (`--temp-path`, an emptyDir).
pub const TEMP_DIR: &str = "/tmp/neo4j-admin";
/// The volume of the GCP key file, which only neo4j-admin's containers mount.
const GCP_CREDENTIALS_VOLUME: &str = "gcp-credentials";

/// The agent image of this release (`neo4j-agent`), for the steps neo4j-admin cannot do itself.
pub const DEFAULT_AGENT_IMAGE: &str = concat!("ghcr.io/kubectl-neo4j/neo4j-agent:", env!("CARGO_PKG_VERSION"));

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

/// Environment, volumes, mounts and ServiceAccount that give a Pod access to a backup location.
#[derive(Clone, Debug, Default)]
pub struct Access {
    /// Credentials as environment variables.
    pub env: Vec<EnvVar>,
    /// Claim, key files, scratch and temp volumes.
    pub volumes: Vec<Volume>,
    /// Their mounts in the containers that touch storage.
    pub mounts: Vec<VolumeMount>,
    /// The ServiceAccount for workload identity.
    pub service_account: Option<String>,
    /// Pod labels workload identity needs.
    pub pod_labels: Vec<(String, String)>,
    /// neo4j-admin must run under [`AWS_REGION_FALLBACK`]: the Secret may give only `AWS_DEFAULT_REGION`.
    pub region_fallback: bool,
}

/// neo4j-admin reaches S3 through the AWS SDK for Java v2, whose region chain reads `AWS_REGION`
/// (or the system property `aws.region`), never `AWS_DEFAULT_REGION` (the AWS CLI's name, which
/// the seeds' Secrets carry). Kubernetes cannot express "this key, else that one", so a constant
/// script exports `AWS_REGION` from `AWS_DEFAULT_REGION` when only the latter is set, then runs
/// the command it was given unchanged.
pub const AWS_REGION_FALLBACK: &str = r#"if [ -z "${AWS_REGION:-}" ] && [ -n "${AWS_DEFAULT_REGION:-}" ]; then export AWS_REGION="$AWS_DEFAULT_REGION"; fi; exec "$@""#;

impl Access {
    /// Adds an emptyDir mounted at `path` in every container that touches storage.
    pub fn empty_dir(&mut self, name: &str, path: &str) {
        self.volumes.push(Volume {
            name: name.into(),
            empty_dir: Some(EmptyDirVolumeSource::default()),
            ..Volume::default()
        });
        self.mounts.push(VolumeMount { name: name.into(), mount_path: path.into(), ..VolumeMount::default() });
    }
}

/// What a Pod needs to read or write `storage` at `location`.
pub fn storage_access(storage: &StorageLocation, location: &Location) -> Access {
    let mut access = Access::default();
    if let Location::Claim { claim, .. } = location {
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
    if let (Some(StorageType::S3), Some(endpoint)) = (&storage.r#type, &cloud.endpoint) {
        // docs-operations, partials/aws-s3-overrides.adoc (5.x and dev): "the environments
        // variables AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL".
        access.env.push(EnvVar {
            name: "AWS_ENDPOINT_URL_S3".into(),
            value: Some(crate::plan::location::literal(endpoint)),
            ..EnvVar::default()
        });
    }
    if let Some(secret) = &cloud.credentials_secret_ref {
        match storage.r#type {
            Some(StorageType::S3) => {
                access.env.extend([
                    secret_env("AWS_ACCESS_KEY_ID", secret, false),
                    secret_env("AWS_SECRET_ACCESS_KEY", secret, false),
                    secret_env("AWS_SESSION_TOKEN", secret, true),
                    secret_env("AWS_REGION", secret, true),
                    secret_env("AWS_DEFAULT_REGION", secret, true),
                ]);
                access.region_fallback = true;
            }
            // neo4j-admin authenticates with Azure's DefaultAzureCredential (docs-operations,
            // partials/azb-credentials.adoc, 5.x and dev): a service principal from
            // AZURE_CLIENT_ID/SECRET/TENANT_ID, or a shared key, the variables the Neo4j Helm
            // backup chart passes from 2025.06 (kubernetes/operations/backup-restore.adoc, dev).
            // Only the account is required, and only when the spec does not name it.
            Some(StorageType::Azure) => access.env.extend([
                secret_env("AZURE_STORAGE_ACCOUNT", secret, cloud.storage_account.is_some()),
                secret_env("AZURE_STORAGE_KEY", secret, true),
                secret_env("AZURE_CLIENT_ID", secret, true),
                secret_env("AZURE_CLIENT_SECRET", secret, true),
                secret_env("AZURE_TENANT_ID", secret, true),
            ]),
            Some(StorageType::Gcs) => {
                access.volumes.push(Volume {
                    name: GCP_CREDENTIALS_VOLUME.into(),
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
                    name: GCP_CREDENTIALS_VOLUME.into(),
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

/// The container security context of every Pod we run: no privilege escalation, non-root, no capabilities.
pub fn restricted() -> SecurityContext {
    SecurityContext {
        allow_privilege_escalation: Some(false),
        run_as_non_root: Some(true),
        capabilities: Some(Capabilities { drop: Some(vec!["ALL".into()]), add: None }),
        ..SecurityContext::default()
    }
}

/// The command a container of [`neo4j_container`] runs, without the [`AWS_REGION_FALLBACK`]
/// wrapper when it has one (what neo4j-admin is given).
pub fn admin_command(command: &[String]) -> &[String] {
    match command.get(2) {
        Some(script) if script.as_str() == AWS_REGION_FALLBACK && command.len() >= 4 => &command[4..],
        _ => command,
    }
}

/// A container of the target's own image (neo4j-admin matches the server's version) running
/// `command`, with access to the storage.
pub fn neo4j_container(name: &str, target: &ResolvedTarget, access: &Access, command: Vec<String>) -> Container {
    let command =
        if access.region_fallback { script(AWS_REGION_FALLBACK, "with-aws-region", command) } else { command };
    Container {
        name: name.into(),
        image: Some(target.image.clone()),
        image_pull_policy: target.pull_policy.clone(),
        command: Some(command),
        env: (!access.env.is_empty()).then(|| access.env.clone()),
        volume_mounts: (!access.mounts.is_empty()).then(|| access.mounts.clone()),
        security_context: Some(restricted()),
        // neo4j-admin writes no termination message: on failure Kubernetes keeps the end of its
        // output instead, which becomes the reason in the status.
        termination_message_policy: Some("FallbackToLogsOnError".into()),
        ..Container::default()
    }
}

/// A container of the agent image running `neo4j-agent <args>`. It gets the mounts (files) but
/// never the credentials: it works on what neo4j-admin wrote.
pub fn agent_container(name: &str, image: &str, access: &Access, args: Vec<String>) -> Container {
    Container {
        name: name.into(),
        image: Some(image.to_owned()),
        args: Some(args),
        volume_mounts: Some(access.mounts.iter().filter(|m| m.name != GCP_CREDENTIALS_VOLUME).cloned().collect()),
        security_context: Some(restricted()),
        ..Container::default()
    }
}

/// `sh -c <script> <name> <args...>`: a fixed script whose inputs arrive as positional
/// parameters, never spliced into the script text.
pub fn script(script: &str, name: &str, args: impl IntoIterator<Item = String>) -> Vec<String> {
    let mut argv = vec!["sh".to_owned(), "-c".to_owned(), script.to_owned(), name.to_owned()];
    argv.extend(args);
    argv
}

/// Lists the artifacts at `location` into the file `out` with `neo4j-admin backup inspect`
/// (plus `flags`), for the agent to read. neo4j-admin only prints, so a fixed script redirects.
pub fn inventory_container(
    target: &ResolvedTarget,
    access: &Access,
    location: &Location,
    out: &str,
    flags: Vec<String>,
) -> Container {
    let shows_metadata = target.image_tag().is_some_and(|tag| tag.version.inspect_shows_metadata_by_default());
    let mut args = vec![out.to_owned(), location.path_argument()];
    args.extend(crate::inspect::inventory_flags(shows_metadata));
    args.extend(flags);
    let command = script(r#"out="$1"; shift; neo4j-admin backup inspect "$@" > "$out""#, "inventory", args);
    neo4j_container("inventory", target, access, command)
}

/// A Job spec for a Pod of `init_containers` then `containers`, non-root and restricted.
pub fn job_spec(
    target: &ResolvedTarget,
    access: Access,
    labels: std::collections::BTreeMap<String, String>,
    init_containers: Vec<Container>,
    containers: Vec<Container>,
    deadline_seconds: i64,
    backoff_limit: i32,
) -> JobSpec {
    let mut pod_labels = labels;
    pod_labels.extend(access.pod_labels);
    let identity = access.service_account.is_some();
    let pod = PodSpec {
        init_containers: (!init_containers.is_empty()).then_some(init_containers),
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
    JobSpec {
        backoff_limit: Some(backoff_limit),
        active_deadline_seconds: Some(deadline_seconds),
        template: PodTemplateSpec {
            metadata: Some(ObjectMeta { labels: Some(pod_labels), ..ObjectMeta::default() }),
            spec: Some(pod),
        },
        ..JobSpec::default()
    }
}

/// The controller owner reference to `owner`, so that what we create goes when it goes.
pub fn owner_reference<K: Resource<DynamicType = ()>>(owner: &K) -> Option<OwnerReference> {
    let meta = owner.meta();
    Some(OwnerReference {
        api_version: K::api_version(&()).into_owned(),
        kind: K::kind(&()).into_owned(),
        name: meta.name.clone()?,
        uid: meta.uid.clone()?,
        controller: Some(true),
        block_owner_deletion: Some(true),
    })
}
