//! `neo4j-agent choose`, run as the restore's inspect Pod runs it.

use std::process::Command;

const INVENTORY: &str = "\
| FILE | DATABASE | DATABASE ID | TIME (UTC) | FULL | COMPRESSED | LOWEST TX | HIGHEST TX |
| s3://b/p/orders-2025-01-01T02-00-00.backup | orders | id | 2025-01-01T02:00:00 | true | true | 1 | 9 |
| s3://b/p/orders-2025-01-02T02-00-00.backup | orders | id | 2025-01-02T02:00:00 | false | true | 10 | 20 |
";

fn choose(args: &[&str]) -> (Option<i32>, String, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let inventory = dir.path().join("inventory.txt");
    std::fs::write(&inventory, INVENTORY).unwrap();
    let log = dir.path().join("termination-log");
    let output = Command::new(env!("CARGO_BIN_EXE_neo4j-agent"))
        .arg("choose")
        .arg(format!("--inventory={}", inventory.display()))
        .arg(format!("--termination-log={}", log.display()))
        .args(args)
        .output()
        .unwrap();
    (
        output.status.code(),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
        std::fs::read_to_string(&log).unwrap(),
    )
}

#[test]
fn reports_the_chosen_artifact_as_json() {
    let (code, stdout, _, log) = choose(&["--database=orders"]);
    assert_eq!(code, Some(0));
    let expected = r#"{"uri":"s3://b/p/orders-2025-01-02T02-00-00.backup","database":"orders","time":"2025-01-02T02:00:00Z","full":false}"#;
    assert_eq!(stdout, format!("{expected}\n"));
    assert_eq!(log, expected);
    let (code, stdout, _, _) = choose(&["--database=orders", "--point-in-time=2025-01-01T12:00:00+01:00"]);
    assert_eq!(code, Some(0));
    assert!(stdout.contains("orders-2025-01-02T02-00-00.backup"), "{stdout}");
}

#[test]
fn refusals_say_why() {
    let (code, _, stderr, log) = choose(&["--database=sales"]);
    assert_eq!(code, Some(1));
    assert_eq!(stderr, "neo4j-agent: the location has no backup of database \"sales\"; it has backups of orders\n");
    assert_eq!(log, "the location has no backup of database \"sales\"; it has backups of orders");
    let (code, _, stderr, _) = choose(&["--database=orders", "--point-in-time=noon"]);
    assert_eq!(code, Some(1));
    assert_eq!(stderr, "neo4j-agent: --point-in-time \"noon\" is not an RFC 3339 time\n");
}
