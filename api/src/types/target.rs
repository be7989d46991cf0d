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
