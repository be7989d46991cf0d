//! The online verbs against an API server stand-in (kube's mock-service pattern): tables, wide
//! columns, YAML/JSON lists, names, `-A`, and the errors that name the fix.

use std::convert::Infallible;

use http::{Request, Response, StatusCode};
use k8s_openapi::jiff::Timestamp;
use kube::Client;
use kube::client::Body;
use kubectl_neo4j::online::list::{Output, Scope, show, status};
use neo4j_api::{Neo4jBackup, Neo4jRestore};
use serde_json::{Value, json};

fn backup(namespace: &str, name: &str, status: Value) -> Value {
    json!({"apiVersion": "neo4j.neo4j.com/v1alpha1", "kind": "Neo4jBackup",
        "metadata": {"name": name, "namespace": namespace, "creationTimestamp": "2025-01-15T12:00:00Z"},
        "spec": {"target": {"kind": "Cluster", "name": "prod"}, "schedule": "0 2 * * *",
            "storage": {"type": "s3", "bucket": "b", "path": "/nightly/"}},
        "status": status})
}

fn restore(name: &str) -> Value {
    json!({"apiVersion": "neo4j.neo4j.com/v1alpha1", "kind": "Neo4jRestore",
        "metadata": {"name": name, "namespace": "neo4j", "creationTimestamp": "2025-01-20T11:48:00Z"},
        "spec": {"targetCluster": "prod", "databaseName": "orders", "source": {"type": "backup", "backupRef": "nightly"}},
        "status": {"phase": "Running", "message": "waiting for the restore Job", "progress": {"step": "Restoring"}}})
}

fn list(kind: &str, items: Vec<Value>) -> Value {
    json!({"apiVersion": "neo4j.neo4j.com/v1alpha1", "kind": kind, "metadata": {}, "items": items})
}

