//! Validate, then promote against a real API server (issue 15, item 2): the controller (in-process)
//! reads the alias before anything, restores a new candidate beside the live database, checks it,
//! waits for `kubectl neo4j restore promote`, then switches the alias, each step an Event. There is
//! no Neo4j: the database server is a stand-in that keeps the alias and the candidate the way Neo4j
//! answers `SHOW ALIASES`, `SHOW DATABASE` and the health checks (the Bolt statements themselves are
//! covered by the boltstub tests).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::future::BoxFuture;
use k8s_openapi::api::core::v1::Event;
use kube::Api;
use kube::api::{ListParams, PostParams};
use neo4j_api::health::checks::Row;
use neo4j_api::restore::cypher::Statement;
use neo4j_api::restore::machine::{Cypher, Database};
use neo4j_api::{Neo4jRestore, RestorePhase, RestoreStep};
use neo4j_controller::restore::bolt::{DatabaseAdmin, Endpoint, Session};
use neo4j_controller::restore::run;
use neo4j_testkit::bolt::Healthy;
use serde_json::json;

use crate::restore::{create_restorable_target, run_servers};
use crate::support::{client, controller_ctx, eventually, finish_job_pod, in_namespace, install_crds};

/// The live database `orders-v1` behind the alias `orders`; the candidate absent until created.
struct Server {
    alias_target: Mutex<String>,
    candidate: Mutex<bool>,
    switches: Mutex<Vec<Cypher>>,
}

struct Answers(Arc<Server>);

impl Session for Answers {
    fn rows<'a>(&'a self, statement: &'a Statement) -> BoxFuture<'a, Result<Vec<Row>, String>> {
        let row = |value: serde_json::Value| serde_json::from_value::<Row>(value).expect("a row");
        let rows = if statement.text.starts_with("SHOW ALIASES") {
            vec![row(json!({"name": "orders", "database": *self.0.alias_target.lock().unwrap()}))]
        } else if statement.text.starts_with("SHOW DATABASE $name") {
            // Only the alias's name is asked this way here: no database has it.
            vec![]
        } else {
            Healthy { database: "orders-restored".into(), nodes: 10, relationships: 20 }.answer(statement)
        };
        Box::pin(async move { Ok(rows) })
    }
}

/// The server, as the controller's Bolt client sees it.
struct Admin(Arc<Server>);

impl DatabaseAdmin for Admin {
    fn show<'a>(&'a self, _: &'a Endpoint, name: &'a str) -> BoxFuture<'a, Result<Database, String>> {
        assert_eq!(name, "orders-restored", "only the candidate is restored into");
        let created = *self.0.candidate.lock().unwrap();
        Box::pin(async move { Ok(if created { Database::present(true) } else { Database::Absent }) })
    }
    fn open<'a>(&'a self, _: &'a Endpoint) -> BoxFuture<'a, Result<Box<dyn Session>, String>> {
        let answers = Answers(self.0.clone());
        Box::pin(async move { Ok(Box::new(answers) as Box<dyn Session>) })
    }
    fn run<'a>(&'a self, _: &'a Endpoint, name: &'a str, cypher: &'a Cypher) -> BoxFuture<'a, Result<(), String>> {
        match cypher {
            Cypher::Create | Cypher::CreateSeeded { .. } => *self.0.candidate.lock().unwrap() = true,
            Cypher::Promote { .. } => {
                *self.0.alias_target.lock().unwrap() = name.to_owned();
                self.0.switches.lock().unwrap().push(cypher.clone());
            }
            _ => {}
        }
        Box::pin(async { Ok(()) })
    }
}

#[tokio::test]
#[ignore = "needs a cluster: KUBECONFIG"]
async fn e2e_promote_a_checked_candidate_by_hand_and_the_alias_follows() {
    let client = client().await;
    let _cluster = install_crds(&client).await;
    let inner = client.clone();
    in_namespace(&client, "promote", move |ns| async move { promoted(inner, ns).await }).await;
}

