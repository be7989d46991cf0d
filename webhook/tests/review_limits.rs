//! What bounds one review, over real TLS on 127.0.0.1 (issue 13, item 4): a deadline that is
//! answered in time whatever the review does, judging off the async workers, a body capped at the
//! API server's limit, and a cap on the values a review may hold.

mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use neo4j_api::{Neo4jBackup, Neo4jEnterpriseCluster, Neo4jEnterpriseStandalone};
use neo4j_webhook::admit::Lookups;
use neo4j_webhook::cache::Cache;
use neo4j_webhook::server::{LARGE_AT_ONCE, Limits};
use neo4j_webhook::values::MAX_VALUES;
use serde_json::{Value, json};
use support::{client, post, response, review, start_with};

/// A Neo4jBackup whose review reads its target, padded to `bytes` bytes (an annotation).
fn backup(padding: usize) -> Value {
    json!({"apiVersion": "neo4j.neo4j.com/v1alpha1", "kind": "Neo4jBackup",
        "metadata": {"name": "nightly", "namespace": "neo4j", "annotations": {"pad": "x".repeat(padding)}},
        "spec": {"target": {"kind": "Cluster", "name": "prod"}, "storage": {"type": "s3", "bucket": "my-backups"}}})
}

/// Lookups that hold the thread that asks, as a review stuck in CPU work would.
struct Stuck(Duration);

impl Lookups for Stuck {
    fn cluster(&self, _: &str, _: &str) -> Option<Arc<Neo4jEnterpriseCluster>> {
        std::thread::sleep(self.0);
        None
    }
    fn standalone(&self, _: &str, _: &str) -> Option<Arc<Neo4jEnterpriseStandalone>> {
        None
    }
    fn backup(&self, _: &str, _: &str) -> Option<Arc<Neo4jBackup>> {
        None
    }
}

fn deadline(millis: u64) -> Limits {
    Limits { review_deadline: Duration::from_millis(millis), ..Limits::default() }
}

#[tokio::test]
async fn a_review_past_its_deadline_is_refused_in_time_and_others_go_on() {
    let server = start_with(Stuck(Duration::from_secs(2)), deadline(300), Duration::from_secs(5)).await;
    let client = client(&[&server.ca], false);
    let large = review("u-late", "CREATE", backup(Limits::default().inline_body_bytes), None, false);
    let started = Instant::now();
    let slow = tokio::spawn({
        let client = client.clone();
        let address = server.address;
        async move { post(&client, address, "/validate", large).await.unwrap() }
    });
    // Judged off the async workers: a request that needs no stuck lookup is answered meanwhile.
    let config_map = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}});
    let (status, body) =
        post(&client, server.address, "/validate", review("u-quick", "CREATE", config_map, None, false)).await.unwrap();
    assert_eq!((status, response(&body)), (200, json!({"uid": "u-quick", "allowed": true})));
    assert!(started.elapsed() < Duration::from_millis(300), "not held behind the stuck review");

    let (status, body) = slow.await.unwrap();
    let elapsed = started.elapsed();
    assert_eq!(status, 200);
    assert_eq!(
        response(&body),
        json!({"uid": "u-late", "allowed": false, "status": {"code": 503, "message":
            "the review was not finished within 300 ms (the webhook is busy, or the object is too large to judge); try again"}})
    );
    assert!(elapsed >= Duration::from_millis(300) && elapsed < Duration::from_millis(1500), "{elapsed:?}");
}

