//! The plan of a restore, as data (issue 15, item 1): from the Neo4jRestore and what is known
//! (the same [`Observed`] the restore machine decides on, the referenced backup and its window,
//! earlier restores), what the restore will read, reach and do, in the machine's order and with
//! the machine's own choices (`restore::machine`), what is destructive, and what would make it fail.

use k8s_openapi::jiff::Timestamp;

use crate::pitr::summary::Coverage;
use crate::plan::restore_job::RestoreJob;
use crate::plan::target::ResolvedTarget;
use crate::restore::cypher;
use crate::restore::machine::{Cypher, Database, Observed, hook_statements, overwrites, seed_host, stop_cluster};
use crate::restore::source::SourceLocation;
use crate::restore::until::restore_until;
use crate::types::{
    MAX_PLANNED_STEPS, Neo4jBackup, Neo4jRestore, PlannedStep, RestoreHooks, RestorePhase, RestorePlan,
    RestoreProgress, RestoreStep,
};

/// What the plan is made from.
#[derive(Clone, Copy)]
pub struct Known<'a> {
    /// The restore.
    pub restore: &'a Neo4jRestore,
    /// What the controller (or the plugin, as far as it can see) observed.
    pub observed: &'a Observed,
    /// The Neo4jBackup the source names (or the target's protection), when it exists.
    pub referenced: Option<&'a Neo4jBackup>,
    /// Other Neo4jRestores of the namespace: the durations of those that completed into the same
    /// target are the basis of the downtime estimate.
    pub earlier: &'a [Neo4jRestore],
}

/// Whether the restored database exists, as far as is known.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Exists {
    Yes,
    No,
    Unknown,
}

fn exists(known: &Known) -> Exists {
    let recorded = known.restore.status.as_ref().and_then(|s| s.progress.as_ref()).and_then(|p| p.database_existed);
    match (recorded, &known.observed.database) {
        (Some(true), _) | (None, Database::Present { .. }) => Exists::Yes,
        (Some(false), _) | (None, Database::Absent) => Exists::No,
        _ => Exists::Unknown,
    }
}

/// Whether a restore whose progress (after a decision) is `progress` has done nothing destructive
/// yet, so that its plan may still be refreshed. The controller writes the plan in such a decision;
/// the restore machine always takes one (recording the database and the size it will act on)
/// before the decision that drops, stops or scales (`restore::machine`).
pub fn still_planning(progress: &RestoreProgress) -> bool {
    let early = matches!(
        progress.step,
        None | Some(RestoreStep::Resolving | RestoreStep::Verifying | RestoreStep::PreRestoreHooks)
    );
    early
        && progress.database_dropped != Some(true)
        && progress.database_stopped != Some(true)
        && progress.original_replicas.is_none()
        && progress.store_touched != Some(true)
        && progress.failure.is_none()
}

/// Where a step stands against the progress: done, under way, or to come.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Standing {
    /// Done.
    Done,
    /// The restore is at this step.
    Now,
    /// To come.
    Later,
}

const ORDER: [RestoreStep; 13] = [
    RestoreStep::Resolving,
    RestoreStep::Verifying,
    RestoreStep::PreRestoreHooks,
    RestoreStep::StoppingCluster,
    RestoreStep::Restoring,
    RestoreStep::StartingCluster,
    RestoreStep::BringingUp,
    RestoreStep::PostRestoreHooks,
    RestoreStep::Checking,
    RestoreStep::AwaitingPromotion,
    RestoreStep::Promoting,
    RestoreStep::RetiringPrevious,
    RestoreStep::Done,
];

/// Where the planned `step` stands when the restore is at `at`.
pub fn standing(step: &str, at: Option<&RestoreStep>) -> Standing {
    let index = |s: &str| ORDER.iter().position(|o| o.as_str() == s);
    let (Some(planned), Some(now)) = (index(step), at.and_then(|a| index(a.as_str()))) else {
        return Standing::Later;
    };
    match planned.cmp(&now) {
        std::cmp::Ordering::Less => Standing::Done,
        std::cmp::Ordering::Equal => Standing::Now,
        std::cmp::Ordering::Greater => Standing::Later,
    }
}

