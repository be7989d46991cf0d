//! `install` and `uninstall`. Install checks everything first and changes nothing when anything is
//! wrong ([`neo4j_api::install::preflight`]); then applies the bundle server-side (field manager
//! `kubectl-neo4j`) in an order that never leaves a fail-closed webhook without a backend
//! ([`neo4j_api::install::order`]): the webhook configurations last, once the webhook Deployment is
//! available, with the CA of its Secret. Uninstalling never removes the CRDs (that would delete
//! every Neo4jBackup and Neo4jRestore), the namespace, or any backup data or claim.

use std::time::{Duration, Instant};

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::authorization::v1::{ResourceAttributes, SelfSubjectAccessReview, SelfSubjectAccessReviewSpec};
use k8s_openapi::api::core::v1::Secret;
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::api::{Api, DeleteParams, DynamicObject, ListParams, Patch, PatchParams, PostParams};
use kube::core::{ApiResource, GroupVersionKind};
use kube::{Client, ResourceExt};
use neo4j_api::install::images::Images;
use neo4j_api::install::order::{self, Readiness};
use neo4j_api::install::preflight::{self, Access, Certificates, Facts};
use neo4j_api::install::{CONTROLLER, FIELD_MANAGER, NAMESPACE, WEBHOOK, WEBHOOK_TLS_SECRET};
use serde_json::Value;

use crate::manifests::Tls;
use crate::online::act::Pace;

/// The kinds of the bundle: plural and whether namespaced (no discovery round trips; a test keeps
/// this table and the bundles in step).
pub const KINDS: &[(&str, &str, bool)] = &[
    ("CustomResourceDefinition", "customresourcedefinitions", false),
    ("Namespace", "namespaces", false),
    ("ServiceAccount", "serviceaccounts", true),
    ("ClusterRole", "clusterroles", false),
    ("ClusterRoleBinding", "clusterrolebindings", false),
    ("Role", "roles", true),
    ("RoleBinding", "rolebindings", true),
    ("Service", "services", true),
    ("Deployment", "deployments", true),
    ("PodDisruptionBudget", "poddisruptionbudgets", true),
    ("NetworkPolicy", "networkpolicies", true),
    ("Issuer", "issuers", true),
    ("Certificate", "certificates", true),
    ("MutatingWebhookConfiguration", "mutatingwebhookconfigurations", false),
    ("ValidatingWebhookConfiguration", "validatingwebhookconfigurations", false),
];

fn plural(kind: &str) -> Option<(&'static str, bool)> {
    KINDS.iter().find(|(k, _, _)| *k == kind).map(|(_, plural, namespaced)| (*plural, *namespaced))
}

/// The objects of a bundle, in order.
pub fn objects(bundle: &str) -> Result<Vec<Value>, String> {
    let documents: Vec<Value> = serde_saphyr::from_multiple(bundle).map_err(|err| format!("the bundle: {err}"))?;
    Ok(documents.into_iter().filter(|d| !d.is_null()).collect())
}

/// The objects of the bundle for `certificates`, naming `images`, acting in `namespaces` only
/// (every namespace when empty).
pub fn bundle(certificates: Certificates, images: &Images, namespaces: &[String]) -> Result<Vec<Value>, String> {
    let mut objects = objects(Tls::from(certificates).embedded())?;
    objects.iter_mut().for_each(|object| images.retarget(object));
    if !namespaces.is_empty() {
        objects = neo4j_api::install::scope::scope(objects, namespaces);
    }
    Ok(objects)
}

fn api_for(client: &Client, object: &Value) -> Result<(Api<DynamicObject>, String), String> {
    let kind = object["kind"].as_str().unwrap_or_default();
    let (group, version) = match object["apiVersion"].as_str().unwrap_or_default().split_once('/') {
        Some((group, version)) => (group, version),
        None => ("", object["apiVersion"].as_str().unwrap_or_default()),
    };
    let (plural, namespaced) = plural(kind).ok_or_else(|| format!("the bundle holds an unknown kind {kind}"))?;
    let resource = ApiResource::from_gvk_with_plural(&GroupVersionKind::gvk(group, version, kind), plural);
    let name = object["metadata"]["name"].as_str().unwrap_or_default().to_owned();
    let api = match (namespaced, object["metadata"]["namespace"].as_str()) {
        (true, Some(ns)) => Api::namespaced_with(client.clone(), ns, &resource),
        (true, None) => return Err(format!("{kind} {name} has no namespace in the bundle")),
        (false, _) => Api::all_with(client.clone(), &resource),
    };
    Ok((api, format!("{}/{name}", kind.to_lowercase())))
}

