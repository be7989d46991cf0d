//! The HTTP edge: routes, limits, and serving over TLS with a graceful drain.

use std::future::Future;
use std::io;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, FromRequest, Request, State};
use axum::http::StatusCode;
use axum::http::header::CONTENT_LENGTH;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum_server::accept::Accept;
use axum_server::tls_rustls::{RustlsAcceptor, RustlsConfig};
use k8s_openapi::jiff::Timestamp;
use neo4j_api::review::Kind;
use tokio::net::TcpStream;
use tokio::sync::Semaphore;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;

use crate::admission_review::{self, AdmissionRequest, AdmissionResponse, ReviewError};
use crate::admit::{AccessReview, Endpoint, Lookups, Outcome, admit};
use crate::metrics::Metrics;
use crate::tls::CertStore;
use crate::values;

/// Bounds on a request.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Largest body accepted; larger ones get 413.
    pub max_body_bytes: usize,
    /// Longest a request may take; slower ones get 408.
    pub request_timeout: Duration,
    /// Longest a review may take once it is read; a slower one is answered in time with an error.
    pub review_deadline: Duration,
    /// Bodies up to this size are judged on the async worker that read them; larger ones are
    /// counted first and judged on the blocking pool, [`LARGE_AT_ONCE`] at a time.
    pub inline_body_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            // The API server's 3 MiB request limit (an object), and room for the envelope; an
            // UPDATE carries two objects, each within etcd's 1.5 MiB when it can be stored.
            max_body_bytes: 3 * 1024 * 1024 + 512 * 1024,
            request_timeout: Duration::from_secs(9),
            // Under the 5 s `timeoutSeconds` of our webhook configurations: the API server gets
            // our answer rather than its own timeout.
            review_deadline: Duration::from_secs(4),
            // Typical reviews are 2 to 8 KiB. Sending a body to the blocking pool costs a thread
            // hop each way; judged inline, a body of this size takes at most a few milliseconds
            // of CPU, whatever it holds (docs/benchmarks.md).
            inline_body_bytes: 16 * 1024,
        }
    }
}

/// Large reviews judged at once (on the blocking pool): what they take in memory is bounded by
/// this times one review's peak; others wait for their turn within their deadline.
pub const LARGE_AT_ONCE: usize = 2;

/// What the handlers share.
pub struct App<L, A> {
    /// Objects the rules need.
    pub lookups: L,
    /// Access reviews for cross-namespace targets.
    pub access: A,
    /// Metrics.
    pub metrics: Metrics,
    /// The serving certificate, for its expiry metric.
    pub certs: Option<Arc<CertStore>>,
    /// Whether the caches are synced.
    pub ready: Box<dyn Fn() -> bool + Send + Sync>,
}

/// The admission routes' state.
struct Served<L, A> {
    app: Arc<App<L, A>>,
    limits: Limits,
    large: Arc<Semaphore>,
}

/// The routes: `/mutate`, `/validate`, `/healthz`, `/readyz`, `/metrics`.
pub fn router<L: Lookups + 'static, A: AccessReview + 'static>(app: Arc<App<L, A>>, limits: Limits) -> Router {
    let served = Arc::new(Served { app: app.clone(), limits, large: Arc::new(Semaphore::new(LARGE_AT_ONCE)) });
    Router::new()
        .route("/mutate", post(mutate::<L, A>))
        .route("/validate", post(validate::<L, A>))
        .with_state(served)
        .merge(observed(app, limits))
        .layer(DefaultBodyLimit::disable())
        .layer(RequestBodyLimitLayer::new(limits.max_body_bytes))
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, limits.request_timeout))
        .layer(CatchPanicLayer::new())
}

/// The routes of the plain-HTTP port: `/healthz`, `/readyz` and `/metrics` only. Admission is
/// served over TLS alone: on a plain port any Pod could have reviews judged, and spend the
/// webhook's CPU, without the API server (issue 13, item 4).
pub fn observed<L: Lookups + 'static, A: AccessReview + 'static>(app: Arc<App<L, A>>, limits: Limits) -> Router {
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz::<L, A>))
        .route("/metrics", get(metrics::<L, A>))
        .with_state(app)
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, limits.request_timeout))
}

async fn mutate<L: Lookups + 'static, A: AccessReview + 'static>(
    State(served): State<Arc<Served<L, A>>>,
    request: Request,
) -> Response {
    handle(Endpoint::Mutate, served, request).await
}

async fn validate<L: Lookups + 'static, A: AccessReview + 'static>(
    State(served): State<Arc<Served<L, A>>>,
    request: Request,
) -> Response {
    handle(Endpoint::Validate, served, request).await
}

