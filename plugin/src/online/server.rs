//! The server side of `status`: the controller and webhook Deployments, the controller's leader
//! Lease and the webhook configurations with their CA. [`observe`] reads them (every read on its
//! own: a missing or forbidden object is a finding, never a failed `status`); [`assess`] turns
//! what was read into a [`ServerReport`], whose [`ServerReport::text`] is what `status` prints
//! first.

use k8s_openapi::ByteString;
use k8s_openapi::api::admissionregistration::v1::{MutatingWebhookConfiguration, ValidatingWebhookConfiguration};
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::coordination::v1::Lease;
use k8s_openapi::jiff::{SignedDuration, Timestamp};
use kube::{Api, Client};
use neo4j_api::lease;

use crate::online::table::{age, ago};

/// Where `kubectl neo4j install` puts the controller, the webhook and the Lease.
pub const NAMESPACE: &str = "neo4j-system";
/// The controller's Deployment.
pub const CONTROLLER: &str = "neo4j-controller";
/// The webhook's Deployment, and the name of both webhook configurations.
pub const WEBHOOK: &str = "neo4j-webhook";
/// A CA that expires sooner than this is warned about.
pub const EXPIRY_WARNING: SignedDuration = SignedDuration::from_hours(30 * 24);

/// One object as read: there, not there (404), not ours to read (403), or another answer.
#[derive(Clone, Debug, PartialEq)]
pub enum Read<T> {
    /// It is there.
    Found(T),
    /// The API server answered 404.
    Missing,
    /// The API server answered 403.
    Forbidden,
    /// Any other failure, as kube tells it.
    Failed(String),
}

impl<T> Read<T> {
    /// A `get`'s answer.
    pub fn of(result: Result<T, kube::Error>) -> Self {
        match result {
            Ok(object) => Self::Found(object),
            Err(kube::Error::Api(status)) if status.code == 404 => Self::Missing,
            Err(kube::Error::Api(status)) if status.code == 403 => Self::Forbidden,
            Err(err) => Self::Failed(err.to_string()),
        }
    }

    fn map<U>(&self, f: impl FnOnce(&T) -> U) -> Read<U> {
        match self {
            Self::Found(object) => Read::Found(f(object)),
            Self::Missing => Read::Missing,
            Self::Forbidden => Read::Forbidden,
            Self::Failed(message) => Read::Failed(message.clone()),
        }
    }

    fn found(&self) -> Option<&T> {
        match self {
            Self::Found(object) => Some(object),
            _ => None,
        }
    }
}

/// What [`observe`] read.
#[derive(Clone, Debug)]
pub struct Observed {
    /// Deployment neo4j-system/neo4j-controller.
    pub controller: Read<Deployment>,
    /// The controller's leader Lease.
    pub lease: Read<Lease>,
    /// Deployment neo4j-system/neo4j-webhook.
    pub webhook: Read<Deployment>,
    /// MutatingWebhookConfiguration neo4j-webhook.
    pub mutating: Read<MutatingWebhookConfiguration>,
    /// ValidatingWebhookConfiguration neo4j-webhook.
    pub validating: Read<ValidatingWebhookConfiguration>,
}

/// Reads the server side, every object on its own.
pub async fn observe(client: &Client) -> Observed {
    let deployments: Api<Deployment> = Api::namespaced(client.clone(), NAMESPACE);
    let leases: Api<Lease> = Api::namespaced(client.clone(), NAMESPACE);
    let mutating: Api<MutatingWebhookConfiguration> = Api::all(client.clone());
    let validating: Api<ValidatingWebhookConfiguration> = Api::all(client.clone());
    let (controller, lease, webhook, mutating, validating) = futures::join!(
        deployments.get(CONTROLLER),
        leases.get(lease::NAME),
        deployments.get(WEBHOOK),
        mutating.get(WEBHOOK),
        validating.get(WEBHOOK),
    );
    Observed {
        controller: Read::of(controller),
        lease: Read::of(lease),
        webhook: Read::of(webhook),
        mutating: Read::of(mutating),
        validating: Read::of(validating),
    }
}

/// A Deployment's Pods.
#[derive(Clone, Debug, PartialEq)]
pub struct Replicas {
    /// status.readyReplicas.
    pub ready: i32,
    /// spec.replicas.
    pub desired: i32,
    /// The containers' images.
    pub images: Vec<String>,
}

