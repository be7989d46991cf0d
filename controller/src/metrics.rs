//! Prometheus metrics of the controller: reconciles by kind and result, and their duration.

use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ReconcileLabels {
    kind: &'static str,
    result: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct KindLabels {
    kind: &'static str,
}

fn duration_histogram() -> Histogram {
    // 1 ms to about 16 s.
    Histogram::new(exponential_buckets(0.001, 2.0, 15))
}

/// The controller's metrics.
pub struct Metrics {
    registry: Registry,
    reconciles: Family<ReconcileLabels, Counter>,
    duration: Family<KindLabels, Histogram, fn() -> Histogram>,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("neo4j_controller");
        let reconciles = Family::<ReconcileLabels, Counter>::default();
        registry.register("reconciles", "Reconciles by kind and result (ok or error)", reconciles.clone());
        let duration = Family::<KindLabels, Histogram, fn() -> Histogram>::new_with_constructor(duration_histogram);
        registry.register("reconcile_duration_seconds", "Time one reconcile took", duration.clone());
        Self { registry, reconciles, duration }
    }
}

impl Metrics {
    /// Records one reconcile.
    pub fn observe(&self, kind: &'static str, ok: bool, elapsed: Duration) {
        let result = if ok { "ok" } else { "error" };
        self.reconciles.get_or_create(&ReconcileLabels { kind, result }).inc();
        self.duration.get_or_create(&KindLabels { kind }).observe(elapsed.as_secs_f64());
    }

    /// The OpenMetrics text exposition.
    pub fn render(&self) -> String {
        neo4j_ops::render_metrics(&self.registry)
    }
}

#[cfg(test)]
mod tests {
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
}
