//! The restore reconciler against a scripted API server and a fake Bolt admin: the calls of each
//! step, in order, including the scale-down recorded before it happens, the guaranteed scale-up
//! on failure and deletion, and the database bring-up.

mod support;

use std::sync::{Arc, Mutex};

use futures::future::BoxFuture;
use http::{Method, StatusCode};
use kube::runtime::controller::Action as Requeue;
use neo4j_api::Neo4jRestore;
use neo4j_api::restore::machine::{Cypher, Database};
use neo4j_controller::restore::bolt::{DatabaseAdmin, Endpoint, Session};
use neo4j_controller::restore::reconcile;
use neo4j_testkit::bolt::Healthy;
use serde_json::{Value, json};
use support::{Step, checked, step};

/// Answers SHOW DATABASE with `database` and records what it was asked to run.
struct FakeAdmin {
    database: Database,
    ran: Mutex<Vec<(String, Cypher)>>,
    users: Mutex<Vec<String>>,
}

impl FakeAdmin {
    fn new(database: Database) -> Arc<Self> {
        Arc::new(Self { database, ran: Mutex::new(Vec::new()), users: Mutex::new(Vec::new()) })
    }
}

impl DatabaseAdmin for FakeAdmin {
    fn show<'a>(&'a self, endpoint: &'a Endpoint, _: &'a str) -> BoxFuture<'a, Result<Database, String>> {
        assert_eq!(endpoint.uri, "neo4j://prod-client.neo4j.svc.cluster.local:7687");
        assert_eq!((endpoint.user.as_str(), endpoint.password.as_str()), ("neo4j", "s3cret"));
        Box::pin(async move { Ok(self.database.clone()) })
    }
    fn open<'a>(&'a self, _: &'a Endpoint) -> BoxFuture<'a, Result<Box<dyn Session>, String>> {
        let healthy = Healthy { database: "orders".into(), nodes: 1250, relationships: 4800 };
        Box::pin(async move { Ok(Box::new(healthy) as Box<dyn Session>) })
    }
    fn run<'a>(
        &'a self,
        endpoint: &'a Endpoint,
        name: &'a str,
        cypher: &'a Cypher,
    ) -> BoxFuture<'a, Result<(), String>> {
        self.ran.lock().unwrap().push((name.to_owned(), cypher.clone()));
        self.users.lock().unwrap().push(format!("{}:{}", endpoint.user, endpoint.password));
        Box::pin(async { Ok(()) })
    }
}

const CLUSTER: &str = "/apis/neo4j.neo4j.com/v1alpha1/namespaces/neo4j/neo4jenterpriseclusters/prod";
const LIST_JOBS: &str = "/apis/batch/v1/namespaces/neo4j/jobs?&labelSelector=neo4j.neo4j.com%2Frestore%3Drecover";
const STS: &str = "/apis/apps/v1/namespaces/neo4j/statefulsets/prod-server";
const STS_SCALE: &str = "/apis/apps/v1/namespaces/neo4j/statefulsets/prod-server/scale";
const SERVICE: &str = "/api/v1/namespaces/neo4j/services/prod-client";
const SECRET: &str = "/api/v1/namespaces/neo4j/secrets/neo4j-admin-secret";
const RESTORE: &str = "/apis/neo4j.neo4j.com/v1alpha1/namespaces/neo4j/neo4jrestores/recover";
const STATUS: &str = "/apis/neo4j.neo4j.com/v1alpha1/namespaces/neo4j/neo4jrestores/recover/status";
const EVENTS: &str = "/apis/events.k8s.io/v1/namespaces/neo4j/events";

fn restore(spec: Value, status: Value) -> Value {
    let mut object = json!({"apiVersion": "neo4j.neo4j.com/v1alpha1", "kind": "Neo4jRestore",
        "metadata": {"name": "recover", "namespace": "neo4j", "uid": "0b1c2d3e-0000-4000-8000-00000000000b", "generation": 1, "resourceVersion": "7"},
        "spec": {"targetCluster": "prod", "databaseName": "orders", "stopCluster": true, "options": {"allowPlaintextBolt": true},
            "source": {"type": "storage", "storage": {"type": "pvc", "pvc": {"name": "backups"}}, "backupPath": "prod/orders-2025-01-20T02-00-00.backup"}},
        "status": status});
    json_patch::merge(&mut object["spec"], &spec);
    object
}

