//! The CEL rules in the CRDs (defense in depth when the webhook is down) agree with the Rust
//! rules: evaluated locally with kube's CEL, they never refuse what the Rust rules accept, and on
//! the cases they cover they refuse at the same field. They also compile, use only what a CRD
//! rule may use, and stay within the API server's cost budget.

use kube::core::cel::{ScopeContext, Validator, WarningKind, analyze_rule, compile_schema};
use neo4j_api::review::{Kind, review};
use neo4j_api::rules::Context;
use neo4j_api::rules::catalogue;
use neo4j_tests::fixtures::{fixtures, yaml_document, yaml_files};
use neo4j_tests::resources::{all_crds, crd_of, kind_of, schema_of};
use serde_json::{Value, json};

/// The object as the API server stores it after our mutating webhook: with its defaults.
fn defaulted(object: &Value) -> Value {
    let mut result = object.clone();
    if let Some(kind) = Kind::of(object) {
        json_patch::patch(&mut result, &kind.defaults(object)).expect("defaults apply");
    }
    result
}

/// Field paths of the CEL errors of an object (and its old version, on update).
fn cel_errors(object: &Value, old: Option<&Value>) -> Vec<String> {
    let schema = schema_of(&crd_of(kind_of(object)));
    match Validator::new().validate(&schema, &defaulted(object), old.map(defaulted).as_ref()) {
        Ok(()) => Vec::new(),
        Err(errors) => errors.as_slice().iter().map(|e| format!("{} ({})", e.field_path, e.message)).collect(),
    }
}

fn rust_errors(object: &Value, old: Option<&Value>) -> Vec<String> {
    review(old, object, &Context::default()).expect("one of our kinds").verdict.error_lines()
}

fn rules_of(node: &Value, found: &mut Vec<(String, Value)>) {
    if let Some(rules) = node["x-kubernetes-validations"].as_array() {
        for rule in rules {
            found.push((rule["rule"].as_str().unwrap_or_default().to_owned(), node.clone()));
        }
    }
    for child in node["properties"].as_object().into_iter().flat_map(|p| p.values()) {
        rules_of(child, found);
    }
    if node["items"].is_object() {
        rules_of(&node["items"], found);
    }
}

#[test]
fn every_rule_compiles_in_crd_scope_within_the_cost_budget() {
    let mut count = 0;
    for crd in all_crds() {
        let mut rules = Vec::new();
        rules_of(&schema_of(&crd), &mut rules);
        for (rule, node) in rules {
            count += 1;
            let problems: Vec<String> = analyze_rule(&rule, &compile_schema(&node), ScopeContext::CrdValidation)
                .into_iter()
                .filter(|w| matches!(w.kind, WarningKind::CostExceeded | WarningKind::WrongScope))
                .map(|w| w.message)
                .collect();
            assert!(problems.is_empty(), "{}: {rule}: {problems:?}", crd.spec.names.kind);
        }
    }
    assert!(count >= 15, "the CRDs carry their CEL rules ({count} found)");
}

#[test]
fn seed_examples_pass_the_cel_rules() {
    for path in yaml_files(&fixtures("seeds")) {
        let document = yaml_document(&path);
        assert_eq!(cel_errors(&document, None), Vec::<String>::new(), "{}", path.display());
    }
}

#[test]
fn cel_never_refuses_what_the_rust_rules_accept() {
    let mut objects: Vec<Value> = yaml_files(&fixtures("seeds")).iter().map(|p| yaml_document(p)).collect();
    objects.extend(catalogue::catalogue().iter().map(catalogue::example_object));
    for object in objects {
        let cel = cel_errors(&object, None);
        if !cel.is_empty() {
            assert!(!rust_errors(&object, None).is_empty(), "CEL refuses what the rules accept:\n{object:#}\n{cel:?}");
        }
    }
}

