//! `neo4j-agent measure`: how much a restore wrote (bytes and files under the restored database's
//! store and transaction directories), reported as JSON for the restore's status.

use std::path::Path;

use serde_json::json;

use crate::{FileError, at};

/// Bytes and files under `paths` (a missing path counts as empty: a database without
/// transaction files yet is not an error).
pub fn measure(paths: &[&Path]) -> Result<(u64, u64), FileError> {
    fn walk(path: &Path, totals: &mut (u64, u64)) -> Result<(), FileError> {
        let meta = match std::fs::symlink_metadata(path) {
            Ok(meta) => meta,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(err) => return Err(at(path)(err)),
        };
        if meta.is_dir() {
            for entry in std::fs::read_dir(path).map_err(at(path))? {
                walk(&entry.map_err(at(path))?.path(), totals)?;
            }
        } else if meta.is_file() {
            totals.0 += meta.len();
            totals.1 += 1;
        }
        Ok(())
    }
    let mut totals = (0, 0);
    for path in paths {
        walk(path, &mut totals)?;
    }
    Ok(totals)
}

/// The report line: `{"bytes":N,"files":M}`.
pub fn report(bytes: u64, files: u64) -> String {
    json!({"bytes": bytes, "files": files}).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_files_in_nested_directories_and_ignores_missing_ones() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("databases/orders/schema")).unwrap();
        std::fs::write(dir.path().join("databases/orders/neostore"), vec![0u8; 1000]).unwrap();
        std::fs::write(dir.path().join("databases/orders/schema/index"), vec![0u8; 24]).unwrap();
        let store = dir.path().join("databases/orders");
        let missing = dir.path().join("transactions/orders");
        assert_eq!(measure(&[&store, &missing]).unwrap(), (1024, 2));
        assert_eq!(report(1024, 2), r#"{"bytes":1024,"files":2}"#);
    }
}
