//! `kubectl neo4j convert`: the Neo4j operator's own Neo4jBackup and Neo4jRestore
//! (`neo4j.neo4j.com/v1beta1`, its v1.13 and later; the schema of its v1.14.0 CRDs, committed in
//! tests/fixtures/neo4j-operator/v1.14.0/) translated into ours (`v1alpha1`).
//!
//! The converted object does what the operator's did: it reads and writes the same folders, passes
//! neo4j-admin the same options and keeps the operator's defaults where ours differ. Every field
//! with no counterpart is listed ([`Dropped`]) with why and what to do instead; input that cannot
//! be translated (another kind, a required field missing, a scope kubectl-neo4j does not have) is
//! refused at the field that causes it. Status, server-set metadata and kubectl's
//! last-applied-configuration are not carried over.

mod backup;
mod fields;
mod hooks;
mod restore;
mod storage;

use std::fmt;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde_json::Value;

use self::fields::{Fields, Notes};
use crate::review::Kind;
use crate::rules::{FieldError, FieldPath};
use crate::types::{Neo4jBackup, Neo4jRestore};

pub use self::storage::OPERATOR_DEFAULT_PATH;

/// The version of the Neo4j operator's own Neo4jBackup and Neo4jRestore API.
pub const OPERATOR_VERSION: &str = "v1beta1";

/// kubectl's record of the last applied manifest: it describes the operator's object, not ours.
const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// An operator field that has no counterpart in ours.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dropped {
    /// Dotted path of the field in the operator's object, e.g. `spec.options.resources`.
    pub path: String,
    /// Why it is not carried over, and what to do instead.
    pub why: String,
}

impl fmt::Display for Dropped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: not converted: {}", self.path, self.why)
    }
}

/// What a manifest is, for `convert`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// The Neo4j operator's own Neo4jBackup or Neo4jRestore (`neo4j.neo4j.com/v1beta1`): converted.
    Operator(Kind),
    /// Already ours (`neo4j.neo4j.com/v1alpha1`): nothing to convert.
    Ours(Kind),
    /// Anything else (targets, other kinds, other versions): not converted.
    Other,
}

/// What `object` is.
pub fn origin(object: &Value) -> Origin {
    let kind = match Kind::of(object) {
        Some(kind @ (Kind::Backup | Kind::Restore)) => kind,
        _ => return Origin::Other,
    };
    let version = object["apiVersion"].as_str().and_then(|v| v.split_once('/')).map(|(_, version)| version);
    match version {
        Some(crate::VERSION) => Origin::Ours(kind),
        Some(OPERATOR_VERSION) => Origin::Operator(kind),
        _ => Origin::Other,
    }
}

/// A converted object.
#[derive(Clone, Debug, PartialEq)]
pub enum Converted {
    /// A Neo4jBackup of ours.
    Backup(Box<Neo4jBackup>),
    /// A Neo4jRestore of ours.
    Restore(Box<Neo4jRestore>),
}

impl Converted {
    /// The object as JSON (as `kubectl apply` would send it).
    pub fn to_value(&self) -> Value {
        let value = match self {
            Self::Backup(backup) => serde_json::to_value(backup),
            Self::Restore(restore) => serde_json::to_value(restore),
        };
        // Serialising our own types cannot fail: their maps have string keys.
        value.unwrap_or_default()
    }
}

/// The result of a conversion: our object, and the operator's fields it does not carry.
#[derive(Clone, Debug, PartialEq)]
pub struct Conversion {
    /// The converted object.
    pub object: Converted,
    /// Every field of the operator's object with no counterpart, in the order of the input.
    pub dropped: Vec<Dropped>,
}

