//! The webhook over real TLS on 127.0.0.1: real AdmissionReview JSON in, verdicts and patches out.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use base64::Engine;
use neo4j_api::{Neo4jBackup, Neo4jEnterpriseCluster, Neo4jEnterpriseStandalone};
use neo4j_webhook::admit::Lookups;
use neo4j_webhook::cache::Cache;
use neo4j_webhook::server::Limits;
use serde_json::{Value, json};
use support::{client, get, post, response, review, start, start_with};

fn backup(spec: Value) -> Value {
    json!({"apiVersion": "neo4j.neo4j.com/v1alpha1", "kind": "Neo4jBackup",
        "metadata": {"name": "nightly", "namespace": "neo4j"}, "spec": spec})
}

fn valid_spec() -> Value {
    json!({"target": {"kind": "Cluster", "name": "prod"}, "storage": {"type": "s3", "bucket": "my-backups"}})
}

fn decode_patch(response: &Value) -> json_patch::Patch {
    assert_eq!(response["patchType"], "JSONPatch");
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(response["patch"].as_str().expect("base64 patch"))
        .expect("base64");
    serde_json::from_slice(&bytes).expect("a JSON Patch")
}

#[tokio::test]
async fn a_valid_object_is_allowed_and_defaulted() {
    let server = start().await;
    let client = client(&[&server.ca], false);
    let object = backup(valid_spec());
    let (status, body) =
        post(&client, server.address, "/mutate", review("u-1", "CREATE", object.clone(), None, false)).await.unwrap();
    assert_eq!(status, 200);
    let answer = response(&body);
    assert_eq!((answer["uid"].clone(), answer["allowed"].clone()), (json!("u-1"), json!(true)));
    let mut defaulted = object.clone();
    json_patch::patch(&mut defaulted, &decode_patch(&answer)).expect("the patch applies");
    assert_eq!(defaulted["spec"]["options"], json!({"backupType": "FULL", "compress": true, "verify": true}));
    assert_eq!(
        defaulted["spec"]["storage"],
        json!({"type": "s3", "bucket": "my-backups", "cloud": {"provider": "aws"}})
    );
    assert_eq!(defaulted["spec"]["target"], object["spec"]["target"], "user values untouched");

    let (status, body) =
        post(&client, server.address, "/validate", review("u-2", "CREATE", defaulted, None, false)).await.unwrap();
    assert_eq!(status, 200);
    assert_eq!(response(&body), json!({"uid": "u-2", "allowed": true}));
}

#[tokio::test]
async fn an_invalid_object_is_denied_with_403_and_every_error() {
    let server = start().await;
    let client = client(&[&server.ca], false);
    let object = backup(
        json!({"target": {"kind": "Cluster", "name": "prod"}, "storage": {"type": "gcs"}, "options": {"backupType": "INCREMENTAL"}}),
    );
    for path in ["/mutate", "/validate"] {
        let (status, body) =
            post(&client, server.address, path, review("u-3", "CREATE", object.clone(), None, false)).await.unwrap();
        assert_eq!(status, 200, "a denial is a normal AdmissionReview answer");
        let answer = response(&body);
        assert_eq!(answer["allowed"], false);
        assert_eq!(answer["status"]["code"], 403);
        assert_eq!(
            answer["status"]["message"],
            "Neo4jBackup \"nightly\" is invalid (2 errors):\n\
            - spec.storage.bucket: is required for gcs storage; name the bucket, e.g. my-neo4j-backups\n\
            - spec.options.backupType: \"INCREMENTAL\" is not supported; use FULL, DIFF or AUTO"
        );
        assert!(answer.get("patch").is_none());
    }
}

#[tokio::test]
async fn warnings_come_from_validate_only() {
    let server = start().await;
    let client = client(&[&server.ca], false);
    let mut spec = valid_spec();
    spec["retention"] = json!({"maxCount": 7});
    let object = backup(spec);
    let (_, body) =
        post(&client, server.address, "/validate", review("u", "CREATE", object.clone(), None, false)).await.unwrap();
    assert_eq!(
        response(&body)["warnings"],
        json!([
            "spec.retention: is not executed for cloud storage: configure lifecycle rules on the bucket to expire old backups"
        ])
    );
    let (_, body) = post(&client, server.address, "/mutate", review("u", "CREATE", object, None, false)).await.unwrap();
    assert!(response(&body).get("warnings").is_none());
}

#[tokio::test]
async fn updates_that_change_immutable_fields_are_denied() {
    let server = start().await;
    let client = client(&[&server.ca], false);
    let old = backup(valid_spec());
    let mut moved = valid_spec();
    moved["storage"]["bucket"] = json!("other-bucket");
    let (_, body) =
        post(&client, server.address, "/validate", review("u", "UPDATE", backup(moved), Some(old.clone()), false))
            .await
            .unwrap();
    let answer = response(&body);
    assert_eq!(answer["allowed"], false);
    assert!(answer["status"]["message"].as_str().unwrap().ends_with(
        "- spec.storage: cannot be changed: a new location starts a new backup chain; create a new Neo4jBackup for it"
    ));
    let mut scheduled = valid_spec();
    scheduled["schedule"] = json!("@daily");
    let (_, body) =
        post(&client, server.address, "/validate", review("u", "UPDATE", backup(scheduled), Some(old), false))
            .await
            .unwrap();
    assert_eq!(response(&body)["allowed"], true);
}

