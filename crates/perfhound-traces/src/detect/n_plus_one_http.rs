//! `PH-TRACE002 n-plus-one-http-call`
//!
//! **What it detects**: the same outbound HTTP or RPC endpoint (same method and URL
//! template, different ids) called one after another under one parent span.
//!
//! **Why it matters**: every call pays connection, serialization and network latency of a
//! remote service; N sequential calls multiply it, and load the callee N times.
//!
//! **Example**: `GET /cart` calls `GET http://catalog/products/{id}` once per cart line.
//!
//! **Fix**: use (or add) a batch endpoint (`GET /products?ids=1,2,3`), or cache the
//! responses; if calls must stay separate, issue them concurrently.
//!
//! Calls issued concurrently are still N calls and N× the callee's load: reported as a
//! parallel N+1 (its saving is the calls' wall-clock time minus the longest one).
//!
//! **Thresholds** (`n_plus_one_http`): `min_repeats` = 5 calls, `min_total_ms` = 0 (the
//! severity scale decides how much it matters). Not reported: calls under different
//! parents, identical URLs (those are `redundant-call`).

use super::util::{parents_with, repeated_groups, repeats_occurrence};
use super::{Claims, Context, Detector, Occurrence};
use crate::aggregate::Group;
use crate::config::Config;
use crate::describe::short;
use crate::trace::Trace;
use perfhound_model::{Rule, Severity};

pub const RULE: Rule = Rule {
    code: "PH-TRACE002",
    name: "n-plus-one-http-call",
    severity: Severity::Warning,
    summary: "The same remote endpoint is called once per item, one call after another (N+1 over HTTP/RPC).",
    why: "Each call pays the full network and remote-service latency; N sequential calls multiply it and load the callee N times.",
    fix: "Call a batch endpoint once (e.g. `?ids=1,2,3`), cache the responses, or at least issue the calls concurrently.",
};

pub fn detect(t: &Trace, cfg: &Config, claims: &mut Claims, out: &mut Vec<Occurrence>) {
    let c = &cfg.n_plus_one_http;
    for p in parents_with(t, c.min_repeats.max(2) as usize) {
        for g in repeated_groups(t, p, c, claims, |n| n.class.category.is_remote_call()) {
            out.push(repeats_occurrence(&RULE, t, &g, cfg));
            claims.claim(&g);
        }
    }
}

/// The rule's detector (registered in [`super::DETECTORS`]).
pub struct NPlusOneHttp;

impl Detector for NPlusOneHttp {
    fn per_endpoint(&self) -> bool {
        true
    }

    fn detect(&self, t: &Trace, cfg: &Config, claims: &mut Claims, out: &mut Vec<Occurrence>) {
        detect(t, cfg, claims, out);
    }

    fn title(&self, g: &Group, cx: &Context) -> String {
        let endpoint = cx.endpoint;
        let what = if g.concurrent { "N+1 HTTP calls (parallel)" } else { "N+1 HTTP calls" };
        format!("{what}: {} calls per request in {endpoint}: {}", g.max_calls, short(&g.key, 100))
    }
}
