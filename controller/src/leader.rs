//! Leader election with a `coordination.k8s.io` Lease, so that two replicas never reconcile at
//! once. The decision is pure; the loop around it only reads and writes the Lease.
//!
//! A leader that cannot renew in time stops leading (the process exits and restarts), so a
//! partitioned replica never keeps acting next to a new leader.

use std::time::Duration;

use k8s_openapi::api::coordination::v1::{Lease, LeaseSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::MicroTime;
use k8s_openapi::jiff::Timestamp;
use kube::Client;
use kube::api::{Api, PostParams};
use neo4j_api::lease;

/// How long a Lease stays valid without renewal.
pub const LEASE_DURATION: Duration = Duration::from_secs(lease::DURATION_SECONDS as u64);
/// How often the leader renews (and others retry).
pub const RETRY_PERIOD: Duration = Duration::from_secs(5);
/// A leader that has not renewed within this stops leading: well before its Lease expires for
/// the others, so two leaders never overlap (client-go's renew deadline, issue 13 item 8).
pub const RENEW_DEADLINE: Duration = Duration::from_secs(10);
/// The longest one read-and-write of the Lease may take (kube's client has no read timeout).
pub const ROUND_TIMEOUT: Duration = Duration::from_secs(4);

/// What to do with the Lease now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Nobody holds it (or the holder's lease expired): take it.
    Acquire,
    /// We hold it: renew it.
    Renew,
    /// Someone else holds a valid lease: wait.
    Wait(String),
}

/// Decides from the current Lease (if any) who may lead. Another holder's claim is judged by how
/// long its record has been seen unchanged here (`unchanged_for`), as client-go does, never by
/// comparing its renewTime with this machine's clock: clocks of two nodes disagree.
pub fn decide(lease: Option<&Lease>, me: &str, unchanged_for: Duration) -> Decision {
    let Some(spec) = lease.and_then(|l| l.spec.as_ref()) else { return Decision::Acquire };
    let holder = spec.holder_identity.clone().unwrap_or_default();
    if holder == me {
        return Decision::Renew;
    }
    if holder.is_empty() {
        return Decision::Acquire;
    }
    let duration = Duration::from_secs(u64::try_from(lease::duration_seconds(spec)).unwrap_or(0));
    if unchanged_for < duration { Decision::Wait(holder) } else { Decision::Acquire }
}

// The leader steps down before the others may take over, and a round ends before the deadline.
const _: () =
    assert!(RENEW_DEADLINE.as_secs() < LEASE_DURATION.as_secs() && ROUND_TIMEOUT.as_secs() < RENEW_DEADLINE.as_secs());

/// The Lease's record as last seen, and since when it has looked so here.
#[derive(Debug, Default)]
pub struct Seen {
    record: Option<(Option<String>, Option<MicroTime>)>,
    since: Option<tokio::time::Instant>,
}

impl Seen {
    /// How long `lease` has looked unchanged here (zero when it just changed or was never seen).
    pub fn unchanged_for(&mut self, lease: Option<&Lease>, now: tokio::time::Instant) -> Duration {
        let record = lease.and_then(|l| l.spec.as_ref()).map(|s| (s.holder_identity.clone(), s.renew_time.clone()));
        if self.since.is_none() || record != self.record {
            self.record = record;
            self.since = Some(now);
        }
        self.since.map_or(Duration::ZERO, |since| now.saturating_duration_since(since))
    }
}

fn lease_spec(me: &str, now: Timestamp, previous: Option<&LeaseSpec>, acquiring: bool) -> LeaseSpec {
    let transitions = previous.and_then(|p| p.lease_transitions).unwrap_or(0);
    LeaseSpec {
        holder_identity: Some(me.to_owned()),
        lease_duration_seconds: Some(lease::DURATION_SECONDS),
        acquire_time: if acquiring { Some(MicroTime(now)) } else { previous.and_then(|p| p.acquire_time.clone()) },
        renew_time: Some(MicroTime(now)),
        lease_transitions: Some(if acquiring && previous.is_some() { transitions + 1 } else { transitions }),
        ..LeaseSpec::default()
    }
}

/// One round: read the Lease, decide, and write it when acquiring or renewing. Writes carry the
/// resourceVersion read, so two candidates cannot both win. Returns whether we lead now.
pub async fn round(leases: &Api<Lease>, name: &str, me: &str, seen: &mut Seen) -> Result<bool, kube::Error> {
    let now = Timestamp::now();
    let current = leases.get_opt(name).await?;
    let unchanged_for = seen.unchanged_for(current.as_ref(), tokio::time::Instant::now());
    match decide(current.as_ref(), me, unchanged_for) {
        Decision::Wait(holder) => {
            tracing::debug!(%holder, "another replica leads");
            Ok(false)
        }
        decision => {
            let acquiring = decision == Decision::Acquire;
            let mut lease = current.clone().unwrap_or_default();
            lease.metadata.name = Some(name.to_owned());
            lease.spec = Some(lease_spec(me, now, current.as_ref().and_then(|l| l.spec.as_ref()), acquiring));
            let written = if current.is_some() {
                leases.replace(name, &PostParams::default(), &lease).await
            } else {
                leases.create(&PostParams::default(), &lease).await
            };
            match written {
                Ok(_) => {
                    if acquiring {
                        tracing::info!(identity = %me, "became the leader");
                    }
                    Ok(true)
                }
                // Someone else wrote first: not leading this round.
                Err(kube::Error::Api(status)) if status.code == 409 => Ok(false),
                Err(err) => Err(err),
            }
        }
    }
}

