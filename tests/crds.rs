//! The CRDs: committed YAML equals generation, schemas are structural, every field is described
//! for `kubectl explain`, and names, columns and subresources are what users type.

use kubectl_neo4j::manifests::{self, GeneratedFile};
use neo4j_api::crd;
use neo4j_tests::fixtures::{workspace_root, yaml_files};
use neo4j_tests::openapi::structural_violations;
use neo4j_tests::resources::{all_crds, crd_of, schema_of};
use serde_json::Value;

const REGENERATE: &str = "run `cargo run -p kubectl-neo4j --bin crdgen` and commit the result";

fn assert_committed(dir: &str, generated: &[GeneratedFile]) {
    let dir_path = workspace_root().join(dir);
    for file in generated {
        let committed = std::fs::read_to_string(dir_path.join(file.name))
            .unwrap_or_else(|err| panic!("{dir}/{}: {err}; {REGENERATE}", file.name));
        assert!(committed == file.content, "{dir}/{} differs from the types; {REGENERATE}", file.name);
    }
    let mut committed_names: Vec<String> = yaml_files(&dir_path)
        .iter()
        .map(|path| path.file_name().unwrap_or_default().to_string_lossy().into_owned())
        .collect();
    committed_names.sort();
    let mut generated_names: Vec<String> = generated.iter().map(|file| file.name.to_owned()).collect();
    generated_names.sort();
    assert_eq!(committed_names, generated_names, "{dir} holds files the generator does not write");
}

#[test]
fn committed_crds_equal_generation() {
    assert_committed("manifests/crds", &manifests::crd_files().expect("CRDs render"));
    assert_committed("tests/fixtures/crds", &manifests::stand_in_crd_files().expect("stand-ins render"));
}

/// The schema node at a dotted path of property names, e.g. `spec.source.pitr`.
fn node<'a>(schema: &'a Value, path: &str) -> &'a Value {
    path.split('.').fold(schema, |node, name| {
        let inner = if node["type"] == "array" { &node["items"] } else { node };
        &inner["properties"][name]
    })
}

#[test]
fn every_crd_is_structural() {
    for crd in all_crds() {
        let violations = structural_violations(&schema_of(&crd));
        assert!(violations.is_empty(), "{}:\n{}", crd.spec.names.kind, violations.join("\n"));
    }
}

#[test]
fn every_field_of_our_crds_is_described_for_kubectl_explain() {
    fn walk(node: &Value, path: &str, undescribed: &mut Vec<String>) {
        let inner = if node["type"] == "array" { &node["items"] } else { node };
        for (name, child) in inner["properties"].as_object().into_iter().flatten() {
            let child_path = format!("{path}.{name}");
            if child["description"].as_str().is_none_or(|d| d.trim().is_empty()) {
                undescribed.push(child_path.clone());
            }
            walk(child, &child_path, undescribed);
        }
    }
    for (_, crd) in crd::crds() {
        let mut undescribed = Vec::new();
        walk(&schema_of(&crd), &crd.spec.names.kind, &mut undescribed);
        assert!(undescribed.is_empty(), "fields without a description:\n{}", undescribed.join("\n"));
    }
}

#[test]
fn kubectl_explain_of_the_pitr_source_teaches_what_to_write() {
    let schema = schema_of(&crd_of("Neo4jRestore"));
    let pitr = node(&schema, "spec.source.pitr");
    let description = pitr["description"].as_str().expect("described");
    assert!(description.contains("baseBackup") && description.contains("logStorage"), "{description}");
    let base = node(&schema, "spec.source.pitr.baseBackup");
    assert_eq!(base["required"], serde_json::json!(["type"]));
    assert_eq!(node(&schema, "spec.source.pitr.baseBackup.type")["enum"], serde_json::json!(["backup", "storage"]));
    assert_eq!(node(&schema, "spec.source.pointInTime")["format"], "date-time");
}

#[test]
fn enums_are_schema_enums() {
    let backup = schema_of(&crd_of("Neo4jBackup"));
    let restore = schema_of(&crd_of("Neo4jRestore"));
    let cases = [
        (&backup, "spec.target.kind", vec!["Cluster", "Database"]),
        (&backup, "spec.storage.type", vec!["s3", "gcs", "azure", "pvc"]),
        (&backup, "spec.storage.cloud.provider", vec!["aws", "gcp", "azure"]),
        (&backup, "spec.storage.cloud.identity.provider", vec!["aws", "gcp", "azure"]),
        (&backup, "spec.options.backupType", vec!["FULL", "DIFF", "AUTO"]),
        (&backup, "spec.options.encryption.algorithm", vec!["AES256", "ChaCha20Poly1305"]),
        (&backup, "spec.retention.deletePolicy", vec!["Delete", "Archive"]),
        (&backup, "status.phase", vec!["Pending", "Running", "Completed", "Failed", "Invalid", "Suspended"]),
        (&restore, "spec.source.type", vec!["backup", "storage", "pitr", "s3", "gcs", "azure"]),
        (&restore, "spec.source.pitr.compression.algorithm", vec!["gzip", "lz4", "zstd"]),
        (&restore, "spec.source.pitr.encryption.algorithm", vec!["AES256", "ChaCha20Poly1305"]),
        (&restore, "status.phase", vec!["Pending", "Running", "Completed", "Failed"]),
    ];
    for (schema, path, expected) in cases {
        let node = node(schema, path);
        assert_eq!(node["enum"], serde_json::json!(expected), "{path}");
        assert_eq!(node["type"], "string", "{path}");
    }
}

