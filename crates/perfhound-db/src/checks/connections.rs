//! `PH-DB006 connections-near-limit`: connections in use close to `max_connections`.
//!
//! # What it detects
//! The number of backends compared with `max_connections` minus the reserved superuser
//! slots; reports when above 80%.
//!
//! # Why it matters
//! At the limit new connections fail outright ("sorry, too many clients already"), and
//! every backend costs memory: many idle connections usually mean pools sized per app
//! instance without a pooler.
//!
//! # Example
//! 171 of 200 connections in use (86%), 120 of them idle.
//!
//! # Fix
//! Put PgBouncer (transaction pooling) in front, shrink per-instance pools, close idle
//! connections; raise `max_connections` only with the memory to back it.
//!
//! # Thresholds
//! `connections_ratio` (0.8).

use super::{Ctx, Outcome};
use crate::error::DbError;
use perfhound_model::Extra;
use perfhound_model::{Finding, Rule, Severity};

pub const RULE: Rule = Rule {
    code: "PH-DB006",
    name: "connections-near-limit",
    severity: Severity::Warning,
    summary: "Connections in use are above 80% of max_connections.",
    why: "At the limit new connections fail; each backend costs memory, and many idle ones usually mean oversized pools.",
    fix: "Use a pooler (PgBouncer, transaction mode), shrink per-instance pools; raise max_connections only with memory to back it.",
};

pub async fn check(ctx: &Ctx<'_>) -> Result<Outcome, DbError> {
    let r = ctx
        .client
        .query_one(
            "/* perfhound */ SELECT count(*)::int8, count(*) FILTER (WHERE state = 'idle')::int8, \
             current_setting('max_connections')::int8, current_setting('superuser_reserved_connections')::int8 \
             FROM pg_stat_activity WHERE backend_type = 'client backend'",
            &[],
        )
        .await
        .map_err(|e| DbError::query("counting connections", &e))?;
    let (used, idle, max, reserved): (i64, i64, i64, i64) = (r.get(0), r.get(1), r.get(2), r.get(3));
    Ok(judge(used, idle, max, reserved, ctx.t.connections_ratio))
}

/// Pure judgement, for tests.
pub fn judge(used: i64, idle: i64, max: i64, reserved: i64, limit_ratio: f64) -> Outcome {
    let usable = (max - reserved).max(1);
    let ratio = used as f64 / usable as f64;
    let mut o = Outcome {
        findings: vec![],
        metrics: vec![
            (Extra::Connections, used as f64),
            (Extra::MaxConnections, max as f64),
            (Extra::ConnectionsRatio, ratio),
        ],
    };
    if ratio > limit_ratio {
        let mut f = Finding::new(
            &RULE,
            "database",
            format!("{used} of {usable} usable connections in use ({:.0}%), {idle} idle", ratio * 100.0),
        );
        f.evidence.counts.insert("connections".into(), used.max(0) as u64);
        f.evidence.counts.insert("idle".into(), idle.max(0) as u64);
        f.evidence.counts.insert("max_connections".into(), max.max(0) as u64);
        if ratio > 0.95 {
            f.severity = Severity::Critical;
        }
        o.findings.push(f);
    }
    o
}

#[cfg(test)]
mod tests {
    #[test]
    fn judges_the_usable_share() {
        assert!(super::judge(150, 10, 200, 3, 0.8).findings.is_empty());
        let o = super::judge(170, 100, 200, 3, 0.8);
        assert_eq!(o.findings.len(), 1);
        assert_eq!(o.findings[0].severity, perfhound_model::Severity::Warning);
        assert_eq!(super::judge(199, 0, 200, 3, 0.8).findings[0].severity, perfhound_model::Severity::Critical);
    }
}
