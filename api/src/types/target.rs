//! Read-only views of the Neo4j operator's kinds that backups and restores target.
//!
//! We never own these objects: only the fields we read are typed, and every struct keeps the
//! fields it does not know in `other`, so decoding and encoding an object loses nothing.
//! The CRDs derived from these views are test stand-ins (`tests/fixtures/crds/`), not the
//! operator's real CRDs.

use std::collections::BTreeMap;

use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::cluster_pitr::PointInTimeRecovery;

/// Fields of an object that this project does not read, kept verbatim.
pub type OtherFields = BTreeMap<String, serde_json::Value>;

/// The fields of a Neo4jEnterpriseCluster that backup and restore read.
#[derive(CustomResource, Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[kube(
    group = "neo4j.neo4j.com",
    version = "v1alpha1",
    kind = "Neo4jEnterpriseCluster",
    plural = "neo4jenterpriseclusters",
    singular = "neo4jenterprisecluster",
    namespaced,
    status = "TargetStatus",
    derive = "PartialEq",
    derive = "Default",
    doc = "TEST STAND-IN for the Neo4j operator's Neo4jEnterpriseCluster: only the fields kubectl-neo4j reads, every other field preserved."
)]
#[serde(rename_all = "camelCase")]
pub struct Neo4jEnterpriseClusterSpec {
    /// Neo4j image; its tag decides the Neo4j version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<ImageSpec>,

    /// Cluster size.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub topology: Option<TopologySpec>,

    /// Admin credentials.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auth: Option<AuthSpec>,

    /// TLS of the Neo4j servers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls: Option<TlsSpec>,

    /// Point-in-time recovery of this cluster: log shipping, base backups, recovery settings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub point_in_time_recovery: Option<PointInTimeRecovery>,

    /// Every other field of the spec.
    #[serde(flatten)]
    pub other: OtherFields,
}

/// The fields of a Neo4jEnterpriseStandalone that backup and restore read.
#[derive(CustomResource, Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[kube(
    group = "neo4j.neo4j.com",
    version = "v1alpha1",
    kind = "Neo4jEnterpriseStandalone",
    plural = "neo4jenterprisestandalones",
    singular = "neo4jenterprisestandalone",
    namespaced,
    status = "TargetStatus",
    derive = "PartialEq",
    derive = "Default",
    doc = "TEST STAND-IN for the Neo4j operator's Neo4jEnterpriseStandalone: only the fields kubectl-neo4j reads, every other field preserved."
)]
#[serde(rename_all = "camelCase")]
pub struct Neo4jEnterpriseStandaloneSpec {
    /// Neo4j image; its tag decides the Neo4j version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<ImageSpec>,

    /// Admin credentials.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auth: Option<AuthSpec>,

    /// TLS of the Neo4j server.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls: Option<TlsSpec>,

    /// Point-in-time recovery of this standalone, as on a cluster.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub point_in_time_recovery: Option<PointInTimeRecovery>,

    /// Every other field of the spec.
    #[serde(flatten)]
    pub other: OtherFields,
}

/// The Neo4j image of a target.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ImageSpec {
    /// Repository, e.g. `neo4j`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repo: Option<String>,

    /// Tag, e.g. `5.26.0-enterprise` or `2025.01.0-enterprise`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,

    /// Image pull policy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pull_policy: Option<String>,

    /// Names of image pull Secrets.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pull_secrets: Option<Vec<String>>,

    /// Every other field.
    #[serde(flatten)]
    pub other: OtherFields,
}

/// Topology of a cluster.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TopologySpec {
    /// Number of servers (2 or more).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub servers: Option<i32>,

    /// Every other field.
    #[serde(flatten)]
    pub other: OtherFields,
}

/// Admin credentials of a target.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuthSpec {
    /// Secret with keys `username`/`password` (or `NEO4J_AUTH`); `neo4j-admin-secret` when unset.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub admin_secret: Option<String>,

    /// Every other field.
    #[serde(flatten)]
    pub other: OtherFields,
}

/// TLS of a target.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TlsSpec {
    /// `cert-manager` or `disabled`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,

    /// Every other field.
    #[serde(flatten)]
    pub other: OtherFields,
}

/// Status of a target, kept verbatim (the Neo4j operator writes it; we only read).
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct TargetStatus {
    /// Every field of the status.
    #[serde(flatten)]
    pub fields: OtherFields,
}

impl JsonSchema for TargetStatus {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "TargetStatus".into()
    }

    fn inline_schema() -> bool {
        true
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "Status written by the Neo4j operator, kept verbatim.",
            "type": "object",
            "x-kubernetes-preserve-unknown-fields": true,
        })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn unknown_fields_of_a_cluster_survive_decoding_and_encoding() {
        let object = json!({
            "apiVersion": "neo4j.neo4j.com/v1alpha1",
            "kind": "Neo4jEnterpriseCluster",
            "metadata": {"name": "prod", "namespace": "neo4j"},
            "spec": {
                "edition": "enterprise",
                "image": {"repo": "neo4j", "tag": "2025.01.0-enterprise", "digest": "sha256:abc"},
                "topology": {"servers": 3, "placement": {"topologySpread": {"enabled": true}}},
                "auth": {"adminSecret": "neo4j-admin-secret", "provider": "native"},
                "tls": {"mode": "cert-manager", "issuerRef": {"name": "ca", "kind": "ClusterIssuer"}},
                "storage": {"className": "fast", "size": "100Gi"},
                "pointInTimeRecovery": {"enabled": true, "futureField": [1, 2],
                    "logShipping": {"enabled": true, "interval": "30s", "newKnob": "x"}}
            },
            "status": {"phase": "Ready", "replicas": 3}
        });
        let cluster: Neo4jEnterpriseCluster = serde_json::from_value(object.clone()).unwrap();
        assert_eq!(cluster.spec.topology.as_ref().and_then(|t| t.servers), Some(3));
        assert_eq!(cluster.spec.image.as_ref().and_then(|i| i.tag.as_deref()), Some("2025.01.0-enterprise"));
        assert_eq!(serde_json::to_value(&cluster).unwrap(), object);
    }

    #[test]
    fn unknown_fields_of_a_standalone_survive_decoding_and_encoding() {
        let object = json!({
            "apiVersion": "neo4j.neo4j.com/v1alpha1",
            "kind": "Neo4jEnterpriseStandalone",
            "metadata": {"name": "dev"},
            "spec": {"image": {"repo": "neo4j", "tag": "5.26.0-enterprise"}, "resources": {"limits": {"cpu": "2"}}},
            "status": {"ready": true}
        });
        let standalone: Neo4jEnterpriseStandalone = serde_json::from_value(object.clone()).unwrap();
        assert_eq!(serde_json::to_value(&standalone).unwrap(), object);
    }
}
