//! install and uninstall against a stateful API server stand-in (neo4j-testkit): preflight that
//! changes nothing when anything is wrong, the order that keeps the fail-closed webhook
//! configurations out until the webhook serves, the CA they carry, images, and uninstall.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use k8s_openapi::ByteString;
use kubectl_neo4j::manifests::Tls;
use kubectl_neo4j::online::act::Pace;
use kubectl_neo4j::online::install::{KINDS, Options, install, objects, uninstall};
use neo4j_api::install::images::Images;
use neo4j_api::install::preflight::Certificates;
use neo4j_testkit::World;
use serde_json::{Value, json};

const WEBHOOK: &str = "/apis/apps/v1/namespaces/neo4j-system/deployments/neo4j-webhook";
const CONTROLLER: &str = "/apis/apps/v1/namespaces/neo4j-system/deployments/neo4j-controller";
const SECRET: &str = "/api/v1/namespaces/neo4j-system/secrets/neo4j-webhook-tls";
const MUTATING: &str = "/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/neo4j-webhook";
const VALIDATING: &str = "/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/neo4j-webhook";
const CRDS: &str = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";
const CA: &str = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

const PACE: Pace =
    Pace { timeout: Duration::from_secs(2), poll: Duration::from_millis(5), quiet: Duration::from_secs(2) };

fn encoded(text: &str) -> Value {
    serde_json::to_value(ByteString(text.as_bytes().to_vec())).unwrap()
}

/// A cluster without cert-manager.
fn plain() -> Arc<Mutex<World>> {
    let world = World::shared();
    world.lock().unwrap().unserved.push("/apis/cert-manager.io/".to_owned());
    world
}

/// Plays the Deployment controller (every applied Deployment becomes available, when `serving`)
/// and the webhook (or cert-manager) writing the CA into the Secret.
fn run_cluster(world: Arc<Mutex<World>>, serving: bool) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            {
                let mut w = world.lock().unwrap();
                for path in [WEBHOOK, CONTROLLER] {
                    if let Some(mut deployment) = w.objects.get(path).cloned()
                        && serving
                        && deployment["status"]["availableReplicas"].is_null()
                    {
                        let replicas = deployment["spec"]["replicas"].clone();
                        deployment["metadata"]["generation"] = json!(1);
                        deployment["status"] = json!({"observedGeneration": 1, "availableReplicas": replicas, "updatedReplicas": replicas});
                        w.objects.insert(path.to_owned(), deployment);
                    }
                }
                if serving && w.objects.contains_key(WEBHOOK) && !w.objects.contains_key(SECRET) {
                    w.store(SECRET, json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "neo4j-webhook-tls", "namespace": "neo4j-system"},
                        "data": {"ca.crt": encoded(CA), "tls.crt": encoded("x"), "tls.key": encoded("y")}}));
                }
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    })
}

fn options(certificates: Option<Certificates>) -> Options {
    Options { certificates, images: Images::default(), wait: true, namespaces: Vec::new() }
}

async fn run(world: &Arc<Mutex<World>>, options: &Options) -> (Result<(), String>, Vec<String>) {
    let mut lines = Vec::new();
    let result =
        install(&neo4j_testkit::client(world.clone()), options, PACE, |line| lines.push(line.to_owned())).await;
    (result, lines)
}

#[test]
fn every_kind_of_every_bundle_is_known() {
    for tls in [Tls::CertManager, Tls::SelfManaged] {
        for object in objects(tls.embedded()).unwrap() {
            let kind = object["kind"].as_str().unwrap();
            assert!(KINDS.iter().any(|(k, _, _)| *k == kind), "{kind} of {} is not in install::KINDS", tls.name());
        }
    }
}