/// Plans `known.restore`.
pub fn plan(known: &Known) -> RestorePlan {
    let restore = known.restore;
    let observed = known.observed;
    let database = restore.spec.database_name.clone().unwrap_or_default();
    let target_name = restore.spec.target_cluster.clone().unwrap_or_default();
    let mut blockers: Vec<String> = observed.errors.clone();
    // What the machine waits for (Pending) before it starts, rather than fails on.
    let mut waits_for = Vec::new();
    let target = match &observed.target {
        Ok(target) => Some(target),
        Err(None) => {
            waits_for.push(format!("the target {target_name:?} to exist (a Neo4jEnterpriseCluster or Neo4jEnterpriseStandalone of this namespace)"));
            None
        }
        Err(Some(why)) => {
            blockers.push(why.clone());
            None
        }
    };
    let recorded = restore.status.as_ref().and_then(|s| s.progress.as_ref()).and_then(|p| p.source.clone());
    let source = match (recorded, &observed.source) {
        (Some(source), _) => Some(source),
        (None, Ok(source)) => Some(source.clone()),
        (None, Err(why)) => {
            waits_for.push(why.trim_start_matches("waiting for ").to_owned());
            None
        }
    };
    blockers.extend(observed.refusal.clone());
    let exists = exists(known);
    if exists == Exists::Yes && !overwrites(restore) {
        blockers.push(format!(
            "the database {database:?} exists on {target_name}; set options.replaceExisting: true to replace it, or restore into a new databaseName"
        ));
    }
    if let Some(target) = target.filter(|_| stop_cluster(restore)) {
        let own = restore.metadata.name.clone().unwrap_or_default();
        if let Some(other) = target.restore_hold.as_ref().filter(|holder| **holder != own) {
            blockers.push(format!(
                "the target {} is held by Neo4jRestore {other:?}; two offline restores of one target cannot run at once",
                target.name
            ));
        }
    }
    blockers.dedup();

    let window = source.as_ref().and_then(|source| window_line(known, source));
    let steps = target.zip(source.as_ref()).map(|(t, s)| steps(known, t, s, exists)).unwrap_or_default();
    let mut plan = RestorePlan {
        can_run: blockers.is_empty(),
        target: target.map(describe_target).unwrap_or(target_name),
        database: describe_database(&database, exists, overwrites(restore)),
        source: source.as_ref().map(|s| describe_source(known, s)).unwrap_or_else(|| "unknown".to_owned()),
        artifacts: source.as_ref().map(|s| artifacts(known, s)).unwrap_or_else(|| "unknown".to_owned()),
        reaches: source.as_ref().map(|s| reaches(known, s)).unwrap_or_else(|| "unknown".to_owned()),
        window,
        destructive: destructive(known, target, exists),
        downtime: downtime(known, target, exists),
        steps,
        blockers,
        waits_for,
    };
    plan.steps.truncate(MAX_PLANNED_STEPS);
    plan
}

fn describe_target(target: &ResolvedTarget) -> String {
    let kind = target.target_type.kind();
    let servers = if target.servers == 1 { "1 server".to_owned() } else { format!("{} servers", target.servers) };
    format!("{kind} {}: {servers}, Neo4j {}", target.name, target.tag)
}

fn describe_database(database: &str, exists: Exists, replaces: bool) -> String {
    match (exists, replaces) {
        (Exists::Yes, true) => format!("{database} (exists: it is replaced)"),
        (Exists::Yes, false) => format!("{database} (exists, and the spec does not allow replacing it)"),
        (Exists::No, _) => format!("{database} (new)"),
        (Exists::Unknown, true) => format!("{database} (replaced if it exists)"),
        (Exists::Unknown, false) => {
            format!("{database} (must not exist yet: whether it does is checked before anything destructive)")
        }
    }
}

