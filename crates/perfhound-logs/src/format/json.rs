//! JSON-lines access logs: nginx `escape=json` formats, Caddy, Traefik, and any other
//! shape (ALB-style exports) through a field mapping (`--field status=elb_status_code`).
//!
//! Each field has a list of candidate keys (dotted paths reach into objects, as Caddy's
//! `request.uri`); the first one present wins. Durations carry a unit per key (Traefik's
//! `Duration` is nanoseconds, Caddy's `duration` seconds).

use crate::record::{self, absent, Record};
use serde_json::Value;

/// A field of [`Record`] a JSON key can feed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Key {
    Method,
    Target,
    Request,
    Status,
    Bytes,
    Time,
    Duration,
    Upstream,
    Client,
    User,
    SetCookie,
    Credentials,
}

const KEYS: &[(&str, Key)] = &[
    ("method", Key::Method),
    ("path", Key::Target),
    ("request", Key::Request),
    ("status", Key::Status),
    ("bytes", Key::Bytes),
    ("time", Key::Time),
    ("duration", Key::Duration),
    ("upstream", Key::Upstream),
    ("client", Key::Client),
    ("user", Key::User),
    ("set_cookie", Key::SetCookie),
    ("credentials", Key::Credentials),
];

/// Default candidates: (key, path, unit in microseconds per value unit).
const DEFAULTS: &[(Key, &str, f64)] = &[
    (Key::Method, "request_method", 0.0),
    (Key::Method, "method", 0.0),
    (Key::Method, "request.method", 0.0),
    (Key::Method, "RequestMethod", 0.0),
    (Key::Target, "request_uri", 0.0),
    (Key::Target, "uri", 0.0),
    (Key::Target, "request.uri", 0.0),
    (Key::Target, "RequestPath", 0.0),
    (Key::Target, "path", 0.0),
    (Key::Target, "url", 0.0),
    (Key::Request, "request", 0.0),
    (Key::Status, "status", 0.0),
    (Key::Status, "DownstreamStatus", 0.0),
    (Key::Status, "status_code", 0.0),
    (Key::Status, "elb_status_code", 0.0),
    (Key::Bytes, "body_bytes_sent", 0.0),
    (Key::Bytes, "size", 0.0),
    (Key::Bytes, "DownstreamContentSize", 0.0),
    (Key::Bytes, "bytes_sent", 0.0),
    (Key::Bytes, "sent_bytes", 0.0),
    (Key::Time, "time_iso8601", 0.0),
    (Key::Time, "time_local", 0.0),
    (Key::Time, "ts", 0.0),
    (Key::Time, "StartUTC", 0.0),
    (Key::Time, "time", 0.0),
    (Key::Time, "timestamp", 0.0),
    (Key::Time, "msec", 0.0),
    (Key::Duration, "request_time", 1e6),
    (Key::Duration, "duration", 1e6),
    (Key::Duration, "Duration", 1e-3),
    (Key::Duration, "target_processing_time", 1e6),
    (Key::Upstream, "upstream_response_time", 1e6),
    (Key::Upstream, "OriginDuration", 1e-3),
    (Key::Client, "remote_addr", 0.0),
    (Key::Client, "request.client_ip", 0.0),
    (Key::Client, "request.remote_ip", 0.0),
    (Key::Client, "ClientHost", 0.0),
    (Key::Client, "client_ip", 0.0),
    (Key::User, "remote_user", 0.0),
    (Key::User, "user_id", 0.0),
    (Key::SetCookie, "sent_http_set_cookie", 0.0),
    (Key::SetCookie, "upstream_http_set_cookie", 0.0),
    (Key::SetCookie, "resp_headers.Set-Cookie", 0.0),
    (Key::SetCookie, "downstream_Set-Cookie", 0.0),
    (Key::Credentials, "http_authorization", 0.0),
    (Key::Credentials, "http_cookie", 0.0),
    (Key::Credentials, "request.headers.Authorization", 0.0),
    (Key::Credentials, "request.headers.Cookie", 0.0),
    (Key::Credentials, "request_Authorization", 0.0),
    (Key::Credentials, "request_Cookie", 0.0),
];

/// Objects whose presence means "headers are logged": a missing cookie header inside
/// them is a known absence (Caddy logs every header).
const HEADER_OBJECTS: &[(Key, &str)] = &[(Key::SetCookie, "resp_headers"), (Key::Credentials, "request.headers")];

