//! A namespace-scoped install (issue 13, item 9): the same bundle, but the controller and the
//! webhook act in the listed namespaces only. Every ClusterRole keeps only the rules on
//! cluster-scoped resources (the webhook's SubjectAccessReviews, its own webhook configurations);
//! the rest becomes a Role in each listed namespace, bound there. Both Deployments get
//! `--watch-namespaces`, and every webhook configuration selects those namespaces only.

use serde_json::{Value, json};

use crate::grammar::names::check_dns_label;
use crate::install::NAMESPACE;

/// Resources we name in RBAC rules that have no namespace.
const CLUSTER_SCOPED: [&str; 4] = [
    "subjectaccessreviews",
    "mutatingwebhookconfigurations",
    "validatingwebhookconfigurations",
    "customresourcedefinitions",
];

/// The flag both servers take, with the namespaces comma-separated.
pub const WATCH_FLAG: &str = "--watch-namespaces";

/// The namespaces of `--namespaces a,b`: each a valid name, none twice, at least one.
pub fn parse_namespaces(text: &str) -> Result<Vec<String>, String> {
    let mut namespaces: Vec<String> = Vec::new();
    for namespace in text.split(',').map(str::trim) {
        check_dns_label(namespace).map_err(|why| format!("namespace {namespace:?}: {why}"))?;
        if !namespaces.iter().any(|known| known == namespace) {
            namespaces.push(namespace.to_owned());
        }
    }
    Ok(namespaces)
}

fn cluster_scoped(rule: &Value) -> bool {
    rule["resources"].as_array().is_some_and(|resources| {
        resources.iter().filter_map(Value::as_str).all(|r| CLUSTER_SCOPED.contains(&r.split('/').next().unwrap_or(r)))
    })
}

/// `objects` (a whole bundle) scoped to `namespaces`.
pub fn scope(objects: Vec<Value>, namespaces: &[String]) -> Vec<Value> {
    // The ClusterRoles with rules on namespaced resources: only those get Roles, so only their
    // bindings get RoleBindings (a RoleBinding to a missing Role would grant whatever Role of
    // that name someone creates later).
    let with_roles: Vec<String> = objects
        .iter()
        .filter(|o| o["kind"] == "ClusterRole")
        .filter(|o| o["rules"].as_array().is_some_and(|rules| rules.iter().any(|r| !cluster_scoped(r))))
        .filter_map(|o| o["metadata"]["name"].as_str().map(str::to_owned))
        .collect();
    let mut scoped = Vec::new();
    for mut object in objects {
        match object["kind"].as_str().unwrap_or_default() {
            "ClusterRole" => {
                let rules = object["rules"].as_array().cloned().unwrap_or_default();
                let (cluster, namespaced): (Vec<Value>, Vec<Value>) = rules.into_iter().partition(cluster_scoped);
                for namespace in namespaces.iter().filter(|_| !namespaced.is_empty()) {
                    let mut role = json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
                        "metadata": object["metadata"].clone(), "rules": namespaced});
                    role["metadata"]["namespace"] = json!(namespace);
                    scoped.push(role);
                }
                if !cluster.is_empty() {
                    object["rules"] = json!(cluster);
                    scoped.push(object);
                }
            }
            "ClusterRoleBinding" => {
                let role = object["roleRef"]["name"].as_str().unwrap_or_default().to_owned();
                for namespace in namespaces.iter().filter(|_| with_roles.contains(&role)) {
                    let mut binding = json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
                        "metadata": object["metadata"].clone(), "subjects": object["subjects"].clone(),
                        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": role}});
                    binding["metadata"]["namespace"] = json!(namespace);
                    scoped.push(binding);
                }
                // Kept for the rules that stayed cluster-wide (it binds nothing else).
                scoped.push(object);
            }
            "Deployment" if object["metadata"]["namespace"] == NAMESPACE => {
                for container in object["spec"]["template"]["spec"]["containers"].as_array_mut().into_iter().flatten() {
                    let flag = json!(format!("{WATCH_FLAG}={}", namespaces.join(",")));
                    match container["args"].as_array_mut() {
                        Some(args) => args.push(flag),
                        None => container["args"] = json!([flag]),
                    }
                }
                scoped.push(object);
            }
            "MutatingWebhookConfiguration" | "ValidatingWebhookConfiguration" => {
                let only = json!({"key": "kubernetes.io/metadata.name", "operator": "In", "values": namespaces});
                for webhook in object["webhooks"].as_array_mut().into_iter().flatten() {
                    let selector = &mut webhook["namespaceSelector"];
                    match selector["matchExpressions"].as_array_mut() {
                        Some(expressions) => expressions.push(only.clone()),
                        None => selector["matchExpressions"] = json!([only.clone()]),
                    }
                }
                scoped.push(object);
            }
            _ => scoped.push(object),
        }
    }
    drop_unbound(scoped)
}

