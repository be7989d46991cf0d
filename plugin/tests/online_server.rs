//! `status` against the API server stand-in (neo4j-testkit): the server side first (controller,
//! leader Lease, webhook, webhook configurations and their CA), then the objects; a missing or
//! forbidden part is a line of its own, never a failed `status`.

use std::sync::{Arc, Mutex};

use k8s_openapi::ByteString;
use k8s_openapi::jiff::Timestamp;
use kubectl_neo4j::online::list::{Scope, status};
use neo4j_testkit::World;
use serde_json::{Value, json};

const SYSTEM: &str = "/apis/apps/v1/namespaces/neo4j-system/deployments";
const LEASE: &str = "/apis/coordination.k8s.io/v1/namespaces/neo4j-system/leases/kubectl-neo4j-controller";
const CONFIGURATIONS: &str = "/apis/admissionregistration.k8s.io/v1";
const OURS: &str = "/apis/neo4j.neo4j.com/v1alpha1/namespaces/neo4j";

fn now() -> Timestamp {
    "2025-01-20T12:00:00Z".parse().unwrap()
}

/// The webhook's CA (valid until 2026-01-20), as a caBundle.
fn ca_bundle() -> Value {
    let pem = neo4j_testkit::ca_pem("kubectl-neo4j webhook CA", (2026, 1, 20)).unwrap();
    serde_json::to_value(ByteString(pem.into_bytes())).unwrap()
}

fn deployment(name: &str, ready: i32) -> Value {
    json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "namespace": "neo4j-system"},
        "spec": {"replicas": 2, "selector": {}, "template": {"spec": {"containers": [{"name": "main",
            "image": format!("ghcr.io/kubectl-neo4j/{name}:0.1.0")}]}}},
        "status": {"readyReplicas": ready}})
}

fn configuration(kind: &str, hooks: &[(&str, &str)], ca: &Value) -> Value {
    let webhooks: Vec<Value> = hooks
        .iter()
        .map(|(name, policy)| {
            json!({"name": name, "failurePolicy": policy, "sideEffects": "None", "admissionReviewVersions": ["v1"],
                "clientConfig": {"caBundle": ca, "service": {"name": "neo4j-webhook", "namespace": "neo4j-system"}}})
        })
        .collect();
    json!({"apiVersion": "admissionregistration.k8s.io/v1", "kind": kind, "metadata": {"name": "neo4j-webhook"}, "webhooks": webhooks})
}

/// An installed cluster whose webhook Pods are `webhook_ready`, with one backup and one restore.
fn installed(webhook_ready: i32) -> Arc<Mutex<World>> {
    let world = World::shared();
    let ca = ca_bundle();
    let mut w = world.lock().unwrap();
    w.store(&format!("{SYSTEM}/neo4j-controller"), deployment("neo4j-controller", 2));
    w.store(&format!("{SYSTEM}/neo4j-webhook"), deployment("neo4j-webhook", webhook_ready));
    w.store(LEASE, json!({"apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
        "metadata": {"name": "kubectl-neo4j-controller", "namespace": "neo4j-system"},
        "spec": {"holderIdentity": "neo4j-controller-6d5f8-x2x9q", "leaseDurationSeconds": 15, "renewTime": "2025-01-20T11:59:57.000000Z"}}));
    let mutating = [("mutate.neo4j.neo4j.com", "Fail")];
    let validating = [("validate.neo4j.neo4j.com", "Fail"), ("validate-targets.neo4j.neo4j.com", "Ignore")];
    w.store(
        &format!("{CONFIGURATIONS}/mutatingwebhookconfigurations/neo4j-webhook"),
        configuration("MutatingWebhookConfiguration", &mutating, &ca),
    );
    w.store(
        &format!("{CONFIGURATIONS}/validatingwebhookconfigurations/neo4j-webhook"),
        configuration("ValidatingWebhookConfiguration", &validating, &ca),
    );
    w.store(
        &format!("{OURS}/neo4jbackups/nightly"),
        json!({"apiVersion": "neo4j.neo4j.com/v1alpha1", "kind": "Neo4jBackup",
        "metadata": {"name": "nightly", "namespace": "neo4j"}, "spec": {},
        "status": {"phase": "Completed", "lastSuccessfulBackupTime": "2025-01-20T09:00:00Z"}}),
    );
    w.store(&format!("{OURS}/neo4jrestores/orders-back"), json!({"apiVersion": "neo4j.neo4j.com/v1alpha1", "kind": "Neo4jRestore",
        "metadata": {"name": "orders-back", "namespace": "neo4j", "creationTimestamp": "2025-01-20T11:48:00Z"}, "spec": {},
        "status": {"phase": "Running", "message": "waiting for the restore Job", "progress": {"step": "Restoring"}}}));
    drop(w);
    world
}

async fn shown(world: &Arc<Mutex<World>>) -> String {
    status(&neo4j_testkit::client(world.clone()), &Scope::Namespace("neo4j".to_owned()), now()).await.unwrap()
}

