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

/// Installs our CRDs and the stand-ins for the Neo4j operator's, and waits until all are
/// established. A target CRD that exists without our stand-in annotation belongs to the real
/// operator and is left untouched. CRDs are left installed (deleting one deletes every object of it).
pub async fn install_crds(client: &Client) {
    let api: Api<CustomResourceDefinition> = Api::all(client.clone());
    let ours = crd::crds().into_iter().map(|(_, crd)| (crd, false));
    let stand_ins = crd::stand_in_crds().into_iter().map(|(_, crd)| (crd, true));
    for (definition, stand_in) in ours.chain(stand_ins) {
        let name = definition.name_any();
        if stand_in
            && let Some(existing) = api.get_opt(&name).await.expect("read CRD")
            && !existing.annotations().contains_key(crd::STAND_IN_ANNOTATION)
        {
            eprintln!("{name}: the real Neo4j operator CRD is installed; using it");
            continue;
        }
        api.patch(&name, &PatchParams::apply(FIELD_MANAGER).force(), &Patch::Apply(&definition))
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
    let finished = serde_json::json!({"status": {"phase": "Succeeded", "containerStatuses": [{"name": container, "ready": false,
        "restartCount": 0, "image": "neo4j:2025.01.0-enterprise", "imageID": "", "state": {"terminated": {"exitCode": 0,
        "reason": "Completed", "startedAt": "2025-01-20T02:00:00Z", "finishedAt": "2025-01-20T02:05:00Z"}}}]}});
    pods.patch_status(&pod.name_any(), &PatchParams::default(), &Patch::Merge(&finished))
        .await
        .unwrap_or_else(|err| panic!("finish the Pod of Job {job}: {err}"));
}
