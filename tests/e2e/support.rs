//! Shared plumbing of the e2e tests: a client for `KUBECONFIG`, a namespace per test that is
//! deleted even when the test fails, CRD installation, and bounded polling.

use std::future::Future;
use std::time::{Duration, Instant};

use k8s_openapi::api::core::v1::Namespace;
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::api::{Api, DeleteParams, Patch, PatchParams, PostParams};
use kube::runtime::wait::{await_condition, conditions};
use kube::{Client, ResourceExt};
use neo4j_api::crd;

/// Field manager of everything the e2e suite applies.
pub const FIELD_MANAGER: &str = "kubectl-neo4j-e2e";

/// A client for the cluster in `KUBECONFIG`.
pub async fn client() -> Client {
    Client::try_default().await.unwrap_or_else(|err| panic!("e2e tests need a cluster: set KUBECONFIG to one ({err})"))
}

/// Polls `probe` until it returns `Some`, for at most `timeout`; panics with `what` otherwise.
pub async fn eventually<T, F, Fut>(what: &str, timeout: Duration, mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let start = Instant::now();
    loop {
        if let Some(value) = probe().await {
            return value;
        }
        assert!(start.elapsed() < timeout, "timed out after {timeout:?} waiting for {what}");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// The cluster-wide state the tests share: tests that only work in their own namespace hold it
/// shared; tests that change what every test sees (the target CRDs' versions, fail-closed webhook
/// configurations) hold it alone. tokio's lock works across the tests' runtimes.
static CLUSTER: tokio::sync::RwLock<()> = tokio::sync::RwLock::const_new(());

/// Held while a test relies on the cluster-wide state staying as [`install_crds`] left it.
#[must_use = "the cluster is only yours while the guard lives"]
pub struct Shared(#[allow(dead_code)] tokio::sync::RwLockReadGuard<'static, ()>);

/// Held while a test changes cluster-wide state.
#[must_use = "the cluster is only yours while the guard lives"]
pub struct Exclusive(#[allow(dead_code)] tokio::sync::RwLockWriteGuard<'static, ()>);

/// The cluster, alone (waits until every test holding it shared is done).
pub async fn exclusive() -> Exclusive {
    Exclusive(CLUSTER.write().await)
}

/// Installs our CRDs and the stand-ins for the Neo4j operator's, waits until all are established,
/// and holds the cluster shared. A target CRD that exists without our stand-in annotation belongs
/// to the real operator and is left untouched. CRDs are left installed (deleting one deletes every
/// object of it).
pub async fn install_crds(client: &Client) -> Shared {
    let guard = CLUSTER.read().await;
    apply_crds(client).await;
    Shared(guard)
}

/// What [`install_crds`] applies, for a test that holds the cluster alone.
pub async fn apply_crds(client: &Client) {
    apply_our_crds(client).await;
    let api: Api<CustomResourceDefinition> = Api::all(client.clone());
    for (_, definition) in crd::stand_in_crds() {
        let name = definition.name_any();
        if let Some(existing) = api.get_opt(&name).await.expect("read CRD")
            && installed_by_the_operator(&existing)
        {
            eprintln!("{name}: the real Neo4j operator CRD is installed; using it");
            continue;
        }
        apply_crd(&api, &definition).await;
    }
}

/// Deletes a CRD (and so every object of it) and waits until it is gone.
pub async fn delete_crd(api: &Api<CustomResourceDefinition>, name: &str) {
    match api.delete(name, &DeleteParams::default()).await {
        Ok(_) => {}
        Err(kube::Error::Api(status)) if status.code == 404 => return,
        Err(err) => panic!("delete CRD {name}: {err}"),
    }
    eventually(&format!("CRD {name} to be gone"), Duration::from_secs(180), || {
        let api = api.clone();
        async move { api.get_opt(name).await.ok().flatten().is_none().then_some(()) }
    })
    .await;
}

/// Our own CRDs (Neo4jBackup, Neo4jRestore) only, not the target stand-ins.
pub async fn apply_our_crds(client: &Client) {
    let api: Api<CustomResourceDefinition> = Api::all(client.clone());
    for (_, definition) in crd::crds() {
        apply_crd(&api, &definition).await;
    }
}

/// Whether a target CRD was installed by the real Neo4j operator: neither our stand-in nor one of
/// its released CRDs that this suite applied itself (field manager [`FIELD_MANAGER`]).
pub fn installed_by_the_operator(existing: &CustomResourceDefinition) -> bool {
    let applied_here = existing.managed_fields().iter().any(|entry| entry.manager.as_deref() == Some(FIELD_MANAGER));
    !existing.annotations().contains_key(crd::STAND_IN_ANNOTATION) && !applied_here
}

/// Applies one CRD server-side and waits until it is established.
pub async fn apply_crd(api: &Api<CustomResourceDefinition>, definition: &CustomResourceDefinition) {
    let name = definition.name_any();
    api.patch(&name, &PatchParams::apply(FIELD_MANAGER).force(), &Patch::Apply(definition))
        .await
        .unwrap_or_else(|err| panic!("server-side apply of CRD {name} refused: {err}"));
    tokio::time::timeout(
        Duration::from_secs(60),
        await_condition(api.clone(), &name, conditions::is_crd_established()),
    )
    .await
    .unwrap_or_else(|_| panic!("CRD {name} not established within 60s"))
    .expect("watch CRD");
}

/// Runs `test` in a fresh namespace `e2e-<prefix>-<suffix>`, deleting the namespace afterwards,
/// also when the test panics.
pub async fn in_namespace<F, Fut>(client: &Client, prefix: &str, test: F)
where
    F: FnOnce(String) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let suffix = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_nanos()
        % 1_000_000_007;
    let name = format!("e2e-{prefix}-{suffix:x}");
    let namespaces: Api<Namespace> = Api::all(client.clone());
    let mut namespace = Namespace::default();
    namespace.metadata.name = Some(name.clone());
    namespace.metadata.labels = Some([("app.kubernetes.io/created-by".to_owned(), FIELD_MANAGER.to_owned())].into());
    namespaces.create(&PostParams::default(), &namespace).await.expect("create test namespace");
    let outcome = tokio::spawn(test(name.clone())).await;
    release_restores(client, &name).await;
    if let Err(err) = namespaces.delete(&name, &DeleteParams::default()).await {
        eprintln!("could not delete namespace {name}: {err}");
    }
    if let Err(err) = outcome {
        match err.try_into_panic() {
            Ok(panic) => std::panic::resume_unwind(panic),
            Err(err) => panic!("test task failed: {err}"),
        }
    }
}

/// A test that failed mid-restore leaves a Neo4jRestore with our finalizer and no controller to
/// remove it; drop it so the namespace can go.
async fn release_restores(client: &Client, namespace: &str) {
    let restores: Api<neo4j_api::Neo4jRestore> = Api::namespaced(client.clone(), namespace);
    let Ok(list) = restores.list(&Default::default()).await else { return };
    for restore in list.items {
        if restore.finalizers().is_empty() {
            continue;
        }
        let patch = serde_json::json!({"metadata": {"finalizers": null}});
        if let Err(err) = restores.patch(&restore.name_any(), &PatchParams::default(), &Patch::Merge(&patch)).await {
            eprintln!("could not release {}: {err}", restore.name_any());
        }
    }
}

/// The controller's shared state for an in-process controller of the test.
pub fn controller_ctx(
    client: &Client,
    admin: std::sync::Arc<dyn neo4j_controller::restore::bolt::DatabaseAdmin>,
) -> std::sync::Arc<neo4j_controller::Ctx> {
    use kube::runtime::events::{Recorder, Reporter};
    let recorder = Recorder::new(client.clone(), Reporter { controller: "kubectl-neo4j-e2e".into(), instance: None });
    std::sync::Arc::new(neo4j_controller::Ctx {
        client: client.clone(),
        recorder,
        now: k8s_openapi::jiff::Timestamp::now,
        metrics: Default::default(),
        agent_image: neo4j_api::plan::pod::DEFAULT_AGENT_IMAGE.to_owned(),
        cross_namespace_targets: false,
        admin,
        // Discovered from the real API server: whichever version its target CRDs serve.
        target_apis: Default::default(),
    })
}

/// Plays the kubelet for a Job: waits for its Pod and marks it Succeeded (container `container`
/// exited 0); the Job controller then completes the Job.
pub async fn finish_job_pod(client: &Client, namespace: &str, job: &str, container: &str) {
    finished_pod(client, namespace, job, &[], container, None).await;
}

/// Plays the kubelet for a Job whose Pod ran to its end: waits for its Pod and marks it Succeeded,
/// its init containers `init` and then its container `container` exited 0, `container` leaving
/// `message` as its termination message (what the controller reads back: a shipping run's window
/// report, the artifact `choose` picked). Returns the Pod's name.
pub async fn finish_job_pod_reporting(
    client: &Client,
    namespace: &str,
    job: &str,
    init: &[&str],
    container: &str,
    message: &str,
) -> String {
    finished_pod(client, namespace, job, init, container, Some(message)).await
}

async fn finished_pod(
    client: &Client,
    namespace: &str,
    job: &str,
    init: &[&str],
    container: &str,
    message: Option<&str>,
) -> String {
    use k8s_openapi::api::core::v1::Pod;
    let pods: Api<Pod> = Api::namespaced(client.clone(), namespace);
    let selector = format!("batch.kubernetes.io/job-name={job}");
    let pod =
        eventually(&format!("the Pod of Job {job}"), Duration::from_secs(60), || {
            let (pods, selector) = (pods.clone(), selector.clone());
            async move {
                pods.list(&kube::api::ListParams::default().labels(&selector)).await.ok()?.items.into_iter().next()
            }
        })
        .await;
    let terminated = |name: &str, message: Option<&str>| {
        let mut state = serde_json::json!({"exitCode": 0, "reason": "Completed",
            "startedAt": "2025-01-20T02:00:00Z", "finishedAt": "2025-01-20T02:05:00Z"});
        if let Some(message) = message {
            state["message"] = serde_json::json!(message);
        }
        serde_json::json!({"name": name, "ready": false, "restartCount": 0, "image": "neo4j:2025.01.0-enterprise",
            "imageID": "", "state": {"terminated": state}})
    };
    let mut finished = serde_json::json!({"status": {"phase": "Succeeded",
        "containerStatuses": [terminated(container, message)]}});
    if !init.is_empty() {
        let init: Vec<serde_json::Value> = init.iter().map(|name| terminated(name, None)).collect();
        finished["status"]["initContainerStatuses"] = serde_json::json!(init);
    }
    pods.patch_status(&pod.name_any(), &PatchParams::default(), &Patch::Merge(&finished))
        .await
        .unwrap_or_else(|err| panic!("finish the Pod of Job {job}: {err}"));
    pod.name_any()
}

/// The Neo4jEnterpriseClusters of `namespace` at API version `version` (`v1alpha1`: the
/// stand-ins or the operator's release of 2026-02; `v1beta1`: its v1.13 and later).
pub fn clusters(client: &Client, namespace: &str, version: &str) -> Api<kube::api::DynamicObject> {
    let gvk = kube::core::GroupVersionKind::gvk(neo4j_api::GROUP, version, "Neo4jEnterpriseCluster");
    let resource = kube::core::ApiResource::from_gvk_with_plural(&gvk, "neo4jenterpriseclusters");
    Api::namespaced_with(client.clone(), namespace, &resource)
}

/// A Neo4jEnterpriseCluster named `name` with three servers, at `version`, with every field the
/// operator's real CRDs require at either version (image, storage, topology).
pub async fn create_cluster(client: &Client, namespace: &str, version: &str, name: &str) {
    let cluster: kube::api::DynamicObject = serde_json::from_value(serde_json::json!({
        "apiVersion": format!("{}/{version}", neo4j_api::GROUP), "kind": "Neo4jEnterpriseCluster",
        "metadata": {"name": name},
        "spec": {"image": {"repo": "neo4j", "tag": "2025.01.0-enterprise"}, "topology": {"servers": 3},
            "storage": {"className": "standard", "size": "10Gi"}}}))
    .expect("cluster");
    clusters(client, namespace, version)
        .create(&PostParams::default(), &cluster)
        .await
        .unwrap_or_else(|err| panic!("create the target at {version}: {err}"));
}

/// Plays the kubelet for the Pods of `namespace` matching `selector`: marks each running and
/// ready (so ReplicaSets, StatefulSets and Deployments count them available). Runs until aborted.
pub async fn play_kubelet(client: Client, namespace: String, selector: &'static str) {
    use k8s_openapi::api::core::v1::Pod;
    let pods: Api<Pod> = Api::namespaced(client, &namespace);
    loop {
        if let Ok(list) = pods.list(&kube::api::ListParams::default().labels(selector)).await {
            for pod in list.items {
                let ready = pod
                    .status
                    .as_ref()
                    .and_then(|s| s.conditions.as_ref())
                    .is_some_and(|c| c.iter().any(|c| c.type_ == "Ready" && c.status == "True"));
                if ready || pod.metadata.deletion_timestamp.is_some() {
                    continue;
                }
                let status = serde_json::json!({"status": {"phase": "Running", "conditions": [
                    {"type": "Ready", "status": "True", "lastTransitionTime": "2025-01-20T02:00:00Z"},
                    {"type": "ContainersReady", "status": "True", "lastTransitionTime": "2025-01-20T02:00:00Z"}]}});
                let _ = pods.patch_status(&pod.name_any(), &PatchParams::default(), &Patch::Merge(&status)).await;
            }
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

/// The Service the Neo4j operator routes Bolt through, `<name>-client` (ClusterIP): the controller
/// checks it before it sends the admin password (issue 13, item 9).
pub async fn create_client_service(client: &Client, namespace: &str, name: &str) {
    let service: k8s_openapi::api::core::v1::Service = serde_json::from_value(serde_json::json!({
        "apiVersion": "v1", "kind": "Service", "metadata": {"name": format!("{name}-client")},
        "spec": {"type": "ClusterIP", "selector": {"app": format!("{name}-server")}, "ports": [{"name": "bolt", "port": 7687}]}}))
    .expect("a Service");
    Api::<k8s_openapi::api::core::v1::Service>::namespaced(client.clone(), namespace)
        .create(&PostParams::default(), &service)
        .await
        .expect("create the client Service");
}
