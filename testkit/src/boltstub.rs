//! Starts `boltstub/stub.py` (boltkit's `boltstub`, at Bolt 4.4) on a script, and checks that it
//! played it. `scripts/test.sh` installs boltkit; without it a test fails loudly.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use neo4j_ops::bolt::Endpoint;

/// A running stub server.
pub struct Stub {
    child: Child,
    pub port: u16,
    // Read all along: a stub logging long records would block on a full pipe.
    log: std::thread::JoinHandle<String>,
    _script: Option<Script>,
}

/// A stub playing the script at `path`.
pub fn stub(path: &Path) -> Stub {
    start(path, None)
}

/// A script made by the test.
pub fn generated(lines: impl IntoIterator<Item = String>) -> Stub {
    let mut text = String::new();
    for line in lines {
        text.push_str(&line);
        text.push('\n');
    }
    let path = script_path();
    std::fs::write(&path, text).expect("write the script");
    let script = Script(path.clone());
    start(&path, Some(script))
}

/// A script made by the test for the port the stub will listen on: a client of `neo4j://` URIs
/// names its address in HELLO (`"routing": {"address": "127.0.0.1:<port>"}`).
pub fn generated_for(lines: impl FnOnce(u16) -> Vec<String>) -> Stub {
    let port = std::net::TcpListener::bind(("127.0.0.1", 0))
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .expect("a free port on 127.0.0.1");
    let mut text = lines(port).join("\n");
    text.push('\n');
    let path = script_path();
    std::fs::write(&path, text).expect("write the script");
    let script = Script(path.clone());
    launch(&path, Some(port), Some(script))
}

/// The script of the health checks of database `orders` on a cluster (boltstub/health-orders.script,
/// the suite of `neo4j_api::health::suite` without probes), for a stub on `port` and the admin
/// password `password`: a cluster is reached at `neo4j://`, whose HELLO names the address.
pub fn health_script(port: u16, password: &str) -> Vec<String> {
    let text = include_str!("../boltstub/health-orders.script");
    text.replace("127.0.0.1:PORT", &format!("127.0.0.1:{port}"))
        .replace("\"credentials\": \"s3cret\"", &format!("\"credentials\": \"{password}\""))
        .lines()
        .map(str::to_owned)
        .collect()
}

fn script_path() -> PathBuf {
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    std::env::temp_dir().join(format!("neo4j-boltstub-{}-{n}.script", std::process::id()))
}

fn here() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("boltstub")
}

fn start(script: &Path, keep: Option<Script>) -> Stub {
    launch(script, None, keep)
}

/// boltkit, installed the way scripts/test.sh installs it when the machine running the tests has
/// not (the e2e suite runs elsewhere, without that script); a failure shows in the stub's log.
fn ensure_boltkit() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let present =
            || Command::new("python3").args(["-c", "import boltkit.server"]).status().is_ok_and(|s| s.success());
        if !present() {
            let _ = Command::new("python3")
                .args(["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "boltkit==1.3.2"])
                .status();
        }
    });
}

fn launch(script: &Path, port: Option<u16>, keep: Option<Script>) -> Stub {
    ensure_boltkit();
    let mut child = Command::new("python3")
        .arg(here().join("stub.py"))
        .arg(script)
        .arg(port.unwrap_or(0).to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 runs (scripts/test.sh installs boltkit)");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).expect("the stub prints its port");
    let mut stderr = child.stderr.take().expect("stderr");
    let log = std::thread::spawn(move || {
        let mut log = String::new();
        let _ = stderr.read_to_string(&mut log);
        log
    });
    let Ok(port) = line.trim().parse() else {
        let _ = child.wait();
        let log = log.join().unwrap_or_default();
        panic!("boltstub did not start (is boltkit installed? `pip install boltkit==1.3.2`): {log}")
    };
    Stub { child, port, log, _script: keep }
}

impl Stub {
    /// The admin endpoint of the stub, over plain Bolt.
    pub fn endpoint(&self) -> Endpoint {
        endpoint(format!("bolt://127.0.0.1:{}", self.port), None)
    }

    /// Waits for the stub; it exits 0 only when every scripted message was exchanged.
    pub fn finish(mut self) {
        let status = self.child.wait().expect("stub exits");
        let log = std::mem::replace(&mut self.log, std::thread::spawn(String::new)).join().unwrap_or_default();
        assert!(status.success(), "the stub did not play its whole script ({status}):\n{log}");
    }
}

/// The admin user the scripts expect, at `uri`.
pub fn endpoint(uri: String, ca: Option<Vec<u8>>) -> Endpoint {
    Endpoint { uri, user: "neo4j".into(), password: "s3cret".into(), ca }
}

impl Drop for Stub {
    /// A stub whose client stopped reading on purpose is not waited for.
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A generated script, removed with its stub.
struct Script(PathBuf);

impl Drop for Script {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}
