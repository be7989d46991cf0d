//! The `kubectl-neo4j` binary, run as a user runs it.

use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kubectl-neo4j")).args(args).output().expect("run kubectl-neo4j")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn help_names_the_plugin_as_kubectl_invokes_it_and_lists_the_verbs() {
    let output = run(&["--help"]);
    assert!(output.status.success());
    let text = stdout(&output);
    assert!(text.contains("Usage: kubectl neo4j [OPTIONS] <COMMAND>"), "{text}");
    assert!(
        text.contains("--kubeconfig <FILE>")
            && text.contains("--context <NAME>")
            && text.contains("-n, --namespace <NAMESPACE>"),
        "{text}"
    );
    assert!(text.contains("manifests"), "{text}");
    assert!(text.contains("version"), "{text}");
    assert!(text.contains("kubectl neo4j manifests | kubectl apply --server-side -f -"), "{text}");
}

#[test]
fn manifests_and_install_dry_run_print_exactly_the_committed_bundles() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../manifests/install/");
    let committed = |name: &str| std::fs::read_to_string(format!("{root}{name}.yaml")).expect("committed bundle");
    let output = run(&["manifests"]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(stdout(&output), committed("cert-manager"));
    let output = run(&["install", "--tls", "self-managed", "--dry-run=client", "-o", "yaml"]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(stdout(&output), committed("self-managed"));
}

// Issue 13, item 9: a namespace-scoped install grants the controller nothing cluster-wide; the
// webhook keeps only its SubjectAccessReviews (and, self-managed, its configurations) there.
#[test]
fn a_namespace_scoped_install_binds_roles_in_those_namespaces_only() {
    let output = run(&["install", "--tls", "self-managed", "--namespaces", "team-a,team-b", "--dry-run=client"]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let objects: Vec<serde_json::Value> = serde_saphyr::from_multiple(&stdout(&output)).expect("YAML");
    let named = |kind: &str, name: &str| -> Vec<Option<String>> {
        objects
            .iter()
            .filter(|o| o["kind"] == kind && o["metadata"]["name"] == name)
            .map(|o| o["metadata"]["namespace"].as_str().map(str::to_owned))
            .collect()
    };
    let both = vec![Some("team-a".to_owned()), Some("team-b".to_owned())];
    assert_eq!(named("ClusterRole", "neo4j-controller"), Vec::<Option<String>>::new());
    assert_eq!(named("ClusterRoleBinding", "neo4j-controller"), Vec::<Option<String>>::new());
    assert_eq!(named("Role", "neo4j-controller"), both);
    assert_eq!(named("RoleBinding", "neo4j-controller"), both);
    let webhook = objects.iter().find(|o| o["kind"] == "ClusterRole" && o["metadata"]["name"] == "neo4j-webhook");
    let resources: Vec<&str> = webhook.expect("the webhook's ClusterRole")["rules"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|rule| rule["resources"].as_array().unwrap().iter().filter_map(|r| r.as_str()))
        .collect();
    assert!(
        resources.iter().all(|r| r.ends_with("subjectaccessreviews") || r.ends_with("webhookconfigurations")),
        "{resources:?}"
    );
    let controller = objects.iter().find(|o| o["kind"] == "Deployment" && o["metadata"]["name"] == "neo4j-controller");
    let args = &controller.expect("the controller")["spec"]["template"]["spec"]["containers"][0]["args"];
    assert!(args.as_array().unwrap().contains(&serde_json::json!("--watch-namespaces=team-a,team-b")), "{args}");
    let bad = run(&["install", "--namespaces", "Team_A", "--dry-run=client"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--namespaces: namespace \"Team_A\": "));
}

// Issue 13, item 14: the images can be pinned by digest.
#[test]
fn install_pins_images_by_digest() {
    let digest = format!("sha256:{}", "0f".repeat(32));
    let pin = format!("neo4j-controller={digest}");
    let output = run(&["install", "--tls", "self-managed", "--image-digest", &pin, "--dry-run=client"]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let objects: Vec<serde_json::Value> = serde_saphyr::from_multiple(&stdout(&output)).expect("YAML");
    let image = |name: &str| {
        let deployment = objects.iter().find(|o| o["kind"] == "Deployment" && o["metadata"]["name"] == name);
        deployment.expect("the Deployment")["spec"]["template"]["spec"]["containers"][0]["image"].clone()
    };
    let version = env!("CARGO_PKG_VERSION");
    assert_eq!(image("neo4j-controller"), format!("ghcr.io/kubectl-neo4j/neo4j-controller:{version}@{digest}"));
    assert_eq!(image("neo4j-webhook"), format!("ghcr.io/kubectl-neo4j/neo4j-webhook:{version}"));
}

#[test]
fn version_prints_the_package_version() {
    let output = run(&["version"]);
    assert!(output.status.success());
    assert_eq!(stdout(&output), format!("kubectl-neo4j {}\n", env!("CARGO_PKG_VERSION")));
}

#[test]
fn an_unknown_verb_is_a_usage_error_with_exit_code_2() {
    let output = run(&["bakup"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("unrecognized subcommand 'bakup'"), "{stderr}");
}

#[test]
fn kubectl_plugin_completion_answers_in_cobras_protocol() {
    let verbs = run(&["__complete", ""]);
    assert!(verbs.status.success());
    let text = stdout(&verbs);
    assert!(text.starts_with("validate\tCheck Neo4jBackup, Neo4jRestore and target manifests offline"), "{text}");
    assert!(text.contains("\nbackup\tCompose and create Neo4jBackups\n"), "{text}");
    assert!(!text.contains("__complete"), "the hidden verb is not offered");
    assert!(text.ends_with("\n:4\n"), "{text}");
    let flags = stdout(&run(&["__complete", "restore", "create", "r", "--point"]));
    assert_eq!(flags, "--point-in-time\tRestore to this moment (RFC 3339), e.g. 2025-01-20T14:30:00Z\n:4\n");
    let shim =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/kubectl_complete-neo4j")).expect("the shim");
    assert!(shim.contains("exec kubectl-neo4j __complete \"$@\""), "{shim}");
}

#[test]
fn completion_scripts_for_each_shell() {
    for shell in ["bash", "zsh", "fish"] {
        let output = run(&["completion", shell]);
        assert!(output.status.success(), "{shell}");
        assert!(stdout(&output).contains("kubectl-neo4j"), "{shell}: {}", stdout(&output));
    }
    assert_eq!(run(&["completion", "tcsh"]).status.code(), Some(2));
}

/// `restore plan` takes one of an existing name, a file, or the flags of `restore create`: a mix
/// that would silently drop some of what was asked is refused, saying what to add (exit code 2).
#[test]
fn restore_plan_refuses_flags_it_would_ignore() {
    let output = run(&["restore", "plan", "recover", "--database", "orders", "--force"]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        "error: these flags compose a restore: add --cluster and --database, or give only the name of an existing Neo4jRestore\n"
    );
    let output = run(&["restore", "plan", "-f", "restore.yaml", "recover"]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        "error: give -f FILE or a name (with or without flags), not both\n"
    );
    let output = run(&["restore", "plan", "-f", "restore.yaml", "--force"]);
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        "error: -f FILE plans the restore in the file as written; leave out the other flags\n"
    );
    let output = run(&["restore", "plan"]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        "error: name a Neo4jRestore, give -f FILE, or compose one with the flags of restore create\n"
    );
}

#[test]
fn health_refuses_an_address_without_a_port_before_reaching_any_cluster() {
    let output = run(&["health", "prod", "--bolt-address", "neo4j.example.com"]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&output.stderr).trim(),
        "error: --bolt-address \"neo4j.example.com\": write HOST:PORT, e.g. neo4j.example.com:7687"
    );
}
