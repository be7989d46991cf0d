//! Rules of `spec.pointInTimeRecovery` on a Neo4jEnterpriseCluster (seed 000), when enabled.

use std::collections::HashSet;

use crate::grammar::{cron, size};
use crate::pitr::protection::{DEFAULT_BASE_SCHEDULE, MAX_PROTECTED_NAME, chain_destination, ships_diffs, too_long};
use crate::rules::common::{duration, optional_enum};
use crate::rules::storage::check_storage;
use crate::rules::{FieldPath, Verdict};
use crate::types::{LogShipping, PitrBaseBackup, PitrReplication, PitrStorage, PointInTimeRecovery};

/// Shortest log shipping interval, in seconds.
pub const MIN_SHIPPING_INTERVAL: u64 = 10;
/// Most parallel restore workers.
pub const MAX_PARALLEL_RESTORE: i32 = 16;

const NOT_ACTED_ON: &str = "is accepted but not acted on by kubectl-neo4j";

/// Checks an enabled point-in-time recovery block.
pub fn check_pitr(verdict: &mut Verdict, path: &FieldPath, pitr: &PointInTimeRecovery) {
    if pitr.base_backup.is_none() && pitr.log_shipping.is_none() {
        verdict.error(path, "is enabled but has neither baseBackup nor logShipping; configure at least one");
    }
    if let Some(shipping) = &pitr.log_shipping {
        check_log_shipping(verdict, &path.child("logShipping"), shipping);
    }
    if let Some(base) = &pitr.base_backup {
        check_base_backup(verdict, &path.child("baseBackup"), base);
    }
    if let Some(recovery) = &pitr.recovery {
        let recovery_path = path.child("recovery");
        duration(verdict, &recovery_path.child("maxRecoveryTime"), &recovery.max_recovery_time);
        if let Some(n) = recovery.parallel_restore.filter(|n| !(1..=MAX_PARALLEL_RESTORE).contains(n)) {
            verdict.error(recovery_path.child("parallelRestore"), format!("{n} is outside 1-{MAX_PARALLEL_RESTORE}"));
        }
    }
    if let Some(storage) = &pitr.storage {
        check_tiers(verdict, &path.child("storage"), storage);
    }
    if let Some(replication) = &pitr.replication {
        check_replication(verdict, &path.child("replication"), replication);
    }
    check_chain(verdict, path, pitr);
}

/// How the block maps onto one chain of FULL and DIFF backups (see `pitr::protection`), said
/// wherever a field asks for more than neo4j-admin does.
fn check_chain(verdict: &mut Verdict, path: &FieldPath, pitr: &PointInTimeRecovery) {
    if pitr.base_backup.is_none() && pitr.log_shipping.is_none() {
        return; // refused above
    }
    if pitr.base_backup.as_ref().and_then(|b| b.schedule.as_ref()).is_none() {
        verdict.warn(
            path,
            format!("has no baseBackup.schedule: a new chain (a FULL backup) starts every day at 00:00 UTC ({DEFAULT_BASE_SCHEDULE}); set baseBackup.schedule to choose"),
        );
    }
    let base = pitr.base_backup.as_ref().and_then(|b| b.destination.as_ref());
    if let (Some((chain, "logShipping.destination")), Some(base)) = (chain_destination(pitr), base)
        && chain != base
    {
        verdict.warn(
            path.child("baseBackup").child("destination"),
            "differs from logShipping.destination and is not written: neo4j-admin links a DIFF to its FULL only within one folder, so the base backups go to logShipping.destination with the DIFFs; set both to the same location",
        );
    }
    if let Some(recovery) = &pitr.recovery {
        for (field, set) in [
            ("maxRecoveryTime", recovery.max_recovery_time.is_some()),
            ("parallelRestore", recovery.parallel_restore.is_some()),
        ] {
            if set {
                verdict.warn(
                    path.child("recovery").child(field),
                    "is accepted but not acted on by kubectl-neo4j; a Neo4jRestore bounds its own time with spec.timeout",
                );
            }
        }
    }
    let Some(shipping) = pitr.log_shipping.as_ref().filter(|_| ships_diffs(pitr)) else { return };
    let shipping_path = path.child("logShipping");
    for (field, set) in [
        ("mode", shipping.mode.is_some()),
        ("batchSize", shipping.batch_size.is_some()),
        ("flushInterval", shipping.flush_interval.is_some()),
    ] {
        if set {
            verdict.warn(shipping_path.child(field), NO_STREAMING);
        }
    }
    if shipping.encryption == Some(true) {
        verdict.warn(
            shipping_path.child("encryption"),
            "is accepted but not acted on: neo4j-admin cannot encrypt backups; use the bucket's server-side encryption",
        );
    }
}

const NO_STREAMING: &str = "is accepted but not acted on: Neo4j has no transaction-log streaming; kubectl-neo4j takes a DIFF backup every logShipping.interval, which carries every transaction since the one before";

/// Refuses a target whose name leaves no room for its protection's name.
pub fn check_protected_name(verdict: &mut Verdict, name: Option<&str>) {
    if let Some(name) = name.filter(|name| name.len() > MAX_PROTECTED_NAME) {
        verdict.error("metadata.name", too_long(name));
    }
}

