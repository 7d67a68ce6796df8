//! `PH-TRACE006 slow-db-query`
//!
//! **What it detects**: a single database query (not a transaction statement, not a
//! connection setup) that took longer than the threshold.
//!
//! **Why it matters**: one slow query holds the request — and a connection, and often
//! locks — for its whole duration; under load it queues everything behind it.
//!
//! **Example**: `SELECT … FROM orders WHERE customer_email = ?` takes 1.8 s because
//! `customer_email` has no index.
//!
//! **Fix**: look at the plan (`EXPLAIN ANALYZE`, or `perfhound db`), add the missing index,
//! select fewer columns/rows (pagination), or precompute the result.
//!
//! **Thresholds** (`slow_db`): `min_ms` = 500, critical from `critical_ms` = 2000. The
//! estimated saving is the time above an indexed lookup (1 ms): the fix brings it there.

use super::util::{occurrence, us};
use super::{Claims, Context, Detector, Occurrence};
use crate::aggregate::Group;
use crate::classify::{Category, Op};
use crate::config::Config;
use crate::describe::{critical_from, ms, query_evidence, short};
use crate::measure::Measure;
use crate::trace::Trace;
use perfhound_model::{Effort, Finding, Rule, Severity};
use std::sync::Arc;

pub const RULE: Rule = Rule {
    code: "PH-TRACE006",
    name: "slow-db-query",
    severity: Severity::Warning,
    summary: "A database query took longer than the slow-query threshold.",
    why: "A slow query holds the request, a pooled connection and often locks for its whole duration; under load everything queues behind it.",
    fix: "Check the plan (EXPLAIN ANALYZE or `perfhound db`), add the missing index, fetch fewer rows/columns, or precompute the result.",
};

pub fn detect(t: &Trace, cfg: &Config, _claims: &mut Claims, out: &mut Vec<Occurrence>) {
    let min = us(cfg.slow_db.min_ms);
    for (i, n) in t.nodes.iter().enumerate() {
        let is_query = n.class.category == Category::Db && matches!(n.class.op, Op::Read | Op::Write | Op::Other);
        if is_query && n.span.duration_us() >= min.max(1) {
            let mut o = occurrence(&RULE, t, &[i], Arc::clone(&n.class.label));
            // The threshold decides what is slow; the fix (an index, fewer rows) brings the
            // query back to an indexed lookup's time, so that is what it saves.
            o.saved_us = o.total_us.saturating_sub(INDEXED_LOOKUP_US);
            out.push(o);
        }
    }
}

/// What a query costs once it is fixed (an indexed lookup on a local database).
const INDEXED_LOOKUP_US: u64 = 1_000;

/// Below this share of slow executions, a slow query is a latency tail, not a slow query.
const TAIL_SHARE: f64 = 0.1;

/// When only a few of a query's many executions were slow (a stall under load, a cold
/// cache), the query itself is fast: says so instead of warning.
fn tail_only(g: &Group, m: &Measure, cfg: &Config) -> Option<String> {
    if g.max_total_us as f64 >= cfg.slow_db.critical_ms * 1000.0 {
        return None;
    }
    let executions = m.queries.values().find(|q| *q.label == *g.key)?.latency.count;
    let slow = g.occurrences;
    (executions >= 20 && (slow as f64) < executions as f64 * TAIL_SHARE).then(|| {
        format!(
            "only {slow} of {executions} executions were slow ({:.1}%): a latency tail (contention, cold cache), not a slow query",
            slow as f64 / executions as f64 * 100.0
        )
    })
}

/// The rule's detector (registered in [`super::DETECTORS`]).
pub struct SlowDb;

impl Detector for SlowDb {
    fn detect(&self, t: &Trace, cfg: &Config, claims: &mut Claims, out: &mut Vec<Occurrence>) {
        detect(t, cfg, claims, out);
    }

    fn title(&self, g: &Group, cx: &Context) -> String {
        let endpoint = cx.endpoint;
        format!("Slow query (up to {}) in {endpoint}: {}", ms(g.max_total_us), short(&g.key, 100))
    }

    fn escalate(&self, g: &Group, cx: &Context, f: &mut Finding) {
        critical_from(g, cx.cfg.slow_db.critical_ms, f);
        if let Some(note) = tail_only(g, cx.measure, cx.cfg) {
            f.severity = Severity::Info;
            f.evidence.notes.push(note);
        }
    }

    fn evidence(&self, g: &Group, _cx: &Context, f: &mut Finding) {
        query_evidence(g, f);
    }

    fn effort(&self) -> Effort {
        Effort::QuickWin
    }
}
