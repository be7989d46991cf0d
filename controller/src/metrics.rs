//! Prometheus metrics of the controller: reconciles by kind and result, and their duration; seed
//! 000's point-in-time metrics (`neo4j_pitr_*`); and every backup's last success and failures.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;
use std::sync::atomic::AtomicU64;
use std::time::Duration;

use k8s_openapi::jiff::Timestamp;
use neo4j_api::RunPhase;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

/// Every metric name the controller exports, as Prometheus sees them (the PrometheusRule bundle
/// in `manifests/monitoring` is checked against this list).
pub const EXPORTED: &[&str] = &[
    "neo4j_controller_reconciles_total",
    "neo4j_controller_reconcile_duration_seconds",
    "neo4j_pitr_logs_shipped_total",
    "neo4j_pitr_log_lag_seconds",
    "neo4j_pitr_recovery_duration_seconds",
    "neo4j_backup_last_success_timestamp_seconds",
    "neo4j_backup_failures_total",
    "neo4j_backup_rpo_met",
    "neo4j_backup_recovery_point_age_seconds",
];

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ReconcileLabels {
    kind: &'static str,
    result: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct KindLabels {
    kind: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, PartialOrd, Ord, EncodeLabelSet)]
struct BackupLabels {
    namespace: String,
    backup: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, PartialOrd, Ord, EncodeLabelSet)]
struct DatabaseLabels {
    namespace: String,
    backup: String,
    database: String,
}

fn duration_histogram() -> Histogram {
    // 1 ms to about 16 s.
    Histogram::new(exponential_buckets(0.001, 2.0, 15))
}

fn recovery_histogram() -> Histogram {
    // 10 s to about 28 h: restores take minutes to hours.
    Histogram::new(exponential_buckets(10.0, 2.0, 14))
}

/// The controller's metrics.
pub struct Metrics {
    registry: Registry,
    reconciles: Family<ReconcileLabels, Counter>,
    duration: Family<KindLabels, Histogram, fn() -> Histogram>,
    shipped: Family<BackupLabels, Counter>,
    lag: Family<DatabaseLabels, Gauge<f64, AtomicU64>>,
    recovery: Histogram,
    last_success: Family<BackupLabels, Gauge<f64, AtomicU64>>,
    failures: Family<BackupLabels, Counter>,
    rpo_met: Family<BackupLabels, Gauge>,
    point_age: Family<BackupLabels, Gauge<f64, AtomicU64>>,
    /// Per backup with `spec.rpo`: its objective in seconds and its newest restorable moment.
    objectives: Mutex<BTreeMap<BackupLabels, (i64, Option<Timestamp>)>>,
    /// The newest restorable moment of each database, for the lag computed at each scrape.
    newest: Mutex<BTreeMap<DatabaseLabels, Timestamp>>,
    /// Every backup with series, so that those of a deleted one can be removed.
    known: Mutex<BTreeSet<BackupLabels>>,
    /// The clock of the lag (a fixed one in tests).
    now: fn() -> Timestamp,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::with_clock(Timestamp::now)
    }
}

impl Metrics {
    /// Metrics whose lag is measured against `now`.
    pub fn with_clock(now: fn() -> Timestamp) -> Self {
        let mut registry = Registry::default();
        let reconciles = Family::<ReconcileLabels, Counter>::default();
        let duration = Family::<KindLabels, Histogram, fn() -> Histogram>::new_with_constructor(duration_histogram);
        let controller = registry.sub_registry_with_prefix("neo4j_controller");
        controller.register("reconciles", "Reconciles by kind and result (ok or error)", reconciles.clone());
        controller.register("reconcile_duration_seconds", "Time one reconcile took", duration.clone());
        let shipped = Family::<BackupLabels, Counter>::default();
        let lag = Family::<DatabaseLabels, Gauge<f64, AtomicU64>>::default();
        let recovery = recovery_histogram();
        let pitr = registry.sub_registry_with_prefix("neo4j_pitr");
        pitr.register("logs_shipped", "Shipping runs (FULL or DIFF) that succeeded, per backup", shipped.clone());
        pitr.register(
            "log_lag_seconds",
            "Now minus the newest restorable moment of each database of a backup with a recoverable window",
            lag.clone(),
        );
        pitr.register(
            "recovery_duration_seconds",
            "Duration of finished point-in-time restores, from start to completion",
            recovery.clone(),
        );
        let last_success = Family::<BackupLabels, Gauge<f64, AtomicU64>>::default();
        let failures = Family::<BackupLabels, Counter>::default();
        let backup = registry.sub_registry_with_prefix("neo4j_backup");
        backup.register(
            "last_success_timestamp_seconds",
            "When the last successful run of each backup completed (Unix seconds)",
            last_success.clone(),
        );
        backup.register("failures", "Failed runs per backup", failures.clone());
        let rpo_met = Family::<BackupLabels, Gauge>::default();
        let point_age = Family::<BackupLabels, Gauge<f64, AtomicU64>>::default();
        backup.register(
            "rpo_met",
            "1 when the newest restorable moment of a backup with spec.rpo is within it, else 0",
            rpo_met.clone(),
        );
        backup.register(
            "recovery_point_age_seconds",
            "Now minus the newest restorable moment of a backup with spec.rpo (what a restore now would lose)",
            point_age.clone(),
        );
        Self {
            registry,
            reconciles,
            duration,
            shipped,
            lag,
            recovery,
            last_success,
            failures,
            rpo_met,
            point_age,
            objectives: Mutex::default(),
            newest: Mutex::default(),
            known: Mutex::default(),
            now,
        }
    }

