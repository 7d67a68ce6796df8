//! The measured request path: render → connect/reuse → send → read → check → record.

use super::checks::{evaluate, Evaluated, ResponseView};
use super::shared::{RunShared, ScenarioRt};
use super::vu::{Vu, VuVars};
use crate::client::{Conn, Origin, RequestError};
use crate::hygiene::offers_compression;
use crate::plan::{Body, RequestStep};
use crate::stats::{Outcome, WorkerStats};
use bytes::{Bytes, BytesMut};
use http::header::{HeaderValue, CONTENT_TYPE, LOCATION};
use http::{HeaderMap, Method, Request, StatusCode, Uri};
use http_body_util::{BodyExt, Full};
use perfhound_model::ErrorKind;
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// Whether the iteration goes on after a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepOutcome {
    Continue,
    Abort,
}

/// Records an `interrupted` failure if the request future is dropped mid-flight
/// (graceful stop expired or Ctrl-C), so `sent = ok + failed` always holds.
struct InFlight {
    stats: Arc<Mutex<WorkerStats>>,
    name_id: usize,
    scenario_id: usize,
    since: Instant,
    armed: bool,
}

impl Drop for InFlight {
    fn drop(&mut self) {
        if self.armed {
            let us = self.since.elapsed().as_micros() as u64;
            let o = Outcome {
                name_id: self.name_id,
                scenario_id: self.scenario_id,
                latency_us: us,
                service_us: us,
                status: None,
                error: Some(ErrorKind::Interrupted),
                bytes_in: 0,
                bytes_out: 0,
                checks: &[],
            };
            if let Ok(mut s) = self.stats.lock() {
                s.record(&o, Some("request still in flight when the run stopped"));
            }
        }
    }
}

/// A rendered request, ready to send (possibly several times across redirects).
struct Prepared {
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
}

/// What came back.
struct Received {
    status: StatusCode,
    headers: HeaderMap,
    body: Option<Bytes>,
    body_len: u64,
    header_bytes: u64,
    hops: u64,
    final_url: Uri,
}

/// Executes one request step for a VU and records its outcome.
pub async fn execute(
    vu: &mut Vu,
    run: &RunShared,
    scenario: &ScenarioRt,
    step: &RequestStep,
    static_uri: Option<&Uri>,
    intended: Option<Instant>,
) -> StepOutcome {
    let started = intended.unwrap_or_else(Instant::now);
    let mut guard = InFlight {
        stats: vu.stats.clone(),
        name_id: step.name_id,
        scenario_id: scenario.id,
        since: started,
        armed: true,
    };
    let prepared = prepare(vu, scenario, step, static_uri).map(|mut p| {
        if let Some(nonce) = run.plan.http.traceparent {
            p.headers.insert(crate::traceparent::HEADER, crate::traceparent::header(nonce, step.name_id));
        }
        p
    });
    let keep_body = step.captures.iter().any(|c| !matches!(c.source, crate::plan::CaptureSource::Header(_)))
        || step
            .checks
            .iter()
            .any(|c| matches!(c.kind, crate::plan::CheckKind::BodyContains(_) | crate::plan::CheckKind::Json { .. }));
    let sent_at = Instant::now();
    let bytes_out = prepared.as_ref().map_or(0, request_bytes);
    let offered = prepared.as_ref().is_ok_and(|p| offers_compression(&p.headers));
    let result = match prepared {
        Ok(p) => {
            let timeout = run.plan.http.request_timeout;
            // One timer per VU, pushed forward for each request: extending a registered
            // tokio timer is a lock-free update, unlike registering a new one per request.
            let mut timer = vu.timer.take().unwrap_or_else(|| Box::pin(tokio::time::sleep(timeout)));
            timer.as_mut().reset((sent_at + timeout).into());
            let r = tokio::select! {
                biased;
                r = send_following(vu, run, p, keep_body, step.name_id) => r,
                _ = timer.as_mut() => {
                    Err(RequestError::new(ErrorKind::Timeout, format!("no complete response within {timeout:?}")))
                }
            };
            vu.timer = Some(timer);
            r
        }
        Err(e) => Err(e),
    };
    let ended = Instant::now();
    guard.armed = false;
    let latency_us = ended.saturating_duration_since(started.min(sent_at)).as_micros() as u64;
    let service_us = ended.saturating_duration_since(sent_at).as_micros() as u64;
    let mut outcome = StepOutcome::Continue;
    let mut stats = match vu.stats.lock() {
        Ok(s) => s,
        Err(poisoned) => poisoned.into_inner(),
    };
    match result {
        Ok(rx) => {
            let view = ResponseView { status: rx.status, headers: &rx.headers, body: rx.body.as_deref(), latency_us };
            let Evaluated { checks, error } = evaluate(step, &view);
            let hygiene = &mut stats.names[step.name_id].hygiene;
            hygiene.observe(&step.method, offered, rx.status, &rx.headers, rx.body_len, &rx.final_url);
            hygiene.observe_redirects(rx.hops);
            let o = Outcome {
                name_id: step.name_id,
                scenario_id: scenario.id,
                latency_us,
                service_us,
                status: Some(rx.status.as_u16()),
                error,
                bytes_in: rx.body_len + rx.header_bytes,
                bytes_out,
                checks: &checks,
            };
            let message = error.map(|k| match k {
                ErrorKind::CheckFailed => {
                    let failed: Vec<&str> = checks.iter().filter(|c| !c.1).map(|c| c.0).collect();
                    format!("check failed: {}", failed.join(", "))
                }
                _ => format!("HTTP {}", rx.status),
            });
            stats.record(&o, message.as_deref());
            drop(stats);
            super::checks::capture(vu, step, &rx.headers, rx.body.as_deref());
            if step.abort_on_fail && checks.iter().any(|c| !c.1) {
                outcome = StepOutcome::Abort;
            }
        }
        Err(e) => {
            let failed_checks: Vec<(&str, bool)> = step.checks.iter().map(|c| (c.name.as_str(), false)).collect();
            let o = Outcome {
                name_id: step.name_id,
                scenario_id: scenario.id,
                latency_us,
                service_us,
                status: None,
                error: Some(e.kind),
                bytes_in: 0,
                bytes_out,
                checks: &failed_checks,
            };
            stats.record(&o, Some(&e.message));
            outcome = StepOutcome::Abort;
        }
    }
    outcome
}

