//! The Neo4jBackup reconciler: resolve -> validate -> plan -> apply -> status.
//! Only resolve, apply and status talk to the API server; validate, plan and the status itself
//! come from `neo4j-api`, the same code the webhook and the plugin run.

pub mod apply;
pub mod resolve;
pub mod shipping;
pub mod window;

use std::sync::Arc;
use std::time::Duration;

use k8s_openapi::api::batch::v1::{CronJob, Job};
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, ListParams, Patch, PatchParams};
use kube::runtime::controller::{Action, Controller};
use kube::runtime::reflector::ObjectRef;
use kube::runtime::watcher;
use kube::{Resource, ResourceExt};
use neo4j_api::grammar::cron::CronSchedule;
use neo4j_api::grammar::duration::parse_duration;
use neo4j_api::pitr::cycle::{Seen, Step, cycle};
use neo4j_api::plan::backup_job::BACKUP_TYPE_ANNOTATION;
use neo4j_api::plan::backup_job::plan_backup;
use neo4j_api::plan::retention_job::{is_retention_job, plan_retention, retention_due, retention_job_name};
use neo4j_api::plan::shipping_job::plan_shipping_run;
use neo4j_api::plan::target::ResolvedTarget;
use neo4j_api::review::review;
use neo4j_api::rules::Context;
use neo4j_api::status::backup::merged_history;
use neo4j_api::status::backup::{Observed, backup_status};
use neo4j_api::status::job::{has_failed, is_finished};
use neo4j_api::status::owned::{owned_by, owned_by_cronjob, pods_of};
use neo4j_api::status::pods::termination_report;
use neo4j_api::{Neo4jBackup, RunPhase};

use crate::error::Error;
use resolve::Lookup;

pub use crate::context::Ctx;

/// Label that ties a Job to its Neo4jBackup (also on Jobs a CronJob creates).
const BACKUP_LABEL: &str = "neo4j.neo4j.com/backup";

