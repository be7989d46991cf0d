//! `kubectl neo4j install` and `uninstall` against a real API server (through the library
//! functions the binary calls), with and without cert-manager's CRDs. There is no kubelet: the
//! test marks the Pods ready, and plays whoever writes the webhook's Secret (the webhook's own
//! certificate keeper, run in-process against the API server, or cert-manager). These tests put
//! fail-closed webhook configurations in front of every namespace, so they hold the cluster alone.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use k8s_openapi::api::admissionregistration::v1::{MutatingWebhookConfiguration, ValidatingWebhookConfiguration};
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::Secret;
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::api::{Api, Patch, PatchParams, PostParams};
use kube::{Client, ResourceExt};
use kubectl_neo4j::online::act::Pace;
use kubectl_neo4j::online::install::{Options, install, uninstall};
use neo4j_api::Neo4jBackup;
use neo4j_api::install::images::Images;
use neo4j_api::install::preflight::Certificates;
use serde_json::json;

use crate::support::{FIELD_MANAGER, apply_crds, client, exclusive, in_namespace, play_kubelet};

const NAMESPACE: &str = "neo4j-system";
const CERT_MANAGER_CRDS: [(&str, &str, &str); 2] =
    [("certificates", "Certificate", "CertificateList"), ("issuers", "Issuer", "IssuerList")];

fn pace(timeout: Duration) -> Pace {
    Pace { timeout, poll: Duration::from_secs(1), quiet: timeout }
}

async fn run_install(
    client: &Client,
    certificates: Option<Certificates>,
    timeout: Duration,
) -> (Result<(), String>, Vec<String>) {
    let options = Options { certificates, images: Images::default(), wait: false, namespaces: Vec::new() };
    let mut lines = Vec::new();
    let result = install(client, &options, pace(timeout), |line| {
        eprintln!("install: {line}");
        lines.push(line.to_owned());
    })
    .await;
    (result, lines)
}

/// Tries to create Neo4jBackups in a fresh namespace until the API server answers as `accepted`
/// says (it reads webhook configurations through an informer: a change takes a moment), for at
/// most 60 s; returns the last refusal.
async fn backups_become(client: &Client, accepted: bool) -> String {
    let (outcome, sender) = (std::sync::Arc::new(std::sync::Mutex::new(None)), client.clone());
    let seen = outcome.clone();
    in_namespace(client, "install-probe", move |ns| async move {
        let backups: Api<Neo4jBackup> = Api::namespaced(sender, &ns);
        let start = std::time::Instant::now();
        for attempt in 0.. {
            let backup = serde_json::from_value(json!({"apiVersion": "neo4j.neo4j.com/v1alpha1", "kind": "Neo4jBackup",
                "metadata": {"name": format!("probe-{attempt}")},
                "spec": {"target": {"kind": "Cluster", "name": "prod"}, "storage": {"type": "pvc", "path": "prod", "pvc": {"name": "backups"}}}}))
            .expect("backup");
            let result = backups.create(&PostParams::default(), &backup).await.map(|_| ()).map_err(|err| err.to_string());
            let done = result.is_ok() == accepted;
            let refusal = result.err().unwrap_or_default();
            if done {
                *seen.lock().unwrap() = Some(refusal);
                return;
            }
            assert!(
                start.elapsed() < Duration::from_secs(60),
                "Neo4jBackups still {} after 60s: {refusal}",
                if accepted { "refused" } else { "accepted" }
            );
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    })
    .await;
    outcome.lock().unwrap().take().expect("the probe ran")
}

/// The caBundle of every webhook of both configurations (None where absent).
async fn bundles(client: &Client) -> Vec<Option<Vec<u8>>> {
    let mutating: Api<MutatingWebhookConfiguration> = Api::all(client.clone());
    let validating: Api<ValidatingWebhookConfiguration> = Api::all(client.clone());
    let mut found = Vec::new();
    if let Some(config) = mutating.get_opt("neo4j-webhook").await.expect("read") {
        found.extend(config.webhooks.unwrap_or_default().into_iter().map(|w| w.client_config.ca_bundle.map(|b| b.0)));
    }
    if let Some(config) = validating.get_opt("neo4j-webhook").await.expect("read") {
        found.extend(config.webhooks.unwrap_or_default().into_iter().map(|w| w.client_config.ca_bundle.map(|b| b.0)));
    }
    found
}

async fn configurations_exist(client: &Client) -> bool {
    let mutating: Api<MutatingWebhookConfiguration> = Api::all(client.clone());
    let validating: Api<ValidatingWebhookConfiguration> = Api::all(client.clone());
    mutating.get_opt("neo4j-webhook").await.expect("read").is_some()
        || validating.get_opt("neo4j-webhook").await.expect("read").is_some()
}

async fn ca_of_secret(client: &Client) -> Vec<u8> {
    let secrets: Api<Secret> = Api::namespaced(client.clone(), NAMESPACE);
    let secret = secrets.get("neo4j-webhook-tls").await.expect("the webhook's Secret");
    secret.data.and_then(|mut d| d.remove("ca.crt")).expect("ca.crt").0
}

/// Runs `test`, then uninstalls whatever it installed, also when it fails; `cleanup` runs last.
async fn undone_after<F, Fut>(client: &Client, test: F)
where
    F: FnOnce(Client) -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let outcome = tokio::spawn(test(client.clone())).await;
    if let Err(err) = uninstall(client).await {
        eprintln!("uninstall after the test: {err}");
    }
    if let Err(err) = outcome {
        match err.try_into_panic() {
            Ok(panic) => std::panic::resume_unwind(panic),
            Err(err) => panic!("test task failed: {err}"),
        }
    }
}

