//! create, delete, run, history and watch against an API server stand-in that records what it
//! was asked.

use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use http::{Method, Request, Response, StatusCode};
use k8s_openapi::jiff::Timestamp;
use kube::Client;
use kube::client::Body;
use kubectl_neo4j::online::act::{Pace, create, delete, history, no_controller_hint, promote, run_now, watch};
use neo4j_api::{Neo4jBackup, Neo4jRestore};
use serde_json::{Value, json};

type Log = Arc<Mutex<Vec<(Method, String, Value)>>>;

fn scheduled() -> Value {
    json!({"apiVersion": "neo4j.neo4j.com/v1alpha1", "kind": "Neo4jBackup",
        "metadata": {"name": "nightly", "namespace": "neo4j"},
        "spec": {"target": {"kind": "Cluster", "name": "prod"}, "schedule": "0 2 * * *", "storage": {"type": "pvc", "pvc": {"name": "b"}}},
        "status": {"phase": "Completed", "history": [
            {"jobName": "nightly-backup-29000120", "type": "FULL", "phase": "Failed", "startTime": "2025-01-20T02:00:00Z",
             "completionTime": "2025-01-20T02:01:30Z", "artifact": "pvc://b", "message": "BackoffLimitExceeded"},
            {"jobName": "nightly-backup-28998680", "type": "FULL", "phase": "Succeeded", "startTime": "2025-01-19T02:00:00Z",
             "completionTime": "2025-01-19T02:05:00Z", "artifact": "pvc://b"}]}})
}

fn restore(phase: &str, step: &str, message: &str) -> Value {
    json!({"apiVersion": "neo4j.neo4j.com/v1alpha1", "kind": "Neo4jRestore", "metadata": {"name": "back", "namespace": "neo4j"},
        "spec": {"targetCluster": "prod", "databaseName": "orders"},
        "status": {"phase": phase, "message": message, "progress": {"step": step}}})
}

