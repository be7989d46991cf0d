//! `kubectl neo4j validate`: the webhook's defaults and rules, offline, on manifests in files,
//! directories or stdin. Targets (Neo4jEnterpriseCluster/Standalone) and Neo4jBackups found among
//! the inputs serve as context for the backups and restores that name them.

use std::io::Read;
use std::path::{Path, PathBuf};

use k8s_openapi::jiff::Timestamp;
use neo4j_api::review::{Kind, review};
use neo4j_api::rules::{Context, TargetFacts};
use neo4j_api::{Neo4jBackup, Neo4jEnterpriseCluster, Neo4jEnterpriseStandalone};
use serde_json::Value;

/// One YAML or JSON document and where it came from.
#[derive(Clone, Debug)]
pub struct Document {
    /// `file` or `file#N` (the N-th document of a multi-document file).
    pub source: String,
    /// Its content.
    pub value: Value,
}

/// Why inputs could not be read (exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    /// A file or directory could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The path.
        path: String,
        /// What failed.
        source: std::io::Error,
    },
    /// A file is not YAML.
    #[error("{path} is not valid YAML: {message}")]
    Parse {
        /// The path.
        path: String,
        /// The parser's message.
        message: String,
    },
    /// No input was given.
    #[error("no input: give -f FILE, -f DIRECTORY or -f - (stdin)")]
    Nothing,
}

fn is_manifest(path: &Path) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| matches!(e, "yaml" | "yml" | "json"))
}

fn collect(path: &Path, files: &mut Vec<PathBuf>) -> Result<(), InputError> {
    let read = |source| InputError::Read { path: path.display().to_string(), source };
    if path.is_dir() {
        let mut entries: Vec<PathBuf> =
            std::fs::read_dir(path).map_err(read)?.filter_map(|e| e.ok().map(|e| e.path())).collect();
        entries.sort();
        for entry in entries {
            if entry.is_dir() || is_manifest(&entry) {
                collect(&entry, files)?;
            }
        }
    } else {
        std::fs::metadata(path).map_err(read)?;
        files.push(path.to_path_buf());
    }
    Ok(())
}

fn parse(source: &str, text: &str) -> Result<Vec<Document>, InputError> {
    let values: Vec<Value> = serde_saphyr::from_multiple(text)
        .map_err(|err| InputError::Parse { path: source.to_owned(), message: err.to_string() })?;
    // A List (what `kubectl get -o yaml` prints) stands for its items.
    let values: Vec<Value> = values.into_iter().filter(|v| !v.is_null()).flat_map(list_items).collect();
    let many = values.len() > 1;
    Ok(values
        .into_iter()
        .enumerate()
        .map(|(i, value)| Document {
            source: if many { format!("{source}#{}", i + 1) } else { source.to_owned() },
            value,
        })
        .collect())
}

fn list_items(value: Value) -> Vec<Value> {
    match value {
        Value::Object(mut list) if list.get("kind").and_then(Value::as_str) == Some("List") => {
            match list.remove("items") {
                Some(Value::Array(items)) => items,
                other => {
                    list.extend(other.map(|items| ("items".to_owned(), items)));
                    vec![Value::Object(list)]
                }
            }
        }
        other => vec![other],
    }
}

/// Reads every document of `inputs` (files, directories searched recursively for `.yaml`,
/// `.yml` and `.json`, or `-` for `stdin`); the items of a `List` count as documents.
pub fn read_inputs(inputs: &[String], stdin: &mut impl Read) -> Result<Vec<Document>, InputError> {
    if inputs.is_empty() {
        return Err(InputError::Nothing);
    }
    let mut documents = Vec::new();
    for input in inputs {
        if input == "-" {
            let mut text = String::new();
            stdin.read_to_string(&mut text).map_err(|source| InputError::Read { path: "stdin".into(), source })?;
            documents.extend(parse("stdin", &text)?);
            continue;
        }
        let mut files = Vec::new();
        collect(Path::new(input), &mut files)?;
        for file in files {
            let shown = file.display().to_string();
            let text =
                std::fs::read_to_string(&file).map_err(|source| InputError::Read { path: shown.clone(), source })?;
            documents.extend(parse(&shown, &text)?);
        }
    }
    Ok(documents)
}

/// The verdict on one object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectReport {
    /// `neo4jbackup/nightly`.
    pub object: String,
    /// Its namespace (`default` when the manifest has none).
    pub namespace: String,
    /// Where it was read.
    pub source: String,
    /// Errors, each `path: message`.
    pub errors: Vec<String>,
    /// Warnings, each `path: message`.
    pub warnings: Vec<String>,
}

fn namespace_of(value: &Value) -> String {
    value["metadata"]["namespace"].as_str().unwrap_or("default").to_owned()
}

fn name_of(value: &Value) -> String {
    value["metadata"]["name"].as_str().unwrap_or("<no name>").to_owned()
}

