//! `kubectl neo4j convert`: the Neo4j operator's own Neo4jBackup and Neo4jRestore manifests
//! (`neo4j.neo4j.com/v1beta1`) as ours. The translation is `neo4j_api::convert`; this edge reads
//! the inputs as `validate` does, judges each result with `validate` (targets among the inputs
//! give context), writes the objects as YAML documents to stdout and one line per field or object
//! not converted to stderr.

use std::io::Write;

use k8s_openapi::jiff::Timestamp;
use neo4j_api::convert::{Converted, Origin, convert, origin};
use neo4j_api::review::Kind;
use serde_json::Value;

use crate::cli::CliError;
use crate::validate::{Document, read_inputs, validate};

/// What converting the inputs gave.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    /// The converted objects, and ours passed through, as YAML documents in the order of the input.
    pub yaml: String,
    /// One line per field not converted, object not converted, or rule a converted object breaks:
    /// `FILE: KIND/NAME: ...`.
    pub notes: Vec<String>,
    /// The operator's objects among the inputs.
    pub objects: usize,
    /// Those that could not be converted or break our rules.
    pub failed: usize,
}

fn object_name(value: &Value) -> String {
    let kind = value["kind"].as_str().unwrap_or("<no kind>").to_lowercase();
    format!("{kind}/{}", value["metadata"]["name"].as_str().unwrap_or("<no name>"))
}

fn yaml(value: &impl serde::Serialize) -> Result<String, CliError> {
    let text = serde_saphyr::to_string(value).map_err(|err| CliError::Usage(format!("cannot render YAML: {err}")))?;
    Ok(format!("---\n{text}"))
}

/// Converts every document; `now` judges the results as `validate` does.
pub fn convert_documents(documents: &[Document], now: Timestamp) -> Result<Outcome, CliError> {
    let mut outcome = Outcome::default();
    // The converted objects to judge, and where each one's lines go.
    let mut judged: Vec<(Document, usize)> = Vec::new();
    let mut lines: Vec<Vec<String>> = Vec::new();
    for document in documents {
        let prefix = format!("{}: {}", document.source, object_name(&document.value));
        let mut own = Vec::new();
        match origin(&document.value) {
            Origin::Operator(_) => {
                outcome.objects += 1;
                match convert(&document.value) {
                    Ok(conversion) => {
                        own.extend(conversion.dropped.iter().map(|dropped| format!("{prefix}: {dropped}")));
                        outcome.yaml.push_str(&match &conversion.object {
                            Converted::Backup(backup) => yaml(backup)?,
                            Converted::Restore(restore) => yaml(restore)?,
                        });
                        let converted =
                            Document { source: document.source.clone(), value: conversion.object.to_value() };
                        judged.push((converted, lines.len()));
                    }
                    Err(errors) => {
                        outcome.failed += 1;
                        own.extend(
                            errors.iter().map(|e| format!("{prefix}: {}: cannot be converted: {}", e.path, e.message)),
                        );
                    }
                }
            }
            Origin::Ours(_) => {
                own.push(format!(
                    "{prefix}: already kubectl-neo4j's ({}/{}); passed through unchanged",
                    neo4j_api::GROUP,
                    neo4j_api::VERSION
                ));
                outcome.yaml.push_str(&yaml(&document.value)?);
            }
            Origin::Other => {
                own.push(format!("{prefix}: not a Neo4jBackup or Neo4jRestore of the Neo4j operator; left out"));
            }
        }
        lines.push(own);
    }
    // Targets among the inputs tell the rules the Neo4j version and size, as in `validate`.
    let targets = documents.iter().filter(|d| matches!(Kind::of(&d.value), Some(Kind::Cluster | Kind::Standalone)));
    let mut context: Vec<Document> = judged.iter().map(|(document, _)| document.clone()).collect();
    context.extend(targets.cloned());
    let reports = validate(&context, now);
    for ((_, at), report) in judged.iter().zip(&reports) {
        if !report.errors.is_empty() {
            outcome.failed += 1;
        }
        let prefix = format!("{}: {}", report.source, report.object);
        lines[*at].extend(report.errors.iter().map(|error| format!("{prefix}: invalid after conversion: {error}")));
    }
    outcome.notes = lines.into_iter().flatten().collect();
    Ok(outcome)
}

/// `kubectl neo4j convert -f ...`: YAML to `out`, notes to stderr; `Err` when any object could not
/// be converted or breaks our rules (exit code 1), or the inputs cannot be read (2).
pub fn run(files: &[String], out: &mut impl Write) -> Result<(), CliError> {
    let documents = read_inputs(files, &mut std::io::stdin().lock())?;
    let outcome = convert_documents(&documents, Timestamp::now())?;
    out.write_all(outcome.yaml.as_bytes())?;
    out.flush()?;
    for note in &outcome.notes {
        eprintln!("{note}");
    }
    if outcome.failed > 0 {
        return Err(CliError::Failed(format!(
            "{} of {} object(s) need attention before they can be applied",
            outcome.failed, outcome.objects
        )));
    }
    Ok(())
}