fn location(source: &SourceLocation) -> String {
    source.location().map(|l| l.shown()).unwrap_or_else(|why| why)
}

fn describe_source(known: &Known, source: &SourceLocation) -> String {
    let at = location(source);
    match known.restore.spec.source.as_ref() {
        Some(s) if s.uses_protection() => format!("the point-in-time protection {}: {at}", source.owner),
        Some(s) if s.chain_storage().is_some() => format!("the chain in pitr.logStorage: {at}"),
        _ if known.restore.spec.referenced_backup().is_some() => format!("Neo4jBackup {}: {at}", source.owner),
        _ => at,
    }
}

/// The window the referenced backup's status keeps for the restored database.
fn known_window<'a>(known: &Known<'a>) -> Option<&'a crate::types::DatabaseWindow> {
    crate::rules::restore::known_window(known.restore, known.referenced)
}

fn artifacts(known: &Known, source: &SourceLocation) -> String {
    let chosen = known.restore.status.as_ref().and_then(|s| s.progress.as_ref()).and_then(|p| p.artifact.clone());
    if let Some(artifact) = chosen {
        return format!("{artifact} (chosen), with the chain it ends");
    }
    if source.names_an_artifact() {
        return format!("{} (named by backupPath), with the chain it ends", location(source));
    }
    let point = source.point_in_time.is_some() || source.until_transaction.is_some();
    let how = if point {
        format!("the first artifact of {} at or after the moment, in a chain whose FULL is before it", source.database)
    } else {
        format!("the newest artifact of {}", source.database)
    };
    let chain = known_window(known).and_then(|w| w.newest_chain.as_ref());
    match chain {
        Some(chain) if !point => format!(
            "{how}: the newest chain, FULL {} and {} artifact(s) up to {}; chosen when the inspect Job lists {}",
            chain.full,
            chain.artifacts,
            chain.newest,
            location(source)
        ),
        _ => format!("{how}, chosen when the inspect Job lists {}", location(source)),
    }
}

fn reaches(known: &Known, source: &SourceLocation) -> String {
    let window = known_window(known);
    if let Some(moment) = &source.point_in_time {
        let until = restore_until(moment).unwrap_or_else(|why| why);
        return format!("{moment}: transactions are replayed up to that moment (--restore-until=\"{until}\")");
    }
    if let Some(id) = source.until_transaction {
        return format!("transaction {}: every transaction before it (--restore-until={id})", id.saturating_sub(1));
    }
    match window.and_then(|w| w.latest.as_ref().map(|latest| (w, latest))) {
        Some((w, latest)) => {
            let range = match (w.earliest_transaction, w.latest_transaction) {
                (Some(low), Some(high)) => format!(", transactions up to {high} (the window holds {low} to {high})"),
                _ => String::new(),
            };
            format!("the newest backup of {}, taken {}{range}", source.database, latest.0)
        }
        None => format!("the newest backup of {} in the location (its moment is not in any status)", source.database),
    }
}

fn window_line(known: &Known, source: &SourceLocation) -> Option<String> {
    let moment = source.point_in_time.as_deref().map(|m| m.parse::<Timestamp>());
    if moment.is_none() && source.until_transaction.is_none() {
        return None;
    }
    let Some(window) = known_window(known) else {
        return Some(format!(
            "unknown: no status describes the window of {}; the inspect Job checks the moment before anything destructive",
            source.database
        ));
    };
    let coverage = match (moment, source.until_transaction) {
        (Some(Ok(moment)), _) => window.covering(moment),
        (_, Some(id)) => window.covering_transaction(id),
        (Some(Err(_)), None) => return Some("unknown: pointInTime is not an RFC 3339 time".to_owned()),
        (None, None) => return None,
    };
    let bounds = match (&window.earliest, &window.latest) {
        (Some(earliest), Some(latest)) => format!("{} to {}", earliest.0, latest.0),
        _ => "empty".to_owned(),
    };
    Some(match coverage {
        Coverage::Restorable => format!("inside the window of {} ({bounds})", window.database),
        Coverage::Unsure(why) => format!("not decided by the status ({why})"),
        Coverage::Outside(why) => format!("outside: {why}"),
    })
}

