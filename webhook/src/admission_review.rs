//! The `admission.k8s.io/v1` AdmissionReview on the wire.
//!
//! Our own small types rather than kube-core's: the response patch must be base64 (as the
//! Kubernetes documentation specifies; kube-core 5 writes an array of numbers), and a request we
//! cannot read must become a 400 with a reason, never a panic.

use base64::Engine;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// API version of every review we read and write.
pub const API_VERSION: &str = "admission.k8s.io/v1";

/// An incoming AdmissionReview.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AdmissionReviewRequest {
    /// Must be `admission.k8s.io/v1`.
    pub api_version: String,
    /// Must be `AdmissionReview`.
    pub kind: String,
    /// The request; absent only in malformed reviews. Read after the type is known to be right.
    pub request: Option<Value>,
}

/// The request part of a review.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AdmissionRequest {
    /// Echoed in the response.
    pub uid: String,
    /// CREATE, UPDATE, DELETE or CONNECT.
    pub operation: String,
    /// Namespace of the object.
    #[serde(default)]
    pub namespace: Option<String>,
    /// Name of the object (may be empty on CREATE with generateName).
    #[serde(default)]
    pub name: Option<String>,
    /// The object after the operation.
    #[serde(default)]
    pub object: Option<Value>,
    /// The object before an UPDATE.
    #[serde(default)]
    pub old_object: Option<Value>,
    /// Whether nothing will be persisted.
    #[serde(default)]
    pub dry_run: Option<bool>,
    /// Who is asking.
    #[serde(default)]
    pub user_info: UserInfo,
}

/// The requesting user, as the API server authenticated them.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserInfo {
    /// User name.
    #[serde(default)]
    pub username: String,
    /// User UID.
    #[serde(default)]
    pub uid: Option<String>,
    /// Groups.
    #[serde(default)]
    pub groups: Vec<String>,
    /// Extra attributes.
    #[serde(default)]
    pub extra: std::collections::BTreeMap<String, Vec<String>>,
}

/// An outgoing AdmissionReview.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AdmissionReviewResponse {
    /// `admission.k8s.io/v1`.
    pub api_version: &'static str,
    /// `AdmissionReview`.
    pub kind: &'static str,
    /// The verdict.
    pub response: AdmissionResponse,
}

/// The verdict on one request.
#[derive(Debug, Default, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct AdmissionResponse {
    /// The request's uid.
    pub uid: String,
    /// Whether the request is admitted.
    pub allowed: bool,
    /// Why not, when it is not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
    /// Shown to the user by kubectl.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// `JSONPatch` when `patch` is set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub patch_type: Option<&'static str>,
    /// The JSON Patch, base64-encoded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub patch: Option<String>,
}

/// Why a request was denied.
#[derive(Debug, Serialize, PartialEq)]
pub struct Status {
    /// HTTP-like code: 403 for a denial.
    pub code: u16,
    /// Every reason, in one message.
    pub message: String,
}

impl AdmissionResponse {
    /// An admission without changes.
    pub fn allow(uid: &str) -> Self {
        Self { uid: uid.to_owned(), allowed: true, ..Self::default() }
    }

    /// A denial with code 403.
    pub fn deny(uid: &str, message: String) -> Self {
        Self::refuse(uid, 403, message)
    }

    /// A refusal with its own status code (503: not judged in time, 413: too large to judge).
    pub fn refuse(uid: &str, code: u16, message: String) -> Self {
        Self { uid: uid.to_owned(), allowed: false, status: Some(Status { code, message }), ..Self::default() }
    }

    /// Adds a JSON Patch, when it has operations.
    pub fn with_patch(mut self, patch: &json_patch::Patch) -> Self {
        if !patch.0.is_empty() {
            let bytes = serde_json::to_vec(patch).unwrap_or_default();
            self.patch_type = Some("JSONPatch");
            self.patch = Some(base64::engine::general_purpose::STANDARD.encode(bytes));
        }
        self
    }

    /// Wraps the response in a review.
    pub fn into_review(self) -> AdmissionReviewResponse {
        AdmissionReviewResponse { api_version: API_VERSION, kind: "AdmissionReview", response: self }
    }
}

/// Why a body is not a review we can judge (answered with 400).
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ReviewError {
    /// Not JSON, or not shaped like an AdmissionReview.
    #[error("the body is not an AdmissionReview: {0}")]
    Malformed(String),
    /// Another apiVersion or kind.
    #[error("expected apiVersion admission.k8s.io/v1 and kind AdmissionReview, got {0} {1}")]
    WrongType(String, String),
    /// No `request`.
    #[error("the AdmissionReview has no request")]
    NoRequest,
    /// CREATE or UPDATE without the object.
    #[error("a {0} request must carry the object")]
    NoObject(String),
}

/// Reads a review from a request body.
pub fn parse(body: &[u8]) -> Result<AdmissionRequest, ReviewError> {
    let review: AdmissionReviewRequest =
        serde_json::from_slice(body).map_err(|err| ReviewError::Malformed(err.to_string()))?;
    if review.api_version != API_VERSION || review.kind != "AdmissionReview" {
        return Err(ReviewError::WrongType(review.api_version, review.kind));
    }
    let request = review.request.ok_or(ReviewError::NoRequest)?;
    let request: AdmissionRequest =
        serde_json::from_value(request).map_err(|err| ReviewError::Malformed(format!("request: {err}")))?;
    if matches!(request.operation.as_str(), "CREATE" | "UPDATE") && request.object.is_none() {
        return Err(ReviewError::NoObject(request.operation));
    }
    Ok(request)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn patches_go_out_as_base64() {
        let patch: json_patch::Patch =
            serde_json::from_value(json!([{"op": "add", "path": "/spec/force", "value": false}])).unwrap();
        let response = AdmissionResponse::allow("u-1").with_patch(&patch).into_review();
        let wire = serde_json::to_value(&response).unwrap();
        assert_eq!(wire["apiVersion"], "admission.k8s.io/v1");
        assert_eq!(wire["response"]["uid"], "u-1");
        assert_eq!(wire["response"]["patchType"], "JSONPatch");
        let decoded =
            base64::engine::general_purpose::STANDARD.decode(wire["response"]["patch"].as_str().unwrap()).unwrap();
        assert_eq!(
            serde_json::from_slice::<Value>(&decoded).unwrap(),
            json!([{"op": "add", "path": "/spec/force", "value": false}])
        );
    }

    #[test]
    fn an_empty_patch_is_left_out() {
        let response = AdmissionResponse::allow("u").with_patch(&json_patch::Patch(vec![]));
        assert_eq!(serde_json::to_value(&response).unwrap(), json!({"uid": "u", "allowed": true}));
    }

    #[test]
    fn malformed_bodies_say_why() {
        assert!(matches!(parse(b"not json"), Err(ReviewError::Malformed(_))));
        assert_eq!(
            parse(br#"{"apiVersion": "admission.k8s.io/v1beta1", "kind": "AdmissionReview"}"#).err(),
            Some(ReviewError::WrongType("admission.k8s.io/v1beta1".into(), "AdmissionReview".into()))
        );
        assert_eq!(
            parse(br#"{"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview"}"#).err(),
            Some(ReviewError::NoRequest)
        );
        let no_object = br#"{"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": {"uid": "u", "operation": "CREATE"}}"#;
        assert_eq!(parse(no_object).err(), Some(ReviewError::NoObject("CREATE".into())));
    }
}
