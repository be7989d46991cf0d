//! Judging one AdmissionRequest: gather context (from the cache, and a SubjectAccessReview only for
//! cross-namespace backup targets), run `neo4j_api::review`, and shape the response.
//!
//! `/mutate` returns the defaults as a patch and denies an object with errors, with every error in
//! one message: the API server checks the CRD schema before validating webhooks, so denying here is
//! what lets a user see all errors at once. `/validate` judges the stored form again and carries
//! the warnings (only one endpoint warns, so kubectl does not show them twice).

use std::future::Future;
use std::sync::Arc;

use k8s_openapi::jiff::Timestamp;
use neo4j_api::review::{Kind, review};
use neo4j_api::rules::{Context, TargetFacts, Verdict};
use neo4j_api::{Neo4jBackup, Neo4jEnterpriseCluster, Neo4jEnterpriseStandalone, Neo4jRestore};
use serde::Deserialize;
use serde_json::Value;

use crate::admission_review::{AdmissionRequest, AdmissionResponse, UserInfo};
use neo4j_api::access::{Permission, backup_permissions, refusal, restore_permissions};

/// Which endpoint a request came to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Endpoint {
    /// `POST /mutate`: defaults.
    Mutate,
    /// `POST /validate`: rules.
    Validate,
}

impl Endpoint {
    /// Label for metrics and logs.
    pub fn name(self) -> &'static str {
        match self {
            Self::Mutate => "mutate",
            Self::Validate => "validate",
        }
    }
}

/// Objects the rules may need, read from an in-memory cache (never an API call).
pub trait Lookups: Send + Sync {
    /// A Neo4jEnterpriseCluster, when known.
    fn cluster(&self, namespace: &str, name: &str) -> Option<Arc<Neo4jEnterpriseCluster>>;
    /// A Neo4jEnterpriseStandalone, when known.
    fn standalone(&self, namespace: &str, name: &str) -> Option<Arc<Neo4jEnterpriseStandalone>>;
    /// A Neo4jBackup, when known.
    fn backup(&self, namespace: &str, name: &str) -> Option<Arc<Neo4jBackup>>;
}

/// Answers whether a user may read a target in another namespace (a SubjectAccessReview).
pub trait AccessReview: Send + Sync {
    /// Whether `user` has `permission`: `Some(allowed)`, or `None` when no answer could be had in
    /// time.
    fn may(&self, user: &UserInfo, permission: &Permission) -> impl Future<Output = Option<bool>> + Send;

    /// Whether there is anyone to ask. Without an API server (`--no-cluster`) the checks that need
    /// one stay silent, as every rule that needs cluster context does; with one, no answer is a
    /// refusal.
    fn answers(&self) -> bool {
        true
    }
}

/// What happened, for metrics and logs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// Kind name, or `other` for objects that are not ours.
    pub kind: &'static str,
    /// `allowed`, `patched`, `denied` or `skipped`.
    pub verdict: &'static str,
}

