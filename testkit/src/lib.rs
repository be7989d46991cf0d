//! An in-memory Kubernetes API server stand-in for tests (kube's mock-service pattern, with
//! state): objects by path, resourceVersions bumped on every write, create / replace / delete,
//! server-side apply, JSON and merge patches, lists, `/version`, and SelfSubjectAccessReviews.
//! Tests look at and change the [`World`] directly, e.g. to play a Deployment controller. And a
//! healthy database for the health checks ([`bolt::Healthy`]), and Neo4j's scripted Bolt server
//! ([`boltstub`]).

pub mod bolt;
pub mod boltstub;

use std::collections::{BTreeMap, BTreeSet};
use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use http::{Request, Response};
use kube::Client;
use kube::client::Body;
use serde_json::{Value, json};

/// What the stand-in holds and has seen.
#[derive(Debug)]
pub struct World {
    /// Objects by their path (`/api/v1/namespaces/ns/secrets/name`).
    pub objects: BTreeMap<String, Value>,
    /// Every write, as `create|replace|patch|apply|delete <path>`, in order.
    pub writes: Vec<String>,
    /// Path prefixes answered with 404 (API groups not served, e.g. `/apis/cert-manager.io/`).
    pub unserved: Vec<String>,
    /// Path prefixes answered with 403 (what the caller may not read or write).
    pub forbidden: Vec<String>,
    /// `(verb, resource)` pairs a SelfSubjectAccessReview denies.
    pub denied: BTreeSet<(String, String)>,
    /// `major` and `minor` of `/version`.
    pub version: (String, String),
    last_version: u64,
}

impl Default for World {
    fn default() -> Self {
        Self {
            objects: BTreeMap::new(),
            writes: Vec::new(),
            unserved: Vec::new(),
            forbidden: Vec::new(),
            denied: BTreeSet::new(),
            version: ("1".to_owned(), "36".to_owned()),
            last_version: 0,
        }
    }
}

/// A Status object as the API server answers failures.
pub fn status(code: u16, reason: &str) -> Value {
    json!({"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": reason, "code": code, "message": format!("{reason} ({code})")})
}

impl World {
    /// A shared world.
    pub fn shared() -> Arc<Mutex<World>> {
        Arc::new(Mutex::new(World::default()))
    }

    /// Stores `object` at `path` with a new resourceVersion; returns what was stored.
    pub fn store(&mut self, path: &str, mut object: Value) -> Value {
        self.last_version += 1;
        object["metadata"]["resourceVersion"] = json!(self.last_version.to_string());
        self.objects.insert(path.to_owned(), object.clone());
        object
    }

    /// The writes that touched `path` or its children.
    pub fn writes_to(&self, prefix: &str) -> Vec<String> {
        self.writes
            .iter()
            .filter(|write| write.split_once(' ').is_some_and(|(_, p)| p.starts_with(prefix)))
            .cloned()
            .collect()
    }

    /// The objects of a collection; a namespaced kind listed without a namespace
    /// (`/apis/g/v/plural`) lists it in every namespace, as the API server does.
    fn children(&self, collection: &str) -> Vec<Value> {
        let prefix = format!("{collection}/");
        let (base, plural) = collection.rsplit_once('/').unwrap_or_default();
        let everywhere = format!("{base}/namespaces/");
        self.objects
            .iter()
            .filter(|(path, _)| {
                path.strip_prefix(&prefix).is_some_and(|rest| !rest.contains('/'))
                    || path.strip_prefix(&everywhere).is_some_and(|rest| {
                        let parts: Vec<&str> = rest.split('/').collect();
                        parts.len() == 3 && parts[1] == plural
                    })
            })
            .map(|(_, object)| object.clone())
            .collect()
    }

    /// Answers one request.
    pub fn answer(&mut self, method: &str, path: &str, content_type: &str, body: Value) -> (u16, Value) {
        if self.unserved.iter().any(|prefix| path.starts_with(prefix.as_str())) {
            return (404, status(404, "NotFound"));
        }
        if self.forbidden.iter().any(|prefix| path.starts_with(prefix.as_str())) {
            return (403, status(403, "Forbidden"));
        }
        if path == "/version" {
            let (major, minor) = self.version.clone();
            return (200, json!({"major": major, "minor": minor, "gitVersion": format!("v{major}.{minor}.0")}));
        }
        if path.ends_with("/selfsubjectaccessreviews") && method == "POST" {
            let attributes = &body["spec"]["resourceAttributes"];
            let key = (
                attributes["verb"].as_str().unwrap_or_default().to_owned(),
                attributes["resource"].as_str().unwrap_or_default().to_owned(),
            );
            let mut review = body.clone();
            review["status"] = json!({"allowed": !self.denied.contains(&key)});
            return (201, review);
        }
        let current = self.objects.get(path).cloned();
        match (method, current) {
            ("GET", Some(object)) => (200, object),
            ("GET", None) => {
                if !is_collection(path) {
                    return (404, status(404, "NotFound"));
                }
                (200, json!({"kind": "List", "apiVersion": "v1", "metadata": {}, "items": self.children(path)}))
            }
            ("POST", _) => {
                let name = body["metadata"]["name"].as_str().unwrap_or_default();
                let target = format!("{path}/{name}");
                if self.objects.contains_key(&target) {
                    return (409, status(409, "AlreadyExists"));
                }
                self.writes.push(format!("create {target}"));
                (201, self.store(&target, body))
            }
            ("PUT", Some(object)) => {
                let sent = &body["metadata"]["resourceVersion"];
                if !sent.is_null() && *sent != object["metadata"]["resourceVersion"] {
                    return (409, status(409, "Conflict"));
                }
                self.writes.push(format!("replace {path}"));
                (200, self.store(path, body))
            }
            ("PATCH", current) if content_type.starts_with("application/apply-patch") => {
                let mut object = current.unwrap_or(Value::Null);
                json_patch::merge(&mut object, &body);
                self.writes.push(format!("apply {path}"));
                (200, self.store(path, object))
            }
            ("PATCH", Some(mut object)) => {
                if content_type.starts_with("application/json-patch") {
                    let Ok(patch) = serde_json::from_value::<json_patch::Patch>(body) else {
                        return (400, status(400, "BadRequest"));
                    };
                    if json_patch::patch(&mut object, &patch).is_err() {
                        return (422, status(422, "Invalid"));
                    }
                } else {
                    json_patch::merge(&mut object, &body);
                }
                self.writes.push(format!("patch {path}"));
                (200, self.store(path, object))
            }
            ("DELETE", Some(object)) => {
                self.objects.remove(path);
                self.writes.push(format!("delete {path}"));
                (200, object)
            }
            _ => (404, status(404, "NotFound")),
        }
    }
}