fn with_version(mut object: Value, version: &str) -> Value {
    object["metadata"]["resourceVersion"] = json!(version);
    object
}

fn progress(step: &str, extra: Value) -> Value {
    let mut progress =
        json!({"step": step, "artifact": "/backups/prod/orders-2025-01-20T02-00-00.backup", "generation": 1});
    json_patch::merge(&mut progress, &extra);
    json!({"phase": "Running", "progress": progress})
}

fn cluster() -> Value {
    json!({"apiVersion": "neo4j.neo4j.com/v1alpha1", "kind": "Neo4jEnterpriseCluster", "metadata": {"name": "prod", "namespace": "neo4j"},
        "spec": {"image": {"repo": "neo4j", "tag": "2025.01.0-enterprise"}, "topology": {"servers": 3}}})
}

fn sts(replicas: i32, pods: i32, ready: i32) -> Value {
    json!({"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "prod-server", "namespace": "neo4j"},
        "spec": {"replicas": replicas, "selector": {}, "template": {}, "serviceName": "prod-headless"},
        "status": {"replicas": pods, "readyReplicas": ready}})
}

/// The StatefulSet's scale subresource, as the API server answers a patch of it.
fn scale(replicas: i32) -> Value {
    json!({"apiVersion": "autoscaling/v1", "kind": "Scale", "metadata": {"name": "prod-server", "namespace": "neo4j"},
        "spec": {"replicas": replicas}, "status": {"replicas": replicas}})
}

fn jobs(items: Vec<Value>) -> Value {
    json!({"apiVersion": "batch/v1", "kind": "JobList", "metadata": {}, "items": items})
}

/// What each Bolt connection reads first: the client Service is checked, then the admin Secret.
fn login() -> Vec<Step> {
    vec![
        step(Method::GET, SERVICE, StatusCode::OK, client_service()),
        step(Method::GET, SECRET, StatusCode::OK, secret()),
    ]
}

/// The operator's client Service of the target: ClusterIP, controlled by the cluster.
fn client_service() -> Value {
    json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "prod-client", "namespace": "neo4j",
        "ownerReferences": [{"apiVersion": "neo4j.neo4j.com/v1alpha1", "kind": "Neo4jEnterpriseCluster", "name": "prod", "uid": "c-1", "controller": true}]},
        "spec": {"type": "ClusterIP", "clusterIP": "10.0.0.7"}})
}

fn secret() -> Value {
    // base64 of "neo4j" and "s3cret"
    json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "neo4j-admin-secret"}, "data": {"username": "bmVvNGo=", "password": "czNjcmV0"}})
}

fn event(reason: &'static str) -> Step {
    checked(Method::POST, EVENTS, StatusCode::CREATED, json!({}), move |body| {
        assert_eq!(body["reason"], reason, "{body}")
    })
}

fn observe_start(sts_answer: Value, job_items: Vec<Value>) -> Vec<Step> {
    vec![
        step(Method::GET, CLUSTER, StatusCode::OK, cluster()),
        step(Method::GET, LIST_JOBS, StatusCode::OK, jobs(job_items)),
        step(Method::GET, STS, StatusCode::OK, sts_answer),
    ]
}

async fn run(object: Value, admin: Arc<FakeAdmin>, steps: Vec<Step>) -> Requeue {
    let restore: Neo4jRestore = serde_json::from_value(object).expect("a Neo4jRestore");
    support::reconcile_with(admin, steps, |ctx| reconcile(Arc::new(restore), ctx)).await.expect("reconcile succeeds")
}

