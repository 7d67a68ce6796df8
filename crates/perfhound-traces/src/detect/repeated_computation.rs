//! `PH-TRACE015 repeated-computation`
//!
//! **What it detects**: the same expensive in-process computation — an internal span with
//! the same name and the same recorded inputs — running again and again across requests,
//! without I/O writes inside: a result nobody caches.
//!
//! **Why it matters**: each request pays the full price for an answer the previous request
//! already computed. Under load the CPU (or the database under it) does the same work N
//! times per second; a cache turns it into one computation per expiry period.
//!
//! **Example**: `GET /api/reports/sales-summary` aggregates 100k orders in every request
//! (span `compute sales_summary`, `app.report.period = "30d"`, 35 ms each).
//!
//! **Fix**: memoize it (a TTL cache keyed by the inputs: `moka`, `functools.lru_cache`,
//! Caffeine, Redis), precompute it on a schedule, or serve it with HTTP caching headers.
//!
//! **Thresholds** (`repeated_computation`): spans of at least `min_ms` = 10, with identical
//! name and inputs in at least `min_repeats` = 10 requests. Inputs are the span's attributes
//! perfhound does not otherwise interpret, minus per-request identifiers (`*.id`, thread,
//! socket and network attributes). Without recorded inputs the finding is `info` and low
//! confidence: the computation repeats, but it may depend on data that differs per request.
//! A web framework's own layers (Express `middleware - …` spans and the like) are not
//! computations: they wrap the handler, whatever it does.

use super::util::{occurrence, us};
use super::{Claims, Context, Detector, Occurrence, Recurrence};
use crate::aggregate::Group;
use crate::classify::{Category, Op};
use crate::config::Config;
use crate::describe::short;
use crate::trace::Trace;
use perfhound_model::{Confidence, Finding, Rule, Severity};
use std::sync::Arc;

pub const RULE: Rule = Rule {
    code: "PH-TRACE015",
    name: "repeated-computation",
    severity: Severity::Warning,
    summary: "The same expensive computation (same span, same inputs) runs again in request after request: a missing cache.",
    why: "Every request pays the full price for a result an earlier request already computed; under load the same work is done many times per second.",
    fix: "Cache the result keyed by its inputs (TTL cache: moka, lru_cache, Caffeine, Redis), precompute it on a schedule, or use HTTP caching.",
};

/// True when the subtree under `i` changes state (a write, or a non-idempotent call):
/// caching such a computation would skip the side effect.
fn has_side_effects(t: &Trace, i: usize) -> bool {
    let mut stack = t.nodes[i].children.clone();
    while let Some(c) = stack.pop() {
        let n = &t.nodes[c];
        let write_call = match n.class.category {
            Category::Db | Category::Cache => matches!(n.class.op, Op::Write | Op::Commit | Op::Begin),
            Category::Http | Category::Rpc => n.class.op == Op::Write,
            Category::Messaging => true,
            _ => false,
        };
        if write_call {
            return true;
        }
        stack.extend_from_slice(&n.children);
    }
    false
}

/// A web framework's own layer (Express spans named `middleware - …`, `router - …` or
/// `request handler - …`): it wraps whatever the application does in that layer — the
/// handler's own code, awaited I/O — so its name and attributes are the framework's, not
/// the inputs of a computation. Recognized by the instrumentation's `<framework>.type`
/// attribute, or by the span names those instrumentations give when it is missing.
fn is_framework_layer(n: &crate::trace::Node) -> bool {
    const LAYER_NAMES: &[&str] = &["middleware - ", "router - ", "request handler - "];
    n.span.attrs.framework_layer || LAYER_NAMES.iter().any(|p| n.span.name.starts_with(p))
}

pub fn detect(t: &Trace, cfg: &Config, _claims: &mut Claims, out: &mut Vec<Occurrence>) {
    let min = us(cfg.repeated_computation.min_ms).max(1);
    for (i, n) in t.nodes.iter().enumerate() {
        let computation = n.class.category == Category::Internal && !is_framework_layer(n);
        if !computation || n.span.duration_us() < min || has_side_effects(t, i) {
            continue;
        }
        let key = match n.span.attrs.args_hash {
            Some(h) => format!("{} ({}) inputs#{h:016x}", n.span.name, n.span.service),
            None => format!("{} ({})", n.span.name, n.span.service),
        };
        let mut o = occurrence(&RULE, t, &[i], Arc::from(key));
        o.saved_us = o.total_us;
        o.weak = true;
        o.note = Some(match n.span.attrs.args_hash {
            Some(_) => "same span name and same recorded inputs in every occurrence".to_string(),
            None => "inputs not recorded on the span: the result may differ per request".to_string(),
        });
        out.push(o);
    }
}

/// The rule's detector (registered in [`super::DETECTORS`]).
pub struct RepeatedComputation;

impl Detector for RepeatedComputation {
    fn detect(&self, t: &Trace, cfg: &Config, claims: &mut Claims, out: &mut Vec<Occurrence>) {
        detect(t, cfg, claims, out);
    }

    fn title(&self, g: &Group, cx: &Context) -> String {
        let endpoint = cx.endpoint;
        let label = short(&g.key, 100);
        format!("Same computation repeated in {} requests, no cache, in {endpoint}: {label}", g.traces)
    }

    /// Without recorded inputs, equal names do not prove equal results.
    fn escalate(&self, g: &Group, _cx: &Context, f: &mut Finding) {
        if !g.key.contains(" inputs#") {
            f.severity = Severity::Info;
            f.confidence = Confidence::Low;
        }
    }

    /// Every occurrence is weak: reported once the computation repeats in `min_repeats` requests.
    fn recurrence(&self, cfg: &Config) -> Recurrence {
        Recurrence { min_requests: u64::from(cfg.repeated_computation.min_repeats.max(2)), min_share: 0.0 }
    }
}
