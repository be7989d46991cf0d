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
