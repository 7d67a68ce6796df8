//! Rendering a request step into a [`Prepared`] request: URL, headers and body templated
//! for one VU, plus what the measured path needs to know about it before sending.

use super::shared::{RunShared, ScenarioRt};
use super::vu::{Vu, VuVars};
use crate::client::RequestError;
use crate::hygiene::offers_compression;
use crate::plan::{Body, CaptureSource, CheckKind, RequestStep};
use bytes::Bytes;
use http::header::{HeaderValue, CONTENT_TYPE};
use http::{HeaderMap, Method, Uri};
use perfhound_model::ErrorKind;

/// A rendered request, ready to send (possibly several times across redirects).
pub struct Prepared {
    pub method: Method,
    pub uri: Uri,
    pub headers: HeaderMap,
    pub body: Bytes,
}

/// What is known about a request before it is sent, whether or not it rendered.
#[derive(Clone, Copy, Debug, Default)]
pub struct Outgoing {
    /// Approximate bytes on the wire (0 when rendering failed).
    pub bytes_out: u64,
    /// The request offered compression (`Accept-Encoding`).
    pub offers_compression: bool,
}

impl Outgoing {
    pub fn of(prepared: Option<&Prepared>) -> Outgoing {
        prepared.map_or_else(Outgoing::default, |p| Outgoing {
            bytes_out: request_bytes(p),
            offers_compression: offers_compression(&p.headers),
        })
    }
}

/// Renders `step` for `vu`, with the run's `traceparent` header when enabled.
pub fn prepare(
    vu: &Vu,
    run: &RunShared,
    scenario: &ScenarioRt,
    step: &RequestStep,
    static_uri: Option<&Uri>,
) -> Result<Prepared, RequestError> {
    let vars = VuVars { vu, scenario };
    let uri = match static_uri {
        Some(u) => u.clone(),
        None => render_uri(step, &vars)?,
    };
    let mut headers = render_headers(step, &vars)?;
    let (body, content_type) = render_body(&step.body, &vars);
    if let Some(ct) = content_type {
        if !headers.contains_key(CONTENT_TYPE) {
            if let Ok(v) = HeaderValue::from_str(&ct) {
                headers.insert(CONTENT_TYPE, v);
            }
        }
    }
    if let Some(nonce) = run.plan.http.traceparent {
        headers.insert(crate::traceparent::HEADER, crate::traceparent::header(nonce, step.name_id));
    }
    Ok(Prepared { method: step.method.clone(), uri, headers, body })
}

/// Whether a check or capture of `step` reads the response body (else it is only counted).
pub fn keeps_body(step: &RequestStep) -> bool {
    step.captures.iter().any(|c| !matches!(c.source, CaptureSource::Header(_)))
        || step.checks.iter().any(|c| matches!(c.kind, CheckKind::BodyContains(_) | CheckKind::Json { .. }))
}

fn render_headers(step: &RequestStep, vars: &VuVars<'_>) -> Result<HeaderMap, RequestError> {
    let mut headers =
        if step.headers.is_empty() { HeaderMap::new() } else { HeaderMap::with_capacity(step.headers.len() + 2) };
    for (name, value) in &step.headers {
        let v = value.render(vars);
        let v = HeaderValue::from_str(&v)
            .map_err(|_| RequestError::new(ErrorKind::Protocol, format!("invalid value for header {name}")))?;
        headers.append(name.clone(), v);
    }
    Ok(headers)
}

/// The body bytes and the content type they imply.
fn render_body(body: &Body, vars: &VuVars<'_>) -> (Bytes, Option<String>) {
    match body {
        Body::Empty => (Bytes::new(), None),
        Body::Raw { content, content_type } => (Bytes::from(content.render(vars).into_owned()), content_type.clone()),
        Body::Bytes { content, content_type } => (content.clone(), content_type.clone()),
        Body::Json(t) => {
            let v = t.render(vars);
            (Bytes::from(serde_json::to_vec(&v).unwrap_or_default()), Some("application/json".to_string()))
        }
        Body::Form(fields) => {
            let mut s = String::new();
            for (i, (k, v)) in fields.iter().enumerate() {
                if i > 0 {
                    s.push('&');
                }
                s.push_str(&urlencode(k));
                s.push('=');
                s.push_str(&urlencode(&v.render(vars)));
            }
            (Bytes::from(s), Some("application/x-www-form-urlencoded".to_string()))
        }
    }
}

fn render_uri(step: &RequestStep, vars: &VuVars<'_>) -> Result<Uri, RequestError> {
    let mut url = step.url.render(vars).into_owned();
    if !step.query.is_empty() {
        let mut sep = if url.contains('?') { '&' } else { '?' };
        for (k, v) in &step.query {
            url.push(sep);
            sep = '&';
            url.push_str(&urlencode(&k.render(vars)));
            url.push('=');
            url.push_str(&urlencode(&v.render(vars)));
        }
    }
    url.parse()
        .map_err(|e| RequestError::new(ErrorKind::Protocol, format!("invalid URL `{url}` after templating: {e}")))
}

/// Percent-encodes a query component (RFC 3986 unreserved characters pass through).
pub fn urlencode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Approximate bytes on the wire: request line, headers (incl. Host) and body.
fn request_bytes(p: &Prepared) -> u64 {
    let head: usize = p.headers.iter().map(|(k, v)| k.as_str().len() + v.len() + 4).sum();
    let target = p.uri.path_and_query().map_or(1, |pq| pq.as_str().len());
    let host = p.uri.authority().map_or(0, |a| a.as_str().len() + 8);
    (p.method.as_str().len() + target + host + 13 + head + p.body.len()) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urlencode_keeps_unreserved_only() {
        assert_eq!(urlencode("a b&c=d~e.f_g-h"), "a%20b%26c%3Dd~e.f_g-h");
        assert_eq!(urlencode("é"), "%C3%A9");
    }
}
