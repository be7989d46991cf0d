//! Reaching the cluster the way kubectl does: `--kubeconfig`, else the files of `KUBECONFIG`
//! merged (missing ones skipped, first value wins), else `~/.kube/config`; `--context`,
//! `--cluster` and `--user` override the current context's; the namespace comes from `-n`, else
//! the context, else `default`.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use clap::Args;
use kube::config::{KubeConfigOptions, Kubeconfig};

/// kubectl's connection flags (global: they may follow any verb).
#[derive(Debug, Args, Clone, Default)]
pub struct ConnectionFlags {
    /// Path to the kubeconfig file to use.
    #[arg(long, global = true, value_name = "FILE")]
    pub kubeconfig: Option<PathBuf>,
    /// The kubeconfig context to use.
    #[arg(long, global = true, value_name = "NAME")]
    pub context: Option<String>,
    /// The kubeconfig cluster to use (kubectl's --cluster; here `--cluster` names the Neo4j
    /// target of `create`).
    #[arg(long = "kube-cluster", global = true, value_name = "NAME")]
    pub cluster_name: Option<String>,
    /// The kubeconfig user to use.
    #[arg(long, global = true, value_name = "NAME")]
    pub user: Option<String>,
    /// The namespace (default: the context's, else `default`).
    #[arg(short = 'n', long, global = true, value_name = "NAMESPACE")]
    pub namespace: Option<String>,
}

/// The merged kubeconfig, or why there is none.
pub fn load(flag: Option<&Path>, env: Option<OsString>, home: Option<PathBuf>) -> Result<Kubeconfig, String> {
    if let Some(path) = flag {
        return Kubeconfig::read_from(path).map_err(|err| format!("--kubeconfig {}: {err}", path.display()));
    }
    let paths: Vec<PathBuf> = match env.filter(|v| !v.is_empty()) {
        Some(value) => std::env::split_paths(&value).filter(|p| !p.as_os_str().is_empty()).collect(),
        None => home.map(|h| vec![h.join(".kube/config")]).unwrap_or_default(),
    };
    let mut merged: Option<Kubeconfig> = None;
    for path in paths.iter().filter(|p| p.exists()) {
        let next = Kubeconfig::read_from(path).map_err(|err| format!("{}: {err}", path.display()))?;
        merged = Some(match merged {
            Some(config) => config.merge(next).map_err(|err| format!("{}: {err}", path.display()))?,
            None => next,
        });
    }
    merged.ok_or_else(|| "no kubeconfig: set KUBECONFIG, pass --kubeconfig FILE, or create ~/.kube/config".to_owned())
}

/// The namespace to work in: `-n`, else the chosen context's, else `default`.
pub fn namespace(config: Option<&Kubeconfig>, flags: &ConnectionFlags) -> String {
    if let Some(namespace) = &flags.namespace {
        return namespace.clone();
    }
    let context = flags.context.clone().or_else(|| config.and_then(|c| c.current_context.clone()));
    config
        .and_then(|c| c.contexts.iter().find(|n| Some(&n.name) == context.as_ref()))
        .and_then(|n| n.context.as_ref())
        .and_then(|c| c.namespace.clone())
        .unwrap_or_else(|| "default".to_owned())
}

/// The kubeconfig of the environment, as kubectl would find it.
pub fn from_environment(flags: &ConnectionFlags) -> Result<Kubeconfig, String> {
    load(flags.kubeconfig.as_deref(), std::env::var_os("KUBECONFIG"), std::env::var_os("HOME").map(PathBuf::from))
}

/// A client for the cluster the flags and the kubeconfig name, and the namespace to use.
pub async fn client(flags: &ConnectionFlags) -> Result<(kube::Client, String), String> {
    let config = from_environment(flags)?;
    let namespace = namespace(Some(&config), flags);
    let options = KubeConfigOptions {
        context: flags.context.clone(),
        cluster: flags.cluster_name.clone(),
        user: flags.user.clone(),
    };
    let client_config =
        kube::Config::from_custom_kubeconfig(config, &options).await.map_err(|err| format!("kubeconfig: {err}"))?;
    let client = kube::Client::try_from(client_config).map_err(|err| format!("cannot build a client: {err}"))?;
    Ok((client, namespace))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, context: &str, namespace: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(
            &path,
            format!(
                "apiVersion: v1\nkind: Config\ncurrent-context: {context}\nclusters:\n- name: {context}\n  cluster: {{server: https://{context}.example:6443}}\nusers:\n- name: {context}\n  user: {{token: t}}\ncontexts:\n- name: {context}\n  context: {{cluster: {context}, user: {context}, namespace: {namespace}}}\n"
            ),
        )
        .unwrap();
        path
    }

    #[test]
    fn kubeconfig_lists_merge_with_missing_files_skipped_and_the_first_value_winning() {
        let dir = tempfile::tempdir().unwrap();
        let first = write(dir.path(), "a", "prod", "neo4j");
        let second = write(dir.path(), "b", "staging", "graphs");
        let missing = dir.path().join("missing");
        let list = std::env::join_paths([missing.clone(), first.clone(), second.clone()]).unwrap();
        let config = load(None, Some(list), None).unwrap();
        assert_eq!(config.current_context.as_deref(), Some("prod"), "the first file's current context");
        assert_eq!(config.contexts.len(), 2);
        assert_eq!(namespace(Some(&config), &ConnectionFlags::default()), "neo4j");
        let staging = ConnectionFlags { context: Some("staging".into()), ..ConnectionFlags::default() };
        assert_eq!(namespace(Some(&config), &staging), "graphs");
        let explicit = ConnectionFlags { namespace: Some("other".into()), ..staging };
        assert_eq!(namespace(Some(&config), &explicit), "other");
        assert_eq!(namespace(None, &ConnectionFlags::default()), "default");
    }

    #[test]
    fn the_flag_wins_and_nothing_found_says_how_to_fix_it() {
        let dir = tempfile::tempdir().unwrap();
        let file = write(dir.path(), "c", "dev", "dev-ns");
        let list = std::env::join_paths([dir.path().join("x")]).unwrap();
        assert_eq!(load(Some(&file), Some(list.clone()), None).unwrap().current_context.as_deref(), Some("dev"));
        assert_eq!(
            load(None, Some(list), None).unwrap_err(),
            "no kubeconfig: set KUBECONFIG, pass --kubeconfig FILE, or create ~/.kube/config"
        );
        let home = tempfile::tempdir().unwrap();
        std::fs::create_dir(home.path().join(".kube")).unwrap();
        std::fs::copy(&file, home.path().join(".kube/config")).unwrap();
        assert_eq!(load(None, None, Some(home.path().to_path_buf())).unwrap().current_context.as_deref(), Some("dev"));
        assert!(load(Some(&dir.path().join("nope")), None, None).unwrap_err().starts_with("--kubeconfig "));
    }
}
