//! `PH-DB004 long-running-query`: statements that have been running for a long time.
//!
//! # What it detects
//! Active backends (other than perfhound's) whose current statement started more than
//! 60 s ago (PgHero's threshold).
//!
//! # Why it matters
//! A long statement holds locks and a snapshot: it blocks DDL, keeps VACUUM from removing
//! dead rows everywhere, and usually means a missing index or a runaway report.
//!
//! # Example
//! pid 4242, 12.5 min: `SELECT … FROM events WHERE payload->>$1 = $2`.
//!
//! # Fix
//! Find why it is slow (its plan, the advisor); cancel it with `SELECT pg_cancel_backend(pid)`;
//! bound it with `statement_timeout` for the role.
//!
//! # Thresholds
//! `long_running_s` (60).

use super::{Ctx, Outcome};
use crate::error::DbError;
use perfhound_model::Extra;
use perfhound_model::{Finding, Rule, Severity};
use perfhound_term::human::duration_s;

pub const RULE: Rule = Rule {
    code: "PH-DB004",
    name: "long-running-query",
    severity: Severity::Warning,
    summary: "A statement has been running for longer than 60 s.",
    why: "It holds locks and an old snapshot: DDL waits behind it and VACUUM cannot remove dead rows anywhere while it runs.",
    fix: "Find why it is slow (plan, missing index); cancel it with pg_cancel_backend(pid); set statement_timeout for the role.",
};

pub async fn check(ctx: &Ctx<'_>) -> Result<Outcome, DbError> {
    let rows = ctx
        .client
        .query(
            "/* perfhound */ SELECT pid, coalesce(usename::text, ''), coalesce(query, ''), \
             extract(epoch FROM now() - query_start)::float8 FROM pg_stat_activity \
             WHERE state = 'active' AND pid <> pg_backend_pid() AND backend_type = 'client backend' \
             AND query_start < now() - make_interval(secs => $1) ORDER BY query_start",
            &[&ctx.t.long_running_s],
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
                format!("pid {pid} ({user}) running for {}", duration_s(secs)),
            );
            f.fingerprint = perfhound_model::finding::fingerprint(&[RULE.code, &text]);
            f.evidence.query = Some(text);
            f.evidence.durations_us.insert("running".into(), (secs * 1e6) as u64);
            f.recommendation.snippet = Some(format!("SELECT pg_cancel_backend({pid});"));
            f.recommendation.snippet_lang = Some("sql".into());
            if secs > 3600.0 {
                f.severity = Severity::Critical;
            }
            f
        })
        .collect::<Vec<_>>();
    Ok(Outcome { metrics: vec![(Extra::LongRunningQueries, findings.len() as f64)], findings })
}
