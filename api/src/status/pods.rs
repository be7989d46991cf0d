//! What the Pods of a Job say about how it ended, for status messages: the termination message
//! of the container that failed (or of the last one, on success), else its exit code.

use k8s_openapi::api::core::v1::{ContainerStatus, Pod};

/// What a neo4j-admin exit code means, as the Operations Manual defines it: the backup command's
/// table (docs-operations, backup-restore/online-backup.adoc#backup-command-exit-codes, 5.x and
/// dev: "1: Backup failed, or succeeded but encountered problems such as some servers being
/// uncontactable") and the codes every command shares (neo4j/neo4j community/command-line
/// ExitCode: 3 database in use or not running, 64 usage, 70 an unexpected error).
pub fn admin_exit_meaning(container: &str, code: i32) -> Option<&'static str> {
    match (container, code) {
        ("backup", 1) => {
            Some("exit 1 (the backup failed, or succeeded with problems such as uncontactable servers; not retried)")
        }
        ("backup" | "restore" | "unpack" | "verify" | "inventory" | "listing", 64) => {
            Some("exit 64 (a usage error: an option neo4j-admin does not know or cannot parse)")
        }
        ("backup" | "restore" | "unpack" | "verify" | "inventory" | "listing", 70) => {
            Some("exit 70 (an unexpected error inside neo4j-admin)")
        }
        _ => None,
    }
}

fn report_of(status: &ContainerStatus) -> Option<(bool, String)> {
    let terminated = status.state.as_ref()?.terminated.as_ref()?;
    let message = terminated.message.as_deref().map(super::redact::redact).filter(|m| !m.is_empty());
    let message = message.as_deref();
    let ok = terminated.exit_code == 0;
    let meaning = admin_exit_meaning(&status.name, terminated.exit_code);
    let text = match (message, ok, meaning) {
        (Some(message), false, Some(meaning)) => format!("{meaning}: {message}"),
        (Some(message), _, _) => message.to_owned(),
        (None, true, _) => return None,
        (None, false, Some(meaning)) => meaning.to_owned(),
        (None, false, None) => format!("container {} exited with code {}", status.name, terminated.exit_code),
    };
    Some((ok, text))
}

/// The termination message of `container` in the newest of `pods`, as it was written (not
/// redacted or shortened): for a report our agent writes and the reader parses, such as a
/// shipping run's window, which may be up to 4096 bytes.
pub fn container_message(pods: &[Pod], container: &str) -> Option<String> {
    let newest = pods.iter().max_by_key(|pod| pod.metadata.creation_timestamp.clone())?;
    let status = newest.status.as_ref()?;
    let found = status.container_statuses.iter().flatten().find(|s| s.name == container)?;
    found.state.as_ref()?.terminated.as_ref()?.message.clone()
}

/// The report of the newest of `pods`: the first failed container's message (init containers
/// first, in order), or on success the last message a container left.
pub fn termination_report(pods: &[Pod]) -> Option<String> {
    let newest = pods.iter().max_by_key(|pod| pod.metadata.creation_timestamp.clone())?;
    let status = newest.status.as_ref()?;
    let reports: Vec<(bool, String)> = status
        .init_container_statuses
        .iter()
        .flatten()
        .chain(status.container_statuses.iter().flatten())
        .filter_map(report_of)
        .collect();
    reports.iter().find(|(ok, _)| !ok).or_else(|| reports.last()).map(|(_, text)| text.clone())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn pod(created: &str, init: serde_json::Value, main: serde_json::Value) -> Pod {
        serde_json::from_value(json!({"metadata": {"creationTimestamp": created},
            "status": {"initContainerStatuses": init, "containerStatuses": main}}))
        .unwrap()
    }

    fn terminated(name: &str, code: i32, message: Option<&str>) -> serde_json::Value {
        json!({"name": name, "image": "i", "imageID": "", "ready": false, "restartCount": 0,
            "state": {"terminated": {"exitCode": code, "message": message}}})
    }

    #[test]
    fn the_failed_container_speaks_first() {
        let failed = pod(
            "2025-01-20T02:00:00Z",
            json!([terminated("inventory", 1, None)]),
            json!([{"name": "prune", "image": "i", "imageID": "", "ready": false, "restartCount": 0, "state": {"waiting": {}}}]),
        );
        assert_eq!(termination_report(&[failed]).as_deref(), Some("container inventory exited with code 1"));
        let refused = pod(
            "2025-01-20T02:00:00Z",
            json!([terminated("inventory", 0, None)]),
            json!([terminated("prune", 1, Some("x.backup is not in the inventory; nothing was removed\n"))]),
        );
        assert_eq!(
            termination_report(&[refused]).as_deref(),
            Some("x.backup is not in the inventory; nothing was removed")
        );
    }

    #[test]
    fn neo4j_admin_exit_codes_are_explained() {
        let partial = pod(
            "2025-01-20T02:00:00Z",
            json!([terminated("backup", 1, Some("Backup of database neo4j failed: prod-server-2 unreachable"))]),
            json!([]),
        );
        assert_eq!(
            termination_report(&[partial]).as_deref(),
            Some(
                "exit 1 (the backup failed, or succeeded with problems such as uncontactable servers; not retried): Backup of database neo4j failed: prod-server-2 unreachable"
            )
        );
        let usage = pod("2025-01-20T02:00:00Z", json!([terminated("restore", 64, None)]), json!([]));
        assert_eq!(
            termination_report(&[usage]).as_deref(),
            Some("exit 64 (a usage error: an option neo4j-admin does not know or cannot parse)")
        );
        assert_eq!(admin_exit_meaning("prune", 1), None, "the agent's own messages speak for themselves");
    }

    #[test]
    fn on_success_the_last_message_and_the_newest_pod() {
        let old = pod("2025-01-20T02:00:00Z", json!([]), json!([terminated("prune", 1, Some("old failure"))]));
        let new = pod(
            "2025-01-20T02:01:00Z",
            json!([terminated("inventory", 0, None)]),
            json!([terminated("prune", 0, Some("kept 3, deleted 1: a.backup"))]),
        );
        assert_eq!(termination_report(&[old, new]).as_deref(), Some("kept 3, deleted 1: a.backup"));
        assert_eq!(termination_report(&[]), None);
    }
}
