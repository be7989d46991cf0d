//! `restore plan` and the plan `restore create` shows before it asks: which Neo4jRestore is
//! planned (an existing one, a file, or the flags of `restore create`), printed as text, JSON or
//! YAML. The plan itself is `neo4j_api::restore::plan`'s, gathered by `online::plan`.

use neo4j_api::{Neo4jRestore, RestorePlan};
use serde_json::Value;

use crate::cli::{CliError, PlanFormat};
use crate::kubeconfig::ConnectionFlags;

/// What is planned.
pub enum Planned {
    /// The Neo4jRestore of that name in the namespace of the connection.
    Existing(String),
    /// This object (from a file or composed from flags), created or not.
    Object(Value),
}

/// The plan of `planned`, with the restore's `namespace/name`.
pub fn plan(connection: &ConnectionFlags, planned: Planned) -> Result<(String, RestorePlan), CliError> {
    let text = crate::cli::online(connection, false, |client, scope, now| async move {
        let namespace = crate::cli::scope_namespace(&scope);
        let restore: Neo4jRestore = match planned {
            Planned::Existing(name) => kube::Api::<Neo4jRestore>::namespaced(client.clone(), &namespace)
                .get(&name)
                .await
                .map_err(|err| crate::online::list::describe_error(err, "neo4jrestore", &name))?,
            Planned::Object(value) => {
                serde_json::from_value(value).map_err(|err| format!("not a Neo4jRestore: {err}"))?
            }
        };
        let namespace = restore.metadata.namespace.clone().unwrap_or(namespace);
        let name = format!("{namespace}/{}", restore.metadata.name.as_deref().unwrap_or_default());
        let plan = crate::online::plan::plan_of(&client, &namespace, &restore, now).await?;
        serde_json::to_string(&(name, plan)).map_err(|err| err.to_string())
    })?;
    serde_json::from_str(&text).map_err(|err| CliError::Usage(err.to_string()))
}

/// The one Neo4jRestore of `file` (`-`: standard input).
pub fn from_file(file: &str) -> Result<Value, CliError> {
    let documents = crate::validate::read_inputs(&[file.to_owned()], &mut std::io::stdin().lock())?;
    let mut restores = documents.into_iter().filter(|d| d.value["kind"] == "Neo4jRestore");
    match (restores.next(), restores.next()) {
        (Some(one), None) => Ok(one.value),
        (None, _) => Err(CliError::Usage(format!("{file} holds no Neo4jRestore"))),
        (Some(_), Some(_)) => {
            Err(CliError::Usage(format!("{file} holds more than one Neo4jRestore; plan them one at a time")))
        }
    }
}

/// The plan as `format` says.
pub fn rendered(name: &str, plan: &RestorePlan, format: PlanFormat) -> Result<String, CliError> {
    printed(plan, format, |plan| neo4j_api::restore::plan::render(name, plan))
}

/// `value` as `format` says: `text` for text, else JSON or YAML.
pub fn printed<T: serde::Serialize>(
    value: &T,
    format: PlanFormat,
    text: impl FnOnce(&T) -> String,
) -> Result<String, CliError> {
    Ok(match format {
        PlanFormat::Text => text(value),
        PlanFormat::Json => {
            format!("{}\n", serde_json::to_string_pretty(value).map_err(|e| CliError::Usage(e.to_string()))?)
        }
        PlanFormat::Yaml => {
            serde_saphyr::to_string(value).map_err(|e| CliError::Usage(format!("cannot render YAML: {e}")))?
        }
    })
}

/// The question `restore create` asks after showing the plan: the cluster, the database, the
/// source and what is destructive.
pub fn question(plan: &RestorePlan) -> String {
    let mut what = format!("restore {} into {} from {}", plan.database, plan.target, plan.source);
    for item in &plan.destructive {
        what.push_str(&format!("; {item}"));
    }
    what
}
