//! Rules of a Neo4jRestore.

use std::str::FromStr;

use k8s_openapi::jiff::Timestamp;

use crate::grammar::names;
use crate::pitr::summary::Coverage;
use crate::rules::admin_args::{self, check_additional_args};
use crate::rules::common::{duration, name, object_name, optional_enum, relative_path, required, required_enum};
use crate::rules::storage::check_storage;
use crate::rules::target::check_target_version;
use crate::rules::{Context, FieldPath, Verdict};
use crate::types::{
    BackupLocator, BaseBackupType, CompressionAlgorithm, CompressionConfig, DatabaseWindow, EncryptionConfig,
    HealthChecksSpec, Neo4jBackup, Neo4jRestore, Neo4jRestoreSpec, PitrConfig, PromotionSpec, RestoreHooks,
    RestorePhase, RestoreSource, SourceType, StorageType,
};

/// Longest restore name: its Job `<name>-restore` must fit a 63-character label.
pub const MAX_NAME: usize = 63 - "-restore".len();

/// Judges a Neo4jRestore (and, on update, whether it may still change).
pub fn validate_restore(old: Option<&Neo4jRestore>, new: &Neo4jRestore, ctx: &Context) -> Verdict {
    let mut verdict = Verdict::default();
    let spec_path = FieldPath::new("spec");
    let spec = &new.spec;
    if let Some(name) = new.metadata.name.as_deref().filter(|name| name.len() > MAX_NAME) {
        verdict.error(
            "metadata.name",
            format!("{name:?} has {} characters; at most {MAX_NAME} fit, because the restore Job <name>-restore must stay within 63", name.len()),
        );
    }
    let target_hint = "name the Neo4jEnterpriseCluster or Neo4jEnterpriseStandalone to restore into";
    let target = required(&mut verdict, &spec_path.child("targetCluster"), &spec.target_cluster, target_hint);
    name(&mut verdict, &spec_path.child("targetCluster"), target.map(String::as_str), names::check_dns_label);
    check_target_version(&mut verdict, &spec_path.child("targetCluster"), ctx);
    check_plaintext_bolt(&mut verdict, spec.options.as_ref().and_then(|o| o.allow_plaintext_bolt), ctx);
    let database_hint = "name the database to restore into, e.g. neo4j";
    let database = required(&mut verdict, &spec_path.child("databaseName"), &spec.database_name, database_hint);
    name(&mut verdict, &spec_path.child("databaseName"), database.map(String::as_str), names::check_database_name);
    let source_hint = "say what to restore, e.g. {type: backup, backupRef: daily-backup}";
    if let Some(source) = required(&mut verdict, &spec_path.child("source"), &spec.source, source_hint) {
        check_source(&mut verdict, &spec_path.child("source"), source, ctx, known_window(new, ctx.referenced_backup));
    }
    if let Some(options) = &spec.options {
        let options_path = spec_path.child("options");
        check_additional_args(
            &mut verdict,
            &options_path.child("additionalArgs"),
            &options.additional_args,
            &admin_args::RESTORE,
            ctx.target_version().as_ref(),
        );
        for (field, hooks) in [("preRestore", &options.pre_restore), ("postRestore", &options.post_restore)] {
            if let Some(hooks) = hooks {
                check_hooks(&mut verdict, &options_path.child(field), hooks);
            }
        }
        if let Some(checks) = &options.health_checks {
            check_health_checks(&mut verdict, &options_path.child("healthChecks"), checks);
        }
    }
    check_referenced_backup(&mut verdict, &spec_path.child("source"), spec, ctx);
    if let Some(topology) = &spec.topology {
        check_topology(&mut verdict, &spec_path.child("topology"), topology, ctx);
    }
    duration(&mut verdict, &spec_path.child("timeout"), &spec.timeout);
    if let Some(promotion) = &spec.promotion {
        check_promotion(&mut verdict, &spec_path, spec, promotion);
    }
    let servers = ctx.target.as_ref().and_then(|target| target.servers).unwrap_or(0);
    let replaces = spec.force == Some(true) || spec.options.as_ref().and_then(|o| o.replace_existing) == Some(true);
    if replaces && servers > 1 {
        // Neo4j: --overwrite-destination "is not safe on a cluster ... In a cluster, restore to a
        // new database" (backup-restore/restore-backup.adoc, 5.x and dev); the designated seeder
        // needs a database that does not exist (clustering/databases.adoc).
        let field = if spec.force == Some(true) { "force" } else { "options" };
        verdict.warn(
            spec_path.child(field),
            format!("in a {servers}-server cluster an existing database is dropped, restored on server 0 and created again from it (Neo4j's designated seeder; --overwrite-destination is not safe on a cluster), so it is not served until the restore completes; to keep it online, restore into a new databaseName"),
        );
    }
    if let Some(old) = old {
        let phase = old.status.as_ref().and_then(|status| status.phase.as_ref());
        if let Some(phase) = phase.filter(|phase| **phase != RestorePhase::Pending)
            && old.spec != new.spec
        {
            verdict.error(
                    spec_path,
                    format!("cannot change once the restore has started (phase {phase}); delete it and create a new Neo4jRestore"),
                );
        }
    }
    verdict
}

