//! The target of a backup or restore as the plans need it: image, size and the names the Neo4j
//! operator gives its StatefulSet, Services and PVCs (`../shared/design/neo4j.md`).

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::types::{AuthSpec, ImageSpec, Neo4jEnterpriseCluster, Neo4jEnterpriseStandalone, TlsSpec};
use crate::version::ImageTag;

/// Port of neo4j-admin's online backup.
pub const BACKUP_PORT: u16 = 6362;

/// Which of the operator's kinds the target is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TargetType {
    /// A Neo4jEnterpriseCluster.
    Cluster,
    /// A Neo4jEnterpriseStandalone.
    Standalone,
}

impl TargetType {
    /// The operator's kind.
    pub fn kind(self) -> &'static str {
        match self {
            Self::Cluster => "Neo4jEnterpriseCluster",
            Self::Standalone => "Neo4jEnterpriseStandalone",
        }
    }
}

/// A resolved target.
#[derive(Clone, Debug, PartialEq)]
pub struct ResolvedTarget {
    /// Cluster or standalone.
    pub target_type: TargetType,
    /// Object name.
    pub name: String,
    /// Namespace.
    pub namespace: String,
    /// Image reference, `repo:tag`.
    pub image: String,
    /// Its tag, e.g. `2025.01.0-enterprise`.
    pub tag: String,
    /// Image pull policy, when set.
    pub pull_policy: Option<String>,
    /// Image pull Secrets.
    pub pull_secrets: Vec<String>,
    /// Number of servers.
    pub servers: i32,
    /// The Secret with the admin credentials (`spec.auth.adminSecret`, default `neo4j-admin-secret`).
    pub admin_secret: String,
    /// Whether Bolt uses TLS (`spec.tls.mode` other than `disabled`).
    pub tls: bool,
    /// The Neo4jRestore that holds the target ([`RESTORE_IN_PROGRESS`] annotation), if one does.
    pub restore_hold: Option<String>,
    /// The namespaces it lets back it up besides its own.
    pub backup_grant: crate::grant::BackupGrant,
}

/// The Neo4j operator leaves a StatefulSet's replicas alone while its Neo4jEnterpriseCluster or
/// Neo4jEnterpriseStandalone carries this annotation (any value; by convention the holding
/// restore's name); otherwise it resets a scale-down to `topology.servers` (the operator's source:
/// internal/controller `RestoreInProgressAnnotation`, `replicasReconciliationPaused`; its issue #117).
pub const RESTORE_IN_PROGRESS: &str = "neo4j.com/restore-in-progress";

/// The admin Secret when `spec.auth.adminSecret` is not set.
pub const DEFAULT_ADMIN_SECRET: &str = "neo4j-admin-secret";
/// Bolt's port on the client Service.
pub const BOLT_PORT: u16 = 7687;

fn connection(auth: &Option<AuthSpec>, tls: &Option<TlsSpec>) -> (String, bool) {
    let secret = auth.as_ref().and_then(|a| a.admin_secret.clone()).unwrap_or_else(|| DEFAULT_ADMIN_SECRET.to_owned());
    (secret, bolt_tls(tls))
}

/// Whether a target's Bolt uses TLS: `spec.tls.mode` set and not `disabled`.
pub fn bolt_tls(tls: &Option<TlsSpec>) -> bool {
    tls.as_ref().and_then(|t| t.mode.as_deref()).is_some_and(|mode| mode != "disabled")
}

fn image_of(image: &Option<ImageSpec>, what: &str) -> Result<(String, String, Option<String>, Vec<String>), String> {
    let image = image.as_ref().ok_or_else(|| format!("{what} has no spec.image; its Neo4j version is unknown"))?;
    let tag = image.tag.clone().ok_or_else(|| format!("{what} has no spec.image.tag; its Neo4j version is unknown"))?;
    let repo = image.repo.clone().unwrap_or_else(|| "neo4j".to_owned());
    Ok((format!("{repo}:{tag}"), tag, image.pull_policy.clone(), image.pull_secrets.clone().unwrap_or_default()))
}

impl ResolvedTarget {
    /// The target a Neo4jEnterpriseCluster describes.
    pub fn from_cluster(cluster: &Neo4jEnterpriseCluster, namespace: &str) -> Result<Self, String> {
        let servers = cluster.spec.topology.as_ref().and_then(|t| t.servers).unwrap_or(1).max(1);
        let spec = &cluster.spec;
        Self::of(TargetType::Cluster, &cluster.metadata, namespace, (&spec.image, &spec.auth, &spec.tls), servers)
    }