#[test]
fn required_fields_are_required_by_the_schema() {
    let backup = schema_of(&crd_of("Neo4jBackup"));
    let restore = schema_of(&crd_of("Neo4jRestore"));
    let cases = [
        (&backup, "spec", vec!["storage", "target"]),
        (&backup, "spec.target", vec!["kind", "name"]),
        (&backup, "spec.storage", vec!["type"]),
        (&restore, "spec", vec!["databaseName", "source", "targetCluster"]),
        (&restore, "spec.source", vec!["type"]),
        (&restore, "spec.options.preRestore.job", vec!["template"]),
        (&restore, "spec.options.postRestore.job.template", vec!["container"]),
        (&restore, "spec.options.postRestore.job.template.container", vec!["image"]),
    ];
    for (schema, path, expected) in cases {
        assert_eq!(node(schema, path)["required"], serde_json::json!(expected), "{path}");
    }
}

fn columns(kind: &str) -> Vec<(String, String, String)> {
    crd_of(kind).spec.versions[0]
        .additional_printer_columns
        .clone()
        .unwrap_or_default()
        .into_iter()
        .map(|c| (c.name, c.type_, c.json_path))
        .collect()
}

fn strings(items: &[(&str, &str, &str)]) -> Vec<(String, String, String)> {
    items.iter().map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string())).collect()
}

#[test]
fn printer_columns_names_and_subresources() {
    assert_eq!(
        columns("Neo4jBackup"),
        strings(&[
            ("Target", "string", ".spec.target.name"),
            ("Storage", "string", ".spec.storage.type"),
            ("Schedule", "string", ".spec.schedule"),
            ("Phase", "string", ".status.phase"),
            ("Last Success", "date", ".status.lastSuccessfulBackupTime"),
            ("Age", "date", ".metadata.creationTimestamp"),
        ])
    );
    assert_eq!(
        columns("Neo4jRestore"),
        strings(&[
            ("Target", "string", ".spec.targetCluster"),
            ("Database", "string", ".spec.databaseName"),
            ("Source", "string", ".spec.source.type"),
            ("Phase", "string", ".status.phase"),
            ("Age", "date", ".metadata.creationTimestamp"),
        ])
    );
    for (_, crd) in crd::crds() {
        let names = &crd.spec.names;
        assert_eq!(crd.spec.group, "neo4j.neo4j.com");
        assert_eq!(crd.spec.scope, "Namespaced");
        assert_eq!(names.categories, Some(vec!["neo4j".to_owned()]), "{} is listed by `kubectl get neo4j`", names.kind);
        let version = &crd.spec.versions[0];
        assert_eq!((version.name.as_str(), version.served, version.storage), ("v1alpha1", true, true));
        assert!(version.subresources.as_ref().and_then(|s| s.status.as_ref()).is_some(), "status subresource");
        let conditions = node(&schema_of(&crd), "status.conditions").clone();
        assert_eq!(
            (conditions["x-kubernetes-list-type"].clone(), conditions["x-kubernetes-list-map-keys"].clone()),
            (serde_json::json!("map"), serde_json::json!(["type"])),
            "{}: conditions merge by type under server-side apply",
            names.kind
        );
    }
    assert_eq!(crd_of("Neo4jBackup").spec.names.short_names, Some(vec!["n4jbackup".into(), "n4jb".into()]));
    assert_eq!(crd_of("Neo4jRestore").spec.names.short_names, Some(vec!["n4jrestore".into(), "n4jr".into()]));
    assert_eq!(crd_of("Neo4jBackup").metadata.name.as_deref(), Some("neo4jbackups.neo4j.neo4j.com"));
    assert_eq!(crd_of("Neo4jRestore").metadata.name.as_deref(), Some("neo4jrestores.neo4j.neo4j.com"));
}

#[test]
fn stand_in_crds_are_marked_and_keep_unknown_fields() {
    for (_, crd) in crd::stand_in_crds() {
        let annotations = crd.metadata.annotations.clone().unwrap_or_default();
        assert!(annotations.contains_key(crd::STAND_IN_ANNOTATION), "{} is marked as a stand-in", crd.spec.names.kind);
        let schema = schema_of(&crd);
        for path in ["spec", "status", "spec.image", "spec.auth", "spec.tls"] {
            assert_eq!(
                node(&schema, path)["x-kubernetes-preserve-unknown-fields"],
                true,
                "{} {path}",
                crd.spec.names.kind
            );
        }
    }
    let cluster = schema_of(&crd_of("Neo4jEnterpriseCluster"));
    assert_eq!(
        node(&cluster, "spec.pointInTimeRecovery.logShipping.destination.type")["enum"],
        serde_json::json!(["s3", "gcs", "azure", "pvc"])
    );
}
