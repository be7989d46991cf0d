//! Runs a health suite (`neo4j_api::health::suite`) over one Bolt connection: each check within its
//! own timeout, timed, its answers judged by the pure side. Shared by the controller (after every
//! restore) and `kubectl neo4j health`.

use std::time::{Duration, Instant};

use neo4j_api::health::report::HealthReport;
use neo4j_api::health::suite::{Check, Ran, report, result, stops_the_rest};

use crate::bolt::{DatabaseAdmin, Endpoint, Session};

/// Runs `checks` in order against `endpoint`; `target` and `timestamp` head the report.
pub async fn run(
    admin: &dyn DatabaseAdmin,
    endpoint: &Endpoint,
    checks: &[Check],
    target: String,
    timestamp: String,
) -> HealthReport {
    let mut results = Vec::with_capacity(checks.len());
    let mut session: Option<Box<dyn Session>> = None;
    let mut stopped: Option<String> = None;
    for check in checks {
        let started = Instant::now();
        let ran = match &stopped {
            Some(why) => Ran::NotRun(why.clone()),
            None => {
                let limit = Duration::from_secs(check.timeout_seconds);
                match tokio::time::timeout(limit, answers(admin, endpoint, &mut session, check)).await {
                    Ok(Ok(answers)) => Ran::Answered(answers),
                    Ok(Err(why)) => Ran::Failed(why),
                    Err(_) => Ran::TimedOut,
                }
            }
        };
        stopped = stopped.or_else(|| stops_the_rest(check, &ran));
        let duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        results.push(result(check, &ran, duration_ms));
    }
    report(target, timestamp, results)
}

/// The answers of `check`'s statements, on the session opened by the first check.
async fn answers(
    admin: &dyn DatabaseAdmin,
    endpoint: &Endpoint,
    session: &mut Option<Box<dyn Session>>,
    check: &Check,
) -> Result<Vec<Vec<neo4j_api::health::checks::Row>>, String> {
    if session.is_none() {
        *session = Some(admin.open(endpoint).await?);
    }
    let session = session.as_ref().expect("opened above");
    let mut answers = Vec::with_capacity(check.statements.len());
    for statement in &check.statements {
        answers.push(session.rows(statement).await?);
    }
    Ok(answers)
}
