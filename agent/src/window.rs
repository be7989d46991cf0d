//! The recoverable window of every database in a location, after a shipping run: read from the
//! listing neo4j-admin wrote, summarized by `neo4j-api`, fitted to a termination message.

use std::path::Path;

use neo4j_api::pitr::summary::{TERMINATION_MESSAGE_BYTES, fit, summaries};

use crate::{InventoryError, read_inventory};

/// The window report of the location listed in `inventory`, as JSON of at most 4096 bytes.
pub fn window_report(inventory: &Path) -> Result<String, InventoryError> {
    let listed = read_inventory(inventory)?;
    let artifacts: Vec<_> = listed.into_iter().map(|row| row.artifact).collect();
    Ok(fit(summaries(&artifacts), TERMINATION_MESSAGE_BYTES))
}

#[cfg(test)]
mod tests {
    use neo4j_api::pitr::summary::read_report;

    use super::*;

    #[test]
    fn the_report_of_a_listed_chain() {
        let dir = tempfile::tempdir().unwrap();
        let inventory = dir.path().join("inventory.txt");
        // The columns of `neo4j-admin backup inspect --show-metadata` (docs-operations dev,
        // backup-restore/inspect.adoc).
        std::fs::write(
            &inventory,
            "\
| FILE | DATABASE | DATABASE ID | TIME (UTC) | FULL | COMPRESSED | LOWEST TX | HIGHEST TX |
| s3://b/prod/orders-2025-01-04T02-00-00.backup | orders | 62d1 | 2025-01-04T02:00:00 | true | true | 1 | 100 |
| s3://b/prod/orders-2025-01-04T02-00-30.backup | orders | 62d1 | 2025-01-04T02:00:30 | false | true | 101 | 140 |
",
        )
        .unwrap();
        let report = read_report(&window_report(&inventory).unwrap()).unwrap();
        let orders = &report.recovery_window[0];
        assert_eq!(orders.database, "orders");
        assert_eq!(orders.latest.as_ref().map(|t| t.0.to_string()).as_deref(), Some("2025-01-04T02:00:30Z"));
        assert_eq!((orders.earliest_transaction, orders.latest_transaction), (Some(100), Some(140)));
        assert!(orders.contiguous);
        std::fs::write(&inventory, "| FILE | DATABASE |\n| a | b |\n").unwrap();
        assert_eq!(
            window_report(&inventory).unwrap_err().to_string(),
            "the output of neo4j-admin backup inspect has no table with the columns FILE, DATABASE, TIME (UTC) and FULL"
        );
    }
}
