//! The webhook's manifests, rendered per variant as `kubectl apply -k` would, hold what the design
//! promises: least RBAC, a restricted and sized Deployment, and webhook configurations that judge
//! exactly our kinds.

use neo4j_tests::fixtures::workspace_root;
use neo4j_tests::kustomize::render;
use serde_json::{Value, json};

const NAMESPACE: &str = "neo4j-system";

fn overlay(name: &str) -> Vec<Value> {
    render(&workspace_root().join("manifests/webhook").join(name))
}

fn one<'a>(objects: &'a [Value], kind: &str, name: &str) -> &'a Value {
    let found: Vec<&Value> = objects.iter().filter(|o| o["kind"] == kind && o["metadata"]["name"] == name).collect();
    assert_eq!(found.len(), 1, "exactly one {kind} {name}");
    found[0]
}

fn webhooks(objects: &[Value]) -> Vec<(String, Value)> {
    objects
        .iter()
        .filter(|o| o["kind"].as_str().is_some_and(|k| k.ends_with("WebhookConfiguration")))
        .flat_map(|o| {
            o["webhooks"]
                .as_array()
                .cloned()
                .unwrap_or_default()
                .into_iter()
                .map(|w| (o["kind"].as_str().unwrap().to_owned(), w))
        })
        .collect()
}

