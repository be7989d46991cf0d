//! The controller's leader-election Lease (`coordination.k8s.io/v1`): its name, and until when a
//! holder's claim holds. The controller decides from it whether to lead; the plugin's `status`
//! whether anyone leads.

use k8s_openapi::api::coordination::v1::LeaseSpec;
use k8s_openapi::jiff::{SignedDuration, Timestamp};

/// Name of the Lease (in the controller's namespace, `neo4j-system` as installed).
pub const NAME: &str = "kubectl-neo4j-controller";
/// How long a claim holds without renewal, as the controller writes it (also the reading of a
/// Lease that names no duration).
pub const DURATION_SECONDS: i32 = 15;

/// How long the holder's claim holds after its last renewal: leaseDurationSeconds, or
/// [`DURATION_SECONDS`] when unset.
pub fn duration_seconds(spec: &LeaseSpec) -> i32 {
    spec.lease_duration_seconds.unwrap_or(DURATION_SECONDS)
}

/// When the holder last claimed the Lease: renewTime, or acquireTime before any renewal.
pub fn renewed(spec: &LeaseSpec) -> Option<Timestamp> {
    spec.renew_time.as_ref().or(spec.acquire_time.as_ref()).map(|t| t.0)
}

/// Whether the holder's claim still holds at `now` (a Lease never claimed holds nothing).
pub fn holds(spec: &LeaseSpec, now: Timestamp) -> bool {
    renewed(spec).is_some_and(|at| now < at + SignedDuration::from_secs(i64::from(duration_seconds(spec))))
}

#[cfg(test)]
mod tests {
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::MicroTime;

    use super::*;

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    #[test]
    fn a_claim_holds_for_its_duration_after_the_last_renewal() {
        let spec = LeaseSpec {
            lease_duration_seconds: Some(15),
            acquire_time: Some(MicroTime(at("2025-01-20T02:00:00Z"))),
            renew_time: Some(MicroTime(at("2025-01-20T03:00:00Z"))),
            ..LeaseSpec::default()
        };
        assert_eq!(renewed(&spec), Some(at("2025-01-20T03:00:00Z")), "renewTime before acquireTime");
        assert!(holds(&spec, at("2025-01-20T03:00:14Z")));
        assert!(!holds(&spec, at("2025-01-20T03:00:15Z")), "expired at renewTime + 15s");
        let acquired_only = LeaseSpec { renew_time: None, lease_duration_seconds: None, ..spec };
        assert_eq!(duration_seconds(&acquired_only), DURATION_SECONDS);
        assert!(holds(&acquired_only, at("2025-01-20T02:00:14Z")));
        assert!(!holds(&LeaseSpec::default(), at("2025-01-20T02:00:00Z")), "never claimed");
    }
}