/// `spec.topology`: Neo4j's bounds (1 to 11 primaries, 0 to 20 secondaries: docs-operations,
/// configuration-settings.adoc, `initial.dbms.default_primaries_count`/`_secondaries_count`), and
/// no more copies than the cluster has servers, when its size is known.
fn check_topology(verdict: &mut Verdict, path: &FieldPath, topology: &crate::types::DatabaseTopology, ctx: &Context) {
    let primaries = topology.primaries.unwrap_or(1);
    let secondaries = topology.secondaries.unwrap_or(0);
    if !(1..=11).contains(&primaries) {
        verdict
            .error(path.child("primaries"), format!("{primaries} is out of range; a database has 1 to 11 primaries"));
    }
    if !(0..=20).contains(&secondaries) {
        verdict.error(
            path.child("secondaries"),
            format!("{secondaries} is out of range; a database has 0 to 20 secondaries"),
        );
    }
    match ctx.target.as_ref().and_then(|t| t.servers) {
        Some(1) => verdict.warn(path, "is ignored: the target has one server, so the database has one copy"),
        Some(servers) if primaries + secondaries > servers => verdict.error(
            path,
            format!(
                "asks for {} copies but the cluster has {servers} servers; lower primaries or secondaries",
                primaries + secondaries
            ),
        ),
        _ => {}
    }
}

/// What the referenced Neo4jBackup says about the restore's chances, when the caller knows it.
fn check_referenced_backup(verdict: &mut Verdict, path: &FieldPath, spec: &Neo4jRestoreSpec, ctx: &Context) {
    let source = spec.source.as_ref();
    let (Some(source), Some(backup)) = (source, ctx.referenced_backup) else { return };
    let name = spec.referenced_backup();
    let ref_path = match (&source.r#type, &source.pitr) {
        _ if source.uses_protection() => path.clone(),
        (Some(SourceType::Pitr), Some(_)) => path.child("pitr").child("baseBackup").child("backupRef"),
        _ => path.child("backupRef"),
    };
    if name.is_none() || name.as_deref() != backup.metadata.name.as_deref() {
        return;
    }
    let status = backup.status.as_ref();
    if status.and_then(|s| s.phase.as_ref()) == Some(&crate::types::BackupPhase::Invalid) {
        verdict.warn(
            &ref_path,
            format!(
                "Neo4jBackup {:?} is Invalid; fix it first, or the restore waits for a backup that never comes",
                name.unwrap_or_default()
            ),
        );
    } else if status.and_then(|s| s.last_successful_backup_time.as_ref()).is_none() {
        verdict.warn(
            &ref_path,
            format!(
                "Neo4jBackup {:?} has no successful backup yet; the restore stays Pending until it has one",
                name.unwrap_or_default()
            ),
        );
    }
}