async fn promoted(client: kube::Client, ns: String) {
    create_restorable_target(&client, &ns, "v1alpha1").await;
    let kubelet = run_servers(&client, &ns).await;
    let server = Arc::new(Server {
        alias_target: Mutex::new("orders-v1".into()),
        candidate: Mutex::new(false),
        switches: Mutex::new(Vec::new()),
    });
    let restores: Api<Neo4jRestore> = Api::namespaced(client.clone(), &ns);
    let restore = serde_json::from_value(json!({"apiVersion": "neo4j.neo4j.com/v1alpha1", "kind": "Neo4jRestore",
        "metadata": {"name": "back"},
        "spec": {"targetCluster": "prod", "databaseName": "orders-restored", "options": {"allowPlaintextBolt": true},
            "promotion": {"alias": "orders", "automatic": false},
            "source": {"type": "storage", "storage": {"type": "pvc", "pvc": {"name": "backups"}},
                "backupPath": "prod/orders-2025-01-20T02-00-00.backup"}}}))
    .expect("restore");
    restores.create(&PostParams::default(), &restore).await.expect("create the restore");
    let ctx = controller_ctx(&client, Arc::new(Admin(server.clone())));
    let scope = ns.clone();
    let controller = tokio::spawn(async move { run(ctx, Some(&scope)).await });

    // The alias is recorded before the restore Job exists; the Job restores the candidate.
    let progress = eventually("the alias recorded", Duration::from_secs(120), || {
        let restores = restores.clone();
        async move { restores.get("back").await.ok()?.status?.progress?.promotion }
    })
    .await;
    assert_eq!(progress.previous.as_deref(), Some("orders-v1"));
    finish_job_pod(&client, &ns, "back-restore", "measure").await;

    // Checked, then waiting for the user: the alias still serves the live database.
    let waiting = eventually("the candidate to wait for promotion", Duration::from_secs(180), || {
        let restores = restores.clone();
        async move {
            let status = restores.get("back").await.ok()?.status?;
            (status.progress.as_ref()?.step == Some(RestoreStep::AwaitingPromotion)).then_some(status)
        }
    })
    .await;
    assert_eq!(waiting.health.as_ref().map(|h| h.status.as_str()), Some("healthy"), "{:?}", waiting.health);
    assert_eq!(*server.alias_target.lock().unwrap(), "orders-v1", "not switched before it is asked");
    assert!(server.switches.lock().unwrap().is_empty());

    // `kubectl neo4j restore promote back`, as the plugin does it.
    let said = kubectl_neo4j::online::act::promote(&client, &ns, "back").await.expect("promote");
    assert!(
        said.starts_with(
            "neo4jrestore/back: promotion asked for; the controller switches the alias orders to orders-restored"
        ),
        "{said}"
    );
    let done = eventually("the promotion", Duration::from_secs(120), || {
        let restores = restores.clone();
        async move {
            let status = restores.get("back").await.ok()?.status?;
            (status.phase == Some(RestorePhase::Completed)).then_some(status)
        }
    })
    .await;
    assert_eq!(
        done.message.as_deref(),
        Some("promoted: the alias orders points at orders-restored; it pointed at orders-v1, which is kept")
    );
    assert_eq!(*server.alias_target.lock().unwrap(), "orders-restored");
    assert_eq!(*server.switches.lock().unwrap(), vec![Cypher::Promote { alias: "orders".into(), create: false }]);
    let promoted = done.conditions.iter().find(|c| c.type_ == "Promoted").expect("the Promoted condition");
    assert_eq!((promoted.status.as_str(), promoted.reason.as_str()), ("True", "Switched"));
    let again = kubectl_neo4j::online::act::promote(&client, &ns, "back").await.unwrap_err();
    assert_eq!(again, "neo4jrestore \"back\" has already switched the alias orders");

    // Every transition of seed 002's machine is an Event.
    let events: Api<Event> = Api::namespaced(client.clone(), &ns);
    let reasons = eventually("the promotion's Events", Duration::from_secs(60), || {
        let events = events.clone();
        async move {
            let listed = events.list(&ListParams::default()).await.ok()?.items;
            let reasons: Vec<String> = listed.into_iter().filter_map(|e| e.reason).collect();
            ["CheckingHealth", "AwaitingPromotion", "Promoting", "Promoted", "RestoreSucceeded"]
                .iter()
                .all(|r| reasons.iter().any(|seen| seen == r))
                .then_some(reasons)
        }
    })
    .await;
    assert!(reasons.iter().any(|r| r == "Restoring"), "{reasons:?}");
    controller.abort();
    kubelet.abort();
}