const HEALTHY: &str = "\
Controller:  deployment neo4j-system/neo4j-controller: 2/2 ready, image ghcr.io/kubectl-neo4j/neo4j-controller:0.1.0
Leader:      lease neo4j-system/kubectl-neo4j-controller: held by neo4j-controller-6d5f8-x2x9q, renewed 3s ago
Webhook:     deployment neo4j-system/neo4j-webhook: 2/2 ready, image ghcr.io/kubectl-neo4j/neo4j-webhook:0.1.0
Mutating:    mutatingwebhookconfiguration neo4j-webhook: failurePolicy Fail, CA \"CN=kubectl-neo4j webhook CA\" expires 2026-01-20T00:00:00Z (in 364d)
Validating:  validatingwebhookconfiguration neo4j-webhook: failurePolicy Fail (validate.neo4j.neo4j.com), Ignore (validate-targets.neo4j.neo4j.com), CA \"CN=kubectl-neo4j webhook CA\" expires 2026-01-20T00:00:00Z (in 364d)

BACKUP          PHASE       LAST SUCCESS   FAILED RUNS IN A ROW   MESSAGE
neo4j/nightly   Completed   3h ago         0

RESTORE             PHASE     STEP        AGE   MESSAGE
neo4j/orders-back   Running   Restoring   12m   waiting for the restore Job
";

#[tokio::test]
async fn the_server_side_first_then_the_objects() {
    assert_eq!(shown(&installed(2)).await, HEALTHY);
}

#[test]
fn the_guide_shows_what_status_prints() {
    let guide = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/plugin.md")).unwrap();
    assert!(
        guide.contains(&format!("$ kubectl neo4j status -n neo4j\n{HEALTHY}```")),
        "docs/plugin.md's status example"
    );
}

#[tokio::test]
async fn fail_closed_webhooks_without_a_ready_pod_are_named() {
    let text = shown(&installed(0)).await;
    let server: Vec<&str> = text.split("\n\n").next().unwrap().lines().collect();
    let healthy: Vec<&str> = HEALTHY.lines().collect();
    assert_eq!(
        server,
        [
            healthy[0],
            healthy[1],
            "Webhook:     deployment neo4j-system/neo4j-webhook: 0/2 ready, image ghcr.io/kubectl-neo4j/neo4j-webhook:0.1.0",
            healthy[3],
            healthy[4],
            "warning: no neo4j-webhook Pod is ready (0/2): `kubectl -n neo4j-system describe deployment neo4j-webhook` says why",
            "warning: every apply of a Neo4jBackup or Neo4jRestore will be refused until a neo4j-webhook Pod is ready: mutate.neo4j.neo4j.com and validate.neo4j.neo4j.com fail closed (failurePolicy Fail); `kubectl neo4j uninstall` removes the webhook configurations",
        ]
    );
}

#[tokio::test]
async fn nothing_installed() {
    let world = World::shared();
    world.lock().unwrap().unserved.push("/apis/neo4j.neo4j.com/".to_owned());
    assert_eq!(
        shown(&world).await,
        "\
Controller:  deployment neo4j-system/neo4j-controller: not installed (kubectl neo4j install)
Leader:      lease neo4j-system/kubectl-neo4j-controller: none: no controller has ever run
Webhook:     deployment neo4j-system/neo4j-webhook: not installed (kubectl neo4j install)
Mutating:    mutatingwebhookconfiguration neo4j-webhook: not installed (kubectl neo4j install)
Validating:  validatingwebhookconfiguration neo4j-webhook: not installed (kubectl neo4j install)

No Neo4jBackups: the CRD neo4jbackups.neo4j.neo4j.com is not installed (kubectl neo4j install).

No Neo4jRestores: the CRD neo4jrestores.neo4j.neo4j.com is not installed (kubectl neo4j install).
"
    );
}

#[tokio::test]
async fn what_may_not_be_read_is_said_and_the_rest_shown() {
    let world = installed(2);
    world.lock().unwrap().forbidden.extend(
        [
            SYSTEM,
            LEASE,
            "/apis/admissionregistration.k8s.io/",
            "/apis/neo4j.neo4j.com/v1alpha1/namespaces/neo4j/neo4jrestores",
        ]
        .map(str::to_owned),
    );
    assert_eq!(
        shown(&world).await,
        "\
Controller:  cannot read deployment neo4j-system/neo4j-controller (forbidden)
Leader:      cannot read lease neo4j-system/kubectl-neo4j-controller (forbidden)
Webhook:     cannot read deployment neo4j-system/neo4j-webhook (forbidden)
Mutating:    cannot read mutatingwebhookconfiguration neo4j-webhook (forbidden)
Validating:  cannot read validatingwebhookconfiguration neo4j-webhook (forbidden)

BACKUP          PHASE       LAST SUCCESS   FAILED RUNS IN A ROW   MESSAGE
neo4j/nightly   Completed   3h ago         0

cannot list Neo4jRestores in namespace neo4j (forbidden)
"
    );
}
