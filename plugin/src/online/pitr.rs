//! `pitr status CLUSTER` and the window in `backup describe`: what can be restored, per database.

use k8s_openapi::jiff::Timestamp;
use kube::{Api, Client};
use neo4j_api::pitr::protection::protection_name;
use neo4j_api::pitr::report::pitr_report;
use neo4j_api::{DatabaseWindow, Neo4jBackup};

use crate::online::list::describe_error;
use crate::online::table::{ago, render};

/// How `pitr status` prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Output {
    /// Readable lines and a table of the window.
    Table,
    /// The report as JSON.
    Json,
}

fn transactions(window: &DatabaseWindow) -> String {
    match (window.earliest_transaction, window.latest_transaction) {
        (Some(low), Some(high)) => format!("{low}-{high}"),
        _ => "-".to_owned(),
    }
}

fn contiguity(window: &DatabaseWindow) -> String {
    if window.contiguous {
        return "yes".to_owned();
    }
    let gaps = window.gaps.len() + window.older_gaps as usize;
    format!("no: {gaps} gap{}", if gaps == 1 { "" } else { "s" })
}

/// The window of each database as a table.
pub fn window_table(windows: &[DatabaseWindow], now: Timestamp) -> String {
    let time = |t: &Option<k8s_openapi::apimachinery::pkg::apis::meta::v1::Time>| {
        t.as_ref().map_or("-".to_owned(), |t| t.0.to_string())
    };
    let rows: Vec<Vec<String>> = windows
        .iter()
        .map(|w| {
            vec![
                w.database.clone(),
                time(&w.earliest),
                time(&w.latest),
                ago(w.latest.as_ref().map(|t| t.0), now),
                transactions(w),
                contiguity(w),
                w.newest_chain
                    .as_ref()
                    .map_or("-".to_owned(), |c| format!("{} (+{} DIFFs)", c.full, c.artifacts.saturating_sub(1))),
            ]
        })
        .collect();
    render(&["DATABASE", "EARLIEST", "LATEST", "LATEST AGE", "TRANSACTIONS", "CONTIGUOUS", "NEWEST CHAIN"], &rows)
}

/// `pitr status CLUSTER`.
pub async fn status(
    client: &Client,
    namespace: &str,
    target: &str,
    output: Output,
    now: Timestamp,
) -> Result<String, String> {
    let api: Api<Neo4jBackup> = Api::namespaced(client.clone(), namespace);
    let name = protection_name(target);
    let protection = match api.get_opt(&name).await {
        Ok(found) => found,
        Err(err) => return Err(describe_error(err, "neo4jbackup", &name)),
    };
    let report = pitr_report(target, protection.as_ref(), now);
    if output == Output::Json {
        return serde_json::to_string_pretty(&report).map(|text| text + "\n").map_err(|err| err.to_string());
    }
    let mut out = format!("Target:        {target}\nProtection:    {}\n", report.protection);
    if let Some(hint) = &report.hint {
        out.push_str(&format!("Shipping:      off ({hint})\n"));
        return Ok(out);
    }
    let shipping = match (&report.interval, report.suspended) {
        (_, true) => "off (suspended)".to_owned(),
        (Some(interval), false) => format!("on, a DIFF every {interval}"),
        (None, false) => "off (base backups only)".to_owned(),
    };
    out.push_str(&format!("Shipping:      {shipping}\n"));
    out.push_str(&format!(
        "Phase:         {}{}\n",
        report.phase.as_deref().unwrap_or("-"),
        report.message.as_ref().map(|m| format!(" ({m})")).unwrap_or_default()
    ));
    let lag = report.lag_seconds.map_or("-".to_owned(), |s| format!("{s}s"));
    out.push_str(&format!("Lag:           {lag}\n"));
    out.push_str(&format!("Last base:     {}\n", ago(report.last_base_backup_time.as_ref().map(|t| t.0), now)));
    out.push_str(&format!("Last run:      {}\n", ago(report.last_run_time.as_ref().map(|t| t.0), now)));
    if let Some(job) = &report.running_job {
        out.push_str(&format!("Running:       {job}\n"));
    }
    if report.consecutive_failures > 0 {
        out.push_str(&format!("Failures:      {} in a row\n", report.consecutive_failures));
    }
    out.push_str("Window:\n");
    if report.recovery_window.is_empty() {
        out.push_str("  (no run has reported one yet)\n");
    } else {
        out.extend(window_table(&report.recovery_window, now).lines().map(|line| format!("  {line}\n")));
    }
    Ok(out)
}
