//! `additionalArgs`: extra flags for `neo4j-admin`. neo4j-admin's parser (picocli) rejects an
//! option it does not know and exits 64 ("Unknown option"), so an unknown flag would fail the Job,
//! for a restore possibly after the cluster was scaled down: it is refused at admission, naming
//! the options the command accepts in the target's version.
//!
//! Sources (docs-operations, modules/ROOT/pages/backup-restore/): online-backup.adoc and
//! restore-backup.adoc, branch 5.x (5.26) and dev (2025.x/2026.x), their syntax and option tables;
//! the common options come from neo4j/neo4j community/command-line AbstractCommand (`--verbose`,
//! `--expand-commands`) and AbstractAdminCommand (`--additional-config`).

use crate::rules::{FieldPath, Verdict};
use crate::version::Neo4jVersion;

/// Flags the controller derives from the spec; a user copy would conflict with them.
pub const MANAGED_FLAGS: [&str; 13] = [
    "--from",
    "--to-path",
    "--type",
    "--temp-path",
    "--compress",
    "--prefer-diff-as-parent",
    "--from-path",
    "--restore-until",
    "--overwrite-destination",
    "--inspect-path",
    "--help",
    // The restore writes into the server's own data volume; elsewhere, the database served would
    // not be the restored one.
    "--to-path-data",
    "--to-path-txn",
];

/// Options every `neo4j-admin` command takes that a user may pass.
const COMMON_OPTIONS: [&str; 1] = ["--verbose"];

/// Options every `neo4j-admin` command takes that a Neo4jBackup or Neo4jRestore may not pass:
/// `--additional-config` makes neo4j-admin read a configuration file of the Pod, and
/// `--expand-commands` lets that configuration run commands (`$(...)`) inside our Pod, which
/// holds the cloud credentials (issue 13, item 11).
const REFUSED_OPTIONS: [&str; 2] = ["--additional-config", "--expand-commands"];

/// An option and the first version that has it (`None`: every supported version, 5.26 on).
type Since = Option<(u64, u64)>;

/// A `neo4j-admin` command and its documented options.
pub struct AdminCommand {
    /// The command, e.g. `neo4j-admin database backup`.
    pub name: &'static str,
    /// Its options besides the common ones, with the version that introduced each.
    pub options: &'static [(&'static str, Since)],
}

/// `neo4j-admin database backup`.
pub const BACKUP: AdminCommand = AdminCommand {
    name: "neo4j-admin database backup",
    options: &[
        ("--compress", None),
        ("--keep-failed", None),
        ("--parallel-recovery", None),
        ("--include-metadata", None),
        ("--pagecache", None),
        ("--temp-path", None),
        ("--to-path", None),
        ("--type", None),
        ("--from", None),
        // online-backup.adoc (dev): "Introduced in 2025.04".
        ("--prefer-diff-as-parent", Some((2025, 4))),
        // online-backup.adoc (dev): "Introduced in 2025.09".
        ("--remote-address-resolution", Some((2025, 9))),
        // online-backup.adoc (dev): "Introduced in 2025.11".
        ("--parallel-download", Some((2025, 11))),
        ("--skip-recovery", Some((2025, 11))),
    ],
};

/// `neo4j-admin database restore`.
pub const RESTORE: AdminCommand = AdminCommand {
    name: "neo4j-admin database restore",
    options: &[
        ("--from-path", None),
        ("--overwrite-destination", None),
        ("--restore-until", None),
        ("--temp-path", None),
        ("--to-path-data", None),
        ("--to-path-txn", None),
        // restore-backup.adoc (dev): "Introduced in 2025.02".
        ("--source-database", Some((2025, 2))),
    ],
};

fn since_version(since: Since) -> Option<Neo4jVersion> {
    since.map(|(major, minor)| Neo4jVersion::new(major, minor, 0))
}

impl AdminCommand {
    /// The options a user may pass on `version` (every version when unknown), managed ones left out.
    fn accepted(&self, version: Option<&Neo4jVersion>) -> Vec<&'static str> {
        self.options
            .iter()
            .filter(|(_, since)| match (version, since_version(*since)) {
                (Some(version), Some(since)) => *version >= since,
                _ => true,
            })
            .map(|(option, _)| *option)
            .chain(COMMON_OPTIONS)
            .filter(|option| !MANAGED_FLAGS.contains(option))
            .collect()
    }
}