#[tokio::test]
async fn a_plain_cluster_gets_everything_and_the_configurations_come_last_with_the_ca() {
    let world = plain();
    let cluster = run_cluster(world.clone(), true);
    let (result, lines) = run(&world, &options(None)).await;
    cluster.abort();
    result.unwrap();
    let count = objects(Tls::SelfManaged.embedded()).unwrap().len();
    assert_eq!(
        lines[0],
        "checked: Kubernetes v1.36, permissions, certificates: kept by the webhook (cert-manager not found), no conflicting CRDs"
    );
    assert_eq!(lines[1], "customresourcedefinition/neo4jbackups.neo4j.neo4j.com serverside-applied");
    // Everything but the two webhook configurations, then the wait, then those two.
    assert_eq!(lines[count - 2], "deployment/neo4j-controller serverside-applied", "{lines:#?}");
    assert_eq!(
        lines[count - 1..],
        [
            "deployment/neo4j-webhook available (2 replicas)",
            "mutatingwebhookconfiguration/neo4j-webhook serverside-applied (trusting the CA of secret/neo4j-webhook-tls)",
            "validatingwebhookconfiguration/neo4j-webhook serverside-applied (trusting the CA of secret/neo4j-webhook-tls)",
            "deployment/neo4j-controller available (2 replicas)",
            "installed; `kubectl neo4j status` shows it",
        ],
        "{lines:#?}"
    );
    {
        let w = world.lock().unwrap();
        let applied: Vec<&String> = w.writes.iter().filter(|write| write.starts_with("apply ")).collect();
        assert_eq!(applied.len(), count);
        assert!(applied[count - 2..].iter().all(|write| write.contains("webhookconfigurations")), "{applied:#?}");
        for path in [MUTATING, VALIDATING] {
            for hook in w.objects[path]["webhooks"].as_array().unwrap() {
                assert_eq!(hook["clientConfig"]["caBundle"], encoded(CA), "{path}");
                assert!(hook["failurePolicy"].as_str().is_some());
            }
        }
        let webhook = &w.objects[WEBHOOK]["spec"]["template"]["spec"]["containers"][0];
        assert_eq!(webhook["image"], format!("ghcr.io/kubectl-neo4j/neo4j-webhook:{}", env!("CARGO_PKG_VERSION")));
        assert!(webhook["args"].as_array().unwrap().contains(&json!("--manage-certificates")));
        // Ours, and labelled so: a second install passes preflight and changes the same objects.
        assert_eq!(
            w.objects[&format!("{CRDS}/neo4jbackups.neo4j.neo4j.com")]["metadata"]["labels"]["app.kubernetes.io/part-of"],
            "kubectl-neo4j"
        );
    }
    let cluster = run_cluster(world.clone(), true);
    let (again, _) = run(&world, &options(None)).await;
    cluster.abort();
    again.unwrap();
}

#[tokio::test]
async fn nothing_is_changed_when_preflight_finds_problems_and_all_are_reported() {
    let world = plain();
    {
        let mut w = world.lock().unwrap();
        w.version = ("1".into(), "31".into());
        w.denied.insert(("create".into(), "clusterroles".into()));
        // The Neo4j operator's own Neo4jBackup CRD (v1.14.0, serves v1beta1).
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../tests/fixtures/neo4j-operator/v1.14.0/neo4jbackups.yaml"
        ))
        .unwrap();
        let mut crd: Value = serde_saphyr::from_str(&text).unwrap();
        crd["metadata"]["managedFields"] = json!([{"manager": "helm"}]);
        w.store(&format!("{CRDS}/neo4jbackups.neo4j.neo4j.com"), crd);
        w.writes.clear();
    }
    let (result, lines) = run(&world, &options(Some(Certificates::CertManager))).await;
    assert_eq!(
        result.unwrap_err(),
        "nothing was installed:
  - the API server is Kubernetes v1.31; kubectl-neo4j needs v1.33 or later
  - you may not create clusterroles.rbac.authorization.k8s.io (cluster-wide); ask a cluster administrator to run the install, or to grant these
  - cert-manager is not installed (no certificates.cert-manager.io / issuers.cert-manager.io CRDs); install it, or leave out --tls cert-manager and the webhook keeps its own certificates
  - customresourcedefinition neo4jbackups.neo4j.neo4j.com exists and is not kubectl-neo4j's (it serves neo4j.neo4j.com/v1beta1; applied by helm; generated by controller-gen v0.19.0, as the Neo4j operator's are). Installing ours would replace its schema and leave its objects unreadable. Either keep it and do not install kubectl-neo4j, or move its objects to ours first (`kubectl neo4j convert -f`, docs/operator.md), delete this CRD, and run `kubectl neo4j install` again"
    );
    assert!(lines.is_empty(), "{lines:?}");
    assert!(world.lock().unwrap().writes.is_empty(), "{:?}", world.lock().unwrap().writes);
}