/// Reconciles one Neo4jBackup.
pub async fn reconcile(backup: Arc<Neo4jBackup>, ctx: Arc<Ctx>) -> Result<Action, Error> {
    let namespace = backup.namespace().ok_or_else(|| Error::NoNamespace(backup.name_any()))?;
    let name = backup.name_any();
    let now = (ctx.now)();

    // Resolve.
    let lookup = match backup.spec.target_object(&namespace) {
        Some((target_ns, _)) if target_ns != namespace && !ctx.cross_namespace_targets => {
            Lookup::Unusable(cross_namespace_refusal(&target_ns))
        }
        Some((target_ns, target_name)) => resolve::lookup(&ctx, &target_ns, &target_name).await?,
        None => Lookup::Unnamed,
    };
    let target = match &lookup {
        Lookup::Found(target) => Some(target),
        _ => None,
    };

    // Validate, with the same rules as the webhook.
    let rules = Context { target: target.map(ResolvedTarget::facts), now: Some(now), ..Context::default() };
    let verdict = review(None, &serde_json::to_value(backup.as_ref())?, &rules).map(|r| r.verdict).unwrap_or_default();
    let mut observed = Observed {
        errors: verdict.error_lines(),
        target_found: match lookup {
            Lookup::Unnamed => None,
            Lookup::Missing => Some(false),
            _ => Some(true),
        },
        target_problem: match &lookup {
            Lookup::Unusable(why) => Some(why.clone()),
            _ => None,
        },
        ..Observed::default()
    };

    // A backup whose rules no longer hold runs no more; one whose target in another namespace
    // does not grant it (withdrawn, or it cannot be checked: not found, not readable) also stops
    // the run under way (issue 13, item 2).
    let cross_namespace = backup.spec.target_object(&namespace).is_some_and(|(target_ns, _)| target_ns != namespace);
    let withdrawn = cross_namespace && !target.is_some_and(|t| t.backup_grant.allows(&namespace));
    let jobs: Api<Job> = Api::namespaced(ctx.client.clone(), &namespace);
    let cron = neo4j_api::plan::backup_job::workload_name(&name);
    if !verdict.is_allowed() || withdrawn {
        let cancelled = if withdrawn { owned_jobs(&jobs, &backup).await? } else { Vec::new() };
        apply::stop_workload(&ctx.client, &namespace, &cron, &cancelled).await?;
    }

    // Plan and apply. A shipping backup has no CronJob: its runs are started below, one at a time.
    let ships = backup.spec.shipping.is_some();
    // An offline restore holds the target (scaled down): no run starts until it lets go.
    if let (true, Some(holder)) = (ships, target.and_then(|t| t.restore_hold.as_deref())) {
        observed.target_problem = Some(neo4j_api::pitr::shipping::paused_by_restore(holder));
    }
    if let (true, Some(_), true) = (verdict.is_allowed(), target, ships) {
        match apply::apply_service_account(&ctx.client, &namespace, &backup).await? {
            Some(refused) => observed.target_problem = Some(refused),
            None => {
                apply::ensure_claim(&ctx.client, &namespace, &backup).await?;
                shipping::remove_cron(&ctx.client, &namespace, &cron).await?;
            }
        }
    } else if let (true, Some(target)) = (verdict.is_allowed(), target) {
        match plan_backup(&backup, target, &ctx.agent_image) {
            Ok(workload) => match apply::apply_service_account(&ctx.client, &namespace, &backup).await? {
                Some(refused) => observed.target_problem = Some(refused),
                None => {
                    apply::ensure_claim(&ctx.client, &namespace, &backup).await?;
                    apply::apply_workload(&ctx.client, &namespace, &workload).await?;
                }
            },
            Err(err) => observed.target_problem = Some(err.to_string()),
        }
    }

    // Retention, after a successful run (PVC storage; cloud storage is left to lifecycle rules).
    let listed = owned_jobs(&jobs, &backup).await?;
    let (retention_jobs, backup_jobs): (Vec<Job>, Vec<Job>) = listed.into_iter().partition(is_retention_job);
    let mut retention = retention_jobs.into_iter().find(|job| job.name_any() == retention_job_name(&name));
    // A chain is pruned after its base backups, not after every DIFF.
    let prunes_after: Vec<Job> = if ships {
        let full = |job: &&Job| job.annotations().get(BACKUP_TYPE_ANNOTATION).map(String::as_str) == Some("FULL");
        backup_jobs.iter().filter(full).cloned().collect()
    } else {
        backup_jobs.clone()
    };
    // A retention Job due but not created yet (its predecessor still being deleted) holds the
    // chain as one that runs does.
    let mut prune_pending = false;
    if let (true, Some(target), Some(after)) = (verdict.is_allowed(), target, retention_due(&prunes_after)) {
        match plan_retention(&backup, target, &ctx.agent_image, &after) {
            Ok(Some(job)) => {
                retention = apply::ensure_retention(&ctx.client, &namespace, &job, retention).await?;
                prune_pending = retention.is_none();
            }
            Ok(None) => {}
            Err(err) => observed.target_problem = Some(err.to_string()),
        }
    }
    let pods: Api<Pod> = Api::namespaced(ctx.client.clone(), &namespace);
    let report_of = |job: &Job| {
        let (pods, job) = (pods.clone(), job.clone());
        async move {
            let selector = format!("job-name={}", job.name_any());
            let listed = pods.list(&ListParams::default().labels(&selector)).await?.items;
            Ok::<_, kube::Error>(termination_report(&pods_of(listed, &job)))
        }
    };
    if let Some(job) = retention.as_ref().filter(|job| is_finished(job)) {
        observed.retention_report = report_of(job).await?;
    }
    observed.retention_job = retention;
    // Why a run failed, read once: when the history does not know it failed yet.
    let known_failed = |job: &str| {
        backup
            .status
            .iter()
            .flat_map(|s| s.history.iter())
            .any(|r| r.job_name == job && r.phase == Some(RunPhase::Failed))
    };
    for job in backup_jobs.iter().filter(|j| has_failed(j) && !known_failed(&j.name_any())) {
        if let Some(report) = report_of(job).await? {
            observed.failure_reports.push((job.name_any(), report));
        }
    }

    // Continuous protection: fold the runs, then start, create or wait (the claim is written with
    // the status below, before any Job is created).
    let mut step = None;
    let mut run_job = None;
    if let (true, Some(target), Some(spec)) =
        (verdict.is_allowed() && observed.target_problem.is_none(), target, &backup.spec.shipping)
    {
        let runs: Vec<Job> = backup_jobs.iter().filter(|job| shipping::is_run(job)).cloned().collect();
        let previous = backup.status.as_ref();
        let history = merged_history(
            previous.map(|s| s.history.as_slice()).unwrap_or_default(),
            &backup_jobs,
            &observed.failure_reports,
        );
        let seen = Seen {
            previous: previous.and_then(|s| s.shipping.as_ref()),
            history: &history,
            jobs: runs.iter().map(|job| job.name_any()).collect(),
            unfinished: runs.iter().any(|job| !is_finished(job)),
            pruning: prune_pending || observed.retention_job.as_ref().is_some_and(|job| !is_finished(job)),
            suspended: backup.spec.suspend == Some(true),
            lingering: false,
        };
        // Only when a claimed run has no Job: are Pods of a deleted run still there?
        let claimed = previous.and_then(|s| s.shipping.as_ref()).and_then(|s| s.running_job.as_ref());
        let seen = match claimed.filter(|job| !seen.jobs.contains(job)) {
            Some(_) => Seen { lingering: shipping::pods_linger(&pods, &name).await?, ..seen },
            None => seen,
        };
        let schedule = backup.spec.schedule.as_deref().and_then(|s| CronSchedule::parse(s).ok());
        let interval = spec.interval.as_deref().and_then(|i| parse_duration(i).ok()).unwrap_or(60);
        let (shipped, next) = cycle(&name, &seen, schedule.as_ref(), interval, now);
        let planned = match &next {
            Step::Start { job, backup_type } | Step::Create { job, backup_type } => {
                Some(plan_shipping_run(&backup, target, &ctx.agent_image, backup_type.clone(), job))
            }
            Step::Wait(_) => None,
        };
        match planned {
            Some(Err(err)) => observed.target_problem = Some(err.to_string()),
            planned => {
                run_job = planned.and_then(Result::ok);
                observed.shipping = Some(shipped);
                step = Some(next);
            }
        }
        shipping::clean_up(&jobs, &runs, &history).await?;
    }

    // Status.
    observed.window = window::newest_window(&pods, &backup, &backup_jobs).await?;
    observed.jobs = backup_jobs;
    let suspended = backup.spec.suspend == Some(true);
    observed.next_run = backup
        .spec
        .schedule
        .as_deref()
        .filter(|_| !suspended && observed.errors.is_empty())
        .and_then(|s| CronSchedule::parse(s).ok())
        .and_then(|s| s.next_after(now));
    if let Some(Step::Wait(Some(at))) = &step {
        observed.next_run = Some(*at); // a shipping backup's next run, FULL or DIFF
    }
    let (status, transitions) = backup_status(&backup, &observed, now);
    if Some(&status) != backup.status.as_ref() {
        let backups: Api<Neo4jBackup> = Api::namespaced(ctx.client.clone(), &namespace);
        let patch = crate::context::status_patch(backup.resource_version(), backup.status.as_ref(), &status);
        match backups.patch_status(&name, &PatchParams::default(), &Patch::Merge(patch)).await {
            Err(kube::Error::Api(status)) if status.code == 409 => return Ok(Action::requeue(Duration::from_secs(1))),
            other => {
                other?;
            }
        }
    }
    ctx.metrics.backup_written(&namespace, &name, backup.status.as_ref(), &status, ships);
    let objective = neo4j_api::rpo::objective(&backup);
    ctx.metrics.backup_objective(&namespace, &name, objective, neo4j_api::rpo::newest_restorable(&status));
    // The claim is written: only now may the run's Job be created.
    if let Some(job) = &run_job {
        shipping::create_run(&jobs, job).await?;
    }
    ctx.publish(&backup.object_ref(&()), transitions, "Reconcile").await;
    if let Some(step) = &step {
        return Ok(Action::requeue(shipping::requeue(step, now)));
    }

    // A grant in another namespace can be withdrawn at any moment, and nothing here watches it.
    Ok(match status.phase {
        _ if cross_namespace => Action::requeue(Duration::from_secs(30)),
        Some(neo4j_api::BackupPhase::Invalid) => Action::await_change(),
        Some(neo4j_api::BackupPhase::Running) => Action::requeue(Duration::from_secs(30)),
        Some(neo4j_api::BackupPhase::Pending) => Action::requeue(Duration::from_secs(60)),
        _ => Action::requeue(Duration::from_secs(300)),
    })
}

