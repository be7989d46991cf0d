//! What a rule says: errors that refuse an object, and warnings that accept it with a caveat.

use std::fmt;

/// One reason an object is refused, at the field that causes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    /// Dotted path of the field, e.g. `spec.source.pitr.logStorage.bucket`.
    pub path: String,
    /// What is wrong and what is accepted, without the path.
    pub message: String,
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

/// The judgement of one object: every error and every warning, all at once.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Verdict {
    /// Reasons to refuse the object; empty when it is accepted.
    pub errors: Vec<FieldError>,
    /// Things accepted but not acted on, or risky: shown to the user, never blocking.
    pub warnings: Vec<String>,
}

impl Verdict {
    /// Whether the object is accepted.
    pub fn is_allowed(&self) -> bool {
        self.errors.is_empty()
    }

    /// Records an error at `path`.
    pub fn error(&mut self, path: impl AsRef<str>, message: impl Into<String>) {
        self.errors.push(FieldError { path: path.as_ref().to_owned(), message: message.into() });
    }

    /// Records a warning at `path` (the path is part of the text the user sees).
    pub fn warn(&mut self, path: impl AsRef<str>, message: impl AsRef<str>) {
        self.warnings.push(format!("{}: {}", path.as_ref(), message.as_ref()));
    }

    /// Every error as `path: message`, one per line.
    pub fn error_lines(&self) -> Vec<String> {
        self.errors.iter().map(ToString::to_string).collect()
    }
}

/// A dotted field path that grows as rules descend into an object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldPath(String);

impl FieldPath {
    /// A path from its text, e.g. `spec`.
    pub fn new(root: &str) -> Self {
        Self(root.to_owned())
    }

    /// The path of a child field.
    pub fn child(&self, name: &str) -> Self {
        Self(format!("{}.{name}", self.0))
    }

    /// The path of a list item.
    pub fn index(&self, i: usize) -> Self {
        Self(format!("{}[{i}]", self.0))
    }

    /// The path as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for FieldPath {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_display_with_their_path() {
        let mut verdict = Verdict::default();
        let path = FieldPath::new("spec").child("options").child("backupType");
        verdict.error(&path, "\"INCREMENTAL\" is not supported; use FULL or DIFF");
        verdict.warn(FieldPath::new("spec").child("args").index(2), "unknown flag");
        assert!(!verdict.is_allowed());
        assert_eq!(
            verdict.error_lines(),
            vec!["spec.options.backupType: \"INCREMENTAL\" is not supported; use FULL or DIFF"]
        );
        assert_eq!(verdict.warnings, vec!["spec.args[2]: unknown flag"]);
    }
}