#[tokio::test]
async fn dry_run_requests_get_the_same_answer() {
    let server = start().await;
    let client = client(&[&server.ca], false);
    for object in [backup(valid_spec()), backup(json!({"target": {"kind": "Pod"}}))] {
        for path in ["/mutate", "/validate"] {
            let (_, real) =
                post(&client, server.address, path, review("u", "CREATE", object.clone(), None, false)).await.unwrap();
            let (_, dry) =
                post(&client, server.address, path, review("u", "CREATE", object.clone(), None, true)).await.unwrap();
            assert_eq!(response(&real), response(&dry), "{path}");
        }
    }
}

#[tokio::test]
async fn delete_and_foreign_objects_pass_untouched() {
    let server = start().await;
    let client = client(&[&server.ca], false);
    let (_, body) =
        post(&client, server.address, "/validate", review("u", "DELETE", backup(json!({"target": {}})), None, false))
            .await
            .unwrap();
    assert_eq!(response(&body), json!({"uid": "u", "allowed": true}));
    let config_map = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}});
    let (_, body) =
        post(&client, server.address, "/mutate", review("u", "CREATE", config_map, None, false)).await.unwrap();
    assert_eq!(response(&body), json!({"uid": "u", "allowed": true}));
}

#[tokio::test]
async fn malformed_and_oversized_bodies_are_refused_with_a_reason() {
    let limits = Limits { max_body_bytes: 64 * 1024, ..Limits::default() };
    let server = start_with(Cache::empty(), limits, Duration::from_secs(5)).await;
    let client = client(&[&server.ca], false);
    let (status, body) = post(&client, server.address, "/validate", b"{\"hello\": 1}".to_vec()).await.unwrap();
    assert_eq!(status, 400);
    assert_eq!(
        String::from_utf8_lossy(&body),
        "the body is not an AdmissionReview: missing field `apiVersion` at line 1 column 12"
    );
    let wrong = serde_json::to_vec(
        &json!({"apiVersion": "admission.k8s.io/v1beta1", "kind": "AdmissionReview", "request": {}}),
    )
    .unwrap();
    let (status, body) = post(&client, server.address, "/validate", wrong).await.unwrap();
    assert_eq!((status, String::from_utf8_lossy(&body).into_owned()), (400, "expected apiVersion admission.k8s.io/v1 and kind AdmissionReview, got admission.k8s.io/v1beta1 AdmissionReview".to_owned()));
    let mut big = valid_spec();
    big["options"] = json!({"additionalArgs": vec!["--verbose"; 20_000]});
    let (status, _) =
        post(&client, server.address, "/validate", review("u", "CREATE", backup(big), None, false)).await.unwrap();
    assert_eq!(status, 413);
    let (status, _) =
        post(&client, server.address, "/validate", review("u", "CREATE", backup(valid_spec()), None, false))
            .await
            .unwrap();
    assert_eq!(status, 200, "the server serves on after refusals");
}

/// Lookups that panic, to prove a panic becomes a 500 and the server lives on.
struct Panicking;

impl Lookups for Panicking {
    fn cluster(&self, _: &str, _: &str) -> Option<Arc<Neo4jEnterpriseCluster>> {
        panic!("a bug in a lookup")
    }
    fn standalone(&self, _: &str, _: &str) -> Option<Arc<Neo4jEnterpriseStandalone>> {
        None
    }
    fn backup(&self, _: &str, _: &str) -> Option<Arc<Neo4jBackup>> {
        None
    }
}

#[tokio::test]
async fn a_panic_is_a_500_not_a_dead_server() {
    let server = start_with(Panicking, Limits::default(), Duration::from_secs(5)).await;
    let client = client(&[&server.ca], false);
    let (status, _) =
        post(&client, server.address, "/validate", review("u", "CREATE", backup(valid_spec()), None, false))
            .await
            .unwrap();
    assert_eq!(status, 500);
    // The same on the blocking pool, where a large body is judged.
    let mut large = backup(valid_spec());
    large["metadata"]["annotations"] = json!({"pad": "x".repeat(Limits::default().inline_body_bytes)});
    let (status, _) =
        post(&client, server.address, "/validate", review("u", "CREATE", large, None, false)).await.unwrap();
    assert_eq!(status, 500);
    let (status, text) = get(&client, server.address, "/healthz").await;
    assert_eq!((status, text.as_str()), (200, "ok"));
}