/// The plan is written before the first destructive step (issue 15, item 1), with the durations
/// of the namespace's earlier restores (when it stops changing: `still_planning`, api tests).
#[tokio::test]
async fn the_plan_is_recorded_before_anything_destructive() {
    let admin = FakeAdmin::new(Database::Unknown);
    let mut steps = observe_start(sts(3, 3, 3), vec![]);
    let earlier = json!({"apiVersion": "neo4j.neo4j.com/v1alpha1", "kind": "Neo4jRestore",
        "metadata": {"name": "last-week", "namespace": "neo4j"},
        "spec": {"targetCluster": "prod", "databaseName": "orders", "source": {"type": "backup", "backupRef": "nightly"}},
        "status": {"phase": "Completed", "startTime": "2025-01-13T01:00:00Z", "completionTime": "2025-01-13T01:20:00Z"}});
    steps.extend([
        step(
            Method::GET,
            "/apis/neo4j.neo4j.com/v1alpha1/namespaces/neo4j/neo4jrestores",
            StatusCode::OK,
            json!({"apiVersion": "neo4j.neo4j.com/v1alpha1", "kind": "Neo4jRestoreList", "metadata": {}, "items": [earlier]}),
        ),
        checked(Method::PATCH, STATUS, StatusCode::OK, restore(json!({}), json!(null)), |body| {
            assert_eq!(body["status"]["progress"]["step"], "PreRestoreHooks");
            let plan = &body["status"]["plan"];
            assert_eq!(plan["canRun"], true, "{plan}");
            assert_eq!(plan["target"], "Neo4jEnterpriseCluster prod: 3 servers, Neo4j 2025.01.0-enterprise");
            assert_eq!(
                plan["artifacts"],
                "pvc://backups/prod/orders-2025-01-20T02-00-00.backup (named by backupPath), with the chain it ends"
            );
            assert_eq!(
                plan["downtime"],
                "all of prod, for about 20m0s (the longest of 1 earlier restore(s) into prod, from start to completion)"
            );
            let steps: Vec<&str> = plan["steps"].as_array().unwrap().iter().map(|s| s["step"].as_str().unwrap()).collect();
            assert_eq!(steps, ["Resolving", "StoppingCluster", "Restoring", "StartingCluster", "BringingUp", "Checking"]);
            assert_eq!(plan["steps"][1]["destructive"], true);
        }),
        event("PreRestoreHooks"),
    ]);
    run(restore(json!({}), json!(null)), admin, steps).await;
}

#[tokio::test]
async fn the_size_is_recorded_with_the_finalizer_before_any_scale_down() {
    let admin = FakeAdmin::new(Database::Absent);
    let mut steps = observe_start(sts(3, 3, 3), vec![]);
    steps.extend([
        checked(Method::PATCH, RESTORE, StatusCode::OK, with_version(restore(json!({}), json!(null)), "8"), |body| {
            assert_eq!(body["metadata"]["finalizers"], json!(["neo4j.neo4j.com/restore-scale-up"]));
            assert_eq!(body["metadata"]["resourceVersion"], "7");
        }),
        // The hold on the operator's object: one annotation, nothing else of it.
        checked(Method::PATCH, CLUSTER, StatusCode::OK, cluster(), |body| {
            assert_eq!(body, &json!({"metadata": {"annotations": {"neo4j.com/restore-in-progress": "recover"}}}));
        }),
        checked(Method::PATCH, STATUS, StatusCode::OK, restore(json!({}), json!(null)), |body| {
            let progress = &body["status"]["progress"];
            assert_eq!(
                (progress["step"].clone(), progress["originalReplicas"].clone()),
                (json!("StoppingCluster"), json!(3))
            );
            assert_eq!(progress["databaseExisted"], false);
            assert_eq!(progress["targetHeld"], true);
            // Against the version our own finalizer write left (issue 13, item 8).
            assert_eq!(body["metadata"]["resourceVersion"], "8");
        }),
        event("StoppingCluster"),
    ]);
    // Whether the database existed was recorded by an earlier decision of this step.
    let known = json!({"databaseExisted": false, "topology": {"primaries": 3, "secondaries": 0}});
    run(restore(json!({}), progress("PreRestoreHooks", known)), admin, steps).await;
}

