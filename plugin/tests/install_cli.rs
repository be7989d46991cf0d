//! `kubectl neo4j install` flags as a user types them: kubectl's bare `--dry-run`, one registry
//! and version for the three images, and bad values refused with the flag named.

use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kubectl-neo4j")).args(args).output().expect("run kubectl-neo4j")
}

fn committed(name: &str) -> String {
    std::fs::read_to_string(format!("{}/../manifests/install/{name}.yaml", env!("CARGO_MANIFEST_DIR"))).expect("bundle")
}

#[test]
fn a_bare_dry_run_means_client_as_in_kubectl() {
    let output = run(&["install", "--dry-run"]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(String::from_utf8_lossy(&output.stdout), committed("cert-manager"));
    let output = run(&["install", "--dry-run=client", "--tls", "self-managed"]);
    assert_eq!(String::from_utf8_lossy(&output.stdout), committed("self-managed"));
}

#[test]
fn one_registry_and_version_name_every_image() {
    let output = run(&[
        "install",
        "--dry-run",
        "--tls",
        "self-managed",
        "--image-registry",
        "registry.example.com/platform",
        "--version",
        "v0.2.0",
    ]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.starts_with(
        "# kubectl-neo4j 0.2.0 (webhook TLS: self-managed), images from registry.example.com/platform.\n"
    ));
    for image in ["neo4j-webhook", "neo4j-controller", "neo4j-agent"] {
        assert!(text.contains(&format!("registry.example.com/platform/{image}:0.2.0")), "{image}");
    }
    assert!(!text.contains("ghcr.io/kubectl-neo4j/"), "no image left at the default registry");
    let objects: Vec<serde_json::Value> = serde_saphyr::from_multiple(&text).unwrap();
    assert_eq!(
        objects.iter().filter(|o| !o.is_null()).count(),
        kubectl_neo4j::online::install::objects(&committed("self-managed")).unwrap().len()
    );
}

#[test]
fn bad_image_settings_and_durations_are_usage_errors_naming_the_flag() {
    let output = run(&["install", "--dry-run", "--version", "latest; rm -rf /"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("--version \"latest; rm -rf /\": expected an image tag"), "{stderr}");
    let output = run(&["install", "--dry-run", "--image-registry", "https://ghcr.io"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--image-registry \"https://ghcr.io\""));
}
