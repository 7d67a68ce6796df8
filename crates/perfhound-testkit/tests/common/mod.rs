//! Client helpers for the integration tests: raw HTTP/1.1 over `std::net::TcpStream`, hyper HTTP/1.1 and h2c
//! clients, and rustls clients that accept (or properly trust) the server's self-signed certificate.
#![allow(dead_code)]

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::response::Parts;
use http::Request;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::{http1, http2};
use hyper_util::rt::{TokioExecutor, TokioIo};
use perfhound_net::Trust;
use rustls::pki_types::{CertificateDer, ServerName};
use rustls::{ClientConfig, RootCertStore};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio_rustls::TlsConnector;

/// Upper bound for any single blocking read in the raw client, so a broken server fails a test, not hangs it.
const READ_TIMEOUT: Duration = Duration::from_secs(10);

/// A response read by the raw HTTP/1.1 client.
#[derive(Debug)]
pub struct RawResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl RawResponse {
    /// The first header named `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("response body is JSON")
    }
}

/// Opens a blocking connection with a read timeout.
pub fn connect(addr: SocketAddr) -> TcpStream {
    let stream = TcpStream::connect(addr).expect("connect to test server");
    stream.set_read_timeout(Some(READ_TIMEOUT)).expect("set read timeout");
    stream
}

/// Sends `GET path` on a fresh connection (with `Connection: close`) and reads the response.
pub fn get(addr: SocketAddr, path: &str) -> RawResponse {
    request(addr, "GET", path, &[], "")
}

/// Sends one request on a fresh connection (with `Connection: close`) and reads the response.
pub fn request(addr: SocketAddr, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> RawResponse {
    try_request(addr, method, path, headers, body).expect("raw HTTP/1.1 exchange")
}

/// Like [`request`], but returns the I/O error instead of panicking (for reset tests).
pub fn try_request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> io::Result<RawResponse> {
    let mut stream = connect(addr);
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
    exchange(&mut stream, &head)
}

/// Writes `raw` (a complete request) on `stream` and reads exactly one response from it.
pub fn exchange(stream: &mut TcpStream, raw: &str) -> io::Result<RawResponse> {
    stream.write_all(raw.as_bytes())?;
    read_response(stream)
}

/// Reads one HTTP/1.1 response: head, then `Content-Length` bytes (or everything up to EOF without one).
pub fn read_response(stream: &mut TcpStream) -> io::Result<RawResponse> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(pos) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break pos;
        }
        let n = stream.read(&mut chunk)?;
        if n == 0 {
            return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "EOF before response head"));
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let status = status_line
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, format!("bad status line {status_line:?}")))?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_owned(), value.trim().to_owned()))
        .collect();
    let mut body = buf[head_end + 4..].to_vec();
    let length = headers.iter().find(|(n, _)| n.eq_ignore_ascii_case("content-length")).map(|(_, v)| v.parse());
    match length {
        _ if status == 304 || status == 204 => body.clear(),
        Some(Ok(length)) => {
            while body.len() < length {
                let n = stream.read(&mut chunk)?;
                if n == 0 {
                    return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "EOF inside body"));
                }
                body.extend_from_slice(&chunk[..n]);
            }
            body.truncate(length);
        }
        _ => {
            stream.read_to_end(&mut body)?;
        }
    }
    Ok(RawResponse { status, headers, body })
}

/// An HTTP/1.1 hyper client connection over any async stream.
pub async fn h1_over<S>(io: S) -> http1::SendRequest<Full<Bytes>>
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let (sender, connection) = http1::handshake(TokioIo::new(io)).await.expect("HTTP/1.1 handshake");
    tokio::spawn(connection);
    sender
}

/// An HTTP/2 hyper client connection over any async stream (h2c prior knowledge when `io` is plain TCP).
pub async fn h2_over<S>(io: S) -> http2::SendRequest<Full<Bytes>>
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let (sender, connection) =
        http2::handshake(TokioExecutor::new(), TokioIo::new(io)).await.expect("HTTP/2 handshake");
    tokio::spawn(connection);
    sender
}

pub async fn tcp(addr: SocketAddr) -> tokio::net::TcpStream {
    tokio::net::TcpStream::connect(addr).await.expect("connect to test server")
}

/// A GET request for `path` with the authority the server expects.
pub fn get_request(authority: &str, path: &str) -> Request<Full<Bytes>> {
    let uri = format!("http://{authority}{path}");
    Request::get(uri).body(Full::new(Bytes::new())).expect("valid request")
}

/// Collects a hyper response into its head and body.
pub async fn collect(response: hyper::Response<hyper::body::Incoming>) -> (Parts, Bytes) {
    let (parts, body) = response.into_parts();
    let body = body.collect().await.expect("read response body").to_bytes();
    (parts, body)
}

/// The server-reported handling time of a response ([`perfhound_testkit::SERVER_TIME_HEADER`]).
pub fn server_time(headers: &http::HeaderMap) -> Duration {
    headers.get(perfhound_testkit::SERVER_TIME_HEADER).and_then(perfhound_testkit::parse_micros).expect("server time")
}

/// The server-reported arrival time since server start ([`perfhound_testkit::ARRIVAL_HEADER`]).
pub fn arrival(headers: &http::HeaderMap) -> Duration {
    headers.get(perfhound_testkit::ARRIVAL_HEADER).and_then(perfhound_testkit::parse_micros).expect("arrival time")
}

/// A client config that accepts any certificate (`perfhound_net`'s `--insecure` verifier:
/// handshake signatures still checked), offering `alpn` protocols.
pub fn insecure_tls(alpn: &[&[u8]]) -> ClientConfig {
    let mut config = perfhound_net::client_config(&Trust::AnyCertificate);
    config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    config
}

/// A client config that trusts exactly `root` (the test server's certificate), offering `alpn` protocols.
pub fn trusting_tls(root: CertificateDer<'static>, alpn: &[&[u8]]) -> ClientConfig {
    let mut roots = RootCertStore::empty();
    roots.add(root).expect("add test certificate as root");
    let mut config = perfhound_net::client_config(&Trust::Roots { roots: Arc::new(roots), check_host: true });
    config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    config
}

/// Connects with TLS to `addr`, using `server_name` for SNI and certificate checks.
pub async fn tls_connect(
    addr: SocketAddr,
    config: ClientConfig,
    server_name: &str,
) -> io::Result<tokio_rustls::client::TlsStream<tokio::net::TcpStream>> {
    let name = ServerName::try_from(server_name.to_owned()).map_err(io::Error::other)?;
    TlsConnector::from(Arc::new(config)).connect(name, tcp(addr).await).await
}
