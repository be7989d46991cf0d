//! The steps of a restore, as a pure function: from what the controller observed and the durable
//! progress on the object, the next progress and the actions that take the restore there.
//!
//! The contract with the controller: it runs the actions in order, and writes `progress` to the
//! status only after all of them succeeded. So a step that must be recorded before something
//! destructive happens (the replica count before a scale-down) is a decision of its own, with the
//! destructive action in the next one; a controller killed anywhere re-runs an idempotent step at
//! worst (a Job is created under a fixed name, a scale sets an absolute count).

use k8s_openapi::api::batch::v1::Job;

use crate::health::report::Outcome;
use crate::plan::restore_job::{DataVolume, RestoreJob, hook_job, inspect_job, restore_job, verify_job};
use crate::plan::target::{RESTORE_IN_PROGRESS, ResolvedTarget, TargetType};
use crate::restore::artifact::ChosenArtifact;
use crate::restore::failure::{left_behind, restart_untouched};
pub use crate::restore::observed::{Database, JobState, Observed, Servers};
use crate::restore::promotion;
use crate::restore::source::SourceLocation;
use crate::restore::topology::topology;
use crate::types::{DatabaseTopology, Neo4jRestore, RestoreHooks, RestorePhase, RestoreProgress, RestoreStep};

/// What the controller does on the target over Bolt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cypher {
    /// `STOP DATABASE`, before restoring over an existing database of a running one-server target.
    Stop,
    /// `DROP DATABASE ... IF EXISTS`, before restoring an existing database of a multi-server
    /// cluster: a designated seeder needs a database that does not exist, and
    /// `--overwrite-destination` "is not safe on a cluster" (docs-operations,
    /// backup-restore/restore-backup.adoc and clustering/databases.adoc, 5.x and dev).
    Drop,
    /// `CREATE DATABASE`, for a database that did not exist.
    Create,
    /// `START DATABASE`, for a database that existed.
    Start,
    /// In a multi-server cluster, `CREATE DATABASE ... TOPOLOGY` from the store restored on the
    /// server at `seed_host` (server 0): `existingData: 'use'` with that server as the designated
    /// seeder (clustering/databases.adoc#cluster-designated-seeder, 5.x and dev).
    CreateSeeded {
        /// Host name of the seeding server, as `SHOW SERVERS` lists its address.
        seed_host: String,
        /// The copies to create.
        topology: DatabaseTopology,
    },
    /// The user's hook statements, in order, against the restored database.
    Statements(Vec<String>),
    /// Points `alias` at the restored database: `CREATE ALIAS` when it does not exist (`create`),
    /// else `ALTER ALIAS ... SET DATABASE TARGET`.
    Promote {
        /// The alias.
        alias: String,
        /// It does not exist yet.
        create: bool,
    },
    /// `DROP DATABASE` of the database the alias pointed to before the promotion.
    DropPrevious(String),
}

/// One thing to do.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// Create this Job (under its fixed name; one that exists is left alone).
    CreateJob(Box<Job>),
    /// Set the StatefulSet's `spec.replicas`.
    Scale(i32),
    /// Add the finalizer that guarantees the scale-up.
    AddFinalizer,
    /// Remove it.
    RemoveFinalizer,
    /// Set the `neo4j.com/restore-in-progress` annotation (this restore's name) on the target, so
    /// that the Neo4j operator leaves the scaled-down StatefulSet alone.
    HoldTarget,
    /// Remove that annotation, when it is this restore's.
    ReleaseTarget,
    /// Run this over Bolt, as the target's admin.
    Cypher(Cypher),
    /// Run this over Bolt as the user whose `username`/`password` the named Secret of the
    /// restore's namespace holds (a hook's `cypherCredentialsSecretRef`).
    CypherAs(String, Cypher),
    /// Delete this Job and its Pods (foreground), before the servers may start again.
    DeleteJob(RestoreJob),
}

/// The outcome of one decision.
#[derive(Clone, Debug, PartialEq)]
pub struct Decision {
    /// The phase.
    pub phase: RestorePhase,
    /// Why, in a sentence.
    pub message: String,
    /// The progress to record once the actions succeeded.
    pub progress: RestoreProgress,
    /// What to do, in order.
    pub actions: Vec<Action>,
}

