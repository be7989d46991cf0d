//! Checks that many rules share: presence, enum values, names, durations, paths.

use crate::grammar::{duration, names};
use crate::rules::{FieldPath, Verdict};
use crate::string_enum::StringEnum;

/// `a, b or c`.
pub fn or_list(values: &[&str]) -> String {
    match values {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// The value when present; otherwise an error `is required; <hint>`.
pub fn required<'a, T>(verdict: &mut Verdict, path: &FieldPath, value: &'a Option<T>, hint: &str) -> Option<&'a T> {
    if value.is_none() {
        verdict.error(path, format!("is required; {hint}"));
    }
    value.as_ref()
}

/// A required enum: present and one of its values.
pub fn required_enum<'a, E: StringEnum>(
    verdict: &mut Verdict,
    path: &FieldPath,
    value: &'a Option<E>,
) -> Option<&'a E> {
    let hint = format!("set it to {}", or_list(E::VALUES));
    let value = required(verdict, path, value, &hint)?;
    known_enum(verdict, path, value).then_some(value)
}

/// An enum value, when set, is one of its values. Returns whether it is known.
pub fn known_enum<E: StringEnum>(verdict: &mut Verdict, path: &FieldPath, value: &E) -> bool {
    if !value.is_known() {
        verdict.error(path, format!("{:?} is not supported; use {}", value.as_str(), or_list(E::VALUES)));
    }
    value.is_known()
}

/// An optional enum, when set, is one of its values.
pub fn optional_enum<E: StringEnum + Clone>(verdict: &mut Verdict, path: &FieldPath, value: &Option<E>) -> Option<E> {
    let value = value.as_ref()?;
    known_enum(verdict, path, value).then(|| value.clone())
}

/// A positive duration (`30s`, `1h30m`, `7d`), when set. Returns its seconds.
pub fn duration(verdict: &mut Verdict, path: &FieldPath, value: &Option<String>) -> Option<u64> {
    let text = value.as_deref()?;
    duration::parse_duration(text).map_err(|why| verdict.error(path, why)).ok()
}

/// Applies a name check to a value, when set.
pub fn name(verdict: &mut Verdict, path: &FieldPath, value: Option<&str>, check: fn(&str) -> Result<(), String>) {
    if let Some(value) = value
        && let Err(why) = check(value)
    {
        verdict.error(path, why);
    }
}

/// Name of an object in the same namespace (Secret, PVC, ServiceAccount, Neo4jBackup), when set.
pub fn object_name(verdict: &mut Verdict, path: &FieldPath, value: &Option<String>) {
    name(verdict, path, value.as_deref(), names::check_dns_subdomain);
}

/// A path inside a bucket or volume: no `..` segment, no control character.
pub fn relative_path(verdict: &mut Verdict, path: &FieldPath, value: &Option<String>) {
    let Some(text) = value.as_deref() else { return };
    if text.chars().any(char::is_control) {
        verdict.error(path, format!("{text:?} contains a control character; remove it"));
    }
    if text.split('/').any(|segment| segment == "..") {
        verdict.error(path, format!("{text:?} contains a '..' segment; name the location without leaving it"));
    }
}

/// An absolute directory inside the Job's container.
pub fn absolute_path(verdict: &mut Verdict, path: &FieldPath, value: &Option<String>) {
    relative_path(verdict, path, value);
    if let Some(text) = value.as_deref().filter(|text| !text.starts_with('/')) {
        verdict
            .error(path, format!("{text:?} is not an absolute path; start it with '/', e.g. /tmp/neo4j-backup-temp"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_read_naturally() {
        assert_eq!(or_list(&["FULL", "DIFF"]), "FULL or DIFF");
        assert_eq!(or_list(&["s3", "gcs", "azure", "pvc"]), "s3, gcs, azure or pvc");
        assert_eq!(or_list(&["one"]), "one");
    }

    #[test]
    fn paths() {
        let mut verdict = Verdict::default();
        let p = FieldPath::new("spec.options.tempPath");
        absolute_path(&mut verdict, &p, &Some("tmp/../etc".into()));
        absolute_path(&mut verdict, &p, &Some("/tmp/a\nb".into()));
        absolute_path(&mut verdict, &p, &Some("/tmp/neo4j-backup-temp".into()));
        relative_path(&mut verdict, &p, &Some("backups/..x/ok".into()));
        assert_eq!(
            verdict.error_lines(),
            vec![
                "spec.options.tempPath: \"tmp/../etc\" contains a '..' segment; name the location without leaving it",
                "spec.options.tempPath: \"tmp/../etc\" is not an absolute path; start it with '/', e.g. /tmp/neo4j-backup-temp",
                "spec.options.tempPath: \"/tmp/a\\nb\" contains a control character; remove it",
            ]
        );
    }
}
