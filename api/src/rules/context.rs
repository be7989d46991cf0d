//! What a rule may know beyond the object. Every part is optional: a rule that lacks the context
//! it needs says nothing (the controller re-checks with full context), it never guesses.

use k8s_openapi::jiff::Timestamp;

use crate::grant::BackupGrant;
use crate::plan::target::bolt_tls;
use crate::types::{Neo4jBackup, Neo4jEnterpriseCluster, Neo4jEnterpriseStandalone};

/// Facts about the resolved target (Neo4jEnterpriseCluster or Neo4jEnterpriseStandalone).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TargetFacts {
    /// `spec.image.tag`, e.g. `2025.01.0-enterprise`.
    pub image_tag: Option<String>,
    /// Number of servers (1 for a standalone).
    pub servers: Option<i32>,
    /// Whether it serves Bolt over TLS.
    pub bolt_tls: Option<bool>,
    /// The namespaces it lets back it up besides its own.
    pub backup_grant: BackupGrant,
}

impl TargetFacts {
    /// What the rules need to know of a Neo4jEnterpriseCluster.
    pub fn of_cluster(cluster: &Neo4jEnterpriseCluster) -> Self {
        Self {
            image_tag: cluster.spec.image.as_ref().and_then(|image| image.tag.clone()),
            servers: cluster.spec.topology.as_ref().and_then(|topology| topology.servers),
            bolt_tls: Some(bolt_tls(&cluster.spec.tls)),
            backup_grant: BackupGrant::of(cluster.metadata.annotations.as_ref()),
        }
    }

    /// What the rules need to know of a Neo4jEnterpriseStandalone (one server).
    pub fn of_standalone(standalone: &Neo4jEnterpriseStandalone) -> Self {
        Self {
            image_tag: standalone.spec.image.as_ref().and_then(|image| image.tag.clone()),
            servers: Some(1),
            bolt_tls: Some(bolt_tls(&standalone.spec.tls)),
            backup_grant: BackupGrant::of(standalone.metadata.annotations.as_ref()),
        }
    }
}

impl Context<'_> {
    /// The Neo4j version of the target, when its image tag is known and readable.
    pub fn target_version(&self) -> Option<crate::version::Neo4jVersion> {
        let tag = self.target.as_ref()?.image_tag.as_deref()?;
        crate::version::ImageTag::parse(tag).ok().map(|image| image.version)
    }
}

/// Context for the rules.
#[derive(Clone, Debug, Default)]
pub struct Context<'a> {
    /// The target of the backup or restore, when it could be looked up.
    pub target: Option<TargetFacts>,
    /// The Neo4jBackup a restore references (`backupRef` of the source or of the PITR base backup).
    pub referenced_backup: Option<&'a Neo4jBackup>,
    /// Whether the requesting user may read the target in another namespace (a SubjectAccessReview).
    pub may_read_target_namespace: Option<bool>,
    /// The present moment.
    pub now: Option<Timestamp>,
}