/// An argument with a space, as a shell would need it quoted (`--restore-until=2025-01-20 03:00:00`
/// is one argument).
fn shell_quoted(argument: &str) -> String {
    match argument.split_once('=') {
        Some((flag, value)) if flag.starts_with("--") => format!("{flag}=\"{value}\""),
        _ => format!("\"{argument}\""),
    }
}

fn planned(step: RestoreStep, action: impl Into<String>, destructive: bool) -> PlannedStep {
    PlannedStep { step: step.as_str().to_owned(), action: action.into(), destructive }
}

fn statement_text(cypher: &Cypher, database: &str) -> String {
    cypher::statements(cypher, database)
        .iter()
        .map(|s| s.text.replace("$name", database))
        .collect::<Vec<_>>()
        .join("; ")
}

fn hook_steps(
    step: RestoreStep,
    hooks: Option<&RestoreHooks>,
    job: RestoreJob,
    name: &str,
    into: &mut Vec<PlannedStep>,
) {
    // Before the restore the hook Job runs first, then the statements; after it, the statements
    // first (`restore::machine`, pre_hooks and post_hooks).
    let before = step == RestoreStep::PreRestoreHooks;
    let what = if before { "before" } else { "after" };
    let hook_job = hooks
        .filter(|h| h.job.is_some())
        .map(|_| planned(step.clone(), format!("hook Job {} runs {what} the restore", job.job_name(name)), false));
    if before {
        into.extend(hook_job.clone());
    }
    if let Some(action) = hook_statements(hooks) {
        let (user, count) = match &action {
            crate::restore::machine::Action::CypherAs(secret, Cypher::Statements(s)) => {
                (format!("the user of Secret {secret}"), s.len())
            }
            crate::restore::machine::Action::Cypher(Cypher::Statements(s)) => {
                ("the target's admin".to_owned(), s.len())
            }
            _ => (String::new(), 0),
        };
        into.push(planned(step, format!("{count} Cypher statement(s) as {user}"), false));
    }
    if !before {
        into.extend(hook_job);
    }
}

