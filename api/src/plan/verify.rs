//! Verification that neo4j-admin can actually perform: `neo4j-admin database check` cannot read a
//! differential backup or an unrecovered full one ("The backup chain must be aggregated into a full
//! recovered backup artifact before running consistency check"), and its `--from-path` names a
//! directory before 2025.09 (a file only from 2025.09). Source: docs-operations,
//! modules/ROOT/pages/backup-restore/consistency-checker.adoc (branch 5.x: "not supported for
//! differential backups"; branch dev: "... or unrecovered full backups", "Changed in 2025.09").
//!
//! So on every version we verify the same way: `neo4j-admin database restore` replays the chain
//! that ends at the artifact (FULL or DIFF, from a folder or cloud storage) into a scratch store
//! (`--to-path-data`, `--to-path-txn`: restore-backup.adoc, both branches, since 5.0), which is a
//! recovered database; then `neo4j-admin database check --from-path-data --from-path-txn` checks
//! that store (consistency-checker.adoc, both branches). The checked store is exactly what a
//! restore of that artifact would produce. Nothing is written to the backup location (aggregation
//! would replace or add artifacts there).

use crate::plan::location::admin_path;

/// Where the scratch store is restored for a check (inside the scratch emptyDir).
pub const STORE_DIR: &str = "/scratch/store";

/// `neo4j-admin database restore` of the chain ending at `artifact` (raw) into the scratch store.
pub fn restore_to_scratch_argv(artifact: &str, database: &str, temp_path: Option<&str>) -> Vec<String> {
    let mut argv: Vec<String> = ["neo4j-admin", "database", "restore"].map(str::to_owned).to_vec();
    argv.push(format!("--from-path={}", admin_path(artifact)));
    argv.push(format!("--to-path-data={STORE_DIR}/data"));
    argv.push(format!("--to-path-txn={STORE_DIR}/txn"));
    argv.extend(temp_path.map(|temp| format!("--temp-path={}", admin_path(temp))));
    argv.push(admin_path(database));
    argv
}

/// `neo4j-admin database check` of the scratch store.
pub fn check_scratch_argv(database: &str) -> Vec<String> {
    let mut argv: Vec<String> = ["neo4j-admin", "database", "check"].map(str::to_owned).to_vec();
    argv.push(format!("--from-path-data={STORE_DIR}/data"));
    argv.push(format!("--from-path-txn={STORE_DIR}/txn"));
    argv.push(admin_path(database));
    argv
}

/// For each line `<database>\t<artifact>` of the file `$1`: restore that artifact's chain into
/// the scratch store and check it (the same commands as [`restore_to_scratch_argv`] and
/// [`check_scratch_argv`]; `$2` is the temp path or empty). The values come from a file the agent
/// wrote, never from the script text. An empty list fails: nothing verified is never a success.
/// The temp path is always given: without it neo4j-admin stages "inside the directory specified by
/// the `--from-path` option" (restore-backup.adoc), the backup location itself.
pub const VERIFY_EACH: &str = r#"list="$1"; temp="$2"; store=/scratch/store; tab="$(printf '\t')"; checked=0
while IFS="$tab" read -r db artifact || [ -n "$db" ]; do
  checked=$((checked + 1))
  echo "verifying $db: restoring $artifact into $store, then checking it"
  rm -rf "$store" && mkdir -p "$store/data" "$store/txn" || exit 1
  neo4j-admin database restore "--from-path=$artifact" "--to-path-data=$store/data" "--to-path-txn=$store/txn" ${temp:+"--temp-path=$temp"} "$db" || exit 1
  neo4j-admin database check "--from-path-data=$store/data" "--from-path-txn=$store/txn" "$db" || exit 1
