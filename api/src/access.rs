//! What an object does with its creator's authority, and so what the creator must be allowed to do
//! themselves (the webhook asks the API server with SubjectAccessReviews). A Neo4jRestore's hook
//! Job runs the user's image as a Pod of the namespace, with the env the spec names: creating one
//! must not let anyone run a Pod, or read a Secret or ConfigMap, that their own RBAC does not
//! allow (issue 13, item 1).

use crate::rules::FieldPath;
use crate::types::storage::StorageLocation;
use crate::types::{Neo4jBackup, Neo4jRestore, RestoreHooks};

/// One permission, as a SubjectAccessReview asks for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Permission {
    /// API group (`""`: core).
    pub group: &'static str,
    /// Plural resource.
    pub resource: &'static str,
    /// Verb.
    pub verb: &'static str,
    /// Namespace.
    pub namespace: String,
    /// Object name, when the permission is for one object.
    pub name: Option<String>,
    /// The field that needs it.
    pub path: String,
}

impl Permission {
    /// `verb` on `group`/`resource` in `namespace`, needed by the field at `path`.
    fn of(group: &'static str, resource: &'static str, verb: &'static str, namespace: &str, path: &FieldPath) -> Self {
        Self { group, resource, verb, namespace: namespace.to_owned(), name: None, path: path.to_string() }
    }

    /// The same, for the one object `name`.
    fn named(self, name: &str) -> Self {
        Self { name: Some(name.to_owned()), ..self }
    }

    /// `get secrets/x in ns`, for messages.
    pub fn shown(&self) -> String {
        let resource =
            if self.group.is_empty() { self.resource.to_owned() } else { format!("{}.{}", self.resource, self.group) };
        match &self.name {
            Some(name) => format!("{} {resource}/{name} in {}", self.verb, self.namespace),
            None => format!("{} {resource} in {}", self.verb, self.namespace),
        }
    }
}

fn hook_permissions(hooks: Option<&RestoreHooks>, path: FieldPath, namespace: &str, found: &mut Vec<Permission>) {
    if let Some(secret) = hooks.and_then(|h| h.cypher_credentials_secret_ref.as_ref()) {
        let at = path.child("cypherCredentialsSecretRef");
        found.push(Permission::of("", "secrets", "get", namespace, &at).named(secret));
    }
    let Some(job) = hooks.and_then(|h| h.job.as_ref()) else { return };
    let job_path = path.child("job");
    // A Job is a Pod running the user's image: as creating a Job or Pod directly would be.
    found.push(Permission::of("batch", "jobs", "create", namespace, &job_path));
    let container = job.template.as_ref().and_then(|t| t.container.as_ref());
    let env_path = job_path.child("template").child("container").child("env");
    for (i, env) in container.and_then(|c| c.env.as_ref()).into_iter().flatten().enumerate() {
        let Some(from) = env.value_from.as_ref() else { continue };
        let at = env_path.index(i).child("valueFrom");
        if let Some(secret) = &from.secret_key_ref {
            let path = at.child("secretKeyRef").child("name");
            found.push(Permission::of("", "secrets", "get", namespace, &path).named(&secret.name));
        }
        if let Some(config) = &from.config_map_key_ref {
            let path = at.child("configMapKeyRef").child("name");
            found.push(Permission::of("", "configmaps", "get", namespace, &path).named(&config.name));
        }
    }
}

