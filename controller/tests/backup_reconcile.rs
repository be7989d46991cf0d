//! The backup reconciler against a scripted API server (kube's tower-test mock pattern): every
//! call it makes is asserted in order, with its body, and answered as the API server would.

mod support;

use std::sync::Arc;

use http::{Method, StatusCode};
use kube::runtime::controller::Action;
use neo4j_api::Neo4jBackup;
use neo4j_controller::backup::reconcile;
use serde_json::{Value, json};
use support::{AGENT, Step, checked, not_found, now, step};

async fn run(backup: Value, steps: Vec<Step>) -> Action {
    let backup: Neo4jBackup = serde_json::from_value(backup).expect("a Neo4jBackup");
    let admin = Arc::new(neo4j_controller::restore::bolt::Bolt);
    support::reconcile_with(admin, steps, |ctx| reconcile(Arc::new(backup), ctx)).await.expect("reconcile succeeds")
}

fn backup(spec: Value, status: Value) -> Value {
    let mut object = json!({"apiVersion": "neo4j.neo4j.com/v1alpha1", "kind": "Neo4jBackup",
        "metadata": {"name": "nightly", "namespace": "neo4j", "uid": "0b1c2d3e-0000-4000-8000-00000000000a", "generation": 1},
        "spec": {"target": {"kind": "Cluster", "name": "prod"}, "storage": {"type": "s3", "bucket": "my-backups", "cloud": {"credentialsSecretRef": "aws-creds"}}},
        "status": status});
    json_patch::merge(&mut object["spec"], &spec);
    object
}

fn cluster() -> Value {
    json!({"apiVersion": "neo4j.neo4j.com/v1alpha1", "kind": "Neo4jEnterpriseCluster", "metadata": {"name": "prod", "namespace": "neo4j"},
        "spec": {"image": {"repo": "neo4j", "tag": "2025.01.0-enterprise"}, "topology": {"servers": 3}}})
}

fn job(status: Value) -> Value {
    json!({"apiVersion": "batch/v1", "kind": "Job",
        "metadata": {"name": "nightly-backup", "namespace": "neo4j", "uid": "job-backup-1", "labels": {"neo4j.neo4j.com/backup": "nightly"},
            "ownerReferences": [{"apiVersion": "neo4j.neo4j.com/v1alpha1", "kind": "Neo4jBackup", "name": "nightly", "uid": "0b1c2d3e-0000-4000-8000-00000000000a"}],
            "annotations": {"neo4j.neo4j.com/backup-type": "FULL", "neo4j.neo4j.com/location": "s3://my-backups"}},
        "status": status})
}

fn list(items: Vec<Value>) -> Value {
    json!({"apiVersion": "batch/v1", "kind": "JobList", "metadata": {}, "items": items})
}

const CLUSTER: &str = "/apis/neo4j.neo4j.com/v1alpha1/namespaces/neo4j/neo4jenterpriseclusters/prod";
const STANDALONE: &str = "/apis/neo4j.neo4j.com/v1alpha1/namespaces/neo4j/neo4jenterprisestandalones/prod";
const JOB: &str = "/apis/batch/v1/namespaces/neo4j/jobs/nightly-backup";
const JOBS: &str = "/apis/batch/v1/namespaces/neo4j/jobs";
const LIST_JOBS: &str = "/apis/batch/v1/namespaces/neo4j/jobs?&labelSelector=neo4j.neo4j.com%2Fbackup%3Dnightly";
const CRONJOB: &str =
    "/apis/batch/v1/namespaces/neo4j/cronjobs/nightly-backup?&force=true&fieldManager=kubectl-neo4j-controller";
const CRONJOBS_NIGHTLY: &str = "/apis/batch/v1/namespaces/neo4j/cronjobs/nightly-backup";
const STATUS: &str = "/apis/neo4j.neo4j.com/v1alpha1/namespaces/neo4j/neo4jbackups/nightly/status";
const EVENTS: &str = "/apis/events.k8s.io/v1/namespaces/neo4j/events";

fn event(reason: &'static str) -> Step {
    checked(Method::POST, EVENTS, StatusCode::CREATED, json!({}), move |body| {
        assert_eq!(body["reason"], reason, "event: {body}");
        assert_eq!(body["regarding"]["name"], "nightly");
    })
}

fn status_is(phase: &'static str, message: &'static str) -> Step {
    checked(Method::PATCH, STATUS, StatusCode::OK, backup(json!({}), json!(null)), move |body| {
        assert_eq!(body["status"]["phase"], phase, "{body}");
        assert_eq!(body["status"]["message"], message, "{body}");
        assert_eq!(body["status"]["observedGeneration"], 1);
    })
}

