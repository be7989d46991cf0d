//! Resolve: find the backup's target, a Neo4jEnterpriseCluster or a Neo4jEnterpriseStandalone of
//! that name (detected), in the target namespace.

pub use neo4j_ops::targets::{Lookup, NOT_INSTALLED, resolve};

use crate::Ctx;

/// [`resolve`] at the versions `ctx` discovered. A target missing there makes the next lookup
/// discover again: its CRD may have been removed, or the Neo4j operator upgraded to serve another
/// version, since the discovery was cached; a restart must not be needed to notice.
/// A target the controller may not read (a namespace-scoped install reads only its
/// `--watch-namespaces`) is unusable, said so, rather than a reconcile error retried for ever.
pub async fn lookup(ctx: &Ctx, namespace: &str, name: &str) -> Result<Lookup, kube::Error> {
    let found = match resolve(&ctx.client, &ctx.target_apis().await?, namespace, name).await {
        Err(kube::Error::Api(status)) if status.code == 403 => return Ok(Lookup::Unusable(unreadable(namespace))),
        other => other?,
    };
    if found == Lookup::Missing {
        ctx.forget_target_apis().await;
    }
    Ok(found)
}

/// Why a target in `namespace` cannot be read.
pub fn unreadable(namespace: &str) -> String {
    format!(
        "the controller may not read targets in namespace {namespace:?}; a namespace-scoped install (kubectl neo4j install --namespaces) reads only the namespaces it lists: add {namespace:?} there"
    )
}