pub(crate) fn decision(
    phase: RestorePhase,
    message: impl Into<String>,
    progress: RestoreProgress,
    actions: Vec<Action>,
) -> Decision {
    Decision { phase, message: message.into(), progress, actions }
}

pub(crate) fn step(progress: &RestoreProgress, step: RestoreStep) -> RestoreProgress {
    RestoreProgress { step: Some(step), ..progress.clone() }
}

fn failing(progress: &RestoreProgress, reason: String) -> RestoreProgress {
    RestoreProgress { failure: Some(reason), ..progress.clone() }
}

/// What every step reads.
#[derive(Clone, Copy)]
pub(crate) struct Inputs<'a> {
    pub(crate) restore: &'a Neo4jRestore,
    pub(crate) observed: &'a Observed,
    pub(crate) target: &'a ResolvedTarget,
    pub(crate) source: &'a SourceLocation,
}

/// Decides the next step of `restore`.
pub fn decide(restore: &Neo4jRestore, observed: &Observed) -> Decision {
    let mut progress = restore.status.as_ref().and_then(|s| s.progress.clone()).unwrap_or_default();
    let phase = restore.status.as_ref().and_then(|s| s.phase.clone());
    let scaled = progress.original_replicas;
    // A hold that names this restore is its own, recorded or not (the status write after the
    // HoldTarget action may have been lost): every ending releases it.
    let holder = observed.target.as_ref().ok().and_then(|t| t.restore_hold.as_deref());
    if holder.is_some() && holder == restore.metadata.name.as_deref() && progress.step != Some(RestoreStep::Done) {
        progress.target_held = Some(true);
    }

    if observed.deleting {
        if let Some((message, actions)) = quiesce(observed, "deleted mid-restore") {
            return decision(RestorePhase::Failed, message, progress, actions);
        }
        return match (scaled.filter(|_| progress.target_held != Some(false)), observed.servers) {
            (Some(count), Some(servers)) if servers.replicas != count => decision(
                RestorePhase::Failed,
                format!("deleted mid-restore: scaling the target back to {count}"),
                progress,
                vec![Action::Scale(count)],
            ),
            _ => {
                let actions = ending(&progress);
                decision(phase.unwrap_or(RestorePhase::Failed), "deleted", released(progress), actions)
            }
        };
    }
    if progress.step == Some(RestoreStep::Done) {
        let message = restore.status.as_ref().and_then(|s| s.message.clone()).unwrap_or_default();
        return decision(phase.unwrap_or(RestorePhase::Completed), message, progress, vec![]);
    }
    if let Some(reason) = progress.failure.clone() {
        if let Some(decision) = promotion::drop_rejected(restore, &progress, &reason) {
            return decision;
        }
        return fail(&progress, observed, reason);
    }
    let started = progress.step.as_ref().is_some_and(|s| *s != RestoreStep::Resolving);
    // Once the database is restored and online, the rules of the source (a moment since pruned from
    // the window, a backup newer than the target) have nothing more to say about it.
    let restored = restored(&progress);
    if started && !restored && progress.generation.is_some() && restore.metadata.generation != progress.generation {
        let reason =
            "the spec changed after the restore started; delete this Neo4jRestore and create a new one".to_owned();
        return fail(&progress, observed, reason);
    }
    if !observed.errors.is_empty() && !restored {
        let reason = format!("the spec breaks {} rule(s): {}", observed.errors.len(), observed.errors.join("; "));
        return fail(&progress, observed, reason);
    }
    let target = match &observed.target {
        Ok(target) => target,
        Err(None) if !started => {
            return decision(RestorePhase::Pending, "waiting for the target to exist", progress, vec![]);
        }
        Err(why) => {
            let why = why.clone().unwrap_or_else(|| "the target no longer exists".to_owned());
            return fail(&progress, observed, why);
        }
    };
    // Once the artifact is chosen, the source is what was recorded with it (issue 13, item 3).
    let recorded = progress.source.clone();
    let source = match (&recorded, &observed.source) {
        (Some(recorded), _) => recorded,
        (None, Ok(source)) => source,
        (None, Err(why)) if !started => return decision(RestorePhase::Pending, why.clone(), progress, vec![]),
        (None, Err(why)) => return fail(&progress, observed, why.clone()),
    };
    if let Some(refusal) = observed.refusal.as_ref().filter(|_| !restored) {
        return fail(&progress, observed, refusal.clone());
    }
    if let Some(reason) = overdue(restore, &progress, observed) {
        return fail(&progress, observed, reason);
    }
    let inputs = Inputs { restore, observed, target, source };
    match progress.step.clone().unwrap_or(RestoreStep::Resolving) {
        RestoreStep::Resolving => resolving(&inputs, progress),
        RestoreStep::Verifying => verifying(&inputs, progress),
        RestoreStep::PreRestoreHooks => pre_hooks(&inputs, progress),
        RestoreStep::StoppingCluster => stopping(observed, progress),
        RestoreStep::Restoring => restoring(&inputs, progress),
        RestoreStep::StartingCluster => starting(observed, progress),
        RestoreStep::BringingUp => bringing_up(&inputs, progress),
        RestoreStep::PostRestoreHooks => post_hooks(&inputs, progress),
        RestoreStep::Checking => checking(&inputs, progress),
        RestoreStep::AwaitingPromotion => promotion::awaiting(&inputs, progress),
        RestoreStep::Promoting => promotion::promoting(&inputs, progress),
        RestoreStep::RetiringPrevious => promotion::retiring(&inputs, progress),
        RestoreStep::Done | RestoreStep::Unknown(_) => decision(RestorePhase::Failed, "unknown step", progress, vec![]),
    }
}