done < "$list"
[ "$checked" -gt 0 ] || { echo "nothing to verify in $list" >&2; exit 1; }"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_script_runs_the_same_commands_as_the_argv_builders() {
        let restore = restore_to_scratch_argv("$artifact", "$db", Some("$temp")).join(" ");
        let restore = restore.replace("$$", "$").replace("/scratch/store", "$store");
        assert_eq!(
            restore,
            "neo4j-admin database restore --from-path=$artifact --to-path-data=$store/data --to-path-txn=$store/txn --temp-path=$temp $db"
        );
        let script_restore = VERIFY_EACH.lines().find(|l| l.contains("database restore")).unwrap().replace('"', "");
        assert_eq!(
            script_restore.trim(),
            "neo4j-admin database restore --from-path=$artifact --to-path-data=$store/data --to-path-txn=$store/txn ${temp:+--temp-path=$temp} $db || exit 1"
        );
        let check = check_scratch_argv("$db").join(" ").replace("$$", "$").replace("/scratch/store", "$store");
        let script_check = VERIFY_EACH.lines().find(|l| l.contains("database check")).unwrap().replace('"', "");
        assert_eq!(script_check.trim(), format!("{check} || exit 1"));
        assert!(VERIFY_EACH.contains(&format!("store={STORE_DIR};")));
    }

    // The script itself, run by the machine's sh with a stand-in neo4j-admin on PATH: it restores
    // and checks each listed database in order, reads a last line without a newline, and fails
    // on an empty list or a failed check.
    #[test]
    fn the_script_runs_each_line_and_fails_on_nothing_or_a_failure() {
        let dir = std::env::temp_dir().join(format!("verify-each-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let log = dir.join("calls");
        let fake = dir.join("neo4j-admin");
        std::fs::write(
            &fake,
            format!(
                "#!/bin/sh\necho \"$*\" >> {}\ncase \"$*\" in *\"check \"*\" orders\") exit 1;; esac\n",
                log.display()
            ),
        )
        .unwrap();
        std::process::Command::new("chmod").arg("+x").arg(&fake).status().unwrap();
        let run = |list: &str| {
            let _ = std::fs::remove_file(&log);
            let file = dir.join("list");
            std::fs::write(&file, list).unwrap();
            let status = std::process::Command::new("sh")
                .args([
                    "-c",
                    VERIFY_EACH.replace("/scratch/store", dir.join("store").to_str().unwrap()).as_str(),
                    "verify",
                ])
                .arg(&file)
                .arg("/tmp/t")
                .env("PATH", format!("{}:/usr/bin:/bin", dir.display()))
                .output()
                .unwrap();
            (status.status.success(), std::fs::read_to_string(&log).unwrap_or_default())
        };
        let (ok, calls) = run("neo4j\t/backups/neo4j-1.backup\nsystem\t/backups/system-1.backup");
        assert!(ok, "{calls}");
        let store = dir.join("store").display().to_string();
        assert_eq!(
            calls,
            format!(
                "database restore --from-path=/backups/neo4j-1.backup --to-path-data={store}/data --to-path-txn={store}/txn --temp-path=/tmp/t neo4j\n\
                 database check --from-path-data={store}/data --from-path-txn={store}/txn neo4j\n\
                 database restore --from-path=/backups/system-1.backup --to-path-data={store}/data --to-path-txn={store}/txn --temp-path=/tmp/t system\n\
                 database check --from-path-data={store}/data --from-path-txn={store}/txn system\n"
            ),
            "the last line has no newline and is still checked"
        );
        assert!(!run("").0, "an empty list is a failure");
        let (ok, calls) = run("orders\t/backups/orders-1.backup\nneo4j\t/backups/neo4j-1.backup\n");
        assert!(!ok, "a failed check fails the run");
        assert_eq!(calls.lines().count(), 2, "and stops there: {calls}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn values_are_escaped_once() {
        assert_eq!(
            restore_to_scratch_argv("s3://b/p/$x/orders-2025-01-20T02-00-00.backup", "orders", None),
            vec![
                "neo4j-admin",
                "database",
                "restore",
                "--from-path=s3://b/p/$$x/orders-2025-01-20T02-00-00.backup",
                "--to-path-data=/scratch/store/data",
                "--to-path-txn=/scratch/store/txn",
                "orders",
            ]
        );
    }
}
