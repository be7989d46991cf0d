//! The agent's retention on a real directory: what is deleted, archived and refused.

use std::fs::{self, File};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, SystemTime};

use k8s_openapi::jiff::Timestamp;
use neo4j_agent::prune::{Disposal, Error, prune};
use neo4j_api::retention::Policy;

const HEADER: &str = "| FILE | DATABASE | DATABASE ID | TIME (UTC) | FULL | COMPRESSED | LOWEST TX | HIGHEST TX |";

/// Writes `neo4j-2025-01-<day>T02-00-00.backup` files for `days` (FULL where `full(day)`), and
/// the inventory neo4j-admin would print for them.
fn backups(dir: &Path, days: &[u32], full: impl Fn(u32) -> bool) -> std::path::PathBuf {
    let mut inventory = format!("{HEADER}\n");
    for day in days {
        let file = format!("neo4j-2025-01-{day:02}T02-00-00.backup");
        fs::write(dir.join(&file), b"artifact").unwrap();
        inventory.push_str(&format!(
            "| file://{}/{file} | neo4j | 7dcb1d0c | 2025-01-{day:02}T02:00:00 | {} | true | 1 | 3 |\n",
            dir.display(),
            full(*day)
        ));
    }
    let path = dir.parent().unwrap().join("inventory.txt");
    fs::write(&path, inventory).unwrap();
    path
}

fn remaining(dir: &Path) -> Vec<u32> {
    let mut days: Vec<u32> = fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| {
            e.unwrap().file_name().to_str()?.strip_prefix("neo4j-2025-01-").map(|s| s[..2].parse().unwrap())
        })
        .collect();
    days.sort();
    days
}

fn now() -> Timestamp {
    "2025-01-20T12:00:00Z".parse().unwrap()
}

fn setup() -> (tempfile::TempDir, std::path::PathBuf) {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("backups");
    fs::create_dir(&dir).unwrap();
    (root, dir)
}

#[test]
fn deletes_beyond_the_count_but_keeps_the_full_a_kept_diff_needs() {
    let (_root, dir) = setup();
    let inventory = backups(&dir, &(1..=14).collect::<Vec<_>>(), |day| day == 1 || day == 10);
    let policy = Policy { max_age_seconds: None, max_count: Some(3) };
    let report = prune(&inventory, &dir, policy, Disposal::Delete, now()).unwrap();
    assert_eq!(remaining(&dir), vec![10, 11, 12, 13, 14]);
    assert_eq!(report.selection.remove.len(), 9);
    assert!(
        report.summary().starts_with("kept 5, deleted 9: neo4j-2025-01-09T02-00-00.backup, "),
        "{}",
        report.summary()
    );
}

#[test]
fn archive_moves_instead_of_deleting() {
    let (_root, dir) = setup();
    let inventory = backups(&dir, &[1, 2, 15, 18], |day| day == 1 || day == 15);
    let week = Policy { max_age_seconds: Some(7 * 86_400), max_count: None };
    let report = prune(&inventory, &dir, week, Disposal::Archive, now()).unwrap();
    assert_eq!(remaining(&dir), vec![15, 18]);
    assert_eq!(remaining(&dir.join("archive")), vec![1, 2]);
    assert_eq!(fs::read(dir.join("archive/neo4j-2025-01-01T02-00-00.backup")).unwrap(), b"artifact");
    assert!(report.summary().starts_with("kept 2, archived 2"));
}

/// A removed artifact's manifest (issue 16) goes with it; a kept one's stays.
#[test]
fn manifests_follow_their_artifacts() {
    for disposal in [Disposal::Delete, Disposal::Archive] {
        let (_root, dir) = setup();
        let inventory = backups(&dir, &[1, 2, 15, 18], |day| day == 1 || day == 15);
        let listed = neo4j_agent::read_inventory(&inventory).unwrap();
        let done = neo4j_agent::checksum::record(&dir, &listed, SystemTime::now(), None, "kubectl-neo4j 0.1.0");
        assert_eq!(done.recorded.len(), 4, "{done:?}");
        let week = Policy { max_age_seconds: Some(7 * 86_400), max_count: None };
        prune(&inventory, &dir, week, disposal, now()).unwrap();
        let manifests = |at: &Path| -> Vec<String> {
            let mut names: Vec<String> = fs::read_dir(at.join(".kubectl-neo4j"))
                .map(|entries| entries.map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect())
                .unwrap_or_default();
            names.sort();
            names
        };
        let kept = ["neo4j-2025-01-15T02-00-00.backup.manifest.json", "neo4j-2025-01-18T02-00-00.backup.manifest.json"];
        assert_eq!(manifests(&dir), kept, "{disposal:?}");
        let archived = if disposal == Disposal::Archive {
            vec!["neo4j-2025-01-01T02-00-00.backup.manifest.json", "neo4j-2025-01-02T02-00-00.backup.manifest.json"]
        } else {
            vec![]
        };
        assert_eq!(manifests(&dir.join("archive")), archived, "{disposal:?}");
    }
}

#[test]
fn an_unlisted_backup_stops_everything() {
    let (_root, dir) = setup();
    let inventory = backups(&dir, &[1, 2, 3], |_| true);
    fs::write(dir.join("other-2025-01-01T00-00-00.backup"), b"x").unwrap();
    // Written after the inventory would be a backup in progress; this one is older.
    File::options()
        .write(true)
        .open(dir.join("other-2025-01-01T00-00-00.backup"))
        .unwrap()
        .set_modified(SystemTime::now() - Duration::from_secs(3600))
        .unwrap();
    let policy = Policy { max_age_seconds: None, max_count: Some(1) };
    let err = prune(&inventory, &dir, policy, Disposal::Delete, now()).unwrap_err();
    assert!(matches!(err, Error::Unlisted { ref file, .. } if file == "other-2025-01-01T00-00-00.backup"), "{err}");
    assert_eq!(remaining(&dir), vec![1, 2, 3], "nothing removed");
}

