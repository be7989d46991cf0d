//! Keeps the protection of every cluster and standalone with `spec.pointInTimeRecovery`: the
//! Neo4jBackup `<name>-pitr` of `neo4j_api::pitr::protection`, written when it differs, suspended
//! when recovery is turned off (its artifacts and window stay), deleted with its target by the
//! garbage collector (it is owned by the target). The targets are the Neo4j operator's: they are
//! listed, never written.
//!
//! The targets are listed every [`PERIOD`] rather than watched: their kinds may be served at
//! another version after an operator upgrade, or installed after us, and a list each period finds
//! them wherever they are (two requests per kind and period).

use std::sync::Arc;
use std::time::Duration;

use kube::api::{Api, DynamicObject, ListParams, Patch, PatchParams};
use kube::core::ApiResource;
use kube::{Client, ResourceExt};
use neo4j_api::pitr::protection::{
    PROTECTED_LABEL, Protection, is_protection_of, name_taken, protection, protection_name, up_to_date,
};
use neo4j_api::{Neo4jBackup, PointInTimeRecovery};

use crate::{Ctx, FIELD_MANAGER};

/// How often the targets are listed.
pub const PERIOD: Duration = Duration::from_secs(15);

/// Runs until shutdown, over every namespace or only `namespace`.
pub async fn run(ctx: Arc<Ctx>, namespace: Option<&str>) {
    let keep = async {
        loop {
            if let Err(err) = sync(&ctx, namespace).await {
                tracing::warn!(error = %err, "point-in-time protections not synced; retrying");
            }
            tokio::time::sleep(PERIOD).await;
        }
    };
    tokio::select! {
        _ = keep => {},
        _ = neo4j_ops::shutdown_signal() => {},
    }
}

fn api_of(client: &Client, namespace: Option<&str>, ar: &ApiResource) -> Api<DynamicObject> {
    match namespace {
        Some(ns) => Api::namespaced_with(client.clone(), ns, ar),
        None => Api::all_with(client.clone(), ar),
    }
}

/// One pass: every target of every served kind gets the protection it needs.
pub async fn sync(ctx: &Ctx, namespace: Option<&str>) -> Result<(), kube::Error> {
    let apis = ctx.target_apis().await?;
    let kinds: Vec<ApiResource> = [apis.cluster, apis.standalone].into_iter().flatten().collect();
    if kinds.is_empty() {
        return Ok(());
    }
    let protections = crate::context::scoped::<Neo4jBackup>(&ctx.client, namespace);
    let existing = protections.list(&ListParams::default().labels(PROTECTED_LABEL)).await?.items;
    for ar in &kinds {
        let targets = api_of(&ctx.client, namespace, ar).list(&ListParams::default()).await?.items;
        // One target that cannot be protected (a refused change, a forbidden write) does not
        // leave the others unprotected.
        for target in targets {
            if let Err(err) = keep(ctx, ar, &target, &existing).await {
                tracing::warn!(target = %target.name_any(), namespace = ?target.namespace(), error = %err, "point-in-time protection not applied");
            }
        }
    }
    Ok(())
}

async fn keep(
    ctx: &Ctx,
    ar: &ApiResource,
    target: &DynamicObject,
    existing: &[Neo4jBackup],
) -> Result<(), kube::Error> {
    let (Some(namespace), name) = (target.namespace(), target.name_any()) else { return Ok(()) };
    let block = target.data.get("spec").and_then(|spec| spec.get("pointInTimeRecovery"));
    let pitr = match block.map(|block| serde_json::from_value::<PointInTimeRecovery>(block.clone())).transpose() {
        Ok(pitr) => pitr,
        Err(err) => {
            // Unreadable is not off: an existing protection is left as it is.
            tracing::warn!(%namespace, target = %name, error = %err, "spec.pointInTimeRecovery cannot be read; protection left as it is");
            return Ok(());
        }
    };
    let own_name = protection_name(&name);
    let current = existing.iter().find(|b| b.namespace().as_deref() == Some(&namespace) && b.name_any() == own_name);
    let backups: Api<Neo4jBackup> = Api::namespaced(ctx.client.clone(), &namespace);
    match protection(&ar.api_version, &ar.kind, &target.metadata, pitr.as_ref()) {
        Protection::Desired(desired) => {
            if current.is_some_and(|current| up_to_date(current, &desired)) {
                return Ok(());
            }
            if let Some(current) = current.filter(|current| !is_protection_of(current, &name)) {
                tracing::warn!(%namespace, target = %name, protection = %current.name_any(), "{}", name_taken(&name));
                return Ok(());
            }
            // A new destination is a new chain, and a Neo4jBackup's storage cannot change (the
            // webhook refuses it): the old protection goes (its artifacts stay where they are),
            // and the next pass creates the new one.
            if let Some(current) = current.filter(|current| current.spec.storage != desired.spec.storage) {
                backups.delete(&current.name_any(), &kube::api::DeleteParams::background()).await?;
                tracing::info!(%namespace, target = %name, "point-in-time destination changed; the protection starts a new chain there");
                return Ok(());
            }
            if current.is_none()
                && let Some(other) = backups.get_opt(&own_name).await?
                && !is_protection_of(&other, &name)
            {
                tracing::warn!(%namespace, target = %name, "{}", name_taken(&name));
                return Ok(());
            }
            let params = PatchParams::apply(FIELD_MANAGER).force();
            backups.patch(&own_name, &params, &Patch::Apply(desired.as_ref())).await?;
            tracing::info!(%namespace, target = %name, protection = %own_name, "point-in-time protection applied");
        }
        Protection::Off => {
            if let Some(current) = current.filter(|c| c.spec.suspend != Some(true)) {
                let suspend = serde_json::json!({"spec": {"suspend": true}});
                backups.patch(&current.name_any(), &PatchParams::default(), &Patch::Merge(&suspend)).await?;
                tracing::info!(%namespace, target = %name, "point-in-time recovery is off; protection suspended");
            }
        }
        Protection::Unusable(why) => {
            tracing::warn!(%namespace, target = %name, %why, "point-in-time recovery cannot protect this target");
        }
    }
    Ok(())
}
