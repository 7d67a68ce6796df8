//! The page frame (navigation, stylesheet link), security headers, and the two static
//! files. Run-derived text enters pages only through [`esc`].

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

pub use perfhound_report::render::escape::html as esc;

/// Same-origin styles and scripts only; nothing inline, nothing remote.
pub const CSP: &str = "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; \
                       connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

const CSS: &str = include_str!("dash.css");
const JS: &str = include_str!("live.js");

const NAV: [(&str, &str); 5] =
    [("/", "Runs"), ("/trends", "Trends"), ("/findings", "Findings"), ("/compare", "Compare"), ("/live", "Live")];

/// A whole page with `body` (already escaped HTML) under the navigation.
pub fn page(status: StatusCode, title: &str, active: &str, body: &str) -> Response {
    let nav: String = NAV
        .iter()
        .map(|(href, name)| {
            let class = if *href == active { " class=\"active\"" } else { "" };
            format!("<a href=\"{href}\"{class}>{name}</a>")
        })
        .collect();
    let html = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{} · perfhound</title>\n<link rel=\"icon\" href=\"data:,\">\n<link rel=\"stylesheet\" href=\"/static/dash.css\">\n</head>\n\
         <body>\n<nav>{nav}</nav>\n<main>\n<h1>{}</h1>\n{body}</main>\n</body>\n</html>\n",
        esc(title),
        esc(title)
    );
    with_headers(status, "text/html; charset=utf-8", CSP, html)
}

/// `body` with the security headers every response of the dashboard carries.
pub fn with_headers(status: StatusCode, content_type: &str, csp: &str, body: String) -> Response {
    (
        status,
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (header::CONTENT_SECURITY_POLICY, csp.to_string()),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
            (header::REFERRER_POLICY, "no-referrer".to_string()),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        body,
    )
        .into_response()
}

pub async fn css() -> Response {
    with_headers(StatusCode::OK, "text/css; charset=utf-8", CSP, CSS.to_string())
}

pub async fn js() -> Response {
    with_headers(StatusCode::OK, "text/javascript; charset=utf-8", CSP, JS.to_string())
}

/// A short commit for tables.
pub fn short(commit: &str) -> &str {
    commit.get(..7).unwrap_or(commit)
}
