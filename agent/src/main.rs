use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use k8s_openapi::jiff::Timestamp;
use neo4j_agent::checksum::{record, verify};
use neo4j_agent::choose::choose_artifact;
use neo4j_agent::databases::write_databases;
use neo4j_agent::measure::{measure, report};
use neo4j_agent::prune::{Disposal, prune};
use neo4j_agent::window::window_report;
use neo4j_api::manifest::Verdict;
use neo4j_api::retention::Policy;

/// Agent of kubectl-neo4j: runs inside backup Pods, on what neo4j-admin wrote.
#[derive(Debug, Parser)]
#[command(name = "neo4j-agent", version)]
struct Args {
    #[command(subcommand)]
    command: Command,
    /// Where Kubernetes reads a container's termination message (shown in the Pod's status).
    #[arg(long, global = true, default_value = "/dev/termination-log")]
    termination_log: PathBuf,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum DeletePolicy {
    Delete,
    Archive,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Apply a retention policy to a backup directory, chain-aware.
    Retention {
        /// Output of `neo4j-admin backup inspect <dir> --empty` for the directory.
        #[arg(long)]
        inventory: PathBuf,
        /// The backup directory.
        #[arg(long)]
        dir: PathBuf,
        /// Keep artifacts at most this many seconds old.
        #[arg(long)]
        max_age_seconds: Option<u64>,
        /// Keep at most this many artifacts per database.
        #[arg(long)]
        max_count: Option<usize>,
        /// What to do with the artifacts no longer kept.
        #[arg(long, value_enum, default_value = "delete", ignore_case = true)]
        delete_policy: DeletePolicy,
    },
    /// Choose the artifact a restore reads; print it as JSON.
    Choose {
        /// Output of `neo4j-admin backup inspect <location> --empty` for the location.
        #[arg(long)]
        inventory: PathBuf,
        /// The database in the backups.
        #[arg(long)]
        database: String,
        /// Restore to this moment (RFC 3339): the chain covering it is chosen.
        #[arg(long, conflicts_with = "until_transaction")]
        point_in_time: Option<String>,
        /// Restore up to, but not including, this transaction id: the chain holding the one before it.
        #[arg(long)]
        until_transaction: Option<u64>,
    },
    /// Report the bytes and files a restore wrote, as JSON.
    Measure {
        /// Directories (or files) to measure, e.g. the database's store and transaction directories.
        #[arg(long = "path", required = true)]
        paths: Vec<PathBuf>,
    },
    /// Write the newest artifact of each database of a backup location, `<database>\t<artifact>` per line.
    Databases {
        /// Output of `neo4j-admin backup inspect` for the location.
        #[arg(long)]
        inventory: PathBuf,
        /// Where to write the list.
        #[arg(long)]
        out: PathBuf,
        /// Only this database (a backup of one database).
        #[arg(long)]
        database: Option<String>,
    },
    /// Report the recoverable window of every database of a location, as JSON.
    Window {
        /// Output of `neo4j-admin backup inspect <location> --empty` for the location.
        #[arg(long)]
        inventory: PathBuf,
    },
    /// Record the SHA-256 of every artifact of a backup folder without a manifest yet, in the
    /// folder's `.kubectl-neo4j/`.
    Manifest {
        /// Output of `neo4j-admin backup inspect <dir> --empty` for the folder.
        #[arg(long)]
        inventory: PathBuf,
        /// The backup folder.
        #[arg(long)]
        dir: PathBuf,
        /// The Neo4j version that wrote the artifacts, e.g. 2025.01.0.
        #[arg(long)]
        neo4j_version: Option<String>,
    },
    /// Check one artifact against its manifest: exit 1, naming each file, when it changed.
    Verify {
        /// The backup folder.
        #[arg(long)]
        dir: PathBuf,
        /// The artifact's file name.
        #[arg(long)]
        artifact: String,
    },
}

fn run(command: Command) -> Result<String, String> {
    match command {
        Command::Retention { inventory, dir, max_age_seconds, max_count, delete_policy } => {
            let policy = Policy { max_age_seconds, max_count };
            let disposal = match delete_policy {
                DeletePolicy::Delete => Disposal::Delete,
                DeletePolicy::Archive => Disposal::Archive,
            };
            prune(&inventory, &dir, policy, disposal, Timestamp::now())
                .map(|report| report.summary())
                .map_err(|err| err.to_string())
        }
        Command::Choose { inventory, database, point_in_time, until_transaction } => {
            choose_artifact(&inventory, &database, point_in_time.as_deref(), until_transaction)
                .map_err(|err| err.to_string())
                .and_then(|chosen| serde_json::to_string(&chosen).map_err(|err| err.to_string()))
        }
        Command::Measure { paths } => {
            let paths: Vec<&std::path::Path> = paths.iter().map(PathBuf::as_path).collect();
            measure(&paths).map(|(bytes, files)| report(bytes, files)).map_err(|err| err.to_string())
        }
        Command::Databases { inventory, out, database } => write_databases(&inventory, &out, database.as_deref())
            .map(|names| format!("{} to verify: {}", names.len(), names.join(", ")))
            .map_err(|err| err.to_string()),
        Command::Window { inventory } => window_report(&inventory).map_err(|err| err.to_string()),
        // Never fails the backup, which is taken already: what could not be recorded is said.
        Command::Manifest { inventory, dir, neo4j_version } => {
            let by = concat!("kubectl-neo4j ", env!("CARGO_PKG_VERSION"));
            let read = neo4j_agent::read_inventory(&inventory).map_err(|err| err.to_string()).and_then(|listed| {
                let taken = std::fs::metadata(&inventory).and_then(|m| m.modified()).map_err(|err| err.to_string())?;
                Ok(record(&dir, &listed, taken, neo4j_version.as_deref(), by))
            });
            let done =
                read.unwrap_or_else(|why| neo4j_agent::checksum::Recorded { recorded: vec![], skipped: vec![why] });
            Ok(serde_json::to_string(&done).map_err(|err| err.to_string())?)
        }
        Command::Verify { dir, artifact } => match verify(&dir, &artifact)? {
            Verdict::Intact { files } => Ok(format!("{artifact}: {files} file(s) as recorded")),
            Verdict::Unverified(warning) => Ok(format!("warning: {warning}")),
            Verdict::Tampered(problems) => {
                Err(format!("{artifact} is not as it was backed up, and is not restored: {}", problems.join("; ")))
            }
        },
    }
}

fn main() -> ExitCode {
    let args = Args::parse();
    let result = run(args.command);
    let (line, code) = match &result {
        Ok(summary) => {
            println!("{summary}");
            (summary, ExitCode::SUCCESS)
        }
        Err(error) => {
            eprintln!("neo4j-agent: {error}");
            (error, ExitCode::FAILURE)
        }
    };
    // Best effort: outside a Pod there is no termination log.
    let _ = std::fs::write(&args.termination_log, line);
    code
}
