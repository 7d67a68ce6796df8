//! Real HTTP test servers for perfhound's integration tests: HTTP/1.1, h2c and HTTPS on 127.0.0.1:0.
//!
//! [`TestServer::start`] is a plain synchronous function: it binds `127.0.0.1:0`, starts the server on a
//! background thread with its own tokio runtime and returns once the socket is listening, so tests need no
//! fixed ports and no sleeps. Dropping the server stops it (bounded wait). [`TestServer::stats`] returns a
//! [`Stats`] snapshot of the server-side counters for assertions.
//!
//! ```
//! use perfhound_testkit::{ServerConfig, TestServer};
//! use std::io::{Read, Write};
//!
//! let server = TestServer::start(ServerConfig::default());
//! let mut stream = std::net::TcpStream::connect(server.addr()).unwrap();
//! stream.write_all(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").unwrap();
//! let mut response = String::new();
//! stream.read_to_string(&mut response).unwrap();
//! assert!(response.starts_with("HTTP/1.1 200 OK"));
//! assert!(response.ends_with("hello"));
//! assert_eq!(server.stats().requests_total, 1);
//! ```
//!
//! # Protocols
//!
//! One port serves HTTP/1.1 and HTTP/2 with prior knowledge (h2c), told apart by the connection preface.
//! With [`ServerConfig::tls`] it serves HTTPS instead, with a self-signed certificate for `localhost` and
//! `127.0.0.1` generated at start ([`TestServer::cert_der`], [`TestServer::cert_pem`]) and ALPN `h2` and
//! `http/1.1`. [`ServerConfig::http1_only`] and [`ServerConfig::h2_only`] restrict both.
//!
//! # Routes
//!
//! | route | response |
//! |---|---|
//! | `/` | 200 `hello` |
//! | `/delay/{ms}` | 200 `ok` after `ms` milliseconds (deadline based, accurate to the millisecond) |
//! | `/status/{code}` | that status (200..=599), body `status {code}` (empty for 204 and 304) |
//! | `/json` | [`JSON_DOCUMENT`] as `application/json` |
//! | `POST /login` | `{"token":"tok-<n>"}`, n = 1, 2, … per server; other methods 405 |
//! | `/need-token` | 200 `{"ok":true}` with `Authorization: Bearer tok-<n>` issued by `/login`, else 401 |
//! | `/echo` | JSON `{method, path, query, version, headers (lowercase names), body}` |
//! | `/text/{bytes}` | `text/plain` body of exactly that many bytes; gzip (`Content-Encoding: gzip`) when the request accepts gzip and has `?compress=1`; no cache headers |
//! | `/cached` | small body with `Cache-Control: max-age=60` and [`CACHED_ETAG`]; 304 on a matching `If-None-Match` |
//! | `/redirect/{n}` | 302 to `/redirect/{n-1}`; `/redirect/0` is 200 `done` |
//! | `/work/{shape}/{n}` | CPU work of a known complexity in `n`: `constant`, `linear`, `quadratic` (see [`work`]) |
//! | `/close` | 200 with `Connection: close`; the server then closes the connection (HTTP/1.x only) |
//! | `/reset` | no response: the connection is aborted with a TCP RST (over HTTP/2, all its streams) |
//! | anything else | 404 |
//!
//! Request bodies are always read in full before the route runs.
//!
//! # Latency and faults
//!
//! * [`ServerConfig::fixed_delay`] is added to every response; `/delay/{ms}` adds its own delay on top. Both
//!   count from the request's arrival at the handler and are awaited against a deadline: tokio's
//!   `sleep_until` (millisecond granularity, measured 21.1–21.5 ms for 20 ms) until 3 ms before it, then a
//!   dedicated timer thread with a nanosecond condvar timeout, so a 20 ms delay is served in 20–21 ms
//!   (typically 20.0x ms). Every response reports the server's timing in the
//!   [`ARRIVAL_HEADER`] and [`SERVER_TIME_HEADER`] headers (microseconds).
//! * [`ServerConfig::workers`] makes a fixed worker pool: at most N requests are served at a time, the others
//!   wait first come, first served, and their delays count from when they got a worker — so
//!   `workers / fixed_delay` is the server's capacity by construction (capacity search tests).
//! * [`ServerConfig::stall`] ([`Stall`]) holds every response that becomes ready inside a periodic window
//!   until the window ends, measured from [`TestServer::started_at`].
//! * [`ServerConfig::reset_every`] makes "N% of requests fail with a reset" deterministic: request number `k`
//!   (1-based, over the whole server, in arrival order) is reset when `k % N == 0`. With sequential clients
//!   that is exactly every Nth request; `Some(20)` is 5%.
//!
//! Resets are implemented below hyper: the accepted socket is wrapped in a type that sets `SO_LINGER` to zero
//! when its connection is dropped after a handler asked for a reset, so the kernel sends RST, not FIN.
//!
//! # Counters
//!
//! [`Stats`] counts requests (total, per path, over HTTP/2), accepted connections, the peak number of requests
//! in flight, connections the server closed (`/close`) or reset, stalled responses and failed TLS
//! handshakes. Request counters move when a request reaches the handler, before its response exists, so a
//! client that got a response can assert on them right away — no polling, no sleeps.
//!
//! # Refused connections
//!
//! [`RefusedPort`] holds a loopback port that refuses every connection (bound, never
//! listening), for tests of "connection refused" without the race of a dropped listener.
//!
//! # TLS clients
//!
//! A client under test can trust the server properly instead of disabling verification: pass
//! [`TestServer::cert_der`] to a rustls `RootCertStore`, or write [`TestServer::cert_pem`] to a CA file.
//!
//! ```
//! use perfhound_testkit::{tls_config, TestServer};
//!
//! let server = TestServer::start(tls_config());
//! assert!(server.base_url().starts_with("https://localhost:"));
//! assert!(server.cert_pem().unwrap().starts_with("-----BEGIN CERTIFICATE-----"));
//! assert!(server.cert_der().is_some());
//! ```

