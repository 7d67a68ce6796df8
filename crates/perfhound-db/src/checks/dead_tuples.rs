//! `PH-DB016 dead-tuples-vacuum-lag`: tables full of dead rows that VACUUM has not removed.
//!
//! # What it detects
//! Tables where dead tuples exceed 20% of all tuples and number at least 10,000, with the
//! time of the last (auto)vacuum.
//!
//! # Why it matters
//! Dead rows are still read by sequential scans and index scans until vacuumed; they bloat
//! tables and indexes and hurt the cache. Lag usually means autovacuum is too timid for a
//! busy table or is blocked by a long transaction.
//!
//! # Example
//! `public.jobs`: 1.2M dead of 1.5M tuples (80%), last autovacuum 3 days ago.
//!
//! # Fix
//! `VACUUM (ANALYZE) the_table`; lower `autovacuum_vacuum_scale_factor` for it; remove
//! long-running and idle-in-transaction sessions that hold back cleanup.
//!
//! # Thresholds
//! `dead_tuple_ratio` (0.2), `dead_tuple_min` (10,000).

use super::{Ctx, Outcome};
use crate::catalog::quote_ident;
use crate::error::DbError;
use perfhound_model::{Effort, Finding, Rule, Severity};

pub const RULE: Rule = Rule {
    code: "PH-DB016",
    name: "dead-tuples-vacuum-lag",
    severity: Severity::Warning,
    summary: "More than 20% of a table's tuples are dead and not yet vacuumed.",
    why: "Scans still read dead rows; tables and indexes bloat and the cache holds garbage. Usually autovacuum is too timid or blocked.",
    fix: "VACUUM (ANALYZE) the table; lower autovacuum_vacuum_scale_factor for it; end long transactions that hold back cleanup.",
};

pub async fn check(ctx: &Ctx<'_>) -> Result<Outcome, DbError> {
    let rows = ctx
        .client
        .query(
            "/* perfhound */ SELECT schemaname::text, relname::text, n_live_tup::int8, n_dead_tup::int8, \
             coalesce(greatest(last_vacuum, last_autovacuum)::text, 'never') FROM pg_stat_user_tables \
             WHERE n_dead_tup >= $1",
            &[&ctx.t.dead_tuple_min],
        )
        .await
        .map_err(|e| DbError::query("reading pg_stat_user_tables", &e))?;
    let mut findings = Vec::new();
    for r in rows {
        let (schema, table, live, dead, last): (String, String, i64, i64, String) =
            (r.get(0), r.get(1), r.get(2), r.get(3), r.get(4));
        let ratio = dead as f64 / (live + dead).max(1) as f64;
        if ratio < ctx.t.dead_tuple_ratio {
            continue;
        }
        let name = format!("{}.{}", quote_ident(&schema), quote_ident(&table));
        let mut f = Finding::new(
            &RULE,
            name.clone(),
            format!("{name}: {dead} dead of {} tuples ({:.0}%), last vacuum {last}", live + dead, ratio * 100.0),
        );
        f.evidence.counts.insert("dead_tuples".into(), dead.max(0) as u64);
        f.evidence.counts.insert("live_tuples".into(), live.max(0) as u64);
        f.recommendation.snippet = Some(format!(
            "VACUUM (ANALYZE, VERBOSE) {name};\nALTER TABLE {name} SET (autovacuum_vacuum_scale_factor = 0.02);"
        ));
        f.recommendation.snippet_lang = Some("sql".into());
        f.recommendation.effort = Some(Effort::QuickWin);
        findings.push(f);
    }
    Ok(findings.into())
}
