//! A target's grant of backups to other namespaces (issue 13, item 2). Reading a cluster's
//! databases from another namespace takes two consents: the requester's RBAC (checked at
//! admission) and the target owner's, written on the target itself. Whoever may edit the target
//! may grant; the controller checks the grant on every reconcile, so withdrawing it stops the
//! backups, however they were admitted (during a webhook bypass, in an exempt namespace, before
//! the controller's flag was turned on).

use std::collections::BTreeMap;

/// Annotation on a Neo4jEnterpriseCluster or Neo4jEnterpriseStandalone: the namespaces whose
/// Neo4jBackups may back it up, comma-separated, or `*` for every namespace.
pub const BACKUP_NAMESPACES: &str = "neo4j.neo4j.com/backup-namespaces";

/// The namespaces a target grants, as written (trimmed, empty entries dropped).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BackupGrant(Vec<String>);

impl BackupGrant {
    /// The grant in a target's annotations (none when the annotation is absent).
    pub fn of(annotations: Option<&BTreeMap<String, String>>) -> Self {
        let listed = annotations.and_then(|a| a.get(BACKUP_NAMESPACES)).map(String::as_str).unwrap_or_default();
        Self(listed.split(',').map(str::trim).filter(|ns| !ns.is_empty()).map(str::to_owned).collect())
    }

    /// Whether Neo4jBackups in `namespace` may back the target up.
    pub fn allows(&self, namespace: &str) -> bool {
        self.0.iter().any(|granted| granted == "*" || granted == namespace)
    }
}

/// Why a backup in `namespace` may not read the target `name` in `target_namespace`, and how its
/// owner grants it.
pub fn refusal(namespace: &str, target_namespace: &str, name: &str) -> String {
    format!(
        "the target {name:?} in namespace {target_namespace:?} does not grant backups from namespace {namespace:?}; its owner grants them with the annotation {BACKUP_NAMESPACES}: {namespace} on it (comma-separated namespaces, or *)"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grant(value: &str) -> BackupGrant {
        BackupGrant::of(Some(&BTreeMap::from([(BACKUP_NAMESPACES.to_owned(), value.to_owned())])))
    }

    #[test]
    fn only_listed_namespaces_are_granted() {
        assert!(!BackupGrant::of(None).allows("team-a"));
        assert!(!BackupGrant::of(Some(&BTreeMap::new())).allows("team-a"));
        assert!(grant("team-a").allows("team-a"));
        assert!(grant(" team-b , team-a ").allows("team-a"));
        assert!(!grant("team-b").allows("team-a"));
        assert!(!grant("team-a-b").allows("team-a"), "names are compared whole");
        assert!(!grant("").allows("team-a"));
        assert!(!grant(" , ").allows(""), "an empty entry grants nothing");
    }

    #[test]
    fn a_star_grants_every_namespace() {
        assert!(grant("*").allows("team-a"));
        assert!(grant("team-b,*").allows("anything"));
    }

    #[test]
    fn the_refusal_names_the_annotation_and_the_value_to_write() {
        assert_eq!(
            refusal("team-a", "db", "prod"),
            "the target \"prod\" in namespace \"db\" does not grant backups from namespace \"team-a\"; its owner grants them with the annotation neo4j.neo4j.com/backup-namespaces: team-a on it (comma-separated namespaces, or *)"
        );
    }
}
