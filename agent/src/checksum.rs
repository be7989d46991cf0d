//! `neo4j-agent manifest` and `neo4j-agent verify`: the SHA-256 of every artifact of a backup
//! folder, recorded in a manifest (`neo4j_api::manifest`) in the folder's `.kubectl-neo4j/`, and an
//! artifact checked against its manifest before it is restored. Digests are streamed: memory
//! stays flat whatever the artifact's size.

use std::io::Write;
use std::path::Path;
use std::time::SystemTime;

use neo4j_api::inspect::Listed;
use neo4j_api::manifest::{self, FileDigest, Manifest, Verdict};
use sha2::{Digest, Sha256};

use crate::{FileError, at};

/// The size and SHA-256 of the file at `path`, named `name` in the manifest.
pub fn digest(path: &Path, name: &str) -> Result<FileDigest, FileError> {
    let mut file = std::fs::File::open(path).map_err(at(path))?;
    let mut hasher = Sha256::new();
    let size = std::io::copy(&mut file, &mut hasher).map_err(at(path))?;
    let sha256 = hasher.finalize().iter().map(|byte| format!("{byte:02x}")).collect();
    Ok(FileDigest { path: name.to_owned(), size, sha256 })
}

/// What [`record`] did.
#[derive(Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Recorded {
    /// The artifacts whose manifests were written.
    pub recorded: Vec<String>,
    /// Why others were not, one line each: never a failure of the backup, which is taken already.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub skipped: Vec<String>,
}

/// Writes the manifest of every artifact of `listed` that lies in `folder`, was complete when the
/// listing was `taken`, and has none yet. A manifest is written whole or not at all (a file of
/// this process, synced, then renamed), and one that exists is never rewritten: it was made when
/// the artifact was new. What cannot be recorded is said, never fatal.
pub fn record(
    folder: &Path,
    listed: &[Listed],
    taken: SystemTime,
    neo4j_version: Option<&str>,
    written_by: &str,
) -> Recorded {
    let manifests = folder.join(manifest::FOLDER);
    let mut done = Recorded::default();
    for entry in listed {
        let file = &entry.artifact.file;
        let path = folder.join(file);
        let target = manifests.join(manifest::manifest_name(file));
        if crate::prune::listed_dir(&entry.uri).as_deref() != Some(folder) || target.exists() {
            continue;
        }
        match std::fs::metadata(&path).and_then(|m| m.modified()) {
            // Written after the listing: another run's artifact, recorded by that run.
            Ok(modified) if modified > taken => continue,
            Ok(_) => {}
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => continue,
            Err(err) => {
                done.skipped.push(at(&path)(err).to_string());
                continue;
            }
        }
        let written = written_whole(&manifests, &target, || {
            let files = vec![digest(&path, file)?];
            let made: Manifest = manifest::of(&entry.artifact, files, neo4j_version.map(str::to_owned), written_by);
            Ok(serde_json::to_string_pretty(&made).expect("a manifest serialises"))
        });
        match written {
            Ok(()) => done.recorded.push(file.clone()),
            Err(err) => done.skipped.push(err.to_string()),
        }
    }
    done
}

fn written_whole(
    folder: &Path,
    target: &Path,
    text: impl FnOnce() -> Result<String, FileError>,
) -> Result<(), FileError> {
    std::fs::create_dir_all(folder).map_err(at(folder))?;
    let text = text()?;
    let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let partial = folder.join(format!(".{name}.{}.partial", std::process::id()));
    let mut file = std::fs::File::create(&partial).map_err(at(&partial))?;
    let synced = file.write_all(text.as_bytes()).and_then(|()| file.sync_all());
    if let Err(err) = synced.and_then(|()| std::fs::rename(&partial, target)) {
        let _ = std::fs::remove_file(&partial);
        return Err(at(target)(err));
    }
    // The rename itself survives a crash once the folder is synced.
    let _ = std::fs::File::open(folder).and_then(|dir| dir.sync_all());
    Ok(())
}

/// Checks the artifact `file` of `folder` against its manifest.
pub fn verify(folder: &Path, file: &str) -> Result<Verdict, String> {
    let path = folder.join(manifest::FOLDER).join(manifest::manifest_name(file));
    let recorded = match std::fs::metadata(&path) {
        Ok(meta) if meta.len() > manifest::MAX_BYTES as u64 => {
            return Err(format!(
                "{} holds {} bytes; a manifest holds at most {}",
                path.display(),
                meta.len(),
                manifest::MAX_BYTES
            ));
        }
        Ok(_) => {
            let text = std::fs::read_to_string(&path).map_err(|err| at(&path)(err).to_string())?;
            Some(manifest::read(&path.display().to_string(), &text)?)
        }
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => None,
        Err(err) => return Err(at(&path)(err).to_string()),
    };
    let found = digest(&folder.join(file), file).map_err(|err| err.to_string())?;
    Ok(manifest::verify(recorded.as_ref(), file, &[found]))
}
