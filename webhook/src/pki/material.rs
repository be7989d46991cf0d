//! The certificates the keeper keeps in its Secret: a CA bundle (oldest first, the last one
//! signs), the newest CA's key, and the serving certificate and key. Parsing them into [`Facts`],
//! and making the next [`Material`] for a [`Step`].

use std::collections::BTreeMap;

use k8s_openapi::ByteString;
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair as RcKey,
    KeyUsagePurpose,
};
use time::OffsetDateTime;
use x509_parser::extensions::GeneralName;

use super::decide::{CA_VALIDITY_DAYS, Facts, LEAF_VALIDITY_DAYS, LeafFacts, Step};
use crate::tls::TlsError;

/// Keys of the Secret.
pub const CA_CERT: &str = "ca.crt";
/// The newest CA's private key.
pub const CA_KEY: &str = "ca.key";
/// The serving certificate.
pub const TLS_CERT: &str = "tls.crt";
/// The serving key.
pub const TLS_KEY: &str = "tls.key";

/// What the Secret holds (PEM text; absent or unreadable keys are empty).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Material {
    /// The CA bundle, oldest first.
    pub ca_bundle: String,
    /// The newest CA's key.
    pub ca_key: String,
    /// The serving certificate.
    pub cert: String,
    /// The serving key.
    pub key: String,
}

/// One parsed certificate.
struct Parsed {
    pem: String,
    subject: Vec<u8>,
    issuer: Vec<u8>,
    not_after: i64,
    dns_names: Vec<String>,
}

fn parse_pem_certs(pem: &str) -> Vec<Parsed> {
    let mut found = Vec::new();
    for block in pem.split_inclusive("-----END CERTIFICATE-----") {
        let Some(start) = block.find("-----BEGIN CERTIFICATE-----") else { continue };
        let text = block[start..].to_owned();
        let Some(Ok(der)) = rustls_pemfile::certs(&mut text.as_bytes()).next() else { continue };
        let Ok((_, cert)) = x509_parser::parse_x509_certificate(der.as_ref()) else { continue };
        let dns_names = cert
            .subject_alternative_name()
            .ok()
            .flatten()
            .map(|san| {
                san.value
                    .general_names
                    .iter()
                    .filter_map(|name| match name {
                        GeneralName::DNSName(dns) => Some((*dns).to_owned()),
                        _ => None,
                    })
                    .collect()
            })
            .unwrap_or_default();
        found.push(Parsed {
            pem: text,
            subject: cert.subject().as_raw().to_vec(),
            issuer: cert.issuer().as_raw().to_vec(),
            not_after: cert.validity().not_after.timestamp(),
            dns_names,
        });
    }
    found
}

fn text(data: &BTreeMap<String, ByteString>, key: &str) -> String {
    data.get(key).and_then(|value| String::from_utf8(value.0.clone()).ok()).unwrap_or_default()
}

impl Material {
    /// Reads a Secret's data.
    pub fn from_data(data: &BTreeMap<String, ByteString>) -> Self {
        Self {
            ca_bundle: text(data, CA_CERT),
            ca_key: text(data, CA_KEY),
            cert: text(data, TLS_CERT),
            key: text(data, TLS_KEY),
        }
    }

    /// The Secret's data.
    pub fn to_data(&self) -> BTreeMap<String, ByteString> {
        [(CA_CERT, &self.ca_bundle), (CA_KEY, &self.ca_key), (TLS_CERT, &self.cert), (TLS_KEY, &self.key)]
            .into_iter()
            .map(|(key, value)| (key.to_owned(), ByteString(value.as_bytes().to_vec())))
            .collect()
    }

    /// What [`super::decide::decide`] needs to know. `names` are the DNS names the serving
    /// certificate must carry; `trusted` whether the webhook configurations carry this bundle.
    pub fn facts(&self, names: &[String], trusted: bool) -> Facts {
        let cas = parse_pem_certs(&self.ca_bundle);
        let signing_key = !cas.is_empty() && RcKey::from_pem(&self.ca_key).is_ok();
        let leaf = match (parse_pem_certs(&self.cert).into_iter().next(), RcKey::from_pem(&self.key)) {
            (Some(leaf), Ok(_)) => Some(LeafFacts {
                not_after: leaf.not_after,
                issuer: cas.iter().position(|ca| ca.subject == leaf.issuer),
                names_match: names.iter().all(|name| leaf.dns_names.contains(name)),
            }),
            _ => None,
        };
        Facts { cas: cas.iter().map(|ca| ca.not_after).collect(), signing_key, leaf, trusted }
    }

    /// The material after `step` at `now` (seconds since the epoch), or `None` when the step
    /// changes nothing.
    pub fn after(&self, step: Step, now: i64, names: &[String]) -> Result<Option<Self>, TlsError> {
        let mut next = self.clone();
        match step {
            Step::Keep | Step::AwaitTrust => return Ok(None),
            Step::Fresh => {
                let (ca, key) = new_ca(now)?;
                next.ca_bundle = ca;
                next.ca_key = key;
                next.issue_leaf(now, names)?;
            }
            Step::AddCa => {
                let (ca, key) = new_ca(now)?;
                next.ca_bundle = format!("{}{ca}", with_newline(&self.ca_bundle));
                next.ca_key = key;
            }
            Step::IssueLeaf => next.issue_leaf(now, names)?,
            Step::DropExpired(count) => {
                next.ca_bundle = parse_pem_certs(&self.ca_bundle)
                    .into_iter()
                    .skip(count)
                    .map(|ca| ca.pem)
                    .collect::<Vec<_>>()
                    .join("\n");
                next.ca_bundle = with_newline(&next.ca_bundle);
            }
        }
        Ok(Some(next))
    }

