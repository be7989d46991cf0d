//! Where neo4j-admin reads or writes backups: a cloud URI, or a directory on a mounted claim.
//!
//! neo4j-admin treats a cloud path as a folder only when it ends in `/` ("The path ... is not a
//! directory - please add a terminal '/' to your path"), for `backup --to-path`, `backup inspect`,
//! `check --from-path` and `restore --from-path` alike; an artifact (`*.backup`) has no `/`.
//! Source: neo4j/neo4j community/command-line AbstractAdminCommand
//! (`normalizeAndValidateIfStoragePathDirectory`: a cloud path is a folder only when it ends in
//! `/`); the folder examples of docs-operations backup-restore/online-backup.adoc (5.x and dev).

use crate::types::{StorageLocation, StorageType};

/// Where a backup claim is mounted in the Job's container.
pub const BACKUP_MOUNT: &str = "/backups";

/// The Azure storage account taken from the credentials Secret (`AZURE_STORAGE_ACCOUNT`): the one
/// `$(...)` of ours that Kubernetes must expand, always right after the scheme.
const AZURE_ACCOUNT_FROM_SECRET: &str = "azb://$(AZURE_STORAGE_ACCOUNT)/";

/// Makes a user value literal inside a container argument or env value. Kubernetes expands
/// `$(VAR)` there even without a shell; a path such as `x/$(AWS_SECRET_ACCESS_KEY)` would otherwise
/// put a secret into the process arguments. `$$` is Kubernetes' escape for `$`.
pub fn literal(value: &str) -> String {
    value.replace('$', "$$")
}

/// A raw path or URI (as stored in a status, or printed by neo4j-admin) as a container argument:
/// escaped exactly once, here at the edge where argv is built. Only the Azure account placeholder
/// that [`location`] itself writes stays an expansion.
pub fn admin_path(raw: &str) -> String {
    match raw.strip_prefix(AZURE_ACCOUNT_FROM_SECRET) {
        Some(rest) => format!("{AZURE_ACCOUNT_FROM_SECRET}{}", literal(rest)),
        None => literal(raw),
    }
}

/// Whether a path names one backup artifact (`*.backup`) rather than a folder.
pub fn names_an_artifact(path: &str) -> bool {
    path.trim_end_matches('/').ends_with(".backup")
}

/// A backup location as neo4j-admin sees it. Values are raw (unescaped): [`Location::path_argument`]
/// escapes them for a container argument.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Location {
    /// `s3://`, `gs://` or `azb://` (streamed by neo4j-admin itself): a folder ends in `/`, an
    /// artifact does not.
    Uri(String),
    /// A directory (or one artifact) on a PersistentVolumeClaim mounted at [`BACKUP_MOUNT`].
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
        admin_path(self.raw())
    }

    /// The URI or directory, unescaped.
    pub fn raw(&self) -> &str {
        match self {
            Self::Uri(uri) => uri,
            Self::Claim { dir, .. } => dir,
        }
    }

    /// Whether this is cloud storage (neo4j-admin streams it and stages in a temp path).
    pub fn is_cloud(&self) -> bool {
        matches!(self, Self::Uri(_))
    }

    /// How a user reads it: the URI, or `pvc://<claim>/<dir>`.
    pub fn shown(&self) -> String {
        match self {
            Self::Uri(uri) => uri.clone(),
            Self::Claim { claim, dir } => format!("pvc://{claim}{}", dir.trim_start_matches(BACKUP_MOUNT)),
        }
    }
}

/// A cloud URI below `base` (`s3://bucket`): a folder ends in `/`, an artifact does not.
fn cloud_uri(base: &str, path: &str) -> String {
    match path {
        "" => format!("{base}/"),
        artifact if names_an_artifact(artifact) => format!("{base}/{artifact}"),
        folder => format!("{base}/{folder}/"),
    }
}

