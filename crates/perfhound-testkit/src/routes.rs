//! The routes every test server answers, plus the timing discipline: fixed delay, route delay, stall windows.
//!
//! Timing is deadline based: the handler notes the arrival [`Instant`], computes
//! `deadline = arrival + fixed_delay + route delay` and waits until then (tokio `sleep_until` for the bulk,
//! [`crate::timer::PreciseTimer`] for the last few milliseconds), so time spent reading the body or building
//! the response is not added on top. Every response carries two headers with
//! the server's own view of time, in microseconds: [`ARRIVAL_HEADER`] (arrival, since server start) and
//! [`SERVER_TIME_HEADER`] (arrival → response ready, including any delay and stall).

use std::convert::Infallible;
use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use flate2::write::GzEncoder;
use flate2::Compression;
use http::request::Parts;
use http::{header, HeaderValue, Method, Request, Response, StatusCode, Version};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use serde_json::{json, Map, Value};
use tokio::time::Instant;

use crate::conn::ResetSignal;
use crate::server::Shared;

/// Response header: when the request reached the handler, in µs since the server's start instant.
pub const ARRIVAL_HEADER: &str = "x-server-arrival-us";
/// Response header: µs from the request reaching the handler to its response being ready.
pub const SERVER_TIME_HEADER: &str = "x-server-time-us";
/// The fixed JSON document served by `/json`.
pub const JSON_DOCUMENT: &str = r#"{"token":"t-123","items":[{"id":1},{"id":2}],"ok":true}"#;
/// The ETag served by `/cached`.
pub const CACHED_ETAG: &str = "\"perfhound-testkit-v1\"";
/// Largest body `/text/{bytes}` will produce (64 MiB); larger sizes get 400.
pub const MAX_TEXT_BYTES: usize = 64 << 20;

type Resp = Response<Full<Bytes>>;

/// The hyper service function: counts the request, routes it, applies delays and stalls.
pub(crate) async fn handle(
    shared: Arc<Shared>,
    signal: Arc<ResetSignal>,
    request: Request<Incoming>,
) -> Result<Resp, Infallible> {
    let arrived = Instant::now();
    let http2 = request.version() == Version::HTTP_2;
    let (number, _in_flight) = shared.stats.begin_request(request.uri().path(), http2);
    let (parts, body) = request.into_parts();
    let body = match body.collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => return Ok(plain(StatusCode::BAD_REQUEST, "cannot read request body")),
    };
    if parts.uri.path() == "/reset" || shared.config.resets_request(number) {
        signal.reset(&shared).await;
        return Ok(plain(StatusCode::INTERNAL_SERVER_ERROR, "connection was reset"));
    }
    let (mut response, route_delay) = route(&shared, &parts, &body);
    let _worker = match &shared.workers {
        Some(pool) => pool.acquire().await.ok(),
        None => None,
    };
    let served_from = if shared.workers.is_some() { Instant::now() } else { arrived };
    let deadline = served_from + shared.config.fixed_delay.unwrap_or_default() + route_delay;
    if deadline > Instant::now() {
        shared.timer.sleep_until(deadline).await;
    }
    if let Some(stall) = &shared.config.stall {
        if let Some(window_end) = stall.window_end(Instant::now().duration_since(shared.started)) {
            shared.stats.record_stall();
            shared.timer.sleep_until(shared.started + window_end).await;
        }
    }
    if parts.uri.path() == "/close" && !http2 {
        shared.stats.record_close();
    }
    let headers = response.headers_mut();
    headers.insert(ARRIVAL_HEADER, HeaderValue::from(micros(arrived.duration_since(shared.started))));
    headers.insert(SERVER_TIME_HEADER, HeaderValue::from(micros(arrived.elapsed())));
    Ok(response)
}

fn micros(duration: Duration) -> u64 {
    u64::try_from(duration.as_micros()).unwrap_or(u64::MAX)
}

/// Picks the route; returns the response and the extra delay the route asks for.
fn route(shared: &Shared, parts: &Parts, body: &Bytes) -> (Resp, Duration) {
    let path = parts.uri.path();
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let no_delay = |response| (response, Duration::ZERO);
    match segments.as_slice() {
        [""] => no_delay(plain(StatusCode::OK, "hello")),
        ["delay", ms] => match ms.parse::<u64>() {
            Ok(ms) => (plain(StatusCode::OK, "ok"), Duration::from_millis(ms)),
            Err(_) => no_delay(plain(StatusCode::BAD_REQUEST, "delay must be milliseconds")),
        },
        ["status", code] => no_delay(status(code)),
        ["json"] => no_delay(json_response(StatusCode::OK, JSON_DOCUMENT.to_owned())),
        ["login"] => no_delay(login(shared, &parts.method)),
        ["need-token"] => no_delay(need_token(shared, parts)),
        ["echo"] => no_delay(echo(parts, body)),
        ["text", size] => no_delay(text(parts, size)),
        ["cached"] => no_delay(cached(parts)),
        ["redirect", hops] => no_delay(redirect(hops)),
        ["work", shape, n] => no_delay(match crate::work::iterations(shape, n) {
            Some(iterations) => plain(StatusCode::OK, format!("{}", crate::work::spin(iterations))),
            None => plain(StatusCode::BAD_REQUEST, "use /work/constant|linear|quadratic/{n}, n in 1..=100000"),
        }),
        ["close"] => {
            let mut response = plain(StatusCode::OK, "closing");
            response.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
            no_delay(response)
        }
        _ => no_delay(plain(StatusCode::NOT_FOUND, "not found")),
    }
}

