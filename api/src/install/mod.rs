//! Installing kubectl-neo4j into a cluster, as decisions: what must hold before anything is
//! applied ([`preflight`]), in which order the bundle goes in and when the fail-closed webhook
//! configurations may follow ([`order`]), and which images it names ([`images`]). The plugin's
//! `install` fetches the facts, asks these functions, and applies.

pub mod images;
pub mod order;
pub mod preflight;
pub mod scope;

/// Label value (`app.kubernetes.io/part-of`) on everything we install, CRDs included.
pub const PART_OF: &str = "kubectl-neo4j";
/// Field manager of what `install` applies.
pub const FIELD_MANAGER: &str = "kubectl-neo4j";
/// Namespace of the webhook and the controller.
pub const NAMESPACE: &str = "neo4j-system";
/// The webhook's Deployment, Service and webhook configurations.
pub const WEBHOOK: &str = "neo4j-webhook";
/// The controller's Deployment.
pub const CONTROLLER: &str = "neo4j-controller";
/// The Secret of the webhook's serving certificate (cert-manager's or the webhook's own).
pub const WEBHOOK_TLS_SECRET: &str = "neo4j-webhook-tls";
