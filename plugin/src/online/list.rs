//! `backup list|get`, `restore list|get` and `status`: what is in the cluster, as kubectl shows it.

use clap::ValueEnum;
use k8s_openapi::jiff::Timestamp;
use kube::api::{Api, ListParams};
use kube::{Client, Resource, ResourceExt};
use neo4j_api::{Neo4jBackup, Neo4jRestore, RunPhase};
use serde::Serialize;

use crate::online::table::{age, ago, render};

/// Output formats of the online verbs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Output {
    /// Aligned columns.
    Table,
    /// More columns.
    Wide,
    /// YAML (a `List` for several objects).
    Yaml,
    /// JSON (a `List` for several objects).
    Json,
    /// `kind.group/name`, one per line.
    Name,
}

/// Where to look: one namespace, or all (`-A`).
#[derive(Debug, Clone)]
pub enum Scope {
    /// One namespace.
    Namespace(String),
    /// Every namespace.
    All,
}

fn api<K>(client: &Client, scope: &Scope) -> Api<K>
where
    K: Resource<Scope = k8s_openapi::NamespaceResourceScope, DynamicType = ()>,
{
    match scope {
        Scope::Namespace(ns) => Api::namespaced(client.clone(), ns),
        Scope::All => Api::all(client.clone()),
    }
}

fn serialized<T: Serialize>(items: &[T], output: Output, single: bool) -> Result<String, String> {
    let value = if single && items.len() == 1 {
        serde_json::to_value(&items[0])
    } else {
        serde_json::to_value(serde_json::json!({"apiVersion": "v1", "kind": "List", "items": items}))
    }
    .map_err(|err| err.to_string())?;
    match output {
        Output::Json => serde_json::to_string_pretty(&value).map(|s| s + "\n").map_err(|err| err.to_string()),
        _ => serde_saphyr::to_string(&value).map_err(|err| err.to_string()),
    }
}

fn time(t: &Option<k8s_openapi::apimachinery::pkg::apis::meta::v1::Time>) -> Option<Timestamp> {
    t.as_ref().map(|t| t.0)
}

fn created<K: Resource>(object: &K) -> Option<Timestamp> {
    object.meta().creation_timestamp.as_ref().map(|t| t.0)
}

fn storage_of(backup: &Neo4jBackup) -> String {
    let Some(storage) = &backup.spec.storage else { return "-".to_owned() };
    let kind = storage.r#type.as_ref().map(|t| t.to_string()).unwrap_or_default();
    match (&storage.bucket, storage.pvc.as_ref().and_then(|p| p.name.clone())) {
        (Some(bucket), _) => format!(
            "{kind}://{bucket}{}",
            storage.path.as_deref().map(|p| format!("/{}", p.trim_matches('/'))).unwrap_or_default()
        ),
        (None, Some(claim)) => format!("pvc/{claim}"),
        _ => kind,
    }
}

fn target_of(backup: &Neo4jBackup) -> String {
    match &backup.spec.target {
        Some(target) => match (&target.kind, &target.name, &target.cluster_ref) {
            (Some(neo4j_api::TargetKind::Database), Some(name), Some(cluster)) => format!("{cluster}/{name}"),
            (_, Some(name), _) => name.clone(),
            _ => "-".to_owned(),
        },
        None => "-".to_owned(),
    }
}

fn phase<P: ToString>(phase: &Option<P>) -> String {
    phase.as_ref().map_or_else(|| "-".to_owned(), ToString::to_string)
}

fn backup_row(backup: &Neo4jBackup, output: Output, all: bool, now: Timestamp) -> Vec<String> {
    let status = backup.status.clone().unwrap_or_default();
    let mut row = Vec::new();
    if all {
        row.push(backup.namespace().unwrap_or_default());
    }
    row.extend([
        backup.name_any(),
        target_of(backup),
        storage_of(backup),
        backup.spec.schedule.clone().unwrap_or_else(|| "-".to_owned()),
        phase(&status.phase),
        ago(time(&status.last_successful_backup_time), now),
        created(backup).map_or_else(|| "-".to_owned(), |t| age(t, now)),
    ]);
    if output == Output::Wide {
        let failures = status.history.iter().filter(|r| r.phase == Some(RunPhase::Failed)).count();
        row.push(time(&status.next_schedule_time).map_or_else(|| "-".to_owned(), |t| t.to_string()));
        row.push(failures.to_string());
        row.push(status.message.unwrap_or_default());
    }
    row
}