/// Judges a request at an endpoint.
pub async fn admit(
    endpoint: Endpoint,
    request: &AdmissionRequest,
    lookups: &impl Lookups,
    access: &impl AccessReview,
    now: Timestamp,
) -> (AdmissionResponse, Outcome) {
    let skipped = |kind| (AdmissionResponse::allow(&request.uid), Outcome { kind, verdict: "skipped" });
    if !matches!(request.operation.as_str(), "CREATE" | "UPDATE") {
        return skipped("other");
    }
    let Some(object) = request.object.as_ref() else { return skipped("other") };
    let Some(kind) = Kind::of(object) else { return skipped("other") };
    let old = if request.operation == "UPDATE" { request.old_object.as_ref() } else { None };
    let judged = match endpoint {
        Endpoint::Mutate => neo4j_api::admission::defaulted(&request.operation),
        Endpoint::Validate => neo4j_api::admission::judged(&request.operation, object, old),
    };
    if !judged {
        return skipped(kind.name());
    }
    let namespace = request.namespace.clone().or_else(|| str_at(object, "/metadata/namespace")).unwrap_or_default();
    let gathered = gather(kind, object, &namespace, lookups);
    let may_read = match &gathered.cross_namespace {
        Some((ns, resource, name)) => {
            let permission = Permission {
                group: neo4j_api::GROUP,
                resource,
                verb: "get",
                namespace: ns.clone(),
                name: Some(name.clone()),
                path: "spec.target.namespace".to_owned(),
            };
            access.may(&request.user_info, &permission).await
        }
        None => None,
    };
    // What the target in another namespace is (whether it exists, its image tag) is told only to
    // someone who may read it there (issue 13, item 13).
    let target = if gathered.cross_namespace.is_some() && may_read != Some(true) { None } else { gathered.target };
    let ctx = Context {
        target,
        referenced_backup: gathered.backup.as_deref(),
        may_read_target_namespace: may_read,
        now: Some(now),
    };
    let Some(mut review) = review(old, object, &ctx) else { return skipped("other") };
    // A cross-namespace target whose access could not be checked is refused here (offline, the
    // same rule only warns): admission fails closed (issue 13, item 2).
    if let (Some((ns, _, _)), None, true) = (&gathered.cross_namespace, may_read, access.answers()) {
        review.verdict.error(
            "spec.target.namespace",
            format!("whether you may read the target in namespace {ns:?} could not be checked (no answer from the API server); try again"),
        );
    }
    // What our Jobs would use in the requester's name (a hook's Secrets, a storage's credentials,
    // claim or identity), the requester must be allowed to use themselves.
    if review.verdict.is_allowed() && access.answers() {
        let needed = match kind {
            Kind::Restore => serde_json::from_value::<neo4j_api::Neo4jRestore>(object.clone())
                .map(|restore| restore_permissions(&restore, &namespace))
                .unwrap_or_default(),
            Kind::Backup => serde_json::from_value::<neo4j_api::Neo4jBackup>(object.clone())
                .map(|backup| backup_permissions(&backup, &namespace))
                .unwrap_or_default(),
            _ => Vec::new(),
        };
        // Asked at once, not one after another: the review's deadline covers them all. The
        // answers come back in the order asked, so the errors keep the spec's order.
        let answers =
            futures::future::join_all(needed.iter().map(|permission| access.may(&request.user_info, permission))).await;
        for (permission, answer) in needed.iter().zip(answers) {
            if let Some(why) = refusal(permission, answer) {
                review.verdict.error(&permission.path, why);
            }
        }
    }
    let outcome = |verdict| Outcome { kind: kind.name(), verdict };
    if !review.verdict.is_allowed() {
        let message = denial_message(kind, object, &review.verdict);
        return (AdmissionResponse::deny(&request.uid, message), outcome("denied"));
    }
    match endpoint {
        Endpoint::Mutate => {
            let patched = !review.patch.0.is_empty();
            let response = AdmissionResponse::allow(&request.uid).with_patch(&review.patch);
            (response, outcome(if patched { "patched" } else { "allowed" }))
        }
        Endpoint::Validate => {
            let mut response = AdmissionResponse::allow(&request.uid);
            response.warnings = review.verdict.warnings;
            (response, outcome("allowed"))
        }
    }
}

/// One message naming the object and listing every error.
pub fn denial_message(kind: Kind, object: &Value, verdict: &Verdict) -> String {
    let name =
        str_at(object, "/metadata/name").or_else(|| str_at(object, "/metadata/generateName")).unwrap_or_default();
    let count = verdict.errors.len();
    let noun = if count == 1 { "error" } else { "errors" };
    let lines: Vec<String> = verdict.errors.iter().map(|e| format!("- {e}")).collect();
    format!("{} {name:?} is invalid ({count} {noun}):\n{}", kind.name(), lines.join("\n"))
}