/// What `install` is asked to do.
#[derive(Clone, Debug)]
pub struct Options {
    /// How the webhook gets its certificate (`None`: cert-manager when installed, else its own).
    pub certificates: Option<Certificates>,
    /// The images the Deployments name.
    pub images: Images,
    /// Also wait for the controller to be available.
    pub wait: bool,
    /// The namespaces the controller and the webhook act in (every namespace when empty).
    pub namespaces: Vec<String>,
}

fn api_error(what: &str) -> impl FnOnce(kube::Error) -> String + '_ {
    move |err| match err {
        kube::Error::Api(status) => format!("{what}: {}", status.message),
        other => format!("{what}: {other}"),
    }
}

async fn allowed(client: &Client, access: &Access) -> Result<bool, String> {
    let review = SelfSubjectAccessReview {
        spec: SelfSubjectAccessReviewSpec {
            resource_attributes: Some(ResourceAttributes {
                verb: Some(access.verb.to_owned()),
                group: Some(access.group.clone()),
                resource: Some(access.resource.clone()),
                namespace: access.namespace.clone(),
                ..ResourceAttributes::default()
            }),
            ..SelfSubjectAccessReviewSpec::default()
        },
        ..SelfSubjectAccessReview::default()
    };
    let api: Api<SelfSubjectAccessReview> = Api::all(client.clone());
    let answer = api.create(&PostParams::default(), &review).await.map_err(api_error("asking for permissions"))?;
    Ok(answer.status.is_some_and(|status| status.allowed))
}

/// Reads what [`preflight::judge`] needs.
async fn facts(
    client: &Client,
    requested: Option<Certificates>,
    images: &Images,
    namespaces: &[String],
) -> Result<(Facts, Vec<Value>), String> {
    let version = client.apiserver_version().await.ok().map(|info| (info.major, info.minor));
    let crds: Api<CustomResourceDefinition> = Api::all(client.clone());
    let mut cert_manager = true;
    for name in ["certificates.cert-manager.io", "issuers.cert-manager.io"] {
        cert_manager &= crds.get_opt(name).await.map_err(api_error("reading CRDs"))?.is_some();
    }
    let certificates = preflight::choose(requested, cert_manager);
    let objects = bundle(certificates, images, namespaces)?;
    let mut existing_crds = Vec::new();
    for object in objects.iter().filter(|o| o["kind"] == "CustomResourceDefinition") {
        let name = object["metadata"]["name"].as_str().unwrap_or_default();
        if let Some(found) = crds.get_opt(name).await.map_err(api_error("reading CRDs"))? {
            existing_crds.push(serde_json::to_value(found).map_err(|err| err.to_string())?);
        }
    }
    let mut denied = Vec::new();
    for access in preflight::access_needed(&objects, plural).into_iter().chain(reads()) {
        if !allowed(client, &access).await? {
            denied.push(access);
        }
    }
    Ok((Facts { server_version: version, denied, cert_manager, existing_crds }, objects))
}

/// What install reads besides what it applies: the Deployments it waits for and the Secret
/// holding the webhook's CA.
fn reads() -> Vec<Access> {
    [("apps", "deployments"), ("", "secrets")]
        .into_iter()
        .map(|(group, resource)| Access {
            group: group.to_owned(),
            resource: resource.to_owned(),
            namespace: Some(NAMESPACE.to_owned()),
            verb: "get",
        })
        .collect()
}

async fn apply(client: &Client, object: &Value) -> Result<String, String> {
    let (api, shown) = api_for(client, object)?;
    let dynamic: DynamicObject = serde_json::from_value(object.clone()).map_err(|err| err.to_string())?;
    let params = PatchParams::apply(FIELD_MANAGER).force();
    api.patch(&dynamic.name_any(), &params, &Patch::Apply(&dynamic)).await.map_err(api_error(&shown))?;
    Ok(shown)
}

/// Polls `probe` until it answers `Ok`, saying each new `Err` state; gives up after the timeout.
async fn until<T, F, Fut>(pace: Pace, what: &str, say: &mut impl FnMut(&str), mut probe: F) -> Result<T, String>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<Result<T, String>, String>>,
{
    let start = Instant::now();
    let mut last = String::new();
    loop {
        match probe().await? {
            Ok(value) => return Ok(value),
            Err(state) => {
                if state != last {
                    say(&format!("waiting for {what}: {state}"));
                    last = state;
                }
            }
        }
        if start.elapsed() >= pace.timeout {
            return Err(format!("{what}: {last} after {}s", pace.timeout.as_secs()));
        }
        tokio::time::sleep(pace.poll).await;
    }
}

