//! Every route of the test server, exercised with a raw HTTP/1.1 client over `std::net::TcpStream`.

mod common;

use std::io::Read;
use std::time::Duration;

use common::{get, request};
use flate2::read::GzDecoder;
use perfhound_testkit::{ServerConfig, TestServer, CACHED_ETAG, JSON_DOCUMENT};
use serde_json::json;

fn server() -> TestServer {
    TestServer::start(ServerConfig::default())
}

#[test]
fn root_says_hello_and_unknown_paths_are_404() {
    let server = server();
    let root = get(server.addr(), "/");
    assert_eq!((root.status, root.text().as_str()), (200, "hello"));
    assert!(server.base_url().starts_with("http://127.0.0.1:"));
    assert_eq!(server.url("/x"), format!("http://127.0.0.1:{}/x", server.port()));
    for path in ["/nope", "/json/", "/delay", "/delay/1/2"] {
        assert_eq!(get(server.addr(), path).status, 404, "{path}");
    }
    assert_eq!(get(server.addr(), "/delay/abc").status, 400);
}

#[test]
fn delay_route_answers_ok_after_the_delay() {
    let server = server();
    let started = std::time::Instant::now();
    let response = get(server.addr(), "/delay/50");
    assert_eq!((response.status, response.text().as_str()), (200, "ok"));
    assert!(started.elapsed() >= Duration::from_millis(50));
    let server_time: u64 = response.header("x-server-time-us").expect("timing header").parse().expect("µs");
    assert!(server_time >= 50_000, "server time {server_time}µs");
}

#[test]
fn status_route_returns_the_requested_code() {
    let server = server();
    for code in [200u16, 201, 404, 418, 500, 503] {
        let response = get(server.addr(), &format!("/status/{code}"));
        assert_eq!(response.status, code);
        assert_eq!(response.text(), format!("status {code}"));
    }
    assert_eq!(get(server.addr(), "/status/204").body.len(), 0);
    for bad in ["/status/99", "/status/600", "/status/x"] {
        assert_eq!(get(server.addr(), bad).status, 400, "{bad}");
    }
}

#[test]
fn json_route_serves_the_fixed_document() {
    let server = server();
    let response = get(server.addr(), "/json");
    assert_eq!(response.status, 200);
    assert_eq!(response.header("content-type"), Some("application/json"));
    assert_eq!(response.text(), JSON_DOCUMENT);
    assert_eq!(response.json(), json!({"token": "t-123", "items": [{"id": 1}, {"id": 2}], "ok": true}));
}

#[test]
fn login_issues_tokens_that_need_token_accepts() {
    let server = server();
    let addr = server.addr();
    assert_eq!(get(addr, "/login").status, 405);
    let first = request(addr, "POST", "/login", &[], "{\"user\":\"a\"}");
    let second = request(addr, "POST", "/login", &[], "");
    assert_eq!(first.json(), json!({"token": "tok-1"}));
    assert_eq!(second.json(), json!({"token": "tok-2"}));

    assert_eq!(get(addr, "/need-token").status, 401);
    let bogus = request(addr, "GET", "/need-token", &[("Authorization", "Bearer tok-99")], "");
    assert_eq!(bogus.status, 401);
    assert_eq!(bogus.header("www-authenticate"), Some("Bearer"));
    let wrong_scheme = request(addr, "GET", "/need-token", &[("Authorization", "Basic tok-1")], "");
    assert_eq!(wrong_scheme.status, 401);
    for token in ["tok-1", "tok-2"] {
        let ok = request(addr, "GET", "/need-token", &[("Authorization", &format!("Bearer {token}"))], "");
        assert_eq!((ok.status, ok.json()), (200, json!({"ok": true})));
    }
}