/// Whether `path` names a collection (`.../secrets`) rather than an object (`.../secrets/x`).
fn is_collection(path: &str) -> bool {
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let rest = match segments.first() {
        Some(&"api") => &segments[segments.len().min(2)..],
        Some(&"apis") => &segments[segments.len().min(3)..],
        _ => return false,
    };
    match rest {
        ["namespaces", _, _] => true,
        ["namespaces", ..] => rest.len() == 1,
        [_] => true,
        _ => false,
    }
}

/// A client whose every request `world` answers.
pub fn client(world: Arc<Mutex<World>>) -> Client {
    let service = tower::service_fn(move |request: Request<Body>| {
        let world = world.clone();
        async move {
            let (parts, body) = request.into_parts();
            let bytes = body.collect_bytes().await.unwrap_or_default();
            let body: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
            let content_type = parts
                .headers
                .get(http::header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned();
            let (code, answer) = world
                .lock()
                .map(|mut world| world.answer(parts.method.as_str(), parts.uri.path(), &content_type, body))
                .unwrap_or_else(|_| (500, status(500, "InternalError")));
            let bytes = serde_json::to_vec(&answer).unwrap_or_default();
            let mut response = Response::new(Body::from(bytes));
            *response.status_mut() =
                http::StatusCode::from_u16(code).unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
            Ok::<_, Infallible>(response)
        }
    });
    Client::new(service, "default")
}

/// A self-signed CA named `CN=<common_name>`, valid until midnight (UTC) of `until` (year, month,
/// day), as PEM: what a webhook configuration's caBundle holds.
pub fn ca_pem(common_name: &str, until: (i32, u8, u8)) -> Result<String, rcgen::Error> {
    let mut params = rcgen::CertificateParams::new(Vec::<String>::new())?;
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    params.distinguished_name.push(rcgen::DnType::CommonName, common_name);
    params.not_after = rcgen::date_time_ymd(until.0, until.1, until.2);
    Ok(params.self_signed(&rcgen::KeyPair::generate()?)?.pem())
}

/// Discovery of the Neo4j operator's target kinds served at `neo4j.neo4j.com/v1alpha1` (the
/// release the seeds describe), for stand-ins answered path by path: `/apis` and the group
/// version's resource list; `None` for any other path.
pub fn target_discovery(path: &str) -> Option<Value> {
    Some(match path {
        "/apis" => json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": [{"name": "neo4j.neo4j.com",
            "versions": [{"groupVersion": "neo4j.neo4j.com/v1alpha1", "version": "v1alpha1"}],
            "preferredVersion": {"groupVersion": "neo4j.neo4j.com/v1alpha1", "version": "v1alpha1"}}]}),
        "/apis/neo4j.neo4j.com/v1alpha1" => json!({"kind": "APIResourceList", "apiVersion": "v1",
            "groupVersion": "neo4j.neo4j.com/v1alpha1", "resources": [
            {"name": "neo4jenterpriseclusters", "singularName": "neo4jenterprisecluster", "namespaced": true, "kind": "Neo4jEnterpriseCluster", "verbs": ["get", "list"]},
            {"name": "neo4jenterprisestandalones", "singularName": "neo4jenterprisestandalone", "namespaced": true, "kind": "Neo4jEnterpriseStandalone", "verbs": ["get", "list"]}]}),
        _ => return None,
    })
}

/// A stand-in answered path by path: `served` gives the body of a GET's path (200), anything else
/// is a 404 Status. Returns the client and every path it was asked for, in order.
pub fn answering(
    served: impl Fn(&str) -> Option<Value> + Clone + Send + Sync + 'static,
) -> (Client, Arc<Mutex<Vec<String>>>) {
    let asked = Arc::new(Mutex::new(Vec::new()));
    let seen = asked.clone();
    let service = tower::service_fn(move |request: Request<Body>| {
        let (seen, served) = (seen.clone(), served.clone());
        async move {
            let path = request.uri().path().to_owned();
            seen.lock().unwrap().push(path.clone());
            let (code, body) = match served(&path) {
                Some(body) => (200, body),
                None => (404, status(404, "NotFound")),
            };
            let body = Body::from(serde_json::to_vec(&body).expect("JSON"));
            Ok::<_, Infallible>(Response::builder().status(code).body(body).expect("a response"))
        }
    });
    (Client::new(service, "neo4j"), asked)
}
