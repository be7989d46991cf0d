//! The manifest beside every backup artifact (issue 16, item 1), pure: what it records, how it is
//! read back, and what a check against it finds, naming each file.

use neo4j_api::chain::Artifact;
use neo4j_api::manifest::{FileDigest, Verdict, manifest_name, of, read, verify};

fn digest(path: &str, size: u64, fill: char) -> FileDigest {
    FileDigest { path: path.into(), size, sha256: fill.to_string().repeat(64) }
}

fn artifact() -> Artifact {
    Artifact {
        file: "orders-2025-01-20T02-00-00.backup".into(),
        database: "orders".into(),
        time: "2025-01-20T02:00:00Z".parse().unwrap(),
        full: false,
        lineage: Some("5d0a6f1e".into()),
        transactions: Some((901, 1200)),
    }
}

#[test]
fn a_manifest_records_the_inspect_metadata_and_every_file_sorted_and_reads_back() {
    let files = vec![digest("orders-2025-01-20T02-00-00.backup", 4096, 'b'), digest("a-first", 1, 'a')];
    let manifest = of(&artifact(), files, Some("2025.01.0".into()), "kubectl-neo4j 0.1.0");
    assert_eq!(manifest_name("orders.backup"), "orders.backup.manifest.json");
    assert_eq!(
        neo4j_api::manifest::manifest_path("s3://b/prod/", "orders.backup"),
        "s3://b/prod/.kubectl-neo4j/orders.backup.manifest.json"
    );
    let text = serde_json::to_string(&manifest).unwrap();
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&text).unwrap(),
        serde_json::json!({"format": 1, "artifact": "orders-2025-01-20T02-00-00.backup", "database": "orders",
            "databaseId": "5d0a6f1e", "time": "2025-01-20T02:00:00Z", "full": false, "transactions": [901, 1200],
            "neo4jVersion": "2025.01.0", "writtenBy": "kubectl-neo4j 0.1.0",
            "files": [{"path": "a-first", "size": 1, "sha256": "a".repeat(64)},
                      {"path": "orders-2025-01-20T02-00-00.backup", "size": 4096, "sha256": "b".repeat(64)}]})
    );
    assert_eq!(read("m.json", &text), Ok(manifest));
}

#[test]
fn a_manifest_that_cannot_be_trusted_is_refused_by_name() {
    let base = |files: serde_json::Value, format: serde_json::Value| {
        serde_json::json!({"format": format, "artifact": "a.backup", "database": "orders", "time": "2025-01-20T02:00:00Z",
            "full": true, "writtenBy": "kubectl-neo4j 0.1.0", "files": files})
        .to_string()
    };
    let ok = serde_json::json!([{"path": "a.backup", "size": 1, "sha256": "0".repeat(64)}]);
    assert_eq!(
        read("m", &base(ok.clone(), serde_json::json!(2))).unwrap_err(),
        "m has format 2; this kubectl-neo4j reads format 1: upgrade it to verify this artifact"
    );
    assert_eq!(read("m", "{}").unwrap_err(), "m has no format: it is not a manifest of kubectl-neo4j");
    assert!(read("m", "not json").unwrap_err().starts_with("m is not JSON: "));
    let upper = serde_json::json!([{"path": "a.backup", "size": 1, "sha256": "A".repeat(64)}]);
    assert_eq!(
        read("m", &base(upper, serde_json::json!(1))).unwrap_err(),
        "m: the SHA-256 of \"a.backup\" is not 64 lowercase hexadecimal digits"
    );
    for path in ["../etc/passwd", "/abs", "a//b", ""] {
        let outside = serde_json::json!([{"path": path, "size": 1, "sha256": "0".repeat(64)}]);
        assert_eq!(
            read("m", &base(outside, serde_json::json!(1))).unwrap_err(),
            format!("m: {path:?} is not a path inside the artifact's folder")
        );
    }
    let huge = " ".repeat(64 * 1024 + 1);
    assert_eq!(read("m", &huge).unwrap_err(), "m holds 65537 bytes; a manifest holds at most 65536");
    // A field a later version adds within format 1 is read past.
    let added = base(ok, serde_json::json!(1)).replace("\"full\":true", "\"full\":true,\"extra\":1");
    assert_eq!(read("m", &added).map(|m| m.artifact), Ok("a.backup".to_owned()));
}

#[test]
fn every_missing_changed_or_added_file_is_named_and_no_manifest_is_a_warning() {
    let recorded = of(&artifact(), vec![digest("x.backup", 10, 'a'), digest("y", 5, 'b')], None, "kubectl-neo4j 0.1.0");
    let name = "orders-2025-01-20T02-00-00.backup";
    let same = vec![digest("x.backup", 10, 'a'), digest("y", 5, 'b')];
    assert_eq!(verify(Some(&recorded), name, &same), Verdict::Intact { files: 2 });
    let flipped = vec![digest("x.backup", 10, 'c'), digest("z", 1, 'd')];
    assert_eq!(
        verify(Some(&recorded), name, &flipped),
        Verdict::Tampered(vec![
            format!("x.backup has SHA-256 {}; the manifest records {}", "c".repeat(64), "a".repeat(64)),
            "y is missing".to_owned(),
            "z is not in the manifest".to_owned(),
        ])
    );
    let shorter = vec![digest("x.backup", 9, 'a'), digest("y", 5, 'b')];
    assert_eq!(
        verify(Some(&recorded), name, &shorter),
        Verdict::Tampered(vec!["x.backup has 9 bytes; the manifest records 10".to_owned()])
    );
    assert_eq!(
        verify(Some(&recorded), "other.backup", &same),
        Verdict::Tampered(vec![format!("the manifest describes {name}, not other.backup")])
    );
    assert_eq!(
        verify(None, name, &same),
        Verdict::Unverified(format!(
            "{name} has no manifest ({name}.manifest.json): it was written before kubectl-neo4j kept checksums, or by another tool, and is restored unverified"
        ))
    );
}