    /// The target a Neo4jEnterpriseStandalone describes.
    pub fn from_standalone(standalone: &Neo4jEnterpriseStandalone, namespace: &str) -> Result<Self, String> {
        let spec = &standalone.spec;
        Self::of(TargetType::Standalone, &standalone.metadata, namespace, (&spec.image, &spec.auth, &spec.tls), 1)
    }

    /// What both kinds have in common: name, image, credentials and TLS.
    fn of(
        target_type: TargetType,
        metadata: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta,
        namespace: &str,
        (image, auth, tls): (&Option<ImageSpec>, &Option<AuthSpec>, &Option<TlsSpec>),
        servers: i32,
    ) -> Result<Self, String> {
        let name = metadata.name.clone().unwrap_or_default();
        let restore_hold = metadata.annotations.as_ref().and_then(|a| a.get(RESTORE_IN_PROGRESS)).cloned();
        let kind = target_type.kind();
        let (image, tag, pull_policy, pull_secrets) = image_of(image, &format!("{kind} {name:?}"))?;
        let (admin_secret, tls) = connection(auth, tls);
        Ok(Self {
            target_type,
            name,
            namespace: namespace.to_owned(),
            image,
            tag,
            pull_policy,
            pull_secrets,
            servers,
            admin_secret,
            tls,
            restore_hold,
            backup_grant: crate::grant::BackupGrant::of(metadata.annotations.as_ref()),
        })
    }

    /// The Bolt URI of the target's client Service: routed (`neo4j://`) for a cluster, direct
    /// (`bolt://`) for a standalone; `+s` with TLS.
    pub fn bolt_uri(&self) -> String {
        self.bolt_uri_at(&format!("{}.{}.svc.cluster.local:{BOLT_PORT}", self.client_service(), self.namespace))
    }

    /// The Bolt URI of the target at `address` (`host:port`), with the scheme of [`Self::bolt_uri`]:
    /// a server of a cluster reached at `neo4j://` routes what it does not host itself.
    pub fn bolt_uri_at(&self, address: &str) -> String {
        let scheme = match self.target_type {
            TargetType::Cluster => "neo4j",
            TargetType::Standalone => "bolt",
        };
        let secure = if self.tls { "+s" } else { "" };
        format!("{scheme}{secure}://{address}")
    }

    /// Which other object controls the object of `meta` (one the Neo4j operator made for this
    /// target is controlled by it, or by nothing recorded), as `Kind "name"`.
    pub fn foreign_controller(&self, meta: &ObjectMeta) -> Option<String> {
        let kind = self.target_type.kind();
        let owner = meta.owner_references.iter().flatten().find(|owner| owner.controller == Some(true))?;
        // Whoever may edit the object writes its ownerReferences (the name is quoted and escaped).
        let shown = crate::grammar::names::shown_kind(&owner.kind);
        (owner.kind != kind || owner.name != self.name).then(|| format!("{shown} {:?}", owner.name))
    }

    /// The Service the operator routes Bolt clients through.
    pub fn client_service(&self) -> String {
        format!("{}-client", self.name)
    }

    /// The Secret holding the CA of the target's certificates (with TLS), key `ca.crt`.
    pub fn tls_secret(&self) -> String {
        format!("{}-tls-secret", self.name)
    }

    /// What the rules need to know of this target.
    pub fn facts(&self) -> crate::rules::TargetFacts {
        crate::rules::TargetFacts {
            image_tag: Some(self.tag.clone()),
            servers: Some(self.servers),
            bolt_tls: Some(self.tls),
            backup_grant: self.backup_grant.clone(),
        }
    }

    /// The parsed image tag, when it parses.
    pub fn image_tag(&self) -> Option<ImageTag> {
        ImageTag::parse(&self.tag).ok()
    }

    /// The StatefulSet the operator runs the servers in.
    pub fn statefulset(&self) -> String {
        match self.target_type {
            TargetType::Cluster => format!("{}-server", self.name),
            TargetType::Standalone => self.name.clone(),
        }
    }

    /// The headless Service of the servers.
    pub fn headless_service(&self) -> String {
        format!("{}-headless", self.name)
    }