/// The window the referenced Neo4jBackup's status keeps for the database this restore reads.
/// The window the referenced backup's status keeps for the restored database.
pub(crate) fn known_window<'a>(
    restore: &Neo4jRestore,
    referenced: Option<&'a Neo4jBackup>,
) -> Option<&'a DatabaseWindow> {
    let backup = referenced?;
    let named = restore.spec.referenced_backup();
    if named.is_none() || named.as_deref() != backup.metadata.name.as_deref() {
        return None;
    }
    let database = crate::restore::source::resolve_source(restore, Some(backup)).ok()?.database;
    backup.status.as_ref()?.recovery_window.iter().find(|window| window.database == database)
}

fn check_source(
    verdict: &mut Verdict,
    path: &FieldPath,
    source: &RestoreSource,
    ctx: &Context,
    window: Option<&DatabaseWindow>,
) {
    relative_path(verdict, &path.child("backupPath"), &source.backup.backup_path);
    check_point_in_time(verdict, &path.child("pointInTime"), &source.point_in_time, ctx, window);
    let Some(source_type) = required_enum(verdict, &path.child("type"), &source.r#type) else { return };
    let shorthand = match source_type {
        SourceType::S3 => Some(StorageType::S3),
        SourceType::Gcs => Some(StorageType::Gcs),
        SourceType::Azure => Some(StorageType::Azure),
        _ => None,
    };
    match source_type {
        SourceType::Backup => {
            check_locator_by_ref(verdict, path, &source.backup, "the storage comes from the Neo4jBackup")
        }
        SourceType::Pitr => {
            let hint = "restoring to a point in time needs the moment, e.g. pointInTime: \"2025-01-04T12:30:00Z\"";
            if source.until_transaction.is_none() {
                required(verdict, &path.child("pointInTime"), &source.point_in_time, hint);
            }
            check_until_transaction(verdict, &path.child("untilTransaction"), source, window);
            // Without a base backup, the target's protection `<targetCluster>-pitr` is read.
            if let Some(pitr) = &source.pitr {
                check_pitr_config(verdict, &path.child("pitr"), pitr);
            }
        }
        _ => {
            check_locator_by_storage(verdict, path, &source.backup, source_type.as_str());
            let storage_type = source.backup.storage.as_ref().and_then(|storage| storage.r#type.as_ref());
            if let (Some(expected), Some(actual)) = (shorthand, storage_type.filter(|t| t.is_known()))
                && *actual != expected
            {
                verdict.error(
                    path.child("storage").child("type"),
                    format!(
                        "{:?} does not match source type {source_type}; use {expected} here, or source type storage",
                        actual.as_str()
                    ),
                );
            }
        }
    }
    if source_type != &SourceType::Pitr && source.until_transaction.is_some() {
        verdict.warn(
            path.child("untilTransaction"),
            format!("is ignored for source type {source_type}; it only applies to type pitr"),
        );
    }
    if source_type != &SourceType::Pitr && source.pitr.is_some() {
        verdict.warn(
            path.child("pitr"),
            format!("is ignored for source type {source_type}; it only applies to type pitr"),
        );
    }
}

/// `backupRef` names a Neo4jBackup; `storage` must not be set.
fn check_locator_by_ref(verdict: &mut Verdict, path: &FieldPath, locator: &BackupLocator, why_no_storage: &str) {
    required(verdict, &path.child("backupRef"), &locator.backup_ref, "name the Neo4jBackup to restore from");
    object_name(verdict, &path.child("backupRef"), &locator.backup_ref);
    if locator.storage.is_some() {
        verdict.error(path.child("storage"), format!("must not be set with type backup: {why_no_storage}; remove it"));
    }
}

/// `storage` says where the backup is; `backupRef` is ignored.
fn check_locator_by_storage(verdict: &mut Verdict, path: &FieldPath, locator: &BackupLocator, kind: &str) {
    let hint = "say where the backup is, e.g. {type: s3, bucket: my-neo4j-backups, path: prod}";
    if let Some(storage) = required(verdict, &path.child("storage"), &locator.storage, hint) {
        check_storage(verdict, &path.child("storage"), storage);
    }
    if locator.backup_ref.is_some() {
        verdict.warn(path.child("backupRef"), format!("is ignored for type {kind}; it only applies to type backup"));
    }
}

fn check_point_in_time(
    verdict: &mut Verdict,
    path: &FieldPath,
    value: &Option<String>,
    ctx: &Context,
    window: Option<&DatabaseWindow>,
) {
    let Some(text) = value.as_deref() else { return };
    let Ok(moment) = Timestamp::from_str(text) else {
        verdict.error(path, format!("{text:?} is not an RFC 3339 time; write e.g. 2025-01-04T12:30:00Z"));
        return;
    };
    if let Some(now) = ctx.now.filter(|now| moment > *now) {
        verdict.error(path, format!("{text:?} is in the future (it is now {now}); choose a moment that has passed"));
        return;
    }
    // Refused only where the backup's status knows: the controller lists the location again
    // before anything destructive (issue 14, item 3).
    match window.map(|window| window.covering(moment)) {
        Some(Coverage::Outside(why)) => verdict.error(path, why),
        Some(Coverage::Unsure(why)) => verdict.warn(path, why),
        Some(Coverage::Restorable) | None => {}
    }
}

/// `untilTransaction`: instead of `pointInTime`, at least 2 (up to, not including, it), and inside
/// the transaction ids the backup's status knows.
fn check_until_transaction(
    verdict: &mut Verdict,
    path: &FieldPath,
    source: &RestoreSource,
    window: Option<&DatabaseWindow>,
) {
    let Some(id) = source.until_transaction else { return };
    if source.point_in_time.is_some() {
        verdict.error(path, "cannot be set with pointInTime; restore up to a moment or up to a transaction, not both");
        return;
    }
    if id < 2 {
        verdict.error(path, format!("{id} restores nothing: the restore stops before this transaction; use 2 or more"));
        return;
    }
    if let Some(Coverage::Outside(why)) = window.map(|window| window.covering_transaction(id)) {
        verdict.error(path, why);
    }
}

/// Why `logStorage` is not read beside a `baseBackup`.
pub const LOG_STORAGE_BESIDE_BASE: &str = "is not read while baseBackup is set: neo4j-admin replays a chain of DIFF backups from the base backup's own folder, and cannot replay transaction logs kept elsewhere; to restore from a protection's chain folder, name it here and remove baseBackup";

fn check_pitr_config(verdict: &mut Verdict, path: &FieldPath, pitr: &PitrConfig) {
    if let Some(base) = &pitr.base_backup {
        let base_path = path.child("baseBackup");
        relative_path(verdict, &base_path.child("backupPath"), &base.backup.backup_path);
        match required_enum(verdict, &base_path.child("type"), &base.r#type) {
            Some(BaseBackupType::Backup) => {
                check_locator_by_ref(verdict, &base_path, &base.backup, "the storage comes from the Neo4jBackup")
            }
            Some(_) => check_locator_by_storage(verdict, &base_path, &base.backup, "storage"),
            None => {}
        }
    }
    if let Some(logs) = &pitr.log_storage {
        check_storage(verdict, &path.child("logStorage"), logs);
        if pitr.base_backup.is_some() {
            verdict.warn(path.child("logStorage"), LOG_STORAGE_BESIDE_BASE);
        }
    }
    duration(verdict, &path.child("logRetention"), &pitr.log_retention);
    duration(verdict, &path.child("recoveryPointObjective"), &pitr.recovery_point_objective);
    if let Some(compression) = &pitr.compression {
        check_compression(verdict, &path.child("compression"), compression);
    }
    if let Some(encryption) = &pitr.encryption {
        check_encryption(verdict, &path.child("encryption"), encryption);
    }
}

/// Valid compression levels of each algorithm.
pub fn level_range(algorithm: &CompressionAlgorithm) -> Option<(i32, i32)> {
    match algorithm {
        CompressionAlgorithm::Gzip => Some((1, 9)),
        CompressionAlgorithm::Lz4 => Some((1, 12)),
        CompressionAlgorithm::Zstd => Some((1, 22)),
        CompressionAlgorithm::Unknown(_) => None,
    }
}

fn check_compression(verdict: &mut Verdict, path: &FieldPath, compression: &CompressionConfig) {
    let algorithm = match &compression.algorithm {
        None => Some(CompressionAlgorithm::Gzip),
        set => optional_enum(verdict, &path.child("algorithm"), set),
    };
    let range = algorithm.as_ref().and_then(level_range);
    if let (Some(level), Some((low, high)), Some(algorithm)) = (compression.level, range, &algorithm)
        && !(low..=high).contains(&level)
    {
        verdict.error(path.child("level"), format!("{level} is outside {low}-{high}, the levels of {algorithm}"));
    }
}

fn check_encryption(verdict: &mut Verdict, path: &FieldPath, encryption: &EncryptionConfig) {
    optional_enum(verdict, &path.child("algorithm"), &encryption.algorithm);
    object_name(verdict, &path.child("keySecret"), &encryption.key_secret);
    if encryption.enabled == Some(true) {
        required(verdict, &path.child("keySecret"), &encryption.key_secret, "name the Secret that holds the key");
    }
    if let Some(key) = encryption.key_secret_key.as_deref() {
        let valid = !key.is_empty()
            && key.len() <= 253
            && key.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
        if !valid {
            verdict.error(
                path.child("keySecretKey"),
                format!("{key:?} is not a valid Secret key: use letters, digits, '-', '_' and '.'"),
            );
        }
    }
}

fn check_hooks(verdict: &mut Verdict, path: &FieldPath, hooks: &RestoreHooks) {
    if hooks.job.is_none() && hooks.cypher_statements.as_ref().is_none_or(Vec::is_empty) {
        verdict.warn(path, "has neither a job nor cypherStatements; remove it or add a hook");
    }
    for (i, statement) in hooks.cypher_statements.iter().flatten().enumerate() {
        if statement.trim().is_empty() {
            verdict.error(
                path.child("cypherStatements").index(i),
                "is empty; write a Cypher statement or remove the item",
            );
        }
    }
    let credentials = path.child("cypherCredentialsSecretRef");
    object_name(verdict, &credentials, &hooks.cypher_credentials_secret_ref);
    if hooks.cypher_credentials_secret_ref.is_some() && hooks.cypher_statements.as_ref().is_none_or(Vec::is_empty) {
        verdict.warn(&credentials, "is ignored without cypherStatements: only the hook's statements run as that user");
    }
    let Some(job) = &hooks.job else { return };
    let job_path = path.child("job");
    duration(verdict, &job_path.child("timeout"), &job.timeout);
    let hint = "give the hook Job a container, e.g. {container: {image: my-registry/tool:1.0}}";
    let Some(template) = required(verdict, &job_path.child("template"), &job.template, hint) else { return };
    let template_path = job_path.child("template");
    if let Some(limit) = template.backoff_limit.filter(|limit| *limit < 0) {
        verdict.error(template_path.child("backoffLimit"), format!("{limit} is negative; use 0 or more"));
    }
    let hint = "give the hook Job a container, e.g. {image: my-registry/tool:1.0}";
    let Some(container) = required(verdict, &template_path.child("container"), &template.container, hint) else {
        return;
    };
    let image_path = template_path.child("container").child("image");
    match container.image.as_deref().map(str::trim) {
        None | Some("") => verdict.error(&image_path, "is required; name the hook's image, e.g. my-registry/tool:1.0"),
        Some(_) => {}
    }
}

/// `promotion`: a new candidate database, checked, then the alias switched; nothing in the spec may
/// replace or stop the live database meanwhile.
fn check_promotion(verdict: &mut Verdict, spec_path: &FieldPath, spec: &Neo4jRestoreSpec, promotion: &PromotionSpec) {
    let path = spec_path.child("promotion");
    let alias = path.child("alias");
    match promotion.alias.as_deref() {
        None => verdict.error(&alias, "is required; name the database alias your applications connect to, e.g. orders"),
        Some(name) if name.starts_with("system") => verdict.error(
            &alias,
            format!("{name:?} is reserved by Neo4j (names starting with system); choose another alias"),
        ),
        Some(name) if !names::is_alias_name(name) => verdict.error(
            &alias,
            format!("{name:?} is not a valid alias name: lowercase letters, digits and '-', starting with a letter, 3 to 63 characters"),
        ),
        Some(name) if spec.database_name.as_deref().is_some_and(|db| db.eq_ignore_ascii_case(name)) => verdict.error(
            &alias,
            format!("{name:?} is also spec.databaseName: the restore writes a new candidate database and points the alias at it; name the candidate differently, e.g. {name}-restored"),
        ),
        Some(_) => {}
    }
    let in_place = "replaces a database in place; with promotion the restore writes a new candidate database while the live one keeps serving: leave it false";
    if spec.force == Some(true) {
        verdict.error(spec_path.child("force"), in_place);
    }
    if spec.options.as_ref().and_then(|o| o.replace_existing) == Some(true) {
        verdict.error(spec_path.child("options").child("replaceExisting"), in_place);
    }
    if spec.stop_cluster == Some(true) {
        verdict.error(
            spec_path.child("stopCluster"),
            "stops every database of the target; with promotion the live database keeps serving while the candidate is restored: leave it false",
        );
    }
    if spec.options.as_ref().and_then(|o| o.health_checks.as_ref()).and_then(|c| c.enabled) == Some(false) {
        verdict.error(
            spec_path.child("options").child("healthChecks").child("enabled"),
            "is false; promotion switches the alias only after the checks passed: remove it",
        );
    }
    duration(verdict, &path.child("dropPreviousAfter"), &promotion.drop_previous_after);
}

/// The most rows a probe's answer is read to (the Bolt client's bound on every answer).
pub const MAX_PROBE_ROWS: i64 = 1_000;

/// `options.healthChecks`: every probe named once, with a statement and a row count that can be.
fn check_health_checks(verdict: &mut Verdict, path: &FieldPath, checks: &HealthChecksSpec) {
    if checks.enabled == Some(false) {
        let what = if checks.probes.is_empty() { "" } else { ", and its probes are not run" };
        verdict.warn(
            path.child("enabled"),
            format!("is false: the restore is Completed once the database is online, without checking its indexes, constraints or counts{what}"),
        );
    }
    let mut seen = std::collections::BTreeSet::new();
    for (i, probe) in checks.probes.iter().enumerate() {
        let at = path.child("probes").index(i);
        let hint = "name the probe, e.g. customers";
        if let Some(name) = required(verdict, &at.child("name"), &probe.name, hint)
            && !seen.insert(name.as_str())
        {
            verdict
                .error(at.child("name"), format!("{name:?} names an earlier probe too; give each probe its own name"));
        }
        match probe.cypher.as_deref().map(str::trim) {
            None | Some("") => verdict.error(
                at.child("cypher"),
                "is required; write the statement to run on the restored database, e.g. MATCH (c:Customer) RETURN count(c) AS customers",
            ),
            Some(_) => {}
        }
        match probe.expect_rows {
            Some(rows) if rows < 0 => verdict.error(at.child("expectRows"), format!("{rows} is negative; use 0 or more")),
            Some(rows) if rows > MAX_PROBE_ROWS => verdict.error(
                at.child("expectRows"),
                format!("{rows} is more than the {MAX_PROBE_ROWS} rows a probe's answer is read to; aggregate instead, e.g. RETURN count(*)"),
            ),
            _ => {}
        }
        if probe.expect_rows.is_none() && probe.expect_value.is_none() {
            verdict.warn(&at, "has neither expectRows nor expectValue: it passes whatever it returns, unless it fails");
        }
    }
}

/// Where the plaintext-Bolt refusal is reported (the controller keeps it from cutting a restore
/// already under way).
pub const ALLOW_PLAINTEXT_BOLT: &str = "spec.options.allowPlaintextBolt";

/// A target without TLS gets the admin password in the clear: only when the spec says so
/// (issue 13, item 9).
fn check_plaintext_bolt(verdict: &mut Verdict, allowed: Option<bool>, ctx: &Context) {
    let plaintext = ctx.target.as_ref().and_then(|t| t.bolt_tls) == Some(false);
    if plaintext && allowed != Some(true) {
        verdict.error(
            ALLOW_PLAINTEXT_BOLT,
            "the target serves Bolt without TLS (its spec.tls.mode is unset or disabled), so the controller would send the admin password in the clear; enable TLS on the target, or set this to true to accept that",
        );
    }
}