/// Judges a review within the deadline. A small body is judged where it was read: the deadline
/// then cuts only what is awaited (access reviews), its CPU being bounded by its size. A larger
/// one (or one of unknown length) waits for a turn, is counted, and is judged on the blocking
/// pool, where the deadline cuts it whatever it does; its turn is held until it really ends. The
/// body is read under the turn, so what large bodies hold is bounded by the turns; a slow upload
/// holds one too, but the TLS port is the API server's (NetworkPolicy), whose pace no user sets.
async fn handle<L: Lookups + 'static, A: AccessReview + 'static>(
    endpoint: Endpoint,
    served: Arc<Served<L, A>>,
    request: Request,
) -> Response {
    let started = Instant::now();
    let deadline = tokio::time::Instant::from_std(started + served.limits.review_deadline);
    let length = request.headers().get(CONTENT_LENGTH).and_then(|value| value.to_str().ok()?.parse::<usize>().ok());
    let inline = length.is_some_and(|length| length <= served.limits.inline_body_bytes.min(values::UNCOUNTED_BYTES));
    let app = &served.app;
    if inline {
        let body = match Bytes::from_request(request, &()).await {
            Ok(body) => body,
            Err(rejection) => return rejection.into_response(),
        };
        let request = match admission_review::parse(&body) {
            Ok(request) => request,
            Err(err) => return bad_request(endpoint, app, &err),
        };
        return match tokio::time::timeout_at(
            deadline,
            admit(endpoint, &request, &app.lookups, &app.access, Timestamp::now()),
        )
        .await
        {
            Ok(judged) => respond(endpoint, app, &request, judged, started),
            Err(_) => late(endpoint, app, Some(Seen::of(&request)), &served.limits, started),
        };
    }
    let Ok(Ok(turn)) = tokio::time::timeout_at(deadline, served.large.clone().acquire_owned()).await else {
        return late(endpoint, app, None, &served.limits, started);
    };
    let body = match tokio::time::timeout_at(deadline, Bytes::from_request(request, &())).await {
        Ok(Ok(body)) => body,
        Ok(Err(rejection)) => return rejection.into_response(),
        Err(_) => return late(endpoint, app, None, &served.limits, started),
    };
    let (seen, mut heard) = tokio::sync::oneshot::channel();
    let (shared, runtime) = (served.app.clone(), tokio::runtime::Handle::current());
    let work = tokio::task::spawn_blocking(move || {
        let _turn = turn;
        match values::at_most(&body, values::MAX_VALUES) {
            Err(values::Count::TooMany) => return Err(Refused::TooLarge(values::head(&body))),
            Ok(()) | Err(values::Count::Malformed) => {}
        }
        let request = admission_review::parse(&body).map_err(Refused::Malformed)?;
        let _ = seen.send(Seen::of(&request));
        let judged = runtime.block_on(admit(endpoint, &request, &shared.lookups, &shared.access, Timestamp::now()));
        Ok((request, judged))
    });
    match tokio::time::timeout_at(deadline, work).await {
        Ok(Ok(Ok((request, judged)))) => respond(endpoint, app, &request, judged, started),
        Ok(Ok(Err(Refused::Malformed(err)))) => bad_request(endpoint, app, &err),
        Ok(Ok(Err(Refused::TooLarge(head)))) => too_large(endpoint, app, head, started),
        // A panic is a 500 (CatchPanicLayer), as it is inline.
        Ok(Err(join)) if join.is_panic() => std::panic::resume_unwind(join.into_panic()),
        Ok(Err(join)) => (StatusCode::INTERNAL_SERVER_ERROR, join.to_string()).into_response(),
        Err(_) => late(endpoint, app, heard.try_recv().ok(), &served.limits, started),
    }
}

/// Why a large body was not judged.
enum Refused {
    Malformed(ReviewError),
    TooLarge(Option<values::HeadRequest>),
}

/// What is known of a review once it is read: enough to answer it when judging it is too slow.
struct Seen {
    uid: String,
    operation: String,
    kind: &'static str,
}

impl Seen {
    fn of(request: &AdmissionRequest) -> Self {
        let kind = request.object.as_ref().and_then(Kind::of).map_or("other", Kind::name);
        Self { uid: request.uid.clone(), operation: request.operation.clone(), kind }
    }
}

fn bad_request<L, A>(endpoint: Endpoint, app: &App<L, A>, err: &ReviewError) -> Response {
    app.metrics.bad_request();
    tracing::warn!(endpoint = endpoint.name(), error = %err, "refused a body that is not an AdmissionReview");
    (StatusCode::BAD_REQUEST, err.to_string()).into_response()
}

/// A review not judged within the deadline: a refusal with code 503 when its uid is known, else a
/// 503 (the API server reports the webhook call as failed; our objects fail closed either way).
fn late<L, A>(endpoint: Endpoint, app: &App<L, A>, seen: Option<Seen>, limits: &Limits, started: Instant) -> Response {
    let message = format!(
        "the review was not finished within {} ms (the webhook is busy, or the object is too large to judge); try again",
        limits.review_deadline.as_millis()
    );
    let elapsed = started.elapsed();
    let Some(seen) = seen else {
        tracing::warn!(endpoint = endpoint.name(), elapsed_us = elapsed.as_micros() as u64, "{message}");
        return (StatusCode::SERVICE_UNAVAILABLE, message).into_response();
    };
    app.metrics.observe(endpoint, &seen.operation, &Outcome { kind: seen.kind, verdict: "late" }, elapsed);
    tracing::warn!(uid = %seen.uid, endpoint = endpoint.name(), kind = seen.kind, elapsed_us = elapsed.as_micros() as u64, "{message}");
    axum::Json(AdmissionResponse::refuse(&seen.uid, 503, message).into_review()).into_response()
}

