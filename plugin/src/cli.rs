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
    after_help = "Examples:\n  # Install the CustomResourceDefinitions into the current cluster\n  kubectl neo4j manifests | kubectl apply --server-side -f -\n\n  # Read the documentation of a field once the CRDs are installed\n  kubectl explain neo4jrestore.spec.source.pitr"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// The verbs.
#[derive(Debug, Subcommand)]
pub enum Command {
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
}

/// Runs a parsed command line, writing results to `out`.
pub fn run(cli: Cli, out: &mut impl Write) -> Result<(), CliError> {
    match cli.command {
        Command::Manifests => {
            let files = manifests::crd_files()?;
            out.write_all(manifests::multi_document(&files).as_bytes())?;
        }
        Command::Version => writeln!(out, "kubectl-neo4j {}", env!("CARGO_PKG_VERSION"))?,
    }
    out.flush()?;
    Ok(())
}
