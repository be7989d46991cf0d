//! The verbs that change the cluster or follow it: create (with `--wait`), delete, run a scheduled
//! backup now, a backup's history, and watching a restore to its end.

use std::time::Duration;

use k8s_openapi::api::batch::v1::{CronJob, Job};
use k8s_openapi::jiff::Timestamp;
use kube::api::{Api, DeleteParams, PostParams};
use kube::{Client, ResourceExt};
use neo4j_api::plan::backup_job::workload_name;
use neo4j_api::{BackupPhase, Neo4jBackup, Neo4jRestore, RestorePhase};
use serde_json::Value;

use crate::online::list::{Listed, describe_error};
use crate::online::table::{ago, render};

/// Creates the composed object (as `kubectl create` does: an existing one is an error).
pub async fn create<K: Listed>(client: &Client, namespace: &str, object: Value) -> Result<String, String> {
    let typed: K = serde_json::from_value(object).map_err(|err| err.to_string())?;
    let api: Api<K> = Api::namespaced(client.clone(), namespace);
    match api.create(&PostParams::default(), &typed).await {
        Ok(created) => Ok(format!("{}.{}/{} created\n", K::KIND, K::group(&()), created.name_any())),
        Err(kube::Error::Api(status)) if status.code == 409 => Err(format!(
            "{} {:?} already exists in {namespace}; `kubectl neo4j {} get {}` shows it",
            K::KIND,
            typed.name_any(),
            K::KIND.trim_start_matches("neo4j"),
            typed.name_any()
        )),
        Err(kube::Error::Api(status)) => Err(format!("the API server refused the {}: {}", K::KIND, status.message)),
        Err(err) => Err(err.to_string()),
    }
}

/// Deletes a Neo4jBackup or Neo4jRestore. Backups themselves (artifacts, claims) are never deleted.
pub async fn delete<K: Listed>(client: &Client, namespace: &str, name: &str) -> Result<String, String> {
    let api: Api<K> = Api::namespaced(client.clone(), namespace);
    api.delete(name, &DeleteParams::default()).await.map_err(|err| describe_error(err, K::KIND, name))?;
    let kept = if K::KIND == "neo4jbackup" { " (its backup artifacts and claims are kept)" } else { "" };
    Ok(format!("{}.{}/{name} deleted{kept}\n", K::KIND, K::group(&())))
}

/// Starts a run of a scheduled backup now, like `kubectl create job --from=cronjob/<name>-backup`.
pub async fn run_now(client: &Client, namespace: &str, name: &str, now: Timestamp) -> Result<String, String> {
    let backups: Api<Neo4jBackup> = Api::namespaced(client.clone(), namespace);
    let backup = backups.get(name).await.map_err(|err| describe_error(err, "neo4jbackup", name))?;
    if backup.spec.schedule.is_none() {
        return Err(format!(
            "neo4jbackup {name:?} has no schedule: it runs once, by itself; create another Neo4jBackup for another run"
        ));
    }
    let crons: Api<CronJob> = Api::namespaced(client.clone(), namespace);
    let cron_name = workload_name(name);
    let cron = crons.get(&cron_name).await.map_err(|err| match err {
        kube::Error::Api(status) if status.code == 404 => {
            format!("the CronJob {cron_name} does not exist yet; is the controller running? (`kubectl neo4j backup get {name}`)")
        }
        other => other.to_string(),
    })?;
    let template = cron.spec.map(|s| s.job_template).ok_or("the CronJob has no job template")?;
    let mut metadata = template.metadata.unwrap_or_default();
    // Scheduled Jobs are named <cronjob>-<minutes since epoch>; a manual run says what it is.
    metadata.name = Some(format!("{cron_name}-manual-{}", now.as_second() / 60));
    metadata.namespace = Some(namespace.to_owned());
    metadata
        .annotations
        .get_or_insert_with(Default::default)
        .insert("cronjob.kubernetes.io/instantiate".into(), "manual".into());
    metadata.owner_references = Some(vec![k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference {
        api_version: "batch/v1".into(),
        kind: "CronJob".into(),
        name: cron_name.clone(),
        uid: cron.metadata.uid.clone().unwrap_or_default(),
        controller: Some(true),
        block_owner_deletion: Some(true),
    }]);
    let job = Job { metadata, spec: template.spec, status: None };
    let jobs: Api<Job> = Api::namespaced(client.clone(), namespace);
    let created = jobs.create(&PostParams::default(), &job).await.map_err(|err| err.to_string())?;
    let job = created.name_any();
    Ok(format!("job.batch/{job} created; follow it with `kubectl logs -f job/{job} --all-containers -n {namespace}`\n"))
}

