//! Health checks (issue 15, item 3), pure: the statements pinned, what the rows of each mean, and
//! the report in seed 002's layout. The Bolt side is the edges' (tested against boltstub there).

use neo4j_api::health::checks::{
    Probe, Row, connectivity, constraints, counts, databases, graph_stats, indexes, judge_counts, judge_databases,
    judge_probe, judge_schema,
};
use neo4j_api::health::report::{CheckResult, GraphStats, HealthReport, Outcome};
use neo4j_api::health::suite::{Judge, Ran, report, result, stops_the_rest, suite};
use serde_json::{Value, json};

fn rows(value: Value) -> Vec<Row> {
    serde_json::from_value(value).unwrap()
}

#[test]
fn the_statements_are_pinned() {
    assert_eq!((connectivity().database.as_str(), connectivity().text.as_str()), ("system", "RETURN 1 AS ok"));
    assert_eq!(databases().text, "SHOW DATABASES YIELD name, address, requestedStatus, currentStatus, statusMessage");
    assert_eq!(indexes("orders").database, "orders");
    assert_eq!(
        indexes("orders").text,
        "SHOW INDEXES YIELD name, state, populationPercent, failureMessage, owningConstraint"
    );
    // docs-cypher, constraints/managing-constraints.adoc (5.x and dev): `ownedIndex`.
    assert_eq!(constraints("orders").text, "SHOW CONSTRAINTS YIELD name, type, ownedIndex");
    assert!(counts("orders").text.ends_with("RETURN nodes, relationships, labels, types"));
}

#[test]
fn databases_are_judged_per_allocation_against_what_was_requested() {
    let all_online = rows(json!([
        {"name": "orders", "address": "prod-server-0:7687", "requestedStatus": "online", "currentStatus": "online", "statusMessage": ""},
        {"name": "orders", "address": "prod-server-1:7687", "requestedStatus": "online", "currentStatus": "online", "statusMessage": ""},
        {"name": "archive", "address": "prod-server-0:7687", "requestedStatus": "offline", "currentStatus": "offline", "statusMessage": ""}]));
    assert_eq!(
        judge_databases(&all_online, None),
        (Outcome::Pass, "2 of 3 allocation(s) online, every one as requested".to_owned())
    );
    let broken = rows(json!([
        {"name": "orders", "address": "prod-server-0:7687", "requestedStatus": "online", "currentStatus": "online", "statusMessage": ""},
        {"name": "orders", "address": null, "requestedStatus": "online", "currentStatus": "unknown", "statusMessage": "Server is unavailable"},
        {"name": "people", "address": "prod-server-2:7687", "requestedStatus": "online", "currentStatus": "store copying", "statusMessage": ""}]));
    assert_eq!(
        judge_databases(&broken, Some("orders")),
        (
            Outcome::Fail,
            "not as requested: orders on an unavailable server is unknown (Server is unavailable)".to_owned()
        )
    );
    assert_eq!(
        judge_databases(&broken, Some("people")),
        (Outcome::Warn, "changing state: people on prod-server-2:7687 is store copying".to_owned())
    );
    assert_eq!(
        judge_databases(&broken, Some("billing")),
        (Outcome::Fail, "SHOW DATABASES lists no allocation of the database \"billing\"".to_owned())
    );
}

#[test]
fn failed_indexes_and_constraints_without_an_online_index_fail_and_populating_ones_warn() {
    let online = rows(json!([
        {"name": "person_name", "state": "ONLINE", "populationPercent": 100.0, "failureMessage": "", "owningConstraint": null},
        {"name": "person_id", "state": "ONLINE", "populationPercent": 100.0, "failureMessage": "", "owningConstraint": "person_id_unique"}]));
    let constraint = rows(json!([
        {"name": "person_id_unique", "type": "UNIQUENESS", "ownedIndex": "person_id"},
        {"name": "person_name_exists", "type": "NODE_PROPERTY_EXISTENCE", "ownedIndex": null}]));
    assert_eq!(
        judge_schema(&online, &constraint),
        (Outcome::Pass, "2 index(es) ONLINE; 2 constraint(s), 1 of them backed by an ONLINE index".to_owned())
    );
    assert_eq!(
        judge_schema(&online[..1], &constraint),
        (Outcome::Fail, "constraint person_id_unique has no index person_id".to_owned())
    );
    let populating = rows(
        json!([{"name": "order_date", "state": "POPULATING", "populationPercent": 42.5, "failureMessage": "", "owningConstraint": null}]),
    );
    assert_eq!(
        judge_schema(&populating, &[]),
        (Outcome::Warn, "1 index(es) still POPULATING: order_date (42.5%)".to_owned())
    );
    let failed = rows(json!([
        {"name": "text_idx", "state": "FAILED", "populationPercent": 0.0, "failureMessage": "disk full", "owningConstraint": null},
        {"name": "person_id", "state": "FAILED", "populationPercent": 0.0, "failureMessage": "", "owningConstraint": "person_id_unique"}]));
    assert_eq!(
        judge_schema(&failed, &constraint),
        (
            Outcome::Fail,
            "2 index(es) FAILED: text_idx (disk full); person_id; constraint person_id_unique is not enforced (its index person_id FAILED)"
                .to_owned()
        )
    );
}