/// Who leads, as the Lease says.
#[derive(Clone, Debug, PartialEq)]
pub enum Leadership {
    /// `holder`'s claim holds.
    Leading { holder: String, renewed: Timestamp },
    /// `holder`'s claim ran out: it lasts `lasts` seconds after `renewed` (if ever).
    Stale { holder: String, renewed: Option<Timestamp>, lasts: i32 },
    /// Nobody holds the Lease.
    Unheld,
}

/// A certificate of a caBundle.
#[derive(Clone, Debug, PartialEq)]
pub struct Authority {
    /// Its subject, as `CN=...`.
    pub subject: String,
    /// When it expires.
    pub not_after: Timestamp,
}

/// One webhook of a configuration.
#[derive(Clone, Debug, PartialEq)]
pub struct Hook {
    /// Its name, e.g. `validate.neo4j.neo4j.com`.
    pub name: String,
    /// failurePolicy (`Fail` when unset, as the API server defaults it).
    pub policy: String,
    /// The caBundle's certificates: none set, unreadable (why), or read.
    pub ca: Option<Result<Vec<Authority>, String>>,
}

impl Hook {
    fn fails_closed(&self) -> bool {
        self.policy == "Fail"
    }
}

/// The server side at `now`.
#[derive(Clone, Debug, PartialEq)]
pub struct ServerReport {
    /// The controller's Deployment.
    pub controller: Read<Replicas>,
    /// The leader Lease (`Missing`: no controller has ever run).
    pub leader: Read<Leadership>,
    /// The webhook's Deployment.
    pub webhook: Read<Replicas>,
    /// The mutating webhooks.
    pub mutating: Read<Vec<Hook>>,
    /// The validating webhooks.
    pub validating: Read<Vec<Hook>>,
    /// When it was read.
    pub now: Timestamp,
}

fn replicas(deployment: &Deployment) -> Replicas {
    let spec = deployment.spec.as_ref();
    let containers = spec.and_then(|s| s.template.spec.as_ref()).map(|p| p.containers.as_slice()).unwrap_or_default();
    Replicas {
        ready: deployment.status.as_ref().and_then(|s| s.ready_replicas).unwrap_or(0),
        desired: spec.and_then(|s| s.replicas).unwrap_or(1),
        images: containers.iter().filter_map(|c| c.image.clone()).collect(),
    }
}

fn leadership(lease: &Lease, now: Timestamp) -> Leadership {
    let Some(spec) = lease.spec.as_ref() else { return Leadership::Unheld };
    let holder = spec.holder_identity.clone().unwrap_or_default();
    match (holder.is_empty(), lease::renewed(spec)) {
        (true, _) => Leadership::Unheld,
        (false, Some(renewed)) if lease::holds(spec, now) => Leadership::Leading { holder, renewed },
        (false, renewed) => Leadership::Stale { holder, renewed, lasts: lease::duration_seconds(spec) },
    }
}

/// The certificates of a PEM caBundle.
pub fn authorities(bundle: &[u8]) -> Result<Vec<Authority>, String> {
    let mut found = Vec::new();
    for pem in x509_parser::pem::Pem::iter_from_buffer(bundle) {
        let pem = pem.map_err(|err| format!("not PEM: {err}"))?;
        let certificate = pem.parse_x509().map_err(|err| format!("not an X.509 certificate: {err}"))?;
        let not_after =
            Timestamp::from_second(certificate.validity().not_after.timestamp()).map_err(|err| err.to_string())?;
        found.push(Authority { subject: certificate.subject().to_string(), not_after });
    }
    if found.is_empty() {
        return Err("no PEM certificate in it".to_owned());
    }
    Ok(found)
}

fn hooks<'a>(webhooks: impl Iterator<Item = (&'a String, &'a Option<String>, &'a Option<ByteString>)>) -> Vec<Hook> {
    webhooks
        .map(|(name, policy, bundle)| Hook {
            name: name.clone(),
            policy: policy.clone().unwrap_or_else(|| "Fail".to_owned()),
            ca: bundle.as_ref().map(|b| authorities(&b.0)),
        })
        .collect()
}

