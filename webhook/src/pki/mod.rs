//! Certificates the webhook keeps for itself when no cert-manager issues them
//! (`--manage-certificates`): a CA and a serving certificate in one Secret, the CA injected into
//! the webhook's own configurations, and renewal before expiry without a dropped request.

pub mod decide;
pub mod keeper;
pub mod material;
