//! The HTTP client of the request loop: one connection per VU and origin, driven
//! directly through hyper's `client::conn` (no pool, no `reqwest`), HTTP/1.1 keep-alive
//! or HTTP/2 (h2c prior knowledge, or ALPN over rustls).

mod error;
pub mod h1;
mod stream;
mod tls;

pub use error::RequestError;
pub use h1::{H1Conn, RawResponse};
use stream::MaybeTls;

use bytes::Bytes;
use http::{Request, Response, Uri};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo};
use perfhound_model::ErrorKind;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::TcpStream;

pub type ReqBody = Full<Bytes>;

/// Scheme and authority: what a connection is for. Cheap to clone and compare (the
/// authority shares the URI's bytes), because it is looked up on every request.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Origin {
    pub https: bool,
    authority: http::uri::Authority,
}

impl Origin {
    pub fn from_uri(uri: &Uri) -> Result<Origin, RequestError> {
        let https = match uri.scheme_str() {
            Some("https") => true,
            Some("http") => false,
            other => {
                return Err(RequestError::new(
                    ErrorKind::Protocol,
                    format!("unsupported URL scheme {other:?} in {uri}: use http:// or https://"),
                ))
            }
        };
        let authority = uri
            .authority()
            .filter(|a| !a.host().is_empty())
            .ok_or_else(|| RequestError::new(ErrorKind::Protocol, format!("URL has no host: {uri}")))?
            .clone();
        Ok(Origin { https, authority })
    }

    /// Host without IPv6 brackets.
    pub fn host(&self) -> &str {
        self.authority.host().trim_start_matches('[').trim_end_matches(']')
    }

    pub fn port(&self) -> u16 {
        self.authority.port_u16().unwrap_or(if self.https { 443 } else { 80 })
    }
}

/// An open connection: HTTP/1.1 through perfhound's own client, HTTP/2 through hyper.
pub enum Conn {
    H1(Box<H1Conn>),
    H2(hyper::client::conn::http2::SendRequest<ReqBody>),
}

impl Conn {
    pub fn is_h2(&self) -> bool {
        matches!(self, Conn::H2(_))
    }

    pub fn is_closed(&self) -> bool {
        match self {
            Conn::H1(c) => c.is_closed(),
            Conn::H2(s) => s.is_closed(),
        }
    }

    /// HTTP/2 only: sends one request through hyper and waits for the response head.
    pub async fn send_h2(&mut self, req: Request<ReqBody>) -> Result<Response<Incoming>, RequestError> {
        match self {
            Conn::H1(_) => Err(RequestError::new(ErrorKind::Protocol, "internal: send_h2 on an HTTP/1.1 connection")),
            Conn::H2(s) => {
                s.ready().await.map_err(|e| RequestError::from_hyper(&e))?;
                s.send_request(req).await.map_err(|e| RequestError::from_hyper(&e))
            }
        }
    }
}

/// Opens connections; shared by all VUs of a run.
pub struct Connector {
    http2: bool,
    connect_timeout: Duration,
    allow_remote: bool,
    tls: Arc<rustls::ClientConfig>,
    resolved: Mutex<HashMap<(String, u16), SocketAddr>>,
}

impl Connector {
    pub fn new(http2: bool, insecure: bool, connect_timeout: Duration, allow_remote: bool) -> Connector {
        Connector {
            http2,
            connect_timeout,
            allow_remote,
            tls: tls::client_config(http2, insecure),
            resolved: Mutex::new(HashMap::new()),
        }
    }

    /// Resolves an origin (cached), refusing non-loopback addresses unless allowed.
    pub async fn resolve(&self, origin: &Origin) -> Result<SocketAddr, RequestError> {
        let key = (origin.host().to_string(), origin.port());
        if let Some(addr) = self.resolved.lock().map(|m| m.get(&key).copied()).ok().flatten() {
            return Ok(addr);
        }
        let mut addrs = tokio::net::lookup_host((origin.host(), origin.port()))
            .await
            .map_err(|e| RequestError::new(ErrorKind::Dns, format!("cannot resolve {}: {e}", origin.host())))?;
        let addr = addrs
            .next()
            .ok_or_else(|| RequestError::new(ErrorKind::Dns, format!("{} resolves to no address", origin.host())))?;
        if !self.allow_remote && !addr.ip().is_loopback() {
            return Err(RequestError::new(
                ErrorKind::Dns,
                format!(
                    "{} resolves to {}, which is not a loopback address; perfhound only loads 127.0.0.0/8 and ::1 unless you pass --allow-remote (make sure you may load that host)",
                    origin.host(),
                    addr.ip()
                ),
            ));
        }
        if let Ok(mut m) = self.resolved.lock() {
            m.insert(key, addr);
        }
        Ok(addr)
    }

