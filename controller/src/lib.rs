//! The controller (`neo4j-controller`): reconciles Neo4jBackup and Neo4jRestore into
//! `neo4j-admin` Jobs and CronJobs, scales StatefulSets for offline restores, and brings
//! databases up over Bolt.
//!
//! This crate is part of the workspace from the start so the layout is fixed; the reconcilers are
//! built by issues 5 and 6. It has no binary until then.