#[tokio::test]
async fn probes_and_metrics_over_http2() {
    let server = start().await;
    let client = client(&[&server.ca], true);
    let (status, _) =
        post(&client, server.address, "/validate", review("u", "CREATE", backup(valid_spec()), None, false))
            .await
            .unwrap();
    assert_eq!(status, 200);
    assert_eq!(get(&client, server.address, "/readyz").await, (200, "ready".to_owned()));
    let (status, text) = get(&client, server.address, "/metrics").await;
    assert_eq!(status, 200);
    assert!(text.contains(r#"neo4j_webhook_admission_requests_total{endpoint="validate",kind="Neo4jBackup",operation="CREATE",verdict="allowed"} 1"#), "{text}");
    assert!(
        text.contains(&format!("neo4j_webhook_certificate_expiry_timestamp_seconds {}", server.certs.not_after())),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn rotating_the_certificate_under_load_loses_no_request() {
    let server = start().await;
    // The next certificate, from a new CA, written over the served files half-way through.
    let next_dir = server.dir.join("next");
    let next = neo4j_webhook::tls::self_signed(&next_dir, &[]).unwrap();
    let failures = Arc::new(AtomicUsize::new(0));
    let successes = Arc::new(AtomicUsize::new(0));
    let deadline = Instant::now() + Duration::from_secs(3);
    let mut workers = Vec::new();
    for worker in 0..8 {
        let (ca_old, ca_new, address) = (server.ca.clone(), next.ca.clone(), server.address);
        let (failures, successes) = (failures.clone(), successes.clone());
        workers.push(tokio::spawn(async move {
            let mut n = 0;
            while Instant::now() < deadline {
                // A fresh client now and then: new connections, new handshakes.
                let client = client(&[&ca_old, &ca_new], worker % 2 == 0);
                for _ in 0..10 {
                    n += 1;
                    let body = review(&format!("w{worker}-{n}"), "CREATE", backup(valid_spec()), None, false);
                    match post(&client, address, "/validate", body).await {
                        Ok((200, _)) => successes.fetch_add(1, Ordering::Relaxed),
                        Ok((status, _)) => {
                            eprintln!("status {status}");
                            failures.fetch_add(1, Ordering::Relaxed)
                        }
                        Err(err) => {
                            eprintln!("{err}");
                            failures.fetch_add(1, Ordering::Relaxed)
                        }
                    };
                }
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(1200)).await;
    std::fs::copy(&next.cert, &server.files.cert).unwrap();
    std::fs::copy(&next.key, &server.files.key).unwrap();
    assert!(server.certs.reload(&server.files.cert, &server.files.key).unwrap(), "the new certificate is served");
    for worker in workers {
        worker.await.unwrap();
    }
    assert_eq!(failures.load(Ordering::Relaxed), 0, "requests lost during rotation");
    assert!(successes.load(Ordering::Relaxed) > 100, "load was applied");
    // Only the new CA is needed from now on.
    let fresh = client(&[&next.ca], false);
    let (status, _) =
        post(&fresh, server.address, "/validate", review("after", "CREATE", backup(valid_spec()), None, false))
            .await
            .unwrap();
    assert_eq!(status, 200);
}

#[tokio::test]
async fn shutdown_stops_accepting_and_finishes() {
    let mut server = start().await;
    let client = client(&[&server.ca], false);
    let (status, _) =
        post(&client, server.address, "/validate", review("u", "CREATE", backup(valid_spec()), None, false))
            .await
            .unwrap();
    assert_eq!(status, 200);
    server.stop();
    let task = std::mem::replace(&mut server.task, tokio::spawn(async { Ok(()) }));
    let result = tokio::time::timeout(Duration::from_secs(10), task).await.expect("stops within the drain bound");
    assert!(result.expect("task").is_ok());
    let fresh = support::client(&[&server.ca], false);
    let refused =
        post(&fresh, server.address, "/validate", review("u", "CREATE", backup(valid_spec()), None, false)).await;
    assert!(refused.is_err(), "no longer accepting");
}

#[tokio::test]
async fn a_request_over_the_timeout_gets_408() {
    let limits = Limits { request_timeout: Duration::from_millis(300), ..Limits::default() };
    let server = support::start_full(Cache::empty(), support::Slow, limits, Duration::from_secs(1)).await;
    let client = client(&[&server.ca], false);
    let mut spec = valid_spec();
    spec["target"]["namespace"] = json!("production");
    let started = Instant::now();
    let (status, _) =
        post(&client, server.address, "/validate", review("u", "CREATE", backup(spec), None, false)).await.unwrap();
    assert_eq!(status, 408);
    assert!(started.elapsed() < Duration::from_secs(5));
    let (status, _) =
        post(&client, server.address, "/validate", review("u", "CREATE", backup(valid_spec()), None, false))
            .await
            .unwrap();
    assert_eq!(status, 200, "same-namespace requests never wait on an access review");
}
