//! CustomResourceDefinitions generated from the types.

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::{
    CustomResourceDefinition, JSONSchemaProps, JSONSchemaPropsOrArray, JSONSchemaPropsOrBool,
};
use kube::CustomResourceExt;

use crate::types::{Neo4jBackup, Neo4jEnterpriseCluster, Neo4jEnterpriseStandalone, Neo4jRestore};

/// Annotation that marks a CRD as a test stand-in for a kind the Neo4j operator owns.
pub const STAND_IN_ANNOTATION: &str = "kubectl-neo4j/test-stand-in";

/// The CRDs this project installs, with the file name each is committed under in `manifests/crds/`.
pub fn crds() -> Vec<(&'static str, CustomResourceDefinition)> {
    vec![("neo4jbackups.yaml", tidy(Neo4jBackup::crd())), ("neo4jrestores.yaml", tidy(Neo4jRestore::crd()))]
}

/// Removes `null` from `enum` lists: optional fields already say `nullable: true`, and a literal
/// null among enum values has tripped API servers before. This is the form kube documents.
/// Also labels the CRD as ours, so that `install` tells it from the Neo4j operator's CRDs of the
/// same names (`install::preflight::stranger`).
fn tidy(mut crd: CustomResourceDefinition) -> CustomResourceDefinition {
    crd.metadata
        .labels
        .get_or_insert_with(Default::default)
        .insert("app.kubernetes.io/part-of".to_owned(), crate::install::PART_OF.to_owned());
    for version in &mut crd.spec.versions {
        if let Some(schema) = version.schema.as_mut().and_then(|s| s.open_api_v3_schema.as_mut()) {
            drop_null_enum_values(schema);
        }
    }
    crd
}

fn drop_null_enum_values(schema: &mut JSONSchemaProps) {
    if let Some(values) = schema.enum_.as_mut() {
        values.retain(|value| !value.0.is_null());
    }
    let children = schema
        .properties
        .iter_mut()
        .flat_map(|props| props.values_mut())
        .chain(schema.items.iter_mut().filter_map(|items| match items {
            JSONSchemaPropsOrArray::Schema(item) => Some(item.as_mut()),
            JSONSchemaPropsOrArray::Schemas(_) => None,
        }))
        .chain(schema.additional_properties.iter_mut().filter_map(|additional| match additional {
            JSONSchemaPropsOrBool::Schema(inner) => Some(inner.as_mut()),
            JSONSchemaPropsOrBool::Bool(_) => None,
        }));
    for child in children {
        drop_null_enum_values(child);
    }
}

/// Stand-ins for the Neo4j operator's target CRDs, for end-to-end tests only
/// (committed under `tests/fixtures/crds/`). The real operator installs the real ones.
pub fn stand_in_crds() -> Vec<(&'static str, CustomResourceDefinition)> {
    [
        ("neo4jenterpriseclusters.yaml", tidy(Neo4jEnterpriseCluster::crd())),
        ("neo4jenterprisestandalones.yaml", tidy(Neo4jEnterpriseStandalone::crd())),
    ]
    .into_iter()
    .map(|(file, mut crd)| {
        crd.metadata.annotations.get_or_insert_default().insert(
            STAND_IN_ANNOTATION.to_owned(),
            "Not the Neo4j operator's CRD: a schema with only the fields kubectl-neo4j reads, for tests.".to_owned(),
        );
        (file, crd)
    })
    .collect()
}
