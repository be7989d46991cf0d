//! Resolve: find the backup's target, a Neo4jEnterpriseCluster or a Neo4jEnterpriseStandalone of
//! that name (detected), in the target namespace.

use kube::Client;
use neo4j_api::plan::target::ResolvedTarget;
use neo4j_api::{Neo4jEnterpriseCluster, Neo4jEnterpriseStandalone};

use crate::Ctx;
use crate::targets::{TargetApis, read};

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

/// Why nothing can be looked up: the Neo4j operator's CRDs are not installed.
pub const NOT_INSTALLED: &str = "the Neo4j operator's Neo4jEnterpriseCluster and Neo4jEnterpriseStandalone CRDs are not installed (the API server serves neither kind in group neo4j.neo4j.com); install the Neo4j operator first";

/// Looks the target up, at whichever version each kind is served: a cluster first, then a standalone.
pub async fn resolve(client: &Client, apis: &TargetApis, namespace: &str, name: &str) -> Result<Lookup, kube::Error> {
    if !apis.any() {
        return Ok(Lookup::Unusable(NOT_INSTALLED.to_owned()));
    }
    if let Some(ar) = &apis.cluster
        && let Some(cluster) = read::<Neo4jEnterpriseCluster>(client, ar, namespace, name).await?
    {
        let found = cluster.and_then(|cluster| ResolvedTarget::from_cluster(&cluster, namespace));
        return Ok(found.map_or_else(Lookup::Unusable, Lookup::Found));
    }
    if let Some(ar) = &apis.standalone
        && let Some(standalone) = read::<Neo4jEnterpriseStandalone>(client, ar, namespace, name).await?
    {
        let found = standalone.and_then(|standalone| ResolvedTarget::from_standalone(&standalone, namespace));
        return Ok(found.map_or_else(Lookup::Unusable, Lookup::Found));
    }
    Ok(Lookup::Missing)
}

/// [`resolve`] at the versions `ctx` discovered. A target missing there makes the next lookup
/// discover again: its CRD may have been removed, or the Neo4j operator upgraded to serve another
/// version, since the discovery was cached; a restart must not be needed to notice.
/// A target the controller may not read (a namespace-scoped install reads only its
/// `--watch-namespaces`) is unusable, said so, rather than a reconcile error retried for ever.
pub async fn lookup(ctx: &Ctx, namespace: &str, name: &str) -> Result<Lookup, kube::Error> {
    let found = match resolve(&ctx.client, &ctx.target_apis().await?, namespace, name).await {
        Err(kube::Error::Api(status)) if status.code == 403 => return Ok(Lookup::Unusable(unreadable(namespace))),
        other => other?,
    };
    if found == Lookup::Missing {
        ctx.forget_target_apis().await;
    }
    Ok(found)
}

/// Why a target in `namespace` cannot be read.
pub fn unreadable(namespace: &str) -> String {
    format!(
        "the controller may not read targets in namespace {namespace:?}; a namespace-scoped install (kubectl neo4j install --namespaces) reads only the namespaces it lists: add {namespace:?} there"
    )
}
