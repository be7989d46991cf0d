//! Which backup artifacts retention removes: chain-aware and conservative.
//!
//! neo4j-admin writes one immutable artifact per database per run. A DIFF artifact is only
//! restorable together with every artifact before it back to a FULL one (its chain), so:
//! - an artifact is a candidate for removal when it is older than `maxAge` or beyond the newest
//!   `maxCount` of its database;
//! - but every artifact that a kept DIFF depends on is kept;
//! - and the newest chain of each database is always kept, whatever the policy says.
//!
//! Chains are followed within a lineage (name and DATABASE ID): a database dropped and recreated
//! under its name (every cluster restore does that) starts a new lineage whose artifacts never chain
//! with the old ones. `maxCount` and `maxAge` count per database name; the protected newest chain
//! is the newest lineage's, so older lineages age out by the policy instead of staying forever.

use k8s_openapi::jiff::Timestamp;

pub use crate::chain::Artifact;

/// The retention policy of a Neo4jBackup, resolved to numbers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Policy {
    /// Keep artifacts at most this old, in seconds.
    pub max_age_seconds: Option<u64>,
    /// Keep at most this many artifacts per database.
    pub max_count: Option<usize>,
}

/// What retention does with the artifacts of one location.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Selection {
    /// Files kept, newest first per database.
    pub keep: Vec<String>,
    /// Files removed (deleted, or archived with `deletePolicy: Archive`).
    pub remove: Vec<String>,
}

/// Selects what to keep and what to remove, at `now`.
pub fn select(artifacts: &[Artifact], policy: Policy, now: Timestamp) -> Selection {
    let mut selection = Selection::default();
    for own in crate::chain::by_database(artifacts).into_values() {
        let count = own.len();
        let wanted: Vec<bool> = own
            .iter()
            .enumerate()
            .map(|(i, artifact)| {
                let newest_rank = count - 1 - i;
                let young = policy.max_age_seconds.is_none_or(|max| {
                    now.duration_since(artifact.time).as_secs() <= i64::try_from(max).unwrap_or(i64::MAX)
                });
                let recent = policy.max_count.is_none_or(|max| newest_rank < max);
                young && recent
            })
            .collect();
        let mut keep = wanted.clone();
        // Chains are computed within each lineage (a recreated database never chains onto the old
        // one), as indices into `own`.
        let newest_lineage = own.last().map(|a| a.lineage.as_deref());
        let mut lineages: Vec<(Option<&str>, Vec<usize>)> = Vec::new();
        for (i, artifact) in own.iter().enumerate() {
            match lineages.iter_mut().find(|(id, _)| *id == artifact.lineage.as_deref()) {
                Some((_, indices)) => indices.push(i),
                None => lineages.push((artifact.lineage.as_deref(), vec![i])),
            }
        }
        for (id, indices) in &lineages {
            let members: Vec<&Artifact> = indices.iter().map(|&i| own[i]).collect();
            let chain_start = crate::chain::chain_starts(&members);
            // The newest chain of the database (of its newest lineage) is always restorable.
            if Some(*id) == newest_lineage
                && let Some(last) = members.len().checked_sub(1)
            {
                for &i in &indices[chain_start[last]..=last] {
                    keep[i] = true;
                }
            }
            // A kept DIFF keeps everything it depends on.
            for (k, &i) in indices.iter().enumerate() {
                if keep[i] && !own[i].full {
                    for &j in &indices[chain_start[k]..k] {
                        keep[j] = true;
                    }
                }
            }
        }
        for (i, artifact) in own.iter().enumerate().rev() {
            if keep[i] {
                selection.keep.push(artifact.file.clone());
            } else {
                selection.remove.push(artifact.file.clone());
            }
        }
    }
    selection
}

#[cfg(test)]
mod tests {
    use super::*;

    fn artifact(database: &str, day: u32, full: bool) -> Artifact {
        Artifact {
            file: format!("{database}-2025-01-{day:02}T02-00-00.backup"),
            database: database.to_owned(),
            time: format!("2025-01-{day:02}T02:00:00Z").parse().unwrap(),
            full,
            lineage: None,
            transactions: None,
        }
    }

    fn now() -> Timestamp {
        "2025-01-20T12:00:00Z".parse().unwrap()
    }

    fn removed(artifacts: &[Artifact], policy: Policy) -> Vec<String> {
        let mut files = select(artifacts, policy, now()).remove;
        files.sort();
        files
    }

