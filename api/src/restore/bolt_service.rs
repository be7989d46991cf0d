//! Whether the target's `<name>-client` Service may be sent the admin password (issue 13,
//! item 9). The controller connects by DNS name, so whoever may create Services in the target's
//! namespace decides where `<name>-client` leads: an ExternalName Service leads outside the
//! cluster, and a Service some other controller made is not the target's.

use k8s_openapi::api::core::v1::Service;

use crate::plan::target::ResolvedTarget;

/// Why `service` (what `<name>-client` is, if it exists) gets no credentials; `None` when it may.
pub fn distrusted(service: Option<&Service>, target: &ResolvedTarget) -> Option<String> {
    let name = target.client_service();
    let Some(service) = service else {
        return Some(format!(
            "the Service {name:?} does not exist in namespace {:?}; the Neo4j operator creates it with the target, so the target is not ready",
            target.namespace
        ));
    };
    let spec = service.spec.as_ref();
    if spec.and_then(|s| s.type_.as_deref()) == Some("ExternalName") {
        let external = spec.and_then(|s| s.external_name.as_deref()).unwrap_or_default();
        return Some(format!(
            "the Service {name:?} is of type ExternalName (it leads to {external:?}, outside the cluster): the admin password is sent only to the target's own Service; delete it and let the Neo4j operator create it again"
        ));
    }
    target.foreign_controller(&service.metadata).map(|owner| {
        format!(
            "the Service {name:?} is controlled by {owner}, not by the target {:?}: the admin password is sent only to the target's own Service",
            target.name
        )
    })
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;

    fn target() -> ResolvedTarget {
        let cluster =
            serde_json::from_value(json!({"apiVersion": "neo4j.neo4j.com/v1beta1", "kind": "Neo4jEnterpriseCluster",
            "metadata": {"name": "prod", "namespace": "db"}, "spec": {"image": {"tag": "2025.04.0-enterprise"}}}))
            .unwrap();
        ResolvedTarget::from_cluster(&cluster, "db").unwrap()
    }

    fn service(spec: Value, owner: Value) -> Service {
        serde_json::from_value(
            json!({"metadata": {"name": "prod-client", "namespace": "db", "ownerReferences": owner}, "spec": spec}),
        )
        .unwrap()
    }

    #[test]
    fn the_operators_cluster_ip_service_is_trusted() {
        let owner = json!([{"apiVersion": "neo4j.neo4j.com/v1beta1", "kind": "Neo4jEnterpriseCluster", "name": "prod", "uid": "u", "controller": true}]);
        assert_eq!(distrusted(Some(&service(json!({"type": "ClusterIP"}), owner)), &target()), None);
        // No owner recorded (an older operator): nothing says it is someone else's.
        assert_eq!(distrusted(Some(&service(json!({}), json!(null))), &target()), None);
    }

    #[test]
    fn an_external_name_service_gets_no_credentials() {
        let external = service(json!({"type": "ExternalName", "externalName": "collector.example.com"}), json!(null));
        assert_eq!(
            distrusted(Some(&external), &target()).unwrap(),
            "the Service \"prod-client\" is of type ExternalName (it leads to \"collector.example.com\", outside the cluster): the admin password is sent only to the target's own Service; delete it and let the Neo4j operator create it again"
        );
    }

    #[test]
    fn a_service_another_controller_owns_gets_no_credentials() {
        let owner =
            json!([{"apiVersion": "apps/v1", "kind": "Deployment", "name": "proxy", "uid": "d", "controller": true}]);
        assert_eq!(
            distrusted(Some(&service(json!({"type": "ClusterIP"}), owner)), &target()).unwrap(),
            "the Service \"prod-client\" is controlled by Deployment \"proxy\", not by the target \"prod\": the admin password is sent only to the target's own Service"
        );
    }

    #[test]
    fn a_missing_service_means_the_target_is_not_ready() {
        assert_eq!(
            distrusted(None, &target()).unwrap(),
            "the Service \"prod-client\" does not exist in namespace \"db\"; the Neo4j operator creates it with the target, so the target is not ready"
        );
    }
}
