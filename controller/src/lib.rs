//! The controller (`neo4j-controller`): reconciles Neo4jBackup and Neo4jRestore into `neo4j-admin`
//! Jobs and CronJobs, scale-downs and scale-ups, and Bolt calls. Each reconciler is a pipeline
//! resolve -> validate -> plan -> apply -> status; only resolve, apply and status touch the API.

pub mod backup;
pub mod context;
pub mod error;
pub mod leader;
pub mod metrics;
pub mod pitr;
pub mod restore;

/// Where the target kinds are served (shared with the webhook).
pub use neo4j_ops::targets;

/// Field manager of everything the controller applies.
pub const FIELD_MANAGER: &str = "kubectl-neo4j-controller";

pub use context::Ctx;
