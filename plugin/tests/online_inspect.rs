//! describe and logs against an API server stand-in.

use std::convert::Infallible;

use http::{Request, Response};
use k8s_openapi::jiff::Timestamp;
use kube::Client;
use kube::client::Body;
use kubectl_neo4j::online::inspect::{describe_restore, logs};
use serde_json::json;

fn server() -> Client {
    let service = tower::service_fn(|request: Request<Body>| async move {
        let uri = request.uri().to_string();
        let path = request.uri().path().to_owned();
        let json_body = |v: serde_json::Value| serde_json::to_vec(&v).unwrap();
        let body = match path.as_str() {
            "/apis/neo4j.neo4j.com/v1alpha1/namespaces/neo4j/neo4jrestores/back" => json_body(json!({
                "apiVersion": "neo4j.neo4j.com/v1alpha1", "kind": "Neo4jRestore", "metadata": {"name": "back", "namespace": "neo4j"},
                "spec": {"targetCluster": "prod", "databaseName": "orders", "stopCluster": true},
                "status": {"phase": "Running", "message": "waiting for the restore Job",
                    "progress": {"step": "Restoring", "artifact": "/backups/prod/orders-2025-01-20T02-00-00.backup", "originalReplicas": 3},
                    "plan": {"canRun": true, "target": "Neo4jEnterpriseCluster prod: 3 servers, Neo4j 2025.01.0-enterprise",
                        "database": "orders (new)", "source": "pvc://backups/prod/", "artifacts": "a", "reaches": "r",
                        "downtime": "all of prod, for an unknown time: no earlier restore into prod completed here, and the backup's size is not recorded",
                        "steps": [{"step": "Resolving", "action": "Job back-inspect lists pvc://backups/prod/"},
                            {"step": "StoppingCluster", "action": "scale StatefulSet prod-server from 3 to 0 replicas", "destructive": true},
                            {"step": "Restoring", "action": "Job back-restore runs neo4j-admin database restore"},
                            {"step": "StartingCluster", "action": "scale StatefulSet prod-server back to 3"}]},
                    "conditions": [{"type": "ClusterStopped", "status": "True", "reason": "ScaledDown", "message": "scaled to 0; 3 replicas are restored afterwards", "lastTransitionTime": "2025-01-20T11:50:00Z"}]}})),
            "/api/v1/namespaces/neo4j/events" => {
                assert!(
                    uri.contains("fieldSelector=involvedObject.kind%3DNeo4jRestore%2CinvolvedObject.name%3Dback"),
                    "{uri}"
                );
                json_body(json!({"apiVersion": "v1", "kind": "EventList", "metadata": {}, "items": [
                    {"metadata": {"name": "e1"}, "involvedObject": {}, "type": "Normal", "reason": "StoppingCluster",
                     "message": "recorded 3 replicas; stopping the target", "eventTime": "2025-01-20T11:49:00.000000Z"}]}))
            }
            "/apis/batch/v1/namespaces/neo4j/jobs" => {
                json_body(json!({"apiVersion": "batch/v1", "kind": "JobList", "metadata": {}, "items": [
                {"metadata": {"name": "back-inspect", "creationTimestamp": "2025-01-20T11:40:00Z"}},
                {"metadata": {"name": "back-restore", "creationTimestamp": "2025-01-20T11:51:00Z"}}]}))
            }
            "/api/v1/namespaces/neo4j/pods" => {
                json_body(json!({"apiVersion": "v1", "kind": "PodList", "metadata": {}, "items": [
                {"metadata": {"name": "back-restore-x7", "creationTimestamp": "2025-01-20T11:51:01Z"},
                 "spec": {"initContainers": [{"name": "restore"}], "containers": [{"name": "measure"}]}}]}))
            }
            "/api/v1/namespaces/neo4j/pods/back-restore-x7/log" if uri.contains("container=restore") => {
                b"Restoring orders...\nDone\n".to_vec()
            }
            "/api/v1/namespaces/neo4j/pods/back-restore-x7/log" => br#"{"bytes":1024,"files":2}"#.to_vec(),
            _ => json_body(
                json!({"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "NotFound", "code": 404, "message": "not found"}),
            ),
        };
        let status = if path.ends_with("/nope") { 404 } else { 200 };
        Ok::<_, Infallible>(Response::builder().status(status).body(Body::from(body)).unwrap())
    });
    Client::new(service, "neo4j")
}

fn now() -> Timestamp {
    "2025-01-20T12:00:00Z".parse().unwrap()
}

#[tokio::test]
async fn describe_shows_where_the_restore_is_what_it_recorded_and_what_happened() {
    let text = describe_restore(&server(), "neo4j", "back", now()).await.unwrap();
    assert!(
        text.starts_with("Name:        back\nNamespace:   neo4j\nPhase:       Running\nStep:        Restoring\n"),
        "{text}"
    );
    assert!(text.contains("Artifact:    /backups/prod/orders-2025-01-20T02-00-00.backup\n"), "{text}");
    assert!(text.contains("Servers:     scaled back to 3 when done (recorded before the scale-down)\n"), "{text}");
    // The plan recorded before the first destructive step, read against the progress (issue 15).
    assert!(
        text.contains(concat!(
            "Plan (as recorded before the first destructive step) and progress:\n",
            "  done  1. Resolving        Job back-inspect lists pvc://backups/prod/\n",
            "  done  2. StoppingCluster  scale StatefulSet prod-server from 3 to 0 replicas  [destructive]\n",
            "  now   3. Restoring        Job back-restore runs neo4j-admin database restore\n",
            "        4. StartingCluster  scale StatefulSet prod-server back to 3\n",
        )),
        "{text}"
    );
    assert!(
        text.contains(
            "  ClusterStopped   True     ScaledDown   10m ago   scaled to 0; 3 replicas are restored afterwards\n"
        ),
        "{text}"
    );
    assert!(
        text.contains("  Normal   StoppingCluster   11m ago   recorded 3 replicas; stopping the target\n"),
        "{text}"
    );
}

#[tokio::test]
async fn logs_show_every_container_of_the_newest_job_in_order() {
    let text = logs(&server(), "neo4j", "neo4j.neo4j.com/restore", "back").await.unwrap();
    assert_eq!(
        text,
        "==> job/back-restore pod/back-restore-x7 container restore <==\nRestoring orders...\nDone\n\
         ==> job/back-restore pod/back-restore-x7 container measure <==\n{\"bytes\":1024,\"files\":2}\n"
    );
}
