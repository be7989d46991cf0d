//! An offline model of two things the API server does with a CRD's `openAPIV3Schema`:
//! refusing a schema that is not structural, and validating (and pruning) objects against it.
//!
//! It is not the API server: the e2e suite checks the same fixtures against a real one. It exists
//! so that a schema regression or a field that would be silently pruned fails in a plain
//! `cargo test`, without a cluster.

use std::str::FromStr;

use serde_json::{Map, Value};

const JUNCTORS: [&str; 4] = ["allOf", "anyOf", "oneOf", "not"];
const FORBIDDEN_IN_JUNCTORS: [&str; 5] = ["description", "type", "default", "additionalProperties", "nullable"];
const FORBIDDEN_ANYWHERE: [&str; 5] = ["$ref", "$schema", "definitions", "$defs", "uniqueItems"];

/// Every way `schema` breaks the rules of a structural schema (empty when it is structural).
pub fn structural_violations(schema: &Value) -> Vec<String> {
    let mut found = Vec::new();
    check_node(schema, "openAPIV3Schema", true, &mut found);
    found
}

fn check_node(node: &Value, path: &str, typed_position: bool, found: &mut Vec<String>) {
    let Some(obj) = node.as_object() else {
        found.push(format!("{path}: a schema must be an object, found {node}"));
        return;
    };
    let int_or_string = obj.get("x-kubernetes-int-or-string") == Some(&Value::Bool(true));
    let preserve = obj.get("x-kubernetes-preserve-unknown-fields");
    if preserve == Some(&Value::Bool(false)) {
        found.push(format!("{path}: x-kubernetes-preserve-unknown-fields must be true or absent"));
    }
    let preserves = preserve == Some(&Value::Bool(true));
    if typed_position
        && !int_or_string
        && !preserves
        && obj.get("type").and_then(Value::as_str).is_none_or(str::is_empty)
    {
        found.push(format!("{path}: every field needs a type"));
    }
    for key in FORBIDDEN_ANYWHERE {
        if obj.contains_key(key) {
            found.push(format!("{path}: `{key}` is not allowed in a CRD schema"));
        }
    }
    if obj.contains_key("properties") && obj.contains_key("additionalProperties") {
        found.push(format!("{path}: properties and additionalProperties are mutually exclusive"));
    }
    if let Some(additional) = obj.get("additionalProperties") {
        match additional {
            Value::Object(_) => check_node(additional, &format!("{path}.additionalProperties"), true, found),
            other => found.push(format!("{path}: additionalProperties must be a schema, found {other}")),
        }
    }
    if let Some(props) = obj.get("properties").and_then(Value::as_object) {
        for (name, child) in props {
            check_node(child, &format!("{path}.{name}"), true, found);
        }
    }
    if let Some(items) = obj.get("items") {
        match items {
            Value::Object(_) => check_node(items, &format!("{path}[]"), true, found),
            other => found.push(format!("{path}: items must be a single schema, found {other}")),
        }
    } else if obj.get("type") == Some(&Value::String("array".into())) {
        found.push(format!("{path}: an array needs items"));
    }
    if let Some(values) = obj.get("enum").and_then(Value::as_array)
        && values.iter().any(Value::is_null)
    {
        found.push(format!("{path}: enum lists null (use nullable instead)"));
    }
    if obj.get("x-kubernetes-list-type").and_then(Value::as_str) == Some("map") {
        check_list_map(obj, path, found);
    }
    for junctor in JUNCTORS {
        let branches = match obj.get(junctor) {
            Some(Value::Array(branches)) => branches.clone(),
            Some(single) => vec![single.clone()],
            None => continue,
        };
        for (i, branch) in branches.iter().enumerate() {
            let branch_path = format!("{path}.{junctor}[{i}]");
            if let Some(branch_obj) = branch.as_object() {
                for key in FORBIDDEN_IN_JUNCTORS {
                    if branch_obj.contains_key(key) && !int_or_string {
                        found.push(format!("{branch_path}: `{key}` is not allowed inside {junctor}"));
                    }
                }
                for name in
                    branch_obj.get("properties").and_then(Value::as_object).into_iter().flatten().map(|(n, _)| n)
                {
                    let outside = obj.get("properties").and_then(|p| p.get(name)).is_some();
                    if !outside {
                        found.push(format!("{branch_path}: field `{name}` must also be specified outside {junctor}"));
                    }
                }
            }
            check_node(branch, &branch_path, false, found);
        }
    }
}

