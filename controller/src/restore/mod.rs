//! The Neo4jRestore reconciler: observe -> `neo4j_api::restore::machine::decide` -> act -> status.
//! Progress lives on the object (`status.progress`), written only after the actions succeeded,
//! so a restarted controller continues where the last one stopped.

pub mod act;
pub mod observe;

/// Bolt to the target, shared with the plugin.
pub use neo4j_ops::bolt;

use std::sync::Arc;
use std::time::Duration;

use k8s_openapi::api::batch::v1::Job;
use kube::api::{Api, Patch, PatchParams};
use kube::runtime::controller::{Action as Requeue, Controller};
use kube::runtime::watcher;
use kube::{Resource, ResourceExt};
use neo4j_api::restore::machine::{Action, decide};
use neo4j_api::restore::plan::still_planning;
use neo4j_api::status::restore::restore_status;
use neo4j_api::{Neo4jRestore, RestorePhase};

use crate::Ctx;
use crate::context::{drive, scoped};
use crate::error::Error;

/// Reconciles one Neo4jRestore.
pub async fn reconcile(restore: Arc<Neo4jRestore>, ctx: Arc<Ctx>) -> Result<Requeue, Error> {
    let namespace = restore.namespace().ok_or_else(|| Error::NoNamespace(restore.name_any()))?;
    let name = restore.name_any();
    let now = (ctx.now)();
    let observed = observe::observe(&ctx, &restore, &namespace).await?;
    let mut decision = decide(&restore, &observed);
    let target = observed.target.as_ref().ok();
    let acted = act::act(&ctx, &restore, target, &decision.actions).await?;
    if let Some(failure) = acted.failure {
        // The decision's progress assumed its actions succeeded: keep what was recorded before
        // (a failed DROP did not drop anything), add the failure, keep the first reason, and let
        // the next reconcile take the failure path.
        let previous = restore.status.as_ref().and_then(|s| s.progress.clone()).unwrap_or_default();
        let first = previous.failure.clone().unwrap_or(failure);
        decision.message = first.clone();
        decision.phase = RestorePhase::Running;
        decision.progress = neo4j_api::RestoreProgress { failure: Some(first), ..previous };
    }
    let gone = observed.deleting && decision.actions.contains(&Action::RemoveFinalizer);
    let (mut status, transitions) = restore_status(&restore, &decision, &observed, now);
    // Until the first destructive step, the plan is refreshed with what is known now; it is
    // written with this decision, which acts on nothing destructive (`still_planning`).
    if !gone && still_planning(&decision.progress) {
        status.plan = Some(observe::plan(&ctx, &restore, &namespace, &observed).await?);
    }
    if !gone && Some(&status) != restore.status.as_ref() {
        let restores: Api<Neo4jRestore> = Api::namespaced(ctx.client.clone(), &namespace);
        let patch =
            Patch::Merge(crate::context::status_patch(acted.resource_version, restore.status.as_ref(), &status));
        match restores.patch_status(&name, &PatchParams::default(), &patch).await {
            Err(kube::Error::Api(status)) if status.code == 404 => {}
            Err(kube::Error::Api(status)) if status.code == 409 => {
                tracing::info!(restore = %name, "the Neo4jRestore changed meanwhile; deciding again");
                return Ok(Requeue::requeue(Duration::from_secs(1)));
            }
            other => {
                other?;
            }
        }
    }
    let pitr = restore.spec.source.as_ref().is_some_and(|s| s.r#type == Some(neo4j_api::SourceType::Pitr));
    let was_completed = restore.status.as_ref().and_then(|s| s.phase.as_ref()) == Some(&RestorePhase::Completed);
    if let (true, false, Some(RestorePhase::Completed), Some(started), Some(completed)) =
        (pitr, was_completed, status.phase.as_ref(), &status.start_time, &status.completion_time)
    {
        ctx.metrics.recovery_finished(started.0, completed.0);
    }
    ctx.publish(&restore.object_ref(&()), transitions, "Restore").await;
    let step = decision.progress.step.as_ref();
    Ok(match decision.phase {
        _ if gone => Requeue::await_change(),
        // Waiting for `restore promote`: its annotation is a change of the object, which wakes us.
        _ if step == Some(&neo4j_api::RestoreStep::AwaitingPromotion) => Requeue::requeue(Duration::from_secs(300)),
        _ if step == Some(&neo4j_api::RestoreStep::RetiringPrevious) => {
            let due = neo4j_api::restore::promotion::retire_at(&restore, &decision.progress);
            let wait = due.map_or(0, |at| at.duration_since(now).as_secs()).clamp(5, 3600);
            Requeue::requeue(Duration::from_secs(wait.unsigned_abs()))
        }
        RestorePhase::Completed | RestorePhase::Failed if decision.actions.is_empty() => Requeue::await_change(),
        RestorePhase::Pending => Requeue::requeue(Duration::from_secs(30)),
        _ => Requeue::requeue(Duration::from_secs(5)),
    })
}

/// Retries a failed reconcile after a pause.
pub fn error_policy(restore: Arc<Neo4jRestore>, error: &Error, _: Arc<Ctx>) -> Requeue {
    tracing::warn!(restore = %restore.name_any(), %error, "reconcile failed; retrying");
    Requeue::requeue(Duration::from_secs(10))
}

async fn timed_reconcile(restore: Arc<Neo4jRestore>, ctx: Arc<Ctx>) -> Result<Requeue, Error> {
    let started = std::time::Instant::now();
    let result = reconcile(restore, ctx.clone()).await;
    ctx.metrics.observe("Neo4jRestore", result.is_ok(), started.elapsed());
    result
}

/// Runs the restore controller until shutdown, over every namespace or only `namespace`.
pub async fn run(ctx: Arc<Ctx>, namespace: Option<&str>) {
    let client = ctx.client.clone();
    let managed = watcher::Config::default().labels("app.kubernetes.io/name=neo4j-restore");
    let controller = Controller::new(scoped::<Neo4jRestore>(&client, namespace), watcher::Config::default())
        .owns(scoped::<Job>(&client, namespace), managed)
        .shutdown_on_signal()
        .run(timed_reconcile, error_policy, ctx);
    drive(controller).await;
}
