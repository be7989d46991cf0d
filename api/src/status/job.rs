//! How a Kubernetes Job stands, from its conditions: the one reading every status and reconciler uses.

use k8s_openapi::api::batch::v1::{Job, JobCondition};

/// The condition `kind` (`Complete`, `Failed`) when it is true.
pub fn condition<'a>(job: &'a Job, kind: &str) -> Option<&'a JobCondition> {
    job.status.as_ref()?.conditions.as_ref()?.iter().find(|c| c.type_ == kind && c.status == "True")
}

/// The Job completed successfully.
pub fn has_succeeded(job: &Job) -> bool {
    condition(job, "Complete").is_some()
}

/// The Job failed.
pub fn has_failed(job: &Job) -> bool {
    condition(job, "Failed").is_some()
}

/// The Job finished, either way.
pub fn is_finished(job: &Job) -> bool {
    has_succeeded(job) || has_failed(job)
}

/// Why a Job failed, as its `Failed` condition says (message, else reason).
pub fn failure_reason(job: &Job) -> Option<String> {
    condition(job, "Failed").and_then(|c| c.message.clone().or_else(|| c.reason.clone()))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn job(conditions: serde_json::Value) -> Job {
        serde_json::from_value(json!({"metadata": {"name": "j"}, "status": {"conditions": conditions}})).unwrap()
    }

    #[test]
    fn conditions_decide() {
        let done =
            job(json!([{"type": "SuccessCriteriaMet", "status": "True"}, {"type": "Complete", "status": "True"}]));
        assert!(has_succeeded(&done) && is_finished(&done) && !has_failed(&done));
        let failed = job(json!([{"type": "Failed", "status": "True", "reason": "DeadlineExceeded"}]));
        assert!(has_failed(&failed) && is_finished(&failed));
        assert_eq!(failure_reason(&failed).as_deref(), Some("DeadlineExceeded"));
        let running = job(json!([{"type": "Failed", "status": "False"}]));
        assert!(!is_finished(&running));
        assert!(!is_finished(&Job::default()));
    }
}
