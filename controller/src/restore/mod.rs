//! The Neo4jRestore reconciler: observe -> `neo4j_api::restore::machine::decide` -> act -> status.

pub mod bolt;