/// Why a step that waits on the target has waited too long: longer than `spec.timeout` (the
/// restore Job's deadline, 2 hours when unset) since it began. Steps that run a Job are bounded
/// by the Job's own deadline instead (issue 13, item 6).
fn overdue(restore: &Neo4jRestore, progress: &RestoreProgress, observed: &Observed) -> Option<String> {
    let waits = matches!(
        progress.step,
        Some(
            RestoreStep::PreRestoreHooks
                | RestoreStep::StoppingCluster
                | RestoreStep::StartingCluster
                | RestoreStep::BringingUp
                | RestoreStep::PostRestoreHooks
                | RestoreStep::Checking
                | RestoreStep::Promoting
        )
    );
    let (now, since) = (observed.now?, progress.step_since.as_ref()?.0);
    let timeout = restore.spec.timeout.as_deref();
    let limit = timeout.and_then(|t| crate::grammar::duration::parse_duration(t).ok());
    let limit = limit.unwrap_or(crate::plan::restore_job::DEFAULT_RESTORE_DEADLINE_SECONDS.unsigned_abs());
    let waited = now.duration_since(since).as_secs();
    (waits && waited > i64::try_from(limit).unwrap_or(i64::MAX)).then(|| {
        let step = progress.step.as_ref().map(RestoreStep::as_str).unwrap_or_default();
        format!("the step {step} did not finish within {} (spec.timeout)", timeout.unwrap_or("2h"))
    })
}

/// Before the servers of a stopped target start again: no restore Job may still be writing into
/// server 0's data claim (issue 13, item 3). A running restore Job is deleted (foreground), then
/// the decision waits until none of its Pods is left. `None`: nothing is writing.
fn quiesce(observed: &Observed, reason: &str) -> Option<(String, Vec<Action>)> {
    let job = RestoreJob::Restore;
    if observed.job(job) == JobState::Running {
        return Some((
            format!("{reason}; stopping the restore Job before the servers start on its data"),
            vec![Action::DeleteJob(job)],
        ));
    }
    observed.restore_pods_active.then(|| {
        (format!("{reason}; waiting until no Pod of the restore Job is left on server 0's data claim"), vec![])
    })
}

/// The failure path: start a database that was stopped and whose store was never touched, bring
/// the target back to its recorded size, then phase Failed with the state the database is left in.
pub(crate) fn fail(progress: &RestoreProgress, observed: &Observed, reason: String) -> Decision {
    let mut progress = failing(progress, reason.clone());
    if let Some((message, actions)) = quiesce(observed, &reason) {
        return decision(RestorePhase::Running, message, progress, actions);
    }
    if restart_untouched(&progress) {
        progress.database_stopped = Some(false);
        return decision(
            RestorePhase::Running,
            format!("{reason}; starting the database again (its store was not touched)"),
            progress,
            vec![Action::Cypher(Cypher::Start)],
        );
    }
    if let Some(decision) = promotion::stands(&progress, &reason) {
        return decision;
    }
    // Released (at the health checks) means back at its size and the operator's again.
    if let (Some(count), Some(servers), false) =
        (progress.original_replicas, observed.servers, progress.target_held == Some(false))
        && servers.replicas != count
    {
        return decision(
            RestorePhase::Running,
            format!("{reason}; scaling the target back to {count} replicas"),
            step(&progress, RestoreStep::StartingCluster),
            vec![Action::Scale(count)],
        );
    }
    let message = match (left_behind(&progress), promotion::unswitched(&progress)) {
        (Some(state), _) => format!("{reason}; {state}"),
        (None, Some(untouched)) if !reason.contains("untouched") && !reason.contains("not switched") => {
            format!("{reason}; {untouched}")
        }
        _ => reason,
    };
    end(RestorePhase::Failed, message, progress, vec![])
}

