//! Running the `kubectl-neo4j` binary as a user runs it, from the plugin's folder.
#![allow(dead_code)]

use std::io::Write;
use std::process::{Command, Output, Stdio};

/// The plugin crate's folder (relative paths in the tests start here).
pub fn root() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs `kubectl-neo4j args...` with `stdin`, and returns what it did.
pub fn run(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kubectl-neo4j"))
        .current_dir(root())
        // No kubeconfig of the machine running the tests leaks in (namespaces default to `default`).
        .env("KUBECONFIG", root().join("tests/fixtures/no-such-kubeconfig"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run kubectl-neo4j");
    let mut input = child.stdin.take().expect("stdin");
    input.write_all(stdin.unwrap_or_default().as_bytes()).expect("write stdin");
    drop(input);
    child.wait_with_output().expect("kubectl-neo4j finishes")
}

/// Bytes as text.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}
