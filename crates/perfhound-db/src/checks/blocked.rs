//! `PH-DB005 blocked-query`: statements waiting for a lock another session holds.
//!
//! # What it detects
//! Backends for which `pg_blocking_pids(pid)` is not empty, with the blocking pids and
//! what each blocker is doing.
//!
//! # Why it matters
//! Blocked statements add their whole wait to request latency; queues of them exhaust
//! connection pools. The usual blocker is a transaction left open or a DDL statement.
//!
//! # Example
//! pid 5150 waits 42 s on `UPDATE accounts …` behind pid 5101, idle in transaction.
//!
//! # Fix
//! End the blocker (`SELECT pg_terminate_backend(blocker)`), keep transactions short, run
//! DDL with a `lock_timeout`.
//!
//! # Thresholds
//! None: any blocked statement is reported.

use super::{Ctx, Outcome};
use crate::error::DbError;
use perfhound_model::Extra;
use perfhound_model::{Finding, Rule, Severity};
use perfhound_term::human::duration_s;

pub const RULE: Rule = Rule {
    code: "PH-DB005",
    name: "blocked-query",
    severity: Severity::Warning,
    summary: "A statement is waiting for a lock held by another session.",
    why: "The whole wait is added to the request's latency; queues of blocked statements exhaust connection pools.",
    fix: "End or finish the blocking transaction (pg_terminate_backend), keep transactions short, run DDL with lock_timeout.",
};

pub async fn check(ctx: &Ctx<'_>) -> Result<Outcome, DbError> {
    let rows = ctx
        .client
        .query(
            "/* perfhound */ SELECT a.pid, coalesce(a.query, ''), \
             coalesce(extract(epoch FROM now() - a.query_start), 0)::float8, pg_blocking_pids(a.pid), \
             coalesce((SELECT string_agg(b.pid || ' (' || coalesce(b.state, '?') || ')', ', ') \
                       FROM pg_stat_activity b WHERE b.pid = ANY(pg_blocking_pids(a.pid))), '') \
             FROM pg_stat_activity a WHERE cardinality(pg_blocking_pids(a.pid)) > 0",
            &[],
        )
        .await
        .map_err(|e| DbError::query("reading blocked sessions", &e))?;
    let findings = rows
        .iter()
        .map(|r| {
            let (pid, query, secs, blockers, desc): (i32, String, f64, Vec<i32>, String) =
                (r.get(0), r.get(1), r.get(2), r.get(3), r.get(4));
            let text = ctx.query_text(&query);
            let mut f = Finding::new(
                &RULE,
                format!("pid {pid}"),
                format!("pid {pid} blocked for {} by {desc}", duration_s(secs)),
            );
            f.fingerprint = perfhound_model::finding::fingerprint(&[RULE.code, &text]);
            f.evidence.query = Some(text);
            f.evidence.durations_us.insert("waiting".into(), (secs * 1e6) as u64);
            f.evidence.examples = blockers.iter().map(|b| format!("blocking pid {b}")).collect();
            if let Some(b) = blockers.first() {
                f.recommendation.snippet =
                    Some(format!("SELECT pg_terminate_backend({b});  -- the blocker, if it is stuck"));
                f.recommendation.snippet_lang = Some("sql".into());
            }
            f
        })
        .collect::<Vec<_>>();
    Ok(Outcome { metrics: vec![(Extra::BlockedQueries, findings.len() as f64)], findings })
}
