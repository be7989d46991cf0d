//! Command-line interface of `kubectl neo4j`.

use std::io::Write;

use clap::{Args, Parser, Subcommand, ValueEnum};

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
    #[command(flatten)]
    pub connection: crate::kubeconfig::ConnectionFlags,
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
    /// Translate the Neo4j operator's own Neo4jBackup and Neo4jRestore manifests
    /// (neo4j.neo4j.com/v1beta1) into kubectl-neo4j's (v1alpha1), offline.
    ///
    /// The converted objects go to stdout as YAML documents; they read and write the folders the
    /// operator used. Each operator field without a counterpart is one line on stderr,
    /// `FILE: KIND/NAME: FIELD: not converted: WHY`, as is each object not converted. Objects that
    /// are already kubectl-neo4j's pass through unchanged; other kinds are left out. Exit code: 0
    /// when every object was converted, also when fields were left out (the lines on stderr say
    /// which); 1 when an object could not be converted, or breaks kubectl-neo4j's rules once
    /// converted (it is written anyway, for you to fix); 2 usage or read error.
    #[command(
        after_help = "Examples:\n  kubectl neo4j convert -f operator-backups/ > backups.yaml\n  kubectl get neo4jbackups.v1beta1.neo4j.neo4j.com,neo4jrestores.v1beta1.neo4j.neo4j.com -A -o yaml | kubectl neo4j convert -f - > converted.yaml"
    )]
    Convert {
        /// A file, a directory (searched recursively for .yaml, .yml and .json) or - for stdin; repeatable.
        #[arg(short = 'f', long = "filename", value_name = "FILE|DIR|-", required = true)]
        files: Vec<String>,
    },
    /// Compose and create Neo4jBackups.
    #[command(subcommand)]
    Backup(BackupCommand),
    /// Compose and create Neo4jRestores.
    #[command(subcommand)]
    Restore(RestoreCommand),
    /// Point-in-time recovery of a cluster or standalone.
    #[command(subcommand)]
    Pitr(PitrCommand),
    /// The output of the newest Job of a backup or restore: every container, neo4j-admin first.
    Logs {
        /// `backup` or `restore`.
        #[arg(value_enum)]
        kind: LogsOf,
        /// Its name.
        name: String,
    },
    /// Health checks of a cluster or standalone, run from here over Bolt.
    ///
    /// The checks the controller runs after every restore, each with its timeout and duration:
    /// connectivity, every database online on every server that hosts it (SHOW DATABASES); with
    /// --database, its indexes and constraints (SHOW INDEXES, SHOW CONSTRAINTS) and its counts.
    /// Then the newest restorable moment of each Neo4jBackup of the target, against its objective
    /// (spec.rpo) or its schedule. Bolt is reached through a port-forward to server 0, as `kubectl
    /// port-forward` does (rights: get Services and the admin Secret, create pods/portforward), or
    /// at --bolt-address. Exit code: 0 healthy (warnings included), 1 a check failed.
    #[command(
        after_help = "Examples:\n  kubectl neo4j health prod\n  kubectl neo4j health prod --database orders -o json\n  kubectl neo4j health prod --bolt-address neo4j.example.com:7687"
    )]
    Health {
        /// The Neo4jEnterpriseCluster or Neo4jEnterpriseStandalone.
        cluster: String,
        /// Also check this database: its indexes, constraints and counts.
        #[arg(long)]
        database: Option<String>,
        /// Reach Bolt at HOST:PORT instead of through a port-forward to server 0 (needed for a
        /// target with TLS: use a host its certificate names).
        #[arg(long, value_name = "HOST:PORT")]
        bolt_address: Option<String>,
        /// Allow --bolt-address to another host for a target without TLS: the admin password then
        /// crosses the network in the clear.
        #[arg(long, requires = "bolt_address")]
        allow_plaintext_bolt: bool,
        /// Output format: the report as text (seed 002's layout), or as JSON or YAML for monitoring.
        #[arg(short = 'o', long, value_enum, default_value = "text")]
        output: PlanFormat,
    },
    /// Every Neo4jBackup and Neo4jRestore of the namespace at a glance: last success, failures, phase.
    Status {
        /// Across all namespaces.
        #[arg(short = 'A', long)]
        all_namespaces: bool,
    },
    /// Print everything to install as YAML: the CRDs, the admission webhook and the controller.
    ///
    /// Needs no cluster; the manifests are embedded in the binary (the same bytes as
    /// manifests/install/ in the repository). Pipe into `kubectl apply --server-side -f -`.
    Manifests {
        /// How the webhook gets its certificate.
        #[arg(long, value_enum, default_value = "cert-manager")]
        tls: crate::manifests::Tls,
    },
    /// Install kubectl-neo4j into the cluster: the CRDs, the admission webhook and the controller.
    ///
    /// Checks first (the API server's version, your permissions, cert-manager, CRDs of the same
    /// names that are not ours) and changes nothing when anything is wrong. Then applies
    /// server-side, one line per step, and applies the webhook configurations last, once the
    /// webhook is available: until then nothing is refused. Safe to run again; `kubectl neo4j
    /// uninstall` undoes it.
    #[command(
        after_help = "Examples:\n  # Install (cert-manager issues the webhook's certificate when it is installed, else the webhook keeps its own)\n  kubectl neo4j install\n\n  # Images from your registry, and wait for the controller too\n  kubectl neo4j install --image-registry registry.example.com/platform --version 0.1.0 --wait\n\n  # Print what would be applied\n  kubectl neo4j install --dry-run=client -o yaml\n\n  # Act in two namespaces only (Roles there, no cluster-wide rights on their objects)\n  kubectl neo4j install --namespaces team-a,team-b"
    )]
    Install {
        /// How the webhook gets its certificate [default: cert-manager when it is installed, else self-managed].
        #[arg(long, value_enum)]
        tls: Option<crate::manifests::Tls>,
        /// Registry (and path) of the neo4j-webhook, neo4j-controller and neo4j-agent images.
        #[arg(long, value_name = "REGISTRY", default_value = neo4j_api::install::images::DEFAULT_REGISTRY)]
        image_registry: String,
        /// Tag of the three images.
        #[arg(long, value_name = "TAG", default_value = env!("CARGO_PKG_VERSION"))]
        version: String,
        /// Pull an image by digest as well, e.g. neo4j-agent=sha256:... (repeatable; the digests a
        /// release publishes with its images).
        #[arg(long, value_name = "NAME=DIGEST")]
        image_digest: Vec<String>,
        /// Also wait until the controller is available.
        #[arg(long)]
        wait: bool,
        /// Act in these namespaces only (comma-separated): Roles there instead of cluster-wide
        /// rights, and the webhook judges objects of these namespaces only.
        #[arg(long, value_name = "NS,...")]
        namespaces: Option<String>,
        /// How long to wait for each Deployment (and the webhook's CA).
        #[arg(long, value_name = "DURATION", default_value = "5m")]
        timeout: String,
        /// `client`: print the manifests instead of applying them (`--dry-run` alone means client, as in kubectl).
        #[arg(long, value_name = "client", num_args = 0..=1, require_equals = true, default_missing_value = "client")]
        dry_run: Option<DryRun>,
        /// Output format of --dry-run (YAML).
        #[arg(short = 'o', long, value_enum, default_value = "yaml")]
        output: Format,
    },
    /// Print the version of kubectl-neo4j.
    Version,
    /// Remove the webhook and the controller. Keeps the CRDs (so every Neo4jBackup and
    /// Neo4jRestore), the namespace, and all backup data and claims.
    Uninstall {
        /// Accepted for compatibility; either variant is removed.
        #[arg(long, value_enum, hide = true)]
        tls: Option<crate::manifests::Tls>,
    },
    /// Print a shell completion script for kubectl-neo4j.
    ///
    /// For `kubectl neo4j <TAB>`, put the `kubectl_complete-neo4j` script shipped next to the
    /// binary on your PATH (kubectl 1.26+ runs it).
    #[command(
        after_help = "Examples:\n  source <(kubectl-neo4j completion bash)\n  kubectl-neo4j completion zsh > \"${fpath[1]}/_kubectl-neo4j\"\n  kubectl-neo4j completion fish > ~/.config/fish/completions/kubectl-neo4j.fish"
    )]
    Completion {
        /// The shell.
        #[arg(value_enum)]
        shell: Shell,
    },
    /// Completion candidates for kubectl's plugin completion (used by kubectl_complete-neo4j).
    #[command(name = "__complete", hide = true)]
    Complete {
        /// The words typed after `kubectl neo4j`; the last is the one being completed.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        words: Vec<String>,
    },
}

