//! Where two JSON values differ, as paths a reader can act on.

use serde_json::Value;

/// Paths at which `after` differs from `before`: `missing`, `added` or `changed`.
pub fn json_differences(before: &Value, after: &Value) -> Vec<String> {
    let mut found = Vec::new();
    walk(before, after, "", &mut found);
    found
}

fn walk(before: &Value, after: &Value, path: &str, found: &mut Vec<String>) {
    match (before, after) {
        (Value::Object(a), Value::Object(b)) => {
            for (key, value) in a {
                let child = format!("{path}.{key}");
                match b.get(key) {
                    Some(other) => walk(value, other, &child, found),
                    None => found.push(format!("{child}: missing after round trip (was {value})")),
                }
            }
            for key in b.keys().filter(|key| !a.contains_key(*key)) {
                found.push(format!("{path}.{key}: added by round trip"));
            }
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                walk(x, y, &format!("{path}[{i}]"), found);
            }
        }
        _ if before == after => {}
        _ => found.push(format!("{path}: {before} became {after}")),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn reports_missing_added_and_changed_paths() {
        let before = json!({"a": 1, "b": {"c": [1, 2]}, "d": true});
        let after = json!({"a": 1, "b": {"c": [1, 3]}, "e": null});
        assert_eq!(
            json_differences(&before, &after),
            vec![".b.c[1]: 2 became 3", ".d: missing after round trip (was true)", ".e: added by round trip",]
        );
        assert!(json_differences(&before, &before).is_empty());
    }
}