    fn issue_leaf(&mut self, now: i64, names: &[String]) -> Result<(), TlsError> {
        let newest =
            parse_pem_certs(&self.ca_bundle).pop().ok_or(TlsError::Generate(rcgen::Error::CouldNotParseCertificate))?;
        let issuer = Issuer::from_ca_cert_pem(&newest.pem, RcKey::from_pem(&self.ca_key)?)?;
        let mut params = CertificateParams::new(names.to_vec())?;
        params.distinguished_name.push(DnType::CommonName, "neo4j-webhook");
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        params.use_authority_key_identifier_extension = true;
        params.not_before = at(now - 3600)?;
        params.not_after = at((now + LEAF_VALIDITY_DAYS * 86_400).min(newest.not_after))?;
        let key = RcKey::generate()?;
        self.cert = params.signed_by(&key, &issuer)?.pem();
        self.key = key.serialize_pem();
        Ok(())
    }
}

fn with_newline(pem: &str) -> String {
    if pem.is_empty() || pem.ends_with('\n') { pem.to_owned() } else { format!("{pem}\n") }
}

fn at(seconds: i64) -> Result<OffsetDateTime, TlsError> {
    OffsetDateTime::from_unix_timestamp(seconds).map_err(|_| {
        TlsError::Generate(rcgen::Error::InvalidAsn1String(rcgen::InvalidAsn1String::PrintableString(
            seconds.to_string(),
        )))
    })
}

/// A new CA valid from `now`, as PEM certificate and key. Its name carries its start, so that
/// the CAs of one bundle are told apart by name.
fn new_ca(now: i64) -> Result<(String, String), TlsError> {
    let mut params = CertificateParams::new(Vec::<String>::new())?;
    params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    params.distinguished_name.push(DnType::CommonName, format!("kubectl-neo4j webhook CA {now}"));
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign, KeyUsagePurpose::DigitalSignature];
    params.not_before = at(now - 3600)?;
    params.not_after = at(now + CA_VALIDITY_DAYS * 86_400)?;
    let key = RcKey::generate()?;
    let cert = params.self_signed(&key)?;
    Ok((cert.pem(), key.serialize_pem()))
}

#[cfg(test)]
mod tests {
    use super::super::decide::decide;
    use super::*;

    const NOW: i64 = 1_800_000_000;
    const DAY: i64 = 86_400;

    fn names() -> Vec<String> {
        ["neo4j-webhook.neo4j-system.svc".to_owned(), "neo4j-webhook.neo4j-system.svc.cluster.local".to_owned()]
            .to_vec()
    }

    fn step(material: &Material, now: i64, trusted: bool) -> (Step, Material) {
        let step = decide(now, &material.facts(&names(), trusted));
        let next = material.after(step, now, &names()).unwrap().unwrap_or_else(|| material.clone());
        (step, next)
    }

    #[test]
    fn a_fresh_pair_reads_back_as_healthy() {
        let (first, material) = step(&Material::default(), NOW, false);
        assert_eq!(first, Step::Fresh);
        let facts = material.facts(&names(), false);
        assert_eq!(facts.cas, vec![NOW + CA_VALIDITY_DAYS * DAY]);
        assert!(facts.signing_key);
        assert_eq!(
            facts.leaf,
            Some(LeafFacts { not_after: NOW + LEAF_VALIDITY_DAYS * DAY, issuer: Some(0), names_match: true })
        );
        assert_eq!(decide(NOW, &facts), Step::Keep);
        assert_eq!(Material::from_data(&material.to_data()), material);
        // Other names: a new leaf from the same CA.
        let other = vec!["elsewhere.svc".to_owned()];
        assert!(!material.facts(&other, true).leaf.unwrap().names_match);
    }

    #[test]
    fn a_whole_ca_lifetime_rotates_without_serving_an_untrusted_certificate() {
        let (_, mut material) = step(&Material::default(), NOW, false);
        // What the webhook configurations carry: the keeper injects the bundle after each tick.
        let mut injected = material.ca_bundle.clone();
        let mut steps = Vec::new();
        // Ten-day ticks through more than one CA lifetime.
        for tick in 1..=220 {
            let now = NOW + tick * 10 * DAY;
            let (step, next) = step(&material, now, injected == material.ca_bundle);
            if !matches!(step, Step::Keep | Step::AwaitTrust) {
                steps.push(step);
            }
            let served = &parse_pem_certs(&next.cert)[0];
            assert!(
                parse_pem_certs(&injected).iter().any(|ca| ca.subject == served.issuer),
                "tick {tick}: {step:?} serves a certificate the API server does not trust yet"
            );
            assert!(served.not_after > now, "tick {tick}: an expired certificate is served");
            material = next;
            injected = material.ca_bundle.clone();
        }
        assert!(steps.contains(&Step::AddCa), "{steps:?}");
        assert!(steps.iter().any(|s| matches!(s, Step::DropExpired(1))), "{steps:?}");
        assert!(!steps.contains(&Step::Fresh), "{steps:?}");
    }
}
