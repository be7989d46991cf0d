//! Failures of a reconcile (rule failures are not errors: they become phase Invalid).

/// Why a reconcile could not finish; it is retried with backoff.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The API server refused or failed a call.
    #[error("Kubernetes API: {0}")]
    Kube(#[from] kube::Error),
    /// An object could not be encoded.
    #[error("encoding: {0}")]
    Encode(#[from] serde_json::Error),
    /// The object has no namespace (our kinds are namespaced; this is a bug upstream).
    #[error("{0} has no namespace")]
    NoNamespace(String),
}
