//! The restore state machine: every transition, each failure path, deletion mid-restore, and a
//! controller restarted at every step (the same observation decided again repeats nothing destructive).

use neo4j_api::plan::restore_job::RestoreJob;
use neo4j_api::plan::target::ResolvedTarget;
use neo4j_api::restore::machine::{Action, Cypher, Database, Decision, JobState, Observed, Servers, decide};
use neo4j_api::restore::source::resolve_source;
use neo4j_api::{DatabaseTopology, Neo4jEnterpriseCluster, Neo4jRestore, RestorePhase, RestoreProgress, RestoreStep};
use serde_json::{Value, json};

fn restore(spec: Value, progress: Option<RestoreProgress>) -> Neo4jRestore {
    let mut object = json!({"apiVersion": "neo4j.neo4j.com/v1alpha1", "kind": "Neo4jRestore",
        "metadata": {"name": "recover", "namespace": "neo4j", "uid": "u-1", "generation": 1},
        "spec": {"targetCluster": "prod", "databaseName": "orders",
            "source": {"type": "storage", "storage": {"type": "pvc", "pvc": {"name": "backups"}}, "backupPath": "prod"}}});
    json_patch::merge(&mut object["spec"], &spec);
    if let Some(progress) = progress {
        object["status"] = json!({"phase": "Running", "progress": progress});
    }
    serde_json::from_value(object).unwrap()
}

fn target() -> ResolvedTarget {
    let cluster: Neo4jEnterpriseCluster = serde_json::from_value(json!({"apiVersion": "neo4j.neo4j.com/v1alpha1",
        "kind": "Neo4jEnterpriseCluster", "metadata": {"name": "prod"},
        "spec": {"image": {"tag": "2025.04.0-enterprise"}, "topology": {"servers": 3}}}))
    .unwrap();
    ResolvedTarget::from_cluster(&cluster, "neo4j").unwrap()
}

fn single_server() -> ResolvedTarget {
    let standalone: neo4j_api::Neo4jEnterpriseStandalone = serde_json::from_value(json!({"apiVersion": "neo4j.neo4j.com/v1alpha1",
        "kind": "Neo4jEnterpriseStandalone", "metadata": {"name": "prod"}, "spec": {"image": {"tag": "2025.04.0-enterprise"}}}))
    .unwrap();
    ResolvedTarget::from_standalone(&standalone, "neo4j").unwrap()
}

fn observed(restore: &Neo4jRestore) -> Observed {
    Observed {
        errors: vec![],
        target: Ok(target()),
        source: resolve_source(restore, None),
        refusal: None,
        backup_version: None,
        jobs: vec![],
        servers: Some(Servers { replicas: 3, pods: 3, ready: 3 }),
        statefulset: Some(neo4j_api::ScaledSet { name: "prod-server".into(), uid: "sts-uid-1".into() }),
        database: Database::Unknown,
        health: None,
        alias: neo4j_api::restore::observed::Alias::Unknown,
        promote_requested: false,
        deleting: false,
        restore_pods_active: false,
        agent_image: "agent:1".into(),
        now: None,
    }
}

fn at(step: RestoreStep, f: impl FnOnce(&mut RestoreProgress)) -> Option<RestoreProgress> {
    let mut progress = RestoreProgress {
        step: Some(step),
        artifact: Some("/backups/prod/orders-2025-01-20T02-00-00.backup".into()),
        generation: Some(1),
        ..RestoreProgress::default()
    };
    f(&mut progress);
    Some(progress)
}

/// What the inspect Job reports for the artifact of `at`.
const INSPECTED: &str = r#"{"uri":"file:///backups/prod/orders-2025-01-20T02-00-00.backup","database":"orders","time":"2025-01-20T02:00:00Z","full":true}"#;

fn created(decision: &Decision) -> Vec<String> {
    decision
        .actions
        .iter()
        .filter_map(|a| match a {
            Action::CreateJob(job) => job.metadata.name.clone(),
            _ => None,
        })
        .collect()
}

#[test]
fn waits_for_the_target_and_the_source_without_doing_anything() {
    let r = restore(json!({}), None);
    let mut o = observed(&r);
    o.target = Err(None);
    let d = decide(&r, &o);
    assert_eq!(
        (d.phase, d.message.as_str(), d.actions.len()),
        (RestorePhase::Pending, "waiting for the target to exist", 0)
    );
    let mut o = observed(&r);
    o.source = Err("the Neo4jBackup \"nightly\" has no successful backup yet".into());
    let d = decide(&r, &o);
    assert_eq!(d.phase, RestorePhase::Pending);
    assert_eq!(d.message, "the Neo4jBackup \"nightly\" has no successful backup yet");
}

#[test]
fn a_folder_is_inspected_to_choose_the_artifact_then_verified() {
    let r = restore(json!({"options": {"verifyBackup": true}}), None);
    let mut o = observed(&r);
    let d = decide(&r, &o);
    assert_eq!(created(&d), ["recover-inspect"]);
    assert_eq!(d.progress.step, Some(RestoreStep::Resolving));
    assert_eq!(d.progress.generation, Some(1));

    o.jobs = vec![(RestoreJob::Inspect, JobState::Running)];
    assert!(decide(&r, &o).actions.is_empty());

    let report = r#"{"uri":"file:///backups/prod/orders-2025-01-20T02-00-00.backup","database":"orders","time":"2025-01-20T02:00:00Z","full":true}"#;
    o.jobs = vec![(RestoreJob::Inspect, JobState::Succeeded(Some(report.into())))];
    let d = decide(&r, &o);
    assert_eq!(d.progress.artifact.as_deref(), Some("/backups/prod/orders-2025-01-20T02-00-00.backup"));
    assert_eq!(d.progress.step, Some(RestoreStep::Verifying));

    let r = restore(json!({"options": {"verifyBackup": true}}), Some(d.progress));
    let d = decide(&r, &o);
    assert_eq!(created(&d), ["recover-verify"]);
    o.jobs.push((RestoreJob::Verify, JobState::Failed("container verify exited with code 1".into())));
    let d = decide(&r, &o);
    assert_eq!(d.phase, RestorePhase::Failed);
    assert_eq!(d.message, "the verify Job failed: container verify exited with code 1");
    assert!(!d.actions.contains(&Action::Scale(0)), "nothing destructive happened");
    assert_eq!(d.progress.step, Some(RestoreStep::Done));
}

#[test]
fn a_failed_inspection_fails_before_anything_destructive() {
    let r = restore(json!({}), None);
    let mut o = observed(&r);
    o.jobs = vec![(RestoreJob::Inspect, JobState::Failed("the location has no backup of database \"orders\"".into()))];
    let d = decide(&r, &o);
    assert_eq!(d.phase, RestorePhase::Failed);
    assert_eq!(d.actions, vec![Action::RemoveFinalizer]);
}

