//! `backup create` and `restore create`: a complete, defaulted and validated manifest from flags.

use clap::Args;
use neo4j_api::review::{Kind, review};
use neo4j_api::rules::Context;
use serde_json::{Map, Value, json};

/// Where backups go (or come from): exactly one of these.
#[derive(Debug, Args, Default, Clone)]
#[group(multiple = false)]
pub struct StorageFlags {
    /// S3 bucket and optional path, e.g. `my-bucket/neo4j/prod`.
    #[arg(long, value_name = "BUCKET[/PATH]")]
    pub s3: Option<String>,
    /// Google Cloud Storage bucket and optional path.
    #[arg(long, value_name = "BUCKET[/PATH]")]
    pub gcs: Option<String>,
    /// Azure Blob Storage container and optional path.
    #[arg(long, value_name = "CONTAINER[/PATH]")]
    pub azure: Option<String>,
    /// An existing PersistentVolumeClaim.
    #[arg(long, value_name = "NAME")]
    pub pvc: Option<String>,
    /// A PersistentVolumeClaim of this size, created for the backup (`<name>-backups`).
    #[arg(long, value_name = "SIZE")]
    pub pvc_size: Option<String>,
}

/// Credentials for cloud storage.
#[derive(Debug, Args, Default, Clone)]
pub struct CredentialFlags {
    /// Secret with the storage credentials (AWS_ACCESS_KEY_ID..., AZURE_STORAGE_ACCOUNT...,
    /// or GOOGLE_APPLICATION_CREDENTIALS_JSON).
    #[arg(long, value_name = "SECRET")]
    pub secret: Option<String>,
    /// Use workload identity through `neo4j-backup-sa`, annotated with KEY=VALUE (repeatable),
    /// e.g. `eks.amazonaws.com/role-arn=arn:aws:iam::123:role/neo4j-backup`.
    #[arg(long = "identity-annotation", value_name = "KEY=VALUE")]
    pub identity_annotations: Vec<String>,
}

/// Flags of `backup create`.
#[derive(Debug, Args, Clone)]
pub struct BackupFlags {
    /// Name of the Neo4jBackup.
    pub name: String,
    /// The Neo4jEnterpriseCluster or Neo4jEnterpriseStandalone to back up.
    #[arg(long, value_name = "NAME")]
    pub cluster: String,
    /// Back up only this database (default: every database of the cluster).
    #[arg(long, value_name = "NAME")]
    pub database: Option<String>,
    /// Run on this cron schedule (UTC), e.g. "0 2 * * *"; without it, once.
    #[arg(long, value_name = "CRON")]
    pub schedule: Option<String>,
    #[command(flatten)]
    pub storage: StorageFlags,
    #[command(flatten)]
    pub credentials: CredentialFlags,
    /// FULL or DIFF.
    #[arg(long = "type", value_name = "FULL|DIFF")]
    pub backup_type: Option<String>,
    /// Keep at most this many backups per database.
    #[arg(long, value_name = "N")]
    pub retention_count: Option<i64>,
    /// Keep backups at most this old, e.g. 30d.
    #[arg(long, value_name = "DURATION")]
    pub retention_age: Option<String>,
}

/// Flags of `restore create`.
#[derive(Debug, Args, Clone)]
pub struct RestoreFlags {
    /// Name of the Neo4jRestore (required).
    pub name: Option<String>,
    /// The Neo4jEnterpriseCluster or Neo4jEnterpriseStandalone to restore into (required).
    #[arg(long, value_name = "NAME")]
    pub cluster: Option<String>,
    /// The database to restore into (required).
    #[arg(long, value_name = "NAME")]
    pub database: Option<String>,
    /// Restore the latest successful backup of this Neo4jBackup.
    #[arg(long, value_name = "NEO4JBACKUP", conflicts_with_all = ["s3", "gcs", "azure", "pvc", "pvc_size", "from_storage"])]
    pub from_backup: Option<String>,
    /// Restore from this location: s3://BUCKET/PATH, gs://BUCKET/PATH, azb://CONTAINER/PATH or
    /// pvc://CLAIM/PATH, where PATH is a folder or one artifact (`.backup`).
    #[arg(long, value_name = "URI", conflicts_with_all = ["s3", "gcs", "azure", "pvc", "pvc_size", "backup_path"])]
    pub from_storage: Option<String>,
    #[command(flatten)]
    pub storage: StorageFlags,
    #[command(flatten)]
    pub credentials: CredentialFlags,
    /// A folder or one artifact below the storage, e.g. prod/orders-2025-01-20T02-00-00.backup.
    #[arg(long, value_name = "PATH")]
    pub backup_path: Option<String>,
    /// Restore to this moment (RFC 3339), e.g. 2025-01-20T14:30:00Z.
    #[arg(long, value_name = "TIME")]
    pub point_in_time: Option<String>,
    /// Scale the target to 0 for an offline restore (scaled back afterwards, whatever happens).
    #[arg(long)]
    pub stop_cluster: bool,
    /// Replace an existing database (--overwrite-destination).
    #[arg(long)]
    pub force: bool,
    /// Check the backup with neo4j-admin database check before anything destructive.
    #[arg(long)]
    pub verify: bool,
    /// Deadline of the restore Job, e.g. 2h.
    #[arg(long, value_name = "DURATION")]
    pub timeout: Option<String>,
    /// Validate, then promote: restore into --database as a new candidate, check it, then switch
    /// this database alias (the one applications use) to it.
    #[arg(long, value_name = "ALIAS")]
    pub promote_alias: Option<String>,
    /// With --promote-alias: wait for `kubectl neo4j restore promote` instead of switching at once.
    #[arg(long, requires = "promote_alias")]
    pub promote_by_hand: bool,
}

