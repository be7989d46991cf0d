//! Restore plans against a real API server (issue 15, item 1): the plugin plans a Neo4jRestore
//! through discovery and the real objects (no Bolt from the user's machine), one whose target is
//! missing says it waits for it, and the controller records the plan in the status before the first destructive step.
//! There is no kubelet and no Neo4j: the database is the stand-in of `restore.rs`.

use std::sync::Arc;
use std::time::Duration;

use kube::Client;
use kube::api::{Api, PostParams};
use kubectl_neo4j::online::plan::plan_of;
use neo4j_api::Neo4jRestore;
use neo4j_controller::restore::run;
use serde_json::json;

use crate::restore::{StandIn, create_restorable_target, run_servers};
use crate::support::{client, controller_ctx, eventually, in_namespace, install_crds};

#[tokio::test]
#[ignore = "needs a cluster: KUBECONFIG"]
async fn e2e_plan_by_the_plugin_and_recorded_by_the_controller_before_anything_destructive() {
    let client = client().await;
    let _cluster = install_crds(&client).await;
    let inner = client.clone();
    in_namespace(&client, "plan", move |ns| async move { planned(inner, ns).await }).await;
}

fn restore(target: &str) -> Neo4jRestore {
    // Online, into a new database: nothing is scaled and no finalizer is added, so the namespace
    // goes with the test whatever step the restore reached.
    serde_json::from_value(json!({"apiVersion": "neo4j.neo4j.com/v1alpha1", "kind": "Neo4jRestore",
        "metadata": {"name": "copy"},
        "spec": {"targetCluster": target, "databaseName": "orders-copy", "options": {"allowPlaintextBolt": true},
            "source": {"type": "storage", "storage": {"type": "pvc", "pvc": {"name": "backups"}},
                "backupPath": "prod/orders-copy-2025-01-20T02-00-00.backup"}}}))
    .expect("restore")
}

async fn planned(client: Client, ns: String) {
    create_restorable_target(&client, &ns, "v1alpha1").await;
    // The database is asked over Bolt only while a server is ready: the servers run.
    let kubelet = run_servers(&client, &ns).await;
    let now = k8s_openapi::jiff::Timestamp::now();

    // The plugin's plan, before the restore exists: the target found through discovery.
    let plan = plan_of(&client, &ns, &restore("prod"), now).await.expect("a plan");
    assert!(plan.can_run, "{:?}", plan.blockers);
    assert!(plan.target.starts_with("Neo4jEnterpriseCluster prod: 3 servers, Neo4j "), "{}", plan.target);
    let steps: Vec<&str> = plan.steps.iter().map(|s| s.step.as_str()).collect();
    assert_eq!(steps, ["Resolving", "Restoring", "BringingUp", "Checking"]);
    assert!(plan.steps.iter().all(|s| !s.destructive), "a new database: nothing destructive");
    assert_eq!(plan.downtime, "none: orders-copy is a new database; the databases already on prod keep serving");
    let missing = plan_of(&client, &ns, &restore("staging"), now).await.expect("a plan");
    assert!(
        missing.waits_for.iter().any(|w| w.starts_with("the target \"staging\" to exist")),
        "{:?}",
        missing.waits_for
    );

    // The controller records its own plan before anything destructive.
    let restores: Api<Neo4jRestore> = Api::namespaced(client.clone(), &ns);
    restores.create(&PostParams::default(), &restore("prod")).await.expect("create the restore");
    let ctx = controller_ctx(&client, Arc::new(StandIn::default()));
    let scope = ns.clone();
    let controller = tokio::spawn(async move { run(ctx, Some(&scope)).await });
    let recorded = eventually("the plan in the status, with the database known", Duration::from_secs(120), || {
        let restores = restores.clone();
        async move {
            let plan = restores.get("copy").await.ok()?.status?.plan?;
            (plan.database == "orders-copy (new)").then_some(plan)
        }
    })
    .await;
    assert!(recorded.can_run, "{:?}", recorded.blockers);
    let steps: Vec<&str> = recorded.steps.iter().map(|s| s.step.as_str()).collect();
    assert_eq!(steps, ["Resolving", "Restoring", "BringingUp", "Checking"]);
    assert_eq!(recorded.source, "pvc://backups/prod/orders-copy-2025-01-20T02-00-00.backup");
    controller.abort();
    kubelet.abort();
}
