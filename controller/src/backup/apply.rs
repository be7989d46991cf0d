//! Apply: make the cluster match the plan. The only part of the backup pipeline that writes
//! (besides the status).

use std::collections::BTreeMap;

use k8s_openapi::api::batch::v1::{CronJob, Job};
use k8s_openapi::api::core::v1::{
    PersistentVolumeClaim, PersistentVolumeClaimSpec, ServiceAccount, VolumeResourceRequirements,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use kube::api::{Api, DeleteParams, Patch, PatchParams, PostParams};
use kube::{Client, ResourceExt};
use neo4j_api::plan::backup_job::{BACKUP_SERVICE_ACCOUNT, BackupWorkload, labels};
use neo4j_api::plan::location::claim_name;
use neo4j_api::plan::retention_job::AFTER_JOB_ANNOTATION;
use neo4j_api::plan::service_account::{CONFIGURED_BY, configurer, requested_annotations};
use neo4j_api::{Neo4jBackup, StorageType};

use crate::FIELD_MANAGER;

/// Creates the one-shot Job if it does not exist yet (a Job's template cannot change), or applies
/// the CronJob (schedule and suspension follow the spec).
pub async fn apply_workload(client: &Client, namespace: &str, workload: &BackupWorkload) -> Result<(), kube::Error> {
    match workload {
        BackupWorkload::Job(job) => {
            let jobs: Api<Job> = Api::namespaced(client.clone(), namespace);
            if jobs.get_opt(&job.name_any()).await?.is_none() {
                jobs.create(&PostParams::default(), job).await?;
            }
        }
        BackupWorkload::CronJob(cron) => {
            let crons: Api<CronJob> = Api::namespaced(client.clone(), namespace);
            let params = PatchParams::apply(FIELD_MANAGER).force();
            crons.patch(&cron.name_any(), &params, &Patch::Apply(cron.as_ref())).await?;
        }
    }
    Ok(())
}

/// Stops what runs for a backup: its CronJob `cron` is suspended (its history stays), and the
/// unfinished Jobs among `cancelled` are deleted (their Pods with them). Nothing to stop is fine.
pub async fn stop_workload(client: &Client, namespace: &str, cron: &str, cancelled: &[Job]) -> Result<(), kube::Error> {
    let crons: Api<CronJob> = Api::namespaced(client.clone(), namespace);
    if crons.get_opt(cron).await?.is_some_and(|c| c.spec.as_ref().and_then(|s| s.suspend) != Some(true)) {
        let suspend = serde_json::json!({"spec": {"suspend": true}});
        crons.patch(cron, &PatchParams::default(), &Patch::Merge(&suspend)).await?;
    }
    let jobs: Api<Job> = Api::namespaced(client.clone(), namespace);
    for job in cancelled {
        if !neo4j_api::status::job::is_finished(job) && job.metadata.deletion_timestamp.is_none() {
            jobs.delete(&job.name_any(), &DeleteParams::background()).await?;
        }
    }
    Ok(())
}

/// Makes `desired` the retention Job, and returns the one that now stands: an existing Job for the
/// same backup run is kept; one for an earlier run is replaced once it has finished (a running
/// one is left to finish: two Pods must never prune the same directory at once).
pub async fn ensure_retention(
    client: &Client,
    namespace: &str,
    desired: &Job,
    existing: Option<Job>,
) -> Result<Option<Job>, kube::Error> {
    let after = |job: &Job| job.annotations().get(AFTER_JOB_ANNOTATION).cloned();
    let jobs: Api<Job> = Api::namespaced(client.clone(), namespace);
    if let Some(current) = existing {
        if after(&current) == after(desired) || !neo4j_api::status::job::is_finished(&current) {
            return Ok(Some(current));
        }
        jobs.delete(&current.name_any(), &DeleteParams::background()).await?;
    }
    match jobs.create(&PostParams::default(), desired).await {
        Ok(created) => Ok(Some(created)),
        // The old Job is still being deleted: the next reconcile creates it.
        Err(kube::Error::Api(status)) if status.code == 409 => Ok(None),
        Err(err) => Err(err),
    }
}

/// For `identity.autoCreate`: the ServiceAccount `neo4j-backup-sa` with our annotations. Server-side
/// apply owns only the annotations we set; annotations others put there stay.
/// Returns why it may not: a ServiceAccount of that name we did not create is never taken over
/// (its annotations may bind it to someone else's cloud role), and one configured by another
/// backup of the namespace is not rewritten to other annotations (issue 13, item 10).
pub async fn apply_service_account(
    client: &Client,
    namespace: &str,
    backup: &Neo4jBackup,
) -> Result<Option<String>, kube::Error> {
    let Some(requested) = requested_annotations(backup) else { return Ok(None) };
    let accounts: Api<ServiceAccount> = Api::namespaced(client.clone(), namespace);
    let existing = accounts.get_opt(BACKUP_SERVICE_ACCOUNT).await?;
    if let Some(existing) = &existing
        && existing.labels().get("app.kubernetes.io/managed-by").map(String::as_str) != Some("kubectl-neo4j")
    {
        return Ok(Some(format!(
            "the ServiceAccount {BACKUP_SERVICE_ACCOUNT} exists in {namespace} and was not created by kubectl-neo4j; it is not taken over: name it in storage.cloud.identity.serviceAccount, or delete it to let kubectl-neo4j create its own"
        )));
    }
    let configured_by = existing.as_ref().and_then(|e| e.annotations().get(CONFIGURED_BY).cloned());
    let configuring = match configured_by.as_deref().filter(|by| Some(*by) != backup.metadata.name.as_deref()) {
        Some(other) => Api::<Neo4jBackup>::namespaced(client.clone(), namespace).get_opt(other).await?,
        None => None,
    };
    let by = match configurer(backup, configured_by.as_deref(), configuring.as_ref()) {
        Ok(by) if Some(&by) == configured_by.as_ref() && by != backup.name_any() => return Ok(None),
        Ok(by) => by,
        Err(why) => return Ok(Some(why)),
    };
    let mut annotations = requested;
    annotations.insert(CONFIGURED_BY.to_owned(), by);
    let mut account = ServiceAccount::default();
    account.metadata.name = Some(BACKUP_SERVICE_ACCOUNT.to_owned());
    account.metadata.namespace = Some(namespace.to_owned());
    account.metadata.annotations = Some(annotations);
    account.metadata.labels =
        Some(BTreeMap::from([("app.kubernetes.io/managed-by".to_owned(), "kubectl-neo4j".to_owned())]));
    let params = PatchParams::apply(FIELD_MANAGER).force();
    accounts.patch(BACKUP_SERVICE_ACCOUNT, &params, &Patch::Apply(&account)).await?;
    Ok(None)
}

/// For `pvc` storage with a `size`: the claim, created once and **not** owned by the Neo4jBackup,
/// so deleting the Neo4jBackup never deletes the backups on it.
pub async fn ensure_claim(client: &Client, namespace: &str, backup: &Neo4jBackup) -> Result<(), kube::Error> {
    let Some(storage) = backup.spec.storage.as_ref().filter(|s| s.r#type == Some(StorageType::Pvc)) else {
        return Ok(());
    };
    let Some(size) = storage.pvc.as_ref().and_then(|p| p.size.clone()) else { return Ok(()) };
    let name = claim_name(storage, &backup.name_any());
    let claims: Api<PersistentVolumeClaim> = Api::namespaced(client.clone(), namespace);
    if claims.get_opt(&name).await?.is_some() {
        return Ok(());
    }
    let mut claim = PersistentVolumeClaim::default();
    claim.metadata.name = Some(name);
    claim.metadata.namespace = Some(namespace.to_owned());
    claim.metadata.labels = Some(labels(&backup.name_any()));
    claim.spec = Some(PersistentVolumeClaimSpec {
        access_modes: Some(vec!["ReadWriteOnce".to_owned()]),
        storage_class_name: storage.pvc.as_ref().and_then(|p| p.storage_class_name.clone()),
        resources: Some(VolumeResourceRequirements {
            requests: Some(BTreeMap::from([("storage".to_owned(), Quantity(size))])),
            limits: None,
        }),
        ..PersistentVolumeClaimSpec::default()
    });
    claims.create(&PostParams::default(), &claim).await?;
    Ok(())
}
