//! The HTTP service: shared state, routes, the SERVER-span middleware and JSON responses.

pub(crate) mod dashboard;
pub(crate) mod events;
pub(crate) mod orders;
mod products;
mod reports;
mod similar;

use crate::client::Downstream;
use crate::db::Db;
use crate::telemetry::{header_attr, Telemetry};
use crate::{DemoError, Mode};
use axum::body::Body;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use http_body_util::BodyExt as _;
use opentelemetry::trace::{FutureExt as _, SpanKind};
use opentelemetry::{Context, KeyValue};
use serde::Serialize;
use std::io::Write as _;
use std::net::SocketAddr;
use std::sync::Arc;

/// Everything the handlers share.
pub struct App {
    pub mode: Mode,
    pub db: Arc<Db>,
    pub tel: Telemetry,
    pub downstream: Downstream,
    pub addr: SocketAddr,
    pub reports: reports::Cache,
    pub snapshot: dashboard::Snapshot,
}

pub type AppState = Arc<App>;

impl App {
    pub fn new(mode: Mode, db: Arc<Db>, tel: Telemetry, addr: SocketAddr, snapshot: dashboard::Snapshot) -> App {
        let downstream = Downstream::new(tel.clone());
        App { mode, db, tel, downstream, addr, reports: reports::Cache::default(), snapshot }
    }
}

pub use dashboard::Snapshot;

/// Every route, each traced by [`trace_request`].
pub fn router(app: AppState) -> Router {
    Router::new()
        .route("/health", get(health))
        .route("/api/users/{id}/orders", get(orders::user_orders))
        .route("/api/orders/search", get(orders::search))
        .route("/api/dashboard", get(dashboard::dashboard))
        .route("/internal/inventory", get(dashboard::inventory))
        .route("/internal/pricing", get(dashboard::pricing))
        .route("/internal/shipping", get(dashboard::shipping))
        .route("/internal/recommendations", get(dashboard::recommendations))
        .route("/api/products/export", get(products::export))
        .route("/api/products/{id}/similar", get(similar::similar))
        .route("/api/reports/sales-summary", get(reports::sales_summary))
        .route("/api/events/import", post(events::import))
        .route_layer(middleware::from_fn_with_state(Arc::clone(&app), trace_request))
        .with_state(app)
}

async fn health() -> Response {
    json(&HeaderMap::new(), false, &serde_json::json!({"status": "ok"}))
}

/// Size of a response body before compression, for the server span.
#[derive(Clone, Copy)]
struct RawLen(usize);

/// One SERVER span per request, joined to the caller's trace through `traceparent`.
async fn trace_request(State(app): State<AppState>, mut req: Request, next: Next) -> Response {
    let route =
        req.extensions().get::<MatchedPath>().map_or_else(|| req.uri().path().to_string(), |m| m.as_str().into());
    let method = req.method().as_str().to_string();
    let parent = app.tel.extract(req.headers());
    let mut attrs = vec![
        KeyValue::new("http.request.method", method.clone()),
        KeyValue::new("http.route", route.clone()),
        KeyValue::new("url.path", req.uri().path().to_string()),
        KeyValue::new("url.scheme", "http"),
        KeyValue::new("server.address", app.addr.ip().to_string()),
        KeyValue::new("server.port", i64::from(app.addr.port())),
        KeyValue::new("app.mode", app.mode.as_str()),
    ];
    if let Some(q) = req.uri().query() {
        attrs.push(KeyValue::new("url.query", q.to_string()));
    }
    if let Some(ae) = req.headers().get(header::ACCEPT_ENCODING).and_then(|v| v.to_str().ok()) {
        attrs.push(header_attr("http.request.header.accept-encoding", ae));
    }
    let span = app.tel.span(&parent, format!("{method} {route}"), SpanKind::Server, attrs);
    req.extensions_mut().insert(span.cx().clone());
    let resp = next.run(req).with_context(span.cx().clone()).await;
    let status = resp.status();
    span.set(KeyValue::new("http.response.status_code", i64::from(status.as_u16())));
    if status.is_server_error() {
        span.fail("http_5xx", format!("status {status}"));
    }
    if let Some(size) = axum::body::HttpBody::size_hint(resp.body()).exact() {
        span.set(KeyValue::new("http.response.body.size", size as i64));
        let raw = resp.extensions().get::<RawLen>().map_or(size, |r| r.0 as u64);
        span.set(KeyValue::new("http.response_content_length_uncompressed", raw as i64));
    }
    for (name, key) in [
        (header::CONTENT_TYPE, "http.response.header.content-type"),
        (header::CONTENT_ENCODING, "http.response.header.content-encoding"),
    ] {
        if let Some(v) = resp.headers().get(name).and_then(|v| v.to_str().ok()) {
            span.set(header_attr(key, v));
        }
    }
    resp
}

