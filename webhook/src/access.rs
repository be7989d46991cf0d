//! SubjectAccessReview: may the requesting user do what their object would do in their name (read a
//! backup target in another namespace, run a hook Job with the Secrets it names)? The only API
//! calls a request may make, only in those cases, each bounded by a short timeout.

use std::time::Duration;

use k8s_openapi::api::authorization::v1::{ResourceAttributes, SubjectAccessReview, SubjectAccessReviewSpec};
use kube::Client;
use kube::api::{Api, PostParams};

use crate::admission_review::UserInfo;
use crate::admit::AccessReview;
use neo4j_api::access::Permission;

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

/// The review asking whether `user` has `permission`.
pub fn review_for(user: &UserInfo, permission: &Permission) -> SubjectAccessReview {
    SubjectAccessReview {
        spec: SubjectAccessReviewSpec {
            user: Some(user.username.clone()),
            uid: user.uid.clone(),
            groups: Some(user.groups.clone()),
            extra: (!user.extra.is_empty()).then(|| user.extra.clone()),
            resource_attributes: Some(ResourceAttributes {
                group: Some(permission.group.to_owned()),
                resource: Some(permission.resource.to_owned()),
                verb: Some(permission.verb.to_owned()),
                namespace: Some(permission.namespace.clone()),
                name: permission.name.clone(),
                ..ResourceAttributes::default()
            }),
            ..SubjectAccessReviewSpec::default()
        },
        ..SubjectAccessReview::default()
    }
}

impl AccessReview for ApiAccessReview {
    fn answers(&self) -> bool {
        self.client.is_some()
    }

    async fn may(&self, user: &UserInfo, permission: &Permission) -> Option<bool> {
        let client = self.client.clone()?;
        let api: Api<SubjectAccessReview> = Api::all(client);
        let review = review_for(user, permission);
        match tokio::time::timeout(self.timeout, api.create(&PostParams::default(), &review)).await {
            Ok(Ok(answer)) => answer.status.map(|status| status.allowed),
            Ok(Err(err)) => {
                tracing::warn!(error = %err, permission = ?permission.shown(), "SubjectAccessReview failed");
                None
            }
            Err(_) => {
                tracing::warn!(permission = ?permission.shown(), "SubjectAccessReview timed out");
                None
            }
        }
    }
}
