//! The HTTP edge: routes, limits, and serving over TLS with a graceful drain.

use std::future::Future;
use std::io;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum_server::accept::Accept;
use axum_server::tls_rustls::{RustlsAcceptor, RustlsConfig};
use k8s_openapi::jiff::Timestamp;
use tokio::net::TcpStream;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;

use crate::admission_review;
use crate::admit::{AccessReview, Endpoint, Lookups, admit};
use crate::metrics::Metrics;
use crate::tls::CertStore;

/// Bounds on a request.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Largest body accepted; larger ones get 413.
    pub max_body_bytes: usize,
    /// Longest a request may take; slower ones get 408.
    pub request_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        // An AdmissionReview carries the object and the old object: twice the API server's 3 MiB, and some.
        Self { max_body_bytes: 8 * 1024 * 1024, request_timeout: Duration::from_secs(9) }
    }
}

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

/// The routes: `/mutate`, `/validate`, `/healthz`, `/readyz`, `/metrics`.
pub fn router<L: Lookups + 'static, A: AccessReview + 'static>(app: Arc<App<L, A>>, limits: Limits) -> Router {
    Router::new()
        .route("/mutate", post(mutate::<L, A>))
        .route("/validate", post(validate::<L, A>))
        .with_state(app.clone())
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

async fn mutate<L: Lookups, A: AccessReview>(State(app): State<Arc<App<L, A>>>, body: Bytes) -> Response {
    handle(Endpoint::Mutate, &app, &body).await
}

async fn validate<L: Lookups, A: AccessReview>(State(app): State<Arc<App<L, A>>>, body: Bytes) -> Response {
    handle(Endpoint::Validate, &app, &body).await
}

async fn handle<L: Lookups, A: AccessReview>(endpoint: Endpoint, app: &App<L, A>, body: &[u8]) -> Response {
    let started = Instant::now();
    let request = match admission_review::parse(body) {
        Ok(request) => request,
        Err(err) => {
            app.metrics.bad_request();
            tracing::warn!(endpoint = endpoint.name(), error = %err, "refused a body that is not an AdmissionReview");
            return (StatusCode::BAD_REQUEST, err.to_string()).into_response();
        }
    };
    let (response, outcome) = admit(endpoint, &request, &app.lookups, &app.access, Timestamp::now()).await;
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