#[test]
fn both_variants_render_the_same_workload() {
    for variant in ["cert-manager", "self-managed"] {
        let objects = overlay(variant);
        let deployment = one(&objects, "Deployment", "neo4j-webhook");
        assert_eq!(deployment["metadata"]["namespace"], NAMESPACE);
        assert_eq!(deployment["spec"]["replicas"], 2);
        let pod = &deployment["spec"]["template"]["spec"];
        assert_eq!(pod["securityContext"]["runAsNonRoot"], true);
        assert_eq!(pod["securityContext"]["seccompProfile"]["type"], "RuntimeDefault");
        assert!(pod["affinity"]["podAntiAffinity"].is_object(), "replicas spread over nodes");
        let container = &pod["containers"][0];
        assert_eq!(
            container["securityContext"],
            json!({"allowPrivilegeEscalation": false, "readOnlyRootFilesystem": true,
            "runAsNonRoot": true, "capabilities": {"drop": ["ALL"]}})
        );
        for bound in ["requests", "limits"] {
            for resource in ["cpu", "memory"] {
                assert!(container["resources"][bound][resource].is_string(), "{variant}: {bound}.{resource} set");
            }
        }
        assert_eq!(container["readinessProbe"]["httpGet"]["path"], "/readyz");
        assert_eq!(container["livenessProbe"]["httpGet"]["path"], "/healthz");
        let args: Vec<&str> = container["args"].as_array().unwrap().iter().filter_map(Value::as_str).collect();
        if variant == "cert-manager" {
            // cert-manager writes the Secret; the webhook reads it from a volume.
            let mount = container["volumeMounts"][0]["mountPath"].as_str().unwrap();
            assert!(
                args.contains(&format!("--cert={mount}/tls.crt").as_str())
                    && args.contains(&format!("--key={mount}/tls.key").as_str()),
                "{args:?}"
            );
            assert_eq!(pod["volumes"][0]["secret"]["secretName"], "neo4j-webhook-tls");
        } else {
            // The webhook keeps the Secret itself, through the API: no volume that would hold the
            // Pod in ContainerCreating until the Secret exists.
            assert_eq!(
                args,
                [
                    "--listen=0.0.0.0:8443",
                    "--metrics-listen=0.0.0.0:8080",
                    "--manage-certificates",
                    "--drain-timeout=20s",
                    "--log-format=json"
                ]
            );
            assert!(container["volumeMounts"].is_null() && pod["volumes"].is_null(), "{pod}");
            assert_eq!(
                container["env"],
                json!([{"name": "POD_NAMESPACE", "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}}}])
            );
        }

        let pdb = one(&objects, "PodDisruptionBudget", "neo4j-webhook");
        assert_eq!(pdb["spec"]["selector"]["matchLabels"], deployment["spec"]["selector"]["matchLabels"]);
        let service = one(&objects, "Service", "neo4j-webhook");
        assert_eq!(service["spec"]["selector"], deployment["spec"]["selector"]["matchLabels"]);
        assert_eq!(service["spec"]["ports"][0], json!({"name": "https", "port": 443, "targetPort": "https"}));
        let namespace = one(&objects, "Namespace", NAMESPACE);
        assert_eq!(namespace["metadata"]["labels"]["pod-security.kubernetes.io/enforce"], "restricted");
        // Issue 13, item 4: the TLS port for the API server, the metrics port for this namespace
        // and namespaces labelled for scraping only.
        let policy = one(&objects, "NetworkPolicy", "neo4j-webhook");
        assert_eq!(policy["spec"]["podSelector"]["matchLabels"], deployment["spec"]["selector"]["matchLabels"]);
        assert_eq!(
            policy["spec"]["ingress"],
            json!([
                {"ports": [{"port": 8443, "protocol": "TCP"}]},
                {"ports": [{"port": 8080, "protocol": "TCP"}],
                 "from": [{"podSelector": {}}, {"namespaceSelector": {"matchLabels": {"kubectl-neo4j/metrics": "allowed"}}}]},
            ])
        );
    }
}

#[test]
fn rbac_is_least_privilege() {
    let objects = overlay("cert-manager");
    let role = one(&objects, "ClusterRole", "neo4j-webhook");
    assert_eq!(
        role["rules"],
        json!([
            {"apiGroups": ["neo4j.neo4j.com"], "resources": ["neo4jenterpriseclusters", "neo4jenterprisestandalones", "neo4jbackups"], "verbs": ["get", "list", "watch"]},
            {"apiGroups": ["authorization.k8s.io"], "resources": ["subjectaccessreviews"], "verbs": ["create"]},
        ])
    );
    let binding = one(&objects, "ClusterRoleBinding", "neo4j-webhook");
    assert_eq!(
        binding["subjects"],
        json!([{"kind": "ServiceAccount", "name": "neo4j-webhook", "namespace": NAMESPACE}])
    );
    assert!(!serde_json::to_string(&objects).unwrap().contains("\"secrets\""), "no access to Secrets anywhere");

    // Keeping its own certificates adds exactly its Secret and its own webhook configurations.
    let objects = overlay("self-managed");
    let role = one(&objects, "Role", "neo4j-webhook-certificates");
    assert_eq!(role["metadata"]["namespace"], NAMESPACE);
    assert_eq!(
        role["rules"],
        json!([
            {"apiGroups": [""], "resources": ["secrets"], "verbs": ["create"]},
            {"apiGroups": [""], "resources": ["secrets"], "resourceNames": ["neo4j-webhook-tls"], "verbs": ["get", "update"]},
        ])
    );
    let role = one(&objects, "ClusterRole", "neo4j-webhook-certificates");
    assert_eq!(
        role["rules"],
        json!([{"apiGroups": ["admissionregistration.k8s.io"],
            "resources": ["mutatingwebhookconfigurations", "validatingwebhookconfigurations"],
            "resourceNames": ["neo4j-webhook"], "verbs": ["get", "patch"]}])
    );
    for (kind, name) in
        [("RoleBinding", "neo4j-webhook-certificates"), ("ClusterRoleBinding", "neo4j-webhook-certificates")]
    {
        assert_eq!(
            one(&objects, kind, name)["subjects"],
            json!([{"kind": "ServiceAccount", "name": "neo4j-webhook", "namespace": NAMESPACE}])
        );
    }
}

#[test]
fn webhooks_judge_exactly_our_kinds() {
    for variant in ["cert-manager", "self-managed"] {
        let objects = overlay(variant);
        let hooks = webhooks(&objects);
        let mut resources = Vec::new();
        for (kind, hook) in &hooks {
            let name = hook["name"].as_str().unwrap();
            assert_eq!(hook["admissionReviewVersions"], json!(["v1"]), "{name}");
            assert_eq!(hook["sideEffects"], "None", "{name}");
            assert_eq!(hook["matchPolicy"], "Equivalent", "{name}");
            assert!(hook["timeoutSeconds"].as_u64().is_some_and(|t| t <= 10), "{name}: a small timeout");
            assert_eq!(
                hook["namespaceSelector"]["matchExpressions"],
                json!([
                    {"key": "kubernetes.io/metadata.name", "operator": "NotIn", "values": [NAMESPACE]}
                ]),
                "{name}: the webhook's own namespace is excluded"
            );
            let service = &hook["clientConfig"]["service"];
            assert_eq!(
                (service["name"].clone(), service["namespace"].clone(), service["port"].clone()),
                (json!("neo4j-webhook"), json!(NAMESPACE), json!(443))
            );
            let expected_path = if kind == "MutatingWebhookConfiguration" { "/mutate" } else { "/validate" };
            assert_eq!(service["path"], expected_path, "{name}");
            let rule = &hook["rules"][0];
            assert_eq!(hook["rules"].as_array().unwrap().len(), 1);
            let ours = rule["resources"] == json!(["neo4jbackups", "neo4jrestores"]);
            // Ours in our version; the operator's targets in either of theirs (v1beta1 from its v1.13).
            let versions = if ours { json!(["v1alpha1"]) } else { json!(["v1alpha1", "v1beta1"]) };
            // Defaults at creation only; judgement on creation and on updates (which the
            // matchConditions narrow to spec changes).
            let operations =
                if kind == "MutatingWebhookConfiguration" { json!(["CREATE"]) } else { json!(["CREATE", "UPDATE"]) };
            assert_eq!(
                (rule["apiGroups"].clone(), rule["apiVersions"].clone(), rule["operations"].clone()),
                (json!(["neo4j.neo4j.com"]), versions, operations),
                "{name}"
            );
            let expected_policy = if ours { "Fail" } else { "Ignore" };
            assert_eq!(
                hook["failurePolicy"], expected_policy,
                "{name}: Fail for our kinds, Ignore for the Neo4j operator's"
            );
            if kind == "ValidatingWebhookConfiguration" {
                resources.extend(rule["resources"].as_array().unwrap().iter().cloned());
            } else {
                assert!(ours, "only our kinds are mutated");
            }
        }
        resources.sort_by_key(|r| r.as_str().unwrap_or_default().to_owned());
        assert_eq!(
            resources,
            vec![
                json!("neo4jbackups"),
                json!("neo4jenterpriseclusters"),
                json!("neo4jenterprisestandalones"),
                json!("neo4jrestores")
            ]
        );
    }
}

#[test]
fn each_variant_wires_its_ca() {
    let objects = overlay("cert-manager");
    let serving = one(&objects, "Certificate", "neo4j-webhook-serving");
    assert_eq!(serving["spec"]["secretName"], "neo4j-webhook-tls", "the Secret the Deployment mounts");
    assert!(serving["spec"]["dnsNames"].as_array().unwrap().contains(&json!("neo4j-webhook.neo4j-system.svc")));
    for config in objects.iter().filter(|o| o["kind"].as_str().is_some_and(|k| k.ends_with("WebhookConfiguration"))) {
        assert_eq!(
            config["metadata"]["annotations"]["cert-manager.io/inject-ca-from"],
            "neo4j-system/neo4j-webhook-serving"
        );
    }
    let objects = overlay("self-managed");
    for (_, hook) in webhooks(&objects) {
        // Injected at run time: by the webhook, and by `install` from the webhook's Secret.
        assert!(hook["clientConfig"]["caBundle"].is_null(), "{}", hook["name"]);
    }
    for config in objects.iter().filter(|o| o["kind"].as_str().is_some_and(|k| k.ends_with("WebhookConfiguration"))) {
        assert!(config["metadata"]["annotations"].is_null(), "no cert-manager injection");
    }
    assert!(objects.iter().all(|o| o["kind"] != "Certificate"), "no cert-manager objects in the self-managed variant");
}

#[test]
fn the_controller_has_exactly_the_rights_it_uses() {
    let objects = render(&workspace_root().join("manifests/controller"));
    let role = one(&objects, "ClusterRole", "neo4j-controller");
    let text = serde_json::to_string(role).unwrap();
    assert!(!text.contains("\"*\""), "no wildcards: {text}");
    let rules = role["rules"].as_array().unwrap();
    let verbs = |resource: &str| -> Vec<String> {
        rules
            .iter()
            .filter(|r| r["resources"].as_array().unwrap().contains(&json!(resource)))
            .flat_map(|r| r["verbs"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_owned()))
            .collect()
    };
    assert_eq!(
        verbs("neo4jbackups"),
        vec!["get", "list", "watch", "create", "patch"],
        "create and patch: a PITR target's <name>-pitr protection (issue 14)"
    );
    assert_eq!(
        verbs("cronjobs"),
        vec!["get", "list", "watch", "create", "patch", "delete"],
        "delete: the CronJob of a backup that turned to shipping"
    );
    assert_eq!(verbs("neo4jbackups/status"), vec!["patch"]);
    assert_eq!(
        verbs("neo4jenterpriseclusters"),
        vec!["get", "list", "watch", "patch"],
        "targets are read; patch: the restore-in-progress annotation only"
    );
    assert_eq!(verbs("persistentvolumeclaims"), vec!["get", "create"], "claims are never deleted");
    assert!(verbs("leases").is_empty(), "the Lease is reached through a namespaced Role only");
    assert_eq!(verbs("pods"), vec!["list"], "only to read Pods' termination messages");
    assert_eq!(verbs("secrets"), vec!["get"], "a restore's Bolt credentials and CA: read one by name, never list");
    assert_eq!(verbs("statefulsets"), vec!["get"], "read; the size is changed through /scale only");
    assert_eq!(verbs("services"), vec!["get"], "the target's client Service is checked before Bolt (issue 13, item 9)");
    assert_eq!(verbs("statefulsets/scale"), vec!["patch"], "the size and nothing else (issue 13, item 9)");
    assert_eq!(verbs("neo4jrestores"), vec!["get", "list", "watch", "patch"], "patch: the finalizer");
    assert_eq!(verbs("jobs"), vec!["get", "list", "watch", "create", "delete"]);
    let lease_role = one(&objects, "Role", "neo4j-controller-leader-election");
    assert_eq!(lease_role["metadata"]["namespace"], NAMESPACE);
    let deployment = one(&objects, "Deployment", "neo4j-controller");
    let container = &deployment["spec"]["template"]["spec"]["containers"][0];
    assert_eq!(container["securityContext"]["readOnlyRootFilesystem"], true);
    assert_eq!(container["securityContext"]["capabilities"]["drop"], json!(["ALL"]));
    assert_eq!(deployment["spec"]["template"]["spec"]["serviceAccountName"], "neo4j-controller");
    // std::env::temp_dir() is writable (a TLS target's CA goes there), nothing else (issue 13, item 6).
    assert_eq!(container["volumeMounts"], json!([{"name": "tmp", "mountPath": "/tmp"}]));
    assert_eq!(
        deployment["spec"]["template"]["spec"]["volumes"],
        json!([{"name": "tmp", "emptyDir": {"medium": "Memory", "sizeLimit": "16Mi"}}])
    );
    let env: Vec<&str> = container["env"].as_array().unwrap().iter().filter_map(|e| e["name"].as_str()).collect();
    assert_eq!(env, vec!["POD_NAME", "POD_NAMESPACE"], "identity and Lease namespace for leader election");
    let agent = format!("--agent-image={}", neo4j_api::plan::pod::DEFAULT_AGENT_IMAGE);
    assert!(container["args"].as_array().unwrap().contains(&json!(agent)), "the agent of this release");
}

#[test]
fn the_install_bundles_equal_the_kustomizations_they_come_from() {
    use kubectl_neo4j::manifests::{Tls, install_bundle};
    for tls in [Tls::CertManager, Tls::SelfManaged] {
        let generated = install_bundle(&workspace_root(), tls).expect("renders");
        assert!(
            tls.embedded() == generated,
            "manifests/install/{}.yaml differs from manifests/; run `cargo run -p kubectl-neo4j --bin crdgen` and commit",
            tls.name()
        );
        let kinds: Vec<String> = serde_saphyr::from_multiple::<serde_json::Value>(&generated)
            .expect("YAML")
            .iter()
            .map(|o| o["kind"].as_str().unwrap_or_default().to_owned())
            .collect();
        let position =
            |kind: &str| kinds.iter().position(|k| k == kind).unwrap_or_else(|| panic!("{kind} in {kinds:?}"));
        assert!(position("CustomResourceDefinition") < position("Namespace"));
        assert!(position("Namespace") < position("Deployment"), "the namespace before what lives in it");
        assert_eq!(kinds.iter().filter(|k| *k == "Deployment").count(), 2, "webhook and controller");
        assert_eq!(kinds.iter().any(|k| k == "Certificate"), tls == Tls::CertManager);
    }
}

/// The matchConditions of the validating webhooks, evaluated as the API server does (CEL over
/// `request`, `object` and `oldObject`).
#[test]
fn updates_that_leave_the_spec_or_delete_are_not_judged_again() {
    let objects = overlay("self-managed");
    let hooks = webhooks(&objects);
    let (_, mutate) = hooks.iter().find(|(_, w)| w["name"] == "mutate.neo4j.neo4j.com").unwrap();
    assert_eq!(mutate["rules"][0]["operations"], json!(["CREATE"]), "defaults are written at creation only");
    let judged = |expression: &str, operation: &str, object: Value, old: Value| -> bool {
        let program = cel::Program::compile(expression).expect("compiles");
        let mut context = cel::Context::default();
        context.add_variable_from_value("request", cel::to_value(json!({"operation": operation})).unwrap());
        context.add_variable_from_value("object", cel::to_value(object).unwrap());
        context.add_variable_from_value("oldObject", cel::to_value(old).unwrap());
        match program.execute(&context).expect("evaluates") {
            cel::Value::Bool(value) => value,
            other => panic!("{other:?}"),
        }
    };
    let spec = json!({"targetCluster": "prod", "databaseName": "orders"});
    let object = |spec: &Value, deleting: bool| {
        let mut o = json!({"metadata": {"name": "r", "finalizers": ["neo4j.neo4j.com/restore"]}, "spec": spec});
        if deleting {
            o["metadata"]["deletionTimestamp"] = json!("2025-01-20T03:00:00Z");
        }
        o
    };
    for name in ["validate.neo4j.neo4j.com", "validate-targets.neo4j.neo4j.com"] {
        let (_, hook) = hooks.iter().find(|(_, w)| w["name"] == name).unwrap();
        let expression = hook["matchConditions"][0]["expression"].as_str().unwrap();
        let other = json!({"targetCluster": "prod", "databaseName": "other"});
        assert!(judged(expression, "CREATE", object(&spec, false), Value::Null), "{name}: creation");
        assert!(judged(expression, "UPDATE", object(&other, false), object(&spec, false)), "{name}: a spec change");
        let mut released = object(&spec, true);
        released["metadata"]["finalizers"] = json!([]);
        assert!(!judged(expression, "UPDATE", released, object(&spec, true)), "{name}: the finalizer's removal");
        let mut labelled = object(&spec, false);
        labelled["metadata"]["labels"] = json!({"team": "a"});
        assert!(!judged(expression, "UPDATE", labelled, object(&spec, false)), "{name}: metadata only");
        assert!(!judged(expression, "UPDATE", object(&other, true), object(&spec, true)), "{name}: while deleting");
    }
}
