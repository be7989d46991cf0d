//! The targets at whichever version the API server serves them (the Neo4j operator serves only
//! neo4j.neo4j.com/v1beta1 since its v1.13; ../shared/fixtures/neo4j-operator/v1.14.0): discovery of
//! the group, then the object read at that version into our read view. Against a mock API server.

mod support;

use std::sync::Arc;

use http::{Method, StatusCode};
use neo4j_controller::backup::resolve::{Lookup, NOT_INSTALLED, lookup, resolve};
use neo4j_controller::restore::bolt::Bolt;
use neo4j_controller::targets::TargetApis;
use serde_json::json;
use support::step;

fn group_list(versions: &[&str]) -> serde_json::Value {
    let versions: Vec<_> =
        versions.iter().map(|v| json!({"groupVersion": format!("neo4j.neo4j.com/{v}"), "version": v})).collect();
    json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": [
        {"name": "apps", "versions": [{"groupVersion": "apps/v1", "version": "v1"}], "preferredVersion": {"groupVersion": "apps/v1", "version": "v1"}},
        {"name": "neo4j.neo4j.com", "versions": versions, "preferredVersion": versions[0]}
    ]})
}

fn resources(version: &str) -> serde_json::Value {
    let kind = |plural: &str, kind: &str| {
        json!({"name": plural, "singularName": "", "namespaced": true, "kind": kind,
            "verbs": ["get", "list", "watch", "create", "update", "patch", "delete"]})
    };
    json!({"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": format!("neo4j.neo4j.com/{version}"),
        "resources": [kind("neo4jenterpriseclusters", "Neo4jEnterpriseCluster"),
                      kind("neo4jenterprisestandalones", "Neo4jEnterpriseStandalone")]})
}

#[tokio::test]
async fn a_v1beta1_cluster_is_found_and_read() {
    let cluster = json!({"apiVersion": "neo4j.neo4j.com/v1beta1", "kind": "Neo4jEnterpriseCluster",
        "metadata": {"name": "prod", "namespace": "neo4j", "annotations": {"neo4j.com/restore-in-progress": "r1"}},
        "spec": {"image": {"repo": "neo4j", "tag": "2025.10.0-enterprise"}, "topology": {"servers": 3},
                 "auth": {"adminSecret": "admin"}, "tls": {"mode": "disabled"}}});
    let steps = vec![
        step(Method::GET, "/apis", StatusCode::OK, group_list(&["v1beta1"])),
        step(Method::GET, "/apis/neo4j.neo4j.com/v1beta1", StatusCode::OK, resources("v1beta1")),
        step(
            Method::GET,
            "/apis/neo4j.neo4j.com/v1beta1/namespaces/neo4j/neo4jenterpriseclusters/prod",
            StatusCode::OK,
            cluster,
        ),
    ];
    let (apis, lookup) = support::reconcile_with(Arc::new(Bolt), steps, |ctx| async move {
        let apis = TargetApis::discover(&ctx.client).await.expect("discovery");
        let lookup = resolve(&ctx.client, &apis, "neo4j", "prod").await.expect("lookup");
        (apis, lookup)
    })
    .await;
    assert_eq!(apis.cluster.as_ref().map(|ar| ar.api_version.as_str()), Some("neo4j.neo4j.com/v1beta1"));
    assert_eq!(apis.standalone.as_ref().map(|ar| ar.plural.as_str()), Some("neo4jenterprisestandalones"));
    let Lookup::Found(target) = lookup else { panic!("{lookup:?}") };
    assert_eq!((target.image.as_str(), target.servers), ("neo4j:2025.10.0-enterprise", 3));
    assert_eq!(target.admin_secret, "admin");
    assert_eq!(target.restore_hold.as_deref(), Some("r1"));
}

#[tokio::test]
async fn without_the_operators_crds_the_lookup_says_so() {
    let no_group = json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": []});
    let steps = vec![step(Method::GET, "/apis", StatusCode::OK, no_group)];
    let lookup = support::reconcile_with(Arc::new(Bolt), steps, |ctx| async move {
        let apis = TargetApis::discover(&ctx.client).await.expect("discovery");
        assert_eq!(apis, TargetApis::default());
        resolve(&ctx.client, &apis, "neo4j", "prod").await.expect("lookup")
    })
    .await;
    assert_eq!(lookup, Lookup::Unusable(NOT_INSTALLED.to_owned()));
}

// A target missing at the version discovered earlier (the operator upgraded from v1alpha1 to
// v1beta1 while the controller ran) is looked for again at the version served now, without a
// restart: the discovery is forgotten on a miss and done again on the next lookup.
#[tokio::test]
async fn a_target_missing_at_the_cached_version_is_found_after_discovery_again() {
    let cluster = json!({"apiVersion": "neo4j.neo4j.com/v1beta1", "kind": "Neo4jEnterpriseCluster",
        "metadata": {"name": "prod", "namespace": "neo4j"},
        "spec": {"image": {"repo": "neo4j", "tag": "2025.10.0-enterprise"}, "topology": {"servers": 3}}});
    let steps = vec![
        // The context starts with v1alpha1 cached (support presets it): not there any more.
        step(
            Method::GET,
            "/apis/neo4j.neo4j.com/v1alpha1/namespaces/neo4j/neo4jenterpriseclusters/prod",
            StatusCode::NOT_FOUND,
            support::not_found("neo4jenterpriseclusters prod"),
        ),
        step(
            Method::GET,
            "/apis/neo4j.neo4j.com/v1alpha1/namespaces/neo4j/neo4jenterprisestandalones/prod",
            StatusCode::NOT_FOUND,
            support::not_found("neo4jenterprisestandalones prod"),
        ),
        step(Method::GET, "/apis", StatusCode::OK, group_list(&["v1beta1"])),
        step(Method::GET, "/apis/neo4j.neo4j.com/v1beta1", StatusCode::OK, resources("v1beta1")),
        step(
            Method::GET,
            "/apis/neo4j.neo4j.com/v1beta1/namespaces/neo4j/neo4jenterpriseclusters/prod",
            StatusCode::OK,
            cluster,
        ),
    ];
    let (first, second) = support::reconcile_with(Arc::new(Bolt), steps, |ctx| async move {
        let first = lookup(&ctx, "neo4j", "prod").await.expect("lookup");
        let second = lookup(&ctx, "neo4j", "prod").await.expect("lookup");
        (first, second)
    })
    .await;
    assert_eq!(first, Lookup::Missing);
    let Lookup::Found(target) = second else { panic!("{second:?}") };
    assert_eq!(target.image, "neo4j:2025.10.0-enterprise");
}