/// The last decision of a restore: `actions`, then the ending of every path (the target released,
/// the finalizer removed), at step `Done`.
pub(crate) fn end(
    phase: RestorePhase,
    message: String,
    progress: RestoreProgress,
    mut actions: Vec<Action>,
) -> Decision {
    actions.extend(ending(&progress));
    decision(phase, message, step(&released(progress), RestoreStep::Done), actions)
}

fn job_or_fail(
    progress: &RestoreProgress,
    observed: &Observed,
    restore: &Neo4jRestore,
    kind: RestoreJob,
    planned: impl FnOnce() -> Result<Job, String>,
) -> Result<Option<String>, Box<Decision>> {
    match observed.job(kind) {
        JobState::Absent => match planned() {
            Ok(job) => Err(Box::new(decision(
                RestorePhase::Running,
                format!("Job {} created", job.metadata.name.clone().unwrap_or_default()),
                progress.clone(),
                vec![Action::CreateJob(Box::new(job))],
            ))),
            Err(why) => Err(Box::new(fail(progress, observed, why))),
        },
        JobState::Running => Err(Box::new(decision(
            RestorePhase::Running,
            format!("waiting for the {} Job", kind.as_str()),
            progress.clone(),
            vec![],
        ))),
        // A hook runs the user's image with the user's env (Secrets included): what it says about
        // itself is never copied into status or Events, where everyone who reads the Neo4jRestore
        // would see it (issue 13, item 1). Its logs need `pods/log` rights.
        JobState::Failed(_) if kind.is_hook() => Err(Box::new(fail(
            progress,
            observed,
            format!(
                "the {} hook Job failed; `kubectl neo4j logs restore {}` shows its output",
                kind.as_str(),
                restore.metadata.name.as_deref().unwrap_or_default()
            ),
        ))),
        JobState::Failed(why) => {
            Err(Box::new(fail(progress, observed, format!("the {} Job failed: {why}", kind.as_str()))))
        }
        JobState::Succeeded(_) if kind.is_hook() => Ok(None),
        JobState::Succeeded(report) => Ok(report),
    }
}

fn resolving(inputs: &Inputs, progress: RestoreProgress) -> Decision {
    let Inputs { restore, observed, target, source } = *inputs;
    let mut progress = RestoreProgress { generation: restore.metadata.generation, ..progress };
    if progress.artifact.is_none() {
        if source.names_an_artifact() {
            match source.location() {
                Ok(location) => progress.artifact = Some(location.raw().to_owned()),
                Err(why) => return fail(&progress, observed, why),
            }
        } else {
            let planned = || inspect_job(restore, target, source, &observed.agent_image).map_err(|e| e.to_string());
            let report = match job_or_fail(&progress, observed, inputs.restore, RestoreJob::Inspect, planned) {
                Ok(report) => report.unwrap_or_default(),
                Err(decision) => return with_step(*decision, RestoreStep::Resolving),
            };
            match serde_json::from_str::<ChosenArtifact>(&report) {
                Ok(chosen) => progress.artifact = Some(chosen.from_path().to_owned()),
                Err(_) => {
                    return fail(&progress, observed, format!("the inspect Job reported no artifact: {report:?}"));
                }
            }
        }
    }
    progress.source = Some(source.clone());
    let verify = restore.spec.options.as_ref().and_then(|o| o.verify_backup) == Some(true);
    let next = if verify { RestoreStep::Verifying } else { RestoreStep::PreRestoreHooks };
    decision(RestorePhase::Running, "the backup to restore is chosen", step(&progress, next), vec![])
}