/// A list-map needs object items whose key fields are required (or defaulted).
fn check_list_map(obj: &Map<String, Value>, path: &str, found: &mut Vec<String>) {
    let items = obj.get("items").cloned().unwrap_or_default();
    if items.get("type").and_then(Value::as_str) != Some("object") {
        found.push(format!("{path}: a list-map needs object items"));
    }
    let keys = obj.get("x-kubernetes-list-map-keys").and_then(Value::as_array).cloned().unwrap_or_default();
    if keys.is_empty() {
        found.push(format!("{path}: a list-map needs x-kubernetes-list-map-keys"));
    }
    let required = items.get("required").and_then(Value::as_array).cloned().unwrap_or_default();
    for key in keys.iter().filter_map(Value::as_str) {
        let defaulted = items["properties"][key].get("default").is_some();
        if !required.iter().any(|r| r == key) && !defaulted {
            found.push(format!("{path}: list-map key `{key}` must be required or defaulted"));
        }
    }
}

/// Every way `value` fails `schema`, as the API server would report it, plus every field the API
/// server would silently prune (a field the schema does not know). Empty when the object is accepted whole.
pub fn object_violations(value: &Value, schema: &Value) -> Vec<String> {
    let mut found = Vec::new();
    let root = value.as_object().cloned().unwrap_or_default();
    // apiVersion, kind and metadata are validated by the API server itself, not by the CRD schema.
    let body: Map<String, Value> =
        root.into_iter().filter(|(key, _)| !matches!(key.as_str(), "apiVersion" | "kind" | "metadata")).collect();
    let mut schema = schema.clone();
    if let Some(props) = schema.get_mut("properties").and_then(Value::as_object_mut) {
        props.remove("apiVersion");
        props.remove("kind");
        props.remove("metadata");
    }
    check_value(&Value::Object(body), &schema, "", &mut found);
    found
}

fn join(path: &str, name: &str) -> String {
    if path.is_empty() { name.to_owned() } else { format!("{path}.{name}") }
}

fn check_value(value: &Value, schema: &Value, path: &str, found: &mut Vec<String>) {
    let flag = |key: &str| schema.get(key) == Some(&Value::Bool(true));
    if value.is_null() {
        if !flag("nullable") {
            found.push(format!("{path}: must not be null"));
        }
        return;
    }
    let int_or_string = flag("x-kubernetes-int-or-string");
    let type_ok = match schema.get("type").and_then(Value::as_str) {
        _ if int_or_string => value.is_string() || value.is_i64() || value.is_u64(),
        None => true,
        Some("object") => value.is_object(),
        Some("array") => value.is_array(),
        Some("string") => value.is_string(),
        Some("integer") => value.is_i64() || value.is_u64(),
        Some("number") => value.is_number(),
        Some("boolean") => value.is_boolean(),
        Some(other) => {
            found.push(format!("{path}: schema has unknown type {other}"));
            return;
        }
    };
    if !type_ok {
        found.push(format!("{path}: {value} is not of type {}", schema["type"]));
        return;
    }
    if let Some(values) = schema.get("enum").and_then(Value::as_array)
        && !values.contains(value)
    {
        found.push(format!("{path}: {value} is not one of {}", Value::Array(values.clone())));
    }
    if schema.get("format").and_then(Value::as_str) == Some("date-time")
        && let Some(text) = value.as_str()
        && k8s_openapi::jiff::Timestamp::from_str(text).is_err()
    {
        found.push(format!("{path}: {text:?} is not an RFC 3339 date-time"));
    }
    let bound = |key: &str| schema.get(key).and_then(Value::as_f64);
    if let (Some(n), Some(max)) = (value.as_f64(), bound("maximum"))
        && n > max
    {
        found.push(format!("{path}: {n} is above the maximum {max}"));
    }
    if let (Some(n), Some(min)) = (value.as_f64(), bound("minimum"))
        && n < min
    {
        found.push(format!("{path}: {n} is below the minimum {min}"));
    }
    if let (Some(text), Some(max)) = (value.as_str(), bound("maxLength"))
        && text.chars().count() as f64 > max
    {
        found.push(format!("{path}: longer than {max} characters"));
    }
    match value {
        Value::Object(fields) => check_object(fields, schema, path, found),
        Value::Array(items) => {
            if let Some(max) = bound("maxItems")
                && items.len() as f64 > max
            {
                found.push(format!("{path}: more than {max} items"));
            }
            if let Some(item_schema) = schema.get("items") {
                for (i, item) in items.iter().enumerate() {
                    check_value(item, item_schema, &format!("{path}[{i}]"), found);
                }
            }
        }
        _ => {}
    }
}

