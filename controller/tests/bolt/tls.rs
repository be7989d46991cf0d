//! TLS in front of a plain boltstub. boltkit 1.3.2's stub server speaks plain TCP only (its
//! `StubServer` binds and reads a bare socket; TLS appears only where it drives a real Neo4j), so
//! TLS ends here, with a certificate for 127.0.0.1 from a CA made for the test, and the bytes go on
//! to the stub unchanged: what is exercised is neo4rs's own TLS client, verifying with the CA the
//! controller hands it (`Endpoint.ca`).

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// A CA made for one test.
pub struct Ca {
    /// Its certificate, as the target's `ca.crt` holds it.
    pub pem: Vec<u8>,
    issuer: Issuer<'static, KeyPair>,
}

impl Ca {
    /// A new CA named `name`.
    pub fn new(name: &str) -> Self {
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("CA parameters");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.distinguished_name.push(DnType::CommonName, name);
        let key = KeyPair::generate().expect("CA key");
        let pem = params.self_signed(&key).expect("CA certificate").pem().into_bytes();
        Self { pem, issuer: Issuer::new(params, key) }
    }
}

/// A proxy that ends TLS with a certificate for 127.0.0.1 signed by its CA.
pub struct Proxy {
    pub address: SocketAddr,
    /// TLS handshakes that succeeded.
    pub handshakes: Arc<AtomicUsize>,
    listener: Option<TcpListener>,
    acceptor: TlsAcceptor,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl Proxy {
    /// Listens on 127.0.0.1 (its address is known before the stub it forwards to starts: a
    /// routed HELLO names it).
    pub async fn bind(ca: &Ca) -> Self {
        let _ = tokio_rustls::rustls::crypto::ring::default_provider().install_default();
        let key = KeyPair::generate().expect("server key");
        let cert = CertificateParams::new(vec!["127.0.0.1".to_owned()])
            .expect("server parameters")
            .signed_by(&key, &ca.issuer)
            .expect("server certificate");
        let config = ServerConfig::builder()
            .with_no_client_auth()
            .with_single_cert(
                vec![CertificateDer::from(cert.der().to_vec())],
                PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
            )
            .expect("server TLS configuration");
        let acceptor = TlsAcceptor::from(Arc::new(config));
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let address = listener.local_addr().expect("address");
        let handshakes = Arc::new(AtomicUsize::new(0));
        Self { address, handshakes, listener: Some(listener), acceptor, task: None }
    }

    /// Forwards every connection to `upstream` on 127.0.0.1.
    pub fn forward_to(&mut self, upstream: u16) {
        let (listener, acceptor) = (self.listener.take().expect("forwarding once"), self.acceptor.clone());
        let counted = self.handshakes.clone();
        self.task = Some(tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (acceptor, counted) = (acceptor.clone(), counted.clone());
                tokio::spawn(async move {
                    let Ok(mut tls) = acceptor.accept(stream).await else { return };
                    counted.fetch_add(1, Ordering::SeqCst);
                    let mut plain = TcpStream::connect(("127.0.0.1", upstream)).await.expect("the stub listens");
                    let _ = tokio::io::copy_bidirectional(&mut tls, &mut plain).await;
                });
            }
        }));
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        if let Some(task) = &self.task {
            task.abort();
        }
    }
}
