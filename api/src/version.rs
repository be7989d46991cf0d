//! Neo4j versions: the last semver line (5.26.x) and CalVer (`YYYY.MM.patch`, from 2025.01.0),
//! ordered across both schemes, and read from image tags such as `2025.01.0-enterprise`.

use std::fmt;

/// What backup and restore support, for messages.
pub const SUPPORTED_VERSIONS: &str = "Neo4j Enterprise 5.26.x or CalVer 2025.01.0 and later (image tags such as 5.26.0-enterprise or 2025.01.0-enterprise)";

/// A Neo4j version. Semver 5.x sorts before CalVer 2025.x because CalVer majors are years.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Neo4jVersion(semver::Version);

impl Neo4jVersion {
    /// Parses `5.26.0`, `5.26`, `2025.01.0` or `2025.01` (a missing patch counts as 0).
    /// CalVer months are zero-padded, which semver refuses, so each part is normalised first.
    pub fn parse(text: &str) -> Result<Self, String> {
        let parts: Vec<&str> = text.split('.').collect();
        let numeric = |p: &&str| !p.is_empty() && p.len() <= 9 && p.chars().all(|c| c.is_ascii_digit());
        if !(2..=3).contains(&parts.len()) || !parts.iter().all(numeric) {
            return Err(format!("{text:?} is not a Neo4j version (major.minor.patch, e.g. 5.26.0 or 2025.01.0)"));
        }
        let normalised: Vec<String> = parts
            .iter()
            .map(|p| p.trim_start_matches('0'))
            .map(|p| if p.is_empty() { "0" } else { p }.to_owned())
            .collect();
        let mut text_version = normalised.join(".");
        if parts.len() == 2 {
            text_version.push_str(".0");
        }
        let version =
            semver::Version::parse(&text_version).map_err(|err| format!("{text:?} is not a Neo4j version: {err}"))?;
        if version.major >= 2000 && !(1..=12).contains(&version.minor) {
            return Err(format!("{text:?} is not a Neo4j version: a CalVer month runs from 01 to 12"));
        }
        Ok(Self(version))
    }

    /// A version from its parts (`Neo4jVersion::new(2025, 4, 0)`).
    pub fn new(major: u64, minor: u64, patch: u64) -> Self {
        Self(semver::Version::new(major, minor, patch))
    }

    /// Whether this is a CalVer (`YYYY.MM.patch`) version.
    pub fn is_calver(&self) -> bool {
        self.0.major >= 2000
    }

    /// Why backup and restore cannot work with this version, if they cannot.
    pub fn unsupported_reason(&self) -> Option<String> {
        let v = &self.0;
        if self.is_calver() {
            return (v.major < 2025).then(|| format!("Neo4j {self} is older than 2025.01.0"));
        }
        match (v.major, v.minor) {
            (5, 26) => None,
            (5, minor) if minor > 26 => Some(format!("Neo4j {self} does not exist: 5.26 is the last semver release")),
            (major, _) if major > 5 => {
                Some(format!("Neo4j {self} does not exist: after 5.26 Neo4j uses CalVer (2025.01.0 and later)"))
            }
            _ => Some(format!("Neo4j {self} is older than 5.26")),
        }
    }

    /// Whether `neo4j-admin database backup --prefer-diff-as-parent` exists (CalVer 2025.04 and later).
    pub fn supports_prefer_diff_as_parent(&self) -> bool {
        *self >= Self::new(2025, 4, 0)
    }

    /// Whether `neo4j-admin backup inspect` shows the backup metadata without `--show-metadata`
    /// (CalVer 2025.07 and later).
    pub fn inspect_shows_metadata_by_default(&self) -> bool {
        *self >= Self::new(2025, 7, 0)
    }
}

impl fmt::Display for Neo4jVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let v = &self.0;
        if self.is_calver() { write!(f, "{}.{:02}.{}", v.major, v.minor, v.patch) } else { write!(f, "{v}") }
    }
}

/// Edition named by an image tag.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Edition {
    /// `-enterprise`.
    Enterprise,
    /// `-community`, or no edition (Docker Hub's plain tags are community images).
    Community,
}

/// What an image tag says about the Neo4j inside.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageTag {
    /// The Neo4j version.
    pub version: Neo4jVersion,
    /// The edition.
    pub edition: Edition,
}

