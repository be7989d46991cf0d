//! Just enough of kustomize to render this repository's overlays offline: `resources` (files and
//! directories), `namespace`, and JSON 6902 `patches` (inline or from a file) selected by target
//! group, kind and name. Anything else in a kustomization is refused, so nothing renders less than
//! `kubectl apply -k` would. It builds the install bundles embedded in the plugin.

use std::path::Path;

use serde_json::Value;

fn yaml_documents(path: &Path) -> Result<Vec<Value>, String> {
    let text = std::fs::read_to_string(path).map_err(|err| format!("cannot read {}: {err}", path.display()))?;
    let documents: Vec<Value> =
        serde_saphyr::from_multiple(&text).map_err(|err| format!("{}: invalid YAML: {err}", path.display()))?;
    Ok(documents.into_iter().filter(|d| !d.is_null()).collect())
}

const KNOWN_FIELDS: [&str; 5] = ["apiVersion", "kind", "namespace", "resources", "patches"];
const CLUSTER_SCOPED: [&str; 5] = [
    "Namespace",
    "ClusterRole",
    "ClusterRoleBinding",
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
];

/// The objects `kubectl apply -k dir` would apply.
pub fn render(dir: &Path) -> Result<Vec<Value>, String> {
    let file = dir.join("kustomization.yaml");
    let kustomization =
        yaml_documents(&file)?.into_iter().next().ok_or_else(|| format!("{}: empty", file.display()))?;
    let keys = kustomization.as_object().ok_or_else(|| format!("{}: not a mapping", file.display()))?.keys();
    for key in keys {
        if !KNOWN_FIELDS.contains(&key.as_str()) {
            return Err(format!("{}: unsupported field {key}", file.display()));
        }
    }
    let mut objects = Vec::new();
    for resource in kustomization["resources"].as_array().into_iter().flatten() {
        let path = dir.join(resource.as_str().ok_or_else(|| format!("{}: a resource is not a path", file.display()))?);
        if path.is_dir() {
            objects.extend(render(&path)?);
        } else {
            objects.extend(yaml_documents(&path)?);
        }
    }
    if let Some(namespace) = kustomization["namespace"].as_str() {
        for object in objects.iter_mut().filter(|o| !CLUSTER_SCOPED.contains(&o["kind"].as_str().unwrap_or_default())) {
            object["metadata"]["namespace"] = Value::String(namespace.to_owned());
        }
    }
    for patch in kustomization["patches"].as_array().into_iter().flatten() {
        let operations: Value = match (patch["patch"].as_str(), patch["path"].as_str()) {
            (Some(inline), _) => {
                serde_saphyr::from_str(inline).map_err(|err| format!("{}: inline patch: {err}", file.display()))?
            }
            (None, Some(path)) => yaml_documents(&dir.join(path))?
                .into_iter()
                .next()
                .ok_or_else(|| format!("{}: empty patch {path}", file.display()))?,
            _ => return Err(format!("{}: a patch needs `patch` or `path`", file.display())),
        };
        let operations: json_patch::Patch = serde_json::from_value(operations)
            .map_err(|err| format!("{}: not a JSON 6902 patch: {err}", file.display()))?;
        let target = &patch["target"];
        let mut matched = 0;
        for object in objects.iter_mut() {
            let group = object["apiVersion"].as_str().unwrap_or_default().rsplit_once('/').map_or("", |(g, _)| g);
            let same = |key: &str, actual: &str| target[key].as_str().is_none_or(|wanted| wanted == actual);
            if same("group", group)
                && same("kind", object["kind"].as_str().unwrap_or_default())
                && same("name", object["metadata"]["name"].as_str().unwrap_or_default())
            {
                json_patch::patch(object, &operations)
                    .map_err(|err| format!("{}: patch does not apply: {err}", file.display()))?;
                matched += 1;
            }
        }
        if matched == 0 {
            return Err(format!("{}: a patch matches nothing: {target}", file.display()));
        }
    }
    Ok(objects)
}
