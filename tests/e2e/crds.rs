//! The generated CRDs against a real API server: accepted with server-side apply, every seed
//! example stored whole (nothing pruned), `kubectl get neo4j` and `kubectl explain` work.

use std::time::Duration;

use kube::api::{Api, ApiResource, DynamicObject, GroupVersionKind, PostParams};
use neo4j_tests::diff::json_differences;
use neo4j_tests::fixtures::{fixtures, yaml_document, yaml_files};
use serde_json::Value;

use crate::support::{client, eventually, in_namespace, install_crds};

fn api_resource(kind: &str) -> ApiResource {
    let gvk = GroupVersionKind::gvk(neo4j_api::GROUP, neo4j_api::VERSION, kind);
    ApiResource::from_gvk_with_plural(&gvk, &format!("{}s", kind.to_lowercase()))
}

#[tokio::test]
#[ignore = "needs a cluster: KUBECONFIG"]
async fn e2e_crds_store_every_seed_example_whole() {
    let client = client().await;
    let _cluster = install_crds(&client).await;
    let inner = client.clone();
    in_namespace(&client, "crds", move |ns| async move {
        let files = yaml_files(&fixtures("seeds"));
        assert!(files.len() >= 28, "seed fixtures present");
        for path in files {
            let document = yaml_document(&path);
            let kind = document["kind"].as_str().expect("kind").to_owned();
            let mut object: DynamicObject = serde_json::from_value(document.clone()).expect("a Kubernetes object");
            object.metadata.namespace = Some(ns.clone());
            let api: Api<DynamicObject> = Api::namespaced_with(inner.clone(), &ns, &api_resource(&kind));
            let stored = api
                .create(&PostParams::default(), &object)
                .await
                .unwrap_or_else(|err| panic!("{}: refused by the API server: {err}", path.display()));
            let differences = json_differences(&document["spec"], &stored.data["spec"]);
            assert!(
                differences.is_empty(),
                "{}: the API server changed the spec:\n{}",
                path.display(),
                differences.join("\n")
            );
        }
    })
    .await;
}

#[tokio::test]
#[ignore = "needs a cluster: KUBECONFIG"]
async fn e2e_crds_category_neo4j_lists_backups_and_restores() {
    let client = client().await;
    let _cluster = install_crds(&client).await;
    let group_version = format!("{}/{}", neo4j_api::GROUP, neo4j_api::VERSION);
    let resources = eventually("discovery of neo4jbackups and neo4jrestores", Duration::from_secs(60), || {
        let client = client.clone();
        let group_version = group_version.clone();
        async move {
            let list = client.list_api_group_resources(&group_version).await.ok()?;
            let found: Vec<_> =
                list.resources.into_iter().filter(|r| r.name == "neo4jbackups" || r.name == "neo4jrestores").collect();
            (found.len() == 2).then_some(found)
        }
    })
    .await;
    for resource in resources {
        assert_eq!(resource.categories, Some(vec!["neo4j".to_owned()]), "{} is in category neo4j", resource.name);
        assert!(resource.namespaced, "{} is namespaced", resource.name);
        let short = resource.short_names.unwrap_or_default();
        assert!(short.iter().any(|s| s.starts_with("n4j")), "{} short names: {short:?}", resource.name);
    }
}

#[tokio::test]
#[ignore = "needs a cluster: KUBECONFIG"]
async fn e2e_crds_openapi_carries_field_descriptions_for_kubectl_explain() {
    let client = client().await;
    let _cluster = install_crds(&client).await;
    let path = format!("/openapi/v3/apis/{}/{}", neo4j_api::GROUP, neo4j_api::VERSION);
    let description = eventually("OpenAPI v3 description of spec.source.pitr", Duration::from_secs(90), || {
        let client = client.clone();
        let path = path.clone();
        async move {
            let request = http::Request::get(path.as_str()).body(Vec::new()).ok()?;
            let text = client.request_text(request).await.ok()?;
            let document: Value = serde_json::from_str(&text).ok()?;
            // Published as `com.neo4j.neo4j.v1alpha1.Neo4jRestore` (the group reversed).
            let schemas = document["components"]["schemas"].as_object()?;
            let (_, schema) = schemas.iter().find(|(name, _)| name.ends_with(".v1alpha1.Neo4jRestore"))?;
            schema["properties"]["spec"]["properties"]["source"]["properties"]["pitr"]["description"]
                .as_str()
                .map(str::to_owned)
        }
    })
    .await;
    assert!(description.contains("baseBackup"), "kubectl explain neo4jrestore.spec.source.pitr shows: {description}");
}
