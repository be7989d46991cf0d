use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;

use axum::Router;
use axum::routing::get;
use clap::Parser;
use kube::runtime::events::{Recorder, Reporter};
use neo4j_controller::backup::{self, Ctx};
use neo4j_controller::leader;
use neo4j_controller::metrics::Metrics;
use neo4j_ops::LogFormat;

/// Controller of kubectl-neo4j: runs Neo4jBackup resources as neo4j-admin Jobs and CronJobs, and
/// Neo4jRestore resources as verified, crash-safe restores; reports their status.
#[derive(Debug, Parser)]
#[command(name = "neo4j-controller", version)]
struct Args {
    /// Serve /metrics and /healthz over plain HTTP here.
    #[arg(long, env = "CONTROLLER_METRICS_LISTEN", default_value = "0.0.0.0:8080")]
    metrics_listen: SocketAddr,
    /// Run without leader election (only safe with a single replica).
    #[arg(long)]
    no_leader_election: bool,
    /// Namespace of the leader-election Lease.
    #[arg(long, env = "POD_NAMESPACE", default_value = "neo4j-system")]
    lease_namespace: String,
    /// Name of the leader-election Lease.
    #[arg(long, default_value = neo4j_api::lease::NAME)]
    lease_name: String,
    /// This replica's identity in the Lease (the pod name in a cluster).
    #[arg(long, env = "POD_NAME")]
    identity: Option<String>,
    /// Image of neo4j-agent, which runs beside neo4j-admin in backup Pods (retention, and the
    /// database list when verifying a whole-cluster backup).
    #[arg(long, env = "AGENT_IMAGE", default_value = neo4j_api::plan::pod::DEFAULT_AGENT_IMAGE)]
    agent_image: String,
    /// Let backups name targets in other namespaces. Turn on only where the admission webhook
    /// runs: it checks that whoever writes a backup may read the target there.
    #[arg(long, env = "CROSS_NAMESPACE_TARGETS")]
    cross_namespace_targets: bool,
    /// Reconcile only in these namespaces (comma-separated), for an install whose Roles grant
    /// only them (`kubectl neo4j install --namespaces`); every namespace when unset.
    #[arg(long, env = "WATCH_NAMESPACES", value_delimiter = ',')]
    watch_namespaces: Vec<String>,
    /// Log format: json in a cluster, text on a terminal.
    #[arg(long, value_enum, default_value_t = LogFormat::Auto)]
    log_format: LogFormat,
}

fn identity(args: &Args) -> String {
    args.identity
        .clone()
        .or_else(|| std::fs::read_to_string("/etc/hostname").ok().map(|h| h.trim().to_owned()))
        .filter(|id| !id.is_empty())
        .unwrap_or_else(|| format!("neo4j-controller-{}", std::process::id()))
}

async fn run(args: Args) -> Result<(), Box<dyn std::error::Error>> {
    let client = kube::Client::try_default().await.map_err(|err| format!("no API server to control: {err}"))?;
    let metrics = Arc::new(Metrics::default());
    let served = metrics.clone();
    let router = Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/metrics", get(move || async move { served.render() }));
    let listener = tokio::net::TcpListener::bind(args.metrics_listen).await?;
    tokio::spawn(async move {
        if let Err(err) = axum::serve(listener, router).await {
            tracing::error!(error = %err, "metrics endpoint stopped");
        }
    });

    let me = identity(&args);
    let lost = if args.no_leader_election {
        None
    } else {
        tracing::info!(identity = %me, lease = %args.lease_name, "waiting to lead");
        Some(leader::lead(client.clone(), &args.lease_namespace, &args.lease_name, &me).await)
    };
    let reporter = Reporter { controller: "kubectl-neo4j".into(), instance: Some(me) };
    let ctx = Arc::new(Ctx {
        client: client.clone(),
        recorder: Recorder::new(client, reporter),
        now: k8s_openapi::jiff::Timestamp::now,
        metrics,
        agent_image: args.agent_image.clone(),
        cross_namespace_targets: args.cross_namespace_targets,
        admin: Arc::new(neo4j_controller::restore::bolt::Bolt),
        // Discovered at the first reconcile: the Neo4j operator serves v1alpha1 or v1beta1.
        target_apis: Default::default(),
    });
    tracing::info!("reconciling Neo4jBackups, Neo4jRestores and point-in-time protections");
    // One pair of controllers per watched namespace, or one pair over all of them.
    let scopes: Vec<Option<String>> = match args.watch_namespaces.as_slice() {
        [] => vec![None],
        namespaces => namespaces.iter().map(|ns| Some(ns.trim().to_owned())).collect(),
    };
    let controllers = futures::future::join_all(scopes.into_iter().map(|scope| {
        let ctx = ctx.clone();
        async move {
            tokio::join!(
                backup::run(ctx.clone(), scope.as_deref()),
                neo4j_controller::restore::run(ctx.clone(), scope.as_deref()),
                neo4j_controller::pitr::run(ctx, scope.as_deref())
            );
        }
    }));
    match lost {
        Some(lost) => tokio::select! {
            _ = controllers => Ok(()),
            _ = lost => Err("lost leadership; exiting so a restart starts clean".into()),
        },
        None => {
            controllers.await;
            Ok(())
        }
    }
}

fn main() -> ExitCode {
    let args = Args::parse();
    neo4j_ops::init_logs(args.log_format);
    neo4j_ops::run_main("neo4j-controller", run(args))
}
