//! The security promises of docs/security.md against a real API server (issue 13): what a spec
//! lends our Jobs must be the requester's to use (a hook's Secret), a target in another namespace
//! is backed up only while it grants that namespace, a restore deleted midway leaves nothing
//! writing on the data claim when the servers start again, and the controller's finalizer
//! removal is admitted when the object's rules no longer hold.
//!
//! The webhook runs in-process on 127.0.0.1 with access reviews (SubjectAccessReviews through the
//! suite's client), registered fail-closed with the configurations the install ships
//! (`manifests/webhook/configurations/webhooks.yaml`), scoped to the test's namespace. Registering
//! a fail-closed configuration changes cluster-wide state, so those tests hold the cluster alone.
//! Requesters are ServiceAccounts the suite's client impersonates.

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::StreamExt;
use futures::future::BoxFuture;
use k8s_openapi::api::admissionregistration::v1::{
    MutatingWebhookConfiguration, ValidatingWebhookConfiguration, WebhookClientConfig,
};
use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::authorization::v1::{ResourceAttributes, SubjectAccessReview, SubjectAccessReviewSpec};
use k8s_openapi::api::batch::v1::{CronJob, Job};
use k8s_openapi::api::core::v1::{Namespace, Pod, Secret, ServiceAccount};
use k8s_openapi::api::rbac::v1::{Role, RoleBinding};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, OwnerReference};
use kube::api::{Api, DeleteParams, ListParams, Patch, PatchParams, PostParams};
use kube::runtime::{WatchStreamExt, watcher};
use kube::{Client, ResourceExt};
use neo4j_api::restore::machine::{Cypher, Database};
use neo4j_api::{Neo4jBackup, Neo4jRestore};
use neo4j_controller::restore::bolt::{DatabaseAdmin, Endpoint, Session};
use serde_json::json;

use crate::in_process::{Listening, Webhook};
use crate::support::{
    FIELD_MANAGER, apply_crds, client, clusters, controller_ctx, create_cluster, exclusive, in_namespace, install_crds,
    play_kubelet,
};

use neo4j_api::grant::BACKUP_NAMESPACES;
use neo4j_api::plan::target::RESTORE_IN_PROGRESS;
use neo4j_controller::restore::act::FINALIZER as SCALE_UP_FINALIZER;

// ---------------------------------------------------------------------------------------------
// Plumbing
// ---------------------------------------------------------------------------------------------