async fn cert_manager_installed(client: &Client) -> bool {
    let crds: Api<CustomResourceDefinition> = Api::all(client.clone());
    for (plural, _, _) in CERT_MANAGER_CRDS {
        if crds.get_opt(&format!("{plural}.cert-manager.io")).await.expect("read CRDs").is_none() {
            return false;
        }
    }
    true
}

#[tokio::test]
#[ignore = "needs a cluster: KUBECONFIG"]
async fn e2e_install_on_a_plain_cluster_in_one_command_and_uninstall() {
    let client = client().await;
    let _alone = exclusive().await;
    apply_crds(&client).await;
    // Without cert-manager the webhook keeps its own certificates; where cert-manager is really
    // installed, ask for that variant by name.
    let certificates = cert_manager_installed(&client).await.then_some(Certificates::SelfManaged);
    undone_after(&client, move |client| async move {
        // Nothing serves yet: install stops before the webhook configurations, and nothing is refused.
        let (first, lines) = run_install(&client, certificates, Duration::from_secs(15)).await;
        let err = first.expect_err("no webhook Pod is ready");
        assert!(err.contains("The webhook configurations were not applied, so nothing is refused meanwhile"), "{err}");
        assert!(lines[0].starts_with("checked: Kubernetes v1."), "{lines:?}");
        assert!(!configurations_exist(&client).await, "no fail-closed configuration without a backend");
        backups_become(&client, true).await; // nothing blocks our kinds after a failed install

        // The webhook's certificate keeper, as each replica runs it, and the kubelet.
        let keeper = neo4j_webhook::pki::keeper::Keeper {
            client: client.clone(),
            namespace: NAMESPACE.to_owned(),
            secret: "neo4j-webhook-tls".to_owned(),
            configuration: "neo4j-webhook".to_owned(),
            names: neo4j_webhook::pki::keeper::service_names("neo4j-webhook", NAMESPACE),
        };
        let keeping = tokio::spawn(async move {
            loop {
                let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64);
                if let Err(err) = keeper.tick_at(now).await {
                    eprintln!("keeper: {err}");
                }
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        });
        let kubelet =
            tokio::spawn(play_kubelet(client.clone(), NAMESPACE.to_owned(), "app.kubernetes.io/part-of=kubectl-neo4j"));

        // Run again: it completes, the configurations last, trusting the keeper's CA.
        let (second, lines) = run_install(&client, certificates, Duration::from_secs(180)).await;
        second.expect("the second install completes");
        assert!(lines.iter().any(|l| l == "deployment/neo4j-webhook available (2 replicas)"), "{lines:?}");
        assert_eq!(lines.last().map(String::as_str), Some("installed; `kubectl neo4j status` shows it"));
        let ca = ca_of_secret(&client).await;
        assert!(String::from_utf8_lossy(&ca).starts_with("-----BEGIN CERTIFICATE-----"));
        assert_eq!(bundles(&client).await, vec![Some(ca.clone()); 3], "every webhook trusts the webhook's own CA");
        let deployments: Api<Deployment> = Api::namespaced(client.clone(), NAMESPACE);
        let webhook = deployments.get("neo4j-webhook").await.expect("the webhook Deployment");
        let args = webhook
            .spec
            .and_then(|s| s.template.spec)
            .map(|p| p.containers[0].args.clone().unwrap_or_default())
            .unwrap_or_default();
        assert!(args.contains(&"--manage-certificates".to_owned()), "{args:?}");

        // Fail closed: no webhook process is reachable behind the Service, so our kinds are refused.
        let refused = backups_become(&client, false).await;
        assert!(refused.contains("neo4j.neo4j.com"), "refused by our webhook: {refused}");

        // Uninstall: nothing left that refuses anything (the keeper stops first, or it would write
        // its Secret again).
        keeping.abort();
        let text = uninstall(&client).await.expect("uninstall");
        assert!(text.contains("mutatingwebhookconfiguration/neo4j-webhook deleted"), "{text}");
        assert!(!configurations_exist(&client).await);
        assert!(deployments.get_opt("neo4j-webhook").await.expect("read").is_none());
        backups_become(&client, true).await; // nothing blocks our kinds after uninstall
        kubelet.abort();
    })
    .await;
}

