//! The window of each database as a run reports it and a status keeps it: bounded (see
//! [`crate::types::recovery_window`]), and judged with what it says, never more. A moment the
//! summary cannot decide (its older gaps were not listed) is left to the restore, which lists
//! the location itself before it changes anything.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use k8s_openapi::jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::chain::{Artifact, by_database};
use crate::pitr::window::{
    Gap, Window, after_latest, before_earliest, in_gap, nothing_restorable, transaction_outside, window,
};
use crate::types::{ChainSummary, DatabaseWindow, MAX_DATABASES, MAX_GAPS, MAX_SPANS, RestorableSpan, WindowGap};

/// Kubernetes keeps at most 4096 bytes of a container's termination message.
pub const TERMINATION_MESSAGE_BYTES: usize = 4096;

/// What a shipping run's last container writes as its termination message: the window of every
/// database in the location after the run.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct WindowReport {
    /// Per database, in name order.
    pub recovery_window: Vec<DatabaseWindow>,
    /// Databases left out to fit the message.
    #[serde(default, skip_serializing_if = "crate::types::recovery_window::is_zero")]
    pub omitted_databases: u32,
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The summary of one database's window (the newest spans and gaps; the rest counted).
pub fn summarize(window: &Window) -> DatabaseWindow {
    let spans: Vec<RestorableSpan> = window
        .spans
        .iter()
        .map(|span| RestorableSpan {
            from: Time(span.earliest),
            to: Time(span.latest),
            from_transaction: span.transactions.map(|(low, _)| low),
            to_transaction: span.transactions.map(|(_, high)| high),
        })
        .collect();
    let gaps: Vec<WindowGap> = window
        .gaps
        .iter()
        .map(|gap| match gap {
            Gap::Between { after, before } => {
                WindowGap { after: Some(Time(*after)), before: Some(Time(*before)), unlinked: None }
            }
            Gap::Unlinked { file } => WindowGap { unlinked: Some(file.clone()), ..WindowGap::default() },
        })
        .collect();
    let newest = window.spans.iter().max_by_key(|span| span.latest);
    let mut summary = DatabaseWindow {
        database: window.database.clone(),
        database_id: window.lineage.clone(),
        earliest: window.earliest().map(Time),
        latest: window.latest().map(Time),
        earliest_transaction: window.spans.first().and_then(|span| span.transactions).map(|(low, _)| low),
        latest_transaction: window.spans.last().and_then(|span| span.transactions).map(|(_, high)| high),
        contiguous: window.gaps.is_empty(),
        spans,
        gaps,
        newest_chain: newest.map(|span| ChainSummary {
            full: span.full.clone(),
            artifacts: count(span.files.len()),
            newest: span.files.last().map(|(file, _)| file.clone()).unwrap_or_else(|| span.full.clone()),
        }),
        ..DatabaseWindow::default()
    };
    keep_newest(&mut summary, MAX_SPANS, MAX_GAPS);
    summary
}

/// Keeps the newest `spans` spans and `gaps` gaps, counting the others.
fn keep_newest(summary: &mut DatabaseWindow, spans: usize, gaps: usize) {
    let extra = summary.spans.len().saturating_sub(spans);
    summary.spans.drain(..extra);
    summary.older_spans = summary.older_spans.saturating_add(count(extra));
    let extra = summary.gaps.len().saturating_sub(gaps);
    summary.gaps.drain(..extra);
    summary.older_gaps = summary.older_gaps.saturating_add(count(extra));
}

/// The summary of every database with artifacts, in name order (at most [`MAX_DATABASES`]).
pub fn summaries(artifacts: &[Artifact]) -> Vec<DatabaseWindow> {
    by_database(artifacts)
        .keys()
        .filter_map(|database| window(artifacts, database))
        .map(|window| summarize(&window))
        .take(MAX_DATABASES)
        .collect()
}

/// The report as JSON of at most `budget` bytes: shorter summaries first (one span and one gap
/// each, then the bounds alone), then databases left out and counted.
pub fn fit(windows: Vec<DatabaseWindow>, budget: usize) -> String {
    let encode = |report: &WindowReport| serde_json::to_string(report).unwrap_or_default();
    let mut report = WindowReport { recovery_window: windows, omitted_databases: 0 };
    for level in 0..3 {
        if level == 1 {
            report.recovery_window.iter_mut().for_each(|w| keep_newest(w, 1, 1));
        }
        if level == 2 {
            for summary in &mut report.recovery_window {
                keep_newest(summary, 0, 0);
                summary.newest_chain = None;
                summary.database_id = None;
            }
        }
        let text = encode(&report);
        if text.len() <= budget {
            return text;
        }
    }
    while !report.recovery_window.is_empty() {
        report.recovery_window.pop();
        report.omitted_databases += 1;
        let text = encode(&report);
        if text.len() <= budget {
            return text;
        }
    }
    encode(&report)
}