/// What a storage location lends our Pods (issue 13, item 10): the credentials Secret it names,
/// the claim it mounts, the ServiceAccount (a cloud identity) its Pods run as, and a
/// ServiceAccount created with the annotations that bind it to a cloud role.
fn storage_permissions(
    storage: Option<&StorageLocation>,
    path: FieldPath,
    namespace: &str,
    found: &mut Vec<Permission>,
) {
    let Some(storage) = storage else { return };
    if let Some(cloud) = &storage.cloud {
        let cloud_path = path.child("cloud");
        if let Some(secret) = &cloud.credentials_secret_ref {
            let at = cloud_path.child("credentialsSecretRef");
            found.push(Permission::of("", "secrets", "get", namespace, &at).named(secret));
        }
        if let Some(identity) = &cloud.identity {
            let identity_path = cloud_path.child("identity");
            if identity.auto_create.as_ref().is_some_and(|a| a.enabled == Some(true)) {
                let at = identity_path.child("autoCreate");
                found.push(Permission::of("", "serviceaccounts", "create", namespace, &at));
            } else if identity.service_account.is_some() {
                // Whoever may create Pods may run them as any ServiceAccount of the namespace.
                let at = identity_path.child("serviceAccount");
                found.push(Permission::of("", "pods", "create", namespace, &at));
            }
        }
    }
    if let Some(pvc) = &storage.pvc {
        let claims = |verb, at: &FieldPath| Permission::of("", "persistentvolumeclaims", verb, namespace, at);
        match (&pvc.name, &pvc.size) {
            (Some(name), None) => found.push(claims("get", &path.child("pvc").child("name")).named(name)),
            (_, Some(_)) => found.push(claims("create", &path.child("pvc").child("size"))),
            _ => {}
        }
    }
}

/// What the creator of `backup` (in `namespace`) must be allowed: what its storage lends.
pub fn backup_permissions(backup: &Neo4jBackup, namespace: &str) -> Vec<Permission> {
    let mut found = Vec::new();
    storage_permissions(backup.spec.storage.as_ref(), FieldPath::new("spec").child("storage"), namespace, &mut found);
    found
}

/// What the creator of `restore` (in `namespace`) must be allowed: what its storage lends, and for
/// each hook Job, creating Jobs and reading every Secret and ConfigMap its env references.
pub fn restore_permissions(restore: &Neo4jRestore, namespace: &str) -> Vec<Permission> {
    let mut found = Vec::new();
    let source_path = FieldPath::new("spec").child("source");
    if let Some(source) = restore.spec.source.as_ref() {
        storage_permissions(source.backup.storage.as_ref(), source_path.child("storage"), namespace, &mut found);
        if let Some(pitr) = &source.pitr {
            let pitr_path = source_path.child("pitr");
            let base = pitr.base_backup.as_ref().and_then(|b| b.backup.storage.as_ref());
            storage_permissions(base, pitr_path.child("baseBackup").child("storage"), namespace, &mut found);
            storage_permissions(pitr.log_storage.as_ref(), pitr_path.child("logStorage"), namespace, &mut found);
        }
    }
    let options = restore.spec.options.as_ref();
    let root = FieldPath::new("spec").child("options");
    hook_permissions(options.and_then(|o| o.pre_restore.as_ref()), root.child("preRestore"), namespace, &mut found);
    hook_permissions(options.and_then(|o| o.post_restore.as_ref()), root.child("postRestore"), namespace, &mut found);
    found
}