/// The Jobs of `backup`: only those it owns, directly or through its CronJob, speak for it (a
/// label anyone can copy; issue 13, item 14).
async fn owned_jobs(jobs: &Api<Job>, backup: &Neo4jBackup) -> Result<Vec<Job>, kube::Error> {
    let name = backup.name_any();
    let uid = backup.metadata.uid.clone().unwrap_or_default();
    let cron = neo4j_api::plan::backup_job::workload_name(&name);
    let listed = jobs.list(&ListParams::default().labels(&format!("{BACKUP_LABEL}={name}"))).await?.items;
    Ok(listed
        .into_iter()
        .filter(|job| owned_by(&job.metadata, &uid) || owned_by_cronjob(&job.metadata, &cron))
        .collect())
}

/// Why a target in another namespace is not looked up.
pub fn cross_namespace_refusal(target_namespace: &str) -> String {
    format!(
        "the target is in namespace {target_namespace:?}; targets in other namespaces need the admission webhook (it checks that whoever writes the backup may read the target), the controller flag --cross-namespace-targets and the target's grant (annotation {}); or create the backup in {target_namespace:?}",
        neo4j_api::grant::BACKUP_NAMESPACES
    )
}

/// The API server refuses an Event whose note is longer than 1024 bytes; the status keeps the
/// whole message, the Event carries as much of it as fits.
pub fn event_note(message: &str) -> String {
    const LIMIT: usize = 1024;
    if message.len() <= LIMIT {
        return message.to_owned();
    }
    let suffix = "… (see the status message)";
    let mut end = LIMIT - suffix.len();
    while !message.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}{suffix}", &message[..end])
}