/// The mapping of JSON keys to fields.
#[derive(Clone, Debug)]
pub struct JsonFormat {
    candidates: Vec<(Key, Vec<String>, f64)>,
}

/// The parsed value a [`Record`] from a JSON line borrows from.
#[derive(Default)]
pub struct Scratch {
    value: Value,
}

impl JsonFormat {
    /// The default mapping with `overrides` (`status=elb_status_code`,
    /// `duration=target_processing_time:ms`) put first.
    pub fn new(overrides: &[String]) -> Result<JsonFormat, String> {
        let mut candidates: Vec<(Key, Vec<String>, f64)> = Vec::new();
        for o in overrides {
            candidates.push(parse_override(o)?);
        }
        for (k, path, unit) in DEFAULTS {
            candidates.push((*k, path.split('.').map(str::to_string).collect(), *unit));
        }
        Ok(JsonFormat { candidates })
    }

    pub fn parse<'a>(&self, line: &str, scratch: &'a mut Scratch) -> Result<Record<'a>, String> {
        scratch.value = serde_json::from_str(line).map_err(|e| format!("not a JSON object: {e}"))?;
        let v = &scratch.value;
        if !v.is_object() {
            return Err("a JSON line that is not an object".into());
        }
        let mut rec = Record::default();
        let mut seen = [false; KEYS.len()];
        for (key, path, unit) in &self.candidates {
            let slot = KEYS.iter().position(|(_, k)| k == key).unwrap_or(0);
            if seen[slot] {
                continue;
            }
            if let Some(found) = lookup(v, path) {
                seen[slot] = assign(&mut rec, *key, found, *unit)?;
            }
        }
        for (key, object) in HEADER_OBJECTS {
            let known = lookup(v, &object.split('.').map(str::to_string).collect::<Vec<_>>()).is_some();
            match key {
                Key::SetCookie if known && rec.set_cookie.is_none() => rec.set_cookie = Some(false),
                Key::Credentials if known && rec.authorized.is_none() => rec.authorized = Some(false),
                _ => {}
            }
        }
        if rec.target.is_empty() {
            return Err("no request path field (request_uri, uri, request.uri, RequestPath, path, url; map one with --field path=KEY)".into());
        }
        if rec.status == 0 {
            return Err(
                "no status field (status, DownstreamStatus, status_code; map one with --field status=KEY)".into()
            );
        }
        Ok(rec)
    }
}

fn parse_override(o: &str) -> Result<(Key, Vec<String>, f64), String> {
    let (name, path) =
        o.split_once('=').ok_or_else(|| format!("--field `{o}`: expected NAME=KEY, e.g. status=elb_status_code"))?;
    let key = KEYS.iter().find(|(n, _)| *n == name).map(|(_, k)| *k).ok_or_else(|| {
        let names: Vec<&str> = KEYS.iter().map(|(n, _)| *n).collect();
        format!("--field `{o}`: unknown field `{name}` (one of {})", names.join(", "))
    })?;
    let (path, unit) = match path.rsplit_once(':') {
        Some((p, "s")) => (p, 1e6),
        Some((p, "ms")) => (p, 1e3),
        Some((p, "us")) => (p, 1.0),
        Some((p, "ns")) => (p, 1e-3),
        Some((_, u)) => return Err(format!("--field `{o}`: unit `{u}` is not s, ms, us or ns")),
        None => (path, 1e6),
    };
    if path.is_empty() {
        return Err(format!("--field `{o}`: empty key"));
    }
    Ok((key, path.split('.').map(str::to_string).collect(), unit))
}

fn lookup<'v>(v: &'v Value, path: &[String]) -> Option<&'v Value> {
    path.iter().try_fold(v, |cur, part| cur.get(part.as_str())).filter(|x| !x.is_null())
}