async fn available(client: &Client, name: &str, pace: Pace, say: &mut impl FnMut(&str)) -> Result<i64, String> {
    let deployments: Api<Deployment> = Api::namespaced(client.clone(), NAMESPACE);
    let what = format!("deployment/{name} in {NAMESPACE}");
    until(pace, &what, say, || {
        let deployments = deployments.clone();
        async move {
            let found = deployments.get_opt(name).await.map_err(api_error(name))?;
            let found = found.map(serde_json::to_value).transpose().map_err(|err| err.to_string())?;
            Ok(match order::deployment(found.as_ref()) {
                Readiness::Ready { available } => Ok(available),
                Readiness::Waiting(state) => Err(state),
            })
        }
    })
    .await
}

/// The CA bundle (base64 of the PEM) of the webhook's Secret, once it has one.
async fn ca_bundle(client: &Client, pace: Pace, say: &mut impl FnMut(&str)) -> Result<String, String> {
    let secrets: Api<Secret> = Api::namespaced(client.clone(), NAMESPACE);
    let what = format!("the webhook's CA in secret/{WEBHOOK_TLS_SECRET}");
    until(pace, &what, say, || {
        let secrets = secrets.clone();
        async move {
            let found = secrets.get_opt(WEBHOOK_TLS_SECRET).await.map_err(api_error(WEBHOOK_TLS_SECRET))?;
            let ca = found.and_then(|secret| secret.data).and_then(|mut data| data.remove("ca.crt"));
            Ok(match ca {
                Some(ca) if !ca.0.is_empty() => {
                    Ok(serde_json::to_value(ca).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default())
                }
                _ => Err("not written yet".to_owned()),
            })
        }
    })
    .await
}

/// Checks, then installs; `say` gets one line per step.
pub async fn install(client: &Client, options: &Options, pace: Pace, mut say: impl FnMut(&str)) -> Result<(), String> {
    let (facts, objects) = facts(client, options.certificates, &options.images, &options.namespaces).await?;
    let verdict = preflight::judge(&facts, options.certificates);
    if !verdict.problems.is_empty() {
        return Err(format!(
            "nothing was installed:\n{}",
            verdict.problems.iter().map(|problem| format!("  - {problem}")).collect::<Vec<_>>().join("\n")
        ));
    }
    say(&format!("checked: {}", verdict.checked.join(", ")));
    let (first, gates) = order::split(objects);
    for object in &first {
        say(&format!("{} serverside-applied", apply(client, object).await?));
    }
    let undo = "The webhook configurations were not applied, so nothing is refused meanwhile. Run `kubectl neo4j install` again once it is available, or `kubectl neo4j uninstall` to undo";
    let hint = |err: String| format!("{err}. `kubectl -n {NAMESPACE} describe deployment {WEBHOOK}` shows why. {undo}");
    let ready = available(client, WEBHOOK, pace, &mut say).await.map_err(hint)?;
    say(&format!("deployment/{WEBHOOK} available ({ready} replicas)"));
    let ca = ca_bundle(client, pace, &mut say).await.map_err(|err| format!("{err}. {undo}"))?;
    for mut gate in gates {
        order::trust(&mut gate, &ca);
        say(&format!(
            "{} serverside-applied (trusting the CA of secret/{WEBHOOK_TLS_SECRET})",
            apply(client, &gate).await?
        ));
    }
    if options.wait {
        let ready = available(client, CONTROLLER, pace, &mut say).await.map_err(|err| {
            format!("{err}. The webhook is serving; `kubectl -n {NAMESPACE} describe deployment {CONTROLLER}` shows why the controller is not")
        })?;
        say(&format!("deployment/{CONTROLLER} available ({ready} replicas)"));
    }
    say("installed; `kubectl neo4j status` shows it");
    Ok(())
}