/// `list` flags.
#[derive(Debug, Args)]
pub struct ListFlags {
    /// List across all namespaces.
    #[arg(short = 'A', long)]
    pub all_namespaces: bool,
    /// Output format.
    #[arg(short = 'o', long, value_enum, default_value = "table")]
    pub output: crate::online::list::Output,
}

/// `get` flags.
#[derive(Debug, Args)]
pub struct GetFlags {
    /// The object's name.
    pub name: String,
    /// Output format.
    #[arg(short = 'o', long, value_enum, default_value = "table")]
    pub output: crate::online::list::Output,
}

/// `kubectl neo4j backup ...`.
#[derive(Debug, Subcommand)]
// Parsed once per process; boxing the flags would only obscure them.
#[allow(clippy::large_enum_variant)]
pub enum BackupCommand {
    /// List Neo4jBackups: target, storage, schedule, phase, last success.
    List(ListFlags),
    /// Show one Neo4jBackup.
    Get(GetFlags),
    /// The runs of a Neo4jBackup, newest first: Job, type, phase, start, duration, location.
    History {
        /// The Neo4jBackup.
        name: String,
    },
    /// Everything about one Neo4jBackup: phase, spec, conditions, history, events.
    Describe {
        /// The Neo4jBackup.
        name: String,
    },
    /// Run a scheduled backup now (like `kubectl create job --from=cronjob/<name>-backup`).
    Run {
        /// The Neo4jBackup.
        name: String,
    },
    /// Delete a Neo4jBackup (its backup artifacts and claims are kept).
    Delete {
        /// The Neo4jBackup.
        name: String,
    },
    /// Compose a Neo4jBackup from flags: complete (every default filled in) and validated.
    #[command(
        after_help = "Examples:\n  kubectl neo4j backup create nightly --cluster prod --schedule \"0 2 * * *\" --s3 my-bucket/prod --secret aws-creds --dry-run=client -o yaml\n  kubectl neo4j backup create orders-once --cluster prod --database orders --pvc-size 50Gi --dry-run=client -o yaml | kubectl apply -f -"
    )]
    Create {
        #[command(flatten)]
        flags: crate::compose::BackupFlags,
        #[command(flatten)]
        emit: Emit,
    },
}

