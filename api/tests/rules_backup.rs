//! Neo4jBackup rules: each row asserts the exact path and message.

mod support;

use neo4j_api::rules::Context;
use serde_json::json;
use support::{backup, judge, judge_update, judge_with, table, target};

const LIFECYCLE: &str =
    "spec.retention: is not executed for cloud storage: configure lifecycle rules on the bucket to expire old backups";

#[test]
fn target_rules() {
    table(
        vec![
            ("a valid backup", backup(json!({})), vec![], vec![]),
            (
                "no target",
                backup(json!({"spec": {"target": null}})),
                vec!["spec.target: is required; name what to back up, e.g. {kind: Cluster, name: my-cluster}"],
                vec![],
            ),
            (
                "unknown kind",
                backup(json!({"spec": {"target": {"kind": "Pod"}}})),
                vec!["spec.target.kind: \"Pod\" is not supported; use Cluster or Database"],
                vec![],
            ),
            (
                "no name",
                backup(json!({"spec": {"target": {"name": null}}})),
                vec![
                    "spec.target.name: is required; name the Neo4jEnterpriseCluster or Neo4jEnterpriseStandalone to back up",
                ],
                vec![],
            ),
            (
                "invalid cluster name",
                backup(json!({"spec": {"target": {"name": "My_Cluster"}}})),
                vec![
                    "spec.target.name: \"My_Cluster\" is not a valid name: use at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit",
                ],
                vec![],
            ),
            (
                "database without clusterRef",
                backup(json!({"spec": {"target": {"kind": "Database", "name": "orders"}}})),
                vec![
                    "spec.target.clusterRef: is required; name the Neo4jEnterpriseCluster or Neo4jEnterpriseStandalone that hosts the database",
                ],
                vec![],
            ),
            (
                "the system database",
                backup(json!({"spec": {"target": {"kind": "Database", "name": "system", "clusterRef": "prod"}}})),
                vec![],
                vec![],
            ),
            (
                "invalid database name",
                backup(json!({"spec": {"target": {"kind": "Database", "name": "my_db", "clusterRef": "prod"}}})),
                vec![
                    "spec.target.name: \"my_db\" is not a valid database name: a database name starts with a letter, then letters, digits, '.' and '-', 3 to 63 characters",
                ],
                vec![],
            ),
            (
                "clusterRef on a Cluster target",
                backup(json!({"spec": {"target": {"clusterRef": "other"}}})),
                vec![],
                vec!["spec.target.clusterRef: is ignored for kind Cluster; it only applies to kind Database"],
            ),
            ("the own namespace", backup(json!({"spec": {"target": {"namespace": "neo4j"}}})), vec![], vec![]),
            (
                "another namespace, access unknown",
                backup(json!({"spec": {"target": {"namespace": "production"}}})),
                vec![],
                vec![
                    "spec.target.namespace: whether you may read the target in namespace \"production\" was not checked; the backup fails if you may not",
                ],
            ),
        ],
        &Context::default(),
    );
}

#[test]
fn cross_namespace_targets_follow_the_access_review() {
    let object = backup(json!({"spec": {"target": {"namespace": "production"}}}));
    let allowed = Context { may_read_target_namespace: Some(true), ..Context::default() };
    assert_eq!(judge_with(&object, &allowed), (vec![], vec![]));
    let denied = Context { may_read_target_namespace: Some(false), ..Context::default() };
    assert_eq!(
        judge_with(&object, &denied).0,
        vec![
            "spec.target.namespace: you may not read Neo4jEnterpriseClusters in namespace \"production\"; back up a target you can read, or ask for get access there"
        ]
    );
}

#[test]
fn version_of_the_target() {
    let object = backup(json!({}));
    assert_eq!(judge_with(&object, &target("5.26.3-enterprise", 3)), (vec![], vec![]));
    assert_eq!(judge_with(&object, &target("2025.10.1-enterprise", 3)), (vec![], vec![]));
    assert_eq!(
        judge_with(&object, &target("5.25.0-enterprise", 3)).0,
        vec![
            "spec.target: the target runs image tag \"5.25.0-enterprise\" is not supported: Neo4j 5.25.0 is older than 5.26; backup and restore need Neo4j Enterprise 5.26.x or CalVer 2025.01.0 and later (image tags such as 5.26.0-enterprise or 2025.01.0-enterprise)"
        ]
    );
    assert_eq!(
        judge_with(&object, &target("2025.01.0", 3)).0,
        vec![
            "spec.target: the target runs image tag \"2025.01.0\" is not supported: community images cannot run online backup; use an -enterprise image; backup and restore need Neo4j Enterprise 5.26.x or CalVer 2025.01.0 and later (image tags such as 5.26.0-enterprise or 2025.01.0-enterprise)"
        ]
    );
}

