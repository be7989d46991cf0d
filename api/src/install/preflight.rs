//! What `install` checks before it changes anything, and every problem it finds, at once: the
//! API server's version, the caller's permissions, cert-manager when it is asked for (or chosen
//! by default when present), and CRDs of our names that belong to someone else (the Neo4j
//! operator ships `neo4jbackups` and `neo4jrestores` of the same group).

use std::collections::BTreeSet;

use serde_json::Value;

use super::{FIELD_MANAGER, PART_OF};

/// The oldest API server this release supports: the one its Kubernetes API types are built for
/// (k8s-openapi's `v1_33` in Cargo.toml). Its CRDs need 1.29 at least (CEL validation rules with
/// `reason` and `fieldPath`).
pub const MIN_SERVER: (u64, u64) = (1, 33);

/// How the webhook gets its certificate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Certificates {
    /// cert-manager issues and renews it, and injects the CA.
    CertManager,
    /// The webhook keeps its own CA and certificate in a Secret.
    SelfManaged,
}

/// One permission the caller needs: a verb on a resource, in a namespace or cluster-wide.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Access {
    /// API group (`""` for the core group).
    pub group: String,
    /// Plural resource name.
    pub resource: String,
    /// Namespace, for namespaced resources.
    pub namespace: Option<String>,
    /// `create`, `patch`, ...
    pub verb: &'static str,
}

impl std::fmt::Display for Access {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let resource =
            if self.group.is_empty() { self.resource.clone() } else { format!("{}.{}", self.resource, self.group) };
        match &self.namespace {
            Some(namespace) => write!(f, "{} {resource} in namespace {namespace}", self.verb),
            None => write!(f, "{} {resource} (cluster-wide)", self.verb),
        }
    }
}

/// The permissions applying `objects` takes: server-side apply is a patch that may create.
/// `plural` maps a kind to its resource name and whether it is namespaced.
pub fn access_needed(objects: &[Value], plural: impl Fn(&str) -> Option<(&'static str, bool)>) -> Vec<Access> {
    let mut needed = BTreeSet::new();
    for object in objects {
        let kind = object["kind"].as_str().unwrap_or_default();
        let Some((resource, namespaced)) = plural(kind) else { continue };
        let group = object["apiVersion"].as_str().unwrap_or_default().rsplit_once('/').map_or("", |(group, _)| group);
        let namespace = if namespaced { object["metadata"]["namespace"].as_str().map(str::to_owned) } else { None };
        for verb in ["create", "patch"] {
            needed.insert(Access {
                verb,
                group: group.to_owned(),
                resource: resource.to_owned(),
                namespace: namespace.clone(),
            });
        }
    }
    needed.into_iter().collect()
}

/// What the plugin found in the cluster.
#[derive(Clone, Debug, Default)]
pub struct Facts {
    /// `major` and `minor` of the API server's `/version` (the minor may read `29+`).
    pub server_version: Option<(String, String)>,
    /// Permissions a SelfSubjectAccessReview denied.
    pub denied: Vec<Access>,
    /// Whether cert-manager's `certificates` and `issuers` CRDs are installed.
    pub cert_manager: bool,
    /// CRDs of the names we install that exist already (as the API server returned them).
    pub existing_crds: Vec<Value>,
}

/// What preflight concluded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verdict {
    /// How the webhook will get its certificate.
    pub certificates: Certificates,
    /// What was checked and found good, for the progress line.
    pub checked: Vec<String>,
    /// Everything that stops the install, each with its way forward.
    pub problems: Vec<String>,
}