/// `kubectl neo4j pitr ...`.
#[derive(Debug, Subcommand)]
pub enum PitrCommand {
    /// Shipping on or off, its interval and lag, the last base backup, and what can be restored
    /// of each database (from the protection `<CLUSTER>-pitr` the controller keeps).
    #[command(after_help = "Examples:\n  kubectl neo4j pitr status prod\n  kubectl neo4j pitr status prod -o json")]
    Status {
        /// The Neo4jEnterpriseCluster or Neo4jEnterpriseStandalone.
        cluster: String,
        /// Output format.
        #[arg(short = 'o', long, value_enum, default_value = "table")]
        output: crate::online::pitr::Output,
    },
}

/// `kubectl neo4j restore ...`.
#[derive(Debug, Subcommand)]
// Parsed once per process; boxing the flags would only obscure them.
#[allow(clippy::large_enum_variant)]
pub enum RestoreCommand {
    /// List Neo4jRestores: target, database, source, phase, step.
    List(ListFlags),
    /// Show one Neo4jRestore.
    Get(GetFlags),
    /// Everything about one Neo4jRestore: phase, step, artifact, recorded size, stats, conditions, events.
    Describe {
        /// The Neo4jRestore.
        name: String,
    },
    /// Follow a Neo4jRestore until it ends; exit code 0 when it completed, 1 when it failed.
    Watch {
        /// The Neo4jRestore.
        name: String,
        /// How long to follow it, e.g. 2h.
        #[arg(long, value_name = "DURATION", default_value = "2h")]
        timeout: String,
    },
    /// Switch the alias of a restore that promotes by hand (`promotion.automatic: false`) to its
    /// candidate: the controller does it once the candidate passed its health checks.
    #[command(after_help = "Examples:\n  kubectl neo4j restore promote orders-back")]
    Promote {
        /// The Neo4jRestore.
        name: String,
    },
    /// Delete a Neo4jRestore (a stopped target is scaled back first by the controller).
    Delete {
        /// The Neo4jRestore.
        name: String,
    },
    /// What a restore will do before it does it: the artifacts, the moment reached, every step
    /// in order, what is destructive, the downtime and what would make it fail. Exit code 0 when
    /// the plan can run, 1 when it cannot.
    #[command(
        after_help = "Examples:\n  kubectl neo4j restore plan -f restore.yaml\n  kubectl neo4j restore plan recover-orders -o json\n  kubectl neo4j restore plan orders-back --cluster prod --database orders --from-backup nightly --force"
    )]
    Plan {
        /// A file with one Neo4jRestore (`-` for standard input), created or not.
        #[arg(short = 'f', long = "filename", value_name = "FILE")]
        file: Option<String>,
        /// The name of an existing Neo4jRestore, or with --cluster and the flags of `restore
        /// create`, the one they compose.
        #[command(flatten)]
        flags: crate::compose::RestoreFlags,
        /// Output format.
        #[arg(short = 'o', long, value_enum, default_value = "text")]
        output: PlanFormat,
    },
    /// Compose a Neo4jRestore from flags: complete (every default filled in) and validated.
    #[command(
        after_help = "Examples:\n  kubectl neo4j restore create orders-back --cluster prod --database orders-copy --from-backup nightly --dry-run=client -o yaml\n  kubectl neo4j restore create before-deploy --cluster prod --database orders-0412 --from-backup nightly --point-in-time 2025-04-12T12:30:00Z --stop-cluster --dry-run=client -o yaml"
    )]
    Create {
        #[command(flatten)]
        flags: crate::compose::RestoreFlags,
        #[command(flatten)]
        emit: Emit,
    },
}

