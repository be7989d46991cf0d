//! The scripted API server of the reconcile tests (kube's tower-test mock pattern): each expected
//! call is asserted in order (method, path and query, body) and answered as the API server would.
// Each test crate uses its own part of this module.
#![allow(dead_code)]

use std::future::Future;
use std::sync::Arc;

use http::{Method, Request, Response, StatusCode};
use k8s_openapi::jiff::Timestamp;
use kube::Client;
use kube::client::Body;
use kube::runtime::events::{Recorder, Reporter};
use neo4j_controller::Ctx;
use neo4j_controller::restore::bolt::DatabaseAdmin;
use serde_json::{Value, json};

/// The agent image the tests plan with.
pub const AGENT: &str = "ghcr.io/kubectl-neo4j/neo4j-agent:0.1.0";

/// The tests' clock.
pub fn now() -> Timestamp {
    "2025-01-20T03:00:00Z".parse().unwrap()
}

/// Runs one reconcile against the scripted API server; every step must be served.
pub async fn reconcile_with<T, F, Fut>(admin: Arc<dyn DatabaseAdmin>, steps: Vec<Step>, reconcile: F) -> T
where
    F: FnOnce(Arc<Ctx>) -> Fut,
    Fut: Future<Output = T>,
{
    reconcile_in(admin, steps, false, reconcile).await
}

/// [`reconcile_with`], with the controller's `--cross-namespace-targets` flag as given.
pub async fn reconcile_in<T, F, Fut>(
    admin: Arc<dyn DatabaseAdmin>,
    steps: Vec<Step>,
    cross_namespace_targets: bool,
    reconcile: F,
) -> T
where
    F: FnOnce(Arc<Ctx>) -> Fut,
    Fut: Future<Output = T>,
{
    let (service, handle) = tower_test::mock::pair::<Request<Body>, Response<Body>>();
    let client = Client::new(service, "neo4j");
    let recorder = Recorder::new(client.clone(), Reporter { controller: "kubectl-neo4j".into(), instance: None });
    let ctx = Arc::new(Ctx {
        client,
        recorder,
        now,
        metrics: Default::default(),
        agent_image: AGENT.to_owned(),
        cross_namespace_targets,
        admin,
        // The mock API server serves the targets at v1alpha1 (tests/targets.rs covers discovery).
        target_apis: tokio::sync::RwLock::new(Some(neo4j_controller::targets::TargetApis::served_as("v1alpha1"))),
    });
    let server = tokio::spawn(serve(handle, steps));
    let result =
        tokio::time::timeout(std::time::Duration::from_secs(10), reconcile(ctx)).await.expect("reconcile finishes");
    tokio::time::timeout(std::time::Duration::from_secs(5), server).await.expect("every step served").expect("server");
    result
}

pub type Handle = tower_test::mock::Handle<Request<Body>, Response<Body>>;

/// One expected call: method, path (and query, when given), a check of the body, the answer.
pub struct Step {
    method: Method,
    path: &'static str,
    check: Box<dyn Fn(&Value) + Send>,
    status: StatusCode,
    answer: Value,
}

pub fn step(method: Method, path: &'static str, status: StatusCode, answer: Value) -> Step {
    Step { method, path, check: Box::new(|_| {}), status, answer }
}

pub fn checked(
    method: Method,
    path: &'static str,
    status: StatusCode,
    answer: Value,
    check: impl Fn(&Value) + Send + 'static,
) -> Step {
    Step { method, path, check: Box::new(check), status, answer }
}

pub fn not_found(what: &str) -> Value {
    json!({"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "NotFound", "code": 404, "message": format!("{what} not found")})
}

pub async fn serve(mut handle: Handle, steps: Vec<Step>) {
    for (i, expected) in steps.into_iter().enumerate() {
        let (request, respond) = handle
            .next_request()
            .await
            .unwrap_or_else(|| panic!("step {i}: expected {} {}", expected.method, expected.path));
        let uri = request.uri().to_string();
        assert_eq!(request.method(), expected.method, "step {i}: {uri}");
        assert!(
            uri.starts_with(expected.path) || uri == expected.path,
            "step {i}: expected {} {}, got {uri}",
            expected.method,
            expected.path
        );
        let bytes = request.into_body().collect_bytes().await.expect("body");
        let body: Value =
            if bytes.is_empty() { Value::Null } else { serde_json::from_slice(&bytes).expect("JSON body") };
        (expected.check)(&body);
        let response = Response::builder()
            .status(expected.status)
            .body(Body::from(serde_json::to_vec(&expected.answer).unwrap()))
            .unwrap();
        respond.send_response(response);
    }
}