fn steps(known: &Known, target: &ResolvedTarget, source: &SourceLocation, exists: Exists) -> Vec<PlannedStep> {
    let restore = known.restore;
    let name = restore.metadata.name.clone().unwrap_or_default();
    let database = restore.spec.database_name.clone().unwrap_or_default();
    let options = restore.spec.options.clone().unwrap_or_default();
    let seeded = seed_host(target);
    let replaces = overwrites(restore) && exists != Exists::No;
    let mut steps = Vec::new();
    if source.names_an_artifact() {
        steps.push(planned(RestoreStep::Resolving, format!("restore {}", location(source)), false));
    } else {
        steps.push(planned(
            RestoreStep::Resolving,
            format!(
                "Job {} lists {} (neo4j-admin backup inspect) and neo4j-agent choose picks the artifact",
                RestoreJob::Inspect.job_name(&name),
                location(source)
            ),
            false,
        ));
    }
    if options.verify_backup == Some(true) {
        steps.push(planned(
            RestoreStep::Verifying,
            format!(
                "Job {} restores the chain into scratch space and runs neo4j-admin database check on it",
                RestoreJob::Verify.job_name(&name)
            ),
            false,
        ));
    }
    hook_steps(RestoreStep::PreRestoreHooks, options.pre_restore.as_ref(), RestoreJob::Before, &name, &mut steps);
    let when = if exists == Exists::Unknown { "if it exists: " } else { "" };
    if replaces && seeded.is_some() {
        steps.push(planned(
            RestoreStep::PreRestoreHooks,
            format!("{when}{}", statement_text(&Cypher::Drop, &database)),
            true,
        ));
    }
    let stop = stop_cluster(restore);
    if stop {
        let replicas = known.observed.servers.map(|s| s.replicas.to_string()).unwrap_or_else(|| "its".to_owned());
        steps.push(planned(
            RestoreStep::StoppingCluster,
            format!(
                "hold {} (annotation {}) and scale StatefulSet {} from {replicas} to 0 replicas",
                target.name,
                crate::plan::target::RESTORE_IN_PROGRESS,
                target.statefulset()
            ),
            true,
        ));
    } else if replaces && seeded.is_none() {
        steps.push(planned(
            RestoreStep::PreRestoreHooks,
            format!("{when}{}", statement_text(&Cypher::Stop, &database)),
            true,
        ));
    }
    // The argv the restore Job runs (`plan::restore_job::restore_argv`), the artifact named when
    // it is chosen, else a placeholder in the source's folder.
    let chosen = restore.status.as_ref().and_then(|s| s.progress.as_ref()).and_then(|p| p.artifact.clone());
    let folder = source.location().map(|l| l.raw().trim_end_matches('/').to_owned()).unwrap_or_default();
    let uri = match chosen {
        Some(artifact) => artifact,
        None if source.names_an_artifact() => folder.clone(),
        None => format!("{folder}/<artifact>"),
    };
    let artifact = crate::restore::artifact::ChosenArtifact {
        uri,
        database: source.database.clone(),
        time: String::new(),
        full: false,
    };
    let overwrite = replaces && seeded.is_none();
    let argv = crate::plan::restore_job::restore_argv(restore, source, &artifact, overwrite)
        .map(|argv| argv.iter().map(|a| if a.contains(' ') { shell_quoted(a) } else { a.clone() }).collect::<Vec<_>>())
        .map(|argv| argv.join(" "))
        .unwrap_or_else(|why| why.to_string());
    let beside = if stop { String::new() } else { format!(", beside Pod {}-0", target.statefulset()) };
    steps.push(planned(
        RestoreStep::Restoring,
        format!("Job {} runs {} on claim {}{beside}", RestoreJob::Restore.job_name(&name), argv, target.data_pvc(0)),
        // A cluster's database was dropped before: the restore writes a new one.
        replaces && seeded.is_none(),
    ));
    if stop {
        let replicas =
            known.observed.servers.map(|s| s.replicas.to_string()).unwrap_or_else(|| "the recorded count".to_owned());
        steps.push(planned(
            RestoreStep::StartingCluster,
            format!(
                "scale StatefulSet {} back to {replicas} and wait for every server to be ready",
                target.statefulset()
            ),
            false,
        ));
    }
    let bring_up = match (&seeded, exists) {
        (Some(host), _) => {
            // As the machine creates it: the topology recorded, else the existing database's own.
            let recorded = restore.status.as_ref().and_then(|s| s.progress.as_ref()).and_then(|p| p.topology);
            let existing = match &known.observed.database {
                Database::Present { topology, .. } => *topology,
                _ => None,
            };
            let topology = recorded.unwrap_or_else(|| crate::restore::topology::topology(restore, target, existing));
            let primaries = topology.primaries.unwrap_or(1);
            let secondaries = topology.secondaries.unwrap_or(0);
            format!(
                "CREATE DATABASE {database} IF NOT EXISTS TOPOLOGY {primaries} PRIMARIES{} OPTIONS {{existingData: 'use', existingDataSeedServer: <the id of {host}>}}, then wait until every server hosts it online",
                if secondaries > 0 { format!(" {secondaries} SECONDARIES") } else { String::new() }
            )
        }
        (None, Exists::No) => format!("{}, then wait until it is online", statement_text(&Cypher::Create, &database)),
        (None, Exists::Yes) => format!("{}, then wait until it is online", statement_text(&Cypher::Start, &database)),
        (None, Exists::Unknown) => format!(
            "{} (or START DATABASE {database} if it existed), then wait until it is online",
            statement_text(&Cypher::Create, &database)
        ),
    };
    steps.push(planned(RestoreStep::BringingUp, bring_up, false));
    hook_steps(RestoreStep::PostRestoreHooks, options.post_restore.as_ref(), RestoreJob::After, &name, &mut steps);
    if let Some(checks) = restore.spec.health_checks() {
        let probes = match checks.probes.len() {
            0 => String::new(),
            n => format!(", {n} probe(s) of options.healthChecks"),
        };
        steps.push(planned(
            RestoreStep::Checking,
            format!(
                "health checks on {database}: connectivity, SHOW DATABASES, SHOW INDEXES and SHOW CONSTRAINTS, counts{probes}; Completed only if none fails"
            ),
            false,
        ));
    }
    if let Some(alias) = restore.spec.promotion_alias() {
        let promotion = restore.spec.promotion.clone().unwrap_or_default();
        if promotion.automatic == Some(false) {
            steps.push(planned(
                RestoreStep::AwaitingPromotion,
                format!(
                    "wait for `kubectl neo4j restore promote {name}`; the alias {alias} keeps serving the live database"
                ),
                false,
            ));
        }
        steps.push(planned(
            RestoreStep::Promoting,
            format!(
                "ALTER ALIAS {alias} SET DATABASE TARGET `{database}` (CREATE ALIAS {alias} FOR DATABASE `{database}` if it does not exist yet); the database it pointed to is kept"
            ),
            false,
        ));
        if let Some(after) = &promotion.drop_previous_after {
            steps.push(planned(
                RestoreStep::RetiringPrevious,
                format!("{after} after the switch, DROP DATABASE <the database {alias} pointed to> IF EXISTS WAIT"),
                true,
            ));
        }
    }
    steps
}

