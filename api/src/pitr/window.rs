//! The recoverable window of one database, from the artifacts `neo4j-admin backup inspect` lists
//! (issue 14, item 2). Neo4j has no transaction-log streaming: what can be replayed is a chain, a
//! FULL artifact and the DIFFs after it in one folder, up to a moment (`--restore-until`). So a
//! chain covers the moments from its FULL's time to its newest linked artifact's time, and the
//! window of a database is the union of its chains. A database dropped and created again under
//! its name has a new DATABASE ID: its chains never link with the old ones, but the old ones still
//! restore the database as it was before the drop (the accidental-deletion case), so every lineage
//! counts. Where two chains do not meet, or a DIFF lost its link, the hole is reported, never
//! papered over.

use k8s_openapi::jiff::Timestamp;

use crate::chain::{Artifact, by_lineage, chain_starts, linked};

/// A span of restorable moments: one chain, or the part of it before a lost link.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Span {
    /// Its FULL artifact's file.
    pub full: String,
    /// The DATABASE ID of its artifacts, when printed.
    pub lineage: Option<String>,
    /// The earliest moment (the FULL's time) and the newest (its newest linked artifact's time).
    pub earliest: Timestamp,
    /// See `earliest`.
    pub latest: Timestamp,
    /// The transactions it can restore to, when neo4j-admin printed them: the FULL's highest to
    /// the newest linked artifact's highest.
    pub transactions: Option<(u64, u64)>,
    /// Its artifacts' files, oldest first (the FULL, then the DIFFs linked to it).
    pub files: Vec<(String, Timestamp)>,
}

/// Why the window is not one contiguous span.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Gap {
    /// Between two chains, no artifact covers these moments (`after` ends one, `before` starts the next).
    Between {
        /// The newest moment of the earlier span.
        after: Timestamp,
        /// The earliest moment of the later one.
        before: Timestamp,
    },
    /// A DIFF whose lowest transaction follows no artifact of its chain (one was lost or
    /// removed): it and what follows it in that chain cannot be restored.
    Unlinked {
        /// The DIFF's file.
        file: String,
    },
}

/// The window of one database.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Window {
    /// The database.
    pub database: String,
    /// Its current lineage (DATABASE ID of its newest artifact), when printed.
    pub lineage: Option<String>,
    /// Restorable spans, oldest first.
    pub spans: Vec<Span>,
    /// Where it is not contiguous: the lost links of each lineage, then the holes between spans.
    pub gaps: Vec<Gap>,
}

impl Span {
    /// The artifact to restore from to reach `moment` (`--from-path`, with `--restore-until`): the
    /// first at or after it, or the newest (a moment past the span, where it meets the next one).
    pub fn artifact_for(&self, moment: Timestamp) -> &str {
        let found = self.files.iter().find(|(_, time)| *time >= moment).or(self.files.last());
        found.map(|(file, _)| file.as_str()).unwrap_or(&self.full)
    }
}

impl Window {
    /// The earliest restorable moment.
    pub fn earliest(&self) -> Option<Timestamp> {
        self.spans.first().map(|span| span.earliest)
    }

    /// The newest restorable moment.
    pub fn latest(&self) -> Option<Timestamp> {
        self.spans.last().map(|span| span.latest)
    }

    /// The span that can restore `moment`, or why none can (naming the window, for an error).
    pub fn covering(&self, moment: Timestamp) -> Result<&Span, String> {
        // The newest FULL at or before the moment whose chain reaches it.
        if let Some(span) = self.spans.iter().rev().find(|span| span.earliest <= moment && moment <= span.latest) {
            return Ok(span);
        }
        // Between two spans that meet, the earlier one restores that moment's state exactly.
        let between = self.spans.windows(2).find(|pair| pair[0].latest < moment && moment < pair[1].earliest);
        if let Some(pair) = between {
            let gap = Gap::Between { after: pair[0].latest, before: pair[1].earliest };
            if !self.gaps.contains(&gap) {
                return Ok(&pair[0]);
            }
        }
        let database = &self.database;
        match (self.earliest(), self.latest()) {
            (None, _) | (_, None) => Err(nothing_restorable(database)),
            (Some(earliest), _) if moment < earliest => Err(before_earliest(moment, earliest, database)),
            (_, Some(latest)) if moment > latest => Err(after_latest(moment, latest, database)),
            _ => {
                let before = self.spans.iter().map(|span| span.latest).filter(|latest| *latest < moment).max();
                let after = self.spans.iter().map(|span| span.earliest).filter(|earliest| *earliest > moment).min();
                Err(in_gap(moment, database, before, after))
            }
        }
    }
}