#[tokio::test]
#[ignore = "needs a cluster: KUBECONFIG"]
async fn e2e_install_with_cert_manager_crds_uses_cert_manager() {
    let client = client().await;
    let _alone = exclusive().await;
    apply_crds(&client).await;
    let crds: Api<CustomResourceDefinition> = Api::all(client.clone());
    let ours = !cert_manager_installed(&client).await;
    if ours {
        // cert-manager's CRDs only (no cert-manager): schemaless stand-ins of its two kinds.
        for (plural, kind, list) in CERT_MANAGER_CRDS {
            let crd: CustomResourceDefinition = serde_json::from_value(json!({"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
                "metadata": {"name": format!("{plural}.cert-manager.io")},
                "spec": {"group": "cert-manager.io", "scope": "Namespaced",
                    "names": {"plural": plural, "singular": kind.to_lowercase(), "kind": kind, "listKind": list},
                    "versions": [{"name": "v1", "served": true, "storage": true,
                        "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}}}]}}))
            .expect("CRD");
            crate::support::apply_crd(&crds, &crd).await;
        }
    }
    undone_after(&client, move |client| async move {
        // Plays cert-manager: the serving certificate and its CA in Secret neo4j-webhook-tls.
        let dir = std::env::temp_dir().join(format!("e2e-install-{}", std::process::id()));
        let files = neo4j_webhook::tls::self_signed(&dir, &["neo4j-webhook.neo4j-system.svc".to_owned()]).expect("certificates");
        let ca = std::fs::read(&files.ca).expect("CA");
        let kubelet = tokio::spawn(play_kubelet(client.clone(), NAMESPACE.to_owned(), "app.kubernetes.io/part-of=kubectl-neo4j"));
        let writer = {
            let (client, ca) = (client.clone(), ca.clone());
            let (cert, key) = (std::fs::read(&files.cert).expect("cert"), std::fs::read(&files.key).expect("key"));
            tokio::spawn(async move {
                let secrets: Api<Secret> = Api::namespaced(client, NAMESPACE);
                loop {
                    let secret: Secret = serde_json::from_value(json!({"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/tls",
                        "metadata": {"name": "neo4j-webhook-tls", "namespace": NAMESPACE},
                        "data": {"ca.crt": k8s_openapi::ByteString(ca.clone()), "tls.crt": k8s_openapi::ByteString(cert.clone()), "tls.key": k8s_openapi::ByteString(key.clone())}}))
                    .expect("secret");
                    // The namespace exists once install applied it; apply over any Secret left before.
                    let params = PatchParams::apply(FIELD_MANAGER).force();
                    if secrets.patch("neo4j-webhook-tls", &params, &Patch::Apply(&secret)).await.is_ok() {
                        return;
                    }
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            })
        };
        let (result, lines) = run_install(&client, None, Duration::from_secs(180)).await;
        result.expect("install completes");
        assert!(lines[0].contains("certificates: cert-manager"), "{lines:?}");
        let certificates: Api<kube::api::DynamicObject> = Api::namespaced_with(
            client.clone(),
            NAMESPACE,
            &kube::core::ApiResource::from_gvk_with_plural(&kube::core::GroupVersionKind::gvk("cert-manager.io", "v1", "Certificate"), "certificates"),
        );
        assert!(certificates.get_opt("neo4j-webhook-serving").await.expect("read").is_some(), "the serving Certificate is applied");
        assert_eq!(bundles(&client).await, vec![Some(ca.clone()); 3], "the configurations trust the CA of the Secret from the start");
        let mutating: Api<MutatingWebhookConfiguration> = Api::all(client.clone());
        let config = mutating.get("neo4j-webhook").await.expect("configuration");
        assert_eq!(config.annotations().get("cert-manager.io/inject-ca-from").map(String::as_str), Some("neo4j-system/neo4j-webhook-serving"));

        let text = uninstall(&client).await.expect("uninstall");
        assert!(text.contains("certificate/neo4j-webhook-serving deleted"), "{text}");
        assert!(text.contains("secret/neo4j-webhook-tls deleted"), "{text}");
        assert!(!configurations_exist(&client).await);
        backups_become(&client, true).await; // nothing blocks our kinds after uninstall
        writer.abort();
        kubelet.abort();
        let _ = std::fs::remove_dir_all(&dir);
    })
    .await;
    if ours {
        for (plural, _, _) in CERT_MANAGER_CRDS {
            // Gone before the next test looks for cert-manager.
            crate::support::delete_crd(&crds, &format!("{plural}.cert-manager.io")).await;
        }
    }
}