fn destructive(known: &Known, target: Option<&ResolvedTarget>, exists: Exists) -> Vec<String> {
    let restore = known.restore;
    let database = restore.spec.database_name.clone().unwrap_or_default();
    let mut out = Vec::new();
    let allowed = match (restore.spec.force, restore.spec.options.as_ref().and_then(|o| o.replace_existing)) {
        (Some(true), _) => "spec.force",
        _ => "options.replaceExisting",
    };
    if overwrites(restore) && exists != Exists::No {
        let how = match target.and_then(seed_host) {
            Some(_) => {
                "dropped, restored on server 0 and created again from it: not served until the restore completes"
            }
            None => "stopped and its store overwritten (--overwrite-destination)",
        };
        let when = if exists == Exists::Unknown { "if it exists, " } else { "" };
        out.push(format!("{when}the database {database} is {how} (allowed by {allowed})"));
    }
    if let (Some(alias), Some(after)) =
        (restore.spec.promotion_alias(), restore.spec.promotion.as_ref().and_then(|p| p.drop_previous_after.as_deref()))
    {
        out.push(format!(
            "the database the alias {alias} pointed to is dropped {after} after the switch (allowed by promotion.dropPreviousAfter)"
        ));
    }
    if stop_cluster(restore) {
        let name = target.map(|t| t.name.clone()).unwrap_or_default();
        out.push(format!(
            "every database of {name} is unavailable while its servers are scaled to 0 (allowed by spec.stopCluster); they are scaled back whatever happens"
        ));
    }
    out
}

