//! `PH-TRACE003 repeated-call-pattern`
//!
//! **What it detects**: a *group* of calls repeated once per item under one parent — the
//! MN+1 case: `[SELECT author, SELECT tags]` × 40, or a per-item wrapper span (a
//! repository method, a serializer) that issues its own queries or HTTP calls, × 40.
//! Plain single-query repeats are `n-plus-one-db-query` / `n-plus-one-http-call`.
//!
//! **Why it matters**: it is an N+1 the single-query detectors cannot see, because the
//! repeated queries are interleaved or sit under per-item spans; the cost is the same:
//! M round trips per item, growing with the data.
//!
//! **Example**: `GET /feed` calls `render_post` 30 times; each call runs
//! `SELECT … FROM users WHERE id = ?` and `GET http://likes/posts/{id}`.
//!
//! **Fix**: load what the loop needs up front, in one query or call per kind (IN lists,
//! JOINs, batch endpoints, DataLoader-style batching), then run the loop on memory.
//!
//! **Thresholds** (`repeated_pattern`): `min_repeats` = 5 iterations, `min_total_ms` = 0,
//! units of up to `max_period` = 6 spans. Iterations that run concurrently (GraphQL
//! resolvers per item, a thread pool) are reported too: still M round trips per item.
//! Not reported: units without
//! any database/HTTP/RPC call, units of a single query or call (the N+1 rules cover them).
//! A per-item wrapper around exactly one query or call is reported as that N+1
//! (`n-plus-one-db-query` / `n-plus-one-http-call`), found through the wrapper.

use super::util::{
    descendants, occurrence, parents_with, project_rtt, sequential_count, single_io, total_us, union_us, us,
};
use super::{n_plus_one_cache, n_plus_one_db, n_plus_one_http, Claims, Context, Detector, Occurrence};
use crate::aggregate::Group;
use crate::classify::Category;
use crate::config::Config;
use crate::describe::short;
use crate::trace::Trace;
use perfhound_model::{Confidence, Finding, Rule, Severity};
use perfhound_sql::lexer::fnv1a;
use std::sync::Arc;

pub const RULE: Rule = Rule {
    code: "PH-TRACE003",
    name: "repeated-call-pattern",
    severity: Severity::Warning,
    summary: "A group of queries or calls repeats once per item under one parent span (MN+1).",
    why: "Each iteration pays several round trips; the request cost grows with the number of items, like an N+1 spread over several queries.",
    fix: "Load what the loop needs up front with one query or call per kind (IN lists, JOINs, batch endpoints, DataLoader-style batching).",
};

/// Per-node facts: does the subtree do I/O, and its structural signature.
struct Sigs {
    io: Vec<bool>,
    sig: Vec<u64>,
}

fn signatures(t: &Trace) -> Sigs {
    let n = t.nodes.len();
    let mut s = Sigs { io: vec![false; n], sig: vec![0; n] };
    // Reverse pre-order visits every child before its parent.
    let mut order = Vec::with_capacity(n);
    let mut stack: Vec<usize> = (0..n).filter(|&i| t.nodes[i].parent.is_none()).collect();
    while let Some(i) = stack.pop() {
        order.push(i);
        stack.extend(t.nodes[i].children.iter().copied());
    }
    for &i in order.iter().rev() {
        let node = &t.nodes[i];
        let mut io = node.class.category.is_io();
        let mut h = node.class.key;
        for &c in &node.children {
            if s.io[c] {
                io = true;
                h = fnv1a(h, &s.sig[c].to_le_bytes());
            }
        }
        s.io[i] = io;
        s.sig[i] = h;
    }
    s
}

