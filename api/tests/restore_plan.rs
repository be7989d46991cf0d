//! The restore planner (issue 15, item 1): for every kind of source, a window miss, a destructive
//! step the spec does not allow, a cluster against a standalone, the plan text pinned. The steps
//! are the restore machine's (api/tests/restore_machine.rs pins what it does; this pins what it
//! says it will do).

use neo4j_api::plan::target::ResolvedTarget;
use neo4j_api::restore::machine::{Database, Observed, Servers};
use neo4j_api::restore::plan::{Known, plan, render};
use neo4j_api::restore::source::resolve_source;
use neo4j_api::review::review;
use neo4j_api::rules::Context;
use neo4j_api::{Neo4jBackup, Neo4jEnterpriseCluster, Neo4jRestore};
use serde_json::{Value, json};

fn restore(spec: Value) -> Neo4jRestore {
    let mut object = json!({"apiVersion": "neo4j.neo4j.com/v1alpha1", "kind": "Neo4jRestore",
        "metadata": {"name": "recover", "namespace": "neo4j", "uid": "u-1", "generation": 1},
        "spec": {"targetCluster": "prod", "databaseName": "orders",
            "source": {"type": "backup", "backupRef": "nightly"}}});
    json_patch::merge(&mut object["spec"], &spec);
    serde_json::from_value(object).unwrap()
}

fn cluster() -> ResolvedTarget {
    let cluster: Neo4jEnterpriseCluster = serde_json::from_value(json!({"apiVersion": "neo4j.neo4j.com/v1alpha1",
        "kind": "Neo4jEnterpriseCluster", "metadata": {"name": "prod"},
        "spec": {"image": {"tag": "2025.04.0-enterprise"}, "topology": {"servers": 3}}}))
    .unwrap();
    ResolvedTarget::from_cluster(&cluster, "neo4j").unwrap()
}

fn standalone() -> ResolvedTarget {
    let standalone: neo4j_api::Neo4jEnterpriseStandalone = serde_json::from_value(json!({"apiVersion": "neo4j.neo4j.com/v1alpha1",
        "kind": "Neo4jEnterpriseStandalone", "metadata": {"name": "prod"}, "spec": {"image": {"tag": "5.26.0-enterprise"}}}))
    .unwrap();
    ResolvedTarget::from_standalone(&standalone, "neo4j").unwrap()
}

/// Nightly, a whole-cluster backup to S3 whose status keeps the window of `orders`.
fn nightly() -> Neo4jBackup {
    serde_json::from_str(include_str!("fixtures/nightly-with-window.json")).unwrap()
}

fn observed(
    restore: &Neo4jRestore,
    target: ResolvedTarget,
    backup: Option<&Neo4jBackup>,
    database: Database,
) -> Observed {
    Observed {
        errors: vec![],
        target: Ok(target),
        source: resolve_source(restore, backup),
        refusal: None,
        backup_version: None,
        jobs: vec![],
        servers: Some(Servers { replicas: 3, pods: 3, ready: 3 }),
        statefulset: None,
        database,
        health: None,
        alias: neo4j_api::restore::observed::Alias::Unknown,
        promote_requested: false,
        deleting: false,
        restore_pods_active: false,
        agent_image: "agent:1".into(),
        now: None,
    }
}

/// The errors of the rules, as the webhook and the controller judge the restore.
fn judged(restore: &Neo4jRestore, target: &ResolvedTarget, backup: Option<&Neo4jBackup>) -> Vec<String> {
    let ctx = Context {
        target: Some(target.facts()),
        referenced_backup: backup,
        now: Some("2025-01-21T00:00:00Z".parse().unwrap()),
        ..Context::default()
    };
    review(None, &serde_json::to_value(restore).unwrap(), &ctx).unwrap().verdict.error_lines()
}

fn planned(restore: &Neo4jRestore, observed: &Observed, backup: Option<&Neo4jBackup>) -> neo4j_api::RestorePlan {
    plan(&Known { restore, observed, referenced: backup, earlier: &[] })
}

fn text(restore: &Neo4jRestore, observed: &Observed, backup: Option<&Neo4jBackup>, earlier: &[Neo4jRestore]) -> String {
    let known = Known { restore, observed, referenced: backup, earlier };
    render("neo4j/recover", &plan(&known))
}

