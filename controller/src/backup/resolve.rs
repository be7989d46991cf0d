//! Resolve: find the backup's target, a Neo4jEnterpriseCluster or a Neo4jEnterpriseStandalone of
//! that name (detected), in the target namespace.

use kube::Api;
use kube::Client;
use neo4j_api::plan::target::ResolvedTarget;
use neo4j_api::{Neo4jEnterpriseCluster, Neo4jEnterpriseStandalone};

/// What the lookup found.
#[derive(Debug, Clone, PartialEq)]
pub enum Lookup {
    /// The target, ready to plan against.
    Found(ResolvedTarget),
    /// Neither kind has an object of that name.
    Missing,
    /// It exists but cannot be planned against (e.g. no image tag).
    Unusable(String),
    /// The spec does not name a target (the rules say why).
    Unnamed,
}

/// Looks the target up: a cluster first, then a standalone.
pub async fn resolve(client: &Client, namespace: &str, name: &str) -> Result<Lookup, kube::Error> {
    let clusters: Api<Neo4jEnterpriseCluster> = Api::namespaced(client.clone(), namespace);
    if let Some(cluster) = clusters.get_opt(name).await? {
        return Ok(ResolvedTarget::from_cluster(&cluster, namespace).map_or_else(Lookup::Unusable, Lookup::Found));
    }
    let standalones: Api<Neo4jEnterpriseStandalone> = Api::namespaced(client.clone(), namespace);
    if let Some(standalone) = standalones.get_opt(name).await? {
        return Ok(ResolvedTarget::from_standalone(&standalone, namespace).map_or_else(Lookup::Unusable, Lookup::Found));
    }
    Ok(Lookup::Missing)
}