    /// Records one reconcile.
    pub fn observe(&self, kind: &'static str, ok: bool, elapsed: Duration) {
        let result = if ok { "ok" } else { "error" };
        self.reconciles.get_or_create(&ReconcileLabels { kind, result }).inc();
        self.duration.get_or_create(&KindLabels { kind }).observe(elapsed.as_secs_f64());
    }

    /// Records what a backup's written status says: runs that ended since `previous` (successes
    /// of shipping runs are shipped logs, failures count for every backup), its last success and
    /// the newest restorable moment of each database.
    pub fn backup_written(
        &self,
        namespace: &str,
        backup: &str,
        previous: Option<&neo4j_api::Neo4jBackupStatus>,
        written: &neo4j_api::Neo4jBackupStatus,
        shipping: bool,
    ) {
        let labels = BackupLabels { namespace: namespace.to_owned(), backup: backup.to_owned() };
        lock(&self.known).insert(labels.clone());
        // Every backup's series exist from its first reconcile, at 0: `increase()` then sees the
        // first failure too.
        let failures = self.failures.get_or_create(&labels).clone();
        let shipped = shipping.then(|| self.shipped.get_or_create(&labels).clone());
        let before = previous.map(|s| s.history.as_slice()).unwrap_or_default();
        for run in neo4j_api::status::backup::newly_ended(before, &written.history) {
            match (&run.phase, &shipped) {
                (Some(RunPhase::Succeeded), Some(shipped)) => shipped.inc(),
                (Some(RunPhase::Failed), _) => failures.inc(),
                _ => 0,
            };
        }
        if let Some(at) = &written.last_successful_backup_time {
            self.last_success.get_or_create(&labels).set(at.0.as_millisecond() as f64 / 1000.0);
        }
        // The lag is shipping's (seed 000's alert fires at 5 minutes): a nightly backup's window is
        // a day old by design. A database no longer in the window loses its series.
        let mut newest = lock(&self.newest);
        let gone: Vec<DatabaseLabels> = newest
            .keys()
            .filter(|key| key.namespace == namespace && key.backup == backup)
            .filter(|key| !shipping || !written.recovery_window.iter().any(|w| w.database == key.database))
            .cloned()
            .collect();
        for key in gone {
            newest.remove(&key);
            self.lag.remove(&key);
        }
        for window in written.recovery_window.iter().filter(|_| shipping) {
            if let Some(latest) = &window.latest {
                let key = DatabaseLabels {
                    namespace: namespace.to_owned(),
                    backup: backup.to_owned(),
                    database: window.database.clone(),
                };
                newest.insert(key, latest.0);
            }
        }
    }

    /// Records a backup's recovery point objective (`None`: it has none, and loses its series) and
    /// its newest restorable moment, for `neo4j_backup_rpo_met` and the age computed at each scrape.
    pub fn backup_objective(&self, namespace: &str, backup: &str, objective: Option<i64>, newest: Option<Timestamp>) {
        let labels = BackupLabels { namespace: namespace.to_owned(), backup: backup.to_owned() };
        lock(&self.known).insert(labels.clone());
        let mut objectives = lock(&self.objectives);
        match objective {
            Some(seconds) => {
                objectives.insert(labels, (seconds, newest));
            }
            None => {
                if objectives.remove(&labels).is_some() {
                    self.rpo_met.remove(&labels);
                    self.point_age.remove(&labels);
                }
            }
        }
    }