async fn timed_reconcile(backup: Arc<Neo4jBackup>, ctx: Arc<Ctx>) -> Result<Action, Error> {
    let started = std::time::Instant::now();
    let result = reconcile(backup, ctx.clone()).await;
    ctx.metrics.observe("Neo4jBackup", result.is_ok(), started.elapsed());
    result
}

/// Retries a failed reconcile after a pause.
pub fn error_policy(backup: Arc<Neo4jBackup>, error: &Error, _: Arc<Ctx>) -> Action {
    tracing::warn!(backup = %backup.name_any(), %error, "reconcile failed; retrying");
    Action::requeue(Duration::from_secs(15))
}

/// Runs the backup controller until shutdown, over every namespace or only `namespace`.
pub async fn run(ctx: Arc<Ctx>, namespace: Option<&str>) {
    use crate::context::scoped as api;
    let client = ctx.client.clone();
    let managed = watcher::Config::default().labels("app.kubernetes.io/managed-by=kubectl-neo4j");
    let controller = Controller::new(api::<Neo4jBackup>(&client, namespace), watcher::Config::default());
    let forget = forget_deleted(controller.store(), ctx.clone());
    let controller = controller
        .owns(api::<CronJob>(&client, namespace), managed.clone())
        .watches(api::<Job>(&client, namespace), managed, |job: Job| {
            let name = job.labels().get(BACKUP_LABEL)?.clone();
            Some(ObjectRef::<Neo4jBackup>::new(&name).within(&job.namespace()?))
        })
        .shutdown_on_signal()
        .run(timed_reconcile, error_policy, ctx);
    // One future, not a spawned task: whoever drops the controller (shutdown, a lost lease)
    // drops the clean-up with it.
    tokio::select! {
        () = crate::context::drive(controller) => {}
        () = forget => {}
    }
}

/// A deleted Neo4jBackup is never reconciled again: its metric series are removed here, once a
/// minute, against the controller's cache (after its first full list, or every series would go).
async fn forget_deleted(store: kube::runtime::reflector::Store<Neo4jBackup>, ctx: Arc<Ctx>) {
    if store.wait_until_ready().await.is_err() {
        // The cache is gone with its controller: nothing to compare with, and nothing to stop.
        return std::future::pending().await;
    }
    let mut every = tokio::time::interval(Duration::from_secs(60));
    loop {
        every.tick().await;
        ctx.metrics.forget_missing(|namespace, name| store.get(&ObjectRef::new(name).within(namespace)).is_some());
    }
}

#[cfg(test)]
mod tests {
    use super::event_note;

    #[test]
    fn event_notes_fit_the_api_servers_limit() {
        assert_eq!(event_note("Job nightly-backup succeeded"), "Job nightly-backup succeeded");
        let long = "spec.options.backupType: \"ÄÖÜ\" is not supported; ".repeat(40);
        let note = event_note(&long);
        assert!(note.len() <= 1024, "{} bytes", note.len());
        assert!(note.ends_with("… (see the status message)"));
        assert!(long.starts_with(note.trim_end_matches("… (see the status message)")));
    }
}
