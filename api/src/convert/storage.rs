//! The operator's `StorageLocation` (its api/v1beta1/neo4jenterprisecluster_types.go: type, bucket,
//! path, pvc, cloud) as ours, pointing at the same folder the operator wrote or read.
//!
//! The folders differ (the operator's internal/controller, v1.14.0): a Neo4jBackup writes into
//! `<bucket>/<path, else "backups">/<chain root>/` and, on a claim, into `<chain root>/` without
//! `path` (neo4jbackup_controller.go `buildToPath`, `chainRoot`); a Neo4jRestore reads
//! `<bucket>/<path>/<backupPath>` and, on a claim, `<backupPath>` without `path`
//! (neo4jrestore_controller.go `buildRestoreFromPath`). Ours reads and writes
//! `<bucket>/<path>/` and `<claim>/<path>/`, so the path is rewritten to the same folder.

use std::collections::BTreeMap;

use super::fields::{Fields, Notes};
use crate::types::{AutoCreateSpec, CloudBlock, CloudIdentity, CloudProvider, PvcSpec, StorageLocation, StorageType};

/// The operator's folder below the bucket when a Neo4jBackup has no `storage.path`
/// (neo4jbackup_controller.go `defaultBackupStoragePath`).
pub const OPERATOR_DEFAULT_PATH: &str = "backups";

/// Which folder of the operator a storage location stands for.
#[derive(Clone, Copy, Debug)]
pub(super) enum Folder<'a> {
    /// A Neo4jBackup's own storage, whose runs go into a folder named after its chain root (its
    /// `chainFromBackup`, else its name).
    Backup {
        /// The chain root.
        chain_root: &'a str,
    },
    /// Where a restore reads a backup (`source.storage`, `pitr.baseBackup.storage`).
    RestoreSource,
    /// As written: the transaction log storage of a point-in-time restore, which the operator
    /// mounts but never reads (it restores with `--restore-until` alone).
    AsWritten,
}