/// Whether the restored database is online: past the bring-up.
pub(crate) fn restored(progress: &RestoreProgress) -> bool {
    matches!(
        progress.step,
        Some(
            RestoreStep::PostRestoreHooks
                | RestoreStep::Checking
                | RestoreStep::AwaitingPromotion
                | RestoreStep::Promoting
                | RestoreStep::RetiringPrevious
        )
    )
}

fn with_step(mut decision: Decision, at: RestoreStep) -> Decision {
    if decision.progress.failure.is_none() {
        decision.progress.step = Some(at);
    }
    decision
}

fn chosen(progress: &RestoreProgress, source: &SourceLocation) -> ChosenArtifact {
    ChosenArtifact {
        uri: progress.artifact.clone().unwrap_or_default(),
        database: source.database.clone(),
        time: String::new(),
        full: false,
    }
}

fn verifying(inputs: &Inputs, progress: RestoreProgress) -> Decision {
    let Inputs { restore, observed, target, source } = *inputs;
    let artifact = chosen(&progress, source);
    let planned = || verify_job(restore, target, source, &artifact).map_err(|e| e.to_string());
    match job_or_fail(&progress, observed, inputs.restore, RestoreJob::Verify, planned) {
        Ok(_) => decision(
            RestorePhase::Running,
            "the backup passed the consistency check",
            step(&progress, RestoreStep::PreRestoreHooks),
            vec![],
        ),
        Err(decision) => *decision,
    }
}

pub(crate) fn stop_cluster(restore: &Neo4jRestore) -> bool {
    restore.spec.stop_cluster == Some(true)
}

/// Whether the restore replaces an existing database (`force` or `options.replaceExisting`).
pub(crate) fn overwrites(restore: &Neo4jRestore) -> bool {
    restore.spec.force == Some(true) || restore.spec.options.as_ref().and_then(|o| o.replace_existing) == Some(true)
}

fn pre_hooks(inputs: &Inputs, progress: RestoreProgress) -> Decision {
    let Inputs { restore, observed, target, .. } = *inputs;
    // Whether the database exists decides what happens to it; ask while the servers run, and record
    // the answer (with the topology to keep) in a decision of its own, before anything acts on it:
    // once a DROP ran, asking again would find nothing.
    let mut progress = progress;
    if let Some(alias) = restore.spec.promotion_alias()
        && progress.promotion.is_none()
    {
        // Read and recorded before anything else: where the alias points now is what the
        // promotion replaces.
        return match promotion::read(alias, &observed.alias) {
            promotion::Reading::Record(recorded) => {
                let message = match &recorded.previous {
                    Some(previous) => format!(
                        "the alias {alias} points at {previous}; the candidate replaces it once it passed its checks"
                    ),
                    None => format!(
                        "the alias {alias} does not exist; it is created for the candidate once it passed its checks"
                    ),
                };
                progress.promotion = Some(recorded);
                decision(RestorePhase::Running, message, progress, vec![])
            }
            promotion::Reading::Wait(message) => decision(RestorePhase::Running, message, progress, vec![]),
            promotion::Reading::Refuse(reason) => fail(&progress, observed, reason),
        };
    }
    let seeded = seed_host(target).is_some();
    if progress.database_existed.is_none() {
        let replaced = match &observed.database {
            Database::Absent => None,
            Database::Present { topology, .. } => Some(*topology),
            Database::Unreachable(why) => {
                return decision(
                    RestorePhase::Running,
                    format!("waiting to reach the target over Bolt: {why}"),
                    progress,
                    vec![],
                );
            }
            Database::Unknown => {
                return decision(
                    RestorePhase::Running,
                    "asking the target whether the database exists",
                    progress,
                    vec![],
                );
            }
        };
        progress.database_existed = Some(replaced.is_some());
        if seeded {
            progress.topology = Some(topology(restore, target, replaced.flatten()));
        }
        if replaced.is_none() || overwrites(restore) {
            let message =
                if replaced.is_some() { "the database exists and will be replaced" } else { "the database is new" };
            return decision(RestorePhase::Running, message, progress, vec![]);
        }
    }
    let database = restore.spec.database_name.clone().unwrap_or_default();
    if progress.database_existed == Some(true) && !overwrites(restore) {
        // Refused before anything destructive: neo4j-admin would refuse to overwrite anyway, after
        // the database was stopped.
        let reason = match restore.spec.promotion_alias() {
            Some(_) => format!(
                "the database {database:?} exists on {}; a promotion restores into a new candidate: name another databaseName",
                target.name
            ),
            None => format!(
                "the database {database:?} exists on {}; set options.replaceExisting: true to replace it, or restore into a new databaseName",
                target.name
            ),
        };
        return fail(&progress, observed, reason);
    }
    let hooks = restore.spec.options.as_ref().and_then(|o| o.pre_restore.as_ref());
    let planned = || hook_job(restore, target, RestoreJob::Before, hooks).map_err(|e| e.to_string());
    let has_job = hooks.is_some_and(|h| h.job.is_some());
    if has_job {
        let planned = || planned().and_then(|job| job.ok_or_else(|| "no hook Job".to_owned()));
        if let Err(decision) = job_or_fail(&progress, observed, inputs.restore, RestoreJob::Before, planned) {
            return *decision;
        }
    }
    let mut actions: Vec<Action> = hook_statements(hooks).into_iter().collect();
    if seeded && progress.database_existed == Some(true) {
        // DROP ... IF EXISTS: repeating this decision after a lost status write drops nothing new.
        actions.push(Action::Cypher(Cypher::Drop));
        progress.database_dropped = Some(true);
    }
    if stop_cluster(restore) {
        // Record the size and hold the target first; the scale-down is the next decision.
        let replicas = observed.servers.map(|s| s.replicas);
        let Some(replicas) = replicas else {
            return fail(&progress, observed, format!("the StatefulSet {} does not exist", target.statefulset()));
        };
        let own = restore.metadata.name.clone().unwrap_or_default();
        if let Some(other) = target.restore_hold.as_ref().filter(|holder| **holder != own) {
            let reason = format!(
                "the target {} is held by Neo4jRestore {other:?} (annotation {RESTORE_IN_PROGRESS}); two offline restores of one target cannot run at once",
                target.name
            );
            return fail(&progress, observed, reason);
        }
        progress.original_replicas = Some(replicas);
        progress.statefulset = observed.statefulset.clone();
        progress.target_held = Some(true);
        actions.push(Action::AddFinalizer);
        actions.push(Action::HoldTarget);
        return decision(
            RestorePhase::Running,
            format!("recorded {replicas} replicas; stopping the target"),
            step(&progress, RestoreStep::StoppingCluster),
            actions,
        );
    }
    if progress.database_existed == Some(true) && !seeded {
        actions.push(Action::Cypher(Cypher::Stop));
        progress.database_stopped = Some(true);
    }
    decision(RestorePhase::Running, "restoring", step(&progress, RestoreStep::Restoring), actions)
}