impl Window {
    /// The span that can restore up to, but not including, transaction `id` (its transaction
    /// before `id` is in the span's range), or why none can.
    pub fn covering_transaction(&self, id: u64) -> Result<&Span, String> {
        let last = id.saturating_sub(1);
        let found = self
            .spans
            .iter()
            .rev()
            .find(|span| span.transactions.is_some_and(|(low, high)| low <= last && last <= high));
        found.ok_or_else(|| {
            let ranges = self.spans.iter().filter_map(|span| span.transactions);
            let bounds = (ranges.clone().map(|(low, _)| low).min(), ranges.map(|(_, high)| high).max());
            transaction_outside(id, &self.database, bounds.0, bounds.1)
        })
    }
}

/// Why a transaction id cannot be restored to, with the ids that can.
pub fn transaction_outside(id: u64, database: &str, earliest: Option<u64>, latest: Option<u64>) -> String {
    match (earliest, latest) {
        (Some(low), Some(high)) => format!(
            "transaction {id} cannot be restored to: database {database} can be restored up to (not including) transactions {} to {}",
            low + 1,
            high + 1
        ),
        _ => format!(
            "transaction {id} cannot be restored to: the backups of database {database} list no transaction ids"
        ),
    }
}

/// Why a database without a FULL it can restore from cannot be restored at all.
pub fn nothing_restorable(database: &str) -> String {
    format!("database {database} has no restorable backup")
}

/// Why a moment before the window cannot be restored.
pub fn before_earliest(moment: Timestamp, earliest: Timestamp, database: &str) -> String {
    format!("{moment} is before the earliest restorable moment {earliest} of database {database}")
}

/// Why a moment after the window cannot be restored.
pub fn after_latest(moment: Timestamp, latest: Timestamp, database: &str) -> String {
    format!("{moment} is after the newest restorable moment {latest} of database {database}")
}

/// Why a moment in a gap of the window cannot be restored, with the closest moments either side.
pub fn in_gap(moment: Timestamp, database: &str, before: Option<Timestamp>, after: Option<Timestamp>) -> String {
    let mut message = format!("{moment} falls in a gap of the backups of database {database}: no chain covers it");
    if let Some(before) = before {
        message.push_str(&format!("; the closest restorable moment before it is {before}"));
    }
    if let Some(after) = after {
        message.push_str(&format!("; the closest after it is {after}"));
    }
    message
}

/// The window of `database` from every artifact listed (any database; the others are ignored).
/// `None` when no artifact of it is listed.
pub fn window(artifacts: &[Artifact], database: &str) -> Option<Window> {
    let lineages: Vec<_> = by_lineage(artifacts).into_iter().filter(|((name, _), _)| *name == database).collect();
    let current = lineages.iter().max_by_key(|(_, own)| own.last().map(|a| a.time)).map(|((_, id), _)| *id)?;
    let mut spans: Vec<Span> = Vec::new();
    let mut gaps = Vec::new();
    for ((_, lineage), own) in &lineages {
        let (found, lost) = spans_of(own, *lineage);
        spans.extend(found);
        gaps.extend(lost);
    }
    spans.sort_by(|a, b| a.earliest.cmp(&b.earliest).then_with(|| a.full.cmp(&b.full)));
    for pair in spans.windows(2) {
        let meets = match (pair[0].transactions, pair[1].transactions) {
            // Another lineage is another database: its transactions do not continue these.
            _ if pair[0].lineage != pair[1].lineage => pair[1].earliest <= pair[0].latest,
            // The later FULL holds every transaction the earlier chain ends with: nothing between.
            (Some((_, end)), Some((start, _))) => start <= end,
            _ => pair[1].earliest <= pair[0].latest,
        };
        if !meets {
            gaps.push(Gap::Between { after: pair[0].latest, before: pair[1].earliest });
        }
    }
    Some(Window { database: database.to_owned(), lineage: current.map(str::to_owned), spans, gaps })
}

