//! Where and as whom to reach a target over Bolt: its client Service (checked before any password
//! is read), the admin Secret (or a hook's), and its CA when it serves TLS. Errors never carry
//! Secret data.

use k8s_openapi::api::core::v1::{Secret, Service};
use kube::Client;
use kube::api::Api;
use neo4j_api::plan::target::ResolvedTarget;

use crate::bolt::Endpoint;

/// The user and password in Secret `name` (keys `username` and `password`, or `NEO4J_AUTH` as
/// `user/password`). Errors never carry Secret data.
pub async fn credentials(secrets: &Api<Secret>, name: &str, what: &str) -> Result<(String, String), String> {
    let value = |secret: &Secret, key: &str| {
        secret.data.as_ref().and_then(|d| d.get(key)).map(|v| String::from_utf8_lossy(&v.0).trim().to_owned())
    };
    let secret = secrets
        .get_opt(name)
        .await
        .map_err(|err| format!("cannot read the Secret {name:?}: {err}"))?
        .ok_or_else(|| format!("the {what}Secret {name:?} does not exist"))?;
    match (value(&secret, "username"), value(&secret, "password"), value(&secret, "NEO4J_AUTH")) {
        (Some(user), Some(password), _) => Ok((user, password)),
        (_, _, Some(auth)) => match auth.split_once('/') {
            Some((user, password)) => Ok((user.to_owned(), password.to_owned())),
            None => Err(format!("the Secret {name:?} has NEO4J_AUTH without user/password")),
        },
        _ => Err(format!("the Secret {name:?} has neither username and password nor NEO4J_AUTH")),
    }
}

/// [`endpoint`], logged in as the user of Secret `secret` in `namespace` (a hook's
/// `cypherCredentialsSecretRef`) instead of the target's admin.
pub async fn endpoint_as(
    client: &Client,
    target: &ResolvedTarget,
    namespace: &str,
    secret: &str,
) -> Result<Endpoint, String> {
    let endpoint = endpoint(client, target).await?;
    let secrets: Api<Secret> = Api::namespaced(client.clone(), namespace);
    let (user, password) = credentials(&secrets, secret, "hook's ").await?;
    Ok(Endpoint { user, password, ..endpoint })
}

/// The admin credentials and CA of the target, from its Secrets. Errors never carry Secret data.
pub async fn endpoint(client: &Client, target: &ResolvedTarget) -> Result<Endpoint, String> {
    // Where the password would go is checked before the password is read.
    let services: Api<Service> = Api::namespaced(client.clone(), &target.namespace);
    let service = target.client_service();
    let found =
        services.get_opt(&service).await.map_err(|err| format!("cannot read the Service {service:?}: {err}"))?;
    if let Some(why) = neo4j_api::restore::bolt_service::distrusted(found.as_ref(), target) {
        return Err(why);
    }
    let secrets: Api<Secret> = Api::namespaced(client.clone(), &target.namespace);
    let (user, password) = credentials(&secrets, &target.admin_secret, "admin ").await?;
    let ca = if target.tls {
        let name = target.tls_secret();
        let tls = secrets
            .get_opt(&name)
            .await
            .map_err(|err| format!("cannot read the Secret {name:?}: {err}"))?
            .ok_or_else(|| format!("the TLS Secret {name:?} does not exist"))?;
        let ca = tls
            .data
            .as_ref()
            .and_then(|d| d.get("ca.crt"))
            .ok_or_else(|| format!("the Secret {name:?} has no ca.crt"))?;
        Some(ca.0.clone())
    } else {
        None
    };
    Ok(Endpoint { uri: target.bolt_uri(), user, password, ca })
}