/// Approximate bytes on the wire: request line, headers (incl. Host) and body.
fn request_bytes(p: &Prepared) -> u64 {
    let head: usize = p.headers.iter().map(|(k, v)| k.as_str().len() + v.len() + 4).sum();
    let target = p.uri.path_and_query().map_or(1, |pq| pq.as_str().len());
    let host = p.uri.authority().map_or(0, |a| a.as_str().len() + 8);
    (p.method.as_str().len() + target + host + 13 + head + p.body.len()) as u64
}

fn prepare(
    vu: &Vu,
    scenario: &ScenarioRt,
    step: &RequestStep,
    static_uri: Option<&Uri>,
) -> Result<Prepared, RequestError> {
    let vars = VuVars { vu, scenario };
    let uri = match static_uri {
        Some(u) => u.clone(),
        None => render_uri(step, &vars)?,
    };
    let mut headers =
        if step.headers.is_empty() { HeaderMap::new() } else { HeaderMap::with_capacity(step.headers.len() + 2) };
    for (name, value) in &step.headers {
        let v = value.render(&vars);
        let v = HeaderValue::from_str(&v)
            .map_err(|_| RequestError::new(ErrorKind::Protocol, format!("invalid value for header {name}")))?;
        headers.append(name.clone(), v);
    }
    let (body, content_type) = match &step.body {
        Body::Empty => (Bytes::new(), None),
        Body::Raw { content, content_type } => (Bytes::from(content.render(&vars).into_owned()), content_type.clone()),
        Body::Bytes { content, content_type } => (content.clone(), content_type.clone()),
        Body::Json(t) => {
            let v = t.render(&vars);
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
                s.push_str(&urlencode(&v.render(&vars)));
            }
            (Bytes::from(s), Some("application/x-www-form-urlencoded".to_string()))
        }
    };
    if let Some(ct) = content_type {
        if !headers.contains_key(CONTENT_TYPE) {
            if let Ok(v) = HeaderValue::from_str(&ct) {
                headers.insert(CONTENT_TYPE, v);
            }
        }
    }
    Ok(Prepared { method: step.method.clone(), uri, headers, body })
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