#[test]
fn counts_are_compared_with_the_backups_and_probes_with_what_the_user_expects() {
    let stats = graph_stats(&rows(json!([{"nodes": 1523, "relationships": 4891, "labels": 7, "types": 5}]))).unwrap();
    assert_eq!(stats, GraphStats { nodes: 1523, relationships: 4891, labels: 7, relationship_types: 5 });
    assert_eq!(judge_counts(&stats, None), (Outcome::Pass, "1523 nodes, 4891 relationships".to_owned()));
    assert_eq!(
        judge_counts(&stats, Some((1523, 4891))),
        (Outcome::Pass, "1523 nodes, 4891 relationships, as in the backup".to_owned())
    );
    assert_eq!(
        judge_counts(&stats, Some((1600, 4891))),
        (Outcome::Warn, "1523 nodes, 4891 relationships; the backup had 1600 nodes, 4891 relationships".to_owned())
    );

    let probe = Probe {
        name: "orders".into(),
        statement: "MATCH (o:Order) RETURN count(o) AS orders".into(),
        rows: Some(1),
        value: Some("812".into()),
    };
    assert_eq!(
        judge_probe(&probe, &rows(json!([{"orders": 812}]))),
        (Outcome::Pass, "returned 1 row(s) as expected".to_owned())
    );
    assert_eq!(
        judge_probe(&probe, &rows(json!([{"orders": 0}]))),
        (Outcome::Fail, "returned 0, expected 812".to_owned())
    );
    assert_eq!(judge_probe(&probe, &rows(json!([]))), (Outcome::Fail, "returned 0 row(s), expected 1".to_owned()));
    let named = Probe { value: Some("EU".into()), ..probe.clone() };
    assert_eq!(judge_probe(&named, &rows(json!([{"region": "EU"}]))).0, Outcome::Pass, "a string as it is");
    let two = rows(json!([{"a": 1, "b": 2}]));
    assert_eq!(
        judge_probe(&Probe { rows: None, ..probe }, &two),
        (Outcome::Fail, "returns more than one column; a value is compared with a single column".to_owned())
    );
}

#[test]
fn the_report_reads_like_seed_002s_and_its_status_is_the_worst_outcome() {
    let check = |name: &str, outcome: Outcome, message: &str, duration_ms: u64| CheckResult {
        name: name.into(),
        outcome,
        message: message.into(),
        duration_ms,
    };
    let report = HealthReport::of(
        "Neo4jEnterpriseCluster neo4j/prod, database orders".into(),
        "2025-01-20T12:00:00Z".into(),
        vec![
            check("connectivity", Outcome::Pass, "logged in and ran a query", 45),
            check("databases", Outcome::Pass, "3 of 3 allocation(s) online, every one as requested", 12),
            check("schema", Outcome::Warn, "1 index(es) still POPULATING: order_date (42.5%)", 8),
        ],
        Some(GraphStats { nodes: 1523, relationships: 4891, labels: 7, relationship_types: 5 }),
    );
    assert_eq!(report.status, "degraded");
    assert!(report.healthy(), "warnings do not fail the exit code");
    assert_eq!(
        report.render(),
        "============================================================
Neo4j Health Check Report
Target: Neo4jEnterpriseCluster neo4j/prod, database orders
Timestamp: 2025-01-20T12:00:00Z
Status: DEGRADED
============================================================

Health Checks:
------------------------------------------------------------
  ✓ connectivity                   [pass]
    Message: logged in and ran a query
    Duration: 45ms

  ✓ databases                      [pass]
    Message: 3 of 3 allocation(s) online, every one as requested
    Duration: 12ms

  ! schema                         [warn]
    Message: 1 index(es) still POPULATING: order_date (42.5%)
    Duration: 8ms

Graph: 1523 nodes, 4891 relationships, 7 labels, 5 relationship types
============================================================
"
    );
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(
        json["checks"][2],
        json!({"name": "schema", "outcome": "warn", "message": "1 index(es) still POPULATING: order_date (42.5%)", "durationMs": 8})
    );
    assert_eq!(json["graphStats"]["relationshipTypes"], 5);
    let failed = HealthReport::of(
        "t".into(),
        "now".into(),
        vec![check("connectivity", Outcome::Fail, "timed out after 5s", 5000)],
        None,
    );
    assert_eq!((failed.status.as_str(), failed.healthy()), ("unhealthy", false));
}