/// Polls `probe` until it returns `Ok`, for at most `timeout`; panics naming `what` and the last
/// thing the probe saw (its `Err`) otherwise.
pub(crate) async fn until<T, F, Fut>(what: &str, timeout: Duration, mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, String>>,
{
    let start = Instant::now();
    loop {
        match probe().await {
            Ok(value) => return value,
            Err(seen) => {
                assert!(start.elapsed() < timeout, "timed out after {timeout:?} waiting for {what}; last seen: {seen}")
            }
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// A background task of the test, aborted when dropped (also when the test panics, so that no
/// controller or kubelet of a failed test keeps acting while its namespace is cleaned up).
pub(crate) struct Task(Option<tokio::task::JoinHandle<()>>);

pub(crate) fn spawn(future: impl Future<Output = ()> + Send + 'static) -> Task {
    Task(Some(tokio::spawn(future)))
}

impl Task {
    /// Aborts the task and waits until it has stopped.
    pub(crate) async fn stop(mut self) {
        if let Some(handle) = self.0.take() {
            handle.abort();
            let _ = handle.await;
        }
    }
}

impl Drop for Task {
    fn drop(&mut self) {
        if let Some(handle) = &self.0 {
            handle.abort();
        }
    }
}

/// The API server's refusal of `result` (its message), or a panic naming `what` when it was
/// admitted or failed otherwise.
pub(crate) fn refused<T: std::fmt::Debug>(result: Result<T, kube::Error>, what: &str) -> String {
    match result {
        Err(kube::Error::Api(status)) => status.message.clone(),
        Err(other) => panic!("{what}: expected a refusal by the API server, got {other}"),
        Ok(admitted) => panic!("{what}: expected a refusal, but it was admitted: {admitted:?}"),
    }
}

pub(crate) fn from_json<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> T {
    serde_json::from_value(value).expect("a well-formed object")
}

// ---------------------------------------------------------------------------------------------
// The webhook, in-process and registered fail-closed
// ---------------------------------------------------------------------------------------------

impl Webhook {
    /// The OpenMetrics text of its metrics.
    fn metrics(&self) -> String {
        self.app.metrics.render()
    }
}

/// Starts the webhook in-process and waits until its caches are synced.
pub(crate) async fn start_webhook(client: Client) -> Webhook {
    let webhook = crate::in_process::start_webhook(client).await;
    let synced = webhook.app.clone();
    until("the webhook's caches to sync", Duration::from_secs(60), || {
        let synced = synced.clone();
        async move { if (synced.ready)() { Ok(()) } else { Err("caches not synced".to_owned()) } }
    })
    .await;
    webhook
}

/// Which form of the shipped webhook configurations to register.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Configurations {
    /// As `manifests/webhook/configurations/webhooks.yaml` ships them: defaults at CREATE only,
    /// rules at CREATE and UPDATE with the `matchConditions` that skip updates leaving the spec
    /// unchanged and updates of an object being deleted.
    Shipped,
    /// The same without `matchConditions`, and with defaults asked for at UPDATE too: an API server
    /// that sends every request, where only the webhook's own decision (`neo4j_api::admission`)
    /// lets the controller's patches through.
    SendingEverything,
}

/// Registers our kinds' webhooks of the shipped configurations (`mutate.neo4j.neo4j.com` and
/// `validate.neo4j.neo4j.com`, both `failurePolicy: Fail`) for namespace `ns` only, calling the
/// in-process webhook by URL. The configurations are owned by the namespace, so deleting it (as
/// `in_namespace` does, even on failure) deletes them too. The targets' webhook
/// (`validate-targets`, `failurePolicy: Ignore`) is left out: the tests change targets freely.
pub(crate) async fn register(client: &Client, ns: &str, listening: &Listening, form: Configurations) {
    let path = neo4j_tests::fixtures::workspace_root().join("manifests/webhook/configurations/webhooks.yaml");
    let documents = neo4j_tests::fixtures::yaml_documents(&path);
    let document = |kind: &str| {
        documents.iter().find(|d| d["kind"] == kind).cloned().unwrap_or_else(|| panic!("{kind} in {}", path.display()))
    };
    let mut mutating: MutatingWebhookConfiguration = from_json(document("MutatingWebhookConfiguration"));
    let mut validating: ValidatingWebhookConfiguration = from_json(document("ValidatingWebhookConfiguration"));

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
    let client_config = |path: &str| WebhookClientConfig {
        url: Some(format!("https://127.0.0.1:{}{path}", listening.port)),
        ca_bundle: Some(k8s_openapi::ByteString(listening.ca.clone())),
        service: None,
    };
    let name = format!("e2e-security-{ns}");
    let labels = [("app.kubernetes.io/created-by".to_owned(), FIELD_MANAGER.to_owned())];
    for metadata in [&mut mutating.metadata, &mut validating.metadata] {
        metadata.name = Some(name.clone());
        metadata.labels = Some(labels.clone().into());
        metadata.owner_references = Some(vec![owner.clone()]);
    }

    let webhooks = mutating.webhooks.get_or_insert_default();
    webhooks.retain(|w| w.name == "mutate.neo4j.neo4j.com");
    assert_eq!(webhooks.len(), 1, "the shipped mutating webhook of our kinds");
    for webhook in webhooks.iter_mut() {
        assert_eq!(webhook.failure_policy.as_deref(), Some("Fail"), "our kinds are judged fail-closed");
        webhook.client_config = client_config("/mutate");
        webhook.namespace_selector = Some(selector.clone());
        if form == Configurations::SendingEverything {
            webhook.match_conditions = None;
            for rule in webhook.rules.iter_mut().flatten() {
                let operations = rule.operations.get_or_insert_default();
                if !operations.iter().any(|o| o == "UPDATE") {
                    operations.push("UPDATE".to_owned());
                }
            }
        }
    }
    let webhooks = validating.webhooks.get_or_insert_default();
    webhooks.retain(|w| w.name == "validate.neo4j.neo4j.com");
    assert_eq!(webhooks.len(), 1, "the shipped validating webhook of our kinds");
    for webhook in webhooks.iter_mut() {
        assert_eq!(webhook.failure_policy.as_deref(), Some("Fail"), "our kinds are judged fail-closed");
        webhook.client_config = client_config("/validate");
        webhook.namespace_selector = Some(selector.clone());
        if form == Configurations::SendingEverything {
            webhook.match_conditions = None;
        }
    }
    Api::<MutatingWebhookConfiguration>::all(client.clone())
        .create(&PostParams::default(), &mutating)
        .await
        .expect("register the mutating webhook");
    Api::<ValidatingWebhookConfiguration>::all(client.clone())
        .create(&PostParams::default(), &validating)
        .await
        .expect("register the validating webhook");
    await_webhook(client, ns).await;
}

/// The API server reads webhook configurations through an informer: waits until a bad object in
/// `ns` is refused by our webhook (dry run: nothing is stored while waiting).
async fn await_webhook(client: &Client, ns: &str) {
    let backups: Api<Neo4jBackup> = Api::namespaced(client.clone(), ns);
    let bad: Neo4jBackup = from_json(json!({"apiVersion": "neo4j.neo4j.com/v1alpha1", "kind": "Neo4jBackup",
        "metadata": {"name": "webhook-probe"},
        "spec": {"target": {"kind": "Cluster", "name": "prod"}, "storage": {"type": "s3", "bucket": "my-backups"},
            "options": {"backupType": "INCREMENTAL"}}}));
    let dry = PostParams { dry_run: true, ..PostParams::default() };
    until("the webhook to be called for our kinds", Duration::from_secs(60), || {
        let (backups, bad, dry) = (backups.clone(), bad.clone(), dry.clone());
        async move {
            match backups.create(&dry, &bad).await {
                Err(kube::Error::Api(status)) if status.message.contains("is not supported; use FULL or DIFF") => {
                    Ok(())
                }
                Err(err) => Err(format!("refused otherwise: {err}")),
                Ok(_) => Err("admitted (the webhook is not called yet)".to_owned()),
            }
        }
    })
    .await;
}

/// The value of the counter of admission requests with these labels (0 when none was counted).
fn requests(metrics: &str, endpoint: &str, kind: &str, operation: &str, verdict: &str) -> f64 {
    let series = format!(
        "neo4j_webhook_admission_requests_total{{endpoint=\"{endpoint}\",kind=\"{kind}\",operation=\"{operation}\",verdict=\"{verdict}\"}} "
    );
    metrics
        .lines()
        .find_map(|line| line.strip_prefix(&series))
        .and_then(|value| value.trim().parse().ok())
        .unwrap_or(0.0)
}

// ---------------------------------------------------------------------------------------------
// Requesters
// ---------------------------------------------------------------------------------------------

/// A ServiceAccount the tests act as (by impersonation), with the RBAC they give it.
#[derive(Clone)]
struct Requester {
    namespace: String,
    name: String,
}

impl Requester {
    /// Creates the ServiceAccount `name` in `namespace`.
    async fn create(admin: &Client, namespace: &str, name: &str) -> Self {
        let account: ServiceAccount =
            from_json(json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": name}}));
        Api::<ServiceAccount>::namespaced(admin.clone(), namespace)
            .create(&PostParams::default(), &account)
            .await
            .unwrap_or_else(|err| panic!("create ServiceAccount {name}: {err}"));
        Self { namespace: namespace.to_owned(), name: name.to_owned() }
    }

    fn user(&self) -> String {
        format!("system:serviceaccount:{}:{}", self.namespace, self.name)
    }

    /// The groups the API server gives an impersonated ServiceAccount.
    fn groups(&self) -> Vec<String> {
        vec![
            "system:serviceaccounts".to_owned(),
            format!("system:serviceaccounts:{}", self.namespace),
            "system:authenticated".to_owned(),
        ]
    }

    /// A client acting as this ServiceAccount: the suite's credentials, impersonating it.
    async fn client(&self) -> Client {
        let mut config = kube::Config::infer().await.expect("the suite's kubeconfig");
        config.auth_info.impersonate = Some(self.user());
        Client::try_from(config).expect("an impersonating client")
    }

    /// Binds Role `role` of `namespace` to this ServiceAccount.
    async fn bind(&self, admin: &Client, namespace: &str, role: &str) {
        let binding: RoleBinding =
            from_json(json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
            "metadata": {"name": format!("{role}-{}", self.name)},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": role},
            "subjects": [{"kind": "ServiceAccount", "name": self.name, "namespace": self.namespace}]}));
        Api::<RoleBinding>::namespaced(admin.clone(), namespace)
            .create(&PostParams::default(), &binding)
            .await
            .unwrap_or_else(|err| panic!("bind Role {role} to {}: {err}", self.user()));
    }

    /// Whether the API server says this ServiceAccount may `verb` `resource` (of API `group`) in
    /// `namespace` (only object `name`, when given): a SubjectAccessReview, as the webhook asks.
    async fn may(&self, admin: &Client, permission: (&str, &str, &str), namespace: &str, name: Option<&str>) -> bool {
        let (group, resource, verb) = permission;
        let review = SubjectAccessReview {
            spec: SubjectAccessReviewSpec {
                user: Some(self.user()),
                groups: Some(self.groups()),
                resource_attributes: Some(ResourceAttributes {
                    group: Some(group.to_owned()),
                    resource: Some(resource.to_owned()),
                    verb: Some(verb.to_owned()),
                    namespace: Some(namespace.to_owned()),
                    name: name.map(str::to_owned),
                    ..ResourceAttributes::default()
                }),
                ..SubjectAccessReviewSpec::default()
            },
            ..SubjectAccessReview::default()
        };
        let answer = Api::<SubjectAccessReview>::all(admin.clone())
            .create(&PostParams::default(), &review)
            .await
            .expect("a SubjectAccessReview");
        answer.status.is_some_and(|status| status.allowed)
    }

    /// Waits until the RBAC just written is in effect (the authorizer reads it through an
    /// informer): this ServiceAccount may do what `permission` says.
    async fn await_may(&self, admin: &Client, permission: (&str, &str, &str), namespace: &str, name: Option<&str>) {
        let what = format!("{} to be allowed {permission:?} {name:?} in {namespace}", self.user());
        until(&what, Duration::from_secs(60), || async move {
            if self.may(admin, permission, namespace, name).await { Ok(()) } else { Err("not allowed yet".to_owned()) }
        })
        .await;
    }
}

/// Creates Role `name` in `namespace` with `rules`.
async fn create_role(admin: &Client, namespace: &str, name: &str, rules: serde_json::Value) {
    let role: Role = from_json(json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
        "metadata": {"name": name}, "rules": rules}));
    Api::<Role>::namespaced(admin.clone(), namespace)
        .create(&PostParams::default(), &role)
        .await
        .unwrap_or_else(|err| panic!("create Role {name}: {err}"));
}

