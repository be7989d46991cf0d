//! Point-in-time recovery of a cluster (issue 14), pure: what can be restored to which moment.
//! Neo4j's "log shipping" is a FULL backup and frequent DIFF backups into one folder (a chain),
//! replayed up to a moment with `--restore-until`.

pub mod cycle;
pub mod protection;
pub mod report;
pub mod shipping;
pub mod summary;
pub mod window;
