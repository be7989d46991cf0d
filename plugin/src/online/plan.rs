//! `restore plan`: what a restore will do, from what the plugin can see through the API server
//! (the target, the referenced backup and its window, the StatefulSet, earlier restores). The
//! plan is `neo4j_api::restore::plan`'s, the one the controller records; the database's own state
//! is not known from here (no Bolt), so a plan says what happens whether it exists or not.

use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::jiff::Timestamp;
use kube::api::ListParams;
use kube::{Api, Client};
use neo4j_api::plan::target::ResolvedTarget;
use neo4j_api::restore::machine::{Database, Observed, Servers};
use neo4j_api::restore::plan::{Known, plan, still_planning};
use neo4j_api::restore::source::{newer_backup, ready_source};
use neo4j_api::review::review;
use neo4j_api::rules::Context;
use neo4j_api::{Neo4jBackup, Neo4jRestore, RestorePlan};
use neo4j_ops::targets::{Lookup, TargetApis, resolve};

async fn target(
    client: &Client,
    apis: &TargetApis,
    namespace: &str,
    name: &str,
) -> Result<ResolvedTarget, Option<String>> {
    match resolve(client, apis, namespace, name).await {
        Ok(found) => found.into_target(),
        Err(err) => Err(Some(format!("cannot read the target {name:?}: {err}"))),
    }
}

/// The plan of `restore` (a Neo4jRestore of `namespace`, created or not).
pub async fn plan_of(
    client: &Client,
    namespace: &str,
    restore: &Neo4jRestore,
    now: Timestamp,
) -> Result<RestorePlan, String> {
    // Past its first destructive step a restore keeps the plan it was started with: planning it
    // again would read a target it has changed (scaled to 0, a database dropped).
    let status = restore.status.as_ref();
    let progress = status.and_then(|s| s.progress.clone()).unwrap_or_default();
    if let Some(recorded) = status.and_then(|s| s.plan.clone()).filter(|_| !still_planning(&progress)) {
        return Ok(recorded);
    }
    let apis = TargetApis::discover(client).await.map_err(|err| format!("cannot discover the target kinds: {err}"))?;
    let target = match restore.spec.target_cluster.as_deref() {
        Some(name) => target(client, &apis, namespace, name).await,
        None => Lookup::Unnamed.into_target(),
    };
    let backups: Api<Neo4jBackup> = Api::namespaced(client.clone(), namespace);
    let referenced = match restore.spec.referenced_backup() {
        Some(name) => backups.get_opt(&name).await.map_err(|err| format!("cannot read Neo4jBackup {name:?}: {err}"))?,
        None => None,
    };
    let ctx = Context {
        target: target.as_ref().ok().map(ResolvedTarget::facts),
        referenced_backup: referenced.as_ref(),
        now: Some(now),
        ..Context::default()
    };
    let value = serde_json::to_value(restore).map_err(|err| err.to_string())?;
    let errors = review(None, &value, &ctx).map(|r| r.verdict.error_lines()).unwrap_or_default();
    let mut refusal = None;
    if let (Ok(into), Some(backup)) = (&target, &referenced)
        && let Some((backup_ns, backup_target)) = backup.spec.target_object(namespace)
        && let Ok(from) = self::target(client, &apis, &backup_ns, &backup_target).await
    {
        refusal = newer_backup(&from, into);
    }
    // The StatefulSet's size, for the scale steps; a user who may not read it gets the plan without.
    let servers = match &target {
        Ok(target) => Api::<StatefulSet>::namespaced(client.clone(), namespace)
            .get_opt(&target.statefulset())
            .await
            .ok()
            .flatten()
            .map(|sts| Servers::of(&sts)),
        Err(_) => None,
    };
    let observed = Observed {
        errors,
        source: ready_source(restore, referenced.as_ref()),
        target,
        refusal,
        backup_version: None,
        jobs: Vec::new(),
        servers,
        statefulset: None,
        database: Database::Unknown,
        health: None,
        alias: neo4j_api::restore::observed::Alias::Unknown,
        promote_requested: false,
        deleting: false,
        restore_pods_active: false,
        agent_image: String::new(),
        now: Some(now),
    };
    let restores: Api<Neo4jRestore> = Api::namespaced(client.clone(), namespace);
    let earlier = restores.list(&ListParams::default()).await.map(|l| l.items).unwrap_or_default();
    Ok(plan(&Known { restore, observed: &observed, referenced: referenced.as_ref(), earlier: &earlier }))
}
