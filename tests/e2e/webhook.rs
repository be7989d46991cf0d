//! The webhook in front of a real API server: registered by URL (https://127.0.0.1:PORT) with the
//! CA it generated, scoped to the test's namespace; good manifests are stored with their defaults,
//! bad ones are refused with our message.

use std::time::Duration;

use k8s_openapi::api::admissionregistration::v1::{
    MutatingWebhook, MutatingWebhookConfiguration, RuleWithOperations, ValidatingWebhook,
    ValidatingWebhookConfiguration, WebhookClientConfig,
};
use k8s_openapi::api::core::v1::Namespace;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, OwnerReference};
use kube::api::{Api, DynamicObject, PostParams};
use kube::{Client, ResourceExt};
use serde_json::json;

use crate::support::{client, eventually, in_namespace, install_crds};

fn client_config(port: u16, path: &str, ca: &[u8]) -> WebhookClientConfig {
    WebhookClientConfig {
        url: Some(format!("https://127.0.0.1:{port}{path}")),
        ca_bundle: Some(k8s_openapi::ByteString(ca.to_vec())),
        service: None,
    }
}

fn rules() -> Vec<RuleWithOperations> {
    vec![RuleWithOperations {
        api_groups: Some(vec!["neo4j.neo4j.com".into()]),
        api_versions: Some(vec!["v1alpha1".into()]),
        operations: Some(vec!["CREATE".into(), "UPDATE".into()]),
        resources: Some(vec!["neo4jbackups".into(), "neo4jrestores".into()]),
        scope: Some("Namespaced".into()),
    }]
}

/// Registers the webhook for namespace `ns` only; the configurations are owned by the namespace,
/// so deleting it (as the test does, even on failure) deletes them too.
async fn register(client: &Client, ns: &str, port: u16, ca: &[u8]) {
    let namespace = Api::<Namespace>::all(client.clone()).get(ns).await.expect("test namespace");
    let owner = OwnerReference {
        api_version: "v1".into(),
        kind: "Namespace".into(),
        name: ns.to_owned(),
        uid: namespace.uid().expect("uid"),
        ..OwnerReference::default()
    };
    let selector = LabelSelector {
        match_labels: Some([("kubernetes.io/metadata.name".to_owned(), ns.to_owned())].into()),
        ..LabelSelector::default()
    };
    let mut mutating = MutatingWebhookConfiguration::default();
    mutating.metadata.name = Some(format!("e2e-{ns}"));
    mutating.metadata.owner_references = Some(vec![owner.clone()]);
    mutating.webhooks = Some(vec![MutatingWebhook {
        name: "mutate.e2e.neo4j.neo4j.com".into(),
        admission_review_versions: vec!["v1".into()],
        side_effects: "None".into(),
        failure_policy: Some("Fail".into()),
        match_policy: Some("Equivalent".into()),
        timeout_seconds: Some(5),
        client_config: client_config(port, "/mutate", ca),
        namespace_selector: Some(selector.clone()),
        rules: Some(rules()),
        ..MutatingWebhook::default()
    }]);
    let mut validating = ValidatingWebhookConfiguration::default();
    validating.metadata.name = Some(format!("e2e-{ns}"));
    validating.metadata.owner_references = Some(vec![owner]);
    validating.webhooks = Some(vec![ValidatingWebhook {
        name: "validate.e2e.neo4j.neo4j.com".into(),
        admission_review_versions: vec!["v1".into()],
        side_effects: "None".into(),
        failure_policy: Some("Fail".into()),
        match_policy: Some("Equivalent".into()),
        timeout_seconds: Some(5),
        client_config: client_config(port, "/validate", ca),
        namespace_selector: Some(selector),
        rules: Some(rules()),
        ..ValidatingWebhook::default()
    }]);
    Api::<MutatingWebhookConfiguration>::all(client.clone())
        .create(&PostParams::default(), &mutating)
        .await
        .expect("register mutating webhook");
    Api::<ValidatingWebhookConfiguration>::all(client.clone())
        .create(&PostParams::default(), &validating)
        .await
        .expect("register validating webhook");
}

fn backup(name: &str, options: serde_json::Value) -> DynamicObject {
    serde_json::from_value(json!({"apiVersion": "neo4j.neo4j.com/v1alpha1", "kind": "Neo4jBackup", "metadata": {"name": name},
        "spec": {"target": {"kind": "Cluster", "name": "prod"}, "storage": {"type": "s3", "bucket": "my-backups"}, "options": options}}))
    .expect("an object")
}

#[tokio::test]
#[ignore = "needs a cluster: KUBECONFIG"]
async fn e2e_webhook_defaults_good_manifests_and_refuses_bad_ones() {
    let client = client().await;
    let _cluster = install_crds(&client).await;
    let webhook = crate::in_process::start_webhook(client.clone()).await;
    let (port, ca) = (webhook.listening.port, webhook.listening.ca.clone());
    let inner = client.clone();
    in_namespace(&client, "webhook", move |ns| async move {
        register(&inner, &ns, port, &ca).await;
        let gvk = kube::api::GroupVersionKind::gvk("neo4j.neo4j.com", "v1alpha1", "Neo4jBackup");
        let api: Api<DynamicObject> = Api::namespaced_with(
            inner.clone(),
            &ns,
            &kube::api::ApiResource::from_gvk_with_plural(&gvk, "neo4jbackups"),
        );
        // The API server picks up new webhook configurations within moments: wait until a bad
        // object is refused by us (dry run: nothing is stored while waiting).
        let dry = PostParams { dry_run: true, ..PostParams::default() };
        let message = eventually("the webhook to be called", Duration::from_secs(60), || {
            let api = api.clone();
            let dry = dry.clone();
            async move {
                match api.create(&dry, &backup("bad", json!({"backupType": "INCREMENTAL"}))).await {
                    Err(kube::Error::Api(status)) if status.message.contains("is not supported") => {
                        Some(status.message.clone())
                    }
                    _ => None,
                }
            }
        })
        .await;
        assert!(
            message.contains("spec.options.backupType: \"INCREMENTAL\" is not supported; use FULL, DIFF or AUTO"),
            "{message}"
        );
        assert!(message.contains("Neo4jBackup \"bad\" is invalid (1 error)"), "{message}");

        let stored = api
            .create(&PostParams::default(), &backup("good", json!({"verify": true})))
            .await
            .expect("a good backup is stored");
        assert_eq!(
            stored.data["spec"]["options"],
            json!({"verify": true, "backupType": "FULL", "compress": true}),
            "defaults stored"
        );
        assert_eq!(stored.data["spec"]["storage"]["cloud"], json!({"provider": "aws"}));

        let mut moved = stored.clone();
        moved.data["spec"]["storage"]["bucket"] = json!("elsewhere");
        let refused = api.replace("good", &PostParams::default(), &moved).await.expect_err("storage is immutable");
        assert!(refused.to_string().contains("spec.storage: cannot be changed"), "{refused}");
    })
    .await;
    drop(webhook);
}