impl ImageTag {
    /// Reads a tag such as `5.26.0-enterprise`, `2025.01.0-enterprise-ubi9` or `5.26-community`.
    pub fn parse(tag: &str) -> Result<Self, String> {
        if tag.contains('@') || tag.starts_with("sha256:") {
            return Err(format!("{tag:?} is a digest: the Neo4j version cannot be read from it; use a version tag"));
        }
        let (version_part, rest) = tag.split_once('-').unwrap_or((tag, ""));
        let version = Neo4jVersion::parse(version_part).map_err(|_| {
            format!("{tag:?} does not start with a Neo4j version; use a tag such as 2025.01.0-enterprise")
        })?;
        let edition =
            if rest.split('-').any(|part| part == "enterprise") { Edition::Enterprise } else { Edition::Community };
        Ok(Self { version, edition })
    }

    /// Why backup and restore cannot run against this image, if they cannot.
    pub fn unsupported_reason(&self) -> Option<String> {
        if self.edition == Edition::Community {
            return Some("community images cannot run online backup; use an -enterprise image".to_owned());
        }
        self.version.unsupported_reason()
    }
}

/// Why backup and restore cannot run against an image tag, with the supported versions, if they cannot.
pub fn unsupported_tag(tag: &str) -> Option<String> {
    let reason = match ImageTag::parse(tag) {
        Ok(image) => image.unsupported_reason()?,
        Err(reason) => reason,
    };
    Some(format!("{tag:?} is not supported: {reason}; backup and restore need {SUPPORTED_VERSIONS}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_order_across_schemes() {
        let ordered = ["5.25.1", "5.26.0", "5.26.12", "2025.01.0", "2025.04.0", "2025.10.2", "2026.01.0"];
        let parsed: Vec<Neo4jVersion> = ordered.iter().map(|v| Neo4jVersion::parse(v).unwrap()).collect();
        let mut sorted = parsed.clone();
        sorted.sort();
        assert_eq!(sorted, parsed);
        assert_eq!(Neo4jVersion::parse("2025.01").unwrap(), Neo4jVersion::new(2025, 1, 0));
        assert_eq!(Neo4jVersion::parse("2025.01.0").unwrap().to_string(), "2025.01.0");
        assert_eq!(Neo4jVersion::parse("5.26.0").unwrap().to_string(), "5.26.0");
    }

    #[test]
    fn malformed_versions() {
        for text in ["", "5", "5.26.0.1", "v5.26", "5.x.0", "2025.13.0", "2025.00.1", "latest"] {
            assert!(Neo4jVersion::parse(text).is_err(), "{text}");
        }
        assert_eq!(
            Neo4jVersion::parse("2025.13.0").unwrap_err(),
            "\"2025.13.0\" is not a Neo4j version: a CalVer month runs from 01 to 12"
        );
    }

    #[test]
    fn supported_and_unsupported_tags() {
        for tag in [
            "5.26.0-enterprise",
            "5.26.5-enterprise",
            "5.26-enterprise",
            "2025.01.0-enterprise",
            "2026.03.1-enterprise-ubi9",
        ] {
            assert_eq!(unsupported_tag(tag), None, "{tag}");
        }
        let tail = format!("; backup and restore need {SUPPORTED_VERSIONS}");
        for (tag, reason) in [
            ("5.25.1-enterprise", "Neo4j 5.25.1 is older than 5.26"),
            ("4.4.30-enterprise", "Neo4j 4.4.30 is older than 5.26"),
            ("5.27.0-enterprise", "Neo4j 5.27.0 does not exist: 5.26 is the last semver release"),
            ("6.0.0-enterprise", "Neo4j 6.0.0 does not exist: after 5.26 Neo4j uses CalVer (2025.01.0 and later)"),
            ("2024.12.0-enterprise", "Neo4j 2024.12.0 is older than 2025.01.0"),
            ("5.26.0-community", "community images cannot run online backup; use an -enterprise image"),
            ("2025.01.0", "community images cannot run online backup; use an -enterprise image"),
            (
                "enterprise",
                "\"enterprise\" does not start with a Neo4j version; use a tag such as 2025.01.0-enterprise",
            ),
            (
                "2025.13.0-enterprise",
                "\"2025.13.0-enterprise\" does not start with a Neo4j version; use a tag such as 2025.01.0-enterprise",
            ),
            (
                "sha256:0123abcd",
                "\"sha256:0123abcd\" is a digest: the Neo4j version cannot be read from it; use a version tag",
            ),
        ] {
            assert_eq!(unsupported_tag(tag), Some(format!("{tag:?} is not supported: {reason}{tail}")), "{tag}");
        }
    }

    #[test]
    fn prefer_diff_as_parent_needs_2025_04() {
        for (version, supported) in
            [("5.26.0", false), ("2025.01.0", false), ("2025.03.9", false), ("2025.04.0", true), ("2026.01.0", true)]
        {
            assert_eq!(Neo4jVersion::parse(version).unwrap().supports_prefer_diff_as_parent(), supported, "{version}");
        }
    }
}
