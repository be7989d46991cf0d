//! Serving certificates: loaded from files, swapped when the files change, or generated for
//! local use (`--self-signed`).
//!
//! The rustls configuration stays the same for the life of the process; only the certified key
//! behind its resolver changes. A new handshake picks up the new certificate, connections already
//! open keep theirs, so a rotation drops no request.

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use rustls::ServerConfig;
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;

/// Why certificates could not be loaded or made.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The failure.
        #[source]
        source: std::io::Error,
    },
    /// The PEM did not hold what it should.
    #[error("{path}: {message}")]
    Pem {
        /// The file.
        path: PathBuf,
        /// What was wrong.
        message: String,
    },
    /// rustls refused the key or the configuration.
    #[error("TLS configuration: {0}")]
    Rustls(#[from] rustls::Error),
    /// Certificate generation failed.
    #[error("generating a certificate: {0}")]
    Generate(#[from] rcgen::Error),
}

fn read(path: &Path) -> Result<Vec<u8>, TlsError> {
    std::fs::read(path).map_err(|source| TlsError::Io { path: path.to_owned(), source })
}

/// A certificate chain and key as PEM bytes, with the certified key rustls uses.
pub struct KeyPair {
    /// The certified key.
    pub certified: Arc<CertifiedKey>,
    /// The PEM bytes it was made from (to notice changes).
    pub pem: (Vec<u8>, Vec<u8>),
    /// When the leaf certificate expires, in seconds since the epoch.
    pub not_after: i64,
}

impl KeyPair {
    /// Parses a PEM certificate chain and a PEM private key.
    pub fn from_pem(cert_pem: Vec<u8>, key_pem: Vec<u8>, cert_path: &Path, key_path: &Path) -> Result<Self, TlsError> {
        let pem_error = |path: &Path, message: String| TlsError::Pem { path: path.to_owned(), message };
        let chain: Vec<_> = rustls_pemfile::certs(&mut cert_pem.as_slice())
            .collect::<Result<_, _>>()
            .map_err(|err| pem_error(cert_path, err.to_string()))?;
        let leaf = chain.first().ok_or_else(|| pem_error(cert_path, "no certificate found".to_owned()))?;
        let not_after = x509_parser::parse_x509_certificate(leaf.as_ref())
            .map_err(|err| pem_error(cert_path, format!("unreadable certificate: {err}")))?
            .1
            .validity()
            .not_after
            .timestamp();
        let key = rustls_pemfile::private_key(&mut key_pem.as_slice())
            .map_err(|err| pem_error(key_path, err.to_string()))?
            .ok_or_else(|| pem_error(key_path, "no private key found".to_owned()))?;
        let signing = rustls::crypto::ring::sign::any_supported_type(&key)?;
        let certified = CertifiedKey::new(chain, signing);
        // A certificate and a key of different pairs would fail every handshake: refuse them here,
        // so a reload keeps serving the pair that works.
        match certified.keys_match() {
            Ok(()) | Err(rustls::Error::InconsistentKeys(rustls::InconsistentKeys::Unknown)) => {}
            Err(_) => {
                return Err(pem_error(
                    key_path,
                    format!("this key does not belong to the certificate in {}", cert_path.display()),
                ));
            }
        }
        let certified = Arc::new(certified);
        Ok(Self { certified, pem: (cert_pem, key_pem), not_after })
    }

    /// Reads a certificate and key from files.
    pub fn from_files(cert: &Path, key: &Path) -> Result<Self, TlsError> {
        Self::from_pem(read(cert)?, read(key)?, cert, key)
    }
}

/// The current serving certificate, replaceable while serving.
pub struct CertStore {
    current: RwLock<Arc<CertifiedKey>>,
    pem: RwLock<(Vec<u8>, Vec<u8>)>,
    not_after: std::sync::atomic::AtomicI64,
}

impl std::fmt::Debug for CertStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CertStore").field("not_after", &self.not_after()).finish_non_exhaustive()
    }
}

impl CertStore {
    /// A store serving `pair`.
    pub fn new(pair: KeyPair) -> Arc<Self> {
        Arc::new(Self {
            current: RwLock::new(pair.certified),
            pem: RwLock::new(pair.pem),
            not_after: std::sync::atomic::AtomicI64::new(pair.not_after),
        })
    }

