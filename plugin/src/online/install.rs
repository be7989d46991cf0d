//! `install` and `uninstall`: the embedded bundle, applied server-side (field manager
//! `kubectl-neo4j`), or removed. Uninstalling never removes the CRDs (that would delete every
//! Neo4jBackup and Neo4jRestore), the namespace, or any backup data or claim.

use kube::api::{Api, DeleteParams, DynamicObject, Patch, PatchParams};
use kube::core::{ApiResource, GroupVersionKind};
use kube::{Client, ResourceExt};
use serde_json::Value;

/// Field manager of what the plugin applies.
pub const FIELD_MANAGER: &str = "kubectl-neo4j";

/// The kinds of the bundle: plural and whether namespaced (no discovery round trips; a test keeps
/// this table and the bundles in step).
pub const KINDS: &[(&str, &str, bool)] = &[
    ("CustomResourceDefinition", "customresourcedefinitions", false),
    ("Namespace", "namespaces", false),
    ("ServiceAccount", "serviceaccounts", true),
    ("ClusterRole", "clusterroles", false),
    ("ClusterRoleBinding", "clusterrolebindings", false),
    ("Role", "roles", true),
    ("RoleBinding", "rolebindings", true),
    ("Service", "services", true),
    ("Deployment", "deployments", true),
    ("PodDisruptionBudget", "poddisruptionbudgets", true),
    ("Issuer", "issuers", true),
    ("Certificate", "certificates", true),
    ("MutatingWebhookConfiguration", "mutatingwebhookconfigurations", false),
    ("ValidatingWebhookConfiguration", "validatingwebhookconfigurations", false),
];

/// The objects of a bundle, in order.
pub fn objects(bundle: &str) -> Result<Vec<Value>, String> {
    let documents: Vec<Value> = serde_saphyr::from_multiple(bundle).map_err(|err| format!("the bundle: {err}"))?;
    Ok(documents.into_iter().filter(|d| !d.is_null()).collect())
}

fn api_for(client: &Client, object: &Value) -> Result<(Api<DynamicObject>, String), String> {
    let kind = object["kind"].as_str().unwrap_or_default();
    let (group, version) = match object["apiVersion"].as_str().unwrap_or_default().split_once('/') {
        Some((group, version)) => (group, version),
        None => ("", object["apiVersion"].as_str().unwrap_or_default()),
    };
    let (_, plural, namespaced) =
        KINDS.iter().find(|(k, _, _)| *k == kind).ok_or_else(|| format!("the bundle holds an unknown kind {kind}"))?;
    let resource = ApiResource::from_gvk_with_plural(&GroupVersionKind::gvk(group, version, kind), plural);
    let name = object["metadata"]["name"].as_str().unwrap_or_default().to_owned();
    let api = match (namespaced, object["metadata"]["namespace"].as_str()) {
        (true, Some(ns)) => Api::namespaced_with(client.clone(), ns, &resource),
        (true, None) => return Err(format!("{kind} {name} has no namespace in the bundle")),
        (false, _) => Api::all_with(client.clone(), &resource),
    };
    Ok((api, format!("{}/{name}", kind.to_lowercase())))
}

/// Applies every object of `bundle`, in order; one line per object.
pub async fn install(client: &Client, bundle: &str) -> Result<String, String> {
    let mut out = String::new();
    for object in objects(bundle)? {
        let (api, shown) = api_for(client, &object)?;
        let dynamic: DynamicObject = serde_json::from_value(object.clone()).map_err(|err| err.to_string())?;
        let params = PatchParams::apply(FIELD_MANAGER).force();
        match api.patch(&dynamic.name_any(), &params, &Patch::Apply(&dynamic)).await {
            Ok(_) => out.push_str(&format!("{shown} serverside-applied\n")),
            Err(kube::Error::Api(status)) if status.code == 404 && object["apiVersion"] == "cert-manager.io/v1" => {
                return Err(format!(
                    "{shown}: cert-manager is not installed in this cluster; install it, or use `kubectl neo4j install --tls self-managed` (docs/webhook.md)"
                ));
            }
            Err(err) => return Err(format!("{shown}: {err}")),
        }
    }
    Ok(out)
}

/// Removes what `install` applied, newest first (webhook configurations before the webhook), but
/// not the CRDs, the namespace, or anything holding backups.
pub async fn uninstall(client: &Client, bundle: &str) -> Result<String, String> {
    let mut out = String::new();
    let mut kept = Vec::new();
    for object in objects(bundle)?.into_iter().rev() {
        let kind = object["kind"].as_str().unwrap_or_default();
        let (api, shown) = api_for(client, &object)?;
        if matches!(kind, "CustomResourceDefinition" | "Namespace") {
            kept.push(shown);
            continue;
        }
        let name = object["metadata"]["name"].as_str().unwrap_or_default();
        match api.delete(name, &DeleteParams::default()).await {
            Ok(_) => out.push_str(&format!("{shown} deleted\n")),
            Err(kube::Error::Api(status)) if status.code == 404 => out.push_str(&format!("{shown} already gone\n")),
            Err(err) => return Err(format!("{shown}: {err}")),
        }
    }
    kept.reverse();
    out.push_str(&format!(
        "kept: {} (deleting a CRD deletes every Neo4jBackup and Neo4jRestore; backup artifacts and claims are never touched)\n",
        kept.join(", ")
    ));
    Ok(out)
}