#[tokio::test]
async fn large_reviews_wait_for_a_turn_within_their_deadline() {
    let server = start_with(Stuck(Duration::from_secs(1)), deadline(300), Duration::from_secs(5)).await;
    let client = client(&[&server.ca], false);
    let large = review("u", "CREATE", backup(Limits::default().inline_body_bytes), None, false);
    let requests = (0..=LARGE_AT_ONCE).map(|_| {
        let (client, address, body) = (client.clone(), server.address, large.clone());
        tokio::spawn(async move { post(&client, address, "/validate", body).await.unwrap() })
    });
    let mut answers = Vec::new();
    for request in requests.collect::<Vec<_>>() {
        let (status, body) = request.await.unwrap();
        let body = serde_json::from_slice(&body).unwrap_or_else(|_| json!(String::from_utf8_lossy(&body)));
        answers.push((status, body));
    }
    answers.sort_by_key(|(status, _)| *status);
    let message = "the review was not finished within 300 ms (the webhook is busy, or the object is too large to judge); try again";
    // Those that had a turn are refused with their uid; the one left waiting, unread, with 503.
    let judged = json!({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
        "response": {"uid": "u", "allowed": false, "status": {"code": 503, "message": message}}});
    let mut expected = vec![(200, judged); LARGE_AT_ONCE];
    expected.push((503, json!(message)));
    assert_eq!(answers, expected);
}

#[tokio::test]
async fn a_small_review_waiting_on_an_access_review_is_refused_at_its_deadline() {
    let server = support::start_full(Cache::empty(), support::Slow, deadline(300), Duration::from_secs(1)).await;
    let client = client(&[&server.ca], false);
    let mut object = backup(0);
    object["spec"]["target"]["namespace"] = json!("production");
    let started = Instant::now();
    let (status, body) =
        post(&client, server.address, "/validate", review("u", "CREATE", object, None, false)).await.unwrap();
    assert_eq!(status, 200);
    assert_eq!(response(&body)["status"]["code"], 503);
    assert!(started.elapsed() < Duration::from_millis(1500));
}

#[tokio::test]
async fn a_body_over_the_api_servers_limit_gets_413() {
    let server = start_with(Cache::empty(), Limits::default(), Duration::from_secs(5)).await;
    let client = client(&[&server.ca], false);
    let max = Limits::default().max_body_bytes;
    assert_eq!(max, 3 * 1024 * 1024 + 512 * 1024);
    let envelope = review("u", "CREATE", backup(0), None, false).len();
    let (status, body) =
        post(&client, server.address, "/mutate", review("u", "CREATE", backup(max - envelope), None, false))
            .await
            .unwrap();
    assert_eq!((status, response(&body)["allowed"].clone()), (200, json!(true)), "the largest body is judged");
    let over = review("u", "CREATE", backup(max - envelope + 1), None, false);
    assert_eq!(over.len(), max + 1);
    let (status, body) = post(&client, server.address, "/mutate", over).await.unwrap();
    assert_eq!((status, String::from_utf8_lossy(&body).as_ref()), (413, "length limit exceeded"));
}

#[tokio::test]
async fn a_review_of_more_values_than_the_cap_is_refused_unread() {
    let server = start_with(Cache::empty(), Limits::default(), Duration::from_secs(5)).await;
    let client = client(&[&server.ca], false);
    let mut object = backup(0);
    object["spec"]["options"] = json!({"additionalArgs": vec!["--verbose"; MAX_VALUES]});
    let (status, body) =
        post(&client, server.address, "/validate", review("u-big", "CREATE", object, None, false)).await.unwrap();
    assert_eq!(status, 200);
    assert_eq!(
        response(&body),
        json!({"uid": "u-big", "allowed": false, "status": {"code": 413, "message":
            "Neo4jBackup \"nightly\" is too large to judge: the review holds more than 20000 JSON values (objects, arrays, strings, numbers); remove what it repeats"}})
    );
    // Under the cap, the same repetition is judged.
    let mut object = backup(0);
    object["spec"]["options"] = json!({"additionalArgs": vec!["--verbose"; MAX_VALUES / 2]});
    let (status, body) =
        post(&client, server.address, "/validate", review("u", "CREATE", object, None, false)).await.unwrap();
    assert_eq!((status, response(&body)["allowed"].clone()), (200, json!(true)));
}
