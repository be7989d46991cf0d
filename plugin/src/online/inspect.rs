//! `describe` and `logs`: everything about one backup or restore, for a person in an incident.

use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::{Event, Pod};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition;
use k8s_openapi::jiff::Timestamp;
use kube::api::{Api, ListParams, LogParams};
use kube::{Client, ResourceExt};
use neo4j_api::{Neo4jBackup, Neo4jRestore};

use crate::online::list::describe_error;
use crate::online::table::{ago, render};

fn conditions_table(conditions: &[Condition], now: Timestamp) -> String {
    if conditions.is_empty() {
        return "  (none yet)\n".to_owned();
    }
    let rows: Vec<Vec<String>> = conditions
        .iter()
        .map(|c| {
            vec![
                c.type_.clone(),
                c.status.clone(),
                c.reason.clone(),
                ago(Some(c.last_transition_time.0), now),
                c.message.clone(),
            ]
        })
        .collect();
    indent(&render(&["TYPE", "STATUS", "REASON", "SINCE", "MESSAGE"], &rows))
}

fn indent(text: &str) -> String {
    text.lines().map(|l| format!("  {l}\n")).collect()
}

async fn events(client: &Client, namespace: &str, kind: &str, name: &str, now: Timestamp) -> String {
    let api: Api<Event> = Api::namespaced(client.clone(), namespace);
    let selector = format!("involvedObject.kind={kind},involvedObject.name={name}");
    let Ok(list) = api.list(&ListParams::default().fields(&selector)).await else {
        return "  (events could not be read)\n".to_owned();
    };
    let mut events = list.items;
    events.sort_by_key(|e| e.event_time.as_ref().map(|t| t.0).or(e.last_timestamp.as_ref().map(|t| t.0)));
    if events.is_empty() {
        return "  (none)\n".to_owned();
    }
    let rows: Vec<Vec<String>> = events
        .iter()
        .map(|e| {
            let when = e.event_time.as_ref().map(|t| t.0).or(e.last_timestamp.as_ref().map(|t| t.0));
            vec![
                e.type_.clone().unwrap_or_default(),
                e.reason.clone().unwrap_or_default(),
                ago(when, now),
                e.message.clone().unwrap_or_default(),
            ]
        })
        .collect();
    indent(&render(&["TYPE", "REASON", "AGE", "MESSAGE"], &rows))
}

/// `backup describe NAME`.
pub async fn describe_backup(client: &Client, namespace: &str, name: &str, now: Timestamp) -> Result<String, String> {
    let api: Api<Neo4jBackup> = Api::namespaced(client.clone(), namespace);
    let backup = api.get(name).await.map_err(|err| describe_error(err, "neo4jbackup", name))?;
    let status = backup.status.clone().unwrap_or_default();
    let spec = serde_saphyr::to_string(&backup.spec).map_err(|err| err.to_string())?;
    let mut out = format!("Name:        {name}\nNamespace:   {namespace}\n");
    out.push_str(&format!("Phase:       {}\n", status.phase.as_ref().map_or("-".into(), |p| p.to_string())));
    out.push_str(&format!("Message:     {}\n", status.message.clone().unwrap_or_default()));
    out.push_str(&format!("Last success: {}\n", ago(status.last_successful_backup_time.as_ref().map(|t| t.0), now)));
    if let Some(next) = &status.next_schedule_time {
        out.push_str(&format!("Next run:    {}\n", next.0));
    }
    out.push_str("Spec:\n");
    out.push_str(&indent(&spec));
    out.push_str("Conditions:\n");
    out.push_str(&conditions_table(&status.conditions, now));
    out.push_str("History:\n");
    if status.history.is_empty() {
        out.push_str("  (no runs yet)\n");
    } else {
        let rows: Vec<Vec<String>> = status
            .history
            .iter()
            .map(|run| {
                vec![
                    run.job_name.clone(),
                    run.phase.as_ref().map_or("-".into(), |p| p.to_string()),
                    ago(run.start_time.as_ref().map(|t| t.0), now),
                    run.message.clone().unwrap_or_default(),
                ]
            })
            .collect();
        out.push_str(&indent(&render(&["JOB", "PHASE", "STARTED", "MESSAGE"], &rows)));
    }
    if !status.recovery_window.is_empty() {
        out.push_str("Recoverable window:\n");
        out.push_str(&indent(&crate::online::pitr::window_table(&status.recovery_window, now)));
    }
    out.push_str("Events:\n");
    out.push_str(&events(client, namespace, "Neo4jBackup", name, now).await);
    Ok(out)
}