#[test]
fn a_stopped_cluster_restore_records_the_size_before_scaling_and_always_scales_back() {
    let spec = json!({"stopCluster": true});
    // Pre-restore: the database did not exist; the size is recorded, no scale yet.
    let r = restore(spec.clone(), at(RestoreStep::PreRestoreHooks, |_| {}));
    let mut o = observed(&r);
    o.database = Database::Absent;
    let r = existence_recorded(&spec, &r, &o);
    let d = decide(&r, &o);
    // The target is held (neo4j.com/restore-in-progress) before the scale-down, or the Neo4j
    // operator would scale it back up (its RestoreInProgressAnnotation, issue #117).
    assert_eq!(d.actions, vec![Action::AddFinalizer, Action::HoldTarget], "no scale-down in the same decision");
    assert_eq!((d.progress.original_replicas, d.progress.database_existed), (Some(3), Some(false)));
    // Issue 13, item 5: the object scaled, by name and UID, is recorded with its size.
    assert_eq!(
        d.progress.statefulset,
        Some(neo4j_api::ScaledSet { name: "prod-server".into(), uid: "sts-uid-1".into() })
    );
    assert_eq!(d.progress.target_held, Some(true));
    assert_eq!(d.progress.step, Some(RestoreStep::StoppingCluster));

    // Stopping: scale to 0, wait for the pods, go on.
    let stopping = d.progress.clone();
    let r = restore(spec.clone(), Some(stopping.clone()));
    let d = decide(&r, &o);
    assert_eq!(d.actions, vec![Action::Scale(0)]);
    o.servers = Some(Servers { replicas: 0, pods: 2, ready: 0 });
    let d = decide(&r, &o);
    assert!(d.actions.is_empty());
    assert_eq!(d.progress.original_replicas, Some(3), "a restart never records 0");
    o.servers = Some(Servers { replicas: 0, pods: 0, ready: 0 });
    let d = decide(&r, &o);
    assert_eq!(d.progress.step, Some(RestoreStep::Restoring));

    // Restoring: one Job, mounting the stopped server's claim; it fails: scale back, then Failed.
    let r = restore(spec.clone(), Some(d.progress.clone()));
    let d = decide(&r, &o);
    assert_eq!(created(&d), ["recover-restore"]);
    let Action::CreateJob(job) = &d.actions[0] else { panic!() };
    let pod = job.spec.clone().unwrap().template.spec.unwrap();
    assert!(pod.affinity.is_none());
    assert_eq!(
        pod.volumes.unwrap().last().unwrap().persistent_volume_claim.clone().unwrap().claim_name,
        "data-prod-server-0"
    );
    o.jobs = vec![(RestoreJob::Restore, JobState::Running)];
    assert!(decide(&r, &o).actions.is_empty(), "never a second restore Job");
    o.jobs = vec![(RestoreJob::Restore, JobState::Failed("DeadlineExceeded".into()))];
    let d = decide(&r, &o);
    assert_eq!(d.actions, vec![Action::Scale(3)]);
    assert_eq!(d.phase, RestorePhase::Running);
    assert_eq!(d.message, "the restore Job failed: DeadlineExceeded; scaling the target back to 3 replicas");
    let r = restore(spec, Some(d.progress));
    o.servers = Some(Servers { replicas: 3, pods: 1, ready: 0 });
    let d = decide(&r, &o);
    assert_eq!(d.phase, RestorePhase::Failed);
    assert_eq!(d.message, "the restore Job failed: DeadlineExceeded");
    assert_eq!(d.actions, vec![Action::ReleaseTarget, Action::RemoveFinalizer], "released on the failure path too");
    assert_eq!(d.progress.target_held, Some(false));
}

#[test]
fn a_target_held_by_another_restore_is_refused_before_the_scale_down() {
    let spec = json!({"stopCluster": true});
    let progress = at(RestoreStep::PreRestoreHooks, |p| p.database_existed = Some(false));
    let r = restore(spec, progress);
    let mut o = observed(&r);
    let mut held = target();
    held.restore_hold = Some("nightly-refresh".into());
    o.target = Ok(held);
    let d = decide(&r, &o);
    assert_eq!((d.phase, d.actions), (RestorePhase::Failed, vec![Action::RemoveFinalizer]));
    assert_eq!(
        d.message,
        "the target prod is held by Neo4jRestore \"nightly-refresh\" (annotation neo4j.com/restore-in-progress); two offline restores of one target cannot run at once"
    );
}

#[test]
fn deleting_a_held_restore_releases_the_target_after_the_scale_back() {
    let mut r = restore(
        json!({"stopCluster": true}),
        at(RestoreStep::Restoring, |p| {
            p.original_replicas = Some(3);
            p.target_held = Some(true);
        }),
    );
    r.metadata.deletion_timestamp =
        Some(k8s_openapi::apimachinery::pkg::apis::meta::v1::Time("2025-01-20T03:00:00Z".parse().unwrap()));
    let mut o = observed(&r);
    o.deleting = true;
    o.servers = Some(Servers { replicas: 0, pods: 0, ready: 0 });
    assert_eq!(decide(&r, &o).actions, vec![Action::Scale(3)], "scale back first");
    o.servers = Some(Servers { replicas: 3, pods: 3, ready: 3 });
    assert_eq!(decide(&r, &o).actions, vec![Action::ReleaseTarget, Action::RemoveFinalizer]);
}

#[test]
fn after_a_stopped_restore_the_target_comes_back_and_the_database_is_created() {
    let spec =
        json!({"stopCluster": true, "options": {"postRestore": {"cypherStatements": ["CALL db.awaitIndexes(60)"]}}});
    let progress = at(RestoreStep::Restoring, |p| {
        p.original_replicas = Some(3);
        p.database_existed = Some(false);
    });
    let r = restore(spec.clone(), progress);
    let mut o = observed(&r);
    o.servers = Some(Servers { replicas: 0, pods: 0, ready: 0 });
    o.jobs = vec![(RestoreJob::Restore, JobState::Succeeded(None))];
    let d = decide(&r, &o);
    assert_eq!(d.progress.step, Some(RestoreStep::StartingCluster));
    let r = restore(spec.clone(), Some(d.progress));
    assert_eq!(decide(&r, &o).actions, vec![Action::Scale(3)]);
    o.servers = Some(Servers { replicas: 3, pods: 3, ready: 2 });
    assert!(decide(&r, &o).actions.is_empty(), "waits for every server");
    o.servers = Some(Servers { replicas: 3, pods: 3, ready: 3 });
    let d = decide(&r, &o);
    assert_eq!(d.progress.step, Some(RestoreStep::BringingUp));
    let r = restore(spec.clone(), Some(d.progress));
    o.database = Database::Absent;
    let seed_host = "prod-server-0.prod-headless.neo4j.svc.cluster.local".to_owned();
    assert_eq!(
        decide(&r, &o).actions,
        vec![Action::Cypher(Cypher::CreateSeeded {
            seed_host,
            topology: DatabaseTopology { primaries: Some(3), secondaries: Some(0) }
        })],
        "only server 0 has the restored store: the cluster creates the database from it"
    );
    let mut standalone = observed(&r);
    standalone.target = Ok(single_server());
    standalone.database = Database::Absent;
    assert_eq!(decide(&r, &standalone).actions, vec![Action::Cypher(Cypher::Create)]);
    o.database = Database::present(true);
    let d = decide(&r, &o);
    let r = restore(spec.clone(), Some(d.progress));
    let d = decide(&r, &o);
    assert_eq!((d.phase, d.progress.step.clone()), (RestorePhase::Running, Some(RestoreStep::Checking)));
    assert_eq!(
        d.actions,
        vec![Action::Cypher(Cypher::Statements(vec!["CALL db.awaitIndexes(60)".into()])), Action::RemoveFinalizer],
        "the target is back and serving: released before the checks"
    );
    let r = restore(spec, Some(d.progress));
    o.health = Some(health(&[]));
    let d = decide(&r, &o);
    assert_eq!(d.phase, RestorePhase::Completed);
    assert_eq!(d.actions, vec![Action::RemoveFinalizer]);
    assert_eq!(d.progress.step, Some(RestoreStep::Done));
}

/// A health report of the suite of `orders`, every check passing but those named in `outcomes`.
fn health(outcomes: &[(&str, neo4j_api::health::report::Outcome, &str)]) -> neo4j_api::health::report::HealthReport {
    use neo4j_api::health::suite::{Ran, report, result, suite};
    let results = suite(Some("orders"), &[], None)
        .iter()
        .map(|check| {
            let (mut result, _) = result(check, &Ran::Answered(vec![vec![]]), 4);
            result.outcome = neo4j_api::health::report::Outcome::Pass;
            result.message = "fine".into();
            if let Some((_, outcome, message)) = outcomes.iter().find(|(name, _, _)| *name == check.name) {
                (result.outcome, result.message) = (*outcome, (*message).to_owned());
            }
            (result, None)
        })
        .collect();
    report("prod".into(), "2025-01-20T03:00:00Z".into(), results)
}