    /// Removes every series of the backups `exists` says are gone (deleted Neo4jBackups).
    pub fn forget_missing(&self, exists: impl Fn(&str, &str) -> bool) {
        let mut known = lock(&self.known);
        let gone: Vec<BackupLabels> = known.iter().filter(|b| !exists(&b.namespace, &b.backup)).cloned().collect();
        let mut newest = lock(&self.newest);
        let mut objectives = lock(&self.objectives);
        for labels in gone {
            known.remove(&labels);
            objectives.remove(&labels);
            self.rpo_met.remove(&labels);
            self.point_age.remove(&labels);
            self.shipped.remove(&labels);
            self.last_success.remove(&labels);
            self.failures.remove(&labels);
            let databases: Vec<DatabaseLabels> = newest
                .keys()
                .filter(|key| key.namespace == labels.namespace && key.backup == labels.backup)
                .cloned()
                .collect();
            for key in databases {
                newest.remove(&key);
                self.lag.remove(&key);
            }
        }
    }

    /// Records a finished point-in-time restore.
    pub fn recovery_finished(&self, started: Timestamp, completed: Timestamp) {
        self.recovery.observe(completed.duration_since(started).as_secs_f64().max(0.0));
    }

    /// The OpenMetrics text exposition, the lag measured now.
    pub fn render(&self) -> String {
        let now = (self.now)();
        for (key, latest) in lock(&self.newest).iter() {
            self.lag.get_or_create(key).set(now.duration_since(*latest).as_secs_f64().max(0.0));
        }
        for (key, (objective, newest)) in lock(&self.objectives).iter() {
            let age = newest.map(|at| now.duration_since(at).as_secs().max(0));
            self.rpo_met.get_or_create(key).set(i64::from(age.is_some_and(|age| age <= *objective)));
            match age {
                Some(age) => {
                    self.point_age.get_or_create(key).set(age as f64);
                }
                None => {
                    self.point_age.remove(key);
                }
            }
        }
        neo4j_ops::render_metrics(&self.registry)
    }
}

