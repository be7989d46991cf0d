//! `kubectl neo4j health CLUSTER`: the health checks the controller runs after a restore
//! (`neo4j_api::health`), from the user's machine over Bolt, through a port-forward to server 0
//! (as `kubectl port-forward` does, through the API server) or at an address given with
//! `--bolt-address`; then the age of each Neo4jBackup of the target against its objective or
//! schedule.

use std::net::SocketAddr;

use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::jiff::Timestamp;
use kube::{Api, Client};
use neo4j_api::health::backups::judge_backup;
use neo4j_api::health::report::{CheckResult, HealthReport, Outcome};
use neo4j_api::health::suite::suite;
use neo4j_api::plan::target::{BOLT_PORT, ResolvedTarget};
use neo4j_api::{Neo4jBackup, TargetKind};
use neo4j_ops::bolt::{Bolt, Endpoint, endpoint};
use neo4j_ops::targets::{TargetApis, resolve};
use tokio::net::TcpListener;

/// Where the checks reach the target's Bolt port.
#[derive(Clone, Debug)]
pub enum Via {
    /// A port-forward to server 0, through the API server.
    PortForward,
    /// This address (`host:port`), e.g. a LoadBalancer or, inside the cluster, a server's name;
    /// `plaintext`: the user allows the admin password over Bolt without TLS to a host that is
    /// not this machine (`--allow-plaintext-bolt`).
    Address {
        /// `host:port`.
        address: String,
        /// Plain Bolt to another host is allowed.
        plaintext: bool,
    },
}

/// The health report of target `name` in `namespace` (of `database` too, when named).
pub async fn health(
    client: &Client,
    namespace: &str,
    name: &str,
    database: Option<&str>,
    via: Via,
    now: Timestamp,
) -> Result<HealthReport, String> {
    let apis = TargetApis::discover(client).await.map_err(|err| format!("cannot discover the target kinds: {err}"))?;
    let found = resolve(client, &apis, namespace, name).await.map_err(|err| format!("cannot read {name:?}: {err}"))?;
    let target = found.into_target().map_err(|why| {
        why.unwrap_or_else(|| {
            format!("no Neo4jEnterpriseCluster or Neo4jEnterpriseStandalone {name:?} in namespace {namespace}")
        })
    })?;
    if matches!(via, Via::PortForward) && target.tls {
        return Err(format!(
            "{name} serves Bolt over TLS: its certificate names its hosts in the cluster, not the 127.0.0.1 of a port-forward, and verification is never skipped; give --bolt-address HOST:PORT with a host the certificate names"
        ));
    }
    if let Via::Address { address, plaintext: false } = &via
        && !target.tls
        && !loopback(address)
    {
        return Err(format!(
            "{name} serves Bolt without TLS: the admin password would cross the network to {address} in the clear; give --allow-plaintext-bolt if that network is yours, or use the port-forward (leave out --bolt-address)"
        ));
    }
    let mut endpoint = endpoint(client, &target).await?;
    // Kept while the checks run: the port-forward ends with it.
    let _forward = match via {
        Via::Address { address, .. } => {
            endpoint.uri = target.bolt_uri_at(&address);
            None
        }
        Via::PortForward => {
            let pod = format!("{}-0", target.statefulset());
            let (address, task) = forward(Api::namespaced(client.clone(), namespace), pod).await?;
            endpoint.uri = target.bolt_uri_at(&address.to_string());
            Some(Aborted(task))
        }
    };
    Ok(checked(client, namespace, &target, database, &endpoint, now).await)
}

/// Whether `address` (`host:port`) is this machine.
fn loopback(address: &str) -> bool {
    let host = address.rsplit_once(':').map_or(address, |(host, _)| host).trim_matches(['[', ']']);
    host == "localhost" || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

async fn checked(
    client: &Client,
    namespace: &str,
    target: &ResolvedTarget,
    database: Option<&str>,
    endpoint: &Endpoint,
    now: Timestamp,
) -> HealthReport {
    let checks = suite(database, &[], None);
    let about = match database {
        Some(database) => format!("{} {namespace}/{}, database {database}", target.target_type.kind(), target.name),
        None => format!("{} {namespace}/{}", target.target_type.kind(), target.name),
    };
    let bolt = neo4j_ops::health::run(&Bolt, endpoint, &checks, about.clone(), now.to_string()).await;
    let mut results = bolt.checks;
    let backups: Api<Neo4jBackup> = Api::namespaced(client.clone(), namespace);
    match backups.list(&Default::default()).await {
        Ok(list) => {
            let mut ours: Vec<&Neo4jBackup> =
                list.items.iter().filter(|backup| backs_up(backup, namespace, &target.name, database)).collect();
            ours.sort_by_key(|backup| backup.metadata.name.clone());
            results.extend(ours.into_iter().map(|backup| judge_backup(backup, now)));
        }
        Err(err) => results.push(CheckResult {
            name: "backups".into(),
            outcome: Outcome::Warn,
            message: format!("cannot list the Neo4jBackups of {namespace}: {err}"),
            duration_ms: 0,
        }),
    }
    HealthReport::of(about, now.to_string(), results, bolt.graph_stats)
}

/// Whether `backup` backs up target `name` (of `namespace`), and `database` when one is named.
fn backs_up(backup: &Neo4jBackup, namespace: &str, name: &str, database: Option<&str>) -> bool {
    let Some((ns, target)) = backup.spec.target_object(namespace) else { return false };
    let of_database = backup.spec.target.as_ref().filter(|t| t.kind == Some(TargetKind::Database));
    let database_matches = match (of_database, database) {
        (Some(t), Some(database)) => t.name.as_deref() == Some(database),
        _ => true,
    };
    ns == namespace && target == name && database_matches
}

/// Ends the port-forward's listener when dropped.
struct Aborted(tokio::task::JoinHandle<()>);

impl Drop for Aborted {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Listens on 127.0.0.1 and forwards each connection to `pod`'s Bolt port through the API server
/// (`pods/portforward`, as `kubectl port-forward` does). The first port-forward is opened before
/// anything listens, so that a Pod that is not running, or a user without the right, is told so.
async fn forward(pods: Api<Pod>, pod: String) -> Result<(SocketAddr, tokio::task::JoinHandle<()>), String> {
    let port = BOLT_PORT;
    let first = pods
        .portforward(&pod, &[port])
        .await
        .map_err(|err| format!("cannot port-forward to Pod {pod:?} port {port}: {err}"))?;
    let listener =
        TcpListener::bind(("127.0.0.1", 0)).await.map_err(|err| format!("cannot listen on 127.0.0.1: {err}"))?;
    let address = listener.local_addr().map_err(|err| err.to_string())?;
    let task = tokio::spawn(async move {
        let mut ready = Some(first);
        while let Ok((mut socket, _)) = listener.accept().await {
            let forwarder = match ready.take() {
                Some(forwarder) => Ok(forwarder),
                None => pods.portforward(&pod, &[port]).await,
            };
            let pod = pod.clone();
            tokio::spawn(async move {
                let Ok(mut forwarder) = forwarder else { return };
                // What the kubelet says when the port cannot be reached (nothing listens on it):
                // the checks then only see the connection end.
                if let Some(error) = forwarder.take_error(port) {
                    tokio::spawn(async move {
                        if let Some(error) = error.await {
                            eprintln!("port-forward to Pod {pod} port {port}: {error}");
                        }
                    });
                }
                if let Some(mut upstream) = forwarder.take_stream(port) {
                    let _ = tokio::io::copy_bidirectional(&mut socket, &mut upstream).await;
                }
                forwarder.abort();
            });
        }
    });
    Ok((address, task))
}