/// The health checks decide the end (issue 15, item 3): Completed only when none fails; a failed
/// check fails the restore with the database left as restored; no connection is waited on.
#[test]
fn a_restore_is_completed_only_when_its_health_checks_pass() {
    use neo4j_api::health::report::Outcome;
    let r = restore(json!({}), at(RestoreStep::Checking, |_| {}));
    let mut o = observed(&r);
    let d = decide(&r, &o);
    assert_eq!((d.phase, d.message.as_str()), (RestorePhase::Running, "running the health checks of orders"));
    assert!(d.actions.is_empty());

    o.health = Some(health(&[("connectivity", Outcome::Fail, "cannot connect to bolt://prod:7687: refused")]));
    let d = decide(&r, &o);
    assert_eq!(d.phase, RestorePhase::Running);
    assert_eq!(
        d.message,
        "waiting to reach the target over Bolt for the health checks: connectivity: cannot connect to bolt://prod:7687: refused"
    );
    o.health = Some(health(&[("counts", Outcome::Fail, "no answer within 30s")]));
    let d = decide(&r, &o);
    assert_eq!(
        (d.phase.clone(), d.message.as_str()),
        (
            RestorePhase::Running,
            "waiting to reach the target over Bolt for the health checks: counts: no answer within 30s"
        ),
        "no answer says nothing about the database: asked again"
    );

    o.health = Some(health(&[("schema", Outcome::Warn, "1 index(es) still POPULATING: order_date (42.5%)")]));
    let d = decide(&r, &o);
    assert_eq!(d.phase, RestorePhase::Completed);
    assert_eq!(
        d.message,
        "the database is restored, online and passed its 4 health check(s), with warnings: schema: 1 index(es) still POPULATING: order_date (42.5%)"
    );

    o.health = Some(health(&[("schema", Outcome::Fail, "1 index(es) FAILED: text_idx (disk full)")]));
    let d = decide(&r, &o);
    assert_eq!(d.phase, RestorePhase::Failed);
    assert_eq!(
        d.message,
        "the restored database orders failed 1 of 4 health check(s): schema: 1 index(es) FAILED: text_idx (disk full); it is left online as restored, for inspection"
    );
    assert_eq!(d.actions, vec![Action::RemoveFinalizer]);
    assert_eq!(d.progress.step, Some(RestoreStep::Done));
    assert_eq!(d.progress.failure.as_deref(), Some(d.message.as_str()));
}

#[test]
fn without_health_checks_the_post_restore_step_completes_the_restore() {
    let spec = json!({"options": {"healthChecks": {"enabled": false}}});
    let r = restore(spec, at(RestoreStep::PostRestoreHooks, |_| {}));
    let d = decide(&r, &observed(&r));
    assert_eq!((d.phase, d.message.as_str()), (RestorePhase::Completed, "the database is restored and online"));
    assert_eq!(d.progress.step, Some(RestoreStep::Done));
}

#[test]
fn checks_that_never_answer_fail_after_the_steps_timeout() {
    let r = restore(
        json!({"timeout": "30m"}),
        at(RestoreStep::Checking, |p| {
            p.step_since =
                Some(k8s_openapi::apimachinery::pkg::apis::meta::v1::Time("2025-01-20T02:00:00Z".parse().unwrap()));
            // What was done before the bring-up is history: the restored database is online now.
            (p.database_dropped, p.store_touched) = (Some(true), Some(true));
        }),
    );
    let mut o = observed(&r);
    o.now = Some("2025-01-20T02:31:00Z".parse().unwrap());
    let d = decide(&r, &o);
    assert_eq!(
        (d.phase, d.message.as_str()),
        (RestorePhase::Failed, "the step Checking did not finish within 30m (spec.timeout)")
    );
}

/// The first decision of the pre-restore step only records whether the database exists (and its
/// topology): nothing acts on it in the same decision. Returns the restore with that recorded.
fn existence_recorded(spec: &Value, r: &Neo4jRestore, o: &Observed) -> Neo4jRestore {
    let d = decide(r, o);
    assert!(d.actions.is_empty(), "{:?}", d.actions);
    assert!(d.progress.database_existed.is_some());
    assert_eq!(d.progress.step, Some(RestoreStep::PreRestoreHooks));
    restore(spec.clone(), Some(d.progress))
}

fn restore_argv(decision: &Decision) -> Vec<String> {
    let Action::CreateJob(job) = &decision.actions[0] else { panic!("{:?}", decision.actions) };
    job.spec.clone().unwrap().template.spec.unwrap().init_containers.unwrap()[0].command.clone().unwrap()
}

// A one-server target replaces its database in place: STOP, restore with
// --overwrite-destination beside the running server, START (restore-backup.adoc, 5.x and dev).
#[test]
fn a_standalone_database_is_stopped_overwritten_and_started() {
    let spec = json!({"force": true});
    let r = restore(spec.clone(), at(RestoreStep::PreRestoreHooks, |_| {}));
    let mut o = observed(&r);
    o.target = Ok(single_server());
    o.database = Database::present(true);
    let r = existence_recorded(&spec, &r, &o);
    let d = decide(&r, &o);
    assert_eq!(d.actions, vec![Action::Cypher(Cypher::Stop)]);
    assert_eq!((d.progress.database_existed, d.progress.database_stopped), (Some(true), Some(true)));
    let r = restore(spec.clone(), Some(d.progress));
    let d = decide(&r, &o);
    assert!(restore_argv(&d).contains(&"--overwrite-destination=true".to_owned()), "{:?}", restore_argv(&d));
    assert_eq!(d.progress.store_touched, Some(true), "recorded with the Job's creation");
    let Action::CreateJob(job) = &d.actions[0] else { panic!() };
    assert!(job.spec.clone().unwrap().template.spec.unwrap().affinity.is_some(), "shares server-0's claim on its node");
    let r = restore(spec.clone(), Some(d.progress));
    o.jobs = vec![(RestoreJob::Restore, JobState::Succeeded(None))];
    let d = decide(&r, &o);
    assert_eq!(d.progress.step, Some(RestoreStep::BringingUp), "nothing to scale back");
    let r = restore(spec, Some(d.progress));
    o.database = Database::present(false);
    assert_eq!(decide(&r, &o).actions, vec![Action::Cypher(Cypher::Start)]);
}

// A multi-server cluster never overwrites in place ("not safe on a cluster ... restore to a new
// database", restore-backup.adoc): the database is dropped, restored on server 0 without
// --overwrite-destination, and created again from that designated seeder with the topology it had
// (clustering/databases.adoc#cluster-designated-seeder). It is never STARTed while it seeds.
#[test]
fn a_cluster_database_is_dropped_restored_on_server_0_and_created_from_it_with_its_topology() {
    let spec = json!({"options": {"replaceExisting": true}});
    let r = restore(spec.clone(), at(RestoreStep::PreRestoreHooks, |_| {}));
    let mut o = observed(&r);
    let replaced = DatabaseTopology { primaries: Some(3), secondaries: Some(1) };
    o.database = Database::Present { online: true, topology: Some(replaced) };
    let r = existence_recorded(&spec, &r, &o);
    assert_eq!(r.status.as_ref().unwrap().progress.as_ref().unwrap().topology, Some(replaced), "kept before the DROP");
    // A lost status write after the DROP repeats it (IF EXISTS), never re-learns the database as new.
    o.database = Database::Absent;
    assert_eq!(decide(&r, &o).actions, vec![Action::Cypher(Cypher::Drop)]);
    o.database = Database::Present { online: true, topology: Some(replaced) };
    let d = decide(&r, &o);
    assert_eq!(d.actions, vec![Action::Cypher(Cypher::Drop)]);
    assert_eq!((d.progress.database_dropped, d.progress.database_stopped), (Some(true), None));
    assert_eq!(d.progress.topology, Some(replaced));
    let r = restore(spec.clone(), Some(d.progress));
    o.database = Database::Absent;
    let d = decide(&r, &o);
    assert!(!restore_argv(&d).iter().any(|a| a.starts_with("--overwrite-destination")), "{:?}", restore_argv(&d));
    let r = restore(spec.clone(), Some(d.progress));
    o.jobs = vec![(RestoreJob::Restore, JobState::Succeeded(None))];
    let d = decide(&r, &o);
    let r = restore(spec.clone(), Some(d.progress));
    let seed_host = "prod-server-0.prod-headless.neo4j.svc.cluster.local".to_owned();
    let d = decide(&r, &o);
    assert_eq!(d.actions, vec![Action::Cypher(Cypher::CreateSeeded { seed_host, topology: replaced })]);
    o.database = Database::present(false);
    let d = decide(&r, &o);
    assert!(d.actions.is_empty(), "never START a database that seeds: {:?}", d.actions);
    assert_eq!(d.message, "waiting for every server to take the database from server 0 and bring it online");
    o.database = Database::present(true);
    assert_eq!(decide(&r, &o).progress.step, Some(RestoreStep::PostRestoreHooks));
}