/// `restore describe NAME`.
pub async fn describe_restore(client: &Client, namespace: &str, name: &str, now: Timestamp) -> Result<String, String> {
    let api: Api<Neo4jRestore> = Api::namespaced(client.clone(), namespace);
    let restore = api.get(name).await.map_err(|err| describe_error(err, "neo4jrestore", name))?;
    let status = restore.status.clone().unwrap_or_default();
    let progress = status.progress.clone().unwrap_or_default();
    let spec = serde_saphyr::to_string(&restore.spec).map_err(|err| err.to_string())?;
    let show = |v: Option<String>| v.unwrap_or_else(|| "-".to_owned());
    let mut out = format!("Name:        {name}\nNamespace:   {namespace}\n");
    out.push_str(&format!("Phase:       {}\n", show(status.phase.as_ref().map(|p| p.to_string()))));
    out.push_str(&format!("Step:        {}\n", show(progress.step.as_ref().map(|s| s.to_string()))));
    out.push_str(&format!("Message:     {}\n", status.message.clone().unwrap_or_default()));
    out.push_str(&format!("Artifact:    {}\n", show(progress.artifact.clone())));
    if let Some(count) = progress.original_replicas {
        out.push_str(&format!("Servers:     scaled back to {count} when done (recorded before the scale-down)\n"));
    }
    if let Some(failure) = &progress.failure {
        out.push_str(&format!("Failure:     {failure}\n"));
    }
    if let Some(stats) = &status.stats {
        let stats = serde_saphyr::to_string(stats).map_err(|err| err.to_string())?;
        out.push_str("Stats:\n");
        out.push_str(&indent(&stats));
    }
    if let Some(plan) = &status.plan {
        out.push_str(&format!("Downtime:    {}\n", plan.downtime));
        out.push_str("Plan (as recorded before the first destructive step) and progress:\n");
        out.push_str(&neo4j_api::restore::plan::against_progress(plan, &progress));
    }
    out.push_str("Spec:\n");
    out.push_str(&indent(&spec));
    out.push_str("Conditions:\n");
    out.push_str(&conditions_table(&status.conditions, now));
    out.push_str("Events:\n");
    out.push_str(&events(client, namespace, "Neo4jRestore", name, now).await);
    Ok(out)
}

/// `logs backup|restore NAME`: the output of every container of the newest Job of the object
/// (init containers first, in order: neo4j-admin, then what follows it).
pub async fn logs(client: &Client, namespace: &str, label: &str, name: &str) -> Result<String, String> {
    let jobs: Api<Job> = Api::namespaced(client.clone(), namespace);
    let mut found = jobs
        .list(&ListParams::default().labels(&format!("{label}={name}")))
        .await
        .map_err(|err| err.to_string())?
        .items;
    found.sort_by_key(|j| j.metadata.creation_timestamp.as_ref().map(|t| t.0));
    let job =
        found.pop().ok_or_else(|| format!("{name:?} has no Job yet; `kubectl neo4j status` shows where it is"))?;
    let pods: Api<Pod> = Api::namespaced(client.clone(), namespace);
    let mut owned = pods
        .list(&ListParams::default().labels(&format!("batch.kubernetes.io/job-name={}", job.name_any())))
        .await
        .map_err(|err| err.to_string())?
        .items;
    owned.sort_by_key(|p| p.metadata.creation_timestamp.as_ref().map(|t| t.0));
    let pod = owned.pop().ok_or_else(|| format!("job/{} has no Pod yet", job.name_any()))?;
    let spec = pod.spec.clone().unwrap_or_default();
    let containers: Vec<String> =
        spec.init_containers.iter().flatten().chain(spec.containers.iter()).map(|c| c.name.clone()).collect();
    let mut out = String::new();
    for container in containers {
        out.push_str(&format!("==> job/{} pod/{} container {container} <==\n", job.name_any(), pod.name_any()));
        let params = LogParams { container: Some(container.clone()), ..LogParams::default() };
        match pods.logs(&pod.name_any(), &params).await {
            Ok(text) => out.push_str(&text),
            Err(err) => out.push_str(&format!("(no logs: {err})\n")),
        }
        if !out.ends_with('\n') {
            out.push('\n');
        }
    }
    Ok(out)
}
