//! Admission rules: `(old, new, context) -> Verdict`, the same for the webhook, the plugin's
//! offline `validate` and the controller's pre-flight.

pub mod admin_args;
pub mod common;
pub mod context;
pub mod storage;
pub mod verdict;

pub use context::{Context, RecoveryWindow, TargetFacts};
pub use verdict::{FieldError, FieldPath, Verdict};