/// A ClusterRoleBinding whose ClusterRole is gone (every rule became a Role) goes too.
fn drop_unbound(objects: Vec<Value>) -> Vec<Value> {
    let roles: Vec<String> = objects
        .iter()
        .filter(|o| o["kind"] == "ClusterRole")
        .filter_map(|o| o["metadata"]["name"].as_str().map(str::to_owned))
        .collect();
    objects
        .into_iter()
        .filter(|o| o["kind"] != "ClusterRoleBinding" || roles.iter().any(|r| o["roleRef"]["name"] == r.as_str()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bundle() -> Vec<Value> {
        let meta = |name: &str| json!({"name": name, "labels": {"app.kubernetes.io/part-of": "kubectl-neo4j"}});
        let subjects = |name: &str| json!([{"kind": "ServiceAccount", "name": name, "namespace": "neo4j-system"}]);
        vec![
            json!({"kind": "ClusterRole", "metadata": meta("neo4j-controller"), "rules": [
                {"apiGroups": ["batch"], "resources": ["jobs"], "verbs": ["create"]}]}),
            json!({"kind": "ClusterRoleBinding", "metadata": meta("neo4j-controller"), "subjects": subjects("neo4j-controller"),
                "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "neo4j-controller"}}),
            json!({"kind": "ClusterRole", "metadata": meta("neo4j-webhook"), "rules": [
                {"apiGroups": ["neo4j.neo4j.com"], "resources": ["neo4jbackups"], "verbs": ["list"]},
                {"apiGroups": ["authorization.k8s.io"], "resources": ["subjectaccessreviews"], "verbs": ["create"]}]}),
            json!({"kind": "ClusterRoleBinding", "metadata": meta("neo4j-webhook"), "subjects": subjects("neo4j-webhook"),
                "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "neo4j-webhook"}}),
            json!({"kind": "ClusterRole", "metadata": meta("neo4j-webhook-certificates"), "rules": [
                {"apiGroups": ["admissionregistration.k8s.io"], "resources": ["validatingwebhookconfigurations"], "verbs": ["patch"]}]}),
            json!({"kind": "ClusterRoleBinding", "metadata": meta("neo4j-webhook-certificates"), "subjects": subjects("neo4j-webhook"),
                "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "neo4j-webhook-certificates"}}),
            json!({"kind": "Deployment", "metadata": {"name": "neo4j-controller", "namespace": "neo4j-system"},
                "spec": {"template": {"spec": {"containers": [{"name": "controller", "args": ["--log-format=json"]}]}}}}),
            json!({"kind": "ValidatingWebhookConfiguration", "metadata": {"name": "neo4j-webhook"}, "webhooks": [
                {"name": "validate.neo4j.neo4j.com", "namespaceSelector": {"matchExpressions": [
                    {"key": "kubernetes.io/metadata.name", "operator": "NotIn", "values": ["neo4j-system"]}]}}]}),
        ]
    }

    fn kinds(objects: &[Value]) -> Vec<String> {
        objects
            .iter()
            .map(|o| {
                let ns = o["metadata"]["namespace"].as_str().map(|ns| format!(" in {ns}")).unwrap_or_default();
                format!("{} {}{ns}", o["kind"].as_str().unwrap(), o["metadata"]["name"].as_str().unwrap())
            })
            .collect()
    }

    #[test]
    fn namespaced_rules_become_roles_in_each_namespace() {
        let scoped = scope(bundle(), &["team-a".to_owned(), "team-b".to_owned()]);
        assert_eq!(
            kinds(&scoped),
            [
                "Role neo4j-controller in team-a",
                "Role neo4j-controller in team-b",
                "RoleBinding neo4j-controller in team-a",
                "RoleBinding neo4j-controller in team-b",
                "Role neo4j-webhook in team-a",
                "Role neo4j-webhook in team-b",
                "ClusterRole neo4j-webhook",
                "RoleBinding neo4j-webhook in team-a",
                "RoleBinding neo4j-webhook in team-b",
                "ClusterRoleBinding neo4j-webhook",
                "ClusterRole neo4j-webhook-certificates",
                "ClusterRoleBinding neo4j-webhook-certificates",
                "Deployment neo4j-controller in neo4j-system",
                "ValidatingWebhookConfiguration neo4j-webhook",
            ]
        );
        // Only SubjectAccessReviews stay cluster-wide.
        assert_eq!(
            scoped[6]["rules"],
            json!([{"apiGroups": ["authorization.k8s.io"], "resources": ["subjectaccessreviews"], "verbs": ["create"]}])
        );
        assert_eq!(
            scoped[4]["rules"],
            json!([{"apiGroups": ["neo4j.neo4j.com"], "resources": ["neo4jbackups"], "verbs": ["list"]}])
        );
        assert_eq!(
            scoped[2]["roleRef"],
            json!({"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "neo4j-controller"})
        );
        assert_eq!(scoped[2]["subjects"][0]["namespace"], "neo4j-system");
        assert_eq!(
            scoped[12]["spec"]["template"]["spec"]["containers"][0]["args"],
            json!(["--log-format=json", "--watch-namespaces=team-a,team-b"])
        );
        assert_eq!(
            scoped[13]["webhooks"][0]["namespaceSelector"]["matchExpressions"][1],
            json!({"key": "kubernetes.io/metadata.name", "operator": "In", "values": ["team-a", "team-b"]})
        );
    }

    #[test]
    fn namespaces_are_names_listed_once() {
        assert_eq!(parse_namespaces("team-a, team-b,team-a"), Ok(vec!["team-a".to_owned(), "team-b".to_owned()]));
        assert!(parse_namespaces("team-a,Team_B").unwrap_err().starts_with("namespace \"Team_B\": "));
        assert!(parse_namespaces("").unwrap_err().starts_with("namespace \"\": "));
    }
}