/// How a composed object is emitted.
#[derive(Debug, Args)]
pub struct Emit {
    /// `client`: print the object instead of creating it (like kubectl).
    #[arg(long, value_name = "client")]
    pub dry_run: Option<DryRun>,
    /// Output format.
    #[arg(short = 'o', long, value_enum, default_value = "yaml")]
    pub output: Format,
    /// After creating, follow it until it finishes (a one-shot backup or a restore) or is set up
    /// (a schedule); the exit code says whether it succeeded.
    #[arg(long)]
    pub wait: bool,
    /// How long --wait waits, e.g. 30m.
    #[arg(long, value_name = "DURATION", default_value = "1h")]
    pub wait_timeout: String,
    /// Do not ask before a destructive restore (--force, --stop-cluster).
    #[arg(short = 'y', long)]
    pub yes: bool,
}

/// What `logs` reads.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum LogsOf {
    /// A Neo4jBackup's newest Job.
    Backup,
    /// A Neo4jRestore's newest Job.
    Restore,
}

/// Shells with completion scripts.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Shell {
    /// Bash.
    Bash,
    /// Zsh.
    Zsh,
    /// Fish.
    Fish,
}

/// Dry-run strategies.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum DryRun {
    /// Compose locally; nothing is sent to a cluster.
    Client,
}

/// How `restore plan` and `health` print.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PlanFormat {
    /// Readable lines.
    Text,
    /// JSON.
    Json,
    /// YAML.
    Yaml,
}

/// Formats of a single object.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Format {
    /// YAML.
    Yaml,
    /// JSON.
    Json,
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
    /// A composed object breaks the rules.
    #[error("the {0} would be refused: {1}")]
    Refused(String, String),
    /// What was followed failed.
    #[error("{0}")]
    Failed(String),
    /// Bad flags.
    #[error("{0}")]
    Usage(String),
    /// The cluster could not be reached or refused a call.
    #[error("{0}")]
    Cluster(String),
    /// Something was invalid (the report is already written).
    #[error("{0} of {1} object(s) invalid")]
    Invalid(usize, usize),
}

impl CliError {
    /// The process exit code: 1 for invalid manifests, 2 for usage and read errors.
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::Invalid(..) | Self::Refused(..) | Self::Cluster(..) | Self::Failed(..) => 1,
            _ => 2,
        }
    }
}

