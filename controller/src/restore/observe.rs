//! Observe: everything the restore machine decides on, read from the API server and (when a step
//! needs it) from the target's database over Bolt. Nothing here writes.

use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, ListParams};
use kube::{Client, ResourceExt};
use neo4j_api::plan::restore_job::{RESTORE_LABEL, RestoreJob};
use neo4j_api::plan::target::ResolvedTarget;
use neo4j_api::restore::machine::{Database, JobState, Observed, Servers};
use neo4j_api::restore::observed::Alias;
use neo4j_api::restore::source::{newer_backup, ready_source};
use neo4j_api::review::review;
use neo4j_api::rules::Context;
use neo4j_api::status::job::{has_failed, is_finished};
use neo4j_api::status::owned::{owned_by, pods_of};
use neo4j_api::status::pods::termination_report;
use neo4j_api::version::ImageTag;
use neo4j_api::{Neo4jBackup, Neo4jRestore, RestoreStep};

use crate::Ctx;
use crate::backup::resolve::{Lookup, lookup};
use crate::error::Error;
use neo4j_ops::bolt::endpoint;

fn component(job: &Job) -> Option<RestoreJob> {
    let label = job.labels().get("app.kubernetes.io/component")?;
    [RestoreJob::Inspect, RestoreJob::Verify, RestoreJob::Restore, RestoreJob::Before, RestoreJob::After]
        .into_iter()
        .find(|kind| kind.as_str() == label)
}

/// The state of each Job of the restore, and whether a Pod of the restore Job has not ended.
/// Those Pods are looked for by the Job's fixed name whether or not the Job is still listed once
/// the store was touched: a Job deleted in the background (`kubectl delete job`) is gone at once
/// while its Pod may still be writing. Any such Pod counts here, ours or not: it can only make the
/// restore wait, never let it go on.
async fn job_states(
    client: &Client,
    namespace: &str,
    restore: &Neo4jRestore,
) -> Result<(Vec<(RestoreJob, JobState)>, bool), Error> {
    let name = restore.name_any();
    let owner_uid = restore.metadata.uid.clone().unwrap_or_default();
    let progress = restore.status.as_ref().and_then(|s| s.progress.as_ref());
    let touched = progress.is_some_and(|p| p.store_touched == Some(true) && p.step != Some(RestoreStep::Done));
    let jobs: Api<Job> = Api::namespaced(client.clone(), namespace);
    let pods: Api<Pod> = Api::namespaced(client.clone(), namespace);
    let pods_of_job = |job: String| {
        let pods = pods.clone();
        async move { pods.list(&ListParams::default().labels(&format!("job-name={job}"))).await.map(|l| l.items) }
    };
    let mut states = Vec::new();
    let listed = jobs.list(&ListParams::default().labels(&format!("{RESTORE_LABEL}={name}"))).await?.items;
    // Only Jobs this restore owns speak for it (a label can be copied by anyone).
    let owned: Vec<Job> = listed.into_iter().filter(|job| owned_by(&job.metadata, &owner_uid)).collect();
    let restore_job = RestoreJob::Restore.job_name(&name);
    let listed_restore = owned.iter().any(|job| component(job) == Some(RestoreJob::Restore));
    let restore_pods = if touched || listed_restore { pods_of_job(restore_job).await? } else { Vec::new() };
    let restore_pods_active = restore_pods.iter().any(|pod| {
        let phase = pod.status.as_ref().and_then(|s| s.phase.as_deref());
        !matches!(phase, Some("Succeeded" | "Failed"))
    });
    for job in owned {
        let Some(kind) = component(&job) else { continue };
        let finished = is_finished(&job);
        if !finished && kind != RestoreJob::Restore {
            states.push((kind, JobState::Running));
            continue;
        }
        let listed = match kind {
            RestoreJob::Restore => pods_of(restore_pods.clone(), &job),
            _ => pods_of(pods_of_job(job.name_any()).await?, &job),
        };
        let state = if !finished {
            JobState::Running
        } else if has_failed(&job) {
            let why = termination_report(&listed).or_else(|| neo4j_api::status::job::failure_reason(&job));
            JobState::Failed(why.unwrap_or_else(|| "see its logs".to_owned()))
        } else {
            JobState::Succeeded(termination_report(&listed))
        };
        states.push((kind, state));
    }
    Ok((states, restore_pods_active))
}

