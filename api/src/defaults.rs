//! Defaults of every documented field, as JSON Patch operations.
//!
//! Defaults work on the raw object, not on the types, so fields we do not know are never touched,
//! a value the user set is never overwritten, and applying the patch twice changes nothing.
//! The Neo4j operator's kinds get no defaults from us: we do not mutate objects we do not own.

use json_patch::Patch;
use serde_json::{Map, Value, json};

use crate::rules::storage::provider_of;
use crate::types::StorageType;

/// The patch that defaults a Neo4jBackup.
pub fn backup_defaults(object: &Value) -> Patch {
    patch_for(object, |spec| {
        set_default(spec, &["options", "backupType"], json!("FULL"));
        set_default(spec, &["options", "compress"], json!(true));
        // A backup counts as a success only once its chain was restored and checked (docs/backup.md).
        set_default(spec, &["options", "verify"], json!(true));
        if is_object(spec.get("retention")) {
            set_default(spec, &["retention", "deletePolicy"], json!("Delete"));
        }
        default_storage(spec.get_mut("storage"));
    })
}

/// The patch that defaults a Neo4jRestore.
pub fn restore_defaults(object: &Value) -> Patch {
    patch_for(object, |spec| {
        set_default(spec, &["force"], json!(false));
        set_default(spec, &["stopCluster"], json!(false));
        set_default(spec, &["options", "replaceExisting"], json!(false));
        set_default(spec, &["options", "verifyBackup"], json!(false));
        set_default(spec, &["options", "healthChecks", "enabled"], json!(true));
        let Some(source) = spec.get_mut("source").and_then(Value::as_object_mut) else { return };
        default_storage(source.get_mut("storage"));
        let Some(pitr) = source.get_mut("pitr").and_then(Value::as_object_mut) else { return };
        set_default(pitr, &["logRetention"], json!("7d"));
        set_default(pitr, &["recoveryPointObjective"], json!("1m"));
        set_default(pitr, &["validateLogIntegrity"], json!(true));
        set_default(pitr, &["compression", "enabled"], json!(true));
        set_default(pitr, &["compression", "algorithm"], json!("gzip"));
        set_default(pitr, &["encryption", "enabled"], json!(false));
        if pitr.get("encryption").and_then(|e| e.get("enabled")) == Some(&json!(true)) {
            set_default(pitr, &["encryption", "algorithm"], json!("AES256"));
            set_default(pitr, &["encryption", "keySecretKey"], json!("key"));
        }
        default_storage(pitr.get_mut("logStorage"));
        if let Some(base) = pitr.get_mut("baseBackup").and_then(Value::as_object_mut) {
            default_storage(base.get_mut("storage"));
        }
    })
}

/// The patch for a kind we do not own (Neo4jEnterpriseCluster, Neo4jEnterpriseStandalone): empty.
pub fn target_defaults(_object: &Value) -> Patch {
    Patch(Vec::new())
}

/// Defaults of a storage location: the cloud provider from the storage type, the identity
/// provider likewise, and `autoCreate.enabled` when `autoCreate` is present.
fn default_storage(storage: Option<&mut Value>) {
    let Some(storage) = storage.and_then(Value::as_object_mut) else { return };
    let storage_type = storage.get("type").and_then(Value::as_str).map(StorageType::from);
    let Some(provider) = storage_type.as_ref().and_then(provider_of) else { return };
    let provider = json!(provider.as_str());
    set_default(storage, &["cloud", "provider"], provider.clone());
    let identity = storage.get_mut("cloud").and_then(|c| c.get_mut("identity")).and_then(Value::as_object_mut);
    let Some(identity) = identity else { return };
    set_default(identity, &["provider"], provider);
    if is_object(identity.get("autoCreate")) {
        set_default(identity, &["autoCreate", "enabled"], json!(true));
    }
}

fn is_object(value: Option<&Value>) -> bool {
    value.is_some_and(Value::is_object)
}

/// Sets `path` below `map` to `value` unless something is there, creating missing objects on
/// the way. A non-object in the way (the user wrote `options: "x"`) stops it: that is for the
/// rules to report, not for defaults to paper over.
fn set_default(map: &mut Map<String, Value>, path: &[&str], value: Value) {
    let Some((last, parents)) = path.split_last() else { return };
    let mut current = map;
    for key in parents {
        let next = current.entry((*key).to_owned()).or_insert_with(|| Value::Object(Map::new()));
        let Some(next) = next.as_object_mut() else { return };
        current = next;
    }
    current.entry((*last).to_owned()).or_insert(value);
}

/// Runs `fill` on a copy of the object's spec and returns the difference as a patch.
fn patch_for(object: &Value, fill: impl FnOnce(&mut Map<String, Value>)) -> Patch {
    let mut defaulted = object.clone();
    if let Some(spec) = defaulted.get_mut("spec").and_then(Value::as_object_mut) {
        fill(spec);
    }
    json_patch::diff(object, &defaulted)
}

#[cfg(test)]
mod tests {
    use json_patch::PatchOperation;

    use super::*;