fn restore_row(restore: &Neo4jRestore, output: Output, all: bool, now: Timestamp) -> Vec<String> {
    let status = restore.status.clone().unwrap_or_default();
    let mut row = Vec::new();
    if all {
        row.push(restore.namespace().unwrap_or_default());
    }
    let step = status.progress.as_ref().and_then(|p| p.step.clone());
    row.extend([
        restore.name_any(),
        restore.spec.target_cluster.clone().unwrap_or_else(|| "-".to_owned()),
        restore.spec.database_name.clone().unwrap_or_else(|| "-".to_owned()),
        restore.spec.source.as_ref().map(|s| phase(&s.r#type)).unwrap_or_else(|| "-".to_owned()),
        phase(&status.phase),
        phase(&step),
        created(restore).map_or_else(|| "-".to_owned(), |t| age(t, now)),
    ]);
    if output == Output::Wide {
        row.push(status.message.unwrap_or_default());
    }
    row
}

/// What `list` and `get` need of a kind.
pub trait Listed:
    Resource<Scope = k8s_openapi::NamespaceResourceScope, DynamicType = ()>
    + Clone
    + Serialize
    + serde::de::DeserializeOwned
    + std::fmt::Debug
{
    /// Lowercase kind, e.g. `neo4jbackup`.
    const KIND: &'static str;
    /// The table's columns (without NAMESPACE), then the wide ones.
    const COLUMNS: (&'static [&'static str], &'static [&'static str]);
    /// One row.
    fn row(&self, output: Output, all: bool, now: Timestamp) -> Vec<String>;
}

impl Listed for Neo4jBackup {
    const KIND: &'static str = "neo4jbackup";
    const COLUMNS: (&'static [&'static str], &'static [&'static str]) = (
        &["NAME", "TARGET", "STORAGE", "SCHEDULE", "PHASE", "LAST SUCCESS", "AGE"],
        &["NEXT RUN", "FAILURES", "MESSAGE"],
    );
    fn row(&self, output: Output, all: bool, now: Timestamp) -> Vec<String> {
        backup_row(self, output, all, now)
    }
}

impl Listed for Neo4jRestore {
    const KIND: &'static str = "neo4jrestore";
    const COLUMNS: (&'static [&'static str], &'static [&'static str]) =
        (&["NAME", "TARGET", "DATABASE", "SOURCE", "PHASE", "STEP", "AGE"], &["MESSAGE"]);
    fn row(&self, output: Output, all: bool, now: Timestamp) -> Vec<String> {
        restore_row(self, output, all, now)
    }
}

/// `list` (no `name`) or `get` of a kind in `scope`, in `output`.
pub async fn show<K: Listed>(
    client: &Client,
    scope: &Scope,
    name: Option<&str>,
    output: Output,
    now: Timestamp,
) -> Result<String, String> {
    let api: Api<K> = api(client, scope);
    let items = match name {
        Some(name) => vec![api.get(name).await.map_err(|err| describe_error(err, K::KIND, name))?],
        None => api.list(&ListParams::default()).await.map_err(|err| err.to_string())?.items,
    };
    let all = matches!(scope, Scope::All);
    let kind = K::kind(&());
    match output {
        Output::Yaml | Output::Json => serialized(&items, output, name.is_some()),
        Output::Name => Ok(items.iter().map(|o| format!("{}.{}/{}\n", K::KIND, K::group(&()), o.name_any())).collect()),
        Output::Table | Output::Wide => {
            if items.is_empty() {
                return Ok(format!("No {kind}s found{}.\n", in_scope(scope)));
            }
            let mut header: Vec<&str> = K::COLUMNS.0.to_vec();
            if all {
                header.insert(0, "NAMESPACE");
            }
            if output == Output::Wide {
                header.extend(K::COLUMNS.1);
            }
            let rows: Vec<Vec<String>> = items.iter().map(|o| o.row(output, all, now)).collect();
            Ok(render(&header, &rows))
        }
    }
}

fn in_scope(scope: &Scope) -> String {
    match scope {
        Scope::Namespace(ns) => format!(" in namespace {ns}"),
        Scope::All => String::new(),
    }
}

