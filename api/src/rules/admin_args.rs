//! `additionalArgs`: extra flags for `neo4j-admin`, checked against what the controller sets
//! itself and against the options each command documents (`../shared/design/neo4j.md`).

use crate::rules::{FieldPath, Verdict};

/// Flags the controller derives from the spec; a user copy would conflict with them.
pub const MANAGED_FLAGS: [&str; 9] = [
    "--from",
    "--to-path",
    "--type",
    "--temp-path",
    "--compress",
    "--prefer-diff-as-parent",
    "--from-path",
    "--restore-until",
    "--overwrite-destination",
];

/// Options every `neo4j-admin` command takes.
const COMMON_OPTIONS: [&str; 3] = ["--verbose", "--expand-commands", "--additional-config"];

/// A `neo4j-admin` command and its documented options.
pub struct AdminCommand {
    /// The command, e.g. `neo4j-admin database backup`.
    pub name: &'static str,
    /// Its options besides the common ones.
    pub options: &'static [&'static str],
}

/// `neo4j-admin database backup`.
pub const BACKUP: AdminCommand = AdminCommand {
    name: "neo4j-admin database backup",
    options: &[
        "--compress",
        "--keep-failed",
        "--parallel-recovery",
        "--include-metadata",
        "--pagecache",
        "--temp-path",
        "--to-path",
        "--type",
        "--prefer-diff-as-parent",
        "--from",
    ],
};

/// `neo4j-admin database restore`.
pub const RESTORE: AdminCommand = AdminCommand {
    name: "neo4j-admin database restore",
    options: &["--from-path", "--overwrite-destination", "--restore-until", "--temp-path"],
};

/// Checks each extra argument: starts with `--`, no newline or NUL, not a managed flag; warns
/// about flags the command does not document.
pub fn check_additional_args(
    verdict: &mut Verdict,
    path: &FieldPath,
    args: &Option<Vec<String>>,
    command: &AdminCommand,
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
        if !command.options.contains(&flag) && !COMMON_OPTIONS.contains(&flag) {
            let known: Vec<&str> =
                command.options.iter().chain(&COMMON_OPTIONS).copied().filter(|o| !MANAGED_FLAGS.contains(o)).collect();
            verdict.warn(&item, format!("{flag} is not an option of {}; it knows {}", command.name, known.join(", ")));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(args: &[&str], command: &AdminCommand) -> Verdict {
        let mut verdict = Verdict::default();
        let args = Some(args.iter().map(|a| a.to_string()).collect());
        check_additional_args(&mut verdict, &FieldPath::new("spec.options.additionalArgs"), &args, command);
        verdict
    }

    #[test]
    fn documented_flags_pass() {
        let verdict = check(&["--verbose", "--parallel-recovery", "--pagecache=4G", "--include-metadata=all"], &BACKUP);
        assert_eq!(verdict, Verdict::default());
    }

    #[test]
    fn malformed_and_managed_flags_are_refused() {
        let verdict =
            check(&["-v", "--to-path=s3://elsewhere", "--type=FULL", "--verbose\n--type=DIFF", "--temp-path"], &BACKUP);
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
    fn unknown_flags_warn_with_the_known_options() {
        let verdict = check(&["--check-consistency"], &RESTORE);
        assert!(verdict.errors.is_empty());
        assert_eq!(
            verdict.warnings,
            vec![
                "spec.options.additionalArgs[0]: --check-consistency is not an option of neo4j-admin database restore; it knows --verbose, --expand-commands, --additional-config"
            ]
        );
    }
}