/// The target's StatefulSet: the one recorded when the restore scaled it (by name, and only if its
/// UID is still the recorded one), else the target's by name. A target that cannot be read any
/// more never keeps its servers down (issue 13, item 5).
async fn servers(
    client: &Client,
    namespace: &str,
    target: &Result<ResolvedTarget, Option<String>>,
    progress: &neo4j_api::RestoreProgress,
) -> Result<(Option<Servers>, Option<neo4j_api::ScaledSet>, Option<String>), Error> {
    let name = match (&progress.statefulset, target) {
        (Some(recorded), _) => recorded.name.clone(),
        (None, Ok(target)) => target.statefulset(),
        (None, Err(_)) => return Ok((None, None, None)),
    };
    let Some(sts) = Api::<StatefulSet>::namespaced(client.clone(), namespace).get_opt(&name).await? else {
        return Ok((None, None, None));
    };
    let uid = sts.metadata.uid.clone().unwrap_or_default();
    // Before it is recorded, the StatefulSet of that name must be the target's own (issue 13,
    // item 10): one another controller made is never scaled.
    if let (None, Ok(target)) = (&progress.statefulset, target)
        && let Some(owner) = target.foreign_controller(&sts.metadata)
    {
        let why = format!(
            "the StatefulSet {name:?} is controlled by {owner}, not by the target {:?}; it is not scaled",
            target.name
        );
        return Ok((None, None, Some(why)));
    }
    if progress.statefulset.as_ref().is_some_and(|recorded| recorded.uid != uid) {
        tracing::warn!(statefulset = %name, "the StatefulSet was replaced since the restore scaled it; leaving the new one alone");
        return Ok((None, None, None));
    }
    Ok((Some(Servers::of(&sts)), Some(neo4j_api::ScaledSet { name, uid }), None))
}

/// The rule errors that stop the restore. Refusing plaintext Bolt is decided before the restore
/// starts: a restore already under way when that rule came (a controller upgrade) is not cut
/// mid-step, which could leave a half-restored store and a stopped database.
fn judged(errors: Vec<String>, progress: &neo4j_api::RestoreProgress) -> Vec<String> {
    let started = progress.step.as_ref().is_some_and(|s| *s != RestoreStep::Resolving);
    let plaintext = format!("{}:", neo4j_api::rules::restore::ALLOW_PLAINTEXT_BOLT);
    errors.into_iter().filter(|e| !(started && e.starts_with(&plaintext))).collect()
}

