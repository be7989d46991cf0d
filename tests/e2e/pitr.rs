//! Point-in-time recovery of a cluster against a real API server (issue 14).
//!
//! 1. A Neo4jEnterpriseCluster with `spec.pointInTimeRecovery` gets its protection `<name>-pitr`
//!    (the pitr loop's `sync`, in-process), and the backup controller (in-process) runs it: a FULL
//!    first, then a DIFF each interval after the previous start, never two runs at once; each
//!    finished run's window report (the `window` container's termination message, written here:
//!    there is no kubelet) reaches `status.recoveryWindow`; old runs are cleaned up; turning
//!    recovery off suspends the protection, and deleting the cluster deletes it.
//! 2. With the webhook in-process and registered fail-closed, a point-in-time restore without a
//!    base backup is judged against the window the protection's status keeps: outside it (after
//!    the newest moment, before the earliest, in a gap) it is refused with the exact reason; inside
//!    it is admitted, and the restore controller lists the location, then runs
//!    `neo4j-admin database restore --restore-until=<the moment in UTC>`.

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::PodSpec;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{OwnerReference, Time};
use k8s_openapi::jiff::{SignedDuration, Timestamp};
use kube::api::{Api, ListParams, Patch, PatchParams, PostParams};
use kube::{Client, ResourceExt};
use neo4j_api::pitr::protection::PROTECTED_LABEL;
use neo4j_api::pitr::summary::WindowReport;
use neo4j_api::plan::backup_job::BACKUP_TYPE_ANNOTATION;
use neo4j_api::plan::shipping_job::{SHIPPING_LABEL, run_started};
use neo4j_api::restore::artifact::ChosenArtifact;
use neo4j_api::status::job::is_finished;
use neo4j_api::{
    BackupPhase, BackupType, ChainSummary, DatabaseWindow, Neo4jBackup, Neo4jBackupSpec, Neo4jBackupStatus,
    Neo4jRestore, RestorableSpan, RestoreStep, RunPhase,
};
use serde_json::json;

use crate::in_process::Listening;
use crate::security::{
    Configurations, Task, described, from_json, offline_target, refused, register, restore_controller, spawn,
    start_webhook, until,
};
use crate::support::{
    apply_crds, client, clusters, controller_ctx, create_cluster, exclusive, finish_job_pod_reporting, in_namespace,
    install_crds,
};

/// The protection of the target `prod`.
const PROTECTION: &str = "prod-pitr";
/// Where the chain goes: S3 with the ambient identity of the Job's ServiceAccount, so that no
/// Secret and no claim is needed (there is no S3 either: the Pods never run).
const BUCKET: &str = "e2e-pitr-logs";
/// The shortest time between two runs' Job starts: the interval, less the Job controller's delay
/// in starting one Job and not the other.
fn min_gap() -> SignedDuration {
    SignedDuration::from_secs(INTERVAL_SECONDS) - SignedDuration::from_secs(2)
}

/// The DIFF interval of test 1 (the shortest the rules allow).
const INTERVAL_SECONDS: i64 = 10;
/// A base schedule that never comes due while a test runs (`@daily`, the default, would start a
/// new chain with a FULL at 00:00 UTC).
const BASE_SCHEDULE: &str = "0 3 1 1 *";
/// The selector of the protection's run Jobs.
const RUNS: &str = "neo4j.neo4j.com/backup=prod-pitr,neo4j.neo4j.com/shipping=true";

// ---------------------------------------------------------------------------------------------
// Plumbing
// ---------------------------------------------------------------------------------------------