/// The storage location in `fields`, for `folder`.
pub(super) fn storage(mut fields: Fields, folder: Folder<'_>, notes: &mut Notes) -> StorageLocation {
    let storage_type = fields.string("type", notes).map(|t| StorageType::from(t.as_str()));
    if storage_type.is_none() {
        notes.error(&fields.at("type"), "is required; the operator's storage types are s3, gcs, azure and pvc");
    }
    let on_claim = storage_type == Some(StorageType::Pvc);
    let bucket = fields.string("bucket", notes);
    let path_field = fields.at("path");
    let written = fields.string("path", notes);
    let path = match folder {
        Folder::Backup { chain_root } if on_claim => {
            if written.is_some() {
                notes.drop(
                    &path_field,
                    format!(
                        "the operator does not use storage.path for pvc storage: it writes into {chain_root}/ on the claim, and so does the converted backup (storage.path: {chain_root})"
                    ),
                );
            }
            Some(chain_root.to_owned())
        }
        Folder::Backup { chain_root } => {
            let base = written.as_deref().unwrap_or(OPERATOR_DEFAULT_PATH).trim_end_matches('/');
            Some(format!("{base}/{chain_root}"))
        }
        Folder::RestoreSource if on_claim => {
            if written.is_some() {
                notes.drop(
                    &path_field,
                    "the operator does not use storage.path for pvc storage: it reads backupPath from the root of the claim, and so does the converted restore",
                );
            }
            None
        }
        Folder::RestoreSource | Folder::AsWritten => written,
    };
    let pvc = fields.object("pvc", notes).map(|pvc| claim(pvc, notes));
    let cloud = fields.object("cloud", notes).map(|cloud| cloud_block(cloud, storage_type.as_ref(), notes));
    fields.finish(notes);
    StorageLocation { r#type: storage_type, bucket, path, cloud, pvc }
}

fn claim(mut fields: Fields, notes: &mut Notes) -> PvcSpec {
    let pvc = PvcSpec {
        name: fields.string("name", notes),
        storage_class_name: fields.string("storageClassName", notes),
        size: fields.string("size", notes),
    };
    fields.finish(notes);
    pvc
}

fn cloud_block(mut fields: Fields, storage_type: Option<&StorageType>, notes: &mut Notes) -> CloudBlock {
    let provider = fields.string("provider", notes).map(|p| CloudProvider::from(p.as_str()));
    let credentials_secret_ref = fields.string("credentialsSecretRef", notes);
    let endpoint = if storage_type == Some(&StorageType::S3) {
        fields.string("endpointURL", notes)
    } else {
        fields.drop("endpointURL", "the operator uses it for s3 storage only and ignores it here", notes);
        None
    };
    fields.drop(
        "forcePathStyle",
        "kubectl-neo4j has no path-style setting: the Neo4j manual documents only the endpoint override, so the store must answer virtual-hosted-style requests (MinIO: set MINIO_DOMAIN); see docs/backup.md, Credentials",
        notes,
    );
    let identity = fields.object("identity", notes).map(|identity| workload_identity(identity, notes));
    fields.finish(notes);
    CloudBlock { provider, credentials_secret_ref, identity, storage_account: None, endpoint }
}

fn workload_identity(mut fields: Fields, notes: &mut Notes) -> CloudIdentity {
    let provider = fields.string("provider", notes).map(|p| CloudProvider::from(p.as_str()));
    fields.drop(
        "serviceAccount",
        "the operator ignores it (its Jobs always run as neo4j-backup-sa, carrying autoCreate.annotations), while kubectl-neo4j would run its Jobs as this ServiceAccount; add it back only if that is what you want",
        notes,
    );
    let auto_create = fields.object("autoCreate", notes).map(|mut auto| {
        let enabled = match auto.bool("enabled", notes) {
            Some(false) => {
                notes.drop(
                    &auto.at("enabled"),
                    "the operator ignores it and always creates neo4j-backup-sa; kubectl-neo4j would not, so the default (create it) is kept",
                );
                None
            }
            other => other,
        };
        let annotations = auto.decode::<BTreeMap<String, String>>("annotations", "a map of strings", notes);
        auto.finish(notes);
        AutoCreateSpec { enabled, annotations: annotations.filter(|a| !a.is_empty()) }
    });
    fields.finish(notes);
    CloudIdentity { provider, service_account: None, auto_create }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;
    use crate::convert::Dropped;
    use crate::rules::FieldPath;

    fn convert(value: Value, folder: Folder<'_>) -> (StorageLocation, Notes) {
        let mut notes = Notes::default();
        let fields =
            Fields::read("v1beta1 Neo4jBackup", FieldPath::new("spec.storage"), Some(value), &mut notes).unwrap();
        (storage(fields, folder, &mut notes), notes)
    }

    fn location(value: Value) -> StorageLocation {
        serde_json::from_value(value).unwrap()
    }

    // The operator's examples/backup-restore/backup-s3-basic.yaml: s3, a path, a credentials Secret;
    // its Job writes s3://<bucket>/<path>/<name>/ (neo4jbackup_controller.go buildToPath).
    #[test]
    fn a_backup_in_a_bucket_writes_into_the_folder_named_after_it() {
        let (storage, notes) = convert(
            json!({"type": "s3", "bucket": "b", "path": "cluster-backups/",
                   "cloud": {"provider": "aws", "credentialsSecretRef": "aws-creds"}}),
            Folder::Backup { chain_root: "nightly" },
        );
        assert_eq!(
            storage,
            location(json!({"type": "s3", "bucket": "b", "path": "cluster-backups/nightly",
                            "cloud": {"provider": "aws", "credentialsSecretRef": "aws-creds"}}))
        );
        assert!(notes.dropped.is_empty() && notes.errors.is_empty());
        let (storage, _) = convert(json!({"type": "gcs", "bucket": "b"}), Folder::Backup { chain_root: "daily" });
        assert_eq!(storage.path.as_deref(), Some("backups/daily"), "the operator's default folder");
    }

    // The operator's examples/backup-restore/backup-pvc-simple.yaml; on a claim it writes into
    // /backup/<name> whatever storage.path says (buildToPath, the pvc branch).
    #[test]
    fn a_backup_on_a_claim_writes_into_the_folder_named_after_it_whatever_its_path() {
        let (storage, notes) = convert(
            json!({"type": "pvc", "path": "ignored", "pvc": {"name": "backup-storage", "size": "50Gi", "storageClassName": "standard"}}),
            Folder::Backup { chain_root: "daily" },
        );
        assert_eq!(
            storage,
            location(json!({"type": "pvc", "path": "daily",
                            "pvc": {"name": "backup-storage", "size": "50Gi", "storageClassName": "standard"}}))
        );
        assert_eq!(
            notes.dropped,
            vec![Dropped {
                path: "spec.storage.path".into(),
                why: "the operator does not use storage.path for pvc storage: it writes into daily/ on the claim, and so does the converted backup (storage.path: daily)".into()
            }]
        );
    }

    // neo4jrestore_controller.go buildRestoreFromPath: <bucket>/<path>/<backupPath>, or
    // /backup/<backupPath> on a claim.
    #[test]
    fn a_restore_source_reads_where_the_operator_read() {
        let (storage, notes) = convert(json!({"type": "s3", "bucket": "b", "path": "prod"}), Folder::RestoreSource);
        assert_eq!(storage, location(json!({"type": "s3", "bucket": "b", "path": "prod"})));
        assert!(notes.dropped.is_empty());
        let (storage, notes) =
            convert(json!({"type": "pvc", "path": "prod", "pvc": {"name": "claim"}}), Folder::RestoreSource);
        assert_eq!(storage, location(json!({"type": "pvc", "pvc": {"name": "claim"}})));
        assert_eq!(notes.dropped.len(), 1);
        let (storage, _) = convert(json!({"type": "pvc", "path": "logs", "pvc": {"name": "tx"}}), Folder::AsWritten);
        assert_eq!(storage.path.as_deref(), Some("logs"));
    }

    // The operator's examples/backup-restore/backup-minio.yaml (endpointURL, forcePathStyle) and
    // the IRSA variant of backup-s3-basic.yaml (identity.autoCreate.annotations).
    #[test]
    fn cloud_settings_with_and_without_counterparts() {
        let (storage, notes) = convert(
            json!({"type": "s3", "bucket": "neo4j-backups", "path": "cluster/full",
                   "cloud": {"provider": "aws", "credentialsSecretRef": "minio", "endpointURL": "http://minio.minio.svc:9000", "forcePathStyle": true}}),
            Folder::Backup { chain_root: "full" },
        );
        assert_eq!(
            storage.cloud,
            Some(CloudBlock {
                provider: Some(CloudProvider::Aws),
                credentials_secret_ref: Some("minio".into()),
                endpoint: Some("http://minio.minio.svc:9000".into()),
                ..CloudBlock::default()
            })
        );
        assert_eq!(
            notes.dropped,
            vec![Dropped {
                path: "spec.storage.cloud.forcePathStyle".into(),
                why: "kubectl-neo4j has no path-style setting: the Neo4j manual documents only the endpoint override, so the store must answer virtual-hosted-style requests (MinIO: set MINIO_DOMAIN); see docs/backup.md, Credentials".into()
            }]
        );
        let (storage, notes) = convert(
            json!({"type": "gcs", "bucket": "b", "cloud": {"provider": "gcp", "endpointURL": "http://x",
                   "identity": {"provider": "gcp", "serviceAccount": "mine",
                                "autoCreate": {"enabled": false, "annotations": {"iam.gke.io/gcp-service-account": "sa@p.iam.gserviceaccount.com"}}}}}),
            Folder::Backup { chain_root: "daily" },
        );
        assert_eq!(
            storage.cloud,
            Some(CloudBlock {
                provider: Some(CloudProvider::Gcp),
                identity: Some(CloudIdentity {
                    provider: Some(CloudProvider::Gcp),
                    service_account: None,
                    auto_create: Some(AutoCreateSpec {
                        enabled: None,
                        annotations: Some(BTreeMap::from([(
                            "iam.gke.io/gcp-service-account".to_owned(),
                            "sa@p.iam.gserviceaccount.com".to_owned()
                        )])),
                    }),
                }),
                ..CloudBlock::default()
            })
        );
        let paths: Vec<&str> = notes.dropped.iter().map(|d| d.path.as_str()).collect();
        assert_eq!(
            paths,
            vec![
                "spec.storage.cloud.endpointURL",
                "spec.storage.cloud.identity.serviceAccount",
                "spec.storage.cloud.identity.autoCreate.enabled"
            ]
        );
    }

    #[test]
    fn a_storage_without_type_cannot_be_converted() {
        let (_, notes) = convert(json!({"bucket": "b", "colour": "blue"}), Folder::RestoreSource);
        assert_eq!(
            notes.error_lines(),
            vec!["spec.storage.type: is required; the operator's storage types are s3, gcs, azure and pvc"]
        );
        assert_eq!(notes.dropped[0].path, "spec.storage.colour");
    }
}
