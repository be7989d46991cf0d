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
/// wrote, never from the script text.
pub const VERIFY_EACH: &str = r#"list="$1"; temp="$2"; store=/scratch/store; tab="$(printf '\t')"
while IFS="$tab" read -r db artifact; do
  echo "verifying $db: restoring $artifact into $store, then checking it"
  rm -rf "$store" && mkdir -p "$store/data" "$store/txn" || exit 1
  neo4j-admin database restore "--from-path=$artifact" "--to-path-data=$store/data" "--to-path-txn=$store/txn" ${temp:+"--temp-path=$temp"} "$db" || exit 1
  neo4j-admin database check "--from-path-data=$store/data" "--from-path-txn=$store/txn" "$db" || exit 1
done < "$list""#;

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