/// One round, bounded by `limit`: a round that does not finish in time counts as failed.
async fn bounded(leases: &Api<Lease>, name: &str, me: &str, seen: &mut Seen, limit: Duration) -> Result<bool, String> {
    match tokio::time::timeout(limit, round(leases, name, me, seen)).await {
        Ok(result) => result.map_err(|err| err.to_string()),
        Err(_) => Err(format!("no answer within {}s", limit.as_secs())),
    }
}

/// Waits until this replica leads, then keeps renewing in the background; returns a future that
/// completes when leadership is lost: another replica took the Lease, or no renewal succeeded
/// within [`RENEW_DEADLINE`] (checked on a timer, also while a renewal hangs).
pub async fn lead(
    client: Client,
    namespace: &str,
    name: &str,
    me: &str,
) -> impl std::future::Future<Output = ()> + Send + 'static {
    let leases: Api<Lease> = Api::namespaced(client, namespace);
    let mut seen = Seen::default();
    loop {
        match bounded(&leases, name, me, &mut seen, ROUND_TIMEOUT).await {
            Ok(true) => break,
            Ok(false) => {}
            Err(err) => tracing::warn!(error = %err, "leader election failed; retrying"),
        }
        tokio::time::sleep(RETRY_PERIOD).await;
    }
    let (name, me) = (name.to_owned(), me.to_owned());
    async move {
        let mut deadline = tokio::time::Instant::now() + RENEW_DEADLINE;
        loop {
            tokio::time::sleep(RETRY_PERIOD.min(deadline.saturating_duration_since(tokio::time::Instant::now()))).await;
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            if left.is_zero() {
                tracing::error!("could not renew the lease in time; stepping down");
                return;
            }
            match bounded(&leases, &name, &me, &mut seen, left.min(ROUND_TIMEOUT)).await {
                Ok(true) => deadline = tokio::time::Instant::now() + RENEW_DEADLINE,
                Ok(false) => {
                    tracing::error!("leadership lost to another replica");
                    return;
                }
                Err(err) => tracing::warn!(error = %err, "could not renew the lease"),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn lease(holder: &str, renewed: &str) -> Lease {
        serde_json::from_value(json!({"metadata": {"name": "l"}, "spec": {"holderIdentity": holder, "leaseDurationSeconds": 15, "renewTime": renewed}}))
            .unwrap()
    }

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    #[test]
    fn decisions() {
        let fresh = Duration::from_secs(10);
        assert_eq!(decide(None, "me", fresh), Decision::Acquire);
        assert_eq!(decide(Some(&lease("me", "2025-01-20T03:00:00.000000Z")), "me", fresh), Decision::Renew);
        assert_eq!(
            decide(Some(&lease("other", "2025-01-20T03:00:00.000000Z")), "me", fresh),
            Decision::Wait("other".into())
        );
        assert_eq!(
            decide(Some(&lease("other", "2025-01-20T03:00:00.000000Z")), "me", Duration::from_secs(15)),
            Decision::Acquire,
            "unchanged here for its whole duration"
        );
        assert_eq!(decide(Some(&lease("", "2025-01-20T03:00:00.000000Z")), "me", fresh), Decision::Acquire, "released");
    }

    // Issue 13, item 8: expiry is judged by what this replica saw change, never by another node's
    // timestamps against this clock (a renewTime from a clock an hour ahead must not hold forever,
    // nor one an hour behind count as expired).
    #[test]
    fn a_holder_expires_after_its_record_stood_still_here_for_its_duration() {
        let start = tokio::time::Instant::now();
        let mut seen = Seen::default();
        let behind = lease("other", "2020-01-01T00:00:00.000000Z");
        assert_eq!(seen.unchanged_for(Some(&behind), start), Duration::ZERO, "first sight");
        assert_eq!(
            decide(Some(&behind), "me", seen.unchanged_for(Some(&behind), start + Duration::from_secs(5))),
            Decision::Wait("other".into())
        );
        let renewed = lease("other", "2020-01-01T00:00:05.000000Z");
        assert_eq!(
            seen.unchanged_for(Some(&renewed), start + Duration::from_secs(14)),
            Duration::ZERO,
            "a renewal restarts the clock"
        );
        let waited = seen.unchanged_for(Some(&renewed), start + Duration::from_secs(29));
        assert_eq!(decide(Some(&renewed), "me", waited), Decision::Acquire);
    }

    #[test]
    fn taking_over_counts_a_transition() {
        let now = at("2025-01-20T03:00:10Z");
        let previous =
            LeaseSpec { lease_transitions: Some(2), holder_identity: Some("other".into()), ..LeaseSpec::default() };
        let taken = lease_spec("me", now, Some(&previous), true);
        assert_eq!((taken.holder_identity.as_deref(), taken.lease_transitions), (Some("me"), Some(3)));
        let renewed = lease_spec("me", now, Some(&taken), false);
        assert_eq!(renewed.lease_transitions, Some(3));
        assert_eq!(renewed.acquire_time, taken.acquire_time);
    }
}
