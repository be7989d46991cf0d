//! Admission rules: `(old, new, context) -> Verdict`, the same for the webhook, the plugin's
//! offline `validate` and the controller's pre-flight. Rules are pure and report every error of
//! an object at once; a rule that lacks the context it needs says nothing.

pub mod admin_args;
pub mod backup;
pub mod catalogue;
pub mod cluster_pitr;
pub mod common;
pub mod context;
pub mod restore;
pub mod storage;
pub mod target;
pub mod verdict;

pub use backup::validate_backup;
pub use context::{Context, TargetFacts};
pub use restore::validate_restore;
pub use target::{validate_cluster, validate_standalone};
pub use verdict::{FieldError, FieldPath, Verdict};
