//! The certificate keeper (`--manage-certificates`) against a stateful API server stand-in: it
//! creates its Secret, injects the CA into both webhook configurations, keeps one Secret with a
//! second replica, rotates without serving what the configurations do not trust, and the served
//! certificate completes a real TLS handshake under the Service's name with the injected bundle.

use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine;
use kube::Client;
use neo4j_testkit::World;
use neo4j_webhook::pki::decide::CA_VALIDITY_DAYS;
use neo4j_webhook::pki::keeper::{KeepError, Keeper, service_names};
use neo4j_webhook::tls::{self, CertStore, KeyPair};
use serde_json::{Value, json};

fn client(world: Arc<Mutex<World>>) -> Client {
    neo4j_testkit::client(world)
}

const SECRET: &str = "/api/v1/namespaces/neo4j-system/secrets/neo4j-webhook-tls";
const MUTATING: &str = "/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/neo4j-webhook";
const VALIDATING: &str = "/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/neo4j-webhook";
const DAY: i64 = 86_400;

fn configuration(kind: &str, hooks: &[&str]) -> Value {
    let webhooks: Vec<Value> = hooks
        .iter()
        .map(|name| {
            json!({"name": name, "admissionReviewVersions": ["v1"], "sideEffects": "None",
            "clientConfig": {"service": {"name": "neo4j-webhook", "namespace": "neo4j-system", "path": "/validate"}}})
        })
        .collect();
    json!({"apiVersion": "admissionregistration.k8s.io/v1", "kind": kind, "metadata": {"name": "neo4j-webhook"}, "webhooks": webhooks})
}

fn world_with_configurations() -> Arc<Mutex<World>> {
    let world = World::shared();
    {
        let mut w = world.lock().unwrap();
        w.store(MUTATING, configuration("MutatingWebhookConfiguration", &["mutate.neo4j.neo4j.com"]));
        w.store(
            VALIDATING,
            configuration(
                "ValidatingWebhookConfiguration",
                &["validate.neo4j.neo4j.com", "validate-targets.neo4j.neo4j.com"],
            ),
        );
    }
    world
}

fn keeper(client: Client) -> Keeper {
    Keeper {
        client,
        namespace: "neo4j-system".to_owned(),
        secret: "neo4j-webhook-tls".to_owned(),
        configuration: "neo4j-webhook".to_owned(),
        names: service_names("neo4j-webhook", "neo4j-system"),
    }
}

fn secret_text(world: &Mutex<World>, key: &str) -> String {
    let w = world.lock().unwrap();
    let encoded = w.objects[SECRET]["data"][key].as_str().unwrap_or_default().to_owned();
    String::from_utf8(base64::engine::general_purpose::STANDARD.decode(encoded).unwrap()).unwrap()
}

/// Every caBundle of both configurations, decoded.
fn injected(world: &Mutex<World>) -> Vec<String> {
    let w = world.lock().unwrap();
    [MUTATING, VALIDATING]
        .iter()
        .flat_map(|path| w.objects[*path]["webhooks"].as_array().unwrap().clone())
        .map(|hook| {
            let encoded = hook["clientConfig"]["caBundle"].as_str().unwrap_or_default().to_owned();
            String::from_utf8(base64::engine::general_purpose::STANDARD.decode(encoded).unwrap()).unwrap()
        })
        .collect()
}

fn certificates(pem: &str) -> usize {
    pem.matches("-----BEGIN CERTIFICATE-----").count()
}

fn now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() as i64
}

#[tokio::test]
async fn the_first_start_creates_the_secret_and_injects_the_ca_everywhere() {
    let world = world_with_configurations();
    let material = keeper(client(world.clone())).tick_at(now()).await.unwrap();
    assert_eq!(certificates(&material.ca_bundle), 1);
    assert_eq!(secret_text(&world, "ca.crt"), material.ca_bundle);
    assert_eq!(secret_text(&world, "tls.crt"), material.cert);
    assert_eq!(world.lock().unwrap().objects[SECRET]["type"], "kubernetes.io/tls");
    assert_eq!(injected(&world), vec![material.ca_bundle.clone(); 3], "every webhook of both configurations");
    assert_eq!(
        world.lock().unwrap().writes,
        vec![format!("create {SECRET}"), format!("patch {MUTATING}"), format!("patch {VALIDATING}")]
    );
    // A second round changes nothing.
    world.lock().unwrap().writes.clear();
    let again = keeper(client(world.clone())).tick_at(now()).await.unwrap();
    assert_eq!(again, material);
    assert!(world.lock().unwrap().writes.is_empty(), "{:?}", world.lock().unwrap().writes);
}

#[tokio::test]
async fn two_replicas_keep_one_secret() {
    let world = world_with_configurations();
    let (first, second) = (keeper(client(world.clone())), keeper(client(world.clone())));
    let (a, b) = tokio::join!(first.tick_at(now()), second.tick_at(now()));
    // One of them created the Secret; the other lost the race, or read it afterwards.
    let winner = match (a, b) {
        (Ok(a), Ok(b)) => {
            assert_eq!(a, b);
            a
        }
        (Ok(a), Err(KeepError::Raced(_))) | (Err(KeepError::Raced(_)), Ok(a)) => a,
        other => panic!("{other:?}"),
    };
    let next = second.tick_at(now()).await.unwrap();
    assert_eq!(next, winner, "the loser serves what the winner wrote");
    assert_eq!(secret_text(&world, "tls.crt"), winner.cert);
}

