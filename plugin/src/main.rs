use std::process::ExitCode;

use clap::Parser;
use kubectl_neo4j::cli::{self, Cli, CliError};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli::run(cli, &mut std::io::stdout().lock()) {
        Ok(()) => ExitCode::SUCCESS,
        // A closed pipe (`kubectl neo4j manifests | head`) is not an error worth reporting.
        Err(CliError::Output(err)) if err.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::from(err.exit_code())
        }
    }
}
