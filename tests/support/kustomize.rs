//! Just enough of kustomize to render this repository's overlays offline: `resources` (files and
//! directories), `namespace`, and JSON 6902 `patches` (inline or from a file) selected by target
//! group, kind and name. Anything else in a kustomization is refused, so the test cannot silently
//! render less than `kubectl apply -k` would.

use std::path::Path;

use serde_json::Value;

use crate::fixtures::yaml_documents;

const KNOWN_FIELDS: [&str; 5] = ["apiVersion", "kind", "namespace", "resources", "patches"];
const CLUSTER_SCOPED: [&str; 5] = [
    "Namespace",
    "ClusterRole",
    "ClusterRoleBinding",
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
];

/// The objects `kubectl apply -k dir` would apply.
pub fn render(dir: &Path) -> Vec<Value> {
    let file = dir.join("kustomization.yaml");
    let kustomization = yaml_documents(&file).remove(0);
    for key in kustomization.as_object().expect("a mapping").keys() {
        assert!(KNOWN_FIELDS.contains(&key.as_str()), "{}: unsupported field {key}", file.display());
    }
    let mut objects = Vec::new();
    for resource in kustomization["resources"].as_array().into_iter().flatten() {
        let path = dir.join(resource.as_str().expect("a path"));
        if path.is_dir() {
            objects.extend(render(&path));
        } else {
            objects.extend(yaml_documents(&path));
        }
    }
    if let Some(namespace) = kustomization["namespace"].as_str() {
        for object in objects.iter_mut().filter(|o| !CLUSTER_SCOPED.contains(&o["kind"].as_str().unwrap_or_default())) {
            object["metadata"]["namespace"] = Value::String(namespace.to_owned());
        }
    }
    for patch in kustomization["patches"].as_array().into_iter().flatten() {
        let operations: Value = match (patch["patch"].as_str(), patch["path"].as_str()) {
            (Some(inline), _) => serde_saphyr::from_str(inline).expect("inline patch YAML"),
            (None, Some(path)) => yaml_documents(&dir.join(path)).remove(0),
            _ => panic!("{}: a patch needs `patch` or `path`", file.display()),
        };
        let operations: json_patch::Patch = serde_json::from_value(operations).expect("a JSON 6902 patch");
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
                    .unwrap_or_else(|err| panic!("{}: patch does not apply: {err}", file.display()));
                matched += 1;
            }
        }
        assert!(matched > 0, "{}: a patch matches nothing: {target}", file.display());
    }
    objects
}