/// Converts the Neo4j operator's `v1beta1` Neo4jBackup or Neo4jRestore; `Err` says, at each field
/// that causes it, why it cannot be converted.
pub fn convert(object: &Value) -> Result<Conversion, Vec<FieldError>> {
    let (kind, what) = match origin(object) {
        Origin::Operator(Kind::Backup) => (Kind::Backup, "v1beta1 Neo4jBackup"),
        Origin::Operator(_) => (Kind::Restore, "v1beta1 Neo4jRestore"),
        _ => {
            let error = FieldError {
                path: "apiVersion".to_owned(),
                message: format!(
                    "convert translates the Neo4j operator's {group}/{OPERATOR_VERSION} Neo4jBackup and Neo4jRestore; this is {} {}",
                    object["apiVersion"].as_str().unwrap_or("<no apiVersion>"),
                    object["kind"].as_str().unwrap_or("<no kind>"),
                    group = crate::GROUP,
                ),
            };
            return Err(vec![error]);
        }
    };
    let mut notes = Notes::default();
    let Some(mut top) = Fields::root(what, object.clone(), &mut notes) else { return Err(notes.errors) };
    top.ignore("apiVersion");
    top.ignore("kind");
    let metadata = metadata(&mut top, &mut notes);
    let object = match kind {
        Kind::Backup => Converted::Backup(Box::new(backup::backup(&mut top, metadata, &mut notes))),
        _ => Converted::Restore(Box::new(restore::restore(&mut top, metadata, &mut notes))),
    };
    top.finish(&mut notes);
    if notes.errors.is_empty() { Ok(Conversion { object, dropped: notes.dropped }) } else { Err(notes.errors) }
}

/// What an operator backup or restore covers on its instance (`allDatabases`, `database`).
#[derive(Debug)]
enum Scope {
    /// `allDatabases: true`: every database of the instance.
    All,
    /// `database`: one database.
    Database(String),
    /// Neither (the operator refuses that too; the caller says what is needed).
    Neither,
}

/// The scope of `spec`; `None` when it names both, which the operator refuses (as this says).
fn scope(spec: &mut Fields, notes: &mut Notes) -> Option<Scope> {
    let all = spec.bool("allDatabases", notes) == Some(true);
    match (all, spec.string("database", notes)) {
        (true, Some(_)) => {
            notes
                .error(&spec.at("database"), "is set together with allDatabases, which the operator refuses; keep one");
            None
        }
        (true, None) => Some(Scope::All),
        (false, Some(database)) => Some(Scope::Database(database)),
        (false, None) => Some(Scope::Neither),
    }
}

/// Name, namespace, labels and annotations (not kubectl's last-applied-configuration); what the
/// API server set (uid, resourceVersion, managedFields, finalizers, ...) stays behind.
fn metadata(top: &mut Fields, notes: &mut Notes) -> ObjectMeta {
    let Some(mut fields) = top.object("metadata", notes) else {
        notes.error(&FieldPath::new("metadata.name"), "is required: kubectl-neo4j names the object's Jobs after it");
        return ObjectMeta::default();
    };
    let name = fields.string("name", notes);
    if name.is_none() {
        notes.error(&fields.at("name"), "is required: kubectl-neo4j names the object's Jobs after it");
    }
    let namespace = fields.string("namespace", notes);
    let labels =
        fields.decode("labels", "a map of strings", notes).filter(|l: &std::collections::BTreeMap<_, _>| !l.is_empty());
    let annotations = fields
        .decode::<std::collections::BTreeMap<String, String>>("annotations", "a map of strings", notes)
        .map(|mut annotations| {
            annotations.remove(LAST_APPLIED);
            annotations
        })
        .filter(|a| !a.is_empty());
    ObjectMeta { name, namespace, labels, annotations, ..ObjectMeta::default() }
}

/// What the tests of each kind share: an operator manifest, and what converting it gives.
#[cfg(test)]
mod testing {
    use serde_json::{Value, json};

    use super::convert;

    /// The operator's `kind` named `name` in namespace `prod`, with `spec`.
    pub fn operator(kind: &str, name: &str, spec: Value) -> Value {
        json!({"apiVersion": "neo4j.neo4j.com/v1beta1", "kind": kind,
               "metadata": {"name": name, "namespace": "prod"}, "spec": spec})
    }

    /// The converted object as JSON, and the fields dropped, each as its line.
    pub fn converted(object: &Value) -> (Value, Vec<String>) {
        let conversion = convert(object).expect("converts");
        (conversion.object.to_value(), conversion.dropped.iter().map(ToString::to_string).collect())
    }

