//! `restore plan` against an API server stand-in (issue 15, item 1): what the plugin gathers
//! (the target at the version discovery says, the referenced backup and its window, the
//! StatefulSet, earlier restores) reaches the planner, and the plan says what will happen.

use k8s_openapi::jiff::Timestamp;
use kube::Client;
use kubectl_neo4j::online::plan::plan_of;
use neo4j_api::Neo4jRestore;
use serde_json::{Value, json};

/// Nightly, a whole-cluster backup whose status keeps the window of `orders` (shared with the
/// planner's own tests).
fn nightly() -> Value {
    serde_json::from_str(include_str!("../../api/tests/fixtures/nightly-with-window.json")).unwrap()
}

fn served(path: &str) -> Option<Value> {
    Some(match path {
        "/apis" | "/apis/neo4j.neo4j.com/v1alpha1" => return neo4j_testkit::target_discovery(path),
        "/apis/neo4j.neo4j.com/v1alpha1/namespaces/neo4j/neo4jenterpriseclusters/prod" => {
            json!({"apiVersion": "neo4j.neo4j.com/v1alpha1",
            "kind": "Neo4jEnterpriseCluster", "metadata": {"name": "prod", "namespace": "neo4j"},
            "spec": {"image": {"repo": "neo4j", "tag": "2025.04.0-enterprise"}, "topology": {"servers": 3},
                "tls": {"mode": "cert-manager", "issuerRef": {"name": "ca", "kind": "ClusterIssuer"}}}})
        }
        "/apis/neo4j.neo4j.com/v1alpha1/namespaces/neo4j/neo4jbackups/nightly" => nightly(),
        "/apis/apps/v1/namespaces/neo4j/statefulsets/prod-server" => {
            json!({"apiVersion": "apps/v1", "kind": "StatefulSet",
            "metadata": {"name": "prod-server", "namespace": "neo4j"}, "spec": {"replicas": 3, "selector": {}, "template": {}},
            "status": {"replicas": 3, "readyReplicas": 3}})
        }
        "/apis/neo4j.neo4j.com/v1alpha1/namespaces/neo4j/neo4jrestores" => {
            json!({"apiVersion": "neo4j.neo4j.com/v1alpha1",
            "kind": "Neo4jRestoreList", "metadata": {}, "items": [{"apiVersion": "neo4j.neo4j.com/v1alpha1", "kind": "Neo4jRestore",
                "metadata": {"name": "last-week", "namespace": "neo4j"},
                "spec": {"targetCluster": "prod", "databaseName": "orders", "source": {"type": "backup", "backupRef": "nightly"}},
                "status": {"phase": "Completed", "startTime": "2025-01-13T01:00:00Z", "completionTime": "2025-01-13T01:42:10Z"}}]})
        }
        _ => return None,
    })
}

fn server() -> Client {
    neo4j_testkit::answering(served).0
}

fn restore(spec: Value) -> Neo4jRestore {
    let mut object = json!({"apiVersion": "neo4j.neo4j.com/v1alpha1", "kind": "Neo4jRestore",
        "metadata": {"name": "recover", "namespace": "neo4j"},
        "spec": {"targetCluster": "prod", "databaseName": "orders", "source": {"type": "backup", "backupRef": "nightly"},
            "force": true, "stopCluster": true}});
    json_patch::merge(&mut object["spec"], &spec);
    serde_json::from_value(object).unwrap()
}

fn now() -> Timestamp {
    "2025-01-21T00:00:00Z".parse().unwrap()
}

#[tokio::test]
async fn the_plan_names_the_target_the_window_the_scale_and_the_downtime_of_earlier_restores() {
    let plan = plan_of(&server(), "neo4j", &restore(json!({})), now()).await.unwrap();
    assert!(plan.can_run, "{:?}", plan.blockers);
    assert_eq!(plan.target, "Neo4jEnterpriseCluster prod: 3 servers, Neo4j 2025.04.0-enterprise");
    assert_eq!(plan.database, "orders (replaced if it exists)", "the plugin cannot ask the database over Bolt");
    assert_eq!(plan.source, "Neo4jBackup nightly: s3://my-backups/prod/");
    assert_eq!(
        plan.downtime,
        "all of prod, for about 42m10s (the longest of 1 earlier restore(s) into prod, from start to completion)"
    );
    let steps: Vec<(&str, bool)> = plan.steps.iter().map(|s| (s.step.as_str(), s.destructive)).collect();
    assert_eq!(
        steps,
        [
            ("Resolving", false),
            ("PreRestoreHooks", true),
            ("StoppingCluster", true),
            ("Restoring", false),
            ("StartingCluster", false),
            ("BringingUp", false),
            ("Checking", false)
        ]
    );
    assert_eq!(plan.steps[1].action, "if it exists: DROP DATABASE orders IF EXISTS WAIT");
    assert_eq!(
        plan.steps[2].action,
        "hold prod (annotation neo4j.com/restore-in-progress) and scale StatefulSet prod-server from 3 to 0 replicas"
    );
}

#[tokio::test]
async fn a_plan_says_what_would_fail_what_it_waits_for_and_keeps_what_was_recorded() {
    // What the controller waits for (Pending) is not a failure: the plan can run once it is there.
    let missing_target = restore(json!({"targetCluster": "staging"}));
    let plan = plan_of(&server(), "neo4j", &missing_target, now()).await.unwrap();
    assert!(plan.can_run, "{:?}", plan.blockers);
    assert_eq!(
        plan.waits_for,
        ["the target \"staging\" to exist (a Neo4jEnterpriseCluster or Neo4jEnterpriseStandalone of this namespace)"]
    );
    let outside = restore(json!({"force": null, "stopCluster": null, "source": {"type": "pitr", "backupRef": null,
        "pointInTime": "2025-01-20T12:00:00Z", "pitr": {"baseBackup": {"type": "backup", "backupRef": "nightly"}}}}));
    let plan = plan_of(&server(), "neo4j", &outside, now()).await.unwrap();
    assert_eq!(
        plan.blockers,
        [
            "spec.source.pointInTime: 2025-01-20T12:00:00Z is after the newest restorable moment 2025-01-20T02:00:00Z of database orders"
        ]
    );
    let never = restore(json!({"source": {"backupRef": "weekly"}}));
    let plan = plan_of(&server(), "neo4j", &never, now()).await.unwrap();
    assert_eq!(plan.waits_for, ["the Neo4jBackup \"weekly\" does not exist"]);

    // A restore past its first destructive step keeps the plan it recorded (its target is scaled
    // down now): that plan is shown, not a new one.
    let mut under_way = restore(json!({}));
    under_way.status = serde_json::from_value(json!({"phase": "Running",
        "progress": {"step": "Restoring", "originalReplicas": 3},
        "plan": {"canRun": true, "target": "recorded", "database": "d", "source": "s", "artifacts": "a", "reaches": "r", "downtime": "x"}}))
    .unwrap();
    assert_eq!(plan_of(&server(), "neo4j", &under_way, now()).await.unwrap().target, "recorded");
}
