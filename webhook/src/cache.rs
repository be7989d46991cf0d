//! The in-memory view of the cluster that gives the rules their context: reflectors of
//! Neo4jEnterpriseCluster and Neo4jEnterpriseStandalone (at whichever version the API server serves
//! them: the Neo4j operator's v1alpha1 or v1beta1) and Neo4jBackup. A request never waits on an
//! API call for them. A kind whose CRD is not installed is simply absent (and re-checked now and
//! then); without any API server the cache stays empty and not ready, and the webhook still serves.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use futures::StreamExt;
use kube::api::{Api, ApiResource, DynamicObject, ListParams};
use kube::runtime::reflector::{self, ObjectRef, Store};
use kube::runtime::{WatchStreamExt, watcher};
use kube::{Client, Resource};
use neo4j_api::{Neo4jBackup, Neo4jEnterpriseCluster, Neo4jEnterpriseStandalone};
use neo4j_ops::targets::TargetApis;
use serde::de::DeserializeOwned;

use crate::admit::Lookups;

/// How often a missing CRD is looked for again.
const ABSENT_RECHECK: Duration = Duration::from_secs(30);

/// One watched kind: its store and whether it is known in full.
struct Watched<K: Resource<DynamicType = ()> + 'static> {
    store: Store<K>,
    synced: Arc<AtomicBool>,
}

/// The three reflected kinds, one store per watched namespace (or one for all of them).
pub struct Cache {
    clusters: Vec<Watched<Neo4jEnterpriseCluster>>,
    standalones: Vec<Watched<Neo4jEnterpriseStandalone>>,
    backups: Vec<Watched<Neo4jBackup>>,
}

impl Cache {
    /// A cache that knows nothing and never will (no API server).
    pub fn empty() -> Self {
        Self { clusters: vec![unsynced().0], standalones: vec![unsynced().0], backups: vec![unsynced().0] }
    }

    /// Starts reflectors for the three kinds on `client`, over `namespaces` (every namespace when
    /// empty: a namespace-scoped install may list only its own); the targets at whichever version
    /// the API server serves them (the Neo4j operator's v1alpha1 or v1beta1).
    pub fn start(client: Client, namespaces: &[String]) -> Self {
        let scopes: Vec<Option<String>> =
            if namespaces.is_empty() { vec![None] } else { namespaces.iter().cloned().map(Some).collect() };
        Self {
            clusters: scopes.iter().cloned().map(|s| watch_target(client.clone(), s, |apis| apis.cluster)).collect(),
            standalones: scopes
                .iter()
                .cloned()
                .map(|s| watch_target(client.clone(), s, |apis| apis.standalone))
                .collect(),
            backups: scopes.iter().cloned().map(|s| watch(client.clone(), s)).collect(),
        }
    }

    /// Whether every kind is known in full (or known to be absent).
    pub fn synced(&self) -> bool {
        self.readiness()()
    }

    /// A check of [`Self::synced`] that outlives a borrow of the cache.
    pub fn readiness(&self) -> impl Fn() -> bool + Send + Sync + 'static {
        let flags: Vec<Arc<AtomicBool>> = (self.clusters.iter().map(|w| w.synced.clone()))
            .chain(self.standalones.iter().map(|w| w.synced.clone()))
            .chain(self.backups.iter().map(|w| w.synced.clone()))
            .collect();
        move || flags.iter().all(|flag| flag.load(Ordering::Relaxed))
    }
}

/// A store not synced yet, and its writer.
fn unsynced<K: Resource<DynamicType = ()> + Clone + 'static>() -> (Watched<K>, reflector::store::Writer<K>) {
    let (store, writer) = reflector::store();
    (Watched { store, synced: Arc::new(AtomicBool::new(false)) }, writer)
}

fn watch<K>(client: Client, scope: Option<String>) -> Watched<K>
where
    K: Resource<DynamicType = (), Scope = k8s_openapi::NamespaceResourceScope>
        + Clone
        + DeserializeOwned
        + std::fmt::Debug
        + Send
        + Sync
        + 'static,
{
    let (watched, writer) = unsynced();
    let (flag, ready_store) = (watched.synced.clone(), watched.store.clone());
    tokio::spawn(async move {
        let api: Api<K> = match &scope {
            Some(namespace) => Api::namespaced(client, namespace),
            None => Api::all(client),
        };
        let kind = K::kind(&()).into_owned();
        loop {
            match api.list_metadata(&ListParams::default().limit(1)).await {
                Ok(_) => break,
                Err(kube::Error::Api(status)) if status.code == 404 => {
                    tracing::info!(%kind, "CRD not installed; rules that need it stay silent");
                    flag.store(true, Ordering::Relaxed);
                }
                Err(err) => tracing::warn!(%kind, error = %err, "cannot list; retrying"),
            }
            tokio::time::sleep(ABSENT_RECHECK).await;
        }
        let stream = watcher(api, watcher::Config::default()).default_backoff().reflect(writer).applied_objects();
        reflect(ready_store, flag, kind, stream).await;
    });
    watched
}