/// A shipping interval, when set: a duration of at least [`MIN_SHIPPING_INTERVAL`].
pub fn check_interval(verdict: &mut Verdict, path: &FieldPath, interval: &Option<String>) {
    if let Some(seconds) = duration(verdict, path, interval)
        && seconds < MIN_SHIPPING_INTERVAL
    {
        verdict.error(
            path,
            format!(
                "{:?} is too short; the shortest interval is {MIN_SHIPPING_INTERVAL}s (each run is a Pod and a neo4j-admin process)",
                interval.as_deref().unwrap_or_default()
            ),
        );
    }
}

fn check_log_shipping(verdict: &mut Verdict, path: &FieldPath, shipping: &LogShipping) {
    check_interval(verdict, &path.child("interval"), &shipping.interval);
    duration(verdict, &path.child("flushInterval"), &shipping.flush_interval);
    if let Some(batch) = shipping.batch_size.as_deref()
        && let Err(why) = size::parse_byte_size(batch)
    {
        verdict.error(path.child("batchSize"), why);
    }
    match &shipping.destination {
        Some(destination) => check_storage(verdict, &path.child("destination"), destination),
        None if shipping.enabled == Some(true) => verdict.warn(
            path,
            "has no destination: kubectl-neo4j cannot restore from logs it cannot find; add destination: {type: s3, bucket: ...}",
        ),
        None => {}
    }
    let Some(rules) = &shipping.rules else { return };
    let rules_path = path.child("rules");
    if rules.len() > MAX_SHIPPING_RULES {
        // Judged no further: the object is refused anyway, and its size is the caller's to bound.
        verdict.error(&rules_path, format!("has {} rules; at most {MAX_SHIPPING_RULES} are accepted", rules.len()));
        return;
    }
    let mut seen = HashSet::new();
    for (i, rule) in rules.iter().enumerate() {
        let rule_path = rules_path.index(i);
        if let Some(name) = rule.name.as_deref()
            && !seen.insert(name)
        {
            verdict.error(
                rule_path.child("name"),
                format!("{name:?} is used by an earlier rule; rule names must be unique"),
            );
        }
        if let Some(pattern) = rule.pattern.as_deref()
            && let Err(why) = crate::grammar::pattern::check_pattern(pattern)
        {
            let shown: String = pattern.chars().take(40).collect();
            let shown = if shown.len() < pattern.len() { format!("{shown:?}...") } else { format!("{pattern:?}") };
            verdict.error(rule_path.child("pattern"), format!("{shown} is not a valid regular expression: {why}"));
        }
        optional_enum(verdict, &rule_path.child("priority"), &rule.priority);
        duration(verdict, &rule_path.child("retention"), &rule.retention);
    }
    verdict.warn(&rules_path, NOT_ACTED_ON);
}

/// The most shipping rules one cluster may carry (each is checked on every admission).
pub const MAX_SHIPPING_RULES: usize = 64;

fn check_base_backup(verdict: &mut Verdict, path: &FieldPath, base: &PitrBaseBackup) {
    if let Some(schedule) = base.schedule.as_deref()
        && let Err(why) = cron::check_cron(schedule)
    {
        verdict.error(path.child("schedule"), why);
    }
    duration(verdict, &path.child("retention"), &base.retention);
    match &base.destination {
        Some(destination) => check_storage(verdict, &path.child("destination"), destination),
        None => verdict.warn(path, "has no destination; add destination: {type: s3, bucket: ...} for base backups"),
    }
}

fn check_tiers(verdict: &mut Verdict, path: &FieldPath, storage: &PitrStorage) {
    let Some(tiers) = &storage.tiers else { return };
    let tiers_path = path.child("tiers");
    let mut seen = HashSet::new();
    let mut previous: Option<(u64, &str, &str)> = None;
    for (i, tier) in tiers.iter().enumerate() {
        let tier_path = tiers_path.index(i);
        let name = tier.name.as_deref().unwrap_or_default();
        if !name.is_empty() && !seen.insert(name) {
            verdict.error(
                tier_path.child("name"),
                format!("{name:?} is used by an earlier tier; tier names must be unique"),
            );
        }
        if let Some(retention) = duration(verdict, &tier_path.child("retention"), &tier.retention) {
            let text = tier.retention.as_deref().unwrap_or_default();
            if let Some((_, earlier_name, earlier_text)) = previous.filter(|(earlier, ..)| retention <= *earlier) {
                verdict.error(
                    tier_path.child("retention"),
                    format!("{text:?} must be longer than {earlier_text:?} of tier {earlier_name:?} before it: tiers run from hot to cold"),
                );
            }
            previous = Some((retention, name, text));
        }
    }
    verdict.warn(&tiers_path, NOT_ACTED_ON);
}

fn check_replication(verdict: &mut Verdict, path: &FieldPath, replication: &PitrReplication) {
    let mut seen = HashSet::new();
    for (i, region) in replication.regions.iter().flatten().enumerate() {
        if let Some(name) = region.name.as_deref()
            && !seen.insert(name)
        {
            verdict.error(
                path.child("regions").index(i).child("name"),
                format!("{name:?} is used by an earlier region; region names must be unique"),
            );
        }
    }
    optional_enum(verdict, &path.child("consistency"), &replication.consistency);
    duration(verdict, &path.child("maxReplicationDelay"), &replication.max_replication_delay);
    verdict.warn(path, NOT_ACTED_ON);
}
