//! The Bolt client against Neo4j's scripted Bolt server (`boltstub` from PyPI `boltkit`, driven
//! by tests/bolt/stub.py at Bolt 4.4): the exact messages neo4rs sends for SHOW, CREATE, START
//! and STOP DATABASE and hook statements, and how failures come back. Each stub exits 0 only when
//! its whole script was played.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use neo4j_api::DatabaseTopology;
use neo4j_api::restore::machine::{Cypher, Database};
use neo4j_controller::restore::bolt::{Bolt, DatabaseAdmin, Endpoint};

struct Stub {
    child: Child,
    port: u16,
}

fn stub(script: &str) -> Stub {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/bolt");
    let mut child = Command::new("python3")
        .arg(dir.join("stub.py"))
        .arg(dir.join(script))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 runs (scripts/test.sh installs boltkit)");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).expect("the stub prints its port");
    let port = line.trim().parse().unwrap_or_else(|_| {
        let mut err = String::new();
        let _ = std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err);
        panic!("boltstub did not start (is boltkit installed? `pip install boltkit==1.3.2`): {err}")
    });
    Stub { child, port }
}

impl Stub {
    fn endpoint(&self) -> Endpoint {
        Endpoint {
            uri: format!("bolt://127.0.0.1:{}", self.port),
            user: "neo4j".into(),
            password: "s3cret".into(),
            ca: None,
        }
    }

    /// Waits for the stub; it exits 0 only when every scripted message was exchanged.
    fn finish(mut self) {
        let status = self.child.wait().expect("stub exits");
        let mut err = String::new();
        let _ = std::io::Read::read_to_string(&mut self.child.stderr.take().unwrap(), &mut err);
        assert!(status.success(), "the stub did not play its whole script ({status}):\n{err}");
    }
}

#[tokio::test]
async fn show_database_reads_every_allocation() {
    let starting = stub("show-starting.script");
    assert_eq!(
        Bolt.show(&starting.endpoint(), "orders").await,
        Ok(Database::Present {
            online: false,
            topology: Some(DatabaseTopology { primaries: Some(3), secondaries: Some(0) })
        })
    );
    starting.finish();
    let absent = stub("show-absent.script");
    assert_eq!(Bolt.show(&absent.endpoint(), "orders").await, Ok(Database::Absent));
    absent.finish();
}

#[tokio::test]
async fn create_and_start_pass_the_name_as_a_parameter_on_system() {
    let create = stub("create.script");
    assert_eq!(Bolt.run(&create.endpoint(), "orders", &Cypher::Create).await, Ok(()));
    create.finish();
    let start = stub("start.script");
    assert_eq!(Bolt.run(&start.endpoint(), "orders", &Cypher::Start).await, Ok(()));
    start.finish();
}

#[tokio::test]
async fn hook_statements_run_in_order_on_the_restored_database() {
    let hooks = stub("hooks.script");
    let statements =
        Cypher::Statements(vec!["CALL db.awaitIndexes(60)".into(), "MATCH (n) SET n.restored = true".into()]);
    assert_eq!(Bolt.run(&hooks.endpoint(), "orders", &statements).await, Ok(()));
    hooks.finish();
}

#[tokio::test]
async fn a_failure_comes_back_with_its_code_and_message() {
    let stop = stub("stop-forbidden.script");
    let err = Bolt.run(&stop.endpoint(), "orders", &Cypher::Stop).await.unwrap_err();
    assert!(err.starts_with("STOP DATABASE $name WAIT failed: "), "{err}");
    assert!(
        err.contains("Neo.ClientError.Security.Forbidden") && err.contains("Permission denied for STOP DATABASE."),
        "{err}"
    );
    assert!(!err.contains("s3cret"), "no password in errors");
    stop.finish();
}

#[tokio::test]
async fn counts_come_from_the_restored_database() {
    let counts = stub("counts.script");
    assert_eq!(Bolt.counts(&counts.endpoint(), "orders").await, Ok((1250, 4800)));
    counts.finish();
}

#[tokio::test]
async fn a_cluster_creates_the_database_from_server_0() {
    let create = stub("create-seeded.script");
    let three = DatabaseTopology { primaries: Some(3), secondaries: Some(0) };
    let seed_host = "prod-server-0.prod-headless.neo4j.svc.cluster.local".to_owned();
    assert_eq!(
        Bolt.run(&create.endpoint(), "orders", &Cypher::CreateSeeded { seed_host, topology: three }).await,
        Ok(())
    );
    create.finish();
}
