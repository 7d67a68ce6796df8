//! `PH-DB008 low-table-cache-hit-ratio`: table reads that miss shared buffers.
//!
//! # What it detects
//! The share of heap block reads served from shared buffers across user tables, reported
//! below 99% (PgHero), once at least 10,000 blocks were read.
//!
//! # Why it matters
//! A miss goes to the OS cache or the disk: microseconds become milliseconds. A low ratio
//! means the working set does not fit in memory, often because of sequential scans.
//!
//! # Example
//! 91.4% of 2.3M heap block reads were hits.
//!
//! # Fix
//! Remove the scans (indexes, `PH-DB001`), then size `shared_buffers` (~25% of RAM) or the
//! instance for the working set.
//!
//! # Thresholds
//! `cache_hit_ratio` (0.99), `cache_min_blocks` (10,000).

use super::{Ctx, Outcome};
use crate::error::DbError;
use perfhound_model::Extra;
use perfhound_model::{Finding, Rule, Severity};

pub const RULE: Rule = Rule {
    code: "PH-DB008",
    name: "low-table-cache-hit-ratio",
    severity: Severity::Warning,
    summary: "Less than 99% of table block reads are served from shared buffers.",
    why: "Every miss goes to the OS cache or disk; a low ratio means the working set does not fit, often because of sequential scans.",
    fix: "Remove sequential scans with indexes first, then size shared_buffers (~25% of RAM) or the instance for the working set.",
};

pub async fn check(ctx: &Ctx<'_>) -> Result<Outcome, DbError> {
    let r = ctx
        .client
        .query_one(
            "/* perfhound */ SELECT coalesce(sum(heap_blks_hit), 0)::int8, coalesce(sum(heap_blks_read), 0)::int8 \
             FROM pg_statio_user_tables",
            &[],
        )
        .await
        .map_err(|e| DbError::query("reading pg_statio_user_tables", &e))?;
    Ok(judge(&RULE, Extra::TableCacheHitRatio, r.get(0), r.get(1), ctx))
}

/// Shared by the table and index cache checks.
pub fn judge(rule: &Rule, metric: Extra, hits: i64, reads: i64, ctx: &Ctx<'_>) -> Outcome {
    let total = hits + reads;
    let mut o = Outcome::default();
    if total <= 0 {
        return o;
    }
    let ratio = hits as f64 / total as f64;
    o.metrics.push((metric, ratio));
    if total >= ctx.t.cache_min_blocks && ratio < ctx.t.cache_hit_ratio {
        let mut f = Finding::new(
            rule,
            "database",
            format!(
                "{:.2}% of {total} block reads were cache hits (below {:.0}%)",
                ratio * 100.0,
                ctx.t.cache_hit_ratio * 100.0
            ),
        );
        f.evidence.counts.insert("blocks_hit".into(), hits.max(0) as u64);
        f.evidence.counts.insert("blocks_read".into(), reads.max(0) as u64);
        o.findings.push(f);
    }
    o
}
