//! `PH-TRACE007 slow-http-call`
//!
//! **What it detects**: a single outbound HTTP or RPC call that took longer than the
//! threshold.
//!
//! **Why it matters**: the caller waits for the slowest dependency; without a timeout or a
//! cache, a slow dependency becomes your latency (and your outage).
//!
//! **Example**: `GET http://recommendations/users/{id}` takes 3.2 s inside `GET /home`.
//!
//! **Fix**: set a timeout and a fallback, cache the response, call it asynchronously (or
//! off the request path), or fix the dependency (its own traces will say why).
//!
//! **Thresholds** (`slow_http`): `min_ms` = 1000, critical from `critical_ms` = 5000. The
//! estimated saving is the time above `min_ms`.

use super::util::{occurrence, us};
use super::{Claims, Context, Detector, Occurrence};
use crate::aggregate::Group;
use crate::config::Config;
use crate::describe::{critical_from, ms, short};
use crate::trace::Trace;
use perfhound_model::{Finding, Rule, Severity};
use std::sync::Arc;

pub const RULE: Rule = Rule {
    code: "PH-TRACE007",
    name: "slow-http-call",
    severity: Severity::Warning,
    summary: "An outbound HTTP/RPC call took longer than the slow-call threshold.",
    why: "The request waits for its slowest dependency; without a timeout, cache or fallback a slow dependency becomes your latency.",
    fix: "Add a timeout and a fallback, cache the response, move the call off the request path, or fix the dependency itself.",
};

pub fn detect(t: &Trace, cfg: &Config, _claims: &mut Claims, out: &mut Vec<Occurrence>) {
    let min = us(cfg.slow_http.min_ms);
    for (i, n) in t.nodes.iter().enumerate() {
        if n.class.category.is_remote_call() && n.span.duration_us() >= min.max(1) {
            let mut o = occurrence(&RULE, t, &[i], Arc::clone(&n.class.label));
            o.saved_us = o.total_us.saturating_sub(min);
            out.push(o);
        }
    }
}

/// The rule's detector (registered in [`super::DETECTORS`]).
pub struct SlowHttp;

impl Detector for SlowHttp {
    fn detect(&self, t: &Trace, cfg: &Config, claims: &mut Claims, out: &mut Vec<Occurrence>) {
        detect(t, cfg, claims, out);
    }

    fn title(&self, g: &Group, cx: &Context) -> String {
        let endpoint = cx.endpoint;
        format!("Slow outbound call (up to {}) in {endpoint}: {}", ms(g.max_total_us), short(&g.key, 100))
    }

    fn escalate(&self, g: &Group, cx: &Context, f: &mut Finding) {
        critical_from(g, cx.cfg.slow_http.critical_ms, f);
    }
}