/// `restore promote`: asks the controller to switch the alias of a restore that promotes by hand
/// (the annotation `neo4j.neo4j.com/promote: "true"`; the spec cannot change once it started).
pub async fn promote(client: &Client, namespace: &str, name: &str) -> Result<String, String> {
    let restores: Api<neo4j_api::Neo4jRestore> = Api::namespaced(client.clone(), namespace);
    let restore = restores.get(name).await.map_err(|err| describe_error(err, "neo4jrestore", name))?;
    neo4j_api::restore::promotion::may_promote(&restore)?;
    let patch = serde_json::json!({"metadata": {"annotations": {neo4j_api::PROMOTE_ANNOTATION: "true"}}});
    restores
        .patch(name, &kube::api::PatchParams::default(), &kube::api::Patch::Merge(&patch))
        .await
        .map_err(|err| describe_error(err, "neo4jrestore", name))?;
    let alias = restore.spec.promotion_alias().unwrap_or_default();
    let candidate = restore.spec.database_name.as_deref().unwrap_or_default();
    Ok(format!(
        "neo4jrestore/{name}: promotion asked for; the controller switches the alias {alias} to {candidate} once its checks passed (`kubectl neo4j restore watch {name}`)\n"
    ))
}

/// The runs of a backup, newest first.
pub async fn history(client: &Client, namespace: &str, name: &str, now: Timestamp) -> Result<String, String> {
    let backups: Api<Neo4jBackup> = Api::namespaced(client.clone(), namespace);
    let backup = backups.get(name).await.map_err(|err| describe_error(err, "neo4jbackup", name))?;
    let runs = backup.status.map(|s| s.history).unwrap_or_default();
    if runs.is_empty() {
        return Ok(format!("neo4jbackup {name:?} has no runs yet.\n"));
    }
    let show = |v: Option<String>| v.unwrap_or_else(|| "-".to_owned());
    let rows: Vec<Vec<String>> = runs
        .iter()
        .map(|run| {
            let duration = match (&run.start_time, &run.completion_time) {
                (Some(start), Some(end)) => format!("{}s", end.0.duration_since(start.0).as_secs().max(0)),
                _ => "-".to_owned(),
            };
            vec![
                run.job_name.clone(),
                show(run.r#type.as_ref().map(|t| t.to_string())),
                show(run.phase.as_ref().map(|p| p.to_string())),
                ago(run.start_time.as_ref().map(|t| t.0), now),
                duration,
                show(run.artifact.clone()),
                run.message.clone().unwrap_or_default(),
            ]
        })
        .collect();
    Ok(render(&["JOB", "TYPE", "PHASE", "STARTED", "DURATION", "LOCATION", "MESSAGE"], &rows))
}

/// Whether a restore or backup has reached an end, and whether it succeeded.
pub trait Finish {
    /// `Some(true)` succeeded, `Some(false)` failed, `None` still going.
    fn finished(&self) -> Option<bool>;
    /// One line describing where it is.
    fn progress_line(&self) -> String;
    /// Whether a controller has written its status at least once.
    fn acted_on(&self) -> bool;
}

/// The progress line of an object no controller has written a status for.
const UNTOUCHED: &str = "Pending: no controller has acted on it yet";

impl Finish for Neo4jRestore {
    fn finished(&self) -> Option<bool> {
        match self.status.as_ref()?.phase.as_ref()? {
            RestorePhase::Completed => Some(true),
            RestorePhase::Failed => Some(false),
            _ => None,
        }
    }
    fn progress_line(&self) -> String {
        let Some(status) = self.status.clone() else { return UNTOUCHED.to_owned() };
        let phase = status.phase.map(|p| p.to_string()).unwrap_or_else(|| "Pending".into());
        let step = status.progress.and_then(|p| p.step).map(|s| format!(" ({s})")).unwrap_or_default();
        format!("{phase}{step}: {}", status.message.unwrap_or_default())
    }
    fn acted_on(&self) -> bool {
        self.status.is_some()
    }
}

impl Finish for Neo4jBackup {
    fn finished(&self) -> Option<bool> {
        match self.status.as_ref()?.phase.as_ref()? {
            BackupPhase::Completed => Some(true),
            BackupPhase::Failed | BackupPhase::Invalid => Some(false),
            // A schedule never ends: it is "done" once it is set up and waiting.
            BackupPhase::Pending | BackupPhase::Suspended if self.spec.schedule.is_some() => Some(true),
            _ => None,
        }
    }
    fn progress_line(&self) -> String {
        let Some(status) = self.status.clone() else { return UNTOUCHED.to_owned() };
        let phase = status.phase.map(|p| p.to_string()).unwrap_or_else(|| "Pending".into());
        format!("{phase}: {}", status.message.unwrap_or_default())
    }
    fn acted_on(&self) -> bool {
        self.status.is_some()
    }
}

/// How long to follow an object, how often to look, and after how long without any status to say
/// that nothing seems to be listening.
#[derive(Clone, Copy, Debug)]
pub struct Pace {
    /// Give up after this.
    pub timeout: Duration,
    /// Look this often.
    pub poll: Duration,
    /// Say so when no controller has acted on the object after this.
    pub quiet: Duration,
}

/// What to check when no controller acts on an object.
pub fn no_controller_hint(kind: &str, name: &str, after: Duration) -> String {
    format!(
        "no controller has acted on {} {name:?} after {}s: is neo4j-controller running? `kubectl -n neo4j-system get deployment neo4j-controller` shows it (`kubectl neo4j install` installs it)",
        kind.to_lowercase(),
        after.as_secs()
    )
}

/// Follows an object until it finishes or `timeout` passes, writing each change of its progress
/// line; returns whether it succeeded.
pub async fn watch<K: Listed + Finish>(
    client: &Client,
    namespace: &str,
    name: &str,
    pace: Pace,
    mut say: impl FnMut(&str),
) -> Result<bool, String> {
    let api: Api<K> = Api::namespaced(client.clone(), namespace);
    let started = std::time::Instant::now();
    let mut last = String::new();
    let mut hinted = false;
    loop {
        let object = api.get(name).await.map_err(|err| describe_error(err, K::KIND, name))?;
        let line = object.progress_line();
        if line != last {
            say(&line);
            last = line;
        }
        if let Some(succeeded) = object.finished() {
            return Ok(succeeded);
        }
        if !hinted && !object.acted_on() && started.elapsed() >= pace.quiet {
            say(&no_controller_hint(K::KIND, name, pace.quiet));
            hinted = true;
        }
        let (timeout, poll) = (pace.timeout, pace.poll);
        if started.elapsed() >= timeout {
            return Err(format!(
                "gave up waiting after {}s; it goes on in the cluster (`kubectl neo4j {} get {name}`)",
                timeout.as_secs(),
                K::KIND.trim_start_matches("neo4j")
            ));
        }
        tokio::time::sleep(poll).await;
    }
}
