//! The ServiceAccount `neo4j-backup-sa` that `identity.autoCreate` makes: one per namespace,
//! shared by every Neo4jBackup there that asks for it. Its annotations bind it to a cloud identity
//! (an IAM role, a GCP service account), so two backups asking for different ones must not take
//! turns rewriting it (issue 13, item 10): the first one configures it, and the others must ask
//! for the same annotations while it exists.

use std::collections::BTreeMap;

use crate::plan::pod::BACKUP_SERVICE_ACCOUNT;
use crate::types::Neo4jBackup;

/// Annotation on `neo4j-backup-sa`: the Neo4jBackup whose annotations it carries.
pub const CONFIGURED_BY: &str = "neo4j.neo4j.com/configured-by";

/// The annotations `backup` asks `neo4j-backup-sa` to carry, when it asks for one at all.
pub fn requested_annotations(backup: &Neo4jBackup) -> Option<BTreeMap<String, String>> {
    let identity = backup.spec.storage.as_ref().and_then(|s| s.cloud.as_ref()).and_then(|c| c.identity.as_ref())?;
    let auto = identity.auto_create.as_ref().filter(|_| identity.service_account.is_none())?;
    (auto.enabled != Some(false)).then(|| auto.annotations.clone().unwrap_or_default())
}

/// Who may configure the account: `backup` itself when nobody does, when it already does, when
/// the backup that does is gone, or when that one asks for the same annotations. Otherwise why not.
pub fn configurer(
    backup: &Neo4jBackup,
    configured_by: Option<&str>,
    configuring: Option<&Neo4jBackup>,
) -> Result<String, String> {
    let own = backup.metadata.name.clone().unwrap_or_default();
    let Some(current) = configured_by.filter(|current| *current != own) else { return Ok(own) };
    let Some(other) = configuring else { return Ok(own) };
    if requested_annotations(other) == requested_annotations(backup) {
        return Ok(current.to_owned());
    }
    let namespace = backup.metadata.namespace.as_deref().unwrap_or_default();
    Err(format!(
        "the ServiceAccount {BACKUP_SERVICE_ACCOUNT} in {namespace} carries the annotations of Neo4jBackup {current:?}, and this backup asks for others; backups of one namespace share it: ask for the same storage.cloud.identity.autoCreate.annotations, or name a ServiceAccount of your own in storage.cloud.identity.serviceAccount"
    ))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn backup(name: &str, role: &str) -> Neo4jBackup {
        serde_json::from_value(json!({"apiVersion": "neo4j.neo4j.com/v1alpha1", "kind": "Neo4jBackup",
            "metadata": {"name": name, "namespace": "team-a"},
            "spec": {"storage": {"type": "s3", "bucket": "b", "cloud": {"identity": {"provider": "aws",
                "autoCreate": {"enabled": true, "annotations": {"eks.amazonaws.com/role-arn": role}}}}}}}))
        .unwrap()
    }

    #[test]
    fn the_first_backup_configures_the_account() {
        let nightly = backup("nightly", "arn:aws:iam::1:role/a");
        assert_eq!(configurer(&nightly, None, None), Ok("nightly".to_owned()));
        assert_eq!(configurer(&nightly, Some("nightly"), Some(&nightly)), Ok("nightly".to_owned()));
    }

    #[test]
    fn a_second_backup_shares_it_only_with_the_same_annotations() {
        let nightly = backup("nightly", "arn:aws:iam::1:role/a");
        let same = backup("hourly", "arn:aws:iam::1:role/a");
        assert_eq!(configurer(&same, Some("nightly"), Some(&nightly)), Ok("nightly".to_owned()), "kept as it is");
        let other = backup("hourly", "arn:aws:iam::1:role/b");
        assert_eq!(
            configurer(&other, Some("nightly"), Some(&nightly)),
            Err("the ServiceAccount neo4j-backup-sa in team-a carries the annotations of Neo4jBackup \"nightly\", and this backup asks for others; backups of one namespace share it: ask for the same storage.cloud.identity.autoCreate.annotations, or name a ServiceAccount of your own in storage.cloud.identity.serviceAccount".to_owned())
        );
    }

    #[test]
    fn the_account_passes_on_once_its_configurer_is_gone() {
        let other = backup("hourly", "arn:aws:iam::1:role/b");
        assert_eq!(configurer(&other, Some("nightly"), None), Ok("hourly".to_owned()));
    }
}
