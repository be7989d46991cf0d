//! The in-memory view of the cluster that gives the rules their context: reflectors of
//! Neo4jEnterpriseCluster, Neo4jEnterpriseStandalone and Neo4jBackup. A request never waits on an
//! API call for them. A kind whose CRD is not installed is simply absent (and re-checked now and
//! then); without any API server the cache stays empty and not ready, and the webhook still serves.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use futures::StreamExt;
use kube::api::{Api, ListParams};
use kube::runtime::reflector::{self, ObjectRef, Store};
use kube::runtime::{WatchStreamExt, watcher};
use kube::{Client, Resource};
use neo4j_api::{Neo4jBackup, Neo4jEnterpriseCluster, Neo4jEnterpriseStandalone};
use serde::de::DeserializeOwned;

use crate::admit::Lookups;

/// How often a missing CRD is looked for again.
const ABSENT_RECHECK: Duration = Duration::from_secs(30);

/// One watched kind: its store and whether it is known in full.
struct Watched<K: Resource<DynamicType = ()> + 'static> {
    store: Store<K>,
    synced: Arc<AtomicBool>,
}

/// The three reflected kinds.
pub struct Cache {
    clusters: Watched<Neo4jEnterpriseCluster>,
    standalones: Watched<Neo4jEnterpriseStandalone>,
    backups: Watched<Neo4jBackup>,
}

impl Cache {
    /// A cache that knows nothing and never will (no API server).
    pub fn empty() -> Self {
        fn unwatched<K: Resource<DynamicType = ()> + Clone + 'static>() -> Watched<K> {
            let (store, _writer) = reflector::store();
            Watched { store, synced: Arc::new(AtomicBool::new(false)) }
        }
        Self { clusters: unwatched(), standalones: unwatched(), backups: unwatched() }
    }

    /// Starts reflectors for the three kinds on `client`.
    pub fn start(client: Client) -> Self {
        Self { clusters: watch(client.clone()), standalones: watch(client.clone()), backups: watch(client) }
    }

    /// Whether every kind is known in full (or known to be absent).
    pub fn synced(&self) -> bool {
        self.readiness()()
    }

    /// A check of [`Self::synced`] that outlives a borrow of the cache.
    pub fn readiness(&self) -> impl Fn() -> bool + Send + Sync + 'static {
        let flags = [self.clusters.synced.clone(), self.standalones.synced.clone(), self.backups.synced.clone()];
        move || flags.iter().all(|flag| flag.load(Ordering::Relaxed))
    }
}

fn watch<K>(client: Client) -> Watched<K>
where
    K: Resource<DynamicType = ()> + Clone + DeserializeOwned + std::fmt::Debug + Send + Sync + 'static,
{
    let (store, writer) = reflector::store();
    let synced = Arc::new(AtomicBool::new(false));
    let flag = synced.clone();
    let ready_store = store.clone();
    tokio::spawn(async move {
        let api: Api<K> = Api::all(client);
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
        flag.store(false, Ordering::Relaxed);
        let ready_flag = flag.clone();
        let ready_kind = kind.clone();
        tokio::spawn(async move {
            if ready_store.wait_until_ready().await.is_ok() {
                ready_flag.store(true, Ordering::Relaxed);
                tracing::info!(kind = %ready_kind, "cache synced");
            }
        });
        let stream = watcher(api, watcher::Config::default()).default_backoff().reflect(writer).applied_objects();
        futures::pin_mut!(stream);
        while let Some(event) = stream.next().await {
            if let Err(err) = event {
                tracing::warn!(%kind, error = %err, "watch interrupted; resuming");
            }
        }
    });
    Watched { store, synced }
}

fn get<K: Resource<DynamicType = ()> + Clone + 'static>(
    watched: &Watched<K>,
    namespace: &str,
    name: &str,
) -> Option<Arc<K>> {
    watched.store.get(&ObjectRef::new(name).within(namespace))
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
