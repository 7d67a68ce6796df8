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
//! estimated saving is the time above `min_ms`.

use super::util::{occurrence, us};
use super::{Claims, Occurrence};
use crate::classify::{Category, Op};
use crate::config::Config;
use crate::trace::Trace;
use perfhound_model::{Rule, Severity};
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
            o.saved_us = o.total_us.saturating_sub(min);
            out.push(o);
        }
    }
}