#[test]
fn option_rules() {
    table(
        vec![
            (
                "unknown backup type",
                backup(json!({"spec": {"options": {"backupType": "INCREMENTAL"}}})),
                vec!["spec.options.backupType: \"INCREMENTAL\" is not supported; use FULL, DIFF or AUTO"],
                vec![],
            ),
            (
                "relative temp path",
                backup(json!({"spec": {"options": {"tempPath": "tmp/backup"}}})),
                vec![
                    "spec.options.tempPath: \"tmp/backup\" is not an absolute path; start it with '/', e.g. /tmp/neo4j-backup-temp",
                ],
                vec![],
            ),
            (
                "encryption without a key",
                backup(json!({"spec": {"options": {"encryption": {"enabled": true, "algorithm": "DES"}}}})),
                vec![
                    "spec.options.encryption.algorithm: \"DES\" is not supported; use AES256 or ChaCha20Poly1305",
                    "spec.options.encryption.keySecret: is required; name the Secret that holds the key",
                ],
                vec![
                    "spec.options.encryption: backups are not encrypted by kubectl-neo4j yet (neo4j-admin cannot encrypt); use bucket-side encryption",
                ],
            ),
            (
                "a managed flag",
                backup(
                    json!({"spec": {"options": {"additionalArgs": ["--parallel-recovery", "--from=elsewhere:6362"]}}}),
                ),
                vec![
                    "spec.options.additionalArgs[1]: --from is set by kubectl-neo4j from the spec; remove it and use the matching spec field instead",
                ],
                vec![],
            ),
            ("verify on a whole cluster", backup(json!({"spec": {"options": {"verify": true}}})), vec![], vec![]),
            (
                "verify on a database",
                backup(
                    json!({"spec": {"target": {"kind": "Database", "name": "orders", "clusterRef": "prod"}, "options": {"verify": true}}}),
                ),
                vec![],
                vec![],
            ),
            (
                "preferDiffAsParent on a FULL backup",
                backup(json!({"spec": {"options": {"preferDiffAsParent": true}}})),
                vec![],
                vec![
                    "spec.options.preferDiffAsParent: only applies to DIFF backups; set backupType: DIFF (or AUTO) or remove it",
                ],
            ),
        ],
        &Context::default(),
    );
}

#[test]
fn prefer_diff_as_parent_needs_2025_04() {
    let object = backup(json!({"spec": {"options": {"backupType": "DIFF", "preferDiffAsParent": true}}}));
    assert_eq!(judge_with(&object, &target("2025.04.0-enterprise", 3)), (vec![], vec![]));
    assert_eq!(judge_with(&object, &target("5.26.0-enterprise", 3)), (vec![], vec![
        "spec.options.preferDiffAsParent: is ignored on Neo4j 5.26.0: it needs 2025.04 or later, so the flag is not passed".to_owned()
    ]));
    assert_eq!(judge(&object), (vec![], vec![]), "without the target's version nothing is said");
}

#[test]
fn schedule_and_name_rules() {
    let long = "b".repeat(46);
    table(
        vec![
            ("a daily schedule", backup(json!({"spec": {"schedule": "@daily"}})), vec![], vec![]),
            (
                "an hour out of range",
                backup(json!({"spec": {"schedule": "0 25 * * *"}})),
                vec![
                    "spec.schedule: \"0 25 * * *\": hour field \"25\" is outside 0-23; use 5 fields (minute hour day-of-month month day-of-week, e.g. \"0 2 * * *\") or @hourly, @daily, @weekly, @monthly, @yearly",
                ],
                vec![],
            ),
            (
                "suspend without a schedule",
                backup(json!({"spec": {"suspend": true}})),
                vec![],
                vec!["spec.suspend: has no effect without a schedule: a one-shot backup runs once anyway"],
            ),
            ("a long one-shot name", backup(json!({"metadata": {"name": long}})), vec![], vec![]),
            (
                "a long scheduled name",
                backup(json!({"metadata": {"name": long}, "spec": {"schedule": "0 2 * * *"}})),
                vec![
                    "metadata.name: \"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\" has 46 characters; at most 45 fit, because a scheduled backup's CronJob <name>-backup must stay within 52",
                ],
                vec![],
            ),
            (
                "a one-shot name over 56",
                backup(json!({"metadata": {"name": "c".repeat(57)}})),
                vec![
                    "metadata.name: \"ccccccccccccccccccccccccccccccccccccccccccccccccccccccccc\" has 57 characters; at most 56 fit, because the backup Job <name>-backup must stay within 63",
                ],
                vec![],
            ),
        ],
        &Context::default(),
    );
}