// ---------------------------------------------------------------------------------------------
// Offline restores
// ---------------------------------------------------------------------------------------------

/// A target's database that does not exist yet (the restore creates it); nothing here ever gets
/// as far as creating it.
struct NoDatabase;

impl DatabaseAdmin for NoDatabase {
    fn show<'a>(&'a self, _: &'a Endpoint, _: &'a str) -> BoxFuture<'a, Result<Database, String>> {
        Box::pin(async { Ok(Database::Absent) })
    }
    fn open<'a>(&'a self, _: &'a Endpoint) -> BoxFuture<'a, Result<Box<dyn Session>, String>> {
        Box::pin(async { Err("nothing here gets as far as checking the database".to_owned()) })
    }
    fn run<'a>(&'a self, _: &'a Endpoint, _: &'a str, _: &'a Cypher) -> BoxFuture<'a, Result<(), String>> {
        Box::pin(async { Ok(()) })
    }
}

/// What the Neo4j operator would run for target `prod` in `ns`: the admin Secret, the
/// Neo4jEnterpriseCluster (three servers, 2025.01.0-enterprise) and its StatefulSet `prod-server`
/// of 3, whose Pods the returned task marks running and ready (there is no kubelet).
pub(crate) async fn offline_target(client: &Client, ns: &str) -> Task {
    let secret: Secret =
        from_json(json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "neo4j-admin-secret"},
        "stringData": {"username": "neo4j", "password": "e2e-password"}}));
    Api::<Secret>::namespaced(client.clone(), ns)
        .create(&PostParams::default(), &secret)
        .await
        .expect("create the admin Secret");
    create_cluster(client, ns, "v1alpha1", "prod").await;
    crate::support::create_client_service(client, ns, "prod").await;
    let set: StatefulSet =
        from_json(json!({"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "prod-server"},
        "spec": {"replicas": 3, "serviceName": "prod-headless", "selector": {"matchLabels": {"app": "prod-server"}},
            "template": {"metadata": {"labels": {"app": "prod-server"}},
                "spec": {"containers": [{"name": "neo4j", "image": "neo4j:2025.01.0-enterprise"}]}}}}));
    Api::<StatefulSet>::namespaced(client.clone(), ns)
        .create(&PostParams::default(), &set)
        .await
        .expect("create the StatefulSet");
    spawn(play_kubelet(client.clone(), ns.to_owned(), "app=prod-server"))
}

/// An offline restore (`stopCluster`) of a backup on the claim `backups` into `prod`.
fn offline_restore(name: &str) -> Neo4jRestore {
    from_json(json!({"apiVersion": "neo4j.neo4j.com/v1alpha1", "kind": "Neo4jRestore",
        "metadata": {"name": name},
        "spec": {"targetCluster": "prod", "databaseName": "orders", "stopCluster": true,
            "options": {"allowPlaintextBolt": true},
            "source": {"type": "storage", "storage": {"type": "pvc", "pvc": {"name": "backups"}},
                "backupPath": "prod/orders-2025-01-20T02-00-00.backup"}}}))
}

/// The restore controller, in-process and scoped to `ns`.
pub(crate) fn restore_controller(client: &Client, ns: &str) -> Task {
    let ctx = controller_ctx(client, Arc::new(NoDatabase));
    let scope = ns.to_owned();
    spawn(async move { neo4j_controller::restore::run(ctx, Some(&scope)).await })
}

async fn spec_replicas(sets: &Api<StatefulSet>) -> Option<i32> {
    sets.get_opt("prod-server").await.ok().flatten()?.spec?.replicas
}

pub(crate) fn described(restore: &Neo4jRestore) -> String {
    let status = restore.status.as_ref();
    format!(
        "finalizers {:?}, deleting {}, phase {:?}, message {:?}, progress {:?}",
        restore.finalizers(),
        restore.metadata.deletion_timestamp.is_some(),
        status.and_then(|s| s.phase.as_ref()).map(|p| p.as_str()),
        status.and_then(|s| s.message.as_deref()),
        status.and_then(|s| s.progress.as_ref()),
    )
}

