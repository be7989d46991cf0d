//! Reviewing a raw object the way admission does: recognise its kind, default it, decode it and
//! judge it. The webhook, the plugin's offline `validate` and the controller all start here.

use json_patch::Patch;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::defaults;
use crate::rules::{self, Context, Verdict};
use crate::types::{Neo4jBackup, Neo4jEnterpriseCluster, Neo4jEnterpriseStandalone, Neo4jRestore};

/// The kinds we review.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `Neo4jBackup`.
    Backup,
    /// `Neo4jRestore`.
    Restore,
    /// `Neo4jEnterpriseCluster` (the Neo4j operator's).
    Cluster,
    /// `Neo4jEnterpriseStandalone` (the Neo4j operator's).
    Standalone,
}

impl Kind {
    /// The kind of an object of group `neo4j.neo4j.com`, or `None` for anything else.
    pub fn of(object: &Value) -> Option<Self> {
        let group = object["apiVersion"].as_str()?.split_once('/')?.0;
        if group != crate::GROUP {
            return None;
        }
        match object["kind"].as_str()? {
            "Neo4jBackup" => Some(Self::Backup),
            "Neo4jRestore" => Some(Self::Restore),
            "Neo4jEnterpriseCluster" => Some(Self::Cluster),
            "Neo4jEnterpriseStandalone" => Some(Self::Standalone),
            _ => None,
        }
    }

    /// The kind's name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Backup => "Neo4jBackup",
            Self::Restore => "Neo4jRestore",
            Self::Cluster => "Neo4jEnterpriseCluster",
            Self::Standalone => "Neo4jEnterpriseStandalone",
        }
    }

    /// The defaults of this kind.
    pub fn defaults(self, object: &Value) -> Patch {
        match self {
            Self::Backup => defaults::backup_defaults(object),
            Self::Restore => defaults::restore_defaults(object),
            Self::Cluster | Self::Standalone => defaults::target_defaults(object),
        }
    }
}

/// What a review found: the defaults to apply and the verdict on the defaulted object.
#[derive(Clone, Debug, PartialEq)]
pub struct Review {
    /// The kind reviewed.
    pub kind: Kind,
    /// Operations that default the object (empty when nothing was missing or it did not decode).
    pub patch: Patch,
    /// The verdict on the object with its defaults.
    pub verdict: Verdict,
}

/// Reviews `new` (and `old`, on update). `None` when the object is not one of our kinds.
pub fn review(old: Option<&Value>, new: &Value, ctx: &Context) -> Option<Review> {
    let kind = Kind::of(new)?;
    if let Some(verdict) = foreign_version(kind, new) {
        return Some(Review { kind, patch: Patch(Vec::new()), verdict });
    }
    let patch = kind.defaults(new);
    let defaulted = with_defaults(kind, new);
    // The old object may predate the webhook: compare like with like.
    let old = old.map(|old| with_defaults(kind, old));
    let old = old.as_ref();
    let judged = match kind {
        Kind::Backup => judge::<Neo4jBackup>(old, &defaulted, |o, n| rules::validate_backup(o, n, ctx)),
        Kind::Restore => judge::<Neo4jRestore>(old, &defaulted, |o, n| rules::validate_restore(o, n, ctx)),
        Kind::Cluster => judge::<Neo4jEnterpriseCluster>(old, &defaulted, |o, n| rules::validate_cluster(o, n, ctx)),
        Kind::Standalone => {
            judge::<Neo4jEnterpriseStandalone>(old, &defaulted, |o, n| rules::validate_standalone(o, n, ctx))
        }
    };
    let (verdict, patch) = match judged {
        Ok(verdict) => (verdict, patch),
        // An object that does not decode gets no defaults: the user fixes it first.
        Err(verdict) => (verdict, Patch(Vec::new())),
    };
    Some(Review { kind, patch, verdict })
}

/// A Neo4jBackup or Neo4jRestore of another version than ours is the Neo4j operator's own API
/// (it serves `neo4j.neo4j.com/v1beta1` since its v1.13): judged by our rules, its fields would all
/// look missing. One error says what it is instead. The targets' versions all carry the fields we
/// read, so they are judged whatever their version.
fn foreign_version(kind: Kind, object: &Value) -> Option<Verdict> {
    if !matches!(kind, Kind::Backup | Kind::Restore) {
        return None;
    }
    let api_version = object["apiVersion"].as_str().unwrap_or_default();
    let ours = format!("{}/{}", crate::GROUP, crate::VERSION);
    if api_version == ours {
        return None;
    }
    let mut verdict = Verdict::default();
    verdict.error(
        "apiVersion",
        format!(
            "{api_version} is the Neo4j operator's own {} API, not kubectl-neo4j's ({ours}); translate it into {ours} with `kubectl neo4j convert -f FILE` (docs/operator.md), or leave {api_version} objects to the Neo4j operator's controller",
            kind.name()
        ),
    );
    Some(verdict)
}