fn plain(status: StatusCode, body: impl Into<Bytes>) -> Resp {
    with_type(status, "text/plain; charset=utf-8", body.into())
}

fn json_response(status: StatusCode, body: String) -> Resp {
    with_type(status, "application/json", Bytes::from(body))
}

fn with_type(status: StatusCode, content_type: &'static str, body: Bytes) -> Resp {
    let mut response = Response::new(Full::new(body));
    *response.status_mut() = status;
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

fn status(code: &str) -> Resp {
    match code.parse::<u16>().ok().filter(|c| (200..=599).contains(c)).and_then(|c| StatusCode::from_u16(c).ok()) {
        Some(status @ (StatusCode::NO_CONTENT | StatusCode::NOT_MODIFIED)) => plain(status, Bytes::new()),
        Some(status) => plain(status, format!("status {}", status.as_u16())),
        None => plain(StatusCode::BAD_REQUEST, "status must be 200..=599"),
    }
}

fn login(shared: &Shared, method: &Method) -> Resp {
    if method != Method::POST {
        let mut response = plain(StatusCode::METHOD_NOT_ALLOWED, "use POST");
        response.headers_mut().insert(header::ALLOW, HeaderValue::from_static("POST"));
        return response;
    }
    json_response(StatusCode::OK, json!({ "token": shared.issue_token() }).to_string())
}

fn need_token(shared: &Shared, parts: &Parts) -> Resp {
    let token = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .map(str::trim);
    match token {
        Some(token) if token.starts_with("tok-") && shared.token_is_valid(token) => {
            json_response(StatusCode::OK, r#"{"ok":true}"#.to_owned())
        }
        _ => {
            let mut response = json_response(StatusCode::UNAUTHORIZED, r#"{"ok":false}"#.to_owned());
            response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            response
        }
    }
}

fn echo(parts: &Parts, body: &Bytes) -> Resp {
    let mut headers = Map::new();
    for (name, value) in &parts.headers {
        let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
        match headers.get_mut(name.as_str()) {
            Some(Value::String(existing)) => {
                existing.push_str(", ");
                existing.push_str(&value);
            }
            _ => {
                headers.insert(name.as_str().to_owned(), Value::String(value));
            }
        }
    }
    let document = json!({
        "method": parts.method.as_str(),
        "path": parts.uri.path(),
        "query": parts.uri.query().unwrap_or(""),
        "version": format!("{:?}", parts.version),
        "headers": headers,
        "body": String::from_utf8_lossy(body),
    });
    json_response(StatusCode::OK, document.to_string())
}

/// `size` bytes of `abc…z` repeated; gzip when the client accepts it and the query has `compress=1`.
fn text(parts: &Parts, size: &str) -> Resp {
    let size = match size.parse::<usize>() {
        Ok(size) if size <= MAX_TEXT_BYTES => size,
        _ => return plain(StatusCode::BAD_REQUEST, format!("size must be 0..={MAX_TEXT_BYTES} bytes")),
    };
    let body: Vec<u8> = (b'a'..=b'z').cycle().take(size).collect();
    let accepts_gzip = parts
        .headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .any(|value| value.to_str().is_ok_and(|v| v.to_ascii_lowercase().contains("gzip")));
    let compress_requested = parts.uri.query().is_some_and(|query| query.split('&').any(|pair| pair == "compress=1"));
    if accepts_gzip && compress_requested {
        if let Ok(compressed) = gzip(&body) {
            let mut response = plain(StatusCode::OK, compressed);
            response.headers_mut().insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
            return response;
        }
    }
    plain(StatusCode::OK, body)
}

fn gzip(data: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut encoder = GzEncoder::new(Vec::with_capacity(data.len() / 4 + 64), Compression::default());
    encoder.write_all(data)?;
    encoder.finish()
}

/// Cacheable resource: `Cache-Control: max-age=60` and an ETag; `If-None-Match` with that ETag gets 304.
fn cached(parts: &Parts) -> Resp {
    let matches = parts
        .headers
        .get(header::IF_NONE_MATCH)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.split(',').any(|tag| tag.trim() == CACHED_ETAG || tag.trim() == "*"));
    let mut response =
        if matches { plain(StatusCode::NOT_MODIFIED, Bytes::new()) } else { plain(StatusCode::OK, "cached resource") };
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("max-age=60"));
    headers.insert(header::ETAG, HeaderValue::from_static(CACHED_ETAG));
    response
}

fn redirect(hops: &str) -> Resp {
    match hops.parse::<u64>() {
        Ok(0) => plain(StatusCode::OK, "done"),
        Ok(hops) => {
            let mut response = plain(StatusCode::FOUND, "redirecting");
            let location = HeaderValue::from_str(&format!("/redirect/{}", hops - 1));
            if let Ok(location) = location {
                response.headers_mut().insert(header::LOCATION, location);
            }
            response
        }
        Err(_) => plain(StatusCode::BAD_REQUEST, "redirect count must be a number"),
    }
}