fn stopping(observed: &Observed, progress: RestoreProgress) -> Decision {
    match observed.servers {
        Some(servers) if servers.replicas != 0 => {
            decision(RestorePhase::Running, "scaling the target to 0", progress, vec![Action::Scale(0)])
        }
        Some(servers) if servers.pods > 0 => decision(
            RestorePhase::Running,
            format!("waiting for {} server pod(s) to stop", servers.pods),
            progress,
            vec![],
        ),
        Some(_) => {
            decision(RestorePhase::Running, "the target is stopped", step(&progress, RestoreStep::Restoring), vec![])
        }
        None => fail(&progress, observed, "the target's StatefulSet is gone".to_owned()),
    }
}

fn restoring(inputs: &Inputs, progress: RestoreProgress) -> Decision {
    let Inputs { restore, observed, target, source } = *inputs;
    let mut progress = progress;
    if observed.job(RestoreJob::Restore) != JobState::Absent {
        // The Job exists, whether or not the status write of its creation survived.
        progress.store_touched = Some(true);
    }
    let artifact = chosen(&progress, source);
    let data = DataVolume {
        claim: target.data_pvc(0),
        beside_pod: (!stop_cluster(restore)).then(|| format!("{}-0", target.statefulset())),
        // Only a one-server target overwrites in place; a cluster's database was dropped first.
        overwrite: progress.database_existed == Some(true) && seed_host(target).is_none(),
    };
    let planned =
        || restore_job(restore, target, source, &artifact, &data, &observed.agent_image).map_err(|e| e.to_string());
    match job_or_fail(&progress, observed, inputs.restore, RestoreJob::Restore, planned) {
        Ok(_) => {
            let next = if progress.original_replicas.is_some() {
                RestoreStep::StartingCluster
            } else {
                RestoreStep::BringingUp
            };
            decision(RestorePhase::Running, "the restore Job succeeded", step(&progress, next), vec![])
        }
        Err(decision) => {
            let mut decision = *decision;
            if decision.actions.iter().any(|a| matches!(a, Action::CreateJob(_))) {
                decision.progress.store_touched = Some(true);
            }
            decision
        }
    }
}

