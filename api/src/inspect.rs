//! Reading what `neo4j-admin backup inspect` prints (its default TABULAR format), so that
//! retention and verification work from the artifacts' own metadata rather than from file names.
//!
//! The table looks like this (2025.06 added a RECOVERED column; columns are found by their header,
//! so added columns do not matter):
//!
//! ```text
//! |                                  FILE | DATABASE | DATABASE ID |          TIME (UTC) |  FULL | ...
//! | file:///backups/neo4j-2024-10-07T16-05-37.backup | neo4j | 7dcb... | 2024-10-07T16:05:37 |  true | ...
//! ```

use k8s_openapi::jiff::civil::DateTime;
use k8s_openapi::jiff::tz::TimeZone;

use crate::retention::Artifact;

/// The flags that make `neo4j-admin backup inspect` list every artifact of a location with its
/// metadata: `--show-metadata` is needed before 2025.07 (later releases always show it and no
/// longer document the flag), `--empty` includes the empty DIFFs that record a run without changes.
pub fn inventory_flags(shows_metadata_by_default: bool) -> Vec<String> {
    let mut flags = vec!["--empty".to_owned()];
    if !shows_metadata_by_default {
        flags.push("--show-metadata".to_owned());
    }
    flags
}

/// One row of the table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Listed {
    /// The FILE column as printed, e.g. `file:///backups/neo4j-2024-10-07T16-05-37.backup`.
    pub uri: String,
    /// The artifact, named by the last segment of the URI.
    pub artifact: Artifact,
}

/// Why the output could not be read. Nothing is ever removed on the strength of output that
/// could not be read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum InspectError {
    /// No header row with the columns we need.
    #[error(
        "the output of neo4j-admin backup inspect has no table with the columns FILE, DATABASE, TIME (UTC) and FULL"
    )]
    NoTable,
    /// A row that does not fit the header.
    #[error("line {line} of the output of neo4j-admin backup inspect cannot be read: {reason}")]
    BadRow {
        /// 1-based line number.
        line: usize,
        /// What is wrong with it.
        reason: String,
    },
}

fn cells(line: &str) -> Option<Vec<&str>> {
    let inner = line.trim().strip_prefix('|')?.strip_suffix('|')?;
    Some(inner.split('|').map(str::trim).collect())
}

/// Parses the table. Lines outside it (log lines, blank lines) are ignored; an empty location
/// prints a header and no rows, or nothing at all.
pub fn parse(output: &str) -> Result<Vec<Listed>, InspectError> {
    let mut lines = output.lines().enumerate();
    let columns = loop {
        let Some((_, line)) = lines.next() else {
            // neo4j-admin prints nothing at all for a location without backups.
            return if output.lines().any(|l| l.trim_start().starts_with('|')) {
                Err(InspectError::NoTable)
            } else {
                Ok(Vec::new())
            };
        };
        let Some(header) = cells(line) else { continue };
        let find = |name: &str| header.iter().position(|cell| cell.eq_ignore_ascii_case(name));
        match (find("FILE"), find("DATABASE"), find("TIME (UTC)"), find("FULL")) {
            (Some(file), Some(database), Some(time), Some(full)) => {
                let transactions = (find("LOWEST TX"), find("HIGHEST TX"));
                break (file, database, time, full, find("DATABASE ID"), transactions, header.len());
            }
            _ => return Err(InspectError::NoTable),
        }
    };
    let (file_at, database_at, time_at, full_at, lineage_at, transactions_at, width) = columns;
    let mut listed = Vec::new();
    for (index, line) in lines {
        let Some(row) = cells(line) else { continue };
        let bad = |reason: String| InspectError::BadRow { line: index + 1, reason };
        if row.len() != width {
            return Err(bad(format!("{} columns where the header has {width}", row.len())));
        }
        let uri = row[file_at].to_owned();
        let file = uri.rsplit('/').next().unwrap_or_default().to_owned();
        if file.is_empty() {
            return Err(bad(format!("FILE {uri:?} names no file")));
        }
        let time = row[time_at]
            .parse::<DateTime>()
            .ok()
            .and_then(|civil| civil.to_zoned(TimeZone::UTC).ok())
            .map(|zoned| zoned.timestamp())
            .ok_or_else(|| bad(format!("TIME (UTC) {:?} is not a date and time", row[time_at])))?;
        let full = match row[full_at].to_ascii_lowercase().as_str() {
            "true" => true,
            "false" => false,
            other => return Err(bad(format!("FULL is {other:?}, not true or false"))),
        };
        let database = row[database_at].to_owned();
        // The name becomes an argument of neo4j-admin (verify restores each database by name):
        // anything but a database name (e.g. `--overwrite-destination`) is refused here.
        if !crate::grammar::names::is_database_name(&database) {
            return Err(bad(format!("DATABASE {database:?} is not a database name")));
        }
        if file.starts_with('-') || file.chars().any(char::is_control) {
            return Err(bad(format!("FILE {uri:?} is not a backup file name")));
        }
        let lineage = lineage_at.map(|at| row[at].to_owned()).filter(|id| !id.is_empty());
        let transactions = match transactions_at {
            (Some(low), Some(high)) => Some((tx(row[low]).map_err(&bad)?, tx(row[high]).map_err(&bad)?)),
            _ => None,
        };
        listed.push(Listed { uri, artifact: Artifact { file, database, time, full, lineage, transactions } });
    }
    Ok(listed)
}