/// Does the request accept gzip?
fn accepts_gzip(headers: &HeaderMap) -> bool {
    headers.get_all(header::ACCEPT_ENCODING).iter().filter_map(|v| v.to_str().ok()).any(|v| {
        v.split(',').any(|t| {
            let mut parts = t.split(';');
            let coding = parts.next().unwrap_or("").trim();
            let q_zero = parts.any(|p| p.trim().replace(' ', "") == "q=0");
            (coding.eq_ignore_ascii_case("gzip") || coding == "*") && !q_zero
        })
    })
}

/// Responses above this size are compressed when the client accepts it.
const COMPRESS_MIN_BYTES: usize = 1024;

/// A JSON response; gzip-compressed when `compress`, the client accepts gzip and the body
/// is over 1 KB.
pub fn json(req_headers: &HeaderMap, compress: bool, value: &impl Serialize) -> Response {
    let body = match serde_json::to_vec(value) {
        Ok(b) => b,
        Err(e) => return error_response(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    };
    let raw_len = body.len();
    let mut resp = if compress && raw_len > COMPRESS_MIN_BYTES && accepts_gzip(req_headers) {
        let mut enc = flate2::write::GzEncoder::new(Vec::with_capacity(raw_len / 4), flate2::Compression::fast());
        let gz = enc.write_all(&body).and_then(|()| enc.finish());
        match gz {
            Ok(gz) => {
                let mut r = Response::new(Body::from(gz));
                r.headers_mut().insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
                r
            }
            Err(e) => return error_response(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
        }
    } else {
        Response::new(Body::from(body))
    };
    resp.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    resp.headers_mut().insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    resp.extensions_mut().insert(RawLen(raw_len));
    resp
}

pub fn error_response(status: StatusCode, message: &str) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json")], serde_json::json!({ "error": message }).to_string())
        .into_response()
}

impl IntoResponse for DemoError {
    fn into_response(self) -> Response {
        let status = match self {
            DemoError::Downstream(_) => StatusCode::BAD_GATEWAY,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        };
        error_response(status, &self.to_string())
    }
}

/// The trace context the middleware put on the request.
pub type Cx = axum::extract::Extension<Context>;

/// Decodes a (possibly gzip-compressed) response body: used by tests and the dashboard.
pub async fn read_body(
    resp: http::Response<hyper::body::Incoming>,
) -> Result<(http::response::Parts, Vec<u8>), DemoError> {
    let (parts, body) = resp.into_parts();
    let bytes = body.collect().await.map_err(|e| DemoError::Downstream(e.to_string()))?.to_bytes();
    let gz = parts.headers.get(header::CONTENT_ENCODING).is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"gzip"));
    let body = if gz { gunzip(&bytes)? } else { bytes.to_vec() };
    Ok((parts, body))
}

pub fn gunzip(bytes: &[u8]) -> Result<Vec<u8>, DemoError> {
    use std::io::Read as _;
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes).read_to_end(&mut out)?;
    Ok(out)
}
