//! `neo4j-agent manifest` and `neo4j-agent verify`: the SHA-256 of every artifact of a backup
//! folder, recorded in a manifest (`neo4j_api::manifest`) in the folder's `.kubectl-neo4j/`, and an
//! artifact checked against its manifest before it is restored. Digests are streamed: memory
//! stays flat whatever the artifact's size.

use std::io::Read;
use std::path::Path;

use neo4j_api::inspect::Listed;
use neo4j_api::manifest::{self, FileDigest, Manifest, Verdict};
use sha2::{Digest, Sha256};

use crate::{FileError, at};

/// How much of a file is read at once.
const CHUNK: usize = 1024 * 1024;

/// The size and SHA-256 of the file at `path`, named `name` in the manifest.
pub fn digest(path: &Path, name: &str) -> Result<FileDigest, FileError> {
    let mut file = std::fs::File::open(path).map_err(at(path))?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0; CHUNK];
    let mut size = 0u64;
    loop {
        let read = file.read(&mut buffer).map_err(at(path))?;
        if read == 0 {
            break;
        }
        hasher.update(&buffer[..read]);
        size += read as u64;
    }
    let sha256 = hasher.finalize().iter().map(|byte| format!("{byte:02x}")).collect();
    Ok(FileDigest { path: name.to_owned(), size, sha256 })
}

/// Writes the manifest of every artifact of `listed` that lies in `folder` and has none yet;
/// returns the artifacts it recorded. A manifest is written whole or not at all (a temporary file
/// renamed), and one that exists is never rewritten: it was made when the artifact was new.
pub fn record(
    folder: &Path,
    listed: &[Listed],
    neo4j_version: Option<&str>,
    written_by: &str,
) -> Result<Vec<String>, FileError> {
    let manifests = folder.join(manifest::FOLDER);
    let mut recorded = Vec::new();
    for entry in listed {
        let file = &entry.artifact.file;
        let path = folder.join(file);
        let target = manifests.join(manifest::manifest_name(file));
        if !path.is_file() || target.exists() {
            continue;
        }
        std::fs::create_dir_all(&manifests).map_err(at(&manifests))?;
        let files = vec![digest(&path, file)?];
        let made: Manifest = manifest::of(&entry.artifact, files, neo4j_version.map(str::to_owned), written_by);
        let text = serde_json::to_string_pretty(&made).expect("a manifest serialises");
        let partial = manifests.join(format!(".{}.partial", manifest::manifest_name(file)));
        std::fs::write(&partial, text).map_err(at(&partial))?;
        std::fs::rename(&partial, &target).map_err(at(&target))?;
        recorded.push(file.clone());
    }
    Ok(recorded)
}

/// Checks the artifact `file` of `folder` against its manifest.
pub fn verify(folder: &Path, file: &str) -> Result<Verdict, String> {
    let path = folder.join(manifest::FOLDER).join(manifest::manifest_name(file));
    let recorded = match std::fs::read_to_string(&path) {
        Ok(text) => Some(manifest::read(&path.display().to_string(), &text)?),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => None,
        Err(err) => return Err(at(&path)(err).to_string()),
    };
    let found = digest(&folder.join(file), file).map_err(|err| err.to_string())?;
    Ok(manifest::verify(recorded.as_ref(), file, &[found]))
}
