//! Reading the operator's manifest field by field. Every field read is taken out of its object, so
//! what is left when an object is finished is what the operator's schema does not have: that is
//! listed too, and nothing is lost without a word.

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::Dropped;
use crate::rules::{FieldError, FieldPath};

/// What a conversion found besides the object: fields dropped, and why the input cannot be
/// converted.
#[derive(Debug, Default)]
pub(super) struct Notes {
    pub dropped: Vec<Dropped>,
    pub errors: Vec<FieldError>,
}

impl Notes {
    /// A field with no counterpart, and why / what to do instead.
    pub fn drop(&mut self, path: &FieldPath, why: impl Into<String>) {
        self.dropped.push(Dropped { path: path.to_string(), why: why.into() });
    }

    /// Why the input cannot be converted, at the field that causes it.
    pub fn error(&mut self, path: &FieldPath, message: impl Into<String>) {
        self.errors.push(FieldError { path: path.to_string(), message: message.into() });
    }

    /// Every error as `path: message`.
    #[cfg(test)]
    pub fn error_lines(&self) -> Vec<String> {
        self.errors.iter().map(ToString::to_string).collect()
    }
}

/// Whether a value does anything in the operator: its Go types treat `false`, `""`, `0`, empty
/// lists and empty objects as unset (`omitempty`).
pub(super) fn has_effect(value: &Value) -> bool {
    match value {
        Value::Null | Value::Bool(false) => false,
        Value::String(text) => !text.is_empty(),
        Value::Number(number) => number.as_f64() != Some(0.0),
        Value::Array(items) => !items.is_empty(),
        Value::Object(fields) => !fields.is_empty(),
        Value::Bool(true) => true,
    }
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// The fields of one object of the input not read yet, where the object is, and what it is part
/// of (`v1beta1 Neo4jBackup`).
#[derive(Debug)]
pub(super) struct Fields {
    path: FieldPath,
    rest: Map<String, Value>,
    what: &'static str,
}

impl Fields {
    /// The object at `path` of a `what`; `None` when it is absent. Anything but an object is an
    /// error.
    pub fn read(what: &'static str, path: FieldPath, value: Option<Value>, notes: &mut Notes) -> Option<Self> {
        match value? {
            Value::Null => None,
            Value::Object(rest) => Some(Self { path, rest, what }),
            other => {
                notes.error(&path, format!("is {}, not an object", kind_of(&other)));
                None
            }
        }
    }

    /// The whole manifest of a `what`.
    pub fn root(what: &'static str, manifest: Value, notes: &mut Notes) -> Option<Self> {
        Self::read(what, FieldPath::new(""), Some(manifest), notes)
    }

    /// Where this object is.
    pub fn path(&self) -> &FieldPath {
        &self.path
    }

    /// The path of a field of this object.
    pub fn at(&self, key: &str) -> FieldPath {
        if self.path.as_str().is_empty() { FieldPath::new(key) } else { self.path.child(key) }
    }

    /// Takes a field out as it is (`None` when absent or null).
    pub fn take(&mut self, key: &str) -> Option<Value> {
        self.rest.remove(key).filter(|value| !value.is_null())
    }

    /// Takes a field of type `T`; a value of another type is an error at the field.
    pub fn decode<T: DeserializeOwned>(&mut self, key: &str, expected: &str, notes: &mut Notes) -> Option<T> {
        let value = self.take(key)?;
        match serde_json::from_value(value.clone()) {
            Ok(decoded) => Some(decoded),
            Err(_) => {
                notes.error(&self.at(key), format!("is {}, not {expected}", kind_of(&value)));
                None
            }
        }
    }

    /// A string field; empty is unset, as in the operator.
    pub fn string(&mut self, key: &str, notes: &mut Notes) -> Option<String> {
        self.decode::<String>(key, "a string", notes).filter(|text| !text.is_empty())
    }

    /// A boolean field.
    pub fn bool(&mut self, key: &str, notes: &mut Notes) -> Option<bool> {
        self.decode(key, "a boolean", notes)
    }

    /// An integer field; 0 is unset, as in the operator.
    pub fn integer(&mut self, key: &str, notes: &mut Notes) -> Option<i32> {
        self.decode::<i32>(key, "an integer", notes).filter(|number| *number != 0)
    }

    /// A list of strings; empty is unset.
    pub fn strings(&mut self, key: &str, notes: &mut Notes) -> Option<Vec<String>> {
        self.decode::<Vec<String>>(key, "a list of strings", notes).filter(|items| !items.is_empty())
    }

    /// A nested object.
    pub fn object(&mut self, key: &str, notes: &mut Notes) -> Option<Fields> {
        let value = self.take(key);
        Fields::read(self.what, self.at(key), value, notes)
    }

    /// Takes a field that has no counterpart: listed with `why` when its value does anything.
    pub fn drop(&mut self, key: &str, why: impl Into<String>, notes: &mut Notes) {
        if self.take(key).is_some_and(|value| has_effect(&value)) {
            notes.drop(&self.at(key), why);
        }
    }

    /// Takes a field that is not carried over and needs no word (server-set metadata, status).
    pub fn ignore(&mut self, key: &str) {
        self.rest.remove(key);
    }

    /// Ends the object: every field not read is not part of the operator's schema.
    pub fn finish(mut self, notes: &mut Notes) {
        let what = self.what;
        for (key, value) in std::mem::take(&mut self.rest) {
            if has_effect(&value) {
                notes.drop(&self.at(&key), format!("the Neo4j operator's {what} (v1.14) has no such field"));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn fields(value: Value) -> Fields {
        Fields::read("v1beta1 Neo4jBackup", FieldPath::new("spec"), Some(value), &mut Notes::default()).unwrap()
    }

    #[test]
    fn fields_are_taken_once_and_the_rest_is_listed() {
        let mut notes = Notes::default();
        let mut spec = fields(json!({"schedule": "@daily", "suspend": false, "extra": {"a": 1}, "empty": ""}));
        assert_eq!(spec.string("schedule", &mut notes), Some("@daily".into()));
        assert_eq!(spec.string("schedule", &mut notes), None, "taken");
        assert_eq!(spec.bool("suspend", &mut notes), Some(false));
        spec.finish(&mut notes);
        assert_eq!(
            notes.dropped,
            vec![Dropped {
                path: "spec.extra".into(),
                why: "the Neo4j operator's v1beta1 Neo4jBackup (v1.14) has no such field".into()
            }],
            "an empty string does nothing in the operator and needs no word"
        );
        assert!(notes.errors.is_empty());
    }

    #[test]
    fn values_of_the_wrong_type_are_errors_at_their_field() {
        let mut notes = Notes::default();
        let mut spec = fields(json!({"suspend": "yes", "options": [1], "retention": {"maxCount": 0}}));
        assert_eq!(spec.bool("suspend", &mut notes), None);
        assert!(spec.object("options", &mut notes).is_none());
        let mut retention = spec.object("retention", &mut notes).unwrap();
        assert_eq!(retention.integer("maxCount", &mut notes), None, "0 is unset");
        assert_eq!(
            notes.errors,
            vec![
                FieldError { path: "spec.suspend".into(), message: "is a string, not a boolean".into() },
                FieldError { path: "spec.options".into(), message: "is a list, not an object".into() },
            ]
        );
    }

    #[test]
    fn dropped_fields_are_listed_only_when_they_do_something() {
        let mut notes = Notes::default();
        let mut cloud = fields(json!({"forcePathStyle": false, "endpointURL": "http://minio:9000"}));
        cloud.drop("forcePathStyle", "no path-style setting", &mut notes);
        assert!(notes.dropped.is_empty());
        let mut cloud = fields(json!({"forcePathStyle": true}));
        cloud.drop("forcePathStyle", "no path-style setting", &mut notes);
        assert_eq!(
            notes.dropped,
            vec![Dropped { path: "spec.forcePathStyle".into(), why: "no path-style setting".into() }]
        );
    }
}
