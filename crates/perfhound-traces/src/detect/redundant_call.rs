//! `PH-TRACE008 redundant-call`
//!
//! **What it detects**: the same read — the same SQL statement *with the same
//! parameters*, or a GET of the same URL — executed more than once in one trace.
//!
//! **Why it matters**: every repeat returns what the caller already had; the time is pure
//! waste, and the repeated read is a ready-made cache candidate.
//!
//! **Example**: `SELECT * FROM users WHERE id = 42` runs in the auth middleware, in the
//! handler and in the template: 3 executions, 2 wasted.
//!
//! **Fix**: reuse the first result (pass it down, request-scoped memoization), or cache it
//! (an identity map, `functools.lru_cache`, a per-request cache, HTTP caching headers).
//!
//! **Thresholds** (`redundant`): `min_repeats` = 2 and `min_wasted_ms` = 1 (all executions
//! but the fastest). Only statements whose parameters are known count: literals in the
//! text, or `db.query.parameter.*` attributes. Not reported: statements without a table
//! (`SELECT 1` pool pings, `SELECT now()`), writes, cache commands.

use super::util::{occurrence, total_us, us};
use super::{Claims, Context, Detector, Occurrence};
use crate::aggregate::Group;
use crate::classify::{Category, Op};
use crate::config::Config;
use crate::describe::{query_evidence, short};
use crate::trace::Trace;
use perfhound_model::{Finding, Rule, Severity};
use std::collections::HashMap;
use std::sync::Arc;

pub const RULE: Rule = Rule {
    code: "PH-TRACE008",
    name: "redundant-call",
    severity: Severity::Info,
    summary: "The same read (same statement and parameters, or same URL) runs more than once in one request.",
    why: "Every repeat returns data the request already had: the time is pure waste and the read is a ready-made cache candidate.",
    fix: "Reuse the first result (pass it down, request-scoped memoization) or cache it (identity map, lru_cache, HTTP caching).",
};

/// A read whose result depends only on its text and parameters, both known: a SQL read of
/// a table with recorded or literal parameters, a GET of a URL. Also what
/// [`crate::reads`] collects across requests.
pub fn candidate(n: &crate::trace::Node) -> bool {
    let c = &n.class;
    c.params != 0
        && c.op == Op::Read
        && match c.category {
            Category::Db => !c.tables.is_empty(),
            Category::Http | Category::Rpc => true,
            _ => false,
        }
}

pub fn detect(t: &Trace, cfg: &Config, claims: &mut Claims, out: &mut Vec<Occurrence>) {
    let c = &cfg.redundant;
    let mut groups: HashMap<(u64, u64), Vec<usize>> = HashMap::new();
    let mut order: Vec<(u64, u64)> = Vec::new();
    for (i, n) in t.nodes.iter().enumerate() {
        if candidate(n) && !claims.is_claimed(i) {
            let k = (n.class.key, n.class.params);
            let g = groups.entry(k).or_default();
            if g.is_empty() {
                order.push(k);
            }
            g.push(i);
        }
    }
    for k in order {
        let g = &groups[&k];
        if g.len() < c.min_repeats.max(2) as usize {
            continue;
        }
        let fastest = g.iter().map(|&i| t.nodes[i].span.duration_us()).min().unwrap_or(0);
        let wasted = total_us(t, g).saturating_sub(fastest);
        if wasted < us(c.min_wasted_ms) {
            continue;
        }
        let mut o = occurrence(&RULE, t, g, Arc::clone(&t.nodes[g[0]].class.label));
        o.saved_us = wasted;
        o.note = Some(format!("{} identical executions in one request", g.len()));
        out.push(o);
    }
}

/// The rule's detector (registered in [`super::DETECTORS`]).
pub struct RedundantCall;

impl Detector for RedundantCall {
    fn per_endpoint(&self) -> bool {
        true
    }

    fn detect(&self, t: &Trace, cfg: &Config, claims: &mut Claims, out: &mut Vec<Occurrence>) {
        detect(t, cfg, claims, out);
    }

    fn title(&self, g: &Group, cx: &Context) -> String {
        let endpoint = cx.endpoint;
        format!("Same read repeated {}× in one request in {endpoint}: {}", g.max_calls, short(&g.key, 100))
    }

    fn evidence(&self, g: &Group, _cx: &Context, f: &mut Finding) {
        query_evidence(g, f);
    }
}
