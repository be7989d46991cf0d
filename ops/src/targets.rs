//! The Neo4j operator's target kinds, at whichever version the API server serves them: the
//! release the seeds describe serves `neo4j.neo4j.com/v1alpha1`, today's (v1.13 and later) only
//! `v1beta1`. The fields we read (image, topology.servers, auth.adminSecret, tls) are the same in
//! both, so an object of either version decodes into our read view.

use kube::Client;
use kube::api::{Api, DynamicObject};
use kube::core::{ApiResource, GroupVersionKind};
use neo4j_api::plan::target::ResolvedTarget;
use neo4j_api::{Neo4jEnterpriseCluster, Neo4jEnterpriseStandalone};
use serde::de::DeserializeOwned;

/// The kind of a cluster target.
pub const CLUSTER_KIND: &str = "Neo4jEnterpriseCluster";
/// The kind of a standalone target.
pub const STANDALONE_KIND: &str = "Neo4jEnterpriseStandalone";

/// Where the API server serves each target kind (`None`: not served at all).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TargetApis {
    /// `Neo4jEnterpriseCluster`.
    pub cluster: Option<ApiResource>,
    /// `Neo4jEnterpriseStandalone`.
    pub standalone: Option<ApiResource>,
}

fn resource(version: &str, kind: &str) -> ApiResource {
    let plural = format!("{}s", kind.to_lowercase());
    ApiResource::from_gvk_with_plural(&GroupVersionKind::gvk(neo4j_api::GROUP, version, kind), &plural)
}

impl TargetApis {
    /// Both kinds served at `version` (what tests and a pinned install use).
    pub fn served_as(version: &str) -> Self {
        Self { cluster: Some(resource(version, CLUSTER_KIND)), standalone: Some(resource(version, STANDALONE_KIND)) }
    }

    /// Asks the API server (discovery of group `neo4j.neo4j.com`): each kind at its preferred
    /// version, the one the API server recommends (the storage version in the operator's CRDs).
    pub async fn discover(client: &Client) -> Result<Self, kube::Error> {
        match kube::discovery::group(client, neo4j_api::GROUP).await {
            Ok(group) => Ok(Self {
                cluster: group.recommended_kind(CLUSTER_KIND).map(|(ar, _)| ar),
                standalone: group.recommended_kind(STANDALONE_KIND).map(|(ar, _)| ar),
            }),
            Err(kube::Error::Discovery(_)) => Ok(Self::default()),
            Err(other) => Err(other),
        }
    }

    /// Whether any target kind is served.
    pub fn any(&self) -> bool {
        self.cluster.is_some() || self.standalone.is_some()
    }
}

/// The object `name` of the kind at `ar`, decoded into our read view `T`; `Err` names the version
/// when it does not decode.
pub async fn read<T: DeserializeOwned>(
    client: &Client,
    ar: &ApiResource,
    namespace: &str,
    name: &str,
) -> Result<Option<Result<T, String>>, kube::Error> {
    let api: Api<DynamicObject> = Api::namespaced_with(client.clone(), namespace, ar);
    let Some(object) = api.get_opt(name).await? else { return Ok(None) };
    let decoded = serde_json::to_value(&object).and_then(serde_json::from_value::<T>).map_err(|err| {
        format!("{} {name:?} is served as {}, which this version cannot read: {err}", ar.kind, ar.api_version)
    });
    Ok(Some(decoded))
}

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

impl Lookup {
    /// The target of a restore, or why there is none (`Err(None)`: it does not exist, which a
    /// restore waits for).
    pub fn into_target(self) -> Result<ResolvedTarget, Option<String>> {
        match self {
            Self::Found(target) => Ok(target),
            Self::Missing => Err(None),
            Self::Unusable(why) => Err(Some(why)),
            Self::Unnamed => Err(Some("spec.targetCluster is not set".to_owned())),
        }
    }
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