    /// Opens a new connection to `origin`.
    pub async fn connect(&self, origin: &Origin) -> Result<Conn, RequestError> {
        let addr = self.resolve(origin).await?;
        let tcp = tokio::time::timeout(self.connect_timeout, TcpStream::connect(addr))
            .await
            .map_err(|_| RequestError::new(ErrorKind::ConnectTimeout, format!("connect to {addr} timed out")))?
            .map_err(|e| RequestError::from_connect(&e))?;
        let _ = tcp.set_nodelay(true);
        if origin.https {
            let name = rustls::pki_types::ServerName::try_from(origin.host().to_string())
                .map_err(|e| RequestError::new(ErrorKind::Tls, format!("invalid TLS server name: {e}")))?;
            let tls = tokio::time::timeout(
                self.connect_timeout,
                tokio_rustls::TlsConnector::from(self.tls.clone()).connect(name, tcp),
            )
            .await
            .map_err(|_| RequestError::new(ErrorKind::ConnectTimeout, format!("TLS handshake with {addr} timed out")))?
            .map_err(|e| RequestError::new(ErrorKind::Tls, format!("TLS handshake with {}: {e}", origin.host())))?;
            if tls.get_ref().1.alpn_protocol() == Some(b"h2") {
                handshake_h2(TokioIo::new(tls)).await
            } else {
                Ok(Conn::H1(Box::new(H1Conn::new(MaybeTls::Tls(Box::new(tls))))))
            }
        } else if self.http2 {
            handshake_h2(TokioIo::new(tcp)).await
        } else {
            Ok(Conn::H1(Box::new(H1Conn::new(MaybeTls::Plain(tcp)))))
        }
    }
}

async fn handshake_h2<T>(io: TokioIo<T>) -> Result<Conn, RequestError>
where
    T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let (sender, conn) = hyper::client::conn::http2::handshake(TokioExecutor::new(), io)
        .await
        .map_err(|e| RequestError::from_hyper(&e))?;
    tokio::spawn(async move {
        let _ = conn.await;
    });
    Ok(Conn::H2(sender))
}

/// Fetches `url` once with `Accept-Encoding: gzip, br`; `Some(true)` when the response
/// came back with a `Content-Encoding`. Used after a run to tell "server cannot compress"
/// from "the load did not ask". `traceparent` (the run's, with
/// [`crate::traceparent::PROBE_NAME_ID`]) lets an audit leave the probe's trace out.
pub async fn probe_compression(
    connector: &Connector,
    url: &str,
    timeout: Duration,
    traceparent: Option<http::HeaderValue>,
) -> Option<bool> {
    let uri: Uri = url.parse().ok()?;
    let origin = Origin::from_uri(&uri).ok()?;
    let work = async {
        let mut conn = connector.connect(&origin).await.ok()?;
        let mut headers = http::HeaderMap::new();
        headers.insert(http::header::ACCEPT_ENCODING, http::HeaderValue::from_static("gzip, br"));
        if let Some(tp) = traceparent {
            headers.insert(crate::traceparent::HEADER, tp);
        }
        match &mut conn {
            Conn::H1(c) => {
                let host = http::HeaderValue::from_str(uri.authority()?.as_str()).ok()?;
                c.encode(&http::Method::GET, uri.path_and_query().map_or("/", |p| p.as_str()), &host, &headers, &[]);
                let resp = c.round_trip(false, false).await.ok()?;
                Some(resp.headers.contains_key(http::header::CONTENT_ENCODING))
            }
            Conn::H2(_) => {
                let mut req = Request::new(Full::new(Bytes::new()));
                *req.uri_mut() = uri.clone();
                *req.headers_mut() = headers;
                let resp = conn.send_h2(req).await.ok()?;
                Some(resp.headers().contains_key(http::header::CONTENT_ENCODING))
            }
        }
    };
    tokio::time::timeout(timeout, work).await.ok().flatten()
}

/// GETs `url` once over HTTP/1.1 and returns the status and the whole body (at most
/// [`h1::MAX_KEPT_BODY`]), within `timeout`. For one-off fetches next to a load, e.g. a
/// service's `/debug/pprof/profile`; the connector's loopback rule applies.
pub async fn fetch(
    connector: &Connector,
    url: &str,
    timeout: Duration,
) -> Result<(http::StatusCode, Bytes), RequestError> {
    let uri: Uri = url.parse().map_err(|e| RequestError::new(ErrorKind::Protocol, format!("`{url}`: {e}")))?;
    let origin = Origin::from_uri(&uri)?;
    let work = async {
        let Conn::H1(mut c) = connector.connect(&origin).await? else {
            return Err(RequestError::new(ErrorKind::Protocol, "fetch speaks HTTP/1.1 only"));
        };
        let host = http::HeaderValue::from_str(origin.authority.as_str())
            .map_err(|e| RequestError::new(ErrorKind::Protocol, e.to_string()))?;
        c.encode(
            &http::Method::GET,
            uri.path_and_query().map_or("/", |p| p.as_str()),
            &host,
            &http::HeaderMap::new(),
            &[],
        );
        let resp = c.round_trip(false, true).await?;
        Ok((resp.status, resp.body.unwrap_or_default()))
    };
    tokio::time::timeout(timeout, work)
        .await
        .unwrap_or_else(|_| Err(RequestError::new(ErrorKind::Timeout, format!("no answer within {timeout:?}"))))
}
