//! The krew manifest and the release step that fills it in.

use std::process::Command;

fn root() -> std::path::PathBuf {
    std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

#[test]
fn the_krew_manifest_covers_every_platform_with_the_binary_and_the_completion_shim() {
    let text = std::fs::read_to_string(root().join("krew/neo4j.yaml")).expect("krew/neo4j.yaml");
    let manifest: serde_json::Value = serde_saphyr::from_str(&text).expect("YAML");
    assert_eq!(manifest["apiVersion"], "krew.googlecontainertools.github.com/v1alpha2");
    assert_eq!((manifest["kind"].as_str(), manifest["metadata"]["name"].as_str()), (Some("Plugin"), Some("neo4j")));
    assert_eq!(manifest["spec"]["version"], format!("v{}", env!("CARGO_PKG_VERSION")), "the plugin's own version");
    assert!(manifest["spec"]["caveats"].as_str().unwrap().contains("kubectl_complete-neo4j"));
    let platforms = manifest["spec"]["platforms"].as_array().expect("platforms");
    let mut seen: Vec<String> = platforms
        .iter()
        .map(|p| {
            let labels = &p["selector"]["matchLabels"];
            let (os, arch) = (labels["os"].as_str().unwrap(), labels["arch"].as_str().unwrap());
            assert_eq!(p["bin"], "kubectl-neo4j");
            assert!(p["uri"].as_str().unwrap().ends_with(&format!("/kubectl-neo4j_{os}_{arch}.tar.gz")));
            let sha = p["sha256"].as_str().unwrap();
            assert!(sha.len() == 64 && sha.chars().all(|c| c.is_ascii_hexdigit()), "{sha}");
            let files: Vec<&str> = p["files"].as_array().unwrap().iter().map(|f| f["from"].as_str().unwrap()).collect();
            assert_eq!(files, ["kubectl-neo4j", "kubectl_complete-neo4j"]);
            format!("{os}/{arch}")
        })
        .collect();
    seen.sort();
    assert_eq!(seen, ["darwin/amd64", "darwin/arm64", "linux/amd64", "linux/arm64"]);
}

#[test]
fn the_release_step_fills_in_version_uris_and_checksums() {
    let dist = tempfile::tempdir().unwrap();
    for platform in ["linux_amd64", "linux_arm64", "darwin_amd64", "darwin_arm64"] {
        std::fs::write(dist.path().join(format!("kubectl-neo4j_{platform}.tar.gz")), platform).unwrap();
    }
    let output = Command::new(root().join("scripts/krew-release.sh")).arg("v1.2.3").arg(dist.path()).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let manifest: serde_json::Value = serde_saphyr::from_slice(&output.stdout).expect("YAML");
    assert_eq!(manifest["spec"]["version"], "v1.2.3");
    for platform in manifest["spec"]["platforms"].as_array().unwrap() {
        let labels = &platform["selector"]["matchLabels"];
        let name =
            format!("kubectl-neo4j_{}_{}.tar.gz", labels["os"].as_str().unwrap(), labels["arch"].as_str().unwrap());
        assert_eq!(
            platform["uri"],
            format!("https://github.com/kubectl-neo4j/kubectl-neo4j/releases/download/v1.2.3/{name}")
        );
        let sum = Command::new("sha256sum").arg(dist.path().join(&name)).output().expect("sha256sum");
        let expected = String::from_utf8_lossy(&sum.stdout).split_whitespace().next().unwrap().to_owned();
        assert_eq!(platform["sha256"], expected, "{name}");
    }
    let missing =
        Command::new(root().join("scripts/krew-release.sh")).arg("1.2.3").arg("/nonexistent").output().unwrap();
    assert_eq!(missing.status.code(), Some(1));
    assert_eq!(String::from_utf8_lossy(&missing.stderr), "missing /nonexistent/kubectl-neo4j_linux_amd64.tar.gz\n");
}