struct Gathered {
    target: Option<TargetFacts>,
    backup: Option<Arc<Neo4jBackup>>,
    /// Namespace, resource and name of a target in another namespace.
    cross_namespace: Option<(String, &'static str, String)>,
}

fn str_at(object: &Value, pointer: &str) -> Option<String> {
    object.pointer(pointer).and_then(Value::as_str).map(str::to_owned)
}

/// The target (cluster or standalone, detected) as the rules see it, with its resource name.
fn target_facts(lookups: &impl Lookups, namespace: &str, name: &str) -> Option<(TargetFacts, &'static str)> {
    if let Some(cluster) = lookups.cluster(namespace, name) {
        return Some((TargetFacts::of_cluster(&cluster), "neo4jenterpriseclusters"));
    }
    let standalone = lookups.standalone(namespace, name)?;
    Some((TargetFacts::of_standalone(&standalone), "neo4jenterprisestandalones"))
}

/// Context from the cache. An object that does not decode gets none: the review reports why.
fn gather(kind: Kind, object: &Value, namespace: &str, lookups: &impl Lookups) -> Gathered {
    let mut gathered = Gathered { target: None, backup: None, cross_namespace: None };
    match kind {
        Kind::Backup => {
            let Ok(backup) = Neo4jBackup::deserialize(object) else { return gathered };
            let Some((target_namespace, name)) = backup.spec.target_object(namespace) else { return gathered };
            let found = target_facts(lookups, &target_namespace, &name);
            if target_namespace != namespace {
                let resource = found.as_ref().map_or("neo4jenterpriseclusters", |(_, resource)| resource);
                gathered.cross_namespace = Some((target_namespace, resource, name));
            }
            gathered.target = found.map(|(facts, _)| facts);
        }
        Kind::Restore => {
            let Ok(restore) = Neo4jRestore::deserialize(object) else { return gathered };
            if let Some(name) = &restore.spec.target_cluster {
                gathered.target = target_facts(lookups, namespace, name).map(|(facts, _)| facts);
            }
            let reference = restore.spec.referenced_backup();
            gathered.backup = reference.and_then(|name| lookups.backup(namespace, &name));
        }
        Kind::Cluster | Kind::Standalone => {}
    }
    gathered
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::sync::Mutex;

    use serde_json::json;

    use super::*;
    use crate::admission_review::parse;

    #[derive(Default)]
    struct Fixed {
        clusters: BTreeMap<(String, String), Arc<Neo4jEnterpriseCluster>>,
        backups: BTreeMap<(String, String), Arc<Neo4jBackup>>,
    }

    impl Lookups for Fixed {
        fn cluster(&self, namespace: &str, name: &str) -> Option<Arc<Neo4jEnterpriseCluster>> {
            self.clusters.get(&(namespace.to_owned(), name.to_owned())).cloned()
        }
        fn standalone(&self, _: &str, _: &str) -> Option<Arc<Neo4jEnterpriseStandalone>> {
            None
        }
        fn backup(&self, namespace: &str, name: &str) -> Option<Arc<Neo4jBackup>> {
            self.backups.get(&(namespace.to_owned(), name.to_owned())).cloned()
        }
    }

    /// Records the questions it was asked and gives a fixed answer.
    struct Answer(Option<bool>, Mutex<Vec<String>>);

    impl AccessReview for Answer {
        async fn may(&self, user: &UserInfo, permission: &Permission) -> Option<bool> {
            self.1.lock().unwrap().push(format!("{} {}", user.username, permission.shown()));
            self.0
        }
    }

    fn request(operation: &str, object: Value, old: Option<Value>) -> AdmissionRequest {
        let body = json!({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": {
            "uid": "u-1", "operation": operation, "namespace": "neo4j", "object": object, "oldObject": old,
            "userInfo": {"username": "alice", "groups": ["dev"]}}});
        parse(&serde_json::to_vec(&body).unwrap()).unwrap()
    }

