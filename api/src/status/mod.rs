//! Statuses derived from observations (pure): what the controller writes back to the resources.

pub mod backup;
pub mod conditions;
pub mod job;
pub mod merge_patch;
pub mod owned;
pub mod pods;
pub mod redact;
pub mod restore;
