//! The admission webhook (`neo4j-webhook`): decodes AdmissionReview requests, calls the defaults
//! and rules of `neo4j-api`, and answers with a verdict and a JSON Patch.
//!
//! This crate is part of the workspace from the start so the layout is fixed; the server itself
//! is built by issue 4 ("Admission webhook"). It has no binary until then.