/// A poisoned lock still holds usable series: a panic elsewhere must not stop the metrics.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
    use neo4j_api::{BackupRun, BackupType, DatabaseWindow, Neo4jBackupStatus};

    use super::*;

    #[test]
    fn reconciles_are_counted_and_timed() {
        let metrics = Metrics::default();
        metrics.observe("Neo4jBackup", true, Duration::from_millis(12));
        metrics.observe("Neo4jBackup", false, Duration::from_millis(3));
        let text = metrics.render();
        assert!(text.contains(r#"neo4j_controller_reconciles_total{kind="Neo4jBackup",result="ok"} 1"#), "{text}");
        assert!(text.contains(r#"neo4j_controller_reconciles_total{kind="Neo4jBackup",result="error"} 1"#), "{text}");
        assert!(text.contains(r#"neo4j_controller_reconcile_duration_seconds_count{kind="Neo4jBackup"} 2"#), "{text}");
    }

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    fn run(job: &str, phase: RunPhase) -> BackupRun {
        BackupRun {
            job_name: job.into(),
            r#type: Some(BackupType::Diff),
            start_time: Some(Time(at("2025-01-20T02:59:30Z"))),
            phase: Some(phase),
            ..BackupRun::default()
        }
    }

    #[test]
    fn shipped_runs_failures_last_success_and_lag() {
        let metrics = Metrics::with_clock(|| "2025-01-20T03:00:00Z".parse().unwrap());
        let before = Neo4jBackupStatus { history: vec![run("r1", RunPhase::Running)], ..Default::default() };
        let after = Neo4jBackupStatus {
            history: vec![run("r2", RunPhase::Failed), run("r1", RunPhase::Succeeded)],
            last_successful_backup_time: Some(Time(at("2025-01-20T02:59:40Z"))),
            recovery_window: vec![DatabaseWindow {
                database: "orders".into(),
                latest: Some(Time(at("2025-01-20T02:59:30Z"))),
                ..DatabaseWindow::default()
            }],
            ..Default::default()
        };
        metrics.backup_written("neo4j", "prod-pitr", Some(&before), &after, true);
        // The same status written again counts nothing twice.
        metrics.backup_written("neo4j", "prod-pitr", Some(&after), &after, true);
        let text = metrics.render();
        for line in [
            r#"neo4j_pitr_logs_shipped_total{namespace="neo4j",backup="prod-pitr"} 1"#,
            r#"neo4j_backup_failures_total{namespace="neo4j",backup="prod-pitr"} 1"#,
            r#"neo4j_backup_last_success_timestamp_seconds{namespace="neo4j",backup="prod-pitr"} 1737341980.0"#,
            r#"neo4j_pitr_log_lag_seconds{namespace="neo4j",backup="prod-pitr",database="orders"} 30.0"#,
        ] {
            assert!(text.contains(line), "{line} missing from\n{text}");
        }
        metrics.recovery_finished(at("2025-01-20T01:00:00Z"), at("2025-01-20T01:04:00Z"));
        metrics.backup_objective("neo4j", "prod-pitr", Some(300), Some(at("2025-01-20T02:59:30Z")));
        metrics.observe("Neo4jBackup", true, Duration::from_millis(1));
        let text = metrics.render();
        assert!(text.contains("neo4j_pitr_recovery_duration_seconds_sum 240.0"), "{text}");
        for name in EXPORTED {
            assert!(text.contains(&format!("# TYPE {}", name.trim_end_matches("_total"))), "{name} in\n{text}");
        }
    }

    #[test]
    fn lag_is_shipping_only_and_series_of_dropped_databases_and_deleted_backups_go() {
        let metrics = Metrics::with_clock(|| "2025-01-20T03:00:00Z".parse().unwrap());
        let window = |databases: &[&str]| Neo4jBackupStatus {
            last_successful_backup_time: Some(Time(at("2025-01-20T02:59:40Z"))),
            recovery_window: databases
                .iter()
                .map(|name| DatabaseWindow {
                    database: (*name).into(),
                    latest: Some(Time(at("2025-01-20T02:59:30Z"))),
                    ..DatabaseWindow::default()
                })
                .collect(),
            ..Default::default()
        };
        metrics.backup_written("neo4j", "nightly", None, &window(&["orders"]), false);
        metrics.backup_written("neo4j", "prod-pitr", None, &window(&["orders", "people"]), true);
        let text = metrics.render();
        assert!(!text.contains(r#"neo4j_pitr_log_lag_seconds{namespace="neo4j",backup="nightly""#), "{text}");
        assert!(
            text.contains(r#"neo4j_pitr_log_lag_seconds{namespace="neo4j",backup="prod-pitr",database="people"} 30.0"#)
        );

        metrics.backup_written("neo4j", "prod-pitr", None, &window(&["orders"]), true);
        let text = metrics.render();
        assert!(!text.contains(r#"database="people""#), "a dropped database has no lag: {text}");
        assert!(
            text.contains(r#"neo4j_pitr_log_lag_seconds{namespace="neo4j",backup="prod-pitr",database="orders"} 30.0"#)
        );

        metrics.forget_missing(|_, backup| backup == "nightly");
        let text = metrics.render();
        assert!(!text.contains(r#"backup="prod-pitr""#), "a deleted backup has no series: {text}");
        assert!(text.contains(r#"neo4j_backup_failures_total{namespace="neo4j",backup="nightly"} 0"#), "{text}");
    }

    #[test]
    fn the_objective_is_met_or_not_at_each_scrape() {
        let metrics = Metrics::with_clock(|| "2025-01-20T03:00:00Z".parse().unwrap());
        metrics.backup_objective("neo4j", "nightly", Some(3600), Some(at("2025-01-20T02:30:00Z")));
        metrics.backup_objective("neo4j", "weekly", Some(3600), Some(at("2025-01-19T03:00:00Z")));
        metrics.backup_objective("neo4j", "fresh", Some(3600), None);
        let text = metrics.render();
        for line in [
            r#"neo4j_backup_rpo_met{namespace="neo4j",backup="nightly"} 1"#,
            r#"neo4j_backup_recovery_point_age_seconds{namespace="neo4j",backup="nightly"} 1800.0"#,
            r#"neo4j_backup_rpo_met{namespace="neo4j",backup="weekly"} 0"#,
            r#"neo4j_backup_recovery_point_age_seconds{namespace="neo4j",backup="weekly"} 86400.0"#,
            r#"neo4j_backup_rpo_met{namespace="neo4j",backup="fresh"} 0"#,
        ] {
            assert!(text.contains(line), "{line} missing from\n{text}");
        }
        assert!(
            !text.contains(r#"neo4j_backup_recovery_point_age_seconds{namespace="neo4j",backup="fresh"}"#),
            "{text}"
        );
        metrics.backup_objective("neo4j", "weekly", None, None);
        metrics.forget_missing(|_, backup| backup != "nightly");
        let text = metrics.render();
        assert!(!text.contains(r#"backup="weekly""#) && !text.contains(r#"backup="nightly""#), "{text}");
    }
}
