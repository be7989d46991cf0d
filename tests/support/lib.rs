//! Helpers shared by the integration tests: fixture files and an offline model of what the API
//! server does with a CRD schema.

pub mod diff;
pub mod fixtures;
pub mod kustomize;
pub mod openapi;
pub mod resources;
