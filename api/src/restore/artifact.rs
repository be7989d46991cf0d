//! Which artifact a restore reads. `neo4j-admin database restore` names the restored database only
//! when `--from-path` is one artifact, and restores the chain that ends at it; so the controller
//! lists the location first and picks the artifact here.

use k8s_openapi::jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::chain::by_database;
use crate::inspect::Listed;
use crate::pitr::window::window;

/// The artifact chosen for a restore, as the agent reports it (its Pod's termination message)
/// and the controller keeps it in the restore's status.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct ChosenArtifact {
    /// Where it is, as neo4j-admin printed it (`s3://...`, `file:///backups/...`).
    pub uri: String,
    /// The database it holds.
    pub database: String,
    /// When it was taken, RFC 3339.
    pub time: String,
    /// FULL (true) or DIFF (false).
    pub full: bool,
}

impl From<&Listed> for ChosenArtifact {
    fn from(row: &Listed) -> Self {
        Self {
            uri: row.uri.clone(),
            database: row.artifact.database.clone(),
            time: row.artifact.time.to_string(),
            full: row.artifact.full,
        }
    }
}

impl ChosenArtifact {
    /// The value for `--from-path`: a local file as a path, a cloud object as its URI.
    pub fn from_path(&self) -> &str {
        self.uri.strip_prefix("file://").unwrap_or(&self.uri)
    }
}

/// What a restore replays up to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Until {
    /// The newest artifact, whole.
    Newest,
    /// A moment (`pointInTime`).
    Moment(Timestamp),
    /// Up to, but not including, a transaction id (`untilTransaction`).
    Transaction(u64),
}

