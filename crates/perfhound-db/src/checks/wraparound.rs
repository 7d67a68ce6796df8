//! `PH-DB014 transaction-id-wraparound-risk`: databases whose oldest unfrozen transaction
//! id is getting old.
//!
//! # What it detects
//! `age(datfrozenxid)` of every database above 1 billion transactions (half-way to the
//! 2^31 limit), critical within 200 million of the point where PostgreSQL stops accepting
//! writes; the oldest tables of the current database are listed.
//!
//! # Why it matters
//! Near wraparound PostgreSQL forces aggressive anti-wraparound vacuums and, at the end,
//! refuses every write until a manual VACUUM finishes: hours of downtime.
//!
//! # Example
//! `shop`: oldest xid age 1,350,000,000 (63% of the limit); `events` is the oldest table.
//!
//! # Fix
//! Find what blocks freezing (long transactions, idle in transaction, abandoned
//! replication slots or prepared transactions), then `VACUUM (FREEZE, VERBOSE)` the oldest
//! tables; tune autovacuum for large tables.
//!
//! # Thresholds
//! `wraparound_age` (1,000,000,000).

use super::{Ctx, Outcome};
use crate::error::DbError;
use perfhound_model::Extra;
use perfhound_model::{Finding, Rule, Severity};

pub const RULE: Rule = Rule {
    code: "PH-DB014",
    name: "transaction-id-wraparound-risk",
    severity: Severity::Warning,
    summary: "A database's oldest unfrozen transaction id is more than 1 billion transactions old.",
    why: "Near the 2^31 limit PostgreSQL forces aggressive vacuums and finally refuses all writes until a manual VACUUM finishes.",
    fix: "Remove what blocks freezing (long/idle transactions, stale replication slots, prepared transactions), then VACUUM (FREEZE) the oldest tables.",
};

const LIMIT: i64 = 2_147_483_647;
const CRITICAL_REMAINING: i64 = 200_000_000;

pub async fn check(ctx: &Ctx<'_>) -> Result<Outcome, DbError> {
    let dbs = ctx
        .client
        .query("/* perfhound */ SELECT datname::text, age(datfrozenxid)::int8 FROM pg_database WHERE datallowconn", &[])
        .await
        .map_err(|e| DbError::query("reading pg_database", &e))?;
    let oldest = ctx
        .client
        .query(
            "/* perfhound */ SELECT c.oid::regclass::text, age(c.relfrozenxid)::int8 FROM pg_class c \
             WHERE c.relkind IN ('r', 'm', 't') ORDER BY age(c.relfrozenxid) DESC LIMIT 3",
            &[],
        )
        .await
        .map_err(|e| DbError::query("reading table xid ages", &e))?;
    let mut o = Outcome::default();
    for r in dbs {
        let (db, age): (String, i64) = (r.get(0), r.get(1));
        if db == ctx.server.database {
            o.metrics.push((Extra::XidAge, age as f64));
        }
        if age <= ctx.t.wraparound_age {
            continue;
        }
        let mut f = Finding::new(
            &RULE,
            format!("database {db}"),
            format!(
                "database {db}: oldest unfrozen xid is {age} transactions old ({:.0}% of the limit)",
                age as f64 * 100.0 / LIMIT as f64
            ),
        );
        f.evidence.counts.insert("xid_age".into(), age.max(0) as u64);
        f.evidence.counts.insert("xids_remaining".into(), (LIMIT - age).max(0) as u64);
        if db == ctx.server.database {
            for t in &oldest {
                f.evidence.notes.push(format!("table {} frozen-xid age {}", t.get::<_, String>(0), t.get::<_, i64>(1)));
            }
            if let Some(t) = oldest.first() {
                f.recommendation.snippet = Some(format!("VACUUM (FREEZE, VERBOSE) {};", t.get::<_, String>(0)));
                f.recommendation.snippet_lang = Some("sql".into());
            }
        }
        if LIMIT - age < CRITICAL_REMAINING {
            f.severity = Severity::Critical;
        }
        o.findings.push(f);
    }
    Ok(o)
}
