//! `PH-DB007 idle-in-transaction`: sessions that opened a transaction and went quiet.
//!
//! # What it detects
//! Backends in state `idle in transaction` (or `… (aborted)`) for longer than 60 s.
//!
//! # Why it matters
//! An open transaction keeps its locks and its snapshot: it blocks DDL and other writers
//! and stops VACUUM from cleaning up dead rows in every table, so bloat grows.
//!
//! # Example
//! pid 3131 idle in transaction for 14 min after `UPDATE carts SET … WHERE id = $1`.
//!
//! # Fix
//! Commit or roll back promptly (no network calls inside transactions); set
//! `idle_in_transaction_session_timeout` for the application role.
//!
//! # Thresholds
//! `idle_in_transaction_s` (60).

use super::{Ctx, Outcome};
use crate::error::DbError;
use perfhound_model::Extra;
use perfhound_model::{Finding, Rule, Severity};
use perfhound_term::human::duration_s;

pub const RULE: Rule = Rule {
    code: "PH-DB007",
    name: "idle-in-transaction",
    severity: Severity::Warning,
    summary: "A session has been idle inside an open transaction for longer than 60 s.",
    why: "It keeps locks and an old snapshot: writers and DDL wait behind it, and VACUUM cannot remove dead rows anywhere.",
    fix: "Commit or roll back promptly (no network calls inside transactions); set idle_in_transaction_session_timeout.",
};

pub async fn check(ctx: &Ctx<'_>) -> Result<Outcome, DbError> {
    let rows = ctx
        .client
        .query(
            "/* perfhound */ SELECT pid, coalesce(usename::text, ''), coalesce(query, ''), \
             extract(epoch FROM now() - state_change)::float8 FROM pg_stat_activity \
             WHERE state IN ('idle in transaction', 'idle in transaction (aborted)') AND pid <> pg_backend_pid() \
             AND state_change <= now() - make_interval(secs => $1) ORDER BY state_change",
            &[&ctx.t.idle_in_transaction_s],
        )
        .await
        .map_err(|e| DbError::query("reading pg_stat_activity", &e))?;
    let findings = rows
        .iter()
        .map(|r| {
            let (pid, user, query, secs): (i32, String, String, f64) = (r.get(0), r.get(1), r.get(2), r.get(3));
            let text = ctx.query_text(&query);
            let mut f = Finding::new(
                &RULE,
                format!("pid {pid}"),
                format!("pid {pid} ({user}) idle in transaction for {}", duration_s(secs)),
            );
            f.fingerprint = perfhound_model::finding::fingerprint(&[RULE.code, &user, &text]);
            f.evidence.query = Some(text);
            f.evidence.notes.push("the statement shown is the last one the session ran".into());
            f.evidence.durations_us.insert("idle".into(), (secs * 1e6) as u64);
            f.recommendation.snippet =
                Some("ALTER ROLE <app_role> SET idle_in_transaction_session_timeout = '60s';".into());
            f.recommendation.snippet_lang = Some("sql".into());
            f
        })
        .collect::<Vec<_>>();
    Ok(Outcome { metrics: vec![(Extra::IdleInTransaction, findings.len() as f64)], findings })
}