/// A completed restore into `prod` that took `minutes`.
fn earlier(name: &str, minutes: i64) -> Neo4jRestore {
    let end = format!("2025-01-10T{:02}:{:02}:00Z", 1 + minutes / 60, minutes % 60);
    serde_json::from_value(json!({"apiVersion": "neo4j.neo4j.com/v1alpha1", "kind": "Neo4jRestore",
        "metadata": {"name": name, "namespace": "neo4j"},
        "spec": {"targetCluster": "prod", "databaseName": "orders", "source": {"type": "backup", "backupRef": "nightly"}},
        "status": {"phase": "Completed", "startTime": "2025-01-10T01:00:00Z", "completionTime": end}}))
    .unwrap()
}

#[test]
fn a_backup_into_a_new_cluster_database_is_seeded_from_server_0_and_stops_nothing() {
    let backup = nightly();
    let r = restore(json!({}));
    let o = observed(&r, cluster(), Some(&backup), Database::Absent);
    assert_eq!(
        text(&r, &o, Some(&backup), &[]),
        r#"Plan of Neo4jRestore neo4j/recover: can run
  Target:    Neo4jEnterpriseCluster prod: 3 servers, Neo4j 2025.04.0-enterprise
  Database:  orders (new)
  Source:    Neo4jBackup nightly: s3://my-backups/prod/
  Restores:  the newest artifact of orders: the newest chain, FULL orders-2025-01-19T02-00-00.backup and 2 artifact(s) up to orders-2025-01-20T02-00-00.backup; chosen when the inspect Job lists s3://my-backups/prod/
  Reaches:   the newest backup of orders, taken 2025-01-20T02:00:00Z, transactions up to 900 (the window holds 10 to 900)
  Downtime:  none: orders is a new database; the databases already on prod keep serving
Steps:
   1. Resolving        Job recover-inspect lists s3://my-backups/prod/ (neo4j-admin backup inspect) and neo4j-agent choose picks the artifact
   2. Restoring        Job recover-restore runs neo4j-admin database restore --from-path=s3://my-backups/prod/<artifact> --temp-path=/tmp/neo4j-admin orders on claim data-prod-server-0, beside Pod prod-server-0
   3. BringingUp       CREATE DATABASE orders IF NOT EXISTS TOPOLOGY 3 PRIMARIES OPTIONS {existingData: 'use', existingDataSeedServer: <the id of prod-server-0.prod-headless.neo4j.svc.cluster.local>}, then wait until every server hosts it online
   4. Checking         health checks on orders: connectivity, SHOW DATABASES, SHOW INDEXES and SHOW CONSTRAINTS, counts; Completed only if none fails
"#
    );
    assert!(planned(&r, &o, Some(&backup)).can_run);
}

/// A cluster's existing database is dropped first (the designated seeder needs one that does not
/// exist; --overwrite-destination "is not safe on a cluster": docs-operations,
/// backup-restore/restore-backup.adoc and clustering/databases.adoc, 5.x and dev), and only with
/// options.replaceExisting or force. The downtime comes from earlier restores into the target.
/// The plan of a restore that replaces a cluster database, as `restore plan` prints it.
const REPLACING: &str = r#"Plan of Neo4jRestore neo4j/recover: can run
  Target:    Neo4jEnterpriseCluster prod: 3 servers, Neo4j 2025.04.0-enterprise
  Database:  orders (exists: it is replaced)
  Source:    Neo4jBackup nightly: s3://my-backups/prod/
  Restores:  the newest artifact of orders: the newest chain, FULL orders-2025-01-19T02-00-00.backup and 2 artifact(s) up to orders-2025-01-20T02-00-00.backup; chosen when the inspect Job lists s3://my-backups/prod/
  Reaches:   the newest backup of orders, taken 2025-01-20T02:00:00Z, transactions up to 900 (the window holds 10 to 900)
  Downtime:  the database orders, for about 1h35m0s (the longest of 2 earlier restore(s) into prod, from start to completion)