fn check_object(fields: &Map<String, Value>, schema: &Value, path: &str, found: &mut Vec<String>) {
    for required in schema.get("required").and_then(Value::as_array).into_iter().flatten() {
        if let Some(name) = required.as_str()
            && !fields.contains_key(name)
        {
            found.push(format!("{}: required", join(path, name)));
        }
    }
    let properties = schema.get("properties").and_then(Value::as_object);
    let preserves = schema.get("x-kubernetes-preserve-unknown-fields") == Some(&Value::Bool(true));
    for (name, child) in fields {
        let child_path = join(path, name);
        if let Some(child_schema) = properties.and_then(|props| props.get(name)) {
            check_value(child, child_schema, &child_path, found);
        } else if let Some(additional) = schema.get("additionalProperties").filter(|a| a.is_object()) {
            check_value(child, additional, &child_path, found);
        } else if !preserves {
            found.push(format!("{child_path}: unknown field, the API server would prune it"));
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_field_without_type_is_not_structural() {
        let schema = json!({"type": "object", "properties": {"a": {"description": "no type"}}});
        assert_eq!(structural_violations(&schema), vec!["openAPIV3Schema.a: every field needs a type"]);
    }

    #[test]
    fn preserve_unknown_fields_stands_in_for_a_type() {
        let schema = json!({"type": "object", "properties": {"a": {"x-kubernetes-preserve-unknown-fields": true}}});
        assert!(structural_violations(&schema).is_empty());
    }

    #[test]
    fn junctors_may_not_carry_types_or_new_fields() {
        let schema = json!({"type": "object", "properties": {"a": {"type": "string"}},
            "anyOf": [{"type": "object", "properties": {"b": {"type": "string"}}}]});
        assert_eq!(
            structural_violations(&schema),
            vec![
                "openAPIV3Schema.anyOf[0]: `type` is not allowed inside anyOf",
                "openAPIV3Schema.anyOf[0]: field `b` must also be specified outside anyOf",
            ]
        );
    }

    #[test]
    fn null_in_enum_and_boolean_additional_properties_are_refused() {
        let schema = json!({"type": "object", "additionalProperties": true,
            "properties": {"e": {"type": "string", "enum": ["a", null], "nullable": true}}});
        assert_eq!(
            structural_violations(&schema),
            vec![
                "openAPIV3Schema: properties and additionalProperties are mutually exclusive",
                "openAPIV3Schema: additionalProperties must be a schema, found true",
                "openAPIV3Schema.e: enum lists null (use nullable instead)",
            ]
        );
    }

    #[test]
    fn list_map_keys_must_be_required() {
        let schema = json!({"type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["type"],
            "items": {"type": "object", "properties": {"type": {"type": "string"}}}});
        assert_eq!(
            structural_violations(&schema),
            vec!["openAPIV3Schema: list-map key `type` must be required or defaulted"]
        );
        let mut fixed = schema.clone();
        fixed["items"]["required"] = json!(["type"]);
        assert!(structural_violations(&fixed).is_empty());
    }

    #[test]
    fn objects_are_checked_for_types_enums_required_and_pruned_fields() {
        let schema = json!({"type": "object", "properties": {"spec": {"type": "object", "required": ["kind"],
        "properties": {
            "kind": {"type": "string", "enum": ["A", "B"]},
            "when": {"type": "string", "format": "date-time", "nullable": true},
            "n": {"type": "integer"},
            "free": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}
        }}}});
        let object = json!({"apiVersion": "x/v1", "kind": "K", "metadata": {"name": "n"},
            "spec": {"kind": "C", "when": "yesterday", "n": "3", "extra": 1, "free": {"anything": [1]}}});
        assert_eq!(
            object_violations(&object, &schema),
            vec![
                "spec.extra: unknown field, the API server would prune it",
                "spec.kind: \"C\" is not one of [\"A\",\"B\"]",
                "spec.n: \"3\" is not of type \"integer\"",
                "spec.when: \"yesterday\" is not an RFC 3339 date-time",
            ]
        );
        let good = json!({"spec": {"kind": "A", "when": null, "n": 3, "free": {"x": 1}}});
        assert!(object_violations(&good, &schema).is_empty());
        assert_eq!(object_violations(&json!({"spec": {}}), &schema), vec!["spec.kind: required"]);
    }
}
