//! Rules of every `StorageLocation`: backup storage, restore source storage, PITR base backup and
//! log storage, cluster PITR destinations.

use crate::grammar::{bucket, size};
use crate::rules::common::{known_enum, object_name, optional_enum, relative_path, required_enum};
use crate::rules::{FieldPath, Verdict};
use crate::types::{CloudProvider, StorageLocation, StorageType};

/// The provider that serves a cloud storage type.
pub fn provider_of(storage_type: &StorageType) -> Option<CloudProvider> {
    match storage_type {
        StorageType::S3 => Some(CloudProvider::Aws),
        StorageType::Gcs => Some(CloudProvider::Gcp),
        StorageType::Azure => Some(CloudProvider::Azure),
        StorageType::Pvc | StorageType::Unknown(_) => None,
    }
}

/// Checks one storage location at `path`.
pub fn check_storage(verdict: &mut Verdict, path: &FieldPath, storage: &StorageLocation) {
    relative_path(verdict, &path.child("path"), &storage.path);
    let Some(storage_type) = required_enum(verdict, &path.child("type"), &storage.r#type) else {
        return;
    };
    match provider_of(storage_type) {
        Some(provider) => check_cloud(verdict, path, storage, storage_type, &provider),
        None => check_pvc(verdict, path, storage),
    }
}

fn check_cloud(
    verdict: &mut Verdict,
    path: &FieldPath,
    storage: &StorageLocation,
    storage_type: &StorageType,
    expected: &CloudProvider,
) {
    match storage.bucket.as_deref() {
        None | Some("") => verdict.error(
            path.child("bucket"),
            format!("is required for {storage_type} storage; name the {}", container_word(storage_type)),
        ),
        Some(name) => {
            if let Err(why) = bucket::check_bucket(storage_type, name) {
                verdict.error(path.child("bucket"), why);
            }
        }
    }
    if storage.pvc.is_some() {
        verdict.warn(path.child("pvc"), format!("is ignored for {storage_type} storage; remove it"));
    }
    check_cloud_extensions(verdict, path, storage, storage_type);
    let Some(cloud) = &storage.cloud else { return };
    let cloud_path = path.child("cloud");
    if let Some(provider) = optional_enum(verdict, &cloud_path.child("provider"), &cloud.provider)
        && provider != *expected
    {
        verdict.error(
            cloud_path.child("provider"),
            format!(
                "{provider:?} does not serve {storage_type} storage; use {expected} (or leave it out)",
                provider = provider.as_str()
            ),
        );
    }
    object_name(verdict, &cloud_path.child("credentialsSecretRef"), &cloud.credentials_secret_ref);
    let Some(identity) = &cloud.identity else { return };
    let identity_path = cloud_path.child("identity");
    if cloud.credentials_secret_ref.is_some() {
        verdict.error(
            &identity_path,
            "credentialsSecretRef and identity are mutually exclusive; keep the Secret or the workload identity, not both",
        );
    }
    match &identity.provider {
        None => verdict.error(identity_path.child("provider"), format!("is required; set it to {expected}")),
        Some(provider) => {
            if known_enum(verdict, &identity_path.child("provider"), provider) && provider != expected {
                verdict.error(
                    identity_path.child("provider"),
                    format!("{:?} does not serve {storage_type} storage; use {expected}", provider.as_str()),
                );
            }
        }
    }
    object_name(verdict, &identity_path.child("serviceAccount"), &identity.service_account);
}

/// `cloud.storageAccount` (Azure) and `cloud.endpoint` (S3-compatible stores), our extensions.
fn check_cloud_extensions(
    verdict: &mut Verdict,
    path: &FieldPath,
    storage: &StorageLocation,
    storage_type: &StorageType,
) {
    let cloud = storage.cloud.clone().unwrap_or_default();
    let account_path = path.child("cloud").child("storageAccount");
    match (storage_type, cloud.storage_account.as_deref()) {
        (StorageType::Azure, None | Some("")) if cloud.credentials_secret_ref.is_none() => verdict.error(
            &account_path,
            "is required for azure storage without credentialsSecretRef: neo4j-admin reads azb://<account>/<container>/<path>; name the storage account, e.g. storageAccount: neo4jbackups",
        ),
        (StorageType::Azure, Some(account)) if !account.is_empty() => {
            let valid = (3..=24).contains(&account.len())
                && account.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
            if !valid {
                verdict.error(
                    &account_path,
                    format!("{account:?} is not an Azure storage account name: 3 to 24 lowercase letters and digits"),
                );
            }
        }
        (StorageType::Azure, _) | (_, None) => {}
        (_, Some(_)) => verdict.error(&account_path, format!("only applies to azure storage, not {storage_type}; remove it")),
    }
    let Some(endpoint) = cloud.endpoint.as_deref() else { return };
    let endpoint_path = path.child("cloud").child("endpoint");
    if *storage_type != StorageType::S3 {
        verdict.error(&endpoint_path, format!("only applies to s3 storage, not {storage_type}; remove it"));
        return;
    }
    let scheme_ok = endpoint.strip_prefix("https://").or_else(|| endpoint.strip_prefix("http://"));
    if scheme_ok.is_none_or(str::is_empty) || endpoint.chars().any(|c| c.is_whitespace() || c.is_control()) {
        verdict.error(
            &endpoint_path,
            format!("{endpoint:?} is not an endpoint URL; write e.g. https://minio.minio.svc.cluster.local:9000"),
        );
    }
}

