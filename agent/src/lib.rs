//! The agent of kubectl-neo4j: small steps that run inside backup Pods beside neo4j-admin, on
//! the files neo4j-admin wrote. It never talks to the API server (its Pods have no token); what
//! it decides comes from `neo4j-api`, what it does is file-system work and a report.

pub mod databases;
pub mod prune;

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