/// The older restore shape of seed 000, and how to write it today.
fn legacy_restore(value: &Value) -> Option<String> {
    let spec = &value["spec"];
    let legacy = !spec["sourceCluster"].is_null() || spec["pointInTime"].is_object() || !spec["recovery"].is_null();
    if !legacy {
        return None;
    }
    let target = spec["recovery"]["targetCluster"].as_str().or(spec["targetCluster"].as_str()).unwrap_or("<cluster>");
    let moment = spec["pointInTime"]["timestamp"].as_str().unwrap_or("<RFC 3339 time>");
    let source = spec["sourceCluster"].as_str().unwrap_or("<source cluster>");
    Some(format!(
        "spec: sourceCluster, pointInTime.timestamp and recovery.targetCluster are the older restore shape, which the API no longer has; write: \
         targetCluster: {target}, databaseName: <database>, source: {{type: pitr, pointInTime: \"{moment}\", \
         pitr: {{baseBackup: {{type: backup, backupRef: <a Neo4jBackup of {source}>}}}}}}"
    ))
}

/// Validates every Neo4j resource among `documents`; other documents are skipped.
pub fn validate(documents: &[Document], now: Timestamp) -> Vec<ObjectReport> {
    let targets: Vec<(String, String, TargetFacts)> = documents
        .iter()
        .filter_map(|d| {
            let facts = match Kind::of(&d.value)? {
                Kind::Cluster => {
                    TargetFacts::of_cluster(&serde_json::from_value::<Neo4jEnterpriseCluster>(d.value.clone()).ok()?)
                }
                Kind::Standalone => TargetFacts::of_standalone(
                    &serde_json::from_value::<Neo4jEnterpriseStandalone>(d.value.clone()).ok()?,
                ),
                _ => return None,
            };
            Some((namespace_of(&d.value), name_of(&d.value), facts))
        })
        .collect();
    // A manifest has no status: only a Neo4jBackup read back from a cluster says whether it has
    // run, so only those serve as references (else every reference would warn "no backup yet").
    let backups: Vec<Neo4jBackup> = documents
        .iter()
        .filter(|d| Kind::of(&d.value) == Some(Kind::Backup) && !d.value["status"].is_null())
        .filter_map(|d| serde_json::from_value(d.value.clone()).ok())
        .collect();
    let target = |namespace: &str, name: &str| {
        targets.iter().find(|(ns, n, _)| ns == namespace && n == name).map(|(_, _, facts)| facts.clone())
    };
    documents
        .iter()
        .filter_map(|document| {
            let kind = Kind::of(&document.value)?;
            let namespace = namespace_of(&document.value);
            let spec = &document.value["spec"];
            let named_target = match kind {
                Kind::Backup => serde_json::from_value::<Neo4jBackup>(document.value.clone())
                    .ok()
                    .and_then(|b| b.spec.target_object(&namespace))
                    .and_then(|(ns, name)| target(&ns, &name)),
                Kind::Restore => spec["targetCluster"].as_str().and_then(|name| target(&namespace, name)),
                _ => None,
            };
            // The backup the restore reads, as the webhook finds it (a point-in-time source without
            // a base backup reads the target's protection `<target>-pitr`).
            let referenced_name = match kind {
                Kind::Restore => serde_json::from_value::<neo4j_api::Neo4jRestore>(document.value.clone())
                    .ok()
                    .and_then(|r| r.spec.referenced_backup()),
                _ => None,
            };
            let referenced = referenced_name.as_deref().and_then(|name| {
                backups.iter().find(|b| {
                    b.metadata.name.as_deref() == Some(name)
                        && b.metadata.namespace.clone().unwrap_or_else(|| "default".into()) == namespace
                })
            });
            // Rules that depend on the moment (a point in time in the future) judge with the present, as
            // the webhook does.
            let context =
                Context { target: named_target, referenced_backup: referenced, now: Some(now), ..Context::default() };
            let verdict = review(None, &document.value, &context)?.verdict;
            let mut errors: Vec<String> = verdict.error_lines();
            if kind == Kind::Restore
                && let Some(advice) = legacy_restore(&document.value)
            {
                errors.insert(0, advice);
            }
            Some(ObjectReport {
                object: format!("{}/{}", kind.name().to_lowercase(), name_of(&document.value)),
                namespace,
                source: document.source.clone(),
                errors,
                warnings: verdict.warnings,
            })
        })
        .collect()
}

/// One line per object with its verdict, then its errors and warnings, indented; coloured when
/// `colour` (see `crate::style`).
pub fn render(reports: &[ObjectReport], colour: bool) -> String {
    use crate::style::{Colour, paint};
    let mut out = String::new();
    for report in reports {
        let verdict = if report.errors.is_empty() {
            paint("valid", Colour::Green, colour)
        } else {
            paint("invalid", Colour::Red, colour)
        };
        out.push_str(&format!("{} ({}, {}): {verdict}\n", report.object, report.namespace, report.source));
        for error in &report.errors {
            out.push_str(&format!("  {}: {error}\n", paint("error", Colour::Red, colour)));
        }
        for warning in &report.warnings {
            out.push_str(&format!("  {}: {warning}\n", paint("warning", Colour::Yellow, colour)));
        }
    }
    out
}
