//! `perfhound serve`: a dashboard over the run store, the live view of a running load, the
//! OTLP receiver and Prometheus `/metrics`, on one loopback server.
//!
//! Every page is rendered on the server; the only script is `/static/live.js` (the live
//! view's once-a-second poll). The Content-Security-Policy allows same-origin styles and
//! scripts and nothing else — no CDN, no inline code, no remote images — and every
//! run-derived string is escaped with the report's one HTML escaping function. A run's full
//! report is the report crate's HTML page with its own (hash-based) policy.
//!
//! Bound to anything but loopback, the server requires a token ([`auth`]).

mod auth;
mod chart;
mod layout;
mod live;
mod pages;
mod trends;

pub use live::{Live, LiveSnapshot};

use axum::routing::{get, post};
use axum::Router;
use perfhound_store::{Location, Store, StoreError};
use std::sync::Arc;

/// What the dashboard serves.
pub struct Dashboard {
    pub store: Location,
    /// Required from clients when set (`Authorization: Bearer`, cookie, or `?token=`).
    pub token: Option<String>,
    pub live: Arc<Live>,
    /// The OTLP receiver sharing the server.
    pub receiver: Arc<crate::State>,
}

/// The routes of the whole server.
pub fn router(d: Arc<Dashboard>) -> Router {
    let otlp = Router::new()
        .route("/v1/traces", post(crate::otlp::traces))
        .route("/healthz", get(|| async { "ok\n" }))
        .with_state(Arc::clone(&d.receiver));
    Router::new()
        .route("/", get(pages::runs))
        .route("/runs/{id}", get(pages::report))
        .route("/findings", get(pages::findings))
        .route("/compare", get(pages::compare))
        .route("/trends", get(trends::page))
        .route("/live", get(live::page))
        .route("/live.json", get(live::json))
        .route("/api/runs", get(pages::api_runs))
        .route("/metrics", get(live::metrics))
        .route("/static/dash.css", get(layout::css))
        .route("/static/live.js", get(layout::js))
        .with_state(Arc::clone(&d))
        .merge(otlp)
        .layer(axum::middleware::from_fn_with_state(d, auth::check))
}

/// Serves the dashboard (and the receiver's idle-trace ticks) until `shutdown` resolves.
pub async fn serve(
    listener: tokio::net::TcpListener,
    d: Arc<Dashboard>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let ticker = crate::spawn_ticker(Arc::clone(&d.receiver));
    let result = axum::serve(listener, router(d)).with_graceful_shutdown(shutdown).await;
    ticker.abort();
    result
}

/// Why a page could not be shown. Clients see a short reason, never store internals.
#[derive(Debug)]
pub enum PageError {
    NotFound(String),
    BadRequest(String),
    Store(String),
}

impl From<StoreError> for PageError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NoRun { id, .. } => PageError::NotFound(format!("no saved run `{id}`")),
            StoreError::Ambiguous { id, .. } => PageError::BadRequest(format!("run id `{id}` is ambiguous")),
            other => PageError::Store(other.to_string()),
        }
    }
}

impl axum::response::IntoResponse for PageError {
    fn into_response(self) -> axum::response::Response {
        use axum::http::StatusCode;
        let (status, text) = match self {
            PageError::NotFound(t) => (StatusCode::NOT_FOUND, t),
            PageError::BadRequest(t) => (StatusCode::BAD_REQUEST, t),
            PageError::Store(detail) => {
                perfhound_term::eprint(&format!("perfhound serve: {detail}\n"));
                (StatusCode::INTERNAL_SERVER_ERROR, "the run store could not be read (see the server's log)".into())
            }
        };
        layout::page(status, "Error", "", &format!("<p class=\"error\">{}</p>", layout::esc(&text)))
    }
}

/// Runs `f` on the store off the async threads (SQLite and PostgreSQL calls block).
pub(crate) async fn with_store<T: Send + 'static>(
    d: &Arc<Dashboard>,
    f: impl FnOnce(&mut Store) -> Result<T, StoreError> + Send + 'static,
) -> Result<T, PageError> {
    let location = d.store.clone();
    let joined = tokio::task::spawn_blocking(move || Store::open(&location).and_then(|mut s| f(&mut s))).await;
    match joined {
        Ok(result) => result.map_err(PageError::from),
        Err(e) => Err(PageError::Store(format!("store task failed: {e}"))),
    }
}