/// Removes what `install` applied, newest first (webhook configurations before the webhook): the
/// objects of both certificate variants (whichever was installed), and the webhook's certificate
/// Secrets. Not the CRDs, the namespace, or anything holding backups.
pub async fn uninstall(client: &Client) -> Result<String, String> {
    let busy = restores_in_progress(client).await?;
    if !busy.is_empty() {
        return Err(format!(
            "nothing was removed: {} in progress ({}); without the controller a target scaled down for it would stay down. Wait until {} (`kubectl neo4j status -A`), or delete {} first",
            if busy.len() == 1 { "a restore is" } else { "restores are" },
            busy.join(", "),
            if busy.len() == 1 { "it ends" } else { "they end" },
            if busy.len() == 1 { "it" } else { "them" },
        ));
    }
    let mut out = String::new();
    let mut kept = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    let mut everything = Vec::new();
    for tls in [Tls::CertManager, Tls::SelfManaged] {
        everything.extend(objects(tls.embedded())?);
    }
    let (first, gates) = order::split(everything);
    for object in gates.into_iter().chain(first.into_iter().rev()) {
        let kind = object["kind"].as_str().unwrap_or_default();
        let (api, shown) = api_for(client, &object)?;
        if !seen.insert(shown.clone()) {
            continue;
        }
        if matches!(kind, "CustomResourceDefinition" | "Namespace") {
            kept.push(shown);
            continue;
        }
        let name = object["metadata"]["name"].as_str().unwrap_or_default();
        out.push_str(&delete(&api, name, &shown).await?);
    }
    // A namespace-scoped install (`--namespaces`) left Roles and RoleBindings in each namespace.
    out.push_str(&delete_scoped_rbac(client).await?);
    let secrets: Api<DynamicObject> =
        Api::namespaced_with(client.clone(), NAMESPACE, &ApiResource::erase::<Secret>(&()));
    for name in [WEBHOOK_TLS_SECRET, "neo4j-webhook-ca"] {
        out.push_str(&delete(&secrets, name, &format!("secret/{name}")).await?);
    }
    kept.sort();
    out.push_str(&format!(
        "kept: {} (deleting a CRD deletes every Neo4jBackup and Neo4jRestore; backup artifacts and claims are never touched)\n",
        kept.join(", ")
    ));
    Ok(out)
}

/// Deletes our Roles and RoleBindings outside `neo4j-system` (those a namespace-scoped install
/// made in each namespace it lists).
async fn delete_scoped_rbac(client: &Client) -> Result<String, String> {
    let mut out = String::new();
    let selector = ListParams::default().labels(&format!("app.kubernetes.io/part-of={}", neo4j_api::install::PART_OF));
    let kinds = [
        (ApiResource::erase::<k8s_openapi::api::rbac::v1::RoleBinding>(&()), "rolebinding"),
        (ApiResource::erase::<k8s_openapi::api::rbac::v1::Role>(&()), "role"),
    ];
    for (resource, kind) in kinds {
        let all: Api<DynamicObject> = Api::all_with(client.clone(), &resource);
        for object in all.list(&selector).await.map_err(api_error("listing our Roles"))?.items {
            let (Some(namespace), Some(name)) = (object.metadata.namespace.as_deref(), object.metadata.name.as_deref())
            else {
                continue;
            };
            if namespace == NAMESPACE {
                continue;
            }
            let api: Api<DynamicObject> = Api::namespaced_with(client.clone(), namespace, &resource);
            out.push_str(&delete(&api, name, &format!("{kind}/{name} in {namespace}")).await?);
        }
    }
    Ok(out)
}

/// The Neo4jRestores (`namespace/name`) that have started and not ended: the controller must see
/// them through (a scaled-down target is scaled back by it alone).
async fn restores_in_progress(client: &Client) -> Result<Vec<String>, String> {
    let restores: Api<neo4j_api::Neo4jRestore> = Api::all(client.clone());
    let listed = match restores.list(&Default::default()).await {
        Ok(listed) => listed,
        // No CRD, no restores.
        Err(kube::Error::Api(status)) if status.code == 404 => return Ok(Vec::new()),
        Err(err) => return Err(api_error("listing Neo4jRestores")(err)),
    };
    Ok(listed
        .items
        .iter()
        .filter(|restore| {
            let phase = restore.status.as_ref().and_then(|s| s.phase.clone());
            matches!(phase, Some(neo4j_api::RestorePhase::Running)) || !restore.finalizers().is_empty()
        })
        .map(|restore| format!("{}/{}", restore.namespace().unwrap_or_default(), restore.name_any()))
        .collect())
}

async fn delete(api: &Api<DynamicObject>, name: &str, shown: &str) -> Result<String, String> {
    match api.delete(name, &DeleteParams::default()).await {
        Ok(_) => Ok(format!("{shown} deleted\n")),
        // 404: the object is gone, or its kind is not served (cert-manager's, when it is absent).
        Err(kube::Error::Api(status)) if status.code == 404 => Ok(format!("{shown} already gone\n")),
        Err(err) => Err(api_error(shown)(err)),
    }
}

/// How long to wait by default, and how often to look.
pub const PACE: Pace =
    Pace { timeout: Duration::from_secs(300), poll: Duration::from_secs(2), quiet: Duration::from_secs(300) };
