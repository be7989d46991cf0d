//! Which Jobs and Pods speak for a backup or restore: only those we own, by ownerReference UID.
//! Labels can be set by anyone who may create a Job in the namespace; a Job or Pod faking ours
//! would otherwise write a success into history or a message into status (issue 13, item 14).

use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

/// Whether `meta` names `uid` among its owners.
pub fn owned_by(meta: &ObjectMeta, uid: &str) -> bool {
    !uid.is_empty() && meta.owner_references.iter().flatten().any(|owner| owner.uid == uid)
}

/// Whether `meta` is owned by the CronJob named `name`.
pub fn owned_by_cronjob(meta: &ObjectMeta, name: &str) -> bool {
    meta.owner_references.iter().flatten().any(|owner| owner.kind == "CronJob" && owner.name == name)
}

/// The Pods of `pods` that `job` owns.
pub fn pods_of(pods: Vec<Pod>, job: &Job) -> Vec<Pod> {
    let uid = job.metadata.uid.clone().unwrap_or_default();
    pods.into_iter().filter(|pod| owned_by(&pod.metadata, &uid)).collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn only_what_we_own_speaks() {
        let job: Job = serde_json::from_value(json!({"metadata": {"name": "nightly-backup", "uid": "job-1"}})).unwrap();
        let pod = |owner: &str| -> Pod {
            serde_json::from_value(json!({"metadata": {"name": owner, "labels": {"job-name": "nightly-backup"},
                "ownerReferences": [{"apiVersion": "batch/v1", "kind": "Job", "name": "nightly-backup", "uid": owner}]}}))
            .unwrap()
        };
        let kept = pods_of(vec![pod("job-1"), pod("someone-else")], &job);
        assert_eq!(kept.iter().map(|p| p.metadata.name.clone().unwrap()).collect::<Vec<_>>(), ["job-1"]);
        let unowned: Pod = serde_json::from_value(json!({"metadata": {"name": "x"}})).unwrap();
        assert!(!owned_by(&unowned.metadata, "job-1"));
        assert!(!owned_by(&job.metadata, ""), "an empty UID owns nothing");
        let scheduled: Job = serde_json::from_value(json!({"metadata": {"name": "nightly-backup-29000000",
            "ownerReferences": [{"apiVersion": "batch/v1", "kind": "CronJob", "name": "nightly-backup", "uid": "c"}]}}))
        .unwrap();
        assert!(owned_by_cronjob(&scheduled.metadata, "nightly-backup"));
    }
}