/// Runs a parsed command line, writing results to `out`.
pub fn run(cli: Cli, out: &mut impl Write) -> Result<(), CliError> {
    match cli.command {
        Command::Validate { files } => {
            let documents = crate::validate::read_inputs(&files, &mut std::io::stdin().lock())?;
            let reports = crate::validate::validate(&documents, k8s_openapi::jiff::Timestamp::now());
            out.write_all(crate::validate::render(&reports, crate::style::enabled()).as_bytes())?;
            out.flush()?;
            let invalid = reports.iter().filter(|r| !r.errors.is_empty()).count();
            if invalid > 0 {
                return Err(CliError::Invalid(invalid, reports.len()));
            }
        }
        Command::Convert { files } => crate::convert::run(&files, out)?,
        Command::Backup(BackupCommand::Create { flags, emit }) => {
            let object =
                crate::compose::backup(&flags, &offline_namespace(&cli.connection)).map_err(CliError::Usage)?;
            emit_object::<neo4j_api::Neo4jBackup>(object, &emit, &cli.connection, out)?;
        }
        Command::Restore(RestoreCommand::Create { flags, emit }) => {
            let object =
                crate::compose::restore(&flags, &offline_namespace(&cli.connection)).map_err(CliError::Usage)?;
            // On a terminal, the plan comes first: one that cannot run is refused before asking,
            // and the question names what is destructive.
            use std::io::IsTerminal;
            if emit.dry_run.is_none() && !emit.yes && std::io::stdin().is_terminal() {
                let (finished, _) = crate::compose::finish(object.clone())
                    .map_err(|errors| CliError::Refused("Neo4jRestore".into(), errors.join("; ")))?;
                let (name, plan) =
                    crate::restore_plan::plan(&cli.connection, crate::restore_plan::Planned::Object(finished))?;
                eprint!("{}", neo4j_api::restore::plan::render(&name, &plan));
                if !plan.can_run {
                    return Err(CliError::Refused("Neo4jRestore".into(), plan.blockers.join("; ")));
                }
                if !plan.destructive.is_empty() {
                    confirm(&crate::restore_plan::question(&plan))?;
                }
            }
            emit_object::<neo4j_api::Neo4jRestore>(object, &emit, &cli.connection, out)?;
        }
        Command::Restore(RestoreCommand::Plan { file, flags, output }) => {
            let planned = match (file, &flags.name, &flags.cluster) {
                (Some(_), Some(_), _) => {
                    return Err(CliError::Usage("give -f FILE or a name (with or without flags), not both".into()));
                }
                (Some(_), None, cluster) if cluster.is_some() || composes(&flags) => {
                    return Err(CliError::Usage(
                        "-f FILE plans the restore in the file as written; leave out the other flags".into(),
                    ));
                }
                (Some(file), None, _) => crate::restore_plan::Planned::Object(crate::restore_plan::from_file(&file)?),
                (None, Some(_), Some(_)) => {
                    let object = crate::compose::restore(&flags, &offline_namespace(&cli.connection))
                        .map_err(CliError::Usage)?;
                    let (finished, _) = crate::compose::finish(object)
                        .map_err(|errors| CliError::Refused("Neo4jRestore".into(), errors.join("; ")))?;
                    crate::restore_plan::Planned::Object(finished)
                }
                (None, Some(_), None) if composes(&flags) => {
                    return Err(CliError::Usage(
                        "these flags compose a restore: add --cluster and --database, or give only the name of an existing Neo4jRestore".into(),
                    ));
                }
                (None, Some(name), None) => crate::restore_plan::Planned::Existing(name.clone()),
                (None, None, _) => {
                    return Err(CliError::Usage(
                        "name a Neo4jRestore, give -f FILE, or compose one with the flags of restore create".into(),
                    ));
                }
            };
            let (name, plan) = crate::restore_plan::plan(&cli.connection, planned)?;
            out.write_all(crate::restore_plan::rendered(&name, &plan, output)?.as_bytes())?;
            if !plan.can_run {
                out.flush()?;
                return Err(CliError::Failed(format!(
                    "the plan of {name} cannot run: {} problem(s), listed under \"Would fail\"",
                    plan.blockers.len()
                )));
            }
        }
        Command::Backup(BackupCommand::Describe { name }) => {
            let text = online(&cli.connection, false, |client, scope, now| async move {
                crate::online::inspect::describe_backup(&client, &scope_namespace(&scope), &name, now).await
            })?;
            out.write_all(text.as_bytes())?;
        }
        Command::Restore(RestoreCommand::Describe { name }) => {
            let text = online(&cli.connection, false, |client, scope, now| async move {
                crate::online::inspect::describe_restore(&client, &scope_namespace(&scope), &name, now).await
            })?;
            out.write_all(text.as_bytes())?;
        }
        Command::Pitr(PitrCommand::Status { cluster, output }) => {
            let text = online(&cli.connection, false, |client, scope, now| async move {
                crate::online::pitr::status(&client, &scope_namespace(&scope), &cluster, output, now).await
            })?;
            out.write_all(text.as_bytes())?;
        }
        Command::Logs { kind, name } => {
            let label = match kind {
                LogsOf::Backup => "neo4j.neo4j.com/backup",
                LogsOf::Restore => neo4j_api::plan::restore_job::RESTORE_LABEL,
            };
            let text = online(&cli.connection, false, |client, scope, _| async move {
                crate::online::inspect::logs(&client, &scope_namespace(&scope), label, &name).await
            })?;
            out.write_all(text.as_bytes())?;
        }
        Command::Backup(BackupCommand::History { name }) => {
            let text = online(&cli.connection, false, |client, scope, now| async move {
                crate::online::act::history(&client, &scope_namespace(&scope), &name, now).await
            })?;
            out.write_all(text.as_bytes())?;
        }
        Command::Backup(BackupCommand::Run { name }) => {
            let text = online(&cli.connection, false, |client, scope, now| async move {
                crate::online::act::run_now(&client, &scope_namespace(&scope), &name, now).await
            })?;
            out.write_all(text.as_bytes())?;
        }
        Command::Backup(BackupCommand::Delete { name }) => {
            let text = online(&cli.connection, false, |client, scope, _| async move {
                crate::online::act::delete::<neo4j_api::Neo4jBackup>(&client, &scope_namespace(&scope), &name).await
            })?;
            out.write_all(text.as_bytes())?;
        }
        Command::Restore(RestoreCommand::Promote { name }) => {
            let text = online(&cli.connection, false, |client, scope, _| async move {
                crate::online::act::promote(&client, &scope_namespace(&scope), &name).await
            })?;
            out.write_all(text.as_bytes())?;
        }
        Command::Restore(RestoreCommand::Delete { name }) => {
            let text = online(&cli.connection, false, |client, scope, _| async move {
                crate::online::act::delete::<neo4j_api::Neo4jRestore>(&client, &scope_namespace(&scope), &name).await
            })?;
            out.write_all(text.as_bytes())?;
        }
        Command::Restore(RestoreCommand::Watch { name, timeout }) => {
            let timeout = duration(&timeout)?;
            let succeeded = follow::<neo4j_api::Neo4jRestore>(&cli.connection, &name, timeout, out)?;
            if !succeeded {
                return Err(CliError::Failed(format!("neo4jrestore {name:?} failed")));
            }
        }
        Command::Backup(BackupCommand::List(list)) => {
            let text = online(&cli.connection, list.all_namespaces, |client, scope, now| async move {
                crate::online::list::show::<neo4j_api::Neo4jBackup>(&client, &scope, None, list.output, now).await
            })?;
            out.write_all(text.as_bytes())?;
        }
        Command::Backup(BackupCommand::Get(get)) => {
            let text = online(&cli.connection, false, |client, scope, now| async move {
                crate::online::list::show::<neo4j_api::Neo4jBackup>(&client, &scope, Some(&get.name), get.output, now)
                    .await
            })?;
            out.write_all(text.as_bytes())?;
        }
        Command::Restore(RestoreCommand::List(list)) => {
            let text = online(&cli.connection, list.all_namespaces, |client, scope, now| async move {
                crate::online::list::show::<neo4j_api::Neo4jRestore>(&client, &scope, None, list.output, now).await
            })?;
            out.write_all(text.as_bytes())?;
        }
        Command::Restore(RestoreCommand::Get(get)) => {
            let text = online(&cli.connection, false, |client, scope, now| async move {
                crate::online::list::show::<neo4j_api::Neo4jRestore>(&client, &scope, Some(&get.name), get.output, now)
                    .await
            })?;
            out.write_all(text.as_bytes())?;
        }
        Command::Health { cluster, database, bolt_address, allow_plaintext_bolt, output } => {
            let via = match bolt_address {
                Some(address)
                    if address.contains("://")
                        || address
                            .rsplit_once(':')
                            .is_none_or(|(host, port)| host.is_empty() || port.parse::<u16>().is_err()) =>
                {
                    return Err(CliError::Usage(format!(
                        "--bolt-address {address:?}: write HOST:PORT, e.g. neo4j.example.com:7687"
                    )));
                }
                Some(address) => crate::online::health::Via::Address { address, plaintext: allow_plaintext_bolt },
                None => crate::online::health::Via::PortForward,
            };
            let report = online(&cli.connection, false, |client, scope, now| async move {
                crate::online::health::health(
                    &client,
                    &scope_namespace(&scope),
                    &cluster,
                    database.as_deref(),
                    via,
                    now,
                )
                .await
            })?;
            let text = crate::restore_plan::printed(&report, output, |report| report.render())?;
            out.write_all(text.as_bytes())?;
            if !report.healthy() {
                out.flush()?;
                let failed =
                    report.checks.iter().filter(|c| c.outcome == neo4j_api::health::report::Outcome::Fail).count();
                return Err(CliError::Failed(format!("{} is unhealthy: {failed} check(s) failed", report.target)));
            }
        }
        Command::Status { all_namespaces } => {
            let text = online(&cli.connection, all_namespaces, |client, scope, now| async move {
                crate::online::list::status(&client, &scope, now).await
            })?;
            out.write_all(text.as_bytes())?;
        }
        Command::Manifests { tls } => out.write_all(tls.embedded().as_bytes())?,
        Command::Install { tls, image_registry, version, image_digest, wait, namespaces, timeout, dry_run, output } => {
            let images = neo4j_api::install::images::Images::new(&image_registry, &version)
                .and_then(|images| images.pinned(&image_digest))
                .map_err(CliError::Usage)?;
            let namespaces = match namespaces {
                Some(text) => neo4j_api::install::scope::parse_namespaces(&text)
                    .map_err(|why| CliError::Usage(format!("--namespaces: {why}")))?,
                None => Vec::new(),
            };
            if dry_run.is_some() {
                if matches!(output, Format::Json) {
                    return Err(CliError::Usage("install --dry-run prints YAML only; use -o yaml".to_owned()));
                }
                let tls = tls.unwrap_or(crate::manifests::Tls::CertManager);
                let text = crate::manifests::with_images(tls, &images, &namespaces).map_err(CliError::Usage)?;
                out.write_all(text.as_bytes())?;
                return Ok(());
            }
            let options =
                crate::online::install::Options { certificates: tls.map(Into::into), images, wait, namespaces };
            let pace = crate::online::act::Pace { timeout: duration(&timeout)?, ..crate::online::install::PACE };
            let text = online(&cli.connection, false, |client, _, _| async move {
                let mut lines = std::io::stdout();
                crate::online::install::install(&client, &options, pace, |line| {
                    let _ = writeln!(lines, "{line}");
                    let _ = lines.flush();
                })
                .await
                .map(|()| String::new())
            })?;
            out.write_all(text.as_bytes())?;
        }
        Command::Uninstall { tls: _ } => {
            let text = online(&cli.connection, false, |client, _, _| async move {
                crate::online::install::uninstall(&client).await
            })?;
            out.write_all(text.as_bytes())?;
        }
        Command::Version => writeln!(out, "kubectl-neo4j {}", env!("CARGO_PKG_VERSION"))?,
        Command::Completion { shell } => {
            use clap::CommandFactory;
            let shell = match shell {
                Shell::Bash => clap_complete::Shell::Bash,
                Shell::Zsh => clap_complete::Shell::Zsh,
                Shell::Fish => clap_complete::Shell::Fish,
            };
            let mut command = Cli::command().bin_name("kubectl-neo4j");
            clap_complete::generate(shell, &mut command, "kubectl-neo4j", out);
        }
        Command::Complete { words } => {
            use clap::CommandFactory;
            let candidates = crate::complete::candidates(&Cli::command(), &words);
            out.write_all(crate::complete::render(&candidates).as_bytes())?;
        }
    }
    out.flush()?;
    Ok(())
}

