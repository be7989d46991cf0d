//! The certificate keeper's I/O: reads its Secret and the webhook configurations, asks
//! [`decide`](super::decide::decide), writes what changed (optimistically: a replica that loses a
//! race re-reads on its next tick), injects the CA bundle, and hands the serving pair to the TLS
//! listener. Several replicas keep one Secret together.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use k8s_openapi::api::admissionregistration::v1::{MutatingWebhookConfiguration, ValidatingWebhookConfiguration};
use k8s_openapi::api::core::v1::Secret;
use kube::api::{Api, ObjectMeta, Patch, PatchParams, PostParams};
use kube::{Client, Resource};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use super::decide::{Step, decide};
use super::material::Material;
use crate::tls::{CertStore, TlsError};

/// Why a tick did not finish (it is tried again on the next one).
#[derive(Debug, thiserror::Error)]
pub enum KeepError {
    /// The API server refused or failed.
    #[error("{what}: {source}")]
    Api {
        /// What was being done.
        what: String,
        /// The failure.
        #[source]
        source: kube::Error,
    },
    /// Another replica changed the Secret first.
    #[error("Secret {0} changed meanwhile; reading it again")]
    Raced(String),
    /// Certificates could not be made or read.
    #[error(transparent)]
    Tls(#[from] TlsError),
}

/// The DNS names a Service `service` in `namespace` is called by from the API server.
pub fn service_names(service: &str, namespace: &str) -> Vec<String> {
    vec![
        format!("{service}.{namespace}.svc"),
        format!("{service}.{namespace}.svc.cluster.local"),
        format!("{service}.{namespace}"),
        service.to_owned(),
    ]
}

/// A Mutating- or ValidatingWebhookConfiguration, as the API reads it.
trait Configuration:
    Resource<DynamicType = (), Scope = k8s_openapi::ClusterResourceScope>
    + Clone
    + DeserializeOwned
    + serde::Serialize
    + std::fmt::Debug
{
}

impl Configuration for MutatingWebhookConfiguration {}
impl Configuration for ValidatingWebhookConfiguration {}

/// Keeps one Secret and the CA bundle of the webhook configurations of one name.
pub struct Keeper {
    /// The API server.
    pub client: Client,
    /// Namespace of the Secret.
    pub namespace: String,
    /// Name of the Secret.
    pub secret: String,
    /// Name of the Mutating- and ValidatingWebhookConfiguration.
    pub configuration: String,
    /// Names the serving certificate carries.
    pub names: Vec<String>,
}

/// Field manager of the keeper's writes.
const MANAGER: &str = "neo4j-webhook";

fn now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |elapsed| elapsed.as_secs() as i64)
}

fn api_error(what: impl Into<String>) -> impl FnOnce(kube::Error) -> KeepError {
    let what = what.into();
    move |source| KeepError::Api { what, source }
}

/// The caBundle of every webhook of a configuration, by index and name.
fn bundles<K: serde::Serialize>(config: &K) -> Vec<(String, Option<String>)> {
    let value = serde_json::to_value(config).unwrap_or(Value::Null);
    value["webhooks"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|webhook| {
            (
                webhook["name"].as_str().unwrap_or_default().to_owned(),
                webhook["clientConfig"]["caBundle"].as_str().map(str::to_owned),
            )
        })
        .collect()
}

impl Keeper {
    fn secrets(&self) -> Api<Secret> {
        Api::namespaced(self.client.clone(), &self.namespace)
    }

    fn shown(&self) -> String {
        format!("{}/{}", self.namespace, self.secret)
    }

    /// One round at `now`: the material to serve afterwards.
    pub async fn tick_at(&self, now: i64) -> Result<Material, KeepError> {
        let found = self
            .secrets()
            .get_opt(&self.secret)
            .await
            .map_err(api_error(format!("reading Secret {}", self.shown())))?;
        let material =
            found.as_ref().and_then(|secret| secret.data.as_ref()).map(Material::from_data).unwrap_or_default();
        let encoded = base64::engine::general_purpose::STANDARD.encode(&material.ca_bundle);
        let mutating = self.configuration::<MutatingWebhookConfiguration>().await?;
        let validating = self.configuration::<ValidatingWebhookConfiguration>().await?;
        let trusted = [mutating.as_deref(), validating.as_deref()].iter().all(|hooks| {
            hooks.is_some_and(|hooks| hooks.iter().all(|(_, bundle)| bundle.as_deref() == Some(encoded.as_str())))
        });
        let step = decide(now, &material.facts(&self.names, trusted));
        let material = match material.after(step, now, &self.names)? {
            None => material,
            Some(next) => {
                self.write(found, &next).await?;
                tracing::info!(secret = %self.shown(), step = ?step, "webhook certificates changed");
                next
            }
        };
        if step == Step::AwaitTrust {
            tracing::info!("a certificate rotation waits until the webhook configurations carry the new CA");
        }
        self.inject::<MutatingWebhookConfiguration>(mutating, &material.ca_bundle).await?;
        self.inject::<ValidatingWebhookConfiguration>(validating, &material.ca_bundle).await?;
        Ok(material)
    }