#[tokio::test]
async fn a_webhook_that_never_serves_leaves_nothing_blocking() {
    let world = plain();
    let (result, lines) = run(&world, &options(None)).await;
    let err = result.unwrap_err();
    assert_eq!(
        err,
        "deployment/neo4j-webhook in neo4j-system: not rolled out yet after 2s. `kubectl -n neo4j-system describe deployment neo4j-webhook` shows why. The webhook configurations were not applied, so nothing is refused meanwhile. Run `kubectl neo4j install` again once it is available, or `kubectl neo4j uninstall` to undo"
            .replace("not rolled out yet", "0/2 available")
    );
    assert_eq!(lines.last().unwrap(), "waiting for deployment/neo4j-webhook in neo4j-system: 0/2 available");
    let w = world.lock().unwrap();
    assert!(w.writes_to("/apis/admissionregistration.k8s.io/").is_empty(), "{:?}", w.writes);
    assert!(w.objects.contains_key(WEBHOOK));
}

#[tokio::test]
async fn with_cert_manager_installed_it_issues_the_certificate() {
    let world = World::shared();
    {
        let mut w = world.lock().unwrap();
        for name in ["certificates.cert-manager.io", "issuers.cert-manager.io"] {
            w.store(&format!("{CRDS}/{name}"), json!({"metadata": {"name": name}}));
        }
    }
    let cluster = run_cluster(world.clone(), true);
    let (result, lines) = run(&world, &options(None)).await;
    cluster.abort();
    result.unwrap();
    assert!(lines[0].contains("certificates: cert-manager"), "{lines:?}");
    let w = world.lock().unwrap();
    assert!(
        w.objects.contains_key("/apis/cert-manager.io/v1/namespaces/neo4j-system/certificates/neo4j-webhook-serving")
    );
    let webhook = &w.objects[WEBHOOK]["spec"]["template"]["spec"]["containers"][0];
    assert!(webhook["args"].as_array().unwrap().contains(&json!("--cert=/etc/neo4j-webhook/tls/tls.crt")));
}

#[tokio::test]
async fn the_images_come_from_one_registry_and_version() {
    let world = plain();
    let cluster = run_cluster(world.clone(), true);
    let options = Options { images: Images::new("registry.example.com/platform", "0.2.0").unwrap(), ..options(None) };
    let (result, _) = run(&world, &options).await;
    cluster.abort();
    result.unwrap();
    let w = world.lock().unwrap();
    let controller = &w.objects[CONTROLLER]["spec"]["template"]["spec"]["containers"][0];
    assert_eq!(controller["image"], "registry.example.com/platform/neo4j-controller:0.2.0");
    assert!(
        controller["args"]
            .as_array()
            .unwrap()
            .contains(&json!("--agent-image=registry.example.com/platform/neo4j-agent:0.2.0"))
    );
    assert_eq!(
        w.objects[WEBHOOK]["spec"]["template"]["spec"]["containers"][0]["image"],
        "registry.example.com/platform/neo4j-webhook:0.2.0"
    );
}