fn number(text: &str) -> Option<u64> {
    let digits: String = text.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// Whether a CRD of our name is someone else's, and if so what it is.
pub fn stranger(crd: &Value) -> Option<String> {
    let metadata = &crd["metadata"];
    if metadata["labels"]["app.kubernetes.io/part-of"] == PART_OF {
        return None;
    }
    let managers: BTreeSet<&str> = metadata["managedFields"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|entry| entry["manager"].as_str())
        .collect();
    if managers.contains(FIELD_MANAGER) {
        return None;
    }
    let name = metadata["name"].as_str().unwrap_or_default();
    let group = crd["spec"]["group"].as_str().unwrap_or_default();
    let versions: Vec<String> = crd["spec"]["versions"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|version| version["served"] == true)
        .filter_map(|version| version["name"].as_str().map(|name| format!("{group}/{name}")))
        .collect();
    let mut origin = Vec::new();
    if !managers.is_empty() {
        origin.push(format!("applied by {}", managers.into_iter().collect::<Vec<_>>().join(", ")));
    }
    if let Some(generator) = metadata["annotations"]["controller-gen.kubebuilder.io/version"].as_str() {
        origin.push(format!("generated by controller-gen {generator}, as the Neo4j operator's are"));
    }
    let origin = if origin.is_empty() { String::new() } else { format!("; {}", origin.join("; ")) };
    Some(format!(
        "customresourcedefinition {name} exists and is not kubectl-neo4j's (it serves {}{origin}). Installing ours would replace its schema and leave its objects unreadable. Either keep it and do not install kubectl-neo4j, or move its objects to ours first (`kubectl neo4j convert -f`, docs/operator.md), delete this CRD, and run `kubectl neo4j install` again",
        if versions.is_empty() { "no version".to_owned() } else { versions.join(", ") }
    ))
}

/// The certificates an install uses: as requested, else cert-manager when it is installed, else
/// the webhook's own.
pub fn choose(requested: Option<Certificates>, cert_manager: bool) -> Certificates {
    match requested {
        Some(chosen) => chosen,
        None if cert_manager => Certificates::CertManager,
        None => Certificates::SelfManaged,
    }
}

/// Judges `facts` for an install that asked for `requested` certificates (`None`: cert-manager
/// when it is installed, else the webhook's own).
pub fn judge(facts: &Facts, requested: Option<Certificates>) -> Verdict {
    let mut checked = Vec::new();
    let mut problems = Vec::new();
    match &facts.server_version {
        Some((major, minor)) => match (number(major), number(minor)) {
            (Some(major), Some(minor)) if (major, minor) >= MIN_SERVER => {
                checked.push(format!("Kubernetes v{major}.{minor}"))
            }
            (Some(major), Some(minor)) => problems.push(format!(
                "the API server is Kubernetes v{major}.{minor}; kubectl-neo4j needs v{}.{} or later",
                MIN_SERVER.0, MIN_SERVER.1
            )),
            _ => problems.push(format!("the API server reports an unreadable version {major:?}.{minor:?}")),
        },
        None => problems.push("the API server's version could not be read (GET /version)".to_owned()),
    }
    if facts.denied.is_empty() {
        checked.push("permissions".to_owned());
    } else {
        let denied: Vec<String> = facts.denied.iter().map(ToString::to_string).collect();
        problems.push(format!(
            "you may not {}; ask a cluster administrator to run the install, or to grant these",
            denied.join(", ")
        ));
    }
    let certificates = choose(requested, facts.cert_manager);
    if certificates == Certificates::CertManager && !facts.cert_manager {
        problems.push("cert-manager is not installed (no certificates.cert-manager.io / issuers.cert-manager.io CRDs); install it, or leave out --tls cert-manager and the webhook keeps its own certificates".to_owned());
    }
    checked.push(match (certificates, requested) {
        (Certificates::CertManager, _) => "certificates: cert-manager".to_owned(),
        (Certificates::SelfManaged, None) => "certificates: kept by the webhook (cert-manager not found)".to_owned(),
        (Certificates::SelfManaged, Some(_)) => "certificates: kept by the webhook".to_owned(),
    });
    let strangers: Vec<String> = facts.existing_crds.iter().filter_map(stranger).collect();
    if strangers.is_empty() {
        checked.push("no conflicting CRDs".to_owned());
    }
    problems.extend(strangers);
    Verdict { certificates, checked, problems }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn good() -> Facts {
        Facts { server_version: Some(("1".into(), "36".into())), ..Facts::default() }
    }

    #[test]
    fn a_plain_cluster_passes_and_the_webhook_keeps_its_certificates() {
        let verdict = judge(&good(), None);
        assert_eq!(
            verdict,
            Verdict {
                certificates: Certificates::SelfManaged,
                checked: vec![
                    "Kubernetes v1.36".into(),
                    "permissions".into(),
                    "certificates: kept by the webhook (cert-manager not found)".into(),
                    "no conflicting CRDs".into()
                ],
                problems: vec![],
            }
        );
        let with = Facts { cert_manager: true, ..good() };
        assert_eq!(judge(&with, None).certificates, Certificates::CertManager);
        assert_eq!(judge(&with, Some(Certificates::SelfManaged)).certificates, Certificates::SelfManaged);
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let operator_crd = json!({"metadata": {"name": "neo4jbackups.neo4j.neo4j.com",
            "annotations": {"controller-gen.kubebuilder.io/version": "v0.19.0"},
            "managedFields": [{"manager": "kubectl-client-side-apply"}]},
            "spec": {"group": "neo4j.neo4j.com", "versions": [{"name": "v1beta1", "served": true, "storage": true}]}});
        let facts = Facts {
            server_version: Some(("1".into(), "28+".into())),
            denied: vec![
                Access {
                    verb: "create",
                    group: "rbac.authorization.k8s.io".into(),
                    resource: "clusterroles".into(),
                    namespace: None,
                },
                Access {
                    verb: "patch",
                    group: "apps".into(),
                    resource: "deployments".into(),
                    namespace: Some("neo4j-system".into()),
                },
            ],
            cert_manager: false,
            existing_crds: vec![operator_crd],
        };
        let verdict = judge(&facts, Some(Certificates::CertManager));
        assert_eq!(verdict.checked, vec!["certificates: cert-manager".to_owned()]);
        assert_eq!(verdict.problems, vec![
            "the API server is Kubernetes v1.28; kubectl-neo4j needs v1.33 or later".to_owned(),
            "you may not create clusterroles.rbac.authorization.k8s.io (cluster-wide), patch deployments.apps in namespace neo4j-system; ask a cluster administrator to run the install, or to grant these".to_owned(),
            "cert-manager is not installed (no certificates.cert-manager.io / issuers.cert-manager.io CRDs); install it, or leave out --tls cert-manager and the webhook keeps its own certificates".to_owned(),
            "customresourcedefinition neo4jbackups.neo4j.neo4j.com exists and is not kubectl-neo4j's (it serves neo4j.neo4j.com/v1beta1; applied by kubectl-client-side-apply; generated by controller-gen v0.19.0, as the Neo4j operator's are). Installing ours would replace its schema and leave its objects unreadable. Either keep it and do not install kubectl-neo4j, or move its objects to ours first (`kubectl neo4j convert -f`, docs/operator.md), delete this CRD, and run `kubectl neo4j install` again".to_owned(),
        ]);
    }

    #[test]
    fn our_own_crds_are_recognised_by_label_or_field_manager() {
        let labelled = json!({"metadata": {"name": "x", "labels": {"app.kubernetes.io/part-of": "kubectl-neo4j"}}});
        assert_eq!(stranger(&labelled), None);
        let applied = json!({"metadata": {"name": "x", "managedFields": [{"manager": "kubectl-neo4j"}, {"manager": "kube-apiserver"}]}});
        assert_eq!(stranger(&applied), None);
        // The operator's v1alpha1 release serves the same version as ours: only ownership tells.
        let same_version = json!({"metadata": {"name": "neo4jrestores.neo4j.neo4j.com", "managedFields": [{"manager": "helm"}]},
            "spec": {"group": "neo4j.neo4j.com", "versions": [{"name": "v1alpha1", "served": true}]}});
        assert!(stranger(&same_version).unwrap().starts_with(
            "customresourcedefinition neo4jrestores.neo4j.neo4j.com exists and is not kubectl-neo4j's (it serves neo4j.neo4j.com/v1alpha1; applied by helm)."
        ));
    }

    #[test]
    fn access_is_create_and_patch_per_resource_and_namespace() {
        let objects = vec![
            json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "a", "namespace": "neo4j-system"}}),
            json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "b", "namespace": "neo4j-system"}}),
            json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "neo4j-system"}}),
        ];
        let plural = |kind: &str| match kind {
            "Deployment" => Some(("deployments", true)),
            "Namespace" => Some(("namespaces", false)),
            _ => None,
        };
        let shown: Vec<String> = access_needed(&objects, plural).iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            [
                "create namespaces (cluster-wide)",
                "patch namespaces (cluster-wide)",
                "create deployments.apps in namespace neo4j-system",
                "patch deployments.apps in namespace neo4j-system",
            ]
        );
    }
}
