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

/// Decides from the current Lease (if any) who may lead.
pub fn decide(lease: Option<&Lease>, me: &str, now: Timestamp) -> Decision {
    let Some(spec) = lease.and_then(|l| l.spec.as_ref()) else { return Decision::Acquire };
    let holder = spec.holder_identity.clone().unwrap_or_default();
    if holder == me {
        return Decision::Renew;
    }
    if holder.is_empty() {
        return Decision::Acquire;
    }
    if lease::holds(spec, now) { Decision::Wait(holder) } else { Decision::Acquire }
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
pub async fn round(leases: &Api<Lease>, name: &str, me: &str) -> Result<bool, kube::Error> {
    let now = Timestamp::now();
    let current = leases.get_opt(name).await?;
    match decide(current.as_ref(), me, now) {
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

/// Waits until this replica leads, then keeps renewing in the background; returns a future that
/// completes if leadership is lost (renewal failed for longer than the lease lasts).
pub async fn lead(
    client: Client,
    namespace: &str,
    name: &str,
    me: &str,
) -> impl std::future::Future<Output = ()> + Send + 'static {
    let leases: Api<Lease> = Api::namespaced(client, namespace);
    loop {
        match round(&leases, name, me).await {
            Ok(true) => break,
            Ok(false) => {}
            Err(err) => tracing::warn!(error = %err, "leader election failed; retrying"),
        }
        tokio::time::sleep(RETRY_PERIOD).await;
    }
    let (name, me) = (name.to_owned(), me.to_owned());
    async move {
        let mut last_renewed = tokio::time::Instant::now();
        loop {
            tokio::time::sleep(RETRY_PERIOD).await;
            match round(&leases, &name, &me).await {
                Ok(true) => last_renewed = tokio::time::Instant::now(),
                Ok(false) => {
                    tracing::error!("leadership lost to another replica");
                    return;
                }
                Err(err) => tracing::warn!(error = %err, "could not renew the lease"),
            }
            if last_renewed.elapsed() > LEASE_DURATION {
                tracing::error!("could not renew the lease in time; stepping down");
                return;
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
        let now = at("2025-01-20T03:00:10Z");
        assert_eq!(decide(None, "me", now), Decision::Acquire);
        assert_eq!(decide(Some(&lease("me", "2025-01-20T03:00:00.000000Z")), "me", now), Decision::Renew);
        assert_eq!(
            decide(Some(&lease("other", "2025-01-20T03:00:00.000000Z")), "me", now),
            Decision::Wait("other".into())
        );
        assert_eq!(
            decide(Some(&lease("other", "2025-01-20T02:59:50.000000Z")), "me", now),
            Decision::Acquire,
            "expired"
        );
        assert_eq!(decide(Some(&lease("", "2025-01-20T03:00:00.000000Z")), "me", now), Decision::Acquire, "released");
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
