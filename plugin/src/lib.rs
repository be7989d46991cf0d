//! `kubectl neo4j`: compose, validate and inspect Neo4j backups and restores.
//! The binary in `main.rs` only parses arguments and reports errors; the verbs live here.

pub mod cli;
pub mod complete;
pub mod compose;
pub mod convert;
pub mod kubeconfig;
pub mod kustomize;
pub mod manifests;
pub mod online;
pub mod restore_plan;
pub mod style;
pub mod validate;
