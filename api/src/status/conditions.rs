//! metav1 Conditions that keep their `lastTransitionTime` while their status does not change.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{Condition, Time};
use k8s_openapi::jiff::Timestamp;

/// Sets condition `kind`; its transition time moves only when `status` changes.
pub fn set_condition(
    conditions: &mut Vec<Condition>,
    kind: &str,
    status: &str,
    reason: &str,
    message: &str,
    generation: Option<i64>,
    now: Timestamp,
) {
    let transition = conditions
        .iter()
        .find(|c| c.type_ == kind && c.status == status)
        .map(|c| c.last_transition_time.clone())
        .unwrap_or(Time(now));
    let condition = Condition {
        type_: kind.to_owned(),
        status: status.to_owned(),
        reason: reason.to_owned(),
        message: message.to_owned(),
        observed_generation: generation,
        last_transition_time: transition,
    };
    match conditions.iter_mut().find(|c| c.type_ == kind) {
        Some(existing) => *existing = condition,
        None => conditions.push(condition),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transition_time_moves_only_with_the_status() {
        let t1: Timestamp = "2025-01-01T00:00:00Z".parse().unwrap();
        let t2: Timestamp = "2025-01-02T00:00:00Z".parse().unwrap();
        let mut conditions = Vec::new();
        set_condition(&mut conditions, "Ready", "False", "Pending", "waiting", Some(1), t1);
        set_condition(&mut conditions, "Ready", "False", "Pending", "still waiting", Some(2), t2);
        assert_eq!((conditions[0].last_transition_time.0, conditions[0].message.as_str()), (t1, "still waiting"));
        set_condition(&mut conditions, "Ready", "True", "Completed", "done", Some(2), t2);
        assert_eq!((conditions.len(), conditions[0].last_transition_time.0), (1, t2));
    }
}
