//! What every reconcile shares.

use k8s_openapi::jiff::Timestamp;
use kube::Client;
use kube::runtime::events::Recorder;

/// What every reconcile shares.
pub struct Ctx {
    /// The API client.
    pub client: Client,
    /// Publishes Events.
    pub recorder: Recorder,
    /// The clock (a fixed one in tests).
    pub now: fn() -> Timestamp,
    /// Metrics.
    pub metrics: std::sync::Arc<crate::metrics::Metrics>,
    /// Image of `neo4j-agent`, for the Pod steps neo4j-admin cannot do (retention, verification lists).
    pub agent_image: String,
    /// Whether a backup may name a target in another namespace. Only the webhook can check that
    /// whoever wrote the backup may read that target, so this is on only where the webhook runs.
    pub cross_namespace_targets: bool,
    /// Reaches the targets' databases over Bolt (a fake in tests).
    pub admin: std::sync::Arc<dyn crate::restore::bolt::DatabaseAdmin>,
}