#[test]
fn echo_reflects_method_path_query_headers_and_body() {
    let server = server();
    let response =
        request(server.addr(), "PUT", "/echo?a=1&b=two", &[("X-Custom-Thing", "Hi"), ("Accept", "*/*")], "payload");
    assert_eq!(response.status, 200);
    let echo = response.json();
    assert_eq!(echo["method"], "PUT");
    assert_eq!(echo["path"], "/echo");
    assert_eq!(echo["query"], "a=1&b=two");
    assert_eq!(echo["version"], "HTTP/1.1");
    assert_eq!(echo["body"], "payload");
    assert_eq!(echo["headers"]["x-custom-thing"], "Hi");
    assert_eq!(echo["headers"]["content-length"], "7");
    assert!(echo["headers"].get("X-Custom-Thing").is_none(), "header names are lowercase");
}

#[test]
fn text_route_has_exact_size_and_no_cache_headers() {
    let server = server();
    for size in [0usize, 1, 26, 1000, 100_000] {
        let response = get(server.addr(), &format!("/text/{size}"));
        assert_eq!(response.status, 200);
        assert_eq!(response.body.len(), size);
        assert_eq!(response.header("content-type"), Some("text/plain; charset=utf-8"));
        assert_eq!(response.header("content-encoding"), None);
        assert_eq!(response.header("cache-control"), None);
        assert_eq!(response.header("etag"), None);
    }
    assert_eq!(get(server.addr(), "/text/-1").status, 400);
    assert_eq!(get(server.addr(), &format!("/text/{}", perfhound_testkit::MAX_TEXT_BYTES + 1)).status, 400);
}

#[test]
fn text_route_gzips_only_when_accepted_and_requested() {
    let server = server();
    let addr = server.addr();
    let plain = get(addr, "/text/5000");
    let gzip = request(addr, "GET", "/text/5000?compress=1", &[("Accept-Encoding", "br, gzip")], "");
    assert_eq!(gzip.header("content-encoding"), Some("gzip"));
    assert!(gzip.body.len() < 1000, "compressed to {} bytes", gzip.body.len());
    let mut decoded = Vec::new();
    GzDecoder::new(gzip.body.as_slice()).read_to_end(&mut decoded).expect("valid gzip");
    assert_eq!(decoded, plain.body);

    let not_requested = request(addr, "GET", "/text/5000", &[("Accept-Encoding", "gzip")], "");
    let not_accepted = get(addr, "/text/5000?compress=1");
    let other_encoding = request(addr, "GET", "/text/5000?compress=1", &[("Accept-Encoding", "br")], "");
    for response in [not_requested, not_accepted, other_encoding] {
        assert_eq!(response.header("content-encoding"), None);
        assert_eq!(response.body.len(), 5000);
    }
}

#[test]
fn cached_route_is_cacheable_and_revalidates() {
    let server = server();
    let response = get(server.addr(), "/cached");
    assert_eq!(response.status, 200);
    assert_eq!(response.header("cache-control"), Some("max-age=60"));
    assert_eq!(response.header("etag"), Some(CACHED_ETAG));
    assert!(!response.body.is_empty());

    let revalidated = request(server.addr(), "GET", "/cached", &[("If-None-Match", CACHED_ETAG)], "");
    assert_eq!(revalidated.status, 304);
    assert_eq!(revalidated.header("etag"), Some(CACHED_ETAG));
    let stale = request(server.addr(), "GET", "/cached", &[("If-None-Match", "\"other\"")], "");
    assert_eq!(stale.status, 200);
}

#[test]
fn redirect_chain_counts_down_to_done() {
    let server = server();
    let mut path = "/redirect/3".to_owned();
    let mut hops = 0;
    let last = loop {
        let response = get(server.addr(), &path);
        match response.status {
            302 => {
                path = response.header("location").expect("Location header").to_owned();
                hops += 1;
            }
            _ => break response,
        }
    };
    assert_eq!(hops, 3);
    assert_eq!(path, "/redirect/0");
    assert_eq!((last.status, last.text().as_str()), (200, "done"));
    assert_eq!(server.stats().path("/redirect/2"), 1);
    assert_eq!(get(server.addr(), "/redirect/x").status, 400);
}
