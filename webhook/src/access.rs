//! SubjectAccessReview: may the requesting user read a backup target in another namespace?
//! The one API call a request may make, only in that case, bounded by a short timeout.

use std::time::Duration;

use k8s_openapi::api::authorization::v1::{ResourceAttributes, SubjectAccessReview, SubjectAccessReviewSpec};
use kube::Client;
use kube::api::{Api, PostParams};

use crate::admission_review::UserInfo;
use crate::admit::AccessReview;

/// Asks the API server; `None` when there is no API server or no answer in time.
pub struct ApiAccessReview {
    client: Option<Client>,
    timeout: Duration,
}

impl ApiAccessReview {
    /// Reviews through `client` (none: always unknown), waiting at most `timeout`.
    pub fn new(client: Option<Client>, timeout: Duration) -> Self {
        Self { client, timeout }
    }
}

/// The review asking whether `user` may get `resource/name` in `namespace`.
pub fn review_for(user: &UserInfo, namespace: &str, resource: &str, name: &str) -> SubjectAccessReview {
    SubjectAccessReview {
        spec: SubjectAccessReviewSpec {
            user: Some(user.username.clone()),
            uid: user.uid.clone(),
            groups: Some(user.groups.clone()),
            extra: (!user.extra.is_empty()).then(|| user.extra.clone()),
            resource_attributes: Some(ResourceAttributes {
                group: Some(neo4j_api::GROUP.to_owned()),
                resource: Some(resource.to_owned()),
                verb: Some("get".to_owned()),
                namespace: Some(namespace.to_owned()),
                name: Some(name.to_owned()),
                ..ResourceAttributes::default()
            }),
            ..SubjectAccessReviewSpec::default()
        },
        ..SubjectAccessReview::default()
    }
}

impl AccessReview for ApiAccessReview {
    async fn may_read(&self, user: &UserInfo, namespace: &str, resource: &str, name: &str) -> Option<bool> {
        let client = self.client.clone()?;
        let api: Api<SubjectAccessReview> = Api::all(client);
        let review = review_for(user, namespace, resource, name);
        match tokio::time::timeout(self.timeout, api.create(&PostParams::default(), &review)).await {
            Ok(Ok(answer)) => answer.status.map(|status| status.allowed),
            Ok(Err(err)) => {
                tracing::warn!(error = %err, "SubjectAccessReview failed; the cross-namespace target is not checked");
                None
            }
            Err(_) => {
                tracing::warn!("SubjectAccessReview timed out; the cross-namespace target is not checked");
                None
            }
        }
    }
}
