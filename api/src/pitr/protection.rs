//! The protection of a cluster (or standalone) with `spec.pointInTimeRecovery` (issue 14, item 1):
//! the Neo4jBackup `<name>-pitr` the controller keeps for it, owned by it, whose runs the backup
//! controller drives and whose status carries the window. We read the target, never write it.
//!
//! How seed 000's fields map onto what neo4j-admin can do:
//! - the chain (a FULL and its DIFFs) lives in one folder, because neo4j-admin links a DIFF to its
//!   parent only within a folder: `logShipping.destination`, else `baseBackup.destination`;
//! - `logShipping.interval` is the DIFF interval (default [`DEFAULT_INTERVAL`]), `baseBackup.schedule`
//!   starts a new chain with a FULL (default [`DEFAULT_BASE_SCHEDULE`]);
//! - `baseBackup.retention` keeps artifacts that young (chain-aware: a FULL a kept DIFF needs is kept);
//! - `logShipping.compression` is `--compress`, `recovery.validationEnabled` checks each FULL;
//! - with `logShipping.enabled: false` only the base backups run.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};

use crate::types::{
    BackupOptions, BackupTarget, BackupType, Neo4jBackup, Neo4jBackupSpec, PointInTimeRecovery, RetentionPolicy,
    ShippingSpec, StorageLocation, TargetKind,
};

/// Label on a protection: the name of the cluster or standalone it protects.
pub const PROTECTED_LABEL: &str = "neo4j.neo4j.com/pitr-target";
/// The DIFF interval when `logShipping.interval` is unset.
pub const DEFAULT_INTERVAL: &str = "1m";
/// The base schedule when `baseBackup.schedule` is unset: a new chain each day at 00:00 UTC.
pub const DEFAULT_BASE_SCHEDULE: &str = "@daily";
/// Longest name of a protected target: `<name>-pitr` must fit a scheduled backup's name.
pub const MAX_PROTECTED_NAME: usize = crate::rules::backup::MAX_SCHEDULED_NAME - "-pitr".len();

/// The name of the protection of `target`.
pub fn protection_name(target: &str) -> String {
    format!("{target}-pitr")
}

/// Whether DIFFs are shipped: a `logShipping` block not turned off.
pub fn ships_diffs(pitr: &PointInTimeRecovery) -> bool {
    pitr.log_shipping.as_ref().is_some_and(|shipping| shipping.enabled != Some(false))
}

/// Where the chain lives, and the field that says so.
pub fn chain_destination(pitr: &PointInTimeRecovery) -> Option<(&StorageLocation, &'static str)> {
    let log = pitr.log_shipping.as_ref().filter(|_| ships_diffs(pitr)).and_then(|s| s.destination.as_ref());
    let base = pitr.base_backup.as_ref().and_then(|b| b.destination.as_ref());
    log.map(|d| (d, "logShipping.destination")).or_else(|| base.map(|d| (d, "baseBackup.destination")))
}

/// What the target needs.
#[derive(Clone, Debug, PartialEq)]
pub enum Protection {
    /// This Neo4jBackup, kept as it is here.
    Desired(Box<Neo4jBackup>),
    /// No point-in-time recovery: an existing protection is suspended (its artifacts and window stay).
    Off,
    /// Enabled but impossible, and why (the admission rules say so first).
    Unusable(String),
}