/// The spans of one lineage's artifacts (oldest first), and its lost links.
fn spans_of(own: &[&Artifact], lineage: Option<&str>) -> (Vec<Span>, Vec<Gap>) {
    let starts = chain_starts(own);
    let links = linked(own, &starts);
    let mut spans: Vec<Span> = Vec::new();
    let mut gaps = Vec::new();
    let mut broken_chain: Option<usize> = None;
    for (i, artifact) in own.iter().enumerate() {
        let start = starts[i];
        let full = own[start];
        if !full.full || broken_chain == Some(start) {
            continue; // DIFFs whose FULL is gone, or after a lost link, restore nothing.
        }
        if !links[i] {
            broken_chain = Some(start);
            gaps.push(Gap::Unlinked { file: artifact.file.clone() });
            continue;
        }
        let highest = |a: &Artifact| a.transactions.map(|(_, high)| high).filter(|high| *high > 0);
        match spans.last_mut().filter(|span| span.full == full.file) {
            Some(span) => {
                span.latest = artifact.time;
                span.files.push((artifact.file.clone(), artifact.time));
                if let (Some((low, _)), Some(high)) = (span.transactions, highest(artifact)) {
                    span.transactions = Some((low, high));
                }
            }
            None => spans.push(Span {
                full: full.file.clone(),
                lineage: lineage.map(str::to_owned),
                earliest: full.time,
                latest: full.time,
                transactions: highest(full).map(|high| (high, high)),
                files: vec![(full.file.clone(), full.time)],
            }),
        }
    }
    (spans, gaps)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn artifact(file: &str, time: &str, full: bool, lineage: &str, transactions: (u64, u64)) -> Artifact {
        Artifact {
            file: file.to_owned(),
            database: "orders".to_owned(),
            time: time.parse().unwrap(),
            full,
            lineage: Some(lineage.to_owned()),
            transactions: Some(transactions),
        }
    }

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    fn chain() -> Vec<Artifact> {
        vec![
            artifact("orders-01.backup", "2025-01-04T00:00:00Z", true, "id-1", (1, 100)),
            artifact("orders-02.backup", "2025-01-04T00:00:30Z", false, "id-1", (101, 120)),
            artifact("orders-03.backup", "2025-01-04T00:01:00Z", false, "id-1", (121, 150)),
        ]
    }

    #[test]
    fn a_chain_covers_its_full_to_its_newest_diff() {
        let window = window(&chain(), "orders").unwrap();
        assert_eq!(
            window.spans,
            vec![Span {
                full: "orders-01.backup".into(),
                lineage: Some("id-1".into()),
                earliest: at("2025-01-04T00:00:00Z"),
                latest: at("2025-01-04T00:01:00Z"),
                transactions: Some((100, 150)),
                files: ["orders-01.backup", "orders-02.backup", "orders-03.backup"]
                    .iter()
                    .zip(["2025-01-04T00:00:00Z", "2025-01-04T00:00:30Z", "2025-01-04T00:01:00Z"])
                    .map(|(file, time)| (file.to_string(), at(time)))
                    .collect(),
            }]
        );
        assert!(window.gaps.is_empty());
        assert_eq!(window.covering(at("2025-01-04T00:00:45Z")).unwrap().full, "orders-01.backup");
        assert_eq!(
            window.covering(at("2025-01-04T00:01:01Z")).unwrap_err(),
            "2025-01-04T00:01:01Z is after the newest restorable moment 2025-01-04T00:01:00Z of database orders"
        );
        assert_eq!(
            window.covering(at("2025-01-03T23:59:59Z")).unwrap_err(),
            "2025-01-03T23:59:59Z is before the earliest restorable moment 2025-01-04T00:00:00Z of database orders"
        );
    }

    #[test]
    fn a_lost_diff_ends_its_chain_and_is_reported() {
        let mut artifacts = chain();
        artifacts.remove(1); // orders-02 is gone: orders-03 starts at 121, after 100.
        artifacts.push(artifact("orders-04.backup", "2025-01-04T01:00:00Z", true, "id-1", (1, 200)));
        let window = window(&artifacts, "orders").unwrap();
        assert_eq!(window.gaps[0], Gap::Unlinked { file: "orders-03.backup".into() });
        assert_eq!(window.spans.len(), 2);
        assert_eq!(window.spans[0].latest, at("2025-01-04T00:00:00Z"), "only the FULL is restorable");
        assert_eq!(
            window.gaps[1],
            Gap::Between { after: at("2025-01-04T00:00:00Z"), before: at("2025-01-04T01:00:00Z") }
        );
        assert_eq!(
            window.covering(at("2025-01-04T00:30:00Z")).unwrap_err(),
            "2025-01-04T00:30:00Z falls in a gap of the backups of database orders: no chain covers it; the closest restorable moment before it is 2025-01-04T00:00:00Z; the closest after it is 2025-01-04T01:00:00Z"
        );
    }

    #[test]
    fn chains_meet_only_when_no_transaction_falls_between_them() {
        // The next FULL holds nothing past the 150 the first chain ends with: every moment between
        // them restores to the same state.
        let mut artifacts = chain();
        artifacts.push(artifact("orders-04.backup", "2025-01-04T00:01:30Z", true, "id-1", (1, 150)));
        let met = window(&artifacts, "orders").unwrap();
        assert_eq!(met.spans.len(), 2);
        assert!(met.gaps.is_empty(), "{:?}", met.gaps);
        assert_eq!(met.covering(at("2025-01-04T00:01:15Z")).unwrap().full, "orders-01.backup");
        assert_eq!(
            (met.earliest(), met.latest()),
            (Some(at("2025-01-04T00:00:00Z")), Some(at("2025-01-04T00:01:30Z")))
        );
        // Transactions 151..160 happened between the chains: a moment there is restorable only to
        // either side, so it is a gap (at most the DIFF interval wide when shipping runs).
        artifacts[3].transactions = Some((1, 160));
        let apart = window(&artifacts, "orders").unwrap();
        assert_eq!(
            apart.gaps,
            vec![Gap::Between { after: at("2025-01-04T00:01:00Z"), before: at("2025-01-04T00:01:30Z") }]
        );
    }

    #[test]
    fn a_database_created_again_keeps_the_window_of_the_one_dropped() {
        let mut artifacts = chain();
        // orders was dropped and created again: a new DATABASE ID, a new chain that never links
        // with the old one, while the old one still restores orders as it was before the drop.
        artifacts.push(artifact("orders-10.backup", "2025-01-05T00:00:00Z", true, "id-2", (1, 10)));
        artifacts.push(artifact("orders-11.backup", "2025-01-05T00:00:30Z", false, "id-2", (11, 12)));
        let window = window(&artifacts, "orders").unwrap();
        assert_eq!(window.lineage.as_deref(), Some("id-2"));
        assert_eq!(window.spans.len(), 2);
        assert_eq!(window.spans[1].transactions, Some((10, 12)));
        assert_eq!(
            window.gaps,
            vec![Gap::Between { after: at("2025-01-04T00:01:00Z"), before: at("2025-01-05T00:00:00Z") }]
        );
        assert_eq!(window.covering(at("2025-01-04T00:00:30Z")).unwrap().lineage.as_deref(), Some("id-1"));
        assert_eq!(window.covering(at("2025-01-05T00:00:10Z")).unwrap().full, "orders-10.backup");
    }

    #[test]
    fn diffs_without_their_full_restore_nothing() {
        let mut artifacts = chain();
        artifacts.remove(0);
        let window = window(&artifacts, "orders").unwrap();
        assert!(window.spans.is_empty());
        assert_eq!(
            window.covering(at("2025-01-04T00:00:30Z")).unwrap_err(),
            "database orders has no restorable backup"
        );
        assert_eq!(super::window(&artifacts, "other"), None);
    }
}
