//! Names: Kubernetes (DNS-1123) and Neo4j database names.

/// Checks a DNS-1123 label: lowercase letters, digits and `-`, starting and ending with a letter
/// or digit, at most 63 characters (names of clusters, namespaces, Jobs).
pub fn check_dns_label(name: &str) -> Result<(), String> {
    let valid_chars = name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    let valid_ends =
        name.starts_with(|c: char| c.is_ascii_alphanumeric()) && name.ends_with(|c: char| c.is_ascii_alphanumeric());
    if name.is_empty() || name.len() > 63 || !valid_chars || !valid_ends {
        return Err(format!(
            "{name:?} is not a valid name: use at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit"
        ));
    }
    Ok(())
}

/// Checks a DNS-1123 subdomain: dot-separated labels, at most 253 characters (names of Secrets,
/// PVCs, ServiceAccounts, Neo4jBackups).
pub fn check_dns_subdomain(name: &str) -> Result<(), String> {
    let labels_ok = name.split('.').all(|label| check_dns_label(label).is_ok());
    if name.is_empty() || name.len() > 253 || !labels_ok {
        return Err(format!(
            "{name:?} is not a valid name: use lowercase letters, digits, '-' and '.', starting and ending with a letter or digit, at most 253 characters"
        ));
    }
    Ok(())
}

/// Checks a Neo4j database name: starts with a letter, then letters, digits, dots and dashes,
/// 3 to 63 characters, and not reserved (`system`, names starting with `system` or `_`).
pub fn check_database_name(name: &str) -> Result<(), String> {
    let rule = "a database name starts with a letter, then letters, digits, '.' and '-', 3 to 63 characters";
    if name.to_ascii_lowercase().starts_with("system") || name.starts_with('_') {
        return Err(format!(
            "{name:?} is reserved by Neo4j (system and names starting with system or _); choose another name"
        ));
    }
    if !is_database_name(name) {
        return Err(format!("{name:?} is not a valid database name: {rule}"));
    }
    Ok(())
}

/// Whether `name` has the shape of a Neo4j database name (a letter, then letters, digits, '.' and
/// '-', 3 to 63 characters), reserved names included (`system` is listed by backup inspect).
pub fn is_database_name(name: &str) -> bool {
    let valid_chars = name.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
    (3..=63).contains(&name.len()) && name.starts_with(|c: char| c.is_ascii_alphabetic()) && valid_chars
}

/// Lowercase letters, digits and '-', a letter first, 3 to 63 characters (no '.': Neo4j reads the
/// first dot of an alias given as a parameter as a composite database's).
pub fn is_alias_name(name: &str) -> bool {
    let chars = name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    (3..=63).contains(&name.len()) && name.starts_with(|c: char| c.is_ascii_lowercase()) && chars
}

/// A kind as it may be repeated into a message, a log line or an Event: itself when it is a plain
/// name (ASCII letters and digits, as every Kubernetes kind is), else `object`. Kinds come from
/// objects anyone may write (ownerReferences, a body sent straight to the webhook).
pub fn shown_kind(kind: &str) -> &str {
    if !kind.is_empty() && kind.chars().all(|c| c.is_ascii_alphanumeric()) { kind } else { "object" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dns_labels() {
        for name in ["prod", "my-neo4j-cluster", "a", "a1", &"x".repeat(63)] {
            assert_eq!(check_dns_label(name), Ok(()), "{name}");
        }
        for name in ["", "Prod", "-prod", "prod-", "my_cluster", "a.b", &"x".repeat(64)] {
            assert!(
                check_dns_label(name)
                    .unwrap_err()
                    .starts_with(&format!("{name:?} is not a valid name: use at most 63")),
                "{name}"
            );
        }
    }

    #[test]
    fn dns_subdomains() {
        for name in ["aws-backup-creds", "a.b.c", "neo4j-admin-secret"] {
            assert_eq!(check_dns_subdomain(name), Ok(()), "{name}");
        }
        for name in ["", "a..b", "Secret", "a_b", ".a"] {
            assert!(check_dns_subdomain(name).unwrap_err().contains("is not a valid name"), "{name}");
        }
    }

    #[test]
    fn database_names() {
        for name in ["neo4j", "production-db", "app.v2", "Orders", "abc"] {
            assert_eq!(check_database_name(name), Ok(()), "{name}");
        }
        let rule = "a database name starts with a letter, then letters, digits, '.' and '-', 3 to 63 characters";
        for (name, message) in [
            ("db", format!("\"db\" is not a valid database name: {rule}")),
            ("1db", format!("\"1db\" is not a valid database name: {rule}")),
            ("my_db", format!("\"my_db\" is not a valid database name: {rule}")),
            ("my db", format!("\"my db\" is not a valid database name: {rule}")),
            (
                "system",
                "\"system\" is reserved by Neo4j (system and names starting with system or _); choose another name"
                    .into(),
            ),
            (
                "systemdata",
                "\"systemdata\" is reserved by Neo4j (system and names starting with system or _); choose another name"
                    .into(),
            ),
            (
                "_internal",
                "\"_internal\" is reserved by Neo4j (system and names starting with system or _); choose another name"
                    .into(),
            ),
        ] {
            assert_eq!(check_database_name(name), Err(message), "{name}");
        }
        assert!(check_database_name(&format!("a{}", "b".repeat(63))).is_err());
    }

    #[test]
    fn only_plain_kinds_are_shown() {
        assert_eq!(shown_kind("Neo4jEnterpriseCluster"), "Neo4jEnterpriseCluster");
        assert_eq!(shown_kind("Deployment\n- spec: forged"), "object");
        assert_eq!(shown_kind(""), "object");
    }
}