/// Polls `probe` for the whole of `duration` and panics, with what it saw, the first time it does
/// not hold: a bounded observation that something does not happen.
async fn throughout<F, Fut>(what: &str, duration: Duration, mut probe: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<(), String>>,
{
    let start = Instant::now();
    loop {
        if let Err(seen) = probe().await {
            panic!("{what}: broken after {:?}: {seen}", start.elapsed());
        }
        if start.elapsed() >= duration {
            return;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// How long until `moment` (zero once it has passed).
fn until_moment(moment: Timestamp) -> Duration {
    let left = moment.duration_since(Timestamp::now());
    Duration::try_from(left).unwrap_or(Duration::ZERO)
}

/// The protection's run Jobs, oldest run first.
async fn runs(jobs: &Api<Job>) -> Result<Vec<Job>, String> {
    let mut listed =
        jobs.list(&ListParams::default().labels(RUNS)).await.map_err(|err| format!("list the run Jobs: {err}"))?.items;
    listed.sort_by_key(|job| run_started(PROTECTION, &job.name_any()));
    Ok(listed)
}

fn run_line(job: &Job) -> String {
    let kind = job.annotations().get(BACKUP_TYPE_ANNOTATION).cloned().unwrap_or_default();
    let state = if is_finished(job) { "finished" } else { "unfinished" };
    let deleting = if job.metadata.deletion_timestamp.is_some() { ", deleting" } else { "" };
    format!("{} ({kind}, {state}{deleting})", job.name_any())
}

fn runs_line(jobs: &[Job]) -> String {
    format!("[{}]", jobs.iter().map(run_line).collect::<Vec<_>>().join(", "))
}

fn status_line(backup: &Neo4jBackup) -> String {
    let status = backup.status.clone().unwrap_or_default();
    format!(
        "phase {:?}, message {:?}, shipping {:?}, windowTime {:?}, recoveryWindow {}, history {:?}",
        status.phase.as_ref().map(|p| p.as_str()),
        status.message,
        status.shipping,
        status.window_time.as_ref().map(|t| t.0.to_string()),
        serde_json::to_string(&status.recovery_window).unwrap_or_default(),
        status
            .history
            .iter()
            .map(|r| (r.job_name.clone(), r.phase.as_ref().map(|p| p.as_str().to_owned())))
            .collect::<Vec<_>>(),
    )
}

async fn protection_status(backups: &Api<Neo4jBackup>) -> Result<(Neo4jBackup, Neo4jBackupStatus), String> {
    let backup = backups.get(PROTECTION).await.map_err(|err| format!("read {PROTECTION}: {err}"))?;
    let status = backup.status.clone().unwrap_or_default();
    Ok((backup, status))
}

fn pod_spec(job: &Job) -> PodSpec {
    job.spec.as_ref().and_then(|s| s.template.spec.clone()).expect("a Pod template")
}

fn container_names(containers: &Option<Vec<k8s_openapi::api::core::v1::Container>>) -> Vec<String> {
    containers.iter().flatten().map(|c| c.name.clone()).collect()
}

/// The argv of the container `name` (init or main) of a Job's Pod.
fn argv_of(job: &Job, name: &str) -> Vec<String> {
    let pod = pod_spec(job);
    let container = pod.init_containers.iter().flatten().chain(&pod.containers).find(|c| c.name == name);
    let container = container.unwrap_or_else(|| panic!("no container {name} in Job {}", job.name_any()));
    container.command.clone().or_else(|| container.args.clone()).unwrap_or_default()
}

pub(crate) fn at(text: &str) -> Time {
    Time(text.parse().expect("an RFC 3339 time"))
}

// ---------------------------------------------------------------------------------------------
// 1. The protection of a cluster, and its runs
// ---------------------------------------------------------------------------------------------

#[tokio::test]
#[ignore = "needs a cluster: KUBECONFIG"]
async fn e2e_pitr_cluster_gets_its_protection_and_runs_ship_at_the_interval_without_overlap() {
    let client = client().await;
    let _cluster = install_crds(&client).await;
    let inner = client.clone();
    in_namespace(&client, "pitr-ship", move |ns| async move { protected(inner, ns).await }).await;
}

/// What a run's `window` container reports: the window of `neo4j`, `orders` and `system` from the
/// chain's FULL at 02:00:00 to `latest`, as a whole-cluster protection's report looks (over 1,000
/// characters: the controller reads it whole, never through the 512-character status message).
pub(crate) fn window_report(latest: &str, latest_transaction: u64) -> WindowReport {
    let earliest = "2025-01-20T02:00:00Z";
    let database = |name: &str| DatabaseWindow {
        database: name.to_owned(),
        database_id: Some("62d1820c-3ac6-4b15-a0b3-bf7e7becc8d0".to_owned()),
        earliest: Some(at(earliest)),
        latest: Some(at(latest)),
        earliest_transaction: Some(420),
        latest_transaction: Some(latest_transaction),
        contiguous: true,
        spans: vec![RestorableSpan {
            from: at(earliest),
            to: at(latest),
            from_transaction: Some(420),
            to_transaction: Some(latest_transaction),
        }],
        newest_chain: Some(ChainSummary {
            full: format!("{name}-2025-01-20T02-00-00.backup"),
            artifacts: 2,
            newest: format!("{name}-{}.backup", latest.trim_end_matches('Z').replace(':', "-")),
        }),
        ..DatabaseWindow::default()
    };
    let report = WindowReport {
        recovery_window: vec![database("neo4j"), database("orders"), database("system")],
        omitted_databases: 0,
    };
    assert!(serde_json::to_string(&report).expect("JSON").len() > 1000);
    report
}

/// Runs `pitr::sync` until the protection exists with a spec `wanted` accepts.
async fn synced_protection(
    ctx: &neo4j_controller::Ctx,
    ns: &str,
    backups: &Api<Neo4jBackup>,
    what: &str,
    wanted: impl Fn(&Neo4jBackupSpec) -> bool,
) -> Neo4jBackup {
    let wanted = &wanted;
    until(what, Duration::from_secs(60), || async move {
        neo4j_controller::pitr::sync(ctx, Some(ns)).await.map_err(|err| format!("pitr sync failed: {err}"))?;
        match backups.get_opt(PROTECTION).await.map_err(|err| err.to_string())? {
            Some(backup) if wanted(&backup.spec) => Ok(backup),
            Some(backup) => Err(format!("{PROTECTION} has the spec {}", serde_json::to_string(&backup.spec).unwrap())),
            None => Err(format!("no Neo4jBackup {PROTECTION} yet")),
        }
    })
    .await
}

/// Watches the run Jobs all along and notes every moment more than one of them was unfinished.
fn watch_overlaps(jobs: Api<Job>, seen: Arc<Mutex<Vec<String>>>, overlaps: Arc<Mutex<Vec<String>>>) -> Task {
    spawn(async move {
        loop {
            if let Ok(listed) = runs(&jobs).await {
                let line = runs_line(&listed);
                {
                    let mut seen = seen.lock().unwrap();
                    if seen.last() != Some(&line) {
                        seen.push(line.clone());
                    }
                }
                if listed.iter().filter(|job| !is_finished(job)).count() > 1 {
                    overlaps.lock().unwrap().push(line);
                }
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    })
}

/// Waits for the next run after `previous` (the runs known so far) and returns it.
async fn next_run(jobs: &Api<Job>, backups: &Api<Neo4jBackup>, previous: &[String], what: &str) -> Job {
    until(what, Duration::from_secs(60), || async move {
        let listed = runs(jobs).await?;
        let new: Vec<&Job> = listed.iter().filter(|job| !previous.contains(&job.name_any())).collect();
        match new.as_slice() {
            [one] => Ok((*one).clone()),
            [] => {
                let status = backups.get(PROTECTION).await.map(|b| status_line(&b)).unwrap_or_default();
                Err(format!("runs {}; {status}", runs_line(&listed)))
            }
            _ => panic!("more than one new run at once: {}", runs_line(&listed)),
        }
    })
    .await
}

/// Finishes `run` with `report`, waits until the status carries it, and returns that status.
async fn finish_run(
    client: &Client,
    ns: &str,
    backups: &Api<Neo4jBackup>,
    run: &Job,
    report: &WindowReport,
) -> Neo4jBackupStatus {
    let message = serde_json::to_string(report).expect("a report");
    finish_job_pod_reporting(client, ns, &run.name_any(), &["backup", "listing"], "window", &message).await;
    let name = run.name_any();
    let name = &name;
    until(&format!("the window of {name} in the status"), Duration::from_secs(90), || async move {
        let (backup, status) = protection_status(backups).await?;
        let recorded = status.history.iter().any(|r| &r.job_name == name && r.phase == Some(RunPhase::Succeeded));
        let released = status.shipping.as_ref().and_then(|s| s.running_job.as_ref()) != Some(name);
        if recorded && released && status.recovery_window == report.recovery_window && status.window_time.is_some() {
            Ok(status)
        } else {
            Err(status_line(&backup))
        }
    })
    .await
}

/// What a run looks like: its type, its owner, its containers and neo4j-admin's `--type`.
fn assert_run(run: &Job, backup: &Neo4jBackup, backup_type: &str, admin_type: &str) {
    let name = run.name_any();
    assert_eq!(run.annotations().get(BACKUP_TYPE_ANNOTATION).map(String::as_str), Some(backup_type), "{name}");
    assert_eq!(run.labels().get(SHIPPING_LABEL).map(String::as_str), Some("true"), "{name}");
    let owners = run.owner_references();
    assert!(
        owners.iter().any(|o| o.kind == "Neo4jBackup" && o.name == PROTECTION && Some(&o.uid) == backup.uid().as_ref()),
        "{name} is owned by its Neo4jBackup: {owners:?}"
    );
    let pod = pod_spec(run);
    assert_eq!(container_names(&pod.init_containers), ["backup", "listing"], "{name}");
    assert_eq!(pod.containers.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), ["window"], "{name}");
    assert_eq!(argv_of(run, "window"), ["window", "--inventory=/scratch/listing.txt"], "{name}");
    let argv = argv_of(run, "backup");
    assert_eq!(argv[..3], ["neo4j-admin", "database", "backup"], "{argv:?}");
    for flag in [format!("--type={admin_type}"), format!("--to-path=s3://{BUCKET}/prod/"), "--compress=true".to_owned()]
    {
        assert!(argv.contains(&flag), "{name}: {flag} in {argv:?}");
    }
}

fn started(run: &Job) -> Timestamp {
    run_started(PROTECTION, &run.name_any())
        .unwrap_or_else(|| panic!("{} is not named <backup>-backup-<unix seconds>", run.name_any()))
}

fn completed(job: &Job) -> Timestamp {
    job.status.as_ref().and_then(|s| s.completion_time.as_ref()).map(|t| t.0).expect("a completed Job")
}

async fn protected(client: Client, ns: String) {
    create_cluster(&client, &ns, "v1alpha1", "prod").await;
    let targets = clusters(&client, &ns, "v1alpha1");
    let destination = json!({"type": "s3", "bucket": BUCKET, "path": "prod"});
    let on = json!({"spec": {"pointInTimeRecovery": {"enabled": true, "logShipping": {"destination": destination}}}});
    targets.patch("prod", &PatchParams::default(), &Patch::Merge(&on)).await.expect("turn point-in-time recovery on");
    let cluster_uid = targets.get("prod").await.expect("the target").uid().expect("its uid");
    let ctx = controller_ctx(&client, Arc::new(neo4j_controller::restore::bolt::Bolt));
    let backups: Api<Neo4jBackup> = Api::namespaced(client.clone(), &ns);
    let jobs: Api<Job> = Api::namespaced(client.clone(), &ns);

    // The protection, with the defaults of what the cluster leaves out: a DIFF each minute, a new
    // chain @daily, no retention; compressed, not checked; the webhook's defaults applied.
    let defaults: Neo4jBackupSpec = from_json(json!({"target": {"kind": "Cluster", "name": "prod"},
        "storage": {"type": "s3", "bucket": BUCKET, "path": "prod", "cloud": {"provider": "aws"}},
        "options": {"backupType": "FULL", "compress": true, "verify": false},
        "schedule": "@daily", "suspend": false, "shipping": {"interval": "1m"}}));
    let protection =
        synced_protection(&ctx, &ns, &backups, "the protection with its defaults", |spec| *spec == defaults).await;
    let labels = protection.labels();
    assert_eq!(labels.get(PROTECTED_LABEL).map(String::as_str), Some("prod"), "{labels:?}");
    assert_eq!(labels.get("app.kubernetes.io/managed-by").map(String::as_str), Some("kubectl-neo4j"), "{labels:?}");
    let owner = OwnerReference {
        api_version: "neo4j.neo4j.com/v1alpha1".to_owned(),
        kind: "Neo4jEnterpriseCluster".to_owned(),
        name: "prod".to_owned(),
        uid: cluster_uid,
        controller: None,
        block_owner_deletion: None,
    };
    assert_eq!(protection.owner_references(), [owner], "owned by the cluster, not controlled");

    // The cluster's own settings: a DIFF each 10 s, its base schedule, its retention.
    let settings = json!({"spec": {"pointInTimeRecovery": {"logShipping": {"interval": "10s"},
        "baseBackup": {"schedule": BASE_SCHEDULE, "retention": "7d"}}}});
    targets.patch("prod", &PatchParams::default(), &Patch::Merge(&settings)).await.expect("set the intervals");
    let mut wanted = defaults.clone();
    wanted.schedule = Some(BASE_SCHEDULE.to_owned());
    wanted.shipping = from_json(json!({"interval": "10s"}));
    wanted.retention = from_json(json!({"maxAge": "7d", "deletePolicy": "Delete"}));
    let protection =
        synced_protection(&ctx, &ns, &backups, "the protection to follow the cluster", |spec| *spec == wanted).await;
    assert!(protection.status.is_none(), "nothing ran yet: {}", status_line(&protection));

    // The backup controller runs the protection; every run Job is watched from here on.
    let (seen, overlaps) = (Arc::new(Mutex::new(Vec::new())), Arc::new(Mutex::new(Vec::new())));
    let watcher = watch_overlaps(jobs.clone(), seen.clone(), overlaps.clone());
    let controller = {
        let (ctx, scope) = (ctx.clone(), ns.clone());
        spawn(async move { neo4j_controller::backup::run(ctx, Some(&scope)).await })
    };
    let (jobs, backups) = (&jobs, &backups);

    // The first run is a FULL, claimed in the status before its Job was created.
    let full = next_run(jobs, backups, &[], "the first run (a FULL)").await;
    let full_name = full.name_any();
    let (backup, status) = protection_status(backups).await.expect("the protection");
    assert_run(&full, &backup, "FULL", "FULL");
    let shipping = status.shipping.clone().unwrap_or_default();
    assert_eq!(shipping.running_job.as_deref(), Some(full_name.as_str()), "claimed: {}", status_line(&backup));
    assert_eq!(shipping.running_type, Some(BackupType::Full), "{}", status_line(&backup));
    assert_eq!(status.phase, Some(BackupPhase::Pending), "no run has finished: {}", status_line(&backup));

    // While it is unfinished, no other run starts, past the interval too (a change of the
    // protection makes the controller decide again then).
    let one_run = || {
        let full_name = full_name.clone();
        async move {
            let listed = runs(jobs).await?;
            let (backup, status) = protection_status(backups).await?;
            let claimed = status.shipping.as_ref().and_then(|s| s.running_job.clone());
            if listed.len() == 1
                && listed[0].name_any() == full_name
                && !is_finished(&listed[0])
                && claimed.as_deref() == Some(&full_name)
            {
                Ok(())
            } else {
                Err(format!("runs {}; {}", runs_line(&listed), status_line(&backup)))
            }
        }
    };
    let due = started(&full) + SignedDuration::from_secs(INTERVAL_SECONDS + 2);
    throughout("one run while the FULL is unfinished", until_moment(due), one_run).await;
    let nudge = json!({"metadata": {"annotations": {"e2e.neo4j.neo4j.com/nudge": Timestamp::now().to_string()}}});
    backups.patch(PROTECTION, &PatchParams::default(), &Patch::Merge(&nudge)).await.expect("touch the protection");
    throughout("one run while the FULL is unfinished, after the interval", Duration::from_secs(4), one_run).await;

    // The FULL ends: its window reaches the status, the claim is released, the phase says how it went.
    let first = window_report("2025-01-20T02:00:00Z", 420);
    let status = finish_run(&client, &ns, backups, &full, &first).await;
    let full = jobs.get(&full_name).await.expect("the FULL's Job");
    assert_eq!(status.window_time.as_ref().map(|t| t.0), Some(completed(&full)), "the window is the FULL's");
    let run = status.history.iter().find(|r| r.job_name == full_name).expect("the FULL in the history");
    assert_eq!(run.r#type, Some(BackupType::Full));
    assert!(status.last_successful_backup_time.is_some());
    // The base backup is timed by its claim (the controller's clock, in the run's name).
    assert_eq!(
        status.shipping.as_ref().and_then(|s| s.last_base_backup_time.clone()).map(|t| t.0),
        run_started(PROTECTION, &full_name)
    );

    // A DIFF follows, at least the interval after the FULL started (and only once it had ended:
    // the watch of the runs says so at the end).
    let diff = next_run(jobs, backups, std::slice::from_ref(&full_name), "a DIFF after the FULL").await;
    let (backup, status) = protection_status(backups).await.expect("the protection");
    assert_run(&diff, &backup, "DIFF", "AUTO");
    // The interval is measured on the controller's clock from each claim; the Jobs' start times
    // come from the kube-controller-manager, a moment later each: allow that moment.
    let gap = started(&diff).duration_since(started(&full));
    assert!(gap >= min_gap(), "{} started {gap} after {full_name}", diff.name_any());
    // The phase says how the protection fares, not that a run is under way.
    assert_eq!(status.phase, Some(BackupPhase::Completed), "{}", status_line(&backup));
    assert_eq!(status.message.as_deref(), Some(format!("Job {full_name} succeeded").as_str()));
    assert_eq!(status.shipping.as_ref().and_then(|s| s.running_type.clone()), Some(BackupType::Diff));

    // Each DIFF's report moves the window on; a DIFF every interval; after the fourth finished
    // run, the oldest Job goes (the newest three are kept, the history remembers the rest).
    let mut known = vec![full_name.clone()];
    let mut previous = (diff, status.window_time.clone());
    for (index, latest) in
        ["2025-01-20T02:00:10Z", "2025-01-20T02:00:20Z", "2025-01-20T02:00:30Z"].into_iter().enumerate()
    {
        let (run, window_time) = previous;
        let report = window_report(latest, 430 + 10 * index as u64);
        let status = finish_run(&client, &ns, backups, &run, &report).await;
        assert!(
            status.window_time > window_time,
            "the window advanced: {:?} after {window_time:?}",
            status.window_time
        );
        known.push(run.name_any());
        if index == 2 {
            break;
        }
        let next = next_run(jobs, backups, &known, "the next DIFF").await;
        let gap = started(&next).duration_since(started(&run));
        assert!(gap >= min_gap(), "{} started {gap} after {}", next.name_any(), run.name_any());
        assert_eq!(next.annotations().get(BACKUP_TYPE_ANNOTATION).map(String::as_str), Some("DIFF"));
        previous = (next, status.window_time);
    }
    until("the oldest run's Job to be deleted", Duration::from_secs(60), || {
        let full_name = full_name.clone();
        async move {
            let listed = runs(jobs).await?;
            let full_left =
                listed.iter().any(|job| job.name_any() == full_name && job.metadata.deletion_timestamp.is_none());
            if full_left { Err(format!("runs {}", runs_line(&listed))) } else { Ok(()) }
        }
    })
    .await;
    let listed = runs(jobs).await.expect("runs");
    for kept in &known[1..] {
        assert!(listed.iter().any(|job| &job.name_any() == kept), "{kept} is kept: {}", runs_line(&listed));
    }
    let (_, status) = protection_status(backups).await.expect("the protection");
    assert!(status.history.iter().any(|r| r.job_name == full_name), "the history keeps {full_name}");

    // Recovery turned off: the protection is suspended (its window stays) and starts nothing more.
    let off = json!({"spec": {"pointInTimeRecovery": {"enabled": false}}});
    targets.patch("prod", &PatchParams::default(), &Patch::Merge(&off)).await.expect("turn recovery off");
    synced_protection(&ctx, &ns, backups, "the protection suspended", |spec| spec.suspend == Some(true)).await;
    let status = until("the protection Suspended", Duration::from_secs(60), || async move {
        let (backup, status) = protection_status(backups).await?;
        if status.phase == Some(BackupPhase::Suspended) { Ok(status) } else { Err(status_line(&backup)) }
    })
    .await;
    assert_eq!(status.recovery_window, window_report("2025-01-20T02:00:30Z", 450).recovery_window, "the window stays");
    // A run started before the suspension was seen ends as any other.
    for run in runs(jobs).await.expect("runs").iter().filter(|job| !is_finished(job)) {
        finish_run(&client, &ns, backups, run, &window_report("2025-01-20T02:00:40Z", 460)).await;
    }
    let names: Vec<String> = runs(jobs).await.expect("runs").iter().map(|job| job.name_any()).collect();
    throughout("no run while suspended", Duration::from_secs(INTERVAL_SECONDS as u64 + 2), || {
        let names = names.clone();
        async move {
            let listed = runs(jobs).await?;
            let new: Vec<&Job> = listed.iter().filter(|job| !names.contains(&job.name_any())).collect();
            if new.is_empty() { Ok(()) } else { Err(format!("a run started while suspended: {}", runs_line(&listed))) }
        }
    })
    .await;
    controller.stop().await;
    watcher.stop().await;
    let overlaps = overlaps.lock().unwrap().clone();
    let seen = seen.lock().unwrap().join("\n");
    assert!(overlaps.is_empty(), "two runs were unfinished at once: {overlaps:?}\nthe runs as seen:\n{seen}");

    // The protection is the cluster's: deleting the cluster deletes it (the garbage collector).
    targets.delete("prod", &Default::default()).await.expect("delete the cluster");
    until("the protection to go with its cluster", Duration::from_secs(120), || async move {
        match backups.get_opt(PROTECTION).await.map_err(|err| err.to_string())? {
            None => Ok(()),
            Some(backup) => Err(format!("still there: {}", status_line(&backup))),
        }
    })
    .await;
    eprintln!("the runs as seen:\n{seen}");
}

// ---------------------------------------------------------------------------------------------
// 2. A point-in-time restore is judged against the protection's window
// ---------------------------------------------------------------------------------------------

#[tokio::test]
#[ignore = "needs a cluster: KUBECONFIG"]
async fn e2e_pitr_restore_inside_the_window_is_admitted_and_outside_refused() {
    let client = client().await;
    let _alone = exclusive().await;
    apply_crds(&client).await;
    let webhook = start_webhook(client.clone()).await;
    let (inner, listening) = (client.clone(), webhook.listening.clone());
    in_namespace(&client, "pitr-admit", move |ns| async move { judged(inner, ns, listening).await }).await;
    drop(webhook);
}

/// A point-in-time restore of `orders` into `prod` from its protection (no base backup).
fn pitr_restore(name: &str, point_in_time: &str) -> Neo4jRestore {
    from_json(json!({"apiVersion": "neo4j.neo4j.com/v1alpha1", "kind": "Neo4jRestore",
        "metadata": {"name": name},
        "spec": {"targetCluster": "prod", "databaseName": "orders", "options": {"allowPlaintextBolt": true},
            "source": {"type": "pitr", "pointInTime": point_in_time}}}))
}

/// The line of the webhook's refusal for `pointInTime`.
fn refusal_line(why: &str) -> String {
    format!("- spec.source.pointInTime: {why}")
}

async fn judged(client: Client, ns: String, listening: Listening) {
    register(&client, &ns, &listening, Configurations::Shipped).await;
    let _kubelet = offline_target(&client, &ns).await;
    let cluster_uid = clusters(&client, &ns, "v1alpha1").get("prod").await.expect("the target").uid().expect("uid");

    // The protection of prod as the controller keeps it, with a window in its status: orders from
    // 12:00:00 to 12:29:40, but nothing between 12:10:00 and 12:15:00.
    let backups: Api<Neo4jBackup> = Api::namespaced(client.clone(), &ns);
    let protection: Neo4jBackup = from_json(json!({"apiVersion": "neo4j.neo4j.com/v1alpha1", "kind": "Neo4jBackup",
        "metadata": {"name": PROTECTION,
            "labels": {PROTECTED_LABEL: "prod", "app.kubernetes.io/managed-by": "kubectl-neo4j"},
            "ownerReferences": [{"apiVersion": "neo4j.neo4j.com/v1alpha1", "kind": "Neo4jEnterpriseCluster",
                "name": "prod", "uid": cluster_uid}]},
        "spec": {"target": {"kind": "Cluster", "name": "prod"},
            "storage": {"type": "s3", "bucket": BUCKET, "path": "prod"},
            "options": {"backupType": "FULL", "compress": true, "verify": false},
            "schedule": BASE_SCHEDULE, "suspend": false, "shipping": {"interval": "30s"}}}));
    backups.create(&PostParams::default(), &protection).await.expect("the webhook admits the protection");
    let window = json!({"status": {"phase": "Completed", "message": "Job prod-pitr-backup-1735993780 succeeded",
        "lastSuccessfulBackupTime": "2025-01-04T12:29:45Z", "windowTime": "2025-01-04T12:29:45Z",
        "recoveryWindow": [{"database": "orders", "earliest": "2025-01-04T12:00:00Z", "latest": "2025-01-04T12:29:40Z",
            "earliestTransaction": 100, "latestTransaction": 940, "contiguous": false,
            "spans": [{"from": "2025-01-04T12:00:00Z", "to": "2025-01-04T12:10:00Z", "fromTransaction": 100, "toTransaction": 400},
                {"from": "2025-01-04T12:15:00Z", "to": "2025-01-04T12:29:40Z", "fromTransaction": 420, "toTransaction": 940}],
            "gaps": [{"after": "2025-01-04T12:10:00Z", "before": "2025-01-04T12:15:00Z"}]}]}});
    backups
        .patch_status(PROTECTION, &PatchParams::default(), &Patch::Merge(&window))
        .await
        .expect("write the protection's window");

    // After the newest moment: refused, naming the window, once the webhook's cache has it (dry
    // runs while waiting: nothing is stored).
    let restores: Api<Neo4jRestore> = Api::namespaced(client.clone(), &ns);
    let too_late = pitr_restore("too-late", "2025-01-04T12:30:00Z");
    let after = refusal_line(
        "2025-01-04T12:30:00Z is after the newest restorable moment 2025-01-04T12:29:40Z of database orders",
    );
    let dry = PostParams { dry_run: true, ..PostParams::default() };
    {
        let (restores, too_late, dry, after) = (&restores, &too_late, &dry, &after);
        until("the webhook to judge with the protection's window", Duration::from_secs(60), || async move {
            match restores.create(dry, too_late).await {
                Err(kube::Error::Api(status)) if status.message.contains(after.as_str()) => Ok(()),
                Err(err) => Err(format!("refused otherwise: {err}")),
                Ok(_) => Err("admitted (the webhook's cache has no window yet)".to_owned()),
            }
        })
        .await;
    }
    let message = refused(restores.create(&PostParams::default(), &too_late).await, "a moment after the window");
    assert!(message.contains(&after), "expected the line\n{after}\nin the refusal:\n{message}");
    assert!(message.contains("Neo4jRestore \"too-late\" is invalid (1 error)"), "only the moment is wrong: {message}");
    assert!(restores.get_opt("too-late").await.expect("read").is_none(), "nothing stored after the refusal");

    // Before the earliest moment, and in the gap: refused with the closest moments.
    for (name, moment, why) in [
        (
            "too-early",
            "2025-01-04T11:59:00Z",
            "2025-01-04T11:59:00Z is before the earliest restorable moment 2025-01-04T12:00:00Z of database orders",
        ),
        (
            "in-the-gap",
            "2025-01-04T12:12:00Z",
            "2025-01-04T12:12:00Z falls in a gap of the backups of database orders: no chain covers it; the closest restorable moment before it is 2025-01-04T12:10:00Z; the closest after it is 2025-01-04T12:15:00Z",
        ),
    ] {
        let message = refused(restores.create(&PostParams::default(), &pitr_restore(name, moment)).await, name);
        let line = refusal_line(why);
        assert!(message.contains(&line), "expected the line\n{line}\nin the refusal:\n{message}");
        assert!(message.contains(&format!("Neo4jRestore \"{name}\" is invalid (1 error)")), "{message}");
    }

    // Inside the window (12:20:30 UTC, written at +01:00): admitted.
    let moment = "2025-01-04T13:20:30+01:00";
    restores
        .create(&PostParams::default(), &pitr_restore("recover", moment))
        .await
        .unwrap_or_else(|err| panic!("a moment inside the window is admitted: {err}"));

    // The controller lists the protection's folder and lets the agent choose the artifact for the
    // moment as it was written.
    let controller = restore_controller(&client, &ns);
    let jobs: Api<Job> = Api::namespaced(client.clone(), &ns);
    let (jobs, restores) = (&jobs, &restores);
    let job_of = |name: &'static str| async move {
        until(&format!("the Job {name}"), Duration::from_secs(120), || async move {
            match jobs.get_opt(name).await.map_err(|err| err.to_string())? {
                Some(job) => Ok(job),
                None => Err(described(&restores.get("recover").await.map_err(|err| err.to_string())?)),
            }
        })
        .await
    };
    let inspect = job_of("recover-inspect").await;
    assert_eq!(container_names(&pod_spec(&inspect).init_containers), ["inventory"]);
    assert!(
        argv_of(&inspect, "inventory").contains(&format!("s3://{BUCKET}/prod/")),
        "{:?}",
        argv_of(&inspect, "inventory")
    );
    assert_eq!(
        argv_of(&inspect, "choose"),
        [
            "choose",
            "--inventory=/scratch/inventory.txt",
            "--database=orders",
            format!("--point-in-time={moment}").as_str()
        ]
    );
    // What `neo4j-agent choose` reports: the first artifact at or after the moment in its chain.
    let chosen = ChosenArtifact {
        uri: format!("s3://{BUCKET}/prod/orders-2025-01-04T12-20-40.backup"),
        database: "orders".to_owned(),
        time: "2025-01-04T12:20:40Z".to_owned(),
        full: false,
    };
    let report = serde_json::to_string(&chosen).expect("the choice");
    finish_job_pod_reporting(&client, &ns, "recover-inspect", &["inventory"], "choose", &report).await;

    // Then the restore Job, beside server 0 (the target keeps running): neo4j-admin restores the
    // chosen artifact's chain until the moment, in UTC.
    let restore_job = job_of("recover-restore").await;
    assert_eq!(
        argv_of(&restore_job, "restore"),
        [
            "neo4j-admin",
            "database",
            "restore",
            format!("--from-path={}", chosen.uri).as_str(),
            "--restore-until=2025-01-04 12:20:30",
            "--temp-path=/tmp/neo4j-admin",
            "orders"
        ]
    );
    let affinity = pod_spec(&restore_job).affinity.and_then(|a| a.pod_affinity);
    let beside = affinity.iter().flat_map(|a| a.required_during_scheduling_ignored_during_execution.iter().flatten());
    let pods: Vec<String> = beside
        .filter_map(|term| {
            term.label_selector.as_ref()?.match_labels.as_ref()?.get("statefulset.kubernetes.io/pod-name").cloned()
        })
        .collect();
    assert_eq!(pods, ["prod-server-0"], "the restore Job shares server 0's node");
    let progress =
        until("the restore recorded as restoring the chosen artifact", Duration::from_secs(60), || async move {
            let restore = restores.get("recover").await.map_err(|err| err.to_string())?;
            let progress = restore.status.as_ref().and_then(|s| s.progress.clone()).unwrap_or_default();
            if progress.step == Some(RestoreStep::Restoring) { Ok(progress) } else { Err(described(&restore)) }
        })
        .await;
    assert_eq!(progress.artifact.as_deref(), Some(chosen.uri.as_str()));
    assert_eq!(progress.source.as_ref().map(|s| s.owner.as_str()), Some(PROTECTION), "read from the protection");
    assert_eq!(progress.source.as_ref().and_then(|s| s.point_in_time.as_deref()), Some(moment));
    controller.stop().await;
}