/// Observes one Neo4jRestore.
pub async fn observe(ctx: &Ctx, restore: &Neo4jRestore, namespace: &str) -> Result<Observed, Error> {
    let client = &ctx.client;
    let target = match restore.spec.target_cluster.as_deref() {
        Some(target) => lookup(ctx, namespace, target).await?.into_target(),
        None => Lookup::Unnamed.into_target(),
    };
    let referenced_name = restore.spec.referenced_backup();
    let referenced: Option<Neo4jBackup> = match &referenced_name {
        Some(backup) => Api::<Neo4jBackup>::namespaced(client.clone(), namespace).get_opt(backup).await?,
        None => None,
    };
    let rules = Context {
        target: target.as_ref().ok().map(ResolvedTarget::facts),
        referenced_backup: referenced.as_ref(),
        now: Some((ctx.now)()),
        ..Context::default()
    };
    let verdict = review(None, &serde_json::to_value(restore)?, &rules).map(|r| r.verdict).unwrap_or_default();
    let source = ready_source(restore, referenced.as_ref());
    let (mut refusal, mut backup_version) = (None, None);
    if let (Ok(target), Some(backup)) = (&target, &referenced)
        && let Some((backup_ns, backup_target)) = backup.spec.target_object(namespace)
        && let Lookup::Found(from) = lookup(ctx, &backup_ns, &backup_target).await?
    {
        refusal = newer_backup(&from, target);
        backup_version = ImageTag::parse(&from.tag).ok().map(|tag| tag.version.to_string());
    }
    let (jobs, restore_pods_active) = job_states(client, namespace, restore).await?;
    let progress = restore.status.as_ref().and_then(|s| s.progress.clone()).unwrap_or_default();
    let (servers, statefulset, foreign) = servers(client, namespace, &target, &progress).await?;
    refusal = refusal.or(foreign);
    let needs_database = match progress.step {
        Some(RestoreStep::PreRestoreHooks) => progress.database_existed.is_none(),
        Some(RestoreStep::BringingUp) => true,
        _ => false,
    };
    let up = servers.is_some_and(|s| s.ready > 0);
    let checking = progress.step == Some(RestoreStep::Checking);
    let alias = restore.spec.promotion_alias();
    let needs_alias = alias.is_some()
        && match progress.step {
            Some(RestoreStep::PreRestoreHooks) => progress.promotion.is_none(),
            Some(RestoreStep::Promoting) => true,
            Some(RestoreStep::RetiringPrevious) => {
                neo4j_api::restore::promotion::retire_due(restore, &progress, Some((ctx.now)()))
            }
            _ => false,
        };
    let name_of_database = restore.spec.database_name.clone().unwrap_or_default();
    let (mut database, mut health, mut alias_state) = (Database::Unknown, None, Alias::Unknown);
    if let (Ok(target), true) = (&target, (needs_database || checking || needs_alias) && up) {
        match endpoint(client, target).await {
            Ok(endpoint) => {
                if needs_alias && let Some(alias) = alias {
                    alias_state = neo4j_ops::bolt::read_alias(ctx.admin.as_ref(), &endpoint, alias).await;
                }
                if needs_database {
                    database = ctx.admin.show(&endpoint, &name_of_database).await.unwrap_or_else(Database::Unreachable);
                }
                if checking {
                    let probes = restore.spec.health_checks().map(|c| c.probes()).unwrap_or_default();
                    let checks = neo4j_api::health::suite::suite(Some(&name_of_database), &probes, None);
                    let about = format!(
                        "{} {}/{}, database {name_of_database}",
                        target.target_type.kind(),
                        target.namespace,
                        target.name
                    );
                    let now = (ctx.now)().to_string();
                    health = Some(neo4j_ops::health::run(ctx.admin.as_ref(), &endpoint, &checks, about, now).await);
                }
            }
            Err(why) => {
                alias_state = Alias::Unreachable(why.clone());
                database = Database::Unreachable(why);
            }
        }
    }
    Ok(Observed {
        errors: judged(verdict.error_lines(), &progress),
        target,
        source,
        refusal,
        backup_version,
        jobs,
        servers,
        statefulset,
        database,
        health,
        alias: alias_state,
        promote_requested: neo4j_api::restore::promotion::requested(restore),
        deleting: restore.metadata.deletion_timestamp.is_some(),
        restore_pods_active,
        agent_image: ctx.agent_image.clone(),
        now: Some((ctx.now)()),
    })
}

/// The plan of `restore` from what was observed, with the referenced backup (its window) and the
/// namespace's earlier restores (their durations). Only while planning: two reads more.
pub async fn plan(
    ctx: &Ctx,
    restore: &Neo4jRestore,
    namespace: &str,
    observed: &Observed,
) -> Result<neo4j_api::RestorePlan, Error> {
    let referenced = match restore.spec.referenced_backup() {
        Some(name) => Api::<Neo4jBackup>::namespaced(ctx.client.clone(), namespace).get_opt(&name).await?,
        None => None,
    };
    let restores: Api<Neo4jRestore> = Api::namespaced(ctx.client.clone(), namespace);
    let earlier = restores.list(&ListParams::default()).await?.items;
    let known =
        neo4j_api::restore::plan::Known { restore, observed, referenced: referenced.as_ref(), earlier: &earlier };
    Ok(neo4j_api::restore::plan::plan(&known))
}

#[cfg(test)]
mod tests {
    use neo4j_api::{RestoreProgress, RestoreStep};

    use super::judged;

    #[test]
    fn plaintext_bolt_is_refused_before_a_restore_starts_and_never_cuts_one_under_way() {
        let errors = || {
            vec![
                "spec.options.allowPlaintextBolt: the target serves Bolt without TLS".to_owned(),
                "spec.databaseName: is required".to_owned(),
            ]
        };
        let at = |step| RestoreProgress { step: Some(step), ..RestoreProgress::default() };
        assert_eq!(judged(errors(), &RestoreProgress::default()), errors());
        assert_eq!(judged(errors(), &at(RestoreStep::Resolving)), errors());
        assert_eq!(judged(errors(), &at(RestoreStep::Restoring)), vec!["spec.databaseName: is required".to_owned()]);
    }
}
