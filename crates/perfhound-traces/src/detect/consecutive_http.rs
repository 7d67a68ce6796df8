//! `PH-TRACE005 consecutive-http-calls`
//!
//! **What it detects**: idempotent outbound calls (HTTP GET/HEAD, RPC) to different
//! endpoints made strictly one after another under one parent span (directly or each inside a thin
//! client-method span), with no code between them — independent calls that could run concurrently.
//!
//! **Why it matters**: remote calls are slow; waiting for them in sequence adds their
//! latencies instead of taking the longest.
//!
//! **Example**: `GET /checkout` calls pricing, inventory and shipping services, 800 ms
//! each, one after another: 2.4 s instead of 0.8 s.
//!
//! **Fix**: issue the calls concurrently (`asyncio.gather`, `Promise.all`,
//! `CompletableFuture.allOf`, an `errgroup`), with a timeout on the group.
//!
//! Unrelated spans between the calls — static resources (scripts, styles, images, fonts),
//! logging or metrics spans, short spans without I/O, spans running while a call is in
//! flight — do not break the sequence.
//!
//! **Thresholds** (`consecutive_http`): `min_calls` = 3 (Sentry's count), `min_saved_ms` =
//! 100 (Sentry's 2 s is tuned to keep production noise down; seed 001's dashboard —
//! 120 + 200 + 150 + 80 ms that would take 200 ms in parallel — saves 350 ms and must be
//! found), `max_gap_ms` = 10. Saving = sum − longest; severity from the saving and its
//! share of the request. Not reported: overlapping (parallel) calls, non-idempotent
//! methods (POST/PUT/PATCH/DELETE), calls separated by other work, the same call repeated
//! with the same parameters (`redundant-call`).

use super::util::{is_static_resource, joined_labels, max_us, occurrence, parents_with, serial_runs, us};
use super::{Claims, Context, Detector, Occurrence};
use crate::aggregate::Group;
use crate::classify::{Category, Op};
use crate::config::Config;
use crate::trace::Trace;
use perfhound_model::{Rule, Severity};
use std::sync::Arc;

pub const RULE: Rule = Rule {
    code: "PH-TRACE005",
    name: "consecutive-http-calls",
    severity: Severity::Warning,
    summary: "Independent outbound calls run one after another where they could run concurrently.",
    why: "The request waits for the sum of the remote latencies instead of the longest one.",
    fix: "Issue the calls concurrently (asyncio.gather, Promise.all, CompletableFuture.allOf, errgroup) with a timeout on the group.",
};

pub fn detect(t: &Trace, cfg: &Config, claims: &mut Claims, out: &mut Vec<Occurrence>) {
    let c = &cfg.consecutive_http;
    for p in parents_with(t, c.min_calls.max(2) as usize) {
        let runs = serial_runs(t, p, claims, us(c.max_gap_ms), |n| {
            (n.class.category == Category::Http && n.class.op == Op::Read && !is_static_resource(&n.class.label))
                || n.class.category == Category::Rpc
        });
        for run in runs {
            let distinct = run.iter().any(|&i| t.nodes[i].class.key != t.nodes[run[0]].class.key)
                || !super::util::same_parameters(t, &run);
            if run.len() < c.min_calls.max(2) as usize || !distinct {
                continue;
            }
            let mut o = occurrence(&RULE, t, &run, Arc::from(joined_labels(t, &run)));
            o.saved_us = o.total_us.saturating_sub(max_us(t, &run));
            if o.saved_us >= us(c.min_saved_ms) {
                claims.claim(&run);
                out.push(o);
            }
        }
    }
}

/// The rule's detector (registered in [`super::DETECTORS`]).
pub struct ConsecutiveHttp;

impl Detector for ConsecutiveHttp {
    fn per_endpoint(&self) -> bool {
        true
    }

    fn detect(&self, t: &Trace, cfg: &Config, claims: &mut Claims, out: &mut Vec<Occurrence>) {
        detect(t, cfg, claims, out);
    }

    fn title(&self, g: &Group, cx: &Context) -> String {
        let endpoint = cx.endpoint;
        format!("{} independent HTTP calls run one after another in {endpoint}", g.max_calls)
    }
}
