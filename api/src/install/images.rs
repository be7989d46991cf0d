//! The images a bundle names: one registry and one version for all three (`install
//! --image-registry`, `--version`).

use std::collections::BTreeMap;

use serde_json::Value;

/// Where the release images are published.
pub const DEFAULT_REGISTRY: &str = "ghcr.io/kubectl-neo4j";
/// Our images, by repository name.
pub const NAMES: [&str; 3] = ["neo4j-webhook", "neo4j-controller", "neo4j-agent"];

/// A registry and a version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Images {
    /// Registry and path, e.g. `registry.example.com/platform` (no trailing `/`).
    pub registry: String,
    /// Tag, e.g. `0.1.0`.
    pub version: String,
    /// Digests (`sha256:<64 hex>`) by image name: those images are pulled by digest, so a tag
    /// moved in the registry never changes what runs.
    pub digests: BTreeMap<String, String>,
}

impl Default for Images {
    fn default() -> Self {
        Self {
            registry: DEFAULT_REGISTRY.to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
            digests: BTreeMap::new(),
        }
    }
}

fn digest_is_valid(digest: &str) -> bool {
    digest
        .strip_prefix("sha256:")
        .is_some_and(|hex| hex.len() == 64 && hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
}

fn tag_is_valid(tag: &str) -> bool {
    // The reference grammar of the distribution spec: [\w][\w.-]{0,127}.
    let mut chars = tag.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
        && tag.len() <= 128
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
}

fn registry_is_valid(registry: &str) -> bool {
    !registry.is_empty()
        && !registry.ends_with('/')
        && !registry.starts_with('/')
        && !registry.contains("//")
        && registry.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '/' | ':'))
        && registry.split('/').next().is_some_and(|host| host == host.to_lowercase())
}

impl Images {
    /// Checks both settings; the error names the flag and what it accepts.
    pub fn new(registry: &str, version: &str) -> Result<Self, String> {
        let registry = registry.trim_end_matches('/');
        if !registry_is_valid(registry) {
            return Err(format!(
                "--image-registry {registry:?}: expected a registry host and path such as registry.example.com/platform (lower-case host; letters, digits, '.', '-', '_', '/', ':'; no scheme)"
            ));
        }
        let version =
            version.strip_prefix('v').filter(|v| v.starts_with(|c: char| c.is_ascii_digit())).unwrap_or(version);
        if !tag_is_valid(version) {
            return Err(format!(
                "--version {version:?}: expected an image tag such as {} (letters, digits, '_', '.', '-'; at most 128)",
                env!("CARGO_PKG_VERSION")
            ));
        }
        Ok(Self { registry: registry.to_owned(), version: version.to_owned(), digests: BTreeMap::new() })
    }

    /// Pins images by digest, from `--image-digest NAME=sha256:...` (the digests a release
    /// publishes with its images); the error names the flag and what it accepts.
    pub fn pinned(mut self, pins: &[String]) -> Result<Self, String> {
        for pin in pins {
            let expected = || {
                format!(
                    "--image-digest {pin:?}: expected NAME=sha256:<64 lower-case hex digits>, NAME one of {}",
                    NAMES.join(", ")
                )
            };
            let (name, digest) = pin.split_once('=').ok_or_else(expected)?;
            if !NAMES.contains(&name) || !digest_is_valid(digest) {
                return Err(expected());
            }
            self.digests.insert(name.to_owned(), digest.to_owned());
        }
        Ok(self)
    }

    /// The reference of one of [`NAMES`]: by tag, and by digest too when pinned.
    pub fn of(&self, name: &str) -> String {
        match self.digests.get(name) {
            Some(digest) => format!("{}/{name}:{}@{digest}", self.registry, self.version),
            None => format!("{}/{name}:{}", self.registry, self.version),
        }
    }

