//! Backup chains: neo4j-admin writes one immutable artifact per database per run; a DIFF artifact
//! builds on every artifact before it back to a FULL one. Retention and restore both reason in
//! chains, from here.

use std::collections::BTreeMap;

use k8s_openapi::jiff::Timestamp;

/// One backup artifact, as `neo4j-admin backup inspect` describes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Artifact {
    /// File name, e.g. `neo4j-2025-01-20T02-00-00.backup`.
    pub file: String,
    /// Database it holds.
    pub database: String,
    /// When it was taken.
    pub time: Timestamp,
    /// FULL (true) or DIFF (false).
    pub full: bool,
    /// The DATABASE ID column: the lineage of the database. A database dropped and created again
    /// under the same name has a new id, and its artifacts never chain with the old ones
    /// (docs-operations, backup-restore/inspect.adoc and restore-backup.adoc: DATABASE ID, LOWEST
    /// TX, HIGHEST TX link a chain).
    pub lineage: Option<String>,
    /// The LOWEST TX and HIGHEST TX columns: the transactions it carries. A DIFF follows the
    /// artifact whose highest transaction is just below its lowest; an empty DIFF (no transactions,
    /// `0 | 0`) follows whatever came before it.
    pub transactions: Option<(u64, u64)>,
}

/// The artifacts of each database, oldest first (ties broken by file name).
pub fn by_database(artifacts: &[Artifact]) -> BTreeMap<&str, Vec<&Artifact>> {
    group(artifacts, |artifact| artifact.database.as_str())
}

/// A lineage: a database name and its DATABASE ID (none when neo4j-admin did not print one).
pub type Lineage<'a> = (&'a str, Option<&'a str>);

/// The artifacts of each lineage, oldest first: a chain never crosses from one lineage to another
/// (a database dropped and created again under its name has a new DATABASE ID).
pub fn by_lineage(artifacts: &[Artifact]) -> BTreeMap<Lineage<'_>, Vec<&Artifact>> {
    group(artifacts, |artifact| (artifact.database.as_str(), artifact.lineage.as_deref()))
}

fn group<'a, K: Ord>(artifacts: &'a [Artifact], key: impl Fn(&'a Artifact) -> K) -> BTreeMap<K, Vec<&'a Artifact>> {
    let mut groups: BTreeMap<K, Vec<&Artifact>> = BTreeMap::new();
    for artifact in artifacts {
        groups.entry(key(artifact)).or_default().push(artifact);
    }
    for own in groups.values_mut() {
        own.sort_by(|a, b| a.time.cmp(&b.time).then_with(|| a.file.cmp(&b.file)));
    }
    groups
}

/// For each artifact of one lineage (oldest first, with its [`chain_starts`]), whether the
/// transactions link it to its chain: a DIFF whose lowest transaction follows no earlier artifact
/// of its chain has lost a link (a missing or removed artifact) and cannot be restored. Where
/// neo4j-admin printed no transaction range, the link is assumed, as before it was read.
pub fn linked(own: &[&Artifact], starts: &[usize]) -> Vec<bool> {
    let mut linked: Vec<bool> = Vec::with_capacity(own.len());
    for (i, artifact) in own.iter().enumerate() {
        let start = starts[i];
        let earlier = start..i;
        let ok = match artifact.transactions {
            _ if artifact.full => true,
            // No range printed, or an empty DIFF: it stands where the artifact before it stands.
            None | Some((0, 0)) => earlier.clone().last().is_none_or(|j| linked[j]),
            Some((lowest, _)) => earlier.clone().any(|j| {
                linked[j] && own[j].transactions.is_none_or(|(_, highest)| highest.checked_add(1) == Some(lowest))
            }),
        };
        linked.push(ok);
    }
    linked
}

/// For each artifact of one database (oldest first), the index of the FULL artifact its chain
/// starts at (0 when the oldest artifacts are DIFFs whose FULL is gone).
pub fn chain_starts(own: &[&Artifact]) -> Vec<usize> {
    let mut current = 0;
    own.iter()
        .enumerate()
        .map(|(i, artifact)| {
            if artifact.full {
                current = i;
            }
            current
        })
        .collect()
}