    fn backup(spec: Value) -> Value {
        json!({"apiVersion": "neo4j.neo4j.com/v1alpha1", "kind": "Neo4jBackup", "metadata": {"name": "nightly", "namespace": "neo4j"}, "spec": spec})
    }

    fn now() -> Timestamp {
        "2026-01-01T00:00:00Z".parse().unwrap()
    }

    async fn run(
        endpoint: Endpoint,
        req: &AdmissionRequest,
        lookups: &Fixed,
        access: &Answer,
    ) -> (AdmissionResponse, Outcome) {
        admit(endpoint, req, lookups, access, now()).await
    }

    #[tokio::test]
    async fn an_invalid_object_is_denied_with_every_error_in_one_message() {
        let req = request(
            "CREATE",
            backup(json!({"target": {"kind": "Database", "name": "x"}, "storage": {"type": "s3"}})),
            None,
        );
        let (response, outcome) = run(Endpoint::Mutate, &req, &Fixed::default(), &Answer(None, Mutex::default())).await;
        assert!(!response.allowed);
        assert_eq!(
            response.status.unwrap().message,
            "Neo4jBackup \"nightly\" is invalid (3 errors):\n\
            - spec.target.name: \"x\" is not a valid database name: a database name starts with a letter, then letters, digits, '.' and '-', 3 to 63 characters\n\
            - spec.target.clusterRef: is required; name the Neo4jEnterpriseCluster or Neo4jEnterpriseStandalone that hosts the database\n\
            - spec.storage.bucket: is required for s3 storage; name the bucket, e.g. my-neo4j-backups"
        );
        assert_eq!(outcome, Outcome { kind: "Neo4jBackup", verdict: "denied" });
        assert_eq!(response.patch, None);
    }

    #[tokio::test]
    async fn mutate_patches_and_validate_warns() {
        let object = backup(
            json!({"target": {"kind": "Cluster", "name": "prod"}, "storage": {"type": "s3", "bucket": "b-1"}, "suspend": true}),
        );
        let req = request("CREATE", object, None);
        let answer = Answer(None, Mutex::default());
        let (mutated, outcome) = run(Endpoint::Mutate, &req, &Fixed::default(), &answer).await;
        assert!(mutated.allowed && mutated.patch.is_some() && mutated.warnings.is_empty());
        assert_eq!(outcome.verdict, "patched");
        let (validated, _) = run(Endpoint::Validate, &req, &Fixed::default(), &answer).await;
        assert!(validated.allowed && validated.patch.is_none());
        assert_eq!(
            validated.warnings,
            vec!["spec.suspend: has no effect without a schedule: a one-shot backup runs once anyway"]
        );
    }

    #[tokio::test]
    async fn delete_and_connect_pass_untouched_and_foreign_kinds_are_skipped() {
        let answer = Answer(None, Mutex::default());
        for operation in ["DELETE", "CONNECT"] {
            let req = request(operation, backup(json!({})), None);
            let (response, outcome) = run(Endpoint::Validate, &req, &Fixed::default(), &answer).await;
            assert_eq!((response, outcome.verdict), (AdmissionResponse::allow("u-1"), "skipped"));
        }
        let req = request("CREATE", json!({"apiVersion": "v1", "kind": "ConfigMap"}), None);
        assert_eq!(
            run(Endpoint::Mutate, &req, &Fixed::default(), &answer).await.1,
            Outcome { kind: "other", verdict: "skipped" }
        );
    }

