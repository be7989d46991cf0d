//! Health checks of a Neo4j target, pure (issue 15, item 3): the statements each check sends,
//! what their answers mean, the suite run after a restore and by `kubectl neo4j health`, and the
//! report, as text (seed 002's layout) and as JSON. The edges run the statements over Bolt, time
//! each one against its timeout, and hand the rows here.

pub mod backups;
pub mod checks;
pub mod report;
pub mod suite;