    async fn configuration<K: Configuration>(&self) -> Result<Option<Vec<(String, Option<String>)>>, KeepError> {
        let api: Api<K> = Api::all(self.client.clone());
        let found = api.get_opt(&self.configuration).await.map_err(api_error(format!(
            "reading {} {}",
            K::kind(&()),
            self.configuration
        )))?;
        Ok(found.as_ref().map(bundles))
    }

    async fn write(&self, found: Option<Secret>, material: &Material) -> Result<(), KeepError> {
        let secrets = self.secrets();
        let result = match found {
            None => {
                let secret = Secret {
                    metadata: ObjectMeta {
                        name: Some(self.secret.clone()),
                        namespace: Some(self.namespace.clone()),
                        labels: Some(
                            [
                                ("app.kubernetes.io/name", "neo4j-webhook"),
                                ("app.kubernetes.io/part-of", "kubectl-neo4j"),
                            ]
                            .into_iter()
                            .map(|(k, v)| (k.to_owned(), v.to_owned()))
                            .collect(),
                        ),
                        ..ObjectMeta::default()
                    },
                    type_: Some("kubernetes.io/tls".to_owned()),
                    data: Some(material.to_data()),
                    ..Secret::default()
                };
                secrets
                    .create(&PostParams { field_manager: Some(MANAGER.to_owned()), ..PostParams::default() }, &secret)
                    .await
            }
            Some(mut secret) => {
                // The resourceVersion read stays: a concurrent change makes this a conflict.
                secret.data = Some(material.to_data());
                secrets
                    .replace(
                        &self.secret,
                        &PostParams { field_manager: Some(MANAGER.to_owned()), ..PostParams::default() },
                        &secret,
                    )
                    .await
            }
        };
        match result {
            Ok(_) => Ok(()),
            Err(kube::Error::Api(status)) if status.code == 409 => Err(KeepError::Raced(self.shown())),
            Err(source) => Err(KeepError::Api { what: format!("writing Secret {}", self.shown()), source }),
        }
    }

    async fn inject<K: Configuration>(
        &self,
        hooks: Option<Vec<(String, Option<String>)>>,
        bundle: &str,
    ) -> Result<(), KeepError> {
        let Some(hooks) = hooks else { return Ok(()) };
        if bundle.is_empty() {
            return Ok(());
        }
        let encoded = base64::engine::general_purpose::STANDARD.encode(bundle);
        let operations: Vec<Value> = hooks
            .iter()
            .enumerate()
            .filter(|(_, (_, current))| current.as_deref() != Some(encoded.as_str()))
            .flat_map(|(index, (name, _))| {
                [
                    // The webhook at this index is still the one read.
                    json!({"op": "test", "path": format!("/webhooks/{index}/name"), "value": name}),
                    json!({"op": "add", "path": format!("/webhooks/{index}/clientConfig/caBundle"), "value": encoded}),
                ]
            })
            .collect();
        if operations.is_empty() {
            return Ok(());
        }
        let patch: json_patch::Patch = serde_json::from_value(Value::Array(operations)).map_err(|err| {
            KeepError::Tls(TlsError::Pem { path: PathBuf::from("caBundle"), message: err.to_string() })
        })?;
        let api: Api<K> = Api::all(self.client.clone());
        api.patch(
            &self.configuration,
            &PatchParams { field_manager: Some(MANAGER.to_owned()), ..PatchParams::default() },
            &Patch::<()>::Json(patch),
        )
        .await
        .map_err(api_error(format!("injecting the CA into {} {}", K::kind(&()), self.configuration)))?;
        tracing::info!(kind = %K::kind(&()), name = %self.configuration, "CA bundle injected");
        Ok(())
    }

    /// Rounds until one succeeds (the listener needs a certificate before it can serve).
    pub async fn first(&self) -> Material {
        let mut wait = Duration::from_millis(500);
        loop {
            match self.tick_at(now()).await {
                Ok(material) => return material,
                Err(err) => tracing::warn!(error = %err, "webhook certificates not ready yet"),
            }
            tokio::time::sleep(wait).await;
            wait = (wait * 2).min(Duration::from_secs(15));
        }
    }

    /// Keeps the certificates every `interval`, serving what the Secret holds from `store`.
    pub async fn run(self, store: Arc<CertStore>, interval: Duration) {
        let origin = PathBuf::from(format!("Secret {}", self.shown()));
        loop {
            tokio::time::sleep(interval).await;
            match self.tick_at(now()).await {
                Ok(material) => match store.offer(material.cert.into_bytes(), material.key.into_bytes(), &origin) {
                    Ok(true) => tracing::info!(secret = %self.shown(), "serving certificate replaced"),
                    Ok(false) => {}
                    Err(err) => {
                        tracing::warn!(error = %err, "serving certificate not replaced; keeping the current one")
                    }
                },
                Err(err) => tracing::warn!(error = %err, "webhook certificates not kept this round"),
            }
        }
    }
}
