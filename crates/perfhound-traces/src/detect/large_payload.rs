//! `PH-TRACE012 large-http-payload`
//!
//! **What it detects**: HTTP responses (served or fetched) or request bodies larger than
//! the threshold, from `http.response.body.size` / `http.response_content_length` /
//! `Content-Length` attributes.
//!
//! **Why it matters**: transfer time grows with size — on mobile networks hundreds of
//! milliseconds per 300 kB — and so do memory, serialization time and egress costs.
//!
//! **Example**: `GET /api/products` returns 2.4 MB of JSON because it embeds every
//! product's full description and images.
//!
//! **Fix**: paginate, select only the fields the client uses, compress, or split the
//! resource; cache it if it is static.
//!
//! **Thresholds** (`payload`): `large_bytes` = 300 000 (Sentry's default).

use super::util::occurrence;
use super::{Claims, Context, Detector, Occurrence};
use crate::aggregate::Group;
use crate::classify::Category;
use crate::config::Config;
use crate::describe::{kb, short};
use crate::trace::Trace;
use perfhound_model::{Rule, Severity};
use std::sync::Arc;

pub const RULE: Rule = Rule {
    code: "PH-TRACE012",
    name: "large-http-payload",
    severity: Severity::Info,
    summary: "HTTP payloads larger than 300 kB are sent or received.",
    why: "Transfer, serialization and memory costs grow with size; large payloads dominate latency on slow networks and cost egress.",
    fix: "Paginate, return only the fields clients use, compress, split the resource or cache it.",
};

pub fn detect(t: &Trace, cfg: &Config, _claims: &mut Claims, out: &mut Vec<Occurrence>) {
    for (i, n) in t.nodes.iter().enumerate() {
        let http = n.class.category == Category::Http
            || (n.class.category == Category::Entry && n.span.attrs.http_method.is_some());
        if !http {
            continue;
        }
        let size = n.span.attrs.response_size.unwrap_or(0).max(n.span.attrs.request_size.unwrap_or(0));
        if size >= cfg.payload.large_bytes.max(1) {
            let key =
                if n.class.category == Category::Entry { Arc::clone(&n.endpoint) } else { Arc::clone(&n.class.label) };
            let mut o = occurrence(&RULE, t, &[i], key);
            o.bytes = size;
            out.push(o);
        }
    }
}

/// The rule's detector (registered in [`super::DETECTORS`]).
pub struct LargePayload;

impl Detector for LargePayload {
    fn detect(&self, t: &Trace, cfg: &Config, claims: &mut Claims, out: &mut Vec<Occurrence>) {
        detect(t, cfg, claims, out);
    }

    fn title(&self, g: &Group, _cx: &Context) -> String {
        format!("Large HTTP payload (up to {}): {}", kb(g.max_bytes), short(&g.key, 100))
    }

    fn time_based(&self) -> bool {
        false
    }
}
