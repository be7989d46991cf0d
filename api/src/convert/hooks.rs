//! The operator's restore hooks (its api/v1beta1/neo4jrestore_types.go `RestoreHooks`: Cypher
//! statements and a Job of one container) as ours, which have the same shape.

use k8s_openapi::api::core::v1::EnvVar;

use super::fields::{Fields, Notes};
use crate::types::{ContainerSpec, JobTemplateSpec, RestoreHookJob, RestoreHooks};

/// `preRestore` or `postRestore`.
pub(super) fn hooks(mut fields: Fields, notes: &mut Notes) -> RestoreHooks {
    let cypher_statements = fields.strings("cypherStatements", notes);
    let job = fields.object("job", notes).map(|job| hook_job(job, notes));
    fields.finish(notes);
    RestoreHooks { job, cypher_statements, cypher_credentials_secret_ref: None }
}

fn hook_job(mut fields: Fields, notes: &mut Notes) -> RestoreHookJob {
    let template = fields.object("template", notes).map(|mut template| {
        let container = template.object("container", notes).map(|container| hook_container(container, notes));
        // A pointer in the operator: 0 (no retry) is a value, not unset.
        let backoff_limit = template.decode::<i32>("backoffLimit", "an integer", notes);
        template.finish(notes);
        JobTemplateSpec { container, backoff_limit }
    });
    let timeout = fields.string("timeout", notes);
    fields.finish(notes);
    RestoreHookJob { template, timeout }
}

fn hook_container(mut fields: Fields, notes: &mut Notes) -> ContainerSpec {
    let container = ContainerSpec {
        image: fields.string("image", notes),
        command: fields.strings("command", notes),
        args: fields.strings("args", notes),
        env: fields
            .decode::<Vec<EnvVar>>("env", "a list of environment variables", notes)
            .filter(|env| !env.is_empty()),
    };
    fields.finish(notes);
    container
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::rules::FieldPath;

    // The operator's examples/backup-restore/restore-pitr-basic.yaml (second restore): Cypher
    // statements and a Job with an env var from a Secret.
    #[test]
    fn hooks_keep_their_shape() {
        let mut notes = Notes::default();
        let written = json!({"cypherStatements": ["CALL db.awaitIndexes(600)"],
            "job": {"template": {"container": {"image": "neo4j:5.26.0-enterprise", "command": ["/bin/sh"], "args": ["-c", "echo ok"],
                                               "env": [{"name": "NEO4J_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "admin", "key": "password"}}}]},
                                 "backoffLimit": 0},
                    "timeout": "15m"}});
        let fields = Fields::read(
            "v1beta1 Neo4jRestore",
            FieldPath::new("spec.options.postRestore"),
            Some(written.clone()),
            &mut notes,
        )
        .unwrap();
        let converted = hooks(fields, &mut notes);
        assert_eq!(serde_json::to_value(&converted).unwrap(), written);
        assert!(notes.dropped.is_empty() && notes.errors.is_empty());
    }
}