#[test]
fn a_new_cluster_database_gets_the_spec_topology_or_three_primaries() {
    let r = restore(json!({"topology": {"primaries": 2, "secondaries": 1}}), at(RestoreStep::PreRestoreHooks, |_| {}));
    let mut o = observed(&r);
    o.database = Database::Absent;
    assert_eq!(decide(&r, &o).progress.topology, Some(DatabaseTopology { primaries: Some(2), secondaries: Some(1) }));
    let r = restore(json!({}), at(RestoreStep::PreRestoreHooks, |_| {}));
    assert_eq!(decide(&r, &o).progress.topology, Some(DatabaseTopology { primaries: Some(3), secondaries: Some(0) }));
}

// Before this, an existing database was stopped even when overwriting was not asked for, and
// neo4j-admin then refused: production offline for nothing.
#[test]
fn an_existing_database_without_replace_existing_is_refused_before_anything_destructive() {
    let r = restore(json!({}), at(RestoreStep::PreRestoreHooks, |_| {}));
    let mut o = observed(&r);
    o.database = Database::present(true);
    let d = decide(&r, &o);
    assert_eq!(d.phase, RestorePhase::Failed);
    assert_eq!(d.actions, vec![Action::RemoveFinalizer]);
    assert_eq!(
        d.message,
        "the database \"orders\" exists on prod; set options.replaceExisting: true to replace it, or restore into a new databaseName"
    );
}

/// A one-server restore that stopped the existing database and has not recorded the restore Job.
fn stopped_standalone() -> (Neo4jRestore, Observed) {
    let progress = at(RestoreStep::Restoring, |p| {
        p.database_existed = Some(true);
        p.database_stopped = Some(true);
    });
    let r = restore(json!({"force": true}), progress);
    let mut o = observed(&r);
    o.target = Ok(single_server());
    (r, o)
}

#[test]
fn a_failure_before_the_store_was_touched_starts_the_database_again() {
    let (r, mut o) = stopped_standalone();
    o.refusal = Some("the backup is of Neo4j 2026.01.0, newer than the target".into());
    let d = decide(&r, &o);
    assert_eq!(d.actions, vec![Action::Cypher(Cypher::Start)]);
    assert_eq!(
        d.message,
        "the backup is of Neo4j 2026.01.0, newer than the target; starting the database again (its store was not touched)"
    );
    let r = restore(json!({"force": true}), Some(d.progress));
    let d = decide(&r, &o);
    assert_eq!((d.phase, d.actions), (RestorePhase::Failed, vec![Action::RemoveFinalizer]));
    assert_eq!(d.message, "the backup is of Neo4j 2026.01.0, newer than the target", "back as it was");
}

// The restore Job exists but the status write of its creation was lost: the store counts as
// touched all the same, and the database is never STARTed on a half-written store.
#[test]
fn an_existing_restore_job_means_the_store_was_touched_even_without_the_record() {
    let (r, mut o) = stopped_standalone();
    o.jobs = vec![(RestoreJob::Restore, JobState::Failed("disk full".into()))];
    let d = decide(&r, &o);
    assert!(!d.actions.contains(&Action::Cypher(Cypher::Start)), "{:?}", d.actions);
    assert_eq!(d.phase, RestorePhase::Failed);
    assert!(d.message.contains("the database is stopped and its store may be partly restored"), "{}", d.message);
}

#[test]
fn a_failure_after_the_store_was_touched_says_what_state_the_database_is_in() {
    let progress = at(RestoreStep::Restoring, |p| {
        p.database_existed = Some(true);
        p.database_stopped = Some(true);
        p.store_touched = Some(true);
    });
    let r = restore(json!({"force": true}), progress);
    let mut o = observed(&r);
    o.target = Ok(single_server());
    o.jobs = vec![(RestoreJob::Restore, JobState::Failed("disk full".into()))];
    let d = decide(&r, &o);
    assert_eq!(d.phase, RestorePhase::Failed);
    assert_eq!(
        d.message,
        "the restore Job failed: disk full; the database is stopped and its store may be partly restored; restore again with a new Neo4jRestore (replaceExisting: true), or START DATABASE to serve what is there"
    );
    let dropped = at(RestoreStep::Restoring, |p| {
        p.database_existed = Some(true);
        p.database_dropped = Some(true);
        p.store_touched = Some(true);
    });
    let r = restore(json!({"force": true}), dropped);
    let mut o = observed(&r);
    o.jobs = vec![(RestoreJob::Restore, JobState::Failed("disk full".into()))];
    assert!(decide(&r, &o).message.ends_with(
        "the database was dropped before the restore and server 0 may hold a partly restored store: it is not served; create a new Neo4jRestore to restore again"
    ));
}

#[test]
fn deleting_mid_restore_scales_back_before_the_finalizer_goes() {
    let r = restore(json!({"stopCluster": true}), at(RestoreStep::Restoring, |p| p.original_replicas = Some(3)));
    let mut o = observed(&r);
    o.deleting = true;
    o.servers = Some(Servers { replicas: 0, pods: 0, ready: 0 });
    assert_eq!(decide(&r, &o).actions, vec![Action::Scale(3)]);
    o.servers = Some(Servers { replicas: 3, pods: 0, ready: 0 });
    assert_eq!(decide(&r, &o).actions, vec![Action::RemoveFinalizer]);
}

#[test]
fn a_spec_changed_after_the_start_stops_the_restore_safely() {
    let mut r = restore(json!({"stopCluster": true}), at(RestoreStep::Restoring, |p| p.original_replicas = Some(3)));
    r.metadata.generation = Some(2);
    let mut o = observed(&r);
    o.servers = Some(Servers { replicas: 0, pods: 0, ready: 0 });
    let d = decide(&r, &o);
    assert_eq!(d.actions, vec![Action::Scale(3)]);
    assert_eq!(
        d.progress.failure.as_deref(),
        Some("the spec changed after the restore started; delete this Neo4jRestore and create a new one")
    );
}

#[test]
fn a_finished_restore_does_nothing_more() {
    let r = restore(json!({}), at(RestoreStep::Done, |_| {}));
    let d = decide(&r, &observed(&r));
    assert!(d.actions.is_empty());
}

fn condition(status: &neo4j_api::Neo4jRestoreStatus, kind: &str) -> (String, String, String) {
    let c = status.conditions.iter().find(|c| c.type_ == kind).unwrap_or_else(|| panic!("{kind}"));
    (c.status.clone(), c.reason.clone(), c.message.clone())
}

