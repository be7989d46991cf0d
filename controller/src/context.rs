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
    /// Where the target kinds are served, once discovered (preset in tests).
    pub target_apis: tokio::sync::RwLock<Option<crate::targets::TargetApis>>,
}

impl Ctx {
    /// Where the target kinds are served: discovered once, and again while none is served (the
    /// Neo4j operator may be installed later).
    pub async fn target_apis(&self) -> Result<crate::targets::TargetApis, kube::Error> {
        if let Some(known) = self.target_apis.read().await.clone() {
            return Ok(known);
        }
        let found = crate::targets::TargetApis::discover(&self.client).await?;
        if found.any() {
            *self.target_apis.write().await = Some(found.clone());
        }
        Ok(found)
    }

    /// Forgets the discovered target versions, so that the next lookup asks the API server again.
    pub async fn forget_target_apis(&self) {
        *self.target_apis.write().await = None;
    }

    /// Publishes one Event per transition on `object` (a failure to publish is logged, not fatal:
    /// the status already says what happened).
    pub async fn publish(
        &self,
        object: &k8s_openapi::api::core::v1::ObjectReference,
        transitions: Vec<neo4j_api::status::backup::Transition>,
        action: &str,
    ) {
        use kube::runtime::events::{Event, EventType};
        for transition in transitions {
            let event = Event {
                type_: if transition.event_type == "Warning" { EventType::Warning } else { EventType::Normal },
                reason: transition.reason.to_owned(),
                note: Some(crate::backup::event_note(&transition.message)),
                action: action.to_owned(),
                secondary: None,
            };
            if let Err(err) = self.recorder.publish(&event, object).await {
                tracing::warn!(object = ?object.name, error = %err, "could not publish an event");
            }
        }
    }
}

/// An Api over every namespace, or only `namespace`.
pub fn scoped<K>(client: &Client, namespace: Option<&str>) -> kube::Api<K>
where
    K: kube::Resource<Scope = k8s_openapi::NamespaceResourceScope, DynamicType = ()>,
{
    match namespace {
        Some(ns) => kube::Api::namespaced(client.clone(), ns),
        None => kube::Api::all(client.clone()),
    }
}

/// Drives a controller's stream of reconcile results until it ends (at shutdown).
pub async fn drive<T, E: std::fmt::Display>(results: impl futures::Stream<Item = Result<T, E>>) {
    use futures::StreamExt;
    results
        .for_each(|result| async move {
            if let Err(err) = result {
                tracing::debug!(error = %err, "reconcile did not complete");
            }
        })
        .await;
}

/// A merge patch from the status the object had (`previous`) to `status`, against
/// `resource_version` when known: a second writer (a leader that has not noticed it was replaced)
/// gets a conflict instead of overwriting what the other recorded (issue 13, item 8). Fields the
/// new status no longer has are removed (`neo4j_api::status::merge_patch`).
pub fn status_patch<S: serde::Serialize>(
    resource_version: Option<String>,
    previous: Option<&S>,
    status: &S,
) -> serde_json::Value {
    let next = serde_json::to_value(status).unwrap_or_default();
    let previous = previous.and_then(|p| serde_json::to_value(p).ok()).unwrap_or_default();
    let status = neo4j_api::status::merge_patch::merge_patch(&previous, &next);
    match resource_version {
        Some(version) => serde_json::json!({"metadata": {"resourceVersion": version}, "status": status}),
        None => serde_json::json!({ "status": status }),
    }
}
