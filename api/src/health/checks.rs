//! The checks: what each sends (exact Cypher, documented where it is pinned), how long it may
//! take, and what its rows mean. Rows arrive as maps of column to JSON value.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::health::report::{GraphStats, Outcome};
use crate::restore::cypher::{SYSTEM, Statement};

/// A row of an answer: column to value.
pub type Row = BTreeMap<String, Value>;

/// Timeouts of the three tiers, as seed 002 sets them (connectivity 5 s, schema 10 s, the rest 30 s).
pub const CONNECTIVITY_TIMEOUT_SECONDS: u64 = 5;
/// Schema (indexes and constraints) and the databases' states.
pub const SCHEMA_TIMEOUT_SECONDS: u64 = 10;
/// Counts and the user's probes.
pub const DATA_TIMEOUT_SECONDS: u64 = 30;

fn on(database: &str, text: &str) -> Statement {
    Statement { database: database.to_owned(), text: text.to_owned(), params: vec![] }
}

/// Can we log in and run a query.
pub fn connectivity() -> Statement {
    on(SYSTEM, "RETURN 1 AS ok")
}

/// Every database on every server that hosts it, with its requested and current state
/// (docs-operations, database-administration/standard-databases/listing-databases.adoc, 5.x and
/// dev: `currentStatus` is one of online, offline, starting, stopping, store copying, initial,
/// deallocating, dirty, quarantined, unknown, mixed).
pub fn databases() -> Statement {
    on(SYSTEM, "SHOW DATABASES YIELD name, address, requestedStatus, currentStatus, statusMessage")
}

/// The indexes of `database` with their state (docs-cypher, indexes/search-performance-indexes/
/// managing-indexes.adoc, 5.x and dev: `state` is ONLINE, POPULATING or FAILED; `failureMessage`
/// says why). A constraint's index is among them (`owningConstraint`).
pub fn indexes(database: &str) -> Statement {
    on(database, "SHOW INDEXES YIELD name, state, populationPercent, failureMessage, owningConstraint")
}

/// The figures of `database`: nodes and relationships (from the count store), labels and
/// relationship types in use.
pub fn counts(database: &str) -> Statement {
    on(
        database,
        "CALL { MATCH (n) RETURN count(n) AS nodes } CALL { MATCH ()-[r]->() RETURN count(r) AS relationships } CALL { CALL db.labels() YIELD label RETURN count(label) AS labels } CALL { CALL db.relationshipTypes() YIELD relationshipType RETURN count(relationshipType) AS types } RETURN nodes, relationships, labels, types",
    )
}

fn text<'a>(row: &'a Row, column: &str) -> &'a str {
    row.get(column).and_then(Value::as_str).unwrap_or_default()
}

/// What `SHOW DATABASES` says: every allocation of `only` (or of every database) at its
/// requested state. A database asked to be offline is not a failure; one asked online and not
/// online is, named with its server and message; a transient state (starting, store copying,
/// deallocating) is a warning.
pub fn judge_databases(rows: &[Row], only: Option<&str>) -> (Outcome, String) {
    let rows: Vec<&Row> = rows.iter().filter(|r| only.is_none_or(|name| text(r, "name") == name)).collect();
    if rows.is_empty() {
        let what = only.map(|n| format!("the database {n:?}")).unwrap_or_else(|| "any database".to_owned());
        return (Outcome::Fail, format!("SHOW DATABASES lists no allocation of {what}"));
    }
    let (mut failing, mut moving) = (Vec::new(), Vec::new());
    for row in &rows {
        let (requested, current) = (text(row, "requestedStatus"), text(row, "currentStatus"));
        if requested == current {
            continue;
        }
        let message = text(row, "statusMessage");
        let at = format!(
            "{} on {} is {current}{}",
            text(row, "name"),
            row.get("address").and_then(Value::as_str).unwrap_or("an unavailable server"),
            if message.is_empty() { String::new() } else { format!(" ({message})") }
        );
        match current {
            "starting" | "store copying" | "deallocating" | "stopping" => moving.push(at),
            _ => failing.push(at),
        }
    }
    let online = rows.iter().filter(|r| text(r, "currentStatus") == "online").count();
    match (failing.is_empty(), moving.is_empty()) {
        (false, _) => (Outcome::Fail, format!("not as requested: {}", failing.join("; "))),
        (true, false) => (Outcome::Warn, format!("changing state: {}", moving.join("; "))),
        (true, true) => {
            (Outcome::Pass, format!("{online} of {} allocation(s) online, every one as requested", rows.len()))
        }
    }
}

/// The constraints of `database` and the index each one owns (docs-cypher,
/// constraints/managing-constraints.adoc, 5.x and dev: `ownedIndex` names it; existence and type
/// constraints own none).
pub fn constraints(database: &str) -> Statement {
    on(database, "SHOW CONSTRAINTS YIELD name, type, ownedIndex")
}