    #[tokio::test]
    async fn the_target_version_comes_from_the_cache() {
        let cluster: Neo4jEnterpriseCluster = serde_json::from_value(json!({"apiVersion": "neo4j.neo4j.com/v1alpha1",
            "kind": "Neo4jEnterpriseCluster", "metadata": {"name": "prod", "namespace": "neo4j"},
            "spec": {"image": {"tag": "5.20.0-enterprise"}, "topology": {"servers": 3}}}))
        .unwrap();
        let mut lookups = Fixed::default();
        lookups.clusters.insert(("neo4j".into(), "prod".into()), Arc::new(cluster));
        let req = request(
            "CREATE",
            backup(
                json!({"target": {"kind": "Cluster", "name": "prod"}, "storage": {"type": "pvc", "pvc": {"name": "p"}}}),
            ),
            None,
        );
        let (response, _) = run(Endpoint::Validate, &req, &lookups, &Answer(None, Mutex::default())).await;
        assert!(
            response
                .status
                .unwrap()
                .message
                .contains("- spec.target: the target runs image tag \"5.20.0-enterprise\" is not supported")
        );
    }

    #[tokio::test]
    async fn only_cross_namespace_targets_ask_for_an_access_review() {
        let same = backup(
            json!({"target": {"kind": "Cluster", "name": "prod"}, "storage": {"type": "pvc", "pvc": {"name": "p"}}}),
        );
        let other = backup(
            json!({"target": {"kind": "Cluster", "name": "prod", "namespace": "production"}, "storage": {"type": "pvc", "pvc": {"name": "p"}}}),
        );
        let allowed = Answer(Some(true), Mutex::default());
        assert!(run(Endpoint::Validate, &request("CREATE", same, None), &Fixed::default(), &allowed).await.0.allowed);
        assert_eq!(
            *allowed.1.lock().unwrap(),
            vec!["alice get persistentvolumeclaims/p in neo4j"],
            "only the claim it lends, no target review for a same-namespace target"
        );
        let denied = Answer(Some(false), Mutex::default());
        let (response, _) =
            run(Endpoint::Validate, &request("CREATE", other.clone(), None), &Fixed::default(), &denied).await;
        assert!(!response.allowed);
        // No answer in time: refused too (issue 13, item 2), never only a warning.
        let silent = Answer(None, Mutex::default());
        let (response, _) = run(Endpoint::Validate, &request("CREATE", other, None), &Fixed::default(), &silent).await;
        assert!(
            response.status.unwrap().message.contains(
                "- spec.target.namespace: whether you may read the target in namespace \"production\" could not be checked"
            ),
            "fail closed"
        );
        assert_eq!(
            *denied.1.lock().unwrap(),
            vec!["alice get neo4jenterpriseclusters.neo4j.neo4j.com/prod in production"]
        );
    }

    // Issue 13, item 13: a denial never tells someone who may not read the other namespace what
    // its target is (here: that it runs an unsupported tag).
    #[tokio::test]
    async fn a_denial_does_not_reveal_a_target_the_requester_cannot_read() {
        let mut lookups = Fixed::default();
        let cluster: Neo4jEnterpriseCluster = serde_json::from_value(json!({"apiVersion": "neo4j.neo4j.com/v1alpha1",
            "kind": "Neo4jEnterpriseCluster", "metadata": {"name": "prod", "namespace": "production"},
            "spec": {"image": {"tag": "5.20.0-enterprise"}, "topology": {"servers": 3}}}))
        .unwrap();
        lookups.clusters.insert(("production".into(), "prod".into()), Arc::new(cluster));
        let other = backup(
            json!({"target": {"kind": "Cluster", "name": "prod", "namespace": "production"}, "storage": {"type": "pvc", "pvc": {"name": "p"}}}),
        );
        let denied = Answer(Some(false), Mutex::default());
        let (response, _) = run(Endpoint::Validate, &request("CREATE", other.clone(), None), &lookups, &denied).await;
        let message = response.status.unwrap().message;
        assert!(!message.contains("5.20.0"), "{message}");
        assert!(message.contains("you may not read Neo4jEnterpriseClusters in namespace \"production\""), "{message}");
        // Someone who may read it is told.
        let allowed = Answer(Some(true), Mutex::default());
        let (response, _) = run(Endpoint::Validate, &request("CREATE", other, None), &lookups, &allowed).await;
        assert!(response.status.unwrap().message.contains("5.20.0"));
    }