/// Sets one field; `Ok(false)` when the value is empty (`-`, `""`) so a later candidate
/// may still fill it.
fn assign<'a>(rec: &mut Record<'a>, key: Key, v: &'a Value, unit: f64) -> Result<bool, String> {
    let text = v.as_str();
    if text.is_some_and(absent) {
        return Ok(false);
    }
    let number = || v.as_f64().or_else(|| text.and_then(|t| t.trim().parse::<f64>().ok()));
    let bad = |what: &str| format!("field {key:?}: `{}` is not {what}", perfhound_term::clip(&v.to_string(), 40));
    match key {
        Key::Method => rec.method = text.ok_or_else(|| bad("a string"))?,
        Key::Target => rec.target = text.ok_or_else(|| bad("a string"))?,
        Key::Request => match text.and_then(record::split_request) {
            Some((m, t)) => (rec.method, rec.target) = (m, t),
            None => return Ok(false),
        },
        Key::Status => {
            rec.status = number().filter(|s| (0.0..1000.0).contains(s)).ok_or_else(|| bad("a status"))? as u16
        }
        Key::Bytes => rec.bytes = number().filter(|b| *b >= 0.0).ok_or_else(|| bad("a byte count"))? as u64,
        Key::Time => {
            let t = match (v.as_f64(), text) {
                (Some(n), _) if n > 1e12 => Some((n / 1000.0) as i64),
                (Some(n), _) => Some(n as i64),
                (None, Some(t)) => crate::timefmt::parse(t),
                _ => None,
            };
            rec.time_s = Some(t.ok_or_else(|| bad("a time"))?);
        }
        Key::Duration | Key::Upstream => {
            let us = match text {
                Some(t) if unit == 1e6 && (t.contains(',') || t.contains(':')) => record::upstream_list_us(t),
                _ => number().filter(|n| *n >= 0.0).map(|n| (n * unit) as u64),
            };
            let us = Some(us.ok_or_else(|| bad("a duration"))?);
            if key == Key::Duration {
                rec.request_us = us
            } else {
                rec.upstream_us = us
            }
        }
        Key::Client => rec.client = text.ok_or_else(|| bad("a string"))?,
        Key::User => rec.user = text.unwrap_or(""),
        Key::SetCookie => rec.set_cookie = Some(!is_empty_value(v)),
        Key::Credentials => rec.authorized = Some(rec.authorized == Some(true) || !is_empty_value(v)),
    }
    Ok(true)
}

fn is_empty_value(v: &Value) -> bool {
    match v {
        Value::String(s) => absent(s),
        Value::Array(a) => a.is_empty(),
        Value::Null => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type Fields = (String, String, u16, Option<u64>, Option<bool>, Option<bool>);

    fn parse(line: &str, overrides: &[&str]) -> Result<Fields, String> {
        let o: Vec<String> = overrides.iter().map(|s| s.to_string()).collect();
        let f = JsonFormat::new(&o)?;
        let mut s = Scratch::default();
        let r = f.parse(line, &mut s)?;
        Ok((r.method.into(), r.target.into(), r.status, r.request_us, r.set_cookie, r.authorized))
    }

    #[test]
    fn caddy_traefik_nginx() {
        let caddy = r#"{"ts":1796521221.5,"request":{"remote_ip":"127.0.0.1","method":"GET","uri":"/p/1","headers":{"Authorization":["REDACTED"]}},"duration":0.0412,"size":10,"status":200,"resp_headers":{"Server":["Caddy"]}}"#;
        assert_eq!(
            parse(caddy, &[]).unwrap(),
            ("GET".into(), "/p/1".into(), 200, Some(41_200), Some(false), Some(true))
        );
        let traefik = r#"{"ClientHost":"1.2.3.4","DownstreamStatus":404,"Duration":2500000,"RequestMethod":"GET","RequestPath":"/x","StartUTC":"2026-12-06T01:40:21Z"}"#;
        assert_eq!(parse(traefik, &[]).unwrap(), ("GET".into(), "/x".into(), 404, Some(2_500), None, None));
        let nginx = r#"{"request":"GET /a?b=1 HTTP/1.1","status":"200","request_time":"0.005","upstream_response_time":"0.002, 0.001"}"#;
        assert_eq!(parse(nginx, &[]).unwrap().3, Some(5_000));
    }

    #[test]
    fn mapped_fields_and_errors() {
        let alb = r#"{"elb_status_code":"503","request_url":"https://shop/x","target_processing_time":"12","request_verb":"GET"}"#;
        let got =
            parse(alb, &["path=request_url", "duration=target_processing_time:ms", "method=request_verb"]).unwrap();
        assert_eq!((got.2, got.3, got.0.as_str()), (503, Some(12_000), "GET"));
        assert!(parse(alb, &["latency=x"]).unwrap_err().contains("unknown field"));
        assert!(parse("[1]", &[]).unwrap_err().contains("not an object"));
        assert!(parse(r#"{"status":200}"#, &[]).unwrap_err().contains("--field path="));
    }
}
