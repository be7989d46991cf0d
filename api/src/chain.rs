//! Backup chains: neo4j-admin writes one immutable artifact per database per run; a DIFF artifact
//! builds on every artifact before it back to a FULL one. Retention and restore both reason in
//! chains, from here.

use std::collections::BTreeMap;

use crate::retention::Artifact;

/// The artifacts of each database, oldest first (ties broken by file name).
pub fn by_database(artifacts: &[Artifact]) -> BTreeMap<&str, Vec<&Artifact>> {
    let mut databases: BTreeMap<&str, Vec<&Artifact>> = BTreeMap::new();
    for artifact in artifacts {
        databases.entry(artifact.database.as_str()).or_default().push(artifact);
    }
    for own in databases.values_mut() {
        own.sort_by(|a, b| a.time.cmp(&b.time).then_with(|| a.file.cmp(&b.file)));
    }
    databases
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