    /// The data PVC of server `ordinal`.
    pub fn data_pvc(&self, ordinal: i32) -> String {
        match self.target_type {
            TargetType::Cluster => format!("data-{}-server-{ordinal}", self.name),
            TargetType::Standalone => format!("neo4j-data-{}-{ordinal}", self.name),
        }
    }

    /// Every server's backup address, `pod.headless.namespace.svc.cluster.local:6362`.
    pub fn backup_addresses(&self) -> Vec<String> {
        (0..self.servers)
            .map(|ordinal| {
                format!(
                    "{}-{ordinal}.{}.{}.svc.cluster.local:{BACKUP_PORT}",
                    self.statefulset(),
                    self.headless_service(),
                    self.namespace
                )
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn cluster(spec: serde_json::Value) -> Neo4jEnterpriseCluster {
        serde_json::from_value(json!({"apiVersion": "neo4j.neo4j.com/v1alpha1", "kind": "Neo4jEnterpriseCluster",
            "metadata": {"name": "prod", "namespace": "db"}, "spec": spec}))
        .unwrap()
    }

    #[test]
    fn cluster_names_and_addresses() {
        let target = ResolvedTarget::from_cluster(
            &cluster(json!({"image": {"repo": "neo4j", "tag": "2025.01.0-enterprise", "pullSecrets": ["regcred"]}, "topology": {"servers": 3}})),
            "db",
        )
        .unwrap();
        assert_eq!(target.image, "neo4j:2025.01.0-enterprise");
        assert_eq!(target.pull_secrets, vec!["regcred"]);
        assert_eq!(target.statefulset(), "prod-server");
        assert_eq!(target.data_pvc(0), "data-prod-server-0");
        assert_eq!(
            target.backup_addresses(),
            vec![
                "prod-server-0.prod-headless.db.svc.cluster.local:6362",
                "prod-server-1.prod-headless.db.svc.cluster.local:6362",
                "prod-server-2.prod-headless.db.svc.cluster.local:6362",
            ]
        );
    }

    #[test]
    fn standalone_names_and_addresses() {
        let standalone: Neo4jEnterpriseStandalone = serde_json::from_value(json!({"apiVersion": "neo4j.neo4j.com/v1alpha1",
            "kind": "Neo4jEnterpriseStandalone", "metadata": {"name": "dev"}, "spec": {"image": {"tag": "5.26.0-enterprise"}}}))
        .unwrap();
        let target = ResolvedTarget::from_standalone(&standalone, "dev-ns").unwrap();
        assert_eq!(target.image, "neo4j:5.26.0-enterprise", "the repo defaults to neo4j");
        assert_eq!((target.statefulset(), target.data_pvc(0)), ("dev".to_owned(), "neo4j-data-dev-0".to_owned()));
        assert_eq!(target.backup_addresses(), vec!["dev-0.dev-headless.dev-ns.svc.cluster.local:6362"]);
        assert_eq!(target.bolt_uri(), "bolt://dev-client.dev-ns.svc.cluster.local:7687");
        assert_eq!(target.admin_secret, "neo4j-admin-secret");
    }

    #[test]
    fn bolt_follows_auth_and_tls() {
        let secured = ResolvedTarget::from_cluster(
            &cluster(json!({"image": {"tag": "2025.01.0-enterprise"}, "auth": {"adminSecret": "prod-admin"}, "tls": {"mode": "cert-manager"}})),
            "db",
        )
        .unwrap();
        assert_eq!(secured.bolt_uri(), "neo4j+s://prod-client.db.svc.cluster.local:7687");
        assert_eq!((secured.admin_secret.as_str(), secured.tls_secret()), ("prod-admin", "prod-tls-secret".to_owned()));
        let plain = ResolvedTarget::from_cluster(
            &cluster(json!({"image": {"tag": "2025.01.0-enterprise"}, "tls": {"mode": "disabled"}})),
            "db",
        )
        .unwrap();
        assert_eq!(plain.bolt_uri(), "neo4j://prod-client.db.svc.cluster.local:7687");
    }

    #[test]
    fn a_target_without_a_tag_cannot_be_planned() {
        assert_eq!(
            ResolvedTarget::from_cluster(&cluster(json!({"image": {"repo": "neo4j"}})), "db").unwrap_err(),
            "Neo4jEnterpriseCluster \"prod\" has no spec.image.tag; its Neo4j version is unknown"
        );
    }
}
