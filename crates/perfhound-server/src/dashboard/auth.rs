//! The token a server bound beyond loopback requires: `Authorization: Bearer TOKEN`, the
//! `perfhound_token` cookie, or `?token=TOKEN` once (which sets the cookie, so links and
//! the live view's polling work in a browser).

use super::Dashboard;
use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

const COOKIE: &str = "perfhound_token";

pub async fn check(State(d): State<Arc<Dashboard>>, request: Request, next: Next) -> Response {
    let Some(token) = d.token.as_deref() else { return next.run(request).await };
    let headers = request.headers();
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .is_some_and(|t| same(t.trim(), token));
    let cookie = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().strip_prefix(COOKIE)?.strip_prefix('='))
        .any(|t| same(t, token));
    let query = request
        .uri()
        .query()
        .unwrap_or("")
        .split('&')
        .filter_map(|kv| kv.strip_prefix("token="))
        .any(|t| same(t, token));
    if !(bearer || cookie || query) {
        let text = "a token is required: send `Authorization: Bearer TOKEN` or open /?token=TOKEN\n";
        return (StatusCode::UNAUTHORIZED, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], text).into_response();
    }
    let mut response = next.run(request).await;
    if query && !cookie {
        let value = format!("{COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict");
        if let Ok(v) = value.parse() {
            response.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    response
}

/// Compares in time independent of where the strings differ.
fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