/// Marks `flag` once `store` holds a full listing, then drives the reflector's `events`, logging
/// interruptions (the watcher resumes by itself).
async fn reflect<K, E: std::fmt::Display>(
    store: Store<K>,
    flag: Arc<AtomicBool>,
    kind: String,
    events: impl futures::Stream<Item = Result<K, E>>,
) where
    K: Resource<DynamicType = ()> + Clone + Send + Sync + 'static,
{
    flag.store(false, Ordering::Relaxed);
    let ready_kind = kind.clone();
    tokio::spawn(async move {
        if store.wait_until_ready().await.is_ok() {
            flag.store(true, Ordering::Relaxed);
            tracing::info!(kind = %ready_kind, "cache synced");
        }
    });
    futures::pin_mut!(events);
    while let Some(event) = events.next().await {
        if let Err(err) = event {
            tracing::warn!(%kind, error = %err, "watch interrupted; resuming");
        }
    }
}

/// Reflects a target kind into a store of our read view `K`: the kind's served version is
/// discovered (and looked for again while it is not served), its objects are watched as dynamic
/// objects and decoded into `K` (an object that does not decode is left out, with a warning).
fn watch_target<K>(client: Client, scope: Option<String>, served: fn(TargetApis) -> Option<ApiResource>) -> Watched<K>
where
    K: Resource<DynamicType = ()> + Clone + DeserializeOwned + std::fmt::Debug + Send + Sync + 'static,
{
    let (watched, writer) = unsynced();
    let (flag, ready_store) = (watched.synced.clone(), watched.store.clone());
    tokio::spawn(async move {
        let kind = K::kind(&()).into_owned();
        let ar = loop {
            match TargetApis::discover(&client).await.map(served) {
                Ok(Some(ar)) => break ar,
                Ok(None) => {
                    tracing::info!(%kind, "CRD not installed; rules that need it stay silent");
                    flag.store(true, Ordering::Relaxed);
                }
                Err(err) => tracing::warn!(%kind, error = %err, "cannot discover; retrying"),
            }
            tokio::time::sleep(ABSENT_RECHECK).await;
        };
        tracing::info!(%kind, version = %ar.api_version, "watching");
        let api: Api<DynamicObject> = match &scope {
            Some(namespace) => Api::namespaced_with(client, namespace, &ar),
            None => Api::all_with(client, &ar),
        };
        let decode = |object: DynamicObject| -> Option<K> {
            let decoded = serde_json::to_value(&object).and_then(serde_json::from_value::<K>);
            decoded.map_err(|err| tracing::warn!(error = %err, "a target that does not decode is left out")).ok()
        };
        let typed = watcher(api, watcher::Config::default()).default_backoff().filter_map(move |event| {
            let event = event.map(|event| match event {
                watcher::Event::Apply(o) => decode(o).map(watcher::Event::Apply),
                watcher::Event::Delete(o) => decode(o).map(watcher::Event::Delete),
                watcher::Event::InitApply(o) => decode(o).map(watcher::Event::InitApply),
                watcher::Event::Init => Some(watcher::Event::Init),
                watcher::Event::InitDone => Some(watcher::Event::InitDone),
            });
            std::future::ready(event.transpose())
        });
        reflect(ready_store, flag, kind, typed.reflect(writer).applied_objects()).await;
    });
    watched
}

fn get<K: Resource<DynamicType = ()> + Clone + 'static>(
    watched: &[Watched<K>],
    namespace: &str,
    name: &str,
) -> Option<Arc<K>> {
    let key = ObjectRef::new(name).within(namespace);
    watched.iter().find_map(|scope| scope.store.get(&key))
}

impl Lookups for Cache {
    fn cluster(&self, namespace: &str, name: &str) -> Option<Arc<Neo4jEnterpriseCluster>> {
        get(&self.clusters, namespace, name)
    }

    fn standalone(&self, namespace: &str, name: &str) -> Option<Arc<Neo4jEnterpriseStandalone>> {
        get(&self.standalones, namespace, name)
    }

    fn backup(&self, namespace: &str, name: &str) -> Option<Arc<Neo4jBackup>> {
        get(&self.backups, namespace, name)
    }
}
