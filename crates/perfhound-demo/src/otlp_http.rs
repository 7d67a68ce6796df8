//! The OTLP exporter's HTTP client: one blocking HTTP/1.1 POST per batch to the loopback
//! receiver, over `std::net`.
//!
//! The SDK's batch processor exports from its own thread (no async runtime), and the demo
//! only ever talks to perfhound's receiver on 127.0.0.1. reqwest's blocking client did the
//! same job but pulled ~60 crates (url, idna, ICU, tower…) into every release build.

use opentelemetry_http::{Bytes, HttpClient, HttpError, Request, Response};
use std::future::Future;
use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::pin::Pin;
use std::time::Duration;

/// Largest response body kept (the receiver answers with a few bytes).
const MAX_RESPONSE: u64 = 1 << 20;

/// A blocking HTTP/1.1 client for plain `http://` endpoints.
#[derive(Debug)]
pub struct LoopbackClient {
    pub timeout: Duration,
}

impl HttpClient for LoopbackClient {
    fn send_bytes<'a, 'f>(
        &'a self,
        request: Request<Bytes>,
    ) -> Pin<Box<dyn Future<Output = Result<Response<Bytes>, HttpError>> + Send + 'f>>
    where
        'a: 'f,
        Self: 'f,
    {
        let result = self.post(&request);
        Box::pin(std::future::ready(result))
    }
}

impl LoopbackClient {
    fn post(&self, request: &Request<Bytes>) -> Result<Response<Bytes>, HttpError> {
        let uri = request.uri();
        if uri.scheme_str() != Some("http") {
            return Err(format!("{uri}: only http:// endpoints are supported").into());
        }
        let authority = uri.authority().ok_or_else(|| format!("{uri}: no host"))?;
        let port = authority.port_u16().unwrap_or(80);
        let addr = (authority.host(), port).to_socket_addrs()?.next().ok_or_else(|| format!("{uri}: no address"))?;
        let mut stream = TcpStream::connect_timeout(&addr, self.timeout)?;
        stream.set_read_timeout(Some(self.timeout))?;
        stream.set_write_timeout(Some(self.timeout))?;
        stream.write_all(&head(request, authority.as_str()))?;
        stream.write_all(request.body())?;
        let mut raw = Vec::new();
        stream.take(MAX_RESPONSE).read_to_end(&mut raw)?;
        parse_response(&raw)
    }
}

/// The request line and headers, `Connection: close` (one batch per connection).
fn head(request: &Request<Bytes>, host: &str) -> Vec<u8> {
    let path = request.uri().path_and_query().map_or("/", |p| p.as_str());
    let mut head = format!("{} {path} HTTP/1.1\r\nHost: {host}\r\n", request.method());
    for (name, value) in request.headers() {
        if let Ok(v) = value.to_str() {
            head.push_str(&format!("{name}: {v}\r\n"));
        }
    }
    head.push_str(&format!("Content-Length: {}\r\nConnection: close\r\n\r\n", request.body().len()));
    head.into_bytes()
}

/// Status and body of a `Connection: close` response (the receiver never chunks).
fn parse_response(raw: &[u8]) -> Result<Response<Bytes>, HttpError> {
    let end = raw.windows(4).position(|w| w == b"\r\n\r\n").ok_or("response without a header end")?;
    let head = std::str::from_utf8(&raw[..end])?;
    let status: u16 = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("bad status line: {}", head.lines().next().unwrap_or("")))?;
    Ok(Response::builder().status(status).body(Bytes::copy_from_slice(&raw[end + 4..]))?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_status_and_body() {
        let r = parse_response(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}").unwrap();
        assert_eq!((r.status().as_u16(), r.body().as_ref()), (200, b"{}".as_ref()));
        assert!(parse_response(b"HTTP/1.1 200 OK\r\n").is_err());
        assert!(parse_response(b"garbage\r\n\r\n").is_err());
    }

    #[test]
    fn head_carries_length_and_headers() {
        let req = Request::post("http://127.0.0.1:4318/v1/traces")
            .header("content-type", "application/x-protobuf")
            .body(Bytes::from_static(b"abc"))
            .unwrap();
        let head = String::from_utf8(head(&req, "127.0.0.1:4318")).unwrap();
        assert!(head.starts_with("POST /v1/traces HTTP/1.1\r\nHost: 127.0.0.1:4318\r\n"), "{head}");
        assert!(head.contains("content-type: application/x-protobuf\r\n") && head.contains("Content-Length: 3\r\n"));
    }
}
