//! `neo4j-agent databases`: the databases of a backup location, one per line, for the
//! verification step that checks each one's newest chain.

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
    /// Nothing to verify: the backup wrote nothing.
    #[error("the backup location has no backups to verify")]
    Empty,
}

/// Reads the inventory at `inventory` and writes the database names to `out`, one per line.
pub fn write_databases(inventory: &Path, out: &Path) -> Result<Vec<String>, Error> {
    let names = inspect::databases(&read_inventory(inventory)?);
    if names.is_empty() {
        return Err(Error::Empty);
    }
    let mut lines = names.join("\n");
    lines.push('\n');
    std::fs::write(out, lines).map_err(at(out))?;
    Ok(names)
}