/// The protection of the target `meta` (a Neo4jEnterpriseCluster or Neo4jEnterpriseStandalone
/// at `api_version` / `kind`).
pub fn protection(api_version: &str, kind: &str, meta: &ObjectMeta, pitr: Option<&PointInTimeRecovery>) -> Protection {
    let Some(pitr) = pitr.filter(|p| p.enabled == Some(true)) else { return Protection::Off };
    let (Some(name), Some(uid)) = (meta.name.clone(), meta.uid.clone()) else {
        return Protection::Unusable(format!("the {kind} has no name or uid yet"));
    };
    if name.len() > MAX_PROTECTED_NAME {
        return Protection::Unusable(too_long(&name));
    }
    let Some((storage, _)) = chain_destination(pitr) else {
        return Protection::Unusable(
            "spec.pointInTimeRecovery has no destination: set logShipping.destination (or baseBackup.destination)"
                .to_owned(),
        );
    };
    let base = pitr.base_backup.clone().unwrap_or_default();
    let shipping = pitr.log_shipping.as_ref().filter(|_| ships_diffs(pitr));
    let backup = Neo4jBackup {
        metadata: ObjectMeta {
            name: Some(protection_name(&name)),
            namespace: meta.namespace.clone(),
            labels: Some(
                [(PROTECTED_LABEL, name.as_str()), ("app.kubernetes.io/managed-by", "kubectl-neo4j")]
                    .into_iter()
                    .map(|(k, v)| (k.to_owned(), v.to_owned()))
                    .collect(),
            ),
            // Not a controller reference, and no blockOwnerDeletion: that needs the right to update
            // the target's finalizers, which the controller does not have (and must not need).
            owner_references: Some(vec![OwnerReference {
                api_version: api_version.to_owned(),
                kind: kind.to_owned(),
                name: name.clone(),
                uid,
                controller: None,
                block_owner_deletion: None,
            }]),
            ..ObjectMeta::default()
        },
        spec: Neo4jBackupSpec {
            target: Some(BackupTarget { kind: Some(TargetKind::Cluster), name: Some(name), ..BackupTarget::default() }),
            storage: Some(storage.clone()),
            options: Some(BackupOptions {
                backup_type: Some(BackupType::Full),
                compress: Some(shipping.and_then(|s| s.compression).unwrap_or(true)),
                verify: Some(pitr.recovery.as_ref().and_then(|r| r.validation_enabled).unwrap_or(false)),
                ..BackupOptions::default()
            }),
            schedule: Some(base.schedule.clone().unwrap_or_else(|| DEFAULT_BASE_SCHEDULE.to_owned())),
            suspend: Some(false),
            retention: base
                .retention
                .clone()
                .map(|max_age| RetentionPolicy { max_age: Some(max_age), ..RetentionPolicy::default() }),
            shipping: shipping.map(|s| ShippingSpec {
                interval: Some(s.interval.clone().unwrap_or_else(|| DEFAULT_INTERVAL.to_owned())),
            }),
            rpo: None,
        },
        status: None,
    };
    Protection::Desired(Box::new(defaulted(backup)))
}

/// The protection with the webhook's defaults applied (the same patch), so that what the API
/// server stores equals what was asked for, with or without the webhook, and a protection that
/// is up to date is never written again.
fn defaulted(backup: Neo4jBackup) -> Neo4jBackup {
    let Ok(mut value) = serde_json::to_value(&backup) else { return backup };
    let patch = crate::defaults::backup_defaults(&value);
    if json_patch::patch(&mut value, &patch).is_err() {
        return backup;
    }
    serde_json::from_value(value).unwrap_or(backup)
}

/// Whether `current` already is the protection `desired`: the same spec, our labels and the owner.
pub fn up_to_date(current: &Neo4jBackup, desired: &Neo4jBackup) -> bool {
    let has_all = |have: Option<&std::collections::BTreeMap<String, String>>,
                   want: Option<&std::collections::BTreeMap<String, String>>| {
        want.into_iter().flatten().all(|(k, v)| have.and_then(|h| h.get(k)) == Some(v))
    };
    let owners = current.metadata.owner_references.as_deref().unwrap_or_default();
    current.spec == desired.spec
        && has_all(current.metadata.labels.as_ref(), desired.metadata.labels.as_ref())
        && desired.metadata.owner_references.iter().flatten().all(|owner| owners.iter().any(|o| o.uid == owner.uid))
}

/// Whether `existing` (a Neo4jBackup of the protection's name) is the protection of `target`:
/// one someone else wrote under that name is never taken over.
pub fn is_protection_of(existing: &Neo4jBackup, target: &str) -> bool {
    existing.metadata.labels.as_ref().and_then(|l| l.get(PROTECTED_LABEL)).map(String::as_str) == Some(target)
}

/// Why a Neo4jBackup of the protection's name that is not the protection is left alone.
pub fn name_taken(target: &str) -> String {
    format!(
        "a Neo4jBackup {:?} exists and is not the point-in-time protection of {target:?} (it has no label {PROTECTED_LABEL}={target}); it is left alone and {target:?} is not protected until it is renamed",
        protection_name(target)
    )
}