#[tokio::test]
async fn stopping_scales_to_zero_and_a_failed_restore_scales_back() {
    let admin = FakeAdmin::new(Database::Unknown);
    let mut steps = observe_start(sts(3, 3, 3), vec![]);
    steps.extend([
        checked(Method::PATCH, STS_SCALE, StatusCode::OK, scale(0), |body| {
            assert_eq!(body, &json!({"spec": {"replicas": 0}}))
        }),
        step(Method::PATCH, STATUS, StatusCode::OK, restore(json!({}), json!(null))),
    ]);
    let stopping = progress("StoppingCluster", json!({"originalReplicas": 3, "databaseExisted": false}));
    run(restore(json!({}), stopping), admin.clone(), steps).await;

    let failed = json!({"apiVersion": "batch/v1", "kind": "Job",
        "metadata": {"name": "recover-restore", "namespace": "neo4j", "uid": "job-uid-1", "labels": {"app.kubernetes.io/component": "restore"},
            "ownerReferences": [{"apiVersion": "neo4j.neo4j.com/v1alpha1", "kind": "Neo4jRestore", "name": "recover", "uid": "0b1c2d3e-0000-4000-8000-00000000000b"}]},
        "status": {"failed": 1, "conditions": [{"type": "Failed", "status": "True", "reason": "DeadlineExceeded", "message": "Job was active longer than specified deadline"}]}});
    let pods = json!({"apiVersion": "v1", "kind": "PodList", "metadata": {}, "items": []});
    let steps = vec![
        step(Method::GET, CLUSTER, StatusCode::OK, cluster()),
        step(Method::GET, LIST_JOBS, StatusCode::OK, jobs(vec![failed])),
        step(
            Method::GET,
            "/api/v1/namespaces/neo4j/pods?&labelSelector=job-name%3Drecover-restore",
            StatusCode::OK,
            pods,
        ),
        step(Method::GET, STS, StatusCode::OK, sts(0, 0, 0)),
        checked(Method::PATCH, STS_SCALE, StatusCode::OK, scale(3), |body| {
            assert_eq!(body, &json!({"spec": {"replicas": 3}}))
        }),
        checked(Method::PATCH, STATUS, StatusCode::OK, restore(json!({}), json!(null)), |body| {
            assert_eq!(body["status"]["phase"], "Running");
            assert_eq!(
                body["status"]["message"],
                "the restore Job failed: Job was active longer than specified deadline; scaling the target back to 3 replicas"
            );
        }),
        event("StartingCluster"),
    ];
    let restoring = progress("Restoring", json!({"originalReplicas": 3, "databaseExisted": false}));
    run(restore(json!({}), restoring), admin, steps).await;
}

#[tokio::test]
async fn deletion_mid_restore_scales_back_then_lets_go() {
    let admin = FakeAdmin::new(Database::Unknown);
    let mut deleting = restore(json!({}), progress("Restoring", json!({"originalReplicas": 3})));
    deleting["metadata"]["deletionTimestamp"] = json!("2025-01-20T02:59:00Z");
    deleting["metadata"]["finalizers"] = json!(["neo4j.neo4j.com/restore-scale-up"]);
    let mut steps = observe_start(sts(0, 0, 0), vec![]);
    steps.extend([
        checked(Method::PATCH, STS_SCALE, StatusCode::OK, scale(3), |body| assert_eq!(body["spec"]["replicas"], 3)),
        step(Method::PATCH, STATUS, StatusCode::OK, restore(json!({}), json!(null))),
        event("RestoreFailed"),
    ]);
    run(deleting.clone(), admin.clone(), steps).await;
    let mut steps = observe_start(sts(3, 1, 0), vec![]);
    steps.push(checked(Method::PATCH, RESTORE, StatusCode::OK, deleting.clone(), |body| {
        assert_eq!(body["metadata"]["finalizers"], json!([]));
    }));
    let action = run(deleting, admin, steps).await;
    assert_eq!(action, Requeue::await_change());
}

