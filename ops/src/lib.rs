//! What every kubectl-neo4j server binary does the same way: log setup, the process entry point
//! (one rustls crypto provider, a runtime, errors reported once), metrics exposition, and where the
//! Neo4j operator's target kinds are served ([`targets`]); and for the controller and the plugin,
//! Bolt to a target ([`bolt`]) and its health checks run over it ([`health`]).

pub mod bolt;
pub mod health;
pub mod targets;

use std::future::Future;
use std::io::IsTerminal;
use std::process::ExitCode;

/// Log format: JSON in a cluster, human text on a terminal.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum LogFormat {
    /// JSON when stderr is not a terminal, text otherwise.
    Auto,
    /// One JSON object per line.
    Json,
    /// Human-readable text.
    Text,
}

/// Sets up logging to stderr; `RUST_LOG` filters (default `info`).
pub fn init_logs(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into());
    let json = match format {
        LogFormat::Auto => !std::io::stderr().is_terminal(),
        LogFormat::Json => true,
        LogFormat::Text => false,
    };
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    if json { builder.json().init() } else { builder.init() }
}

/// Runs a server binary: installs the one rustls crypto provider (ring; aws-lc-rs is kept out of
/// the build), runs `body` on a Tokio runtime, and reports a failure once on stderr and in the logs.
pub fn run_main<F>(name: &str, body: F) -> ExitCode
where
    F: Future<Output = Result<(), Box<dyn std::error::Error>>>,
{
    let _ = rustls::crypto::ring::default_provider().install_default();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("{name}: cannot start: {err}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(body) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            tracing::error!(error = %err, "{name} stopped");
            eprintln!("{name}: {err}");
            ExitCode::FAILURE
        }
    }
}

/// Resolves at SIGTERM (how Kubernetes stops a Pod) or Ctrl-C.
pub async fn shutdown_signal() {
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {},
        _ = terminate => {},
    }
}

/// The OpenMetrics text exposition of a registry (empty if encoding fails, which it does not for
/// the metric types we register).
pub fn render_metrics(registry: &prometheus_client::registry::Registry) -> String {
    let mut text = String::new();
    if prometheus_client::encoding::text::encode(&mut text, registry).is_err() {
        text.clear();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failing_body_is_a_failure_exit() {
        assert_eq!(run_main("t", async { Err("boom".into()) }), ExitCode::FAILURE);
        assert_eq!(run_main("t", async { Ok(()) }), ExitCode::SUCCESS);
    }

    #[test]
    fn metrics_render_in_openmetrics_text() {
        let mut registry = prometheus_client::registry::Registry::default();
        let counter = prometheus_client::metrics::counter::Counter::<u64>::default();
        registry.register("things", "Things", counter.clone());
        counter.inc();
        assert!(render_metrics(&registry).contains("things_total 1"));
    }
}