/// A review of more values than any object of ours holds: refused unread (code 413).
fn too_large<L, A>(
    endpoint: Endpoint,
    app: &App<L, A>,
    head: Option<values::HeadRequest>,
    started: Instant,
) -> Response {
    let Some(head) = head else {
        let err = ReviewError::Malformed("no request uid".to_owned());
        return bad_request(endpoint, app, &err);
    };
    let (kind, name) = head.object.map(|object| (object.kind, object.metadata.name)).unwrap_or_default();
    // The body may come from anyone who reaches the port, not only the API server (the name is
    // quoted and escaped).
    let kind = neo4j_api::grammar::names::shown_kind(&kind).to_owned();
    let what = match name {
        Some(name) => format!("{kind} {name:?}"),
        None => format!("the {kind}"),
    };
    let message = format!(
        "{what} is too large to judge: the review holds more than {} JSON values (objects, arrays, strings, numbers); remove what it repeats",
        values::MAX_VALUES
    );
    app.metrics.observe(endpoint, &head.operation, &Outcome { kind: "other", verdict: "too-large" }, started.elapsed());
    tracing::info!(uid = %head.uid, endpoint = endpoint.name(), kind, "{message}");
    axum::Json(AdmissionResponse::refuse(&head.uid, 413, message).into_review()).into_response()
}

fn respond<L, A>(
    endpoint: Endpoint,
    app: &App<L, A>,
    request: &AdmissionRequest,
    (response, outcome): (AdmissionResponse, Outcome),
    started: Instant,
) -> Response {
    let elapsed = started.elapsed();
    app.metrics.observe(endpoint, &request.operation, &outcome, elapsed);
    let namespace = request.namespace.as_deref().unwrap_or_default();
    let name = request.name.as_deref().unwrap_or_default();
    if outcome.verdict == "denied" {
        tracing::info!(uid = %request.uid, endpoint = endpoint.name(), kind = outcome.kind, operation = %request.operation,
            namespace, name, user = %request.user_info.username, dry_run = request.dry_run.unwrap_or(false),
            elapsed_us = elapsed.as_micros() as u64, "denied");
    } else {
        tracing::debug!(uid = %request.uid, endpoint = endpoint.name(), kind = outcome.kind, operation = %request.operation,
            namespace, name, verdict = outcome.verdict, elapsed_us = elapsed.as_micros() as u64, "admitted");
    }
    axum::Json(response.into_review()).into_response()
}

async fn readyz<L: Lookups, A: AccessReview>(State(app): State<Arc<App<L, A>>>) -> Response {
    if (app.ready)() {
        (StatusCode::OK, "ready").into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "caches not synced").into_response()
    }
}

async fn metrics<L: Lookups, A: AccessReview>(State(app): State<Arc<App<L, A>>>) -> Response {
    if let Some(certs) = &app.certs {
        app.metrics.set_cert_expiry(certs.not_after());
    }
    (
        [(axum::http::header::CONTENT_TYPE, "application/openmetrics-text; version=1.0.0; charset=utf-8")],
        app.metrics.render(),
    )
        .into_response()
}

/// Sets TCP_NODELAY on every accepted connection: with Nagle's algorithm on, small responses wait
/// for ACKs and p99 latency grows by tens of milliseconds.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoDelay;

impl<S> Accept<TcpStream, S> for NoDelay {
    type Stream = TcpStream;
    type Service = S;
    type Future = std::future::Ready<io::Result<(TcpStream, S)>>;

    fn accept(&self, stream: TcpStream, service: S) -> Self::Future {
        if let Err(err) = stream.set_nodelay(true) {
            tracing::debug!(error = %err, "could not set TCP_NODELAY");
        }
        std::future::ready(Ok((stream, service)))
    }
}

/// Serves `router` over TLS on `listener` until `shutdown` completes, then stops accepting and
/// lets requests in flight finish for at most `drain`.
pub async fn serve_tls(
    listener: std::net::TcpListener,
    tls: Arc<rustls::ServerConfig>,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
    drain: Duration,
) -> io::Result<()> {
    listener.set_nonblocking(true)?;
    let handle = axum_server::Handle::new();
    let stopper = handle.clone();
    tokio::spawn(async move {
        shutdown.await;
        tracing::info!(drain_seconds = drain.as_secs(), "shutting down: draining requests in flight");
        stopper.graceful_shutdown(Some(drain));
    });
    let acceptor = RustlsAcceptor::new(RustlsConfig::from_config(tls)).acceptor(NoDelay);
    axum_server::from_tcp(listener)?.acceptor(acceptor).handle(handle).serve(router.into_make_service()).await
}

/// Serves `router` over plain HTTP (metrics and probes for scrapers without TLS).
pub async fn serve_plain(
    listener: std::net::TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    listener.set_nonblocking(true)?;
    let listener = tokio::net::TcpListener::from_std(listener)?;
    axum::serve(listener, router).with_graceful_shutdown(shutdown).await
}