/// Judges what was read at `now`.
pub fn assess(observed: &Observed, now: Timestamp) -> ServerReport {
    ServerReport {
        controller: observed.controller.map(replicas),
        leader: observed.lease.map(|l| leadership(l, now)),
        webhook: observed.webhook.map(replicas),
        mutating: observed.mutating.map(|c| {
            hooks(c.webhooks.iter().flatten().map(|w| (&w.name, &w.failure_policy, &w.client_config.ca_bundle)))
        }),
        validating: observed.validating.map(|c| {
            hooks(c.webhooks.iter().flatten().map(|w| (&w.name, &w.failure_policy, &w.client_config.ca_bundle)))
        }),
        now,
    }
}

/// The distinct values of `key` among `hooks`, each with the hooks that have it, in order.
fn grouped<T: PartialEq>(hooks: &[Hook], key: impl Fn(&Hook) -> T) -> Vec<(T, Vec<&str>)> {
    let mut groups: Vec<(T, Vec<&str>)> = Vec::new();
    for hook in hooks {
        let value = key(hook);
        match groups.iter_mut().find(|(v, _)| *v == value) {
            Some((_, names)) => names.push(&hook.name),
            None => groups.push((value, vec![&hook.name])),
        }
    }
    groups
}

/// `a`, or `a (x), b (y)` where the hooks differ.
fn per_hook(groups: Vec<(String, Vec<&str>)>) -> String {
    match groups.as_slice() {
        [(only, _)] => only.clone(),
        _ => groups.iter().map(|(text, names)| format!("{text} ({})", names.join(", "))).collect::<Vec<_>>().join(", "),
    }
}