/// The error for a permission the requester does not have (`Some(false)`), or that could not be
/// checked (`None`: refused too, since the hook would act with rights the requester may lack).
pub fn refusal(permission: &Permission, answer: Option<bool>) -> Option<String> {
    match answer {
        Some(true) => None,
        Some(false) => Some(format!(
            "you may not {}; our Jobs act with their own rights, so a spec may only lend them what you may use yourself",
            permission.shown()
        )),
        None => Some(format!(
            "whether you may {} could not be checked (no answer from the API server); try again",
            permission.shown()
        )),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn storage_lends_its_secret_its_claim_and_its_identity() {
        let backup: Neo4jBackup = serde_json::from_value(json!({"apiVersion": "neo4j.neo4j.com/v1alpha1", "kind": "Neo4jBackup",
            "metadata": {"name": "b"},
            "spec": {"target": {"kind": "Cluster", "name": "prod"}, "storage": {"type": "s3", "bucket": "x",
                "cloud": {"provider": "aws", "credentialsSecretRef": "aws-keys", "identity": {"provider": "aws", "serviceAccount": "backup-sa"}}}}}))
        .unwrap();
        let shown: Vec<(String, String)> =
            backup_permissions(&backup, "shop").iter().map(|p| (p.path.clone(), p.shown())).collect();
        assert_eq!(
            shown,
            [
                ("spec.storage.cloud.credentialsSecretRef".to_owned(), "get secrets/aws-keys in shop".to_owned()),
                ("spec.storage.cloud.identity.serviceAccount".to_owned(), "create pods in shop".to_owned()),
            ]
        );
        let on_claim: Neo4jBackup = serde_json::from_value(json!({"apiVersion": "neo4j.neo4j.com/v1alpha1", "kind": "Neo4jBackup",
            "metadata": {"name": "b"},
            "spec": {"target": {"kind": "Cluster", "name": "prod"}, "storage": {"type": "pvc", "pvc": {"name": "backups"}}}}))
        .unwrap();
        assert_eq!(backup_permissions(&on_claim, "shop")[0].shown(), "get persistentvolumeclaims/backups in shop");
    }

    #[test]
    fn a_hook_job_needs_job_creation_and_every_secret_and_config_map_it_reads() {
        let restore: Neo4jRestore =
            serde_json::from_value(json!({"apiVersion": "neo4j.neo4j.com/v1alpha1", "kind": "Neo4jRestore",
            "metadata": {"name": "r"},
            "spec": {"targetCluster": "prod", "databaseName": "orders", "source": {"type": "backup", "backupRef": "b"},
                "options": {"postRestore": {"job": {"template": {"container": {"image": "tool:1", "env": [
                    {"name": "PLAIN", "value": "x"},
                    {"name": "S", "valueFrom": {"secretKeyRef": {"name": "db-admin", "key": "password"}}},
                    {"name": "C", "valueFrom": {"configMapKeyRef": {"name": "settings", "key": "k"}}}]}}}}}}}))
            .unwrap();
        let shown: Vec<(String, String)> =
            restore_permissions(&restore, "shop").iter().map(|p| (p.path.clone(), p.shown())).collect();
        assert_eq!(
            shown,
            [
                ("spec.options.postRestore.job".to_owned(), "create jobs.batch in shop".to_owned()),
                (
                    "spec.options.postRestore.job.template.container.env[1].valueFrom.secretKeyRef.name".to_owned(),
                    "get secrets/db-admin in shop".to_owned()
                ),
                (
                    "spec.options.postRestore.job.template.container.env[2].valueFrom.configMapKeyRef.name".to_owned(),
                    "get configmaps/settings in shop".to_owned()
                ),
            ]
        );
        let permission = &restore_permissions(&restore, "shop")[1];
        assert_eq!(refusal(permission, Some(true)), None);
        assert_eq!(
            refusal(permission, Some(false)).unwrap(),
            "you may not get secrets/db-admin in shop; our Jobs act with their own rights, so a spec may only lend them what you may use yourself"
        );
        assert!(
            refusal(permission, None)
                .unwrap()
                .starts_with("whether you may get secrets/db-admin in shop could not be checked")
        );
    }

    // Issue 13, item 1: hook statements may run as a less privileged Neo4j user; its Secret is
    // lent to the controller, so the requester must be allowed to read it.
    #[test]
    fn hook_statements_as_another_user_need_its_secret() {
        let restore: Neo4jRestore =
            serde_json::from_value(json!({"apiVersion": "neo4j.neo4j.com/v1alpha1", "kind": "Neo4jRestore",
            "metadata": {"name": "r"},
            "spec": {"targetCluster": "prod", "databaseName": "orders", "source": {"type": "backup", "backupRef": "b"},
                "options": {"preRestore": {"cypherStatements": ["CALL db.checkpoint()"], "cypherCredentialsSecretRef": "hook-user"}}}}))
            .unwrap();
        let shown: Vec<(String, String)> =
            restore_permissions(&restore, "shop").iter().map(|p| (p.path.clone(), p.shown())).collect();
        assert_eq!(
            shown,
            [(
                "spec.options.preRestore.cypherCredentialsSecretRef".to_owned(),
                "get secrets/hook-user in shop".to_owned()
            )]
        );
    }
}