#[tokio::test]
async fn configurations_applied_later_get_the_ca_on_the_next_round() {
    let world = World::shared();
    let keeper = keeper(client(world.clone()));
    let material = keeper.tick_at(now()).await.unwrap();
    assert_eq!(world.lock().unwrap().writes, vec![format!("create {SECRET}")]);
    {
        let mut w = world.lock().unwrap();
        w.store(MUTATING, configuration("MutatingWebhookConfiguration", &["mutate.neo4j.neo4j.com"]));
        w.store(VALIDATING, configuration("ValidatingWebhookConfiguration", &["validate.neo4j.neo4j.com"]));
    }
    assert_eq!(keeper.tick_at(now()).await.unwrap(), material);
    assert_eq!(injected(&world), vec![material.ca_bundle.clone(); 2]);
}

#[tokio::test]
async fn a_ca_rotation_waits_for_the_bundle_to_be_injected() {
    let world = world_with_configurations();
    let keeper = keeper(client(world.clone()));
    let start = now();
    let first = keeper.tick_at(start).await.unwrap();
    // Four years on (the serving certificate renewed on the way, 90-day validity), then the CA has
    // less than a year left: a second CA joins the bundle, injected in the same round; the serving
    // certificate stays for now.
    let renewed = keeper.tick_at(start + (CA_VALIDITY_DAYS - 400) * DAY).await.unwrap();
    assert_ne!(renewed.cert, first.cert);
    assert_eq!(certificates(&renewed.ca_bundle), 1);
    let later = start + (CA_VALIDITY_DAYS - 350) * DAY;
    let added = keeper.tick_at(later).await.unwrap();
    assert_eq!(certificates(&added.ca_bundle), 2);
    assert_eq!(added.cert, renewed.cert, "the served certificate waits for the new bundle to be trusted");
    assert_eq!(injected(&world), vec![added.ca_bundle.clone(); 3]);
    // Next round: the configurations carry both CAs; the serving certificate moves to the new one.
    let moved = keeper.tick_at(later + 60).await.unwrap();
    assert_ne!(moved.cert, added.cert);
    assert_eq!(moved.ca_bundle, added.ca_bundle);
    // Once the old CA has expired, it leaves the bundle (the round after the expired serving
    // certificate is renewed).
    let expired = start + CA_VALIDITY_DAYS * DAY + DAY;
    let renewed_again = keeper.tick_at(expired).await.unwrap();
    assert_eq!(certificates(&renewed_again.ca_bundle), 2);
    let dropped = keeper.tick_at(expired + 60).await.unwrap();
    assert_eq!(dropped.cert, renewed_again.cert);
    assert_eq!(certificates(&dropped.ca_bundle), 1);
    assert_eq!(injected(&world), vec![dropped.ca_bundle.clone(); 3]);
}

/// A TLS handshake under `name`, trusting exactly `bundle`.
async fn handshake(address: std::net::SocketAddr, name: &str, bundle: &str) -> Result<(), String> {
    let mut roots = rustls::RootCertStore::empty();
    for cert in rustls_pemfile::certs(&mut bundle.as_bytes()) {
        roots.add(cert.map_err(|e| e.to_string())?).map_err(|e| e.to_string())?;
    }
    let config = rustls::ClientConfig::builder().with_root_certificates(roots).with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let stream = tokio::net::TcpStream::connect(address).await.map_err(|e| e.to_string())?;
    let server_name = rustls::pki_types::ServerName::try_from(name.to_owned()).map_err(|e| e.to_string())?;
    connector.connect(server_name, stream).await.map(|_| ()).map_err(|e| e.to_string())
}

#[tokio::test]
async fn the_served_certificate_is_trusted_by_the_injected_bundle_under_the_service_name() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let world = world_with_configurations();
    let keeper = keeper(client(world.clone()));
    let material = keeper.tick_at(now()).await.unwrap();
    let origin = std::path::PathBuf::from("Secret neo4j-system/neo4j-webhook-tls");
    let store = CertStore::new(
        KeyPair::from_pem(material.cert.clone().into_bytes(), material.key.clone().into_bytes(), &origin, &origin)
            .unwrap(),
    );
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    let router = axum::Router::new();
    let server = tokio::spawn(neo4j_webhook::server::serve_tls(
        listener,
        tls::server_config(store.clone()),
        router,
        std::future::pending(),
        std::time::Duration::from_secs(1),
    ));
    let bundle = injected(&world)[0].clone();
    for name in ["neo4j-webhook.neo4j-system.svc", "neo4j-webhook.neo4j-system.svc.cluster.local"] {
        handshake(address, name, &bundle).await.unwrap_or_else(|err| panic!("{name}: {err}"));
    }
    assert!(handshake(address, "elsewhere.example", &bundle).await.is_err(), "other names are not served");
    // Another name for the Service: a new serving certificate from the same CA, served from the next
    // handshake on, trusted by the bundle already injected.
    let mut renamed = keeper;
    renamed.names.push("webhook.example".to_owned());
    let next = renamed.tick_at(now()).await.unwrap();
    assert_ne!(next.cert, material.cert);
    assert_eq!(next.ca_bundle, material.ca_bundle);
    assert!(store.offer(next.cert.into_bytes(), next.key.into_bytes(), &origin).unwrap());
    handshake(address, "webhook.example", &bundle).await.unwrap();
    server.abort();
}
