//! Rules of the Neo4j operator's kinds: versions (never blocking unless PITR is enabled) and the
//! cluster's pointInTimeRecovery block.

mod support;

use neo4j_api::rules::Context;
use serde_json::json;
use support::{cluster, judge, table};

const SUPPORTED: &str = "backup and restore need Neo4j Enterprise 5.26.x or CalVer 2025.01.0 and later (image tags such as 5.26.0-enterprise or 2025.01.0-enterprise)";
const NOT_ACTED_ON: &str = "is accepted but not acted on by kubectl-neo4j";
// Neo4j has no transaction-log streaming: what neo4j-admin offers is FULL and DIFF backups into one
// folder and `--restore-until` (docs-operations dev, backup-restore/online-backup.adoc and
// restore-backup.adoc).
const NO_STREAMING_BATCH: &str = "spec.pointInTimeRecovery.logShipping.batchSize: is accepted but not acted on: Neo4j has no transaction-log streaming; kubectl-neo4j takes a DIFF backup every logShipping.interval, which carries every transaction since the one before";
const NO_STREAMING_FLUSH: &str = "spec.pointInTimeRecovery.logShipping.flushInterval: is accepted but not acted on: Neo4j has no transaction-log streaming; kubectl-neo4j takes a DIFF backup every logShipping.interval, which carries every transaction since the one before";

fn with_pitr(pitr: serde_json::Value) -> serde_json::Value {
    let mut block = json!({"enabled": true, "baseBackup": {"schedule": "0 2 * * *", "destination": {"type": "s3", "bucket": "logs-1"}}});
    json_patch::merge(&mut block, &pitr);
    cluster(json!({"spec": {"pointInTimeRecovery": block}}))
}

#[test]
fn versions_warn_unless_pitr_is_enabled() {
    let old_tag = json!({"spec": {"image": {"tag": "5.20.0-enterprise"}}});
    assert_eq!(
        judge(&cluster(old_tag.clone())),
        (
            vec![],
            vec![format!(
                "spec.image.tag: \"5.20.0-enterprise\" is not supported: Neo4j 5.20.0 is older than 5.26; {SUPPORTED}; this object is accepted, but backups and restores of it will fail"
            )]
        )
    );
    let mut pitr = with_pitr(json!({}));
    json_patch::merge(&mut pitr, &old_tag);
    assert_eq!(
        judge(&pitr).0,
        vec![format!(
            "spec.image.tag: \"5.20.0-enterprise\" is not supported: Neo4j 5.20.0 is older than 5.26; {SUPPORTED}; point-in-time recovery cannot be enabled on it"
        )]
    );
    assert_eq!(judge(&with_pitr(json!({}))), (vec![], vec![]));
    assert_eq!(judge(&cluster(json!({"spec": {"image": {"tag": null}}}))), (vec![], vec![]), "no tag: nothing to say");
}

#[test]
fn a_standalone_is_judged_the_same_way() {
    let standalone = json!({"apiVersion": "neo4j.neo4j.com/v1alpha1", "kind": "Neo4jEnterpriseStandalone",
        "metadata": {"name": "dev"}, "spec": {"image": {"tag": "5.26.0-community"},
        "pointInTimeRecovery": {"enabled": true, "logShipping": {"interval": "30s", "destination": {"type": "gcs", "bucket": "logs-1"}}}}});
    assert_eq!(
        judge(&standalone).0,
        vec![format!(
            "spec.image.tag: \"5.26.0-community\" is not supported: community images cannot run online backup; use an -enterprise image; {SUPPORTED}; point-in-time recovery cannot be enabled on it"
        )]
    );
}