fn starting(observed: &Observed, progress: RestoreProgress) -> Decision {
    let Some(count) = progress.original_replicas else {
        return decision(
            RestorePhase::Running,
            "bringing the database up",
            step(&progress, RestoreStep::BringingUp),
            vec![],
        );
    };
    match observed.servers {
        Some(servers) if servers.replicas != count => decision(
            RestorePhase::Running,
            format!("scaling the target back to {count}"),
            progress,
            vec![Action::Scale(count)],
        ),
        Some(servers) if servers.ready < count => decision(
            RestorePhase::Running,
            format!("waiting for the target's servers: {} of {count} ready", servers.ready),
            progress,
            vec![],
        ),
        _ => decision(RestorePhase::Running, "the target is up", step(&progress, RestoreStep::BringingUp), vec![]),
    }
}

/// The host name of server 0, which holds the restored store, in a multi-server cluster.
pub(crate) fn seed_host(target: &ResolvedTarget) -> Option<String> {
    (target.target_type == TargetType::Cluster && target.servers > 1).then(|| {
        format!("{}-0.{}.{}.svc.cluster.local", target.statefulset(), target.headless_service(), target.namespace)
    })
}

fn bringing_up(inputs: &Inputs, progress: RestoreProgress) -> Decision {
    let Inputs { observed, target, .. } = *inputs;
    let seed = seed_host(target);
    match (&observed.database, seed) {
        (Database::Present { online: true, .. }, _) => decision(
            RestorePhase::Running,
            "the database is online",
            step(&progress, RestoreStep::PostRestoreHooks),
            vec![],
        ),
        // A cluster database created from server 0's store comes online by itself once every
        // allocation has copied it: never START it meanwhile.
        (Database::Present { online: false, .. }, Some(_)) => decision(
            RestorePhase::Running,
            "waiting for every server to take the database from server 0 and bring it online",
            progress,
            vec![],
        ),
        (Database::Present { online: false, .. }, None)
            if progress.database_existed == Some(true) || progress.original_replicas.is_some() =>
        {
            decision(RestorePhase::Running, "starting the database", progress, vec![Action::Cypher(Cypher::Start)])
        }
        (Database::Present { online: false, .. }, None) => {
            decision(RestorePhase::Running, "waiting for the database to come online", progress, vec![])
        }
        (Database::Absent, Some(seed_host)) => {
            let topology = progress.topology.unwrap_or_else(|| topology(inputs.restore, target, None));
            decision(
                RestorePhase::Running,
                "creating the database from the store restored on server 0",
                progress,
                vec![Action::Cypher(Cypher::CreateSeeded { seed_host, topology })],
            )
        }
        (Database::Absent, None) => {
            decision(RestorePhase::Running, "creating the database", progress, vec![Action::Cypher(Cypher::Create)])
        }
        (Database::Unreachable(why), _) => {
            decision(RestorePhase::Running, format!("waiting to reach the target over Bolt: {why}"), progress, vec![])
        }
        (Database::Unknown, _) => {
            decision(RestorePhase::Running, "asking the target about the database", progress, vec![])
        }
    }
}

/// A hook's statements, as the user it names or else as the admin.
pub(crate) fn hook_statements(hooks: Option<&RestoreHooks>) -> Option<Action> {
    let hooks = hooks?;
    let statements = Cypher::Statements(hooks.cypher_statements.clone().filter(|s| !s.is_empty())?);
    Some(match &hooks.cypher_credentials_secret_ref {
        Some(secret) => Action::CypherAs(secret.clone(), statements),
        None => Action::Cypher(statements),
    })
}

