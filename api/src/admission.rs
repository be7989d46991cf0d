//! Which admission requests the rules judge at all. Defaults are written once, when an object is
//! created; an update is judged only when it changes the spec of an object that is not being
//! deleted. So the controller's own patches (finalizers, labels) always pass, also for an object
//! whose rules no longer hold (a rule tightened in a later release, a target changed since): a
//! finalizer that cannot be removed would keep its namespace Terminating. The webhook
//! configurations say the same with `matchConditions`; this is the same decision for API servers
//! that send the request anyway.

use serde_json::Value;

/// Whether the rules judge a request of `operation` on `object` (its previous version `old`).
pub fn judged(operation: &str, object: &Value, old: Option<&Value>) -> bool {
    match operation {
        "CREATE" => true,
        "UPDATE" => {
            object.pointer("/metadata/deletionTimestamp").is_none_or(Value::is_null)
                && old.is_none_or(|old| old.get("spec") != object.get("spec"))
        }
        _ => false,
    }
}

/// Whether defaults are written for a request of `operation`: at creation only.
pub fn defaulted(operation: &str) -> bool {
    operation == "CREATE"
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn only_creation_and_spec_changes_are_judged() {
        let spec = json!({"metadata": {"name": "r", "finalizers": ["f"]}, "spec": {"databaseName": "orders"}});
        let mut released = spec.clone();
        released["metadata"]["finalizers"] = json!([]);
        let mut changed = spec.clone();
        changed["spec"]["databaseName"] = json!("other");
        let mut deleting = changed.clone();
        deleting["metadata"]["deletionTimestamp"] = json!("2025-01-20T03:00:00Z");
        assert!(judged("CREATE", &spec, None));
        assert!(judged("UPDATE", &changed, Some(&spec)));
        assert!(!judged("UPDATE", &released, Some(&spec)), "metadata only");
        assert!(!judged("UPDATE", &deleting, Some(&spec)), "being deleted");
        assert!(judged("UPDATE", &changed, None), "no old object: judged");
        assert!(!judged("DELETE", &spec, None));
        assert!(defaulted("CREATE") && !defaulted("UPDATE"));
    }
}