#[test]
fn retention_rules() {
    table(
        vec![
            (
                "on PVC storage",
                backup(
                    json!({"spec": {"storage": {"type": "pvc", "bucket": null, "cloud": null, "pvc": {"name": "backups"}}, "retention": {"maxCount": 7}}}),
                ),
                vec![],
                vec![],
            ),
            ("on cloud storage", backup(json!({"spec": {"retention": {"maxAge": "30d"}}})), vec![], vec![LIFECYCLE]),
            (
                "empty",
                backup(json!({"spec": {"retention": {"deletePolicy": "Delete"}}})),
                vec!["spec.retention: needs maxAge, maxCount or both, e.g. {maxAge: 30d, maxCount: 10}"],
                vec![LIFECYCLE],
            ),
            (
                "bad values",
                backup(json!({"spec": {"retention": {"maxAge": "1 month", "maxCount": 0, "deletePolicy": "Shred"}}})),
                vec![
                    "spec.retention.maxAge: \"1 month\" is not a duration; write <number><unit> with units s, m, h, d, w, y, e.g. 30s, 1h30m, 7d",
                    "spec.retention.maxCount: 0 keeps no backup; use 1 or more",
                    "spec.retention.deletePolicy: \"Shred\" is not supported; use Delete or Archive",
                ],
                vec![LIFECYCLE],
            ),
        ],
        &Context::default(),
    );
}

#[test]
fn every_error_is_reported_at_once() {
    let object = backup(json!({"spec": {
        "target": {"kind": "Database", "name": "x"},
        "storage": {"type": "s3", "bucket": null},
        "options": {"backupType": "INCREMENTAL"},
        "schedule": "daily"
    }}));
    assert_eq!(
        judge(&object).0,
        vec![
            "spec.target.name: \"x\" is not a valid database name: a database name starts with a letter, then letters, digits, '.' and '-', 3 to 63 characters",
            "spec.target.clusterRef: is required; name the Neo4jEnterpriseCluster or Neo4jEnterpriseStandalone that hosts the database",
            "spec.storage.bucket: is required for s3 storage; name the bucket, e.g. my-neo4j-backups",
            "spec.options.backupType: \"INCREMENTAL\" is not supported; use FULL, DIFF or AUTO",
            "spec.schedule: \"daily\" has 1 fields, not 5; use 5 fields (minute hour day-of-month month day-of-week, e.g. \"0 2 * * *\") or @hourly, @daily, @weekly, @monthly, @yearly",
        ]
    );
}

#[test]
fn target_and_storage_are_immutable() {
    let old = backup(json!({}));
    assert_eq!(
        judge_update(&old, &backup(json!({"spec": {"schedule": "@daily", "options": {"compress": false}}}))),
        (vec![], vec![])
    );
    assert_eq!(
        judge_update(&old, &backup(json!({"spec": {"target": {"name": "other"}}}))).0,
        vec!["spec.target: cannot be changed; create a new Neo4jBackup to back up another target"]
    );
    assert_eq!(
        judge_update(&old, &backup(json!({"spec": {"storage": {"bucket": "elsewhere"}}}))).0,
        vec![
            "spec.storage: cannot be changed: a new location starts a new backup chain; create a new Neo4jBackup for it"
        ]
    );
}

