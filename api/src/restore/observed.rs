//! What the controller observed for one reconcile of a restore: the input of the restore machine.

use crate::plan::restore_job::RestoreJob;
use crate::plan::target::ResolvedTarget;
use crate::restore::source::SourceLocation;
use crate::types::{DatabaseTopology, ScaledSet};

/// How a Job of the restore stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JobState {
    /// Not created yet.
    Absent,
    /// Created, not finished.
    Running,
    /// Finished successfully, with its Pod's termination message.
    Succeeded(Option<String>),
    /// Failed, with the reason (termination message or the Job's condition).
    Failed(String),
}

/// The target's StatefulSet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Servers {
    /// `spec.replicas`.
    pub replicas: i32,
    /// Pods that exist.
    pub pods: i32,
    /// Pods that are ready.
    pub ready: i32,
}

impl Servers {
    /// What a StatefulSet says: `spec.replicas` (1 when unset, as Kubernetes defaults it), the Pods
    /// that exist and those that are ready.
    pub fn of(set: &k8s_openapi::api::apps::v1::StatefulSet) -> Self {
        let status = set.status.as_ref();
        Self {
            replicas: set.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1),
            pods: status.map_or(0, |s| s.replicas),
            ready: status.and_then(|s| s.ready_replicas).unwrap_or(0),
        }
    }
}

/// The restored database, as `SHOW DATABASE` reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Database {
    /// Not asked (the servers are down, or the step does not need it).
    Unknown,
    /// Could not be asked; the reason.
    Unreachable(String),
    /// Does not exist.
    Absent,
    /// Exists; `online` when every allocation reports it online.
    Present {
        /// Online everywhere.
        online: bool,
        /// Its current primaries and secondaries (`SHOW DATABASE ... requestedPrimariesCount,
        /// requestedSecondariesCount`), when reported.
        topology: Option<DatabaseTopology>,
    },
}

impl Database {
    /// A database that exists, without its topology.
    pub fn present(online: bool) -> Self {
        Self::Present { online, topology: None }
    }
}

/// The alias a promotion switches, as `SHOW ALIASES` and `SHOW DATABASE` report it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Alias {
    /// Not asked.
    Unknown,
    /// Could not be asked; the reason.
    Unreachable(String),
    /// Neither an alias nor a database has that name: the switch creates it.
    Absent,
    /// It points at this database.
    Points(String),
    /// A remote alias (to this URL): it cannot be made local.
    Remote(String),
    /// A database has that name: an alias cannot (applications use the database directly).
    IsADatabase,
}

/// What the controller observed for one reconcile.
#[derive(Clone, Debug)]
pub struct Observed {
    /// Errors of the rules (empty when valid).
    pub errors: Vec<String>,
    /// The target, or why it cannot be used (`Err(None)`: it does not exist).
    pub target: Result<ResolvedTarget, Option<String>>,
    /// The source, or why it is not ready yet (e.g. the Neo4jBackup has no successful run).
    pub source: Result<SourceLocation, String>,
    /// A reason the restore must not run (e.g. the backup is of a newer Neo4j than the target).
    pub refusal: Option<String>,
    /// The Neo4j version the backups were taken from, when known (a Neo4jBackup's target).
    pub backup_version: Option<String>,
    /// The state of each Job of the restore.
    pub jobs: Vec<(RestoreJob, JobState)>,
    /// The target's StatefulSet, when it exists (the one recorded in the progress, once one is).
    pub servers: Option<Servers>,
    /// That StatefulSet's name and UID.
    pub statefulset: Option<ScaledSet>,
    /// The restored database.
    pub database: Database,
    /// The health checks of the restored database, run at the step `Checking`.
    pub health: Option<crate::health::report::HealthReport>,
    /// The alias of `promotion`, when a step needs it.
    pub alias: Alias,
    /// `kubectl neo4j restore promote` asked for the switch (the annotation
    /// `neo4j.neo4j.com/promote: "true"`).
    pub promote_requested: bool,
    /// The Neo4jRestore is being deleted.
    pub deleting: bool,
    /// A Pod of the restore Job still exists and has not ended: it may be writing into server 0's
    /// data claim, so the servers must not start on it.
    pub restore_pods_active: bool,
    /// The image of neo4j-agent.
    pub agent_image: String,
    /// The present moment, against which waiting steps are timed (`None`: never timed out).
    pub now: Option<k8s_openapi::jiff::Timestamp>,
}

impl Observed {
    /// How the Job `kind` stands (absent when not observed).
    pub fn job(&self, kind: RestoreJob) -> JobState {
        self.jobs.iter().find(|(k, _)| *k == kind).map(|(_, s)| s.clone()).unwrap_or(JobState::Absent)
    }
}