fn post_hooks(inputs: &Inputs, progress: RestoreProgress) -> Decision {
    let Inputs { restore, observed, target, .. } = *inputs;
    let hooks = restore.spec.options.as_ref().and_then(|o| o.post_restore.as_ref());
    let mut actions = Vec::new();
    if observed.job(RestoreJob::After) == JobState::Absent {
        actions.extend(hook_statements(hooks));
    }
    if hooks.is_some_and(|h| h.job.is_some()) {
        let planned = || {
            hook_job(restore, target, RestoreJob::After, hooks)
                .map_err(|e| e.to_string())
                .and_then(|job| job.ok_or_else(|| "no hook Job".to_owned()))
        };
        match job_or_fail(&progress, observed, inputs.restore, RestoreJob::After, planned) {
            Ok(_) => {}
            Err(decision) => {
                let mut decision = *decision;
                actions.append(&mut decision.actions);
                decision.actions = actions;
                return decision;
            }
        }
    }
    if inputs.restore.spec.health_checks().is_some() {
        // The target is back at its size and serving: the operator may manage it again while the
        // checks run (a failure from here on has nothing to scale back).
        actions.extend(ending(&progress));
        let message = "the database is online; running its health checks";
        return decision(RestorePhase::Running, message, step(&released(progress), RestoreStep::Checking), actions);
    }
    end(RestorePhase::Completed, "the database is restored and online".to_owned(), progress, actions)
}

/// The health checks' verdict (`options.healthChecks`): `Completed` only when none failed. A
/// report without a connection is waited on (the step's timeout bounds it); a failed check fails
/// the restore, the restored database left online as it is, for inspection.
fn checking(inputs: &Inputs, progress: RestoreProgress) -> Decision {
    let database = inputs.restore.spec.database_name.clone().unwrap_or_default();
    let observed = inputs.observed;
    let Some(report) = &observed.health else {
        let message = match (&observed.database, observed.servers) {
            (Database::Unreachable(why), _) => {
                format!("waiting to reach the target over Bolt for the health checks: {why}")
            }
            (_, Some(servers)) if servers.ready == 0 => {
                "waiting for a server of the target to be ready for the health checks".to_owned()
            }
            _ => format!("running the health checks of {database}"),
        };
        return decision(RestorePhase::Running, message, progress, vec![]);
    };
    let named = |outcome: Outcome| -> Vec<String> {
        report.checks.iter().filter(|c| c.outcome == outcome).map(|c| format!("{}: {}", c.name, c.message)).collect()
    };
    let failed: Vec<String> = report
        .checks
        .iter()
        .filter(|c| c.outcome == Outcome::Fail && !crate::health::suite::inconclusive(c))
        .map(|c| format!("{}: {}", c.name, c.message))
        .collect();
    if !failed.is_empty() {
        let left = match inputs.restore.spec.promotion_alias() {
            Some(_) => promotion::rejected(inputs.restore),
            None => "it is left online as restored, for inspection".to_owned(),
        };
        let reason = format!(
            "the restored database {database} failed {} of {} health check(s): {}; {left}",
            failed.len(),
            report.checks.len(),
            failed.join("; ")
        );
        // Recorded before anything is done about it (a rejected candidate is dropped next).
        if promotion::drops_rejected(inputs.restore) {
            return decision(RestorePhase::Running, reason.clone(), failing(&progress, reason), vec![]);
        }
        return end(RestorePhase::Failed, reason.clone(), failing(&progress, reason), vec![]);
    }
    // No answer says nothing about the database: ask again, within spec.timeout.
    if let Some(check) = report.checks.iter().find(|c| crate::health::suite::inconclusive(c)) {
        let message =
            format!("waiting to reach the target over Bolt for the health checks: {}: {}", check.name, check.message);
        return decision(RestorePhase::Running, message, progress, vec![]);
    }
    let warned = named(Outcome::Warn);
    let passed = format!("the database is restored, online and passed its {} health check(s)", report.checks.len());
    let message = if warned.is_empty() { passed } else { format!("{passed}, with warnings: {}", warned.join("; ")) };
    if inputs.restore.spec.promotion_alias().is_some() {
        return promotion::passed(inputs, progress, message);
    }
    end(RestorePhase::Completed, message, progress, vec![])
}

/// What ends a restore on every path (success, failure, timeout, deletion): the target's hold is
/// released (the operator may manage its replicas again, which are back at their recorded count),
/// then the finalizer goes.
fn ending(progress: &RestoreProgress) -> Vec<Action> {
    let release = (progress.target_held == Some(true)).then_some(Action::ReleaseTarget);
    release.into_iter().chain([Action::RemoveFinalizer]).collect()
}

fn released(progress: RestoreProgress) -> RestoreProgress {
    let target_held = progress.target_held.map(|_| false);
    RestoreProgress { target_held, ..progress }
}
