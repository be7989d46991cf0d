//! `neo4j-agent databases`: the newest artifact of each database of a backup location (or of the
//! one backed-up database), one `<database>\t<artifact>` line each, for the verification step that
//! restores each chain into scratch space and checks it.

use std::path::Path;

use neo4j_api::inspect;

use crate::{FileError, InventoryError, at, read_inventory};

/// Why the list could not be written.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The inventory could not be read.
    #[error(transparent)]
    Inventory(#[from] InventoryError),
    /// Writing the list.
    #[error(transparent)]
    Io(#[from] FileError),
    /// Nothing to verify: the backup wrote nothing (of that database).
    #[error("{0}")]
    Empty(String),
}

/// Reads the inventory at `inventory` and writes `<database>\t<artifact>` lines to `out`; returns
/// the databases.
pub fn write_databases(inventory: &Path, out: &Path, only: Option<&str>) -> Result<Vec<String>, Error> {
    let newest = inspect::newest_per_database(&read_inventory(inventory)?, only).map_err(Error::Empty)?;
    let lines: String = newest.iter().map(|(database, path)| format!("{database}\t{path}\n")).collect();
    std::fs::write(out, lines).map_err(at(out))?;
    Ok(newest.into_iter().map(|(database, _)| database).collect())
}
