//! Where a restore reads from, whatever way the spec says it: a Neo4jBackup's storage, an explicit
//! storage location with an optional `backupPath`, or the base backup of a point-in-time restore.

use crate::plan::location::{Location, location};
use crate::plan::target::ResolvedTarget;
pub use crate::types::SourceLocation;
use crate::types::{BaseBackupType, Neo4jBackup, Neo4jRestore, SourceType, TargetKind};
use crate::version::ImageTag;

impl SourceLocation {
    /// The location neo4j-admin reads: the folder, or the one artifact `backupPath` names.
    pub fn location(&self) -> Result<Location, String> {
        location(&self.storage, &self.owner, self.path.as_deref())
    }

    /// Whether `backupPath` names one artifact, so no listing is needed to choose one.
    pub fn names_an_artifact(&self) -> bool {
        self.path.as_deref().is_some_and(crate::plan::location::names_an_artifact)
    }
}

/// Resolves the source of `restore`. `referenced` is the Neo4jBackup that `backupRef` names
/// (for `backup` sources and `pitr` base backups of type `backup`), when it exists.
pub fn resolve_source(restore: &Neo4jRestore, referenced: Option<&Neo4jBackup>) -> Result<SourceLocation, String> {
    let spec = &restore.spec;
    let source = spec.source.as_ref().ok_or("spec.source is not set")?;
    let restored = spec.database_name.clone().ok_or("spec.databaseName is not set")?;
    let pitr = source.r#type == Some(SourceType::Pitr);
    let point_in_time = source.point_in_time.clone().filter(|_| pitr);
    let until_transaction = source.until_transaction.filter(|_| pitr);
    let protection = spec.referenced_backup().filter(|_| source.uses_protection());
    let protection_locator = crate::types::BackupLocator { backup_ref: protection, ..Default::default() };
    let chain_locator = source
        .chain_storage()
        .map(|storage| crate::types::BackupLocator { storage: Some(storage.clone()), ..Default::default() });
    let (by_ref, locator) = match (source.r#type.as_ref(), &chain_locator) {
        (Some(SourceType::Pitr), Some(chain)) => (false, chain),
        (Some(SourceType::Pitr), None) if source.uses_protection() => (true, &protection_locator),
        (Some(SourceType::Pitr), None) => {
            let base = source
                .pitr
                .as_ref()
                .and_then(|p| p.base_backup.as_ref())
                .ok_or("spec.source.pitr.baseBackup is not set")?;
            (base.r#type == Some(BaseBackupType::Backup), &base.backup)
        }
        (Some(SourceType::Backup), _) => (true, &source.backup),
        _ => (false, &source.backup),
    };
    if by_ref {
        let name = locator.backup_ref.as_deref().ok_or("the source names no Neo4jBackup (backupRef)")?;
        let backup = referenced.ok_or_else(|| format!("the Neo4jBackup {name:?} does not exist"))?;
        let storage = backup.spec.storage.clone().ok_or_else(|| format!("the Neo4jBackup {name:?} has no storage"))?;
        // A backup of one database holds that database under its own name; a whole-cluster backup
        // holds every database, and the one restored is the one of the same name.
        let database = match backup.spec.target.as_ref() {
            Some(target) if target.kind == Some(TargetKind::Database) => target.name.clone().unwrap_or(restored),
            _ => restored,
        };
        return Ok(SourceLocation {
            storage,
            owner: name.to_owned(),
            path: locator.backup_path.clone(),
            database,
            point_in_time,
            until_transaction,
        });
    }
    let mut storage = locator.storage.clone().ok_or("the source has no storage")?;
    if storage.r#type.is_none() {
        storage.r#type = match source.r#type {
            Some(SourceType::S3) => Some(crate::types::StorageType::S3),
            Some(SourceType::Gcs) => Some(crate::types::StorageType::Gcs),
            Some(SourceType::Azure) => Some(crate::types::StorageType::Azure),
            _ => None,
        };
    }
    Ok(SourceLocation {
        storage,
        owner: restore.metadata.name.clone().unwrap_or_default(),
        path: locator.backup_path.clone(),
        database: restored,
        point_in_time,
        until_transaction,
    })
}

/// [`resolve_source`], and not ready while the referenced Neo4jBackup has no successful run.
pub fn ready_source(restore: &Neo4jRestore, referenced: Option<&Neo4jBackup>) -> Result<SourceLocation, String> {
    let source = resolve_source(restore, referenced)?;
    match referenced {
        Some(backup) if backup.status.as_ref().and_then(|s| s.last_successful_backup_time.as_ref()).is_none() => {
            Err(format!(
                "waiting for the Neo4jBackup {:?} to complete a backup",
                backup.metadata.name.as_deref().unwrap_or_default()
            ))
        }
        _ => Ok(source),
    }
}

