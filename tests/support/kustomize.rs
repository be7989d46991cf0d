//! The plugin's kustomize renderer, failing the test on anything it refuses.

use std::path::Path;

use serde_json::Value;

/// The objects `kubectl apply -k dir` would apply.
pub fn render(dir: &Path) -> Vec<Value> {
    kubectl_neo4j::kustomize::render(dir).unwrap_or_else(|err| panic!("{err}"))
}