/// The object with its defaults applied.
fn with_defaults(kind: Kind, object: &Value) -> Value {
    let mut defaulted = object.clone();
    if json_patch::patch(&mut defaulted, &kind.defaults(object)).is_err() {
        // Cannot happen for patches made by `defaults`; judge the object as written if it does.
        return object.clone();
    }
    defaulted
}

/// Decodes an object, reporting a failure at the field that causes it.
pub fn decode<T: DeserializeOwned>(object: &Value) -> Result<T, Verdict> {
    serde_path_to_error::deserialize(object).map_err(|err| {
        let path = err.path().to_string();
        let path = if path == "." { "object".to_owned() } else { path };
        let mut verdict = Verdict::default();
        verdict.error(path, format!("cannot be read: {}", err.inner()));
        verdict
    })
}

/// The verdict on a decoded object, or `Err` with the decoding failure.
fn judge<T: DeserializeOwned>(
    old: Option<&Value>,
    new: &Value,
    validate: impl FnOnce(Option<&T>, &T) -> Verdict,
) -> Result<Verdict, Verdict> {
    let new = decode::<T>(new)?;
    // The old object was accepted before; if it no longer decodes, judge the new one on its own.
    let old = old.and_then(|old| decode::<T>(old).ok());
    Ok(validate(old.as_ref(), &new))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn kinds_are_recognised_by_group_and_kind() {
        let of = |api: &str, kind: &str| Kind::of(&json!({"apiVersion": api, "kind": kind}));
        assert_eq!(of("neo4j.neo4j.com/v1alpha1", "Neo4jBackup"), Some(Kind::Backup));
        assert_eq!(of("neo4j.neo4j.com/v1alpha1", "Neo4jEnterpriseStandalone"), Some(Kind::Standalone));
        assert_eq!(of("apps/v1", "Neo4jBackup"), None);
        assert_eq!(of("neo4j.neo4j.com/v1alpha1", "Neo4jDatabase"), None);
        assert_eq!(Kind::of(&json!({"kind": "Neo4jBackup"})), None);
    }

    #[test]
    fn a_type_error_is_reported_at_its_field_and_nothing_is_patched() {
        let object = json!({"apiVersion": "neo4j.neo4j.com/v1alpha1", "kind": "Neo4jBackup", "metadata": {"name": "b"},
            "spec": {"target": {"kind": "Cluster", "name": "c"}, "storage": {"type": "pvc", "pvc": {"name": "p"}},
                     "options": {"compress": "yes"}}});
        let review = review(None, &object, &Context::default()).unwrap();
        assert_eq!(
            review.verdict.error_lines(),
            vec!["spec.options.compress: cannot be read: invalid type: string \"yes\", expected a boolean"]
        );
        assert_eq!(review.patch, Patch(Vec::new()));
    }

    #[test]
    fn defaults_are_applied_before_the_rules() {
        let object = json!({"apiVersion": "neo4j.neo4j.com/v1alpha1", "kind": "Neo4jBackup", "metadata": {"name": "b"},
            "spec": {"target": {"kind": "Cluster", "name": "c"},
                     "storage": {"type": "s3", "bucket": "my-bucket", "cloud": {"identity": {"autoCreate": {}}}}}});
        let review = review(None, &object, &Context::default()).unwrap();
        assert_eq!(review.verdict, Verdict::default(), "identity.provider comes from the defaults");
        assert!(!review.patch.0.is_empty());
    }

    // The operator's v1beta1 Neo4jBackup (../shared/fixtures/neo4j-operator/v1.14.0) used to be
    // judged as ours: "spec.target: is required" and the like.
    #[test]
    fn the_operators_v1beta1_backup_gets_one_error_naming_the_version() {
        let theirs = json!({"apiVersion": "neo4j.neo4j.com/v1beta1", "kind": "Neo4jBackup", "metadata": {"name": "b"},
            "spec": {"target": {"kind": "Cluster", "name": "prod"}, "storage": {"type": "pvc"}}});
        let answer = review(None, &theirs, &Context::default()).unwrap();
        assert_eq!(
            answer.verdict.error_lines(),
            vec![
                "apiVersion: neo4j.neo4j.com/v1beta1 is the Neo4j operator's own Neo4jBackup API, not kubectl-neo4j's (neo4j.neo4j.com/v1alpha1); translate it into neo4j.neo4j.com/v1alpha1 with `kubectl neo4j convert -f FILE` (docs/operator.md), or leave neo4j.neo4j.com/v1beta1 objects to the Neo4j operator's controller"
            ]
        );
        assert!(answer.patch.0.is_empty(), "no defaults for an object that is not ours");
        let target = json!({"apiVersion": "neo4j.neo4j.com/v1beta1", "kind": "Neo4jEnterpriseCluster",
            "metadata": {"name": "prod"}, "spec": {"image": {"repo": "neo4j", "tag": "2025.01.0-enterprise"}, "topology": {"servers": 3}}});
        assert!(review(None, &target, &Context::default()).unwrap().verdict.is_allowed(), "targets of either version");
    }
}
