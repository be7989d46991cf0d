//! Prometheus metrics: requests by endpoint, kind, operation and verdict, latency, rejected bodies,
//! and the expiry time of the serving certificate.

use std::sync::atomic::AtomicI64;
use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use crate::admit::{Endpoint, Outcome};

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    endpoint: &'static str,
    kind: &'static str,
    operation: String,
    verdict: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct EndpointLabels {
    endpoint: &'static str,
}

fn latency_histogram() -> Histogram {
    // 100 µs to about 1.6 s.
    Histogram::new(exponential_buckets(0.0001, 2.0, 15))
}

/// The webhook's metrics.
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<EndpointLabels, Histogram, fn() -> Histogram>,
    bad_requests: Counter,
    cert_expiry: Gauge<i64, AtomicI64>,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("neo4j_webhook");
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "admission_requests",
            "Admission requests judged, by endpoint, kind, operation and verdict",
            requests.clone(),
        );
        let latency = Family::<EndpointLabels, Histogram, fn() -> Histogram>::new_with_constructor(latency_histogram);
        registry.register("admission_duration_seconds", "Time to judge an admission request", latency.clone());
        let bad_requests = Counter::default();
        registry.register("bad_requests", "Bodies refused with 400 (not an AdmissionReview)", bad_requests.clone());
        let cert_expiry = Gauge::<i64, AtomicI64>::default();
        registry.register(
            "certificate_expiry_timestamp_seconds",
            "When the serving certificate expires (seconds since the epoch)",
            cert_expiry.clone(),
        );
        Self { registry, requests, latency, bad_requests, cert_expiry }
    }
}

impl Metrics {
    /// Records one judged request.
    pub fn observe(&self, endpoint: Endpoint, operation: &str, outcome: &Outcome, elapsed: Duration) {
        let labels = RequestLabels {
            endpoint: endpoint.name(),
            kind: outcome.kind,
            operation: operation.to_owned(),
            verdict: outcome.verdict,
        };
        self.requests.get_or_create(&labels).inc();
        self.latency.get_or_create(&EndpointLabels { endpoint: endpoint.name() }).observe(elapsed.as_secs_f64());
    }

    /// Records a body that was not an AdmissionReview.
    pub fn bad_request(&self) {
        self.bad_requests.inc();
    }

    /// Sets the expiry of the serving certificate.
    pub fn set_cert_expiry(&self, seconds_since_epoch: i64) {
        self.cert_expiry.set(seconds_since_epoch);
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
    fn requests_latency_and_expiry_are_exposed() {
        let metrics = Metrics::default();
        metrics.observe(
            Endpoint::Validate,
            "CREATE",
            &Outcome { kind: "Neo4jBackup", verdict: "denied" },
            Duration::from_micros(300),
        );
        metrics.bad_request();
        metrics.set_cert_expiry(1_900_000_000);
        let text = metrics.render();
        assert!(text.contains(r#"neo4j_webhook_admission_requests_total{endpoint="validate",kind="Neo4jBackup",operation="CREATE",verdict="denied"} 1"#), "{text}");
        assert!(text.contains(r#"neo4j_webhook_admission_duration_seconds_count{endpoint="validate"} 1"#), "{text}");
        assert!(text.contains("neo4j_webhook_bad_requests_total 1"), "{text}");
        assert!(text.contains("neo4j_webhook_certificate_expiry_timestamp_seconds 1900000000"), "{text}");
    }
}