/// One line for a failed read, naming the fix.
pub fn describe_error(err: kube::Error, kind: &str, name: &str) -> String {
    match err {
        kube::Error::Api(status) if status.code == 404 => {
            format!(
                "{kind} {name:?} not found; `kubectl neo4j {} list` shows what exists",
                kind.trim_start_matches("neo4j")
            )
        }
        kube::Error::Api(status) if status.code == 403 => {
            format!("not allowed to read {kind} {name:?}: {}", status.message)
        }
        other => other.to_string(),
    }
}

/// The objects of a kind for `status`: listed, or the line that says why not (the CRD is not
/// installed, or listing is forbidden); other failures fail `status`.
async fn listed<K: Listed>(client: &Client, scope: &Scope) -> Result<Result<Vec<K>, String>, String> {
    match api::<K>(client, scope).list(&ListParams::default()).await {
        Ok(list) => Ok(Ok(list.items)),
        Err(kube::Error::Api(status)) if status.code == 404 => Ok(Err(format!(
            "No {}s: the CRD {}.{} is not installed (kubectl neo4j install).\n",
            K::kind(&()),
            K::plural(&()),
            K::group(&())
        ))),
        Err(kube::Error::Api(status)) if status.code == 403 => {
            Ok(Err(format!("cannot list {}s{} (forbidden)\n", K::kind(&()), in_scope(scope))))
        }
        Err(err) => Err(err.to_string()),
    }
}

/// `status`: the server side (controller, leader, webhook), then every backup and restore of the
/// scope at a glance, problems first.
pub async fn status(client: &Client, scope: &Scope, now: Timestamp) -> Result<String, String> {
    let server = crate::online::server::assess(&crate::online::server::observe(client).await, now);
    let mut out = server.text();
    out.push('\n');
    out.push_str(&listed(client, scope).await?.map_or_else(|why| why, |b| backups_status(&b, scope, now)));
    out.push('\n');
    out.push_str(&listed(client, scope).await?.map_or_else(|why| why, |r| restores_status(&r, scope, now)));
    Ok(out)
}

fn backups_status(backups: &[Neo4jBackup], scope: &Scope, now: Timestamp) -> String {
    let mut rows: Vec<(bool, Vec<String>)> = backups
        .iter()
        .map(|b| {
            let status = b.status.clone().unwrap_or_default();
            let failures = status.history.iter().take_while(|r| r.phase == Some(RunPhase::Failed)).count();
            let trouble = failures > 0
                || matches!(status.phase, Some(neo4j_api::BackupPhase::Failed | neo4j_api::BackupPhase::Invalid));
            (
                trouble,
                vec![
                    format!("{}/{}", b.namespace().unwrap_or_default(), b.name_any()),
                    phase(&status.phase),
                    ago(time(&status.last_successful_backup_time), now),
                    failures.to_string(),
                    status.message.unwrap_or_default(),
                ],
            )
        })
        .collect();
    rows.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1[0].cmp(&b.1[0])));
    if rows.is_empty() {
        format!("No Neo4jBackups{}.\n", in_scope(scope))
    } else {
        let rows: Vec<Vec<String>> = rows.into_iter().map(|(_, row)| row).collect();
        render(&["BACKUP", "PHASE", "LAST SUCCESS", "FAILED RUNS IN A ROW", "MESSAGE"], &rows)
    }
}

fn restores_status(restores: &[Neo4jRestore], scope: &Scope, now: Timestamp) -> String {
    if restores.is_empty() {
        format!("No Neo4jRestores{}.\n", in_scope(scope))
    } else {
        let rows: Vec<Vec<String>> = restores
            .iter()
            .map(|r| {
                let status = r.status.clone().unwrap_or_default();
                vec![
                    format!("{}/{}", r.namespace().unwrap_or_default(), r.name_any()),
                    phase(&status.phase),
                    phase(&status.progress.as_ref().and_then(|p| p.step.clone())),
                    created(r).map_or_else(|| "-".to_owned(), |t| age(t, now)),
                    status.message.unwrap_or_default(),
                ]
            })
            .collect();
        render(&["RESTORE", "PHASE", "STEP", "AGE", "MESSAGE"], &rows)
    }
}
