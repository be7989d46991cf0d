//! The topology a restore creates a cluster database with: `CREATE DATABASE` without `TOPOLOGY`
//! gets `initial.dbms.default_primaries_count` copies, 1 by default (docs-operations,
//! clustering/databases.adoc and configuration-settings.adoc, 5.x and dev), so it is always explicit.

use crate::plan::target::ResolvedTarget;
use crate::types::{DatabaseTopology, Neo4jRestore};

/// The topology of a database created in a multi-server cluster: the replaced database's, else
/// `spec.topology`, else `min(servers, 3)` primaries and no secondaries.
pub fn topology(
    restore: &Neo4jRestore,
    target: &ResolvedTarget,
    replaced: Option<DatabaseTopology>,
) -> DatabaseTopology {
    let own = restore.spec.topology;
    let default = DatabaseTopology { primaries: Some(target.servers.clamp(1, 3)), secondaries: Some(0) };
    let chosen = replaced.filter(|t| t.primaries.is_some_and(|p| p > 0)).or(own).unwrap_or(default);
    DatabaseTopology { primaries: chosen.primaries.or(default.primaries), secondaries: chosen.secondaries.or(Some(0)) }
}
