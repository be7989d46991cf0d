//! Rules of a Neo4jBackup.

use crate::grammar::{cron, names};
use crate::rules::admin_args::{self, check_additional_args};
use crate::rules::cluster_pitr::check_interval;
use crate::rules::common::{absolute_path, duration, name, object_name, optional_enum, required, required_enum};
use crate::rules::storage::{check_storage, provider_of};
use crate::rules::target::check_target_version;
use crate::rules::{Context, FieldPath, Verdict};
use crate::types::{BackupOptions, BackupTarget, BackupType, Neo4jBackup, RetentionPolicy, ShippingSpec, TargetKind};

/// Longest name of a one-shot backup: its Job `<name>-backup` must fit a 63-character label.
pub const MAX_NAME: usize = 63 - "-backup".len();
/// Longest name of a scheduled backup: its CronJob `<name>-backup` may have at most 52
/// characters (the CronJob controller appends 11 to name each Job).
pub const MAX_SCHEDULED_NAME: usize = 52 - "-backup".len();

/// Judges a Neo4jBackup (and, on update, what changed since `old`).
pub fn validate_backup(old: Option<&Neo4jBackup>, new: &Neo4jBackup, ctx: &Context) -> Verdict {
    let mut verdict = Verdict::default();
    let spec = FieldPath::new("spec");
    check_name_length(&mut verdict, new);
    if let Some(target) = required(
        &mut verdict,
        &spec.child("target"),
        &new.spec.target,
        "name what to back up, e.g. {kind: Cluster, name: my-cluster}",
    ) {
        check_target(&mut verdict, &spec.child("target"), target, new.metadata.namespace.as_deref(), ctx);
    }
    let storage_hint = "say where backups go, e.g. {type: s3, bucket: my-neo4j-backups}";
    let storage = required(&mut verdict, &spec.child("storage"), &new.spec.storage, storage_hint);
    if let Some(storage) = storage {
        check_storage(&mut verdict, &spec.child("storage"), storage);
    }
    if let Some(options) = &new.spec.options {
        check_options(&mut verdict, &spec.child("options"), options, ctx, new.spec.shipping.is_some());
    }
    match new.spec.schedule.as_deref() {
        Some(schedule) => {
            if let Err(why) = cron::check_cron(schedule) {
                verdict.error(spec.child("schedule"), why);
            }
        }
        None if new.spec.suspend == Some(true) => {
            verdict.warn(spec.child("suspend"), "has no effect without a schedule: a one-shot backup runs once anyway")
        }
        None => {}
    }
    if let Some(shipping) = &new.spec.shipping {
        check_shipping(&mut verdict, &spec, new, shipping);
    }
    if new.spec.rpo.is_some() {
        check_rpo(&mut verdict, &spec.child("rpo"), new, ctx);
    }
    if let Some(retention) = &new.spec.retention {
        let cloud = storage.and_then(|s| s.r#type.as_ref()).is_some_and(|t| provider_of(t).is_some());
        check_retention(&mut verdict, &spec.child("retention"), retention, cloud);
    }
    if let Some(old) = old {
        if old.spec.target != new.spec.target {
            verdict
                .error(spec.child("target"), "cannot be changed; create a new Neo4jBackup to back up another target");
        }
        if old.spec.storage != new.spec.storage {
            verdict.error(
                spec.child("storage"),
                "cannot be changed: a new location starts a new backup chain; create a new Neo4jBackup for it",
            );
        }
    }
    verdict
}

/// The recovery point objective: a duration, and runs frequent enough to meet it (issue 15).
fn check_rpo(verdict: &mut Verdict, path: &FieldPath, backup: &Neo4jBackup, ctx: &Context) {
    duration(verdict, path, &backup.spec.rpo);
    let (Some(rpo), Some(objective)) = (backup.spec.rpo.as_deref(), crate::rpo::objective(backup)) else { return };
    let now = ctx.now.unwrap_or_else(k8s_openapi::jiff::Timestamp::now);
    match crate::rpo::worst_loss(backup, now) {
        None if backup.spec.schedule.is_some() && backup.spec.shipping.is_none() => {
            verdict.warn(path, format!("cannot be met: spec.schedule never runs, so nothing is backed up within {rpo}"))
        }
        None if backup.spec.schedule.is_none() => verdict.warn(
            path,
            format!("cannot be met by a one-shot backup: {rpo} after it ran, it is older than the objective; set spec.schedule (or spec.shipping) to keep to it"),
        ),
        Some(worst) if worst > objective => {
            let every = crate::status::restore::human(worst);
            let (what, fix) = if backup.spec.shipping.is_some() {
                ("spec.shipping.interval", "shorten the interval")
            } else {
                ("spec.schedule", "run more often, or use spec.shipping (a DIFF every interval)")
            };
            verdict.warn(
                path,
                format!("cannot be met: {what} leaves up to {every} between two runs, more than {rpo}; {fix}"),
            );
        }
        _ => {}
    }
}

/// Continuous protection: a DIFF every `interval`, a FULL on `schedule` (issue 14).
fn check_shipping(verdict: &mut Verdict, spec: &FieldPath, backup: &Neo4jBackup, shipping: &ShippingSpec) {
    let path = spec.child("shipping");
    let interval_path = path.child("interval");
    let hint = "say how often a DIFF is taken, e.g. 30s";
    if required(verdict, &interval_path, &shipping.interval, hint).is_some() {
        check_interval(verdict, &interval_path, &shipping.interval);
    }
    if backup.spec.schedule.is_none() {
        verdict.warn(
            &path,
            "has no spec.schedule: the chain keeps its first FULL for ever and a restore replays every DIFF since it; set spec.schedule (e.g. @daily) to start a new chain with a FULL",
        );
    }
    if backup.spec.options.as_ref().and_then(|o| o.prefer_diff_as_parent) == Some(true) {
        verdict.error(
            spec.child("options").child("preferDiffAsParent"),
            "cannot be used with spec.shipping: a DIFF after a new FULL would continue the old chain, and the recoverable window follows each DIFF from the FULL before it; remove it",
        );
    }
    let backup_type = backup.spec.options.as_ref().and_then(|o| o.backup_type.as_ref());
    if backup_type.is_some_and(|t| *t != BackupType::Full) {
        verdict.warn(
            spec.child("options").child("backupType"),
            "is decided per run with spec.shipping: a FULL on spec.schedule (or when the location has none), else a DIFF",
        );
    }
}

fn check_name_length(verdict: &mut Verdict, backup: &Neo4jBackup) {
    let Some(name) = backup.metadata.name.as_deref() else { return };
    let (max, what) = if backup.spec.shipping.is_some() {
        (MAX_SCHEDULED_NAME, "each shipping run's Job <name>-backup-<start> must stay within 63")
    } else if backup.spec.schedule.is_some() {
        (MAX_SCHEDULED_NAME, "a scheduled backup's CronJob <name>-backup must stay within 52")
    } else {
        (MAX_NAME, "the backup Job <name>-backup must stay within 63")
    };
    if name.len() > max {
        verdict.error(
            "metadata.name",
            format!("{name:?} has {} characters; at most {max} fit, because {what}", name.len()),
        );
    }
}

/// A database a backup may target: any valid name, and `system` (users, roles and privileges).
fn check_backup_database(name: &str) -> Result<(), String> {
    if name == "system" { Ok(()) } else { names::check_database_name(name) }
}

fn check_target(
    verdict: &mut Verdict,
    path: &FieldPath,
    target: &BackupTarget,
    own_namespace: Option<&str>,
    ctx: &Context,
) {
    let kind = required_enum(verdict, &path.child("kind"), &target.kind);
    let name_hint = match kind {
        Some(TargetKind::Database) => "name the database to back up, e.g. neo4j",
        _ => "name the Neo4jEnterpriseCluster or Neo4jEnterpriseStandalone to back up",
    };
    let target_name = required(verdict, &path.child("name"), &target.name, name_hint).map(String::as_str);
    match kind {
        Some(TargetKind::Database) => {
            name(verdict, &path.child("name"), target_name, check_backup_database);
            let hint = "name the Neo4jEnterpriseCluster or Neo4jEnterpriseStandalone that hosts the database";
            let cluster = required(verdict, &path.child("clusterRef"), &target.cluster_ref, hint);
            name(verdict, &path.child("clusterRef"), cluster.map(String::as_str), names::check_dns_label);
        }
        Some(_) => {
            name(verdict, &path.child("name"), target_name, names::check_dns_label);
            if target.cluster_ref.is_some() {
                verdict.warn(path.child("clusterRef"), "is ignored for kind Cluster; it only applies to kind Database");
            }
        }
        None => {}
    }
    name(verdict, &path.child("namespace"), target.namespace.as_deref(), names::check_dns_label);
    if let Some(namespace) = target.namespace.as_deref().filter(|ns| Some(*ns) != own_namespace) {
        match ctx.may_read_target_namespace {
            Some(true) => {}
            Some(false) => verdict.error(
                path.child("namespace"),
                format!("you may not read Neo4jEnterpriseClusters in namespace {namespace:?}; back up a target you can read, or ask for get access there"),
            ),
            None => verdict.warn(
                path.child("namespace"),
                format!("whether you may read the target in namespace {namespace:?} was not checked; the backup fails if you may not"),
            ),
        }
        let object = match kind {
            Some(TargetKind::Database) => target.cluster_ref.as_deref(),
            _ => target_name,
        };
        if let (Some(own), Some(object), Some(facts)) = (own_namespace, object, &ctx.target)
            && !facts.backup_grant.allows(own)
        {
            verdict.error(path.child("namespace"), crate::grant::refusal(own, namespace, object));
        }
    }
    check_target_version(verdict, path, ctx);
}

fn check_options(verdict: &mut Verdict, path: &FieldPath, options: &BackupOptions, ctx: &Context, ships: bool) {
    let backup_type = optional_enum(verdict, &path.child("backupType"), &options.backup_type);
    // With spec.shipping the flag is refused outright (check_shipping).
    if options.prefer_diff_as_parent == Some(true) && !ships {
        let prefer = path.child("preferDiffAsParent");
        if backup_type.is_some_and(|t| t == BackupType::Full) || options.backup_type.is_none() {
            verdict.warn(&prefer, "only applies to DIFF backups; set backupType: DIFF (or AUTO) or remove it");
        }
        if let Some(version) = ctx.target_version().filter(|version| !version.supports_prefer_diff_as_parent()) {
            verdict.warn(
                &prefer,
                format!("is ignored on Neo4j {version}: it needs 2025.04 or later, so the flag is not passed"),
            );
        }
    }
    absolute_path(verdict, &path.child("tempPath"), &options.temp_path);
    if let Some(encryption) = &options.encryption {
        let encryption_path = path.child("encryption");
        optional_enum(verdict, &encryption_path.child("algorithm"), &encryption.algorithm);
        object_name(verdict, &encryption_path.child("keySecret"), &encryption.key_secret);
        if encryption.enabled == Some(true) {
            required(
                verdict,
                &encryption_path.child("keySecret"),
                &encryption.key_secret,
                "name the Secret that holds the key",
            );
            verdict.warn(
                &encryption_path,
                "backups are not encrypted by kubectl-neo4j yet (neo4j-admin cannot encrypt); use bucket-side encryption",
            );
        }
    }
    let version = ctx.target_version();
    check_additional_args(
        verdict,
        &path.child("additionalArgs"),
        &options.additional_args,
        &admin_args::BACKUP,
        version.as_ref(),
    );
}

fn check_retention(verdict: &mut Verdict, path: &FieldPath, retention: &RetentionPolicy, cloud: bool) {
    if retention.max_age.is_none() && retention.max_count.is_none() {
        verdict.error(path, "needs maxAge, maxCount or both, e.g. {maxAge: 30d, maxCount: 10}");
    }
    duration(verdict, &path.child("maxAge"), &retention.max_age);
    if let Some(count) = retention.max_count.filter(|count| *count < 1) {
        verdict.error(path.child("maxCount"), format!("{count} keeps no backup; use 1 or more"));
    }
    optional_enum(verdict, &path.child("deletePolicy"), &retention.delete_policy);
    if cloud {
        verdict.warn(
            path,
            "is not executed for cloud storage: configure lifecycle rules on the bucket to expire old backups",
        );
    }
}
