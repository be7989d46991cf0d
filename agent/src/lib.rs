//! The agent of kubectl-neo4j: small steps that run inside backup Pods beside neo4j-admin, on
//! the files neo4j-admin wrote. It never talks to the API server (its Pods have no token); what
//! it decides comes from `neo4j-api`, what it does is file-system work and a report.

pub mod checksum;
pub mod choose;
pub mod databases;
pub mod measure;
pub mod prune;
pub mod window;

use std::path::Path;

/// A file-system operation that failed, with the path it failed on.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {source}")]
pub struct FileError {
    /// The file or directory.
    pub path: String,
    /// What failed.
    pub source: std::io::Error,
}

/// Names `path` in an I/O error: `fs::read(p).map_err(at(p))?`.
pub fn at(path: &Path) -> impl FnOnce(std::io::Error) -> FileError + '_ {
    move |source| FileError { path: path.display().to_string(), source }
}

/// The inventory a step works from could not be had.
#[derive(Debug, thiserror::Error)]
pub enum InventoryError {
    /// Reading the file.
    #[error(transparent)]
    Io(#[from] FileError),
    /// Its content is not neo4j-admin's table.
    #[error(transparent)]
    Parse(#[from] neo4j_api::inspect::InspectError),
}

/// Reads and parses the output of `neo4j-admin backup inspect` that an earlier container wrote.
pub fn read_inventory(path: &Path) -> Result<Vec<neo4j_api::inspect::Listed>, InventoryError> {
    let text = std::fs::read_to_string(path).map_err(at(path))?;
    Ok(neo4j_api::inspect::parse(&text)?)
}