// Issue 14: continuous protection on a Neo4jBackup (what the controller writes on a cluster's
// `<cluster>-pitr`, and what anyone may write).
#[test]
fn shipping_rules() {
    table(
        vec![
            (
                "a DIFF every 30s, a new chain nightly",
                backup(json!({"spec": {"schedule": "0 2 * * *", "shipping": {"interval": "30s"}}})),
                vec![],
                vec![],
            ),
            (
                "no interval",
                backup(json!({"spec": {"schedule": "0 2 * * *", "shipping": {}}})),
                vec!["spec.shipping.interval: is required; say how often a DIFF is taken, e.g. 30s"],
                vec![],
            ),
            (
                "under the floor",
                backup(json!({"spec": {"schedule": "0 2 * * *", "shipping": {"interval": "2s"}}})),
                vec![
                    "spec.shipping.interval: \"2s\" is too short; the shortest interval is 10s (each run is a Pod and a neo4j-admin process)",
                ],
                vec![],
            ),
            (
                "no base schedule, a type that is decided per run",
                backup(json!({"spec": {"shipping": {"interval": "1m"}, "options": {"backupType": "DIFF"}}})),
                vec![],
                vec![
                    "spec.shipping: has no spec.schedule: the chain keeps its first FULL for ever and a restore replays every DIFF since it; set spec.schedule (e.g. @daily) to start a new chain with a FULL",
                    "spec.options.backupType: is decided per run with spec.shipping: a FULL on spec.schedule (or when the location has none), else a DIFF",
                ],
            ),
            (
                // A DIFF after a new FULL would have the old chain's DIFF as parent (docs-operations
                // dev, online-backup.adoc, "--prefer-diff-as-parent"): the window could not follow it.
                "parents across chains",
                backup(
                    json!({"spec": {"schedule": "@daily", "shipping": {"interval": "1m"}, "options": {"preferDiffAsParent": true}}}),
                ),
                vec![
                    "spec.options.preferDiffAsParent: cannot be used with spec.shipping: a DIFF after a new FULL would continue the old chain, and the recoverable window follows each DIFF from the FULL before it; remove it",
                ],
                vec![],
            ),
            (
                "a name that leaves no room for the run's start",
                backup(
                    json!({"metadata": {"name": "b".repeat(46)}, "spec": {"schedule": "@daily", "shipping": {"interval": "1m"}}}),
                ),
                vec![
                    "metadata.name: \"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\" has 46 characters; at most 45 fit, because each shipping run's Job <name>-backup-<start> must stay within 63",
                ],
                vec![],
            ),
        ],
        &Context::default(),
    );
}

// Issue 15, item 4: the recovery point objective, against how often the backup runs.
#[test]
fn recovery_point_objective_rules() {
    table(
        vec![
            ("nightly meets a day", backup(json!({"spec": {"schedule": "0 2 * * *", "rpo": "1d"}})), vec![], vec![]),
            (
                "a DIFF a minute meets five",
                backup(json!({"spec": {"schedule": "@daily", "shipping": {"interval": "1m"}, "rpo": "5m"}})),
                vec![],
                vec![],
            ),
            (
                "nightly cannot meet an hour",
                backup(json!({"spec": {"schedule": "0 2 * * *", "rpo": "1h"}})),
                vec![],
                vec![
                    "spec.rpo: cannot be met: spec.schedule leaves up to 24h0m0s between two runs, more than 1h; run more often, or use spec.shipping (a DIFF every interval)",
                ],
            ),
            (
                "weekdays only leave a weekend",
                backup(json!({"spec": {"schedule": "0 */6 * * 1-5", "rpo": "1d"}})),
                vec![],
                vec![
                    "spec.rpo: cannot be met: spec.schedule leaves up to 54h0m0s between two runs, more than 1d; run more often, or use spec.shipping (a DIFF every interval)",
                ],
            ),
            (
                "an interval longer than the objective",
                backup(json!({"spec": {"schedule": "@daily", "shipping": {"interval": "10m"}, "rpo": "5m"}})),
                vec![],
                vec![
                    "spec.rpo: cannot be met: spec.shipping.interval leaves up to 10m0s between two runs, more than 5m; shorten the interval",
                ],
            ),
            (
                "a schedule that never comes (30 February)",
                backup(json!({"spec": {"schedule": "0 0 30 2 *", "rpo": "1d"}})),
                vec![],
                vec!["spec.rpo: cannot be met: spec.schedule never runs, so nothing is backed up within 1d"],
            ),
            (
                "a one-shot backup",
                backup(json!({"spec": {"rpo": "1h"}})),
                vec![],
                vec![
                    "spec.rpo: cannot be met by a one-shot backup: 1h after it ran, it is older than the objective; set spec.schedule (or spec.shipping) to keep to it",
                ],
            ),
            (
                "not a duration",
                backup(json!({"spec": {"schedule": "@daily", "rpo": "an hour"}})),
                vec![
                    "spec.rpo: \"an hour\" is not a duration; write <number><unit> with units s, m, h, d, w, y, e.g. 30s, 1h30m, 7d",
                ],
                vec![],
            ),
        ],
        &Context { now: Some("2025-01-20T03:00:00Z".parse().unwrap()), ..Context::default() },
    );
}