#[test]
fn the_suite_checks_a_database_only_when_one_is_named_and_each_check_has_its_timeout() {
    let names = |checks: &[neo4j_api::health::suite::Check]| -> Vec<(String, u64)> {
        checks.iter().map(|c| (c.name.clone(), c.timeout_seconds)).collect()
    };
    let cluster = suite(None, &[], None);
    assert_eq!(names(&cluster), [("connectivity".to_owned(), 5), ("databases".to_owned(), 10)]);
    assert_eq!(cluster[1].judge, Judge::Databases(None));
    let probe = Probe {
        name: "orders".into(),
        statement: "MATCH (o:Order) RETURN count(o)".into(),
        rows: Some(1),
        value: None,
    };
    let database = suite(Some("orders"), std::slice::from_ref(&probe), Some((10, 20)));
    assert_eq!(
        names(&database),
        [
            ("connectivity".to_owned(), 5),
            ("databases".to_owned(), 10),
            ("schema".to_owned(), 10),
            ("counts".to_owned(), 30),
            ("probe:orders".to_owned(), 30)
        ]
    );
    let texts: Vec<(&str, &str)> =
        database[2].statements.iter().map(|s| (s.database.as_str(), s.text.as_str())).collect();
    assert_eq!(
        texts,
        [
            ("orders", "SHOW INDEXES YIELD name, state, populationPercent, failureMessage, owningConstraint"),
            ("orders", "SHOW CONSTRAINTS YIELD name, type, ownedIndex")
        ]
    );
    assert_eq!(database[4].statements[0].text, "MATCH (o:Order) RETURN count(o)");
    assert_eq!(database[4].statements[0].database, "orders");
}

#[test]
fn a_lost_connection_or_a_timeout_stops_the_rest_and_every_result_says_why() {
    let checks = suite(Some("orders"), &[], None);
    let (connectivity, counts) = (&checks[0], &checks[3]);
    let refused = Ran::Failed("cannot connect to bolt://127.0.0.1:1: connection refused".into());
    assert_eq!(stops_the_rest(connectivity, &refused), Some("no connection to the target".to_owned()));
    assert_eq!(
        stops_the_rest(counts, &Ran::Failed("syntax".into())),
        None,
        "a failed statement leaves the connection usable"
    );
    assert_eq!(stops_the_rest(counts, &Ran::TimedOut), Some("the counts check did not answer in time".to_owned()));
    let (timed_out, _) = result(counts, &Ran::TimedOut, 30_001);
    assert_eq!((timed_out.outcome, timed_out.message.as_str()), (Outcome::Fail, "no answer within 30s"));
    let (skipped, _) = result(&checks[4 - 1], &Ran::NotRun("no connection to the target".into()), 0);
    assert_eq!(skipped.message, "not run: no connection to the target");

    let answered = Ran::Answered(vec![rows(json!([{"nodes": 10, "relationships": 20, "labels": 2, "types": 1}]))]);
    let counted = result(counts, &answered, 7);
    assert_eq!(counted.0.message, "10 nodes, 20 relationships");
    let whole = report(
        "t".into(),
        "2025-01-20T12:00:00Z".into(),
        vec![result(connectivity, &Ran::Answered(vec![]), 3), counted],
    );
    assert_eq!(whole.status, "healthy");
    assert_eq!(whole.graph_stats, Some(GraphStats { nodes: 10, relationships: 20, labels: 2, relationship_types: 1 }));
}

#[test]
fn what_the_user_or_the_database_wrote_stays_on_one_line() {
    let probe =
        Probe { name: "two\nlines".into(), statement: "MATCH (n)\nRETURN n".into(), rows: Some(1), value: None };
    let checks = suite(Some("orders"), &[probe], None);
    let failed = Ran::Failed("MATCH (n)\nRETURN n failed: Neo.ClientError.Statement.SyntaxError".into());
    let (shown, _) = result(&checks[4], &failed, 3);
    assert_eq!(shown.name, "probe:two\\nlines");
    assert_eq!(shown.message, "MATCH (n)\\nRETURN n failed: Neo.ClientError.Statement.SyntaxError");
}
