//! The manifest kept for every backup artifact (issue 16, item 1), pure: what it records (the
//! SHA-256 and size of every file, the inspect metadata of the artifact, who wrote it), how it is
//! read back (bounded, versioned, refused when it cannot be trusted), and what a check of the
//! artifact against it means. The agent computes the digests and moves the bytes.

use serde::{Deserialize, Serialize};

use crate::chain::Artifact;

/// The manifest format this version writes and reads.
pub const FORMAT: u32 = 1;

/// A manifest is the artifact's name with this appended.
pub const SUFFIX: &str = ".manifest.json";

/// The folder of the manifests, inside the backup folder. Not beside the artifacts: neo4j-admin's
/// open code (`database load`) reads only files ending in `.backup` and skips directories, and
/// puts its own temporary directory inside `--from-path` (backup-restore/restore-backup.adoc);
/// how its Enterprise commands (inspect, DIFF chains, restore, aggregate) treat other files next
/// to artifacts is not documented, so nothing of ours lies there.
pub const FOLDER: &str = ".kubectl-neo4j";

/// The most a manifest may hold: a few hundred bytes per file of one artifact.
pub const MAX_BYTES: usize = 64 * 1024;

/// The manifest's file name for `artifact` (never ending in `.backup`).
pub fn manifest_name(artifact: &str) -> String {
    format!("{artifact}{SUFFIX}")
}

/// Where the manifest of `artifact` lies, below the backup folder `folder` (a path or a URI).
pub fn manifest_path(folder: &str, artifact: &str) -> String {
    format!("{}/{FOLDER}/{}", folder.trim_end_matches('/'), manifest_name(artifact))
}

/// One file of an artifact.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct FileDigest {
    /// Its path relative to the artifact's folder (the artifact's own name for a one-file artifact).
    pub path: String,
    /// Its size in bytes.
    pub size: u64,
    /// Its SHA-256, 64 lowercase hexadecimal digits.
    pub sha256: String,
}

/// What is recorded of an artifact.
/// Fields a later version adds within one format are read past (a reader of format 1 reads any
/// manifest of format 1); what older readers cannot read gets a new format.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Manifest {
    /// [`FORMAT`].
    pub format: u32,
    /// The artifact's file name, e.g. `orders-2025-01-20T02-00-00.backup`.
    pub artifact: String,
    /// The database it holds.
    pub database: String,
    /// Its DATABASE ID (the lineage), when neo4j-admin printed one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database_id: Option<String>,
    /// When it was taken (RFC 3339).
    pub time: String,
    /// FULL (true) or DIFF (false).
    pub full: bool,
    /// The transactions it carries (LOWEST TX, HIGHEST TX), when printed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transactions: Option<(u64, u64)>,
    /// The Neo4j version that wrote it, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub neo4j_version: Option<String>,
    /// What wrote the manifest, e.g. `kubectl-neo4j 0.1.0`.
    pub written_by: String,
    /// Every file, sorted by path.
    pub files: Vec<FileDigest>,
}

/// The manifest of `artifact` (as `neo4j-admin backup inspect` listed it) and its `files`.
pub fn of(
    artifact: &Artifact,
    mut files: Vec<FileDigest>,
    neo4j_version: Option<String>,
    written_by: &str,
) -> Manifest {
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Manifest {
        format: FORMAT,
        artifact: artifact.file.clone(),
        database: artifact.database.clone(),
        database_id: artifact.lineage.clone(),
        time: artifact.time.to_string(),
        full: artifact.full,
        transactions: artifact.transactions,
        neo4j_version,
        written_by: written_by.to_owned(),
        files,
    }
}

fn is_digest(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Reads the manifest at `name` from `text`: at most [`MAX_BYTES`], of [`FORMAT`], every digest
/// well formed and every path inside the artifact's folder. Anything else is refused, by name.
pub fn read(name: &str, text: &str) -> Result<Manifest, String> {
    if text.len() > MAX_BYTES {
        return Err(format!("{name} holds {} bytes; a manifest holds at most {MAX_BYTES}", text.len()));
    }
    let format = serde_json::from_str::<serde_json::Value>(text)
        .map_err(|err| format!("{name} is not JSON: {err}"))?
        .get("format")
        .and_then(serde_json::Value::as_u64);
    match format {
        Some(found) if found == u64::from(FORMAT) => {}
        Some(found) => {
            return Err(format!(
                "{name} has format {found}; this kubectl-neo4j reads format {FORMAT}: upgrade it to verify this artifact"
            ));
        }
        None => return Err(format!("{name} has no format: it is not a manifest of kubectl-neo4j")),
    }
    let manifest: Manifest = serde_json::from_str(text).map_err(|err| format!("{name} cannot be read: {err}"))?;
    for file in &manifest.files {
        if !is_digest(&file.sha256) {
            return Err(format!("{name}: the SHA-256 of {:?} is not 64 lowercase hexadecimal digits", file.path));
        }
        let outside = file.path.is_empty()
            || file.path.starts_with('/')
            || file.path.split(['/', '\\']).any(|part| part == ".." || part.is_empty());
        if outside {
            return Err(format!("{name}: {:?} is not a path inside the artifact's folder", file.path));
        }
    }
    Ok(manifest)
}

/// What a check of an artifact against its manifest found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Every file as recorded.
    Intact {
        /// How many files were checked.
        files: usize,
    },
    /// No manifest (a backup from before manifests, or by another tool): a warning, not a failure.
    Unverified(String),
    /// Files missing, added or changed, each named: the artifact is not restored.
    Tampered(Vec<String>),
}

/// `found` (the files of `artifact` as they are now) against `manifest`.
pub fn verify(manifest: Option<&Manifest>, artifact: &str, found: &[FileDigest]) -> Verdict {
    let Some(manifest) = manifest else {
        return Verdict::Unverified(format!(
            "{artifact} has no manifest ({}): it was written before kubectl-neo4j kept checksums, or by another tool, and is restored unverified",
            manifest_name(artifact)
        ));
    };
    let mut problems = Vec::new();
    if manifest.artifact != artifact {
        problems.push(format!("the manifest describes {}, not {artifact}", manifest.artifact));
    }
    for recorded in &manifest.files {
        match found.iter().find(|f| f.path == recorded.path) {
            None => problems.push(format!("{} is missing", recorded.path)),
            Some(now) if now.size != recorded.size => problems
                .push(format!("{} has {} bytes; the manifest records {}", recorded.path, now.size, recorded.size)),
            Some(now) if now.sha256 != recorded.sha256 => problems.push(format!(
                "{} has SHA-256 {}; the manifest records {}",
                recorded.path, now.sha256, recorded.sha256
            )),
            Some(_) => {}
        }
    }
    for extra in found.iter().filter(|f| !manifest.files.iter().any(|r| r.path == f.path)) {
        problems.push(format!("{} is not in the manifest", extra.path));
    }
    if problems.is_empty() { Verdict::Intact { files: found.len() } } else { Verdict::Tampered(problems) }
}