Steps:
   1. Resolving        Job recover-inspect lists s3://my-backups/prod/ (neo4j-admin backup inspect) and neo4j-agent choose picks the artifact
   2. Verifying        Job recover-verify restores the chain into scratch space and runs neo4j-admin database check on it
   3. PreRestoreHooks  DROP DATABASE orders IF EXISTS WAIT  [destructive]
   4. Restoring        Job recover-restore runs neo4j-admin database restore --from-path=s3://my-backups/prod/<artifact> --temp-path=/tmp/neo4j-admin orders on claim data-prod-server-0, beside Pod prod-server-0
   5. BringingUp       CREATE DATABASE orders IF NOT EXISTS TOPOLOGY 3 PRIMARIES OPTIONS {existingData: 'use', existingDataSeedServer: <the id of prod-server-0.prod-headless.neo4j.svc.cluster.local>}, then wait until every server hosts it online
   6. Checking         health checks on orders: connectivity, SHOW DATABASES, SHOW INDEXES and SHOW CONSTRAINTS, counts; Completed only if none fails
Destructive:
  - the database orders is dropped, restored on server 0 and created again from it: not served until the restore completes (allowed by options.replaceExisting)
"#;

#[test]
fn replacing_a_cluster_database_drops_it_and_needs_the_spec_to_allow_it() {
    let backup = nightly();
    let r = restore(json!({"options": {"replaceExisting": true, "verifyBackup": true}}));
    let o = observed(&r, cluster(), Some(&backup), Database::present(true));
    let history = [earlier("monday", 12), earlier("tuesday", 95)];
    assert_eq!(text(&r, &o, Some(&backup), &history), REPLACING);
    // docs/plugin.md shows this plan as `restore plan` prints it.
    let docs = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/plugin.md")).unwrap();
    assert!(docs.contains(REPLACING), "docs/plugin.md shows another plan than the planner makes");

    let not_allowed = restore(json!({}));
    let o = observed(&not_allowed, cluster(), Some(&backup), Database::present(true));
    let plan = planned(&not_allowed, &o, Some(&backup));
    assert!(!plan.can_run);
    assert_eq!(
        plan.blockers,
        [
            "the database \"orders\" exists on prod; set options.replaceExisting: true to replace it, or restore into a new databaseName"
        ]
    );
    assert!(plan.steps.iter().all(|s| !s.destructive), "nothing destructive is planned without the spec's leave");
}

/// A one-server target is restored in place: the database stopped (or the whole server scaled to
/// 0 with stopCluster) and its store overwritten.
#[test]
fn a_standalone_is_stopped_and_overwritten_in_place() {
    let backup = nightly();
    let r = restore(json!({"force": true, "stopCluster": true, "options": {
        "preRestore": {"cypherStatements": ["CALL db.checkpoint()"]},
        "postRestore": {"cypherStatements": ["CALL db.awaitIndexes(300)"], "cypherCredentialsSecretRef": "app-user"}}}));
    let o = observed(&r, standalone(), Some(&backup), Database::Unknown);
    assert_eq!(
        text(&r, &o, Some(&backup), &[earlier("monday", 12)]),
        r#"Plan of Neo4jRestore neo4j/recover: can run
  Target:    Neo4jEnterpriseStandalone prod: 1 server, Neo4j 5.26.0-enterprise
  Database:  orders (replaced if it exists)
  Source:    Neo4jBackup nightly: s3://my-backups/prod/
  Restores:  the newest artifact of orders: the newest chain, FULL orders-2025-01-19T02-00-00.backup and 2 artifact(s) up to orders-2025-01-20T02-00-00.backup; chosen when the inspect Job lists s3://my-backups/prod/
  Reaches:   the newest backup of orders, taken 2025-01-20T02:00:00Z, transactions up to 900 (the window holds 10 to 900)
  Downtime:  all of prod, for about 12m0s (the longest of 1 earlier restore(s) into prod, from start to completion)
Steps:
   1. Resolving        Job recover-inspect lists s3://my-backups/prod/ (neo4j-admin backup inspect) and neo4j-agent choose picks the artifact
   2. PreRestoreHooks  1 Cypher statement(s) as the target's admin
   3. StoppingCluster  hold prod (annotation neo4j.com/restore-in-progress) and scale StatefulSet prod from 3 to 0 replicas  [destructive]
   4. Restoring        Job recover-restore runs neo4j-admin database restore --from-path=s3://my-backups/prod/<artifact> --overwrite-destination=true --temp-path=/tmp/neo4j-admin orders on claim neo4j-data-prod-0  [destructive]
   5. StartingCluster  scale StatefulSet prod back to 3 and wait for every server to be ready
   6. BringingUp       CREATE DATABASE orders IF NOT EXISTS (or START DATABASE orders if it existed), then wait until it is online
   7. PostRestoreHooks 1 Cypher statement(s) as the user of Secret app-user
   8. Checking         health checks on orders: connectivity, SHOW DATABASES, SHOW INDEXES and SHOW CONSTRAINTS, counts; Completed only if none fails
Destructive:
  - if it exists, the database orders is stopped and its store overwritten (--overwrite-destination) (allowed by spec.force)
  - every database of prod is unavailable while its servers are scaled to 0 (allowed by spec.stopCluster); they are scaled back whatever happens
"#
    );
    // Without stopCluster, the running server's database is stopped over Bolt first.
    let online = restore(json!({"force": true}));
    let o = observed(&online, standalone(), Some(&backup), Database::present(true));
    let plan = planned(&online, &o, Some(&backup));
    let actions: Vec<(&str, &str, bool)> =
        plan.steps.iter().map(|s| (s.step.as_str(), s.action.as_str(), s.destructive)).collect();
    assert_eq!(actions[1], ("PreRestoreHooks", "STOP DATABASE orders WAIT", true));
    assert_eq!(actions[3], ("BringingUp", "START DATABASE orders, then wait until it is online", false));
}