/// Cases a CEL rule covers: both must refuse, at the same field.
#[test]
fn both_refuse_what_cel_covers_at_the_same_field() {
    let base = |kind| catalogue::base_object(kind);
    let with = |kind, patch: Value| {
        let mut object = base(kind);
        json_patch::merge(&mut object, &patch);
        object
    };
    let started = |phase: &str| with(Kind::Restore, json!({"status": {"phase": phase}}));
    let cases: Vec<(Value, Option<Value>, &str)> = vec![
        (
            with(Kind::Backup, json!({"spec": {"target": {"kind": "Database", "name": "orders"}}})),
            None,
            "spec.target.clusterRef",
        ),
        (with(Kind::Backup, json!({"spec": {"storage": {"bucket": null}}})), None, "spec.storage.bucket"),
        (
            with(Kind::Backup, json!({"spec": {"storage": {"type": "pvc", "bucket": null, "cloud": null}}})),
            None,
            "spec.storage.pvc",
        ),
        (
            with(Kind::Backup, json!({"spec": {"storage": {"cloud": {"provider": "gcp"}}}})),
            None,
            "spec.storage.cloud.provider",
        ),
        (
            with(Kind::Backup, json!({"spec": {"storage": {"cloud": {"identity": {"provider": "aws"}}}}})),
            None,
            "spec.storage.cloud.identity",
        ),
        (with(Kind::Backup, json!({"spec": {"retention": {"deletePolicy": "Delete"}}})), None, "spec.retention"),
        (with(Kind::Backup, json!({"spec": {"target": {"name": "other"}}})), Some(base(Kind::Backup)), "spec.target"),
        (with(Kind::Restore, json!({"spec": {"source": {"backupRef": null}}})), None, "spec.source.backupRef"),
        (
            with(Kind::Restore, json!({"spec": {"source": {"storage": {"type": "s3", "bucket": "b-1"}}}})),
            None,
            "spec.source.storage",
        ),
        (
            with(Kind::Restore, json!({"spec": {"source": {"type": "gcs", "backupRef": null}}})),
            None,
            "spec.source.storage",
        ),
        (
            with(
                Kind::Restore,
                json!({"spec": {"source": {"type": "s3", "backupRef": null, "storage": {"type": "gcs", "bucket": "b-1"}}}}),
            ),
            None,
            "spec.source.storage.type",
        ),
        (
            with(Kind::Restore, json!({"spec": {"source": {"type": "pitr", "backupRef": null}}})),
            None,
            "spec.source.pointInTime",
        ),
        (
            with(
                Kind::Restore,
                json!({"spec": {"source": {"type": "pitr", "backupRef": null, "pointInTime": "2025-01-04T12:30:00Z",
                "pitr": {"baseBackup": {"type": "storage"}}}}}),
            ),
            None,
            "spec.source.pitr.baseBackup.storage",
        ),
        (with(Kind::Restore, json!({"spec": {"databaseName": "systemx"}})), None, "spec.databaseName"),
        (with(Kind::Restore, json!({"spec": {"databaseName": "other"}})), Some(started("Running")), "spec"),
    ];
    for (object, old, field) in cases {
        let cel = cel_errors(&object, old.as_ref());
        let rust = rust_errors(&object, old.as_ref());
        // A rule on the root object (immutability after start) reports no field path.
        let cel_field = if field == "spec" { "" } else { field };
        assert!(cel.iter().any(|e| e.starts_with(&format!("{cel_field} ("))), "CEL at {field}: {cel:?}");
        assert!(rust.iter().any(|e| e.starts_with(&format!("{field}:"))), "Rust at {field}: {rust:?}");
    }
    // Before the restore starts, and for changes outside the guarded fields, CEL lets updates through.
    let renamed = with(Kind::Restore, json!({"spec": {"databaseName": "other"}}));
    assert_eq!(cel_errors(&renamed, Some(&started("Pending"))), Vec::<String>::new());
    assert_eq!(cel_errors(&base(Kind::Restore), Some(&started("Completed"))), Vec::<String>::new());
}