#[tokio::test]
async fn bring_up_creates_a_new_database_then_completes_with_the_hooks() {
    let admin = FakeAdmin::new(Database::Absent);
    let mut steps = observe_start(sts(3, 3, 3), vec![]);
    steps.extend(login());
    steps.extend(login());
    steps.extend([step(Method::PATCH, STATUS, StatusCode::OK, restore(json!({}), json!(null)))]);
    let bringing_up = progress("BringingUp", json!({"originalReplicas": 3, "databaseExisted": false}));
    run(restore(json!({}), bringing_up), admin.clone(), steps).await;
    let seed_host = "prod-server-0.prod-headless.neo4j.svc.cluster.local".to_owned();
    // No topology recorded in the progress: the default for 3 servers, 3 primaries.
    let topology = neo4j_api::DatabaseTopology { primaries: Some(3), secondaries: Some(0) };
    assert_eq!(*admin.ran.lock().unwrap(), vec![("orders".to_owned(), Cypher::CreateSeeded { seed_host, topology })]);

    let admin = FakeAdmin::new(Database::present(true));
    let spec = json!({"options": {"postRestore": {"cypherStatements": ["CALL db.awaitIndexes(60)"]}}});
    let hooks = progress("PostRestoreHooks", json!({"originalReplicas": 3, "databaseExisted": false}));
    let mut steps = observe_start(sts(3, 3, 3), vec![]);
    steps.extend(login());
    steps.extend([
        checked(Method::PATCH, STATUS, StatusCode::OK, restore(json!({}), json!(null)), |body| {
            assert_eq!(body["status"]["phase"], "Running");
            assert_eq!(body["status"]["progress"]["step"], "Checking");
            assert_eq!(body["status"]["message"], "the database is online; running its health checks");
        }),
        event("CheckingHealth"),
    ]);
    run(restore(spec.clone(), hooks), admin.clone(), steps).await;
    assert_eq!(
        *admin.ran.lock().unwrap(),
        vec![("orders".to_owned(), Cypher::Statements(vec!["CALL db.awaitIndexes(60)".into()]))]
    );

    // The checks (issue 15, item 3) run on the restored database, and only then is it Completed.
    let checking = progress("Checking", json!({"originalReplicas": 3, "databaseExisted": false}));
    let mut object = restore(spec, checking);
    object["metadata"]["finalizers"] = json!(["neo4j.neo4j.com/restore-scale-up"]);
    let mut steps = observe_start(sts(3, 3, 3), vec![]);
    steps.extend(login());
    steps.extend([
        checked(Method::PATCH, RESTORE, StatusCode::OK, restore(json!({}), json!(null)), |body| {
            assert_eq!(body["metadata"]["finalizers"], json!([]));
        }),
        checked(Method::PATCH, STATUS, StatusCode::OK, restore(json!({}), json!(null)), |body| {
            let status = &body["status"];
            assert_eq!(status["stats"]["nodeCount"], 1_250);
            assert_eq!(status["stats"]["relationshipCount"], 4_800);
            assert_eq!(status["phase"], "Completed");
            assert_eq!(status["message"], "the database is restored, online and passed its 4 health check(s)");
            let checks: Vec<(&str, &str, &str)> = status["health"]["checks"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| (c["name"].as_str().unwrap(), c["outcome"].as_str().unwrap(), c["message"].as_str().unwrap()))
                .collect();
            assert_eq!(
                checks,
                [
                    ("connectivity", "pass", "logged in and ran a query"),
                    ("databases", "pass", "1 of 1 allocation(s) online, every one as requested"),
                    ("schema", "pass", "0 index(es) ONLINE; 0 constraint(s), 0 of them backed by an ONLINE index"),
                    ("counts", "pass", "1250 nodes, 4800 relationships"),
                ]
            );
            assert_eq!(status["health"]["target"], "Neo4jEnterpriseCluster neo4j/prod, database orders");
            let healthy = status["conditions"].as_array().unwrap().iter().find(|c| c["type"] == "Healthy").unwrap();
            assert_eq!((&healthy["status"], &healthy["reason"]), (&json!("True"), &json!("ChecksPassed")));
        }),
        event("RestoreSucceeded"),
    ]);
    let action = run(object, admin.clone(), steps).await;
    assert_eq!(action, Requeue::requeue(std::time::Duration::from_secs(5)));
}

