//! Our resource types and their CRDs, as the tests look at them.

use std::path::Path;

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use neo4j_api::crd;
use neo4j_api::{
    BackupOptions, Neo4jBackup, Neo4jBackupSpec, Neo4jEnterpriseCluster, Neo4jEnterpriseStandalone, Neo4jRestore,
    RestoreSource, StorageLocation,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::diff::json_differences;

/// Decodes `value` as `T` and encodes it again.
pub fn round_trip<T: DeserializeOwned + Serialize>(value: &Value) -> Result<Value, String> {
    let typed: T = serde_json::from_value(value.clone()).map_err(|err| err.to_string())?;
    serde_json::to_value(&typed).map_err(|err| err.to_string())
}

/// Round trip through the type named by a kind (`Neo4jBackup`, ...) or by the top-level key of a
/// documentation fragment (`storage`, `options`, `source`, `spec`).
pub fn round_trip_as(type_key: &str, value: &Value) -> Result<Value, String> {
    match type_key {
        "Neo4jBackup" => round_trip::<Neo4jBackup>(value),
        "Neo4jRestore" => round_trip::<Neo4jRestore>(value),
        "Neo4jEnterpriseCluster" => round_trip::<Neo4jEnterpriseCluster>(value),
        "Neo4jEnterpriseStandalone" => round_trip::<Neo4jEnterpriseStandalone>(value),
        "storage" => round_trip::<StorageLocation>(value),
        "options" => round_trip::<BackupOptions>(value),
        "source" => round_trip::<RestoreSource>(value),
        "spec" => round_trip::<Neo4jBackupSpec>(value),
        other => Err(format!("no type is known for {other:?}")),
    }
}

/// Panics, naming `origin` and every difference, unless `value` survives a round trip through its type.
pub fn assert_lossless(origin: &Path, type_key: &str, value: &Value) {
    let name = origin.display();
    let encoded =
        round_trip_as(type_key, value).unwrap_or_else(|err| panic!("{name}: does not decode as {type_key}: {err}"));
    let differences = json_differences(value, &encoded);
    assert!(differences.is_empty(), "{name}: round trip through {type_key} is lossy:\n{}", differences.join("\n"));
}

/// Our CRDs and the stand-ins for the target kinds.
pub fn all_crds() -> Vec<CustomResourceDefinition> {
    crd::crds().into_iter().chain(crd::stand_in_crds()).map(|(_, crd)| crd).collect()
}

/// The CRD of a kind.
pub fn crd_of(kind: &str) -> CustomResourceDefinition {
    all_crds().into_iter().find(|crd| crd.spec.names.kind == kind).unwrap_or_else(|| panic!("no CRD for kind {kind}"))
}

/// The `openAPIV3Schema` of a CRD as JSON.
pub fn schema_of(crd: &CustomResourceDefinition) -> Value {
    let schema = crd.spec.versions[0].schema.as_ref().and_then(|s| s.open_api_v3_schema.as_ref()).expect("schema");
    serde_json::to_value(schema).expect("schema encodes")
}

/// The `kind` of an object.
pub fn kind_of(value: &Value) -> &str {
    value["kind"].as_str().unwrap_or_default()
}