fn split(value: &str) -> (String, Option<String>) {
    match value.split_once('/') {
        Some((bucket, path)) if !path.trim_matches('/').is_empty() => {
            (bucket.to_owned(), Some(path.trim_matches('/').to_owned()))
        }
        Some((bucket, _)) => (bucket.to_owned(), None),
        None => (value.to_owned(), None),
    }
}

/// The `storage` block, or `None` when no storage flag was given.
fn storage(flags: &StorageFlags, credentials: &CredentialFlags) -> Result<Option<Value>, String> {
    let mut storage = Map::new();
    let cloud = |kind: &str, value: &str, provider: &str, storage: &mut Map<String, Value>| {
        let (bucket, path) = split(value);
        storage.insert("type".into(), json!(kind));
        storage.insert("bucket".into(), json!(bucket));
        if let Some(path) = path {
            storage.insert("path".into(), json!(path));
        }
        storage.insert("cloud".into(), json!({"provider": provider}));
    };
    if let Some(value) = &flags.s3 {
        cloud("s3", value, "aws", &mut storage);
    } else if let Some(value) = &flags.gcs {
        cloud("gcs", value, "gcp", &mut storage);
    } else if let Some(value) = &flags.azure {
        cloud("azure", value, "azure", &mut storage);
    } else if let Some(name) = &flags.pvc {
        storage.insert("type".into(), json!("pvc"));
        storage.insert("pvc".into(), json!({"name": name}));
    } else if let Some(size) = &flags.pvc_size {
        storage.insert("type".into(), json!("pvc"));
        storage.insert("pvc".into(), json!({"size": size}));
    } else {
        return Ok(None);
    }
    if let Some(secret) = &credentials.secret {
        storage["cloud"]["credentialsSecretRef"] = json!(secret);
    }
    if !credentials.identity_annotations.is_empty() {
        let mut annotations = Map::new();
        for pair in &credentials.identity_annotations {
            let (key, value) =
                pair.split_once('=').ok_or_else(|| format!("--identity-annotation {pair:?}: write KEY=VALUE"))?;
            annotations.insert(key.to_owned(), json!(value));
        }
        storage["cloud"]["identity"] = json!({"autoCreate": {"enabled": true, "annotations": annotations}});
    }
    if storage.get("cloud").is_none() && (credentials.secret.is_some() || !credentials.identity_annotations.is_empty())
    {
        return Err("--secret and --identity-annotation are for --s3, --gcs and --azure".to_owned());
    }
    Ok(Some(Value::Object(storage)))
}

fn metadata(name: &str, namespace: &str) -> Value {
    json!({"name": name, "namespace": namespace})
}

/// The Neo4jBackup the flags describe (not yet defaulted).
pub fn backup(flags: &BackupFlags, namespace: &str) -> Result<Value, String> {
    let storage = storage(&flags.storage, &flags.credentials)?
        .ok_or("say where backups go: --s3 BUCKET[/PATH], --gcs, --azure, --pvc NAME or --pvc-size SIZE")?;
    let target = match &flags.database {
        Some(database) => json!({"kind": "Database", "name": database, "clusterRef": flags.cluster}),
        None => json!({"kind": "Cluster", "name": flags.cluster}),
    };
    let mut spec = json!({"target": target, "storage": storage});
    if let Some(schedule) = &flags.schedule {
        spec["schedule"] = json!(schedule);
    }
    if let Some(kind) = &flags.backup_type {
        spec["options"] = json!({"backupType": kind.to_uppercase()});
    }
    if flags.retention_count.is_some() || flags.retention_age.is_some() {
        let mut retention = Map::new();
        if let Some(count) = flags.retention_count {
            retention.insert("maxCount".into(), json!(count));
        }
        if let Some(age) = &flags.retention_age {
            retention.insert("maxAge".into(), json!(age));
        }
        spec["retention"] = Value::Object(retention);
    }
    Ok(
        json!({"apiVersion": "neo4j.neo4j.com/v1alpha1", "kind": "Neo4jBackup", "metadata": metadata(&flags.name, namespace), "spec": spec}),
    )
}

