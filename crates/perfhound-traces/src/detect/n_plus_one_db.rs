//! `PH-TRACE001 n-plus-one-db-query`
//!
//! **What it detects**: the same read query — same fingerprint, different parameters —
//! executed one after another under one parent span, e.g. one `SELECT … WHERE order_id = ?`
//! per order of a list.
//!
//! **Why it matters**: each execution pays a network round trip and per-query overhead;
//! N executions cost N times that, growing with the data instead of staying constant.
//!
//! **Example**: `GET /orders` runs `SELECT * FROM orders` then 50 × `SELECT * FROM
//! items WHERE order_id = ?`.
//!
//! **Fix**: load the rows in one query (`WHERE order_id IN (…)`, a JOIN, or the ORM's
//! eager loading: `selectinload`/`joinedload`, `prefetch_related`, `includes`, `JOIN FETCH`).
//!
//! **Thresholds** (`n_plus_one_db`): `min_repeats` = 5 executions and `min_total_ms` = 50
//! together (Sentry's defaults). Not reported: fast repeats below the total, overlapping
//! (parallel) executions, repeats under different parents, cache commands (Redis,
//! Memcached), batched statements, and repeats with identical parameters (those are
//! `redundant-call`).

use super::util::{max_us, occurrence, parents_with, repeated_groups};
use super::{Claims, Context, Detector, Occurrence};
use crate::aggregate::Group;
use crate::classify::{Category, Op};
use crate::config::Config;
use crate::describe::{query_evidence, short};
use crate::trace::Trace;
use perfhound_model::{Finding, Recommendation, Rule, Severity};
use std::sync::Arc;

pub const RULE: Rule = Rule {
    code: "PH-TRACE001",
    name: "n-plus-one-db-query",
    severity: Severity::Warning,
    summary: "The same query runs once per item, one after another, under one parent span (N+1).",
    why: "Every execution pays a database round trip; the request gets slower with every row instead of costing one query.",
    fix: "Fetch all rows in one query: `WHERE id IN (...)`, a JOIN, or the ORM's eager loading (selectinload/joinedload, prefetch_related, includes, JOIN FETCH).",
};

pub fn detect(t: &Trace, cfg: &Config, claims: &mut Claims, out: &mut Vec<Occurrence>) {
    let c = &cfg.n_plus_one_db;
    for p in parents_with(t, c.min_repeats.max(2) as usize) {
        let groups = repeated_groups(t, p, c, claims, |n| {
            n.class.category == Category::Db && matches!(n.class.op, Op::Read | Op::Other) && n.class.batch <= 1
        });
        for g in groups {
            let mut o = occurrence(&RULE, t, &g, Arc::clone(&t.nodes[g[0]].class.label));
            o.saved_us = o.total_us.saturating_sub(max_us(t, &g));
            claims.claim(&g);
            out.push(o);
        }
    }
}

/// For an N+1 query `… WHERE col = ?`: the batched form `… WHERE col IN (?)`.
fn batched_sql(label: &str) -> Option<String> {
    let pos = label.rfind(" = ?")?;
    Some(format!("{} IN (?, ?, ...){}", &label[..pos], &label[pos + 4..]))
}

/// The rule's detector (registered in [`super::DETECTORS`]).
pub struct NPlusOneDb;

impl Detector for NPlusOneDb {
    fn rule(&self) -> &'static Rule {
        &RULE
    }

    fn detect(&self, t: &Trace, cfg: &Config, claims: &mut Claims, out: &mut Vec<Occurrence>) {
        detect(t, cfg, claims, out);
    }

    fn title(&self, g: &Group, cx: &Context) -> String {
        let endpoint = cx.endpoint;
        format!("N+1 query: {} executions per request in {endpoint}: {}", g.max_calls, short(&g.key, 100))
    }

    fn evidence(&self, g: &Group, _cx: &Context, f: &mut Finding) {
        query_evidence(g, f);
    }

    fn recommend(&self, g: &Group, _cx: &Context, r: &mut Recommendation) {
        if let Some(sql) = batched_sql(&g.key) {
            r.snippet = Some(sql);
            r.snippet_lang = Some("sql".into());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::batched_sql;

    #[test]
    fn batched_form() {
        assert_eq!(
            batched_sql("SELECT * FROM items WHERE order_id = ? LIMIT ?").as_deref(),
            Some("SELECT * FROM items WHERE order_id IN (?, ?, ...) LIMIT ?")
        );
        assert_eq!(batched_sql("SELECT 1"), None);
    }
}