/// Runs an online verb: a client from the kubeconfig, the scope (`-A` or the namespace), now.
pub(crate) fn online<F, Fut, T>(
    connection: &crate::kubeconfig::ConnectionFlags,
    all: bool,
    verb: F,
) -> Result<T, CliError>
where
    F: FnOnce(kube::Client, crate::online::list::Scope, k8s_openapi::jiff::Timestamp) -> Fut,
    Fut: std::future::Future<Output = Result<T, String>>,
{
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|err| CliError::Usage(format!("cannot start: {err}")))?;
    runtime.block_on(async {
        let (client, namespace) = crate::kubeconfig::client(connection).await.map_err(CliError::Cluster)?;
        let scope =
            if all { crate::online::list::Scope::All } else { crate::online::list::Scope::Namespace(namespace) };
        verb(client, scope, k8s_openapi::jiff::Timestamp::now()).await.map_err(CliError::Cluster)
    })
}

/// The namespace of a composed object: `-n`, else the kubeconfig context's when there is one, else `default`.
fn offline_namespace(flags: &crate::kubeconfig::ConnectionFlags) -> String {
    let config = crate::kubeconfig::from_environment(flags).ok();
    crate::kubeconfig::namespace(config.as_ref(), flags)
}

fn emit_object<K: crate::online::list::Listed + crate::online::act::Finish>(
    object: serde_json::Value,
    emit: &Emit,
    connection: &crate::kubeconfig::ConnectionFlags,
    out: &mut impl Write,
) -> Result<(), CliError> {
    let kind = K::kind(&()).into_owned();
    let (object, warnings) =
        crate::compose::finish(object).map_err(|errors| CliError::Refused(kind.clone(), errors.join("; ")))?;
    for warning in warnings {
        eprintln!("warning: {warning}");
    }
    if emit.dry_run.is_none() {
        let name = object["metadata"]["name"].as_str().unwrap_or_default().to_owned();
        let namespace = object["metadata"]["namespace"].as_str().unwrap_or("default").to_owned();
        let (ns, created) = (namespace.clone(), object);
        let text = online(connection, false, |client, _, _| async move {
            crate::online::act::create::<K>(&client, &ns, created).await
        })?;
        out.write_all(text.as_bytes())?;
        if emit.wait {
            out.flush()?;
            let timeout = duration(&emit.wait_timeout)?;
            let connection = crate::kubeconfig::ConnectionFlags { namespace: Some(namespace), ..connection.clone() };
            if !follow::<K>(&connection, &name, timeout, out)? {
                return Err(CliError::Failed(format!("{} {name:?} failed", K::KIND)));
            }
        }
        return Ok(());
    }
    let text = match emit.output {
        Format::Yaml => {
            serde_saphyr::to_string(&object).map_err(|err| CliError::Usage(format!("cannot render YAML: {err}")))?
        }
        Format::Json => {
            format!("{}\n", serde_json::to_string_pretty(&object).map_err(|err| CliError::Usage(err.to_string()))?)
        }
    };
    out.write_all(text.as_bytes())?;
    Ok(())
}

