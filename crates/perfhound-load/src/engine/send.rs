//! Sending a [`Prepared`] request on the VU's connection: check a connection out (or
//! connect), one exchange (retried once on a stale keep-alive connection), check it back
//! in, and follow redirects up to the plan's limit.

use super::prepare::Prepared;
use super::shared::RunShared;
use super::vu::Vu;
use crate::client::h1::{KeptBody, RawResponse};
use crate::client::{Conn, Origin, RequestError};
use bytes::Bytes;
use http::header::{HeaderValue, CONNECTION, CONTENT_TYPE, LOCATION};
use http::{HeaderMap, Method, Request, StatusCode, Uri};
use http_body_util::{BodyExt, Full};

/// One response, as read off the connection (before redirects are followed).
pub struct Response {
    pub status: StatusCode,
    pub headers: HeaderMap,
    /// The body, when asked to keep it (decoded from `Content-Encoding` once received).
    pub body: Option<Bytes>,
    pub body_len: u64,
    pub head_len: u64,
}

impl From<RawResponse> for Response {
    fn from(r: RawResponse) -> Response {
        Response { status: r.status, headers: r.headers, body: r.body, body_len: r.body_len, head_len: r.head_len }
    }
}

/// The final response of a request, after redirects.
pub struct Received {
    pub response: Response,
    /// Redirects followed.
    pub hops: u64,
    /// The URL that gave the final response.
    pub final_url: Uri,
}

/// How one request is sent: whether its body is kept, and the name it is counted under.
#[derive(Clone, Copy)]
pub struct SendOptions {
    pub keep_body: bool,
    pub name_id: usize,
}

/// Sends, following redirects up to the plan's limit.
pub async fn send_following(
    vu: &mut Vu,
    run: &RunShared,
    mut p: Prepared,
    opts: SendOptions,
) -> Result<Received, RequestError> {
    let mut hops = 0u64;
    loop {
        let response = send_once(vu, run, &p, opts).await?;
        if response.status.is_redirection() && hops < u64::from(run.plan.http.max_redirects) {
            let location = response.headers.get(LOCATION).and_then(|l| l.to_str().ok());
            if let Some(next) = location.and_then(|l| resolve_location(&p.uri, l)) {
                hops += 1;
                redirect(&mut p, response.status, next);
                continue;
            }
        }
        return Ok(Received { response, hops, final_url: p.uri });
    }
}

/// Turns `p` into the request a browser sends after a `status` redirect to `next`.
fn redirect(p: &mut Prepared, status: StatusCode, next: Uri) {
    if matches!(status.as_u16(), 301..=303) && p.method != Method::HEAD {
        p.method = Method::GET;
        p.body = Bytes::new();
        p.headers.remove(CONTENT_TYPE);
    }
    p.uri = next;
}

fn resolve_location(base: &Uri, location: &str) -> Option<Uri> {
    if location.starts_with("http://") || location.starts_with("https://") {
        return location.parse().ok();
    }
    let scheme = base.scheme_str()?;
    let authority = base.authority()?.as_str();
    let path = if location.starts_with('/') {
        location.to_string()
    } else {
        let base_path = base.path();
        let dir = &base_path[..base_path.rfind('/').map_or(0, |i| i + 1)];
        format!("{dir}{location}")
    };
    format!("{scheme}://{authority}{path}").parse().ok()
}

/// One request on the VU's connection to the request's origin.
async fn send_once(vu: &mut Vu, run: &RunShared, p: &Prepared, opts: SendOptions) -> Result<Response, RequestError> {
    let origin = Origin::from_uri(&p.uri)?;
    let (mut conn, host) = check_out(vu, run, &origin, &p.uri, opts.name_id).await?;
    let mut response = exchange(&mut conn, p, &host, opts.keep_body).await;
    if let Err(e) = &response {
        // A keep-alive connection the server closed while idle: retry once on a fresh
        // connection for idempotent methods (as browsers do).
        if e.stale_connection && p.method.is_idempotent() {
            vu.stats.lock().names[opts.name_id].hygiene.reconnects += 1;
            conn = run.connector.connect(&origin).await?;
            response = exchange(&mut conn, p, &host, opts.keep_body).await;
        }
    }
    let mut response = response?;
    check_in(vu, origin, conn, host, &response, opts.name_id);
    response.body = response.body.map(|b| super::checks::decode_body(&response.headers, b));
    Ok(response)
}