/// Sends, following redirects up to the plan's limit.
async fn send_following(
    vu: &mut Vu,
    run: &RunShared,
    mut p: Prepared,
    keep_body: bool,
    name_id: usize,
) -> Result<Received, RequestError> {
    let mut hops = 0u64;
    loop {
        let (status, headers, body, body_len, header_bytes) = send_once(vu, run, &p, keep_body, name_id).await?;
        let location = headers.get(LOCATION).and_then(|l| l.to_str().ok());
        if status.is_redirection() && hops < u64::from(run.plan.http.max_redirects) {
            if let Some(next) = location.and_then(|l| resolve_location(&p.uri, l)) {
                hops += 1;
                if matches!(status.as_u16(), 301..=303) && p.method != Method::HEAD {
                    p.method = Method::GET;
                    p.body = Bytes::new();
                    p.headers.remove(CONTENT_TYPE);
                }
                p.uri = next;
                continue;
            }
        }
        return Ok(Received { status, headers, body, body_len, header_bytes, hops, final_url: p.uri.clone() });
    }
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

type Head = (StatusCode, HeaderMap, Option<Bytes>, u64, u64);

async fn send_once(
    vu: &mut Vu,
    run: &RunShared,
    p: &Prepared,
    keep_body: bool,
    name_id: usize,
) -> Result<Head, RequestError> {
    let origin = Origin::from_uri(&p.uri)?;
    let (conn, was_closed) = vu.take_conn(&origin);
    if was_closed {
        if let Ok(mut s) = vu.stats.lock() {
            s.names[name_id].hygiene.reconnects += 1;
        }
    }
    let (mut conn, host) = match conn {
        Some(c) => c,
        None => {
            let host = p
                .uri
                .authority()
                .and_then(|a| HeaderValue::from_str(a.as_str()).ok())
                .unwrap_or_else(|| HeaderValue::from_static("localhost"));
            (run.connector.connect(&origin).await?, host)
        }
    };
    let head = match &mut conn {
        Conn::H1(h1) => {
            let target = p.uri.path_and_query().map_or("/", |pq| pq.as_str());
            h1.encode(&p.method, target, &host, &p.headers, &p.body);
            match h1.round_trip(p.method == Method::HEAD, keep_body).await {
                Ok(r) => Ok((r.status, r.headers, r.body, r.body_len, r.head_len)),
                // A keep-alive connection the server closed while idle: retry once on a
                // fresh connection for idempotent methods (as browsers do).
                Err(e) if e.stale_connection && p.method.is_idempotent() => {
                    if let Ok(mut s) = vu.stats.lock() {
                        s.names[name_id].hygiene.reconnects += 1;
                    }
                    conn = run.connector.connect(&origin).await?;
                    match &mut conn {
                        Conn::H1(fresh) => {
                            fresh.encode(&p.method, target, &host, &p.headers, &p.body);
                            let r = fresh.round_trip(p.method == Method::HEAD, keep_body).await?;
                            Ok((r.status, r.headers, r.body, r.body_len, r.head_len))
                        }
                        Conn::H2(_) => send_h2(&mut conn, p, keep_body).await,
                    }
                }
                Err(e) => Err(e),
            }
        }
        Conn::H2(_) => send_h2(&mut conn, p, keep_body).await,
    }?;
    if conn.is_closed() {
        if let Ok(mut s) = vu.stats.lock() {
            s.names[name_id].hygiene.connection_close += u64::from(!head.1.contains_key(http::header::CONNECTION));
        }
    } else {
        vu.put_conn(origin, conn, host);
    }
    let (status, headers, body, len, header_bytes) = head;
    let body = body.map(|b| super::checks::decode_body(&headers, b));
    Ok((status, headers, body, len, header_bytes))
}

async fn send_h2(conn: &mut Conn, p: &Prepared, keep_body: bool) -> Result<Head, RequestError> {
    let mut req = Request::new(Full::new(p.body.clone()));
    *req.method_mut() = p.method.clone();
    *req.headers_mut() = p.headers.clone();
    *req.uri_mut() = p.uri.clone();
    let resp = conn.send_h2(req).await?;
    let (parts, mut body) = resp.into_parts();
    let header_bytes: u64 = 9 + parts.headers.iter().map(|(k, v)| (k.as_str().len() + v.len() + 4) as u64).sum::<u64>();
    let mut kept = keep_body.then(BytesMut::new);
    let mut len = 0u64;
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| RequestError::from_hyper(&e))?;
        if let Ok(data) = frame.into_data() {
            len += data.len() as u64;
            if let Some(k) = kept.as_mut() {
                k.extend_from_slice(&data);
            }
        }
    }
    Ok((parts.status, parts.headers, kept.map(BytesMut::freeze), len, header_bytes))
}
