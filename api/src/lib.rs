//! The pure domain of kubectl-neo4j: custom resource types, and (in later modules) the version
//! model, defaults, admission rules and plans. No I/O and no async here: the webhook, the
//! controller and the plugin are thin edges around this crate.

pub mod access;
pub mod admission;
pub mod chain;
pub mod convert;
pub mod crd;
pub mod defaults;
pub mod grammar;
pub mod grant;
pub mod health;
pub mod inspect;
pub mod install;
pub mod lease;
pub mod manifest;
pub mod pitr;
pub mod plan;
pub mod restore;
pub mod retention;
pub mod review;
pub mod rpo;
pub mod rules;
pub mod status;
pub mod string_enum;
pub mod types;
pub mod version;

pub use types::*;

/// API group of every kind we serve or read.
pub const GROUP: &str = "neo4j.neo4j.com";
/// API version of every kind we serve or read.
pub const VERSION: &str = "v1alpha1";