/// Answers GETs from a fixed world: two backups (one failing) and a restore in `neo4j`.
fn client() -> Client {
    let service = tower::service_fn(|request: Request<Body>| async move {
        let path = request.uri().path().to_owned();
        let good = backup(
            "neo4j",
            "nightly",
            json!({"phase": "Completed", "lastSuccessfulBackupTime": "2025-01-20T09:00:00Z",
            "nextScheduleTime": "2025-01-21T02:00:00Z", "history": [{"jobName": "nightly-backup-2", "phase": "Succeeded"}]}),
        );
        let bad = backup(
            "other",
            "hourly",
            json!({"phase": "Failed", "message": "Job hourly-backup-9 failed: BackoffLimitExceeded",
            "history": [{"jobName": "hourly-backup-9", "phase": "Failed"}, {"jobName": "hourly-backup-8", "phase": "Failed"}]}),
        );
        let (code, body) = match path.as_str() {
            "/apis/neo4j.neo4j.com/v1alpha1/namespaces/neo4j/neo4jbackups" => {
                (200, list("Neo4jBackupList", vec![good]))
            }
            "/apis/neo4j.neo4j.com/v1alpha1/neo4jbackups" => (200, list("Neo4jBackupList", vec![good, bad])),
            "/apis/neo4j.neo4j.com/v1alpha1/namespaces/neo4j/neo4jbackups/nightly" => (200, good),
            "/apis/neo4j.neo4j.com/v1alpha1/namespaces/neo4j/neo4jrestores" => {
                (200, list("Neo4jRestoreList", vec![restore("orders-back")]))
            }
            "/apis/neo4j.neo4j.com/v1alpha1/neo4jrestores" => {
                (200, list("Neo4jRestoreList", vec![restore("orders-back")]))
            }
            "/apis/neo4j.neo4j.com/v1alpha1/namespaces/empty/neo4jbackups" => (200, list("Neo4jBackupList", vec![])),
            _ => (
                404,
                json!({"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "NotFound", "code": 404, "message": "not found"}),
            ),
        };
        let response = Response::builder()
            .status(StatusCode::from_u16(code).unwrap())
            .body(Body::from(serde_json::to_vec(&body).unwrap()))
            .unwrap();
        Ok::<_, Infallible>(response)
    });
    Client::new(service, "neo4j")
}

fn now() -> Timestamp {
    "2025-01-20T12:00:00Z".parse().unwrap()
}

fn ns(name: &str) -> Scope {
    Scope::Namespace(name.to_owned())
}

#[tokio::test]
async fn backups_as_a_table_wide_and_across_namespaces() {
    let table = show::<Neo4jBackup>(&client(), &ns("neo4j"), None, Output::Table, now()).await.unwrap();
    assert_eq!(
        table,
        "NAME      TARGET   STORAGE          SCHEDULE    PHASE       LAST SUCCESS   AGE\n\
         nightly   prod     s3://b/nightly   0 2 * * *   Completed   3h ago         5d\n"
    );
    let wide = show::<Neo4jBackup>(&client(), &ns("neo4j"), None, Output::Wide, now()).await.unwrap();
    assert!(wide.lines().next().unwrap().ends_with("AGE   NEXT RUN               FAILURES   MESSAGE"), "{wide}");
    assert!(wide.contains("2025-01-21T02:00:00Z   0"), "{wide}");
    let all = show::<Neo4jBackup>(&client(), &Scope::All, None, Output::Table, now()).await.unwrap();
    let lines: Vec<&str> = all.lines().collect();
    assert!(lines[0].starts_with("NAMESPACE   NAME      "), "{all}");
    assert!(lines[2].starts_with("other       hourly    prod"), "{all}");
    assert_eq!(
        show::<Neo4jBackup>(&client(), &ns("empty"), None, Output::Table, now()).await.unwrap(),
        "No Neo4jBackups found in namespace empty.\n"
    );
}

#[tokio::test]
async fn machine_readable_outputs() {
    let names = show::<Neo4jBackup>(&client(), &Scope::All, None, Output::Name, now()).await.unwrap();
    assert_eq!(names, "neo4jbackup.neo4j.neo4j.com/nightly\nneo4jbackup.neo4j.neo4j.com/hourly\n");
    let listed: Value =
        serde_json::from_str(&show::<Neo4jBackup>(&client(), &ns("neo4j"), None, Output::Json, now()).await.unwrap())
            .unwrap();
    assert_eq!(
        (listed["kind"].as_str(), listed["items"][0]["metadata"]["name"].as_str()),
        (Some("List"), Some("nightly"))
    );
    let one: Value = serde_saphyr::from_str(
        &show::<Neo4jBackup>(&client(), &ns("neo4j"), Some("nightly"), Output::Yaml, now()).await.unwrap(),
    )
    .unwrap();
    assert_eq!(one["kind"], "Neo4jBackup", "get prints the object itself");
}

#[tokio::test]
async fn a_missing_object_names_the_fix() {
    let err = show::<Neo4jBackup>(&client(), &ns("neo4j"), Some("nope"), Output::Table, now()).await.unwrap_err();
    assert_eq!(err, "neo4jbackup \"nope\" not found; `kubectl neo4j backup list` shows what exists");
    let err = show::<Neo4jRestore>(&client(), &ns("neo4j"), Some("nope"), Output::Table, now()).await.unwrap_err();
    assert_eq!(err, "neo4jrestore \"nope\" not found; `kubectl neo4j restore list` shows what exists");
}

#[tokio::test]
async fn restores_show_their_step() {
    let table = show::<Neo4jRestore>(&client(), &ns("neo4j"), None, Output::Table, now()).await.unwrap();
    assert_eq!(
        table,
        "NAME          TARGET   DATABASE   SOURCE   PHASE     STEP        AGE\n\
         orders-back   prod     orders     backup   Running   Restoring   12m\n"
    );
}

#[tokio::test]
async fn status_puts_problems_first() {
    let text = status(&client(), &Scope::All, now()).await.unwrap();
    assert_eq!(
        text,
        "\
Controller:  deployment neo4j-system/neo4j-controller: not installed (kubectl neo4j install)
Leader:      lease neo4j-system/kubectl-neo4j-controller: none: no controller has ever run
Webhook:     deployment neo4j-system/neo4j-webhook: not installed (kubectl neo4j install)
Mutating:    mutatingwebhookconfiguration neo4j-webhook: not installed (kubectl neo4j install)
Validating:  validatingwebhookconfiguration neo4j-webhook: not installed (kubectl neo4j install)

BACKUP          PHASE       LAST SUCCESS   FAILED RUNS IN A ROW   MESSAGE
other/hourly    Failed      -              2                      Job hourly-backup-9 failed: BackoffLimitExceeded
neo4j/nightly   Completed   3h ago         0

RESTORE             PHASE     STEP        AGE   MESSAGE
neo4j/orders-back   Running   Restoring   12m   waiting for the restore Job
"
    );
}
