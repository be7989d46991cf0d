//! Act: carry out the machine's actions, in order. A failed Kubernetes call is an error (the
//! reconcile is retried and nothing is recorded); a failed Cypher call is the restore's failure
//! (returned, so that the machine takes the failure path).

use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::batch::v1::Job;
use kube::api::{Api, DeleteParams, DynamicObject, Patch, PatchParams, PostParams};
use kube::{Client, ResourceExt};
use neo4j_api::Neo4jRestore;
use neo4j_api::plan::target::{RESTORE_IN_PROGRESS, ResolvedTarget, TargetType};
use neo4j_api::restore::machine::Action;
use serde_json::json;

use crate::Ctx;
use crate::error::Error;
use neo4j_ops::bolt::{endpoint, endpoint_as};

/// The finalizer that guarantees a stopped target is scaled back before the Neo4jRestore goes.
pub const FINALIZER: &str = "neo4j.neo4j.com/restore-scale-up";

/// Adds or removes the finalizer; returns the resourceVersion the object has afterwards, when it
/// changed (the status is then written against it).
async fn set_finalizer(client: &Client, restore: &Neo4jRestore, present: bool) -> Result<Option<String>, Error> {
    let mut finalizers = restore.finalizers().to_vec();
    let has = finalizers.iter().any(|f| f == FINALIZER);
    if has == present {
        return Ok(None);
    }
    if present {
        finalizers.push(FINALIZER.to_owned());
    } else {
        finalizers.retain(|f| f != FINALIZER);
    }
    let restores: Api<Neo4jRestore> = Api::namespaced(client.clone(), &restore.namespace().unwrap_or_default());
    // The resourceVersion makes this fail rather than drop a finalizer someone else just added.
    let patch = json!({"metadata": {"finalizers": finalizers, "resourceVersion": restore.resource_version()}});
    match restores.patch(&restore.name_any(), &PatchParams::default(), &Patch::Merge(&patch)).await {
        Err(kube::Error::Api(status)) if status.code == 404 && !present => Ok(None),
        other => Ok(other?.resource_version()),
    }
}

/// Sets (`Some(name)`) or removes (`None`) the restore-in-progress annotation on the target: a
/// merge patch of that one annotation, so every other field of the operator's object is untouched.
/// Removing it only when it names this restore; a target that is gone needs no release.
async fn hold_target(ctx: &Ctx, target: &ResolvedTarget, holder: &str, hold: bool) -> Result<(), Error> {
    if !hold && target.restore_hold.as_deref() != Some(holder) {
        return Ok(());
    }
    let apis = ctx.target_apis().await?;
    let served = match target.target_type {
        TargetType::Cluster => apis.cluster,
        TargetType::Standalone => apis.standalone,
    };
    let Some(ar) = served else { return Ok(()) };
    let value = if hold { json!(holder) } else { serde_json::Value::Null };
    let patch = Patch::Merge(json!({"metadata": {"annotations": {RESTORE_IN_PROGRESS: value}}}));
    let api: Api<DynamicObject> = Api::namespaced_with(ctx.client.clone(), &target.namespace, &ar);
    let result = api.patch(&target.name, &PatchParams::default(), &patch).await.map(|_| ());
    match result {
        Err(kube::Error::Api(status)) if status.code == 404 && !hold => Ok(()),
        other => other.map_err(Error::from),
    }
}

/// What carrying out the actions left.
#[derive(Debug, Default)]
pub struct Acted {
    /// The failure of a Cypher action, if one failed (the later ones were skipped).
    pub failure: Option<String>,
    /// The Neo4jRestore's resourceVersion after our own writes to it (the finalizer).
    pub resource_version: Option<String>,
}

/// Runs `actions`, in order.
pub async fn act(
    ctx: &Ctx,
    restore: &Neo4jRestore,
    target: Option<&ResolvedTarget>,
    actions: &[Action],
) -> Result<Acted, Error> {
    let mut acted = Acted { failure: None, resource_version: restore.resource_version() };
    let client = &ctx.client;
    let namespace = restore.namespace().unwrap_or_default();
    for action in actions {
        match action {
            Action::CreateJob(job) => {
                let jobs: Api<Job> = Api::namespaced(client.clone(), &namespace);
                match jobs.create(&PostParams::default(), job).await {
                    Err(kube::Error::Api(status)) if status.code == 409 => {}
                    other => {
                        other?;
                    }
                }
            }
            Action::Scale(replicas) => {
                // The StatefulSet recorded when it was scaled down (with its UID as a
                // precondition), whatever the target reads as now; else the target's.
                let recorded =
                    restore.status.as_ref().and_then(|s| s.progress.as_ref()).and_then(|p| p.statefulset.clone());
                let (name, patch) = match (recorded, target) {
                    (Some(set), _) => (set.name, json!({"metadata": {"uid": set.uid}, "spec": {"replicas": replicas}})),
                    (None, Some(target)) => (target.statefulset(), json!({"spec": {"replicas": replicas}})),
                    (None, None) => continue,
                };
                // The scale subresource: the controller may change a StatefulSet's size, nothing
                // else of it (issue 13, item 9).
                let sets: Api<StatefulSet> = Api::namespaced(client.clone(), &namespace);
                sets.patch_scale(&name, &PatchParams::default(), &Patch::Merge(&patch)).await?;
                tracing::info!(restore = %restore.name_any(), statefulset = %name, replicas, "scaled");
            }
            Action::AddFinalizer | Action::RemoveFinalizer => {
                let present = *action == Action::AddFinalizer;
                if let Some(version) = set_finalizer(client, restore, present).await? {
                    acted.resource_version = Some(version);
                }
            }
            Action::HoldTarget | Action::ReleaseTarget => {
                let Some(target) = target else { continue };
                hold_target(ctx, target, &restore.name_any(), *action == Action::HoldTarget).await?;
            }
            Action::DeleteJob(kind) => {
                let jobs: Api<Job> = Api::namespaced(client.clone(), &namespace);
                let name = kind.job_name(&restore.name_any());
                // Foreground: the Job goes once its Pods are gone; the next decision waits for that.
                match jobs.delete(&name, &DeleteParams::foreground()).await {
                    Err(kube::Error::Api(status)) if status.code == 404 => {}
                    other => {
                        other?;
                    }
                }
                tracing::info!(restore = %restore.name_any(), job = %name, "restore Job deleted before the scale-up");
            }
            Action::Cypher(cypher) | Action::CypherAs(_, cypher) => {
                let Some(target) = target else {
                    acted.failure = Some("the target is gone".to_owned());
                    return Ok(acted);
                };
                let database = restore.spec.database_name.clone().unwrap_or_default();
                let reached = match action {
                    Action::CypherAs(secret, _) => endpoint_as(client, target, &namespace, secret).await,
                    _ => endpoint(client, target).await,
                };
                let result = match reached {
                    Ok(endpoint) => ctx.admin.run(&endpoint, &database, cypher).await,
                    Err(why) => Err(why),
                };
                match result {
                    // A switch whose answer was lost may have happened: where the alias points
                    // is read again, and decides (within the step's timeout).
                    Err(why) if matches!(cypher, neo4j_api::restore::machine::Cypher::Promote { .. }) => {
                        tracing::warn!(restore = %restore.name_any(), error = %why, "switching the alias failed; reading it again");
                    }
                    Err(why) => {
                        acted.failure = Some(why);
                        return Ok(acted);
                    }
                    Ok(()) => {}
                }
            }
        }
    }
    Ok(acted)
}
