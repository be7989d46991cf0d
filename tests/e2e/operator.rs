//! Next to the Neo4j operator's real CRDs (tests/fixtures/neo4j-operator): with its current
//! release (every kind served as v1beta1 only, since its v1.13) and with the release the seed
//! documents describe (v1alpha1), a backup and an offline restore run against its
//! Neo4jEnterpriseCluster; the controller finds the target at the served version by discovery.
//! These tests swap the target CRDs, so they hold the cluster alone, and put the stand-ins back.

use std::time::Duration;

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::Client;
use kube::api::Api;

use crate::support::{
    apply_crd, apply_crds, apply_our_crds, client, delete_crd, eventually, exclusive, in_namespace,
    installed_by_the_operator,
};

const TARGETS: [&str; 2] = ["neo4jenterpriseclusters", "neo4jenterprisestandalones"];

fn fixture(release: &str, plural: &str) -> CustomResourceDefinition {
    let path =
        neo4j_tests::fixtures::workspace_root().join(format!("tests/fixtures/neo4j-operator/{release}/{plural}.yaml"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|err| panic!("{}: {err}", path.display()));
    let documents: Vec<serde_json::Value> = serde_saphyr::from_multiple(&text).expect("the operator's CRD is YAML");
    let document = documents.into_iter().find(|d| !d.is_null()).expect("one document");
    serde_json::from_value(document).expect("a CustomResourceDefinition")
}

/// Replaces the target CRDs with the operator's of `release` (none: `None`).
async fn install_targets(client: &Client, release: Option<&str>) {
    let api: Api<CustomResourceDefinition> = Api::all(client.clone());
    for plural in TARGETS {
        delete_crd(&api, &format!("{plural}.{}", neo4j_api::GROUP)).await;
    }
    let mut served = None;
    if let Some(release) = release {
        for plural in TARGETS {
            let crd = fixture(release, plural);
            served = crd.spec.versions.iter().find(|v| v.storage).map(|v| v.name.clone());
            apply_crd(&api, &crd).await;
        }
    }
    // Discovery follows a CRD change a moment later; the controller reads the targets where
    // discovery says, so wait until it says what was just installed (or removed).
    let wanted = served.map(|version| format!("{}/{version}", neo4j_api::GROUP));
    eventually(&format!("discovery to serve the targets at {wanted:?}"), Duration::from_secs(60), || {
        let (client, wanted) = (client.clone(), wanted.clone());
        async move {
            let apis = neo4j_controller::targets::TargetApis::discover(&client).await.ok()?;
            let now = apis.cluster.map(|ar| ar.api_version);
            let standalone = apis.standalone.map(|ar| ar.api_version);
            (now == wanted && standalone == wanted).then_some(())
        }
    })
    .await;
}

/// Whether the target CRDs installed now are the real operator's (then they are left alone).
async fn real_operator(client: &Client) -> bool {
    let api: Api<CustomResourceDefinition> = Api::all(client.clone());
    for plural in TARGETS {
        if let Ok(Some(crd)) = api.get_opt(&format!("{plural}.{}", neo4j_api::GROUP)).await
            && installed_by_the_operator(&crd)
        {
            return true;
        }
    }
    false
}

/// Runs `test` with the operator's target CRDs of `release` (or none) installed, holding the
/// cluster alone, and puts the stand-ins back afterwards, also when the test fails.
async fn with_targets<F, Fut>(release: Option<&'static str>, test: F)
where
    F: FnOnce(Client) -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let client = client().await;
    let _alone = exclusive().await;
    // Ours only: the target CRDs are replaced below (also ones a crashed run left behind, which the
    // stand-ins could not be applied over).
    apply_our_crds(&client).await;
    // Never replace a real installation's CRDs: that would delete its clusters. Such a cluster
    // cannot run these tests, and says so (CRDs a crashed run of this suite left are replaced).
    assert!(
        !real_operator(&client).await,
        "the Neo4j operator's own CRDs are installed here; these tests replace the target CRDs with the {release:?} fixtures and cannot run next to it"
    );
    install_targets(&client, release).await;
    let outcome = tokio::spawn(test(client.clone())).await;
    install_targets(&client, None).await;
    apply_crds(&client).await;
    if let Err(err) = outcome {
        match err.try_into_panic() {
            Ok(panic) => std::panic::resume_unwind(panic),
            Err(err) => panic!("test task failed: {err}"),
        }
    }
}

async fn backup_and_offline_restore(client: Client, version: &'static str) {
    let inner = client.clone();
    in_namespace(&client, "op-backup", move |ns| async move { crate::backup::one_shot(inner, ns, version).await })
        .await;
    let inner = client.clone();
    in_namespace(&client, "op-restore", move |ns| async move { crate::restore::offline(inner, ns, version).await })
        .await;
}

#[tokio::test]
#[ignore = "needs a cluster: KUBECONFIG"]
async fn e2e_operator_v1beta1_targets_are_backed_up_and_restored_offline() {
    with_targets(Some("v1.14.0"), |client| backup_and_offline_restore(client, "v1beta1")).await;
}

#[tokio::test]
#[ignore = "needs a cluster: KUBECONFIG"]
async fn e2e_operator_v1alpha1_release_targets_are_backed_up_and_restored_offline() {
    with_targets(Some("v1alpha1-2026-02"), |client| backup_and_offline_restore(client, "v1alpha1")).await;
}

#[tokio::test]
#[ignore = "needs a cluster: KUBECONFIG"]
async fn e2e_operator_missing_target_crd_is_a_condition_and_an_event() {
    use k8s_openapi::api::core::v1::Event;
    use kube::api::{ListParams, PostParams};
    use neo4j_api::Neo4jBackup;
    with_targets(None, |client| async move {
        let inner = client.clone();
        in_namespace(&client, "op-missing", move |ns| async move {
            let client = inner;
            let backups: Api<Neo4jBackup> = Api::namespaced(client.clone(), &ns);
            let backup = serde_json::from_value(serde_json::json!({"apiVersion": "neo4j.neo4j.com/v1alpha1", "kind": "Neo4jBackup",
                "metadata": {"name": "nightly"},
                "spec": {"target": {"kind": "Cluster", "name": "prod"}, "storage": {"type": "pvc", "path": "prod", "pvc": {"name": "backups"}}}}))
            .expect("backup");
            backups.create(&PostParams::default(), &backup).await.expect("create the backup");
            let ctx = crate::support::controller_ctx(&client, std::sync::Arc::new(neo4j_controller::restore::bolt::Bolt));
            let scope = ns.clone();
            let controller = tokio::spawn(async move { neo4j_controller::backup::run(ctx, Some(&scope)).await });
            // Within two reconciles (a Pending backup is looked at again every 60 s): discovery may
            // still list the deleted kinds at the first, which then reads "the target does not exist".
            let message = eventually("the backup to say the target kind is missing", Duration::from_secs(150), || {
                let backups = backups.clone();
                async move {
                    let status = backups.get("nightly").await.ok()?.status?;
                    let condition = status.conditions.iter().find(|c| c.type_ == "TargetFound" && c.reason == "Unusable")?.clone();
                    Some(condition.message)
                }
            })
            .await;
            assert!(message.contains("CRDs are not installed"), "{message}");
            let events: Api<Event> = Api::namespaced(client.clone(), &ns);
            let said = eventually("a Warning Event TargetUnusable", Duration::from_secs(30), || {
                let events = events.clone();
                async move {
                    let list = events.list(&ListParams::default()).await.ok()?;
                    list.items.into_iter().find(|e| e.reason.as_deref() == Some("TargetUnusable")).and_then(|e| e.message)
                }
            })
            .await;
            assert!(said.contains("CRDs are not installed"), "{said}");
            controller.abort();
        })
        .await;
    })
    .await;
}