    /// Serves `pair` from the next handshake on.
    pub fn replace(&self, pair: KeyPair) {
        if let Ok(mut current) = self.current.write() {
            *current = pair.certified;
        }
        if let Ok(mut pem) = self.pem.write() {
            *pem = pair.pem;
        }
        self.not_after.store(pair.not_after, std::sync::atomic::Ordering::Relaxed);
    }

    /// Expiry of the certificate served now, in seconds since the epoch.
    pub fn not_after(&self) -> i64 {
        self.not_after.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Re-reads the files and swaps the certificate when their content changed and parses.
    /// Returns whether it swapped. A broken new pair is reported and the old one kept.
    pub fn reload(&self, cert: &Path, key: &Path) -> Result<bool, TlsError> {
        self.offer_from(read(cert)?, read(key)?, cert, key)
    }

    /// Swaps in `cert_pem`/`key_pem` (read from `origin`) when they differ from what is served.
    pub fn offer(&self, cert_pem: Vec<u8>, key_pem: Vec<u8>, origin: &Path) -> Result<bool, TlsError> {
        self.offer_from(cert_pem, key_pem, origin, origin)
    }

    fn offer_from(&self, cert_pem: Vec<u8>, key_pem: Vec<u8>, cert: &Path, key: &Path) -> Result<bool, TlsError> {
        let unchanged = self.pem.read().map(|pem| pem.0 == cert_pem && pem.1 == key_pem).unwrap_or(false);
        if unchanged {
            return Ok(false);
        }
        self.replace(KeyPair::from_pem(cert_pem, key_pem, cert, key)?);
        Ok(true)
    }
}

/// The resolver rustls asks at every handshake.
#[derive(Debug)]
struct Resolver(Arc<CertStore>);

impl ResolvesServerCert for Resolver {
    fn resolve(&self, _: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        self.0.current.read().ok().map(|current| current.clone())
    }
}

/// A rustls server configuration (TLS 1.2 and 1.3, HTTP/2 and HTTP/1.1) serving from `store`.
pub fn server_config(store: Arc<CertStore>) -> Arc<ServerConfig> {
    let mut config = ServerConfig::builder_with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .with_no_client_auth()
        .with_cert_resolver(Arc::new(Resolver(store)));
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Arc::new(config)
}

/// Polls the certificate files every `interval` and swaps in changed ones. Polling, not inotify:
/// Secret volumes change by swapping a `..data` symlink, which file watches miss.
pub async fn watch(store: Arc<CertStore>, cert: PathBuf, key: PathBuf, interval: Duration) {
    let mut ticker = tokio::time::interval(interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticker.tick().await;
        match store.reload(&cert, &key) {
            Ok(true) => tracing::info!(cert = %cert.display(), "serving certificate reloaded"),
            Ok(false) => {}
            Err(err) => tracing::warn!(error = %err, "serving certificate not reloaded; keeping the current one"),
        }
    }
}

/// A client configuration trusting exactly the CAs in `ca_files` (for tests and the load harness).
pub fn client_config(ca_files: &[&Path]) -> Result<rustls::ClientConfig, TlsError> {
    let mut roots = rustls::RootCertStore::empty();
    for path in ca_files {
        let pem = read(path)?;
        for cert in rustls_pemfile::certs(&mut pem.as_slice()) {
            let cert = cert.map_err(|err| TlsError::Pem { path: path.to_path_buf(), message: err.to_string() })?;
            roots.add(cert)?;
        }
    }
    Ok(rustls::ClientConfig::builder().with_root_certificates(roots).with_no_client_auth())
}

/// Files written by [`self_signed`].
#[derive(Clone, Debug)]
pub struct SelfSigned {
    /// The CA certificate, for a webhook configuration's `caBundle`.
    pub ca: PathBuf,
    /// The serving certificate.
    pub cert: PathBuf,
    /// The serving key.
    pub key: PathBuf,
}

/// Generates a CA and a serving certificate for 127.0.0.1, localhost and `extra_names`, writing
/// `ca.crt`, `tls.crt`, `tls.key` and `ca.key` (the last two readable by the owner only) into
/// `dir`. The same CA and certificate as `--manage-certificates` makes, with the same bounded
/// validity; `ca.key` signs the next serving certificate.
pub fn self_signed(dir: &Path, extra_names: &[String]) -> Result<SelfSigned, TlsError> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;