    #[test]
    fn count_keeps_the_newest_and_the_fulls_they_need() {
        // FULL on the 1st and 10th, DIFFs in between.
        let artifacts: Vec<Artifact> = (1..=14).map(|day| artifact("neo4j", day, day == 1 || day == 10)).collect();
        let policy = Policy { max_age_seconds: None, max_count: Some(3) };
        // The newest 3 (12, 13, 14) are DIFFs on the FULL of the 10th: 10 and 11 are kept too.
        let expected: Vec<String> = (1..=9).map(|day| artifact("neo4j", day, false).file).collect();
        assert_eq!(removed(&artifacts, policy), expected);
    }

    #[test]
    fn age_removes_whole_old_chains_only() {
        let artifacts = vec![
            artifact("neo4j", 1, true),
            artifact("neo4j", 2, false),
            artifact("neo4j", 15, true),
            artifact("neo4j", 18, false),
        ];
        let week = Policy { max_age_seconds: Some(7 * 86_400), max_count: None };
        assert_eq!(removed(&artifacts, week), vec![artifact("neo4j", 1, true).file, artifact("neo4j", 2, false).file]);
        // A DIFF young enough to keep holds on to its old FULL.
        let artifacts = vec![artifact("neo4j", 1, true), artifact("neo4j", 19, false)];
        assert!(removed(&artifacts, week).is_empty());
    }

    #[test]
    fn the_newest_chain_survives_any_policy() {
        let artifacts = vec![artifact("neo4j", 1, true), artifact("neo4j", 2, false), artifact("neo4j", 3, false)];
        let nothing_young = Policy { max_age_seconds: Some(3600), max_count: None };
        assert!(removed(&artifacts, nothing_young).is_empty(), "never remove every backup");
        let with_older = vec![artifact("neo4j", 1, true), artifact("neo4j", 2, true), artifact("neo4j", 3, false)];
        assert_eq!(removed(&with_older, nothing_young), vec![artifact("neo4j", 1, true).file]);
    }

    // A database dropped and recreated under its name: the old lineage's FULL is not the parent
    // of the new lineage's DIFF, so the time-ordered mix (FULL old, DIFF new) must not be read as one
    // chain; each lineage keeps its own newest chain.
    #[test]
    fn lineages_of_one_name_never_mix() {
        let mut old_full = artifact("orders", 1, true);
        old_full.lineage = Some("old-id".into());
        let mut new_diff = artifact("orders", 2, false);
        new_diff.lineage = Some("new-id".into());
        let mut new_full = artifact("orders", 3, true);
        new_full.lineage = Some("new-id".into());
        let only_newest = Policy { max_age_seconds: None, max_count: Some(1) };
        let result = select(&[old_full.clone(), new_diff.clone(), new_full.clone()], only_newest, now());
        // One per name: the newest lineage's newest chain (its FULL); the old lineage's FULL is not
        // protected by the new lineage's chain, and the new lineage's DIFF is not its chain.
        assert_eq!(result.keep, vec![new_full.file.clone()]);
        let mut removed = result.remove.clone();
        removed.sort();
        assert_eq!(removed, vec![old_full.file.clone(), new_diff.file.clone()]);
        // Read as one time-ordered chain, the old FULL would have been taken as the new DIFF's base.
        let generous = Policy { max_age_seconds: None, max_count: Some(2) };
        let result = select(&[old_full.clone(), new_diff.clone(), new_full.clone()], generous, now());
        assert_eq!(result.remove, vec![old_full.file.clone()], "the new DIFF keeps no FULL of another lineage");
    }

    #[test]
    fn databases_are_counted_separately_and_both_limits_apply() {
        let mut artifacts: Vec<Artifact> = (10..=14).map(|day| artifact("neo4j", day, true)).collect();
        artifacts.extend((10..=14).map(|day| artifact("system", day, true)));
        let policy = Policy { max_age_seconds: Some(10 * 86_400), max_count: Some(2) };
        let result = select(&artifacts, policy, now());
        assert_eq!(
            result.keep,
            vec![
                artifact("neo4j", 14, true).file,
                artifact("neo4j", 13, true).file,
                artifact("system", 14, true).file,
                artifact("system", 13, true).file,
            ]
        );
        assert_eq!(result.remove.len(), 6);
        assert_eq!(select(&[], policy, now()), Selection::default());
    }
}