/// Picks the artifact of `database` to restore from the listing of a location: the newest one; for
/// a moment, the first artifact at or after it in a chain whose FULL artifact was taken at or before
/// it (a chain can be replayed forward from its FULL, never backward); for a transaction id, the
/// first artifact of a chain that reaches the transaction before it.
/// Chains are followed within one lineage (name and DATABASE ID): a database dropped and created
/// again under its name is never restored through the other one's artifacts.
pub fn choose(listed: &[Listed], database: &str, until: Until) -> Result<Listed, String> {
    let artifacts: Vec<_> = listed.iter().map(|row| row.artifact.clone()).collect();
    let databases = by_database(&artifacts);
    let Some(own) = databases.get(database) else {
        let present: Vec<&str> = databases.keys().copied().collect();
        return Err(if present.is_empty() {
            "the location has no backups".to_owned()
        } else {
            format!("the location has no backup of database {database:?}; it has backups of {}", present.join(", "))
        });
    };
    let find = |file: &str| listed.iter().find(|row| row.artifact.file == file && row.artifact.database == database);
    let window =
        || window(&artifacts, database).ok_or_else(|| format!("the location has no backup of database {database:?}"));
    let chosen = match until {
        Until::Newest => own.last().map(|newest| newest.file.clone()),
        Until::Moment(moment) => Some(window()?.covering(moment)?.artifact_for(moment).to_owned()),
        Until::Transaction(id) => {
            let window = window()?;
            let span = window.covering_transaction(id)?;
            // The first artifact of the chain that holds the transaction before `id`.
            let reaches = |file: &str| {
                find(file).and_then(|row| row.artifact.transactions).is_some_and(|(_, high)| high + 1 >= id)
            };
            span.files.iter().map(|(file, _)| file.clone()).find(|file| reaches(file))
        }
    };
    chosen
        .as_deref()
        .and_then(find)
        .cloned()
        .ok_or_else(|| format!("the location has no backup of database {database:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chain::Artifact;

    fn row(database: &str, day: u32, full: bool) -> Listed {
        let file = format!("{database}-2025-01-{day:02}T02-00-00.backup");
        Listed {
            uri: format!("s3://b/p/{file}"),
            artifact: Artifact {
                file,
                database: database.to_owned(),
                time: format!("2025-01-{day:02}T02:00:00Z").parse().unwrap(),
                full,
                lineage: None,
                transactions: None,
            },
        }
    }

    fn at(text: &str) -> Until {
        Until::Moment(text.parse().unwrap())
    }

    fn listing() -> Vec<Listed> {
        // Two chains of orders: FULL on the 1st (DIFFs 2, 3), FULL on the 4th (DIFF 5); neo4j on the 3rd.
        vec![
            row("orders", 3, false),
            row("orders", 1, true),
            row("orders", 2, false),
            row("orders", 4, true),
            row("orders", 5, false),
            row("neo4j", 3, true),
        ]
    }

    #[test]
    fn the_newest_artifact_without_a_point_in_time() {
        assert_eq!(
            choose(&listing(), "orders", Until::Newest).unwrap().artifact.file,
            "orders-2025-01-05T02-00-00.backup"
        );
        assert_eq!(
            choose(&listing(), "neo4j", Until::Newest).unwrap().uri,
            "s3://b/p/neo4j-2025-01-03T02-00-00.backup"
        );
    }

    #[test]
    fn a_point_in_time_picks_the_first_artifact_after_it_in_a_chain_that_starts_before_it() {
        let file = |moment| choose(&listing(), "orders", at(moment)).unwrap().artifact.file;
        assert_eq!(file("2025-01-02T12:00:00Z"), "orders-2025-01-03T02-00-00.backup");
        assert_eq!(file("2025-01-02T02:00:00Z"), "orders-2025-01-02T02-00-00.backup", "exactly at a backup");
        assert_eq!(file("2025-01-04T12:00:00Z"), "orders-2025-01-05T02-00-00.backup");
    }

    #[test]
    fn moments_no_chain_covers_are_refused_with_the_range() {
        let err = |moment| choose(&listing(), "orders", at(moment)).unwrap_err();
        assert_eq!(
            err("2024-12-31T00:00:00Z"),
            "2024-12-31T00:00:00Z is before the earliest restorable moment 2025-01-01T02:00:00Z of database orders"
        );
        assert_eq!(
            err("2025-01-06T00:00:00Z"),
            "2025-01-06T00:00:00Z is after the newest restorable moment 2025-01-05T02:00:00Z of database orders"
        );
        assert_eq!(
            err("2025-01-03T12:00:00Z"),
            "2025-01-03T12:00:00Z falls in a gap of the backups of database orders: no chain covers it; the closest restorable moment before it is 2025-01-03T02:00:00Z; the closest after it is 2025-01-04T02:00:00Z"
        );
        let orphan = vec![row("orders", 2, false), row("orders", 3, false)];
        assert_eq!(
            choose(&orphan, "orders", at("2025-01-02T12:00:00Z")).unwrap_err(),
            "database orders has no restorable backup"
        );
    }

    // A database dropped and created again under its name has a new DATABASE ID: the new lineage's
    // DIFF never chains onto the old lineage's FULL (backup-restore/inspect.adoc: DATABASE ID).
    #[test]
    fn chains_never_cross_lineages() {
        let mut listed = vec![row("orders", 1, true), row("orders", 2, false), row("orders", 4, false)];
        for row in &mut listed[..2] {
            row.artifact.lineage = Some("7dcb1d0c-old".into());
        }
        listed[2].artifact.lineage = Some("62d1820c-new".into());
        let at_3 = choose(&listed, "orders", at("2025-01-03T12:00:00Z")).unwrap_err();
        assert_eq!(
            at_3,
            "2025-01-03T12:00:00Z is after the newest restorable moment 2025-01-02T02:00:00Z of database orders"
        );
        listed.push(row("orders", 3, true));
        listed[3].artifact.lineage = Some("62d1820c-new".into());
        let file = choose(&listed, "orders", at("2025-01-03T12:00:00Z")).unwrap().artifact.file;
        assert_eq!(file, "orders-2025-01-04T02-00-00.backup", "the new lineage's own FULL starts its chain");
        let file = choose(&listed, "orders", at("2025-01-01T12:00:00Z")).unwrap().artifact.file;
        assert_eq!(file, "orders-2025-01-02T02-00-00.backup", "the old lineage still covers its own past");
    }

    // LOWEST TX / HIGHEST TX link a DIFF to its parent (backup-restore/restore-backup.adoc: the
    // example chain 1-11, 12-14, 15-18). A DIFF whose parent is gone cannot be restored, even
    // though a FULL precedes it in time; a DIFF on the FULL (neo4j-admin's default parent) links.
    #[test]
    fn a_diff_whose_transactions_follow_nothing_is_not_restorable() {
        let mut listed = vec![row("orders", 1, true), row("orders", 2, false), row("orders", 3, false)];
        listed[0].artifact.transactions = Some((1, 11));
        listed[1].artifact.transactions = Some((12, 14));
        listed[2].artifact.transactions = Some((20, 25));
        let broken = choose(&listed, "orders", at("2025-01-02T12:00:00Z")).unwrap_err();
        assert_eq!(
            broken,
            "2025-01-02T12:00:00Z is after the newest restorable moment 2025-01-02T02:00:00Z of database orders"
        );
        listed[2].artifact.transactions = Some((12, 25));
        let file = choose(&listed, "orders", at("2025-01-02T12:00:00Z")).unwrap().artifact.file;
        assert_eq!(file, "orders-2025-01-03T02-00-00.backup", "a DIFF on the FULL links");
        listed[2].artifact.transactions = Some((0, 0));
        let file = choose(&listed, "orders", at("2025-01-02T12:00:00Z")).unwrap().artifact.file;
        assert_eq!(file, "orders-2025-01-03T02-00-00.backup", "an empty DIFF stands where its predecessor stands");
    }

    #[test]
    fn a_database_without_backups_names_the_ones_there() {
        assert_eq!(
            choose(&listing(), "sales", Until::Newest).unwrap_err(),
            "the location has no backup of database \"sales\"; it has backups of neo4j, orders"
        );
        assert_eq!(choose(&[], "sales", Until::Newest).unwrap_err(), "the location has no backups");
    }

    // `--restore-until=<id>` "recovers transaction logs up to, but not including, the transaction"
    // (docs-operations dev, backup-restore/restore-backup.adoc): to stop before 13, the chain must
    // hold 12.
    #[test]
    fn a_transaction_id_picks_the_first_artifact_that_holds_the_one_before_it() {
        let mut listed = vec![row("orders", 1, true), row("orders", 2, false), row("orders", 3, false)];
        listed[0].artifact.transactions = Some((1, 11));
        listed[1].artifact.transactions = Some((12, 14));
        listed[2].artifact.transactions = Some((15, 18));
        let file = |id| choose(&listed, "orders", Until::Transaction(id)).map(|row| row.artifact.file);
        assert_eq!(file(12).unwrap(), "orders-2025-01-01T02-00-00.backup", "transactions up to 11: the FULL alone");
        assert_eq!(file(13).unwrap(), "orders-2025-01-02T02-00-00.backup");
        assert_eq!(file(19).unwrap(), "orders-2025-01-03T02-00-00.backup", "up to the newest, 18");
        assert_eq!(
            file(20).unwrap_err(),
            "transaction 20 cannot be restored to: database orders can be restored up to (not including) transactions 12 to 19"
        );
        assert_eq!(file(5).unwrap_err(), file(20).unwrap_err().replace("20", "5"));
    }
}