#[tokio::test]
async fn first_run_creates_the_job_as_planned() {
    let steps = vec![
        step(Method::GET, CLUSTER, StatusCode::OK, cluster()),
        step(Method::GET, JOB, StatusCode::NOT_FOUND, not_found("jobs nightly-backup")),
        checked(Method::POST, JOBS, StatusCode::CREATED, job(json!({})), |body| {
            // Verification is on when the spec does not say (the default, also without the webhook):
            // the backup is the first init container, the check follows it, then the location is
            // listed and its window reported by the main container (issue 14, item 2).
            let pod = &body["spec"]["template"]["spec"];
            let init: Vec<&str> =
                pod["initContainers"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
            assert_eq!(init, ["backup", "inventory", "databases", "verify", "listing"]);
            assert_eq!(pod["containers"][0]["name"], "window");
            assert_eq!(pod["containers"][0]["args"], json!(["window", "--inventory=/scratch/listing.txt"]));
            let container = &pod["initContainers"][0];
            assert_eq!(container["name"], "backup");
            // S3 with a credentials Secret: neo4j-admin runs under the AWS_REGION fallback script.
            assert_eq!(container["command"][3], "with-aws-region");
            assert_eq!(
                container["command"].as_array().unwrap()[4..7],
                json!(["neo4j-admin", "database", "backup"]).as_array().unwrap()[..]
            );
            assert_eq!(container["command"][8], "--to-path=s3://my-backups/");
            assert_eq!(container["image"], "neo4j:2025.01.0-enterprise");
            assert_eq!(body["metadata"]["ownerReferences"][0]["uid"], "0b1c2d3e-0000-4000-8000-00000000000a");
        }),
        step(
            Method::GET,
            LIST_JOBS,
            StatusCode::OK,
            list(vec![job(json!({"active": 1, "startTime": "2025-01-20T02:59:00Z"}))]),
        ),
        status_is("Running", "Job nightly-backup is running"),
        event("BackupStarted"),
    ];
    let action = run(backup(json!({}), json!(null)), steps).await;
    assert_eq!(action, Action::requeue(std::time::Duration::from_secs(30)));
}

#[tokio::test]
async fn a_missing_target_waits_without_creating_anything() {
    let steps = vec![
        step(Method::GET, CLUSTER, StatusCode::NOT_FOUND, not_found("neo4jenterpriseclusters prod")),
        step(Method::GET, STANDALONE, StatusCode::NOT_FOUND, not_found("neo4jenterprisestandalones prod")),
        step(Method::GET, LIST_JOBS, StatusCode::OK, list(vec![])),
        checked(Method::PATCH, STATUS, StatusCode::OK, backup(json!({}), json!(null)), |body| {
            assert_eq!(body["status"]["phase"], "Pending");
            let found = condition(body, "TargetFound");
            assert_eq!((found["status"].clone(), found["reason"].clone()), (json!("False"), json!("NotFound")));
        }),
        event("Pending"),
    ];
    run(backup(json!({}), json!(null)), steps).await;
}

#[tokio::test]
async fn an_invalid_spec_is_marked_invalid_and_waits_for_a_change() {
    let steps = vec![
        step(Method::GET, CLUSTER, StatusCode::OK, cluster()),
        step(Method::GET, CRONJOBS_NIGHTLY, StatusCode::NOT_FOUND, not_found("cronjobs nightly-backup")),
        step(Method::GET, LIST_JOBS, StatusCode::OK, list(vec![])),
        status_is(
            "Invalid",
            "the spec breaks 1 rule(s): spec.options.backupType: \"INCREMENTAL\" is not supported; use FULL, DIFF or AUTO",
        ),
        event("InvalidSpec"),
    ];
    let action = run(backup(json!({"options": {"backupType": "INCREMENTAL"}}), json!(null)), steps).await;
    assert_eq!(action, Action::await_change());
}

#[tokio::test]
async fn a_finished_job_completes_or_fails_the_backup() {
    let running = json!({"phase": "Running", "history": [{"jobName": "nightly-backup", "phase": "Running", "startTime": "2025-01-20T02:59:00Z"}]});
    let complete = json!({"startTime": "2025-01-20T02:59:00Z", "completionTime": "2025-01-20T03:00:00Z",
        "conditions": [{"type": "SuccessCriteriaMet", "status": "True"}, {"type": "Complete", "status": "True"}]});
    let steps = vec![
        step(Method::GET, CLUSTER, StatusCode::OK, cluster()),
        step(Method::GET, JOB, StatusCode::OK, job(complete.clone())),
        step(Method::GET, LIST_JOBS, StatusCode::OK, list(vec![job(complete)])),
        checked(Method::PATCH, STATUS, StatusCode::OK, backup(json!({}), json!(null)), |body| {
            assert_eq!(body["status"]["phase"], "Completed");
            assert_eq!(body["status"]["lastSuccessfulBackupTime"], "2025-01-20T03:00:00Z");
            assert_eq!(body["status"]["history"][0]["phase"], "Succeeded");
        }),
        event("BackupSucceeded"),
    ];
    run(backup(json!({}), running.clone()), steps).await;

    let failed = json!({"startTime": "2025-01-20T02:59:00Z", "failed": 2,
        "conditions": [{"type": "Failed", "status": "True", "reason": "BackoffLimitExceeded", "message": "Job has reached the specified backoff limit"}]});
    let steps = vec![
        step(Method::GET, CLUSTER, StatusCode::OK, cluster()),
        step(Method::GET, JOB, StatusCode::OK, job(failed.clone())),
        step(Method::GET, LIST_JOBS, StatusCode::OK, list(vec![job(failed)])),
        // Why it failed: the end of neo4j-admin's output, kept by Kubernetes as the termination message.
        step(
            Method::GET,
            "/api/v1/namespaces/neo4j/pods?&labelSelector=job-name%3Dnightly-backup",
            StatusCode::OK,
            json!({"apiVersion": "v1", "kind": "PodList", "metadata": {}, "items": [
                {"metadata": {"name": "nightly-backup-x", "creationTimestamp": "2025-01-20T02:59:00Z",
                    "ownerReferences": [{"apiVersion": "batch/v1", "kind": "Job", "name": "nightly-backup", "uid": "job-backup-1"}]},
                 "status": {"containerStatuses": [{"name": "backup", "image": "neo4j", "imageID": "", "ready": false, "restartCount": 0,
                    "state": {"terminated": {"exitCode": 1, "message": "Backup failed: connection refused by prod-server-0:6362\n"}}}]}}]}),
        ),
        status_is(
            "Failed",
            "Job nightly-backup failed: exit 1 (the backup failed, or succeeded with problems such as uncontactable servers; not retried): Backup failed: connection refused by prod-server-0:6362",
        ),
        event("BackupFailed"),
    ];
    run(backup(json!({}), running), steps).await;
}

/// Every backup Job reports the window of its location, not only shipping runs (issue 14, item 2):
/// the report of the newest succeeded Job reaches the status once.
#[tokio::test]
async fn a_finished_backup_reports_the_window_of_its_location() {
    let complete = json!({"startTime": "2025-01-20T02:59:00Z", "completionTime": "2025-01-20T03:00:00Z",
        "conditions": [{"type": "SuccessCriteriaMet", "status": "True"}, {"type": "Complete", "status": "True"}]});
    let mut finished = job(complete);
    finished["spec"] =
        json!({"template": {"spec": {"initContainers": [{"name": "backup"}], "containers": [{"name": "window"}]}}});
    let report = json!({"recoveryWindow": [{"database": "orders", "databaseId": "62d1820c-3ac6-4b15-a0b3-bf7e7becc8d0",
        "earliest": "2025-01-19T02:59:30Z", "latest": "2025-01-20T02:59:30Z", "earliestTransaction": 10, "latestTransaction": 900,
        "contiguous": true,
        "spans": [{"from": "2025-01-19T02:59:30Z", "to": "2025-01-20T02:59:30Z", "fromTransaction": 10, "toTransaction": 900}],
        "newestChain": {"full": "orders-2025-01-20T02-59-30.backup", "artifacts": 1, "newest": "orders-2025-01-20T02-59-30.backup"}}]});
    let pods = json!({"apiVersion": "v1", "kind": "PodList", "metadata": {}, "items": [
        {"metadata": {"name": "nightly-backup-x", "creationTimestamp": "2025-01-20T02:59:00Z",
            "ownerReferences": [{"apiVersion": "batch/v1", "kind": "Job", "name": "nightly-backup", "uid": "job-backup-1"}]},
         "status": {"containerStatuses": [{"name": "window", "image": AGENT, "imageID": "", "ready": false, "restartCount": 0,
            "state": {"terminated": {"exitCode": 0, "message": report.to_string()}}}]}}]});
    let expected = report["recoveryWindow"].clone();
    let steps = vec![
        step(Method::GET, CLUSTER, StatusCode::OK, cluster()),
        step(Method::GET, JOB, StatusCode::OK, finished.clone()),
        step(Method::GET, LIST_JOBS, StatusCode::OK, list(vec![finished])),
        step(
            Method::GET,
            "/api/v1/namespaces/neo4j/pods?&labelSelector=job-name%3Dnightly-backup",
            StatusCode::OK,
            pods,
        ),
        checked(Method::PATCH, STATUS, StatusCode::OK, backup(json!({}), json!(null)), move |body| {
            assert_eq!(body["status"]["phase"], "Completed");
            assert_eq!(body["status"]["recoveryWindow"], expected);
            assert_eq!(body["status"]["windowTime"], "2025-01-20T03:00:00Z");
        }),
        event("BackupSucceeded"),
    ];
    let running = json!({"phase": "Running", "history": [{"jobName": "nightly-backup", "phase": "Running", "startTime": "2025-01-20T02:59:00Z"}]});
    run(backup(json!({}), running), steps).await;
}

#[tokio::test]
async fn a_schedule_is_applied_as_a_cronjob() {
    let steps = vec![
        step(Method::GET, CLUSTER, StatusCode::OK, cluster()),
        checked(
            Method::PATCH,
            CRONJOB,
            StatusCode::OK,
            json!({"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "nightly-backup"}}),
            |body| {
                assert_eq!(body["spec"]["schedule"], "0 2 * * *");
                assert_eq!(body["spec"]["concurrencyPolicy"], "Forbid");
                assert_eq!(body["spec"]["suspend"], false);
            },
        ),
        step(Method::GET, LIST_JOBS, StatusCode::OK, list(vec![])),
        checked(Method::PATCH, STATUS, StatusCode::OK, backup(json!({}), json!(null)), |body| {
            assert_eq!(body["status"]["phase"], "Pending");
            assert_eq!(body["status"]["nextScheduleTime"], "2025-01-21T02:00:00Z");
        }),
        event("Pending"),
    ];
    run(backup(json!({"schedule": "0 2 * * *"}), json!(null)), steps).await;
}

#[tokio::test]
async fn a_suspended_schedule_is_suspended() {
    let steps = vec![
        step(Method::GET, CLUSTER, StatusCode::OK, cluster()),
        checked(
            Method::PATCH,
            CRONJOB,
            StatusCode::OK,
            json!({"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "nightly-backup"}}),
            |body| {
                assert_eq!(body["spec"]["suspend"], true);
            },
        ),
        step(Method::GET, LIST_JOBS, StatusCode::OK, list(vec![])),
        checked(Method::PATCH, STATUS, StatusCode::OK, backup(json!({}), json!(null)), |body| {
            assert_eq!(body["status"]["phase"], "Suspended");
            assert!(body["status"].get("nextScheduleTime").is_none() || body["status"]["nextScheduleTime"].is_null());
        }),
        event("Suspended"),
    ];
    run(backup(json!({"schedule": "0 2 * * *", "suspend": true}), json!(null)), steps).await;
}

/// A merge patch leaves what it does not name: fields the new status no longer has are sent as
/// null (api/src/status/merge_patch.rs), or a suspended schedule would show its old next run and a
/// backup that stopped shipping its old claim forever.
#[tokio::test]
async fn fields_the_status_no_longer_has_are_removed() {
    let previous = json!({"phase": "Pending", "nextScheduleTime": "2025-01-21T02:00:00Z",
        "shipping": {"runningJob": "nightly-backup-1737338400", "runningType": "DIFF", "consecutiveFailures": 0}});
    let steps = vec![
        step(Method::GET, CLUSTER, StatusCode::OK, cluster()),
        step(
            Method::PATCH,
            CRONJOB,
            StatusCode::OK,
            json!({"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "nightly-backup"}}),
        ),
        step(Method::GET, LIST_JOBS, StatusCode::OK, list(vec![])),
        checked(Method::PATCH, STATUS, StatusCode::OK, backup(json!({}), json!(null)), |body| {
            assert_eq!(body["status"]["phase"], "Suspended");
            assert_eq!(body["status"]["nextScheduleTime"], Value::Null, "{body}");
            assert!(body["status"].as_object().unwrap().contains_key("nextScheduleTime"), "{body}");
            assert_eq!(body["status"]["shipping"], Value::Null, "{body}");
            assert!(body["status"].as_object().unwrap().contains_key("shipping"), "{body}");
        }),
        event("Suspended"),
    ];
    run(backup(json!({"schedule": "0 2 * * *", "suspend": true}), previous), steps).await;
}

#[tokio::test]
async fn a_steady_backup_writes_nothing() {
    // First reconcile to learn the status it settles on...
    let complete = json!({"startTime": "2025-01-20T02:59:00Z", "completionTime": "2025-01-20T03:00:00Z",
        "conditions": [{"type": "Complete", "status": "True"}]});
    let settled = {
        let object: Neo4jBackup = serde_json::from_value(backup(json!({}), json!(null))).unwrap();
        let observed = neo4j_api::status::backup::Observed {
            target_found: Some(true),
            jobs: vec![serde_json::from_value(job(complete.clone())).unwrap()],
            ..Default::default()
        };
        serde_json::to_value(neo4j_api::status::backup::backup_status(&object, &observed, now()).0).unwrap()
    };
    // ...then the same world again: no status patch, no event.
    let steps = vec![
        step(Method::GET, CLUSTER, StatusCode::OK, cluster()),
        step(Method::GET, JOB, StatusCode::OK, job(complete.clone())),
        step(Method::GET, LIST_JOBS, StatusCode::OK, list(vec![job(complete)])),
    ];
    let action = run(backup(json!({}), settled), steps).await;
    assert_eq!(action, Action::requeue(std::time::Duration::from_secs(300)));
}

const PRUNE: &str = "/apis/batch/v1/namespaces/neo4j/jobs/nightly-prune";
const PRUNE_PODS: &str = "/api/v1/namespaces/neo4j/pods?&labelSelector=job-name%3Dnightly-prune";

/// A backup on a claim with a retention policy.
fn on_claim() -> Value {
    json!({"storage": {"type": "pvc", "bucket": null, "cloud": null, "pvc": {"name": "backups"}},
        "retention": {"maxCount": 7, "deletePolicy": "Delete"}})
}

fn prune_job(after: &str, status: Value) -> Value {
    json!({"apiVersion": "batch/v1", "kind": "Job",
        "metadata": {"name": "nightly-prune", "namespace": "neo4j", "uid": "job-prune-1", "ownerReferences": [{"apiVersion": "neo4j.neo4j.com/v1alpha1", "kind": "Neo4jBackup", "name": "nightly", "uid": "0b1c2d3e-0000-4000-8000-00000000000a"}],
            "labels": {"neo4j.neo4j.com/backup": "nightly", "app.kubernetes.io/component": "retention"},
            "annotations": {"neo4j.neo4j.com/after-job": after}},
        "status": status})
}

fn retention_condition(body: &Value) -> (String, String, String) {
    let c = condition(body, "RetentionExecuted");
    (c["status"].as_str().unwrap().into(), c["reason"].as_str().unwrap().into(), c["message"].as_str().unwrap().into())
}

/// The condition `kind` of a status patch (the test fails when it is missing).
fn condition(body: &Value, kind: &str) -> Value {
    body["status"]["conditions"]
        .as_array()
        .and_then(|all| all.iter().find(|c| c["type"] == kind))
        .cloned()
        .unwrap_or_else(|| panic!("no condition {kind} in {body}"))
}

#[tokio::test]
async fn a_successful_run_on_a_claim_is_followed_by_retention() {
    let complete = json!({"startTime": "2025-01-20T02:59:00Z", "completionTime": "2025-01-20T03:00:00Z",
        "conditions": [{"type": "Complete", "status": "True"}]});
    let steps = vec![
        step(Method::GET, CLUSTER, StatusCode::OK, cluster()),
        step(Method::GET, JOB, StatusCode::OK, job(complete.clone())),
        step(Method::GET, LIST_JOBS, StatusCode::OK, list(vec![job(complete)])),
        checked(Method::POST, JOBS, StatusCode::CREATED, prune_job("nightly-backup", json!({"active": 1})), |body| {
            assert_eq!(body["metadata"]["name"], "nightly-prune");
            assert_eq!(body["metadata"]["annotations"]["neo4j.neo4j.com/after-job"], "nightly-backup");
            let pod = &body["spec"]["template"]["spec"];
            assert_eq!(pod["containers"][0]["image"], AGENT);
            assert_eq!(
                pod["containers"][0]["args"],
                json!([
                    "retention",
                    "--inventory=/scratch/inventory.txt",
                    "--dir=/backups",
                    "--max-count=7",
                    "--delete-policy=Delete"
                ])
            );
            assert_eq!(pod["volumes"][0]["persistentVolumeClaim"]["claimName"], "backups");
        }),
        checked(Method::PATCH, STATUS, StatusCode::OK, backup(json!({}), json!(null)), |body| {
            assert_eq!(body["status"]["phase"], "Completed");
            assert_eq!(
                retention_condition(body),
                (
                    "Unknown".into(),
                    "Running".into(),
                    "Job nightly-prune is applying the policy after backup Job nightly-backup".into()
                )
            );
        }),
        event("BackupSucceeded"),
    ];
    run(backup(on_claim(), json!(null)), steps).await;
}

#[tokio::test]
async fn a_finished_retention_reports_and_is_replaced_after_the_next_run() {
    let complete = json!({"startTime": "2025-01-20T02:59:00Z", "completionTime": "2025-01-20T03:00:00Z",
        "conditions": [{"type": "Complete", "status": "True"}]});
    let done = json!({"conditions": [{"type": "Complete", "status": "True"}]});
    let report = "kept 7, deleted 1: neo4j-2025-01-01T02-00-00.backup";
    let pods = json!({"apiVersion": "v1", "kind": "PodList", "metadata": {}, "items": [
        {"metadata": {"name": "nightly-prune-x", "creationTimestamp": "2025-01-20T03:00:10Z",
            "ownerReferences": [{"apiVersion": "batch/v1", "kind": "Job", "name": "nightly-prune", "uid": "job-prune-1"}]},
         "status": {"containerStatuses": [{"name": "prune", "image": "i", "imageID": "", "ready": false, "restartCount": 0,
            "state": {"terminated": {"exitCode": 0, "message": report}}}]}}]});
    // Retention already followed this run: its report lands in the condition.
    let steps = vec![
        step(Method::GET, CLUSTER, StatusCode::OK, cluster()),
        step(Method::GET, JOB, StatusCode::OK, job(complete.clone())),
        step(
            Method::GET,
            LIST_JOBS,
            StatusCode::OK,
            list(vec![job(complete.clone()), prune_job("nightly-backup", done.clone())]),
        ),
        step(Method::GET, PRUNE_PODS, StatusCode::OK, pods.clone()),
        checked(Method::PATCH, STATUS, StatusCode::OK, backup(json!({}), json!(null)), move |body| {
            let expected = format!("Job nightly-prune applied the policy after backup Job nightly-backup: {report}");
            assert_eq!(retention_condition(body), ("True".into(), "Executed".into(), expected));
            let history = body["status"]["history"].as_array().unwrap();
            assert_eq!(history.len(), 1, "a retention Job is not a backup run: {history:?}");
        }),
        event("RetentionExecuted"),
        event("BackupSucceeded"),
    ];
    run(backup(on_claim(), json!(null)), steps).await;

    // It followed an older run: the finished Job is replaced by one for the newest success.
    let steps = vec![
        step(Method::GET, CLUSTER, StatusCode::OK, cluster()),
        step(Method::GET, JOB, StatusCode::OK, job(complete.clone())),
        step(Method::GET, LIST_JOBS, StatusCode::OK, list(vec![job(complete), prune_job("nightly-backup-0", done)])),
        step(Method::DELETE, PRUNE, StatusCode::OK, json!({"kind": "Status", "apiVersion": "v1", "status": "Success"})),
        checked(Method::POST, JOBS, StatusCode::CREATED, prune_job("nightly-backup", json!({"active": 1})), |body| {
            assert_eq!(body["metadata"]["annotations"]["neo4j.neo4j.com/after-job"], "nightly-backup");
        }),
        checked(Method::PATCH, STATUS, StatusCode::OK, backup(json!({}), json!(null)), |body| {
            assert_eq!(retention_condition(body).1, "Running");
        }),
        event("BackupSucceeded"),
    ];
    run(backup(on_claim(), json!(null)), steps).await;
}

#[tokio::test]
async fn a_target_in_another_namespace_is_not_looked_up_without_the_webhook() {
    let steps = vec![
        // Its grant cannot be checked: whatever runs for it is stopped.
        step(Method::GET, LIST_JOBS, StatusCode::OK, list(vec![])),
        step(Method::GET, CRONJOBS_NIGHTLY, StatusCode::NOT_FOUND, not_found("cronjobs nightly-backup")),
        step(Method::GET, LIST_JOBS, StatusCode::OK, list(vec![])),
        checked(Method::PATCH, STATUS, StatusCode::OK, backup(json!({}), json!(null)), |body| {
            assert_eq!(body["status"]["phase"], "Pending");
            let found = condition(body, "TargetFound");
            assert_eq!(found["reason"], "Unusable");
            assert_eq!(found["message"], neo4j_controller::backup::cross_namespace_refusal("production"));
        }),
        event("TargetUnusable"),
    ];
    run(
        backup(
            json!({"target": {"kind": "Database", "name": "orders", "clusterRef": "prod", "namespace": "production"}}),
            json!(null),
        ),
        steps,
    )
    .await;
}

// Issue 13, item 10: an existing neo4j-backup-sa that kubectl-neo4j did not create (its
// annotations may bind it to someone else's cloud role) is never taken over, and no Job runs as it.
#[tokio::test]
async fn a_foreign_service_account_is_not_taken_over() {
    let spec = json!({"storage": {"type": "s3", "bucket": "my-backups",
        "cloud": {"credentialsSecretRef": null, "identity": {"provider": "aws", "autoCreate": {"enabled": true,
            "annotations": {"eks.amazonaws.com/role-arn": "arn:aws:iam::1:role/mine"}}}}}});
    let foreign = json!({"apiVersion": "v1", "kind": "ServiceAccount",
        "metadata": {"name": "neo4j-backup-sa", "namespace": "neo4j", "annotations": {"eks.amazonaws.com/role-arn": "arn:aws:iam::1:role/admin"}}});
    let message = "waiting for the target: the ServiceAccount neo4j-backup-sa exists in neo4j and was not created by kubectl-neo4j; it is not taken over: name it in storage.cloud.identity.serviceAccount, or delete it to let kubectl-neo4j create its own";
    let steps = vec![
        step(Method::GET, CLUSTER, StatusCode::OK, cluster()),
        step(Method::GET, "/api/v1/namespaces/neo4j/serviceaccounts/neo4j-backup-sa", StatusCode::OK, foreign),
        step(Method::GET, LIST_JOBS, StatusCode::OK, list(vec![])),
        status_is("Pending", message),
        event("TargetUnusable"),
    ];
    run(backup(spec, json!(null)), steps).await;
}

// Issue 13, item 14: a Job that only carries our label (anyone who may create Jobs can copy it)
// writes nothing into the backup's history or status.
#[tokio::test]
async fn a_job_that_only_copies_our_label_does_not_count() {
    let forged = json!({"apiVersion": "batch/v1", "kind": "Job",
        "metadata": {"name": "nightly-backup-forged", "namespace": "neo4j", "labels": {"neo4j.neo4j.com/backup": "nightly"}},
        "status": {"succeeded": 1, "completionTime": "2025-01-20T03:00:00Z", "conditions": [{"type": "Complete", "status": "True"}]}});
    let steps = vec![
        step(Method::GET, CLUSTER, StatusCode::OK, cluster()),
        step(Method::GET, JOB, StatusCode::NOT_FOUND, not_found("jobs nightly-backup")),
        step(Method::POST, JOBS, StatusCode::CREATED, job(json!({}))),
        step(Method::GET, LIST_JOBS, StatusCode::OK, list(vec![forged])),
        checked(Method::PATCH, STATUS, StatusCode::OK, backup(json!({}), json!(null)), |body| {
            assert_eq!(body["status"]["phase"], "Pending", "{body}");
            assert!(body["status"]["history"].as_array().is_none_or(|h| h.is_empty()), "{body}");
            assert!(body["status"]["lastSuccessfulBackupTime"].is_null(), "{body}");
        }),
        event("Pending"),
    ];
    run(backup(json!({}), json!(null)), steps).await;
}

// Issue 13, item 2: a target in another namespace consents to being backed up with an annotation,
// checked on every reconcile (not only at admission); withdrawing it suspends the schedule and
// cancels the run under way, and the backup is re-checked every 30 s whatever its phase.
const FOREIGN_CLUSTER: &str = "/apis/neo4j.neo4j.com/v1alpha1/namespaces/production/neo4jenterpriseclusters/prod";

fn foreign_cluster(grant: Option<&str>) -> Value {
    let mut cluster = cluster();
    cluster["metadata"]["namespace"] = json!("production");
    if let Some(grant) = grant {
        cluster["metadata"]["annotations"] = json!({"neo4j.neo4j.com/backup-namespaces": grant});
    }
    cluster
}

async fn run_across(backup: Value, steps: Vec<Step>) -> Action {
    let backup: Neo4jBackup = serde_json::from_value(backup).expect("a Neo4jBackup");
    let admin = Arc::new(neo4j_controller::restore::bolt::Bolt);
    support::reconcile_in(admin, steps, true, |ctx| reconcile(Arc::new(backup), ctx)).await.expect("reconcile succeeds")
}

fn across() -> Value {
    json!({"schedule": "0 2 * * *", "target": {"kind": "Cluster", "name": "prod", "namespace": "production"}})
}

#[tokio::test]
async fn a_granted_target_in_another_namespace_is_backed_up() {
    let steps = vec![
        step(Method::GET, FOREIGN_CLUSTER, StatusCode::OK, foreign_cluster(Some("staging, neo4j"))),
        checked(
            Method::PATCH,
            CRONJOB,
            StatusCode::OK,
            json!({"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "nightly-backup"}}),
            |body| assert_eq!(body["spec"]["suspend"], false),
        ),
        step(Method::GET, LIST_JOBS, StatusCode::OK, list(vec![])),
        checked(Method::PATCH, STATUS, StatusCode::OK, backup(json!({}), json!(null)), |body| {
            assert_eq!(body["status"]["phase"], "Pending", "{body}");
        }),
        event("Pending"),
    ];
    let action = run_across(backup(across(), json!(null)), steps).await;
    assert_eq!(action, Action::requeue(std::time::Duration::from_secs(30)));
}

#[tokio::test]
async fn a_withdrawn_grant_suspends_the_schedule_and_cancels_the_run() {
    let running = job(json!({"active": 1, "startTime": "2025-01-20T02:59:00Z"}));
    let cron = json!({"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "nightly-backup", "namespace": "neo4j"},
        "spec": {"schedule": "0 2 * * *", "suspend": false, "jobTemplate": {"spec": {"template": {"spec": {"containers": []}}}}}});
    let refusal = "the spec breaks 1 rule(s): spec.target.namespace: the target \"prod\" in namespace \"production\" does not grant backups from namespace \"neo4j\"; its owner grants them with the annotation neo4j.neo4j.com/backup-namespaces: neo4j on it (comma-separated namespaces, or *)";
    let steps = vec![
        step(Method::GET, FOREIGN_CLUSTER, StatusCode::OK, foreign_cluster(Some("staging"))),
        step(Method::GET, LIST_JOBS, StatusCode::OK, list(vec![running.clone()])),
        step(Method::GET, CRONJOBS_NIGHTLY, StatusCode::OK, cron.clone()),
        checked(Method::PATCH, CRONJOBS_NIGHTLY, StatusCode::OK, cron, |body| {
            assert_eq!(body, &json!({"spec": {"suspend": true}}));
        }),
        step(Method::DELETE, JOB, StatusCode::OK, running.clone()),
        step(Method::GET, LIST_JOBS, StatusCode::OK, list(vec![running])),
        status_is("Invalid", refusal),
        event("InvalidSpec"),
    ];
    let action = run_across(backup(across(), json!(null)), steps).await;
    assert_eq!(
        action,
        Action::requeue(std::time::Duration::from_secs(30)),
        "re-checked, not left to wait for a change"
    );
}

// Issue 13, item 10: two backups of a namespace share neo4j-backup-sa; one asking for another
// role than the backup that configured it does not rewrite it (they would take turns).
#[tokio::test]
async fn a_shared_service_account_is_not_flipped_to_other_annotations() {
    let spec = json!({"storage": {"type": "s3", "bucket": "my-backups",
        "cloud": {"credentialsSecretRef": null, "identity": {"provider": "aws", "autoCreate": {"enabled": true,
            "annotations": {"eks.amazonaws.com/role-arn": "arn:aws:iam::1:role/mine"}}}}}});
    let ours = json!({"apiVersion": "v1", "kind": "ServiceAccount",
        "metadata": {"name": "neo4j-backup-sa", "namespace": "neo4j", "labels": {"app.kubernetes.io/managed-by": "kubectl-neo4j"},
            "annotations": {"eks.amazonaws.com/role-arn": "arn:aws:iam::1:role/theirs", "neo4j.neo4j.com/configured-by": "hourly"}}});
    let mut hourly = backup(json!({}), json!(null));
    hourly["metadata"]["name"] = json!("hourly");
    hourly["spec"]["storage"] = json!({"type": "s3", "bucket": "my-backups", "cloud": {"identity": {"provider": "aws",
        "autoCreate": {"enabled": true, "annotations": {"eks.amazonaws.com/role-arn": "arn:aws:iam::1:role/theirs"}}}}});
    let message = "waiting for the target: the ServiceAccount neo4j-backup-sa in neo4j carries the annotations of Neo4jBackup \"hourly\", and this backup asks for others; backups of one namespace share it: ask for the same storage.cloud.identity.autoCreate.annotations, or name a ServiceAccount of your own in storage.cloud.identity.serviceAccount";
    let steps = vec![
        step(Method::GET, CLUSTER, StatusCode::OK, cluster()),
        step(Method::GET, "/api/v1/namespaces/neo4j/serviceaccounts/neo4j-backup-sa", StatusCode::OK, ours),
        step(
            Method::GET,
            "/apis/neo4j.neo4j.com/v1alpha1/namespaces/neo4j/neo4jbackups/hourly",
            StatusCode::OK,
            hourly,
        ),
        step(Method::GET, LIST_JOBS, StatusCode::OK, list(vec![])),
        status_is("Pending", message),
        event("TargetUnusable"),
    ];
    run(backup(spec, json!(null)), steps).await;
}

// A namespace-scoped install may not read a target outside its namespaces: the backup says so
// (and nothing of it runs), instead of failing its reconcile for ever.
#[tokio::test]
async fn a_target_the_controller_may_not_read_is_unusable_and_stops_the_backup() {
    let forbidden = json!({"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "Forbidden", "code": 403,
        "message": "neo4jenterpriseclusters.neo4j.neo4j.com \"prod\" is forbidden"});
    let steps = vec![
        step(Method::GET, FOREIGN_CLUSTER, StatusCode::FORBIDDEN, forbidden),
        step(Method::GET, LIST_JOBS, StatusCode::OK, list(vec![])),
        step(Method::GET, CRONJOBS_NIGHTLY, StatusCode::NOT_FOUND, not_found("cronjobs nightly-backup")),
        step(Method::GET, LIST_JOBS, StatusCode::OK, list(vec![])),
        checked(Method::PATCH, STATUS, StatusCode::OK, backup(json!({}), json!(null)), |body| {
            let found = condition(body, "TargetFound");
            assert_eq!(found["reason"], "Unusable", "{body}");
            assert_eq!(found["message"], neo4j_controller::backup::resolve::unreadable("production"));
        }),
        event("TargetUnusable"),
    ];
    run_across(backup(across(), json!(null)), steps).await;
}