fn join(base: &str, path: &str) -> String {
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
        StorageType::S3 => Ok(Location::Uri(cloud_uri(&format!("s3://{}", bucket()?), &path))),
        StorageType::Gcs => Ok(Location::Uri(cloud_uri(&format!("gs://{}", bucket()?), &path))),
        StorageType::Azure => {
            // azb://<account>/<container>/<path>: the account named in the spec, or else the one
            // of the credentials Secret, expanded by Kubernetes from AZURE_STORAGE_ACCOUNT.
            let account = storage.cloud.as_ref().and_then(|c| c.storage_account.as_deref()).filter(|a| !a.is_empty());
            let base = match account {
                Some(account) => format!("azb://{account}/{}", bucket()?),
                None => format!("{AZURE_ACCOUNT_FROM_SECRET}{}", bucket()?),
            };
            Ok(Location::Uri(cloud_uri(&base, &path)))
        }
        StorageType::Pvc => Ok(Location::Claim { claim: claim_name(storage, owner), dir: join(BACKUP_MOUNT, &path) }),
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

    // neo4j-admin: "The path ... is not a directory - please add a terminal '/' to your path"
    // (docs-operations 5.x and dev, backup-restore/online-backup.adoc; neo4j/neo4j cloud storage
    // path handling). Every cloud folder ends in `/`, an artifact never does.
    #[test]
    fn cloud_folders_end_in_a_slash_and_artifacts_do_not() {
        let at = |v| location(&storage(v), "nightly", None).unwrap();
        assert_eq!(
            at(json!({"type": "s3", "bucket": "b", "path": "/neo4j/prod/"})),
            Location::Uri("s3://b/neo4j/prod/".into())
        );
        assert_eq!(at(json!({"type": "s3", "bucket": "b", "path": "daily"})), Location::Uri("s3://b/daily/".into()));
        assert_eq!(at(json!({"type": "s3", "bucket": "b"})), Location::Uri("s3://b/".into()));
        assert_eq!(at(json!({"type": "gcs", "bucket": "b", "path": "x"})), Location::Uri("gs://b/x/".into()));
        assert_eq!(
            at(json!({"type": "azure", "bucket": "c", "path": "x"})),
            Location::Uri("azb://$(AZURE_STORAGE_ACCOUNT)/c/x/".into())
        );
        let artifact = storage(json!({"type": "gcs", "bucket": "b", "path": "prod"}));
        assert_eq!(
            location(&artifact, "n", Some("orders-2025-01-20T02-00-00.backup")).unwrap(),
            Location::Uri("gs://b/prod/orders-2025-01-20T02-00-00.backup".into())
        );
        assert_eq!(location(&artifact, "n", Some("/older/")).unwrap(), Location::Uri("gs://b/prod/older/".into()));
    }

    #[test]
    fn an_azure_account_in_the_spec_is_used_literally() {
        let named = storage(json!({"type": "azure", "bucket": "c", "path": "x",
            "cloud": {"provider": "azure", "storageAccount": "prodbackups"}}));
        assert_eq!(location(&named, "n", None).unwrap().path_argument(), "azb://prodbackups/c/x/");
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
        let at = location(&sized, "nightly", None).unwrap();
        assert_eq!(at, Location::Claim { claim: "nightly-backups".into(), dir: "/backups".into() });
        assert_eq!(at.shown(), "pvc://nightly-backups");
        assert_eq!(location(&named, "n", None).unwrap().shown(), "pvc://backup-storage/prod");
    }

    #[test]
    fn user_dollars_cannot_expand_into_secrets() {
        let sneaky = storage(json!({"type": "s3", "bucket": "b", "path": "x/$(AWS_SECRET_ACCESS_KEY)"}));
        assert_eq!(location(&sneaky, "n", None).unwrap().path_argument(), "s3://b/x/$$(AWS_SECRET_ACCESS_KEY)/");
        let claim = storage(json!({"type": "pvc", "path": "$(HOME)", "pvc": {"name": "p"}}));
        assert_eq!(location(&claim, "n", None).unwrap().path_argument(), "/backups/$$(HOME)");
    }

    // Seed 001's enterprise-azure-restore names an artifact: the account placeholder expands, the
    // user's path is escaped exactly once (it used to reach neo4j-admin as `$(AZURE_STORAGE_ACCOUNT)`).
    #[test]
    fn escaped_exactly_once_with_the_account_placeholder_kept() {
        let azure = storage(json!({"type": "azure", "bucket": "c"}));
        let artifact = location(&azure, "n", Some("prod/$x/neo4j-2025-01-20T02-00-00.backup")).unwrap();
        assert_eq!(artifact.raw(), "azb://$(AZURE_STORAGE_ACCOUNT)/c/prod/$x/neo4j-2025-01-20T02-00-00.backup");
        assert_eq!(
            artifact.path_argument(),
            "azb://$(AZURE_STORAGE_ACCOUNT)/c/prod/$$x/neo4j-2025-01-20T02-00-00.backup"
        );
        assert_eq!(admin_path(artifact.raw()), artifact.path_argument(), "the stored raw form escapes the same way");
        assert_eq!(admin_path("azb://acct/c/$(AZURE_STORAGE_ACCOUNT)/"), "azb://acct/c/$$(AZURE_STORAGE_ACCOUNT)/");
    }

    #[test]
    fn incomplete_storage_cannot_be_planned() {
        assert_eq!(location(&storage(json!({"type": "gcs"})), "n", None).unwrap_err(), "gcs storage has no bucket");
        assert_eq!(location(&storage(json!({})), "n", None).unwrap_err(), "storage.type is not set");
    }
}