// Issue 13, item 3: deleting a restore while neo4j-admin writes into server 0's claim deletes the
// restore Job first (foreground) and waits for its Pod; the scale-up comes after.
#[tokio::test]
async fn deletion_while_the_restore_job_runs_stops_it_before_the_scale_up() {
    let admin = FakeAdmin::new(Database::Unknown);
    let mut deleting = restore(json!({}), progress("Restoring", json!({"originalReplicas": 3, "storeTouched": true})));
    deleting["metadata"]["deletionTimestamp"] = json!("2025-01-20T02:59:00Z");
    deleting["metadata"]["finalizers"] = json!(["neo4j.neo4j.com/restore-scale-up"]);
    let running = json!({"apiVersion": "batch/v1", "kind": "Job",
        "metadata": {"name": "recover-restore", "namespace": "neo4j", "uid": "job-uid-1", "labels": {"app.kubernetes.io/component": "restore"},
            "ownerReferences": [{"apiVersion": "neo4j.neo4j.com/v1alpha1", "kind": "Neo4jRestore", "name": "recover", "uid": "0b1c2d3e-0000-4000-8000-00000000000b"}]},
        "status": {"active": 1}});
    let pods = json!({"apiVersion": "v1", "kind": "PodList", "metadata": {}, "items": [
        {"metadata": {"name": "recover-restore-x", "ownerReferences": [{"apiVersion": "batch/v1", "kind": "Job", "name": "recover-restore", "uid": "job-uid-1"}]}, "status": {"phase": "Running"}}]});
    const PODS: &str = "/api/v1/namespaces/neo4j/pods?&labelSelector=job-name%3Drecover-restore";
    let steps = vec![
        step(Method::GET, CLUSTER, StatusCode::OK, cluster()),
        step(Method::GET, LIST_JOBS, StatusCode::OK, jobs(vec![running])),
        step(Method::GET, PODS, StatusCode::OK, pods.clone()),
        step(Method::GET, STS, StatusCode::OK, sts(0, 0, 0)),
        checked(
            Method::DELETE,
            "/apis/batch/v1/namespaces/neo4j/jobs/recover-restore",
            StatusCode::OK,
            json!({}),
            |body| {
                assert_eq!(body["propagationPolicy"], "Foreground", "{body}");
            },
        ),
        checked(Method::PATCH, STATUS, StatusCode::OK, restore(json!({}), json!(null)), |body| {
            assert_eq!(
                body["status"]["message"],
                "deleted mid-restore; stopping the restore Job before the servers start on its data"
            );
        }),
        event("RestoreFailed"),
    ];
    run(deleting.clone(), admin.clone(), steps).await;
    // The Job is being deleted (foreground) and its Pod still terminates: nothing is scaled.
    let mut going = json!({"apiVersion": "batch/v1", "kind": "Job",
        "metadata": {"name": "recover-restore", "namespace": "neo4j", "uid": "job-uid-1", "labels": {"app.kubernetes.io/component": "restore"},
            "ownerReferences": [{"apiVersion": "neo4j.neo4j.com/v1alpha1", "kind": "Neo4jRestore", "name": "recover", "uid": "0b1c2d3e-0000-4000-8000-00000000000b"}],
            "deletionTimestamp": "2025-01-20T03:00:00Z"},
        "status": {"failed": 1, "conditions": [{"type": "Failed", "status": "True", "reason": "Deleted", "message": "deleted"}]}});
    going["metadata"]["finalizers"] = json!(["foregroundDeletion"]);
    let steps = vec![
        step(Method::GET, CLUSTER, StatusCode::OK, cluster()),
        step(Method::GET, LIST_JOBS, StatusCode::OK, jobs(vec![going])),
        step(Method::GET, PODS, StatusCode::OK, pods),
        step(Method::GET, STS, StatusCode::OK, sts(0, 0, 0)),
        checked(Method::PATCH, STATUS, StatusCode::OK, restore(json!({}), json!(null)), |body| {
            assert_eq!(
                body["status"]["message"],
                "deleted mid-restore; waiting until no Pod of the restore Job is left on server 0's data claim"
            );
        }),
    ];
    run(deleting, admin, steps).await;
}

// Issue 13, item 5: a target that cannot be read mid-restore (its CR deleted or re-applied wrong)
// never keeps its servers at 0: the StatefulSet recorded at the scale-down, by name and with its
// UID as a precondition, is scaled back.
#[tokio::test]
async fn a_target_gone_mid_restore_still_gets_its_statefulset_back_by_name_and_uid() {
    let admin = FakeAdmin::new(Database::Unknown);
    let recorded = json!({"originalReplicas": 3, "databaseExisted": false,
        "statefulset": {"name": "prod-server", "uid": "sts-uid-1"}});
    let mut set = sts(0, 0, 0);
    set["metadata"]["uid"] = json!("sts-uid-1");
    let steps = vec![
        step(Method::GET, CLUSTER, StatusCode::NOT_FOUND, support::not_found("neo4jenterpriseclusters prod")),
        step(
            Method::GET,
            "/apis/neo4j.neo4j.com/v1alpha1/namespaces/neo4j/neo4jenterprisestandalones/prod",
            StatusCode::NOT_FOUND,
            support::not_found("neo4jenterprisestandalones prod"),
        ),
        step(Method::GET, LIST_JOBS, StatusCode::OK, jobs(vec![])),
        step(Method::GET, STS, StatusCode::OK, set),
        checked(Method::PATCH, STS_SCALE, StatusCode::OK, scale(3), |body| {
            assert_eq!(body, &json!({"metadata": {"uid": "sts-uid-1"}, "spec": {"replicas": 3}}));
        }),
        checked(Method::PATCH, STATUS, StatusCode::OK, restore(json!({}), json!(null)), |body| {
            assert_eq!(body["status"]["message"], "the target no longer exists; scaling the target back to 3 replicas");
        }),
        event("StartingCluster"),
    ];
    run(restore(json!({}), progress("Restoring", recorded)), admin, steps).await;
}