    #[tokio::test]
    async fn updates_are_judged_against_the_old_object() {
        let old = backup(
            json!({"target": {"kind": "Cluster", "name": "prod"}, "storage": {"type": "pvc", "pvc": {"name": "p"}}}),
        );
        let new = backup(
            json!({"target": {"kind": "Cluster", "name": "other"}, "storage": {"type": "pvc", "pvc": {"name": "p"}}}),
        );
        let (response, _) = run(
            Endpoint::Validate,
            &request("UPDATE", new, Some(old)),
            &Fixed::default(),
            &Answer(None, Mutex::default()),
        )
        .await;
        assert!(
            response
                .status
                .unwrap()
                .message
                .contains("- spec.target: cannot be changed; create a new Neo4jBackup to back up another target")
        );
    }

    // Issue 13, item 7: the controller's finalizer removal passes for an object whose rules no
    // longer hold, and an update is never defaulted (generation would move).
    #[tokio::test]
    async fn metadata_only_updates_and_deletions_pass_and_updates_are_not_defaulted() {
        let broken = |finalizers: Value| {
            let mut object = backup(json!({"target": {"kind": "Cluster", "name": "prod"}}));
            object["metadata"]["finalizers"] = finalizers;
            object
        };
        let answer = Answer(None, Mutex::default());
        let release = request("UPDATE", broken(json!([])), Some(broken(json!(["neo4j.neo4j.com/backup"]))));
        let (response, outcome) = run(Endpoint::Validate, &release, &Fixed::default(), &answer).await;
        assert!(response.allowed, "{response:?}");
        assert_eq!(outcome, Outcome { kind: "Neo4jBackup", verdict: "skipped" });
        let created = request("CREATE", broken(json!([])), None);
        assert!(!run(Endpoint::Validate, &created, &Fixed::default(), &answer).await.0.allowed, "judged at creation");
        let (response, outcome) = run(Endpoint::Mutate, &release, &Fixed::default(), &answer).await;
        assert!(response.allowed && response.patch.is_none(), "{response:?}");
        assert_eq!(outcome.verdict, "skipped");
    }

    // Issue 13, item 1: a hook Job that reads a Secret is admitted only for someone who may read it.
    #[tokio::test]
    async fn a_hook_needs_the_requesters_own_rights_to_what_it_uses() {
        let restore = json!({"apiVersion": "neo4j.neo4j.com/v1alpha1", "kind": "Neo4jRestore",
            "metadata": {"name": "r", "namespace": "neo4j"},
            "spec": {"targetCluster": "prod", "databaseName": "orders", "source": {"type": "backup", "backupRef": "b"},
                "options": {"preRestore": {"job": {"template": {"container": {"image": "tool:1",
                    "env": [{"name": "S", "valueFrom": {"secretKeyRef": {"name": "db-admin", "key": "password"}}}]}}}}}}});
        let req = request("CREATE", restore, None);
        let denied = Answer(Some(false), Mutex::default());
        let (response, _) = run(Endpoint::Validate, &req, &Fixed::default(), &denied).await;
        let message = response.status.unwrap().message;
        assert!(message.contains("- spec.options.preRestore.job: you may not create jobs.batch in neo4j; our Jobs act with their own rights"), "{message}");
        assert!(message.contains("- spec.options.preRestore.job.template.container.env[0].valueFrom.secretKeyRef.name: you may not get secrets/db-admin in neo4j"), "{message}");
        assert_eq!(
            *denied.1.lock().unwrap(),
            vec!["alice create jobs.batch in neo4j", "alice get secrets/db-admin in neo4j"]
        );
        let unanswered = Answer(None, Mutex::default());
        assert!(!run(Endpoint::Validate, &req, &Fixed::default(), &unanswered).await.0.allowed, "no answer: refused");
        let allowed = Answer(Some(true), Mutex::default());
        assert!(run(Endpoint::Validate, &req, &Fixed::default(), &allowed).await.0.allowed);
    }