#[test]
fn pitr_block_rules() {
    table(
        vec![
            (
                "enabled with nothing to do",
                cluster(json!({"spec": {"pointInTimeRecovery": {"enabled": true}}})),
                vec![
                    "spec.pointInTimeRecovery: is enabled but has neither baseBackup nor logShipping; configure at least one",
                ],
                vec![],
            ),
            (
                "disabled and incomplete",
                cluster(
                    json!({"spec": {"pointInTimeRecovery": {"enabled": false, "logShipping": {"interval": "1s"}}}}),
                ),
                vec![],
                vec![],
            ),
            (
                "shipping too often, bad sizes and durations",
                with_pitr(
                    json!({"logShipping": {"enabled": true, "interval": "5s", "flushInterval": "soon", "batchSize": "10 MB",
                    "destination": {"type": "s3", "bucket": "Logs"}}}),
                ),
                vec![
                    "spec.pointInTimeRecovery.logShipping.interval: \"5s\" is too short; the shortest interval is 10s (each run is a Pod and a neo4j-admin process)",
                    "spec.pointInTimeRecovery.logShipping.flushInterval: \"soon\" is not a duration; write <number><unit> with units s, m, h, d, w, y, e.g. 30s, 1h30m, 7d",
                    "spec.pointInTimeRecovery.logShipping.batchSize: \"10 MB\" is not a byte size; write <number><unit> with units B, KB, MB, GB, TB or Ki, Mi, Gi, Ti, e.g. 10MB, 512Ki, 1Gi",
                    "spec.pointInTimeRecovery.logShipping.destination.bucket: \"Logs\" is not a valid S3 bucket name: an S3 bucket name has 3 to 63 lowercase letters, digits, '.' and '-', starts and ends with a letter or digit, and is not an IP address",
                ],
                vec![
                    "spec.pointInTimeRecovery.baseBackup.destination: differs from logShipping.destination and is not written: neo4j-admin links a DIFF to its FULL only within one folder, so the base backups go to logShipping.destination with the DIFFs; set both to the same location",
                    NO_STREAMING_BATCH,
                    NO_STREAMING_FLUSH,
                ],
            ),
            (
                "shipping rules",
                with_pitr(
                    json!({"logShipping": {"interval": "30s", "destination": {"type": "s3", "bucket": "logs-1"}, "rules": [
                    {"name": "critical", "pattern": ".*MERGE.*", "priority": "high", "retention": "1y"},
                    {"name": "critical", "pattern": "(unclosed", "priority": "urgent", "retention": "30d"}]}}),
                ),
                vec![
                    "spec.pointInTimeRecovery.logShipping.rules[1].name: \"critical\" is used by an earlier rule; rule names must be unique",
                    "spec.pointInTimeRecovery.logShipping.rules[1].pattern: \"(unclosed\" is not a valid regular expression: unclosed group",
                    "spec.pointInTimeRecovery.logShipping.rules[1].priority: \"urgent\" is not supported; use high, medium or low",
                ],
                vec![format!("spec.pointInTimeRecovery.logShipping.rules: {NOT_ACTED_ON}").leak()],
            ),
            (
                // Issue 13 item 4: patterns are parsed, never compiled, and bounded; so is their number.
                "shipping rules that would cost the webhook",
                with_pitr(
                    json!({"logShipping": {"interval": "30s", "destination": {"type": "s3", "bucket": "logs-1"}, "rules": [
                    {"name": "wide", "pattern": "(?i)\\w{200}"},
                    {"name": "long", "pattern": "a".repeat(300)}]}}),
                ),
                vec![
                    "spec.pointInTimeRecovery.logShipping.rules[1].pattern: \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"... is not a valid regular expression: is 300 bytes long; the longest accepted is 256",
                ],
                vec![format!("spec.pointInTimeRecovery.logShipping.rules: {NOT_ACTED_ON}").leak()],
            ),
            (
                "too many shipping rules",
                with_pitr(json!({"logShipping": {"interval": "30s", "destination": {"type": "s3", "bucket": "logs-1"},
                    "rules": vec![json!({"pattern": "x"}); 65]}})),
                vec!["spec.pointInTimeRecovery.logShipping.rules: has 65 rules; at most 64 are accepted"],
                vec![],
            ),
            (
                "base backup",
                with_pitr(
                    json!({"baseBackup": {"schedule": "every day", "retention": "30 days", "destination": null}}),
                ),
                vec![
                    "spec.pointInTimeRecovery.baseBackup.schedule: \"every day\" has 2 fields, not 5; use 5 fields (minute hour day-of-month month day-of-week, e.g. \"0 2 * * *\") or @hourly, @daily, @weekly, @monthly, @yearly",
                    "spec.pointInTimeRecovery.baseBackup.retention: \"30 days\" is not a duration; write <number><unit> with units s, m, h, d, w, y, e.g. 30s, 1h30m, 7d",
                ],
                vec![
                    "spec.pointInTimeRecovery.baseBackup: has no destination; add destination: {type: s3, bucket: ...} for base backups",
                ],
            ),
            (
                "recovery",
                with_pitr(json!({"recovery": {"maxRecoveryTime": "24h", "parallelRestore": 17}})),
                vec!["spec.pointInTimeRecovery.recovery.parallelRestore: 17 is outside 1-16"],
                vec![
                    "spec.pointInTimeRecovery.recovery.maxRecoveryTime: is accepted but not acted on by kubectl-neo4j; a Neo4jRestore bounds its own time with spec.timeout",
                    "spec.pointInTimeRecovery.recovery.parallelRestore: is accepted but not acted on by kubectl-neo4j; a Neo4jRestore bounds its own time with spec.timeout",
                ],
            ),
            (
                "tiers",
                with_pitr(json!({"storage": {"tiers": [
                    {"name": "hot", "retention": "7d"}, {"name": "warm", "retention": "90d"},
                    {"name": "warm", "retention": "30d"}]}})),
                vec![
                    "spec.pointInTimeRecovery.storage.tiers[2].name: \"warm\" is used by an earlier tier; tier names must be unique",
                    "spec.pointInTimeRecovery.storage.tiers[2].retention: \"30d\" must be longer than \"90d\" of tier \"warm\" before it: tiers run from hot to cold",
                ],
                vec![format!("spec.pointInTimeRecovery.storage.tiers: {NOT_ACTED_ON}").leak()],
            ),
            (
                "replication",
                with_pitr(
                    json!({"replication": {"enabled": true, "consistency": "weak", "maxReplicationDelay": "5 min",
                    "regions": [{"name": "primary", "region": "us-west-2"}, {"name": "primary", "region": "us-east-1"}]}}),
                ),
                vec![
                    "spec.pointInTimeRecovery.replication.regions[1].name: \"primary\" is used by an earlier region; region names must be unique",
                    "spec.pointInTimeRecovery.replication.consistency: \"weak\" is not supported; use eventual or strong",
                    "spec.pointInTimeRecovery.replication.maxReplicationDelay: \"5 min\" is not a duration; write <number><unit> with units s, m, h, d, w, y, e.g. 30s, 1h30m, 7d",
                ],
                vec![format!("spec.pointInTimeRecovery.replication: {NOT_ACTED_ON}").leak()],
            ),
        ],
        &Context::default(),
    );
}

