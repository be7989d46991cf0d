//! What the benches share: the context of a reconcile against an in-process API server.

use std::sync::Arc;

use k8s_openapi::jiff::Timestamp;
use kube::Client;
use kube::runtime::events::{Recorder, Reporter};
use neo4j_controller::backup::Ctx;

/// The context of a reconcile through `client`, on the clock `now`, with the targets served at
/// `v1alpha1`.
pub fn ctx(client: Client, now: fn() -> Timestamp) -> Arc<Ctx> {
    let recorder = Recorder::new(client.clone(), Reporter { controller: "kubectl-neo4j".into(), instance: None });
    Arc::new(Ctx {
        client,
        recorder,
        now,
        metrics: Default::default(),
        agent_image: neo4j_api::plan::pod::DEFAULT_AGENT_IMAGE.to_owned(),
        cross_namespace_targets: false,
        admin: Arc::new(neo4j_controller::restore::bolt::Bolt),
        target_apis: tokio::sync::RwLock::new(Some(neo4j_controller::targets::TargetApis::served_as("v1alpha1"))),
    })
}