    use crate::pki::decide::Step;
    use crate::pki::material::Material;

    let mut names = vec!["localhost".to_owned(), "127.0.0.1".to_owned()];
    names.extend(extra_names.iter().cloned());
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64);
    let material = Material::default().after(Step::Fresh, now, &names)?.unwrap_or_default();

    std::fs::create_dir_all(dir).map_err(|source| TlsError::Io { path: dir.to_owned(), source })?;
    let files = SelfSigned { ca: dir.join("ca.crt"), cert: dir.join("tls.crt"), key: dir.join("tls.key") };
    let ca_key = dir.join("ca.key");
    for (path, content, mode) in [
        (&files.ca, &material.ca_bundle, 0o644),
        (&files.cert, &material.cert, 0o644),
        (&files.key, &material.key, 0o600),
        (&ca_key, &material.ca_key, 0o600),
    ] {
        let io = |source| TlsError::Io { path: path.clone(), source };
        // Replaced whole (not truncated in place), so a reader never sees half a file and a key
        // file never exists with wider permissions.
        let _ = std::fs::remove_file(path);
        let mut file = std::fs::OpenOptions::new().write(true).create_new(true).mode(mode).open(path).map_err(io)?;
        file.write_all(content.as_bytes()).map_err(io)?;
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("neo4j-webhook-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn self_signed_files_load_and_reload_only_on_change() {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let dir = temp_dir("tls");
        let first = self_signed(&dir, &["neo4j-webhook.neo4j-system.svc".to_owned()]).unwrap();
        let store = CertStore::new(KeyPair::from_files(&first.cert, &first.key).unwrap());
        assert!(store.not_after() > 0);
        assert!(!store.reload(&first.cert, &first.key).unwrap(), "unchanged files are not reloaded");
        let before = store.current.read().unwrap().clone();
        self_signed(&dir, &[]).unwrap();
        assert!(store.reload(&first.cert, &first.key).unwrap(), "changed files are reloaded");
        assert!(!Arc::ptr_eq(&before, &store.current.read().unwrap()));
        std::fs::write(&first.cert, "garbage").unwrap();
        assert!(store.reload(&first.cert, &first.key).is_err(), "a broken file is reported");
        let _ = server_config(store);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn keys_are_owner_only_validity_is_bounded_and_a_mismatched_pair_is_refused() {
        use std::os::unix::fs::PermissionsExt;
        let _ = rustls::crypto::ring::default_provider().install_default();
        let dir = temp_dir("modes");
        let first = self_signed(&dir, &[]).unwrap();
        for (file, mode) in [("tls.key", 0o600), ("ca.key", 0o600), ("tls.crt", 0o644), ("ca.crt", 0o644)] {
            let found = std::fs::metadata(dir.join(file)).unwrap().permissions().mode() & 0o777;
            assert_eq!(found, mode, "{file}");
        }
        let pair = KeyPair::from_files(&first.cert, &first.key).unwrap();
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
        assert!(pair.not_after <= now + crate::pki::decide::LEAF_VALIDITY_DAYS * 86_400, "bounded validity");
        // A key of another pair.
        let other = self_signed(&temp_dir("other"), &[]).unwrap();
        let err = KeyPair::from_files(&first.cert, &other.key).err().unwrap();
        assert!(
            err.to_string()
                .ends_with(&format!("this key does not belong to the certificate in {}", first.cert.display())),
            "{err}"
        );
        let store = CertStore::new(pair);
        std::fs::copy(&other.key, &first.key).unwrap();
        assert!(store.reload(&first.cert, &first.key).is_err(), "a mismatched reload keeps the served pair");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn missing_or_empty_files_say_which() {
        let dir = temp_dir("missing");
        std::fs::create_dir_all(&dir).unwrap();
        let err = KeyPair::from_files(&dir.join("nope.crt"), &dir.join("nope.key")).err().unwrap();
        assert!(err.to_string().contains("nope.crt"), "{err}");
        std::fs::write(dir.join("empty.crt"), "").unwrap();
        std::fs::write(dir.join("empty.key"), "").unwrap();
        let err = KeyPair::from_files(&dir.join("empty.crt"), &dir.join("empty.key")).err().unwrap();
        assert!(err.to_string().ends_with("empty.crt: no certificate found"), "{err}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