/// Waits until restore `name` is gone (its finalizer released and the object deleted).
async fn await_gone(restores: &Api<Neo4jRestore>, name: &str, timeout: Duration) {
    until(&format!("Neo4jRestore {name} to be gone"), timeout, || async move {
        match restores.get_opt(name).await {
            Ok(None) => Ok(()),
            Ok(Some(restore)) => Err(described(&restore)),
            Err(err) => Err(err.to_string()),
        }
    })
    .await;
}

// ---------------------------------------------------------------------------------------------
// 1. A hook Job lends only what its requester may use
// ---------------------------------------------------------------------------------------------

fn hooked_restore(name: &str) -> Neo4jRestore {
    from_json(json!({"apiVersion": "neo4j.neo4j.com/v1alpha1", "kind": "Neo4jRestore",
        "metadata": {"name": name},
        "spec": {"targetCluster": "prod", "databaseName": "orders", "source": {"type": "backup", "backupRef": "nightly"},
            "options": {"preRestore": {"job": {"template": {"container": {"image": "registry.example/data-check:1.0",
                "env": [{"name": "MODE", "value": "check"},
                    {"name": "ADMIN_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "db-admin", "key": "password"}}}]}}}}}}}))
}

#[tokio::test]
#[ignore = "needs a cluster: KUBECONFIG"]
async fn e2e_security_hook_cannot_read_a_secret_the_requester_cannot() {
    let client = client().await;
    let _alone = exclusive().await;
    apply_crds(&client).await;
    let webhook = start_webhook(client.clone()).await;
    let (inner, listening) = (client.clone(), webhook.listening.clone());
    in_namespace(&client, "sec-hook", move |ns| async move {
        let admin = inner;
        let secret: Secret = from_json(json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "db-admin"},
            "stringData": {"password": "not-for-everyone"}}));
        Api::<Secret>::namespaced(admin.clone(), &ns)
            .create(&PostParams::default(), &secret)
            .await
            .expect("create the Secret the hook names");

        // Both may create Neo4jRestores, Jobs and Pods; only `reader` may get the Secret.
        create_role(&admin, &ns, "restore-with-hooks", json!([
            {"apiGroups": ["neo4j.neo4j.com"], "resources": ["neo4jrestores"], "verbs": ["create", "get"]},
            {"apiGroups": ["batch"], "resources": ["jobs"], "verbs": ["create"]},
            {"apiGroups": [""], "resources": ["pods"], "verbs": ["create"]}]))
        .await;
        create_role(&admin, &ns, "read-db-admin", json!([
            {"apiGroups": [""], "resources": ["secrets"], "resourceNames": ["db-admin"], "verbs": ["get"]}]))
        .await;
        let restorer = Requester::create(&admin, &ns, "restorer").await;
        let reader = Requester::create(&admin, &ns, "reader").await;
        restorer.bind(&admin, &ns, "restore-with-hooks").await;
        reader.bind(&admin, &ns, "restore-with-hooks").await;
        reader.bind(&admin, &ns, "read-db-admin").await;
        for requester in [&restorer, &reader] {
            requester.await_may(&admin, ("neo4j.neo4j.com", "neo4jrestores", "create"), &ns, None).await;
            requester.await_may(&admin, ("batch", "jobs", "create"), &ns, None).await;
        }
        reader.await_may(&admin, ("", "secrets", "get"), &ns, Some("db-admin")).await;
        assert!(
            !restorer.may(&admin, ("", "secrets", "get"), &ns, Some("db-admin")).await,
            "{} may read the Secret db-admin through some other binding of this cluster; the test needs a requester who may not",
            restorer.user()
        );

        register(&admin, &ns, &listening, Configurations::Shipped).await;

        // Refused for the one permission the requester lacks, at the field that lends it.
        let as_restorer: Api<Neo4jRestore> = Api::namespaced(restorer.client().await, &ns);
        let message = refused(
            as_restorer.create(&PostParams::default(), &hooked_restore("hooked")).await,
            "a hook reading a Secret its requester may not read",
        );
        let expected = format!(
            "- spec.options.preRestore.job.template.container.env[1].valueFrom.secretKeyRef.name: you may not get secrets/db-admin in {ns}; our Jobs act with their own rights, so a spec may only lend them what you may use yourself"
        );
        assert!(message.contains(&expected), "expected the line\n{expected}\nin the refusal:\n{message}");
        assert!(
            message.contains("Neo4jRestore \"hooked\" is invalid (1 error)"),
            "only the Secret is missing (Jobs may be created): {message}"
        );
        let restores: Api<Neo4jRestore> = Api::namespaced(admin.clone(), &ns);
        assert!(restores.get_opt("hooked").await.expect("read").is_none(), "nothing stored after the refusal");

        // A requester who may read the Secret is admitted with the same spec.
        let as_reader: Api<Neo4jRestore> = Api::namespaced(reader.client().await, &ns);
        let stored = as_reader
            .create(&PostParams::default(), &hooked_restore("hooked"))
            .await
            .unwrap_or_else(|err| panic!("{} may read db-admin, so the hook is admitted: {err}", reader.user()));
        let env = stored
            .spec
            .options
            .as_ref()
            .and_then(|o| o.pre_restore.as_ref())
            .and_then(|h| h.job.as_ref())
            .and_then(|j| j.template.as_ref())
            .and_then(|t| t.container.as_ref())
            .and_then(|c| c.env.clone())
            .unwrap_or_default();
        let secret_ref = env.get(1).and_then(|e| e.value_from.as_ref()).and_then(|v| v.secret_key_ref.as_ref());
        assert_eq!(secret_ref.map(|s| s.name.as_str()), Some("db-admin"), "stored as written: {env:?}");
    })
    .await;
    drop(webhook);
}

// ---------------------------------------------------------------------------------------------
// 2. A target in another namespace is backed up only while it grants the backup's namespace
// ---------------------------------------------------------------------------------------------

fn cross_namespace_backup(target_ns: &str) -> Neo4jBackup {
    from_json(json!({"apiVersion": "neo4j.neo4j.com/v1alpha1", "kind": "Neo4jBackup",
        "metadata": {"name": "nightly"},
        "spec": {"target": {"kind": "Cluster", "name": "prod", "namespace": target_ns}, "schedule": "0 3 * * *",
            "storage": {"type": "pvc", "path": "prod", "pvc": {"name": "backups"}}}}))
}

/// The line of `message` that refuses `spec.target.namespace` for want of the target's grant.
fn grant_refusal(message: &str) -> Option<&str> {
    message.lines().find(|line| line.starts_with("- spec.target.namespace: ") && line.contains(BACKUP_NAMESPACES))
}

#[tokio::test]
#[ignore = "needs a cluster: KUBECONFIG"]
async fn e2e_security_cross_namespace_backup_needs_a_grant() {
    let client = client().await;
    let _alone = exclusive().await;
    apply_crds(&client).await;
    let webhook = start_webhook(client.clone()).await;
    let (outer, listening) = (client.clone(), webhook.listening.clone());
    in_namespace(&client, "sec-xns-target", move |target_ns| async move {
        let inner = outer.clone();
        in_namespace(&outer, "sec-xns-backup", move |backup_ns| async move {
            cross_namespace(inner, target_ns, backup_ns, listening).await
        })
        .await;
    })
    .await;
    drop(webhook);
}

/// A backup in `backup_ns` of the target `prod` in `target_ns`.
async fn cross_namespace(admin: Client, target_ns: String, backup_ns: String, listening: Listening) {
    create_cluster(&admin, &target_ns, "v1alpha1", "prod").await;
    let targets = clusters(&admin, &target_ns, "v1alpha1");

    // The requester may create the backup, lend it the claim, and read the target.
    create_role(
        &admin,
        &backup_ns,
        "backups",
        json!([
        {"apiGroups": ["neo4j.neo4j.com"], "resources": ["neo4jbackups"], "verbs": ["create", "get"]},
        {"apiGroups": [""], "resources": ["persistentvolumeclaims"], "resourceNames": ["backups"], "verbs": ["get"]}]),
    )
    .await;
    create_role(&admin, &target_ns, "read-prod", json!([
        {"apiGroups": ["neo4j.neo4j.com"], "resources": ["neo4jenterpriseclusters"], "resourceNames": ["prod"], "verbs": ["get"]}]))
    .await;
    let requester = Requester::create(&admin, &backup_ns, "backups").await;
    requester.bind(&admin, &backup_ns, "backups").await;
    requester.bind(&admin, &target_ns, "read-prod").await;
    requester.await_may(&admin, ("neo4j.neo4j.com", "neo4jbackups", "create"), &backup_ns, None).await;
    requester.await_may(&admin, ("", "persistentvolumeclaims", "get"), &backup_ns, Some("backups")).await;
    requester.await_may(&admin, ("neo4j.neo4j.com", "neo4jenterpriseclusters", "get"), &target_ns, Some("prod")).await;

    register(&admin, &backup_ns, &listening, Configurations::Shipped).await;
    let as_requester: Api<Neo4jBackup> = Api::namespaced(requester.client().await, &backup_ns);
    let backups: Api<Neo4jBackup> = Api::namespaced(admin.clone(), &backup_ns);

    // Not granted: refused at spec.target.namespace, naming the annotation. The webhook judges
    // with the target its cache holds; wait (dry run) until it knows the target.
    let backup = cross_namespace_backup(&target_ns);
    let dry = PostParams { dry_run: true, ..PostParams::default() };
    until("the backup to be refused for want of the target's grant", Duration::from_secs(60), || {
        let (api, backup, dry) = (as_requester.clone(), backup.clone(), dry.clone());
        async move {
            match api.create(&dry, &backup).await {
                Err(kube::Error::Api(status)) if grant_refusal(&status.message).is_some() => Ok(()),
                Err(err) => Err(format!("refused otherwise: {err}")),
                Ok(_) => Err("admitted".to_owned()),
            }
        }
    })
    .await;
    let message =
        refused(as_requester.create(&PostParams::default(), &backup).await, "a backup of a target that grants nothing");
    let line = grant_refusal(&message)
        .unwrap_or_else(|| panic!("no refusal at spec.target.namespace naming {BACKUP_NAMESPACES}: {message}"));
    assert!(line.contains(&backup_ns), "the refusal names the namespace to grant: {line}");
    assert!(backups.get_opt("nightly").await.expect("read").is_none(), "nothing stored after the refusal");

    // Granted (a list of namespaces): admitted once the webhook's cache has the annotation.
    let grant = json!({"metadata": {"annotations": {BACKUP_NAMESPACES: format!("e2e-elsewhere,{backup_ns}")}}});
    targets
        .patch("prod", &PatchParams::default(), &Patch::Merge(&grant))
        .await
        .expect("grant backups to the namespace");
    until("the backup to be admitted once the target grants its namespace", Duration::from_secs(60), || {
        let (api, backup) = (as_requester.clone(), backup.clone());
        async move {
            match api.create(&PostParams::default(), &backup).await {
                Ok(_) => Ok(()),
                // Stored by an attempt whose answer was lost.
                Err(kube::Error::Api(status)) if status.code == 409 => Ok(()),
                Err(err) => Err(format!("refused: {err}")),
            }
        }
    })
    .await;

    // The controller, allowed cross-namespace targets, runs its CronJob.
    let mut ctx = controller_ctx(&admin, Arc::new(neo4j_controller::restore::bolt::Bolt));
    Arc::get_mut(&mut ctx).expect("a fresh context").cross_namespace_targets = true;
    let scope = backup_ns.clone();
    let controller = spawn(async move { neo4j_controller::backup::run(ctx, Some(&scope)).await });
    let crons: Api<CronJob> = Api::namespaced(admin.clone(), &backup_ns);
    let cron_name = neo4j_api::plan::backup_job::workload_name("nightly");
    let cron = until("the backup's CronJob, not suspended", Duration::from_secs(60), || {
        let (crons, backups, cron_name) = (crons.clone(), backups.clone(), cron_name.clone());
        async move {
            match crons.get_opt(&cron_name).await.map_err(|err| err.to_string())? {
                Some(cron) if cron.spec.as_ref().and_then(|s| s.suspend) != Some(true) => Ok(cron),
                Some(cron) => Err(format!("suspended: {:?}", cron.spec.and_then(|s| s.suspend))),
                None => {
                    let status = backups.get_opt("nightly").await.ok().flatten().and_then(|b| b.status);
                    Err(format!("no CronJob {cron_name}; the backup's status: {status:?}"))
                }
            }
        }
    })
    .await;
    assert_eq!(cron.spec.as_ref().map(|s| s.schedule.as_str()), Some("0 3 * * *"));
    let status = until("the backup's status", Duration::from_secs(60), || {
        let backups = backups.clone();
        async move {
            let status = backups.get("nightly").await.map_err(|err| err.to_string())?.status;
            status.filter(|s| s.phase.is_some()).ok_or_else(|| "no phase yet".to_owned())
        }
    })
    .await;
    assert_ne!(status.phase.as_ref().map(|p| p.as_str()), Some("Invalid"), "granted: {status:?}");

    // The grant withdrawn: the schedule stops and the backup says why, without anyone touching it.
    let withdraw = json!({"metadata": {"annotations": {BACKUP_NAMESPACES: null}}});
    targets.patch("prod", &PatchParams::default(), &Patch::Merge(&withdraw)).await.expect("withdraw the grant");
    until("the CronJob suspended and the backup Invalid, naming the grant", Duration::from_secs(120), || {
        let (crons, backups, cron_name) = (crons.clone(), backups.clone(), cron_name.clone());
        async move {
            let suspend = crons.get(&cron_name).await.map_err(|err| err.to_string())?.spec.and_then(|s| s.suspend);
            let status = backups.get("nightly").await.map_err(|err| err.to_string())?.status.unwrap_or_default();
            let phase = status.phase.as_ref().map(|p| p.as_str().to_owned());
            let message = status.message.clone().unwrap_or_default();
            if suspend == Some(true) && phase.as_deref() == Some("Invalid") && message.contains(BACKUP_NAMESPACES) {
                Ok(())
            } else {
                Err(format!("CronJob suspend {suspend:?}; backup phase {phase:?}, message {message:?}"))
            }
        }
    })
    .await;
    controller.stop().await;
}

// ---------------------------------------------------------------------------------------------
// 3. A restore deleted midway: nothing writes on the data claim when the servers start again
// ---------------------------------------------------------------------------------------------

/// What one look at the cluster found, StatefulSet first: a Pod listed after the StatefulSet was
/// read as scaled up existed after the scale-up.
#[derive(Clone, Debug, PartialEq)]
struct Sample {
    /// `spec.replicas` of the StatefulSet (None: could not be read).
    replicas: Option<i32>,
    /// The restore Job's Pods (None: could not be listed).
    restore_pods: Option<Vec<String>>,
    job: Option<String>,
    restore: Option<String>,
}

/// A log of what was seen, with the time since the test began.
#[derive(Clone)]
struct Seen {
    start: Instant,
    lines: Arc<Mutex<Vec<String>>>,
}

impl Seen {
    fn new() -> Self {
        Self { start: Instant::now(), lines: Arc::default() }
    }
    fn note(&self, line: String) {
        let at = self.start.elapsed().as_millis();
        self.lines.lock().unwrap().push(format!("{at:>7} ms  {line}"));
    }
    fn text(&self) -> String {
        self.lines.lock().unwrap().join("\n")
    }
}

fn pod_line(pod: &Pod) -> String {
    let phase = pod.status.as_ref().and_then(|s| s.phase.clone()).unwrap_or_default();
    let deleting = if pod.metadata.deletion_timestamp.is_some() { ", deleting" } else { "" };
    format!("{} ({phase}{deleting}, finalizers {:?})", pod.name_any(), pod.finalizers())
}

fn resource_version(meta: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta) -> Option<u64> {
    meta.resource_version.as_deref().and_then(|rv| rv.parse().ok())
}

#[tokio::test]
#[ignore = "needs a cluster: KUBECONFIG"]
async fn e2e_security_deleting_a_restore_midway_leaves_no_pod_on_the_data_claim_before_scale_up() {
    let client = client().await;
    let _cluster = install_crds(&client).await;
    let inner = client.clone();
    in_namespace(&client, "sec-midway", move |ns| async move { deleted_midway(inner, ns).await }).await;
}

async fn deleted_midway(client: Client, ns: String) {
    let _kubelet = offline_target(&client, &ns).await;
    let restores: Api<Neo4jRestore> = Api::namespaced(client.clone(), &ns);
    restores.create(&PostParams::default(), &offline_restore("recover")).await.expect("create the restore");
    let controller = restore_controller(&client, &ns);

    // The restore Job exists and its Pod (Pending: there is no kubelet) mounts server 0's claim.
    let sets: Api<StatefulSet> = Api::namespaced(client.clone(), &ns);
    let jobs: Api<Job> = Api::namespaced(client.clone(), &ns);
    let pods: Api<Pod> = Api::namespaced(client.clone(), &ns);
    let selector = "batch.kubernetes.io/job-name=recover-restore";
    until("the restore Job", Duration::from_secs(180), || {
        let (jobs, restores) = (jobs.clone(), restores.clone());
        async move {
            if jobs.get_opt("recover-restore").await.map_err(|err| err.to_string())?.is_some() {
                return Ok(());
            }
            let restore = restores.get("recover").await.map_err(|err| err.to_string())?;
            Err(described(&restore))
        }
    })
    .await;
    let pod = until("the Pod of the restore Job", Duration::from_secs(60), || {
        let pods = pods.clone();
        async move {
            let listed = pods.list(&ListParams::default().labels(selector)).await.map_err(|err| err.to_string())?;
            listed.items.into_iter().next().ok_or_else(|| "no Pod yet".to_owned())
        }
    })
    .await;
    let claims: Vec<String> = pod
        .spec
        .iter()
        .flat_map(|s| s.volumes.iter().flatten())
        .filter_map(|v| v.persistent_volume_claim.as_ref().map(|c| c.claim_name.clone()))
        .collect();
    assert!(
        claims.contains(&"data-prod-server-0".to_owned()),
        "the restore Pod writes on server 0's claim: {claims:?}"
    );
    assert_eq!(spec_replicas(&sets).await, Some(0), "the restore Job runs while the target is stopped");
    let restore = restores.get("recover").await.expect("the restore");
    assert!(restore.finalizers().iter().any(|f| f == SCALE_UP_FINALIZER), "{}", described(&restore));

    // Watch the restore Job's Pods and the StatefulSet from here on (resource versions order the
    // writes of one etcd), and look at both often (StatefulSet first).
    let seen = Seen::new();
    let (pod_deletions, scales) = (Arc::new(Mutex::new(Vec::new())), Arc::new(Mutex::new(Vec::new())));
    let (pods_listed, sets_listed) = (Arc::new(AtomicBool::new(false)), Arc::new(AtomicBool::new(false)));
    let pod_watch = {
        let (pods, seen, deletions, listed) = (pods.clone(), seen.clone(), pod_deletions.clone(), pods_listed.clone());
        spawn(async move {
            let mut events =
                std::pin::pin!(watcher(pods, watcher::Config::default().labels(selector)).default_backoff());
            while let Some(event) = events.next().await {
                match event {
                    Ok(watcher::Event::InitDone) => listed.store(true, Ordering::SeqCst),
                    Ok(watcher::Event::Apply(pod) | watcher::Event::InitApply(pod)) => {
                        seen.note(format!("watch: Pod {} at rv {:?}", pod_line(&pod), pod.resource_version()));
                    }
                    Ok(watcher::Event::Delete(pod)) => {
                        let rv = resource_version(&pod.metadata);
                        seen.note(format!("watch: Pod {} deleted at rv {rv:?}", pod.name_any()));
                        deletions.lock().unwrap().push((pod.name_any(), rv));
                    }
                    Ok(watcher::Event::Init) => {}
                    Err(err) => seen.note(format!("watch of Pods: {err}")),
                }
            }
        })
    };
    let set_watch = {
        let (sets, seen, scales, listed) = (sets.clone(), seen.clone(), scales.clone(), sets_listed.clone());
        spawn(async move {
            let config = watcher::Config::default().fields("metadata.name=prod-server");
            let mut events = std::pin::pin!(watcher(sets, config).default_backoff());
            let mut last = None;
            while let Some(event) = events.next().await {
                match event {
                    Ok(watcher::Event::InitDone) => listed.store(true, Ordering::SeqCst),
                    Ok(watcher::Event::Apply(set) | watcher::Event::InitApply(set)) => {
                        let replicas = set.spec.as_ref().and_then(|s| s.replicas);
                        if replicas != last {
                            let rv = resource_version(&set.metadata);
                            seen.note(format!("watch: StatefulSet spec.replicas {replicas:?} at rv {rv:?}"));
                            scales.lock().unwrap().push((replicas.unwrap_or(1), rv));
                            last = replicas;
                        }
                    }
                    Ok(_) => {}
                    Err(err) => seen.note(format!("watch of the StatefulSet: {err}")),
                }
            }
        })
    };
    until("both watches to have listed", Duration::from_secs(30), || {
        let (pods_listed, sets_listed) = (pods_listed.clone(), sets_listed.clone());
        async move {
            let done = pods_listed.load(Ordering::SeqCst) && sets_listed.load(Ordering::SeqCst);
            if done { Ok(()) } else { Err("still listing".to_owned()) }
        }
    })
    .await;
    let samples = Arc::new(Mutex::new(Vec::<Sample>::new()));
    let sampler = {
        let (sets, pods, jobs, restores, seen, samples) =
            (sets.clone(), pods.clone(), jobs.clone(), restores.clone(), seen.clone(), samples.clone());
        spawn(async move {
            loop {
                let replicas = spec_replicas(&sets).await;
                let restore_pods = pods
                    .list(&ListParams::default().labels(selector))
                    .await
                    .ok()
                    .map(|list| list.items.iter().map(pod_line).collect());
                let job = match jobs.get_opt("recover-restore").await {
                    Ok(job) => job.map(|job| {
                        let deleting = if job.metadata.deletion_timestamp.is_some() { "deleting" } else { "present" };
                        format!("{deleting}, finalizers {:?}", job.finalizers())
                    }),
                    Err(err) => Some(format!("<could not read: {err}>")),
                };
                let restore = restores.get_opt("recover").await.ok().flatten().map(|r| described(&r));
                let sample = Sample { replicas, restore_pods, job, restore };
                {
                    let mut samples = samples.lock().unwrap();
                    if samples.last() != Some(&sample) {
                        seen.note(format!("look: {sample:?}"));
                        samples.push(sample);
                    }
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        })
    };

    until("a first look", Duration::from_secs(30), || {
        let samples = samples.clone();
        async move { if samples.lock().unwrap().is_empty() { Err("none yet".to_owned()) } else { Ok(()) } }
    })
    .await;

    // Deleted midway: the controller deletes the restore Job (foreground: the garbage collector of
    // kube-controller-manager deletes its Pod first, and the Job controller releases the Pod's
    // tracking finalizer), waits until no Pod of it is left, scales back, then lets the restore go.
    seen.note("deleting the Neo4jRestore".to_owned());
    restores.delete("recover", &DeleteParams::default()).await.expect("delete the restore");
    until("the Neo4jRestore to be gone", Duration::from_secs(240), || {
        let (restores, seen) = (restores.clone(), seen.clone());
        async move {
            match restores.get_opt("recover").await {
                Ok(None) => Ok(()),
                Ok(Some(restore)) => Err(format!("{}\nwhat was seen:\n{}", described(&restore), seen.text())),
                Err(err) => Err(err.to_string()),
            }
        }
    })
    .await;
    // The scale-up precedes the finalizer's release; the sampler's last look shows both.
    until("a look after the restore went", Duration::from_secs(30), || {
        let samples = samples.clone();
        async move {
            let last = samples.lock().unwrap().last().cloned();
            match last {
                Some(sample) if sample.restore.is_none() => Ok(()),
                other => Err(format!("{other:?}")),
            }
        }
    })
    .await;
    sampler.stop().await;
    pod_watch.stop().await;
    set_watch.stop().await;
    controller.stop().await;

    let timeline = seen.text();
    let samples = samples.lock().unwrap().clone();
    let has_pods = |s: &Sample| s.restore_pods.as_ref().is_some_and(|pods| !pods.is_empty());
    let violation = samples.iter().find(|s| s.replicas.unwrap_or(0) > 0 && has_pods(s));
    assert!(
        violation.is_none(),
        "the StatefulSet was scaled up while a Pod of the restore Job still existed: {violation:?}\nwhat was seen:\n{timeline}"
    );
    assert!(
        samples.iter().any(|s| s.replicas == Some(3)),
        "the StatefulSet was scaled back to 3 before the restore went\nwhat was seen:\n{timeline}"
    );
    assert!(
        samples.iter().any(|s| s.replicas == Some(0) && has_pods(s)),
        "a Pod of the restore Job existed while the target was stopped (the premise)\nwhat was seen:\n{timeline}"
    );
    // The same order from the watches: every deletion of a restore Pod has an older resource
    // version than the write that scaled the StatefulSet up.
    let scale_up = scales.lock().unwrap().iter().find(|(replicas, _)| *replicas > 0).and_then(|(_, rv)| *rv);
    for (pod, deleted) in pod_deletions.lock().unwrap().iter() {
        if let (Some(deleted), Some(scale_up)) = (deleted, scale_up) {
            assert!(
                deleted < &scale_up,
                "Pod {pod} was deleted (rv {deleted}) after the scale-up (rv {scale_up})\nwhat was seen:\n{timeline}"
            );
        }
    }
    assert_eq!(spec_replicas(&sets).await, Some(3), "scaled back to the recorded size\n{timeline}");
    assert!(jobs.get_opt("recover-restore").await.expect("read").is_none(), "the restore Job is gone\n{timeline}");
    let left = pods.list(&ListParams::default().labels(selector)).await.expect("list").items;
    assert!(left.is_empty(), "no Pod of the restore Job is left: {:?}", left.iter().map(pod_line).collect::<Vec<_>>());
    let annotations = clusters(&client, &ns, "v1alpha1").get("prod").await.expect("the target").annotations().clone();
    assert!(!annotations.contains_key(RESTORE_IN_PROGRESS), "the target is released: {annotations:?}");
    eprintln!("what was seen:\n{timeline}");
}

// ---------------------------------------------------------------------------------------------
// 4. The controller's finalizer removal passes the webhook when the rules no longer hold
// ---------------------------------------------------------------------------------------------

#[tokio::test]
#[ignore = "needs a cluster: KUBECONFIG"]
async fn e2e_security_finalizer_removal_passes_the_webhook_when_the_rules_no_longer_hold() {
    let client = client().await;
    let _alone = exclusive().await;
    apply_crds(&client).await;
    let webhook = Arc::new(start_webhook(client.clone()).await);
    for form in [Configurations::Shipped, Configurations::SendingEverything] {
        let (inner, webhook_of_test) = (client.clone(), webhook.clone());
        in_namespace(&client, "sec-final", move |ns| async move {
            finalizer_released(inner, ns, webhook_of_test, form).await
        })
        .await;
    }
    drop(webhook);
}

async fn finalizer_released(client: Client, ns: String, webhook: Arc<Webhook>, form: Configurations) {
    register(&client, &ns, &webhook.listening, form).await;
    let _kubelet = offline_target(&client, &ns).await;
    let restores: Api<Neo4jRestore> = Api::namespaced(client.clone(), &ns);
    restores
        .create(&PostParams::default(), &offline_restore("recover"))
        .await
        .unwrap_or_else(|err| panic!("{form:?}: the webhook admits the offline restore: {err}"));
    let controller = restore_controller(&client, &ns);

    // The controller puts its finalizer on (a metadata-only update, through the webhook) and
    // stops the target; its progress (the recorded size) is written before the scale-down.
    let sets: Api<StatefulSet> = Api::namespaced(client.clone(), &ns);
    until(&format!("{form:?}: the finalizer on and the target stopped"), Duration::from_secs(180), || {
        let (restores, sets) = (restores.clone(), sets.clone());
        async move {
            let restore = restores.get("recover").await.map_err(|err| err.to_string())?;
            let recorded = restore.status.as_ref().and_then(|s| s.progress.as_ref()).and_then(|p| p.original_replicas);
            let held = restore.finalizers().iter().any(|f| f == SCALE_UP_FINALIZER);
            let replicas = spec_replicas(&sets).await;
            if held && recorded == Some(3) && replicas == Some(0) {
                Ok(())
            } else {
                Err(format!("StatefulSet spec.replicas {replicas:?}; {}", described(&restore)))
            }
        }
    })
    .await;
    // The controller stops here, so that it next sees the restore only once its rules fail and
    // it is being deleted (else it would fail the restore on its own first).
    controller.stop().await;

    // The rules no longer hold for the restore, without touching it: its target now runs a
    // version backup and restore do not support. The webhook refuses that spec (once its cache
    // has the change).
    let targets = clusters(&client, &ns, "v1alpha1");
    let older = json!({"spec": {"image": {"tag": "5.20.0-enterprise"}}});
    targets.patch("prod", &PatchParams::default(), &Patch::Merge(&older)).await.expect("change the target's version");
    let dry = PostParams { dry_run: true, ..PostParams::default() };
    let unsupported = "- spec.targetCluster: the target runs image tag \"5.20.0-enterprise\" is not supported";
    until(&format!("{form:?}: the webhook to refuse the restore's spec now"), Duration::from_secs(60), || {
        let (restores, dry) = (restores.clone(), dry.clone());
        async move {
            match restores.create(&dry, &offline_restore("recover-again")).await {
                Err(kube::Error::Api(status)) if status.message.contains(unsupported) => Ok(()),
                Err(err) => Err(format!("refused otherwise: {err}")),
                Ok(_) => Err("admitted".to_owned()),
            }
        }
    })
    .await;

    // Deleted: it stays, held by the finalizer, until the controller lets it go.
    restores.delete("recover", &DeleteParams::default()).await.expect("delete the restore");
    let restore = restores.get("recover").await.expect("held by the finalizer");
    assert!(restore.metadata.deletion_timestamp.is_some(), "{}", described(&restore));
    let before = webhook.metrics();

    // The controller again: it scales the target back, releases it, and removes its finalizer;
    // the webhook (fail-closed) must admit that update, or the restore would never go.
    let controller = restore_controller(&client, &ns);
    await_gone(&restores, "recover", Duration::from_secs(180)).await;
    controller.stop().await;
    assert_eq!(spec_replicas(&sets).await, Some(3), "{form:?}: scaled back before the finalizer went");
    let annotations = targets.get("prod").await.expect("the target").annotations().clone();
    assert!(!annotations.contains_key(RESTORE_IN_PROGRESS), "{form:?}: the target is released: {annotations:?}");

    // Why it passed: the shipped configurations never send the update (matchConditions; defaults
    // at CREATE only); one that sends everything gets it skipped by the webhook itself.
    let after = webhook.metrics();
    let count = |text: &str, endpoint: &str, verdict: &str| requests(text, endpoint, "Neo4jRestore", "UPDATE", verdict);
    for endpoint in ["mutate", "validate"] {
        assert_eq!(
            count(&after, endpoint, "denied"),
            count(&before, endpoint, "denied"),
            "{form:?}: no update of a Neo4jRestore was denied at /{endpoint}\n{after}"
        );
        let skipped = count(&after, endpoint, "skipped") - count(&before, endpoint, "skipped");
        match form {
            Configurations::Shipped => {
                assert_eq!(skipped, 0.0, "{form:?}: the API server sent no update to /{endpoint}\n{after}")
            }
            Configurations::SendingEverything => {
                assert!(
                    skipped >= 1.0,
                    "{form:?}: the finalizer's removal reached /{endpoint} and was skipped\n{after}"
                )
            }
        }
    }
}
