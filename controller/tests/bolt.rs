//! The Bolt client against Neo4j's scripted Bolt server (`boltstub` from PyPI `boltkit`, driven
//! by testkit/boltstub/stub.py at Bolt 4.4, on the scripts of tests/bolt): the exact messages neo4rs sends for SHOW, CREATE, START
//! and STOP DATABASE and hook statements, and how failures come back. Each stub exits 0 only when
//! its whole script was played.

#[path = "bolt/tls.rs"]
mod tls;

use neo4j_api::DatabaseTopology;
use neo4j_api::restore::machine::{Cypher, Database};
use neo4j_controller::restore::bolt::{Bolt, DatabaseAdmin, MAX_BYTES, MAX_ROWS};
use neo4j_testkit::boltstub::{Stub, endpoint, generated};

/// A stub playing the script `name` of tests/bolt.
fn stub(name: &str) -> Stub {
    neo4j_testkit::boltstub::stub(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bolt").join(name))
}
use tls::{Ca, Proxy};

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

/// The whole suite after a restore, on one connection, each statement as `neo4j_api::health`
/// pins it (docs-operations listing-databases.adoc; docs-cypher managing-indexes.adoc and
/// managing-constraints.adoc, 5.x and dev), rows read as JSON values.
#[tokio::test]
async fn the_health_checks_run_in_order_on_one_connection() {
    use neo4j_api::health::checks::Probe;
    use neo4j_api::health::report::Outcome;
    let health = stub("health.script");
    let probe = Probe {
        name: "regions".into(),
        statement: "MATCH (r:Region) RETURN r.code AS code".into(),
        rows: Some(1),
        value: Some("EU".into()),
    };
    let checks = neo4j_api::health::suite::suite(Some("orders"), &[probe], None);
    let report = neo4j_ops::health::run(&Bolt, &health.endpoint(), &checks, "prod".into(), "now".into()).await;
    let results: Vec<(&str, Outcome, &str)> =
        report.checks.iter().map(|c| (c.name.as_str(), c.outcome, c.message.as_str())).collect();
    assert_eq!(
        results,
        [
            ("connectivity", Outcome::Pass, "logged in and ran a query"),
            ("databases", Outcome::Pass, "2 of 2 allocation(s) online, every one as requested"),
            ("schema", Outcome::Warn, "1 index(es) still POPULATING: order_date (42.5%)"),
            ("counts", Outcome::Pass, "1250 nodes, 4800 relationships"),
            ("probe:regions", Outcome::Pass, "returned 1 row(s) as expected"),
        ]
    );
    assert_eq!(report.status, "degraded");
    assert_eq!(report.graph_stats.map(|s| (s.labels, s.relationship_types)), Some((3, 2)));
    health.finish();
}

#[tokio::test]
async fn without_a_login_no_other_check_runs() {
    use neo4j_api::health::report::Outcome;
    let refused = stub("health-refused.script");
    let checks = neo4j_api::health::suite::suite(Some("orders"), &[], None);
    let report = neo4j_ops::health::run(&Bolt, &refused.endpoint(), &checks, "prod".into(), "now".into()).await;
    assert_eq!(report.status, "unhealthy");
    let first = &report.checks[0];
    assert_eq!((first.name.as_str(), first.outcome), ("connectivity", Outcome::Fail));
    assert_eq!(first.message, "RETURN 1 AS ok failed: The client is unauthorized due to authentication failure.");
    for check in &report.checks[1..] {
        assert_eq!(check.message, "not run: no connection to the target", "{}", check.name);
    }
    refused.finish();
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

/// The start of a script: Bolt 4 (spoken as 4.4), and the HELLO of the admin user; a routed
/// URI (`neo4j://`, `neo4j+s://`) sends the address it was given.
fn hello(routed: Option<std::net::SocketAddr>) -> Vec<String> {
    let routing = routed.map(|address| format!(r#", "routing": {{"address": "{address}"}}"#)).unwrap_or_default();
    vec![
        "!: BOLT 4".to_owned(),
        "!: AUTO RESET".to_owned(),
        "!: AUTO GOODBYE".to_owned(),
        format!(
            r#"C: HELLO {{"credentials": "s3cret", "user_agent": "neo4rs", "scheme": "basic", "principal": "neo4j"{routing}}}"#
        ),
        r#"S: SUCCESS {"server": "Neo4j/5.26.0", "connection_id": "bolt-1"}"#.to_owned(),
    ]
}

/// SHOW DATABASE for "orders" answered with a row per status, in batches of 200 (neo4rs's
/// fetch size).
fn show_answering<S: AsRef<str>>(statuses: &[S]) -> Vec<String> {
    let mut lines = hello(None);
    lines.extend([
        r#"C: RUN "SHOW DATABASE $name YIELD name, currentStatus, requestedPrimariesCount, requestedSecondariesCount" {"name": "orders"} {"db": "system", "mode": "w"}"#.to_owned(),
        r#"S: SUCCESS {"fields": ["name", "currentStatus", "requestedPrimariesCount", "requestedSecondariesCount"]}"#.to_owned(),
    ]);
    let batches: Vec<_> = statuses.chunks(200).collect();
    for (n, batch) in batches.iter().enumerate() {
        lines.push(r#"C: PULL {"n": 200, "qid": -1}"#.to_owned());
        lines.extend(batch.iter().map(|status| format!(r#"S: RECORD ["orders", "{}", 3, 0]"#, status.as_ref())));
        lines.push(if n + 1 < batches.len() { r#"S: SUCCESS {"has_more": true}"# } else { "S: SUCCESS {}" }.to_owned());
    }
    lines
}

// Issue 13, item 9: an answer is read up to MAX_ROWS rows and MAX_BYTES bytes, and refused beyond.
// A refused answer's stub is not waited for: the client stops reading on purpose.
#[tokio::test]
async fn an_answer_is_read_up_to_max_rows() {
    let full = generated(show_answering(&vec!["online"; MAX_ROWS]));
    let three = DatabaseTopology { primaries: Some(3), secondaries: Some(0) };
    assert_eq!(
        Bolt.show(&full.endpoint(), "orders").await,
        Ok(Database::Present { online: true, topology: Some(three) })
    );
    full.finish();
    let over = generated(show_answering(&vec!["online"; MAX_ROWS + 1]));
    assert_eq!(
        Bolt.show(&over.endpoint(), "orders").await,
        Err("reading the state of database \"orders\": the answer has more than 1000 rows; refusing to read further"
            .to_owned())
    );
}

#[tokio::test]
async fn an_answer_is_read_up_to_max_bytes() {
    // A row holds its 4 keys (65 bytes), "orders", two numbers (8 each) and its status. boltkit
    // sends a message in one chunk (under 64 KiB): rows of 60,000-byte statuses, then one that
    // fills the answer to MAX_BYTES exactly, or one byte more.
    let row = |status: usize| 65 + 6 + status + 16;
    let long = vec!["x".repeat(60_000); MAX_BYTES / row(60_000)];
    let rest = MAX_BYTES - long.len() * row(60_000) - row(0);
    let answer = |last: usize| [long.clone(), vec!["x".repeat(last)]].concat();
    let full = generated(show_answering(&answer(rest)));
    assert_eq!(Bolt.show(&full.endpoint(), "orders").await.map(|_| ()), Ok(()));
    full.finish();
    let over = generated(show_answering(&answer(rest + 1)));
    let err = Bolt.show(&over.endpoint(), "orders").await.unwrap_err();
    assert_eq!(
        err,
        "reading the state of database \"orders\": the answer holds more than 1048576 bytes; refusing to read further"
    );
    assert!(!err.contains("s3cret"));
}

// Issue 13, item 6: a TLS target, verified with the CA the controller hands neo4rs, for a
// standalone (`bolt+s`) and a cluster (`neo4j+s`, routed). The proxy runs on another worker while
// `finish` waits for the stub.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tls_target_is_verified_with_its_ca() {
    let ca = Ca::new("target CA");
    for (scheme, routed) in [("bolt+s", false), ("neo4j+s", true)] {
        let mut proxy = Proxy::bind(&ca).await;
        let mut script = hello(routed.then_some(proxy.address));
        script.extend(show_answering(&["online"]).into_iter().skip(hello(None).len()));
        let online = generated(script);
        proxy.forward_to(online.port);
        let secured = endpoint(format!("{scheme}://{}", proxy.address), Some(ca.pem.clone()));
        let three = DatabaseTopology { primaries: Some(3), secondaries: Some(0) };
        assert_eq!(
            Bolt.show(&secured, "orders").await,
            Ok(Database::Present { online: true, topology: Some(three) }),
            "{scheme}"
        );
        online.finish();
        assert_eq!(proxy.handshakes.load(std::sync::atomic::Ordering::SeqCst), 1, "{scheme}");
    }
}

#[tokio::test]
async fn a_tls_target_with_another_ca_is_refused() {
    let (served, trusted) = (Ca::new("target CA"), Ca::new("another CA"));
    // Nothing listens behind the proxy: no Bolt byte may pass an unverified handshake.
    let mut proxy = Proxy::bind(&served).await;
    proxy.forward_to(1);
    let uri = format!("bolt+s://127.0.0.1:{}", proxy.address.port());
    let err = Bolt.show(&endpoint(uri, Some(trusted.pem.clone())), "orders").await.unwrap_err();
    assert_eq!(
        err,
        "SHOW DATABASE $name YIELD name, currentStatus, requestedPrimariesCount, requestedSecondariesCount failed: \
        an IO error occurred: invalid peer certificate: UnknownIssuer"
    );
    assert_eq!(proxy.handshakes.load(std::sync::atomic::Ordering::SeqCst), 0);
}

/// Issue 15, item 2: the alias is read (SHOW ALIASES, then SHOW DATABASE for a database of its
/// name) and switched with the alias as a parameter and the candidate quoted
/// (docs-operations database-administration/syntax.adoc and aliases/, 5.x and dev).
#[tokio::test]
async fn the_alias_is_read_then_switched_to_the_candidate() {
    use neo4j_api::restore::observed::Alias;
    let read = stub("alias.script");
    assert_eq!(neo4j_ops::bolt::read_alias(&Bolt, &read.endpoint(), "orders").await, Alias::Points("orders-v1".into()));
    read.finish();
    let shadowed = stub("alias-is-a-database.script");
    assert_eq!(neo4j_ops::bolt::read_alias(&Bolt, &shadowed.endpoint(), "orders").await, Alias::IsADatabase);
    shadowed.finish();
    let promote = stub("promote.script");
    let switch = Cypher::Promote { alias: "orders".into(), create: false };
    assert_eq!(Bolt.run(&promote.endpoint(), "orders-restored", &switch).await, Ok(()));
    promote.finish();
}
