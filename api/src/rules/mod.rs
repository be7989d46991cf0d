//! Admission rules: `(old, new, context) -> Verdict`, the same for the webhook, the plugin's
//! offline `validate` and the controller's pre-flight.

pub mod verdict;

pub use verdict::{FieldError, FieldPath, Verdict};
