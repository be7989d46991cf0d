//! A JSON merge patch (RFC 7386) that turns the status the API server has into the one computed.
//!
//! Serializing the new status alone is not enough: a merge patch leaves every field it does not
//! name as it was, so a field that became empty (`status.shipping` when a backup stops shipping, a
//! `progress` value that no longer applies) would stay forever. Fields the previous status had and
//! the new one has not are sent as `null`, which removes them.

use serde_json::{Map, Value};

/// The merge patch from `previous` to `next`: `next` itself, with `null` for every member of an
/// object in `previous` that `next` no longer has, at every depth where both are objects (arrays
/// are replaced whole, as RFC 7386 says).
pub fn merge_patch(previous: &Value, next: &Value) -> Value {
    match (previous, next) {
        (Value::Object(before), Value::Object(after)) => {
            let mut patch = Map::with_capacity(after.len());
            for (key, value) in after {
                let patched = match before.get(key) {
                    Some(old) => merge_patch(old, value),
                    None => value.clone(),
                };
                patch.insert(key.clone(), patched);
            }
            for key in before.keys().filter(|key| !after.contains_key(*key)) {
                patch.insert(key.clone(), Value::Null);
            }
            Value::Object(patch)
        }
        _ => next.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::merge_patch;
    use serde_json::json;

    /// Applies a merge patch as RFC 7386, section 2 defines it.
    fn apply(target: &serde_json::Value, patch: &serde_json::Value) -> serde_json::Value {
        let (Some(target), Some(patch)) = (target.as_object(), patch.as_object()) else { return patch.clone() };
        let mut out = target.clone();
        for (key, value) in patch {
            if value.is_null() {
                out.remove(key);
            } else {
                let merged = apply(out.get(key).unwrap_or(&serde_json::Value::Null), value);
                out.insert(key.clone(), merged);
            }
        }
        serde_json::Value::Object(out)
    }

    #[test]
    fn fields_that_are_gone_are_removed_at_every_depth() {
        let previous = json!({
            "phase": "Scheduled",
            "shipping": {"runningJob": "b-backup-1", "consecutiveFailures": 0},
            "history": [{"jobName": "a"}, {"jobName": "b"}],
            "progress": {"step": "Restoring", "failure": "x"}
        });
        let next = json!({"phase": "Scheduled", "history": [{"jobName": "b"}], "progress": {"step": "Restoring"}});
        let patch = merge_patch(&previous, &next);
        assert_eq!(
            patch,
            json!({
                "phase": "Scheduled",
                "shipping": null,
                "history": [{"jobName": "b"}],
                "progress": {"step": "Restoring", "failure": null}
            })
        );
        assert_eq!(apply(&previous, &patch), next);
    }

    #[test]
    fn without_a_previous_status_the_patch_is_the_status() {
        let next = json!({"phase": "Running", "progress": {"step": "Verifying"}});
        assert_eq!(merge_patch(&serde_json::Value::Null, &next), next);
        assert_eq!(merge_patch(&json!({"phase": "Pending"}), &json!("x")), json!("x"));
    }
}