fn tx(cell: &str) -> Result<u64, String> {
    cell.parse().map_err(|_| format!("a transaction id {cell:?} is not a number"))
}

/// The databases that have artifacts in the listing, each once, in order of first appearance.
pub fn databases(listed: &[Listed]) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for row in listed {
        if !names.contains(&row.artifact.database) {
            names.push(row.artifact.database.clone());
        }
    }
    names
}

/// The newest artifact of each database in the listing (of one database with `only`), as
/// `(database, path)` with the path as neo4j-admin reads it (`file://` dropped), in order of first
/// appearance. What a verification after a backup checks.
pub fn newest_per_database(listed: &[Listed], only: Option<&str>) -> Result<Vec<(String, String)>, String> {
    let mut newest: Vec<&Listed> = Vec::new();
    for row in listed.iter().filter(|row| only.is_none_or(|db| row.artifact.database == db)) {
        match newest.iter_mut().find(|kept| kept.artifact.database == row.artifact.database) {
            Some(kept) if (row.artifact.time, &row.artifact.file) > (kept.artifact.time, &kept.artifact.file) => {
                *kept = row
            }
            Some(_) => {}
            None => newest.push(row),
        }
    }
    if newest.is_empty() {
        return Err(match only {
            Some(database) => format!("the backup location has no backup of database {database:?} to verify"),
            None => "the backup location has no backups to verify".to_owned(),
        });
    }
    Ok(newest
        .into_iter()
        .map(|row| {
            let path = row.uri.strip_prefix("file://").unwrap_or(&row.uri).to_owned();
            (row.artifact.database.clone(), path)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    // The example of the Neo4j Operations Manual (backup-restore/inspect), trimmed.
    const MANUAL: &str = "\
|                                              FILE | DATABASE |                          DATABASE ID |          TIME (UTC) |  FULL | COMPRESSED | LOWEST TX | HIGHEST TX |
|  file:///backups/neo4j-2024-10-07T16-05-37.backup |    neo4j | 7dcb1d0c-4374-4476-b8ae-d3c3f124683f | 2024-10-07T16:05:37 |  true |       true |         1 |          3 |
|  file:///backups/malmo-2024-10-07T16-00-50.backup |    malmo | 62d1820c-3ac6-4b15-a0b3-bf7e7becc8d0 | 2024-10-07T16:00:50 | false |       true |         0 |          0 |
|  file:///backups/malmo-2024-10-07T16-00-07.backup |    malmo | 62d1820c-3ac6-4b15-a0b3-bf7e7becc8d0 | 2024-10-07T16:00:07 |  true |       true |         1 |          5 |
";

    #[test]
    fn reads_the_manuals_table() {
        let listed = parse(MANUAL).unwrap();
        assert_eq!(listed.len(), 3);
        assert_eq!(listed[0].uri, "file:///backups/neo4j-2024-10-07T16-05-37.backup");
        assert_eq!(
            listed[0].artifact,
            Artifact {
                file: "neo4j-2024-10-07T16-05-37.backup".into(),
                database: "neo4j".into(),
                time: "2024-10-07T16:05:37Z".parse().unwrap(),
                full: true,
                lineage: Some("7dcb1d0c-4374-4476-b8ae-d3c3f124683f".into()),
                transactions: Some((1, 3)),
            }
        );
        assert!(!listed[1].artifact.full);
        assert_eq!(databases(&listed), vec!["neo4j", "malmo"]);
    }

    #[test]
    fn columns_are_found_by_name_and_noise_is_skipped() {
        let output = "\
2025-11-01 02:00:00.000+0000 INFO  Inspecting s3://b/prod
| DATABASE | FILE | RECOVERED | FULL | TIME (UTC) |
| orders | s3://b/prod/orders-2025-11-01T02-00-00.backup | false | FALSE | 2025-11-01T02:00:00 |
";
        let listed = parse(output).unwrap();
        assert_eq!(listed[0].artifact.file, "orders-2025-11-01T02-00-00.backup");
        assert_eq!(listed[0].artifact.database, "orders");
        assert!(!listed[0].artifact.full);
    }

    // Issue 13, item 11: a database name from the listing becomes an argument of neo4j-admin.
    #[test]
    fn names_that_are_not_database_names_are_refused() {
        let flag = MANUAL.replacen("|    neo4j |", "| --overwrite-destination |", 1);
        assert_eq!(
            parse(&flag),
            Err(InspectError::BadRow {
                line: 2,
                reason: "DATABASE \"--overwrite-destination\" is not a database name".into()
            })
        );
        let system = MANUAL.replacen("|    neo4j |", "|   system |", 1);
        assert_eq!(parse(&system).unwrap()[0].artifact.database, "system", "the system database is listed too");
    }

    #[test]
    fn nothing_printed_is_an_empty_location_and_a_header_alone_is_too() {
        assert_eq!(parse(""), Ok(Vec::new()));
        assert_eq!(parse(MANUAL.lines().next().unwrap()), Ok(Vec::new()));
    }

    #[test]
    fn unreadable_output_is_an_error_never_a_shorter_list() {
        assert_eq!(parse("| FILE | DATABASE |\n| a | b |\n"), Err(InspectError::NoTable));
        let short = format!("{}| file:///backups/x.backup | neo4j |\n", MANUAL);
        assert_eq!(
            parse(&short),
            Err(InspectError::BadRow { line: 5, reason: "2 columns where the header has 8".into() })
        );
        let bad_time = MANUAL.replace("2024-10-07T16:00:50", "yesterday");
        assert_eq!(
            parse(&bad_time),
            Err(InspectError::BadRow { line: 3, reason: "TIME (UTC) \"yesterday\" is not a date and time".into() })
        );
        let bad_tx = MANUAL.replace("|         1 |          3 |", "|       one |          3 |");
        assert_eq!(
            parse(&bad_tx),
            Err(InspectError::BadRow { line: 2, reason: "a transaction id \"one\" is not a number".into() })
        );
        let bad_full = MANUAL.replace("|  true |       true |         1 |          3 |", "| maybe | true | 1 | 3 |");
        assert_eq!(
            parse(&bad_full),
            Err(InspectError::BadRow { line: 2, reason: "FULL is \"maybe\", not true or false".into() })
        );
    }

    #[test]
    fn the_newest_artifact_of_each_database_is_verified() {
        let listed = parse(MANUAL).unwrap();
        assert_eq!(
            newest_per_database(&listed, None).unwrap(),
            vec![
                ("neo4j".to_owned(), "/backups/neo4j-2024-10-07T16-05-37.backup".to_owned()),
                ("malmo".to_owned(), "/backups/malmo-2024-10-07T16-00-50.backup".to_owned()),
            ]
        );
        assert_eq!(
            newest_per_database(&listed, Some("malmo")).unwrap(),
            vec![("malmo".to_owned(), "/backups/malmo-2024-10-07T16-00-50.backup".to_owned())]
        );
        assert_eq!(
            newest_per_database(&listed, Some("orders")).unwrap_err(),
            "the backup location has no backup of database \"orders\" to verify"
        );
        assert_eq!(newest_per_database(&[], None).unwrap_err(), "the backup location has no backups to verify");
    }

    #[test]
    fn flags_follow_the_version() {
        assert_eq!(inventory_flags(false), vec!["--empty", "--show-metadata"]);
        assert_eq!(inventory_flags(true), vec!["--empty"]);
    }
}