/// Why a target's name is too long for its protection.
pub fn too_long(name: &str) -> String {
    format!(
        "{name:?} has {} characters; point-in-time recovery names its backup {:?}, so at most {MAX_PROTECTED_NAME} fit",
        name.len(),
        protection_name(name)
    )
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn meta(name: &str) -> ObjectMeta {
        ObjectMeta {
            name: Some(name.into()),
            namespace: Some("neo4j".into()),
            uid: Some("uid-1".into()),
            ..ObjectMeta::default()
        }
    }

    fn pitr(value: serde_json::Value) -> PointInTimeRecovery {
        serde_json::from_value(value).unwrap()
    }

    /// Seed 000's basic configuration.
    fn seed() -> PointInTimeRecovery {
        pitr(json!({"enabled": true,
            "logShipping": {"enabled": true, "interval": "30s", "compression": true, "encryption": true,
                "destination": {"type": "s3", "bucket": "neo4j-pitr-logs", "path": "cluster-logs/"}},
            "baseBackup": {"schedule": "0 2 * * *", "retention": "30d",
                "destination": {"type": "s3", "bucket": "neo4j-pitr-backups", "path": "base-backups/"}},
            "recovery": {"maxRecoveryTime": "24h", "parallelRestore": 3, "validationEnabled": true}}))
    }

    #[test]
    fn the_seed_cluster_gets_a_chain_in_its_log_destination() {
        let Protection::Desired(backup) =
            protection("neo4j.neo4j.com/v1beta1", "Neo4jEnterpriseCluster", &meta("neo4j-pitr"), Some(&seed()))
        else {
            panic!("a protection")
        };
        let value = serde_json::to_value(&*backup).unwrap();
        assert_eq!(
            value["metadata"],
            json!({"name": "neo4j-pitr-pitr", "namespace": "neo4j",
                "labels": {"app.kubernetes.io/managed-by": "kubectl-neo4j", "neo4j.neo4j.com/pitr-target": "neo4j-pitr"},
                "ownerReferences": [{"apiVersion": "neo4j.neo4j.com/v1beta1", "kind": "Neo4jEnterpriseCluster",
                    "name": "neo4j-pitr", "uid": "uid-1"}]})
        );
        assert_eq!(
            value["spec"],
            json!({"target": {"kind": "Cluster", "name": "neo4j-pitr"},
                "storage": {"type": "s3", "bucket": "neo4j-pitr-logs", "path": "cluster-logs/", "cloud": {"provider": "aws"}},
                "options": {"backupType": "FULL", "compress": true, "verify": true},
                "schedule": "0 2 * * *", "suspend": false,
                "retention": {"maxAge": "30d", "deletePolicy": "Delete"},
                "shipping": {"interval": "30s"}})
        );
    }

    #[test]
    fn defaults_and_base_backups_alone() {
        let bare = pitr(json!({"enabled": true, "logShipping": {"destination": {"type": "gcs", "bucket": "logs"}}}));
        let Protection::Desired(backup) = protection("v", "Neo4jEnterpriseStandalone", &meta("solo"), Some(&bare))
        else {
            panic!()
        };
        assert_eq!(backup.spec.schedule.as_deref(), Some(DEFAULT_BASE_SCHEDULE));
        assert_eq!(backup.spec.shipping, Some(ShippingSpec { interval: Some(DEFAULT_INTERVAL.into()) }));
        assert_eq!(backup.spec.options.as_ref().unwrap().verify, Some(false));
        assert_eq!(backup.spec.retention, None);

        let mut off = seed();
        off.log_shipping.as_mut().unwrap().enabled = Some(false);
        let Protection::Desired(backup) = protection("v", "Neo4jEnterpriseCluster", &meta("c"), Some(&off)) else {
            panic!()
        };
        assert_eq!(backup.spec.shipping, None, "base backups only");
        assert_eq!(backup.spec.storage.unwrap().bucket.as_deref(), Some("neo4j-pitr-backups"));
        assert_eq!(chain_destination(&off).map(|(_, field)| field), Some("baseBackup.destination"));
    }

    #[test]
    fn off_or_impossible() {
        let meta = meta("c");
        assert_eq!(protection("v", "k", &meta, None), Protection::Off);
        let mut disabled = seed();
        disabled.enabled = Some(false);
        assert_eq!(protection("v", "k", &meta, Some(&disabled)), Protection::Off);
        let nowhere = pitr(json!({"enabled": true, "logShipping": {"interval": "30s"}}));
        assert!(
            matches!(protection("v", "k", &meta, Some(&nowhere)), Protection::Unusable(why) if why.contains("has no destination"))
        );
        let long = ObjectMeta { name: Some("c".repeat(41)), ..meta.clone() };
        assert_eq!(protection("v", "k", &long, Some(&seed())), Protection::Unusable(too_long(&"c".repeat(41))));
        assert_eq!(MAX_PROTECTED_NAME, 40);
    }

    #[test]
    fn a_protection_is_written_only_when_it_differs_and_never_over_anothers_backup() {
        let Protection::Desired(desired) = protection("v", "Neo4jEnterpriseCluster", &meta("prod"), Some(&seed()))
        else {
            panic!()
        };
        let mut current = (*desired).clone();
        current.metadata.labels.get_or_insert_default().insert("team".into(), "a".into());
        current.status = Some(Default::default());
        assert!(up_to_date(&current, &desired), "labels of others and the status do not matter");
        current.spec.shipping = Some(ShippingSpec { interval: Some("5m".into()) });
        assert!(!up_to_date(&current, &desired), "a spec edited by hand is put back");
        assert!(is_protection_of(&desired, "prod"));
        let mut foreign = (*desired).clone();
        foreign.metadata.labels = None;
        assert!(!is_protection_of(&foreign, "prod"));
    }
}