#[test]
fn a_backup_newer_than_the_inventory_is_left_for_the_next_run() {
    let (_root, dir) = setup();
    let inventory = backups(&dir, &[1, 2, 3], |_| true);
    let running = dir.join("neo4j-2025-01-19T02-00-00.backup");
    fs::write(&running, b"partial").unwrap();
    File::options()
        .write(true)
        .open(&running)
        .unwrap()
        .set_modified(SystemTime::now() + Duration::from_secs(60))
        .unwrap();
    let policy = Policy { max_age_seconds: None, max_count: Some(1) };
    prune(&inventory, &dir, policy, Disposal::Delete, now()).unwrap();
    assert_eq!(remaining(&dir), vec![3, 19]);
}

#[test]
fn an_inventory_of_another_directory_is_refused() {
    let (root, dir) = setup();
    let inventory = backups(&dir, &[1, 2], |_| true);
    let other = root.path().join("elsewhere");
    fs::create_dir(&other).unwrap();
    let policy = Policy { max_age_seconds: None, max_count: Some(1) };
    let err = prune(&inventory, &other, policy, Disposal::Delete, now()).unwrap_err();
    assert!(matches!(err, Error::Elsewhere { .. }), "{err}");
    assert_eq!(remaining(&dir), vec![1, 2]);
}

#[test]
fn unreadable_inventory_removes_nothing() {
    let (root, dir) = setup();
    backups(&dir, &[1, 2], |_| true);
    let garbage = root.path().join("garbage.txt");
    fs::write(&garbage, "| FILE | DATABASE |\n| x | y |\n").unwrap();
    let policy = Policy { max_age_seconds: None, max_count: Some(1) };
    let err = prune(&garbage, &dir, policy, Disposal::Delete, now()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "the output of neo4j-admin backup inspect has no table with the columns FILE, DATABASE, TIME (UTC) and FULL"
    );
    assert_eq!(remaining(&dir), vec![1, 2]);
}

#[test]
fn the_binary_reports_on_stdout_and_in_the_termination_log() {
    let (root, dir) = setup();
    let inventory = backups(&dir, &[1, 2, 3], |_| true);
    let log = root.path().join("termination-log");
    let output = Command::new(env!("CARGO_BIN_EXE_neo4j-agent"))
        .args(["retention", "--max-count=2", "--delete-policy=Delete"])
        .arg(format!("--inventory={}", inventory.display()))
        .arg(format!("--dir={}", dir.display()))
        .arg(format!("--termination-log={}", log.display()))
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let expected = "kept 2, deleted 1: neo4j-2025-01-01T02-00-00.backup";
    assert_eq!(String::from_utf8(output.stdout).unwrap(), format!("{expected}\n"));
    assert_eq!(fs::read_to_string(&log).unwrap(), expected);

    let failed = Command::new(env!("CARGO_BIN_EXE_neo4j-agent"))
        .args(["databases", "--inventory=/nonexistent/inventory.txt", "--out=/nonexistent/out"])
        .arg(format!("--termination-log={}", log.display()))
        .output()
        .unwrap();
    assert_eq!(failed.status.code(), Some(1));
    let stderr = String::from_utf8(failed.stderr).unwrap();
    assert_eq!(stderr, "neo4j-agent: /nonexistent/inventory.txt: No such file or directory (os error 2)\n");
    assert_eq!(fs::read_to_string(&log).unwrap(), stderr.trim_end().trim_start_matches("neo4j-agent: "));
}

#[test]
fn databases_lists_the_newest_artifact_of_each_database() {
    let (root, dir) = setup();
    let mut inventory = format!("{HEADER}\n");
    for (db, day) in [("neo4j", 2), ("system", 2), ("neo4j", 1)] {
        inventory.push_str(&format!(
            "| file://{}/{db}-2025-01-0{day}T02-00-00.backup | {db} | id | 2025-01-0{day}T02:00:00 | true | true | 1 | 3 |\n",
            dir.display()
        ));
    }
    let path = root.path().join("inventory.txt");
    fs::write(&path, inventory).unwrap();
    let out = root.path().join("databases");
    let names = neo4j_agent::databases::write_databases(&path, &out, None).unwrap();
    assert_eq!(names, vec!["neo4j", "system"]);
    let d = dir.display();
    assert_eq!(
        fs::read_to_string(&out).unwrap(),
        format!("neo4j\t{d}/neo4j-2025-01-02T02-00-00.backup\nsystem\t{d}/system-2025-01-02T02-00-00.backup\n")
    );
    let one = neo4j_agent::databases::write_databases(&path, &out, Some("system")).unwrap();
    assert_eq!(one, vec!["system"]);
    assert_eq!(fs::read_to_string(&out).unwrap(), format!("system\t{d}/system-2025-01-02T02-00-00.backup\n"));
    let missing = neo4j_agent::databases::write_databases(&path, &out, Some("orders")).unwrap_err();
    assert_eq!(missing.to_string(), "the backup location has no backup of database \"orders\" to verify");
    fs::write(&path, format!("{HEADER}\n")).unwrap();
    let empty = neo4j_agent::databases::write_databases(&path, &out, None).unwrap_err();
    assert_eq!(empty.to_string(), "the backup location has no backups to verify");
}