/// The VU's open connection to `origin` with its `Host` value, or a new one.
async fn check_out(
    vu: &mut Vu,
    run: &RunShared,
    origin: &Origin,
    uri: &Uri,
    name_id: usize,
) -> Result<(Conn, HeaderValue), RequestError> {
    let (conn, was_closed) = vu.take_conn(origin);
    if was_closed {
        vu.stats.lock().names[name_id].hygiene.reconnects += 1;
    }
    if let Some(open) = conn {
        return Ok(open);
    }
    let host = uri
        .authority()
        .and_then(|a| HeaderValue::from_str(a.as_str()).ok())
        .unwrap_or_else(|| HeaderValue::from_static("localhost"));
    Ok((run.connector.connect(origin).await?, host))
}

/// Keeps a connection that can carry another request; counts one the server closed.
fn check_in(vu: &mut Vu, origin: Origin, conn: Conn, host: HeaderValue, response: &Response, name_id: usize) {
    if conn.is_closed() {
        let announced = response.headers.contains_key(CONNECTION);
        vu.stats.lock().names[name_id].hygiene.connection_close += u64::from(!announced);
    } else {
        vu.put_conn(origin, conn, host);
    }
}

/// Writes the request and reads the whole response on one connection.
async fn exchange(
    conn: &mut Conn,
    p: &Prepared,
    host: &HeaderValue,
    keep_body: bool,
) -> Result<Response, RequestError> {
    match conn {
        Conn::H1(h1) => {
            let target = p.uri.path_and_query().map_or("/", |pq| pq.as_str());
            h1.encode(&p.method, target, host, &p.headers, &p.body);
            Ok(h1.round_trip(p.method == Method::HEAD, keep_body).await?.into())
        }
        Conn::H2(_) => exchange_h2(conn, p, keep_body).await,
    }
}

async fn exchange_h2(conn: &mut Conn, p: &Prepared, keep_body: bool) -> Result<Response, RequestError> {
    let mut req = Request::new(Full::new(p.body.clone()));
    *req.method_mut() = p.method.clone();
    *req.headers_mut() = p.headers.clone();
    *req.uri_mut() = p.uri.clone();
    let resp = conn.send_h2(req).await?;
    let (parts, mut body) = resp.into_parts();
    let head_len: u64 = 9 + parts.headers.iter().map(|(k, v)| (k.as_str().len() + v.len() + 4) as u64).sum::<u64>();
    let mut kept = keep_body.then(KeptBody::default);
    let mut body_len = 0u64;
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| RequestError::from_hyper(&e))?;
        if let Ok(data) = frame.into_data() {
            body_len += data.len() as u64;
            if let Some(k) = kept.as_mut() {
                k.push(&data);
            }
        }
    }
    Ok(Response { status: parts.status, headers: parts.headers, body: kept.map(KeptBody::freeze), body_len, head_len })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_resolve_against_the_request_url() {
        let base: Uri = "http://127.0.0.1:8080/a/b?q=1".parse().unwrap();
        let r = |l| resolve_location(&base, l).map(|u| u.to_string());
        assert_eq!(r("/c").as_deref(), Some("http://127.0.0.1:8080/c"));
        assert_eq!(r("d").as_deref(), Some("http://127.0.0.1:8080/a/d"));
        assert_eq!(r("https://localhost/x").as_deref(), Some("https://localhost/x"));
    }
}
