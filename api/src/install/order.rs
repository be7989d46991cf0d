//! The order of an install: everything but the webhook configurations first, then (once the
//! webhook has available replicas and its CA is known) the configurations. Our kinds are judged
//! with `failurePolicy: Fail`, so a configuration applied before its backend answers would refuse
//! every Neo4jBackup and Neo4jRestore of the cluster.

use serde_json::Value;

/// Whether `object` is a webhook configuration (applied last, removed first).
pub fn is_gate(object: &Value) -> bool {
    matches!(object["kind"].as_str(), Some("MutatingWebhookConfiguration" | "ValidatingWebhookConfiguration"))
}

/// The bundle split into what goes first (in bundle order) and the webhook configurations.
pub fn split(objects: Vec<Value>) -> (Vec<Value>, Vec<Value>) {
    objects.into_iter().partition(|object| !is_gate(object))
}

/// Sets `ca_bundle` (base64 of the PEM bundle) on every webhook of a configuration, so the API
/// server trusts the webhook from the moment the configuration exists.
pub fn trust(configuration: &mut Value, ca_bundle: &str) {
    if let Some(webhooks) = configuration["webhooks"].as_array_mut() {
        for webhook in webhooks {
            webhook["clientConfig"]["caBundle"] = Value::String(ca_bundle.to_owned());
        }
    }
}

/// Whether a Deployment serves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Readiness {
    /// Every replica is updated and available.
    Ready {
        /// Available replicas.
        available: i64,
    },
    /// Not yet, and what it shows.
    Waiting(String),
}

/// The readiness of a Deployment from what the API server holds (`None`: not there).
pub fn deployment(deployment: Option<&Value>) -> Readiness {
    let Some(deployment) = deployment else { return Readiness::Waiting("not created yet".to_owned()) };
    let status = &deployment["status"];
    let generation = deployment["metadata"]["generation"].as_i64().unwrap_or(0);
    if status["observedGeneration"].as_i64().unwrap_or(0) < generation {
        return Readiness::Waiting(format!("generation {generation} not rolled out yet"));
    }
    let wanted = deployment["spec"]["replicas"].as_i64().unwrap_or(1);
    let available = status["availableReplicas"].as_i64().unwrap_or(0);
    let updated = status["updatedReplicas"].as_i64().unwrap_or(0);
    if available >= wanted && updated >= wanted {
        return Readiness::Ready { available };
    }
    let mut shown = format!("{available}/{wanted} available");
    // What the Deployment and ReplicaSet controllers say is wrong (a refused Pod, a deadline).
    for condition in status["conditions"].as_array().into_iter().flatten() {
        let failing = match condition["type"].as_str() {
            Some("ReplicaFailure") => condition["status"] == "True",
            Some("Progressing") => condition["status"] == "False",
            _ => false,
        };
        if failing && let Some(message) = condition["message"].as_str() {
            shown.push_str(&format!("; {message}"));
        }
    }
    Readiness::Waiting(shown)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn configurations_go_last_and_carry_the_ca() {
        let objects = vec![
            json!({"kind": "CustomResourceDefinition"}),
            json!({"kind": "MutatingWebhookConfiguration", "webhooks": [{"name": "m", "clientConfig": {"service": {}}}]}),
            json!({"kind": "Deployment"}),
            json!({"kind": "ValidatingWebhookConfiguration", "webhooks": [{"name": "a"}, {"name": "b"}]}),
        ];
        let (first, mut gates) = split(objects);
        assert_eq!(first, vec![json!({"kind": "CustomResourceDefinition"}), json!({"kind": "Deployment"})]);
        assert_eq!(gates.len(), 2);
        for gate in &mut gates {
            trust(gate, "Q0E=");
        }
        assert_eq!(gates[0]["webhooks"][0]["clientConfig"], json!({"service": {}, "caBundle": "Q0E="}));
        assert_eq!(gates[1]["webhooks"][1]["clientConfig"], json!({"caBundle": "Q0E="}));
    }

    #[test]
    fn a_deployment_serves_once_every_replica_is_updated_and_available() {
        assert_eq!(deployment(None), Readiness::Waiting("not created yet".into()));
        let at = |observed: i64, available: i64, updated: i64| {
            json!({"metadata": {"generation": 2}, "spec": {"replicas": 2},
                "status": {"observedGeneration": observed, "availableReplicas": available, "updatedReplicas": updated}})
        };
        assert_eq!(deployment(Some(&at(1, 2, 2))), Readiness::Waiting("generation 2 not rolled out yet".into()));
        assert_eq!(deployment(Some(&at(2, 1, 2))), Readiness::Waiting("1/2 available".into()));
        assert_eq!(deployment(Some(&at(2, 2, 1))), Readiness::Waiting("2/2 available".into()));
        assert_eq!(deployment(Some(&at(2, 2, 2))), Readiness::Ready { available: 2 });
        let refused = json!({"metadata": {"generation": 1}, "spec": {"replicas": 2}, "status": {"observedGeneration": 1,
        "conditions": [
            {"type": "Available", "status": "False", "message": "Deployment does not have minimum availability."},
            {"type": "ReplicaFailure", "status": "True", "message": "pods \"neo4j-webhook-1\" is forbidden: exceeded quota"},
        ]}});
        assert_eq!(
            deployment(Some(&refused)),
            Readiness::Waiting("0/2 available; pods \"neo4j-webhook-1\" is forbidden: exceeded quota".into())
        );
    }
}
