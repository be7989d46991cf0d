//! Building objects for rule tables: a valid base object with a merge patch on top.

#![allow(dead_code)]

use neo4j_api::review::review;
use neo4j_api::rules::Context;
use serde_json::{Value, json};

pub fn backup(overrides: Value) -> Value {
    merged(
        json!({"apiVersion": "neo4j.neo4j.com/v1alpha1", "kind": "Neo4jBackup",
            "metadata": {"name": "nightly", "namespace": "neo4j"},
            "spec": {"target": {"kind": "Cluster", "name": "prod"},
                     "storage": {"type": "s3", "bucket": "my-backups", "cloud": {"credentialsSecretRef": "aws-creds"}}}}),
        overrides,
    )
}

pub fn restore(overrides: Value) -> Value {
    merged(
        json!({"apiVersion": "neo4j.neo4j.com/v1alpha1", "kind": "Neo4jRestore",
            "metadata": {"name": "restore-orders", "namespace": "neo4j"},
            "spec": {"targetCluster": "prod", "databaseName": "orders",
                     "source": {"type": "backup", "backupRef": "nightly"}}}),
        overrides,
    )
}

pub fn cluster(overrides: Value) -> Value {
    merged(
        json!({"apiVersion": "neo4j.neo4j.com/v1alpha1", "kind": "Neo4jEnterpriseCluster",
            "metadata": {"name": "prod", "namespace": "neo4j"},
            "spec": {"image": {"repo": "neo4j", "tag": "2025.01.0-enterprise"}, "topology": {"servers": 3}}}),
        overrides,
    )
}

fn merged(mut base: Value, overrides: Value) -> Value {
    json_patch::merge(&mut base, &overrides);
    base
}

/// Error lines and warnings of an object under a context.
pub fn judge_with(object: &Value, ctx: &Context) -> (Vec<String>, Vec<String>) {
    let review = review(None, object, ctx).expect("one of our kinds");
    (review.verdict.error_lines(), review.verdict.warnings)
}

/// Error lines and warnings of an object without context.
pub fn judge(object: &Value) -> (Vec<String>, Vec<String>) {
    judge_with(object, &Context::default())
}

/// Error lines and warnings of an update from `old` to `new`.
pub fn judge_update(old: &Value, new: &Value) -> (Vec<String>, Vec<String>) {
    let review = review(Some(old), new, &Context::default()).expect("one of our kinds");
    (review.verdict.error_lines(), review.verdict.warnings)
}

/// Runs a table: each row is (what, object, expected errors, expected warnings).
pub fn table(rows: Vec<(&str, Value, Vec<&str>, Vec<&str>)>, ctx: &Context) {
    for (what, object, errors, warnings) in rows {
        let (found_errors, found_warnings) = judge_with(&object, ctx);
        assert_eq!(found_errors, errors, "{what}: errors");
        assert_eq!(found_warnings, warnings, "{what}: warnings");
    }
}

pub fn target(tag: &str, servers: i32) -> Context<'static> {
    Context {
        target: Some(neo4j_api::rules::TargetFacts {
            image_tag: Some(tag.to_owned()),
            servers: Some(servers),
            ..Default::default()
        }),
        ..Context::default()
    }
}
