//! `neo4j-agent retention`: applies a Neo4jBackup's retention policy to a backup directory on a
//! claim, from the inventory `neo4j-admin backup inspect` wrote just before.
//!
//! What is removed is decided by `neo4j_api::retention::select` (chain-aware: a FULL that a kept
//! DIFF needs stays). This module only refuses to act on an inventory it cannot trust, and then
//! deletes or archives.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use k8s_openapi::jiff::Timestamp;
use neo4j_api::inspect::Listed;
use neo4j_api::retention::{Policy, Selection, select};

use crate::{FileError, InventoryError, at, read_inventory};

/// Folder, inside the backup directory, that `deletePolicy: Archive` moves artifacts to.
pub const ARCHIVE_DIR: &str = "archive";

/// What happens to an artifact retention no longer keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Disposal {
    /// Delete it.
    Delete,
    /// Move it to [`ARCHIVE_DIR`].
    Archive,
}

/// Why nothing (or not everything) was removed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Reading the inventory or the directory.
    #[error(transparent)]
    Io(#[from] FileError),
    /// The inventory could not be read.
    #[error(transparent)]
    Inventory(#[from] InventoryError),
    /// The inventory names a file outside the directory.
    #[error("the inventory lists {uri}, which is not in {dir}; nothing was removed")]
    Elsewhere {
        /// The listed file.
        uri: String,
        /// The directory retention works on.
        dir: String,
    },
    /// A backup file that the inventory should list is missing from it.
    #[error(
        "{file} is in {dir} but not in the inventory of neo4j-admin backup inspect; nothing was removed (is it a backup of another Neo4j?)"
    )]
    Unlisted {
        /// The file.
        file: String,
        /// The directory.
        dir: String,
    },
    /// Some removals failed; the others happened.
    #[error("could not remove {failed:?}: {reasons}")]
    Partial {
        /// What was removed anyway.
        report: Report,
        /// The files that were not removed.
        failed: Vec<String>,
        /// Why, joined.
        reasons: String,
    },
}

/// What retention did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Report {
    /// The selection (files kept and removed).
    pub selection: Selection,
    /// What was done to the removed files.
    pub archived: bool,
}

impl Report {
    /// One line for the log and the Pod's termination message.
    pub fn summary(&self) -> String {
        let verb = if self.archived { "archived" } else { "deleted" };
        let mut line = format!("kept {}, {verb} {}", self.selection.keep.len(), self.selection.remove.len());
        if !self.selection.remove.is_empty() {
            line.push_str(&format!(": {}", self.selection.remove.join(", ")));
        }
        line
    }
}

/// The directory a listed artifact lives in, from its URI (`file:///backups/x/a.backup` or a plain path).
pub(crate) fn listed_dir(uri: &str) -> Option<PathBuf> {
    let path = uri.strip_prefix("file://").unwrap_or(uri);
    Path::new(path).parent().map(Path::to_path_buf)
}

/// Refuses an inventory that does not describe `dir` completely: every artifact it lists must be
/// in `dir`, and every `*.backup` file in `dir` older than the inventory must be listed (a file
/// newer than it belongs to a backup that started afterwards and is left for the next run).
fn check_complete(listed: &[Listed], dir: &Path, taken: SystemTime) -> Result<(), Error> {
    for row in listed {
        if listed_dir(&row.uri).as_deref() != Some(dir) {
            return Err(Error::Elsewhere { uri: row.uri.clone(), dir: dir.display().to_string() });
        }
    }
    for entry in std::fs::read_dir(dir).map_err(at(dir))? {
        let entry = entry.map_err(at(dir))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if !name.ends_with(".backup") || !entry.file_type().map_err(at(dir))?.is_file() {
            continue;
        }
        let modified = entry.metadata().and_then(|m| m.modified()).map_err(at(&entry.path()))?;
        if modified <= taken && !listed.iter().any(|row| row.artifact.file == name) {
            return Err(Error::Unlisted { file: name, dir: dir.display().to_string() });
        }
    }
    Ok(())
}

/// Applies `policy` to `dir` from the inventory file, at `now`.
pub fn prune(
    inventory: &Path,
    dir: &Path,
    policy: Policy,
    disposal: Disposal,
    now: Timestamp,
) -> Result<Report, Error> {
    let listed = read_inventory(inventory)?;
    let taken = std::fs::metadata(inventory).and_then(|m| m.modified()).map_err(at(inventory))?;
    check_complete(&listed, dir, taken)?;
    let artifacts: Vec<_> = listed.into_iter().map(|row| row.artifact).collect();
    let selection = select(&artifacts, policy, now);
    let archive = dir.join(ARCHIVE_DIR);
    if disposal == Disposal::Archive && !selection.remove.is_empty() {
        std::fs::create_dir_all(&archive).map_err(at(&archive))?;
    }
    let mut failed = Vec::new();
    let mut reasons = Vec::new();
    for file in &selection.remove {
        let path = dir.join(file);
        let result = match disposal {
            Disposal::Delete => std::fs::remove_file(&path),
            Disposal::Archive => std::fs::rename(&path, archive.join(file)),
        };
        if let Err(err) = result {
            failed.push(file.clone());
            reasons.push(format!("{file}: {err}"));
            continue;
        }
        // Its manifest goes with it (into archive/'s own .kubectl-neo4j/ when archived). A manifest
        // left behind would only describe nothing; one that cannot be moved is not a failure.
        let manifests = neo4j_api::manifest::FOLDER;
        let recorded = dir.join(manifests).join(neo4j_api::manifest::manifest_name(file));
        if recorded.exists() {
            let _ = match disposal {
                Disposal::Delete => std::fs::remove_file(&recorded),
                Disposal::Archive => std::fs::create_dir_all(archive.join(manifests)).and_then(|()| {
                    std::fs::rename(&recorded, archive.join(manifests).join(neo4j_api::manifest::manifest_name(file)))
                }),
            };
        }
    }
    let mut report = Report { selection, archived: disposal == Disposal::Archive };
    report.selection.remove.retain(|file| !failed.contains(file));
    if failed.is_empty() { Ok(report) } else { Err(Error::Partial { report, failed, reasons: reasons.join("; ") }) }
}
