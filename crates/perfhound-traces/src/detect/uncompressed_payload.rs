//! `PH-TRACE013 uncompressed-http-payload`
//!
//! **What it detects**: compressible HTTP responses (JSON, HTML, JS, CSS, XML, text) above
//! the threshold sent without `Content-Encoding` — only when the instrumentation captured
//! the response headers (`http.response.header.content-encoding` / `content-type`) or the
//! uncompressed size equals the transferred size, so absence of evidence is never
//! reported as a finding.
//!
//! **Why it matters**: text compresses 3–10×; uncompressed responses waste bandwidth and
//! add transfer time to every request.
//!
//! **Example**: `GET /api/catalog` returns 900 kB of JSON with no `Content-Encoding`.
//!
//! **Fix**: enable gzip or brotli for text types in the server or reverse proxy
//! (e.g. `gzip on; gzip_types application/json text/css application/javascript;`).
//!
//! **Thresholds** (`payload`): `uncompressed_min_bytes` = 10 000. Saving estimated at 70 %
//! of the size.

use super::util::occurrence;
use super::{Claims, Context, Detector, Occurrence};
use crate::aggregate::Group;
use crate::classify::Category;
use crate::config::Config;
use crate::describe::{kb, short};
use crate::span::Attrs;
use crate::trace::Trace;
use perfhound_model::{Effort, Finding, Rule, Severity};
use std::sync::Arc;

pub const RULE: Rule = Rule {
    code: "PH-TRACE013",
    name: "uncompressed-http-payload",
    severity: Severity::Warning,
    summary: "Compressible HTTP responses are sent without Content-Encoding.",
    why: "Text compresses 3-10x: uncompressed JSON/HTML/JS/CSS wastes bandwidth and adds transfer time to every request.",
    fix: "Enable gzip or brotli for text content types in the server or reverse proxy (e.g. nginx `gzip on; gzip_types application/json ...`).",
};

fn compressible(content_type: &str) -> bool {
    let ct = content_type.to_ascii_lowercase();
    ["json", "text/", "javascript", "xml", "css", "html", "svg", "csv", "graphql"].iter().any(|k| ct.contains(k))
}

/// Some(true) when the response is known to be uncompressed, None when unknown.
fn uncompressed(a: &Attrs, size: u64) -> Option<bool> {
    if let Some(raw) = a.response_uncompressed_size {
        return Some(raw == size);
    }
    let encoding = a.content_encoding.as_deref()?;
    let ct = a.content_type.as_deref()?;
    Some(compressible(ct) && (encoding.is_empty() || encoding.eq_ignore_ascii_case("identity")))
}

pub fn detect(t: &Trace, cfg: &Config, _claims: &mut Claims, out: &mut Vec<Occurrence>) {
    for (i, n) in t.nodes.iter().enumerate() {
        let http = n.class.category == Category::Http
            || (n.class.category == Category::Entry && n.span.attrs.http_method.is_some());
        let Some(size) = n.span.attrs.response_size.filter(|&s| http && s >= cfg.payload.uncompressed_min_bytes.max(1))
        else {
            continue;
        };
        if uncompressed(&n.span.attrs, size) == Some(true) {
            let key =
                if n.class.category == Category::Entry { Arc::clone(&n.endpoint) } else { Arc::clone(&n.class.label) };
            let mut o = occurrence(&RULE, t, &[i], key);
            o.bytes = size * 7 / 10;
            out.push(o);
        }
    }
}

/// The rule's detector (registered in [`super::DETECTORS`]).
pub struct UncompressedPayload;

impl Detector for UncompressedPayload {
    fn detect(&self, t: &Trace, cfg: &Config, claims: &mut Claims, out: &mut Vec<Occurrence>) {
        detect(t, cfg, claims, out);
    }

    fn title(&self, g: &Group, _cx: &Context) -> String {
        format!("Uncompressed HTTP response (~{} could be saved): {}", kb(g.max_bytes), short(&g.key, 100))
    }

    fn time_based(&self) -> bool {
        false
    }

    fn evidence(&self, g: &Group, _cx: &Context, f: &mut Finding) {
        f.evidence.notes.push(format!("calls: {}", g.key));
        if g.bytes > 0 {
            f.impact.bytes_saved_per_request = Some(g.bytes / g.occurrences.max(1));
        }
    }

    fn effort(&self) -> Effort {
        Effort::QuickWin
    }
}