/// What `SHOW INDEXES` and `SHOW CONSTRAINTS` say: a FAILED index fails, and so does a constraint
/// whose index is missing or FAILED; a POPULATING index warns (with its progress).
pub fn judge_schema(indexes: &[Row], constraints: &[Row]) -> (Outcome, String) {
    let named = |state: &str| -> Vec<&Row> { indexes.iter().filter(|r| text(r, "state") == state).collect() };
    let mut broken: Vec<String> = named("FAILED")
        .iter()
        .map(|r| {
            let why = text(r, "failureMessage");
            if why.is_empty() { text(r, "name").to_owned() } else { format!("{} ({why})", text(r, "name")) }
        })
        .collect();
    let failed_indexes = broken.len();
    let owned: Vec<(&str, &str)> =
        constraints.iter().filter_map(|c| Some((text(c, "name"), c.get("ownedIndex")?.as_str()?))).collect();
    for (constraint, index) in &owned {
        match indexes.iter().find(|r| text(r, "name") == *index) {
            None => broken.push(format!("constraint {constraint} has no index {index}")),
            Some(row) if text(row, "state") == "FAILED" => {
                broken.push(format!("constraint {constraint} is not enforced (its index {index} FAILED)"));
            }
            Some(_) => {}
        }
    }
    if !broken.is_empty() {
        let what = if failed_indexes > 0 { format!("{failed_indexes} index(es) FAILED: ") } else { String::new() };
        return (Outcome::Fail, format!("{what}{}", broken.join("; ")));
    }
    let populating = named("POPULATING");
    if !populating.is_empty() {
        let what: Vec<String> = populating
            .iter()
            .map(|r| {
                format!("{} ({}%)", text(r, "name"), r.get("populationPercent").and_then(Value::as_f64).unwrap_or(0.0))
            })
            .collect();
        return (Outcome::Warn, format!("{} index(es) still POPULATING: {}", populating.len(), what.join(", ")));
    }
    (
        Outcome::Pass,
        format!(
            "{} index(es) ONLINE; {} constraint(s), {} of them backed by an ONLINE index",
            indexes.len(),
            constraints.len(),
            owned.len()
        ),
    )
}

/// The figures of the counts' row.
pub fn graph_stats(rows: &[Row]) -> Option<GraphStats> {
    let row = rows.first()?;
    let number = |column: &str| row.get(column).and_then(Value::as_i64);
    Some(GraphStats {
        nodes: number("nodes")?,
        relationships: number("relationships")?,
        labels: number("labels")?,
        relationship_types: number("types")?,
    })
}

/// The counts against the backup's, when known (the nodes and relationships a restore measured).
pub fn judge_counts(found: &GraphStats, expected: Option<(i64, i64)>) -> (Outcome, String) {
    let figures = format!("{} nodes, {} relationships", found.nodes, found.relationships);
    match expected {
        Some((nodes, relationships)) if (nodes, relationships) != (found.nodes, found.relationships) => {
            (Outcome::Warn, format!("{figures}; the backup had {nodes} nodes, {relationships} relationships"))
        }
        Some(_) => (Outcome::Pass, format!("{figures}, as in the backup")),
        None => (Outcome::Pass, figures),
    }
}

/// A probe of the user's: a statement and what it must answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Probe {
    /// What the report calls it (`probe:<name>`).
    pub name: String,
    /// The statement, run on the checked database.
    pub statement: String,
    /// How many rows it must return.
    pub rows: Option<usize>,
    /// The value the first row must have in its only column, as text: a string as it is, a
    /// number, boolean or null as JSON writes it (`812`, `true`, `null`).
    pub value: Option<String>,
}

/// A value as a probe compares it.
fn as_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// At most 64 characters of `text`, then `...`.
fn shortened(text: &str) -> String {
    match text.char_indices().nth(64) {
        Some((at, _)) => format!("{}...", &text[..at]),
        None => text.to_owned(),
    }
}

/// What a probe's answer means.
pub fn judge_probe(probe: &Probe, rows: &[Row]) -> (Outcome, String) {
    if let Some(expected) = probe.rows.filter(|expected| *expected != rows.len()) {
        return (Outcome::Fail, format!("returned {} row(s), expected {expected}", rows.len()));
    }
    if let Some(expected) = &probe.value {
        if rows.first().is_some_and(|row| row.len() != 1) {
            return (
                Outcome::Fail,
                "returns more than one column; a value is compared with a single column".to_owned(),
            );
        }
        let first = rows.first().and_then(|row| row.values().next()).map(as_text);
        if first.as_deref() != Some(expected.as_str()) {
            // What the database holds goes into the status: a few characters say enough.
            let got = first.map(|text| shortened(&text)).unwrap_or_else(|| "nothing".to_owned());
            return (Outcome::Fail, format!("returned {got}, expected {expected}"));
        }
    }
    (Outcome::Pass, format!("returned {} row(s) as expected", rows.len()))
}
