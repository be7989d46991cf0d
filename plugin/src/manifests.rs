//! The manifests embedded in the binary, rendered as YAML.

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use neo4j_api::crd;

/// Header of every generated CRD file.
const GENERATED_HEADER: &str =
    "# Generated from the Rust types in api/ by `cargo run -p kubectl-neo4j --bin crdgen`. Do not edit.\n";

/// Failure to render a manifest.
#[derive(Debug, thiserror::Error)]
#[error("cannot render {name} as YAML")]
pub struct RenderError {
    name: String,
    #[source]
    source: serde_saphyr::SerializeError,
}

/// One generated file: its name and its content.
pub struct GeneratedFile {
    /// File name, e.g. `neo4jbackups.yaml`.
    pub name: &'static str,
    /// YAML content.
    pub content: String,
}

/// Renders one CRD as a YAML document with the generated-file header.
pub fn crd_yaml(crd: &CustomResourceDefinition) -> Result<String, RenderError> {
    let body = serde_saphyr::to_string(crd)
        .map_err(|source| RenderError { name: crd.metadata.name.clone().unwrap_or_default(), source })?;
    Ok(format!("{GENERATED_HEADER}{body}"))
}

fn render(files: Vec<(&'static str, CustomResourceDefinition)>) -> Result<Vec<GeneratedFile>, RenderError> {
    files.into_iter().map(|(name, crd)| Ok(GeneratedFile { name, content: crd_yaml(&crd)? })).collect()
}

/// The CRDs this project installs (`manifests/crds/`).
pub fn crd_files() -> Result<Vec<GeneratedFile>, RenderError> {
    render(crd::crds())
}

/// Test stand-ins for the Neo4j operator's CRDs (`tests/fixtures/crds/`).
pub fn stand_in_crd_files() -> Result<Vec<GeneratedFile>, RenderError> {
    render(crd::stand_in_crds())
}

/// Joins files into one multi-document YAML stream, as `kubectl apply -f -` reads it.
pub fn multi_document(files: &[GeneratedFile]) -> String {
    files.iter().map(|file| file.content.as_str()).collect::<Vec<_>>().join("---\n")
}
