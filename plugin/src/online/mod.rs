//! The verbs that talk to a cluster. Each takes a `kube::Client`, so tests drive them against
//! kube's mock service.

pub mod act;
pub mod health;
pub mod inspect;
pub mod install;
pub mod list;
pub mod pitr;
pub mod plan;
pub mod server;
pub mod table;