/// `--from-storage URI` as storage flags and a backup path.
fn from_uri(uri: &str) -> Result<(StorageFlags, Option<String>), String> {
    let (scheme, rest) = uri.split_once("://").ok_or_else(|| {
        format!(
            "--from-storage {uri:?}: write s3://BUCKET/PATH, gs://BUCKET/PATH, azb://CONTAINER/PATH or pvc://CLAIM/PATH"
        )
    })?;
    let (bucket, path) = split(rest);
    let mut flags = StorageFlags::default();
    match scheme {
        "s3" => flags.s3 = Some(bucket),
        "gs" => flags.gcs = Some(bucket),
        "azb" => flags.azure = Some(bucket),
        "pvc" => flags.pvc = Some(bucket),
        other => {
            return Err(format!(
                "--from-storage {uri:?}: {other}:// is not a storage; use s3://, gs://, azb:// or pvc://"
            ));
        }
    }
    Ok((flags, path))
}

/// The Neo4jRestore the flags describe (not yet defaulted).
pub fn restore(flags: &RestoreFlags, namespace: &str) -> Result<Value, String> {
    let Some(name) = &flags.name else {
        return Err("name the Neo4jRestore: kubectl neo4j restore create NAME --cluster ... --database ...".to_owned());
    };
    let (Some(cluster), Some(database)) = (&flags.cluster, &flags.database) else {
        return Err("say where to restore: --cluster NAME (the Neo4jEnterpriseCluster or Neo4jEnterpriseStandalone) and --database NAME".to_owned());
    };
    let (storage_flags, uri_path) = match &flags.from_storage {
        Some(uri) => from_uri(uri)?,
        None => (flags.storage.clone(), None),
    };
    let located = storage(&storage_flags, &flags.credentials)?;
    let mut base = match (&flags.from_backup, located) {
        (Some(backup), None) => json!({"type": "backup", "backupRef": backup}),
        (None, Some(storage)) => json!({"type": "storage", "storage": storage}),
        _ => {
            return Err("say where the backup is: --from-backup NEO4JBACKUP, --from-storage URI, or --s3/--gcs/--azure/--pvc with --backup-path".to_owned());
        }
    };
    if let Some(path) = flags.backup_path.as_ref().or(uri_path.as_ref()) {
        base["backupPath"] = json!(path);
    }
    let source = match &flags.point_in_time {
        Some(moment) => json!({"type": "pitr", "pointInTime": moment, "pitr": {"baseBackup": base}}),
        None => base,
    };
    let mut spec = json!({"targetCluster": cluster, "databaseName": database, "source": source});
    if flags.stop_cluster {
        spec["stopCluster"] = json!(true);
    }
    if flags.force {
        spec["force"] = json!(true);
    }
    if flags.verify {
        spec["options"] = json!({"verifyBackup": true});
    }
    if let Some(alias) = &flags.promote_alias {
        spec["promotion"] = json!({"alias": alias, "automatic": !flags.promote_by_hand});
    }
    if let Some(timeout) = &flags.timeout {
        spec["timeout"] = json!(timeout);
    }
    Ok(
        json!({"apiVersion": "neo4j.neo4j.com/v1alpha1", "kind": "Neo4jRestore", "metadata": metadata(name, namespace), "spec": spec}),
    )
}

/// Defaults `object` as the webhook would and judges it: the complete manifest, or every error.
pub fn finish(mut object: Value) -> Result<(Value, Vec<String>), Vec<String>> {
    let Some(kind) = Kind::of(&object) else { return Err(vec!["not a Neo4j resource".to_owned()]) };
    let patch = kind.defaults(&object);
    json_patch::patch(&mut object, &patch).map_err(|err| vec![format!("defaults do not apply: {err}")])?;
    let context = Context { now: Some(k8s_openapi::jiff::Timestamp::now()), ..Context::default() };
    let verdict = review(None, &object, &context).map(|r| r.verdict).unwrap_or_default();
    if verdict.is_allowed() { Ok((object, verdict.warnings)) } else { Err(verdict.error_lines()) }
}