/// A moment outside the window the backup's status keeps: the plan names the window and cannot
/// run (the same refusal the webhook gives, docs/pitr.md).
#[test]
fn a_point_in_time_outside_the_window_cannot_run() {
    let backup = nightly();
    // `orders` was dropped by mistake: a whole-cluster backup restores it under its own name.
    let r = restore(json!({"options": {"allowPlaintextBolt": true}, "source": {"type": "pitr", "backupRef": null,
        "pointInTime": "2025-01-20T03:00:00Z", "pitr": {"baseBackup": {"type": "backup", "backupRef": "nightly"}}}}));
    let mut o = observed(&r, cluster(), Some(&backup), Database::Absent);
    o.errors = judged(&r, &cluster(), Some(&backup));
    let plan = planned(&r, &o, Some(&backup));
    assert!(!plan.can_run);
    assert_eq!(
        plan.window.as_deref(),
        Some(
            "outside: 2025-01-20T03:00:00Z is after the newest restorable moment 2025-01-20T02:00:00Z of database orders"
        )
    );
    assert_eq!(
        plan.blockers,
        [
            "spec.source.pointInTime: 2025-01-20T03:00:00Z is after the newest restorable moment 2025-01-20T02:00:00Z of database orders"
        ]
    );
    assert_eq!(
        plan.reaches,
        "2025-01-20T03:00:00Z: transactions are replayed up to that moment (--restore-until=\"2025-01-20 03:00:00\")"
    );
    let restoring = plan.steps.iter().find(|s| s.step == "Restoring").unwrap();
    assert!(
        restoring.action.contains(r#"--restore-until="2025-01-20 03:00:00" --temp-path=/tmp/neo4j-admin orders on"#),
        "{}",
        restoring.action
    );

    // Inside the window, and to a transaction id.
    let inside = restore(json!({"options": {"allowPlaintextBolt": true}, "source": {"type": "pitr", "backupRef": null,
        "untilTransaction": 500, "pitr": {"baseBackup": {"type": "backup", "backupRef": "nightly"}}}}));
    let mut o = observed(&inside, cluster(), Some(&backup), Database::Absent);
    o.errors = judged(&inside, &cluster(), Some(&backup));
    let plan = planned(&inside, &o, Some(&backup));
    assert!(plan.can_run, "{:?}", plan.blockers);
    assert_eq!(
        plan.window.as_deref(),
        Some("inside the window of orders (2025-01-19T02:00:00Z to 2025-01-20T02:00:00Z)")
    );
    assert_eq!(plan.reaches, "transaction 499: every transaction before it (--restore-until=500)");
}

/// Every other kind of source: a named artifact, the target's protection, a chain's folder.
#[test]
fn named_artifacts_protections_and_chain_folders_are_described() {
    let r = restore(json!({"source": {"type": "s3", "backupRef": null, "storage": {"bucket": "b"},
        "backupPath": "prod/orders-2025-01-20T02-00-00.backup"}}));
    let mut o = observed(&r, cluster(), None, Database::Unknown);
    o.target = Err(None);
    assert_eq!(
        text(&r, &o, None, &[]),
        r#"Plan of Neo4jRestore neo4j/recover: can run
  Target:    prod
  Database:  orders (must not exist yet: whether it does is checked before anything destructive)
  Source:    s3://b/prod/orders-2025-01-20T02-00-00.backup
  Restores:  s3://b/prod/orders-2025-01-20T02-00-00.backup (named by backupPath), with the chain it ends
  Reaches:   the newest backup of orders in the location (its moment is not in any status)
  Downtime:  none: orders is a new database; the databases already on prod keep serving
Waits for:
  - the target "prod" to exist (a Neo4jEnterpriseCluster or Neo4jEnterpriseStandalone of this namespace)
"#
    );
    let mut protection = nightly();
    protection.metadata.name = Some("prod-pitr".into());
    let protected =
        restore(json!({"source": {"type": "pitr", "backupRef": null, "pointInTime": "2025-01-20T01:00:00Z"}}));
    let o = observed(&protected, cluster(), Some(&protection), Database::Absent);
    let plan = planned(&protected, &o, Some(&protection));
    assert_eq!(plan.source, "the point-in-time protection prod-pitr: s3://my-backups/prod/");
    assert_eq!(
        plan.window.as_deref(),
        Some("inside the window of orders (2025-01-19T02:00:00Z to 2025-01-20T02:00:00Z)")
    );
    let chain = restore(json!({"source": {"type": "pitr", "backupRef": null, "pointInTime": "2025-01-20T01:00:00Z",
        "pitr": {"logStorage": {"type": "gcs", "bucket": "logs", "path": "prod"}}}}));
    let o = observed(&chain, cluster(), None, Database::Absent);
    let plan = planned(&chain, &o, None);
    assert_eq!(plan.source, "the chain in pitr.logStorage: gs://logs/prod/");
    assert_eq!(
        plan.window.as_deref(),
        Some(
            "unknown: no status describes the window of orders; the inspect Job checks the moment before anything destructive"
        )
    );
}

/// The plan is refreshed only while nothing destructive has happened, and `restore describe`
/// reads each planned step against the progress.
#[test]
fn the_plan_is_fixed_at_the_first_destructive_step_and_read_against_the_progress() {
    use neo4j_api::restore::plan::{Standing, standing, still_planning};
    use neo4j_api::{RestoreProgress, RestoreStep};
    let at = |step: RestoreStep| RestoreProgress { step: Some(step), ..RestoreProgress::default() };
    assert!(still_planning(&RestoreProgress::default()));
    assert!(still_planning(&at(RestoreStep::Verifying)));
    assert!(still_planning(&RestoreProgress { database_existed: Some(true), ..at(RestoreStep::PreRestoreHooks) }));
    assert!(!still_planning(&RestoreProgress { database_dropped: Some(true), ..at(RestoreStep::PreRestoreHooks) }));
    assert!(!still_planning(&RestoreProgress { database_stopped: Some(true), ..at(RestoreStep::PreRestoreHooks) }));
    assert!(!still_planning(&RestoreProgress { original_replicas: Some(3), ..at(RestoreStep::StoppingCluster) }));
    assert!(!still_planning(&at(RestoreStep::Restoring)));
    assert!(!still_planning(&RestoreProgress { failure: Some("x".into()), ..at(RestoreStep::Resolving) }));

    let restoring = Some(&RestoreStep::Restoring);
    assert_eq!(standing("StoppingCluster", restoring), Standing::Done);
    assert_eq!(standing("Restoring", restoring), Standing::Now);
    assert_eq!(standing("BringingUp", restoring), Standing::Later);
    assert_eq!(standing("PostRestoreHooks", Some(&RestoreStep::Done)), Standing::Done);
    assert_eq!(standing("Resolving", None), Standing::Later);
}

/// Review of issue 15: the plan keeps the existing database's topology as the machine does,
/// lists post-restore statements before the hook Job as the machine runs them, and a failed
/// restore's steps are not shown as done.
#[test]
fn topology_hook_order_and_a_failed_restore_read_as_the_machine_does() {
    let backup = nightly();
    let r = restore(json!({"options": {"replaceExisting": true,
        "postRestore": {"cypherStatements": ["CALL db.awaitIndexes(300)"], "job": {"template": {"container": {"image": "busybox"}}}}}}));
    let existing = Database::Present {
        online: true,
        topology: Some(neo4j_api::DatabaseTopology { primaries: Some(2), secondaries: Some(1) }),
    };
    let o = observed(&r, cluster(), Some(&backup), existing);
    let plan = planned(&r, &o, Some(&backup));
    let bring_up = plan.steps.iter().find(|s| s.step == "BringingUp").unwrap();
    assert!(
        bring_up.action.starts_with("CREATE DATABASE orders IF NOT EXISTS TOPOLOGY 2 PRIMARIES 1 SECONDARIES OPTIONS"),
        "{}",
        bring_up.action
    );
    let after: Vec<&str> =
        plan.steps.iter().filter(|s| s.step == "PostRestoreHooks").map(|s| s.action.as_str()).collect();
    assert_eq!(after, ["1 Cypher statement(s) as the target's admin", "hook Job recover-after runs after the restore"]);

    let failed = neo4j_api::RestoreProgress {
        step: Some(neo4j_api::RestoreStep::Done),
        failure: Some("the inspect Job failed: no backup of database \"orders\"".into()),
        ..Default::default()
    };
    let text = neo4j_api::restore::plan::against_progress(&plan, &failed);
    assert!(!text.contains("done"), "{text}");
    assert!(text.ends_with("  failed: the inspect Job failed: no backup of database \"orders\"\n"), "{text}");
}

/// Issue 15, item 2: a promotion's plan says the candidate is new (no downtime), the alias is
/// switched after the checks, by hand when asked, and what is dropped later.
#[test]
fn a_promotion_plans_the_switch_after_the_checks_and_names_what_it_drops_later() {
    let backup = nightly();
    let r = restore(json!({"databaseName": "orders-20250412",
        "promotion": {"alias": "orders", "automatic": false, "dropPreviousAfter": "24h"}}));
    let o = observed(&r, cluster(), Some(&backup), Database::Absent);
    let plan = planned(&r, &o, Some(&backup));
    assert!(plan.can_run, "{:?}", plan.blockers);
    let tail: Vec<(&str, &str, bool)> =
        plan.steps.iter().rev().take(4).rev().map(|s| (s.step.as_str(), s.action.as_str(), s.destructive)).collect();
    assert_eq!(
        tail,
        [
            (
                "Checking",
                "health checks on orders-20250412: connectivity, SHOW DATABASES, SHOW INDEXES and SHOW CONSTRAINTS, counts; Completed only if none fails",
                false
            ),
            (
                "AwaitingPromotion",
                "wait for `kubectl neo4j restore promote recover`; the alias orders keeps serving the live database",
                false
            ),
            (
                "Promoting",
                "ALTER ALIAS orders SET DATABASE TARGET `orders-20250412` (CREATE ALIAS orders FOR DATABASE `orders-20250412` if it does not exist yet); the database it pointed to is kept",
                false
            ),
            (
                "RetiringPrevious",
                "24h after the switch, DROP DATABASE <the database orders pointed to> IF EXISTS WAIT",
                true
            ),
        ]
    );
    assert_eq!(
        plan.destructive,
        [
            "the database the alias orders pointed to is dropped 24h after the switch (allowed by promotion.dropPreviousAfter)"
        ]
    );
    assert_eq!(plan.downtime, "none: orders-20250412 is a new database; the databases already on prod keep serving");
}