/// Why a backup taken from `backup_target` cannot be restored into `target`: Neo4j cannot restore
/// into an older version.
pub fn newer_backup(backup_target: &ResolvedTarget, target: &ResolvedTarget) -> Option<String> {
    let from = ImageTag::parse(&backup_target.tag).ok()?.version;
    let into = ImageTag::parse(&target.tag).ok()?.version;
    (from > into).then(|| {
        format!("the backup comes from Neo4j {from} and the target runs {into}: Neo4j cannot restore into an older version; upgrade the target first")
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn restore(source: serde_json::Value) -> Neo4jRestore {
        serde_json::from_value(json!({"apiVersion": "neo4j.neo4j.com/v1alpha1", "kind": "Neo4jRestore",
            "metadata": {"name": "recover", "namespace": "neo4j"},
            "spec": {"targetCluster": "prod", "databaseName": "orders-restored", "source": source}}))
        .unwrap()
    }

    fn backup(target: serde_json::Value) -> Neo4jBackup {
        serde_json::from_value(json!({"apiVersion": "neo4j.neo4j.com/v1alpha1", "kind": "Neo4jBackup",
            "metadata": {"name": "nightly", "namespace": "neo4j"},
            "spec": {"target": target, "storage": {"type": "s3", "bucket": "b", "path": "nightly"}}}))
        .unwrap()
    }

    #[test]
    fn a_backup_reference_reads_the_backups_storage_and_its_database() {
        let by_ref = restore(json!({"type": "backup", "backupRef": "nightly"}));
        let database_backup = backup(json!({"kind": "Database", "name": "orders", "clusterRef": "prod"}));
        let source = resolve_source(&by_ref, Some(&database_backup)).unwrap();
        assert_eq!(source.location().unwrap(), Location::Uri("s3://b/nightly/".into()));
        assert_eq!(source.database, "orders", "the backed-up database, restored as orders-restored");
        let cluster_backup = backup(json!({"kind": "Cluster", "name": "prod"}));
        assert_eq!(resolve_source(&by_ref, Some(&cluster_backup)).unwrap().database, "orders-restored");
        assert_eq!(resolve_source(&by_ref, None).unwrap_err(), "the Neo4jBackup \"nightly\" does not exist");
    }

    #[test]
    fn explicit_storage_and_shorthands() {
        let s3 = restore(
            json!({"type": "s3", "storage": {"bucket": "b"}, "backupPath": "prod/orders-2025-01-20T02-00-00.backup"}),
        );
        let source = resolve_source(&s3, None).unwrap();
        assert_eq!(source.location().unwrap(), Location::Uri("s3://b/prod/orders-2025-01-20T02-00-00.backup".into()));
        assert!(source.names_an_artifact());
        let claim = restore(
            json!({"type": "storage", "storage": {"type": "pvc", "pvc": {"name": "backups"}}, "backupPath": "prod/"}),
        );
        let source = resolve_source(&claim, None).unwrap();
        assert_eq!(
            source.location().unwrap(),
            Location::Claim { claim: "backups".into(), dir: "/backups/prod".into() }
        );
        assert!(!source.names_an_artifact());
    }

    #[test]
    fn point_in_time_reads_the_base_backup() {
        let pitr = restore(json!({"type": "pitr", "pointInTime": "2025-01-04T12:30:00+01:00",
            "pitr": {"baseBackup": {"type": "backup", "backupRef": "nightly"}}}));
        let source = resolve_source(&pitr, Some(&backup(json!({"kind": "Cluster", "name": "prod"})))).unwrap();
        assert_eq!(source.point_in_time.as_deref(), Some("2025-01-04T12:30:00+01:00"));
        assert_eq!(source.owner, "nightly");
        // No base backup: the target's protection (issue 14).
        let protected = restore(json!({"type": "pitr", "pointInTime": "2025-01-04T12:30:00Z"}));
        assert_eq!(protected.spec.referenced_backup().as_deref(), Some("prod-pitr"));
        let source = resolve_source(&protected, Some(&backup(json!({"kind": "Cluster", "name": "prod"})))).unwrap();
        assert_eq!((source.owner.as_str(), source.database.as_str()), ("prod-pitr", "orders-restored"));
        assert_eq!(resolve_source(&protected, None).unwrap_err(), "the Neo4jBackup \"prod-pitr\" does not exist");
        let by_storage = restore(json!({"type": "pitr", "pointInTime": "2025-01-04T12:30:00Z",
            "pitr": {"baseBackup": {"type": "storage", "storage": {"type": "gcs", "bucket": "g"}, "backupPath": "base"}}}));
        assert_eq!(
            resolve_source(&by_storage, None).unwrap().location().unwrap(),
            Location::Uri("gs://g/base/".into())
        );
    }

    /// `pitr.logStorage` alone names the chain's folder (the protection's log destination, e.g.
    /// after its cluster was deleted): the chain is chosen there.
    #[test]
    fn point_in_time_with_a_log_storage_reads_the_chain_there() {
        let logs = json!({"type": "s3", "bucket": "neo4j-pitr-logs", "path": "cluster-logs/"});
        let alone =
            restore(json!({"type": "pitr", "pointInTime": "2025-01-04T12:30:00Z", "pitr": {"logStorage": logs}}));
        assert!(!alone.spec.source.as_ref().unwrap().uses_protection());
        assert_eq!(alone.spec.referenced_backup(), None, "no Neo4jBackup is read");
        let source = resolve_source(&alone, None).unwrap();
        assert_eq!(source.location().unwrap(), Location::Uri("s3://neo4j-pitr-logs/cluster-logs/".into()));
        assert_eq!((source.owner.as_str(), source.database.as_str()), ("recover", "orders-restored"));
        assert_eq!(source.point_in_time.as_deref(), Some("2025-01-04T12:30:00Z"));
        // Beside a base backup it is not read: the Neo4j operator's restores (and `convert`'s
        // output) name their transaction-log bucket there, which holds no chain.
        let both = restore(json!({"type": "pitr", "pointInTime": "2025-01-04T12:30:00Z",
            "pitr": {"baseBackup": {"type": "backup", "backupRef": "nightly"}, "logStorage": logs}}));
        assert_eq!(both.spec.referenced_backup().as_deref(), Some("nightly"));
        let nightly = backup(json!({"kind": "Cluster", "name": "prod"}));
        assert_eq!(
            resolve_source(&both, Some(&nightly)).unwrap().location().unwrap(),
            Location::Uri("s3://b/nightly/".into())
        );
    }
}
