//! Checks and captures on a response.

use super::vu::Vu;
use crate::jsonpath::value_text;
use crate::plan::{CaptureSource, CheckKind, RequestStep};
use bytes::Bytes;
use http::{HeaderMap, StatusCode};
use perfhound_model::ErrorKind;
use std::io::Read;

/// The parts of a response checks look at.
pub struct ResponseView<'a> {
    pub status: StatusCode,
    pub headers: &'a HeaderMap,
    pub body: Option<&'a [u8]>,
    pub latency_us: u64,
}

/// Check results and the request's error classification.
pub struct Evaluated<'s> {
    pub checks: Vec<(&'s str, bool)>,
    pub error: Option<ErrorKind>,
}

/// Runs the step's checks and classifies the response.
///
/// A status ≥ 400 is an error unless a `status` check expects it; otherwise a failed
/// check makes the request `check_failed`.
pub fn evaluate<'s>(step: &'s RequestStep, r: &ResponseView<'_>) -> Evaluated<'s> {
    let mut json: Option<Option<serde_json::Value>> = None;
    let mut checks = Vec::with_capacity(step.checks.len());
    let mut status_checked = false;
    for check in &step.checks {
        let passed = match &check.kind {
            CheckKind::Status(codes) => {
                status_checked = true;
                codes.contains(&r.status.as_u16())
            }
            CheckKind::Header { name, equals, contains } => match r.headers.get(name).and_then(|v| v.to_str().ok()) {
                None => false,
                Some(v) => {
                    equals.as_ref().is_none_or(|e| v == e) && contains.as_ref().is_none_or(|c| v.contains(c.as_str()))
                }
            },
            CheckKind::BodyContains(needle) => r.body.is_some_and(|b| memfind(b, needle.as_bytes())),
            CheckKind::Json { path, equals } => {
                let doc = json.get_or_insert_with(|| r.body.and_then(|b| serde_json::from_slice(b).ok()));
                match doc.as_ref().and_then(|d| path.find(d)) {
                    None => false,
                    Some(found) => equals.as_ref().is_none_or(|e| json_equal(found, e)),
                }
            }
            CheckKind::LatencyBelow(limit) => (r.latency_us as u128) < limit.as_micros(),
        };
        checks.push((check.name.as_str(), passed));
    }
    let code = r.status.as_u16();
    let error = if !status_checked && code >= 500 {
        Some(ErrorKind::Http5xx)
    } else if !status_checked && code >= 400 {
        Some(ErrorKind::Http4xx)
    } else if checks.iter().any(|c| !c.1) {
        Some(ErrorKind::CheckFailed)
    } else {
        None
    };
    Evaluated { checks, error }
}

/// `1` equals `"1"` and `1.0`: YAML authors rarely mean the type difference.
fn json_equal(found: &serde_json::Value, expected: &serde_json::Value) -> bool {
    if found == expected {
        return true;
    }
    match (found.as_f64(), expected.as_f64()) {
        (Some(a), Some(b)) => a == b,
        _ => value_text(found) == value_text(expected),
    }
}

fn memfind(hay: &[u8], needle: &[u8]) -> bool {
    needle.is_empty() || hay.windows(needle.len()).any(|w| w == needle)
}

/// Stores the step's captures into the VU's slots (a miss leaves the slot unset).
pub fn capture(vu: &mut Vu, step: &RequestStep, headers: &HeaderMap, body: Option<&[u8]>) {
    if step.captures.is_empty() {
        return;
    }
    let mut json: Option<Option<serde_json::Value>> = None;
    for c in &step.captures {
        let value = match &c.source {
            CaptureSource::Header(name) => headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_string),
            CaptureSource::JsonPath(path) => {
                let doc = json.get_or_insert_with(|| body.and_then(|b| serde_json::from_slice(b).ok()));
                doc.as_ref().and_then(|d| path.find(d)).map(value_text)
            }
            CaptureSource::Regex { regex, group } => body
                .and_then(|b| std::str::from_utf8(b).ok())
                .and_then(|text| regex.captures(text))
                .and_then(|caps| caps.get(*group))
                .map(|m| m.as_str().to_string()),
        };
        if let Some(slot) = vu.slots.get_mut(c.slot) {
            *slot = value;
        }
    }
}

/// Decodes gzip/deflate bodies for checks and captures; other encodings pass through.
pub fn decode_body(headers: &HeaderMap, body: Bytes) -> Bytes {
    let encoding = headers.get(http::header::CONTENT_ENCODING).and_then(|v| v.to_str().ok()).unwrap_or("");
    let mut out = Vec::new();
    let ok = match encoding.trim() {
        "gzip" | "x-gzip" => flate2::read::MultiGzDecoder::new(&body[..]).read_to_end(&mut out).is_ok(),
        "deflate" => flate2::read::ZlibDecoder::new(&body[..]).read_to_end(&mut out).is_ok(),
        _ => return body,
    };
    if ok {
        Bytes::from(out)
    } else {
        body
    }
}