    // Issue 13, item 2: reading a cluster of another namespace takes its owner's consent too,
    // written on the target; the requester's RBAC alone is not enough.
    #[tokio::test]
    async fn a_readable_target_in_another_namespace_must_grant_the_backup() {
        let target = |grant: Option<&str>| {
            let mut cluster = json!({"apiVersion": "neo4j.neo4j.com/v1alpha1", "kind": "Neo4jEnterpriseCluster",
                "metadata": {"name": "prod", "namespace": "production"},
                "spec": {"image": {"tag": "2025.04.0-enterprise"}, "topology": {"servers": 3}}});
            if let Some(grant) = grant {
                cluster["metadata"]["annotations"] = json!({"neo4j.neo4j.com/backup-namespaces": grant});
            }
            let mut lookups = Fixed::default();
            lookups
                .clusters
                .insert(("production".into(), "prod".into()), Arc::new(serde_json::from_value(cluster).unwrap()));
            lookups
        };
        let other = request(
            "CREATE",
            backup(
                json!({"target": {"kind": "Cluster", "name": "prod", "namespace": "production"}, "storage": {"type": "pvc", "pvc": {"name": "p"}}}),
            ),
            None,
        );
        let allowed = Answer(Some(true), Mutex::default());
        let (response, _) = run(Endpoint::Validate, &other, &target(Some("staging")), &allowed).await;
        assert_eq!(
            response.status.unwrap().message,
            "Neo4jBackup \"nightly\" is invalid (1 error):\n- spec.target.namespace: the target \"prod\" in namespace \"production\" does not grant backups from namespace \"neo4j\"; its owner grants them with the annotation neo4j.neo4j.com/backup-namespaces: neo4j on it (comma-separated namespaces, or *)"
        );
        assert!(run(Endpoint::Validate, &other, &target(Some("staging,neo4j")), &allowed).await.0.allowed);
        assert!(run(Endpoint::Validate, &other, &target(Some("*")), &allowed).await.0.allowed);
    }

    /// Answers yes once all `n` questions are being asked at the same time.
    struct Together(tokio::sync::Barrier);

    impl AccessReview for Together {
        async fn may(&self, _: &UserInfo, _: &Permission) -> Option<bool> {
            self.0.wait().await;
            Some(true)
        }
    }

    // The access reviews of one request are asked at once, so the review's deadline covers all of
    // them rather than each in turn (asked in turn, this never finishes: the barrier waits for 2).
    #[tokio::test]
    async fn access_reviews_are_asked_at_once() {
        let restore = json!({"apiVersion": "neo4j.neo4j.com/v1alpha1", "kind": "Neo4jRestore",
            "metadata": {"name": "r", "namespace": "neo4j"},
            "spec": {"targetCluster": "prod", "databaseName": "orders", "source": {"type": "backup", "backupRef": "b"},
                "options": {"preRestore": {"cypherStatements": ["CALL db.checkpoint()"], "cypherCredentialsSecretRef": "hook-user"},
                    "postRestore": {"cypherStatements": ["CALL db.checkpoint()"], "cypherCredentialsSecretRef": "hook-user"}}}});
        let req = request("CREATE", restore, None);
        let together = Together(tokio::sync::Barrier::new(2));
        let answered = tokio::time::timeout(
            std::time::Duration::from_secs(5),
            admit(Endpoint::Validate, &req, &Fixed::default(), &together, now()),
        )
        .await
        .expect("both questions asked at once");
        assert!(answered.0.allowed, "{:?}", answered.0);
    }
}
