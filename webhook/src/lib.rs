//! The admission webhook (`neo4j-webhook`): decodes AdmissionReview requests, calls the defaults
//! and rules of `neo4j-api`, and answers with a verdict and a JSON Patch.

pub mod access;
pub mod admission_review;
pub mod admit;
pub mod cache;
pub mod metrics;
pub mod pki;
pub mod server;
pub mod tls;
pub mod values;