pub fn detect(t: &Trace, cfg: &Config, claims: &mut Claims, out: &mut Vec<Occurrence>) {
    let c = &cfg.repeated_pattern;
    let min = c.min_repeats.max(2) as usize;
    let mut sigs: Option<Sigs> = None;
    for p in parents_with(t, min) {
        let s = sigs.get_or_insert_with(|| signatures(t));
        let seq: Vec<usize> =
            t.nodes[p].children.iter().copied().filter(|&i| s.io[i] && !claims.is_claimed(i)).collect();
        if seq.len() < min {
            continue;
        }
        let syms: Vec<u64> = seq.iter().map(|&i| s.sig[i]).collect();
        let mut covered = vec![false; seq.len()];
        for period in 1..=(c.max_period.max(1) as usize) {
            for (start, reps) in runs(&syms, period, min) {
                let span = start..start + reps * period;
                if covered[span.clone()].iter().any(|&x| x) || !interesting_unit(t, &seq[start..start + period]) {
                    continue;
                }
                let run: Vec<usize> = seq[span.clone()].to_vec();
                if total_us(t, &run) < us(c.min_total_ms) {
                    continue;
                }
                covered[span].iter_mut().for_each(|x| *x = true);
                let unit = &seq[start..start + period];
                // One wrapper span around one call per item is a plain N+1 of that call.
                let single_call = match unit {
                    [w] => single_io(t, *w),
                    _ => None,
                };
                let (rule, key) = match single_call {
                    Some(c) if t.nodes[c].class.category == Category::Db => {
                        (&n_plus_one_db::RULE, Arc::clone(&t.nodes[c].class.label))
                    }
                    Some(c) if t.nodes[c].class.category.is_remote_call() => {
                        (&n_plus_one_http::RULE, Arc::clone(&t.nodes[c].class.label))
                    }
                    Some(c) if t.nodes[c].class.category == Category::Cache => {
                        (&n_plus_one_cache::RULE, Arc::clone(&t.nodes[c].class.label))
                    }
                    _ => (&RULE, Arc::from(unit_label(t, unit))),
                };
                let mut o = occurrence(rule, t, &run, key);
                if let Some(c) = single_call {
                    o.tables = Arc::clone(&t.nodes[c].class.tables);
                }
                o.calls = reps as u64;
                let wall = union_us(t, &run).min(o.total_us);
                o.saved_us = wall - wall / reps as u64;
                o.concurrent = sequential_count(t, &run) * 5 < run.len() * 4;
                o.note = Some(format!("{reps} iterations of a {period}-span unit"));
                if single_call.is_some() {
                    let calls: Vec<usize> = run.iter().filter_map(|&w| single_io(t, w)).collect();
                    o.params_unknown = calls.iter().all(|&i| t.nodes[i].class.params == 0);
                    project_rtt(&mut o, t, &calls, cfg.rtt_ms);
                }
                claim_subtrees(t, &run, claims);
                out.push(o);
            }
        }
    }
}

/// `(start, repetitions)` of maximal runs where `syms` repeats with `period`.
fn runs(syms: &[u64], period: usize, min_reps: usize) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    if syms.len() < period * min_reps {
        return out;
    }
    let mut k = 0;
    while k + period < syms.len() {
        if syms[k] != syms[k + period] {
            k += 1;
            continue;
        }
        let start = k;
        while k + period < syms.len() && syms[k] == syms[k + period] {
            k += 1;
        }
        let reps = (k - start + period) / period;
        if reps >= min_reps {
            out.push((start, reps));
        }
    }
    out
}

/// A unit worth reporting here: several distinct spans, or one wrapper span that is not
/// itself a call (single calls are the N+1 rules' business).
fn interesting_unit(t: &Trace, unit: &[usize]) -> bool {
    match unit {
        [one] => !t.nodes[*one].class.category.is_io(),
        _ => {
            let first = t.nodes[unit[0]].class.key;
            unit.iter().any(|&i| t.nodes[i].class.key != first)
        }
    }
}

fn unit_label(t: &Trace, unit: &[usize]) -> String {
    let parts: Vec<String> = unit
        .iter()
        .map(|&i| {
            let n = &t.nodes[i];
            if n.class.category.is_io() {
                n.class.label.to_string()
            } else {
                let inner: Vec<&str> = descendants(t, i)
                    .filter(|&d| t.nodes[d].class.category.is_io())
                    .map(|d| &*t.nodes[d].class.label)
                    .take(3)
                    .collect();
                format!("{} {{ {} }}", n.span.name, inner.join("; "))
            }
        })
        .collect();
    let mut label = parts.join(" ; ");
    if label.len() > 400 {
        let mut end = 400;
        while !label.is_char_boundary(end) {
            end -= 1;
        }
        label.truncate(end);
        label.push('…');
    }
    label
}

fn claim_subtrees(t: &Trace, run: &[usize], claims: &mut Claims) {
    for &i in run {
        claims.claim(&[i]);
        let d: Vec<usize> = descendants(t, i).collect();
        claims.claim(&d);
    }
}

/// The rule's detector (registered in [`super::DETECTORS`]).
pub struct RepeatedPattern;

impl Detector for RepeatedPattern {
    fn detect(&self, t: &Trace, cfg: &Config, claims: &mut Claims, out: &mut Vec<Occurrence>) {
        detect(t, cfg, claims, out);
    }

    fn title(&self, g: &Group, cx: &Context) -> String {
        let endpoint = cx.endpoint;
        format!("Repeated call pattern: {} iterations per request in {endpoint}: {}", g.max_calls, short(&g.key, 100))
    }

    /// The unit is inferred from structure, so the finding is never more than medium confidence.
    fn escalate(&self, _g: &Group, _cx: &Context, f: &mut Finding) {
        f.confidence = Confidence::Medium;
    }
}

#[cfg(test)]
mod tests {
    use super::runs;

    #[test]
    fn finds_periodic_runs() {
        assert_eq!(runs(&[1, 2, 1, 2, 1, 2, 1, 2, 1, 2], 2, 5), vec![(0, 5)]);
        assert_eq!(runs(&[9, 1, 2, 1, 2, 1, 2], 2, 3), vec![(1, 3)]);
        assert!(runs(&[1, 2, 1, 2, 3, 1, 2], 2, 3).is_empty());
        assert_eq!(runs(&[7, 7, 7, 7, 7], 1, 5), vec![(0, 5)]);
    }
}
