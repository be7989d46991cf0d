//! Command-line interface of `kubectl neo4j`.

use std::io::Write;

use clap::{Parser, Subcommand};

use crate::manifests;

/// Backup, restore and point-in-time recovery for Neo4j Enterprise on Kubernetes.
///
/// Works with the Neo4jBackup and Neo4jRestore custom resources (group neo4j.neo4j.com,
/// version v1alpha1) and the Neo4j operator's Neo4jEnterpriseCluster and
/// Neo4jEnterpriseStandalone targets.
#[derive(Debug, Parser)]
#[command(
    name = "kubectl neo4j",
    bin_name = "kubectl neo4j",
    version,
    after_help = "Examples:\n  # Check manifests offline with the webhook's defaults and rules\n  kubectl neo4j validate -f backups/ -f restore.yaml\n\n  # Install the CustomResourceDefinitions into the current cluster\n  kubectl neo4j manifests | kubectl apply --server-side -f -\n\n  # Read the documentation of a field once the CRDs are installed\n  kubectl explain neo4jrestore.spec.source.pitr"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// The verbs.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check Neo4jBackup, Neo4jRestore and target manifests offline, with the same defaults and
    /// rules as the admission webhook.
    ///
    /// One line per object with its verdict, then every error with its field path, and warnings.
    /// Targets and Neo4jBackups among the inputs are used as context (versions, references).
    /// Exit code: 0 all valid, 1 something invalid, 2 usage or read error.
    #[command(
        after_help = "Examples:\n  kubectl neo4j validate -f nightly-backup.yaml\n  kubectl neo4j validate -f manifests/ -f extra.yaml\n  kubectl kustomize overlays/prod | kubectl neo4j validate -f -"
    )]
    Validate {
        /// A file, a directory (searched recursively for .yaml, .yml and .json) or - for stdin; repeatable.
        #[arg(short = 'f', long = "filename", value_name = "FILE|DIR|-", required = true)]
        files: Vec<String>,
    },
    /// Print the manifests to install as YAML (today: the Neo4jBackup and Neo4jRestore CRDs).
    ///
    /// Needs no cluster. Pipe into `kubectl apply --server-side -f -` to install.
    Manifests,
    /// Print the version of kubectl-neo4j.
    Version,
}

/// Failure of a verb, reported on stderr as one line.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// A manifest could not be rendered.
    #[error(transparent)]
    Render(#[from] manifests::RenderError),
    /// Writing to stdout failed.
    #[error("cannot write output: {0}")]
    Output(#[from] std::io::Error),
    /// Inputs could not be read.
    #[error(transparent)]
    Input(#[from] crate::validate::InputError),
    /// Something was invalid (the report is already written).
    #[error("{0} of {1} object(s) invalid")]
    Invalid(usize, usize),
}

impl CliError {
    /// The process exit code: 1 for invalid manifests, 2 for usage and read errors.
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::Invalid(..) => 1,
            _ => 2,
        }
    }
}

/// Runs a parsed command line, writing results to `out`.
pub fn run(cli: Cli, out: &mut impl Write) -> Result<(), CliError> {
    match cli.command {
        Command::Validate { files } => {
            let documents = crate::validate::read_inputs(&files, &mut std::io::stdin().lock())?;
            let reports = crate::validate::validate(&documents);
            out.write_all(crate::validate::render(&reports).as_bytes())?;
            out.flush()?;
            let invalid = reports.iter().filter(|r| !r.errors.is_empty()).count();
            if invalid > 0 {
                return Err(CliError::Invalid(invalid, reports.len()));
            }
        }
        Command::Manifests => {
            let files = manifests::crd_files()?;
            out.write_all(manifests::multi_document(&files).as_bytes())?;
        }
        Command::Version => writeln!(out, "kubectl-neo4j {}", env!("CARGO_PKG_VERSION"))?,
    }
    out.flush()?;
    Ok(())
}