fn and(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

impl ServerReport {
    fn expiry(&self, authority: &Authority) -> String {
        if authority.not_after <= self.now {
            format!("expired {} ({})", ago(Some(authority.not_after), self.now), authority.not_after)
        } else {
            format!("expires {} (in {})", authority.not_after, age(self.now, authority.not_after))
        }
    }

    fn bundle(&self, ca: &Option<Result<Vec<Authority>, String>>) -> String {
        match ca {
            None => "no caBundle".to_owned(),
            Some(Err(why)) => format!("caBundle unreadable: {why}"),
            Some(Ok(authorities)) => authorities
                .iter()
                .map(|a| format!("CA {:?} {}", a.subject, self.expiry(a)))
                .collect::<Vec<_>>()
                .join("; "),
        }
    }

    fn configuration(&self, hooks: &[Hook]) -> String {
        if hooks.is_empty() {
            return "no webhooks".to_owned();
        }
        let policies = grouped(hooks, |h| h.policy.clone());
        let bundles = grouped(hooks, |h| h.ca.clone());
        let bundles = bundles.into_iter().map(|(ca, names)| (self.bundle(&ca), names)).collect();
        format!("failurePolicy {}, {}", per_hook(policies), per_hook(bundles))
    }

    fn leader_line(&self, leadership: &Leadership) -> String {
        match leadership {
            Leadership::Leading { holder, renewed } => {
                format!("held by {holder}, renewed {}", ago(Some(*renewed), self.now))
            }
            Leadership::Stale { holder, renewed: Some(renewed), lasts } => format!(
                "no controller is leading: {holder} last renewed it {}, and it lasts {lasts}s",
                ago(Some(*renewed), self.now)
            ),
            Leadership::Stale { holder, renewed: None, .. } => {
                format!("no controller is leading: {holder} holds it but never renewed it")
            }
            Leadership::Unheld => "no controller is leading: nobody holds it".to_owned(),
        }
    }

    /// The five lines, `Label:  what: state`.
    pub fn lines(&self) -> Vec<String> {
        fn line<T>(label: &str, what: &str, read: &Read<T>, found: impl Fn(&T) -> String, missing: &str) -> String {
            let state = match read {
                Read::Found(object) => format!("{what}: {}", found(object)),
                Read::Missing => format!("{what}: {missing}"),
                Read::Forbidden => format!("cannot read {what} (forbidden)"),
                Read::Failed(message) => format!("cannot read {what}: {message}"),
            };
            format!("{:<13}{state}", format!("{label}:"))
        }
        let not_installed = "not installed (kubectl neo4j install)";
        let deployment = |r: &Replicas| {
            let images = if r.images.len() == 1 { "image" } else { "images" };
            format!("{}/{} ready, {images} {}", r.ready, r.desired, r.images.join(", "))
        };
        vec![
            line(
                "Controller",
                &format!("deployment {NAMESPACE}/{CONTROLLER}"),
                &self.controller,
                deployment,
                not_installed,
            ),
            line(
                "Leader",
                &format!("lease {NAMESPACE}/{}", lease::NAME),
                &self.leader,
                |l| self.leader_line(l),
                "none: no controller has ever run",
            ),
            line("Webhook", &format!("deployment {NAMESPACE}/{WEBHOOK}"), &self.webhook, deployment, not_installed),
            line(
                "Mutating",
                &format!("mutatingwebhookconfiguration {WEBHOOK}"),
                &self.mutating,
                |h| self.configuration(h),
                not_installed,
            ),
            line(
                "Validating",
                &format!("validatingwebhookconfiguration {WEBHOOK}"),
                &self.validating,
                |h| self.configuration(h),
                not_installed,
            ),
        ]
    }

    /// What needs doing, each with what it causes and where to look.
    pub fn warnings(&self) -> Vec<String> {
        let mut warnings = Vec::new();
        for (name, read) in [(CONTROLLER, &self.controller), (WEBHOOK, &self.webhook)] {
            if let Read::Found(r) = read
                && r.ready == 0
            {
                warnings.push(format!(
                    "no {name} Pod is ready ({}/{}): `kubectl -n {NAMESPACE} describe deployment {name}` says why",
                    r.ready, r.desired
                ));
            }
        }
        let configured: Vec<&Hook> =
            [&self.mutating, &self.validating].into_iter().filter_map(Read::found).flatten().collect();
        let closed: Vec<&str> = configured.iter().filter(|h| h.fails_closed()).map(|h| h.name.as_str()).collect();
        let no_backend = match &self.webhook {
            Read::Found(r) => r.ready == 0,
            Read::Missing => true,
            Read::Forbidden | Read::Failed(_) => false,
        };
        let refused = "every apply of a Neo4jBackup or Neo4jRestore will be refused";
        if no_backend && !closed.is_empty() {
            warnings.push(format!(
                "{refused} until a {WEBHOOK} Pod is ready: {} fail closed (failurePolicy Fail); `kubectl neo4j uninstall` removes the webhook configurations",
                and(&closed)
            ));
        }
        let unbundled: Vec<&str> =
            configured.iter().filter(|h| h.fails_closed() && h.ca.is_none()).map(|h| h.name.as_str()).collect();
        if !unbundled.is_empty() {
            warnings.push(format!(
                "{} fail closed without a caBundle: the API server cannot verify the webhook, so {refused} until one is set",
                and(&unbundled)
            ));
        }
        for hook in &configured {
            let found = match &hook.ca {
                Some(Ok(authorities)) => authorities,
                Some(Err(why)) => {
                    warnings.push(format!(
                        "the caBundle of {} is unreadable ({why}): the API server cannot verify the webhook",
                        hook.name
                    ));
                    continue;
                }
                None => continue,
            };
            for authority in found {
                if authority.not_after <= self.now {
                    warnings.push(format!(
                        "the webhook's CA {:?} {}: the API server no longer trusts the webhook; renew the CA",
                        authority.subject,
                        self.expiry(authority)
                    ));
                } else if authority.not_after < self.now + EXPIRY_WARNING {
                    warnings.push(format!(
                        "the webhook's CA {:?} {}: renew it before then",
                        authority.subject,
                        self.expiry(authority)
                    ));
                }
            }
        }
        let mut distinct = Vec::new();
        for warning in warnings {
            if !distinct.contains(&warning) {
                distinct.push(warning);
            }
        }
        distinct
    }

    /// The lines, then `warning: ...` lines.
    pub fn text(&self) -> String {
        let mut out: String = self.lines().into_iter().map(|l| l + "\n").collect();
        out.extend(self.warnings().into_iter().map(|w| format!("warning: {w}\n")));
        out
    }
}

#[cfg(test)]
mod tests {
    use k8s_openapi::ByteString;
    use serde_json::{Value, json};

    use super::*;
    use crate::manifests::Tls;
    use crate::online::install::objects;

    const HOLDER: &str = "neo4j-controller-6d5f8-x2x9q";

    fn now() -> Timestamp {
        "2025-01-20T12:00:00Z".parse().unwrap()
    }

    fn found<T: serde::de::DeserializeOwned>(value: Value) -> Read<T> {
        Read::Found(serde_json::from_value(value).unwrap())
    }

    fn deployment(name: &str, ready: i32) -> Read<Deployment> {
        let image = format!("ghcr.io/kubectl-neo4j/{name}:0.1.0");
        found(json!({"metadata": {"name": name, "namespace": NAMESPACE}, "spec": {"replicas": 2, "selector": {},
            "template": {"spec": {"containers": [{"name": "main", "image": image}]}}}, "status": {"readyReplicas": ready}}))
    }

    fn lease(renewed: &str) -> Read<Lease> {
        found(json!({"metadata": {"name": lease::NAME, "namespace": NAMESPACE},
            "spec": {"holderIdentity": HOLDER, "leaseDurationSeconds": 15, "renewTime": renewed}}))
    }

    fn ca(until: (i32, u8, u8)) -> Vec<u8> {
        neo4j_testkit::ca_pem("kubectl-neo4j webhook CA", until).unwrap().into_bytes()
    }

    /// The two configurations as installed, each webhook with `bundle` as its caBundle.
    fn configurations(
        bundle: Option<&[u8]>,
    ) -> (Read<MutatingWebhookConfiguration>, Read<ValidatingWebhookConfiguration>) {
        let hook = |name: &str, policy: &str| {
            json!({"name": name, "failurePolicy": policy, "sideEffects": "None", "admissionReviewVersions": ["v1"],
                "clientConfig": {"service": {"name": WEBHOOK, "namespace": NAMESPACE}}})
        };
        let bundle = bundle.map(|b| ByteString(b.to_vec()));
        let mut mutating: MutatingWebhookConfiguration = serde_json::from_value(
            json!({"metadata": {"name": WEBHOOK}, "webhooks": [hook("mutate.neo4j.neo4j.com", "Fail")]}),
        )
        .unwrap();
        let mut validating: ValidatingWebhookConfiguration = serde_json::from_value(json!({"metadata": {"name": WEBHOOK},
            "webhooks": [hook("validate.neo4j.neo4j.com", "Fail"), hook("validate-targets.neo4j.neo4j.com", "Ignore")]}))
        .unwrap();
        mutating.webhooks.iter_mut().flatten().for_each(|w| w.client_config.ca_bundle = bundle.clone());
        validating.webhooks.iter_mut().flatten().for_each(|w| w.client_config.ca_bundle = bundle.clone());
        (Read::Found(mutating), Read::Found(validating))
    }

    fn healthy() -> Observed {
        let (mutating, validating) = configurations(Some(&ca((2026, 1, 20))));
        Observed {
            controller: deployment(CONTROLLER, 2),
            lease: lease("2025-01-20T11:59:57Z"),
            webhook: deployment(WEBHOOK, 2),
            mutating,
            validating,
        }
    }

    fn nothing() -> Observed {
        Observed {
            controller: Read::Missing,
            lease: Read::Missing,
            webhook: Read::Missing,
            mutating: Read::Missing,
            validating: Read::Missing,
        }
    }

    #[test]
    fn all_healthy() {
        let report = assess(&healthy(), now());
        assert_eq!(
            report.text(),
            "\
Controller:  deployment neo4j-system/neo4j-controller: 2/2 ready, image ghcr.io/kubectl-neo4j/neo4j-controller:0.1.0
Leader:      lease neo4j-system/kubectl-neo4j-controller: held by neo4j-controller-6d5f8-x2x9q, renewed 3s ago
Webhook:     deployment neo4j-system/neo4j-webhook: 2/2 ready, image ghcr.io/kubectl-neo4j/neo4j-webhook:0.1.0
Mutating:    mutatingwebhookconfiguration neo4j-webhook: failurePolicy Fail, CA \"CN=kubectl-neo4j webhook CA\" expires 2026-01-20T00:00:00Z (in 364d)
Validating:  validatingwebhookconfiguration neo4j-webhook: failurePolicy Fail (validate.neo4j.neo4j.com), Ignore (validate-targets.neo4j.neo4j.com), CA \"CN=kubectl-neo4j webhook CA\" expires 2026-01-20T00:00:00Z (in 364d)
"
        );
    }

    #[test]
    fn nothing_installed() {
        assert_eq!(
            assess(&nothing(), now()).text(),
            "\
Controller:  deployment neo4j-system/neo4j-controller: not installed (kubectl neo4j install)
Leader:      lease neo4j-system/kubectl-neo4j-controller: none: no controller has ever run
Webhook:     deployment neo4j-system/neo4j-webhook: not installed (kubectl neo4j install)
Mutating:    mutatingwebhookconfiguration neo4j-webhook: not installed (kubectl neo4j install)
Validating:  validatingwebhookconfiguration neo4j-webhook: not installed (kubectl neo4j install)
"
        );
    }

    #[test]
    fn no_leader() {
        let report =
            assess(&Observed { controller: deployment(CONTROLLER, 0), lease: Read::Missing, ..healthy() }, now());
        assert_eq!(
            report.lines()[..2],
            [
                "Controller:  deployment neo4j-system/neo4j-controller: 0/2 ready, image ghcr.io/kubectl-neo4j/neo4j-controller:0.1.0",
                "Leader:      lease neo4j-system/kubectl-neo4j-controller: none: no controller has ever run",
            ]
        );
        assert_eq!(
            report.warnings(),
            [
                "no neo4j-controller Pod is ready (0/2): `kubectl -n neo4j-system describe deployment neo4j-controller` says why"
            ]
        );
        let released = found(json!({"metadata": {"name": lease::NAME}, "spec": {"leaseDurationSeconds": 15}}));
        assert_eq!(
            assess(&Observed { lease: released, ..healthy() }, now()).lines()[1],
            "Leader:      lease neo4j-system/kubectl-neo4j-controller: no controller is leading: nobody holds it"
        );
    }

    #[test]
    fn stale_lease() {
        let report = assess(&Observed { lease: lease("2025-01-20T11:50:00Z"), ..healthy() }, now());
        assert_eq!(
            report.lines()[1],
            "Leader:      lease neo4j-system/kubectl-neo4j-controller: no controller is leading: neo4j-controller-6d5f8-x2x9q last renewed it 10m ago, and it lasts 15s"
        );
        assert_eq!(report.warnings(), Vec::<String>::new());
        let fresh = assess(&Observed { lease: lease("2025-01-20T11:59:46Z"), ..healthy() }, now());
        assert!(
            fresh.lines()[1].ends_with("held by neo4j-controller-6d5f8-x2x9q, renewed 14s ago"),
            "still within 15s"
        );
        let never = found(json!({"metadata": {"name": lease::NAME}, "spec": {"holderIdentity": HOLDER}}));
        assert_eq!(
            assess(&Observed { lease: never, ..healthy() }, now()).lines()[1],
            "Leader:      lease neo4j-system/kubectl-neo4j-controller: no controller is leading: neo4j-controller-6d5f8-x2x9q holds it but never renewed it"
        );
    }

    #[test]
    fn fail_closed_webhooks_without_a_ready_pod() {
        let refused = "every apply of a Neo4jBackup or Neo4jRestore will be refused until a neo4j-webhook Pod is ready: mutate.neo4j.neo4j.com and validate.neo4j.neo4j.com fail closed (failurePolicy Fail); `kubectl neo4j uninstall` removes the webhook configurations";
        let report = assess(&Observed { webhook: deployment(WEBHOOK, 0), ..healthy() }, now());
        assert_eq!(
            report.lines()[2],
            "Webhook:     deployment neo4j-system/neo4j-webhook: 0/2 ready, image ghcr.io/kubectl-neo4j/neo4j-webhook:0.1.0"
        );
        assert_eq!(
            report.warnings(),
            [
                "no neo4j-webhook Pod is ready (0/2): `kubectl -n neo4j-system describe deployment neo4j-webhook` says why",
                refused
            ]
        );
        // The configurations without their Deployment (an install cut short).
        assert_eq!(assess(&Observed { webhook: Read::Missing, ..healthy() }, now()).warnings(), [refused]);
        // Nothing calls a webhook without configurations.
        let unconfigured =
            Observed { webhook: Read::Missing, mutating: Read::Missing, validating: Read::Missing, ..healthy() };
        assert_eq!(assess(&unconfigured, now()).warnings(), Vec::<String>::new());
    }

    #[test]
    fn ca_expiring_or_expired() {
        let cases = [
            (
                (2025, 2, 1),
                "expires 2025-02-01T00:00:00Z (in 11d)",
                "expires 2025-02-01T00:00:00Z (in 11d): renew it before then",
            ),
            (
                (2025, 1, 10),
                "expired 10d ago (2025-01-10T00:00:00Z)",
                "expired 10d ago (2025-01-10T00:00:00Z): the API server no longer trusts the webhook; renew the CA",
            ),
        ];
        for (until, shown, warning) in cases {
            let (mutating, validating) = configurations(Some(&ca(until)));
            let report = assess(&Observed { mutating, validating, ..healthy() }, now());
            let lines = report.lines();
            assert!(lines[3].ends_with(&format!("CA \"CN=kubectl-neo4j webhook CA\" {shown}")), "{lines:?}");
            let expected = format!("the webhook's CA \"CN=kubectl-neo4j webhook CA\" {warning}");
            assert_eq!(report.warnings(), [expected], "once for both configurations");
        }
    }

    #[test]
    fn missing_or_unreadable_ca_bundle() {
        let (mutating, validating) = configurations(None);
        let report = assess(&Observed { mutating, validating, ..healthy() }, now());
        assert_eq!(
            report.lines()[3],
            "Mutating:    mutatingwebhookconfiguration neo4j-webhook: failurePolicy Fail, no caBundle"
        );
        assert_eq!(
            report.warnings(),
            [
                "mutate.neo4j.neo4j.com and validate.neo4j.neo4j.com fail closed without a caBundle: the API server cannot verify the webhook, so every apply of a Neo4jBackup or Neo4jRestore will be refused until one is set"
            ]
        );
        let (mutating, validating) = configurations(Some(b"REPLACE_WITH_BASE64_CA"));
        let report = assess(&Observed { mutating, validating, ..healthy() }, now());
        assert_eq!(
            report.lines()[3],
            "Mutating:    mutatingwebhookconfiguration neo4j-webhook: failurePolicy Fail, caBundle unreadable: no PEM certificate in it"
        );
        assert_eq!(
            report.warnings()[..2],
            [
                "the caBundle of mutate.neo4j.neo4j.com is unreadable (no PEM certificate in it): the API server cannot verify the webhook",
                "the caBundle of validate.neo4j.neo4j.com is unreadable (no PEM certificate in it): the API server cannot verify the webhook",
            ]
        );
    }

    #[test]
    fn forbidden_or_failed_reads_are_findings() {
        let observed = Observed {
            controller: Read::Forbidden,
            lease: Read::Forbidden,
            webhook: Read::Forbidden,
            mutating: Read::Forbidden,
            validating: Read::Failed("ApiError: etcdserver: request timed out (InternalError)".to_owned()),
        };
        assert_eq!(
            assess(&observed, now()).text(),
            "\
Controller:  cannot read deployment neo4j-system/neo4j-controller (forbidden)
Leader:      cannot read lease neo4j-system/kubectl-neo4j-controller (forbidden)
Webhook:     cannot read deployment neo4j-system/neo4j-webhook (forbidden)
Mutating:    cannot read mutatingwebhookconfiguration neo4j-webhook (forbidden)
Validating:  cannot read validatingwebhookconfiguration neo4j-webhook: ApiError: etcdserver: request timed out (InternalError)
"
        );
        // An unknown webhook backend judges nothing about fail-closed webhooks.
        assert_eq!(assess(&Observed { webhook: Read::Forbidden, ..healthy() }, now()).warnings(), Vec::<String>::new());
    }

    #[test]
    fn the_names_are_those_install_applies() {
        for tls in [Tls::CertManager, Tls::SelfManaged] {
            let objects = objects(tls.embedded()).unwrap();
            let named = |kind: &str, name: &str| {
                objects.iter().find(|o| o["kind"] == kind && o["metadata"]["name"] == name).cloned()
            };
            for name in [CONTROLLER, WEBHOOK] {
                let deployment = named("Deployment", name).unwrap_or_else(|| panic!("{name} in {}", tls.name()));
                assert_eq!(deployment["metadata"]["namespace"], NAMESPACE);
            }
            assert!(named("MutatingWebhookConfiguration", WEBHOOK).is_some());
            assert!(named("ValidatingWebhookConfiguration", WEBHOOK).is_some());
            // The controller keeps its Lease in its own namespace under the default name.
            let controller = named("Deployment", CONTROLLER).unwrap_or_default();
            let container = &controller["spec"]["template"]["spec"]["containers"][0];
            let args = container["args"].as_array().cloned().unwrap_or_default();
            assert!(!args.iter().any(|a| a.as_str().is_some_and(|a| a.starts_with("--lease"))), "{args:?}");
            let env = container["env"].as_array().cloned().unwrap_or_default();
            assert!(env.iter().any(
                |e| e["name"] == "POD_NAMESPACE" && e["valueFrom"]["fieldRef"]["fieldPath"] == "metadata.namespace"
            ));
        }
    }
}
