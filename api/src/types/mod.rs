//! The custom resources: ours (`Neo4jBackup`, `Neo4jRestore`) and read views of the Neo4j
//! operator's targets (`Neo4jEnterpriseCluster`, `Neo4jEnterpriseStandalone`).

pub mod backup;
pub mod backup_status;
pub mod cluster_pitr;
pub mod recovery_window;
pub mod restore;
pub mod restore_plan;
pub mod restore_status;
pub mod storage;
pub mod target;

pub use backup::*;
pub use backup_status::*;
pub use cluster_pitr::*;
pub use recovery_window::*;
pub use restore::*;
pub use restore_plan::*;
pub use restore_status::*;
pub use storage::*;
pub use target::*;
