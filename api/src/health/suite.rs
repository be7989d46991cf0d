//! The checks to run, in order, as data: what each sends, within what time, and how its answers
//! are judged. The edges run a suite over one Bolt connection, time each check, and hand the
//! answers to [`judge`]; [`report`] turns the results into a [`HealthReport`].

use crate::health::checks::{
    CONNECTIVITY_TIMEOUT_SECONDS, DATA_TIMEOUT_SECONDS, Probe, Row, SCHEMA_TIMEOUT_SECONDS, connectivity, constraints,
    counts, databases, graph_stats, indexes, judge_counts, judge_databases, judge_probe, judge_schema,
};
use crate::health::report::{CheckResult, GraphStats, HealthReport, Outcome};
use crate::restore::cypher::Statement;

/// How a check's answers are judged.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Judge {
    /// Any answer passes: we logged in and ran a query.
    Connectivity,
    /// `SHOW DATABASES`, for one database or all.
    Databases(Option<String>),
    /// `SHOW INDEXES` then `SHOW CONSTRAINTS`.
    Schema,
    /// The figures, against the backup's (nodes, relationships) when known.
    Counts(Option<(i64, i64)>),
    /// A probe of the user's.
    Probe(Probe),
}

/// One check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Check {
    /// Its name in the report.
    pub name: String,
    /// What it sends, in order.
    pub statements: Vec<Statement>,
    /// How long all of them may take.
    pub timeout_seconds: u64,
    /// How its answers are judged.
    pub judge: Judge,
}

/// The checks of a target, and of `database` when one is named: connectivity and the databases'
/// states always; schema, counts and the probes for a named database (they run on it).
pub fn suite(database: Option<&str>, probes: &[Probe], expected: Option<(i64, i64)>) -> Vec<Check> {
    let check = |name: &str, statements, timeout_seconds, judge| Check {
        name: name.to_owned(),
        statements,
        timeout_seconds,
        judge,
    };
    let mut checks = vec![
        check("connectivity", vec![connectivity()], CONNECTIVITY_TIMEOUT_SECONDS, Judge::Connectivity),
        check("databases", vec![databases()], SCHEMA_TIMEOUT_SECONDS, Judge::Databases(database.map(str::to_owned))),
    ];
    let Some(database) = database else { return checks };
    checks.push(check("schema", vec![indexes(database), constraints(database)], SCHEMA_TIMEOUT_SECONDS, Judge::Schema));
    checks.push(check("counts", vec![counts(database)], DATA_TIMEOUT_SECONDS, Judge::Counts(expected)));
    for probe in probes {
        let statement = Statement { database: database.to_owned(), text: probe.statement.clone(), params: vec![] };
        let name = format!("probe:{}", probe.name);
        checks.push(check(&name, vec![statement], DATA_TIMEOUT_SECONDS, Judge::Probe(probe.clone())));
    }
    checks
}

/// What a check's answers (one list of rows per statement) mean, and the figures when counted.
pub fn judge(check: &Check, answers: &[Vec<Row>]) -> (Outcome, String, Option<GraphStats>) {
    let first = answers.first().map(Vec::as_slice).unwrap_or_default();
    let (outcome, message) = match &check.judge {
        Judge::Connectivity => (Outcome::Pass, "logged in and ran a query".to_owned()),
        Judge::Databases(only) => judge_databases(first, only.as_deref()),
        Judge::Schema => judge_schema(first, answers.get(1).map(Vec::as_slice).unwrap_or_default()),
        Judge::Counts(expected) => match graph_stats(first) {
            Some(stats) => {
                let (outcome, message) = judge_counts(&stats, *expected);
                return (outcome, message, Some(stats));
            }
            None => (Outcome::Fail, "the count answered no nodes, relationships, labels and types".to_owned()),
        },
        Judge::Probe(probe) => judge_probe(probe, first),
    };
    (outcome, message, None)
}

/// How running a check went.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ran {
    /// Every statement answered in time.
    Answered(Vec<Vec<Row>>),
    /// A statement failed; why.
    Failed(String),
    /// Not answered within the check's timeout.
    TimedOut,
    /// Not run: an earlier check left no usable connection; why.
    NotRun(String),
}

const NO_ANSWER: &str = "no answer within";
const NOT_RUN: &str = "not run:";

/// Whether a failed result says nothing about the database: it did not answer in time, or was not
/// asked (a lost connection, a server restarting). Running the checks again may tell.
pub fn inconclusive(result: &CheckResult) -> bool {
    result.outcome == Outcome::Fail
        && (result.name == "connectivity"
            || result.message.starts_with(NO_ANSWER)
            || result.message.starts_with(NOT_RUN))
}

/// The result of `check`, which ran as `ran` in `duration_ms`; with the figures when counted.
pub fn result(check: &Check, ran: &Ran, duration_ms: u64) -> (CheckResult, Option<GraphStats>) {
    let (outcome, message, stats) = match ran {
        Ran::Answered(answers) => judge(check, answers),
        Ran::Failed(why) => (Outcome::Fail, why.clone(), None),
        Ran::TimedOut => (Outcome::Fail, format!("{NO_ANSWER} {}s", check.timeout_seconds), None),
        Ran::NotRun(why) => (Outcome::Fail, format!("{NOT_RUN} {why}"), None),
    };
    (CheckResult { name: printable(&check.name), outcome, message: printable(&message), duration_ms }, stats)
}

/// `text` with its control characters (a line break in a probe's name, its Cypher in an error, or
/// a value it returned) written as escapes: a check's name and message go into the status, the
/// restore's message and its Events, one line each.
fn printable(text: &str) -> String {
    if !text.chars().any(char::is_control) {
        return text.to_owned();
    }
    text.chars().map(|c| if c.is_control() { c.escape_default().to_string() } else { c.to_string() }).collect()
}

/// Why the checks after a failure cannot run on the same connection, if they cannot: after a
/// failed login or a statement cut off by its timeout, the connection is not trusted again.
pub fn stops_the_rest(check: &Check, ran: &Ran) -> Option<String> {
    match (ran, &check.judge) {
        (Ran::TimedOut, _) => Some(format!("the {} check did not answer in time", check.name)),
        (Ran::Failed(_), Judge::Connectivity) => Some("no connection to the target".to_owned()),
        _ => None,
    }
}

/// The report of a suite's results.
pub fn report(target: String, timestamp: String, results: Vec<(CheckResult, Option<GraphStats>)>) -> HealthReport {
    let stats = results.iter().find_map(|(_, stats)| *stats);
    HealthReport::of(target, timestamp, results.into_iter().map(|(result, _)| result).collect(), stats)
}