fn downtime(known: &Known, target: Option<&ResolvedTarget>, exists: Exists) -> String {
    let restore = known.restore;
    let database = restore.spec.database_name.clone().unwrap_or_default();
    let name = target.map(|t| t.name.clone()).or_else(|| restore.spec.target_cluster.clone()).unwrap_or_default();
    let affected = if stop_cluster(restore) {
        format!("all of {name}")
    } else if overwrites(restore) && exists != Exists::No {
        format!("the database {database}")
    } else {
        return format!("none: {database} is a new database; the databases already on {name} keep serving");
    };
    let durations: Vec<i64> = known
        .earlier
        .iter()
        .filter(|other| other.metadata.name != restore.metadata.name)
        .filter(|other| other.spec.target_cluster.as_deref() == Some(name.as_str()))
        .filter_map(|other| {
            let status = other.status.as_ref()?;
            if status.phase != Some(RestorePhase::Completed) {
                return None;
            }
            Some(status.completion_time.as_ref()?.0.duration_since(status.start_time.as_ref()?.0).as_secs())
        })
        .collect();
    match durations.iter().max() {
        Some(longest) => format!(
            "{affected}, for about {} (the longest of {} earlier restore(s) into {name}, from start to completion)",
            crate::status::restore::human(*longest),
            durations.len()
        ),
        None => format!(
            "{affected}, for an unknown time: no earlier restore into {name} completed here, and the backup's size is not recorded"
        ),
    }
}

/// The plan as text: what `kubectl neo4j restore plan` prints.
pub fn render(name: &str, plan: &RestorePlan) -> String {
    let mut out = format!("Plan of Neo4jRestore {name}: {}\n", if plan.can_run { "can run" } else { "CANNOT RUN" });
    let mut line = |label: &str, value: &str| out.push_str(&format!("  {label:<11}{value}\n"));
    line("Target:", &plan.target);
    line("Database:", &plan.database);
    line("Source:", &plan.source);
    line("Restores:", &plan.artifacts);
    line("Reaches:", &plan.reaches);
    if let Some(window) = &plan.window {
        line("Window:", window);
    }
    line("Downtime:", &plan.downtime);
    if !plan.steps.is_empty() {
        out.push_str("Steps:\n");
        for (index, step) in plan.steps.iter().enumerate() {
            let mark = if step.destructive { "  [destructive]" } else { "" };
            out.push_str(&format!("  {:>2}. {:<17}{}{mark}\n", index + 1, step.step, step.action));
        }
    }
    if !plan.destructive.is_empty() {
        out.push_str("Destructive:\n");
        for item in &plan.destructive {
            out.push_str(&format!("  - {item}\n"));
        }
    }
    if !plan.waits_for.is_empty() {
        out.push_str("Waits for:\n");
        for item in &plan.waits_for {
            out.push_str(&format!("  - {item}\n"));
        }
    }
    if !plan.blockers.is_empty() {
        out.push_str("Would fail:\n");
        for item in &plan.blockers {
            out.push_str(&format!("  - {item}\n"));
        }
    }
    out
}

/// The planned steps read against where the restore is (`restore describe`): each marked done,
/// now or still to come, and the problems the plan foresaw. A failed restore ends at `Done`
/// without having run what followed the failure: its steps are not marked.
pub fn against_progress(plan: &RestorePlan, progress: &RestoreProgress) -> String {
    let mut out = String::new();
    let at = progress.step.as_ref().filter(|_| progress.failure.is_none());
    for (index, step) in plan.steps.iter().enumerate() {
        let mark = match standing(&step.step, at) {
            Standing::Done => "done",
            Standing::Now => "now ",
            Standing::Later => "    ",
        };
        let destructive = if step.destructive { "  [destructive]" } else { "" };
        out.push_str(&format!("  {mark} {:>2}. {:<17}{}{destructive}\n", index + 1, step.step, step.action));
    }
    for item in &plan.blockers {
        out.push_str(&format!("  would fail: {item}\n"));
    }
    if let Some(failure) = &progress.failure {
        out.push_str(&format!("  failed: {failure}\n"));
    }
    out
}
