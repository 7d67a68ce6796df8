//! `PH-TRACE014 excessive-fan-out`
//!
//! **What it detects**: one parent span launching many calls (database, HTTP, RPC,
//! cache) that run concurrently — a scatter/gather that sends one request per item.
//!
//! **Why it matters**: the request is as slow as the slowest of N calls (tail latency
//! amplification: with 50 calls, the p98 of the callee becomes your median), it loads the
//! callee N times, and it exhausts connection pools under load.
//!
//! **Example**: `GET /dashboard` sends 80 concurrent `GET http://metrics/series/{id}`.
//!
//! **Fix**: batch the calls (one request for N ids), bound the concurrency, or precompute
//! and cache the aggregate.
//!
//! **Thresholds** (`fan_out`): `min_children` = 20 calls under one parent of which
//! `min_concurrency` = 4 run at the same time. Sequential loops are the N+1 rules' case.

use super::util::{max_concurrency, occurrence};
use super::{Claims, Context, Detector, Occurrence};
use crate::aggregate::Group;
use crate::config::Config;
use crate::trace::Trace;
use perfhound_model::{Effort, Rule, Severity};
use std::sync::Arc;

pub const RULE: Rule = Rule {
    code: "PH-TRACE014",
    name: "excessive-fan-out",
    severity: Severity::Info,
    summary: "One span launches many concurrent calls (scatter/gather of one request per item).",
    why: "The request waits for the slowest of N calls (tail-latency amplification), loads the callee N times and drains connection pools under load.",
    fix: "Batch the calls into one request for N items, bound the concurrency, or precompute and cache the aggregate.",
};

pub fn detect(t: &Trace, cfg: &Config, _claims: &mut Claims, out: &mut Vec<Occurrence>) {
    let c = &cfg.fan_out;
    for n in &t.nodes {
        if n.children.len() < c.min_children.max(2) as usize {
            continue;
        }
        let calls: Vec<usize> = n.children.iter().copied().filter(|&i| t.nodes[i].class.category.is_io()).collect();
        if calls.len() < c.min_children.max(2) as usize {
            continue;
        }
        let conc = max_concurrency(t, &calls);
        if conc >= c.min_concurrency.max(2) as usize {
            let mut o = occurrence(&RULE, t, &calls, Arc::clone(&n.class.label));
            o.note = Some(format!("{} calls, up to {conc} at once, under `{}`", calls.len(), n.span.name));
            out.push(o);
        }
    }
}

/// The rule's detector (registered in [`super::DETECTORS`]).
pub struct FanOut;

impl Detector for FanOut {
    fn per_endpoint(&self) -> bool {
        true
    }

    fn detect(&self, t: &Trace, cfg: &Config, claims: &mut Claims, out: &mut Vec<Occurrence>) {
        detect(t, cfg, claims, out);
    }

    fn title(&self, g: &Group, cx: &Context) -> String {
        let endpoint = cx.endpoint;
        format!("Fan-out of {} calls from one span in {endpoint}", g.max_calls)
    }

    fn time_based(&self) -> bool {
        false
    }

    fn effort(&self) -> Effort {
        Effort::LongTerm
    }
}