    /// Why `object` cannot be converted, each as its line.
    pub fn refused(object: &Value) -> Vec<String> {
        convert(object).expect_err("refused").iter().map(ToString::to_string).collect()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn what_each_manifest_is() {
        let of = |api: &str, kind: &str| origin(&json!({"apiVersion": api, "kind": kind}));
        assert_eq!(of("neo4j.neo4j.com/v1beta1", "Neo4jBackup"), Origin::Operator(Kind::Backup));
        assert_eq!(of("neo4j.neo4j.com/v1beta1", "Neo4jRestore"), Origin::Operator(Kind::Restore));
        assert_eq!(of("neo4j.neo4j.com/v1alpha1", "Neo4jRestore"), Origin::Ours(Kind::Restore));
        assert_eq!(of("neo4j.neo4j.com/v1beta1", "Neo4jEnterpriseCluster"), Origin::Other);
        assert_eq!(of("neo4j.neo4j.com/v2", "Neo4jBackup"), Origin::Other);
        assert_eq!(of("v1", "Secret"), Origin::Other);
    }

    #[test]
    fn only_the_operators_backups_and_restores_are_converted() {
        let cluster = json!({"apiVersion": "neo4j.neo4j.com/v1beta1", "kind": "Neo4jEnterpriseCluster", "metadata": {"name": "prod"}});
        assert_eq!(
            convert(&cluster),
            Err(vec![FieldError {
                path: "apiVersion".into(),
                message: "convert translates the Neo4j operator's neo4j.neo4j.com/v1beta1 Neo4jBackup and Neo4jRestore; this is neo4j.neo4j.com/v1beta1 Neo4jEnterpriseCluster".into()
            }])
        );
    }

    // What `kubectl get neo4jbackup -o yaml` returns: the API server's metadata, the operator's
    // finalizer (internal/controller/neo4jbackup_controller.go BackupFinalizer) and its status.
    #[test]
    fn metadata_keeps_what_the_user_wrote_and_leaves_what_the_server_set() {
        let read_back = json!({"apiVersion": "neo4j.neo4j.com/v1beta1", "kind": "Neo4jBackup",
            "metadata": {"name": "nightly", "namespace": "prod", "uid": "1234", "resourceVersion": "77", "generation": 2,
                         "creationTimestamp": "2026-01-01T00:00:00Z", "finalizers": ["neo4j.com/backup-finalizer"],
                         "labels": {"team": "data"},
                         "annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{}", "owner": "data-team"},
                         "managedFields": [{"manager": "kubectl"}]},
            "spec": {"instanceRef": "prod", "allDatabases": true, "storage": {"type": "pvc", "pvc": {"name": "backups"}}},
            "status": {"phase": "Completed", "history": [{"status": "Succeeded"}]}});
        let conversion = convert(&read_back).unwrap();
        let Converted::Backup(backup) = conversion.object else { panic!("a backup") };
        assert_eq!(
            serde_json::to_value(&backup.metadata).unwrap(),
            json!({"name": "nightly", "namespace": "prod", "labels": {"team": "data"}, "annotations": {"owner": "data-team"}})
        );
        assert!(backup.status.is_none());
        assert_eq!(conversion.dropped, vec![]);
    }

    #[test]
    fn a_manifest_without_name_cannot_be_converted_and_unknown_top_level_fields_are_listed() {
        let nameless = json!({"apiVersion": "neo4j.neo4j.com/v1beta1", "kind": "Neo4jRestore", "metadata": {"generateName": "r-"},
            "spec": {"instanceRef": "prod", "database": "neo4j", "source": {"type": "backup", "backupRef": "nightly"}}});
        assert_eq!(
            convert(&nameless),
            Err(vec![FieldError {
                path: "metadata.name".into(),
                message: "is required: kubectl-neo4j names the object's Jobs after it".into()
            }])
        );
        let extra = json!({"apiVersion": "neo4j.neo4j.com/v1beta1", "kind": "Neo4jRestore", "metadata": {"name": "r"},
            "spec": {"instanceRef": "prod", "database": "neo4j", "source": {"type": "backup", "backupRef": "nightly"}},
            "data": {"x": "y"}});
        assert_eq!(
            convert(&extra).unwrap().dropped,
            vec![Dropped {
                path: "data".into(),
                why: "the Neo4j operator's v1beta1 Neo4jRestore (v1.14) has no such field".into()
            }]
        );
    }
}
