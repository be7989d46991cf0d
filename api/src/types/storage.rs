//! Where backups and transaction logs live: one `StorageLocation` shape for every place that names
//! storage (backup destination, restore source, PITR base backup and log storage, cluster PITR
//! destinations).

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::string_enum::string_enum;

string_enum! {
    /// Storage backend of a `StorageLocation`.
    StorageType {
        /// Amazon S3 (`s3://bucket/path`).
        S3 = "s3",
        /// Google Cloud Storage (`gs://bucket/path`).
        Gcs = "gcs",
        /// Azure Blob Storage (`azb://account/container/path`).
        Azure = "azure",
        /// A PersistentVolumeClaim mounted into the Job.
        Pvc = "pvc",
    }
}

string_enum! {
    /// Cloud provider of a `cloud` block or a workload identity.
    CloudProvider {
        /// Amazon Web Services.
        Aws = "aws",
        /// Google Cloud Platform.
        Gcp = "gcp",
        /// Microsoft Azure.
        Azure = "azure",
    }
}

/// A storage location for backups or transaction logs.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("x-kubernetes-validations" = [
    {"rule": "!(self.type in ['s3', 'gcs', 'azure']) || (has(self.bucket) && self.bucket != '')", "fieldPath": ".bucket", "reason": "FieldValueRequired",
     "message": "is required for s3, gcs and azure storage; name the bucket (for azure: the container)"},
    {"rule": "self.type != 'pvc' || (has(self.pvc) && (has(self.pvc.name) || has(self.pvc.size)))", "fieldPath": ".pvc", "reason": "FieldValueRequired",
     "message": "is required for pvc storage; name an existing claim (pvc.name) or give a size (pvc.size)"},
    {"rule": "!has(self.cloud) || !has(self.cloud.provider) || !(self.type in ['s3', 'gcs', 'azure']) || (self.type == 's3' ? 'aws' : (self.type == 'gcs' ? 'gcp' : 'azure')) == self.cloud.provider",
     "fieldPath": ".cloud.provider", "message": "does not serve this storage type; use aws for s3, gcp for gcs, azure for azure (or leave it out)"},
]))]
pub struct StorageLocation {
    /// Storage backend: `s3`, `gcs`, `azure` or `pvc`.
    /// Cloud types need `bucket`; `pvc` needs the `pvc` block.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    #[schemars(required)]
    pub r#type: Option<StorageType>,

    /// Bucket (S3, GCS) or container (Azure) name. Required for cloud types, e.g. `my-neo4j-backups`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bucket: Option<String>,

    /// Prefix inside the bucket, or directory inside the PVC, e.g. `neo4j-backups/cluster`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,

    /// Cloud provider and credentials. When neither `credentialsSecretRef` nor `identity` is set,
    /// the Job uses the ambient identity of its ServiceAccount.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cloud: Option<CloudBlock>,

    /// The PersistentVolumeClaim to use when `type` is `pvc`: an existing claim by `name`, or a new
    /// one from `size` (and `storageClassName`). A claim created for backups is never deleted with
    /// the resource that asked for it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pvc: Option<PvcSpec>,
}

/// Cloud provider configuration: explicit credentials or workload identity (one of them).
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("x-kubernetes-validations" = [
    {"rule": "!(has(self.credentialsSecretRef) && has(self.identity))", "fieldPath": ".identity", "reason": "FieldValueForbidden",
     "message": "credentialsSecretRef and identity are mutually exclusive; keep the Secret or the workload identity, not both"},
]))]
pub struct CloudBlock {
    /// Cloud provider: `aws`, `gcp` or `azure`. Must match the storage `type`
    /// (s3 -> aws, gcs -> gcp, azure -> azure); defaulted from it when omitted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider: Option<CloudProvider>,

    /// Name of a Secret in the same namespace holding the credentials. Keys by provider:
    /// AWS `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, optionally `AWS_SESSION_TOKEN` and
    /// `AWS_REGION` (or `AWS_DEFAULT_REGION`, used as `AWS_REGION` when that is absent);
    /// GCP `GOOGLE_APPLICATION_CREDENTIALS_JSON` (exactly this key, a service-account key JSON);
    /// Azure `AZURE_STORAGE_ACCOUNT`, `AZURE_STORAGE_KEY`. Mutually exclusive with `identity`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credentials_secret_ref: Option<String>,

    /// Workload identity (AWS IRSA, GKE Workload Identity, Azure Workload Identity) instead of
    /// stored keys. Mutually exclusive with `credentialsSecretRef`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identity: Option<CloudIdentity>,

    /// Azure only (an extension of kubectl-neo4j): the storage account, the first part of the
    /// `azb://<account>/<container>/<path>` URI neo4j-admin reads. Required for Azure without a
    /// credentials Secret (workload identity or the ambient identity); with a Secret, its
    /// `AZURE_STORAGE_ACCOUNT` is used when this is not set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub storage_account: Option<String>,

    /// S3 only (an extension of kubectl-neo4j): the endpoint of an S3-compatible store (MinIO,
    /// Ceph, LocalStack), e.g. `https://minio.minio.svc:9000`; given to neo4j-admin as
    /// `AWS_ENDPOINT_URL_S3`, as the Operations Manual's S3-overrides section documents.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
}

/// Workload identity for the backup and restore Jobs.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CloudIdentity {
    /// Identity provider: `aws`, `gcp` or `azure`; must match the storage type.
    /// Defaulted from the storage `type` when omitted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider: Option<CloudProvider>,

    /// An existing ServiceAccount, already bound to a cloud identity, for the Jobs to run as.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_account: Option<String>,

    /// Create (or update) the ServiceAccount `neo4j-backup-sa` with workload-identity annotations.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auto_create: Option<AutoCreateSpec>,
}

/// Automatic creation of the `neo4j-backup-sa` ServiceAccount.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AutoCreateSpec {
    /// Create or update the ServiceAccount (default `true` when `autoCreate` is present).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,

    /// Annotations set on the ServiceAccount, e.g.
    /// `eks.amazonaws.com/role-arn: arn:aws:iam::123456789012:role/neo4j-backup`,
    /// `iam.gke.io/gcp-service-account: sa@project.iam.gserviceaccount.com` or
    /// `azure.workload.identity/client-id: <client-id>`. Annotations set by others are kept.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub annotations: Option<BTreeMap<String, String>>,
}

/// A PersistentVolumeClaim for `pvc` storage.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PvcSpec {
    /// Name of the claim: an existing one, or the one to create when `size` is set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,

    /// StorageClass for a claim created from `size`; the cluster default when omitted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub storage_class_name: Option<String>,

    /// Size of a claim to create, as a Kubernetes quantity, e.g. `100Gi`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<String>,
}
