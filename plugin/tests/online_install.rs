//! install and uninstall against a recording API stand-in.

use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use http::{Method, Request, Response};
use kube::Client;
use kube::client::Body;
use kubectl_neo4j::manifests::Tls;
use kubectl_neo4j::online::install::{KINDS, install, objects, uninstall};
use serde_json::{Value, json};

type Log = Arc<Mutex<Vec<(Method, String)>>>;

fn server(log: Log, without_cert_manager: bool) -> Client {
    let service = tower::service_fn(move |request: Request<Body>| {
        let log = log.clone();
        async move {
            let (method, uri) = (request.method().clone(), request.uri().to_string());
            let bytes = request.into_body().collect_bytes().await.unwrap();
            log.lock().unwrap().push((method.clone(), uri.clone()));
            let (code, body) = if without_cert_manager && uri.contains("/cert-manager.io/") {
                (
                    404,
                    json!({"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "NotFound", "code": 404, "message": "the server could not find the requested resource"}),
                )
            } else if method == Method::PATCH {
                (200, serde_json::from_slice::<Value>(&bytes).unwrap())
            } else {
                (200, json!({"kind": "Status", "apiVersion": "v1", "status": "Success"}))
            };
            Ok::<_, Infallible>(
                Response::builder().status(code).body(Body::from(serde_json::to_vec(&body).unwrap())).unwrap(),
            )
        }
    });
    Client::new(service, "default")
}

#[test]
fn every_kind_of_every_bundle_is_known() {
    for tls in [Tls::CertManager, Tls::SelfManaged] {
        for object in objects(tls.embedded()).unwrap() {
            let kind = object["kind"].as_str().unwrap();
            assert!(KINDS.iter().any(|(k, _, _)| *k == kind), "{kind} of {} is not in install::KINDS", tls.name());
        }
    }
}

#[tokio::test]
async fn install_applies_every_object_server_side_in_order() {
    let log = Log::default();
    let text = install(&server(log.clone(), false), Tls::CertManager.embedded()).await.unwrap();
    let count = objects(Tls::CertManager.embedded()).unwrap().len();
    assert_eq!(text.lines().count(), count);
    assert!(text.starts_with("customresourcedefinition/neo4jbackups.neo4j.neo4j.com serverside-applied\n"), "{text}");
    let calls = log.lock().unwrap().clone();
    assert!(
        calls
            .iter()
            .all(|(m, u)| *m == Method::PATCH && u.contains("fieldManager=kubectl-neo4j") && u.contains("force=true")),
        "{calls:?}"
    );
    assert!(
        calls[0].1.starts_with("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/neo4jbackups.neo4j.neo4j.com?")
    );
    assert!(
        calls.iter().any(|(_, u)| u.starts_with("/apis/apps/v1/namespaces/neo4j-system/deployments/neo4j-controller?")),
        "{calls:?}"
    );
    assert!(
        calls.iter().any(|(_, u)| u.split('?').next() == Some("/api/v1/namespaces/neo4j-system")),
        "the namespace is applied: {calls:?}"
    );
}

#[tokio::test]
async fn without_cert_manager_the_error_names_the_other_way() {
    let err = install(&server(Log::default(), true), Tls::CertManager.embedded()).await.unwrap_err();
    assert!(err.ends_with("cert-manager is not installed in this cluster; install it, or use `kubectl neo4j install --tls self-managed` (docs/webhook.md)"), "{err}");
}

#[tokio::test]
async fn uninstall_removes_webhook_configurations_first_and_keeps_crds_and_the_namespace() {
    let log = Log::default();
    let text = uninstall(&server(log.clone(), false), Tls::SelfManaged.embedded()).await.unwrap();
    let calls = log.lock().unwrap().clone();
    assert!(calls.iter().all(|(m, _)| *m == Method::DELETE));
    assert!(
        !calls.iter().any(|(_, u)| u.contains("customresourcedefinitions") || u.ends_with("/namespaces/neo4j-system")),
        "{calls:?}"
    );
    let position = |needle: &str| {
        calls.iter().position(|(_, u)| u.contains(needle)).unwrap_or_else(|| panic!("{needle}: {calls:?}"))
    };
    assert!(
        position("validatingwebhookconfigurations") < position("deployments/neo4j-webhook"),
        "no Fail-policy webhook left without its server"
    );
    assert!(text.ends_with(
        "kept: customresourcedefinition/neo4jbackups.neo4j.neo4j.com, customresourcedefinition/neo4jrestores.neo4j.neo4j.com, namespace/neo4j-system (deleting a CRD deletes every Neo4jBackup and Neo4jRestore; backup artifacts and claims are never touched)\n"
    ), "{text}");
}