#[tokio::test]
async fn uninstall_removes_the_configurations_first_and_keeps_crds_and_the_namespace() {
    let world = plain();
    let cluster = run_cluster(world.clone(), true);
    run(&world, &options(None)).await.0.unwrap();
    cluster.abort();
    world.lock().unwrap().writes.clear();
    let text = uninstall(&neo4j_testkit::client(world.clone())).await.unwrap();
    let w = world.lock().unwrap();
    let deleted: Vec<&String> = w.writes.iter().collect();
    assert!(deleted.iter().all(|write| write.starts_with("delete ")), "{deleted:?}");
    assert_eq!(deleted[0], &format!("delete {MUTATING}"));
    assert_eq!(deleted[1], &format!("delete {VALIDATING}"));
    assert!(
        w.objects.keys().all(|path| !path.contains("/deployments/") && !path.contains("webhookconfigurations")),
        "{:?}",
        w.objects.keys()
    );
    assert!(!w.objects.contains_key(SECRET), "the webhook's certificate goes too");
    assert!(w.objects.contains_key(&format!("{CRDS}/neo4jrestores.neo4j.neo4j.com")));
    assert!(w.objects.contains_key("/api/v1/namespaces/neo4j-system"));
    assert!(text.contains("secret/neo4j-webhook-tls deleted\n"), "{text}");
    assert!(text.contains("certificate/neo4j-webhook-serving already gone\n"), "{text}");
    assert!(text.ends_with(
        "kept: customresourcedefinition/neo4jbackups.neo4j.neo4j.com, customresourcedefinition/neo4jrestores.neo4j.neo4j.com, namespace/neo4j-system (deleting a CRD deletes every Neo4jBackup and Neo4jRestore; backup artifacts and claims are never touched)\n"
    ), "{text}");
}

#[tokio::test]
async fn uninstall_waits_for_restores_in_progress_and_changes_nothing() {
    let world = plain();
    {
        let mut w = world.lock().unwrap();
        let restore = |name: &str, phase: &str, finalizers: Value| {
            json!({"apiVersion": "neo4j.neo4j.com/v1alpha1", "kind": "Neo4jRestore",
                "metadata": {"name": name, "namespace": "shop", "finalizers": finalizers},
                "spec": {"targetCluster": "prod", "databaseName": "orders", "source": {"type": "backup", "backupRef": "nightly"}},
                "status": {"phase": phase}})
        };
        let at = |name: &str| format!("/apis/neo4j.neo4j.com/v1alpha1/namespaces/shop/neo4jrestores/{name}");
        w.store(&at("recover"), restore("recover", "Running", json!(["neo4j.neo4j.com/restore"])));
        w.store(&at("done"), restore("done", "Completed", json!([])));
        w.store(MUTATING, json!({"metadata": {"name": "neo4j-webhook"}, "webhooks": []}));
        w.writes.clear();
    }
    let err = uninstall(&neo4j_testkit::client(world.clone())).await.unwrap_err();
    assert_eq!(
        err,
        "nothing was removed: a restore is in progress (shop/recover); without the controller a target scaled down for it would stay down. Wait until it ends (`kubectl neo4j status -A`), or delete it first"
    );
    assert!(world.lock().unwrap().writes.is_empty());
}

// A namespace-scoped install leaves Roles and RoleBindings in each namespace it lists; uninstall
// removes them too.
#[tokio::test]
async fn uninstall_removes_what_a_namespace_scoped_install_made() {
    let world = plain();
    let cluster = run_cluster(world.clone(), true);
    let scoped = Options { namespaces: vec!["team-a".to_owned()], ..options(None) };
    run(&world, &scoped).await.0.unwrap();
    cluster.abort();
    let in_team_a = |world: &std::sync::Arc<std::sync::Mutex<neo4j_testkit::World>>| -> Vec<String> {
        let w = world.lock().unwrap();
        w.objects.keys().filter(|path| path.contains("/namespaces/team-a/")).cloned().collect()
    };
    assert_eq!(
        in_team_a(&world),
        [
            "/apis/rbac.authorization.k8s.io/v1/namespaces/team-a/rolebindings/neo4j-controller",
            "/apis/rbac.authorization.k8s.io/v1/namespaces/team-a/rolebindings/neo4j-webhook",
            "/apis/rbac.authorization.k8s.io/v1/namespaces/team-a/roles/neo4j-controller",
            "/apis/rbac.authorization.k8s.io/v1/namespaces/team-a/roles/neo4j-webhook",
        ]
    );
    let text = uninstall(&neo4j_testkit::client(world.clone())).await.unwrap();
    assert_eq!(in_team_a(&world), Vec::<String>::new(), "{text}");
    assert!(text.contains("role/neo4j-controller in team-a deleted\n"), "{text}");
}