//!
//! # Database and cache servers
//!
//! Behind cargo features, so crates that only need HTTP servers do not build them:
//! [`pg`] (feature `postgres`) starts real PostgreSQL servers with one database per test, and
//! [`redis`] (feature `redis`) a real `redis-server` per test; both in temp dirs, on free
//! loopback ports, with bounded readiness polls and no leftovers.

mod config;
mod conn;
mod refused;
mod routes;
mod server;
mod stats;
mod timer;
pub mod work;

#[cfg(feature = "postgres")]
pub mod pg;
#[cfg(feature = "redis")]
pub mod redis;

pub use config::{ServerConfig, Stall};
pub use refused::RefusedPort;
pub use routes::{ARRIVAL_HEADER, CACHED_ETAG, JSON_DOCUMENT, MAX_TEXT_BYTES, SERVER_TIME_HEADER};
pub use server::TestServer;
pub use stats::Stats;

/// Parses the [`SERVER_TIME_HEADER`] (or [`ARRIVAL_HEADER`]) value of a response into a duration.
///
/// ```
/// let value = http::HeaderValue::from_static("20150");
/// assert_eq!(perfhound_testkit::parse_micros(&value), Some(std::time::Duration::from_micros(20_150)));
/// ```
pub fn parse_micros(value: &http::HeaderValue) -> Option<std::time::Duration> {
    value.to_str().ok()?.trim().parse::<u64>().ok().map(std::time::Duration::from_micros)
}

/// A [`ServerConfig`] for an HTTPS server with otherwise default settings.
pub fn tls_config() -> ServerConfig {
    ServerConfig { tls: true, ..ServerConfig::default() }
}

/// A port that was free on 127.0.0.1 a moment ago. A child server that binds it later can
/// lose a race; the harnesses that use it detect a failed bind (see [`redis`]).
pub fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    l.local_addr().expect("local addr").port()
}