/// Checks each extra argument: starts with `--`, no newline or NUL, not a managed flag, an
/// option of `command` in `version` (when known).
pub fn check_additional_args(
    verdict: &mut Verdict,
    path: &FieldPath,
    args: &Option<Vec<String>>,
    command: &AdminCommand,
    version: Option<&Neo4jVersion>,
) {
    for (i, arg) in args.iter().flatten().enumerate() {
        let item = path.index(i);
        if arg.contains(['\n', '\r', '\0']) {
            verdict.error(&item, format!("{arg:?} contains a newline or NUL; pass one flag per list item"));
            continue;
        }
        if !arg.starts_with("--") {
            verdict.error(&item, format!("{arg:?} is not a flag; each item must start with --, e.g. --verbose"));
            continue;
        }
        let flag = arg.split_once('=').map_or(arg.as_str(), |(flag, _)| flag);
        if MANAGED_FLAGS.contains(&flag) {
            verdict.error(
                &item,
                format!(
                    "{flag} is set by kubectl-neo4j from the spec; remove it and use the matching spec field instead"
                ),
            );
            continue;
        }
        if REFUSED_OPTIONS.contains(&flag) {
            verdict.error(
                &item,
                format!(
                    "{flag} is refused: it would let neo4j-admin read configuration, and with --expand-commands run commands, in the Pod that holds the backup's credentials; set what you need through the spec"
                ),
            );
            continue;
        }
        if COMMON_OPTIONS.contains(&flag) {
            continue;
        }
        let known = command.options.iter().find(|(option, _)| *option == flag);
        match (known.and_then(|(_, since)| since_version(*since)), version) {
            (Some(since), Some(version)) if *version < since => verdict.error(
                &item,
                format!(
                    "{flag} needs Neo4j {since} or later and the target runs {version}; remove it (neo4j-admin would refuse the unknown option and fail the Job)"
                ),
            ),
            _ if known.is_some() => {}
            _ => {
                let on = version.map_or_else(|| "the newest Neo4j".to_owned(), |v| format!("Neo4j {v}"));
                verdict.error(
                    &item,
                    format!(
                        "{flag} is not an option of {}: neo4j-admin refuses unknown options and the Job would fail; on {on} it accepts {}",
                        command.name,
                        command.accepted(version).join(", ")
                    ),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(args: &[&str], command: &AdminCommand, version: Option<&str>) -> Verdict {
        let mut verdict = Verdict::default();
        let args = Some(args.iter().map(|a| a.to_string()).collect());
        let version = version.map(|v| Neo4jVersion::parse(v).unwrap());
        check_additional_args(
            &mut verdict,
            &FieldPath::new("spec.options.additionalArgs"),
            &args,
            command,
            version.as_ref(),
        );
        verdict
    }

    #[test]
    fn documented_flags_pass() {
        let verdict = check(
            &["--verbose", "--parallel-recovery", "--pagecache=4G", "--include-metadata=all"],
            &BACKUP,
            Some("5.26.0"),
        );
        assert_eq!(verdict, Verdict::default());
        let restore = check(&["--verbose", "--source-database=orders"], &RESTORE, None);
        assert_eq!(restore, Verdict::default());
        let elsewhere = check(&["--to-path-data=/x"], &RESTORE, None);
        assert_eq!(
            elsewhere.error_lines(),
            vec![
                "spec.options.additionalArgs[0]: --to-path-data is set by kubectl-neo4j from the spec; remove it and use the matching spec field instead"
            ],
            "the restore writes into the server's data volume, nowhere else"
        );
    }

    #[test]
    fn malformed_and_managed_flags_are_refused() {
        let verdict = check(
            &["-v", "--to-path=s3://elsewhere", "--type=FULL", "--verbose\n--type=DIFF", "--temp-path"],
            &BACKUP,
            None,
        );
        assert_eq!(
            verdict.error_lines(),
            vec![
                "spec.options.additionalArgs[0]: \"-v\" is not a flag; each item must start with --, e.g. --verbose",
                "spec.options.additionalArgs[1]: --to-path is set by kubectl-neo4j from the spec; remove it and use the matching spec field instead",
                "spec.options.additionalArgs[2]: --type is set by kubectl-neo4j from the spec; remove it and use the matching spec field instead",
                "spec.options.additionalArgs[3]: \"--verbose\\n--type=DIFF\" contains a newline or NUL; pass one flag per list item",
                "spec.options.additionalArgs[4]: --temp-path is set by kubectl-neo4j from the spec; remove it and use the matching spec field instead",
            ]
        );
    }

    #[test]
    fn options_that_read_configuration_or_run_commands_are_refused() {
        let verdict = check(&["--additional-config=/etc/passwd", "--expand-commands", "--verbose"], &BACKUP, None);
        let why = "is refused: it would let neo4j-admin read configuration, and with --expand-commands run commands, in the Pod that holds the backup's credentials; set what you need through the spec";
        assert_eq!(
            verdict.error_lines(),
            vec![
                format!("spec.options.additionalArgs[0]: --additional-config {why}"),
                format!("spec.options.additionalArgs[1]: --expand-commands {why}"),
            ]
        );
    }

    // Seed 001's enterprise-azure-restore passes --check-consistency, which no neo4j-admin restore
    // knows (restore-backup.adoc, 5.x and dev): the Job would fail after a scale-down.
    #[test]
    fn unknown_flags_are_errors_naming_what_the_version_accepts() {
        let verdict = check(&["--check-consistency"], &RESTORE, Some("5.26.0"));
        assert!(verdict.warnings.is_empty());
        assert_eq!(
            verdict.error_lines(),
            vec![
                "spec.options.additionalArgs[0]: --check-consistency is not an option of neo4j-admin database restore: neo4j-admin refuses unknown options and the Job would fail; on Neo4j 5.26.0 it accepts --verbose"
            ]
        );
        let unknown_version = check(&["--check-consistency"], &RESTORE, None);
        assert!(
            unknown_version.error_lines()[0].ends_with("on the newest Neo4j it accepts --source-database, --verbose")
        );
    }

    #[test]
    fn flags_of_later_versions_are_refused_on_earlier_ones() {
        assert_eq!(
            check(&["--source-database=orders"], &RESTORE, Some("2025.01.0")).error_lines(),
            vec![
                "spec.options.additionalArgs[0]: --source-database needs Neo4j 2025.02.0 or later and the target runs 2025.01.0; remove it (neo4j-admin would refuse the unknown option and fail the Job)"
            ]
        );
        assert_eq!(check(&["--source-database=orders"], &RESTORE, Some("2025.02.0")), Verdict::default());
        for (version, errors) in [("2025.08.0", 3), ("2025.09.0", 2), ("2025.11.0", 0), ("2026.03.0", 0)] {
            let verdict = check(
                &["--remote-address-resolution", "--parallel-download", "--skip-recovery"],
                &BACKUP,
                Some(version),
            );
            assert_eq!(verdict.errors.len(), errors, "{version}: {:?}", verdict.error_lines());
        }
    }
}