    fn apply(object: &Value, patch: &Patch) -> Value {
        let mut result = object.clone();
        json_patch::patch(&mut result, patch).expect("the patch applies");
        result
    }

    fn paths(patch: &Patch) -> Vec<String> {
        patch
            .0
            .iter()
            .map(|op| match op {
                PatchOperation::Add(add) => format!("add {}", add.path),
                other => format!("unexpected {other:?}"),
            })
            .collect()
    }

    #[test]
    fn a_minimal_backup_gets_its_documented_defaults() {
        let object = json!({"spec": {
            "target": {"kind": "Cluster", "name": "prod"},
            "storage": {"type": "s3", "bucket": "b-1", "cloud": {"identity": {"autoCreate": {"annotations": {"a": "b"}}}}},
            "retention": {"maxCount": 5}
        }});
        let patch = backup_defaults(&object);
        assert!(paths(&patch).iter().all(|p| p.starts_with("add ")), "{:?}", paths(&patch));
        let result = apply(&object, &patch);
        assert_eq!(result["spec"]["options"], json!({"backupType": "FULL", "compress": true, "verify": true}));
        assert_eq!(result["spec"]["retention"], json!({"maxCount": 5, "deletePolicy": "Delete"}));
        assert_eq!(
            result["spec"]["storage"]["cloud"],
            json!({"provider": "aws",
            "identity": {"provider": "aws", "autoCreate": {"enabled": true, "annotations": {"a": "b"}}}})
        );
    }

    #[test]
    fn user_values_are_never_overwritten_and_twice_changes_nothing() {
        let object = json!({"spec": {
            "storage": {"type": "gcs", "bucket": "b", "cloud": {"provider": "aws"}},
            "options": {"backupType": "DIFF", "compress": false, "verify": false},
            "retention": {"deletePolicy": "Archive"},
            "unknownField": {"kept": true}
        }});
        let once = apply(&object, &backup_defaults(&object));
        assert_eq!(once["spec"]["options"], json!({"backupType": "DIFF", "compress": false, "verify": false}));
        assert_eq!(once["spec"]["retention"], json!({"deletePolicy": "Archive"}));
        assert_eq!(
            once["spec"]["storage"]["cloud"]["provider"], "aws",
            "the rules report the mismatch; defaults keep it"
        );
        assert_eq!(once["spec"]["unknownField"], json!({"kept": true}));
        assert_eq!(backup_defaults(&once), Patch(Vec::new()));
    }

    #[test]
    fn a_pitr_restore_gets_its_documented_defaults() {
        let object = json!({"spec": {
            "targetCluster": "c", "databaseName": "db",
            "source": {"type": "pitr", "pointInTime": "2025-01-04T12:30:00Z", "pitr": {
                "baseBackup": {"type": "storage", "storage": {"type": "azure", "bucket": "base"}},
                "logStorage": {"type": "gcs", "bucket": "logs"},
                "encryption": {"enabled": true, "keySecret": "k"}
            }}
        }});
        let result = apply(&object, &restore_defaults(&object));
        let spec = &result["spec"];
        assert_eq!((spec["force"].clone(), spec["stopCluster"].clone()), (json!(false), json!(false)));
        assert_eq!(
            spec["options"],
            json!({"replaceExisting": false, "verifyBackup": false, "healthChecks": {"enabled": true}})
        );
        let pitr = &spec["source"]["pitr"];
        assert_eq!(pitr["logRetention"], "7d");
        assert_eq!(pitr["recoveryPointObjective"], "1m");
        assert_eq!(pitr["validateLogIntegrity"], true);
        assert_eq!(pitr["compression"], json!({"enabled": true, "algorithm": "gzip"}));
        assert_eq!(
            pitr["encryption"],
            json!({"enabled": true, "keySecret": "k", "algorithm": "AES256", "keySecretKey": "key"})
        );
        assert_eq!(pitr["logStorage"]["cloud"], json!({"provider": "gcp"}));
        assert_eq!(pitr["baseBackup"]["storage"]["cloud"], json!({"provider": "azure"}));
        assert_eq!(restore_defaults(&result), Patch(Vec::new()));
    }

    #[test]
    fn disabled_encryption_gets_no_algorithm() {
        let object = json!({"spec": {"source": {"type": "pitr", "pitr": {}}}});
        let result = apply(&object, &restore_defaults(&object));
        assert_eq!(result["spec"]["source"]["pitr"]["encryption"], json!({"enabled": false}));
    }

    #[test]
    fn malformed_shapes_are_left_for_the_rules() {
        let object = json!({"spec": {"options": "fast", "storage": {"type": "nfs"}}});
        let result = apply(&object, &backup_defaults(&object));
        assert_eq!(result["spec"]["options"], "fast");
        assert_eq!(result["spec"]["storage"], json!({"type": "nfs"}));
        assert_eq!(backup_defaults(&json!({"kind": "Neo4jBackup"})), Patch(Vec::new()), "no spec, nothing to default");
        assert_eq!(target_defaults(&json!({"spec": {}})), Patch(Vec::new()));
    }
}