// Issue 14: what seed 000's fields become here (api/src/pitr/protection.rs), said at admission.
#[test]
fn pitr_says_what_a_chain_of_backups_can_and_cannot_do() {
    let mut seed = cluster(json!({"spec": {"pointInTimeRecovery": {"enabled": true,
        "logShipping": {"enabled": true, "interval": "30s", "compression": true, "encryption": true, "mode": "continuous",
            "destination": {"type": "s3", "bucket": "neo4j-pitr-logs", "path": "cluster-logs/"}}}}}));
    let (errors, warnings) = judge(&seed);
    assert_eq!(errors, Vec::<String>::new());
    assert_eq!(
        warnings,
        [
            "spec.pointInTimeRecovery: has no baseBackup.schedule: a new chain (a FULL backup) starts every day at 00:00 UTC (@daily); set baseBackup.schedule to choose",
            "spec.pointInTimeRecovery.logShipping.mode: is accepted but not acted on: Neo4j has no transaction-log streaming; kubectl-neo4j takes a DIFF backup every logShipping.interval, which carries every transaction since the one before",
            "spec.pointInTimeRecovery.logShipping.encryption: is accepted but not acted on: neo4j-admin cannot encrypt backups; use the bucket's server-side encryption",
        ]
    );
    seed["metadata"]["name"] = json!("a-cluster-name-of-forty-one-characters-xx");
    let (errors, _) = judge(&seed);
    assert_eq!(
        errors,
        [
            "metadata.name: \"a-cluster-name-of-forty-one-characters-xx\" has 41 characters; point-in-time recovery names its backup \"a-cluster-name-of-forty-one-characters-xx-pitr\", so at most 40 fit"
        ]
    );
    seed["spec"]["pointInTimeRecovery"]["enabled"] = json!(false);
    assert_eq!(judge(&seed), (vec![], vec![]), "nothing is said of a block that is off");
}