fn server(log: Log) -> Client {
    let polls = Arc::new(Mutex::new(0));
    let service = tower::service_fn(move |request: Request<Body>| {
        let (log, polls) = (log.clone(), polls.clone());
        async move {
            let (method, path) = (request.method().clone(), request.uri().path().to_owned());
            let bytes = request.into_body().collect_bytes().await.unwrap();
            let body: Value = if bytes.is_empty() { Value::Null } else { serde_json::from_slice(&bytes).unwrap() };
            log.lock().unwrap().push((method.clone(), path.clone(), body.clone()));
            let exists = log
                .lock()
                .unwrap()
                .iter()
                .filter(|(m, p, _)| *m == Method::POST && p.ends_with("/neo4jbackups"))
                .count()
                > 1;
            let (code, answer) = match (method, path.as_str()) {
                (Method::POST, "/apis/neo4j.neo4j.com/v1alpha1/namespaces/neo4j/neo4jbackups") if exists => (
                    409,
                    json!({"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "AlreadyExists", "code": 409, "message": "exists"}),
                ),
                (Method::POST, _) => (201, body),
                (Method::DELETE, _) => (200, json!({"kind": "Status", "apiVersion": "v1", "status": "Success"})),
                (Method::GET, "/apis/neo4j.neo4j.com/v1alpha1/namespaces/neo4j/neo4jbackups/nightly") => {
                    (200, scheduled())
                }
                (Method::GET, "/apis/batch/v1/namespaces/neo4j/cronjobs/nightly-backup") => (
                    200,
                    json!({"apiVersion": "batch/v1", "kind": "CronJob",
                    "metadata": {"name": "nightly-backup", "uid": "cron-uid"},
                    "spec": {"schedule": "0 2 * * *", "jobTemplate": {"metadata": {"labels": {"neo4j.neo4j.com/backup": "nightly"}},
                        "spec": {"template": {"spec": {"containers": [{"name": "backup", "image": "neo4j:2025.01.0-enterprise"}]}}}}}}),
                ),
                (Method::GET, "/apis/neo4j.neo4j.com/v1alpha1/namespaces/neo4j/neo4jrestores/alone") => (
                    200,
                    json!({"apiVersion": "neo4j.neo4j.com/v1alpha1", "kind": "Neo4jRestore", "metadata": {"name": "alone", "namespace": "neo4j"},
                        "spec": {"targetCluster": "prod", "databaseName": "orders"}}),
                ),
                (Method::GET, "/apis/neo4j.neo4j.com/v1alpha1/namespaces/neo4j/neo4jrestores/orders-back") => {
                    (200, promoting("Running", "AwaitingPromotion", false))
                }
                (Method::GET, "/apis/neo4j.neo4j.com/v1alpha1/namespaces/neo4j/neo4jrestores/by-itself") => {
                    (200, promoting("Running", "Checking", true))
                }
                (Method::GET, "/apis/neo4j.neo4j.com/v1alpha1/namespaces/neo4j/neo4jrestores/switched") => {
                    (200, promoting("Completed", "Done", false))
                }
                (Method::PATCH, "/apis/neo4j.neo4j.com/v1alpha1/namespaces/neo4j/neo4jrestores/orders-back") => {
                    (200, promoting("Running", "AwaitingPromotion", false))
                }
                (Method::GET, "/apis/neo4j.neo4j.com/v1alpha1/namespaces/neo4j/neo4jrestores/back") => {
                    let mut n = polls.lock().unwrap();
                    *n += 1;
                    let answer = match *n {
                        1 => restore("Running", "Restoring", "Job back-restore created"),
                        2 => restore("Running", "Restoring", "Job back-restore created"),
                        3 => restore("Running", "BringingUp", "creating the database"),
                        _ => restore("Completed", "Done", "the database is restored and online"),
                    };
                    (200, answer)
                }
                _ => (
                    404,
                    json!({"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "NotFound", "code": 404, "message": "not found"}),
                ),
            };
            Ok::<_, Infallible>(
                Response::builder()
                    .status(StatusCode::from_u16(code).unwrap())
                    .body(Body::from(serde_json::to_vec(&answer).unwrap()))
                    .unwrap(),
            )
        }
    });
    Client::new(service, "neo4j")
}

/// A restore that promotes, as docs/restore.md shows it, at `step`.
fn promoting(phase: &str, step: &str, automatic: bool) -> Value {
    json!({"apiVersion": "neo4j.neo4j.com/v1alpha1", "kind": "Neo4jRestore", "metadata": {"name": "orders-back", "namespace": "neo4j"},
        "spec": {"targetCluster": "prod", "databaseName": "orders-20250412", "promotion": {"alias": "orders", "automatic": automatic}},
        "status": {"phase": phase, "progress": {"step": step}}})
}

fn now() -> Timestamp {
    "2025-01-20T12:00:00Z".parse().unwrap()
}

#[tokio::test]
async fn create_posts_the_object_and_a_second_create_names_the_fix() {
    let log = Log::default();
    let client = server(log.clone());
    let object = json!({"apiVersion": "neo4j.neo4j.com/v1alpha1", "kind": "Neo4jBackup", "metadata": {"name": "nightly", "namespace": "neo4j"},
        "spec": {"target": {"kind": "Cluster", "name": "prod"}, "storage": {"type": "pvc", "pvc": {"name": "b"}}}});
    assert_eq!(
        create::<Neo4jBackup>(&client, "neo4j", object.clone()).await.unwrap(),
        "neo4jbackup.neo4j.neo4j.com/nightly created\n"
    );
    assert_eq!(log.lock().unwrap()[0].2["spec"]["storage"]["pvc"]["name"], "b");
    assert_eq!(
        create::<Neo4jBackup>(&client, "neo4j", object).await.unwrap_err(),
        "neo4jbackup \"nightly\" already exists in neo4j; `kubectl neo4j backup get nightly` shows it"
    );
}

#[tokio::test]
async fn delete_says_what_is_kept() {
    let client = server(Log::default());
    assert_eq!(
        delete::<Neo4jBackup>(&client, "neo4j", "nightly").await.unwrap(),
        "neo4jbackup.neo4j.neo4j.com/nightly deleted (its backup artifacts and claims are kept)\n"
    );
    assert_eq!(
        delete::<Neo4jRestore>(&client, "neo4j", "back").await.unwrap(),
        "neo4jrestore.neo4j.neo4j.com/back deleted\n"
    );
}

#[tokio::test]
async fn run_creates_a_job_from_the_cronjob_owned_by_it() {
    let log = Log::default();
    let client = server(log.clone());
    let said = run_now(&client, "neo4j", "nightly", now()).await.unwrap();
    assert_eq!(
        said,
        "job.batch/nightly-backup-manual-28956240 created; follow it with `kubectl logs -f job/nightly-backup-manual-28956240 --all-containers -n neo4j`\n"
    );
    let posted =
        log.lock().unwrap().iter().find(|(m, p, _)| *m == Method::POST && p.ends_with("/jobs")).cloned().unwrap().2;
    assert_eq!(posted["metadata"]["annotations"]["cronjob.kubernetes.io/instantiate"], "manual");
    assert_eq!(posted["metadata"]["labels"]["neo4j.neo4j.com/backup"], "nightly", "the controller sees it as a run");
    assert_eq!(posted["metadata"]["ownerReferences"][0]["uid"], "cron-uid");
    assert_eq!(posted["spec"]["template"]["spec"]["containers"][0]["name"], "backup");
}

#[tokio::test]
async fn history_lists_the_runs_newest_first() {
    let client = server(Log::default());
    assert_eq!(
        history(&client, "neo4j", "nightly", now()).await.unwrap(),
        "\
JOB                       TYPE   PHASE       STARTED   DURATION   LOCATION   MESSAGE
nightly-backup-29000120   FULL   Failed      10h ago   90s        pvc://b    BackoffLimitExceeded
nightly-backup-28998680   FULL   Succeeded   34h ago   300s       pvc://b
"
    );
}

#[tokio::test]
async fn watch_prints_each_change_until_the_end() {
    let client = server(Log::default());
    let mut lines = Vec::new();
    let pace =
        Pace { timeout: Duration::from_secs(10), poll: Duration::from_millis(1), quiet: Duration::from_secs(10) };
    let ok = watch::<Neo4jRestore>(&client, "neo4j", "back", pace, |l| lines.push(l.to_owned())).await.unwrap();
    assert!(ok);
    assert_eq!(
        lines,
        [
            "Running (Restoring): Job back-restore created",
            "Running (BringingUp): creating the database",
            "Completed (Done): the database is restored and online"
        ]
    );
    let missing = watch::<Neo4jRestore>(&client, "neo4j", "nope", pace, |_| {}).await;
    assert_eq!(missing.unwrap_err(), "neo4jrestore \"nope\" not found; `kubectl neo4j restore list` shows what exists");
}

// With the CRDs installed but no controller running, `--wait` printed "Pending: " and waited an
// hour: now it says that nothing has acted on the object, once, and what to check.
#[tokio::test]
async fn watch_says_when_no_controller_acts() {
    let client = server(Log::default());
    let mut lines = Vec::new();
    let pace = Pace {
        timeout: Duration::from_millis(300),
        poll: Duration::from_millis(20),
        quiet: Duration::from_millis(100),
    };
    let waited = watch::<Neo4jRestore>(&client, "neo4j", "alone", pace, |l| lines.push(l.to_owned())).await;
    assert!(waited.unwrap_err().starts_with("gave up waiting after 0s"));
    assert_eq!(
        lines,
        [
            "Pending: no controller has acted on it yet".to_owned(),
            no_controller_hint("Neo4jRestore", "alone", Duration::from_millis(100)),
        ]
    );
    assert_eq!(
        no_controller_hint("Neo4jBackup", "nightly", Duration::from_secs(20)),
        "no controller has acted on neo4jbackup \"nightly\" after 20s: is neo4j-controller running? `kubectl -n neo4j-system get deployment neo4j-controller` shows it (`kubectl neo4j install` installs it)"
    );
}

#[tokio::test]
async fn promote_annotates_a_restore_waiting_for_it_and_refuses_the_others() {
    let log = Log::default();
    let client = server(log.clone());
    let said = promote(&client, "neo4j", "orders-back").await.unwrap();
    let docs =
        std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/plugin.md")).unwrap();
    assert!(
        docs.contains(&format!("$ kubectl neo4j restore promote orders-back\n{said}")),
        "docs/plugin.md shows: {said}"
    );
    let patched = log.lock().unwrap().iter().find(|(m, _, _)| *m == Method::PATCH).map(|(_, _, body)| body.clone());
    assert_eq!(patched, Some(json!({"metadata": {"annotations": {"neo4j.neo4j.com/promote": "true"}}})));
    assert_eq!(
        promote(&client, "neo4j", "by-itself").await.unwrap_err(),
        "neo4jrestore \"orders-back\" promotes by itself once its checks pass (promotion.automatic is not false); nothing to ask"
    );
    assert_eq!(
        promote(&client, "neo4j", "switched").await.unwrap_err(),
        "neo4jrestore \"orders-back\" has already switched the alias orders"
    );
    assert_eq!(
        promote(&client, "neo4j", "alone").await.unwrap_err(),
        "neo4jrestore \"alone\" has no spec.promotion: it restores into orders and promotes nothing"
    );
}