/// Follows an object to its end, printing each change of its progress; whether it succeeded.
fn follow<K: crate::online::list::Listed + crate::online::act::Finish>(
    connection: &crate::kubeconfig::ConnectionFlags,
    name: &str,
    timeout: std::time::Duration,
    out: &mut impl Write,
) -> Result<bool, CliError> {
    // What was written before comes first; progress lines then go straight to stdout as they happen.
    out.flush()?;
    let verdict = online(connection, false, |client, scope, _| async move {
        let namespace = scope_namespace(&scope);
        let pace = crate::online::act::Pace {
            timeout,
            poll: std::time::Duration::from_secs(2),
            quiet: std::time::Duration::from_secs(20),
        };
        let succeeded =
            crate::online::act::watch::<K>(&client, &namespace, name, pace, |line| println!("{line}")).await?;
        Ok(if succeeded { "succeeded" } else { "failed" }.to_owned())
    })?;
    Ok(verdict == "succeeded")
}

/// A duration flag in seconds.
fn duration(text: &str) -> Result<std::time::Duration, CliError> {
    neo4j_api::grammar::duration::parse_duration(text)
        .map(std::time::Duration::from_secs)
        .map_err(|err| CliError::Usage(format!("{text:?} {err}")))
}

pub(crate) fn scope_namespace(scope: &crate::online::list::Scope) -> String {
    match scope {
        crate::online::list::Scope::Namespace(ns) => ns.clone(),
        crate::online::list::Scope::All => "default".to_owned(),
    }
}

/// Whether any flag of `restore create` beyond the name is given.
fn composes(flags: &crate::compose::RestoreFlags) -> bool {
    flags.database.is_some()
        || flags.from_backup.is_some()
        || flags.from_storage.is_some()
        || flags.backup_path.is_some()
        || flags.point_in_time.is_some()
        || flags.timeout.is_some()
        || flags.promote_alias.is_some()
        || flags.force
        || flags.stop_cluster
        || flags.verify
}

/// Asks on a terminal before something destructive; elsewhere (scripts, pipes) it goes ahead.
fn confirm(what: &str) -> Result<(), CliError> {
    use std::io::IsTerminal;
    if !std::io::stdin().is_terminal() {
        return Ok(());
    }
    eprint!("This will {what}. Continue? [y/N] ");
    let mut answer = String::new();
    std::io::stdin().read_line(&mut answer)?;
    if matches!(answer.trim(), "y" | "Y" | "yes") {
        Ok(())
    } else {
        Err(CliError::Usage("cancelled; nothing was created (--yes skips this question)".to_owned()))
    }
}