#[test]
fn the_status_follows_each_step_with_an_event() {
    use neo4j_api::status::restore::restore_status;
    let now: k8s_openapi::jiff::Timestamp = "2025-01-20T03:00:00Z".parse().unwrap();
    let r = restore(json!({"options": {"verifyBackup": true}}), None);
    let mut o = observed(&r);
    let report = r#"{"uri":"file:///backups/prod/orders-2025-01-20T02-00-00.backup","database":"orders","time":"2025-01-20T02:00:00Z","full":true}"#;
    o.jobs = vec![(RestoreJob::Inspect, JobState::Succeeded(Some(report.into())))];
    let d = decide(&r, &o);
    let (status, transitions) = restore_status(&r, &d, &o, now);
    assert_eq!(status.phase, Some(RestorePhase::Running));
    assert_eq!(status.start_time.as_ref().map(|t| t.0), Some(now));
    let info = status.backup_info.clone().unwrap();
    assert_eq!(info.backup_path.as_deref(), Some("/backups/prod/orders-2025-01-20T02-00-00.backup"));
    assert_eq!(info.original_database.as_deref(), Some("orders"));
    assert_eq!(info.backup_created_at.map(|t| t.0.to_string()).as_deref(), Some("2025-01-20T02:00:00Z"));
    assert_eq!(condition(&status, "BackupVerified").1, "NotChecked");
    assert_eq!(condition(&status, "JobCreated").1, "NotYet");
    assert_eq!(transitions.len(), 1);
    assert_eq!(
        (transitions[0].reason, transitions[0].message.as_str()),
        ("VerifyingBackup", "the backup to restore is chosen")
    );

    // The check fails: Failed, BackupVerified False, one Warning event, a completion time.
    let mut stored = r.clone();
    stored.status = Some(status);
    o.jobs.push((RestoreJob::Verify, JobState::Failed("inconsistent".into())));
    let later: k8s_openapi::jiff::Timestamp = "2025-01-20T03:12:30Z".parse().unwrap();
    let d = decide(&stored, &o);
    let (status, transitions) = restore_status(&stored, &d, &o, later);
    assert_eq!(
        condition(&status, "BackupVerified"),
        ("False".into(), "CheckFailed".into(), "the check failed: inconsistent; the target was not touched".into())
    );
    assert_eq!(condition(&status, "Ready").0, "False");
    assert_eq!(status.stats.unwrap().duration.as_deref(), Some("12m30s"));
    assert_eq!(transitions.iter().map(|t| t.reason).collect::<Vec<_>>(), ["RestoreFailed"]);
    assert_eq!(transitions[0].event_type, "Warning");
}

#[test]
fn cluster_stopped_and_job_created_conditions() {
    use neo4j_api::status::restore::restore_status;
    let now: k8s_openapi::jiff::Timestamp = "2025-01-20T03:00:00Z".parse().unwrap();
    let r = restore(json!({"stopCluster": true}), at(RestoreStep::Restoring, |p| p.original_replicas = Some(3)));
    let mut o = observed(&r);
    o.servers = Some(Servers { replicas: 0, pods: 0, ready: 0 });
    let d = decide(&r, &o);
    let (status, _) = restore_status(&r, &d, &o, now);
    assert_eq!(
        condition(&status, "ClusterStopped"),
        ("True".into(), "ScaledDown".into(), "scaled to 0; 3 replicas are restored afterwards".into())
    );
    assert_eq!(
        condition(&status, "JobCreated"),
        ("True".into(), "Created".into(), "Job recover-restore created".into())
    );
}

/// A controller restarted at any step sees the same object and the same world again: it must
/// decide exactly the same (an absolute scale, a Job under a fixed name, nothing recorded twice).
#[test]
fn a_restart_at_every_step_repeats_nothing() {
    let spec = json!({"stopCluster": true, "options": {"verifyBackup": true}});
    let mut world = observed(&restore(spec.clone(), None));
    let mut progress: Option<RestoreProgress> = None;
    let mut seen_steps = Vec::new();
    for _ in 0..30 {
        let r = restore(spec.clone(), progress.clone());
        let first = decide(&r, &world);
        let again = decide(&r, &world);
        assert_eq!(first, again, "the same observation decides the same at {:?}", first.progress.step);
        let scale_downs = first.actions.iter().filter(|a| **a == Action::Scale(0)).count();
        assert!(scale_downs <= 1);
        if scale_downs == 1 {
            assert_eq!(
                r.status.as_ref().and_then(|s| s.progress.clone()).and_then(|p| p.original_replicas),
                Some(3),
                "recorded before"
            );
        }
        seen_steps.push(first.progress.step.clone());
        // The world follows the actions, as the API server, the Jobs and Neo4j would.
        for action in &first.actions {
            match action {
                Action::CreateJob(job) => {
                    let kind = [RestoreJob::Inspect, RestoreJob::Verify, RestoreJob::Restore]
                        .into_iter()
                        .find(|k| job.metadata.name.as_deref() == Some(k.job_name("recover").as_str()))
                        .expect("a known Job");
                    let report = (kind == RestoreJob::Inspect).then(|| INSPECTED.to_owned());
                    world.jobs.push((kind, JobState::Succeeded(report)));
                }
                Action::Scale(n) => world.servers = Some(Servers { replicas: *n, pods: *n, ready: *n }),
                Action::Cypher(Cypher::CreateSeeded { .. }) => world.database = Database::present(true),
                _ => {}
            }
        }
        if first.progress.step == Some(RestoreStep::Checking) {
            world.health = Some(health(&[]));
        }
        if first.progress.step == Some(RestoreStep::PreRestoreHooks) && world.database == Database::Unknown {
            world.database = Database::Absent;
        }
        progress = Some(first.progress.clone());
        if first.phase == RestorePhase::Completed {
            break;
        }
    }
    assert_eq!(progress.and_then(|p| p.step), Some(RestoreStep::Done), "went through: {seen_steps:?}");
    for step in [
        RestoreStep::Verifying,
        RestoreStep::StoppingCluster,
        RestoreStep::Restoring,
        RestoreStep::StartingCluster,
        RestoreStep::BringingUp,
        RestoreStep::Checking,
    ] {
        assert!(seen_steps.contains(&Some(step.clone())), "{step:?} in {seen_steps:?}");
    }
}