    /// Rewrites every reference to one of our release images in `object` (container images and
    /// arguments such as `--agent-image=`) to this registry and version.
    pub fn retarget(&self, object: &mut Value) {
        match object {
            Value::String(text) => {
                if let Some(rewritten) = self.rewrite(text) {
                    *text = rewritten;
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|item| self.retarget(item)),
            Value::Object(fields) => fields.values_mut().for_each(|value| self.retarget(value)),
            _ => {}
        }
    }

    fn rewrite(&self, text: &str) -> Option<String> {
        let at = text.find(DEFAULT_REGISTRY)?;
        let rest = text[at + DEFAULT_REGISTRY.len()..].strip_prefix('/')?;
        let (name, tag) = rest.split_once(':')?;
        (NAMES.contains(&name) && tag_is_valid(tag)).then(|| format!("{}{}", &text[..at], self.of(name)))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn every_reference_to_our_images_moves_and_nothing_else() {
        let images = Images::new("registry.example.com/platform/", "v0.2.0-rc.1").unwrap();
        assert_eq!(
            images,
            Images {
                registry: "registry.example.com/platform".into(),
                version: "0.2.0-rc.1".into(),
                digests: BTreeMap::new()
            }
        );
        let mut deployment = json!({"spec": {"template": {"spec": {"containers": [{
            "image": "ghcr.io/kubectl-neo4j/neo4j-controller:0.1.0",
            "args": ["--agent-image=ghcr.io/kubectl-neo4j/neo4j-agent:0.1.0", "--lease-name=neo4j-controller"],
        }, {"image": "ghcr.io/kubectl-neo4j/other:0.1.0"}, {"image": "neo4j:2025.01.0-enterprise"}]}}}});
        images.retarget(&mut deployment);
        assert_eq!(
            deployment,
            json!({"spec": {"template": {"spec": {"containers": [{
                "image": "registry.example.com/platform/neo4j-controller:0.2.0-rc.1",
                "args": ["--agent-image=registry.example.com/platform/neo4j-agent:0.2.0-rc.1", "--lease-name=neo4j-controller"],
            }, {"image": "ghcr.io/kubectl-neo4j/other:0.1.0"}, {"image": "neo4j:2025.01.0-enterprise"}]}}}})
        );
        assert_eq!(
            Images::default().of("neo4j-webhook"),
            format!("ghcr.io/kubectl-neo4j/neo4j-webhook:{}", env!("CARGO_PKG_VERSION"))
        );
    }

    #[test]
    fn bad_settings_name_the_flag() {
        assert_eq!(
            Images::new("https://registry.example.com", "0.1.0").unwrap_err(),
            "--image-registry \"https://registry.example.com\": expected a registry host and path such as registry.example.com/platform (lower-case host; letters, digits, '.', '-', '_', '/', ':'; no scheme)"
        );
        assert!(Images::new("Registry.Example.com/x", "0.1.0").unwrap_err().starts_with("--image-registry"));
        assert_eq!(
            Images::new("localhost:5000", "latest; rm").unwrap_err(),
            format!(
                "--version \"latest; rm\": expected an image tag such as {} (letters, digits, '_', '.', '-'; at most 128)",
                env!("CARGO_PKG_VERSION")
            )
        );
        assert_eq!(Images::new("localhost:5000", "dev").unwrap().of("neo4j-agent"), "localhost:5000/neo4j-agent:dev");
    }

    // Issue 13, item 14: images pinned by the digests a release publishes.
    #[test]
    fn pinned_images_are_pulled_by_digest() {
        let digest = format!("sha256:{}", "ab".repeat(32));
        let images = Images::new("registry.example.com/platform", "0.2.0")
            .unwrap()
            .pinned(&[format!("neo4j-agent={digest}")])
            .unwrap();
        assert_eq!(images.of("neo4j-agent"), format!("registry.example.com/platform/neo4j-agent:0.2.0@{digest}"));
        assert_eq!(images.of("neo4j-webhook"), "registry.example.com/platform/neo4j-webhook:0.2.0");
        let mut arg = serde_json::json!(["--agent-image=ghcr.io/kubectl-neo4j/neo4j-agent:0.1.0"]);
        images.retarget(&mut arg);
        assert_eq!(
            arg,
            serde_json::json!([format!("--agent-image=registry.example.com/platform/neo4j-agent:0.2.0@{digest}")])
        );
        let unknown = format!("neo4j=sha256:{}", "ab".repeat(32));
        for bad in ["neo4j-agent", "neo4j-agent=sha256:abc", unknown.as_str()] {
            assert_eq!(
                Images::default().pinned(&[bad.to_owned()]).unwrap_err(),
                format!(
                    "--image-digest {bad:?}: expected NAME=sha256:<64 lower-case hex digits>, NAME one of neo4j-webhook, neo4j-controller, neo4j-agent"
                )
            );
        }
    }
}