fn container_word(storage_type: &StorageType) -> &'static str {
    match storage_type {
        StorageType::Azure => "Azure container, e.g. neo4j-backups",
        _ => "bucket, e.g. my-neo4j-backups",
    }
}

fn check_pvc(verdict: &mut Verdict, path: &FieldPath, storage: &StorageLocation) {
    if storage.bucket.is_some() {
        verdict.warn(path.child("bucket"), "is ignored for pvc storage; remove it");
    }
    if storage.cloud.is_some() {
        verdict.warn(path.child("cloud"), "is ignored for pvc storage; remove it");
    }
    let pvc_path = path.child("pvc");
    let Some(pvc) = &storage.pvc else {
        verdict.error(
            &pvc_path,
            "is required for pvc storage; name an existing claim (pvc.name) or give a size (pvc.size)",
        );
        return;
    };
    if pvc.name.is_none() && pvc.size.is_none() {
        verdict.error(&pvc_path, "needs the name of an existing claim (pvc.name) or a size for a new one (pvc.size)");
    }
    object_name(verdict, &pvc_path.child("name"), &pvc.name);
    object_name(verdict, &pvc_path.child("storageClassName"), &pvc.storage_class_name);
    if let Some(quantity) = pvc.size.as_deref()
        && let Err(why) = size::check_storage_quantity(quantity)
    {
        verdict.error(pvc_path.child("size"), why);
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn check(storage: serde_json::Value) -> Verdict {
        let storage: StorageLocation = serde_json::from_value(storage).unwrap();
        let mut verdict = Verdict::default();
        check_storage(&mut verdict, &FieldPath::new("spec.storage"), &storage);
        verdict
    }

    #[test]
    fn valid_locations() {
        for storage in [
            json!({"type": "s3", "bucket": "my-backups", "path": "prod/daily", "cloud": {"provider": "aws", "credentialsSecretRef": "aws-creds"}}),
            json!({"type": "gcs", "bucket": "my_gcs_bucket", "cloud": {"provider": "gcp", "identity": {"provider": "gcp", "autoCreate": {"annotations": {"iam.gke.io/gcp-service-account": "a@b.iam.gserviceaccount.com"}}}}}),
            json!({"type": "azure", "bucket": "neo4j-backups", "cloud": {"storageAccount": "neo4jbackups", "identity": {"provider": "azure"}}}),
            json!({"type": "azure", "bucket": "neo4j-backups", "cloud": {"credentialsSecretRef": "azure-creds"}}),
            json!({"type": "s3", "bucket": "neo4j-backups", "cloud": {"endpoint": "http://minio.minio.svc:9000", "credentialsSecretRef": "minio"}}),
            json!({"type": "pvc", "pvc": {"name": "backup-storage"}}),
            json!({"type": "pvc", "pvc": {"size": "50Gi", "storageClassName": "standard"}}),
        ] {
            assert_eq!(check(storage.clone()), Verdict::default(), "{storage}");
        }
    }

    #[test]
    fn type_is_required_and_known() {
        assert_eq!(
            check(json!({})).error_lines(),
            vec!["spec.storage.type: is required; set it to s3, gcs, azure or pvc"]
        );
        assert_eq!(
            check(json!({"type": "nfs"})).error_lines(),
            vec!["spec.storage.type: \"nfs\" is not supported; use s3, gcs, azure or pvc"]
        );
    }

    #[test]
    fn cloud_rules() {
        assert_eq!(
            check(json!({"type": "s3"})).error_lines(),
            vec!["spec.storage.bucket: is required for s3 storage; name the bucket, e.g. my-neo4j-backups"]
        );
        assert_eq!(
            check(json!({"type": "azure", "bucket": "my--container", "cloud": {"credentialsSecretRef": "k"}}))
                .error_lines(),
            vec![
                "spec.storage.bucket: \"my--container\" is not a valid Azure container name: an Azure container name has 3 to 63 lowercase letters, digits and '-', starts and ends with a letter or digit, and has no '--'"
            ]
        );
        assert_eq!(
            check(json!({"type": "s3", "bucket": "b-1", "cloud": {"provider": "gcp"}})).error_lines(),
            vec!["spec.storage.cloud.provider: \"gcp\" does not serve s3 storage; use aws (or leave it out)"]
        );
        assert_eq!(
            check(json!({"type": "s3", "bucket": "b-1", "cloud": {"provider": "ibm"}})).error_lines(),
            vec!["spec.storage.cloud.provider: \"ibm\" is not supported; use aws, gcp or azure"]
        );
        let both = check(
            json!({"type": "gcs", "bucket": "b-1", "cloud": {"credentialsSecretRef": "k", "identity": {"provider": "aws"}}}),
        );
        assert_eq!(
            both.error_lines(),
            vec![
                "spec.storage.cloud.identity: credentialsSecretRef and identity are mutually exclusive; keep the Secret or the workload identity, not both",
                "spec.storage.cloud.identity.provider: \"aws\" does not serve gcs storage; use gcp",
            ]
        );
        assert_eq!(
            check(json!({"type": "s3", "bucket": "b-1", "cloud": {"identity": {}}})).error_lines(),
            vec!["spec.storage.cloud.identity.provider: is required; set it to aws"]
        );
        let pvc_on_cloud = check(json!({"type": "s3", "bucket": "b-1", "pvc": {"name": "x"}}));
        assert_eq!(pvc_on_cloud.warnings, vec!["spec.storage.pvc: is ignored for s3 storage; remove it"]);
    }

    // Azure: the account is the first part of azb://<account>/<container>/<path> (docs-operations,
    // backup-restore/online-backup.adoc examples); without a Secret nothing else can supply it.
    // S3-compatible stores: partials/aws-s3-overrides.adoc, AWS_ENDPOINT_URL_S3.
    #[test]
    fn storage_account_and_endpoint_rules() {
        assert_eq!(
            check(json!({"type": "azure", "bucket": "c-1", "cloud": {"identity": {"provider": "azure"}}}))
                .error_lines(),
            vec![
                "spec.storage.cloud.storageAccount: is required for azure storage without credentialsSecretRef: neo4j-admin reads azb://<account>/<container>/<path>; name the storage account, e.g. storageAccount: neo4jbackups"
            ]
        );
        assert_eq!(check(json!({"type": "azure", "bucket": "c-1"})).errors.len(), 1, "the ambient identity too");
        assert_eq!(
            check(json!({"type": "azure", "bucket": "c-1", "cloud": {"storageAccount": "Prod_Backups", "credentialsSecretRef": "k"}})).error_lines(),
            vec!["spec.storage.cloud.storageAccount: \"Prod_Backups\" is not an Azure storage account name: 3 to 24 lowercase letters and digits"]
        );
        assert_eq!(
            check(
                json!({"type": "s3", "bucket": "b-1", "cloud": {"storageAccount": "acct", "endpoint": "minio:9000"}})
            )
            .error_lines(),
            vec![
                "spec.storage.cloud.storageAccount: only applies to azure storage, not s3; remove it",
                "spec.storage.cloud.endpoint: \"minio:9000\" is not an endpoint URL; write e.g. https://minio.minio.svc.cluster.local:9000",
            ]
        );
        assert_eq!(
            check(json!({"type": "gcs", "bucket": "b-1", "cloud": {"endpoint": "https://x"}})).error_lines(),
            vec!["spec.storage.cloud.endpoint: only applies to s3 storage, not gcs; remove it"]
        );
    }

    #[test]
    fn pvc_rules() {
        assert_eq!(
            check(json!({"type": "pvc"})).error_lines(),
            vec![
                "spec.storage.pvc: is required for pvc storage; name an existing claim (pvc.name) or give a size (pvc.size)"
            ]
        );
        assert_eq!(
            check(json!({"type": "pvc", "pvc": {}})).error_lines(),
            vec!["spec.storage.pvc: needs the name of an existing claim (pvc.name) or a size for a new one (pvc.size)"]
        );
        assert_eq!(
            check(json!({"type": "pvc", "pvc": {"name": "Backups", "size": "50GB"}})).error_lines(),
            vec![
                "spec.storage.pvc.name: \"Backups\" is not a valid name: use lowercase letters, digits, '-' and '.', starting and ending with a letter or digit, at most 253 characters",
                "spec.storage.pvc.size: \"50GB\" is not a Kubernetes quantity; write a Kubernetes quantity such as 50Gi, 100Gi or 1Ti",
            ]
        );
        let extra = check(json!({"type": "pvc", "bucket": "b", "cloud": {}, "pvc": {"name": "p"}}));
        assert_eq!(
            extra.warnings,
            vec![
                "spec.storage.bucket: is ignored for pvc storage; remove it",
                "spec.storage.cloud: is ignored for pvc storage; remove it",
            ]
        );
        assert_eq!(
            check(json!({"type": "pvc", "path": "../x", "pvc": {"name": "p"}})).error_lines(),
            vec!["spec.storage.path: \"../x\" contains a '..' segment; name the location without leaving it"]
        );
    }
}
