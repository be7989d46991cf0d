//! Where neo4j-admin reads or writes backups: a cloud URI, or a directory on a mounted claim.

use crate::types::{StorageLocation, StorageType};

/// Where a backup claim is mounted in the Job's container.
pub const BACKUP_MOUNT: &str = "/backups";

/// Makes a user value literal inside a container argument or env value. Kubernetes expands
/// `$(VAR)` there even without a shell; a path such as `x/$(AWS_SECRET_ACCESS_KEY)` would otherwise
/// put a secret into the process arguments. `$$` is Kubernetes' escape for `$`.
pub fn literal(value: &str) -> String {
    value.replace('$', "$$")
}

/// A backup location as neo4j-admin sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Location {
    /// `s3://`, `gs://` or `azb://` (streamed by neo4j-admin itself).
    Uri(String),
    /// A directory on a PersistentVolumeClaim mounted at [`BACKUP_MOUNT`].
    Claim {
        /// The claim.
        claim: String,
        /// The directory inside the container.
        dir: String,
    },
}

impl Location {
    /// The value for `--to-path` / `--from-path` (escaped for Kubernetes argument expansion).
    pub fn path_argument(&self) -> String {
        match self {
            Self::Uri(uri) => uri.clone(),
            Self::Claim { dir, .. } => literal(dir),
        }
    }
}

fn join(base: &str, path: Option<&str>) -> String {
    let path = path.unwrap_or_default().trim_matches('/');
    if path.is_empty() { base.to_owned() } else { format!("{base}/{path}") }
}

/// The claim a `pvc` storage uses: the named one, or `<owner>-backups` created from `size`.
pub fn claim_name(storage: &StorageLocation, owner: &str) -> String {
    storage.pvc.as_ref().and_then(|pvc| pvc.name.clone()).unwrap_or_else(|| format!("{owner}-backups"))
}

/// Where `storage` (plus an optional sub-path such as a restore's `backupPath`) points.
pub fn location(storage: &StorageLocation, owner: &str, extra: Option<&str>) -> Result<Location, String> {
    let storage_type = storage.r#type.as_ref().ok_or("storage.type is not set")?;
    let bucket =
        || storage.bucket.as_deref().filter(|b| !b.is_empty()).ok_or(format!("{storage_type} storage has no bucket"));
    let path = join_paths(storage.path.as_deref(), extra);
    match storage_type {
        StorageType::S3 => Ok(Location::Uri(join(&format!("s3://{}", literal(bucket()?)), Some(&literal(&path))))),
        StorageType::Gcs => Ok(Location::Uri(join(&format!("gs://{}", literal(bucket()?)), Some(&literal(&path))))),
        // The storage account comes from the credentials Secret (AZURE_STORAGE_ACCOUNT): an intended expansion.
        StorageType::Azure => Ok(Location::Uri(join(
            &format!("azb://$(AZURE_STORAGE_ACCOUNT)/{}", literal(bucket()?)),
            Some(&literal(&path)),
        ))),
        StorageType::Pvc => {
            Ok(Location::Claim { claim: claim_name(storage, owner), dir: join(BACKUP_MOUNT, Some(&path)) })
        }
        StorageType::Unknown(other) => Err(format!("storage type {other:?} is not supported")),
    }
}

fn join_paths(first: Option<&str>, second: Option<&str>) -> String {
    [first, second]
        .into_iter()
        .flatten()
        .map(|p| p.trim_matches('/'))
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn storage(value: serde_json::Value) -> StorageLocation {
        serde_json::from_value(value).unwrap()
    }

    #[test]
    fn cloud_uris() {
        let at = |v| location(&storage(v), "nightly", None).unwrap();
        assert_eq!(
            at(json!({"type": "s3", "bucket": "b", "path": "/neo4j/prod/"})),
            Location::Uri("s3://b/neo4j/prod".into())
        );
        assert_eq!(at(json!({"type": "s3", "bucket": "b"})), Location::Uri("s3://b".into()));
        assert_eq!(at(json!({"type": "gcs", "bucket": "b", "path": "x"})), Location::Uri("gs://b/x".into()));
        assert_eq!(
            at(json!({"type": "azure", "bucket": "c", "path": "x"})),
            Location::Uri("azb://$(AZURE_STORAGE_ACCOUNT)/c/x".into())
        );
    }

    #[test]
    fn claims_and_sub_paths() {
        let named = storage(json!({"type": "pvc", "path": "prod", "pvc": {"name": "backup-storage"}}));
        assert_eq!(
            location(&named, "nightly", Some("/neo4j-2025-01-20T02-00-00.backup")).unwrap(),
            Location::Claim {
                claim: "backup-storage".into(),
                dir: "/backups/prod/neo4j-2025-01-20T02-00-00.backup".into()
            }
        );
        let sized = storage(json!({"type": "pvc", "pvc": {"size": "50Gi"}}));
        assert_eq!(
            location(&sized, "nightly", None).unwrap(),
            Location::Claim { claim: "nightly-backups".into(), dir: "/backups".into() }
        );
    }

    #[test]
    fn user_dollars_cannot_expand_into_secrets() {
        let sneaky = storage(json!({"type": "s3", "bucket": "b", "path": "x/$(AWS_SECRET_ACCESS_KEY)"}));
        assert_eq!(location(&sneaky, "n", None).unwrap().path_argument(), "s3://b/x/$$(AWS_SECRET_ACCESS_KEY)");
        let claim = storage(json!({"type": "pvc", "path": "$(HOME)", "pvc": {"name": "p"}}));
        assert_eq!(location(&claim, "n", None).unwrap().path_argument(), "/backups/$$(HOME)");
    }

    #[test]
    fn incomplete_storage_cannot_be_planned() {
        assert_eq!(location(&storage(json!({"type": "gcs"})), "n", None).unwrap_err(), "gcs storage has no bucket");
        assert_eq!(location(&storage(json!({})), "n", None).unwrap_err(), "storage.type is not set");
    }
}