// Issue 13, item 9: the admin password goes only to the target's own Service; an ExternalName
// Service of that name gets nothing (the Secret is never even read).
#[tokio::test]
async fn an_external_name_client_service_gets_no_credentials() {
    let admin = FakeAdmin::new(Database::Unknown);
    let external = json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "prod-client", "namespace": "neo4j"},
        "spec": {"type": "ExternalName", "externalName": "collector.example.com"}});
    let mut steps = observe_start(sts(3, 3, 3), vec![]);
    steps.extend([
        step(Method::GET, SERVICE, StatusCode::OK, external),
        checked(Method::PATCH, STATUS, StatusCode::OK, restore(json!({}), json!(null)), |body| {
            let message = body["status"]["message"].as_str().unwrap_or_default();
            assert!(message.contains("the Service \"prod-client\" is of type ExternalName"), "{message}");
        }),
    ]);
    let bringing_up = progress("BringingUp", json!({"originalReplicas": 3, "databaseExisted": false}));
    run(restore(json!({}), bringing_up), admin.clone(), steps).await;
    assert!(admin.ran.lock().unwrap().is_empty(), "nothing was sent");
}

// Issue 13, item 10: a StatefulSet named like the target's but controlled by something else is
// never scaled; the restore fails before anything is touched.
#[tokio::test]
async fn a_statefulset_the_target_does_not_control_is_not_scaled() {
    let admin = FakeAdmin::new(Database::Absent);
    let mut foreign = sts(3, 3, 3);
    foreign["metadata"]["ownerReferences"] =
        json!([{"apiVersion": "apps/v1", "kind": "Deployment", "name": "imposter", "uid": "d-1", "controller": true}]);
    let mut steps = observe_start(foreign, vec![]);
    steps.extend([
        checked(Method::PATCH, STATUS, StatusCode::OK, restore(json!({}), json!(null)), |body| {
            assert_eq!(body["status"]["phase"], "Failed", "{body}");
            assert_eq!(
                body["status"]["message"],
                "the StatefulSet \"prod-server\" is controlled by Deployment \"imposter\", not by the target \"prod\"; it is not scaled"
            );
        }),
        event("RestoreFailed"),
    ]);
    let known = json!({"databaseExisted": false, "topology": {"primaries": 3, "secondaries": 0}});
    run(restore(json!({}), progress("PreRestoreHooks", known)), admin.clone(), steps).await;
    assert!(admin.ran.lock().unwrap().is_empty());
}

// Issue 13, item 1: a hook's statements run as the user its cypherCredentialsSecretRef names,
// not as the target's admin.
#[tokio::test]
async fn hook_statements_run_as_the_user_the_spec_names() {
    let admin = FakeAdmin::new(Database::present(true));
    let spec = json!({"options": {"postRestore": {"cypherStatements": ["CALL db.awaitIndexes(60)"], "cypherCredentialsSecretRef": "hook-user"}}});
    let hooks = progress("PostRestoreHooks", json!({"originalReplicas": 3, "databaseExisted": false}));
    // base64 of "checker" and "only-reads"
    let hook_user = json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "hook-user"},
        "data": {"username": "Y2hlY2tlcg==", "password": "b25seS1yZWFkcw=="}});
    let mut steps = observe_start(sts(3, 3, 3), vec![]);
    steps.extend(login());
    steps.extend([
        step(Method::GET, "/api/v1/namespaces/neo4j/secrets/hook-user", StatusCode::OK, hook_user),
        step(Method::PATCH, STATUS, StatusCode::OK, restore(json!({}), json!(null))),
        event("CheckingHealth"),
    ]);
    run(restore(spec, hooks), admin.clone(), steps).await;
    assert_eq!(*admin.users.lock().unwrap(), vec!["checker:only-reads"]);
}