/// Reads a report back (the termination message of a shipping run's last container).
pub fn read_report(text: &str) -> Result<WindowReport, String> {
    serde_json::from_str(text.trim()).map_err(|err| format!("the run's window report cannot be read: {err}"))
}

/// What a summary says of a moment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Coverage {
    /// Some chain restores it.
    Restorable,
    /// The summary cannot tell (older gaps were not listed); the restore will.
    Unsure(String),
    /// Nothing restores it: why, naming the window.
    Outside(String),
}

impl DatabaseWindow {
    /// Whether restoring up to, but not including, transaction `id` is inside the bounds this
    /// summary knows (gaps are left to the restore's own listing).
    pub fn covering_transaction(&self, id: u64) -> Coverage {
        let (Some(low), Some(high)) = (self.earliest_transaction, self.latest_transaction) else {
            return Coverage::Restorable;
        };
        let last = id.saturating_sub(1);
        if last < low || last > high {
            return Coverage::Outside(transaction_outside(id, &self.database, Some(low), Some(high)));
        }
        Coverage::Restorable
    }

    /// Whether `moment` can be restored, as far as this summary knows.
    pub fn covering(&self, moment: Timestamp) -> Coverage {
        let database = &self.database;
        let (Some(earliest), Some(latest)) = (self.earliest.as_ref(), self.latest.as_ref()) else {
            return Coverage::Outside(nothing_restorable(database));
        };
        if moment < earliest.0 {
            return Coverage::Outside(before_earliest(moment, earliest.0, database));
        }
        if moment > latest.0 {
            return Coverage::Outside(after_latest(moment, latest.0, database));
        }
        if self.spans.iter().any(|span| span.from.0 <= moment && moment <= span.to.0) {
            return Coverage::Restorable;
        }
        let bounds = |gap: &WindowGap| Some((gap.after.as_ref()?.0, gap.before.as_ref()?.0));
        if let Some((after, before)) = self.gaps.iter().filter_map(bounds).find(|(a, b)| *a < moment && moment < *b) {
            return Coverage::Outside(in_gap(moment, database, Some(after), Some(before)));
        }
        if self.contiguous || self.older_gaps == 0 {
            return Coverage::Restorable;
        }
        Coverage::Unsure(format!(
            "whether {moment} can be restored is not known before the restore runs: database {database} has {} older gaps the backup's status does not list; the restore lists the location and stops before changing anything if no chain covers it",
            self.older_gaps
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn artifact(file: &str, time: &str, full: bool, transactions: (u64, u64)) -> Artifact {
        Artifact {
            file: file.to_owned(),
            database: "orders".to_owned(),
            time: time.parse().unwrap(),
            full,
            lineage: Some("id-1".to_owned()),
            transactions: Some(transactions),
        }
    }

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    /// A FULL each hour and a DIFF each 30 s, with transactions between the chains: every chain
    /// boundary is a gap (neo4j-admin's DIFF after a FULL has that FULL as its parent).
    fn shipped(hours: u64) -> Vec<Artifact> {
        let mut artifacts = Vec::new();
        let mut tx = 1;
        for hour in 0..hours {
            let base = at("2025-01-04T00:00:00Z") + k8s_openapi::jiff::SignedDuration::from_hours(hour as i64);
            artifacts.push(artifact(&format!("orders-{hour}-0.backup"), &base.to_string(), true, (1, tx + 9)));
            tx += 10;
            for diff in 1..120 {
                let time = base + k8s_openapi::jiff::SignedDuration::from_secs(30 * diff);
                artifacts.push(artifact(&format!("orders-{hour}-{diff}.backup"), &time.to_string(), false, (tx, tx)));
                tx += 1;
            }
            tx += 5; // transactions between the chain's last DIFF and the next FULL
        }
        artifacts
    }

    #[test]
    fn a_summary_keeps_the_bounds_and_the_newest_spans_and_gaps() {
        let summary = summaries(&shipped(6)).remove(0);
        assert_eq!(summary.database, "orders");
        assert_eq!(summary.earliest, Some(Time(at("2025-01-04T00:00:00Z"))));
        assert_eq!(summary.latest, Some(Time(at("2025-01-04T05:59:30Z"))));
        assert_eq!((summary.earliest_transaction, summary.latest_transaction), (Some(10), Some(6 * 129 + 5 * 5)));
        assert!(!summary.contiguous);
        assert_eq!((summary.spans.len(), summary.older_spans), (MAX_SPANS, 2));
        assert_eq!((summary.gaps.len(), summary.older_gaps), (MAX_GAPS, 1));
        assert_eq!(
            summary.gaps.last().unwrap(),
            &WindowGap {
                after: Some(Time(at("2025-01-04T04:59:30Z"))),
                before: Some(Time(at("2025-01-04T05:00:00Z"))),
                unlinked: None
            }
        );
        assert_eq!(
            summary.newest_chain,
            Some(ChainSummary {
                full: "orders-5-0.backup".into(),
                artifacts: 120,
                newest: "orders-5-119.backup".into()
            })
        );
    }

    #[test]
    fn a_summary_judges_only_what_it_knows() {
        let summary = summaries(&shipped(6)).remove(0);
        assert_eq!(summary.covering(at("2025-01-04T05:30:00Z")), Coverage::Restorable);
        assert_eq!(
            summary.covering(at("2025-01-04T06:00:00Z")),
            Coverage::Outside(
                "2025-01-04T06:00:00Z is after the newest restorable moment 2025-01-04T05:59:30Z of database orders"
                    .into()
            )
        );
        assert_eq!(
            summary.covering(at("2025-01-03T23:00:00Z")),
            Coverage::Outside(
                "2025-01-03T23:00:00Z is before the earliest restorable moment 2025-01-04T00:00:00Z of database orders"
                    .into()
            )
        );
        assert_eq!(
            summary.covering(at("2025-01-04T04:59:45Z")),
            Coverage::Outside("2025-01-04T04:59:45Z falls in a gap of the backups of database orders: no chain covers it; the closest restorable moment before it is 2025-01-04T04:59:30Z; the closest after it is 2025-01-04T05:00:00Z".into())
        );
        // The oldest gap (00:59:30 to 01:00:00) is not listed: the summary cannot refuse it.
        assert!(
            matches!(summary.covering(at("2025-01-04T00:59:45Z")), Coverage::Unsure(why) if why.contains("1 older gaps"))
        );
        // Inside the oldest spans, not listed either, but no listed gap there and no moment is
        // refused that a chain restores: still unsure, never a refusal.
        assert!(matches!(summary.covering(at("2025-01-04T00:30:00Z")), Coverage::Unsure(_)));
        // All gaps listed: a moment in no listed gap is restorable.
        let summary = summaries(&shipped(3)).remove(0);
        assert_eq!(summary.older_gaps, 0);
        assert_eq!(summary.covering(at("2025-01-04T00:30:00Z")), Coverage::Restorable);
        assert!(matches!(summary.covering(at("2025-01-04T00:59:45Z")), Coverage::Outside(_)));
    }

    #[test]
    fn a_report_fits_a_termination_message_and_reads_back() {
        let one = summaries(&shipped(6)).remove(0);
        let many: Vec<DatabaseWindow> =
            (0..200).map(|i| DatabaseWindow { database: format!("database-number-{i:03}"), ..one.clone() }).collect();
        let text = fit(many[..3].to_vec(), TERMINATION_MESSAGE_BYTES);
        let report = read_report(&text).unwrap();
        assert_eq!(report.recovery_window, many[..3].to_vec(), "three databases fit whole");
        let text = fit(many[..20].to_vec(), TERMINATION_MESSAGE_BYTES);
        assert!(text.len() <= TERMINATION_MESSAGE_BYTES);
        let report = read_report(&text).unwrap();
        assert_eq!(report.omitted_databases, 0);
        let first = &report.recovery_window[0];
        assert_eq!((first.spans.len(), first.older_spans, first.gaps.len(), first.older_gaps), (0, 6, 0, 5));
        assert_eq!((first.earliest.clone(), first.latest.clone()), (one.earliest.clone(), one.latest.clone()));
        let text = fit(many, TERMINATION_MESSAGE_BYTES);
        assert!(text.len() <= TERMINATION_MESSAGE_BYTES, "{}", text.len());
        let report = read_report(&text).unwrap();
        assert!(report.omitted_databases > 0);
        assert_eq!(report.recovery_window.len() + report.omitted_databases as usize, 200);
        assert_eq!(
            read_report("kept 3, deleted 1").unwrap_err(),
            "the run's window report cannot be read: expected value at line 1 column 1"
        );
    }
}