#[test]
fn what_the_restore_wrote_lands_in_the_stats() {
    use neo4j_api::status::restore::restore_status;
    let now: k8s_openapi::jiff::Timestamp = "2025-01-20T03:00:00Z".parse().unwrap();
    let r = restore(json!({"stopCluster": true}), at(RestoreStep::Restoring, |p| p.original_replicas = Some(3)));
    let mut o = observed(&r);
    o.servers = Some(Servers { replicas: 0, pods: 0, ready: 0 });
    o.jobs = vec![(RestoreJob::Restore, JobState::Succeeded(Some(r#"{"bytes":4509715660,"files":212}"#.into())))];
    let d = decide(&r, &o);
    let (status, _) = restore_status(&r, &d, &o, now);
    let stats = status.stats.clone().unwrap();
    assert_eq!((stats.data_size.as_deref(), stats.file_count, stats.error_count), (Some("4.2Gi"), Some(212), Some(0)));
    assert_eq!(
        condition(&status, "JobCreated"),
        ("True".into(), "Succeeded".into(), "Job recover-restore succeeded".into())
    );
}

// Issue 13, item 1: a hook runs the user's image with the user's env; a failed hook's own words
// (its termination message) could be a Secret's value, and never reach status or Events.
#[test]
fn a_failed_hook_says_where_its_output_is_not_what_it_printed() {
    let spec = json!({"options": {"preRestore": {"job": {"template": {"container": {"image": "tool:1"}}}}}});
    let r = restore(spec, at(RestoreStep::PreRestoreHooks, |p| p.database_existed = Some(false)));
    let mut o = observed(&r);
    o.jobs = vec![(RestoreJob::Before, JobState::Failed("hunter2-the-admin-password".into()))];
    let d = decide(&r, &o);
    assert_eq!(d.phase, RestorePhase::Failed);
    assert!(!d.message.contains("hunter2"), "{}", d.message);
    assert!(
        d.message.starts_with("the before hook Job failed; `kubectl neo4j logs restore recover` shows its output"),
        "{}",
        d.message
    );
    let failure = d.progress.failure.clone().unwrap_or_default();
    assert!(!failure.contains("hunter2"), "{failure}");
}

// Issue 13, item 3: neither a deletion nor a failure mid-restore hands a store that neo4j-admin
// may still be writing back to the servers: the restore Job goes first, then its Pods, then the
// scale-up.
#[test]
fn a_restore_deleted_or_failing_mid_write_stops_the_job_and_waits_before_the_scale_up() {
    let running = |deleting: bool| {
        let mut r = restore(
            json!({"stopCluster": true}),
            at(RestoreStep::Restoring, |p| {
                p.original_replicas = Some(3);
                p.target_held = Some(true);
                p.store_touched = Some(true);
            }),
        );
        if deleting {
            r.metadata.deletion_timestamp =
                Some(k8s_openapi::apimachinery::pkg::apis::meta::v1::Time("2025-01-20T03:00:00Z".parse().unwrap()));
        }
        let mut o = observed(&r);
        o.deleting = deleting;
        o.servers = Some(Servers { replicas: 0, pods: 0, ready: 0 });
        o.jobs = vec![(RestoreJob::Restore, JobState::Running)];
        o.restore_pods_active = true;
        (r, o)
    };
    // Deleted mid-restore.
    let (r, mut o) = running(true);
    let d = decide(&r, &o);
    assert_eq!(d.actions, vec![Action::DeleteJob(RestoreJob::Restore)]);
    assert_eq!(d.message, "deleted mid-restore; stopping the restore Job before the servers start on its data");
    o.jobs = vec![];
    let d = decide(&r, &o);
    assert_eq!(d.actions, vec![], "its Pod is still terminating");
    assert_eq!(
        d.message,
        "deleted mid-restore; waiting until no Pod of the restore Job is left on server 0's data claim"
    );
    o.restore_pods_active = false;
    assert_eq!(decide(&r, &o).actions, vec![Action::Scale(3)], "only then back up");

    // The referenced backup deleted mid-restore: the source cannot be resolved any more.
    let (r, mut o) = running(false);
    o.source = Err("the Neo4jBackup \"nightly\" does not exist".into());
    let d = decide(&r, &o);
    assert_eq!(d.phase, RestorePhase::Running);
    assert_eq!(d.actions, vec![Action::DeleteJob(RestoreJob::Restore)]);
    assert!(
        d.message.starts_with("the Neo4jBackup \"nightly\" does not exist; stopping the restore Job"),
        "{}",
        d.message
    );
    // Recorded: the next decisions follow the failure path to the end.
    let r = restore(json!({"stopCluster": true}), Some(d.progress.clone()));
    o.jobs = vec![];
    o.restore_pods_active = false;
    let d = decide(&r, &o);
    assert_eq!(d.actions, vec![Action::Scale(3)]);
}

// Issue 13, item 3: once the artifact is chosen, the source is the one recorded with it; the
// referenced Neo4jBackup deleted or changed afterwards neither stops nor moves the restore.
#[test]
fn the_source_is_fixed_with_the_artifact() {
    let r = restore(json!({}), None);
    let mut o = observed(&r);
    let report = r#"{"uri":"file:///backups/prod/orders-2025-01-20T02-00-00.backup","database":"orders","time":"2025-01-20T02:00:00Z","full":true}"#;
    o.jobs = vec![(RestoreJob::Inspect, JobState::Succeeded(Some(report.into())))];
    let d = decide(&r, &o);
    assert_eq!(d.progress.step, Some(RestoreStep::PreRestoreHooks));
    let recorded = d.progress.source.clone().expect("recorded with the artifact");
    assert_eq!(Ok(&recorded), o.source.as_ref());
    assert_eq!(
        serde_json::to_value(&recorded).unwrap(),
        json!({"storage": {"type": "pvc", "pvc": {"name": "backups"}}, "owner": "recover", "path": "prod", "database": "orders"})
    );

    let r = restore(json!({"stopCluster": true}), Some(d.progress));
    o.source = Err("the Neo4jBackup \"nightly\" does not exist".into());
    let d = decide(&r, &o);
    assert_eq!(d.phase, RestorePhase::Running);
    assert_eq!(d.progress.failure, None, "{}", d.message);
    assert_eq!(d.progress.step, Some(RestoreStep::PreRestoreHooks), "goes on: {}", d.message);
    assert!(!d.message.contains("Neo4jBackup"), "{}", d.message);
}

// The controller died after HoldTarget but before the status recorded it, and the restore is then
// deleted: the annotation names this restore, so the deletion still releases it (else the Neo4j
// operator would leave the target's replicas alone for good).
#[test]
fn a_hold_the_status_never_recorded_is_released_on_deletion() {
    let r =
        restore(json!({"stopCluster": true}), at(RestoreStep::PreRestoreHooks, |p| p.database_existed = Some(false)));
    let mut o = observed(&r);
    o.deleting = true;
    let mut held = target();
    held.restore_hold = Some("recover".into());
    o.target = Ok(held);
    let d = decide(&r, &o);
    assert_eq!(d.actions, vec![Action::ReleaseTarget, Action::RemoveFinalizer]);
    assert_eq!(d.progress.target_held, Some(false));

    // Another restore's hold is never released by this one.
    let mut other = target();
    other.restore_hold = Some("someone-else".into());
    o.target = Ok(other);
    assert_eq!(decide(&r, &o).actions, vec![Action::RemoveFinalizer]);
}

// Issue 13, item 6: a step that waits on the target (here: for the servers to stop) gives up
// after spec.timeout, and the failure path brings the target back.
#[test]
fn a_waiting_step_fails_after_the_timeout_and_scales_back() {
    let since = |at: &str| Some(k8s_openapi::apimachinery::pkg::apis::meta::v1::Time(at.parse().unwrap()));
    let r = restore(
        json!({"stopCluster": true, "timeout": "30m"}),
        at(RestoreStep::StoppingCluster, |p| {
            p.original_replicas = Some(3);
            p.step_since = since("2025-01-20T02:00:00Z");
        }),
    );
    let mut o = observed(&r);
    o.servers = Some(Servers { replicas: 0, pods: 1, ready: 0 });
    o.now = Some("2025-01-20T02:29:00Z".parse().unwrap());
    let d = decide(&r, &o);
    assert_eq!((d.message.as_str(), d.actions.len()), ("waiting for 1 server pod(s) to stop", 0));
    o.now = Some("2025-01-20T02:31:00Z".parse().unwrap());
    let d = decide(&r, &o);
    assert_eq!(
        d.progress.failure.as_deref(),
        Some("the step StoppingCluster did not finish within 30m (spec.timeout)")
    );
    assert_eq!(d.actions, vec![Action::Scale(3)]);
}

// Issue 13, item 1: hook statements run as the user the hook names, when it names one.
#[test]
fn hook_statements_name_the_user_they_run_as() {
    let spec = json!({"options": {"preRestore": {"cypherStatements": ["CALL db.checkpoint()"], "cypherCredentialsSecretRef": "hook-user"}}});
    let r = restore(spec, at(RestoreStep::PreRestoreHooks, |p| p.database_existed = Some(false)));
    let d = decide(&r, &observed(&r));
    assert_eq!(
        d.actions.first(),
        Some(&Action::CypherAs("hook-user".into(), Cypher::Statements(vec!["CALL db.checkpoint()".into()])))
    );
}

/// Issue 15, item 2: a candidate restored beside the live database, checked, then the alias
/// switched; every transition, the refusals and the restart at each promotion step.
mod promotion {
    use neo4j_api::health::report::Outcome;
    use neo4j_api::restore::observed::Alias;
    use neo4j_api::{PromotionProgress, RestorePhase, RestoreStep};
    use serde_json::{Value, json};

    use super::*;

    fn spec(promotion: Value) -> Value {
        json!({"databaseName": "orders-restored", "promotion": promotion})
    }

    fn with(progress: Option<RestoreProgress>, promotion: Value) -> Neo4jRestore {
        restore(spec(promotion), progress)
    }

    fn recorded(previous: Option<&str>) -> impl Fn(&mut RestoreProgress) {
        let previous = previous.map(str::to_owned);
        move |p: &mut RestoreProgress| {
            p.promotion = Some(PromotionProgress { previous: previous.clone(), ..PromotionProgress::default() })
        }
    }

    #[test]
    fn the_alias_is_read_and_recorded_before_anything_else() {
        let r = with(at(RestoreStep::PreRestoreHooks, |_| {}), json!({"alias": "orders"}));
        let mut o = observed(&r);
        o.database = Database::Absent;
        let d = decide(&r, &o);
        assert_eq!((d.message.as_str(), d.actions.len()), ("asking the target where the alias orders points", 0));
        o.alias = Alias::Points("orders-v1".into());
        let d = decide(&r, &o);
        assert_eq!(d.progress.promotion.and_then(|p| p.previous), Some("orders-v1".to_owned()));
        assert_eq!(
            d.message,
            "the alias orders points at orders-v1; the candidate replaces it once it passed its checks"
        );
        assert!(d.actions.is_empty(), "recorded first, nothing done");
        o.alias = Alias::Absent;
        assert_eq!(decide(&r, &o).progress.promotion, Some(PromotionProgress::default()));
        o.alias = Alias::IsADatabase;
        let d = decide(&r, &o);
        assert_eq!(d.phase, RestorePhase::Failed);
        assert!(
            d.message.starts_with("promotion.alias \"orders\" is the name of a database: applications use it directly, and an alias cannot share a database's name; create an alias for it first (CREATE ALIAS `orders-live` FOR DATABASE `orders`)"),
            "{}",
            d.message
        );
        assert_eq!(d.actions, vec![Action::RemoveFinalizer]);
    }

    #[test]
    fn passed_checks_promote_at_once_or_wait_for_the_user() {
        let healthy = |r: &Neo4jRestore| {
            let mut o = observed(r);
            o.health = Some(super::health(&[]));
            o
        };
        let r = with(at(RestoreStep::Checking, recorded(Some("orders-v1"))), json!({"alias": "orders"}));
        let d = decide(&r, &healthy(&r));
        assert_eq!((d.phase.clone(), d.progress.step.clone()), (RestorePhase::Running, Some(RestoreStep::Promoting)));
        assert_eq!(
            d.message,
            "the database is restored, online and passed its 4 health check(s); switching the alias orders to orders-restored"
        );
        let manual = json!({"alias": "orders", "automatic": false});
        let r = with(at(RestoreStep::Checking, recorded(Some("orders-v1"))), manual.clone());
        let d = decide(&r, &healthy(&r));
        assert_eq!(d.progress.step, Some(RestoreStep::AwaitingPromotion));
        assert_eq!(
            d.message,
            "the database is restored, online and passed its 4 health check(s); the candidate orders-restored waits for `kubectl neo4j restore promote recover` to switch the alias orders to it"
        );
        let r = with(at(RestoreStep::AwaitingPromotion, recorded(Some("orders-v1"))), manual);
        let mut o = observed(&r);
        o.now = Some("2026-01-20T02:00:00Z".parse().unwrap());
        let d = decide(&r, &o);
        assert_eq!(
            (d.progress.step.clone(), d.actions.len()),
            (Some(RestoreStep::AwaitingPromotion), 0),
            "never timed out"
        );
        o.promote_requested = true;
        assert_eq!(decide(&r, &o).progress.step, Some(RestoreStep::Promoting));
    }

    #[test]
    fn the_switch_is_an_alter_or_a_create_and_done_once_the_alias_points_at_the_candidate() {
        let promotion = json!({"alias": "orders"});
        let r = with(at(RestoreStep::Promoting, recorded(Some("orders-v1"))), promotion.clone());
        let mut o = observed(&r);
        o.alias = Alias::Points("orders-v1".into());
        let d = decide(&r, &o);
        assert_eq!(d.actions, vec![Action::Cypher(Cypher::Promote { alias: "orders".into(), create: false })]);
        assert_eq!(d, decide(&r, &o), "the same observation decides the same");
        o.alias = Alias::Points("orders-restored".into());
        o.now = Some("2025-01-20T04:00:00Z".parse().unwrap());
        let d = decide(&r, &o);
        assert_eq!(d.phase, RestorePhase::Completed);
        assert_eq!(
            d.message,
            "promoted: the alias orders points at orders-restored; it pointed at orders-v1, which is kept"
        );
        assert_eq!(d.actions, vec![Action::RemoveFinalizer]);
        assert_eq!(d.progress.step, Some(RestoreStep::Done));
        let at_switch = d.progress.promotion.and_then(|p| p.promoted_at).map(|t| t.0.to_string());
        assert_eq!(at_switch.as_deref(), Some("2025-01-20T04:00:00Z"));

        let r = with(at(RestoreStep::Promoting, recorded(None)), promotion.clone());
        let mut o = observed(&r);
        o.alias = Alias::Absent;
        assert_eq!(
            decide(&r, &o).actions,
            vec![Action::Cypher(Cypher::Promote { alias: "orders".into(), create: true })]
        );

        let r = with(at(RestoreStep::Promoting, recorded(Some("orders-v1"))), promotion);
        let mut o = observed(&r);
        o.alias = Alias::Points("orders-hotfix".into());
        let d = decide(&r, &o);
        assert_eq!(d.phase, RestorePhase::Failed);
        assert_eq!(
            d.message,
            "the alias orders was changed meanwhile: it points at orders-hotfix, it pointed at orders-v1 when the restore started; it is not switched over that change, and orders-restored is kept: switch it by hand if it should serve"
        );
        assert!(!d.actions.iter().any(|a| matches!(a, Action::Cypher(_))), "nothing switched, nothing dropped");
    }

    #[test]
    fn the_previous_database_is_dropped_only_after_its_grace_period() {
        let promotion = json!({"alias": "orders", "dropPreviousAfter": "24h"});
        let r = with(at(RestoreStep::Promoting, recorded(Some("orders-v1"))), promotion.clone());
        let mut o = observed(&r);
        o.alias = Alias::Points("orders-restored".into());
        o.now = Some("2025-01-20T04:00:00Z".parse().unwrap());
        let d = decide(&r, &o);
        assert_eq!(
            (d.phase.clone(), d.progress.step.clone()),
            (RestorePhase::Completed, Some(RestoreStep::RetiringPrevious))
        );
        assert_eq!(
            d.message,
            "promoted: the alias orders points at orders-restored; orders-v1 is dropped 24h after the switch"
        );
        assert!(d.actions.is_empty());
        let r = with(Some(d.progress.clone()), promotion);
        assert_eq!(
            neo4j_api::restore::promotion::retire_at(&r, &d.progress).map(|t| t.to_string()).as_deref(),
            Some("2025-01-21T04:00:00Z")
        );
        o.now = Some("2025-01-21T03:59:00Z".parse().unwrap());
        assert!(decide(&r, &o).actions.is_empty(), "not yet");
        o.now = Some("2025-01-21T04:00:00Z".parse().unwrap());
        let d = decide(&r, &o);
        assert_eq!(d.actions, vec![Action::Cypher(Cypher::DropPrevious("orders-v1".into())), Action::RemoveFinalizer]);
        assert_eq!(d.progress.step, Some(RestoreStep::Done));
        assert_eq!(
            d.message,
            "promoted: the alias orders points at orders-restored; the previous database orders-v1 was dropped"
        );
    }

    #[test]
    fn a_failed_check_leaves_the_alias_alone_and_keeps_or_drops_the_candidate() {
        let failing = |promotion: Value| {
            let r = with(at(RestoreStep::Checking, recorded(Some("orders-v1"))), promotion);
            let mut o = observed(&r);
            o.health = Some(super::health(&[("schema", Outcome::Fail, "1 index(es) FAILED: text_idx (disk full)")]));
            decide(&r, &o)
        };
        let kept = failing(json!({"alias": "orders"}));
        assert_eq!(kept.phase, RestorePhase::Failed);
        assert_eq!(
            kept.message,
            "the restored database orders-restored failed 1 of 4 health check(s): schema: 1 index(es) FAILED: text_idx (disk full); the alias orders and the database it serves are untouched; the candidate orders-restored is kept for inspection"
        );
        assert_eq!(kept.actions, vec![Action::RemoveFinalizer]);
        // The verdict is recorded first, then the candidate dropped: a failed drop (whose status
        // write the controller skips) keeps the verdict and drops again.
        let drop = json!({"alias": "orders", "onFailure": "Drop"});
        let recorded = failing(drop.clone());
        assert_eq!((recorded.phase.clone(), recorded.actions.len()), (RestorePhase::Running, 0));
        assert!(recorded.message.ends_with("the candidate orders-restored is dropped"), "{}", recorded.message);
        let r = with(Some(recorded.progress.clone()), drop);
        let dropped = decide(&r, &observed(&r));
        assert_eq!(dropped.actions, vec![Action::Cypher(Cypher::Drop), Action::RemoveFinalizer]);
        assert_eq!(
            (dropped.phase.clone(), dropped.message.as_str()),
            (RestorePhase::Failed, recorded.message.as_str())
        );
        assert_eq!(dropped.progress.promotion.and_then(|p| p.candidate_dropped), Some(true));
        assert_eq!(decide(&r, &observed(&r)).actions, dropped.actions, "after a lost write, dropped again (IF EXISTS)");
    }

    fn since(at: &str) -> Option<k8s_openapi::apimachinery::pkg::apis::meta::v1::Time> {
        Some(k8s_openapi::apimachinery::pkg::apis::meta::v1::Time(at.parse().unwrap()))
    }

    /// A human is waited for without end; a switch that cannot be seen is timed out, saying the
    /// alias was not switched; a rule broken after the restore (a moment since pruned from the
    /// window) stops nothing.
    #[test]
    fn waiting_for_the_user_never_times_out_and_a_switch_does() {
        let promotion = json!({"alias": "orders", "automatic": false});
        let long_ago = |step| {
            at(step, |p| {
                recorded(Some("orders-v1"))(p);
                p.step_since = since("2025-01-20T02:00:00Z");
            })
        };
        let r = with(long_ago(RestoreStep::AwaitingPromotion), promotion.clone());
        let mut o = observed(&r);
        o.now = Some("2025-01-27T02:00:00Z".parse().unwrap());
        o.errors = vec!["spec.source.pointInTime: is outside the window".into()];
        let d = decide(&r, &o);
        assert_eq!(
            (d.phase.clone(), d.progress.step.clone()),
            (RestorePhase::Running, Some(RestoreStep::AwaitingPromotion))
        );
        let r = with(long_ago(RestoreStep::Promoting), promotion);
        let d = decide(&r, &o);
        assert_eq!(d.phase, RestorePhase::Failed);
        assert_eq!(
            d.message,
            "the step Promoting did not finish within 2h (spec.timeout); the alias was not switched: the database it serves is untouched"
        );
    }

    #[test]
    fn once_switched_a_later_failure_leaves_the_promotion_standing_and_a_moved_alias_keeps_its_database() {
        let promotion = json!({"alias": "orders", "dropPreviousAfter": "1h"});
        let switched = |p: &mut RestoreProgress| {
            p.promotion = Some(PromotionProgress {
                previous: Some("orders-v1".into()),
                promoted_at: since("2025-01-20T04:00:00Z"),
                ..PromotionProgress::default()
            })
        };
        let failed_drop = at(RestoreStep::RetiringPrevious, |p| {
            switched(p);
            p.failure =
                Some("DROP DATABASE $name IF EXISTS WAIT failed: Neo.ClientError.Database.DatabaseNotFound".into());
        });
        let r = with(failed_drop, promotion.clone());
        let d = decide(&r, &observed(&r));
        assert_eq!(d.phase, RestorePhase::Completed);
        assert_eq!(
            d.message,
            "promoted, but dropping the previous database orders-v1 failed: DROP DATABASE $name IF EXISTS WAIT failed: Neo.ClientError.Database.DatabaseNotFound; drop it by hand once nothing uses it"
        );
        let r = with(at(RestoreStep::RetiringPrevious, switched), promotion);
        let mut o = observed(&r);
        o.now = Some("2025-01-20T05:00:00Z".parse().unwrap());
        o.alias = Alias::Points("orders-v1".into());
        let d = decide(&r, &o);
        assert_eq!(
            (d.message.as_str(), d.actions.clone()),
            (
                "promoted, but the alias orders no longer points at orders-restored: the previous database orders-v1 is not dropped",
                vec![Action::RemoveFinalizer]
            )
        );
        o.alias = Alias::Unknown;
        assert!(decide(&r, &o).actions.is_empty(), "not dropped before the alias is seen");
    }

    #[test]
    fn a_remote_alias_is_refused_before_anything() {
        let r = with(at(RestoreStep::PreRestoreHooks, |_| {}), json!({"alias": "orders"}));
        let mut o = observed(&r);
        o.alias = Alias::Remote("neo4j+s://other.example.com:7687".into());
        let d = decide(&r, &o);
        assert_eq!(d.phase, RestorePhase::Failed);
        assert!(
            d.message.starts_with("promotion.alias \"orders\" is a remote alias (to neo4j+s://other.example.com:7687)"),
            "{}",
            d.message
        );
    }

    /// The whole way, restarted at every step: each observation decided twice decides the same,
    /// and the alias is switched exactly once.
    #[test]
    fn a_restart_at_every_promotion_step_repeats_nothing() {
        let promotion = json!({"alias": "orders", "automatic": false});
        let mut world = observed(&with(None, promotion.clone()));
        world.database = Database::Absent;
        world.alias = Alias::Points("orders-v1".into());
        world.now = Some("2025-01-20T03:00:00Z".parse().unwrap());
        let mut progress: Option<RestoreProgress> = None;
        let (mut switches, mut steps) = (0, Vec::new());
        for round in 0..40 {
            let r = with(progress.clone(), promotion.clone());
            let first = decide(&r, &world);
            assert_eq!(first, decide(&r, &world), "at {:?}", first.progress.step);
            steps.push(first.progress.step.clone());
            for action in &first.actions {
                match action {
                    Action::CreateJob(job) => {
                        let kind = [RestoreJob::Inspect, RestoreJob::Restore]
                            .into_iter()
                            .find(|k| job.metadata.name.as_deref() == Some(k.job_name("recover").as_str()))
                            .expect("a known Job");
                        let report = (kind == RestoreJob::Inspect).then(|| INSPECTED.to_owned());
                        world.jobs.push((kind, JobState::Succeeded(report)));
                    }
                    Action::Cypher(Cypher::CreateSeeded { .. }) => world.database = Database::present(true),
                    Action::Cypher(Cypher::Promote { .. }) => {
                        switches += 1;
                        world.alias = Alias::Points("orders-restored".into());
                    }
                    _ => {}
                }
            }
            if first.progress.step == Some(RestoreStep::Checking) {
                world.health = Some(super::health(&[]));
            }
            if first.progress.step == Some(RestoreStep::AwaitingPromotion) && round > 20 {
                world.promote_requested = true;
            }
            progress = Some(first.progress.clone());
            if first.progress.step == Some(RestoreStep::Done) {
                assert_eq!(first.phase, RestorePhase::Completed, "{}", first.message);
                break;
            }
        }
        assert_eq!(progress.and_then(|p| p.step), Some(RestoreStep::Done), "went through {steps:?}");
        assert_eq!(switches, 1);
        for step in [RestoreStep::Checking, RestoreStep::AwaitingPromotion, RestoreStep::Promoting] {
            assert!(steps.contains(&Some(step.clone())), "{step:?} in {steps:?}");
        }
    }
}
