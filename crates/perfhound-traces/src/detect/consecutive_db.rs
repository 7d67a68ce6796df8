//! `PH-TRACE004 consecutive-db-queries`
//!
//! **What it detects**: different read queries run strictly one after another under one
//! parent span, with no code between them and outside any transaction — so they do not
//! depend on each other's results and could run concurrently.
//!
//! A thin wrapper span around one query (a repository method) counts as that query.
//!
//! **Why it matters**: the request waits for the sum of the query times when it could wait
//! for the longest one.
//!
//! **Example**: a dashboard runs `SELECT count(*) FROM orders`, `SELECT … FROM users`, and
//! `SELECT … FROM alerts`, 120 ms each, one after another: 360 ms instead of 120 ms.
//!
//! **Fix**: run them concurrently (`asyncio.gather`, `Promise.all`, `CompletableFuture`,
//! goroutines, separate pooled connections), or combine them into one round trip.
//!
//! **Thresholds** (`consecutive_db`): `min_calls` = 2, `min_saved_ms` = 10 (Sentry's
//! production 100 ms hides three 10–30 ms scans run one after another on a local database;
//! below the severity scale's 20 ms the finding is info), `max_gap_ms` = 10 between
//! queries. Saving = sum − longest. Not reported:
//! overlapping (already parallel) queries, writes, queries inside BEGIN … COMMIT, queries
//! separated by other work, the same call repeated with the same parameters (`redundant-call`),
//! and — once an endpoint has 5 requests — a sequence seen in fewer than a quarter of them
//! (a cache-miss path).

use super::util::{joined_labels, max_us, occurrence, parents_with, serial_runs, us};
use super::{Claims, Context, Detector, Occurrence};
use crate::aggregate::Group;
use crate::classify::{Category, Op};
use crate::config::Config;
use crate::describe::query_evidence;
use crate::trace::Trace;
use perfhound_model::{Finding, Rule, Severity};
use std::sync::Arc;

pub const RULE: Rule = Rule {
    code: "PH-TRACE004",
    name: "consecutive-db-queries",
    severity: Severity::Warning,
    summary: "Independent read queries run one after another where they could run concurrently.",
    why: "The request waits for the sum of the query times instead of the longest one.",
    fix: "Run the queries concurrently (asyncio.gather, Promise.all, CompletableFuture, goroutines, separate pooled connections) or combine them into one round trip.",
};

/// Requests of an endpoint from which recurrence is required, and the share required.
const RECUR_MIN_REQUESTS: u64 = 5;
const RECUR_MIN_SHARE: f64 = 0.25;

pub fn detect(t: &Trace, cfg: &Config, claims: &mut Claims, out: &mut Vec<Occurrence>) {
    let c = &cfg.consecutive_db;
    for p in parents_with(t, c.min_calls.max(2) as usize) {
        let runs =
            serial_runs(t, p, claims, us(c.max_gap_ms), |n| n.class.category == Category::Db && n.class.op == Op::Read);
        for run in runs {
            // Different statements, or one statement with parameters known to differ; the
            // same text with unknown parameters (not recorded, truncated) is a repeat, not
            // independent work.
            let keys_differ = run.iter().any(|&i| t.nodes[i].class.key != t.nodes[run[0]].class.key);
            let params_known = run.iter().all(|&i| t.nodes[i].class.params != 0);
            let distinct = keys_differ || (params_known && !super::util::same_parameters(t, &run));
            if run.len() < c.min_calls as usize || !distinct {
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
pub struct ConsecutiveDb;

impl Detector for ConsecutiveDb {
    fn per_endpoint(&self) -> bool {
        true
    }

    fn detect(&self, t: &Trace, cfg: &Config, claims: &mut Claims, out: &mut Vec<Occurrence>) {
        detect(t, cfg, claims, out);
    }

    fn title(&self, g: &Group, cx: &Context) -> String {
        let endpoint = cx.endpoint;
        format!("{} independent queries run one after another in {endpoint}", g.max_calls)
    }

    fn evidence(&self, g: &Group, _cx: &Context, f: &mut Finding) {
        query_evidence(g, f);
    }

    /// With enough traffic to tell (`RECUR_MIN_REQUESTS`), the sequence must show in
    /// `RECUR_MIN_SHARE` of the endpoint's requests: queries run one after another on a
    /// rare path (a cache miss once per TTL) are not how the endpoint behaves.
    fn relevant(&self, g: &Group, cx: &Context) -> bool {
        super::util::recurs_enough(g, cx, RECUR_MIN_REQUESTS, RECUR_MIN_SHARE)
    }
}
