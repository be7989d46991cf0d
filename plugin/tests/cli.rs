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
    assert!(text.contains("Usage: kubectl neo4j <COMMAND>"), "{text}");
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
