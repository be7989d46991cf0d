//! Checksums of backup artifacts (issue 16, item 1): streamed SHA-256 (checked against the
//! standard's known digest), manifests written once in `.kubectl-neo4j/`, and one flipped byte
//! named before a restore.

use std::time::SystemTime;

use neo4j_agent::checksum::{digest, record, verify};
use neo4j_api::manifest::Verdict;

/// What `neo4j-admin backup inspect` prints for two artifacts of `folder`, and one of another folder.
fn inventory(folder: &std::path::Path) -> String {
    let at = folder.display();
    format!(
        "\
| FILE | DATABASE | DATABASE ID | TIME (UTC) | FULL | COMPRESSED | LOWEST TX | HIGHEST TX |
| file://{at}/orders-2025-01-01T02-00-00.backup | orders | id-1 | 2025-01-01T02:00:00 | true | true | 1 | 9 |
| file://{at}/orders-2025-01-02T02-00-00.backup | orders | id-1 | 2025-01-02T02:00:00 | false | true | 10 | 20 |
| file:///elsewhere/orders-2025-01-01T02-00-00.backup | orders | id-1 | 2025-01-01T02:00:00 | true | true | 1 | 9 |
"
    )
}

const BY: &str = "kubectl-neo4j 0.1.0";

#[test]
fn the_digest_is_sha_256_streamed_over_the_whole_file() {
    let dir = tempfile::tempdir().unwrap();
    let small = dir.path().join("hello");
    std::fs::write(&small, "hello").unwrap();
    let found = digest(&small, "hello").unwrap();
    // FIPS 180-4 SHA-256 of "hello", as `sha256sum` prints it.
    assert_eq!(found.sha256, "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
    assert_eq!(found.size, 5);
    // Larger than one read: every chunk counts.
    let large = dir.path().join("large");
    std::fs::write(&large, vec![7u8; 3 * 1024 * 1024 + 11]).unwrap();
    assert_eq!(digest(&large, "large").unwrap().size, 3 * 1024 * 1024 + 11);
}

#[test]
fn manifests_are_written_once_and_a_flipped_byte_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path();
    let (full, diff) = ("orders-2025-01-01T02-00-00.backup", "orders-2025-01-02T02-00-00.backup");
    std::fs::write(folder.join(full), b"full backup bytes").unwrap();
    let listed = neo4j_api::inspect::parse(&inventory(folder)).unwrap();
    // The DIFF is listed but not in this folder (yet): only what is there is recorded, once.
    let done = record(folder, &listed, SystemTime::now(), Some("2025.01.0"), BY);
    assert_eq!((done.recorded, done.skipped), (vec![full.to_owned()], vec![]));
    let written = folder.join(".kubectl-neo4j").join(format!("{full}.manifest.json"));
    let manifest: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&written).unwrap()).unwrap();
    assert_eq!((manifest["database"].as_str(), manifest["databaseId"].as_str()), (Some("orders"), Some("id-1")));
    assert_eq!(manifest["files"][0]["size"], 17);
    let before = SystemTime::now() - std::time::Duration::from_secs(60);
    std::fs::write(folder.join(diff), b"diff").unwrap();
    assert!(record(folder, &listed, before, None, BY).recorded.is_empty(), "written after the listing: not ours");
    assert_eq!(record(folder, &listed, SystemTime::now(), None, BY).recorded, vec![diff.to_owned()], "never rewritten");
    let names: Vec<String> = std::fs::read_dir(folder.join(".kubectl-neo4j"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(!names.iter().any(|n| n.ends_with(".partial")), "{names:?}");
    assert!(
        std::fs::read_dir(folder).unwrap().all(|e| {
            let name = e.unwrap().file_name().to_string_lossy().into_owned();
            name.ends_with(".backup") || name == ".kubectl-neo4j"
        }),
        "nothing of ours beside the artifacts"
    );

    assert_eq!(verify(folder, full), Ok(Verdict::Intact { files: 1 }));
    let mut bytes = std::fs::read(folder.join(full)).unwrap();
    bytes[3] ^= 0x01;
    std::fs::write(folder.join(full), bytes).unwrap();
    let Ok(Verdict::Tampered(problems)) = verify(folder, full) else { panic!("a flipped byte is found") };
    assert_eq!(problems.len(), 1);
    assert!(problems[0].starts_with(&format!("{full} has SHA-256 ")), "{problems:?}");
    std::fs::remove_file(&written).unwrap();
    assert!(matches!(verify(folder, full), Ok(Verdict::Unverified(_))), "no manifest: a warning");
}

/// The commands as a Pod runs them: the verdict in the termination message, exit 1 when tampered.
#[test]
fn verify_fails_the_container_naming_the_file() {
    let inventory_of = inventory;
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path();
    std::fs::write(folder.join("orders-2025-01-01T02-00-00.backup"), b"bytes").unwrap();
    let inventory = folder.join("inventory.txt");
    std::fs::write(&inventory, inventory_of(folder)).unwrap();
    let log = folder.join("termination-log");
    let agent = |args: &[String]| {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_neo4j-agent"))
            .args(args)
            .arg(format!("--termination-log={}", log.display()))
            .output()
            .unwrap();
        (output.status.code(), std::fs::read_to_string(&log).unwrap())
    };
    let dir_arg = format!("--dir={}", folder.display());
    let (code, said) = agent(&["manifest".into(), format!("--inventory={}", inventory.display()), dir_arg.clone()]);
    assert_eq!((code, said.as_str()), (Some(0), r#"{"recorded":["orders-2025-01-01T02-00-00.backup"]}"#));
    // Whatever goes wrong, the backup (taken already) does not fail: it is said.
    let nowhere =
        ["manifest".to_owned(), "--inventory=/no/such/listing".to_owned(), format!("--dir={}", folder.display())];
    let (code, said) = agent(&nowhere);
    assert_eq!(code, Some(0));
    assert!(said.starts_with(r#"{"recorded":[],"skipped":["/no/such/listing: "#), "{said}");
    let verify = ["verify".to_owned(), dir_arg, "--artifact=orders-2025-01-01T02-00-00.backup".to_owned()];
    assert_eq!(agent(&verify), (Some(0), "orders-2025-01-01T02-00-00.backup: 1 file(s) as recorded".to_owned()));
    std::fs::write(folder.join("orders-2025-01-01T02-00-00.backup"), b"bytez").unwrap();
    let (code, said) = agent(&verify);
    assert_eq!(code, Some(1));
    assert!(
        said.starts_with("orders-2025-01-01T02-00-00.backup is not as it was backed up, and is not restored: orders-2025-01-01T02-00-00.backup has SHA-256 "),
        "{said}"
    );
}
