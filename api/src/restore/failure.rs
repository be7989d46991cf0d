//! What a failed restore can put back, and what it leaves behind: a database it stopped is started
//! again only while its store was never touched (the restore Job not created yet); otherwise the
//! status says exactly what state the database is in.

use crate::types::RestoreProgress;

/// Whether the database the restore stopped can simply be started again.
pub fn restart_untouched(progress: &RestoreProgress) -> bool {
    progress.database_stopped == Some(true) && progress.store_touched != Some(true)
}

/// What a failed restore leaves behind, when it is not what was there before (docs/restore.md,
/// "When something fails").
pub fn left_behind(progress: &RestoreProgress) -> Option<&'static str> {
    // Past the bring-up the restored database is online, whatever was done to it before.
    if crate::restore::machine::restored(progress) {
        return None;
    }
    match (progress.database_dropped, progress.database_stopped, progress.store_touched) {
        (Some(true), _, Some(true)) => Some(
            "the database was dropped before the restore and server 0 may hold a partly restored store: it is not served; create a new Neo4jRestore to restore again",
        ),
        (Some(true), _, _) => Some(
            "the database was dropped before the restore and is not served; create a new Neo4jRestore to restore it",
        ),
        (_, Some(true), Some(true)) => Some(
            "the database is stopped and its store may be partly restored; restore again with a new Neo4jRestore (replaceExisting: true), or START DATABASE to serve what is there",
        ),
        _ => None,
    }
}
